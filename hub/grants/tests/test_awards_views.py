"""The award pages, the money actions on them and the fund ledger: who may do what, bad
input named on the field with nothing saved, and totals that add up."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hub.conftest import signed_in
from hub.grants.models import Adjustment, Application, Award, Fund, OnwardGrant, Payment
from hub.grants.services import money
from hub.organisations.models import Role
from hub.places.models import Area
from hub.testing.factories import MembershipFactory, UserFactory, as_actor


def _submitted(fund, organisation, by, n: int, amount: int = 200_000) -> Application:
    return Application.objects.create(
        reference=f"APP-6{n:05d}",
        fund=fund,
        organisation=organisation,
        title=f"Project {n}",
        amount_requested_pence=amount,
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now(),
        created_by=by,
    )


def _action(award, action):
    return reverse("grants:award_action", args=[award.pk, action])


def _detail(award):
    return reverse("grants:award_detail", args=[award.pk])


def _state(award):
    """Everything a refused action must leave alone."""
    award.refresh_from_db()
    fund = Fund.objects.get(pk=award.fund_id)
    return (
        award.amount_pence,
        award.paid_pence,
        award.onward_pence,
        fund.committed_pence,
        fund.paid_pence,
        sorted(Payment.objects.values_list("pk", "status", "amount_pence", "reference")),
        Adjustment.objects.count(),
        OnwardGrant.objects.count(),
    )


@pytest.fixture
def gina_client(gina):
    return signed_in(gina)


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
    )


@pytest.fixture
def scheduled_award(officer, award):
    money.payments_schedule(
        actor=officer,
        award=award,
        instalments=[(150_000, date(2026, 12, 1)), (100_000, date(2027, 2, 1))],
    )
    return award


@pytest.fixture
def outsider_award(officer, fund, outsider_org, charlie):
    return money.award_make(
        actor=officer,
        application=_submitted(fund, outsider_org, charlie, 900, 100_000),
        amount_pence=100_000,
        reasons="Boxing keeps young people well",
    )


@pytest.fixture
def allocation(officer, council, partner, bob):
    today = timezone.localdate()
    fund = Fund.objects.create(
        name="Partner small grants",
        slug="partner-small-grants",
        source="Contain outbreak management fund",
        budget_pence=1_000_000,
        opens_on=today,
        closes_on=today,
        route=Fund.Route.PARTNER_AGENCY,
        owner=council,
    )
    return money.award_make(
        actor=officer,
        application=_submitted(fund, partner, bob, 901, 300_000),
        amount_pence=300_000,
        reasons="Trusted partner",
    )


@pytest.fixture
def ward(db):
    return Area.objects.create(code="E05000001", name="Northfield", level=Area.Level.WARD)


# --- The award list ---------------------------------------------------------------------


def test_gina_sees_every_award_and_bob_only_his_organisations(
    gina_client, bob_client, charlie_client, award, outsider_award
):
    everything = gina_client.get(reverse("grants:award_list")).content.decode()
    assert "APP-000001" in everything and "APP-600900" in everything
    bobs = bob_client.get(reverse("grants:award_list")).content.decode()
    assert "APP-000001" in bobs and "APP-600900" not in bobs
    charlies = charlie_client.get(reverse("grants:award_list")).content.decode()
    assert "APP-600900" in charlies and "APP-000001" not in charlies


def test_the_award_list_filters_by_fund_and_status(gina_client, award, allocation, officer):
    by_fund = gina_client.get(reverse("grants:award_list"), {"fund": allocation.fund_id})
    assert [a.pk for a in by_fund.context["awards"]] == [allocation.pk]
    Award.objects.filter(pk=award.pk).update(status=Award.Status.COMPLETED)
    completed = gina_client.get(reverse("grants:award_list"), {"status": "completed"})
    assert [a.pk for a in completed.context["awards"]] == [award.pk]
    hostile = gina_client.get(reverse("grants:award_list"), {"status": "<script>", "fund": "x"})
    assert hostile.status_code == 200 and len(hostile.context["awards"]) == 2


@pytest.mark.parametrize("who", ["dora", "alice"])
def test_people_who_neither_run_funds_nor_apply_cannot_see_awards(request, who, award):
    client = request.getfixturevalue(f"{who}_client")
    assert client.get(reverse("grants:award_list")).status_code == 403
    assert client.get(_detail(award)).status_code == 403


def test_the_award_list_takes_a_fixed_number_of_queries(
    gina_client, officer, fund, partner, bob, django_assert_max_num_queries
):
    for n in range(12):
        money.award_make(
            actor=officer,
            application=_submitted(fund, partner, bob, n, 100_000),
            amount_pence=100_000,
            reasons="Good",
        )
    with django_assert_max_num_queries(10):
        response = gina_client.get(reverse("grants:award_list"))
    assert response.content.decode().count("Northfield Food Bank") >= 12


# --- One award --------------------------------------------------------------------------


def test_the_award_page_shows_amount_paid_left_to_pay_and_instalments(
    gina_client, officer, scheduled_award
):
    money.payment_mark_paid(
        actor=officer, payment=scheduled_award.payments.get(instalment=1), reference="BACS-77"
    )
    page = gina_client.get(_detail(scheduled_award)).content.decode()
    for text in ("£2,500.00", "£1,500.00", "£1,000.00", "BACS-77", "Report households helped"):
        assert text in page, text
    assert 'Mark as paid<span class="govuk-visually-hidden"> instalment 2</span>' in page


def test_bob_reads_his_award_but_cannot_pay_vary_schedule_or_claw_back(bob_client, scheduled_award):
    page = bob_client.get(_detail(scheduled_award)).content.decode()
    assert "£2,500.00" in page and "Mark as paid" not in page and "Vary the award" not in page
    before = _state(scheduled_award)
    payment = scheduled_award.payments.get(instalment=1)
    for action, data in [
        ("pay", {"payment": payment.pk, "reference": "X"}),
        ("vary", {"direction": "increase", "amount": "100", "reason": "More"}),
        ("schedule", {"amount_1": "100", "due_1": "1/1/2027"}),
        ("clawback", {"amount": "1", "reason": "x"}),
    ]:
        assert bob_client.get(_action(scheduled_award, action)).status_code == 403
        assert bob_client.post(_action(scheduled_award, action), data).status_code == 403
    assert _state(scheduled_award) == before


def test_charlie_cannot_see_or_touch_bobs_award(charlie_client, scheduled_award):
    before = _state(scheduled_award)
    assert charlie_client.get(_detail(scheduled_award)).status_code == 404
    for action in ("pay", "vary", "schedule", "clawback", "onward"):
        assert charlie_client.post(_action(scheduled_award, action), {}).status_code == 404
    assert _state(scheduled_award) == before


def test_dora_cannot_touch_an_award(dora_client, scheduled_award):
    before = _state(scheduled_award)
    for action in ("pay", "vary", "schedule", "clawback", "onward"):
        assert dora_client.post(_action(scheduled_award, action), {}).status_code == 403
    assert _state(scheduled_award) == before


def test_an_unknown_action_is_not_found(gina_client, award):
    assert gina_client.post(_action(award, "delete"), {}).status_code == 404


# --- Gina's actions ---------------------------------------------------------------------


def test_gina_schedules_several_instalments_at_once(gina_client, award):
    response = gina_client.post(
        _action(award, "schedule"),
        {"amount_1": "1,000", "due_1": "1/12/2026", "amount_2": "£1,500.00", "due_2": "2027-02-01"},
    )
    assert response["Location"] == _detail(award)
    assert list(award.payments.values_list("instalment", "amount_pence", "due_on")) == [
        (1, 100_000, date(2026, 12, 1)),
        (2, 150_000, date(2027, 2, 1)),
    ]


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"amount_1": "-100", "due_1": "1/12/2026"}, "amount_1", "cannot be negative"),
        ({"amount_1": "ten pounds", "due_1": "1/12/2026"}, "amount_1", "in pounds and pence"),
        ({"amount_1": "10.001", "due_1": "1/12/2026"}, "amount_1", "no more than 2 decimal"),
        ({"amount_1": "1" * 30, "due_1": "1/12/2026"}, "amount_1", "or less"),
        ({"amount_1": "100", "due_1": "31/02/2027"}, "due_1", "as a real date"),
        ({"amount_1": "100"}, "due_1", "Enter the date instalment 1 is due"),
        ({"due_2": "1/12/2026"}, "amount_2", "Enter the amount of instalment 2"),
        ({}, "amount_1", "Enter at least one instalment"),
        (
            {"amount_1": "2,000", "due_1": "1/12/2026", "amount_2": "500.01", "due_2": "1/1/2027"},
            "amount_1",
            "Instalments would total £2,500.01, more than the award of £2,500.00",
        ),
    ],
)
def test_bad_instalments_are_named_and_nothing_is_scheduled(
    gina_client, award, data, field, message
):
    before = _state(award)
    response = gina_client.post(_action(award, "schedule"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'href="#id_{field}"' in page and message in page
    assert _state(award) == before


def test_gina_marks_an_instalment_paid_once_only(gina_client, scheduled_award, fund):
    payment = scheduled_award.payments.get(instalment=1)
    ok = gina_client.post(
        _action(scheduled_award, "pay"),
        {"payment": payment.pk, "paid_on": "20/11/2026", "reference": "BACS-1"},
    )
    assert ok.status_code == 302
    payment.refresh_from_db()
    assert (payment.status, payment.paid_on, payment.reference) == (
        "paid",
        date(2026, 11, 20),
        "BACS-1",
    )
    fund.refresh_from_db()
    assert fund.paid_pence == 150_000
    before = _state(scheduled_award)
    again = gina_client.post(
        _action(scheduled_award, "pay"), {"payment": payment.pk, "reference": "BACS-2"}
    )
    assert again.status_code == 400
    page = again.content.decode()
    assert 'href="#id_payment"' in page and "This instalment is already paid" in page
    assert _state(scheduled_award) == before


def test_paying_needs_an_instalment_of_this_award_a_real_past_date_and_a_reference(
    gina_client, scheduled_award, outsider_award, officer
):
    (foreign,) = money.payments_schedule(
        actor=officer, award=outsider_award, instalments=[(100, date(2027, 1, 1))]
    )
    before = _state(scheduled_award)
    tomorrow = (timezone.localdate() + timedelta(days=1)).strftime("%d/%m/%Y")
    response = gina_client.post(
        _action(scheduled_award, "pay"),
        {"payment": foreign.pk, "paid_on": tomorrow, "reference": "x" * 51},
    )
    page = response.content.decode()
    assert response.status_code == 400
    for field in ("payment", "paid_on", "reference"):
        assert f'href="#id_{field}"' in page, field
    assert "cannot be in the future" in page
    assert _state(scheduled_award) == before


def test_gina_varies_an_award_up_and_down_within_the_rules(
    gina_client, officer, scheduled_award, fund
):
    up = gina_client.post(
        _action(scheduled_award, "vary"),
        {"direction": "increase", "amount": "500", "reason": "Extra families"},
    )
    assert up.status_code == 302
    fund.refresh_from_db()
    assert fund.committed_pence == 300_000
    money.payment_mark_paid(actor=officer, payment=scheduled_award.payments.get(instalment=1))
    before = _state(scheduled_award)
    below_paid = gina_client.post(
        _action(scheduled_award, "vary"),
        {"direction": "decrease", "amount": "1,500.01", "reason": "Underspend"},
    )
    assert below_paid.status_code == 400
    assert 'href="#id_amount"' in below_paid.content.decode()
    beyond_fund = gina_client.post(
        _action(scheduled_award, "vary"),
        {"direction": "increase", "amount": "27,000.01", "reason": "Lots more"},
    )
    assert "Only £27,000.00 remains" in beyond_fund.content.decode()
    assert _state(scheduled_award) == before


def test_a_variation_needs_a_direction_an_amount_and_a_reason(gina_client, award):
    before = _state(award)
    response = gina_client.post(_action(award, "vary"), {"amount": "-3", "reason": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_direction_0"' in page and 'href="#id_amount"' in page
    assert 'href="#id_reason"' in page
    assert _state(award) == before


def test_gina_records_a_clawback_of_no_more_than_was_paid(
    gina_client, officer, scheduled_award, fund
):
    money.payment_mark_paid(actor=officer, payment=scheduled_award.payments.get(instalment=1))
    before = _state(scheduled_award)
    too_much = gina_client.post(
        _action(scheduled_award, "clawback"), {"amount": "1,500.01", "reason": "Not spent"}
    )
    assert too_much.status_code == 400
    assert "Only £1,500.00 has been paid on this award" in too_much.content.decode()
    assert _state(scheduled_award) == before
    ok = gina_client.post(
        _action(scheduled_award, "clawback"), {"amount": "500", "reason": "Not spent"}
    )
    assert ok.status_code == 302
    fund.refresh_from_db()
    assert (fund.committed_pence, fund.paid_pence) == (200_000, 100_000)


# --- Onward grants from a partner agency's allocation ------------------------------------


def test_bob_reports_an_onward_grant_from_his_agencys_allocation(bob_client, allocation, ward):
    page = bob_client.get(_action(allocation, "onward")).content.decode()
    assert "For an individual, enter your own case reference only" in page
    response = bob_client.post(
        _action(allocation, "onward"),
        {
            "recipient_kind": "individual",
            "recipient_name": "NFB-0042",
            "ward": ward.pk,
            "amount": "250",
            "purpose": "Emergency boiler repair",
            "made_on": "1/11/2026",
        },
    )
    assert response.status_code == 302
    grant = OnwardGrant.objects.get()
    assert (grant.amount_pence, grant.ward, grant.recipient_name) == (25_000, ward, "NFB-0042")
    page = bob_client.get(_detail(allocation)).content.decode()
    assert "NFB-0042" in page and "£2,750.00 left" in page


def test_an_onward_grant_beyond_the_allocation_is_refused_on_the_amount(bob_client, allocation):
    before = _state(allocation)
    response = bob_client.post(
        _action(allocation, "onward"),
        {
            "recipient_kind": "group",
            "recipient_name": "Brookside lunch club",
            "amount": "3,000.01",
            "purpose": "Food",
            "made_on": "1/11/2026",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_amount"' in page and "Only £3,000.00 of the allocation is left" in page
    assert _state(allocation) == before


def test_bad_onward_grants_are_named_and_nothing_is_saved(bob_client, allocation):
    before = _state(allocation)
    response = bob_client.post(
        _action(allocation, "onward"),
        {
            "recipient_kind": "robot",
            "recipient_name": "",
            "ward": "999999",
            "amount": "1e5",
            "purpose": "x" * 301,
            "made_on": "yesterday",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    for field in ("recipient_kind_0", "recipient_name", "ward", "amount", "purpose", "made_on"):
        assert f'href="#id_{field}"' in page, field
    assert _state(allocation) == before


def test_onward_grants_are_only_for_partner_agency_allocations_and_their_own_people(
    bob_client, charlie_client, award, allocation
):
    data = {
        "recipient_kind": "group",
        "recipient_name": "Club",
        "amount": "10",
        "purpose": "Food",
        "made_on": "1/11/2026",
    }
    assert bob_client.post(_action(award, "onward"), data).status_code == 403
    assert charlie_client.post(_action(allocation, "onward"), data).status_code == 404
    # A board viewer at the partner is not one of its caseworkers or administrators.
    viewer = UserFactory(email="vic@example.org", full_name="Vic Viewer")
    MembershipFactory(user=viewer, organisation=allocation.organisation, role=Role.BOARD_VIEWER)
    assert signed_in(viewer).post(_action(allocation, "onward"), data).status_code == 403
    assert not OnwardGrant.objects.exists()


# --- The ledger -------------------------------------------------------------------------


@pytest.fixture
def busy_fund(officer, fund, scheduled_award, outsider_award):
    """Awards, a variation, payments and a clawback on one fund."""
    money.award_vary(actor=officer, award=outsider_award, change_pence=50_000, reason="More")
    money.payment_mark_paid(
        actor=officer, payment=scheduled_award.payments.get(instalment=1), reference="BACS-1"
    )
    money.award_clawback(
        actor=officer, award=scheduled_award, amount_pence=20_000, reason="Unspent"
    )
    fund.refresh_from_db()
    return fund


def test_the_ledger_adds_up_to_the_funds_totals(gina_client, busy_fund):
    response = gina_client.get(reverse("grants:ledger", args=[busy_fund.pk]))
    book = response.context["ledger"]
    assert [e.kind for e in book.entries] == ["Award", "Award", "Variation", "Payment", "Clawback"]
    last = book.entries[-1]
    assert (last.committed, last.paid) == (busy_fund.committed_pence, busy_fund.paid_pence)
    assert (busy_fund.committed_pence, busy_fund.paid_pence) == (380_000, 130_000)
    assert book.agrees
    page = response.content.decode()
    assert "£30,000.00" in page and "£3,800.00" in page and "£1,300.00" in page
    assert "£26,200.00" in page  # remaining
    assert "does not match" not in page


def test_the_ledger_csv_matches_the_page(gina_client, busy_fund):
    page = gina_client.get(reverse("grants:ledger", args=[busy_fund.pk]))
    response = gina_client.get(reverse("grants:ledger", args=[busy_fund.pk]), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header, body = rows[0], rows[1:]
    assert header[-2:] == ["Committed", "Paid"]
    entries = page.context["ledger"].entries
    assert len(body) == len(entries)
    for row, entry in zip(body, entries):
        assert row[0] == entry.on.isoformat() and row[1] == entry.kind
        assert row[2] == entry.award.application.reference
        assert row[7] == f"{entry.committed / 100:.2f}" and row[8] == f"{entry.paid / 100:.2f}"
    assert body[-1][7:] == ["3800.00", "1300.00"]
    assert body[-1][5:7] == ["-200.00", "-200.00"]


def test_the_csv_does_not_let_a_spreadsheet_run_a_formula(gina_client, officer, fund, partner, bob):
    partner.name = '=HYPERLINK("http://x")'
    partner.save()
    money.award_make(
        actor=officer, application=_submitted(fund, partner, bob, 5), amount_pence=100, reasons="x"
    )
    response = gina_client.get(reverse("grants:ledger", args=[fund.pk]), {"format": "csv"})
    (row,) = list(csv.reader(io.StringIO(response.content.decode())))[1:]
    assert row[3].startswith("'=")


def test_the_ledger_takes_a_fixed_number_of_queries(
    gina_client, officer, fund, partner, bob, django_assert_max_num_queries
):
    for n in range(10):
        award = money.award_make(
            actor=officer,
            application=_submitted(fund, partner, bob, n, 100_000),
            amount_pence=100_000,
            reasons="Good",
        )
        (payment,) = money.payments_schedule(
            actor=officer, award=award, instalments=[(50_000, date(2026, 12, 1))]
        )
        money.payment_mark_paid(actor=officer, payment=payment)
        money.award_vary(actor=officer, award=award, change_pence=-10_000, reason="Less")
    with django_assert_max_num_queries(10):
        response = gina_client.get(reverse("grants:ledger", args=[fund.pk]))
    assert len(response.context["ledger"].entries) == 30
    with django_assert_max_num_queries(10):
        gina_client.get(reverse("grants:ledger", args=[fund.pk]), {"format": "csv"})


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dora"])
def test_only_grants_officers_see_the_ledger(request, who, busy_fund):
    client = request.getfixturevalue(f"{who}_client")
    assert client.get(reverse("grants:ledger", args=[busy_fund.pk])).status_code == 403
    response = client.get(reverse("grants:ledger", args=[busy_fund.pk]), {"format": "csv"})
    assert response.status_code == 403


def test_a_ledger_for_a_fund_that_does_not_exist_is_not_found(gina_client):
    assert gina_client.get(reverse("grants:ledger", args=[99999])).status_code == 404


def test_every_award_page_has_one_heading_a_title_and_no_inline_script_or_style(
    gina_client, bob_client, busy_fund, scheduled_award, allocation
):
    pages = [
        (gina_client, reverse("grants:award_list")),
        (gina_client, _detail(scheduled_award)),
        (gina_client, reverse("grants:ledger", args=[busy_fund.pk])),
        (bob_client, _detail(allocation)),
        (bob_client, _action(allocation, "onward")),
        *[
            (gina_client, _action(scheduled_award, a))
            for a in ("schedule", "pay", "vary", "clawback")
        ],
    ]
    for client, url in pages:
        page = client.get(url).content.decode()
        assert page.count("<h1") == 1, url
        assert "<title>" in page and "<title> –" not in page, url
        assert " style=" not in page and "<script>" not in page, url
