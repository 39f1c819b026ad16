"""Action plans over the REST API: reading plans and actions, progress updates one at a
time and in bulk (all or nothing), as a partner system would call them."""

import json

import pytest
from django.test import Client

from hub.accounts.services import api_token_create
from hub.organisations.models import Role
from hub.plans.models import Action, Plan, ProgressUpdate
from hub.plans.services.actions import action_create, action_edit, aim_get_or_create
from hub.strategy.services import strategy_load_pack
from hub.testing.factories import MembershipFactory, UserFactory, as_actor

PLANS = "/api/v1/plans/"
BULK = "/api/v1/actions/updates/"


def _api(user=None) -> Client:
    if user is None:
        return Client()
    return Client(headers={"Authorization": f"Token {api_token_create(user=user)}"})


def _post(client, path, body):
    return client.post(path, json.dumps(body), "application/json")


def _updates(pk: int) -> str:
    return f"/api/v1/actions/{pk}/updates/"


@pytest.fixture
def pete(council):
    user = UserFactory(email="pete@example.org", full_name="Pete Patel")
    MembershipFactory(user=user, organisation=council, role=Role.PLAN_OWNER)
    return user


@pytest.fixture
def plan(council):
    return Plan.objects.create(
        name="Compassionate communities", slug="compassionate-communities", organisation=council
    )


def _action(plan, manager, description, *, aim="Engage residents", **fields) -> Action:
    aim_obj, _ = aim_get_or_create(plan=plan, title=aim)
    return action_create(
        actor=as_actor(manager), plan=plan, aim=aim_obj, description=description, **fields
    )


@pytest.fixture
def bobs_action(plan, pete, bob):
    return _action(plan, pete, "Run the food bank survey", owner=bob, timescale="October 2020")


@pytest.fixture
def petes_action(plan, pete):
    return _action(plan, pete, "Write the plan", owner=pete, aim="Plan together")


# Reading ------------------------------------------------------------------------------------


def test_it_refuses_reading_plans_without_a_token(db, plan):
    assert _api().get(PLANS).status_code in (401, 403)


@pytest.mark.parametrize("who", ["bob", "charlie", "dora"])
def test_every_member_reads_the_plans_with_counts(request, who, bobs_action, petes_action):
    response = _api(request.getfixturevalue(who)).get(PLANS)
    assert response.status_code == 200
    (plan,) = response.json()["results"]
    assert plan["slug"] == "compassionate-communities"
    assert (plan["aims"], plan["actions"]) == (2, 2)
    assert plan["actions_by_status"]["not_started"] == 2


def test_it_lists_a_plans_actions_in_order_with_dates_dependencies_and_tags(
    dora, pete, bobs_action, petes_action, bob
):
    strategy = strategy_load_pack(name="chesterfield-2020").strategy
    priority = strategy.elements.filter(kind="priority").first()
    action_edit(
        actor=as_actor(pete), action=petes_action, depends_on=[bobs_action], priorities=[priority]
    )
    response = _api(dora).get(f"{PLANS}compassionate-communities/actions/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [a["id"] for a in results] == [bobs_action.pk, petes_action.pk]
    first = results[0]
    assert first["aim"] == "Engage residents"
    assert (first["timescale"], first["starts_on"], first["ends_on"]) == (
        "October 2020",
        "2020-10-01",
        "2020-10-31",
    )
    assert first["owner"] == bob.pk and first["status"] == "not_started"
    assert results[1]["depends_on"] == [bobs_action.pk]
    assert (first["tags"], results[1]["tags"]) == ([], [priority.pk])


def test_it_filters_actions_by_status_and_refuses_an_unknown_one(dora, bobs_action, petes_action):
    Action.objects.filter(pk=petes_action.pk).update(status="at_risk")
    url = f"{PLANS}compassionate-communities/actions/"
    results = _api(dora).get(url, {"status": "at_risk"}).json()["results"]
    assert [a["id"] for a in results] == [petes_action.pk]
    bad = _api(dora).get(url, {"status": "<script>"})
    assert bad.status_code == 400 and "status" in bad.json()


def test_an_unknown_plan_answers_404(dora, plan):
    assert _api(dora).get(f"{PLANS}nope/actions/").status_code == 404


def test_reading_costs_a_fixed_number_of_queries(
    dora, plan, pete, council, django_assert_max_num_queries
):
    for n in range(20):
        _action(plan, pete, f"Action {n}", aim=f"Aim {n % 4}")
        Plan.objects.create(name=f"Plan {n}", slug=f"plan-{n}", organisation=council)
    client = _api(dora)
    with django_assert_max_num_queries(10):
        assert len(client.get(PLANS).json()["results"]) == 21
    with django_assert_max_num_queries(12):
        response = client.get(f"{PLANS}compassionate-communities/actions/")
    assert len(response.json()["results"]) == 20


# One progress update ------------------------------------------------------------------------


def test_an_owner_updates_their_own_action(bob, bobs_action):
    response = _post(_api(bob), _updates(bobs_action.pk), {"status": "on_track", "note": "Out"})
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["note"], body["source"], body["by"]) == (
        "on_track",
        "Out",
        "api",
        bob.pk,
    )
    assert body["warnings"] == []
    bobs_action.refresh_from_db()
    assert bobs_action.status == "on_track" and bobs_action.last_update_at is not None


