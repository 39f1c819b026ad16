"""Reads for support, each scoped to what the reader may see.

- The host's coordinators see every request and resident.
- Caseworkers (and coordinators) of any other organisation see the requests assigned to
  their organisation, and those with a referral to it that is live or completed; through
  a referral they see only the resident details that referral needs.
- Board viewers and everyone else see no personal records at all (aggregates only).
"""

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from hub.organisations.models import Role
from hub.support import queue_sql
from hub.support.models import (
    Need,
    Referral,
    Resident,
    SupportRequest,
)
from hub.support.needs import NEED_BITS, NeedCategory

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
    referred = _referred_request_ids(organisation)
    return SupportRequest.objects.filter(Q(assigned_organisation=organisation) | Q(pk__in=referred))


def _referred_request_ids(organisation) -> list[int]:
    """The ids of requests with a live or completed referral to ``organisation``, read first:
    "assigned here OR in this short list" lets the database use an index for each side,
    where "OR EXISTS (…)" would make it read every request."""
    return list(
        Referral.objects.filter(to_organisation=organisation, status__in=VISIBLE_REFERRAL_STATUSES)
        .values_list("need__request_id", flat=True)
        .distinct()
    )


def queue_scope(user) -> queue_sql.Scope:
    """``requests_visible_to`` as the triage queue's SQL takes it (one query for a partner,
    none for the host's coordinators)."""
    acting = getattr(user, "acting", None)
    if acting is None or not acting.has(*_CASE_ROLES):
        return queue_sql.Scope(everything=False, organisation=None, referred=[])
    if sees_everything(user):
        return queue_sql.Scope(everything=True, organisation=None, referred=[])
    organisation = acting.organisation
    return queue_sql.Scope(
        everything=False,
        organisation=organisation.pk,
        referred=_referred_request_ids(organisation),
    )


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


FILTER_CHOICES_SECONDS = 60


def queue_filter_scope(user) -> str:
    """Whose lists the queue's filters offer: every organisation's, or one's own."""
    return "all" if sees_everything(user) else str(user.acting.organisation.pk)


def queue_filter_choices(user) -> dict[str, list[tuple[int, str]]]:
    """The triage queue's lists of wards, organisations and people, as (id, name) pairs.

    Kept for a minute in the cache (one entry for the host's view, one per other
    organisation): they change rarely, and reading them was three of the page's queries. A
    ward, organisation or caseworker added in the last minute may not be offered yet."""
    from hub.accounts.models import User
    from hub.organisations.models import Organisation
    from hub.places.models import Area

    acting = user.acting
    everything = sees_everything(user)
    key = "support:queue-filters:" + queue_filter_scope(user)

    def read() -> dict[str, list[tuple[int, str]]]:
        if everything:
            organisations = Organisation.objects.active()
            # Anyone who can work cases; never derived from the requests (a million rows).
            assignees = User.objects.filter(
                memberships__is_active=True, memberships__role__in=_CASE_ROLES
            ).distinct()
        else:
            organisations = Organisation.objects.filter(pk=acting.organisation.pk)
            assignees = User.objects.filter(
                memberships__organisation=acting.organisation, memberships__is_active=True
            ).distinct()
        return {
            "wards": list(
                Area.objects.filter(level=Area.Level.WARD)
                .order_by("name")
                .values_list("pk", "name")
            ),
            "organisations": list(organisations.order_by("name").values_list("pk", "name")),
            "assignees": list(assignees.order_by("full_name").values_list("pk", "full_name")),
        }

    return cache.get_or_set(key, read, FILTER_CHOICES_SECONDS)


def queue_rows(rows: list[dict]) -> list[dict]:
    """The needs each queue row shows: an open request's still to meet, from its bits; a
    resolved or closed one's every need, read in one more query (only when there are
    such rows)."""
    closed = {}
    for row in rows:
        if row["status"] in SupportRequest.OPEN_STATUSES:
            bits = row["open_need_bits"]
            row["needs"] = [category for category, bit in NEED_BITS.items() if bits & bit]
        else:
            row["needs"] = []
            closed[row["pk"]] = row
    if closed:
        for request_id, category in (
            Need.objects.filter(request_id__in=list(closed))
            .order_by("pk")
            .values_list("request_id", "category")
        ):
            closed[request_id]["needs"].append(category)
    return rows


STATUS_TAGS = {
    SupportRequest.Status.NEW: "govuk-tag--blue",
    SupportRequest.Status.TRIAGED: "govuk-tag--light-blue",
    SupportRequest.Status.IN_PROGRESS: "govuk-tag--yellow",
    SupportRequest.Status.RESOLVED: "govuk-tag--green",
}


# Labels by value, built once: ``get_FOO_display()`` flattens the whole choices list on
# every call, which for a page of 50 requests and their needs cost about 6 ms.
_NEED_LABELS = dict(NeedCategory.choices)
_STATUS_LABELS = dict(SupportRequest.Status.choices)
_URGENCY_LABELS = dict(SupportRequest.Urgency.choices)


