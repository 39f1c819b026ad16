"""The risk register: who reads and changes it, scales, heat maps and change history.

The three risks are those of Chesterfield's recovery report to Cabinet (section 10.0),
typed in here: High/Medium → High/Low, High/Medium → High/Low, High/High → High/Medium.
"""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from hub.conftest import signed_in
from hub.organisations.models import Role
from hub.plans.heatmap import heat_map
from hub.plans.models import Action, Aim, Plan, Risk, RiskRegister
from hub.plans.services import risks as services
from hub.testing.factories import MembershipFactory, UserFactory, as_actor

HIGH, MEDIUM, LOW = 3, 2, 1

CHESTERFIELD_RISKS = [
    {
        "title": "Partners are not able to work constructively together",
        "category": "Partnership",
        "impact_before": HIGH,
        "likelihood_before": MEDIUM,
        "mitigation": (
            "Chesterfield has a history of very successful working through collaborative "
            "relationship building. A continued focus on the need to maintain strong and "
            "resilient partnerships will be required."
        ),
        "impact_after": HIGH,
        "likelihood_after": LOW,
    },
    {
        "title": (
            "Service delivery and work programmes are not aligned with the targeted priorities "
            "and no progress is made to mitigate the widening inequality gap"
        ),
        "category": "Delivery",
        "impact_before": HIGH,
        "likelihood_before": MEDIUM,
        "mitigation": (
            "Portfolio holders and CMT provide a leadership role to the organisation and "
            "develop policies and guidelines to support staff"
        ),
        "impact_after": HIGH,
        "likelihood_after": LOW,
    },
    {
        "title": (
            "Resource constraints for organisations across Chesterfield lead to lack of "
            "engagement in the priorities and recovery approach"
        ),
        "category": "Resources",
        "impact_before": HIGH,
        "likelihood_before": HIGH,
        "mitigation": (
            "Partners will need to work together to identify resources and support one "
            "another where possible."
        ),
        "impact_after": HIGH,
        "likelihood_after": MEDIUM,
    },
]


def add_chesterfield_risks(register, actor, *, owner=None, review_on=None) -> list[Risk]:
    """The three Chesterfield risks on ``register``, added through the service."""
    return [
        services.risk_create(
            actor=as_actor(actor),
            register=register,
            owner=owner,
            review_on=review_on,
            trend=Risk.Trend.STABLE,
            is_open=True,
            **values,
        )
        for values in CHESTERFIELD_RISKS
    ]


def risk_post(**overrides) -> dict:
    data = {
        "title": "Volunteers drift away as furlough ends",
        "category": "Volunteering",
        "owner": "",
        "impact_before": str(HIGH),
        "likelihood_before": str(MEDIUM),
        "mitigation": "Keep in touch with every volunteer monthly",
        "impact_after": str(MEDIUM),
        "likelihood_after": str(LOW),
        "review_on": "",
        "trend": "stable",
        "status": "open",
    }
    data.update(overrides)
    return data


@pytest.fixture
def risks(register, pete):
    return add_chesterfield_risks(register, pete)


@pytest.fixture
def pete_client(pete):
    return signed_in(pete)


@pytest.fixture
def action(plan):
    aim = Aim.objects.create(plan=plan, title="Build strong partnerships")
    return Action.objects.create(
        aim=aim, description="Hold a monthly partners' forum", status=Action.Status.ON_TRACK
    )


# Reading.


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dora"])
def test_it_lets_every_member_read_registers_and_risks(request, who, register, risks):
    client = request.getfixturevalue(f"{who}_client")
    listing = client.get(reverse("plans:register_list"))
    assert listing.status_code == 200
    assert "Recovery risks" in listing.content.decode()
    detail = client.get(reverse("plans:register_detail", args=[register.slug]))
    assert detail.status_code == 200
    assert "Partners are not able to work constructively together" in detail.content.decode()
    assert client.get(reverse("plans:risk_detail", args=[risks[0].pk])).status_code == 200


def test_it_refuses_people_with_no_role(register):
    client = signed_in(UserFactory(email="nobody@example.org"))
    assert client.get(reverse("plans:register_list")).status_code == 403
    assert client.get(reverse("plans:register_detail", args=[register.slug])).status_code == 403


def test_it_answers_404_for_registers_and_risks_that_do_not_exist(alice_client):
    assert alice_client.get(reverse("plans:register_detail", args=["nope"])).status_code == 404
    assert alice_client.get(reverse("plans:risk_detail", args=[99999])).status_code == 404


