"""The public "Get help" journey: no sign-in, one question a page, answers in the session."""

import re
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from hub.places.models import Area, Postcode
from hub.support.models import Consent, Need, Resident, SupportRequest
from hub.support.needs import NeedCategory

pytestmark = pytest.mark.django_db

START = reverse("support:get_help")

ANSWERS = {
    "who": {"who": "myself"},
    "needs": {"needs": ["emergency_food", "loneliness"]},
    "details": {"details": "The cupboards are empty.\nI cannot get out."},
    "name": {"first_name": "Martha", "last_name": "Jones"},
    "date-of-birth": {"dob_day": "27", "dob_month": "3", "dob_year": "1950"},
    "address": {
        "address_line_1": "2 Station Road",
        "address_line_2": "",
        "town": "Chesterfield",
        "postcode": "s401lp",
    },
    "contact": {"phone": "0113 496 0002", "email": ""},
    "consent": {"share": "yes"},
}
ON_BEHALF = {
    "helper_name": "Mickey Smith",
    "relationship": "Neighbour",
    "helper_phone": "0113 496 0003",
    "agreed": "on",
}
ORDER = ["who", "needs", "details", "name", "date-of-birth", "address", "contact", "consent"]


def url(step: str) -> str:
    return reverse("support:get_help_step", args=[step])


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ward(db):
    ward = Area.objects.create(code="E05008962", name="Brimington South", level=Area.Level.WARD)
    Postcode.objects.create(postcode="S40 1LP", latitude=53.2358, longitude=-1.425, ward=ward)
    return ward


def answer(client, step: str, data: dict, **extra):
    return client.post(url(step), data, **extra)


def answer_all(client, answers=None, *, on_behalf=None, upto=None, **extra):
    """Answer each step in order (stopping before ``upto``); returns the last response."""
    answers = {**ANSWERS, **(answers or {})}
    response = None
    for step in ORDER:
        if step == upto:
            break
        response = answer(client, step, answers[step], **extra)
        assert response.status_code == 302, (step, response.content.decode()[:2000])
        if step == "who" and on_behalf is not None:
            if upto == "about-you":
                break
            response = answer(client, "about-you", on_behalf, **extra)
            assert response.status_code == 302
    return response


def send(client, **extra):
    return client.post(url("check"), {}, **extra)


def error_links(response) -> list[str]:
    return re.findall(r'<a href="#([^"]+)">', response.content.decode())


def test_it_shows_the_start_page_to_anyone():
    response = Client().get(START)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<h1") == 1
    assert f'href="{url("who")}"' in page
    assert "If you or someone else is in danger, call 999" in page


def test_a_resident_asks_for_help_one_question_at_a_time(ward):
    client = Client()
    expected_next = [*ORDER[1:], "check"]
    for step, following in zip(ORDER, expected_next, strict=True):
        page = client.get(url(step))
        assert page.status_code == 200, step
        assert page.content.decode().count("<h1") == 1, step
        response = answer(client, step, ANSWERS[step])
        assert response["Location"] == url(following), step

    check = client.get(url("check")).content.decode()
    for shown in ("Martha Jones", "27 March 1950", "2 Station Road", "S40 1LP", "0113 496 0002"):
        assert shown in check
    assert "Emergency food" in check and "Loneliness and befriending" in check
    assert "The cupboards are empty.<br>I cannot get out." in check

    response = send(client)
    assert response["Location"] == url("done")
    done = client.get(url("done")).content.decode()
    support_request = SupportRequest.objects.get()
    assert re.fullmatch(r"CH-[A-Z0-9]{6}", support_request.reference)
    assert support_request.reference in done
    assert "What happens next" in done

    assert support_request.channel == SupportRequest.Channel.WEB
    assert support_request.created_by is None
    assert support_request.summary == "The cupboards are empty.\nI cannot get out."
    assert support_request.ward == ward
    assert sorted(support_request.needs.values_list("category", flat=True)) == [
        "emergency_food",
        "loneliness",
    ]
    resident = support_request.resident
    assert (resident.first_name, resident.last_name) == ("Martha", "Jones")
    assert resident.date_of_birth == date(1950, 3, 27)
    assert resident.postcode == "S40 1LP"
    assert resident.ward == ward
    assert resident.phone == "+441134960002"
    consent = resident.consents.get()
    assert consent.basis == Consent.Basis.CONSENT
    assert consent.how_given == Consent.How.ONLINE
    assert consent.all_partners
    assert "support_get_help" not in client.session


