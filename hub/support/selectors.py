"""Reads for support, each scoped to what the reader may see.

- The host's coordinators see every request and resident.
- Caseworkers (and coordinators) of any other organisation see the requests assigned to
  their organisation, and those with a referral to it that is live or completed; through
  a referral they see only the resident details that referral needs.
- Board viewers and everyone else see no personal records at all (aggregates only).
"""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from hub.organisations.models import Role
from hub.support.models import Need, Referral, Resident, SupportRequest

_CASE_ROLES = (Role.COORDINATOR, Role.CASEWORKER)
VISIBLE_REFERRAL_STATUSES = (
    Referral.Status.SENT,
    Referral.Status.ACCEPTED,
    Referral.Status.COMPLETED,
)


def sees_everything(user) -> bool:
    acting = user.acting
    return acting.for_host and acting.has(Role.COORDINATOR)


def requests_visible_to(user) -> QuerySet[SupportRequest]:
    acting = getattr(user, "acting", None)
    if acting is None or not acting.has(*_CASE_ROLES):
        return SupportRequest.objects.none()
    if sees_everything(user):
        return SupportRequest.objects.all()
    organisation = acting.organisation
    # The ids of requests referred to this organisation, read first: "assigned here OR in this
    # short list" lets the database use an index for each side, where "OR EXISTS (…)" would
    # make it read every request.
    referred = list(
        Referral.objects.filter(to_organisation=organisation, status__in=VISIBLE_REFERRAL_STATUSES)
        .values_list("need__request_id", flat=True)
        .distinct()
    )
    return SupportRequest.objects.filter(Q(assigned_organisation=organisation) | Q(pk__in=referred))


def get_request_for_user(user, pk: int) -> SupportRequest:
    """The request if ``user`` may see it; 404 otherwise (never 403, which would confirm it)."""
    try:
        return (
            requests_visible_to(user)
            .select_related("resident", "resident__ward", "assigned_organisation", "assigned_to")
            .get(pk=pk)
        )
    except SupportRequest.DoesNotExist as exc:
        raise Http404("No such request") from exc


def residents_visible_to(user) -> QuerySet[Resident]:
    if sees_everything(user):
        return Resident.objects.filter(merged_into__isnull=True)
    return Resident.objects.filter(
        pk__in=requests_visible_to(user).values("resident_id"), merged_into__isnull=True
    )


def get_resident_for_user(user, pk: int) -> Resident:
    try:
        return residents_visible_to(user).select_related("ward", "gp_practice").get(pk=pk)
    except Resident.DoesNotExist as exc:
        raise Http404("No such resident") from exc


def is_full_view(user, request: SupportRequest) -> bool:
    """Whether ``user`` sees the whole case, or only what a referral to them needs."""
    if sees_everything(user):
        return True
    return request.assigned_organisation_id == user.acting.organisation.pk


def needs_visible_to(user, request: SupportRequest) -> QuerySet[Need]:
    needs = request.needs.select_related("impact_area")
    if is_full_view(user, request):
        return needs
    return needs.filter(
        referrals__to_organisation=user.acting.organisation,
        referrals__status__in=VISIBLE_REFERRAL_STATUSES,
    ).distinct()


def referrals_received(user, *, status: str | None = None) -> QuerySet[Referral]:
    """Referrals sent to the organisation the user acts for."""
    referrals = Referral.objects.filter(to_organisation=user.acting.organisation).select_related(
        "need", "need__request", "need__request__ward", "from_organisation", "claimed_by"
    )
    if status:
        referrals = referrals.filter(status=status)
    return referrals.order_by("-sent_at", "-id")


def get_referral_for_user(user, pk: int) -> Referral:
    """A referral sent to the user's organisation, or one they could see the request of."""
    try:
        referral = Referral.objects.select_related(
            "need__request__resident", "to_organisation", "from_organisation", "claimed_by"
        ).get(pk=pk)
    except Referral.DoesNotExist as exc:
        raise Http404("No such referral") from exc
    acting = user.acting
    if not acting.has(*_CASE_ROLES):
        raise Http404("No such referral")
    if referral.to_organisation_id == acting.organisation.pk or sees_everything(user):
        return referral
    if referral.need.request.assigned_organisation_id == acting.organisation.pk:
        return referral
    raise Http404("No such referral")


def referral_counts(user) -> dict[str, int]:
    rows = (
        Referral.objects.filter(to_organisation=user.acting.organisation)
        .values("status")
        .annotate(n=Count("id"))
    )
    return {row["status"]: row["n"] for row in rows}


def queue_requests(user, *, filters: dict) -> QuerySet[SupportRequest]:
    """The triage queue: visible requests matching ``filters``, soonest due first."""
    requests = requests_visible_to(user)
    status = filters.get("status") or "open"
    if status == "open":
        requests = requests.filter(status__in=SupportRequest.OPEN_STATUSES)
    else:
        requests = requests.filter(status=status)
    if filters.get("urgency"):
        requests = requests.filter(urgency=filters["urgency"])
    if filters.get("need"):
        # Needs still to meet: the (category, status) index then reads a few thousand rows,
        # not every need of that kind ever recorded.
        requests = requests.filter(
            Exists(
                Need.objects.filter(
                    request=OuterRef("pk"),
                    category=filters["need"],
                    status__in=[Need.Status.OPEN, Need.Status.REFERRED],
                )
            )
        )
    if filters.get("ward"):
        requests = requests.filter(ward=filters["ward"])
    if filters.get("unassigned"):
        requests = requests.filter(assigned_organisation__isnull=True)
    elif filters.get("organisation"):
        requests = requests.filter(assigned_organisation=filters["organisation"])
    if filters.get("assignee"):
        requests = requests.filter(assigned_to=filters["assignee"])
    return requests.order_by("due_at", "id")