def test_it_lists_registers_with_counts_in_a_fixed_number_of_queries(
    dora_client, council, register, risks, django_assert_max_num_queries
):
    for n in range(15):
        RiskRegister.objects.create(
            name=f"Register {n}", slug=f"register-{n}", organisation=council
        )
    with django_assert_max_num_queries(8):
        response = dora_client.get(reverse("plans:register_list"))
    assert len(response.context["registers"]) == 16
    row = next(r for r in response.context["registers"] if r.pk == register.pk)
    assert row.open_count == 3


def test_the_register_page_costs_the_same_queries_for_3_risks_or_30(
    dora_client, register, pete, action, django_assert_max_num_queries
):
    add_chesterfield_risks(register, pete)
    for risk in Risk.objects.all():
        risk.mitigating_actions.add(action)
    url = reverse("plans:register_detail", args=[register.slug])
    with django_assert_max_num_queries(10):
        dora_client.get(url)
    for _ in range(9):
        add_chesterfield_risks(register, pete, owner=pete)
    with django_assert_max_num_queries(10):
        response = dora_client.get(url)
    assert len(response.context["rows"]) == 30


def test_it_shows_three_point_levels_as_words_with_the_score(dora_client, register, risks):
    page = dora_client.get(reverse("plans:register_detail", args=[register.slug])).content.decode()
    assert "Impact High, likelihood Medium" in page
    assert "Score 6 (high)" in page
    assert "Impact High, likelihood Low" in page
    assert "Score 3 (medium)" in page
    assert "Score 9 (high)" in page


def test_it_shows_five_point_levels_as_numbers(dora_client, council, pete):
    five = RiskRegister.objects.create(
        name="Matrix risks", slug="matrix", organisation=council, scale=RiskRegister.Scale.FIVE
    )
    services.risk_create(
        actor=as_actor(pete),
        register=five,
        title="Data breach",
        category="",
        owner=None,
        impact_before=5,
        likelihood_before=4,
        mitigation="Training",
        impact_after=4,
        likelihood_after=2,
        review_on=None,
        trend="improving",
        is_open=True,
    )
    page = dora_client.get(reverse("plans:register_detail", args=[five.slug])).content.decode()
    assert "Impact 5, likelihood 4" in page
    assert "Score 20 (very high)" in page
    assert "Impact 4, likelihood 2" in page


def test_it_highlights_reviews_that_are_overdue(dora_client, register, pete):
    today = timezone.localdate()
    late, on_time, _ = add_chesterfield_risks(register, pete)
    Risk.objects.filter(pk=late.pk).update(review_on=today - timedelta(days=1))
    Risk.objects.filter(pk=on_time.pk).update(review_on=today + timedelta(days=30))
    response = dora_client.get(reverse("plans:register_detail", args=[register.slug]))
    overdue = {row["risk"].pk: row["overdue"] for row in response.context["rows"]}
    assert overdue[late.pk] is True
    assert overdue[on_time.pk] is False
    assert response.content.decode().count("Review overdue") == 1
    listing = dora_client.get(reverse("plans:register_list")).content.decode()
    assert "1 overdue" in listing


def test_it_shows_linked_actions_with_their_status(dora_client, register, pete, action):
    risk = add_chesterfield_risks(register, pete)[0]
    risk.mitigating_actions.add(action)
    page = dora_client.get(reverse("plans:risk_detail", args=[risk.pk])).content.decode()
    assert "Hold a monthly partners&#x27; forum" in page
    assert "On track" in page


# Heat maps.


def _cells(heat):
    return {(c.impact, c.likelihood): c.count for row in heat.rows for c in row.cells}


def test_the_heat_maps_count_the_chesterfield_risks_before_and_after(dora_client, register, risks):
    response = dora_client.get(reverse("plans:register_detail", args=[register.slug]))
    before, after = response.context["before"], response.context["after"]
    assert _cells(before) == {
        (i, li): {(HIGH, MEDIUM): 2, (HIGH, HIGH): 1}.get((i, li), 0)
        for i in (1, 2, 3)
        for li in (1, 2, 3)
    }
    assert _cells(after)[HIGH, LOW] == 2
    assert _cells(after)[HIGH, MEDIUM] == 1
    assert after.total == 3
    # The table beside each map holds the same numbers, impact High first.
    assert [row.impact_label for row in before.rows] == ["High", "Medium", "Low"]
    assert [c.count for c in before.rows[0].cells] == [0, 2, 1]
    page = response.content.decode()
    assert page.count('role="img"') == 2
    assert "open risks before mitigation: number of risks by impact and likelihood" in page


