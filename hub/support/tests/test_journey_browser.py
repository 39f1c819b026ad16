"""The whole support journey in a browser: a resident asks for help, the coordinator
triages and refers, the partner accepts and completes, and the journey shows every step."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from hub.core.demo import load_demo
from hub.places.models import Postcode
from hub.support.models import Referral, SupportRequest
from hub.testing.browser import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_request_goes_from_the_public_form_to_a_completed_referral(browser, live_server):
    load_demo()
    postcode = Postcode.objects.exclude(ward=None).order_by("postcode").first()

    # A resident asks for help, without signing in.
    resident = browser.new_context(base_url=live_server.url).new_page()
    resident.goto("/")
    resident.get_by_role("link", name="Ask for help").click()
    resident.get_by_role("button", name="Start now").click()
    resident.get_by_label("I do").check()
    resident.get_by_role("button", name="Continue").click()
    resident.get_by_label("Emergency food").check()
    resident.get_by_label("Loneliness and befriending").check()
    resident.get_by_role("button", name="Continue").click()
    resident.get_by_label("Tell us more about what you need").fill("No food until payday")
    resident.get_by_role("button", name="Continue").click()
    resident.get_by_label("First name").fill("Donna")
    resident.get_by_label("Last name").fill("Noble")
    resident.get_by_role("button", name="Continue").click()
    resident.get_by_role("button", name="Continue").click()  # date of birth is optional
    resident.get_by_label("Address line 1").fill("12 Chiswick Lane")
    resident.get_by_label("Postcode").fill(postcode.postcode.lower().replace(" ", ""))
    resident.get_by_role("button", name="Continue").click()
    resident.get_by_label("Phone number").fill("0113 496 0777")
    resident.get_by_role("button", name="Continue").click()
    resident.get_by_label("Yes, you can share my details").check()
    resident.get_by_role("button", name="Continue").click()
    resident.get_by_role("button", name="Send").click()
    expect(resident.get_by_role("heading", name="Request sent")).to_be_visible()
    request = SupportRequest.objects.get(resident__last_name="Noble")
    expect(resident.get_by_text(request.reference)).to_be_visible()
    assert request.ward == postcode.ward

    # The coordinator finds it in the queue, triages it and refers the food need.
    coordinator = browser.new_context(base_url=live_server.url).new_page()
    sign_in(coordinator, "alice@example.org", settings.HUB_DEMO_PASSWORD)
    coordinator.get_by_role("navigation", name="Menu").get_by_role("link", name="Requests").click()
    assert_accessible(coordinator)
    coordinator.get_by_role("link", name=request.reference).click()
    expect(coordinator.get_by_role("heading", name=request.reference)).to_be_visible()
    assert_accessible(coordinator)
    coordinator.get_by_label("Same day").check()
    coordinator.get_by_label("Organisation to work it").select_option(
        label="Ashworth Borough Council"
    )
    coordinator.get_by_role("button", name="Save triage").click()
    expect(coordinator.get_by_text(f"{request.reference} has been triaged")).to_be_visible()
    coordinator.get_by_role("link", name="Refer Emergency food").click()
    assert_accessible(coordinator)
    coordinator.get_by_label("Refer to").select_option(label="Northfield Food Bank")
    coordinator.get_by_label("Message").fill("Please call after 10am")
    coordinator.get_by_role("button", name="Send referral").click()
    expect(
        coordinator.get_by_text("Emergency food has been referred to Northfield Food Bank")
    ).to_be_visible()

    # The partner accepts the referral and completes it.
    partner = browser.new_context(base_url=live_server.url).new_page()
    sign_in(partner, "bob@example.org", settings.HUB_DEMO_PASSWORD)
    partner.get_by_label("Acting for").select_option(label="Northfield Food Bank")
    partner.get_by_role("button", name="Switch").click()
    partner.get_by_role("navigation", name="Menu").get_by_role("link", name="Referrals").click()
    assert_accessible(partner)
    referral = Referral.objects.get(need__request=request)
    partner.get_by_role("link", name=request.reference).first.click()
    expect(partner.get_by_text("Donna Noble").first).to_be_visible()
    expect(partner.get_by_text("Loneliness")).to_have_count(0)
    assert_accessible(partner)
    partner.get_by_role("button", name="Accept referral").click()
    assert_accessible(partner)
    partner.get_by_label("What happened?").fill("Delivered a food parcel and a voucher")
    partner.get_by_label("Yes").check()
    partner.get_by_role("button", name="Complete referral").click()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.COMPLETED

    # The journey shows every step, with the time between them.
    coordinator.goto(f"/support/requests/{request.pk}/")
    coordinator.get_by_role("link", name="Their record and journey").click()
    timeline = coordinator.locator(".hub-timeline")
    for step in (
        "Asked for help",
        "Consent recorded",
        "Triaged",
        "Referred",
        "Referral accepted",
        "Referral completed",
    ):
        expect(timeline.get_by_text(step, exact=False).first, step).to_be_visible()
    assert_accessible(coordinator)
