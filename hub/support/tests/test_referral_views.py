"""Referral pages: the partner's inbox, one referral with only the data it needs, and the
accept, decline, complete and withdraw buttons."""

import datetime
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hub.conftest import signed_in
from hub.core.models import AccessLogEntry
from hub.organisations.models import Role
from hub.places.models import Area
from hub.support import services
from hub.support.models import Consent, Need, Referral, SupportRequest
from hub.testing.factories import MembershipFactory, OrganisationFactory, UserFactory, as_actor

INBOX = reverse("support:referral_inbox")


def _detail(referral) -> str:
    return reverse("support:referral_detail", args=[referral.pk])


def _act(referral, action: str) -> str:
    return reverse("support:referral_act", args=[referral.pk, action])


def _reload(referral) -> Referral:
    return Referral.objects.select_related("need", "claimed_by").get(pk=referral.pk)


def _text(response) -> str:
    return response.content.decode()


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", _text(response), re.S).group(1).strip()


@pytest.fixture
def bea(partner):
    """A second caseworker at the partner, to race Bob."""
    user = UserFactory(email="bea@example.org", full_name="Bea Bright")
    MembershipFactory(user=user, organisation=partner, role=Role.CASEWORKER)
    return user


@pytest.fixture
def accepted(referral, bob):
    return services.referral_accept(actor=as_actor(bob), referral=referral)


@pytest.fixture
def rich_resident(consenting_resident, alice):
    """The resident with everything recorded, so the page can be checked for what it hides."""
    return services.resident_update(
        actor=as_actor(alice),
        resident=consenting_resident,
        date_of_birth=datetime.date(1950, 3, 4),
        phone_other="0114 496 0999",
        address_line_2="Flat 4",
        town="Chesterfield",
        preferred_language="Polish",
        communication_needs="Large print",
        disability=True,
    )


def _many_referrals(n: int, *, resident, alice, partner) -> list[Referral]:
    sent = []
    for i in range(n):
        request = services.request_create(
            actor=as_actor(alice),
            resident=resident,
            channel=SupportRequest.Channel.PHONE,
            needs=[("prescriptions", f"Round {i}")],
        )
        sent.append(
            services.referral_send(
                actor=as_actor(alice), need=request.needs.get(), to_organisation=partner
            )
        )
    return sent


# The inbox


def test_it_lists_referrals_sent_to_the_partner_with_first_name_and_initial_only(
    bob_client, referral, bob
):
    ward = Area.objects.create(code="E05000001", name="Brimington North", level="ward")
    SupportRequest.objects.filter(pk=referral.need.request_id).update(ward=ward)
    response = bob_client.get(INBOX)
    assert response.status_code == 200
    page = _text(response)
    assert referral.need.request.reference in page
    assert _detail(referral) in page
    assert "Rose T." in page
    assert "Brimington North" in page
    assert "Emergency food" in page
    for personal in ("Tyler", "S40 1LP", "+441134960001", "0113 496 0001", "Powell Estate"):
        assert personal not in page
    assert "Waiting for you (1)" in page
    assert _title(response).startswith("Referrals: waiting for you")


def test_it_counts_each_status_and_filters_by_it(
    bob_client, bob, alice, referral, consenting_resident, partner
):
    second, third = _many_referrals(2, resident=consenting_resident, alice=alice, partner=partner)
    services.referral_accept(actor=as_actor(bob), referral=second)
    services.referral_decline(actor=as_actor(bob), referral=third, reason="Full")
    page = _text(bob_client.get(INBOX))
    for tab in (
        "Waiting for you (1)",
        "Accepted (1)",
        "Completed (0)",
        "Declined (1)",
        "Expired (0)",
        "Withdrawn (0)",
    ):
        assert tab in page
    accepted_tab = bob_client.get(INBOX, {"status": "accepted"})
    assert [r.pk for r in accepted_tab.context["page"]] == [second.pk]
    assert "Bob Baker" in _text(accepted_tab)
    assert 'aria-current="page">Accepted (1)' in _text(accepted_tab)


