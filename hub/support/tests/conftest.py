"""Support fixtures: a resident who consented to share with the partner, and their request.

Numbers used here are valid NHS numbers in the England range generated for tests; they are
not known to belong to anyone.
"""

import pytest

from hub.support import services
from hub.support.models import Consent, SupportRequest
from hub.testing.factories import as_actor

NHS_NUMBERS = ["4010232137", "6323946130", "7397871143", "4077777860", "4392655482", "4976787303"]


@pytest.fixture
def resident(alice):
    return services.resident_create(
        actor=as_actor(alice),
        first_name="Rose",
        last_name="Tyler",
        nhs_number=NHS_NUMBERS[0],
        postcode="S40 1LP",
        phone="0113 496 0001",
        address_line_1="1 Powell Estate",
        lives_alone=True,
    )


@pytest.fixture
def consenting_resident(resident, alice, partner):
    services.consent_record(
        actor=as_actor(alice),
        resident=resident,
        basis=Consent.Basis.CONSENT,
        how_given=Consent.How.VERBAL,
        partners=[partner],
    )
    return resident


@pytest.fixture
def support_request(consenting_resident, alice, council):
    return services.request_create(
        actor=as_actor(alice),
        resident=consenting_resident,
        channel=SupportRequest.Channel.PHONE,
        needs=[("emergency_food", "Nothing in the cupboards"), ("loneliness", "")],
        urgency=SupportRequest.Urgency.THREE_DAYS,
        summary="Called the hub line.",
    )


@pytest.fixture
def food_need(support_request):
    return support_request.needs.get(category="emergency_food")


@pytest.fixture
def referral(food_need, alice, partner):
    return services.referral_send(
        actor=as_actor(alice), need=food_need, to_organisation=partner, message="Please call her"
    )
