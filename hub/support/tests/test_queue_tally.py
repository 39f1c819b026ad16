"""The queue's counts are kept by the database: whatever writes the requests, the tally
matches counting the open requests themselves."""

import pytest
from django.db.models import Count
from django.db.models.functions import Coalesce

from hub.places.models import Area
from hub.support import services
from hub.support.models import QueueNeedTally, QueueTally, SupportRequest
from hub.support.needs import NEED_BITS
from hub.testing.factories import as_actor


def _tally() -> dict:
    rows = QueueTally.objects.values_list("status", "urgency", "ward_id", "organisation_id", "n")
    return {(status, urgency, ward, org): n for status, urgency, ward, org, n in rows if n}


def _counted() -> dict:
    rows = (
        SupportRequest.objects.filter(status__in=SupportRequest.OPEN_STATUSES)
        .annotate(
            ward_key=Coalesce("ward_id", 0),
            organisation_key=Coalesce("assigned_organisation_id", 0),
        )
        .values_list("status", "urgency", "ward_key", "organisation_key")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(status, urgency, ward, org): n for status, urgency, ward, org, n in rows}


def _need_tally() -> dict:
    rows = QueueNeedTally.objects.values_list("status", "urgency", "need_bit", "n")
    return {(status, urgency, bit): n for status, urgency, bit, n in rows if n}


def _needs_counted() -> dict:
    """Open requests by status, urgency and each need they still have to meet."""
    counted: dict = {}
    for status, urgency, bits in SupportRequest.objects.filter(
        status__in=SupportRequest.OPEN_STATUSES
    ).values_list("status", "urgency", "open_need_bits"):
        for bit in NEED_BITS.values():
            if bits & bit:
                counted[status, urgency, bit] = counted.get((status, urgency, bit), 0) + 1
    return counted


def _both_match() -> bool:
    return _tally() == _counted() and _need_tally() == _needs_counted()


@pytest.fixture
def ward():
    return Area.objects.create(code="E05999001", name="Tally Ward", level=Area.Level.WARD)


def test_the_tally_follows_every_way_requests_are_written(
    resident, alice, partner, outsider_org, ward
):
    actor = as_actor(alice)
    made = [
        services.request_create(
            actor=actor,
            resident=resident,
            channel="phone",
            needs=[("housing", "")],
            urgency="same_day" if n % 2 else "routine",
        )
        for n in range(6)
    ]
    assert _both_match() and sum(_counted().values()) == 6
    # Through the services: triage to an organisation, bulk assignment, resolving.
    services.request_triage(actor=actor, request=made[0], urgency="72_hours", organisation=partner)
    services.requests_bulk_assign(
        actor=actor, request_ids=[made[1].pk, made[2].pk], organisation=outsider_org
    )
    services.request_set_status(actor=actor, request=made[3], status="closed")
    assert _both_match()
    # Straight to the database: one row, many rows, a new ward, bulk inserts, deletes.
    SupportRequest.objects.filter(pk=made[4].pk).update(ward=ward)
    SupportRequest.objects.filter(pk__in=[made[0].pk, made[1].pk]).update(status="closed")
    SupportRequest.objects.filter(pk=made[0].pk).update(status="new")
    template = SupportRequest.objects.get(pk=made[5].pk)
    SupportRequest.objects.bulk_create(
        [
            SupportRequest(
                reference=f"CH-TALLY{n}",
                resident=resident,
                channel="phone",
                urgency="routine",
                due_at=template.due_at,
                status="triaged",
                ward=ward,
                assigned_organisation=partner,
            )
            for n in range(4)
        ]
    )
    assert _both_match()
    SupportRequest.objects.filter(reference__startswith="CH-TALLY").delete()
    SupportRequest.objects.filter(pk=made[5].pk).update(urgency="same_day", ward=ward)
    assert _both_match()
    assert sum(_counted().values()) == 4  # made[0] reopened, made[2], made[4], made[5]
    # Needs met, added and written straight to the column.
    services.need_record_outcome(actor=actor, need=made[2].needs.get(), status="met")
    SupportRequest.objects.filter(pk=made[4].pk).update(
        open_need_bits=NEED_BITS["benefits"] | NEED_BITS["loneliness"]
    )
    assert _both_match()
    housing, benefits, loneliness = (NEED_BITS[n] for n in ("housing", "benefits", "loneliness"))
    # made[2]'s only need was met; made[4] now has two needs, and is counted under each.
    assert _need_tally() == {
        ("new", "72_hours", housing): 1,
        ("new", "same_day", housing): 1,
        ("new", "routine", benefits): 1,
        ("new", "routine", loneliness): 1,
    }


