"""The shielding-list import pages: upload, check the columns, progress, rejected rows."""

import csv
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hub.core.models import AccessLogEntry
from hub.support.models import Resident, ShieldingImport, SupportRequest
from hub.support.services.shielding import (
    shielding_import_confirm,
    shielding_import_run,
    store_folder,
    stored_file,
)
from hub.support.tests.test_shielding_import import csv_bytes, make_numbers, person, upload
from hub.testing.factories import as_actor

LIST = reverse("support:imports")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def detail(pk: int) -> str:
    return reverse("support:import_detail", args=[pk])


def post_file(client, data: bytes, name: str = "shielding.csv"):
    return client.post(LIST, {"file": SimpleUploadedFile(name, data, "text/csv")})


@pytest.fixture
def good_file() -> bytes:
    numbers = make_numbers(4)
    return csv_bytes(
        [
            person(numbers[0], Forename="Zoë", Surname="Marsden"),
            person(numbers[1], Surname="Froggatt"),
            person(numbers[2], Postcode=""),
            person(numbers[3], Surname="Bagshaw"),
        ]
    )


@pytest.fixture
def previewed(alice, good_file) -> ShieldingImport:
    return upload(as_actor(alice), good_file)


# -- Who may use it --------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["bob", "charlie", "dora", "ada"])
def test_it_refuses_everyone_but_host_coordinators(request, who, previewed, good_file):
    client = request.getfixturevalue(f"{who}_client")

    assert client.get(LIST).status_code == 403
    assert post_file(client, good_file).status_code == 403
    assert client.get(detail(previewed.pk)).status_code == 403
    assert client.get(detail(previewed.pk), {"format": "csv"}).status_code == 403
    confirm = client.post(detail(previewed.pk), {"action": "confirm", **previewed.mapping})
    assert confirm.status_code == 403
    assert ShieldingImport.objects.count() == 1
    assert not Resident.objects.exists()
    assert not AccessLogEntry.objects.exists()


def test_a_coordinator_never_sees_another_organisations_imports(alice_client, partner, previewed):
    theirs = ShieldingImport.objects.create(
        organisation=partner, original_name="theirs.csv", stored_path="x", sha256="0" * 64
    )

    page = alice_client.get(LIST).content.decode()

    assert "shielding.csv" in page
    assert "theirs.csv" not in page
    assert alice_client.get(detail(theirs.pk)).status_code == 404
    assert alice_client.get(detail(theirs.pk), {"format": "csv"}).status_code == 404


def test_it_lists_past_imports_in_a_fixed_number_of_queries(
    alice, alice_client, good_file, django_assert_max_num_queries
):
    for _ in range(6):
        upload(as_actor(alice), good_file)

    with django_assert_max_num_queries(12):
        response = alice_client.get(LIST)

    assert response.content.decode().count("Alice Ashworth") >= 6


# -- Uploading -------------------------------------------------------------------------------


def test_uploading_shows_the_columns_and_first_rows_and_logs_the_viewing(
    alice, alice_client, good_file
):
    response = post_file(alice_client, good_file)

    created = ShieldingImport.objects.get()
    assert response["Location"] == detail(created.pk)
    page = alice_client.get(detail(created.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Check the columns before importing" in html
    assert "Zoë" in html and "Froggatt" in html
    assert "Postcode is missing" in html
    assert '<option value="Surname" selected>Surname</option>' in html
    assert "Import about 4 rows" in html
    entry = AccessLogEntry.objects.get()
    assert entry.user == alice
    assert entry.purpose == "preview of shielding list"
    assert entry.content_type == ContentType.objects.get_for_model(ShieldingImport)
    assert entry.object_id == str(created.pk)
    assert not Resident.objects.exists()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"PK\x03\x04" + b"\x00" * 300, "list.xlsx", "spreadsheet workbook"),
        (b"\x00\x01\x02binary", "list.csv", "not a CSV text file"),
        (b"", "empty.csv", "The submitted file is empty"),
    ],
)
def test_it_refuses_a_file_that_is_not_csv_and_saves_nothing(alice_client, data, name, message):
    response = post_file(alice_client, data, name)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_file"' in html
    assert message in html
    assert "<title>Error: " in html
    assert not ShieldingImport.objects.exists()
    assert not store_folder().exists() or not any(store_folder().iterdir())


