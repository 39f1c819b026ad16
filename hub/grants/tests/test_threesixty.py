"""The 360Giving export: valid against the standard's own schema, org-ids in the right forms,
nothing about people, the flat CSV, public access, streaming and the command."""

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from hub.grants import threesixty
from hub.grants.models import Application, Award, Fund, OnwardGrant
from hub.grants.services import money
from hub.organisations.models import Organisation
from hub.places.models import Area
from hub.strategy.models import Element, Strategy
from hub.strategy.services import tags_set
from hub.testing.factories import OrganisationFactory, as_actor

STANDARD = Path(settings.BASE_DIR).parent / "shared" / "standards" / "360giving"


def _validator() -> Draft202012Validator:
    """The package schema, with the grant schema it refers to by web address served from the
    local copy (the package names version 1.4.2's address; the file's own $id is 1.4.3)."""
    package = json.loads((STANDARD / "360-giving-package-schema.json").read_text())
    grant = json.loads((STANDARD / "360-giving-schema.json").read_text())
    resource = Resource.from_contents(grant, default_specification=DRAFT202012)
    registry = Registry().with_resources(
        [(package["properties"]["grants"]["items"]["$ref"], resource), (grant["$id"], resource)]
    )
    return Draft202012Validator(
        package, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def assert_valid(package: dict) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(package)]
    assert errors == []


def make_award(
    fund: Fund,
    organisation: Organisation,
    by,
    officer,
    n: int,
    *,
    amount: int = 100_000,
    wards=(),
    summary: str = "Community meals for older people.",
    awarded_on: date | None = None,
) -> Award:
    """An application from ``organisation`` made and awarded through the money service."""
    application = Application.objects.create(
        reference=f"APP-7{n:05d}",
        fund=fund,
        organisation=organisation,
        title=f"Project {n}",
        summary=summary,
        outcomes="People fed and less alone.",
        amount_requested_pence=amount,
        status=Application.Status.SUBMITTED,
        submitted_at=timezone.now(),
        declaration_name="Bob Baker",
        created_by=by,
        starts_on=date(2026, 12, 1),
        ends_on=date(2027, 11, 30),
    )
    application.wards.set(wards)
    return money.award_make(
        actor=as_actor(officer),
        application=application,
        amount_pence=amount,
        reasons="Meets the priority",
        awarded_on=awarded_on,
    )


@pytest.fixture
def wards(db):
    district = Area.objects.create(code="E07000034", name="Chesterfield", level="district")
    return [
        Area.objects.create(code=code, name=name, level="ward", parent=district)
        for code, name in [
            ("E05012345", "Brimington North"),
            ("E05012346", "Hollingwood and Inkersall"),
            ("E05012347", "Dunston"),
        ]
    ]


@pytest.fixture
def priorities(db):
    strategy = Strategy.objects.create(name="Recovery strategy", slug="recovery", is_active=True)
    return {
        slug: Element.objects.create(strategy=strategy, kind=kind, slug=slug, name=name)
        for slug, kind, name in [
            ("young-people", "priority", "Young people"),
            ("social-connectedness", "priority", "Social connectedness"),
            ("material-insecurity", "impact_area", "Material insecurity"),
        ]
    }


@pytest.fixture
def grantees(db):
    return {
        "company": OrganisationFactory(
            name="Brampton Community Interest Company", company_number="09876543"
        ),
        "plain": OrganisationFactory(name="Spire Street Mutual Aid", kind="mutual_aid"),
        "scottish": OrganisationFactory(name="Borders Befriending", charity_number="SC012345"),
        "ni": OrganisationFactory(name="Lough Lunch Club", charity_number="NIC100123"),
    }


@pytest.fixture
def awards(fund, partner, bob, gina, grantees, wards, priorities):
    """Five awards: a charity with two wards and a priority, a company with one ward, a group
    with no registration and no ward, a Scottish and a Northern Irish charity."""
    fund.budget_pence = 10_000_000
    fund.save()
    made = [
        make_award(fund, partner, bob, gina, 1, amount=250_050, wards=wards[:2]),
        make_award(fund, grantees["company"], bob, gina, 2, wards=wards[2:]),
        make_award(fund, grantees["plain"], bob, gina, 3),
        make_award(fund, grantees["scottish"], bob, gina, 4),
        make_award(fund, grantees["ni"], bob, gina, 5),
    ]
    tags_set(obj=made[0].application, elements=[priorities["young-people"]])
    tags_set(obj=fund, elements=[priorities["social-connectedness"]])
    return made


