"""The REST API: token sign-in, the acting organisation, the permission layer, the schema."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from hub.accounts.services import api_token_create
from hub.organisations.models import Role
from hub.strategy.services import strategy_load_pack
from hub.testing.factories import MembershipFactory


def _api(user=None, token=None, **headers):
    client = Client()
    if user is not None:
        token = api_token_create(user=user)
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Token {token}"
    return client, headers


def test_it_refuses_calls_without_a_token(db):
    response = Client().get("/api/v1/organisations/")
    assert response.status_code in (401, 403)


def test_it_refuses_a_wrong_token(db):
    client, headers = _api(token="0" * 40)
    assert client.get("/api/v1/organisations/", **headers).status_code == 401


def test_it_lists_organisations_to_a_token_holder(bob, partner, council):
    client, headers = _api(bob)
    response = client.get("/api/v1/organisations/", **headers)
    assert response.status_code == 200
    names = [o["name"] for o in response.json()["results"]]
    assert "Northfield Food Bank" in names


def test_a_token_acts_for_the_organisation_named_in_the_header(bob, partner, outsider_org):
    MembershipFactory(user=bob, organisation=outsider_org, role=Role.CASEWORKER)
    client, headers = _api(bob)
    ok = client.get(
        "/api/v1/organisations/", HTTP_X_ACTING_ORGANISATION=str(outsider_org.pk), **headers
    )
    assert ok.status_code == 200


def test_it_refuses_to_act_for_an_organisation_the_caller_is_not_in(bob, council):
    client, headers = _api(bob)
    response = client.get(
        "/api/v1/organisations/", HTTP_X_ACTING_ORGANISATION=str(council.pk), **headers
    )
    assert response.status_code == 400
    assert "X-Acting-Organisation" in response.json()
    bad = client.get("/api/v1/organisations/", HTTP_X_ACTING_ORGANISATION="abc", **headers)
    assert bad.status_code == 400


def test_a_person_with_no_role_is_refused(db):
    from hub.testing.factories import UserFactory

    client, headers = _api(UserFactory())
    assert client.get("/api/v1/organisations/", **headers).status_code == 403


def test_it_serves_the_active_strategy_filtered_by_kind(bob):
    strategy_load_pack(name="chesterfield-2020")
    client, headers = _api(bob)
    response = client.get("/api/v1/strategy/elements/", {"kind": "impact_area"}, **headers)
    assert [e["name"] for e in response.json()] == [
        "Material insecurity",
        "Population mental health and wellbeing",
        "Social connectedness",
    ]


def test_an_unknown_organisation_answers_404_as_json(bob):
    client, headers = _api(bob)
    response = client.get("/api/v1/organisations/999999/", **headers)
    assert response.status_code == 404
    assert "detail" in response.json()


def test_the_openapi_schema_documents_every_endpoint(db):
    response = Client().get("/api/schema/", {"format": "json"})
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/organisations/", "/api/v1/strategy/elements/", "/api/v1/areas/"):
        assert path in schema["paths"]


def test_the_api_page_lists_the_endpoints(alice_client):
    page = alice_client.get("/api/").content.decode()
    assert "/api/v1/organisations/" in page
    assert "X-Acting-Organisation" in page


def test_a_person_makes_and_revokes_their_token_on_their_account_page(bob, bob_client):
    response = bob_client.post("/account/", {"action": "create"})
    key = response.context["new_token"]
    assert Token.objects.get(user=bob).key == key
    assert key in response.content.decode()
    assert key not in bob_client.get("/account/").content.decode()  # shown once only
    bob_client.post("/account/", {"action": "revoke"})
    assert not Token.objects.filter(user=bob).exists()


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_reference_data_is_read_only(bob, partner, method):
    client, headers = _api(bob)
    response = getattr(client, method)(
        f"/api/v1/organisations/{partner.pk}/", content_type="application/json", **headers
    )
    assert response.status_code == 405