def test_closed_risks_leave_the_heat_maps(dora_client, register, risks):
    Risk.objects.filter(pk=risks[2].pk).update(is_open=False)
    response = dora_client.get(reverse("plans:register_detail", args=[register.slug]))
    assert _cells(response.context["before"])[HIGH, HIGH] == 0
    assert "Closed" in response.content.decode()


def test_the_heat_map_svg_stands_alone_and_is_labelled():
    heat = heat_map(
        pairs=[(3, 2), (3, 2), (3, 3)],
        scale_max=3,
        title="Risks <script>alert(1)</script>",
        id_prefix="test-map",
    )
    svg = str(heat.svg)
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert 'aria-labelledby="test-map-title test-map-desc"' in svg
    assert '<title id="test-map-title">Risks &lt;script&gt;' in svg
    assert '<desc id="test-map-desc">' in svg
    # Nothing the SVG needs from outside: no classes, styles, scripts or links.
    for forbidden in ("class=", "style", "<script", "href", "url("):
        assert forbidden not in svg, forbidden
    assert "Impact High, likelihood Medium: 2 risks (score 6, high)" in svg
    assert "High (score 6 to 9)" in svg  # the key
    assert "3 risks in all" in heat.description


def test_the_heat_map_draws_a_five_by_five_grid():
    heat = heat_map(pairs=[(5, 5), (1, 1), (9, 9)], scale_max=5, title="Five", id_prefix="five")
    assert len(heat.rows) == 5 and all(len(row.cells) == 5 for row in heat.rows)
    assert heat.total == 2  # off the scale cannot be placed
    assert heat.rows[0].cells[4].band.name == "Very high"
    assert str(heat.svg).count("<rect") == 25 + 4  # cells and the key's swatches


# Adding registers.


@pytest.mark.parametrize("who", ["bob", "charlie", "dora"])
def test_it_refuses_adding_registers_to_all_but_plan_managers(request, who):
    client = request.getfixturevalue(f"{who}_client")
    assert client.get(reverse("plans:register_add")).status_code == 403
    response = client.post(reverse("plans:register_add"), {"name": "Mine", "scale": "three"})
    assert response.status_code == 403
    assert not RiskRegister.objects.filter(name="Mine").exists()


def test_a_plan_manager_adds_a_five_by_five_register(pete_client, plan, council):
    response = pete_client.post(
        reverse("plans:register_add"),
        {"name": "Borough recovery risks", "scale": "five", "plan": plan.pk},
    )
    register = RiskRegister.objects.get(name="Borough recovery risks")
    assert response["Location"] == reverse("plans:register_detail", args=[register.slug])
    assert register.scale_max == 5
    assert register.organisation == council
    assert register.plan == plan