def _package(client=None) -> dict:
    response = (client or Client()).get(reverse("grants:360giving_json"))
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))


def _grants_by_id(package: dict) -> dict:
    return {g["id"]: g for g in package["grants"]}


def test_it_publishes_a_package_valid_against_the_360giving_schema(awards):
    package = _package()
    assert_valid(package)
    assert len(package["grants"]) == 5
    assert package["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert package["downloadURL"] == f"{settings.HUB_BASE_URL}/grants/360giving.json"
    assert package["publisher"] == {
        "identifier": "GB-LAE-ASH",
        "name": "Ashworth Borough Council",
        "website": settings.HUB_BASE_URL,
    }


def test_a_schema_check_catches_a_broken_grant(awards):
    """The validator really checks: a grant with no recipient and a bad date is refused."""
    package = _package()
    del package["grants"][0]["recipientOrganization"]
    package["grants"][1]["awardDate"] = "15/01/2026"
    assert list(_validator().iter_errors(package))
    # Format assertion is on (rfc3339-validator installed): a bad date-time alone is caught.
    package = _package()
    package["grants"][2]["dateModified"] = "yesterday"
    assert [e.message for e in _validator().iter_errors(package)] == [
        "'yesterday' is not a 'date-time'"
    ]


def test_each_grant_carries_the_award_in_360giving_terms(awards, wards):
    award = awards[0]
    grant = _grants_by_id(_package())[f"360G-ashworth-{award.pk}"]
    assert grant["title"] == "Project 1"
    assert grant["description"] == "Community meals for older people."
    assert grant["currency"] == "GBP"
    assert grant["amountAwarded"] == 2500.5
    assert grant["awardDate"] == award.awarded_on.isoformat()
    assert grant["recipientOrganization"] == [
        {"id": "GB-CHC-1123456", "name": "Northfield Food Bank", "charityNumber": "1123456"}
    ]
    assert grant["fundingOrganization"] == [
        {"id": "GB-LAE-ASH", "name": "Ashworth Borough Council"}
    ]
    assert grant["grantProgramme"] == [
        {
            "code": "emergency-community-wellbeing-fund",
            "title": "Emergency community wellbeing fund",
        }
    ]
    assert grant["beneficiaryLocation"] == [
        {"name": "Brimington North", "geoCode": "E05012345", "geoCodeType": "WD"},
        {"name": "Hollingwood and Inkersall", "geoCode": "E05012346", "geoCodeType": "WD"},
    ]
    assert grant["plannedDates"] == [{"startDate": "2026-12-01", "endDate": "2027-11-30"}]
    # Priorities tagged on the application and on its fund; impact areas are not priorities.
    assert grant["classifications"] == [
        {
            "vocabulary": "ashworth-priorities",
            "code": "social-connectedness",
            "title": "Social connectedness",
        },
        {"vocabulary": "ashworth-priorities", "code": "young-people", "title": "Young people"},
    ]
    assert datetime.fromisoformat(grant["dateModified"]) == award.updated_at.replace(microsecond=0)


def test_recipients_are_identified_by_their_registers(awards, grantees):
    grants = list(_grants_by_id(_package()).values())
    recipients = {
        g["recipientOrganization"][0]["name"]: g["recipientOrganization"][0] for g in grants
    }
    assert recipients["Brampton Community Interest Company"]["id"] == "GB-COH-09876543"
    assert recipients["Brampton Community Interest Company"]["companyNumber"] == "09876543"
    assert recipients["Borders Befriending"]["id"] == "GB-SC-SC012345"
    assert recipients["Lough Lunch Club"]["id"] == "GB-NIC-100123"
    plain = grantees["plain"]
    assert recipients["Spire Street Mutual Aid"] == {
        "id": f"360G-ashworth-org-{plain.pk}",
        "name": "Spire Street Mutual Aid",
    }
    no_wards = next(g for g in grants if g["recipientOrganization"][0]["name"] == plain.name)
    assert "beneficiaryLocation" not in no_wards


@pytest.mark.parametrize(
    ("charity", "company", "expected"),
    [
        ("1123456", "", "GB-CHC-1123456"),
        ("212345", "01234567", "GB-CHC-212345"),  # a charity number wins over a company
        ("1123456-1", "", "GB-CHC-1123456"),  # a linked charity: its main registration
        ("sc 012345", "", "GB-SC-SC012345"),
        ("NIC100123", "", "GB-NIC-100123"),
        ("NI100123", "", "GB-NIC-100123"),
        ("", "sc123456", "GB-COH-SC123456"),
        ("", "", "360G-ashworth-org-42"),
    ],
)
def test_it_forms_org_ids_from_registration_numbers(charity, company, expected):
    assert (
        threesixty.organisation_identifier(pk=42, charity_number=charity, company_number=company)
        == expected
    )


def test_the_prefix_and_funder_come_from_settings(awards, settings):
    settings.HUB_360G_PREFIX = "chesterfield"
    settings.HUB_360G_FUNDER_ID = "GB-LAE-CHS"
    package = _package()
    assert_valid(package)
    grant = _grants_by_id(package)[f"360G-chesterfield-{awards[2].pk}"]
    assert grant["fundingOrganization"][0]["id"] == "GB-LAE-CHS"
    assert grant["recipientOrganization"][0]["id"].startswith("360G-chesterfield-org-")


def test_it_publishes_no_onward_grants_and_no_personal_data(awards, fund, gina, bob):
    partner_fund = Fund.objects.create(
        name="Partner agency allocation",
        slug="partner-allocation",
        source="Reserve",
        budget_pence=1_000_000,
        opens_on=fund.opens_on,
        closes_on=fund.closes_on,
        owner=fund.owner,
        route=Fund.Route.PARTNER_AGENCY,
    )
    allocation = make_award(
        partner_fund,
        awards[0].organisation,
        bob,
        gina,
        9,
        amount=50_000,
        summary="Small grants. Call Bob on 07700 900123 or bob@example.org",
    )
    money.onward_grant_record(
        actor=as_actor(bob),
        award=allocation,
        recipient_kind=OnwardGrant.Recipient.INDIVIDUAL,
        recipient_name="Jane Doe",
        amount_pence=20_000,
        purpose="Boiler repair for Jane Doe",
        made_on=date(2026, 12, 5),
    )
    json_text = json.dumps(_package())
    csv_text = b"".join(Client().get(reverse("grants:360giving_csv")).streaming_content).decode()
    for published in (json_text, csv_text):
        assert "Jane Doe" not in published
        assert "Boiler" not in published
        assert "Bob Baker" not in published  # the declaration name
        assert "bob@example.org" not in published
        assert "07700 900123" not in published
        assert "[email]" in published and "[phone]" in published
    assert len(_package()["grants"]) == 6  # awards to organisations only


def test_the_csv_has_the_360giving_columns_and_a_grant_per_row(awards):
    response = Client().get(reverse("grants:360giving_csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header, body = rows[0], rows[1:]
    assert header[:19] == [
        "Identifier",
        "Title",
        "Description",
        "Currency",
        "Amount Awarded",
        "Award Date",
        "Recipient Org:Identifier",
        "Recipient Org:Name",
        "Recipient Org:Charity Number",
        "Recipient Org:Company Number",
        "Funding Org:Identifier",
        "Funding Org:Name",
        "Grant Programme:Title",
        "Beneficiary Location:Name",
        "Beneficiary Location:Geographic Code",
        "Beneficiary Location:Geographic Code Type",
        "Planned Dates:Start Date",
        "Planned Dates:End Date",
        "Last Modified",
    ]
    # The most wards on one grant is two: the second goes in numbered columns.
    assert header[19:] == [
        "Beneficiary Location:1:Name",
        "Beneficiary Location:1:Geographic Code",
        "Beneficiary Location:1:Geographic Code Type",
    ]
    assert len(body) == 5
    first = dict(zip(header, body[0], strict=True))
    assert first["Identifier"] == f"360G-ashworth-{awards[0].pk}"
    assert first["Amount Awarded"] == "2500.5"
    assert first["Recipient Org:Identifier"] == "GB-CHC-1123456"
    assert first["Recipient Org:Charity Number"] == "1123456"
    assert first["Funding Org:Name"] == "Ashworth Borough Council"
    assert first["Grant Programme:Title"] == "Emergency community wellbeing fund"
    assert first["Beneficiary Location:Geographic Code"] == "E05012345"
    assert first["Beneficiary Location:1:Name"] == "Hollingwood and Inkersall"
    assert first["Beneficiary Location:Geographic Code Type"] == "WD"
    assert first["Planned Dates:End Date"] == "2027-11-30"
    company = dict(zip(header, body[1], strict=True))
    assert company["Recipient Org:Company Number"] == "09876543"
    assert company["Beneficiary Location:1:Name"] == ""


def test_the_csv_defuses_spreadsheet_formulas(fund, partner, bob, gina):
    award = make_award(fund, partner, bob, gina, 1, summary='=HYPERLINK("http://x")')
    rows = list(csv.reader(io.StringIO("".join(threesixty.stream_csv()))))
    assert rows[1][2] == '\'=HYPERLINK("http://x")'
    assert rows[1][0] == f"360G-ashworth-{award.pk}"


def test_anyone_may_fetch_the_open_data_without_signing_in(awards):
    anonymous = Client()
    for name in ("grants:360giving_json", "grants:360giving_csv"):
        response = anonymous.get(reverse(name))
        assert response.status_code == 200
        assert isinstance(response, StreamingHttpResponse)
        assert response["Access-Control-Allow-Origin"] == "*"
    assert reverse("grants:360giving_json") == "/grants/360giving.json"
    assert reverse("grants:360giving_csv") == "/grants/360giving.csv"


def test_the_open_data_refuses_writes(awards):
    assert Client().post(reverse("grants:360giving_json")).status_code == 405


def test_an_export_with_no_grants_yet_is_still_well_formed(db):
    package = _package()
    assert package["grants"] == []
    rows = list(csv.reader(io.StringIO("".join(threesixty.stream_csv()))))
    assert rows == [threesixty.CSV_COLUMNS]


def test_the_export_reads_a_fixed_number_of_queries_per_chunk(
    fund, partner, bob, gina, wards, priorities
):
    fund.budget_pence = 100_000_000
    fund.save()
    for n in range(3):
        make_award(fund, partner, bob, gina, n, wards=wards[:1])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert json.loads("".join(threesixty.stream_json()))["grants"]
        return len(captured.captured_queries)

    few = queries()
    for n in range(3, 30):
        make_award(fund, partner, bob, gina, n, wards=wards)
    assert queries() == few


def test_the_export_streams_in_chunks(fund, partner, bob, gina):
    fund.budget_pence = 100_000_000
    fund.save()
    for n in range(5):
        make_award(fund, partner, bob, gina, n)
    chunks = list(threesixty.iter_grants(chunk_size=2))
    assert [len(c) for c in chunks] == [2, 2, 1]
    assert len({g["id"] for c in chunks for g in c}) == 5


def test_the_command_writes_a_valid_json_file(awards, tmp_path):
    target = tmp_path / "grants.json"
    call_command("export_360giving", "--output", str(target), stderr=io.StringIO())
    package = json.loads(target.read_text(encoding="utf-8"))
    assert_valid(package)
    assert len(package["grants"]) == 5
    assert [p.name for p in tmp_path.iterdir()] == ["grants.json"]  # no part-file left behind


def test_the_command_writes_csv_when_asked(awards, tmp_path):
    target = tmp_path / "grants.txt"
    call_command(
        "export_360giving", "--output", str(target), "--format", "csv", stderr=io.StringIO()
    )
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows[0][0] == "Identifier" and len(rows) == 6


def test_the_command_names_a_missing_folder(db, tmp_path):
    with pytest.raises(CommandError, match="no folder"):
        call_command("export_360giving", "--output", str(tmp_path / "nope" / "grants.json"))


def test_amounts_are_pounds_as_numbers():
    assert threesixty.pounds_number(250_000) == 2500
    assert isinstance(threesixty.pounds_number(250_000), int)
    assert threesixty.pounds_number(250_050) == 2500.5
    assert threesixty.pounds_number(1) == 0.01