def queue_table(rows: list[dict], *, now) -> list[dict]:
    """The queue rows ready to show, so the template does no lookups of its own (a page of
    50 rows renders in a few milliseconds instead of tens)."""
    from django.utils import timezone

    open_statuses = SupportRequest.OPEN_STATUSES
    zone = timezone.get_current_timezone()
    table = []
    for r in rows:
        due = r["due_at"].astimezone(zone)
        table.append(
            {
                "pk": r["pk"],
                "reference": r["reference"],
                "name": f"{r['first_name']} {r['last_name'][:1]}.",
                "due": f"{due.day} {due:%b %H:%M}",
                "overdue": r["status"] in open_statuses and r["due_at"] < now,
                "safeguarding": r["safeguarding"],
                "needs": ", ".join(_NEED_LABELS.get(n, n) for n in r["needs"]),
                "ward": r["ward_name"] if r["ward_id"] else "Not known",
                "organisation": r["organisation_name"]
                if r["assigned_organisation_id"]
                else "Nobody yet",
                "assignee": r["assignee_name"] if r["assigned_to_id"] else "",
                "status": r["status"],
                "status_label": _STATUS_LABELS.get(r["status"], r["status"]),
                "status_tag": STATUS_TAGS.get(r["status"], "govuk-tag--grey"),
                "urgency_label": _URGENCY_LABELS.get(r["urgency"], r["urgency"]),
            }
        )
    return table


OVERDUE_COUNTED = 1000


class QueueListing:
    """What the queue page shows for ``filters``: the counts of open requests within the
    other filters (by status, by urgency, by each pair, and overdue), how many requests the
    list holds, and any page of it.

    For those who see every request, the counts come from ``QueueTally`` (kept by the
    database; a few hundred rows whatever the number of requests), or ``QueueNeedTally``
    when a need is the only thing chosen besides status and urgency; otherwise, and when a
    person is chosen, from an index of open requests in (status, urgency) order (a
    partner's, a ward's or a person's requests are few; a need is tested on the bits each
    index entry holds). The list's total is added up from the counts rather than counted again.
    Overdue requests are counted up to ``OVERDUE_COUNTED``; beyond that the page says
    "more than".
    """

    def __init__(self, user, *, filters: dict, now, scope: queue_sql.Scope | None = None):
        self.filters = filters
        self.scope = queue_scope(user) if scope is None else scope
        self.status = filters.get("status") or "open"
        self.urgency = filters.get("urgency") or ""
        tallied = self.scope.everything and not filters.get("assignee")
        narrowed = any(filters.get(name) for name in ("ward", "organisation", "unassigned"))
        if tallied and not filters.get("need"):
            tally = "cells"
        elif tallied and not narrowed:
            tally = "need"
        else:
            tally = None
        pairs, overdue = queue_sql.counts(
            self.scope, filters, now=now, tally=tally, cap=OVERDUE_COUNTED
        )
        by_status: dict[str, int] = {}
        by_urgency: dict[str, int] = {}
        for (status, urgency), n in pairs.items():
            by_status[status] = by_status.get(status, 0) + n
            by_urgency[urgency] = by_urgency.get(urgency, 0) + n
        self.counts = {
            "status": by_status,
            "urgency": by_urgency,
            "overdue": min(overdue, OVERDUE_COUNTED),
            "overdue_more": overdue > OVERDUE_COUNTED,
        }
        if self._lists_open():
            self.total = sum(n for pair, n in pairs.items() if self._listed(*pair))
        else:
            self.total = queue_sql.total(self.scope, filters)

    def _lists_open(self) -> bool:
        return self.status == "open" or self.status in SupportRequest.OPEN_STATUSES

    def _listed(self, status: str, urgency: str) -> bool:
        return (self.status in ("open", status)) and self.urgency in ("", urgency)

    def rows(self, *, offset: int, limit: int) -> list[dict]:
        return queue_rows(queue_sql.page(self.scope, self.filters, offset=offset, limit=limit))


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


CALLBACKS_SHOWN = 10


def callbacks_due(
    user, *, until, shown: int = CALLBACKS_SHOWN, scope: queue_sql.Scope | None = None
) -> dict:
    """Call-backs promised by ``until`` that nobody has made yet: open requests whose latest
    contact asked for one (the request carries it; see ``services.contact_log``). The
    ``shown`` soonest, and how many there are in all: one query, on an index of open
    requests in call-back order, with the total as a subquery worked out once. (The total
    as a window took longer: the database then joins every owed call-back's contact, not
    just the ten shown.)"""
    soonest, total = queue_sql.callbacks(
        queue_scope(user) if scope is None else scope, until=until, shown=shown
    )
    return {
        "total": total,
        "soonest": [
            {"pk": pk, "reference": reference, "due": due, "by": by or ""}
            for pk, reference, due, by in soonest
        ],
    }
