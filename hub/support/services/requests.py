"""Requests for help: opening, triage and assignment, status, needs' outcomes, contacts, notes."""

import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from hub.organisations.models import Membership
from hub.strategy.models import Element
from hub.support.models import CaseNote, Contact, JourneyEvent, Need, SupportRequest
from hub.support.needs import IMPACT_AREA_SLUG, NEED_BITS, SAFEGUARDING, NeedCategory
from hub.support.services.journey import journey_record

_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXY3469"  # no 0/O, 1/I, 2/Z, 5/S, 7, 8/B confusion


def new_reference() -> str:
    return "CH-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))


def _impact_areas() -> dict[str, Element]:
    elements = Element.objects.filter(strategy__is_active=True, kind=Element.Kind.IMPACT_AREA)
    by_slug = {e.slug: e for e in elements}
    return {c: by_slug.get(slug) for c, slug in IMPACT_AREA_SLUG.items()}


def needs_build(request: SupportRequest, needs, impact_areas=None) -> list[Need]:
    """Need rows (unsaved) for ``needs``: (category, detail) pairs, duplicates refused."""
    impact_areas = impact_areas if impact_areas is not None else _impact_areas()
    seen, built = set(), []
    for category, detail in needs:
        if category not in NeedCategory.values:
            raise ValidationError({"needs": f"‘{category}’ is not a need on the list"})
        if category in seen:
            continue
        seen.add(category)
        impact = impact_areas.get(category)
        built.append(
            Need(
                request=request,
                category=category,
                detail=(detail or "")[:500],
                impact_area_id=impact.pk if impact else None,
            )
        )
    if not built:
        raise ValidationError({"needs": "Choose at least one thing they need help with"})
    return built


def need_bits_refresh(request_ids) -> None:
    """Set ``open_need_bits`` on these requests from the needs they still have to meet: one
    read, then one update for each distinct value. Called by every service that opens a
    need or records its outcome (referring a need, or taking a referral back, leaves it
    still to meet)."""
    bits = dict.fromkeys(request_ids, 0)
    still_to_meet = Need.objects.filter(
        request_id__in=bits, status__in=[Need.Status.OPEN, Need.Status.REFERRED]
    )
    for request_id, category in still_to_meet.values_list("request_id", "category"):
        bits[request_id] |= NEED_BITS.get(category, 0)
    by_value: dict[int, list[int]] = {}
    for request_id, value in bits.items():
        by_value.setdefault(value, []).append(request_id)
    for value, ids in by_value.items():
        SupportRequest.objects.filter(pk__in=ids).exclude(open_need_bits=value).update(
            open_need_bits=value
        )


def request_create(
    *,
    actor,
    resident,
    channel: str,
    needs,
    urgency: str = SupportRequest.Urgency.ROUTINE,
    summary: str = "",
    on_behalf_name: str = "",
    on_behalf_relationship: str = "",
    on_behalf_phone: str = "",
    source_import=None,
    at=None,
) -> SupportRequest:
    """Open a request for ``resident`` with its needs. A safeguarding need makes it same-day.

    The reference is random and unguessable (CH-XXXXXX); it is what the resident is told.
    """
    at = at or timezone.now()
    if any(category in SAFEGUARDING for category, _ in needs):
        urgency = SupportRequest.Urgency.SAME_DAY
    for _ in range(5):
        try:
            with transaction.atomic():
                request = SupportRequest(
                    reference=new_reference(),
                    resident=resident,
                    channel=channel,
                    urgency=urgency,
                    due_at=SupportRequest.due_from(at, urgency),
                    summary=summary.strip(),
                    on_behalf_name=on_behalf_name.strip(),
                    on_behalf_relationship=on_behalf_relationship.strip(),
                    on_behalf_phone=on_behalf_phone.strip(),
                    safeguarding=any(category in SAFEGUARDING for category, _ in needs),
                    ward_id=resident.ward_id,
                    created_by=actor,
                    source_import=source_import,
                )
                request.full_clean(exclude=["reference"])
                request.save()
                built = Need.objects.bulk_create(needs_build(request, needs))
                request.open_need_bits = 0
                for need in built:
                    request.open_need_bits |= NEED_BITS.get(need.category, 0)
                SupportRequest.objects.filter(pk=request.pk).update(
                    open_need_bits=request.open_need_bits
                )
                SupportRequest.objects.filter(pk=request.pk).update(created_at=at)
                request.created_at = at
                journey_record(
                    resident=resident,
                    request=request,
                    kind=JourneyEvent.Kind.REQUEST_OPENED,
                    actor=actor,
                    at=at,
                    summary=f"{request.reference} by {request.get_channel_display().lower()}: "
                    + ", ".join(n.get_category_display().lower() for n in request.needs.all()),
                )
                return request
        except IntegrityError as exc:
            if "reference" not in str(exc).lower():
                raise
    raise RuntimeError("could not find a free reference after 5 tries")


