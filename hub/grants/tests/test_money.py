"""The money services: awards, declines, instalments, payments, variations, clawbacks and
onward grants. Every refusal is checked to leave every total exactly as it was."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hub.grants.models import (
    Adjustment,
    Application,
    Award,
    Decision,
    Fund,
    OnwardGrant,
    Payment,
)
from hub.grants.services import money
from hub.testing.factories import as_actor

FUND = "Emergency community wellbeing fund"


def _submitted(fund, organisation, by, n: int, amount: int = 200_000) -> Application:
    return Application.objects.create(
        reference=f"APP-9{n:05d}",
        fund=fund,
        organisation=organisation,
        title=f"Project {n}",
        amount_requested_pence=amount,
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now(),
        created_by=by,
    )


def _totals(fund: Fund) -> tuple:
    """Everything a refused call must leave alone."""
    fund.refresh_from_db()
    return (
        fund.committed_pence,
        fund.paid_pence,
        sorted(
            Award.objects.values_list("pk", "amount_pence", "paid_pence", "onward_pence", "status")
        ),
        sorted(Payment.objects.values_list("pk", "status", "amount_pence")),
        Adjustment.objects.count(),
        OnwardGrant.objects.count(),
        Decision.objects.count(),
        sorted(Application.objects.values_list("pk", "status")),
    )


def _refused(fund, call, **kwargs) -> ValidationError:
    before = _totals(fund)
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    assert _totals(fund) == before
    return caught.value


@pytest.fixture
def officer(gina):
    return as_actor(gina)


@pytest.fixture
def award(officer, submitted_application):
    return money.award_make(
        actor=officer,
        application=submitted_application,
        amount_pence=250_000,
        reasons="Meets the food priority",
        conditions="Report households helped",
        letter="Dear Northfield Food Bank",
    )


@pytest.fixture
def paid_award(officer, award):
    (first, _second) = money.payments_schedule(
        actor=officer,
        award=award,
        instalments=[(150_000, date(2026, 12, 1)), (100_000, date(2027, 2, 1))],
    )
    money.payment_mark_paid(actor=officer, payment=first, reference="BACS-1")
    award.refresh_from_db()
    return award


@pytest.fixture
def partner_fund(council):
    today = timezone.localdate()
    return Fund.objects.create(
        name="Partner small grants",
        slug="partner-small-grants",
        source="Contain outbreak management fund",
        budget_pence=1_000_000,
        opens_on=today,
        closes_on=today,
        route=Fund.Route.PARTNER_AGENCY,
        owner=council,
    )


@pytest.fixture
def allocation(officer, partner_fund, partner, bob):
    application = _submitted(partner_fund, partner, bob, 500, amount=300_000)
    return money.award_make(
        actor=officer, application=application, amount_pence=300_000, reasons="Trusted partner"
    )


def test_it_awards_within_what_remains_and_commits_the_money(officer, fund, submitted_application):
    award = money.award_make(
        actor=officer,
        application=submitted_application,
        amount_pence=250_000,
        reasons="Meets the food priority",
        letter="The letter",
    )
    fund.refresh_from_db()
    assert fund.committed_pence == 250_000 and fund.remaining_pence == 2_750_000
    assert (
        award.amount_pence == 250_000 and award.organisation == submitted_application.organisation
    )
    submitted_application.refresh_from_db()
    assert submitted_application.status == Application.Status.AWARDED
    assert submitted_application.decision.letter == "The letter"


def test_it_refuses_an_award_over_what_remains_and_changes_nothing(officer, fund, partner, bob):
    for n in range(5):
        money.award_make(
            actor=officer,
            application=_submitted(fund, partner, bob, n, 500_000),
            amount_pence=500_000,
            reasons="Good",
        )
    money.award_make(
        actor=officer,
        application=_submitted(fund, partner, bob, 6, 400_000),
        amount_pence=400_000,
        reasons="Good",
    )
    late = _submitted(fund, partner, bob, 7)
    error = _refused(
        fund, money.award_make, actor=officer, application=late, amount_pence=200_000, reasons="Ok"
    )
    assert error.message_dict == {"amount_pence": [f"Only £1,000.00 remains in {FUND}"]}
    # What remains can still be awarded, to the penny.
    money.award_make(actor=officer, application=late, amount_pence=100_000, reasons="Ok")
    fund.refresh_from_db()
    assert fund.committed_pence == fund.budget_pence


def test_it_refuses_more_than_the_funds_maximum_award(officer, fund, submitted_application):
    submitted_application.amount_requested_pence = 600_000
    submitted_application.save()
    error = _refused(
        fund,
        money.award_make,
        actor=officer,
        application=submitted_application,
        amount_pence=500_001,
        reasons="Ok",
    )
    assert error.message_dict == {"amount_pence": ["This fund awards at most £5,000.00"]}
    award = money.award_make(
        actor=officer, application=submitted_application, amount_pence=500_000, reasons="Ok"
    )
    assert award.amount_pence == 500_000


def test_it_refuses_more_than_was_requested(officer, fund, submitted_application):
    error = _refused(
        fund,
        money.award_make,
        actor=officer,
        application=submitted_application,
        amount_pence=250_001,
        reasons="Ok",
    )
    assert error.message_dict == {
        "amount_pence": ["An award cannot be more than the £2,500.00 requested"]
    }


def test_it_refuses_nothing_or_a_negative_award_and_an_award_without_reasons(
    officer, fund, submitted_application
):
    for amount in (0, -100):
        error = _refused(
            fund,
            money.award_make,
            actor=officer,
            application=submitted_application,
            amount_pence=amount,
            reasons="Ok",
        )
        assert "amount_pence" in error.message_dict
    error = _refused(
        fund,
        money.award_make,
        actor=officer,
        application=submitted_application,
        amount_pence=100,
        reasons="  ",
    )
    assert error.message_dict == {"reasons": ["Give the panel's reasons"]}


def test_a_decline_commits_nothing_and_the_application_cannot_be_decided_twice(
    officer, fund, submitted_application
):
    decision = money.application_decline(
        actor=officer, application=submitted_application, reasons="Outside the priorities"
    )
    assert decision.outcome == Decision.Outcome.DECLINE and decision.amount_pence == 0
    fund.refresh_from_db()
    assert fund.committed_pence == 0
    submitted_application.refresh_from_db()
    assert submitted_application.status == Application.Status.DECLINED
    error = _refused(
        fund,
        money.award_make,
        actor=officer,
        application=submitted_application,
        amount_pence=100_000,
        reasons="Changed our minds",
    )
    assert "only submitted applications can be decided" in error.messages[0]


def test_a_draft_cannot_be_awarded(officer, fund, application):
    error = _refused(
        fund, money.award_make, actor=officer, application=application, amount_pence=1, reasons="x"
    )
    assert error.messages == [
        "This application is draft: only submitted applications can be decided"
    ]


def test_instalments_may_not_add_up_to_more_than_the_award(officer, fund, award):
    money.payments_schedule(actor=officer, award=award, instalments=[(150_000, date(2026, 12, 1))])
    error = _refused(
        fund,
        money.payments_schedule,
        actor=officer,
        award=award,
        instalments=[(50_000, date(2027, 1, 1)), (50_001, date(2027, 2, 1))],
    )
    assert error.message_dict == {
        "instalments": ["Instalments would total £2,500.01, more than the award of £2,500.00"]
    }
    made = money.payments_schedule(
        actor=officer, award=award, instalments=[(100_000, date(2027, 1, 1))]
    )
    assert [p.instalment for p in made] == [2]


def test_an_instalment_cannot_be_paid_twice(officer, fund, paid_award):
    first = paid_award.payments.get(instalment=1)
    error = _refused(fund, money.payment_mark_paid, actor=officer, payment=first, reference="again")
    assert error.messages == ["This instalment is already paid"]
    fund.refresh_from_db()
    assert fund.paid_pence == 150_000
    assert paid_award.paid_pence == 150_000


def test_a_variation_up_needs_room_in_the_fund(officer, fund, award, partner, bob):
    for n in range(5):
        money.award_make(
            actor=officer,
            application=_submitted(fund, partner, bob, n, 500_000),
            amount_pence=500_000,
            reasons="Good",
        )
    # £2,500 + £25,000 committed: £2,500 remains.
    error = _refused(
        fund, money.award_vary, actor=officer, award=award, change_pence=250_001, reason="More"
    )
    assert error.message_dict == {"change_pence": [f"Only £2,500.00 remains in {FUND}"]}
    money.award_vary(actor=officer, award=award, change_pence=250_000, reason="More")
    fund.refresh_from_db()
    assert fund.committed_pence == fund.budget_pence


def test_a_variation_down_cannot_go_below_what_has_been_paid(officer, fund, paid_award):
    error = _refused(
        fund,
        money.award_vary,
        actor=officer,
        award=paid_award,
        change_pence=-100_001,
        reason="Underspend",
    )
    assert "cannot be reduced below what has been paid" in error.message_dict["change_pence"][0]
    money.award_vary(actor=officer, award=paid_award, change_pence=-100_000, reason="Underspend")
    fund.refresh_from_db()
    paid_award.refresh_from_db()
    assert paid_award.amount_pence == 150_000 and fund.committed_pence == 150_000


def test_a_clawback_cannot_recover_more_than_was_paid(officer, fund, paid_award):
    error = _refused(
        fund,
        money.award_clawback,
        actor=officer,
        award=paid_award,
        amount_pence=150_001,
        reason="Not spent",
    )
    assert error.message_dict == {"amount_pence": ["Only £1,500.00 has been paid on this award"]}


def test_a_clawback_frees_the_money_for_a_new_award(officer, fund, paid_award, partner, bob):
    for n in range(5):
        money.award_make(
            actor=officer,
            application=_submitted(fund, partner, bob, n, 500_000),
            amount_pence=500_000,
            reasons="Good",
        )
    waiting = _submitted(fund, partner, bob, 9, 300_000)
    _refused(
        fund,
        money.award_make,
        actor=officer,
        application=waiting,
        amount_pence=300_000,
        reasons="x",
    )
    money.award_clawback(actor=officer, award=paid_award, amount_pence=50_000, reason="Not spent")
    fund.refresh_from_db()
    assert (fund.committed_pence, fund.paid_pence) == (2_700_000, 100_000)
    money.award_make(actor=officer, application=waiting, amount_pence=300_000, reasons="Now fits")
    fund.refresh_from_db()
    assert fund.committed_pence == fund.budget_pence


def test_onward_grants_cannot_exceed_the_allocation(officer, partner_fund, allocation, bob):
    caseworker = as_actor(bob)
    money.onward_grant_record(
        actor=caseworker,
        award=allocation,
        recipient_kind="individual",
        recipient_name="NFB-0042",
        amount_pence=250_000,
        purpose="Boiler repair",
        made_on=date(2026, 11, 1),
    )
    error = _refused(
        partner_fund,
        money.onward_grant_record,
        actor=caseworker,
        award=allocation,
        recipient_kind="group",
        recipient_name="Brookside lunch club",
        amount_pence=50_001,
        purpose="Food",
        made_on=date(2026, 11, 2),
    )
    assert error.message_dict == {"amount_pence": ["Only £500.00 of the allocation is left"]}
    allocation.refresh_from_db()
    assert allocation.onward_pence == 250_000


def test_onward_grants_are_only_made_from_partner_agency_funds(officer, fund, award, bob):
    error = _refused(
        fund,
        money.onward_grant_record,
        actor=as_actor(bob),
        award=award,
        recipient_kind="group",
        recipient_name="Brookside lunch club",
        amount_pence=100,
        purpose="Food",
        made_on=date(2026, 11, 2),
    )
    assert error.messages == ["Onward grants are only made from partner allocations"]