def test_it_keeps_answers_in_the_session_and_never_in_the_address(ward):
    client = Client()
    answer_all(client)
    stored = client.session["support_get_help"]
    assert stored["name"] == {"first_name": "Martha", "last_name": "Jones"}
    name_page = client.get(url("name")).content.decode()
    assert 'value="Martha"' in name_page
    response = send(client)
    for value in ("Martha", "Jones", "S40", "0113", "1950"):
        assert value not in response["Location"]


def test_the_back_links_go_to_the_previous_question():
    client = Client()
    assert f'href="{START}" class="govuk-back-link"' in client.get(url("who")).content.decode()
    answer_all(client, upto="details")
    page = client.get(url("details")).content.decode()
    assert f'href="{url("needs")}" class="govuk-back-link"' in page


def test_the_back_link_includes_the_extra_question_when_asking_for_someone_else():
    client = Client()
    answer_all(client, {"who": {"who": "someone_else"}}, on_behalf=ON_BEHALF, upto="needs")
    page = client.get(url("needs")).content.decode()
    assert f'href="{url("about-you")}" class="govuk-back-link"' in page
    assert "What do they need help with?" in page


def test_skipping_ahead_sends_you_to_the_first_question_not_answered():
    client = Client()
    assert client.get(url("address"))["Location"] == url("who")
    assert client.get(url("check"))["Location"] == url("who")
    answer_all(client, upto="details")
    assert client.get(url("consent"))["Location"] == url("details")
    response = answer(client, "consent", {"share": "yes"})
    assert response["Location"] == url("details")
    assert "consent" not in client.session["support_get_help"]


def test_it_only_asks_about_the_asker_when_asking_for_someone_else():
    client = Client()
    answer(client, "who", {"who": "myself"})
    assert client.get(url("about-you"))["Location"] == url("needs")


def test_it_refuses_an_unknown_step():
    assert Client().get(url("shoe-size")).status_code == 404


def test_a_change_link_returns_to_the_check_page(ward):
    client = Client()
    answer_all(client)
    check = client.get(url("check")).content.decode()
    change = f"{url('name')}?change=1"
    assert f'href="{change}"' in check
    page = client.get(change).content.decode()
    assert f'href="{url("check")}" class="govuk-back-link"' in page
    response = client.post(change, {"first_name": "Marta", "last_name": "Jones"})
    assert response["Location"] == url("check")
    assert "Marta Jones" in client.get(url("check")).content.decode()


def test_changing_to_someone_else_asks_about_the_asker_before_the_check_page(ward):
    client = Client()
    answer_all(client)
    response = client.post(f"{url('who')}?change=1", {"who": "someone_else"})
    assert response["Location"] == f"{url('about-you')}?change=1"
    assert client.get(url("check"))["Location"] == url("about-you")
    response = client.post(f"{url('about-you')}?change=1", ON_BEHALF)
    assert response["Location"] == url("check")


def test_someone_asks_on_behalf_of_a_neighbour(ward):
    client = Client()
    answer_all(client, {"who": {"who": "someone_else"}}, on_behalf=ON_BEHALF)
    check = client.get(url("check")).content.decode()
    assert "Mickey Smith" in check and "Neighbour" in check
    send(client)
    support_request = SupportRequest.objects.get()
    assert support_request.on_behalf_name == "Mickey Smith"
    assert support_request.on_behalf_relationship == "Neighbour"
    assert support_request.on_behalf_phone == "+441134960003"
    consent = support_request.resident.consents.get()
    assert consent.how_given == Consent.How.REPRESENTATIVE
    assert consent.all_partners


def test_asking_for_someone_else_needs_their_agreement():
    client = Client()
    answer(client, "who", {"who": "someone_else"})
    response = answer(client, "about-you", {**ON_BEHALF, "agreed": ""})
    assert response.status_code == 200
    assert "Confirm that they agree to you asking for help for them" in response.content.decode()
    assert "id_agreed" in error_links(response)