def _member_of(user, organisation) -> bool:
    return Membership.objects.current().filter(user=user, organisation=organisation).exists()


@transaction.atomic
def request_triage(
    *, actor, request: SupportRequest, urgency: str, organisation, assignee=None
) -> SupportRequest:
    """Set urgency and who works the request. The assignee must belong to the organisation."""
    request = SupportRequest.objects.select_for_update().get(pk=request.pk)
    if not request.is_open:
        raise ValidationError("This request is closed: reopen it before triaging")
    if assignee is not None and not _member_of(assignee, organisation):
        raise ValidationError({"assignee": f"{assignee} does not work for {organisation}"})
    now = timezone.now()
    if urgency != request.urgency:
        request.urgency = urgency
        request.due_at = SupportRequest.due_from(request.created_at, urgency)
    request.assigned_organisation = organisation
    request.assigned_to = assignee
    if request.status == SupportRequest.Status.NEW:
        request.status = SupportRequest.Status.TRIAGED
        request.triaged_at = now
    request.save()
    journey_record(
        resident=request.resident,
        request=request,
        kind=JourneyEvent.Kind.TRIAGED,
        actor=actor,
        summary=f"{request.get_urgency_display()}; assigned to {organisation}"
        + (f" ({assignee.full_name})" if assignee else ""),
    )
    return request


def requests_bulk_assign(*, actor, request_ids, organisation, assignee=None) -> int:
    """Assign many open requests at once, each locked while it changes. Returns how many."""
    if assignee is not None and not _member_of(assignee, organisation):
        raise ValidationError({"assignee": f"{assignee} does not work for {organisation}"})
    changed = 0
    with transaction.atomic():
        requests = (
            SupportRequest.objects.select_for_update()
            .filter(pk__in=list(request_ids), status__in=SupportRequest.OPEN_STATUSES)
            .select_related("resident")
            .order_by("pk")
        )
        now = timezone.now()
        for request in requests:
            request.assigned_organisation = organisation
            request.assigned_to = assignee
            if request.status == SupportRequest.Status.NEW:
                request.status = SupportRequest.Status.TRIAGED
                request.triaged_at = now
            request.save()
            journey_record(
                resident=request.resident,
                request=request,
                kind=JourneyEvent.Kind.ASSIGNED,
                actor=actor,
                summary=f"Assigned to {organisation}"
                + (f" ({assignee.full_name})" if assignee else ""),
            )
            changed += 1
    return changed


_ALLOWED = {
    SupportRequest.Status.NEW: {"triaged", "in_progress", "closed"},
    SupportRequest.Status.TRIAGED: {"in_progress", "resolved", "closed"},
    SupportRequest.Status.IN_PROGRESS: {"resolved", "closed", "triaged"},
    SupportRequest.Status.RESOLVED: {"closed", "in_progress"},
    SupportRequest.Status.CLOSED: {"in_progress"},
}