def test_adding_a_register_names_each_bad_field_and_saves_nothing(pete_client):
    response = pete_client.post(
        reverse("plans:register_add"), {"name": "", "scale": "seven", "plan": "999999"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    for anchor in ("#id_name", "#id_scale_0", "#id_plan"):
        assert f'href="{anchor}"' in page, anchor
    assert page.startswith("<!DOCTYPE html>") and "<title>Error: " in page
    assert RiskRegister.objects.count() == 0


def test_adding_a_register_refuses_a_huge_name(pete_client):
    response = pete_client.post(
        reverse("plans:register_add"), {"name": "R" * 5000, "scale": "three"}
    )
    assert response.status_code == 400
    assert 'href="#id_name"' in response.content.decode()
    assert RiskRegister.objects.count() == 0


def test_a_hostile_register_name_is_shown_as_text(pete_client, dora_client):
    pete_client.post(
        reverse("plans:register_add"), {"name": "<script>alert(1)</script>", "scale": "three"}
    )
    register = RiskRegister.objects.get()
    page = dora_client.get(reverse("plans:register_detail", args=[register.slug])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# Adding and changing risks.


@pytest.mark.parametrize("who", ["bob", "charlie", "dora"])
def test_it_refuses_adding_risks_to_all_but_plan_managers(request, who, register):
    client = request.getfixturevalue(f"{who}_client")
    url = reverse("plans:risk_add", args=[register.slug])
    assert client.get(url).status_code == 403
    assert client.post(url, risk_post()).status_code == 403
    assert not Risk.objects.exists()


def test_a_plan_manager_adds_a_risk_with_its_mitigating_actions(pete_client, register, action):
    response = pete_client.post(
        reverse("plans:risk_add", args=[register.slug]),
        risk_post(mitigating_actions=[action.pk], review_on="1/3/2026", trend="worsening"),
    )
    risk = Risk.objects.get()
    assert response["Location"] == reverse("plans:risk_detail", args=[risk.pk])
    assert (risk.impact_before, risk.likelihood_before) == (HIGH, MEDIUM)
    assert (risk.impact_after, risk.likelihood_after) == (MEDIUM, LOW)
    assert list(risk.mitigating_actions.all()) == [action]
    assert str(risk.review_on) == "2026-03-01"
    assert risk.trend == "worsening" and risk.is_open


def test_the_risk_form_offers_the_registers_own_scale(pete_client, register):
    page = pete_client.get(reverse("plans:risk_add", args=[register.slug])).content.decode()
    assert re.search(r'name="impact_before" value="3"', page)
    assert not re.search(r'name="impact_before" value="4"', page)
    assert ">High</label>" in page and ">Low</label>" in page


def test_a_four_on_a_three_point_register_is_refused_naming_the_field(pete_client, register):
    response = pete_client.post(
        reverse("plans:risk_add", args=[register.slug]), risk_post(impact_before="4")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_impact_before_0"' in page
    assert "Impact before mitigation must be High, Medium or Low" in page
    assert not Risk.objects.exists()


def test_the_service_refuses_levels_off_the_registers_scale(register, pete):
    values = {**CHESTERFIELD_RISKS[0], "likelihood_after": 4, "impact_before": 0}
    with pytest.raises(ValidationError) as caught:
        services.risk_create(
            actor=as_actor(pete),
            register=register,
            owner=None,
            review_on=None,
            trend="stable",
            is_open=True,
            **values,
        )
    assert set(caught.value.message_dict) == {"likelihood_after", "impact_before"}
    assert caught.value.message_dict["likelihood_after"] == [
        "Likelihood after mitigation must be High, Medium or Low"
    ]
    assert not Risk.objects.exists()


def test_a_five_point_register_takes_five_but_not_six(pete_client, council):
    five = RiskRegister.objects.create(
        name="Matrix", slug="matrix", organisation=council, scale=RiskRegister.Scale.FIVE
    )
    url = reverse("plans:risk_add", args=[five.slug])
    refused = pete_client.post(url, risk_post(likelihood_after="6", impact_before="5"))
    assert refused.status_code == 400
    assert "Likelihood after mitigation must be a whole number from 1 to 5" in (
        refused.content.decode()
    )
    assert not Risk.objects.exists()
    assert pete_client.post(url, risk_post(impact_before="5")).status_code == 302
    assert Risk.objects.get().impact_before == 5


def test_bad_risk_input_is_named_and_nothing_is_saved(pete_client, register):
    response = pete_client.post(
        reverse("plans:risk_add", args=[register.slug]),
        risk_post(
            title="",
            category="c" * 500,
            impact_after="",
            review_on="31/02/2026",
            trend="sideways",
            status="maybe",
            owner="abc",
            mitigating_actions=["999999"],
        ),
    )
    assert response.status_code == 400
    page = response.content.decode()
    for anchor in (
        "id_title",
        "id_category",
        "id_owner",
        "id_impact_after_0",
        "id_mitigating_actions_0",
        "id_review_on",
        "id_trend_0",
        "id_status_0",
    ):
        assert f'href="#{anchor}"' in page, anchor
    assert not Risk.objects.exists()


def test_a_risk_from_another_plan_cannot_be_linked(register, pete, council):
    other = Plan.objects.create(name="Other", slug="other", organisation=council)
    elsewhere = Action.objects.create(
        aim=Aim.objects.create(plan=other, title="Elsewhere"), description="Not ours"
    )
    with pytest.raises(ValidationError) as caught:
        services.risk_create(
            actor=as_actor(pete),
            register=register,
            owner=None,
            review_on=None,
            trend="stable",
            is_open=True,
            mitigating_actions=[elsewhere],
            **CHESTERFIELD_RISKS[0],
        )
    assert "mitigating_actions" in caught.value.message_dict
    assert not Risk.objects.exists()


def test_a_hostile_risk_title_is_shown_as_text(pete_client, dora_client, register):
    pete_client.post(
        reverse("plans:risk_add", args=[register.slug]),
        risk_post(title='<script>alert("x")</script>'),
    )
    risk = Risk.objects.get()
    for url in (
        reverse("plans:risk_detail", args=[risk.pk]),
        reverse("plans:register_detail", args=[register.slug]),
    ):
        page = dora_client.get(url).content.decode()
        assert '<script>alert("x")</script>' not in page
        assert "&lt;script&gt;" in page


@pytest.fixture
def owner(council):
    """A plan owner's colleague who owns one risk but manages nothing."""
    user = UserFactory(email="olu@example.org", full_name="Olu Owens")
    MembershipFactory(user=user, organisation=council, role=Role.CASEWORKER)
    return user


def test_a_risk_owner_changes_their_own_risk_but_not_others(register, pete, owner):
    mine, theirs, _ = add_chesterfield_risks(register, pete)
    Risk.objects.filter(pk=mine.pk).update(owner=owner)
    client = signed_in(owner)
    ok = client.post(
        reverse("plans:risk_edit", args=[mine.pk]),
        risk_post(title=mine.title, owner=owner.pk, likelihood_after=str(MEDIUM)),
    )
    assert ok.status_code == 302
    mine.refresh_from_db()
    assert mine.likelihood_after == MEDIUM
    refused = client.post(reverse("plans:risk_edit", args=[theirs.pk]), risk_post())
    assert refused.status_code == 403
    assert client.get(reverse("plans:risk_edit", args=[theirs.pk])).status_code == 403
    theirs.refresh_from_db()
    assert theirs.title == CHESTERFIELD_RISKS[1]["title"]


def test_a_risk_owner_cannot_give_their_risk_away(register, pete, owner):
    mine = add_chesterfield_risks(register, pete, owner=owner)[0]
    client = signed_in(owner)
    client.post(reverse("plans:risk_edit", args=[mine.pk]), risk_post(owner=pete.pk))
    mine.refresh_from_db()
    assert mine.owner == owner  # the owner field is fixed for them
    with pytest.raises(ValidationError) as caught:
        services.risk_update(
            actor=as_actor(owner),
            risk=mine,
            title=mine.title,
            category="",
            owner=pete,
            impact_before=HIGH,
            likelihood_before=HIGH,
            mitigation="",
            impact_after=HIGH,
            likelihood_after=HIGH,
            review_on=None,
            trend="stable",
            is_open=True,
        )
    assert "owner" in caught.value.message_dict


@pytest.mark.parametrize("who", ["bob", "charlie", "dora"])
def test_others_cannot_change_a_risk(request, who, register, risks):
    client = request.getfixturevalue(f"{who}_client")
    url = reverse("plans:risk_edit", args=[risks[0].pk])
    assert client.get(url).status_code == 403
    assert client.post(url, risk_post(title="Changed")).status_code == 403
    risks[0].refresh_from_db()
    assert risks[0].title == CHESTERFIELD_RISKS[0]["title"]


def test_the_risk_page_shows_who_changed_what_and_when(pete_client, dora_client, register, risks):
    risk = risks[2]
    pete_client.post(
        reverse("plans:risk_edit", args=[risk.pk]),
        risk_post(
            title=risk.title,
            category="Resources",
            impact_before=str(HIGH),
            likelihood_before=str(HIGH),
            mitigation=risk.mitigation,
            impact_after=str(HIGH),
            likelihood_after=str(LOW),
            trend="improving",
        ),
    )
    history = dora_client.get(reverse("plans:risk_detail", args=[risk.pk])).context["history"]
    assert [h.kind for h in history] == ["Changed", "Added"]
    latest = history[0]
    assert latest.by == "Pete Patel"
    changed = {c.label: (c.old, c.new) for c in latest.changes}
    assert changed == {
        "Likelihood after mitigation": ("Medium", "Low"),
        "Trend": ("Stable", "Improving"),
    }
    page = dora_client.get(reverse("plans:risk_detail", args=[risk.pk])).content.decode()
    assert "Likelihood after mitigation: Medium → Low" in page
    assert "Added the risk" in page
