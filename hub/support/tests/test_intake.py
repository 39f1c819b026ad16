"""Staff intake: taking a request for help by phone, e-mail or referral on one page."""

import re
from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from playwright.sync_api import expect

from hub.core.models import AccessLogEntry
from hub.places.models import Area, Postcode
from hub.support import services
from hub.support.models import Consent, JourneyEvent, Need, Resident, SupportRequest
from hub.support.selectors import requests_visible_to
from hub.support.tests.conftest import NHS_NUMBERS
from hub.testing.factories import as_actor

URL = reverse("support:intake")

VALID = {
    "first_name": "Wilfred",
    "last_name": "Mott",
    "dob_day": "5",
    "dob_month": "11",
    "dob_year": "1935",
    "nhs_number": "",
    "address_line_1": "3 Chiswick Lane",
    "town": "Chesterfield",
    "postcode": "s40 1lp",
    "phone": "0113 496 0010",
    "email": "",
    "preferred_language": "English",
    "communication_needs": "Hard of hearing: speak slowly",
    "flags": ["lives_alone", "disability"],
    "channel": "phone",
    "on_behalf_name": "",
    "on_behalf_relationship": "",
    "on_behalf_phone": "",
    "needs": ["prescriptions", "loneliness"],
    "detail_prescriptions": "Collect from the chemist on Fridays",
    "detail_loneliness": "",
    "urgency": "72_hours",
    "summary": "Called the hub line; his granddaughter is away.",
    "sharing": "consent",
    "how_given": "verbal",
}


@pytest.fixture
def ward(db):
    ward = Area.objects.create(code="E05008962", name="Brimington South", level=Area.Level.WARD)
    Postcode.objects.create(postcode="S40 1LP", latitude=53.2358, longitude=-1.425, ward=ward)
    return ward


def error_links(response) -> list[str]:
    return re.findall(r'<a href="#([^"]+)">', response.content.decode())


def counts() -> tuple[int, int, int, int]:
    return (
        Resident.objects.count(),
        SupportRequest.objects.count(),
        Consent.objects.count(),
        Need.objects.count(),
    )


