"""The triage queue: who sees what, filters, counts, query counts and bulk assignment."""

import pytest
from django.urls import reverse

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


def test_the_queue_costs_a_fixed_number_of_queries(
    alice_client, many_requests, django_assert_max_num_queries
):
    with django_assert_max_num_queries(15) as first:
        alice_client.get(reverse(QUEUE))
    resident = many_requests[0].resident
    for _ in range(20):
        services.request_create(
            actor=as_actor(many_requests[0].created_by),
            resident=resident,
            channel="phone",
            needs=[("benefits", ""), ("housing", "")],
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        alice_client.get(reverse(QUEUE))


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
    assert [c["reference"] for c in due] == [support_request.reference]
    services.contact_log(actor=actor, request=support_request, direction="out", outcome="answered")
    assert alice_client.get(reverse(QUEUE)).context["callbacks"] == []
