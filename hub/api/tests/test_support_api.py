"""Support requests and referrals over the REST API, as a partner system would call it."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hub.accounts.services import api_token_create
from hub.api.support_views import NHS_NUMBER_TAKEN
from hub.core.models import AccessLogEntry
from hub.organisations.models import Role
from hub.places.models import Area, Postcode
from hub.support import services
from hub.support.models import Consent, JourneyEvent, Need, Referral, Resident, SupportRequest
from hub.support.tests.conftest import NHS_NUMBERS
from hub.testing.factories import MembershipFactory, as_actor

REQUESTS = "/api/v1/requests/"
REFERRALS = "/api/v1/referrals/"


# The support app's fixtures (hub/support/tests/conftest.py), rebuilt for this package.


@pytest.fixture
def resident(alice):
    return services.resident_create(
        actor=as_actor(alice),
        first_name="Rose",
        last_name="Tyler",
        nhs_number=NHS_NUMBERS[0],
        postcode="S40 1LP",
        phone="0113 496 0001",
        address_line_1="1 Powell Estate",
    )


@pytest.fixture
def support_request(resident, alice, partner, council):
    actor = as_actor(alice)
    services.consent_record(
        actor=actor,
        resident=resident,
        basis=Consent.Basis.CONSENT,
        how_given=Consent.How.VERBAL,
        partners=[partner],
    )
    return services.request_create(
        actor=actor,
        resident=resident,
        channel=SupportRequest.Channel.PHONE,
        needs=[("emergency_food", "Nothing in the cupboards"), ("loneliness", "")],
        urgency=SupportRequest.Urgency.THREE_DAYS,
        summary="Called the hub line.",
    )


@pytest.fixture
def referral(support_request, alice, partner):
    """The food need referred to the partner (bob's organisation)."""
    return services.referral_send(
        actor=as_actor(alice),
        need=support_request.needs.get(category="emergency_food"),
        to_organisation=partner,
        message="Please call her",
    )


def _api(user=None, token=None) -> Client:
    """A client that sends ``user``'s (new) API token, or ``token``, with every call."""
    if user is not None:
        token = api_token_create(user=user)
    return Client(headers={"Authorization": f"Token {token}"} if token else {})


def _post(client, path, body=None, **headers):
    return client.post(
        path, json.dumps(body) if body is not None else "", "application/json", **headers
    )


def _open(actor, *, organisation=None, needs=(("emergency_food", ""),), urgency="routine", **where):
    """A request for a new resident, assigned to ``organisation`` if given."""
    actor = as_actor(actor)
    someone = services.resident_create(actor=actor, first_name="Martha", last_name="Jones", **where)
    opened = services.request_create(
        actor=actor, resident=someone, channel="phone", needs=list(needs), urgency=urgency
    )
    if organisation is not None:
        opened = services.request_triage(
            actor=actor, request=opened, urgency=opened.urgency, organisation=organisation
        )
    return opened


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["results"]}


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Resident, Consent, SupportRequest, Need, JourneyEvent)
    }


def _at(errors, path):
    for key in path:
        errors = errors[key]
    return errors


# Signing in and permissions ---------------------------------------------------------------


