"""One request: what each person sees, the access log, and every action on the page."""

import pytest
from django.urls import reverse

from hub.core.models import AccessLogEntry
from hub.support.models import Contact, Need, Referral, SupportRequest


def _url(name, request, *extra):
    return reverse(f"support:{name}", args=[request.pk, *extra])


def test_the_coordinator_sees_the_whole_case_and_the_view_is_logged(
    alice_client, alice, support_request
):
    page = alice_client.get(_url("request_detail", support_request)).content.decode()
    assert "Rose Tyler" in page and "Emergency food" in page and "Loneliness" in page
    entry = AccessLogEntry.objects.get()
    assert entry.user == alice and entry.object_id == str(support_request.resident_id)
    assert support_request.reference in entry.purpose


def test_a_partner_with_a_referral_sees_only_the_referred_need(bob_client, referral):
    request = referral.need.request
    page = bob_client.get(_url("request_detail", request)).content.decode()
    assert "Emergency food" in page
    assert "Loneliness" not in page
    assert "Called the hub line." not in page  # the summary is for the case owner
    assert "Triage" not in page


@pytest.mark.parametrize("who", ["charlie", "dora"])
def test_others_cannot_see_the_request(request, who, support_request):
    client = request.getfixturevalue(f"{who}_client")
    assert client.get(_url("request_detail", support_request)).status_code in (403, 404)
    assert AccessLogEntry.objects.count() == 0


def test_the_coordinator_triages_from_the_page(alice_client, support_request, partner, bob):
    response = alice_client.post(
        _url("request_triage", support_request),
        {"urgency": "same_day", "organisation": partner.pk, "assignee": bob.pk},
    )
    assert response.status_code == 302
    support_request.refresh_from_db()
    assert support_request.assigned_to == bob


def test_triage_names_the_field_when_the_person_is_not_in_the_organisation(
    alice_client, support_request, outsider_org, bob
):
    response = alice_client.post(
        _url("request_triage", support_request),
        {"urgency": "same_day", "organisation": outsider_org.pk, "assignee": bob.pk},
    )
    assert response.status_code == 400
    assert 'href="#id_assignee"' in response.content.decode()
    support_request.refresh_from_db()
    assert support_request.assigned_organisation is None


def test_partners_cannot_triage(bob_client, referral, partner):
    response = bob_client.post(
        _url("request_triage", referral.need.request),
        {"urgency": "same_day", "organisation": partner.pk},
    )
    assert response.status_code == 403


def test_a_contact_is_recorded_and_bad_dates_are_named(alice_client, support_request):
    ok = alice_client.post(
        _url("contact_add", support_request),
        {"direction": "out", "outcome": "answered", "notes": "All fine"},
    )
    assert ok.status_code == 302
    assert Contact.objects.get().outcome == "answered"
    bad = alice_client.post(
        _url("contact_add", support_request),
        {"direction": "sideways", "outcome": "answered", "at": "31/02/2026 10:00"},
    )
    page = bad.content.decode()
    assert bad.status_code == 400
    assert 'href="#id_direction_0"' in page and 'href="#id_at"' in page
    assert Contact.objects.count() == 1


def test_notes_are_escaped_and_empty_notes_refused(alice_client, support_request):
    alice_client.post(_url("note_add", support_request), {"text": "<script>alert(1)</script>"})
    page = alice_client.get(_url("request_detail", support_request)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    empty = alice_client.post(_url("note_add", support_request), {"text": "   "})
    assert empty.status_code == 400


def test_a_status_change_that_is_not_allowed_is_explained(alice_client, support_request):
    jump = alice_client.post(_url("request_status", support_request), {"status": "resolved"})
    assert "A new request cannot become resolved" in jump.content.decode()
    alice_client.post(_url("request_status", support_request), {"status": "in_progress"})
    response = alice_client.post(_url("request_status", support_request), {"status": "resolved"})
    assert response.status_code == 400
    assert "Record an outcome for every need" in response.content.decode()


def test_recording_a_need_outcome(alice_client, support_request, food_need):
    response = alice_client.post(
        _url("need_outcome", support_request, food_need.pk),
        {"status": "unmet", "outcome": ""},
    )
    assert response.status_code == 400 and 'href="#id_outcome"' in response.content.decode()
    alice_client.post(
        _url("need_outcome", support_request, food_need.pk), {"status": "met", "outcome": "Parcel"}
    )
    food_need.refresh_from_db()
    assert food_need.status == Need.Status.MET


def test_referring_needs_consent(
    alice_client, alice, partner, outsider_org, support_request, food_need
):
    refused = alice_client.post(
        _url("refer", support_request, food_need.pk), {"to_organisation": outsider_org.pk}
    )
    assert refused.status_code == 400
    assert "no consent or lawful basis" in refused.content.decode()
    sent = alice_client.post(
        _url("refer", support_request, food_need.pk),
        {"to_organisation": partner.pk, "message": "Call after 10"},
    )
    assert sent.status_code == 302
    assert Referral.objects.get().to_organisation == partner


def test_an_unknown_need_or_request_is_not_found(alice_client, support_request):
    assert alice_client.get(_url("need_outcome", support_request, 999999)).status_code == 404
    assert alice_client.get(reverse("support:request_detail", args=[999999])).status_code == 404


def test_the_request_detail_costs_a_fixed_number_of_queries(
    alice_client, support_request, referral, django_assert_max_num_queries
):
    with django_assert_max_num_queries(40):
        response = alice_client.get(_url("request_detail", support_request))
    assert response.status_code == 200
    assert SupportRequest.objects.count() == 1