def test_it_shows_the_form_to_a_call_handler(alice_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = alice_client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<h1") == 1
    assert 'name="channel" value="phone"' in page
    assert 'name="channel" value="web"' not in page
    assert 'name="channel" value="shielding"' not in page
    assert 'name="detail_domestic_abuse"' in page


def test_a_coordinator_takes_a_request_for_a_new_resident(alice_client, ward):
    response = alice_client.post(URL, VALID)
    support_request = SupportRequest.objects.get()
    assert response["Location"] == reverse("support:request_detail", args=[support_request.pk])
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == [f"Request {support_request.reference} has been created"]

    assert support_request.channel == SupportRequest.Channel.PHONE
    assert support_request.urgency == SupportRequest.Urgency.THREE_DAYS
    assert support_request.assigned_organisation is None  # the hub's own queue
    assert support_request.status == SupportRequest.Status.NEW
    assert support_request.ward == ward
    assert support_request.summary.startswith("Called the hub line")
    details = dict(support_request.needs.values_list("category", "detail"))
    assert details == {"prescriptions": "Collect from the chemist on Fridays", "loneliness": ""}
    resident = support_request.resident
    assert resident.date_of_birth == date(1935, 11, 5)
    assert resident.postcode == "S40 1LP" and resident.ward == ward
    assert resident.phone == "+441134960010"
    assert resident.lives_alone and resident.disability and not resident.shielding
    assert resident.communication_needs == "Hard of hearing: speak slowly"
    consent = resident.consents.get()
    assert (consent.basis, consent.how_given, consent.all_partners) == ("consent", "verbal", True)
    assert consent.recorded_by.email == "alice@example.org"


def test_a_partner_caseworker_takes_a_request_and_it_is_assigned_to_them(
    bob, bob_client, partner, charlie, ward
):
    response = bob_client.post(URL, VALID)
    support_request = SupportRequest.objects.get()
    assert response["Location"] == reverse("support:request_detail", args=[support_request.pk])
    assert support_request.assigned_organisation == partner
    assert support_request.status == SupportRequest.Status.TRIAGED
    assert support_request.urgency == SupportRequest.Urgency.THREE_DAYS
    assert requests_visible_to(as_actor(bob)).filter(pk=support_request.pk).exists()
    assert not requests_visible_to(as_actor(charlie)).filter(pk=support_request.pk).exists()
    assert bob_client.get(response["Location"]).status_code == 200


def test_an_unrelated_organisations_caseworker_takes_a_request_for_their_own_organisation(
    charlie_client, outsider_org, bob, ward
):
    charlie_client.post(URL, VALID)
    support_request = SupportRequest.objects.get()
    assert support_request.assigned_organisation == outsider_org
    assert not requests_visible_to(as_actor(bob)).filter(pk=support_request.pk).exists()


def test_a_board_viewer_is_refused(dora_client):
    assert dora_client.get(URL).status_code == 403
    assert dora_client.post(URL, VALID).status_code == 403
    assert counts() == (0, 0, 0, 0)


def test_someone_not_signed_in_is_sent_to_sign_in(client, db):
    response = client.post(URL, VALID)
    assert response.status_code == 302
    assert "sign-in" in response["Location"]
    assert counts() == (0, 0, 0, 0)


def test_it_offers_the_resident_with_the_same_nhs_number_and_shows_only_enough_to_tell(
    bob_client, ward, resident
):
    before = counts()
    data = {
        **VALID,
        "first_name": "Rosie",
        "nhs_number": NHS_NUMBERS[0][:3] + " " + NHS_NUMBERS[0][3:],
    }
    response = bob_client.post(URL, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Is this the same person?" in page
    assert f"Yes, it is resident {resident.pk}" in page
    assert "First name begins with R." in page
    assert "Lives in Brimington South ward." in page
    for hidden in ("Tyler", "Powell Estate", "496 0001", "+441134960001"):
        assert hidden not in page
    assert 'value="new"' not in page  # an NHS number belongs to one person
    assert counts() == before
    assert AccessLogEntry.objects.filter(object_id=str(resident.pk)).count() == 1

    response = bob_client.post(
        URL, {**data, "resident_choice": str(resident.pk), "action": "choose"}
    )
    support_request = SupportRequest.objects.get()
    assert support_request.resident == resident
    assert response["Location"] == reverse("support:request_detail", args=[support_request.pk])
    assert Resident.objects.count() == before[0]
    resident.refresh_from_db()
    assert resident.first_name == "Rose"  # details of the existing record are not overwritten


def test_it_offers_a_resident_with_the_same_name_date_of_birth_and_postcode(alice, alice_client):
    existing = services.resident_create(
        actor=as_actor(alice),
        first_name="Wilfred",
        last_name="Mott",
        date_of_birth=date(1935, 11, 5),
        postcode="S40 1LP",
    )
    data = {**VALID, "first_name": "WILFRED", "postcode": "S401LP"}
    page = alice_client.post(URL, data).content.decode()
    assert f"Yes, it is resident {existing.pk}" in page
    assert "Born in 1935." in page
    assert 'value="new"' in page
    assert not SupportRequest.objects.exists()

    alice_client.post(URL, {**data, "resident_choice": str(existing.pk), "action": "choose"})
    assert SupportRequest.objects.get().resident == existing
    assert Resident.objects.count() == 1


def test_a_call_handler_may_say_it_is_someone_new(alice, alice_client):
    services.resident_create(
        actor=as_actor(alice),
        first_name="Wilfred",
        last_name="Mott",
        date_of_birth=date(1935, 11, 5),
        postcode="S40 1LP",
    )
    response = alice_client.post(URL, {**VALID, "resident_choice": "new", "action": "choose"})
    support_request = SupportRequest.objects.get()
    assert response["Location"] == reverse("support:request_detail", args=[support_request.pk])
    assert Resident.objects.count() == 2
    assert support_request.resident.phone == "+441134960010"


def test_it_carries_the_answers_in_hidden_fields_never_the_address(alice, alice_client):
    services.resident_create(
        actor=as_actor(alice),
        first_name="Wilfred",
        last_name="Mott",
        date_of_birth=date(1935, 11, 5),
        postcode="S40 1LP",
    )
    page = alice_client.post(URL, VALID).content.decode()
    assert f'action="{URL}"' in page
    assert '<input type="hidden" name="first_name" value="Wilfred">' in page
    assert '<input type="hidden" name="needs" value="prescriptions">' in page
    assert '<input type="hidden" name="needs" value="loneliness">' in page


def test_choosing_nothing_on_the_same_person_question_names_it(alice, alice_client):
    services.resident_create(
        actor=as_actor(alice),
        first_name="Wilfred",
        last_name="Mott",
        date_of_birth=date(1935, 11, 5),
        postcode="S40 1LP",
    )
    before = counts()
    response = alice_client.post(URL, {**VALID, "action": "choose"})
    page = response.content.decode()
    assert "<title>Error: Is this the same person?" in page
    assert "id_resident_choice_0" in error_links(response)
    assert counts() == before


def test_a_resident_not_among_those_offered_cannot_be_chosen(alice, alice_client, resident):
    services.resident_create(
        actor=as_actor(alice),
        first_name="Wilfred",
        last_name="Mott",
        date_of_birth=date(1935, 11, 5),
        postcode="S40 1LP",
    )
    before = counts()
    response = alice_client.post(
        URL, {**VALID, "resident_choice": str(resident.pk), "action": "choose"}
    )
    assert "Select the resident this is" in response.content.decode()
    assert counts() == before


def test_someone_new_cannot_take_an_nhs_number_already_on_the_hub(alice_client, resident):
    before = counts()
    response = alice_client.post(
        URL,
        {**VALID, "nhs_number": NHS_NUMBERS[0], "resident_choice": "new", "action": "choose"},
    )
    assert "Select the resident this is" in response.content.decode()
    assert counts() == before


def test_changing_the_details_goes_back_to_the_filled_in_form(alice, alice_client):
    services.resident_create(
        actor=as_actor(alice),
        first_name="Wilfred",
        last_name="Mott",
        date_of_birth=date(1935, 11, 5),
        postcode="S40 1LP",
    )
    before = counts()
    page = alice_client.post(URL, {**VALID, "action": "edit"}).content.decode()
    assert "<title>Take a request for help" in page
    assert 'value="Wilfred"' in page
    assert "Collect from the chemist on Fridays" in page
    assert counts() == before


BAD_INPUT = [
    ({"first_name": ""}, "id_first_name", "Enter their first name"),
    ({"last_name": "M" * 10_000}, "id_last_name", "100 characters or fewer"),
    ({"needs": []}, "id_needs_0", "Select at least one thing they need help with"),
    ({"needs": ["spaceship"]}, "id_needs_0", "Select what they need help with from the list"),
    ({"nhs_number": "123"}, "id_nhs_number", "Enter an NHS number of 10 digits"),
    ({"nhs_number": "4010232138"}, "id_nhs_number", "fails its check digit"),
    ({"postcode": "NOT A CODE"}, "id_postcode", "postcode"),
    ({"postcode": "S40 1LP" * 500}, "id_postcode", "16 characters or fewer"),
    ({"phone": "12345"}, "id_phone", "Enter a phone number that exists"),
    ({"on_behalf_phone": "not a phone"}, "id_on_behalf_phone", "Enter a phone number"),
    ({"email": "wilf@"}, "id_email", "correct format"),
    ({"dob_day": "31", "dob_month": "2", "dob_year": "1990"}, "id_dob_day", "real date"),
    ({"dob_day": "1", "dob_month": "1", "dob_year": "2999"}, "id_dob_day", "in the past"),
    ({"channel": "web"}, "id_channel_0", "Select how the request reached you"),
    ({"channel": "shielding"}, "id_channel_0", "Select how the request reached you"),
    ({"urgency": "yesterday"}, "id_urgency_0", "Select how urgent it is"),
    ({"summary": "x" * 100_000}, "id_summary", "5,000 characters or fewer"),
    ({"detail_prescriptions": "x" * 501}, "id_detail_prescriptions", "500 characters or fewer"),
    ({"sharing": ""}, "id_sharing_0", "Select what they agreed to about sharing"),
    ({"flags": ["royalty"]}, "id_flags_0", "Select from the list"),
]


@pytest.mark.parametrize(
    ("change", "anchor", "message"), BAD_INPUT, ids=[a for _, a, _ in BAD_INPUT]
)
def test_it_names_each_bad_field_and_saves_nothing(alice_client, change, anchor, message):
    response = alice_client.post(URL, {**VALID, **change})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert anchor in error_links(response)
    assert message in page
    assert counts() == (0, 0, 0, 0)


def test_a_script_in_a_name_is_shown_as_text(alice_client):
    hostile = "<script>alert(1)</script>"
    response = alice_client.post(URL, {**VALID, "first_name": hostile, "needs": []})
    page = response.content.decode()
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in page
    assert "<script>alert" not in page


def test_nothing_is_half_saved_when_a_later_step_fails(alice_client, ward):
    """The resident is created before consent is recorded; consent without saying how it
    was given is refused by the service, and the resident goes too."""
    response = alice_client.post(URL, {**VALID, "sharing": "consent", "how_given": ""})
    assert response.status_code == 200
    assert "id_how_given_0" in error_links(response)
    assert "Say how they gave their consent" in response.content.decode()
    assert counts() == (0, 0, 0, 0)
    assert not JourneyEvent.objects.exists()


def test_no_consent_yet_records_none(alice_client):
    alice_client.post(URL, {**VALID, "sharing": "none", "how_given": ""})
    assert SupportRequest.objects.count() == 1
    assert not Consent.objects.exists()


@pytest.mark.parametrize("basis", ["vital_interests", "public_task"])
def test_a_lawful_basis_is_recorded_without_consent(alice_client, basis):
    alice_client.post(URL, {**VALID, "sharing": basis, "how_given": ""})
    consent = Consent.objects.get()
    assert (consent.basis, consent.how_given, consent.all_partners) == (basis, "n/a", True)


def test_a_request_on_someones_behalf_keeps_who_asked(alice_client):
    alice_client.post(
        URL,
        {
            **VALID,
            "channel": "gp",
            "on_behalf_name": "Dr Martha Jones",
            "on_behalf_relationship": "GP",
            "on_behalf_phone": "0113 496 0020",
        },
    )
    support_request = SupportRequest.objects.get()
    assert support_request.channel == SupportRequest.Channel.GP_REFERRAL
    assert support_request.on_behalf_name == "Dr Martha Jones"
    assert support_request.on_behalf_phone == "+441134960020"


def test_domestic_abuse_is_always_same_day(bob_client, partner):
    bob_client.post(URL, {**VALID, "needs": ["domestic_abuse"], "urgency": "routine"})
    support_request = SupportRequest.objects.get()
    assert support_request.safeguarding
    assert support_request.urgency == SupportRequest.Urgency.SAME_DAY
    assert support_request.assigned_organisation == partner


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_intake_pages_are_accessible_in_a_browser(page, alice, ward):
    from hub.conftest import PASSWORD
    from hub.testing.browser import assert_accessible, sign_in

    services.resident_create(
        actor=as_actor(alice),
        first_name="Wilfred",
        last_name="Mott",
        date_of_birth=date(1935, 11, 5),
        postcode="S40 1LP",
    )
    sign_in(page, "alice@example.org", PASSWORD)
    page.goto(URL)
    assert_accessible(page)
    page.get_by_role("button", name="Create request").click()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    page.get_by_label("First name", exact=True).fill("Wilfred")
    page.get_by_label("Last name", exact=True).fill("Mott")
    page.get_by_label("Day", exact=True).fill("5")
    page.get_by_label("Month", exact=True).fill("11")
    page.get_by_label("Year", exact=True).fill("1935")
    page.get_by_label("Postcode (optional)", exact=True).fill("S40 1LP")
    page.get_by_label("Prescriptions and medicine", exact=True).check()
    page.get_by_label("Detail about prescriptions and medicine (optional)", exact=True).fill(
        "Fridays"
    )
    page.get_by_label("They consented to sharing with all partners", exact=True).check()
    page.get_by_label("Verbally (phone or in person)", exact=True).check()
    page.get_by_role("button", name="Create request").click()
    expect(page.get_by_role("heading", name="Is this the same person?")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("No, this is someone new: add them to the hub", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    support_request = SupportRequest.objects.get()
    expect(
        page.get_by_text(f"Request {support_request.reference} has been created")
    ).to_be_visible()
    assert support_request.needs.get().detail == "Fridays"