def test_the_queue_counts_are_the_tallys(alice_client, resident, alice, partner):
    actor = as_actor(alice)
    for n in range(3):
        request = services.request_create(
            actor=actor, resident=resident, channel="phone", needs=[("benefits", "")]
        )
        if n:
            services.request_triage(
                actor=actor, request=request, urgency="same_day", organisation=partner
            )
    counts = alice_client.get("/support/queue/").context["counts"]
    assert counts["status"] == {"new": 1, "triaged": 2}
    assert counts["urgency"].get("same_day") == 2
    unassigned = alice_client.get("/support/queue/", {"unassigned": "on"}).context["counts"]
    assert unassigned["status"] == {"new": 1}
    # A need alone is counted from the need tally; a need with a ward or organisation, from
    # the requests themselves. Both agree with what the list holds.
    services.request_create(
        actor=actor, resident=resident, channel="phone", needs=[("housing", "")]
    )
    benefits = alice_client.get("/support/queue/", {"need": "benefits"}).context["counts"]
    assert benefits["status"] == {"new": 1, "triaged": 2}
    housing = alice_client.get("/support/queue/", {"need": "housing"}).context["counts"]
    assert housing["status"] == {"new": 1} and housing["urgency"] == {"routine": 1}
    at_partner = {"need": "benefits", "organisation": partner.pk}
    assert alice_client.get("/support/queue/", at_partner).context["counts"]["status"] == {
        "triaged": 2
    }


def _bits_from_needs(request) -> int:
    from hub.support.models import Need
    from hub.support.needs import NEED_BITS

    bits = 0
    for category in request.needs.filter(
        status__in=[Need.Status.OPEN, Need.Status.REFERRED]
    ).values_list("category", flat=True):
        bits |= NEED_BITS[category]
    return bits


def test_each_request_carries_the_needs_it_still_has_to_meet(
    alice, bob, resident, consenting_resident, partner, alice_client
):
    actor = as_actor(alice)
    request = services.request_create(
        actor=actor,
        resident=consenting_resident,
        channel="phone",
        needs=[("emergency_food", ""), ("housing", ""), ("benefits", "")],
    )
    request.refresh_from_db()
    assert request.open_need_bits == _bits_from_needs(request) != 0
    food, housing = (request.needs.get(category=c) for c in ("emergency_food", "housing"))
    # Referred is still to meet; an outcome takes the need off; a completed referral too.
    referral = services.referral_send(actor=actor, need=food, to_organisation=partner)
    services.need_record_outcome(actor=actor, need=housing, status="met")
    request.refresh_from_db()
    assert request.open_need_bits == _bits_from_needs(request)
    services.referral_accept(actor=as_actor(bob, partner), referral=referral)
    services.referral_complete(
        actor=as_actor(bob, partner), referral=referral, need_met=True, outcome="Parcel delivered"
    )
    request.refresh_from_db()
    assert request.open_need_bits == _bits_from_needs(request)
    # The queue's need filter follows: only the benefits need is left.
    listed = alice_client.get("/support/queue/", {"need": "benefits"}).context["rows"]
    assert [r["reference"] for r in listed] == [request.reference]
    assert not alice_client.get("/support/queue/", {"need": "housing"}).context["rows"]
    assert not alice_client.get("/support/queue/", {"need": "emergency_food"}).context["rows"]