def test_it_asks_for_a_file_when_none_is_chosen(alice_client):
    response = alice_client.post(LIST, {})

    assert "Choose the CSV file to import" in response.content.decode()
    assert not ShieldingImport.objects.exists()


def test_it_refuses_a_file_over_the_size_limit(alice_client, good_file, settings):
    settings.HUB_SHIELDING_MAX_BYTES = 100

    response = post_file(alice_client, good_file)

    assert "larger than 100 bytes" in response.content.decode()
    assert not ShieldingImport.objects.exists()


def test_a_file_name_cannot_choose_where_the_file_is_stored(alice_client, good_file, tmp_path):
    post_file(alice_client, good_file, name="../../etc/passwd.csv")

    created = ShieldingImport.objects.get()
    assert stored_file(created).parent == tmp_path / "media" / "private" / "shielding"
    assert stored_file(created).read_bytes() == good_file
    assert created.original_name == "passwd.csv"
    assert not (tmp_path / "etc").exists()


def test_a_hostile_file_name_is_shown_as_text(alice_client, good_file):
    post_file(alice_client, good_file, name="<img src=x onerror=alert(1)>.csv")

    html = alice_client.get(LIST).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;.csv" in html


# -- Choosing columns and confirming ---------------------------------------------------------


@pytest.fixture
def odd_headers(alice) -> ShieldingImport:
    (number,) = make_numbers(1)
    header = ["NHS Number", "Forename", "Family", "Where they live", "Postcode"]
    data = csv_bytes([[number, "Ann", "Lee", "S41 0AB", "S40 1LP"]], header=header)
    return upload(as_actor(alice), data)


