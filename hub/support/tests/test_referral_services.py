"""Referral services: every state change allowed or refused, the journey each one writes,
the e-mail to the partner, and the expiry command."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from hub.organisations.models import Role
from hub.support import services
from hub.support.models import Consent, JourneyEvent, Need, Referral, SupportRequest
from hub.testing.factories import MembershipFactory, OrganisationFactory, UserFactory, as_actor

Kind = JourneyEvent.Kind


def _events(referral, kind) -> int:
    return JourneyEvent.objects.filter(request=referral.need.request, kind=kind).count()


def _reload(referral) -> Referral:
    return Referral.objects.select_related("need", "claimed_by").get(pk=referral.pk)


def _overdue(referral) -> None:
    Referral.objects.filter(pk=referral.pk).update(expires_at=timezone.now() - timedelta(hours=1))


@pytest.fixture
def accepted(referral, bob):
    return services.referral_accept(actor=as_actor(bob), referral=referral)


# Sending


def test_it_sends_a_referral_and_marks_the_need_referred(referral, food_need, partner, council):
    assert referral.status == Referral.Status.SENT
    assert referral.from_organisation == council
    assert referral.to_organisation == partner
    assert referral.expires_at > referral.sent_at
    food_need.refresh_from_db()
    assert food_need.status == Need.Status.REFERRED
    assert food_need.request.status == SupportRequest.Status.IN_PROGRESS
    event = JourneyEvent.objects.get(request=food_need.request, kind=Kind.REFERRAL_SENT)
    assert event.summary == "Emergency food referred to Northfield Food Bank"


def test_it_refuses_to_send_without_consent_naming_the_field(food_need, alice, outsider_org):
    with pytest.raises(ValidationError) as refused:
        services.referral_send(actor=as_actor(alice), need=food_need, to_organisation=outsider_org)
    assert "to_organisation" in refused.value.message_dict
    assert "no consent or lawful basis" in refused.value.message_dict["to_organisation"][0]
    assert not Referral.objects.exists()
    food_need.refresh_from_db()
    assert food_need.status == Need.Status.OPEN


def test_it_refuses_to_send_after_consent_is_withdrawn(food_need, alice, partner):
    food_need.request.resident.consents.update(withdrawn_at=timezone.now())
    with pytest.raises(ValidationError) as refused:
        services.referral_send(actor=as_actor(alice), need=food_need, to_organisation=partner)
    assert "to_organisation" in refused.value.message_dict
    assert not Referral.objects.exists()


def test_a_lawful_basis_allows_sending_to_any_partner(food_need, alice, outsider_org):
    services.consent_record(
        actor=as_actor(alice),
        resident=food_need.request.resident,
        basis=Consent.Basis.VITAL_INTERESTS,
        how_given=Consent.How.NOT_APPLICABLE,
    )
    referral = services.referral_send(
        actor=as_actor(alice), need=food_need, to_organisation=outsider_org
    )
    assert referral.status == Referral.Status.SENT


def test_it_refuses_sending_the_same_need_twice_to_the_same_partner(referral, alice, partner):
    with pytest.raises(services.ConflictError) as refused:
        services.referral_send(actor=as_actor(alice), need=referral.need, to_organisation=partner)
    assert refused.value.message_dict["to_organisation"] == [
        "Northfield Food Bank already has this need referred to them"
    ]
    assert Referral.objects.count() == 1
    assert _events(referral, Kind.REFERRAL_SENT) == 1


def test_it_refuses_sending_a_need_that_already_has_an_outcome(food_need, alice, partner):
    services.need_record_outcome(actor=as_actor(alice), need=food_need, status=Need.Status.MET)
    food_need.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.referral_send(actor=as_actor(alice), need=food_need, to_organisation=partner)
    assert "need" in refused.value.message_dict
    assert not Referral.objects.exists()


def test_a_declined_referral_can_be_sent_again(referral, alice, bob, partner):
    services.referral_decline(actor=as_actor(bob), referral=referral, reason="No drivers today")
    again = services.referral_send(
        actor=as_actor(alice), need=referral.need, to_organisation=partner
    )
    assert again.pk != referral.pk
    assert again.status == Referral.Status.SENT
    assert _reload(referral).status == Referral.Status.DECLINED
    assert Need.objects.get(pk=referral.need_id).status == Need.Status.REFERRED
    assert _events(referral, Kind.REFERRAL_SENT) == 2


# E-mail to the partner


def test_sending_emails_the_partner_a_link_and_no_personal_data(
    food_need, alice, partner, mailoutbox, django_capture_on_commit_callbacks
):
    partner.email = "referrals@northfield.example.org"
    partner.save()
    with django_capture_on_commit_callbacks(execute=True):
        referral = services.referral_send(
            actor=as_actor(alice), need=food_need, to_organisation=partner, message="Call Rose"
        )
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["referrals@northfield.example.org"]
    assert email.subject == "New referral for Northfield Food Bank"
    assert f"/support/referrals/{referral.pk}/" in email.body
    assert "emergency food" in email.body
    resident = food_need.request.resident
    for personal in (
        resident.first_name,
        resident.last_name,
        resident.phone,
        "0113 496 0001",
        resident.postcode,
        resident.nhs_number,
        resident.address_line_1,
        "Call Rose",
        "Nothing in the cupboards",
    ):
        assert personal not in email.subject
        assert personal not in email.body


def test_no_email_is_sent_before_the_referral_is_committed(food_need, alice, partner, mailoutbox):
    partner.email = "referrals@northfield.example.org"
    partner.save()
    services.referral_send(actor=as_actor(alice), need=food_need, to_organisation=partner)
    assert mailoutbox == []  # the test's transaction never commits


def test_a_partner_without_an_email_address_gets_no_email(
    food_need, alice, partner, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_send(actor=as_actor(alice), need=food_need, to_organisation=partner)
    assert mailoutbox == []


def test_a_refused_referral_sends_no_email(
    referral, alice, partner, mailoutbox, django_capture_on_commit_callbacks
):
    partner.email = "referrals@northfield.example.org"
    partner.save()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.ConflictError):
        services.referral_send(actor=as_actor(alice), need=referral.need, to_organisation=partner)
    assert mailoutbox == []


# Accepting


def test_a_partner_caseworker_accepts_and_claims_it(referral, bob):
    services.referral_accept(actor=as_actor(bob), referral=referral)
    referral = _reload(referral)
    assert referral.status == Referral.Status.ACCEPTED
    assert referral.claimed_by == bob
    assert referral.responded_at is not None
    event = JourneyEvent.objects.get(request=referral.need.request, kind=Kind.REFERRAL_ACCEPTED)
    assert event.actor == bob
    assert event.summary == "Northfield Food Bank accepted the referral for emergency food"


def test_a_second_accept_is_refused_naming_who_has_it(accepted, partner):
    colleague = UserFactory(full_name="Bea Bright")
    MembershipFactory(user=colleague, organisation=partner, role=Role.CASEWORKER)
    with pytest.raises(services.ConflictError) as refused:
        services.referral_accept(actor=as_actor(colleague), referral=accepted)
    assert refused.value.messages == ["This referral is already accepted by Bob Baker"]
    assert _reload(accepted).claimed_by.full_name == "Bob Baker"
    assert _events(accepted, Kind.REFERRAL_ACCEPTED) == 1


def test_only_the_receiving_organisation_may_accept(referral, alice, charlie):
    for outsider in (alice, charlie):
        with pytest.raises(ValidationError) as refused:
            services.referral_accept(actor=as_actor(outsider), referral=referral)
        assert refused.value.messages == [
            "Only the organisation the referral was sent to can answer it"
        ]
    assert _reload(referral).status == Referral.Status.SENT
    assert _events(referral, Kind.REFERRAL_ACCEPTED) == 0


@pytest.mark.parametrize("final", ["declined", "completed", "withdrawn", "expired"])
def test_a_referral_that_is_over_cannot_be_accepted(referral, alice, bob, final):
    bob = as_actor(bob)
    if final == "declined":
        services.referral_decline(actor=bob, referral=referral, reason="Full this week")
    elif final == "completed":
        services.referral_accept(actor=bob, referral=referral)
        services.referral_complete(actor=bob, referral=referral, outcome="Parcel", need_met=True)
    elif final == "withdrawn":
        services.referral_withdraw(actor=as_actor(alice), referral=referral)
    else:
        _overdue(referral)
        services.referrals_expire()
    with pytest.raises(services.ConflictError) as refused:
        services.referral_accept(actor=bob, referral=referral)
    assert refused.value.messages == [f"This referral is already {final}"]
    assert _reload(referral).status == final


# Declining


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_declining_needs_a_reason(referral, bob, reason):
    with pytest.raises(ValidationError) as refused:
        services.referral_decline(actor=as_actor(bob), referral=referral, reason=reason)
    assert refused.value.message_dict == {"reason": ["Say why you are declining the referral"]}
    assert _reload(referral).status == Referral.Status.SENT
    assert _events(referral, Kind.REFERRAL_DECLINED) == 0


def test_declining_reopens_the_need(referral, bob):
    services.referral_decline(actor=as_actor(bob), referral=referral, reason="  No drivers  ")
    referral = _reload(referral)
    assert referral.status == Referral.Status.DECLINED
    assert referral.decline_reason == "No drivers"
    assert referral.need.status == Need.Status.OPEN
    event = JourneyEvent.objects.get(request=referral.need.request, kind=Kind.REFERRAL_DECLINED)
    assert event.summary == "Northfield Food Bank declined: No drivers"
    assert event.actor == bob


def test_an_accepted_referral_can_still_be_declined(accepted, bob):
    services.referral_decline(actor=as_actor(bob), referral=accepted, reason="Cannot reach her")
    assert _reload(accepted).status == Referral.Status.DECLINED
    assert _reload(accepted).need.status == Need.Status.OPEN


def test_declining_keeps_the_need_referred_while_another_partner_has_it(
    referral, alice, bob, outsider_org
):
    services.consent_record(
        actor=as_actor(alice),
        resident=referral.need.request.resident,
        basis=Consent.Basis.CONSENT,
        how_given=Consent.How.VERBAL,
        partners=[outsider_org],
    )
    services.referral_send(actor=as_actor(alice), need=referral.need, to_organisation=outsider_org)
    services.referral_decline(actor=as_actor(bob), referral=referral, reason="Full")
    assert Need.objects.get(pk=referral.need_id).status == Need.Status.REFERRED


def test_a_completed_referral_cannot_be_declined(accepted, bob):
    services.referral_complete(
        actor=as_actor(bob), referral=accepted, outcome="Done", need_met=True
    )
    with pytest.raises(services.ConflictError) as refused:
        services.referral_decline(actor=as_actor(bob), referral=accepted, reason="Changed my mind")
    assert refused.value.messages == ["This referral is already completed"]
    assert _reload(accepted).decline_reason == ""


def test_another_organisation_cannot_decline(referral, charlie):
    with pytest.raises(ValidationError):
        services.referral_decline(actor=as_actor(charlie), referral=referral, reason="Not us")
    assert _reload(referral).status == Referral.Status.SENT


# Completing


def test_completing_before_accepting_is_refused(referral, bob):
    with pytest.raises(services.ConflictError) as refused:
        services.referral_complete(
            actor=as_actor(bob), referral=referral, outcome="Parcel delivered", need_met=True
        )
    assert refused.value.messages == ["Accept the referral before completing it"]
    assert _reload(referral).status == Referral.Status.SENT
    assert _reload(referral).need.status == Need.Status.REFERRED
    assert _events(referral, Kind.REFERRAL_COMPLETED) == 0


def test_completing_needs_an_outcome(accepted, bob):
    with pytest.raises(ValidationError) as refused:
        services.referral_complete(
            actor=as_actor(bob), referral=accepted, outcome=" ", need_met=True
        )
    assert refused.value.message_dict == {"outcome": ["Say what happened"]}
    assert _reload(accepted).status == Referral.Status.ACCEPTED


@pytest.mark.parametrize(("need_met", "need_status"), [(True, "met"), (False, "unmet")])
def test_completing_records_the_outcome_on_the_need(accepted, bob, need_met, need_status):
    services.referral_complete(
        actor=as_actor(bob), referral=accepted, outcome="Parcel delivered", need_met=need_met
    )
    referral = _reload(accepted)
    assert referral.status == Referral.Status.COMPLETED
    assert referral.completed_at is not None
    assert referral.outcome == "Parcel delivered"
    assert referral.need.status == need_status
    assert referral.need.outcome == "Parcel delivered"
    event = JourneyEvent.objects.get(request=referral.need.request, kind=Kind.REFERRAL_COMPLETED)
    assert event.actor == bob
    assert event.summary.startswith("Northfield Food Bank completed the referral: emergency food")


def test_a_completed_referral_cannot_be_completed_again(accepted, bob):
    bob = as_actor(bob)
    services.referral_complete(actor=bob, referral=accepted, outcome="Done", need_met=True)
    with pytest.raises(services.ConflictError):
        services.referral_complete(actor=bob, referral=accepted, outcome="Again", need_met=False)
    assert _reload(accepted).outcome == "Done"
    assert _events(accepted, Kind.REFERRAL_COMPLETED) == 1


# Withdrawing


@pytest.mark.parametrize("accept_first", [False, True])
def test_the_sender_withdraws_a_live_referral_and_the_need_reopens(
    referral, alice, bob, accept_first
):
    if accept_first:
        services.referral_accept(actor=as_actor(bob), referral=referral)
    services.referral_withdraw(actor=as_actor(alice), referral=referral)
    referral = _reload(referral)
    assert referral.status == Referral.Status.WITHDRAWN
    assert referral.need.status == Need.Status.OPEN
    event = JourneyEvent.objects.get(request=referral.need.request, kind=Kind.REFERRAL_WITHDRAWN)
    assert event.actor == alice
    assert event.summary == "Referral to Northfield Food Bank withdrawn"


def test_a_completed_referral_cannot_be_withdrawn(accepted, alice, bob):
    services.referral_complete(
        actor=as_actor(bob), referral=accepted, outcome="Done", need_met=True
    )
    with pytest.raises(services.ConflictError) as refused:
        services.referral_withdraw(actor=as_actor(alice), referral=accepted)
    assert refused.value.messages == ["This referral is already completed"]
    referral = _reload(accepted)
    assert referral.status == Referral.Status.COMPLETED
    assert referral.need.status == Need.Status.MET
    assert _events(accepted, Kind.REFERRAL_WITHDRAWN) == 0


def test_a_declined_referral_cannot_be_withdrawn(referral, alice, bob):
    services.referral_decline(actor=as_actor(bob), referral=referral, reason="Full")
    with pytest.raises(services.ConflictError):
        services.referral_withdraw(actor=as_actor(alice), referral=referral)
    assert _reload(referral).status == Referral.Status.DECLINED


# Expiring


def test_an_unanswered_referral_expires_and_reopens_the_need(referral):
    assert services.referrals_expire(now=referral.expires_at - timedelta(minutes=1)) == 0
    assert services.referrals_expire(now=referral.expires_at) == 1
    referral = _reload(referral)
    assert referral.status == Referral.Status.EXPIRED
    assert referral.need.status == Need.Status.OPEN
    event = JourneyEvent.objects.get(request=referral.need.request, kind=Kind.REFERRAL_EXPIRED)
    assert event.organisation == referral.to_organisation
    assert event.summary == "No answer from Northfield Food Bank: referral expired"


def test_expiring_again_changes_nothing(referral):
    assert services.referrals_expire(now=referral.expires_at) == 1
    assert services.referrals_expire(now=referral.expires_at + timedelta(days=3)) == 0
    assert _events(referral, Kind.REFERRAL_EXPIRED) == 1


def test_an_accepted_referral_never_expires(accepted):
    assert services.referrals_expire(now=accepted.expires_at + timedelta(days=30)) == 0
    assert _reload(accepted).status == Referral.Status.ACCEPTED


def test_an_expired_referral_can_be_sent_again(referral, alice, partner):
    services.referrals_expire(now=referral.expires_at)
    again = services.referral_send(
        actor=as_actor(alice), need=referral.need, to_organisation=partner
    )
    assert again.status == Referral.Status.SENT


def test_the_expire_command_says_how_many_expired_and_is_safe_to_repeat(referral, food_need, alice):
    other = OrganisationFactory(name="Brimington Pantry")
    services.consent_record(
        actor=as_actor(alice),
        resident=food_need.request.resident,
        basis=Consent.Basis.PUBLIC_TASK,
        how_given=Consent.How.NOT_APPLICABLE,
    )
    second = services.referral_send(actor=as_actor(alice), need=food_need, to_organisation=other)
    _overdue(referral)
    _overdue(second)
    out = StringIO()
    call_command("expire_referrals", stdout=out)
    assert out.getvalue().strip() == "2 referrals expired"
    out = StringIO()
    call_command("expire_referrals", stdout=out)
    assert out.getvalue().strip() == "0 referrals expired"
    assert Referral.objects.filter(status=Referral.Status.EXPIRED).count() == 2
    assert Need.objects.get(pk=food_need.pk).status == Need.Status.OPEN


def test_the_expire_command_leaves_referrals_still_in_time_alone(referral):
    out = StringIO()
    call_command("expire_referrals", stdout=out)
    assert out.getvalue().strip() == "0 referrals expired"
    assert _reload(referral).status == Referral.Status.SENT