def test_it_highlights_overdue_and_soon_due_referrals(
    bob_client, alice, referral, consenting_resident, partner
):
    (soon,) = _many_referrals(1, resident=consenting_resident, alice=alice, partner=partner)
    now = timezone.now()
    Referral.objects.filter(pk=referral.pk).update(expires_at=now - timedelta(hours=2))
    Referral.objects.filter(pk=soon.pk).update(expires_at=now + timedelta(hours=3))
    page = _text(bob_client.get(INBOX))
    assert page.count('govuk-tag--red">Overdue') == 1
    assert page.count('govuk-tag--orange">Due soon') == 1


def test_it_shows_an_organisation_only_the_referrals_sent_to_it(
    charlie_client, alice_client, referral
):
    for client in (charlie_client, alice_client):
        response = client.get(INBOX)
        assert response.status_code == 200
        assert referral.need.request.reference not in _text(response)
        assert list(response.context["page"]) == []
        assert "Waiting for you (0)" in _text(response)


def test_it_refuses_the_inbox_to_a_board_viewer(dora_client, referral):
    response = dora_client.get(INBOX)
    assert response.status_code == 403
    assert referral.need.request.reference not in _text(response)


def test_it_sends_anonymous_visitors_to_sign_in(client, referral):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_inbox_takes_a_fixed_number_of_queries(
    bob_client, alice, bob, consenting_resident, partner, django_assert_max_num_queries
):
    (first,) = _many_referrals(1, resident=consenting_resident, alice=alice, partner=partner)
    services.referral_accept(actor=as_actor(bob), referral=first)
    with CaptureQueriesContext(connection) as few:
        bob_client.get(INBOX, {"status": "accepted"})
    for referral in _many_referrals(59, resident=consenting_resident, alice=alice, partner=partner):
        services.referral_accept(actor=as_actor(bob), referral=referral)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = bob_client.get(INBOX, {"status": "accepted"})
    assert len(response.context["page"]) == 50
    assert response.context["page"].paginator.count == 60
    assert len(few.captured_queries) <= 10


def test_it_pages_fifty_at_a_time(bob_client, alice, consenting_resident, partner):
    _many_referrals(55, resident=consenting_resident, alice=alice, partner=partner)
    second = bob_client.get(INBOX, {"status": "sent", "page": 2})
    assert len(second.context["page"]) == 5
    assert "Page 2 of 2" in _text(second)
    assert "?status=sent&amp;page=1" in _text(second)


@pytest.mark.parametrize(
    "params",
    [
        {"status": "<script>alert(1)</script>"},
        {"status": "x" * 5000},
        {"page": "abc"},
        {"page": "-1"},
        {"page": "99999"},
        {"status": "sent", "page": "1" * 400},
    ],
)
def test_it_survives_bad_filters(bob_client, referral, params):
    response = bob_client.get(INBOX, params)
    assert response.status_code == 200
    assert response.context["status"] == "sent"
    assert [r.pk for r in response.context["page"]] == [referral.pk]
    assert "<script>alert(1)" not in _text(response)


# One referral: who sees it


def test_the_partner_sees_the_referral_and_the_resident_details_it_needs(
    bob_client, rich_resident, referral
):
    response = bob_client.get(_detail(referral))
    assert response.status_code == 200
    page = _text(response)
    for shown in (
        "Referral for emergency food",
        "Ashworth Borough Council (Alice Ashworth)",
        "Please call her",
        "Emergency food",
        "Nothing in the cupboards",
        "Rose Tyler",
        "0113 496 0001",
        "0114 496 0999",
        "1 Powell Estate, Flat 4, Chesterfield",
        "S40 1LP",
        "Polish",
        "Large print",
        "Accept referral",
        "Decline referral",
    ):
        assert shown in page, shown
    today = timezone.localdate()
    age = today.year - 1950 - ((today.month, today.day) < (3, 4))
    assert f"{age} years" in page
    assert re.search(r"Lives alone</dt><dd[^>]*>Yes", page)
    assert re.search(r"Has a disability</dt><dd[^>]*>Yes", page)
    assert re.search(r"Digitally excluded</dt><dd[^>]*>No", page)
    assert "Withdraw referral" not in page
    assert "Complete referral" not in page