@transaction.atomic
def request_set_status(*, actor, request: SupportRequest, status: str) -> SupportRequest:
    """Move a request along its states (the only place that does)."""
    request = SupportRequest.objects.select_for_update().get(pk=request.pk)
    if status not in _ALLOWED[request.status]:
        raise ValidationError(
            {
                "status": f"A {request.get_status_display().lower()} request cannot become "
                f"{SupportRequest.Status(status).label.lower()}"
            }
        )
    if (
        status == SupportRequest.Status.RESOLVED
        and request.needs.filter(status__in=[Need.Status.OPEN, Need.Status.REFERRED]).exists()
    ):
        raise ValidationError({"status": "Record an outcome for every need before resolving"})
    now = timezone.now()
    request.status = status
    if status == SupportRequest.Status.RESOLVED:
        request.resolved_at = now
    elif status == SupportRequest.Status.CLOSED:
        request.closed_at = now
    elif status == SupportRequest.Status.IN_PROGRESS:
        request.closed_at = None
    request.save()
    journey_record(
        resident=request.resident,
        request=request,
        kind=JourneyEvent.Kind.STATUS,
        actor=actor,
        summary=f"{request.reference} is now {request.get_status_display().lower()}",
    )
    return request


@transaction.atomic
def need_record_outcome(*, actor, need: Need, status: str, outcome: str = "") -> Need:
    if status not in Need.CLOSED_STATUSES:
        raise ValidationError({"status": "Choose met, could not be met, or no longer needed"})
    if status == Need.Status.UNMET and not outcome.strip():
        raise ValidationError({"outcome": "Say why the need could not be met"})
    need = Need.objects.select_for_update().select_related("request__resident").get(pk=need.pk)
    need.status = status
    need.outcome = outcome.strip()
    need.outcome_at = timezone.now()
    need.save()
    need_bits_refresh([need.request_id])
    request = need.request
    if request.status in (SupportRequest.Status.NEW, SupportRequest.Status.TRIAGED):
        SupportRequest.objects.filter(pk=request.pk).update(
            status=SupportRequest.Status.IN_PROGRESS
        )
    journey_record(
        resident=request.resident,
        request=request,
        kind=JourneyEvent.Kind.NEED_OUTCOME,
        actor=actor,
        summary=f"{need.get_category_display()}: {need.get_status_display().lower()}",
    )
    return need


@transaction.atomic
def contact_log(
    *,
    actor,
    request: SupportRequest,
    direction: str,
    outcome: str,
    at=None,
    notes: str = "",
    callback_due_at=None,
) -> Contact:
    """Record a call or message; the first answered one sets the time to first contact."""
    at = at or timezone.now()
    if at > timezone.now() + timezone.timedelta(minutes=5):
        raise ValidationError({"at": "A contact cannot be in the future"})
    if callback_due_at and callback_due_at < at:
        raise ValidationError({"callback_due_at": "A callback must be after the contact"})
    contact = Contact(
        request=request,
        direction=direction,
        outcome=outcome,
        at=at,
        by=actor,
        organisation=actor.acting.organisation,
        notes=notes.strip(),
        callback_due_at=callback_due_at,
    )
    contact.full_clean()
    contact.save()
    # The call-back still owed is the one asked for at the latest contact (a later contact
    # is the call-back made); the request carries it so the queue need not read contacts.
    latest = Contact.objects.filter(request=request).order_by("-at", "-id").first()
    SupportRequest.objects.filter(pk=request.pk).update(
        callback_due_at=latest.callback_due_at,
        callback_contact=latest if latest.callback_due_at else None,
    )
    if outcome == Contact.Outcome.ANSWERED:
        SupportRequest.objects.filter(pk=request.pk, first_contact_at__isnull=True).update(
            first_contact_at=at
        )
        SupportRequest.objects.filter(
            pk=request.pk, status__in=[SupportRequest.Status.NEW, SupportRequest.Status.TRIAGED]
        ).update(status=SupportRequest.Status.IN_PROGRESS)
    journey_record(
        resident=request.resident,
        request=request,
        kind=JourneyEvent.Kind.CONTACT,
        actor=actor,
        at=at,
        summary=f"{contact.get_direction_display()}: {contact.get_outcome_display().lower()}",
    )
    return contact


@transaction.atomic
def note_add(*, actor, request: SupportRequest, text: str) -> CaseNote:
    if not text.strip():
        raise ValidationError({"text": "Enter the note"})
    note = CaseNote.objects.create(
        request=request, author=actor, organisation=actor.acting.organisation, text=text.strip()
    )
    journey_record(
        resident=request.resident,
        request=request,
        kind=JourneyEvent.Kind.NOTE,
        actor=actor,
        summary="Case note added",
    )
    return note
