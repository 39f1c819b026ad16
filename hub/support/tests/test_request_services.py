"""Services for residents and requests: validation, state, journey, duplicates and merging."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hub.places.models import Area, Postcode
from hub.strategy.services import strategy_load_pack
from hub.support import services
from hub.support.models import JourneyEvent, Need, Resident, SupportRequest
from hub.support.tests.conftest import NHS_NUMBERS
from hub.testing.factories import as_actor


@pytest.fixture
def ward(db):
    area = Area.objects.create(code="E05000001", name="Old Town", level="ward")
    Postcode.objects.create(
        postcode="S40 1LP", latitude=53.23, longitude=-1.42, ward=area, ward_code=area.code
    )
    return area


def test_it_places_a_new_resident_in_their_ward_by_postcode(alice, ward):
    resident = services.resident_create(
        actor=as_actor(alice),
        first_name=" Ann ",
        last_name="Lee",
        postcode="s401lp",
        phone="0113 496 0002",
        nhs_number="401 023 2137",
    )
    assert resident.ward == ward
    assert resident.postcode == "S40 1LP"
    assert resident.phone == "+441134960002"
    assert resident.nhs_number == "4010232137"
    assert resident.first_name == "Ann"


def test_it_names_every_bad_field_and_saves_nothing(alice):
    with pytest.raises(ValidationError) as error:
        services.resident_create(
            actor=as_actor(alice),
            first_name="A",
            last_name="B",
            nhs_number="1234567890",
            phone="12",
            postcode="NOT A POSTCODE",
            date_of_birth=timezone.localdate() + timedelta(days=1),
        )
    assert set(error.value.message_dict) == {"nhs_number", "phone", "postcode", "date_of_birth"}
    assert not Resident.objects.exists()


def test_it_refuses_a_test_nhs_number_outside_demo_mode(alice):
    with pytest.raises(ValidationError, match="England, Wales or the Isle of Man"):
        services.resident_create(
            actor=as_actor(alice), first_name="A", last_name="B", nhs_number="9434765919"
        )


def test_the_database_refuses_two_live_residents_with_one_nhs_number(resident, alice):
    with pytest.raises(ValidationError, match="already has this NHS number"):
        services.resident_create(
            actor=as_actor(alice), first_name="Rose", last_name="T", nhs_number=NHS_NUMBERS[0]
        )


def test_a_request_gets_needs_mapped_to_impact_areas_and_a_journey_step(consenting_resident, alice):
    strategy_load_pack(name="chesterfield-2020")
    request = services.request_create(
        actor=as_actor(alice),
        resident=consenting_resident,
        channel="phone",
        needs=[("emergency_food", ""), ("loneliness", ""), ("emergency_food", "again")],
    )
    assert request.reference.startswith("CH-") and len(request.reference) == 9
    categories = {n.category: n.impact_area.name for n in request.needs.all()}
    assert categories == {
        "emergency_food": "Material insecurity",
        "loneliness": "Social connectedness",
    }
    assert request.status == SupportRequest.Status.NEW
    assert request.due_at - request.created_at == timedelta(days=10)
    event = consenting_resident.journey.get(kind=JourneyEvent.Kind.REQUEST_OPENED)
    assert request.reference in event.summary


def test_a_safeguarding_need_makes_the_request_same_day_and_flagged(resident, alice):
    request = services.request_create(
        actor=as_actor(alice),
        resident=resident,
        channel="phone",
        needs=[("domestic_abuse", "")],
        urgency="routine",
    )
    assert request.urgency == SupportRequest.Urgency.SAME_DAY and request.safeguarding


@pytest.mark.parametrize("needs", [[], [("teleportation", "")]])
def test_it_refuses_a_request_without_real_needs(resident, alice, needs):
    with pytest.raises(ValidationError) as error:
        services.request_create(
            actor=as_actor(alice), resident=resident, channel="phone", needs=needs
        )
    assert "needs" in error.value.message_dict
    assert not SupportRequest.objects.exists()


def test_triage_assigns_and_refuses_an_assignee_from_another_organisation(
    support_request, alice, bob, partner, council
):
    services.request_triage(
        actor=as_actor(alice),
        request=support_request,
        urgency="same_day",
        organisation=partner,
        assignee=bob,
    )
    support_request.refresh_from_db()
    assert support_request.status == SupportRequest.Status.TRIAGED
    assert support_request.assigned_to == bob
    assert support_request.due_at - support_request.created_at == timedelta(hours=8)
    with pytest.raises(ValidationError, match="does not work for"):
        services.request_triage(
            actor=as_actor(alice),
            request=support_request,
            urgency="routine",
            organisation=council,
            assignee=bob,
        )


def test_bulk_assign_skips_closed_requests(support_request, resident, alice, partner):
    other = services.request_create(
        actor=as_actor(alice), resident=resident, channel="phone", needs=[("housing", "")]
    )
    services.request_set_status(actor=as_actor(alice), request=other, status="closed")
    changed = services.requests_bulk_assign(
        actor=as_actor(alice), request_ids=[support_request.pk, other.pk], organisation=partner
    )
    assert changed == 1
    other.refresh_from_db()
    assert other.assigned_organisation is None


def test_status_moves_only_along_allowed_paths(support_request, alice):
    actor = as_actor(alice)
    with pytest.raises(ValidationError, match="Record an outcome for every need"):
        services.request_set_status(actor=actor, request=support_request, status="in_progress")
        services.request_set_status(actor=actor, request=support_request, status="resolved")
    for need in support_request.needs.all():
        services.need_record_outcome(actor=actor, need=need, status=Need.Status.MET)
    resolved = services.request_set_status(actor=actor, request=support_request, status="resolved")
    assert resolved.resolved_at is not None
    with pytest.raises(ValidationError, match="cannot become new"):
        services.request_set_status(actor=actor, request=resolved, status="new")


def test_an_unmet_need_needs_a_reason(food_need, alice):
    with pytest.raises(ValidationError) as error:
        services.need_record_outcome(actor=as_actor(alice), need=food_need, status="unmet")
    assert "outcome" in error.value.message_dict


def test_the_first_answered_contact_sets_time_to_first_contact(support_request, alice):
    actor = as_actor(alice)
    earlier = timezone.now() - timedelta(hours=2)
    services.contact_log(
        actor=actor,
        request=support_request,
        direction="out",
        outcome="no_answer",
        at=earlier - timedelta(hours=1),
    )
    services.contact_log(
        actor=actor, request=support_request, direction="out", outcome="answered", at=earlier
    )
    services.contact_log(actor=actor, request=support_request, direction="in", outcome="answered")
    support_request.refresh_from_db()
    assert support_request.first_contact_at == earlier
    assert support_request.status == SupportRequest.Status.IN_PROGRESS


def test_a_contact_cannot_be_in_the_future_nor_a_callback_before_it(support_request, alice):
    with pytest.raises(ValidationError) as error:
        services.contact_log(
            actor=as_actor(alice),
            request=support_request,
            direction="out",
            outcome="answered",
            at=timezone.now() + timedelta(days=1),
        )
    assert "at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.contact_log(
            actor=as_actor(alice),
            request=support_request,
            direction="out",
            outcome="voicemail",
            callback_due_at=timezone.now() - timedelta(days=1),
        )
    assert "callback_due_at" in error.value.message_dict


def test_duplicates_are_found_by_nhs_number_or_name_birth_and_postcode(alice):
    actor = as_actor(alice)
    first = services.resident_create(
        actor=actor,
        first_name="Ann",
        last_name="Lee",
        date_of_birth=date(1950, 1, 2),
        postcode="S40 1LP",
    )
    second = services.resident_create(
        actor=actor,
        first_name="ann",
        last_name="LEE",
        date_of_birth=date(1950, 1, 2),
        postcode="S40 1LP",
        nhs_number=NHS_NUMBERS[1],
    )
    stranger = services.resident_create(
        actor=actor,
        first_name="Ann",
        last_name="Lee",
        date_of_birth=date(1961, 1, 2),
        postcode="S40 1LP",
    )
    assert list(services.resident_duplicates(first)) == [second]
    assert stranger not in services.resident_duplicates(first)


def test_merging_moves_requests_and_journey_and_keeps_the_duplicate_readable(
    alice, support_request
):
    actor = as_actor(alice)
    keep = support_request.resident
    duplicate = services.resident_create(
        actor=actor, first_name="Rose", last_name="Tyler", email="rose@example.org"
    )
    other = services.request_create(
        actor=actor, resident=duplicate, channel="email", needs=[("benefits", "")]
    )
    merged = services.residents_merge(actor=actor, keep=keep, duplicate=duplicate)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == merged
    assert merged.email == "rose@example.org"
    assert set(merged.requests.all()) == {support_request, other}
    assert merged.journey.filter(kind=JourneyEvent.Kind.MERGED).exists()
    with pytest.raises(ValidationError, match="already been merged"):
        services.residents_merge(actor=actor, keep=keep, duplicate=duplicate)


def test_consent_to_share_needs_partners_or_all(resident, alice, partner, outsider_org):
    with pytest.raises(ValidationError) as error:
        services.consent_record(
            actor=as_actor(alice), resident=resident, basis="consent", how_given="verbal"
        )
    assert "partners" in error.value.message_dict
    services.consent_record(
        actor=as_actor(alice),
        resident=resident,
        basis="consent",
        how_given="verbal",
        partners=[partner],
    )
    assert services.consent_allows(resident, partner)
    assert not services.consent_allows(resident, outsider_org)
    services.consent_record(
        actor=as_actor(alice), resident=resident, basis="vital_interests", how_given="n/a"
    )
    assert services.consent_allows(resident, outsider_org)