def queue_page_rows(requests) -> list[SupportRequest]:
    """Load one page of the queue with everything the table shows, in two queries."""
    from django.db.models import Prefetch

    return list(
        requests.select_related("ward", "assigned_organisation", "assigned_to", "resident")
        .only(
            "reference",
            "status",
            "urgency",
            "due_at",
            "channel",
            "safeguarding",
            "ward__name",
            "assigned_organisation__name",
            "assigned_to__full_name",
            "resident__first_name",
            "resident__last_name",
            "created_at",
        )
        .prefetch_related(Prefetch("needs", queryset=Need.objects.only("request_id", "category")))
    )


STATUS_TAGS = {
    SupportRequest.Status.NEW: "govuk-tag--blue",
    SupportRequest.Status.TRIAGED: "govuk-tag--light-blue",
    SupportRequest.Status.IN_PROGRESS: "govuk-tag--yellow",
    SupportRequest.Status.RESOLVED: "govuk-tag--green",
}


def queue_table(rows: list[SupportRequest], *, now) -> list[dict]:
    """The queue rows as plain values, so the template does no lookups of its own (a page of
    50 rows renders in a few milliseconds instead of tens)."""
    from django.utils import timezone

    table = []
    for r in rows:
        due = timezone.localtime(r.due_at)
        table.append(
            {
                "pk": r.pk,
                "reference": r.reference,
                "name": f"{r.resident.first_name} {r.resident.last_name[:1]}.",
                "due": f"{due.day} {due:%b %H:%M}",
                "overdue": r.status in SupportRequest.OPEN_STATUSES and r.due_at < now,
                "safeguarding": r.safeguarding,
                "needs": ", ".join(n.get_category_display() for n in r.needs.all()),
                "ward": r.ward.name if r.ward_id else "Not known",
                "organisation": r.assigned_organisation.name
                if r.assigned_organisation_id
                else "Nobody yet",
                "assignee": r.assigned_to.full_name if r.assigned_to_id else "",
                "status": r.status,
                "status_label": r.get_status_display(),
                "status_tag": STATUS_TAGS.get(r.status, "govuk-tag--grey"),
                "urgency_label": r.get_urgency_display(),
            }
        )
    return table


def queue_counts(user, *, filters: dict) -> dict[str, dict[str, int]]:
    """How many open requests there are by status and by urgency, within the other filters."""
    base = queue_requests(user, filters={**filters, "status": "open", "urgency": ""})
    by_status, by_urgency, overdue = {}, {}, 0
    from django.utils import timezone

    now = timezone.now()
    # Count a column the open-requests index holds (not the id), so this reads the index only.
    rows = (
        base.order_by()
        .values("status", "urgency")
        .annotate(n=Count("status"), late=Count("status", filter=Q(due_at__lt=now)))
    )
    for row in rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        by_urgency[row["urgency"]] = by_urgency.get(row["urgency"], 0) + row["n"]
        overdue += row["late"]
    return {"status": by_status, "urgency": by_urgency, "overdue": overdue}


def journey_for(resident: Resident) -> list:
    """Every step of the resident's journey, oldest first, each with the time since the last."""
    events = list(resident.journey.select_related("actor", "organisation", "request"))
    previous = None
    for event in events:
        event.gap = _humane(event.at - previous.at) if previous else ""
        previous = event
    return events


def _humane(delta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return "under a minute"
    if seconds < 3600:
        minutes = seconds // 60
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    if seconds < 2 * 86400:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    days = seconds // 86400
    return f"{days} days"


def residents_search(user, query: str) -> QuerySet[Resident]:
    """Find residents the user may see by request reference, NHS number or name."""
    query = " ".join(query.split())
    residents = residents_visible_to(user)
    digits = query.replace(" ", "").replace("-", "")
    if query.upper().startswith("CH-"):
        return residents.filter(requests__reference=query.upper())
    if digits.isdigit() and len(digits) == 10:
        return residents.filter(nhs_number=digits)
    parts = query.split(" ")
    match = Q()
    for part in parts[:3]:
        match &= Q(first_name__icontains=part) | Q(last_name__icontains=part)
    return residents.filter(match).order_by("last_name", "first_name")[:50]


def callbacks_due(user, *, until) -> list[dict]:
    """Call-backs promised by ``until`` that nobody has made yet: a contact on an open request
    asked for one and no contact came after it. One query."""
    from hub.support.models import Contact

    later = Contact.objects.filter(request=OuterRef("request"), at__gt=OuterRef("at"))
    contacts = (
        Contact.objects.filter(
            request__in=requests_visible_to(user).filter(status__in=SupportRequest.OPEN_STATUSES),
            callback_due_at__isnull=False,
            callback_due_at__lte=until,
        )
        .exclude(Exists(later))
        .select_related("request", "by")
        .order_by("callback_due_at")[:200]
    )
    return [
        {
            "pk": c.request_id,
            "reference": c.request.reference,
            "due": c.callback_due_at,
            "by": c.by.full_name,
        }
        for c in contacts
    ]