def test_it_names_each_column_it_still_needs_and_imports_nothing(alice_client, odd_headers):
    response = alice_client.post(
        detail(odd_headers.pk),
        {"action": "confirm", "nhs_number": "NHS Number", "first_name": "Forename"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_last_name"' in html
    assert 'href="#id_postcode"' in html
    assert "Choose the column that holds the last name" in html
    odd_headers.refresh_from_db()
    assert odd_headers.status == ShieldingImport.Status.PREVIEW
    assert not Resident.objects.exists()


def test_it_refuses_one_column_for_two_fields(alice_client, odd_headers):
    response = alice_client.post(
        detail(odd_headers.pk),
        {
            "action": "confirm",
            "nhs_number": "NHS Number",
            "last_name": "Family",
            "first_name": "Family",
            "postcode": "Postcode",
        },
    )

    assert "already uses the column ‘Family’" in response.content.decode()
    assert not Resident.objects.exists()


def test_it_refuses_a_column_the_file_does_not_have(alice_client, odd_headers):
    response = alice_client.post(
        detail(odd_headers.pk),
        {
            "action": "confirm",
            "nhs_number": "NHS Number",
            "last_name": "<script>x</script>",
            "postcode": "Postcode",
        },
    )

    html = response.content.decode()
    assert 'href="#id_last_name"' in html
    assert "<script>x</script>" not in html
    assert not Resident.objects.exists()


def test_changing_the_columns_updates_the_preview_then_imports_with_them(alice_client, odd_headers):
    mapping = {
        "nhs_number": "NHS Number",
        "first_name": "Forename",
        "last_name": "Family",
        "address_line_1": "Where they live",
        "postcode": "Postcode",
    }

    preview = alice_client.post(detail(odd_headers.pk), {"action": "preview", **mapping})
    odd_headers.refresh_from_db()
    page = alice_client.get(detail(odd_headers.pk)).content.decode()
    confirm = alice_client.post(detail(odd_headers.pk), {"action": "confirm", **mapping})

    assert preview.status_code == 302
    assert odd_headers.mapping == mapping
    assert '<option value="Family" selected>Family</option>' in page
    assert confirm.status_code == 302
    resident = Resident.objects.get()
    assert (resident.last_name, resident.address_line_1, resident.postcode) == (
        "Lee",
        "S41 0AB",
        "S40 1LP",
    )


def test_confirming_runs_the_import_and_shows_what_happened(alice_client, previewed):
    response = alice_client.post(
        detail(previewed.pk), {"action": "confirm", **previewed.mapping}, follow=True
    )

    html = response.content.decode()
    previewed.refresh_from_db()
    assert previewed.status == ShieldingImport.Status.DONE
    assert "Shielding list imported" in html
    assert "The import has started" in html
    assert "3, each with a request for an outreach call" in html
    assert "Postcode is missing" in html
    assert "Zoë" not in html, "the finished page holds no personal data"
    assert SupportRequest.objects.filter(channel="shielding").count() == 3
    again = alice_client.post(detail(previewed.pk), {"action": "confirm", **previewed.mapping})
    assert again.status_code == 302
    assert SupportRequest.objects.count() == 3


def test_the_rejected_rows_download_holds_row_column_and_reason_only(alice_client, alice):
    numbers = make_numbers(3)
    data = csv_bytes(
        [person(numbers[0]), person(numbers[1], Postcode="ZZ9 9ZZZ"), person("123", Surname="")]
    )
    created = upload(as_actor(alice), data)
    shielding_import_confirm(actor=as_actor(alice), shielding_import=created, enqueue=False)
    shielding_import_run(shielding_import=created)

    response = alice_client.get(detail(created.pk), {"format": "csv"})

    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert list(csv.reader(io.StringIO(body))) == [
        ["row", "field", "reason"],
        ["3", "Postcode", "Postcode is not a UK postcode, like S40 1LP"],
        ["4", "Last name", "Last name is missing"],
        ["4", "NHS number", "Enter an NHS number of 10 digits, like 943 476 5919"],
    ]
    for personal in (*numbers, "ZZ9", "Staniforth", "Margaret"):
        assert personal not in body


def test_rejected_rows_are_shown_a_page_at_a_time(alice, alice_client):
    data = csv_bytes([person("1") for _ in range(60)])
    created = upload(as_actor(alice), data)
    shielding_import_confirm(actor=as_actor(alice), shielding_import=created, enqueue=False)
    shielding_import_run(shielding_import=created)

    first = alice_client.get(detail(created.pk)).content.decode()
    second = alice_client.get(detail(created.pk), {"page": 2}).content.decode()

    assert "page 1 of 2" in first
    assert "page 2 of 2" in second
    assert ">61<" in second and ">61<" not in first


# -- Progress --------------------------------------------------------------------------------


def test_a_running_import_shows_its_progress_without_refreshing_itself(alice, alice_client):
    data = csv_bytes([person(number) for number in make_numbers(5)])
    created = upload(as_actor(alice), data)
    shielding_import_confirm(actor=as_actor(alice), shielding_import=created, enqueue=False)
    shielding_import_run(shielding_import=created, batch_size=2, stop_after_batches=1)

    html = alice_client.get(detail(created.pk)).content.decode()

    assert '<progress id="import-progress" class="hub-progress" max="5" value="2">' in html
    assert "2 of 5 rows" in html
    assert "Check progress" in html
    assert 'http-equiv="refresh"' not in html


def test_an_import_that_stopped_can_be_carried_on_from_the_page(alice, alice_client):
    data = csv_bytes([person(number) for number in make_numbers(5)])
    created = upload(as_actor(alice), data)
    shielding_import_confirm(actor=as_actor(alice), shielding_import=created, enqueue=False)
    shielding_import_run(shielding_import=created, batch_size=2, stop_after_batches=1)
    ShieldingImport.objects.filter(pk=created.pk).update(
        status=ShieldingImport.Status.FAILED,
        error="The import stopped at row 4 (OperationalError).",
    )
    stopped = alice_client.get(detail(created.pk)).content.decode()

    alice_client.post(detail(created.pk), {"action": "resume"})

    assert "Carry on with the import" in stopped
    assert "Everything up to row 3 is saved" in stopped
    created.refresh_from_db()
    assert (created.status, created.created_count) == ("done", 5)
    assert Resident.objects.count() == 5
