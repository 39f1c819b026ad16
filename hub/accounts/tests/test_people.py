"""Administrators manage people and memberships in the product's own pages."""

import pytest
from django.core import mail
from django.urls import reverse

from hub.accounts.models import User
from hub.conftest import signed_in
from hub.organisations.models import Membership, Role
from hub.testing.factories import MembershipFactory, UserFactory


@pytest.fixture
def partner_admin(partner):
    user = UserFactory(email="pat@example.org", full_name="Pat Partner")
    MembershipFactory(user=user, organisation=partner, role=Role.ADMINISTRATOR)
    return user


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dora", "dan"])
def test_it_refuses_people_pages_to_non_administrators(request, who, bob):
    client = request.getfixturevalue(f"{who}_client")
    for url in (
        reverse("accounts:people_list"),
        reverse("accounts:person_add"),
        reverse("accounts:person_detail", args=[bob.pk]),
    ):
        assert client.get(url).status_code == 403, url


def test_a_host_administrator_sees_everyone(ada_client, bob, charlie):
    page = ada_client.get(reverse("accounts:people_list")).content.decode()
    assert "Bob Baker" in page and "Charlie Clarke" in page


def test_a_partner_administrator_sees_only_their_own_people(partner_admin, bob, charlie):
    client = signed_in(partner_admin)
    page = client.get(reverse("accounts:people_list")).content.decode()
    assert "Bob Baker" in page
    assert "Charlie Clarke" not in page
    assert client.get(reverse("accounts:person_detail", args=[charlie.pk])).status_code == 404


def test_the_people_list_runs_a_fixed_number_of_queries(
    ada_client, partner, django_assert_max_num_queries
):
    for n in range(30):
        MembershipFactory(user=UserFactory(), organisation=partner, role=Role.CASEWORKER)
    with django_assert_max_num_queries(12):
        response = ada_client.get(reverse("accounts:people_list"))
    assert response.status_code == 200


def test_an_administrator_adds_a_person_who_is_emailed_a_link(
    ada_client, partner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ada_client.post(
            reverse("accounts:person_add"),
            {
                "full_name": "Nia Nolan",
                "email": "nia@example.org",
                "organisation": partner.pk,
                "role": Role.CASEWORKER,
            },
        )
    nia = User.objects.get(email="nia@example.org")
    assert response["Location"] == reverse("accounts:person_detail", args=[nia.pk])
    assert nia.memberships.get().organisation == partner
    assert mail.outbox[0].to == ["nia@example.org"]


def test_a_partner_administrator_can_only_add_people_to_their_own_organisation(
    partner_admin, outsider_org
):
    client = signed_in(partner_admin)
    response = client.post(
        reverse("accounts:person_add"),
        {
            "full_name": "Sly",
            "email": "sly@example.org",
            "organisation": outsider_org.pk,
            "role": Role.ADMINISTRATOR,
        },
    )
    assert response.status_code == 200
    assert 'href="#id_organisation"' in response.content.decode()
    assert not User.objects.filter(email="sly@example.org").exists()


def test_it_names_bad_fields_when_adding_a_person(ada_client):
    response = ada_client.post(
        reverse("accounts:person_add"),
        {"full_name": "", "email": "not-an-email", "organisation": "", "role": "king"},
    )
    page = response.content.decode()
    for field in ("full_name", "email", "organisation", "role"):
        assert f'href="#id_{field}"' in page, field
    assert User.objects.filter(email="not-an-email").count() == 0


def test_an_administrator_gives_and_ends_a_role(ada_client, bob, council):
    ada_client.post(
        reverse("accounts:membership_add", args=[bob.pk]),
        {"organisation": council.pk, "role": Role.ASSESSOR},
    )
    membership = Membership.objects.get(user=bob, organisation=council)
    ada_client.post(reverse("accounts:membership_end", args=[bob.pk, membership.pk]))
    membership.refresh_from_db()
    assert not membership.is_active


def test_giving_a_role_twice_says_so(ada_client, bob, partner):
    response = ada_client.post(
        reverse("accounts:membership_add", args=[bob.pk]),
        {"organisation": partner.pk, "role": Role.CASEWORKER},
    )
    assert response.status_code == 400
    assert "already caseworker" in response.content.decode()


def test_a_partner_administrator_cannot_end_roles_elsewhere(partner_admin, charlie):
    membership = charlie.memberships.get()
    response = signed_in(partner_admin).post(
        reverse("accounts:membership_end", args=[charlie.pk, membership.pk])
    )
    assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.is_active
