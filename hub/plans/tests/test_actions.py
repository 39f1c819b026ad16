"""Action plans: the list, a plan's page, adding and changing actions, dependencies, tags,
the change log, and who may do what."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from hub.conftest import signed_in
from hub.plans.models import Action, Aim, Plan
from hub.plans.services.actions import (
    action_create,
    action_edit,
    aim_get_or_create,
    plan_create,
    progress_record,
)
from hub.strategy.models import Element
from hub.strategy.selectors import tags_for
from hub.strategy.services import strategy_load_pack
from hub.testing.factories import as_actor


def _action(plan, manager, description, *, aim="Engage residents", **fields) -> Action:
    aim_obj, _ = aim_get_or_create(plan=plan, title=aim)
    return action_create(
        actor=as_actor(manager), plan=plan, aim=aim_obj, description=description, **fields
    )


def _form(plan, **overrides) -> dict:
    data = {
        "description": "Map community engagement across the borough",
        "new_aim": "Understand community engagement",
        "leadership": "Co-production team",
        "timescale": "August/September 2020",
        "starts_on": "",
        "ends_on": "",
        "outcomes": "A clear picture of what has worked",
        "status": "not_started",
        "update_every_days": "30",
    }
    data.update(overrides)
    return data


@pytest.fixture
def chesterfield(db):
    return strategy_load_pack(name="chesterfield-2020").strategy


# The list of plans --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dora"])
def test_every_member_sees_the_list_of_plans(request, who, plan, pete):
    _action(plan, pete, "Map engagement", status="on_track")
    client = request.getfixturevalue(f"{who}_client")
    response = client.get(reverse("plans:plan_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Compassionate communities" in page
    assert ("Add a plan" in page) is (who == "alice")


def test_someone_with_no_role_cannot_see_plans(db, plan):
    from hub.testing.factories import UserFactory

    assert signed_in(UserFactory()).get(reverse("plans:plan_list")).status_code == 403


def test_the_list_of_plans_costs_a_fixed_number_of_queries(
    dora_client, council, pete, django_assert_max_num_queries
):
    for n in range(15):
        plan = Plan.objects.create(name=f"Plan {n}", slug=f"plan-{n}", organisation=council)
        for m in range(3):
            _action(plan, pete, f"Action {m}", aim=f"Aim {m % 2}")
    with django_assert_max_num_queries(8):
        response = dora_client.get(reverse("plans:plan_list"))
    assert len(response.context["plans"]) == 15
    assert response.context["plans"][0].n_actions == 3


# Adding a plan ------------------------------------------------------------------------------


def test_a_plan_owner_adds_a_plan(pete, council):
    response = signed_in(pete).post(
        reverse("plans:plan_add"), {"name": "Recovery plan 2021", "description": "For the board"}
    )
    plan = Plan.objects.get(name="Recovery plan 2021")
    assert response["Location"] == reverse("plans:plan_detail", args=[plan.slug])
    assert plan.organisation == council
    assert plan.slug == "recovery-plan-2021"


@pytest.mark.parametrize("who", ["bob", "charlie", "dora"])
def test_others_cannot_add_a_plan(request, who):
    client = request.getfixturevalue(f"{who}_client")
    assert client.get(reverse("plans:plan_add")).status_code == 403
    assert client.post(reverse("plans:plan_add"), {"name": "Sneaky"}).status_code == 403
    assert not Plan.objects.exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required"),
        ("   ", "This field is required"),
        ("x" * 201, "at most 200 characters"),
        ("Compassionate Communities", "There is already a plan called"),
    ],
)
def test_adding_a_plan_names_the_bad_field_and_saves_nothing(alice_client, plan, name, message):
    response = alice_client.post(reverse("plans:plan_add"), {"name": name})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_name"' in page and message in page
    assert "<title>Error: " in page
    assert Plan.objects.count() == 1


def test_a_plan_name_that_is_a_page_address_gets_another_slug(alice):
    plan = plan_create(actor=as_actor(alice), name="Add")
    assert plan.slug == "add-plan"
    again = plan_create(actor=as_actor(alice), name="Add!")
    assert again.slug == "add-plan-2"


def test_hostile_text_in_a_plan_is_shown_as_text(alice_client):
    alice_client.post(reverse("plans:plan_add"), {"name": "<script>alert(1)</script>"})
    plan = Plan.objects.get()
    page = alice_client.get(reverse("plans:plan_detail", args=[plan.slug])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# A plan's page ------------------------------------------------------------------------------


def test_a_plans_page_shows_aims_in_order_with_their_actions(dora_client, plan, pete):
    _action(plan, pete, "Map what engagement has happened", aim="Understand engagement")
    _action(
        plan,
        pete,
        "Consult residents",
        aim="Identify community researchers",
        leadership="Co-production team",
        timescale="Completed by end November 2020",
        outcomes="Residents' views known",
        status="at_risk",
    )
    _action(plan, pete, "Review third sector offer", aim="Understand engagement")
    response = dora_client.get(reverse("plans:plan_detail", args=[plan.slug]))
    assert response.status_code == 200
    tree = response.context["tree"]
    assert [row.aim.title for row in tree] == [
        "Understand engagement",
        "Identify community researchers",
    ]
    assert [a.description for a in tree[0].actions] == [
        "Map what engagement has happened",
        "Review third sector offer",
    ]
    page = response.content.decode()
    assert "Completed by end November 2020" in page
    assert "By 30 November 2020" in page
    assert "Co-production team" in page and "Residents&#x27; views known" in page
    assert '<strong class="govuk-tag govuk-tag--yellow">At risk</strong>' in page
    counts = {value: n for value, _, _, n in response.context["counts"]}
    assert counts == {"not_started": 2, "on_track": 0, "at_risk": 1, "off_track": 0, "complete": 0}


def test_a_plans_page_filters_by_status(alice_client, plan, pete):
    _action(plan, pete, "Slipping action", status="off_track")
    _action(plan, pete, "Fine action", status="on_track")
    response = alice_client.get(
        reverse("plans:plan_detail", args=[plan.slug]), {"status": "off_track"}
    )
    shown = [a.description for row in response.context["tree"] for a in row.actions]
    assert shown == ["Slipping action"]
    assert "Showing 1 of 2 actions" in response.content.decode()


def test_a_plans_page_ignores_a_bad_filter(alice_client, plan, pete):
    _action(plan, pete, "Fine action")
    response = alice_client.get(
        reverse("plans:plan_detail", args=[plan.slug]), {"status": "<script>", "tag": "x"}
    )
    assert response.status_code == 200
    assert len(response.context["tree"][0].actions) == 1


def test_a_plans_page_filters_by_priority_or_enabler(alice_client, plan, pete, chesterfield):
    young = Element.objects.get(strategy=chesterfield, kind="priority", slug="young-people")
    data = Element.objects.get(
        strategy=chesterfield, kind="enabler", slug="be-data-and-insight-led"
    )
    _action(plan, pete, "Youth voice panel", priorities=[young], enablers=[data])
    _action(plan, pete, "Untagged action")
    url = reverse("plans:plan_detail", args=[plan.slug])
    response = alice_client.get(url, {"tag": young.pk})
    shown = [a.description for row in response.context["tree"] for a in row.actions]
    assert shown == ["Youth voice panel"]
    page = response.content.decode()
    assert "Young people" in page and "Be data and insight led" in page
    response = alice_client.get(url, {"tag": data.pk})
    assert [a.description for row in response.context["tree"] for a in row.actions] == [
        "Youth voice panel"
    ]


def test_a_plans_page_costs_a_fixed_number_of_queries(
    alice_client, plan, pete, chesterfield, django_assert_max_num_queries
):
    priority = Element.objects.filter(strategy=chesterfield, kind="priority").first()
    first = _action(plan, pete, "First", priorities=[priority])
    for n in range(30):
        action = _action(plan, pete, f"Action {n}", aim=f"Aim {n % 5}", priorities=[priority])
        action_edit(actor=as_actor(pete), action=action, depends_on=[first])
        progress_record(actor=as_actor(pete), action=action, status="on_track", note=f"Note {n}")
    with django_assert_max_num_queries(14):
        response = alice_client.get(reverse("plans:plan_detail", args=[plan.slug]))
    assert sum(len(row.actions) for row in response.context["tree"]) == 31
    assert "Note 29" in response.content.decode()


def test_an_unknown_plan_is_not_found(alice_client):
    assert alice_client.get(reverse("plans:plan_detail", args=["nope"])).status_code == 404


# Adding and changing actions ----------------------------------------------------------------


def test_a_plan_manager_adds_an_action_with_dates_read_from_the_timescale(pete, plan, bob, partner):
    response = signed_in(pete).post(
        reverse("plans:action_add", args=[plan.slug]),
        _form(plan, owner=bob.pk, lead_organisation=partner.pk),
    )
    action = Action.objects.get()
    assert response["Location"] == reverse("plans:action_detail", args=[action.pk])
    assert action.aim.title == "Understand community engagement"
    assert action.timescale == "August/September 2020"
    assert (action.starts_on, action.ends_on) == (date(2020, 8, 1), date(2020, 9, 30))
    assert action.owner == bob and action.lead_organisation == partner
    assert action.next_update_due == timezone.localdate() + timedelta(days=30)


def test_dates_given_win_over_the_timescale(pete, plan):
    signed_in(pete).post(
        reverse("plans:action_add", args=[plan.slug]),
        _form(plan, timescale="Ongoing", starts_on="1/10/2020", ends_on=""),
    )
    action = Action.objects.get()
    assert (action.timescale, action.starts_on, action.ends_on) == (
        "Ongoing",
        date(2020, 10, 1),
        None,
    )


def test_an_action_goes_under_an_existing_aim(alice_client, plan, pete):
    existing = _action(plan, pete, "First").aim
    alice_client.post(
        reverse("plans:action_add", args=[plan.slug]),
        _form(plan, new_aim="", aim=existing.pk, description="Second"),
    )
    assert list(existing.actions.values_list("description", flat=True)) == ["First", "Second"]
    assert Aim.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"description": ""}, "description"),
        ({"description": "x" * 5001}, "description"),
        ({"new_aim": ""}, "aim"),
        ({"new_aim": "x" * 501}, "new_aim"),
        ({"starts_on": "31/02/2021"}, "starts_on"),
        ({"ends_on": "next tuesday"}, "ends_on"),
        ({"starts_on": "1/12/2020", "ends_on": "1/11/2020"}, "ends_on"),
        ({"status": "finished"}, "status"),
        ({"update_every_days": "0"}, "update_every_days"),
        ({"update_every_days": "99999999999"}, "update_every_days"),
        ({"timescale": "x" * 201}, "timescale"),
        ({"leadership": "x" * 301}, "leadership"),
        ({"owner": "999999"}, "owner"),
        ({"lead_organisation": "<script>"}, "lead_organisation"),
    ],
)
def test_adding_an_action_names_the_bad_field_and_saves_nothing(
    alice_client, plan, overrides, field
):
    response = alice_client.post(
        reverse("plans:action_add", args=[plan.slug]), _form(plan, **overrides)
    )
    assert response.status_code == 400
    assert f'href="#id_{field}' in response.content.decode()
    assert not Action.objects.exists()


def test_choosing_an_aim_and_naming_a_new_one_is_refused(alice_client, plan, pete):
    aim = _action(plan, pete, "First").aim
    response = alice_client.post(
        reverse("plans:action_add", args=[plan.slug]), _form(plan, aim=aim.pk)
    )
    assert response.status_code == 400
    assert "not both" in response.content.decode()
    assert Action.objects.count() == 1


def test_an_owner_must_work_with_the_hub(alice, plan):
    from hub.testing.factories import UserFactory

    stranger = UserFactory(email="stranger@example.org")
    aim, _ = aim_get_or_create(plan=plan, title="Aim")
    with pytest.raises(ValidationError) as caught:
        action_create(actor=as_actor(alice), plan=plan, aim=aim, description="X", owner=stranger)
    assert "owner" in caught.value.message_dict
    assert not Action.objects.exists()


def test_hostile_text_in_an_action_is_shown_as_text(alice_client, plan, pete):
    action = _action(plan, pete, "<script>alert('x')</script>", leadership="<b>Boss</b>")
    page = alice_client.get(reverse("plans:action_detail", args=[action.pk])).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<b>Boss</b>" not in page


@pytest.mark.parametrize("who", ["bob", "charlie", "dora"])
def test_others_cannot_add_or_change_actions(request, who, plan, pete):
    action = _action(plan, pete, "Original")
    client = request.getfixturevalue(f"{who}_client")
    add = reverse("plans:action_add", args=[plan.slug])
    edit = reverse("plans:action_edit", args=[action.pk])
    assert client.get(add).status_code == 403
    assert client.post(add, _form(plan, description="Sneaky")).status_code == 403
    assert client.get(edit).status_code == 403
    assert client.post(edit, _form(plan, description="Changed")).status_code == 403
    action.refresh_from_db()
    assert action.description == "Original"
    assert Action.objects.count() == 1


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dora"])
def test_every_member_reads_an_action_and_its_history(request, who, plan, pete):
    action = _action(plan, pete, "Map engagement", timescale="October 2020")
    action_edit(actor=as_actor(pete), action=action, timescale="October-December 2020")
    progress_record(actor=as_actor(pete), action=action, status="on_track", note="Survey sent")
    client = request.getfixturevalue(f"{who}_client")
    response = client.get(reverse("plans:action_detail", args=[action.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Survey sent" in page
    assert "October 2020 → October-December 2020" in page
    assert "by Pete Patel" in page
    assert ("Change the action" in page) is (who == "alice")


def test_editing_shows_the_current_values(alice_client, plan, pete):
    action = _action(plan, pete, "Map engagement", timescale="October 2020")
    page = alice_client.get(reverse("plans:action_edit", args=[action.pk])).content.decode()
    assert "Map engagement" in page and 'value="October 2020"' in page
    assert 'value="01/10/2020"' in page


def test_changing_the_timescale_moves_dates_read_from_it_but_not_dates_given(plan, pete):
    action = _action(plan, pete, "Map engagement", timescale="October 2020")
    other = _action(plan, pete, "Given end", timescale="October 2020", ends_on=date(2021, 6, 30))
    action_edit(actor=as_actor(pete), action=action, timescale="Q1 2021")
    action_edit(actor=as_actor(pete), action=other, timescale="Q1 2021")
    action.refresh_from_db()
    other.refresh_from_db()
    assert (action.starts_on, action.ends_on) == (date(2021, 1, 1), date(2021, 3, 31))
    assert (other.starts_on, other.ends_on) == (date(2021, 1, 1), date(2021, 6, 30))


def test_a_date_read_from_the_text_gives_way_to_a_date_given(plan, pete):
    action = _action(plan, pete, "Map engagement", timescale="Q1 2021", ends_on=date(2020, 12, 24))
    assert (action.starts_on, action.ends_on) == (None, date(2020, 12, 24))


def test_a_plan_manager_edits_an_action_on_the_page(alice_client, plan, pete, chesterfield):
    action = _action(plan, pete, "Map engagement")
    priority = Element.objects.filter(strategy=chesterfield, kind="priority").first()
    enabler = Element.objects.filter(strategy=chesterfield, kind="enabler").first()
    response = alice_client.post(
        reverse("plans:action_edit", args=[action.pk]),
        _form(
            plan,
            new_aim="",
            aim=action.aim_id,
            description="Map engagement, ward by ward",
            status="on_track",
            update_every_days="14",
            priorities=[priority.pk],
            enablers=[enabler.pk],
        ),
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.description == "Map engagement, ward by ward"
    assert action.status == "on_track" and action.update_every_days == 14
    assert set(tags_for(action)) == {priority, enabler}


def test_elements_of_another_kind_or_strategy_are_refused(alice, plan, chesterfield):
    impact = Element.objects.filter(strategy=chesterfield, kind="impact_area").first()
    aim, _ = aim_get_or_create(plan=plan, title="Aim")
    with pytest.raises(ValidationError) as caught:
        action_create(
            actor=as_actor(alice), plan=plan, aim=aim, description="X", priorities=[impact]
        )
    assert "priorities" in caught.value.message_dict


def test_tags_to_other_kinds_survive_an_edit(alice, plan, pete, chesterfield):
    from hub.strategy.services import tags_set

    impact = Element.objects.filter(strategy=chesterfield, kind="impact_area").first()
    priority = Element.objects.filter(strategy=chesterfield, kind="priority").first()
    action = _action(plan, pete, "Tagged elsewhere")
    tags_set(obj=action, elements=[impact])
    action_edit(actor=as_actor(alice), action=action, priorities=[priority], enablers=[])
    assert set(tags_for(action)) == {impact, priority}


# Dependencies -------------------------------------------------------------------------------


def test_an_action_depends_on_others_of_its_plan(alice_client, plan, pete):
    first = _action(plan, pete, "Consult residents")
    second = _action(plan, pete, "Write the plan")
    alice_client.post(
        reverse("plans:action_edit", args=[second.pk]),
        _form(
            plan, new_aim="", aim=second.aim_id, description="Write the plan", depends_on=[first.pk]
        ),
    )
    assert list(second.depends_on.all()) == [first]
    page = alice_client.get(reverse("plans:action_detail", args=[first.pk])).content.decode()
    assert "Needed by" in page


def test_a_circle_of_dependencies_is_refused_with_the_chain(alice_client, plan, pete):
    first = _action(plan, pete, "Consult residents")
    second = _action(plan, pete, "Analyse the responses")
    third = _action(plan, pete, "Write the plan")
    action_edit(actor=as_actor(pete), action=second, depends_on=[first])
    action_edit(actor=as_actor(pete), action=third, depends_on=[second])
    response = alice_client.post(
        reverse("plans:action_edit", args=[first.pk]),
        _form(
            plan,
            new_aim="",
            aim=first.aim_id,
            description="Consult residents",
            depends_on=[third.pk],
        ),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_depends_on' in page
    assert "circle" in page
    assert "‘Write the plan’ → ‘Analyse the responses’" in page
    assert not first.depends_on.exists()


def test_an_action_cannot_depend_on_itself_or_another_plans_action(alice, plan, pete, council):
    action = _action(plan, pete, "Consult residents")
    other_plan = Plan.objects.create(name="Other", slug="other", organisation=council)
    elsewhere = _action(other_plan, pete, "Elsewhere")
    for depends_on, message in (([action], "itself"), ([elsewhere], "same plan")):
        with pytest.raises(ValidationError) as caught:
            action_edit(actor=as_actor(alice), action=action, depends_on=depends_on)
        assert message in caught.value.message_dict["depends_on"][0]
    assert not action.depends_on.exists()


def test_the_form_offers_only_the_plans_other_actions(alice_client, plan, pete, council):
    action = _action(plan, pete, "Consult residents")
    sibling = _action(plan, pete, "Write the plan")
    other_plan = Plan.objects.create(name="Other", slug="other", organisation=council)
    _action(other_plan, pete, "Elsewhere")
    form = alice_client.get(reverse("plans:action_edit", args=[action.pk])).context["form"]
    assert list(form.fields["depends_on"].queryset) == [sibling]
