"""Writing and reading the access log of personal records."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from hub.core.models import AccessLogEntry


def access_log_record(
    *, request, obj: models.Model, action: str = AccessLogEntry.Action.VIEW, purpose: str = ""
) -> AccessLogEntry:
    """Record that the signed-in user saw ``obj``, acting for their current organisation.

    Call it from every view that shows a person's record. ``obj`` is described by
    its type and id only (``Resident 42``), never by a name.
    """
    acting = getattr(request, "acting", None)
    return AccessLogEntry.objects.create(
        user=request.user,
        organisation=acting.organisation if acting else None,
        roles=",".join(sorted(acting.roles)) if acting else "",
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_label=f"{obj._meta.verbose_name.capitalize()} {obj.pk}",
        purpose=purpose[:200],
    )


def access_log_search(
    *,
    user_id: int | None = None,
    organisation_id: int | None = None,
    content_type_id: int | None = None,
    object_id: str = "",
    since=None,
    until=None,
) -> QuerySet[AccessLogEntry]:
    """Entries matching every filter given, newest first, with their relations loaded."""
    entries = AccessLogEntry.objects.select_related("user", "organisation", "content_type")
    if user_id:
        entries = entries.filter(user_id=user_id)
    if organisation_id:
        entries = entries.filter(organisation_id=organisation_id)
    if content_type_id:
        entries = entries.filter(content_type_id=content_type_id)
    if object_id:
        entries = entries.filter(object_id=object_id.strip())
    if since:
        entries = entries.filter(at__date__gte=since)
    if until:
        entries = entries.filter(at__date__lte=until)
    return entries
