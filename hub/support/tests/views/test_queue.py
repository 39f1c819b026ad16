"""The triage queue: who sees what, filters, counts, query counts and bulk assignment."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hub.support import services
from hub.support.models import SupportRequest
from hub.testing.factories import as_actor

QUEUE = "support:queue"


@pytest.fixture
def many_requests(resident, alice, partner, outsider_org):
    actor = as_actor(alice)
    made = []
    for n in range(12):
        request = services.request_create(
            actor=actor,
            resident=resident,
            channel="phone",
            needs=[("housing" if n % 2 else "emergency_food", "")],
            urgency="same_day" if n % 3 == 0 else "routine",
        )
        if n % 4 == 0:
            services.request_triage(
                actor=actor,
                request=request,
                urgency=request.urgency,
                organisation=partner if n % 8 == 0 else outsider_org,
            )
        made.append(request)
    return made


def _references(response):
    return {r["reference"] for r in response.context["rows"]}


def test_the_coordinator_sees_every_open_request_soonest_due_first(alice_client, many_requests):
    response = alice_client.get(reverse(QUEUE))
    rows = response.context["rows"]
    assert len(rows) == 12
    due = list(
        SupportRequest.objects.filter(pk__in=[r["pk"] for r in rows])
        .order_by("due_at", "id")
        .values_list("pk", flat=True)
    )
    assert [r["pk"] for r in rows] == due
    assert response.context["counts"]["urgency"]["same_day"] == 4


def test_a_partner_sees_only_requests_assigned_or_referred_to_it(
    bob_client, charlie_client, many_requests, partner, outsider_org
):
    bobs = _references(bob_client.get(reverse(QUEUE)))
    charlies = _references(charlie_client.get(reverse(QUEUE)))
    assert bobs == {
        r.reference for r in SupportRequest.objects.filter(assigned_organisation=partner)
    }
    assert charlies == {
        r.reference for r in SupportRequest.objects.filter(assigned_organisation=outsider_org)
    }
    assert not bobs & charlies


def test_a_referral_makes_the_request_visible_to_the_partner(bob_client, referral):
    assert referral.need.request.reference in _references(bob_client.get(reverse(QUEUE)))


def test_board_viewers_cannot_see_the_queue(dora_client):
    assert dora_client.get(reverse(QUEUE)).status_code == 403


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"urgency": "same_day"}, 4),
        ({"need": "housing"}, 6),
        ({"unassigned": "on"}, 9),
        ({"status": "closed"}, 0),
    ],
)
def test_it_filters_the_queue(alice_client, many_requests, params, expected):
    response = alice_client.get(reverse(QUEUE), params)
    assert response.context["page"].paginator.count == expected


def test_it_filters_by_ward(alice_client, many_requests):
    from hub.places.models import Area

    ward = Area.objects.create(code="E05009999", name="Brookside", level="ward")
    SupportRequest.objects.filter(pk=many_requests[0].pk).update(ward=ward)
    response = alice_client.get(reverse(QUEUE), {"ward": ward.pk})
    assert _references(response) == {many_requests[0].reference}


def test_an_unknown_filter_value_is_named_not_a_crash(alice_client, many_requests):
    response = alice_client.get(reverse(QUEUE), {"urgency": "yesterday", "ward": "999999"})
    assert response.status_code == 200
    assert "urgency" in response.context["form"].errors


@pytest.mark.parametrize(
    ("who", "params", "queries"),
    [
        # session, user, memberships, then the queue: counts (from the tally) with the
        # number overdue, the page of rows (its ids a subquery; open requests' needs come
        # with them), and the call-backs owed with their number. (The filters' lists are
        # read once a minute: three more queries on the first view.)
        ("alice", {}, 6),
        ("alice", {"ward": "", "urgency": "same_day", "page": "1"}, 6),
        ("alice", {"unassigned": "on"}, 6),
        # A need alone is counted from the need tally; with a ward or organisation, from an
        # index of the requests, tested on each entry's bits: the same queries.
        ("alice", {"need": "housing"}, 6),
        ("alice", {"need": "housing", "ward": "", "unassigned": "on"}, 6),
        # Resolved requests are counted on their own (and their needs read); there are none
        # here, so no needs are read.
        ("alice", {"status": "resolved"}, 7),
        # A partner's queue first reads the ids of requests referred to it, once a page.
        ("bob", {}, 7),
    ],
)
def test_the_queue_costs_a_fixed_number_of_queries(
    request, who, params, queries, many_requests, partner, django_assert_num_queries
):
    """The same number of queries however many requests there are: a page of 12 requests
    and one of 52 (with more needs, contacts and call-backs) cost the same."""
    client = request.getfixturevalue(f"{who}_client")
    client.get(reverse(QUEUE))  # reads the filters' lists into the cache
    with django_assert_num_queries(queries):
        assert client.get(reverse(QUEUE), params).status_code == 200
    creator = as_actor(many_requests[0].created_by)
    for n in range(40):
        made = services.request_create(
            actor=creator,
            resident=many_requests[0].resident,
            channel="phone",
            needs=[("benefits", ""), ("housing", "")],
        )
        services.contact_log(
            actor=creator,
            request=made,
            direction="out",
            outcome="no_answer",
            callback_due_at=timezone.now() + timedelta(hours=1 + n % 3),
        )
        if n % 2:
            services.request_triage(
                actor=creator, request=made, urgency=made.urgency, organisation=partner
            )
    with django_assert_num_queries(queries):
        assert client.get(reverse(QUEUE), params).status_code == 200


def test_the_coordinator_assigns_many_requests_at_once(alice_client, many_requests, partner, bob):
    chosen = [many_requests[1].pk, many_requests[2].pk]
    response = alice_client.post(
        reverse("support:bulk_assign"),
        {
            "requests": chosen,
            "organisation": partner.pk,
            "assignee": bob.pk,
            "back": "need=housing",
        },
    )
    assert response["Location"] == reverse(QUEUE) + "?need=housing"
    for request in SupportRequest.objects.filter(pk__in=chosen):
        assert request.assigned_organisation == partner and request.assigned_to == bob
        assert request.status == SupportRequest.Status.TRIAGED


def test_bulk_assign_with_nothing_selected_says_so_and_changes_nothing(
    alice_client, partner, many_requests
):
    before = SupportRequest.objects.filter(assigned_organisation=partner).count()
    response = alice_client.post(
        reverse("support:bulk_assign"), {"organisation": partner.pk}, follow=True
    )
    assert "Select the requests to assign" in response.content.decode()
    assert SupportRequest.objects.filter(assigned_organisation=partner).count() == before


def test_partners_cannot_bulk_assign(bob_client, many_requests, partner):
    response = bob_client.post(
        reverse("support:bulk_assign"),
        {"requests": [many_requests[1].pk], "organisation": partner.pk},
    )
    assert response.status_code == 403
    many_requests[1].refresh_from_db()
    assert many_requests[1].assigned_organisation is None


def test_the_queue_lists_call_backs_due_until_someone_calls(alice_client, alice, support_request):
    from datetime import timedelta

    from django.utils import timezone

    actor = as_actor(alice)
    earlier = timezone.now() - timedelta(hours=3)
    services.contact_log(
        actor=actor,
        request=support_request,
        direction="out",
        outcome="no_answer",
        at=earlier,
        callback_due_at=earlier + timedelta(hours=1),
    )
    due = alice_client.get(reverse(QUEUE)).context["callbacks"]
    assert [c["reference"] for c in due["soonest"]] == [support_request.reference]
    services.contact_log(actor=actor, request=support_request, direction="out", outcome="answered")
    assert alice_client.get(reverse(QUEUE)).context["callbacks"]["total"] == 0


def test_a_contact_recorded_late_for_an_earlier_time_leaves_the_call_back_owed(
    alice_client, alice, support_request
):
    actor = as_actor(alice)
    now = timezone.now()
    services.contact_log(
        actor=actor,
        request=support_request,
        direction="out",
        outcome="voicemail",
        at=now - timedelta(hours=1),
        # Already owed, so the test holds at any hour (the list runs to the end of today).
        callback_due_at=now - timedelta(minutes=30),
    )
    # Typed in now, but the call was made before the one that promised the call-back.
    services.contact_log(
        actor=actor,
        request=support_request,
        direction="in",
        outcome="answered",
        at=now - timedelta(hours=5),
    )
    due = alice_client.get(reverse(QUEUE)).context["callbacks"]["soonest"]
    assert [(c["reference"], c["by"]) for c in due] == [
        (support_request.reference, alice.full_name)
    ]


def test_a_call_back_on_a_closed_request_is_no_longer_listed(alice_client, alice, support_request):
    services.contact_log(
        actor=as_actor(alice),
        request=support_request,
        direction="out",
        outcome="no_answer",
        at=timezone.now() - timedelta(hours=1),
        callback_due_at=timezone.now() - timedelta(minutes=5),
    )
    assert alice_client.get(reverse(QUEUE)).context["callbacks"]["total"] == 1
    SupportRequest.objects.filter(pk=support_request.pk).update(status=SupportRequest.Status.CLOSED)
    assert alice_client.get(reverse(QUEUE)).context["callbacks"]["total"] == 0


def test_open_requests_show_needs_to_meet_and_closed_ones_all_they_had(
    alice_client, alice, resident
):
    actor = as_actor(alice)
    request = services.request_create(
        actor=actor, resident=resident, channel="phone", needs=[("housing", ""), ("benefits", "")]
    )
    housing = request.needs.get(category="housing")
    services.need_record_outcome(actor=actor, need=housing, status="met")
    rows = alice_client.get(reverse(QUEUE)).context["rows"]
    assert [r["needs"] for r in rows] == ["Benefits"]
    SupportRequest.objects.filter(pk=request.pk).update(status=SupportRequest.Status.CLOSED)
    response = alice_client.get(reverse(QUEUE), {"status": "closed"})
    assert [r["needs"] for r in response.context["rows"]] == ["Housing, Benefits"]
    assert b">Needs</th>" in response.content


def test_each_set_of_filters_shows_its_own_choices_although_the_form_is_kept(
    alice_client, many_requests
):
    """The filter form's markup is cached per set of filters: a second set is not shown the
    first one's choices."""
    first = alice_client.get(reverse(QUEUE), {"urgency": "same_day"}).content.decode()
    second = alice_client.get(reverse(QUEUE), {"urgency": "routine"}).content.decode()
    again = alice_client.get(reverse(QUEUE), {"urgency": "same_day"}).content.decode()
    assert '<option value="same_day" selected>' in first
    assert '<option value="routine" selected>' in second
    assert '<option value="same_day" selected>' not in second
    assert '<option value="same_day" selected>' in again


def test_call_backs_are_listed_to_the_end_of_the_day_in_london():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from hub.support.views.triage import end_of_day

    london = ZoneInfo("Europe/London")
    # 23:59:30 on a summer evening (22:59:30 UTC): the day still has half a minute to run.
    late = datetime(2026, 6, 30, 22, 59, 30, tzinfo=ZoneInfo("UTC"))
    end = end_of_day(late)
    assert end > late
    assert end.astimezone(london).date().isoformat() == "2026-06-30"
    assert (end - late).total_seconds() < 30
    # Just after midnight in London in winter (UTC and London agree): a whole day ahead.
    early = datetime(2026, 12, 1, 0, 0, 1, tzinfo=ZoneInfo("UTC"))
    assert end_of_day(early).astimezone(london).isoformat().startswith("2026-12-01T23:59:59")


def test_a_call_back_promised_for_a_later_day_is_not_yet_listed(
    alice_client, alice, support_request
):
    services.contact_log(
        actor=as_actor(alice),
        request=support_request,
        direction="out",
        outcome="no_answer",
        callback_due_at=timezone.now() + timedelta(days=2),
    )
    assert alice_client.get(reverse(QUEUE)).context["callbacks"]["total"] == 0
