"""Organisation pages: who may see, add and change them, and switching organisation."""

import pytest
from django.urls import reverse

from hub.organisations.models import Organisation, Role
from hub.testing.factories import MembershipFactory


def test_it_lists_organisations_to_every_member(alice_client, bob_client, dora_client, partner):
    for client in (alice_client, bob_client, dora_client):
        response = client.get(reverse("organisations:list"))
        assert response.status_code == 200
        assert "Northfield Food Bank" in response.content.decode()


def test_it_lists_organisations_in_a_fixed_number_of_queries(
    alice_client, partner, outsider_org, django_assert_max_num_queries
):
    for n in range(20):
        Organisation.objects.create(name=f"Group {n}", slug=f"group-{n}", kind="vcs")
    with django_assert_max_num_queries(12):
        response = alice_client.get(reverse("organisations:list"))
    assert response.context["organisations"].count() >= 22


def test_it_filters_organisations_by_name_and_type(alice_client, partner, council):
    response = alice_client.get(reverse("organisations:list"), {"q": "food", "kind": "vcs"})
    names = [o.name for o in response.context["organisations"]]
    assert names == ["Northfield Food Bank"]


def test_it_refuses_a_person_with_no_role(db):
    from hub.conftest import signed_in
    from hub.testing.factories import UserFactory

    client = signed_in(UserFactory())
    assert client.get(reverse("organisations:list")).status_code == 403


def test_it_shows_members_only_to_those_who_manage_them(ada_client, alice_client, bob, partner):
    url = reverse("organisations:detail", args=[partner.pk])
    assert "Bob Baker" in ada_client.get(url).content.decode()
    assert "Bob Baker" not in alice_client.get(url).content.decode()


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dora"])
def test_it_refuses_adding_organisations_to_all_but_host_administrators(request, who):
    client = request.getfixturevalue(f"{who}_client")
    assert client.get(reverse("organisations:add")).status_code == 403
    response = client.post(reverse("organisations:add"), {"name": "X", "kind": "vcs"})
    assert response.status_code == 403
    assert not Organisation.objects.filter(name="X").exists()


def test_a_host_administrator_adds_an_organisation(ada_client):
    response = ada_client.post(
        reverse("organisations:add"),
        {"name": "Brookside Lunch Club", "kind": "vcs", "charity_number": "1187001"},
    )
    organisation = Organisation.objects.get(name="Brookside Lunch Club")
    assert response["Location"] == reverse("organisations:detail", args=[organisation.pk])


def test_it_names_each_bad_field_and_saves_nothing(ada_client):
    response = ada_client.post(
        reverse("organisations:add"),
        {
            "name": "",
            "kind": "spaceship",
            "charity_number": "12",
            "company_number": "ABC",
            "website": "not a url",
            "email": "nope",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    for field in ("name", "kind", "charity_number", "company_number", "website", "email"):
        assert f'href="#id_{field}' in page, field
    assert Organisation.objects.count() == 1  # the council made by the ada fixture


def test_it_refuses_a_duplicate_name(ada_client, partner):
    response = ada_client.post(
        reverse("organisations:add"), {"name": "Northfield Food Bank", "kind": "vcs"}
    )
    assert "already exists" in response.content.decode()


def test_an_organisations_own_administrator_may_change_it_but_not_others(partner, outsider_org):
    from hub.conftest import signed_in
    from hub.testing.factories import UserFactory

    admin = UserFactory(email="pat@example.org")
    MembershipFactory(user=admin, organisation=partner, role=Role.ADMINISTRATOR)
    client = signed_in(admin)
    ok = client.post(
        reverse("organisations:edit", args=[partner.pk]),
        {"name": partner.name, "kind": "vcs", "phone": "01246 000000"},
    )
    assert ok.status_code == 302
    partner.refresh_from_db()
    assert partner.phone == "01246 000000"
    refused = client.post(
        reverse("organisations:edit", args=[outsider_org.pk]), {"name": "Taken", "kind": "vcs"}
    )
    assert refused.status_code == 403
    outsider_org.refresh_from_db()
    assert outsider_org.name == "Hollowbrook Boxing Club"


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dora"])
def test_it_refuses_changes_from_non_administrators(request, who, partner):
    client = request.getfixturevalue(f"{who}_client")
    url = reverse("organisations:edit", args=[partner.pk])
    assert client.post(url, {"name": "Renamed", "kind": "vcs"}).status_code == 403
    partner.refresh_from_db()
    assert partner.name == "Northfield Food Bank"


def test_it_answers_404_for_an_organisation_that_does_not_exist(alice_client):
    assert alice_client.get(reverse("organisations:detail", args=[99999])).status_code == 404


def test_it_switches_to_an_organisation_the_person_belongs_to(bob, bob_client, outsider_org):
    MembershipFactory(user=bob, organisation=outsider_org, role=Role.VOLUNTEER_COORDINATOR)
    response = bob_client.post(
        reverse("organisations:switch"),
        {"organisation": outsider_org.pk, "next": "/strategy/"},
    )
    assert response["Location"] == "/strategy/"
    home = bob_client.get(reverse("core:home"))
    assert home.context["acting"].organisation == outsider_org
    bob.refresh_from_db()
    assert bob.last_organisation == outsider_org


def test_it_refuses_to_switch_to_someone_elses_organisation(bob_client, partner, outsider_org):
    bob_client.post(reverse("organisations:switch"), {"organisation": outsider_org.pk})
    assert bob_client.get(reverse("core:home")).context["acting"].organisation == partner


def test_it_never_redirects_off_site_after_switching(bob_client, partner):
    response = bob_client.post(
        reverse("organisations:switch"),
        {"organisation": partner.pk, "next": "https://evil.example.com/"},
    )
    assert response["Location"] == reverse("core:home")