def test_the_partner_never_sees_the_nhs_number_date_of_birth_other_needs_or_notes(
    bob_client, rich_resident, referral, alice
):
    services.note_add(
        actor=as_actor(alice), request=referral.need.request, text="Her son visits on Sundays"
    )
    page = _text(bob_client.get(_detail(referral)))
    for hidden in (
        "4010232137",
        "401 023 2137",
        "NHS number",
        "1950",
        "4 March 1950",
        "04/03/1950",
        "1950-03-04",
        "Date of birth",
        "Loneliness",
        "loneliness",
        "Her son visits on Sundays",
        "Called the hub line",
    ):
        assert hidden not in page, hidden


def test_each_view_of_the_referral_is_written_to_the_access_log(bob_client, bob, partner, referral):
    resident = referral.need.request.resident
    bob_client.get(_detail(referral))
    bob_client.get(_detail(referral))
    entries = AccessLogEntry.objects.filter(object_id=str(resident.pk), user=bob)
    assert entries.count() == 2
    entry = entries.first()
    assert entry.organisation == partner
    assert entry.purpose == f"referral {referral.pk}"
    assert entry.object_label == f"Resident {resident.pk}"
    assert entry.content_type.model == "resident"


def test_a_host_coordinator_sees_any_referral_and_may_only_withdraw_it(alice_client, referral):
    response = alice_client.get(_detail(referral))
    assert response.status_code == 200
    page = _text(response)
    assert "Rose Tyler" in page
    assert "Withdraw referral" in page
    assert "Accept referral" not in page
    assert "Decline referral" not in page
    assert AccessLogEntry.objects.filter(purpose=f"referral {referral.pk}").count() == 1


def test_the_organisation_working_the_request_sees_and_may_withdraw_it(referral, alice):
    advice = OrganisationFactory(name="Ashworth Citizens Advice")
    worker = UserFactory(email="cass@example.org", full_name="Cass Cole")
    MembershipFactory(user=worker, organisation=advice, role=Role.CASEWORKER)
    services.request_triage(
        actor=as_actor(alice),
        request=referral.need.request,
        urgency=SupportRequest.Urgency.THREE_DAYS,
        organisation=advice,
    )
    client = signed_in(worker)
    assert "Withdraw referral" in _text(client.get(_detail(referral)))
    assert client.post(_act(referral, "accept")).status_code == 403
    response = client.post(_act(referral, "withdraw"))
    assert response["Location"] == _detail(referral)
    assert _reload(referral).status == Referral.Status.WITHDRAWN


@pytest.mark.parametrize("who", ["charlie", "dora"])
def test_outsiders_get_404_for_the_referral_and_its_actions(request, who, referral):
    client = request.getfixturevalue(f"{who}_client")
    response = client.get(_detail(referral))
    assert response.status_code == 404
    assert "Rose" not in _text(response)
    for action in ("accept", "decline", "complete", "withdraw"):
        assert client.post(_act(referral, action), {"reason": "x"}).status_code == 404
    assert _reload(referral).status == Referral.Status.SENT
    assert not AccessLogEntry.objects.exists()


def test_a_partner_never_sees_a_referral_sent_to_another_organisation(
    bob_client, charlie_client, alice, food_need, outsider_org
):
    services.consent_record(
        actor=as_actor(alice),
        resident=food_need.request.resident,
        basis=Consent.Basis.PUBLIC_TASK,
        how_given=Consent.How.NOT_APPLICABLE,
    )
    theirs = services.referral_send(
        actor=as_actor(alice), need=food_need, to_organisation=outsider_org
    )
    assert charlie_client.get(_detail(theirs)).status_code == 200
    assert theirs.need.request.reference in _text(charlie_client.get(INBOX))
    assert bob_client.get(_detail(theirs)).status_code == 404
    assert bob_client.post(_act(theirs, "accept")).status_code == 404
    for status in ("sent", "accepted", "declined"):
        assert theirs.need.request.reference not in _text(bob_client.get(INBOX, {"status": status}))
    assert _reload(theirs).status == Referral.Status.SENT


def test_it_answers_404_for_a_referral_that_does_not_exist(bob_client, referral):
    assert bob_client.get(reverse("support:referral_detail", args=[99999])).status_code == 404
    assert (
        bob_client.post(reverse("support:referral_act", args=[99999, "accept"])).status_code == 404
    )