def test_saying_no_to_sharing_records_no_consent(ward):
    client = Client()
    answer_all(client, {"consent": {"share": "no"}})
    check = client.get(url("check")).content.decode()
    assert "No, only the council" in check
    send(client)
    support_request = SupportRequest.objects.get()
    assert not Consent.objects.exists()
    assert support_request.resident.first_name == "Martha"


def test_a_postcode_the_hub_does_not_know_still_saves_without_a_ward():
    client = Client()
    answer_all(client, {"address": {**ANSWERS["address"], "postcode": "S43 3AB"}})
    send(client)
    resident = Resident.objects.get()
    assert resident.postcode == "S43 3AB"
    assert resident.ward is None


def test_the_needs_page_lists_every_need_once_in_groups():
    client = Client()
    answer(client, "who", {"who": "myself"})
    page = client.get(url("needs")).content.decode()
    for category in NeedCategory.values:
        assert page.count(f'value="{category}"') == 1, category
    assert "Food, medicine and essentials" in page
    assert 'id="id_needs_0" ' in page or 'id="id_needs_0"' in page


def test_domestic_abuse_shows_a_safety_message_and_is_still_recorded_as_urgent(ward):
    client = Client()
    answer(client, "who", {"who": "myself"})
    page = client.get(url("needs")).content.decode()
    assert "If you are in danger, call 999" in page
    assert "National Domestic Abuse Helpline" in page
    answer_all(client, {"needs": {"needs": ["domestic_abuse"]}})
    send(client)
    support_request = SupportRequest.objects.get()
    assert support_request.safeguarding
    assert support_request.urgency == SupportRequest.Urgency.SAME_DAY
    assert support_request.needs.get().category == NeedCategory.DOMESTIC_ABUSE


BAD_INPUT = [
    ("who", {}, "id_who_0", "Select who needs help"),
    ("who", {"who": "everyone"}, "id_who_0", "Select who needs help"),
    ("needs", {}, "id_needs_0", "Select at least one thing you need help with"),
    ("needs", {"needs": ["spaceship"]}, "id_needs_0", "Select what you need help with"),
    ("details", {"details": "x" * 100_000}, "id_details", "1,500 characters or fewer"),
    ("name", {"first_name": "", "last_name": "Jones"}, "id_first_name", "Enter your first name"),
    ("name", {"first_name": "M" * 5000, "last_name": "J"}, "id_first_name", "100 characters"),
    ("name", {"first_name": "Martha", "last_name": "  "}, "id_last_name", "Enter your last name"),
    (
        "date-of-birth",
        {"dob_day": "31", "dob_month": "2", "dob_year": "1990"},
        "id_dob_day",
        "Date of birth must be a real date",
    ),
    (
        "date-of-birth",
        # Two years on: still in the future if the suite runs across New Year's midnight.
        {"dob_day": "1", "dob_month": "1", "dob_year": str(timezone.localdate().year + 2)},
        "id_dob_day",
        "Date of birth must be in the past",
    ),
    (
        "date-of-birth",
        {"dob_day": "27", "dob_month": "", "dob_year": "1950"},
        "id_dob_month",
        "Date of birth must include a month",
    ),
    (
        "date-of-birth",
        {"dob_day": "27", "dob_month": "3", "dob_year": "50"},
        "id_dob_year",
        "Year must include 4 numbers",
    ),
    (
        "date-of-birth",
        {"dob_day": "twenty", "dob_month": "3", "dob_year": "1950"},
        "id_dob_day",
        "Date of birth must be a real date",
    ),
    (
        "date-of-birth",
        {"dob_day": "1", "dob_month": "1", "dob_year": "1850"},
        "id_dob_day",
        "Date of birth must be after",
    ),
    (
        "address",
        {**ANSWERS["address"], "postcode": "NOT A CODE"},
        "id_postcode",
        "postcode",
    ),
    (
        "address",
        {**ANSWERS["address"], "postcode": "S40 1LP" * 1000},
        "id_postcode",
        "Enter a real postcode",
    ),
    (
        "address",
        {**ANSWERS["address"], "address_line_1": ""},
        "id_address_line_1",
        "Enter address line 1",
    ),
    ("contact", {"phone": "12345", "email": ""}, "id_phone", "Enter a phone number that exists"),
    ("contact", {"phone": "", "email": ""}, "id_phone", "or an email address"),
    ("contact", {"phone": "", "email": "not-an-email"}, "id_email", "correct format"),
    ("consent", {}, "id_share_0", "Select yes if we can share the details"),
]


