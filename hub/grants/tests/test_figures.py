"""Grants in figures: the sums by priority, impact area, ward and type of organisation, fund
balances and in-kind support; who may see them; and a fixed number of queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hub.grants.figures import grants_summary
from hub.grants.models import Fund, InKindSupport, MonitoringReport
from hub.grants.services import money
from hub.grants.tests.test_threesixty import make_award
from hub.places.models import Area
from hub.strategy.models import Element, Strategy
from hub.strategy.services import tags_set
from hub.testing.factories import OrganisationFactory, as_actor

URL = "grants:figures"


@pytest.fixture
def strategy(db):
    strategy = Strategy.objects.create(name="Recovery strategy", slug="recovery", is_active=True)
    elements = {
        slug: Element.objects.create(
            strategy=strategy, kind=kind, slug=slug, name=name, position=position
        )
        for position, (slug, kind, name) in enumerate(
            [
                ("young-people", "priority", "Young people"),
                ("social-connectedness", "priority", "Social connectedness"),
                ("carbon-reduction", "priority", "Carbon reduction"),
                ("material-insecurity", "impact_area", "Material insecurity"),
            ],
            start=1,
        )
    }
    # A priority of a strategy no longer in force is left out of the figures.
    old = Strategy.objects.create(name="Old strategy", slug="old")
    elements["old"] = Element.objects.create(
        strategy=old, kind="priority", slug="old", name="An old priority"
    )
    return elements


@pytest.fixture
def grants(fund, partner, bob, gina, council, strategy):
    """Three awards and some support in kind:

    - £2,500.50 to Northfield Food Bank (VCS) for two wards, tagged young people and
      material insecurity, £1,000 of it paid;
    - £1,000 to a mutual aid group for one ward;
    - £500 from a second fund to another VCS group in 2025, naming no ward.
    The first fund is tagged social connectedness, so its two awards count under it."""
    wards = [
        Area.objects.create(code=f"E0501234{n}", name=name, level="ward")
        for n, name in enumerate(["Brimington North", "Dunston", "Hasland"])
    ]
    second = Fund.objects.create(
        name="Annual grants",
        slug="annual-grants",
        source="Revenue",
        budget_pence=1_000_000,
        opens_on=date(2025, 4, 1),
        closes_on=date(2026, 3, 31),
        owner=council,
    )
    mutual_aid = OrganisationFactory(name="Spire Street Mutual Aid", kind="mutual_aid")
    lunch_club = OrganisationFactory(name="Hasland Lunch Club", kind="vcs")
    first = make_award(
        fund, partner, bob, gina, 1, amount=250_050, wards=wards[:2], awarded_on=date(2026, 11, 20)
    )
    make_award(fund, mutual_aid, bob, gina, 2, wards=wards[2:], awarded_on=date(2026, 11, 25))
    make_award(second, lunch_club, bob, gina, 3, amount=50_000, awarded_on=date(2025, 6, 1))
    tags_set(
        obj=first.application,
        elements=[strategy["young-people"], strategy["material-insecurity"], strategy["old"]],
    )
    tags_set(obj=fund, elements=[strategy["social-connectedness"]])
    officer = as_actor(gina)
    (payment,) = money.payments_schedule(
        actor=officer, award=first, instalments=[(100_000, date(2026, 12, 1))]
    )
    money.payment_mark_paid(actor=officer, payment=payment)
    for value, starts in ((120_000, date(2026, 10, 1)), (30_000, date(2025, 5, 1))):
        InKindSupport.objects.create(
            fund=fund,
            organisation=partner,
            description="Rent-free hall",
            value_pence=value,
            starts_on=starts,
        )
    MonitoringReport.objects.create(award=first, due_on=date(2026, 12, 31))
    return first


def _rows(rows) -> dict:
    return {row["label"]: (row["awards"], row["awarded_pence"]) for row in rows}


def test_it_counts_and_sums_awards_by_priority_and_impact_area(grants):
    summary = grants_summary()
    assert _rows(summary["by_priority"]) == {
        "Young people": (1, 250_050),
        "Social connectedness": (2, 350_050),  # through the fund's own tag
        "Carbon reduction": (0, 0),
    }
    assert _rows(summary["by_impact_area"]) == {"Material insecurity": (1, 250_050)}


def test_it_sums_awards_by_ward_and_type_of_organisation(grants):
    summary = grants_summary()
    assert _rows(summary["by_ward"]) == {
        "Brimington North": (1, 250_050),
        "Dunston": (1, 250_050),
        "Hasland": (1, 100_000),
        "No ward given": (1, 50_000),
    }
    assert _rows(summary["by_organisation_kind"]) == {
        "Voluntary or community organisation": (2, 300_050),
        "Mutual aid group": (1, 100_000),
    }


def test_it_gives_totals_fund_balances_and_support_in_kind(grants):
    summary = grants_summary(today=date(2027, 1, 5))
    assert summary["totals"] == {
        "awards": 3,
        "awarded_pence": 400_050,
        "paid_pence": 100_000,
        "organisations": 3,
    }
    funds = {f["name"]: f for f in summary["funds"]}
    assert funds["Emergency community wellbeing fund"] == {
        "name": "Emergency community wellbeing fund",
        "slug": "emergency-community-wellbeing-fund",
        "budget_pence": 3_000_000,
        "committed_pence": 350_050,
        "paid_pence": 100_000,
        "remaining_pence": 2_649_950,
    }
    assert funds["Annual grants"]["remaining_pence"] == 950_000
    assert summary["in_kind"] == {"count": 2, "value_pence": 150_000}
    assert summary["monitoring"] == {"overdue": 1, "awaiting_review": 0}


def test_it_narrows_awards_and_in_kind_support_to_a_period(grants):
    summary = grants_summary(since=date(2026, 1, 1), until=date(2026, 12, 31))
    assert summary["totals"]["awards"] == 2
    assert "No ward given" not in _rows(summary["by_ward"])
    assert summary["in_kind"] == {"count": 1, "value_pence": 120_000}
    # Balances are today's whatever the period.
    assert len(summary["funds"]) == 2


def test_the_figures_take_the_same_queries_however_many_grants(grants, fund, bob, gina, strategy):
    with CaptureQueriesContext(connection) as few:
        grants_summary()
    fund.budget_pence = 100_000_000
    fund.save()
    for n in range(10, 30):
        award = make_award(fund, OrganisationFactory(name=f"Group {n}"), bob, gina, n)
        tags_set(obj=award.application, elements=[strategy["carbon-reduction"]])
    with CaptureQueriesContext(connection) as many:
        summary = grants_summary()
    assert len(many.captured_queries) == len(few.captured_queries)
    assert _rows(summary["by_priority"])["Carbon reduction"] == (20, 2_000_000)


@pytest.mark.parametrize("who", ["dora", "gina"])
def test_board_viewers_and_grants_officers_see_the_figures(request, who, grants):
    client = request.getfixturevalue(f"{who}_client")
    response = client.get(reverse(URL))
    assert response.status_code == 200
    page = response.content.decode()
    assert "£4,000.50" in page  # awarded in all
    assert "£26,499.50" in page  # remaining in the emergency fund
    assert "£1,500.00" in page  # support in kind
    # Aggregates only: no application and no grantee is named.
    assert "Project 1" not in page
    assert "Spire Street Mutual Aid" not in page


@pytest.fixture
def gina_client(gina):
    from hub.conftest import signed_in

    return signed_in(gina)


@pytest.mark.parametrize("who", ["bob", "charlie", "alice"])
def test_everyone_else_is_refused_the_figures(request, who, grants):
    client = request.getfixturevalue(f"{who}_client")
    assert client.get(reverse(URL)).status_code == 403


def test_the_figures_page_filters_by_period(dora_client, grants):
    response = dora_client.get(reverse(URL), {"since": "1/1/2026", "until": "31/12/2026"})
    assert response.status_code == 200
    assert response.context["summary"]["totals"]["awards"] == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "31/02/2026"}, "since"),
        ({"since": "<script>alert(1)</script>"}, "since"),
        ({"until": "9" * 5_000}, "until"),
        ({"since": "1/6/2026", "until": "1/1/2026"}, "until"),
    ],
)
def test_bad_periods_are_named_and_the_whole_picture_shown(dora_client, grants, params, field):
    response = dora_client.get(reverse(URL), params)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'href="#id_{field}"' in page
    assert "<title>Error: " in page
    assert "<script>alert(1)</script>" not in page
    assert response.context["summary"]["totals"]["awards"] == 3


def test_the_figures_page_takes_a_fixed_number_of_queries(
    dora_client, grants, django_assert_max_num_queries
):
    with django_assert_max_num_queries(16):
        response = dora_client.get(reverse(URL))
    assert response.status_code == 200
