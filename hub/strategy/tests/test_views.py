"""Reading the strategy (every member) and changing it (host coordinators, plan owners, admins)."""

import pytest
from django.urls import reverse

from hub.strategy.models import Element, Strategy
from hub.strategy.services import strategy_load_pack


@pytest.fixture
def strategy(db):
    strategy_load_pack(name="hammersmith-fulham-2020", activate=False)
    return strategy_load_pack(name="chesterfield-2020").strategy


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dora"])
def test_every_member_reads_the_active_strategy(request, who, strategy):
    response = request.getfixturevalue(f"{who}_client").get(reverse("strategy:detail"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Material insecurity" in page and "Carbon reduction" in page


def test_reading_the_strategy_takes_a_fixed_number_of_queries(
    alice_client, strategy, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        alice_client.get(reverse("strategy:detail"))


def test_it_says_so_when_no_strategy_is_loaded(alice_client):
    assert "No strategy has been loaded yet" in alice_client.get("/strategy/").content.decode()


def test_a_host_coordinator_edits_an_element(alice_client, strategy):
    element = strategy.elements.get(name="Young people")
    response = alice_client.post(
        reverse("strategy:element_edit", args=[element.pk]),
        {"name": "Young people", "description": "Put young people first."},
    )
    assert response.status_code == 302
    element.refresh_from_db()
    assert element.description == "Put young people first."
    assert element.history.count() == 2


def test_it_names_the_field_when_an_edit_is_bad(alice_client, strategy):
    element = strategy.elements.get(name="Young people")
    response = alice_client.post(
        reverse("strategy:element_edit", args=[element.pk]), {"name": "", "description": "x"}
    )
    assert 'href="#id_name"' in response.content.decode()
    element.refresh_from_db()
    assert element.name == "Young people"


def test_a_coordinator_adds_an_enabler_and_a_duplicate_is_refused(alice_client, strategy):
    url = reverse("strategy:element_add", args=[strategy.slug, "enabler"])
    alice_client.post(url, {"name": "Share data safely", "description": "d"})
    assert strategy.elements.filter(kind="enabler", name="Share data safely").exists()
    again = alice_client.post(url, {"name": "Share data safely", "description": "d"})
    assert "This strategy already has an enabler with that name" in again.content.decode()
    assert strategy.elements.filter(name="Share data safely").count() == 1


@pytest.mark.parametrize("who", ["bob", "charlie", "dora"])
def test_others_cannot_change_the_strategy(request, who, strategy):
    client = request.getfixturevalue(f"{who}_client")
    element = strategy.elements.get(name="Young people")
    edit = client.post(reverse("strategy:element_edit", args=[element.pk]), {"name": "Hacked"})
    assert edit.status_code == 403
    other = Strategy.objects.get(slug="hammersmith-fulham-2020")
    assert client.post(reverse("strategy:activate", args=[other.slug])).status_code == 403
    element.refresh_from_db()
    assert element.name == "Young people"
    assert Strategy.objects.get(is_active=True) == strategy


def test_a_coordinator_switches_the_active_strategy(alice_client, strategy):
    alice_client.post(reverse("strategy:activate", args=["hammersmith-fulham-2020"]))
    assert Strategy.objects.get(is_active=True).slug == "hammersmith-fulham-2020"


def test_an_unknown_kind_or_strategy_is_not_found(alice_client, strategy):
    assert alice_client.get(f"/strategy/{strategy.slug}/add/wizard/").status_code == 404
    assert alice_client.get("/strategy/nowhere/").status_code == 404
    assert Element.objects.filter(kind="wizard").count() == 0
