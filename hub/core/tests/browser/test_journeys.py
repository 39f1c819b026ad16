"""Journeys through the hub in headless Chromium, with axe-core on every page."""

import pytest
from django.conf import settings
from django.test import override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from hub.core.demo import PEOPLE, load_demo
from hub.testing.browser import assert_accessible, crawl, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


@override_settings(REQUIRE_2FA=True)
def test_it_signs_in_with_two_factor_switches_organisation_and_signs_out(page):
    load_demo()
    page.goto("/")
    assert_accessible(page)
    page.get_by_role("button", name="Sign in").click()
    assert_accessible(page)
    sign_in(page, "bob@example.org", settings.HUB_DEMO_PASSWORD)

    # First sign-in outside demo mode: set up the authenticator app.
    page.wait_for_url("**/account/two-factor/set-up/")
    expect(page.locator("svg").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Security code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("That code is not right").first).to_be_visible()
    assert_accessible(page)
    device = TOTPDevice.objects.get(user__email="bob@example.org")
    page.wait_for_timeout(1100)  # django-otp makes you wait a second after a wrong code
    page.get_by_label("Security code").fill(_current_code(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/home/")
    expect(page.get_by_role("heading", name="Hello, Bob")).to_be_visible()

    # Navigate with the service navigation.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Strategy").click()
    expect(
        page.get_by_role("heading", name="Chesterfield community recovery approach")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Impact areas")).to_be_visible()
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Organisations").click()
    expect(page.get_by_role("link", name="Northfield Food Bank")).to_be_visible()

    # Bob belongs to two organisations and switches between them.
    page.get_by_label("Acting for").select_option(label="Northfield Food Bank")
    page.get_by_role("button", name="Switch").click()
    expect(page.get_by_text("You are now acting for Northfield Food Bank")).to_be_visible()
    expect(page.get_by_label("Acting for")).to_have_value(
        str(device.user.memberships.get(organisation__slug="northfield-food-bank").organisation_id)
    )
    page.goto("/home/")
    expect(page.get_by_text("as caseworker")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    page.goto("/home/")
    page.wait_for_url("**/account/sign-in/**")

    # The second sign-in asks for a code from the confirmed device.
    sign_in(page, "bob@example.org", settings.HUB_DEMO_PASSWORD)
    page.wait_for_url("**/account/two-factor/**")
    expect(page.get_by_role("heading", name="Enter your security code")).to_be_visible()
    assert_accessible(page)


def test_it_brings_every_demo_user_home_and_every_page_they_reach_is_accessible(
    browser, live_server
):
    load_demo()  # once: loading the borough is the slow part
    for person in PEOPLE:
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1200, "height": 900}
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        sign_in(page, person.email, settings.HUB_DEMO_PASSWORD)
        page.wait_for_url("**/home/")
        first_name = person.full_name.split()[0]
        expect(
            page.get_by_role("heading", name=f"Hello, {first_name}"), person.email
        ).to_be_visible()
        visited = crawl(page)
        assert "/home/" in visited, person.email
        assert any(path.startswith("/strategy/") for path in visited), person.email
        assert not errors, f"JavaScript errors for {person.email}: {errors}"
        context.close()


def test_it_signs_in_and_switches_organisation_without_javascript(page_without_js):
    page = page_without_js
    load_demo()
    sign_in(page, "bob@example.org", settings.HUB_DEMO_PASSWORD)
    page.wait_for_url("**/home/")
    page.get_by_label("Acting for").select_option(label="Northfield Food Bank")
    page.get_by_role("button", name="Switch").click()
    expect(page.get_by_text("You are now acting for Northfield Food Bank")).to_be_visible()


def test_it_shows_a_clear_error_for_a_wrong_password(page):
    load_demo()
    sign_in(page, "alice@example.org", "not the password")
    expect(
        page.get_by_role("alert").get_by_text("Enter the email address and password")
    ).to_be_visible()
    assert page.title().startswith("Error: ")
    assert_accessible(page)
