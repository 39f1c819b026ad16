from django.utils import timezone

from hub.support.models import JourneyEvent


def journey_record(
    *, resident, kind: str, summary: str, request=None, actor=None, organisation=None, at=None
) -> JourneyEvent:
    """Append a step to a resident's journey. ``summary`` is shown to staff who can see the
    resident; keep it factual and free of other people's personal data."""
    if organisation is None and actor is not None:
        acting = getattr(actor, "acting", None)
        organisation = acting.organisation if acting else None
    return JourneyEvent.objects.create(
        resident=resident,
        request=request,
        kind=kind,
        summary=summary[:300],
        actor=actor,
        organisation=organisation,
        at=at or timezone.now(),
    )