def test_the_partner_stops_seeing_the_resident_once_the_referral_is_declined(
    bob_client, bob, referral
):
    services.referral_decline(actor=as_actor(bob), referral=referral, reason="No drivers")
    response = bob_client.get(_detail(referral))
    assert response.status_code == 200
    page = _text(response)
    assert "No drivers" in page
    assert "no longer shared" in page
    for hidden in ("Rose Tyler", "0113 496 0001", "S40 1LP", "Powell Estate"):
        assert hidden not in page
    assert not AccessLogEntry.objects.exists()
    assert "Accept referral" not in page


# Acting on it


def test_accepting_claims_it_and_comes_back_with_a_message(bob_client, bob, referral):
    response = bob_client.post(_act(referral, "accept"))
    assert response.status_code == 302
    assert response["Location"] == _detail(referral)
    assert _reload(referral).claimed_by == bob
    page = _text(bob_client.get(response["Location"]))
    assert "You have accepted this referral" in page
    assert "Accepted by Bob Baker" in page
    assert "Complete referral" in page
    assert "Accept referral" not in page


def test_a_colleague_accepting_second_is_told_who_has_it(bob_client, bea, referral):
    bob_client.post(_act(referral, "accept"))
    response = signed_in(bea).post(_act(referral, "accept"))
    assert response.status_code == 409
    page = _text(response)
    assert "govuk-error-summary" in page
    assert "This referral is already accepted by Bob Baker" in page
    assert _title(response).startswith("Error: ")
    assert _reload(referral).claimed_by.full_name == "Bob Baker"


def test_a_stale_page_does_not_undo_a_colleagues_answer(bob_client, bea, referral):
    signed_in(bea).post(_act(referral, "decline"), {"reason": "Nobody free"})
    response = bob_client.post(_act(referral, "accept"))
    assert response.status_code == 409
    assert "This referral is already declined" in _text(response)
    assert _reload(referral).status == Referral.Status.DECLINED


@pytest.mark.parametrize("reason", ["", "   "])
def test_declining_without_a_reason_names_the_field(bob_client, referral, reason):
    response = bob_client.post(_act(referral, "decline"), {"reason": reason})
    assert response.status_code == 400
    page = _text(response)
    assert 'href="#id_reason"' in page
    assert "Say why you are declining the referral" in page
    assert _title(response).startswith("Error: ")
    assert _reload(referral).status == Referral.Status.SENT


def test_declining_with_a_reason_reopens_the_need(bob_client, referral):
    response = bob_client.post(_act(referral, "decline"), {"reason": "No drivers this week"})
    assert response["Location"] == _detail(referral)
    referral = _reload(referral)
    assert referral.status == Referral.Status.DECLINED
    assert referral.decline_reason == "No drivers this week"
    assert referral.need.status == Need.Status.OPEN
    assert "You have declined this referral" in _text(bob_client.get(_detail(referral)))


def test_hostile_text_is_saved_as_text_and_shown_escaped(bob_client, referral):
    bob_client.post(_act(referral, "decline"), {"reason": "<script>alert('x')</script>"})
    page = _text(bob_client.get(_detail(referral)))
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_a_huge_reason_is_refused_and_nothing_is_saved(bob_client, referral):
    response = bob_client.post(_act(referral, "decline"), {"reason": "x" * 20_000})
    assert response.status_code == 400
    assert 'href="#id_reason"' in _text(response)
    assert "500 characters or fewer" in _text(response)
    assert _reload(referral).status == Referral.Status.SENT


def test_completing_records_the_outcome(bob_client, accepted):
    response = bob_client.post(
        _act(accepted, "complete"), {"outcome": "Parcel delivered on Tuesday", "need_met": "yes"}
    )
    assert response["Location"] == _detail(accepted)
    referral = _reload(accepted)
    assert referral.status == Referral.Status.COMPLETED
    assert referral.need.status == Need.Status.MET
    page = _text(bob_client.get(_detail(accepted)))
    assert "This referral is complete" in page
    assert "Parcel delivered on Tuesday" in page


