"""The triage queue's hand-written SQL (``hub.support.queue_sql``) against the ORM: for every
kind of reader and every kind of filter, the queue lists, counts and pages exactly the
requests that ``requests_visible_to`` and the needs themselves say it should."""

from datetime import timedelta

import pytest
from django.db.models import Count
from django.utils import timezone

from hub.organisations.acting import as_actor
from hub.places.models import Area
from hub.support import selectors, services
from hub.support.models import Need, SupportRequest

OPEN = SupportRequest.OPEN_STATUSES


def _expected(user, filters: dict):
    """The queue as the ORM writes it, from the needs themselves rather than their bits."""
    requests = selectors.requests_visible_to(user)
    status = filters.get("status") or "open"
    requests = (
        requests.filter(status__in=OPEN) if status == "open" else requests.filter(status=status)
    )
    if filters.get("urgency"):
        requests = requests.filter(urgency=filters["urgency"])
    if filters.get("need"):
        requests = requests.filter(
            pk__in=Need.objects.filter(
                category=filters["need"], status__in=[Need.Status.OPEN, Need.Status.REFERRED]
            ).values("request_id")
        )
    if filters.get("ward"):
        requests = requests.filter(ward_id=filters["ward"])
    if filters.get("unassigned"):
        requests = requests.filter(assigned_organisation__isnull=True)
    elif filters.get("organisation"):
        requests = requests.filter(assigned_organisation_id=filters["organisation"])
    if filters.get("assignee"):
        requests = requests.filter(assigned_to_id=filters["assignee"])
    return requests.order_by("due_at", "id")


@pytest.fixture
def wards():
    return [
        Area.objects.create(code=f"E0599910{n}", name=f"Queue Ward {n}", level=Area.Level.WARD)
        for n in range(2)
    ]


@pytest.fixture
def varied_requests(alice, bob, partner, outsider_org, resident, consenting_resident, wards):
    """Requests in every status and urgency, with one to three needs, in two wards or none,
    assigned to the partner, to another organisation or to nobody, some referred to the
    partner, some overdue, some owing a call-back."""
    actor = as_actor(alice)
    needs = ["housing", "benefits", "emergency_food", "loneliness"]
    now = timezone.now()
    made = []
    for n in range(36):
        request = services.request_create(
            actor=actor,
            resident=consenting_resident if n % 3 == 0 else resident,
            channel="phone",
            needs=[(needs[(n + k) % 4], "") for k in range(1 + n % 3)],
            urgency=("same_day", "72_hours", "routine")[n % 3],
        )
        if n % 4 == 1:
            services.request_triage(
                actor=actor, request=request, urgency=request.urgency, organisation=partner
            )
        elif n % 4 == 2:
            services.request_triage(
                actor=actor, request=request, urgency=request.urgency, organisation=outsider_org
            )
        if n % 6 == 0:
            # Referred to the partner, but assigned elsewhere (or nowhere).
            services.referral_send(actor=actor, need=request.needs.first(), to_organisation=partner)
        if n % 5 == 0:
            services.contact_log(
                actor=actor,
                request=request,
                direction="out",
                outcome="no_answer",
                callback_due_at=now + timedelta(hours=1 + n % 4),
            )
        changes = {}
        if n % 3:
            changes["ward"] = wards[n % 2]
        if n % 7 == 0:
            changes["due_at"] = now - timedelta(hours=n + 1)
        if n % 11 == 5:
            changes["assigned_to"] = bob
        if changes:
            SupportRequest.objects.filter(pk=request.pk).update(**changes)
        made.append(request)
    for request in made[31:33]:
        for need in request.needs.filter(status=Need.Status.OPEN):
            services.need_record_outcome(actor=actor, need=need, status="met")
        services.request_set_status(actor=actor, request=request, status="resolved")
    # Resolved straight in the database with its needs still open, as older records may be:
    # the need filter on closed lists reads the needs themselves.
    SupportRequest.objects.filter(pk=made[30].pk).update(status="resolved")
    services.request_set_status(actor=actor, request=made[33], status="closed")
    services.request_set_status(actor=actor, request=made[34], status="in_progress")
    return made


def _filter_sets(wards, partner, bob) -> list[dict]:
    return [
        {},
        {"status": "new"},
        {"status": "triaged", "urgency": "same_day"},
        {"status": "in_progress"},
        {"status": "resolved"},
        {"status": "closed"},
        {"status": "resolved", "need": "housing"},
        {"urgency": "routine"},
        {"need": "housing"},
        {"need": "loneliness", "urgency": "72_hours"},
        {"need": "benefits", "ward": wards[0].pk},
        {"ward": wards[1].pk},
        {"unassigned": True},
        {"unassigned": True, "need": "emergency_food"},
        {"organisation": partner.pk},
        {"organisation": partner.pk, "status": "triaged"},
        {"assignee": bob.pk},
        {"assignee": bob.pk, "need": "housing"},
        {"need": "domestic_abuse"},  # nobody has it: empty lists and no counts
    ]


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dora"])
def test_the_queues_sql_lists_and_counts_what_the_orm_says(
    request, who, varied_requests, wards, partner, bob
):
    user = as_actor(request.getfixturevalue(who))
    now = timezone.now()
    checked_something = False
    for filters in _filter_sets(wards, partner, bob):
        expected = _expected(user, filters)
        listing = selectors.QueueListing(user, filters=filters, now=now)
        # Every page, in order.
        ids = list(expected.values_list("pk", flat=True))
        assert [r["pk"] for r in listing.rows(offset=0, limit=500)] == ids, filters
        assert [r["pk"] for r in listing.rows(offset=2, limit=3)] == ids[2:5], filters
        assert listing.total == len(ids), filters
        # Counts of open requests by status and urgency, and overdue, within the other filters.
        open_ones = _expected(user, {**filters, "status": "open", "urgency": ""})
        pairs = {
            (row["status"], row["urgency"]): row["n"]
            for row in open_ones.values("status", "urgency").annotate(n=Count("id")).order_by()
        }
        by_status, by_urgency = {}, {}
        for (status, urgency), n in pairs.items():
            by_status[status] = by_status.get(status, 0) + n
            by_urgency[urgency] = by_urgency.get(urgency, 0) + n
        assert listing.counts["status"] == by_status, filters
        assert listing.counts["urgency"] == by_urgency, filters
        assert listing.counts["overdue"] == open_ones.filter(due_at__lt=now).count(), filters
        checked_something |= bool(ids)
    # The fixture gives everyone who may see requests some to see.
    assert checked_something == (who != "dora")


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dora"])
def test_the_queues_call_backs_are_the_ones_owed_to_the_reader(request, who, varied_requests):
    user = as_actor(request.getfixturevalue(who))
    until = timezone.now() + timedelta(hours=3, minutes=30)
    owed = (
        selectors.requests_visible_to(user)
        .filter(status__in=OPEN, callback_due_at__lte=until)
        .order_by("callback_due_at", "id")
    )
    shown = selectors.callbacks_due(user, until=until, shown=2)
    assert shown["total"] == owed.count()
    assert [c["pk"] for c in shown["soonest"]] == list(owed.values_list("pk", flat=True)[:2])
    for callback in shown["soonest"]:
        request_row = SupportRequest.objects.get(pk=callback["pk"])
        assert callback["due"] == request_row.callback_due_at
        assert callback["by"] == "Alice Ashworth"
    assert (shown["total"] > 0) == (who != "dora")