ENDPOINTS = [
    ("get", REQUESTS),
    ("post", REQUESTS),
    ("get", f"{REQUESTS}1/"),
    ("get", REFERRALS),
    ("get", f"{REFERRALS}1/"),
    ("post", f"{REFERRALS}1/accept/"),
    ("post", f"{REFERRALS}1/decline/"),
    ("post", f"{REFERRALS}1/complete/"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_it_refuses_calls_without_a_token(db, method, path):
    response = getattr(Client(), method)(path, content_type="application/json")
    assert response.status_code in (401, 403)
    assert "detail" in response.json()


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_it_refuses_a_wrong_token(db, method, path):
    response = getattr(_api(token="0" * 40), method)(path, content_type="application/json")
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_a_board_viewer_is_refused_everywhere(dora, referral, method, path):
    path = path.replace("/1/", f"/{referral.pk}/")
    client = _api(dora)
    if method == "get":
        response = client.get(path)
    else:
        response = _post(client, path, {"reason": "x", "outcome": "x", "need_met": True})
    assert response.status_code == 403
    assert referral.need.request.resident.first_name not in response.content.decode()


# Scope ------------------------------------------------------------------------------------


@pytest.fixture
def casebook(alice, partner, outsider_org, referral):
    """One request of each kind: referred to the partner, assigned to it, assigned to the
    outsider, and still with the hub."""
    return {
        "referred": referral.need.request,
        "partners": _open(alice, organisation=partner),
        "outsiders": _open(alice, organisation=outsider_org),
        "hubs": _open(alice),
    }


def test_a_partner_sees_only_its_own_and_referred_requests(bob, casebook):
    assert _ids(_api(bob).get(REQUESTS)) == {
        casebook["referred"].pk,
        casebook["partners"].pk,
    }


def test_an_outsider_sees_none_of_the_partners_requests(charlie, casebook):
    client = _api(charlie)
    assert _ids(client.get(REQUESTS)) == {casebook["outsiders"].pk}
    for key in ("referred", "partners", "hubs"):
        response = client.get(f"{REQUESTS}{casebook[key].pk}/")
        assert response.status_code == 404
        assert response.json() == {"detail": "No such request"}


def test_the_hub_coordinator_sees_every_request(alice, casebook):
    assert _ids(_api(alice).get(REQUESTS)) == {r.pk for r in casebook.values()}


def test_a_token_sees_what_the_organisation_in_the_header_may_see(bob, outsider_org, casebook):
    MembershipFactory(user=bob, organisation=outsider_org, role=Role.CASEWORKER)
    client = _api(bob)
    as_outsider = client.get(REQUESTS, HTTP_X_ACTING_ORGANISATION=str(outsider_org.pk))
    assert _ids(as_outsider) == {casebook["outsiders"].pk}
    referral_id = casebook["referred"].needs.get(category="emergency_food").referrals.get().pk
    hidden = client.get(
        f"{REFERRALS}{referral_id}/", HTTP_X_ACTING_ORGANISATION=str(outsider_org.pk)
    )
    assert hidden.status_code == 404


def test_a_list_item_carries_no_personal_data(bob, referral):
    item = _api(bob).get(REQUESTS).json()["results"][0]
    assert set(item) == {
        "id",
        "reference",
        "status",
        "urgency",
        "due_at",
        "channel",
        "ward",
        "assigned_organisation",
        "needs",
        "created_at",
    }
    assert "Tyler" not in json.dumps(item)
    assert {n["category"] for n in item["needs"]} == {"emergency_food", "loneliness"}


def test_unknown_and_absurd_ids_answer_404_as_json(alice):
    client = _api(alice)
    for path in (f"{REQUESTS}999999/", f"{REQUESTS}99999999999999999999999/", f"{REFERRALS}0/"):
        response = client.get(path)
        assert response.status_code == 404
        assert "detail" in response.json()


# Filters and the query count --------------------------------------------------------------


def test_it_filters_the_list(alice, partner, outsider_org):
    urgent = _open(alice, organisation=partner, urgency="same_day")
    lonely = _open(alice, needs=[("loneliness", "")])
    outsiders = _open(alice, organisation=outsider_org)
    ward = Area.objects.create(code="E05008999", name="Hollingwood", level=Area.Level.WARD)
    Postcode.objects.create(postcode="S43 2PD", ward=ward, ward_code=ward.code)
    in_ward = _open(alice, postcode="s43 2pd")
    client = _api(alice)
    assert _ids(client.get(REQUESTS, {"urgency": "same_day"})) == {urgent.pk}
    assert _ids(client.get(REQUESTS, {"need": "loneliness"})) == {lonely.pk}
    assert _ids(client.get(REQUESTS, {"status": "new"})) == {lonely.pk, in_ward.pk}
    assert _ids(client.get(REQUESTS, {"assigned_organisation": outsider_org.pk})) == {outsiders.pk}
    by_ward = client.get(REQUESTS, {"ward": "E05008999"})
    assert _ids(by_ward) == {in_ward.pk}
    assert by_ward.json()["results"][0]["ward"] == "E05008999"
    assert _ids(client.get(REQUESTS, {"ward": "E05000000"})) == set()
    soonest = [r["id"] for r in client.get(REQUESTS).json()["results"]]
    latest = [r["id"] for r in client.get(REQUESTS, {"ordering": "-due_at"}).json()["results"]]
    assert soonest[0] == urgent.pk
    assert latest == list(reversed(soonest))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"urgency": "<script>alert(1)</script>"}, "urgency"),
        ({"need": "pets"}, "need"),
        ({"assigned_organisation": "abc"}, "assigned_organisation"),
        ({"assigned_organisation": "9" * 30}, "assigned_organisation"),
        ({"ward": "W" * 1000}, "ward"),
        ({"ordering": "resident__last_name"}, "ordering"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(alice, params, field):
    response = _api(alice).get(REQUESTS, params)
    assert response.status_code == 400
    assert field in response.json()


def test_the_list_takes_the_same_number_of_queries_however_many_requests(
    bob, partner, alice, django_assert_max_num_queries
):
    client = _api(bob)
    for _ in range(2):
        _open(alice, organisation=partner, needs=[("emergency_food", ""), ("housing", "")])
    with CaptureQueriesContext(connection) as few:
        assert len(_ids(client.get(REQUESTS))) == 2
    for _ in range(28):
        _open(alice, organisation=partner, needs=[("emergency_food", ""), ("housing", "")])
    with django_assert_max_num_queries(len(few)):
        results = client.get(REQUESTS).json()["results"]
    assert len(results) == 30
    assert all(len(item["needs"]) == 2 for item in results)
    assert len(few) <= 6  # token, acting organisation, referred ids, count, page, needs


def test_referrals_list_takes_a_fixed_number_of_queries(
    bob, referral, django_assert_max_num_queries
):
    client = _api(bob)
    with django_assert_max_num_queries(5):
        response = client.get(REFERRALS)
    assert [r["id"] for r in response.json()["results"]] == [referral.pk]


# Detail and the access log ----------------------------------------------------------------


def test_the_hub_coordinator_sees_the_whole_case_and_it_is_logged(alice, support_request):
    response = _api(alice).get(f"{REQUESTS}{support_request.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["full_view"] is True
    assert body["summary"] == "Called the hub line."
    assert body["resident"] == {
        "first_name": "Rose",
        "last_name": "Tyler",
        "phone": "+441134960001",
        "address_line_1": "1 Powell Estate",
        "postcode": "S40 1LP",
    }
    assert {n["category"] for n in body["needs"]} == {"emergency_food", "loneliness"}
    entry = AccessLogEntry.objects.get()
    assert entry.user == alice
    assert entry.object_id == str(support_request.resident_id)
    assert entry.organisation == alice.acting.organisation


def test_a_partner_with_only_a_referral_sees_the_minimum_and_it_is_logged(bob, partner, referral):
    support_request = referral.need.request
    response = _api(bob).get(f"{REQUESTS}{support_request.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["full_view"] is False
    assert body["summary"] is None
    assert [n["category"] for n in body["needs"]] == ["emergency_food"]
    assert set(body["resident"]) == {
        "first_name",
        "last_name",
        "phone",
        "address_line_1",
        "postcode",
    }
    assert NHS_NUMBERS[0] not in response.content.decode()
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.organisation) == (bob, partner)
    assert entry.object_label == f"Resident {support_request.resident_id}"


def test_a_refused_detail_writes_no_access_log(charlie, dora, support_request):
    assert _api(charlie).get(f"{REQUESTS}{support_request.pk}/").status_code == 404
    assert _api(dora).get(f"{REQUESTS}{support_request.pk}/").status_code == 403
    assert not AccessLogEntry.objects.exists()


# Opening a request ------------------------------------------------------------------------


def _new_request(**changes):
    body = {
        "resident": {
            "first_name": "Donna",
            "last_name": "Noble",
            "nhs_number": NHS_NUMBERS[1],
            "address_line_1": "12 Chiswick Road",
            "postcode": "S40 2AB",
            "phone": "0113 496 0002",
            "shielding": True,
        },
        "channel": "partner",
        "needs": [{"category": "emergency_food", "detail": "Out of food until Friday"}],
        "urgency": "72_hours",
        "summary": "Rang the food bank.",
        "consent": {"basis": "consent", "how_given": "verbal", "all_partners": True},
    }
    body.update(changes)
    return body


def test_a_partner_opens_a_request_and_keeps_seeing_it(bob, partner):
    client = _api(bob)
    response = _post(client, REQUESTS, _new_request())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"].startswith("CH-")
    assert body["assigned_organisation"] == partner.pk
    assert body["status"] == "triaged"
    assert response["Location"] == f"{REQUESTS}{body['id']}/"
    assert body["id"] in _ids(client.get(REQUESTS))
    opened = SupportRequest.objects.get(pk=body["id"])
    assert opened.resident.nhs_number == NHS_NUMBERS[1]
    assert opened.resident.shielding is True
    assert opened.resident.consents.get().all_partners is True
    assert list(opened.needs.values_list("detail", flat=True)) == ["Out of food until Friday"]
    assert opened.created_by == bob
    detail = client.get(f"{REQUESTS}{body['id']}/").json()
    assert detail["full_view"] is True
    assert detail["resident"]["phone"] == "+441134960002"


def test_the_hub_opens_a_request_without_assigning_it(alice):
    response = _post(_api(alice), REQUESTS, _new_request(consent=None))
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "new"
    assert response.json()["assigned_organisation"] is None
    assert not Consent.objects.exists()


def test_a_safeguarding_need_makes_it_same_day(bob):
    body = _new_request(needs=[{"category": "domestic_abuse"}], urgency="routine")
    response = _post(_api(bob), REQUESTS, body)
    assert response.status_code == 201, response.content
    assert response.json()["urgency"] == "same_day"


def test_a_known_nhs_number_reuses_a_resident_the_caller_can_see(alice, resident):
    before = Resident.objects.count()
    body = _new_request(
        resident={"first_name": "R", "last_name": "T", "nhs_number": NHS_NUMBERS[0]}
    )
    response = _post(_api(alice), REQUESTS, body)
    assert response.status_code == 201, response.content
    assert Resident.objects.count() == before
    assert SupportRequest.objects.get(pk=response.json()["id"]).resident == resident
    resident.refresh_from_db()
    assert resident.first_name == "Rose"  # recorded details are kept


def test_a_known_nhs_number_the_caller_cannot_see_is_refused_without_details(bob, resident):
    before = _counts()
    body = _new_request(
        resident={"first_name": "R", "last_name": "T", "nhs_number": NHS_NUMBERS[0]}
    )
    response = _post(_api(bob), REQUESTS, body)
    assert response.status_code == 400
    assert response.json() == {"resident": {"nhs_number": [NHS_NUMBER_TAKEN]}}
    assert _counts() == before


RESIDENT = _new_request()["resident"]


def _resident(**changes):
    return {"resident": {**RESIDENT, **changes}}


def _consent(**consent):
    return {"consent": {"basis": "consent", "how_given": "verbal", **consent}}


def _bad(id, body, *path):
    return pytest.param(body, path, id=id)


BAD_BODIES = [
    _bad("no resident", {"resident": None}, "resident"),
    _bad("resident not an object", {"resident": "Donna"}, "resident", "non_field_errors"),
    _bad("blank first name", _resident(first_name="   "), "resident", "first_name"),
    _bad("huge first name", _resident(first_name="D" * 100_000), "resident", "first_name"),
    _bad("first name a list", _resident(first_name=["D"]), "resident", "first_name"),
    _bad("first name a bool", _resident(first_name=True), "resident", "first_name"),
    _bad("null byte", _resident(last_name="No\x00ble"), "resident", "last_name"),
    _bad("short NHS number", _resident(nhs_number="12345"), "resident", "nhs_number"),
    _bad("NHS check digit", _resident(nhs_number="4010232138"), "resident", "nhs_number"),
    _bad("hostile NHS number", _resident(nhs_number="<script>"), "resident", "nhs_number"),
    _bad("hostile postcode", _resident(postcode="<script>"), "resident", "postcode"),
    _bad("huge postcode", _resident(postcode="S" * 10_000), "resident", "postcode"),
    _bad("bad phone", _resident(phone="call me"), "resident", "phone"),
    _bad("bad email", _resident(email="donna@"), "resident", "email"),
    _bad("future birth", _resident(date_of_birth="2999-01-01"), "resident", "date_of_birth"),
    _bad("malformed birth", _resident(date_of_birth="31/02/1970"), "resident", "date_of_birth"),
    _bad("shielding not a bool", _resident(shielding="maybe"), "resident", "shielding"),
    _bad("no needs", {"needs": None}, "needs"),
    _bad("empty needs", {"needs": []}, "needs"),
    _bad("needs not a list", {"needs": {"category": "housing"}}, "needs"),
    _bad("unknown need", {"needs": [{"category": "pets"}]}, "needs", "0", "category"),
    _bad("need not an object", {"needs": ["housing"]}, "needs", "0", "non_field_errors"),
    _bad("too many needs", {"needs": [{"category": "housing"}] * 500}, "needs"),
    _bad(
        "huge need detail",
        {"needs": [{"category": "housing", "detail": "x" * 501}]},
        *("needs", "0", "detail"),
    ),
    _bad("shielding channel", {"channel": "shielding"}, "channel"),
    _bad("unknown channel", {"channel": "pigeon"}, "channel"),
    _bad("channel a number", {"channel": 7}, "channel"),
    _bad("unknown urgency", {"urgency": "yesterday"}, "urgency"),
    _bad("huge summary", {"summary": "x" * 100_000}, "summary"),
    _bad("unknown basis", _consent(basis="whim"), "consent", "basis"),
    _bad("consent with nobody", _consent(), "consent", "partners"),
    _bad("unknown partner", _consent(partners=[999999]), "consent", "partners"),
    _bad("consent not given", _consent(how_given="n/a", all_partners=True), "consent", "how_given"),
]


@pytest.mark.parametrize(("body", "path"), BAD_BODIES)
def test_bad_input_names_the_field_and_saves_nothing(bob, partner, body, path):
    before = _counts()
    response = _post(_api(bob), REQUESTS, _new_request(**body))
    assert response.status_code == 400, response.content
    assert _at(response.json(), path)
    assert _counts() == before


@pytest.mark.parametrize(
    ("raw", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ('{"resident": ', "application/json", 400),
        ("[" * 100_000, "application/json", 400),
        ('{"a": NaN}', "application/json", 400),
        ("[]", "application/json", 400),
        ("null", "application/json", 400),
        ('"just a string"', "application/json", 400),
        (b"\xff\xfe\x00", "application/json", 400),
        ("resident=Donna", "application/x-www-form-urlencoded", 415),
    ],
)
def test_malformed_bodies_are_refused_without_a_500(bob, raw, content_type, status):
    before = _counts()
    response = _api(bob).post(REQUESTS, raw, content_type)
    assert response.status_code == status
    assert response.json()
    assert _counts() == before


def test_dora_and_people_without_a_role_cannot_open_requests(dora):
    before = _counts()
    assert _post(_api(dora), REQUESTS, _new_request()).status_code == 403
    assert _counts() == before


# Referrals --------------------------------------------------------------------------------


def test_a_partner_lists_the_referrals_it_received(bob, charlie, referral):
    client = _api(bob)
    items = client.get(REFERRALS).json()["results"]
    assert [r["id"] for r in items] == [referral.pk]
    assert items[0]["need"]["category"] == "emergency_food"
    assert items[0]["request"]["reference"] == referral.need.request.reference
    assert items[0]["message"] == "Please call her"
    assert "Tyler" not in json.dumps(items)
    assert _ids(client.get(REFERRALS, {"status": "accepted"})) == set()
    assert client.get(REFERRALS, {"status": "lost"}).status_code == 400
    assert _ids(_api(charlie).get(REFERRALS)) == set()


def test_an_outsider_cannot_see_or_answer_a_referral(charlie, referral):
    client = _api(charlie)
    assert client.get(f"{REFERRALS}{referral.pk}/").status_code == 404
    for action in ("accept", "decline", "complete"):
        body = {"reason": "no", "outcome": "no", "need_met": False}
        assert _post(client, f"{REFERRALS}{referral.pk}/{action}/", body).status_code == 404
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT


def test_the_hub_sees_a_referral_but_only_the_receiver_answers_it(alice, referral):
    client = _api(alice)
    assert client.get(f"{REFERRALS}{referral.pk}/").json()["status"] == "sent"
    response = _post(client, f"{REFERRALS}{referral.pk}/accept/")
    assert response.status_code == 403
    assert "sent to" in response.json()["detail"]


def test_a_partner_accepts_a_referral_once(bob, referral):
    client = _api(bob)
    response = _post(client, f"{REFERRALS}{referral.pk}/accept/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    assert response.json()["claimed_by"] == "Bob Baker"
    again = _post(client, f"{REFERRALS}{referral.pk}/accept/")
    assert again.status_code == 409
    assert again.json() == {"detail": "This referral is already accepted by Bob Baker"}


def test_a_partner_declines_a_referral_saying_why(bob, referral):
    client = _api(bob)
    path = f"{REFERRALS}{referral.pk}/decline/"
    for body, field in (
        ({}, "reason"),
        ({"reason": "  "}, "reason"),
        ({"reason": "x" * 501}, "reason"),
    ):
        response = _post(client, path, body)
        assert response.status_code == 400
        assert field in response.json()
    response = _post(client, path, {"reason": "We are out of stock"})
    assert response.status_code == 200
    assert response.json()["decline_reason"] == "We are out of stock"
    referral.refresh_from_db()
    assert referral.need.status == Need.Status.OPEN
    assert _post(client, path, {"reason": "Again"}).status_code == 409


def test_a_partner_completes_an_accepted_referral(bob, referral):
    client = _api(bob)
    path = f"{REFERRALS}{referral.pk}/complete/"
    early = _post(client, path, {"outcome": "Parcel delivered", "need_met": True})
    assert early.status_code == 409
    assert early.json() == {"detail": "Accept the referral before completing it"}
    _post(client, f"{REFERRALS}{referral.pk}/accept/")
    for body, field in (
        ({"outcome": "Parcel delivered"}, "need_met"),
        ({"outcome": "", "need_met": True}, "outcome"),
        ({"outcome": "Parcel", "need_met": "perhaps"}, "need_met"),
    ):
        response = _post(client, path, body)
        assert response.status_code == 400
        assert field in response.json()
    response = _post(client, path, {"outcome": "Parcel delivered", "need_met": True})
    assert response.status_code == 200
    assert response.json()["status"] == "completed"
    need = Need.objects.get(pk=referral.need_id)
    assert (need.status, need.outcome) == (Need.Status.MET, "Parcel delivered")


# The schema and the docs page -------------------------------------------------------------


def test_the_schema_documents_every_support_endpoint(db):
    schema = Client().get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    expected = {
        "/api/v1/requests/": {"get", "post"},
        "/api/v1/requests/{id}/": {"get"},
        "/api/v1/referrals/": {"get"},
        "/api/v1/referrals/{id}/": {"get"},
        "/api/v1/referrals/{id}/accept/": {"post"},
        "/api/v1/referrals/{id}/decline/": {"post"},
        "/api/v1/referrals/{id}/complete/": {"post"},
    }
    for path, methods in expected.items():
        assert set(paths[path]) >= methods
        for method in methods:
            operation = paths[path][method]
            assert operation["description"]
            assert "X-Acting-Organisation" in {p["name"] for p in operation["parameters"]}
            assert any(code.startswith("2") for code in operation["responses"])
            assert "403" in operation["responses"]
    components = schema["components"]["schemas"]

    def resolve(ref):
        return components[ref.rsplit("/", 1)[-1]]

    create = paths["/api/v1/requests/"]["post"]
    body = resolve(create["requestBody"]["content"]["application/json"]["schema"]["$ref"])
    assert {"needs", "resident"} <= set(body["required"])
    assert "nhs_number" in resolve(body["properties"]["resident"]["$ref"])["properties"]
    assert "category" in resolve(body["properties"]["needs"]["items"]["$ref"])["properties"]
    decline = paths["/api/v1/referrals/{id}/decline/"]["post"]
    assert "requestBody" in decline and "409" in decline["responses"]
    detail = paths["/api/v1/requests/{id}/"]["get"]["responses"]["200"]
    detail_schema = resolve(detail["content"]["application/json"]["schema"]["$ref"])
    assert "resident" in detail_schema["properties"]


def test_the_api_page_lists_the_support_endpoints(alice_client):
    page = alice_client.get("/api/").content.decode()
    assert "/api/v1/requests/" in page
    assert "/api/v1/referrals/{id}/accept/" in page