def test_completing_with_the_need_not_met_marks_it_unmet(bob_client, accepted):
    bob_client.post(_act(accepted, "complete"), {"outcome": "She had moved", "need_met": "no"})
    assert _reload(accepted).need.status == Need.Status.UNMET


@pytest.mark.parametrize(
    ("data", "anchor", "message"),
    [
        ({"need_met": "yes"}, "#id_outcome", "Say what happened"),
        ({"outcome": "   ", "need_met": "yes"}, "#id_outcome", "Say what happened"),
        ({"outcome": "y" * 100_000, "need_met": "yes"}, "#id_outcome", "500 characters or fewer"),
        ({"outcome": "Delivered"}, "#id_need_met_0", "Say whether the need was met"),
        ({"outcome": "Delivered", "need_met": "maybe"}, "#id_need_met_0", "yes or no"),
        ({"outcome": "Deliv\x00ered", "need_met": "yes"}, "#id_outcome", "Null characters"),
    ],
)
def test_bad_completions_name_the_field_and_save_nothing(
    bob_client, accepted, data, anchor, message
):
    response = bob_client.post(_act(accepted, "complete"), data)
    assert response.status_code == 400
    page = _text(response)
    assert f'href="{anchor}"' in page
    assert message in page
    referral = _reload(accepted)
    assert referral.status == Referral.Status.ACCEPTED
    assert referral.outcome == ""
    assert referral.need.status == Need.Status.REFERRED


def test_completing_before_accepting_is_refused_on_the_page(bob_client, referral):
    response = bob_client.post(_act(referral, "complete"), {"outcome": "Done", "need_met": "yes"})
    assert response.status_code == 409
    assert "Accept the referral before completing it" in _text(response)
    assert _reload(referral).status == Referral.Status.SENT


def test_the_sender_withdraws_it(alice_client, referral):
    response = alice_client.post(_act(referral, "withdraw"))
    assert response["Location"] == _detail(referral)
    referral = _reload(referral)
    assert referral.status == Referral.Status.WITHDRAWN
    assert referral.need.status == Need.Status.OPEN
    assert "The referral has been withdrawn" in _text(alice_client.get(_detail(referral)))


def test_withdrawing_a_completed_referral_is_refused_on_the_page(alice_client, bob, accepted):
    services.referral_complete(
        actor=as_actor(bob), referral=accepted, outcome="Done", need_met=True
    )
    response = alice_client.post(_act(accepted, "withdraw"))
    assert response.status_code == 409
    assert "This referral is already completed" in _text(response)
    assert _reload(accepted).status == Referral.Status.COMPLETED


def test_the_partner_cannot_withdraw_and_the_sender_cannot_answer(
    bob_client, alice_client, referral
):
    assert bob_client.post(_act(referral, "withdraw")).status_code == 403
    for action, data in (
        ("accept", {}),
        ("decline", {"reason": "Not us"}),
        ("complete", {"outcome": "x", "need_met": "yes"}),
    ):
        assert alice_client.post(_act(referral, action), data).status_code == 403
    assert _reload(referral).status == Referral.Status.SENT


def test_an_unknown_action_is_404(bob_client, referral):
    assert bob_client.post(_act(referral, "approve")).status_code == 404
    assert bob_client.post(_act(referral, "delete")).status_code == 404
    assert _reload(referral).status == Referral.Status.SENT


@pytest.mark.parametrize("action", ["accept", "decline", "complete", "withdraw"])
def test_actions_refuse_get(bob_client, referral, action):
    assert bob_client.get(_act(referral, action)).status_code == 405
    assert _reload(referral).status == Referral.Status.SENT


def test_the_timeline_shows_each_step(bob_client, bob, alice_client, accepted):
    alice_client.post(_act(accepted, "withdraw"))
    page = _text(bob_client.get(_detail(accepted)))
    sent = page.index("Sent by Ashworth Borough Council")
    took = page.index("Accepted by Bob Baker", sent)
    assert page.index("Withdrawn by the sender") > took


def test_the_detail_page_takes_a_fixed_number_of_queries(
    bob_client, referral, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14):
        response = bob_client.get(_detail(referral))
    assert response.status_code == 200
