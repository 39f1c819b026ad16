"""Funds: the list and page every member reads, and what only grants officers may do (add and
change a fund, its criteria and its support in kind), with every bad input named."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from hub.conftest import signed_in
from hub.grants.models import Assignment, Criterion, Fund, InKindSupport, Score
from hub.grants.money_input import parse_pounds
from hub.grants.services import money
from hub.organisations.models import Organisation
from hub.strategy.models import Element
from hub.strategy.selectors import tags_for
from hub.strategy.services import strategy_load_pack, tags_set
from hub.testing.factories import UserFactory, as_actor

TODAY = timezone.localdate


@pytest.fixture
def gina_client(gina):
    return signed_in(gina)


@pytest.fixture
def strategy(db):
    return strategy_load_pack(name="chesterfield-2020").strategy


def _element(strategy, kind, name):
    return Element.objects.get(strategy=strategy, kind=kind, name=name)


def _fund_data(**overrides):
    data = {
        "name": "Winter warmth fund",
        "source": "Household support grant",
        "description": "Help with heating for groups running warm spaces.",
        "eligibility": "Groups running warm spaces in the borough.",
        "eligible_kinds": ["vcs", "mutual_aid"],
        "budget": "£20,000",
        "min_award": "250",
        "max_award": "2,500.50",
        "opens_on": "1/11/2026",
        "closes_on": "31/1/2027",
        "route": "direct",
    }
    data.update(overrides)
    return data


def _make_fund(council, name, opens, closes, **extra):
    return Fund.objects.create(
        name=name,
        slug=name.lower().replace(" ", "-"),
        source="Reserve",
        budget_pence=extra.pop("budget_pence", 1_000_000),
        opens_on=opens,
        closes_on=closes,
        owner=council,
        **extra,
    )


# Money typed by people ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("2500", 250_000),
        ("2,500.50", 250_050),
        ("£2,500", 250_000),
        (" £ 1,250,000 ", 125_000_000),
        ("0.5", 50),
        ("12.3", 1_230),
    ],
)
def test_it_reads_pounds_and_pence_the_way_people_type_them(typed, pence):
    assert parse_pounds(typed) == pence


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the amount"),
        ("-5", "The amount cannot be negative"),
        ("£-5", "The amount cannot be negative"),
        ("(500)", "The amount cannot be negative"),
        ("2.505", "to the nearest penny"),
        ("1e5", "in pounds and pence"),
        ("25,00", "in pounds and pence"),
        ("five hundred", "in pounds and pence"),
        ("١٢٣", "in pounds and pence"),
        ("100,000,001", "£100,000,000 or less"),
        ("9" * 5000, "£100,000,000 or less"),
    ],
)
def test_it_refuses_money_it_cannot_trust_saying_what_to_type(typed, message):
    with pytest.raises(ValidationError) as caught:
        parse_pounds(typed)
    assert message in caught.value.messages[0]


# The list ------------------------------------------------------------------------------------


def test_every_member_sees_open_upcoming_and_closed_funds_with_their_money(
    request, council, fund, alice_client, bob_client, charlie_client, dora_client
):
    today = TODAY()
    _make_fund(council, "Spring fund", today + timedelta(days=20), today + timedelta(days=50))
    _make_fund(council, "Lockdown fund", today - timedelta(days=90), today - timedelta(days=30))
    Fund.objects.filter(pk=fund.pk).update(committed_pence=500_000)
    for client in (alice_client, bob_client, charlie_client, dora_client):
        response = client.get(reverse("grants:fund_list"))
        assert response.status_code == 200
        groups = {
            key: [r["fund"].name for r in rows] for key, _, rows in response.context["groups"]
        }
        assert groups == {
            "open": ["Emergency community wellbeing fund"],
            "upcoming": ["Spring fund"],
            "closed": ["Lockdown fund"],
        }
        page = response.content.decode()
        assert "£30,000.00" in page and "£5,000.00" in page and "£25,000.00" in page


def test_the_fund_list_takes_a_fixed_number_of_queries(
    council, fund, bob_client, django_assert_max_num_queries
):
    today = TODAY()
    for n in range(30):
        _make_fund(council, f"Fund {n}", today - timedelta(days=n), today + timedelta(days=n))
    with django_assert_max_num_queries(8):
        response = bob_client.get(reverse("grants:fund_list"))
    assert sum(len(rows) for _, _, rows in response.context["groups"]) == 31


def test_people_without_an_organisation_cannot_read_funds(fund, client):
    assert client.get(reverse("grants:fund_list")).status_code == 302  # to sign in
    nobody = signed_in(UserFactory(email="nobody@example.org"))
    assert nobody.get(reverse("grants:fund_list")).status_code == 403
    assert nobody.get(reverse("grants:fund_detail", args=[fund.pk])).status_code == 403


# One fund ------------------------------------------------------------------------------------


def test_the_fund_page_shows_criteria_weights_and_what_it_targets(strategy, fund, bob_client):
    tags_set(
        obj=fund,
        elements=[
            _element(strategy, "priority", "Social connectedness"),
            _element(strategy, "impact_area", "Material insecurity"),
        ],
    )
    response = bob_client.get(reverse("grants:fund_detail", args=[fund.pk]))
    page = response.content.decode()
    assert response.context["priorities"][0].name == "Social connectedness"
    assert response.context["impact_areas"][0].name == "Material insecurity"
    assert "Meets a recovery priority" in page and "Value for money" in page
    assert [c.weight for c in response.context["criteria"]] == [3, 2, 1]
    assert "Voluntary or community organisation, Mutual aid group" in page


def test_only_those_who_may_apply_see_the_apply_button_while_the_fund_is_open(
    fund, bob_client, alice_client, dora_client, gina_client
):
    url = reverse("grants:fund_detail", args=[fund.pk])
    start = reverse("grants:application_start", args=[fund.pk])
    assert start in bob_client.get(url).content.decode()
    for client in (alice_client, dora_client, gina_client):
        assert start not in client.get(url).content.decode()
    Fund.objects.filter(pk=fund.pk).update(
        opens_on=TODAY() - timedelta(days=60), closes_on=TODAY() - timedelta(days=1)
    )
    assert start not in bob_client.get(url).content.decode()


def test_the_fund_page_tells_an_ineligible_organisation_why_before_it_starts(
    fund, bob_client, partner
):
    Organisation.objects.filter(pk=partner.pk).update(charity_number="", company_number="")
    page = bob_client.get(reverse("grants:fund_detail", args=[fund.pk])).content.decode()
    assert "no registered charity number or company number" in page
    assert reverse("organisations:detail", args=[partner.pk]) in page
    assert reverse("grants:application_start", args=[fund.pk]) not in page


def test_a_fund_that_does_not_exist_is_404(bob_client, db):
    assert bob_client.get(reverse("grants:fund_detail", args=[987654])).status_code == 404


# Who may manage ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dora"])
def test_only_grants_officers_may_add_or_change_funds(request, who, fund, partner):
    client = request.getfixturevalue(f"{who}_client")
    for name, args in (
        ("fund_add", []),
        ("fund_edit", [fund.pk]),
        ("fund_criteria", [fund.pk]),
        ("fund_in_kind", [fund.pk]),
    ):
        assert client.get(reverse(f"grants:{name}", args=args)).status_code == 403, name
    assert client.post(reverse("grants:fund_add"), _fund_data()).status_code == 403
    assert client.post(reverse("grants:fund_edit", args=[fund.pk]), _fund_data()).status_code == 403
    assert (
        client.post(
            reverse("grants:fund_criteria", args=[fund.pk]),
            {"action": "add", "name": "Sneaky", "weight": 1, "max_score": 5},
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("grants:fund_in_kind", args=[fund.pk]),
            {
                "organisation": partner.pk,
                "description": "Free hall",
                "value": "100",
                "starts_on": "1/1/2026",
            },
        ).status_code
        == 403
    )
    assert Fund.objects.count() == 1
    fund.refresh_from_db()
    assert fund.name == "Emergency community wellbeing fund"
    assert not Criterion.objects.filter(name="Sneaky").exists()
    assert not InKindSupport.objects.exists()


def test_a_grants_officer_adds_a_fund_tagged_to_the_strategy(strategy, gina_client, council):
    priority = _element(strategy, "priority", "Young people")
    impact = _element(strategy, "impact_area", "Social connectedness")
    response = gina_client.post(
        reverse("grants:fund_add"),
        _fund_data(priorities=[priority.pk], impact_areas=[impact.pk]),
    )
    fund = Fund.objects.get(name="Winter warmth fund")
    assert response["Location"] == reverse("grants:fund_detail", args=[fund.pk])
    assert fund.budget_pence == 2_000_000
    assert fund.min_award_pence == 25_000 and fund.max_award_pence == 250_050
    assert fund.opens_on == date(2026, 11, 1) and fund.closes_on == date(2027, 1, 31)
    assert fund.eligible_kinds == ["vcs", "mutual_aid"]
    assert fund.owner == council and fund.slug == "winter-warmth-fund"
    assert set(tags_for(fund)) == {priority, impact}
    assert fund.history.first().history_user.email == "gina@example.org"


def test_two_funds_with_the_same_name_get_different_addresses(gina_client, db):
    gina_client.post(reverse("grants:fund_add"), _fund_data())
    gina_client.post(reverse("grants:fund_add"), _fund_data())
    assert sorted(Fund.objects.values_list("slug", flat=True)) == [
        "winter-warmth-fund",
        "winter-warmth-fund-2",
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Enter the name of the fund"),
        ("name", "x" * 201, "200 characters"),
        ("source", "", "Enter where the money comes from"),
        ("budget", "", "Enter the budget"),
        ("budget", "-100", "The budget cannot be negative"),
        ("budget", "100.999", "to the nearest penny"),
        ("budget", "lots", "Enter the budget in pounds and pence"),
        ("budget", "999,999,999,999", "£100,000,000 or less"),
        ("max_award", "30,000", "The largest award cannot be more than the budget"),
        ("min_award", "3,000", "at least the smallest award"),
        ("opens_on", "31/02/2026", "Enter the date the fund opens as a real date"),
        ("opens_on", "", "Enter the date the fund opens"),
        ("closes_on", "1/10/2026", "The closing date must be the same as or after"),
        ("closes_on", "1/1/3026", "between 2000 and 2100"),
        ("eligible_kinds", ["spaceship"], "Choose types of organisation from the list"),
        ("route", "cash", "Choose how the fund pays out"),
    ],
)
def test_it_names_each_bad_field_and_saves_no_fund(gina_client, db, field, value, message):
    response = gina_client.post(reverse("grants:fund_add"), _fund_data(**{field: value}))
    assert response.status_code == 400
    page = response.content.decode()
    anchor = "max_award" if field == "min_award" else field
    assert f'href="#id_{anchor}' in page
    assert message in page
    assert response.context["form"].errors
    assert page.count("<h1") == 1 and "<title>Error: " in page
    assert not Fund.objects.exists()


def test_hostile_text_is_shown_as_text(gina_client, db):
    gina_client.post(reverse("grants:fund_add"), _fund_data(name="<script>alert(1)</script> fund"))
    fund = Fund.objects.get()
    page = gina_client.get(reverse("grants:fund_detail", args=[fund.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; fund" in page


def test_a_grants_officer_changes_a_fund_and_its_tags(strategy, fund, gina_client):
    old = _element(strategy, "priority", "Carbon reduction")
    new = _element(strategy, "priority", "Partnership and collaboration")
    tags_set(obj=fund, elements=[old])
    form = gina_client.get(reverse("grants:fund_edit", args=[fund.pk]))
    assert form.context["form"].initial["budget"] == 3_000_000
    assert 'value="30,000"' in form.content.decode()
    response = gina_client.post(
        reverse("grants:fund_edit", args=[fund.pk]),
        _fund_data(name="Emergency wellbeing fund", budget="35,000", priorities=[new.pk]),
    )
    assert response.status_code == 302
    fund.refresh_from_db()
    assert fund.name == "Emergency wellbeing fund" and fund.budget_pence == 3_500_000
    assert fund.slug == "emergency-community-wellbeing-fund"  # addresses stay put
    assert list(tags_for(fund)) == [new]


def test_the_budget_cannot_go_below_what_is_already_committed(
    fund, submitted_application, gina, gina_client
):
    money.award_make(
        actor=as_actor(gina),
        application=submitted_application,
        amount_pence=250_000,
        reasons="Good",
    )
    response = gina_client.post(
        reverse("grants:fund_edit", args=[fund.pk]),
        _fund_data(budget="2,000", max_award="", min_award=""),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_budget"' in page
    assert "cannot be less than the £2,500.00 already committed" in page
    fund.refresh_from_db()
    assert fund.budget_pence == 3_000_000 and fund.name == "Emergency community wellbeing fund"
    ok = gina_client.post(
        reverse("grants:fund_edit", args=[fund.pk]),
        _fund_data(budget="2,500", max_award="", min_award=""),
    )
    assert ok.status_code == 302
    fund.refresh_from_db()
    assert fund.budget_pence == 250_000 == fund.committed_pence


# Criteria ------------------------------------------------------------------------------------


def _criteria(fund):
    return list(fund.criteria.order_by("position").values_list("name", "weight", "max_score"))


def test_a_grants_officer_adds_changes_and_removes_criteria(fund, gina_client):
    url = reverse("grants:fund_criteria", args=[fund.pk])
    page = gina_client.get(url)
    assert page.status_code == 200 and "Meets a recovery priority" in page.content.decode()
    added = gina_client.post(
        url, {"action": "add", "name": "Works with others", "weight": "4", "max_score": "10"}
    )
    assert added.status_code == 302
    criterion = fund.criteria.get(name="Works with others")
    assert criterion.position == 4
    change_page = gina_client.get(url, {"change": criterion.pk})
    assert change_page.context["form"].initial["weight"] == 4
    gina_client.post(
        url,
        {
            "action": "change",
            "criterion": criterion.pk,
            "name": "Works with other groups",
            "weight": "5",
            "max_score": "10",
        },
    )
    assert _criteria(fund)[-1] == ("Works with other groups", 5, 10)
    gina_client.post(url, {"action": "remove", "criterion": criterion.pk})
    assert [name for name, _, _ in _criteria(fund)] == [
        "Meets a recovery priority",
        "Reaches people most affected",
        "Value for money",
    ]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "weight": "1", "max_score": "5"}, "name", "Enter the name of the criterion"),
        ({"name": "X", "weight": "0", "max_score": "5"}, "weight", "Enter a weight from 1 to 10"),
        ({"name": "X", "weight": "11", "max_score": "5"}, "weight", "Enter a weight from 1 to 10"),
        ({"name": "X", "weight": "lots", "max_score": "5"}, "weight", "from 1 to 10"),
        ({"name": "X", "weight": "1", "max_score": "0"}, "max_score", "maximum score from 1"),
        ({"name": "X", "weight": "1", "max_score": "9" * 30}, "max_score", "from 1 to 100"),
    ],
)
def test_bad_criteria_are_named_and_not_saved(fund, gina_client, data, field, message):
    response = gina_client.post(
        reverse("grants:fund_criteria", args=[fund.pk]), {"action": "add", **data}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f'href="#id_{field}"' in page and message in page
    assert fund.criteria.count() == 3


def _score(assigned_application, sam, criterion, value=4):
    assignment = Assignment.objects.get(application=assigned_application, assessor=sam)
    return Score.objects.create(assignment=assignment, criterion=criterion, score=value)


def test_a_criterion_with_scores_cannot_be_removed(fund, assigned_application, sam, gina_client):
    criterion = fund.criteria.get(name="Value for money")
    _score(assigned_application, sam, criterion)
    url = reverse("grants:fund_criteria", args=[fund.pk])
    page = gina_client.get(url).content.decode()
    assert f'name="criterion" value="{criterion.pk}"' not in page  # no remove button offered
    response = gina_client.post(url, {"action": "remove", "criterion": criterion.pk})
    assert response.status_code == 400
    assert "You cannot remove “Value for money”: assessors have already scored" in (
        response.content.decode()
    )
    assert fund.criteria.filter(pk=criterion.pk).exists()


def test_a_scored_criterion_cannot_have_its_maximum_below_a_score_given(
    fund, assigned_application, sam, gina_client
):
    criterion = fund.criteria.get(name="Value for money")
    _score(assigned_application, sam, criterion, value=4)
    response = gina_client.post(
        reverse("grants:fund_criteria", args=[fund.pk]),
        {
            "action": "change",
            "criterion": criterion.pk,
            "name": "Value for money",
            "weight": "1",
            "max_score": "3",
        },
    )
    assert response.status_code == 400
    assert "already given a score of 4" in response.content.decode()
    criterion.refresh_from_db()
    assert criterion.max_score == 5


def test_criteria_of_another_fund_cannot_be_reached_through_this_one(council, fund, gina_client):
    other = _make_fund(council, "Other fund", TODAY(), TODAY())
    theirs = Criterion.objects.create(fund=other, name="Theirs", weight=1, max_score=5)
    gina_client.post(
        reverse("grants:fund_criteria", args=[fund.pk]),
        {"action": "remove", "criterion": theirs.pk},
    )
    assert Criterion.objects.filter(pk=theirs.pk).exists()


# Support in kind -----------------------------------------------------------------------------


def test_a_grants_officer_records_support_in_kind_and_sees_the_total(
    fund, partner, outsider_org, gina_client
):
    url = reverse("grants:fund_in_kind", args=[fund.pk])
    for organisation, what, value in (
        (partner, "Rent-free period for the warehouse", "1,800"),
        (outsider_org, "Use of the community hall", "450.50"),
    ):
        response = gina_client.post(
            url,
            {
                "organisation": organisation.pk,
                "description": what,
                "value": value,
                "starts_on": "1/4/2026",
                "ends_on": "30/9/2026",
            },
        )
        assert response.status_code == 302
    page = gina_client.get(url)
    assert page.context["total"] == "£2,250.50"
    assert "Rent-free period for the warehouse" in page.content.decode()
    assert InKindSupport.objects.get(organisation=partner).value_pence == 180_000


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("value", "0", "The value must be more than £0"),
        ("value", "-10", "The value cannot be negative"),
        ("value", "abc", "Enter the value in pounds and pence"),
        ("ends_on", "1/1/2026", "The end date must be the same as or after the start date"),
        ("starts_on", "yesterday", "Enter the start date as a real date"),
        ("description", "", "Describe the support given"),
        ("organisation", "999999", "Choose the organisation supported from the list"),
    ],
)
def test_bad_support_in_kind_is_named_and_not_saved(
    fund, partner, gina_client, field, value, message
):
    data = {
        "organisation": partner.pk,
        "description": "Free hall hire",
        "value": "100",
        "starts_on": "1/4/2026",
        "ends_on": "",
    }
    data[field] = value
    response = gina_client.post(reverse("grants:fund_in_kind", args=[fund.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'href="#id_{field}"' in page and message in page
    assert not InKindSupport.objects.exists()