@pytest.mark.parametrize(
    ("step", "data", "anchor", "message"), BAD_INPUT, ids=[f"{s}-{a}" for s, _, a, _ in BAD_INPUT]
)
def test_it_names_the_problem_on_every_step_and_keeps_nothing(step, data, anchor, message):
    client = Client()
    answer_all(client, upto=step)
    response = answer(client, step, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert anchor in error_links(response)
    assert message in page
    assert step not in client.session.get("support_get_help", {})
    assert not Resident.objects.exists()


def test_an_email_address_alone_is_enough_to_contact_them(ward):
    client = Client()
    answer_all(client, {"contact": {"phone": "", "email": "martha@example.org"}})
    send(client)
    resident = Resident.objects.get()
    assert (resident.phone, resident.email) == ("", "martha@example.org")


def test_a_script_in_a_name_is_shown_as_text_on_the_check_page(ward):
    client = Client()
    hostile = "<script>alert('x')</script>"
    answer_all(client, {"name": {"first_name": hostile, "last_name": "Jones"}})
    page = client.get(url("check")).content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Jones" in page
    assert "<script>alert" not in page


def test_a_robot_filling_the_hidden_field_is_told_it_worked_but_nothing_is_saved(ward):
    client = Client()
    answer(client, "who", {"who": "myself", "website": "http://spam.example"})
    answer_all(client)
    response = send(client)
    assert response["Location"] == url("done")
    done = client.get(url("done")).content.decode()
    assert re.search(r"<strong>CH-[A-Z0-9]{6}</strong>", done)
    assert "Request sent" in done
    assert not Resident.objects.exists()
    assert not SupportRequest.objects.exists()


def test_a_robot_filling_the_hidden_field_on_the_check_page_saves_nothing(ward):
    client = Client()
    answer_all(client)
    response = client.post(url("check"), {"website": "buy now"})
    assert response["Location"] == url("done")
    assert "Request sent" in client.get(url("done")).content.decode()
    assert not SupportRequest.objects.exists()


def test_every_page_has_the_hidden_field_for_robots():
    client = Client()
    page = client.get(url("who")).content.decode()
    assert re.search(
        r'<div class="govuk-visually-hidden" aria-hidden="true">\s*<label for="id_website">', page
    )
    assert 'name="website" value="" autocomplete="off" tabindex="-1"' in page


def test_the_sixth_request_in_an_hour_from_one_address_is_refused(ward):
    client = Client()
    for _ in range(5):
        answer_all(client)
        assert send(client)["Location"] == url("done")
    answer_all(client)
    response = send(client)
    assert response.status_code == 429
    assert "You have sent a lot of requests" in response.content.decode()
    assert SupportRequest.objects.count() == 5
    other = Client(REMOTE_ADDR="192.0.2.7")
    answer_all(other)
    assert send(other)["Location"] == url("done")
    assert SupportRequest.objects.count() == 6


def test_too_many_page_posts_from_one_address_are_refused(settings):
    settings.HUB_GET_HELP_POSTS_PER_10_MINUTES = 3
    settings.HUB_CONTACT_PHONE = "01246 345 000"
    client = Client()
    for _ in range(3):
        assert answer(client, "who", {"who": "myself"}).status_code == 302
    response = answer(client, "who", {"who": "myself"})
    assert response.status_code == 429
    assert "Try again later, or call us on 01246 345 000" in response.content.decode()


def test_the_limit_counts_the_address_the_trusted_proxy_saw(settings, ward):
    settings.HUB_GET_HELP_LIMIT_PER_HOUR = 1
    settings.HUB_TRUSTED_PROXY_COUNT = 1
    first = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    answer_all(first)
    assert send(first).status_code == 302
    spoofed = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    answer_all(spoofed)
    assert send(spoofed).status_code == 429
    second = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.2")
    answer_all(second)
    assert send(second).status_code == 302
    assert SupportRequest.objects.count() == 2


def test_sending_twice_or_refreshing_saves_only_one_request(ward):
    client = Client()
    answer_all(client)
    send(client)
    reference = SupportRequest.objects.get().reference
    again = send(client)
    assert again["Location"] == url("who")
    assert SupportRequest.objects.count() == 1
    assert reference in client.get(url("done")).content.decode()


def test_the_confirmation_page_needs_a_request_first():
    assert Client().get(url("done"))["Location"] == START


def test_a_signed_in_member_of_staff_can_use_the_public_form_too(alice_client, ward):
    answer_all(alice_client)
    send(alice_client)
    assert SupportRequest.objects.get().channel == SupportRequest.Channel.WEB


def test_an_abandoned_journey_expires_with_the_session(ward):
    client = Client()
    answer_all(client, upto="consent")
    session = client.session
    session.set_expiry(-1)
    session.save()
    assert client.get(url("consent"))["Location"] == url("who")


def test_a_stale_answer_sends_them_back_to_that_question_and_saves_nothing(ward):
    """A stale session whose needs are no longer on the list sends them back to the
    question and saves nothing, not even the resident."""
    client = Client()
    answer_all(client)
    session = client.session
    session["support_get_help"]["needs"] = {"needs": ["retired_need"]}
    session.save()
    response = send(client)
    assert response["Location"] == url("needs")
    assert not Resident.objects.exists()
    assert not Need.objects.exists()


def test_dates_of_birth_are_optional(ward):
    client = Client()
    answer_all(client, {"date-of-birth": {"dob_day": "", "dob_month": "", "dob_year": ""}})
    assert "Not given" in client.get(url("check")).content.decode()
    send(client)
    assert Resident.objects.get().date_of_birth is None


def test_a_date_of_birth_yesterday_is_accepted(ward):
    yesterday = timezone.localdate() - timedelta(days=1)
    client = Client()
    answer_all(
        client,
        {
            "date-of-birth": {
                "dob_day": str(yesterday.day),
                "dob_month": str(yesterday.month),
                "dob_year": str(yesterday.year),
            }
        },
    )
    send(client)
    assert Resident.objects.get().date_of_birth == yesterday


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_journey_works_in_a_browser_and_every_page_is_accessible(page, ward):
    from hub.testing.browser import assert_accessible

    page.goto(START)
    assert_accessible(page)
    page.get_by_role("button", name="Start now").click()
    page.get_by_label("Someone else").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()  # nothing filled in: errors
    expect(page.get_by_role("link", name="Enter your name")).to_be_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
    page.get_by_label("Your name").fill("Mickey Smith")
    page.get_by_label("How do you know them?").fill("Neighbour")
    page.get_by_label("Your phone number").fill("0113 496 0003")
    page.get_by_label("They agree to me asking for help for them").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("If you are in danger, call 999")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Emergency food").check()
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page)
    page.get_by_label("Tell us more about what they need").fill("Nothing in the cupboards")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("First name").fill("Martha")
    page.get_by_label("Last name").fill("Jones")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("1990")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("link", name="Date of birth must be a real date")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Day").fill("27")
    page.get_by_label("Month").fill("3")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Address line 1").fill("2 Station Road")
    page.get_by_label("Postcode").fill("s40 1lp")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Phone number").fill("0113 496 0002")
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page)
    page.get_by_label("Yes, they agree").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your answers before sending")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Request sent")).to_be_visible()
    assert_accessible(page)
    reference = SupportRequest.objects.get().reference
    expect(page.get_by_text(reference)).to_be_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_journey_works_without_javascript(page_without_js, ward):
    page = page_without_js
    page.goto(url("who"))
    for step in ORDER:
        assert page.url.endswith(url(step)), page.url
        data = ANSWERS[step]
        for name, value in data.items():
            if isinstance(value, list):
                for item in value:
                    page.locator(f'input[name="{name}"][value="{item}"]').check()
            elif name in {"who", "share"}:
                page.locator(f'input[name="{name}"][value="{value}"]').check()
            else:
                page.locator(f'[name="{name}"]').fill(value)
        page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Request sent")).to_be_visible()
    assert SupportRequest.objects.count() == 1