def test_a_plan_manager_updates_any_action(alice, bobs_action):
    response = _post(_api(alice), _updates(bobs_action.pk), {"status": "at_risk", "note": "Hm"})
    assert response.status_code == 201


@pytest.mark.parametrize("who", ["bob", "charlie", "dora"])
def test_others_cannot_update_an_action_they_do_not_own(request, who, petes_action):
    response = _post(
        _api(request.getfixturevalue(who)),
        _updates(petes_action.pk),
        {"status": "complete", "note": "Sneaky"},
    )
    assert response.status_code == 403
    assert not ProgressUpdate.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "on_track", "note": ""}, "note"),
        ({"status": "on_track", "note": "   "}, "note"),
        ({"status": "on_track"}, "note"),
        ({"status": "done", "note": "Fine"}, "status"),
        ({"status": "x" * 31, "note": "Fine"}, "status"),
        ({"status": "on_track", "note": "x" * 5001}, "note"),
        ({"status": ["on_track"], "note": "Fine"}, "status"),
    ],
)
def test_a_bad_update_is_refused_naming_the_field(bob, bobs_action, body, field):
    response = _post(_api(bob), _updates(bobs_action.pk), body)
    assert response.status_code == 400
    assert field in response.json()
    assert not ProgressUpdate.objects.exists()


def test_an_unknown_action_answers_404(bob, bobs_action):
    response = _post(_api(bob), _updates(999999), {"status": "on_track", "note": "x"})
    assert response.status_code == 404


def test_completing_before_the_dependencies_is_allowed_with_a_warning(
    pete, bobs_action, petes_action
):
    action_edit(actor=as_actor(pete), action=petes_action, depends_on=[bobs_action])
    response = _post(_api(pete), _updates(petes_action.pk), {"status": "complete", "note": "Ok"})
    assert response.status_code == 201
    assert response.json()["warnings"] == [
        f"Complete, but depends on actions not complete: {bobs_action.pk}"
    ]


# Bulk updates -------------------------------------------------------------------------------


def test_a_plan_manager_sends_many_updates_at_once(alice, bobs_action, petes_action):
    response = _post(
        _api(alice),
        BULK,
        [
            {"action": bobs_action.pk, "status": "on_track", "note": "Fine"},
            {"action": petes_action.pk, "status": "Complete", "note": "Done"},
        ],
    )
    assert response.status_code == 201
    assert [u["action"] for u in response.json()] == [bobs_action.pk, petes_action.pk]
    petes_action.refresh_from_db()
    assert petes_action.status == "complete"
    assert ProgressUpdate.objects.count() == 2


def test_one_bad_item_saves_nothing_and_names_each_item_at_fault(bob, bobs_action, petes_action):
    response = _post(
        _api(bob),
        BULK,
        [
            {"action": bobs_action.pk, "status": "on_track", "note": "Fine"},
            {"action": 999999, "status": "on_track", "note": "Ghost"},
            {"action": petes_action.pk, "status": "on_track", "note": "Not mine"},
            {"action": bobs_action.pk, "status": "sideways", "note": ""},
        ],
    )
    assert response.status_code == 400
    rows = response.json()["rows"]
    assert set(rows) == {"1", "2", "3"}
    assert rows["1"] == ["There is no action number 999999"]
    assert rows["2"] == [f"You may not update action {petes_action.pk}"]
    assert len(rows["3"]) == 2
    assert not ProgressUpdate.objects.exists()
    bobs_action.refresh_from_db()
    assert bobs_action.status == "not_started"


@pytest.mark.parametrize(
    "body",
    [
        {"action": 1, "status": "on_track", "note": "x"},
        [],
        [{"action": "one", "status": "on_track", "note": "x"}],
        [{"action": 2**40, "status": "on_track", "note": "x"}],
        [{"status": "on_track", "note": "x"}],
        [{"action": 1, "status": "on_track", "note": "x"}] * 1001,
    ],
)
def test_a_malformed_bulk_body_is_refused(bob, bobs_action, body):
    response = _post(_api(bob), BULK, body)
    assert response.status_code == 400
    assert not ProgressUpdate.objects.exists()


def test_a_body_nested_too_deeply_is_a_400(bob, bobs_action):
    response = _api(bob).post(BULK, "[" * 100_000 + "]" * 100_000, "application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("who", ["charlie", "dora"])
def test_people_with_no_actions_cannot_send_bulk_updates(request, who, bobs_action):
    response = _post(
        _api(request.getfixturevalue(who)),
        BULK,
        [{"action": bobs_action.pk, "status": "complete", "note": "Sneaky"}],
    )
    assert response.status_code == 403
    assert not ProgressUpdate.objects.exists()


def test_the_schema_documents_the_plans_endpoints(db):
    paths = Client().get("/api/schema/", {"format": "json"}).json()["paths"]
    for path in (
        "/api/v1/plans/",
        "/api/v1/plans/{slug}/actions/",
        "/api/v1/actions/{id}/updates/",
        "/api/v1/actions/updates/",
    ):
        assert path in paths
