"""The places pages: every member may see them, nobody else, and the postcode finder
keeps postcodes out of URLs."""

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hub.conftest import signed_in
from hub.places.models import Area, Postcode
from hub.places.services import boundaries_import
from hub.places.tests.conftest import LSOAS_FILE, WARDS_FILE
from hub.testing.factories import UserFactory

PAGES = [
    ("places:area_list", []),
    ("places:area_detail", ["E05003339"]),
    ("places:postcode_lookup", []),
]


def _page(response) -> str:
    return response.content.decode()


def _assert_one_h1_and_title(page: str, title: str) -> None:
    assert len(re.findall(r"<h1[ >]", page)) == 1
    assert re.search(rf"<title>{re.escape(title)} –", page), title


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_it_sends_anonymous_visitors_to_sign_in(client, db, name, args):
    url = reverse(name, args=args)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_it_refuses_a_person_with_no_organisation(chesterfield, name, args):
    client = signed_in(UserFactory())

    assert client.get(reverse(name, args=args)).status_code == 403


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dora", "ada"])
def test_it_shows_every_member_the_places(request, chesterfield, who):
    client = request.getfixturevalue(f"{who}_client")

    for name, args in PAGES:
        assert client.get(reverse(name, args=args)).status_code == 200, name


def test_it_lists_the_district_and_maps_and_tables_the_wards(alice_client, chesterfield):
    response = alice_client.get(reverse("places:area_list"))

    page = _page(response)
    _assert_one_h1_and_title(page, "Places")
    assert (
        '<a class="govuk-link" href="/places/E07000034/">Chesterfield</a> (E07000034): 19 wards'
        in page
    )
    assert page.count('<figure class="hub-choropleth">') == 1
    assert page.count('class="hub-choropleth__area ') == 19
    assert "All 19 wards" in page
    # St Leonard's has five LSOAs: the figure comes from the boundaries, not a fixture.
    assert "<title>St Leonard&#x27;s: 5 LSOAs</title>" in page
    assert "<script>" not in page.split("</header>")[1]


def test_it_lists_the_places_in_a_fixed_number_of_queries(
    alice_client, wards_dir, tmp_path, django_assert_max_num_queries
):
    collection = json.loads((wards_dir / WARDS_FILE).read_text())
    two_wards = tmp_path / "two-wards.geojson"
    two_wards.write_text(json.dumps({**collection, "features": collection["features"][:2]}))
    _import_wards(two_wards)
    with CaptureQueriesContext(connection) as with_two_wards:
        alice_client.get(reverse("places:area_list"))
    _import_wards(wards_dir / WARDS_FILE)
    boundaries_import(
        path=wards_dir / LSOAS_FILE,
        level=Area.Level.LSOA,
        code_field="LSOA11CD",
        name_field="LSOA11NM",
    )

    with django_assert_max_num_queries(8):
        response = alice_client.get(reverse("places:area_list"))

    assert len(response.context["wards"]) == 19
    with CaptureQueriesContext(connection) as with_all_wards:
        alice_client.get(reverse("places:area_list"))
    assert len(with_all_wards) == len(with_two_wards)


def _import_wards(path):
    boundaries_import(path=path, level=Area.Level.WARD, code_field="WD13CD", name_field="WD13NM")


def test_it_says_when_there_are_no_wards_and_tells_administrators_how_to_import(
    alice_client, ada_client, db
):
    assert "No wards have been imported yet" in _page(alice_client.get(reverse("places:area_list")))
    assert "import_boundaries" not in _page(alice_client.get(reverse("places:area_list")))
    assert "manage.py import_boundaries" in _page(ada_client.get(reverse("places:area_list")))


def test_it_shows_a_ward_with_its_lsoas_mapped_by_postcodes(alice_client, chesterfield):
    ward = Area.objects.get(code="E05003339")
    lsoa = ward.children.order_by("code").first()
    Postcode.objects.create(
        postcode="S40 1LP", latitude=lsoa.centroid_lat, longitude=lsoa.centroid_lon, ward=ward
    )

    response = alice_client.get(reverse("places:area_detail", args=["e05003339"]))

    page = _page(response)
    _assert_one_h1_and_title(page, "St Leonard&#x27;s (ward)")
    assert 'href="/places/E07000034/" class="govuk-back-link">Back to Chesterfield' in page
    assert "All 5 areas in St Leonard&#x27;s" in page
    assert page.count('class="hub-choropleth__area ') == 5
    assert f"<title>{lsoa.name}: 1 postcodes</title>" in page


def test_it_shows_an_lsoa_has_no_smaller_areas(alice_client, chesterfield):
    lsoa = Area.objects.filter(level=Area.Level.LSOA).first()

    page = _page(alice_client.get(reverse("places:area_detail", args=[lsoa.code])))

    assert f"There are no smaller areas in {lsoa.name}." in page
    assert "hub-choropleth" not in page


@pytest.mark.parametrize("code", ["E99999999", "<script>", "x" * 500])
def test_it_answers_404_for_an_unknown_area(alice_client, db, code):
    assert alice_client.get(reverse("places:area_detail", args=[code])).status_code == 404


def test_it_shows_the_postcode_form(alice_client, db):
    response = alice_client.get(reverse("places:postcode_lookup"))

    page = _page(response)
    _assert_one_h1_and_title(page, "Find the ward for a postcode")
    assert '<form method="post" novalidate>' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert 'autocomplete="postal-code"' in page


def test_it_finds_the_ward_for_a_postcode_in_any_spelling(alice_client, chesterfield):
    ward = Area.objects.get(code="E05003339")
    Postcode.objects.create(postcode="S40 1LP", latitude=53.2358, longitude=-1.425, ward=ward)
    url = reverse("places:postcode_lookup")

    response = alice_client.post(url, {"postcode": " s401lp "})

    page = _page(response)
    assert response.status_code == 200
    assert "S40 1LP" in page
    assert "is in St Leonard&#x27;s ward" in page
    assert '<a class="govuk-link" href="/places/E07000034/">Chesterfield</a>' in page
    # The postcode travels only in the POST body: never in a URL or a redirect.
    assert response.request["PATH_INFO"] == url
    assert "postcode=" not in response.request.get("QUERY_STRING", "")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter a postcode"),
        ("S40", "Enter a real postcode, like S40 1LP"),
        ("<script>alert(1)</script>", "Enter a real postcode, like S40 1LP"),
        ("S40 1LP" * 100_000, "Enter a real postcode, like S40 1LP"),
        ("S40 9ZZ", "We do not know that postcode"),
    ],
)
def test_it_explains_a_postcode_it_cannot_find(alice_client, db, typed, message):
    response = alice_client.post(reverse("places:postcode_lookup"), {"postcode": typed})

    page = _page(response)
    assert response.status_code == 200
    assert "<title>Error: Find the ward for a postcode" in page
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in page
    assert f'<a href="#id_postcode">{message}</a>' in page
    assert "<script>alert" not in page


def test_it_needs_the_csrf_token_to_look_up_a_postcode(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice, backend="hub.accounts.backends.HubModelBackend")

    assert (
        client.post(reverse("places:postcode_lookup"), {"postcode": "S40 1LP"}).status_code == 403
    )
