"""The shielding-list import: reading files, checking rows, upserting residents, resuming.

NHS numbers here come from ``nhs_number.generate`` for the England range, seeded; they are
valid numbers made for testing and not known to belong to anyone.
"""

import io
import random
from datetime import date

import nhs_number
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from nhs_number.constants import REGION_ENGLAND_WALES_IOM

from hub.organisations.models import Organisation
from hub.places.models import Area, Postcode
from hub.support import services
from hub.support.models import (
    JourneyEvent,
    Need,
    Resident,
    ShieldingImport,
    SupportRequest,
)
from hub.support.services.shielding import (
    shielding_import_confirm,
    shielding_import_create,
    shielding_import_run,
    store_folder,
    stored_file,
)
from hub.support.shielding_csv import (
    guess_mapping,
    normalise_phone_fast,
    parse_date_of_birth,
)
from hub.support.tasks import run_shielding_import
from hub.support.tests.conftest import NHS_NUMBERS
from hub.support.validation import normalise_phone
from hub.testing.factories import as_actor

HEADER = [
    "NHS Number",
    "Forename",
    "Surname",
    "Date of Birth",
    "Address Line 1",
    "Address Line 2",
    "Address Line 3",
    "Postcode",
    "Telephone",
    "Mobile",
    "GP Practice Code",
]
TODAY = timezone.localdate()


def make_numbers(count: int, seed: int = 1234) -> list[str]:
    """Distinct valid England NHS numbers for tests, the same every run."""
    random.seed(seed)
    found: dict[str, None] = {}
    while len(found) < count:
        for number in nhs_number.generate(for_region=REGION_ENGLAND_WALES_IOM, quantity=count):
            found.setdefault(number, None)
    return list(found)[:count]


def person(number: str, **overrides) -> dict[str, str]:
    row = {
        "NHS Number": number,
        "Forename": "Margaret",
        "Surname": "Staniforth",
        "Date of Birth": "21/03/1946",
        "Address Line 1": "12 Church Lane",
        "Address Line 2": "Brimington",
        "Address Line 3": "Chesterfield",
        "Postcode": "S43 1AA",
        "Telephone": "01246 345678",
        "Mobile": "07956 123456",
        "GP Practice Code": "C81001",
    }
    row.update(overrides)
    return row


def csv_bytes(rows, *, header=HEADER, encoding="utf-8", delimiter=",", bom=False) -> bytes:
    out = io.StringIO()
    out.write(delimiter.join(header) + "\r\n")
    for row in rows:
        cells = row if isinstance(row, list) else [row.get(name, "") for name in header]
        out.write(delimiter.join(cells) + "\r\n")
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def upload(actor, data: bytes, name: str = "shielding.csv") -> ShieldingImport:
    return shielding_import_create(actor=actor, source=io.BytesIO(data), original_name=name)


def run(actor, data: bytes, *, batch_size: int = 2000, mapping=None) -> ShieldingImport:
    created = upload(actor, data)
    shielding_import_confirm(actor=actor, shielding_import=created, mapping=mapping, enqueue=False)
    return shielding_import_run(shielding_import=created, batch_size=batch_size)


def rejections(shielding_import) -> list[tuple[int, str, str]]:
    return list(
        shielding_import.rejections.order_by("row_number", "field").values_list(
            "row_number", "field", "reason"
        )
    )


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def coordinator(alice):
    return as_actor(alice)


@pytest.fixture
def wards(db):
    """Two wards and the postcodes in them."""
    north = Area.objects.create(code="E05000001", name="Brimington North", level="ward")
    south = Area.objects.create(code="E05000002", name="Hasland South", level="ward")
    Postcode.objects.create(postcode="S43 1AA", ward=north)
    Postcode.objects.create(postcode="S41 0AB", ward=south)
    return north, south


# -- Reading the file ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            ["NHS Number", "Forename", "Surname", "DOB", "Address Line 1", "Postcode",
             "Telephone", "Mobile", "GP Practice Code"],
            ["nhs_number", "first_name", "last_name", "date_of_birth", "address_line_1",
             "postcode", "phone", "mobile", "gp_practice_code"],
        ),
        (
            ["NHSNumber", "Given name", "Family name", "Date of Birth", "address_line_1",
             "Post code", "Phone", "Mobile Number", "Practice code"],
            ["nhs_number", "first_name", "last_name", "date_of_birth", "address_line_1",
             "postcode", "phone", "mobile", "gp_practice_code"],
        ),
        (
            ["nhs_no", "FIRST_NAME", "LAST NAME", "date-of-birth", "Address 1", "Address 2",
             "Town", "POSTCODE", "Tel", "ODS code"],
            ["nhs_number", "first_name", "last_name", "date_of_birth", "address_line_1",
             "address_line_2", "town", "postcode", "phone", "gp_practice_code"],
        ),
        (
            ["Patient NHS Number", "Patient Forename", "Patient Surname", "DOB (dd/mm/yyyy)",
             "Patient Postcode", "County"],
            ["nhs_number", "first_name", "last_name", "date_of_birth", "postcode", None],
        ),
    ],
)  # fmt: skip
def test_it_maps_columns_by_their_many_header_spellings(header, expected):
    mapping = guess_mapping(header)

    found = {label: name for name, label in mapping.items()}
    assert [found.get(label) for label in header] == expected


@pytest.mark.parametrize(
    ("encoding", "bom", "stored"),
    [("utf-8", False, "utf-8-sig"), ("utf-8", True, "utf-8-sig"), ("cp1252", False, "cp1252")],
)
def test_it_reads_utf8_with_or_without_bom_and_windows_1252(coordinator, encoding, bom, stored):
    (number,) = make_numbers(1)
    data = csv_bytes(
        [person(number, Forename="Zoë", Surname="O’Brien")], encoding=encoding, bom=bom
    )

    done = run(coordinator, data)

    assert done.encoding == stored
    assert done.created_count == 1
    resident = Resident.objects.get(nhs_number=number)
    assert (resident.first_name, resident.last_name) == ("Zoë", "O’Brien")


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_it_reads_semicolon_and_tab_separated_files(coordinator, delimiter):
    (number,) = make_numbers(1)
    data = csv_bytes([person(number, Forename="Jean, Mary")], delimiter=delimiter)

    done = run(coordinator, data)

    assert done.created_count == 1
    assert Resident.objects.get(nhs_number=number).first_name == "Jean, Mary"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 200, "spreadsheet workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200, "Excel 97-2003"),
        (b"%PDF-1.7\n" + b"x" * 200, "PDF"),
        ("NHS Number,Surname\n".encode("utf-16"), "UTF-16"),
        (b"NHS Number,Surname,Postcode\n\x00\x01\x02\x03", "not a CSV text file"),
        (b"\x81\x8d\x8f\x90\x9d not text in any encoding we read\n" * 3, "not text in UTF-8"),
        (b"", "The file is empty"),
        (b"NHS Number,Surname,Postcode\r\n", "no one in it"),
        (b"just one column\nand another line\n", "only one column"),
    ],
)
def test_it_refuses_files_that_are_not_csv_text_and_keeps_nothing(coordinator, data, message):
    with pytest.raises(ValidationError) as caught:
        upload(coordinator, data)

    assert message in caught.value.message_dict["file"][0]
    assert not ShieldingImport.objects.exists()
    assert not any(store_folder().glob("*"))


def test_it_refuses_a_file_over_the_size_limit_while_storing_it(coordinator, settings):
    settings.HUB_SHIELDING_MAX_BYTES = 1000
    (number,) = make_numbers(1)

    with pytest.raises(ValidationError) as caught:
        upload(coordinator, csv_bytes([person(number)] * 20))

    assert "larger than 1,000 bytes" in caught.value.messages[0]
    assert not any(store_folder().glob("*"))


def test_it_stores_the_file_privately_under_a_random_name(coordinator, settings, tmp_path):
    (number,) = make_numbers(1)

    created = upload(coordinator, csv_bytes([person(number)]), name="../../etc/passwd.csv")

    path = stored_file(created)
    assert path.parent == tmp_path / "media" / "private" / "shielding"
    assert path.is_file()
    assert "passwd" not in path.name
    assert created.original_name == "passwd.csv"
    assert not (tmp_path / "etc").exists()
    assert len(created.sha256) == 64


def test_it_deletes_its_copy_of_the_file_once_imported(coordinator):
    (number,) = make_numbers(1)
    created = upload(coordinator, csv_bytes([person(number)]))
    shielding_import_confirm(actor=coordinator, shielding_import=created, enqueue=False)

    shielding_import_run(shielding_import=created)

    assert not stored_file(created).exists()


# -- Checking rows ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21/03/1946", date(1946, 3, 21)),
        ("1/3/1946", date(1946, 3, 1)),
        ("1946-03-21", date(1946, 3, 21)),
        ("21-03-1946", date(1946, 3, 21)),
        ("21.03.1946", date(1946, 3, 21)),
        ("19460321", date(1946, 3, 21)),
        ("18264", date(1950, 1, 1)),  # a spreadsheet's serial number for 1 January 1950
        ("18264.0", date(1950, 1, 1)),
        ("01/02/45", date(1945, 2, 1)),  # two-digit years never land in the future
        ("21 Mar 1946", date(1946, 3, 21)),
        ("1946-03-21 00:00:00", date(1946, 3, 21)),
    ],
)
def test_it_reads_dates_of_birth_in_the_shapes_lists_hold(text, expected):
    assert parse_date_of_birth(text, date(2025, 6, 1)) == expected


def test_it_gives_two_digit_years_this_century_only_when_already_past():
    assert parse_date_of_birth("01/02/20", date(2025, 6, 1)) == date(2020, 2, 1)
    assert parse_date_of_birth("01/02/26", date(2025, 6, 1)) == date(1926, 2, 1)


def test_it_rejects_each_bad_row_with_its_row_number_and_no_personal_data(coordinator):
    n = make_numbers(11)
    bad_check_digit = n[10][:9] + str((int(n[10][9]) + 1) % 10)
    rows = [
        person(n[0]),  # row 2: fine
        person(bad_check_digit),  # 3
        person("12345"),  # 4
        person(n[2], **{"Date of Birth": "31/02/1950"}),  # 5
        person(n[3], **{"Date of Birth": "1950-13-01"}),  # 6
        person(n[4], **{"Date of Birth": f"01/01/{TODAY.year + 2}"}),  # 7: the future
        person(n[5], Postcode=""),  # 8
        person(n[6], Postcode="S40 1CX"),  # 9
        person(n[7], Surname=""),  # 10
        person(n[0], Forename="Second"),  # 11: the same NHS number as row 2
        person(n[8], Telephone="01246 12"),  # 12
        person(n[9], **{"Date of Birth": "99999"}),  # 13
        person("", Surname=""),  # 14: two problems
    ]

    done = run(coordinator, csv_bytes(rows))

    assert done.created_count == 1
    assert done.rejected_count == 12
    assert rejections(done) == [
        (3, "nhs_number", "Enter a real NHS number: this one fails its check digit"),
        (4, "nhs_number", "Enter an NHS number of 10 digits, like 943 476 5919"),
        (5, "date_of_birth", "Date of birth is not a real date"),
        (6, "date_of_birth", "Date of birth is not a real date"),
        (7, "date_of_birth", "Date of birth is in the future"),
        (8, "postcode", "Postcode is missing"),
        (9, "postcode", "Postcode is not a UK postcode, like S40 1LP"),
        (10, "last_name", "Last name is missing"),
        (11, "nhs_number", "Duplicate of row 2"),
        (12, "phone", "Telephone is not a phone number we can call"),
        (
            13,
            "date_of_birth",
            "Date of birth looks like a spreadsheet date serial number, but not one between "
            "1900 and today",
        ),
        (14, "last_name", "Last name is missing"),
        (14, "nhs_number", "NHS number is missing"),
    ]
    reasons = " ".join(reason for _, _, reason in rejections(done))
    for personal in (*n, bad_check_digit, "S40 1CX", "Margaret", "Staniforth", "01246"):
        assert personal not in reasons


def test_a_number_met_again_is_a_duplicate_even_when_its_first_row_was_rejected(coordinator):
    (number,) = make_numbers(1)

    done = run(coordinator, csv_bytes([person(number, Postcode=""), person(number)]))

    assert rejections(done) == [
        (2, "postcode", "Postcode is missing"),
        (3, "nhs_number", "Duplicate of row 2"),
    ]


def test_a_row_the_csv_reader_cannot_read_is_rejected_and_the_rest_carry_on(coordinator):
    numbers = make_numbers(2)
    huge = "x" * 200_000  # over the csv module's field limit
    data = csv_bytes([person(numbers[0], Forename=huge), person(numbers[1])])

    done = run(coordinator, data)

    assert done.created_count == 1
    (rejected,) = rejections(done)
    assert rejected[0] == 2
    assert "could not be read as CSV" in rejected[2]
    assert huge[:50] not in rejected[2]


def test_it_rejects_values_too_long_to_hold(coordinator):
    (number,) = make_numbers(1)

    done = run(coordinator, csv_bytes([person(number, Surname="S" * 101)]))

    assert rejections(done) == [(2, "last_name", "Last name is longer than 100 characters")]


def test_it_skips_blank_lines_without_rejecting_them(coordinator):
    numbers = make_numbers(2)
    data = csv_bytes([person(numbers[0]), [""] * len(HEADER), person(numbers[1])])

    done = run(coordinator, data)

    assert (done.created_count, done.rejected_count, done.processed_rows) == (2, 0, 3)


def test_it_normalises_phones_as_the_hub_does():
    rng = random.Random(7)
    samples = [
        "01246 345678",
        "+44 (0)1246 345678",
        "0044 1246 345678",
        "07956-123-456",
        "01534 123456",  # Jersey: not a GB number, still valid
        "0800 123 4567",
        "07700 900123",  # reserved for drama: not a real number
        "01246 12",
        "+1 202 555 0100",
        "not a phone",
        *(f"0{rng.randint(1_000_000_000, 9_999_999_999)}" for _ in range(300)),
    ]
    for sample in samples:
        try:
            expected = normalise_phone(sample)
        except ValidationError:
            expected = None
        try:
            got = normalise_phone_fast(sample)
        except ValidationError:
            got = None
        assert got == expected, sample


# -- Writing residents -----------------------------------------------------------------------


def test_a_new_resident_gets_one_open_outreach_request_with_a_need_and_a_journey_event(
    coordinator, wards
):
    gp = Organisation.objects.create(
        name="Royal Primary Care", slug="royal", kind="gp_practice", ods_code="C81001"
    )
    (number,) = make_numbers(1)

    done = run(coordinator, csv_bytes([person(number)]))

    resident = Resident.objects.get(nhs_number=number)
    assert resident.shielding
    assert resident.source_import == done
    assert resident.ward == wards[0]
    assert resident.gp_practice == gp
    assert resident.date_of_birth == date(1946, 3, 21)
    assert (resident.address_line_1, resident.address_line_2, resident.town) == (
        "12 Church Lane",
        "Brimington",
        "Chesterfield",
    )
    assert (resident.phone, resident.phone_other) == ("+441246345678", "+447956123456")
    (request,) = resident.requests.all()
    assert request.channel == SupportRequest.Channel.SHIELDING_LIST
    assert request.urgency == SupportRequest.Urgency.THREE_DAYS
    assert request.status == SupportRequest.Status.NEW
    assert request.ward == wards[0]
    assert request.created_by.email == "alice@example.org"
    assert request.reference.startswith("CH-")
    (need,) = request.needs.all()
    assert need.category == "other_essentials"
    assert need.detail == "Shielding list outreach: check what support is needed"
    (event,) = resident.journey.all()
    assert event.kind == JourneyEvent.Kind.IMPORTED
    assert event.request == request
    assert request.reference in event.summary


def test_importing_the_same_file_again_creates_nothing_and_reports_it_unchanged(coordinator):
    data = csv_bytes([person(number) for number in make_numbers(5)])
    run(coordinator, data)
    counts = (
        Resident.objects.count(),
        SupportRequest.objects.count(),
        Need.objects.count(),
        JourneyEvent.objects.count(),
    )

    again = run(coordinator, data)

    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 5)
    assert counts == (
        Resident.objects.count(),
        SupportRequest.objects.count(),
        Need.objects.count(),
        JourneyEvent.objects.count(),
    )
    assert counts == (5, 5, 5, 5)


def test_an_updated_file_changes_only_what_changed(coordinator, wards):
    numbers = make_numbers(3)
    run(coordinator, csv_bytes([person(n) for n in numbers]))
    moved, new_phone, same = numbers
    before = Resident.objects.get(nhs_number=same).updated_at

    changed = run(
        coordinator,
        csv_bytes(
            [
                person(moved, **{"Address Line 1": "4 Hady Hill", "Postcode": "s41 0ab"}),
                person(new_phone, Telephone="01246 200000", Mobile=""),
                person(same),
            ]
        ),
    )

    assert (changed.created_count, changed.updated_count, changed.unchanged_count) == (0, 2, 1)
    resident = Resident.objects.get(nhs_number=moved)
    assert (resident.address_line_1, resident.postcode, resident.ward) == (
        "4 Hady Hill",
        "S41 0AB",
        wards[1],
    )
    other = Resident.objects.get(nhs_number=new_phone)
    assert other.phone == "+441246200000"
    assert other.phone_other == "+447956123456", "a blank cell never erases what we hold"
    assert Resident.objects.get(nhs_number=same).updated_at == before
    assert SupportRequest.objects.count() == 3
    latest = resident.journey.order_by("-id").first()
    assert latest.summary == f"Shielding list import {changed.pk} updated: address, postcode, ward"


def test_someone_the_hub_knows_gets_outreach_once_when_they_join_the_list(coordinator, resident):
    assert not resident.shielding
    data = csv_bytes([person(NHS_NUMBERS[0], Forename="Rose", Surname="Tyler")])

    first = run(coordinator, data)
    second = run(coordinator, data)

    assert (first.updated_count, second.unchanged_count) == (1, 1)
    resident.refresh_from_db()
    assert resident.shielding
    assert resident.source_import is None, "the import did not create them"
    assert resident.requests.filter(channel="shielding").count() == 1


def test_a_resident_with_an_open_shielding_request_gets_no_second_one(coordinator, resident):
    services.resident_update(actor=coordinator, resident=resident, shielding=False)
    services.request_create(
        actor=coordinator,
        resident=resident,
        channel=SupportRequest.Channel.SHIELDING_LIST,
        needs=[("prescriptions", "")],
    )

    done = run(coordinator, csv_bytes([person(NHS_NUMBERS[0], Surname="Tyler")]))

    assert done.updated_count == 1
    assert resident.requests.count() == 1


def test_it_writes_in_a_fixed_number_of_queries_however_many_rows(
    coordinator, wards, django_assert_max_num_queries
):
    data = csv_bytes([person(number) for number in make_numbers(60)])
    created = upload(coordinator, data)
    shielding_import_confirm(actor=coordinator, shielding_import=created, enqueue=False)

    # On SQLite each of the four tables is written through a temporary table: three
    # statements more a table (fill it, copy it in, empty it).
    with django_assert_max_num_queries(20 if connection.vendor == "postgresql" else 34):
        done = shielding_import_run(shielding_import=created)

    assert done.created_count == 60


def test_a_batch_takes_as_many_queries_for_ten_rows_as_for_three_hundred(coordinator, wards):
    numbers = make_numbers(310)
    counts = []
    for rows in (numbers[:10], numbers[10:]):
        created = upload(coordinator, csv_bytes([person(number) for number in rows]))
        shielding_import_confirm(actor=coordinator, shielding_import=created, enqueue=False)
        with CaptureQueriesContext(connection) as queries:
            done = shielding_import_run(shielding_import=created)
        assert done.created_count == len(rows)
        counts.append(len(queries))

    assert counts[0] == counts[1]


# -- Resuming --------------------------------------------------------------------------------


def _crash_file() -> bytes:
    numbers = make_numbers(8)
    rows = [person(number) for number in numbers[:7]]
    rows.insert(5, person(numbers[7], Postcode=""))  # row 7: rejected
    rows.append(person(numbers[0], Forename="Again"))  # row 10: a duplicate of row 2
    return csv_bytes(rows)


@pytest.mark.parametrize("crash_after", [None, 1, 2, 4])
def test_an_import_stopped_half_way_carries_on_and_loses_or_doubles_nothing(
    coordinator, crash_after
):
    created = upload(coordinator, _crash_file())
    shielding_import_confirm(actor=coordinator, shielding_import=created, enqueue=False)

    if crash_after:
        stopped = shielding_import_run(
            shielding_import=created, batch_size=2, stop_after_batches=crash_after
        )
        assert stopped.status == ShieldingImport.Status.RUNNING
        assert stopped.processed_rows == 2 * crash_after
    done = shielding_import_run(
        shielding_import=ShieldingImport.objects.get(pk=created.pk), batch_size=2
    )

    assert done.status == ShieldingImport.Status.DONE
    assert (done.processed_rows, done.total_rows) == (9, 9)
    assert (done.created_count, done.unchanged_count, done.rejected_count) == (7, 0, 2)
    assert rejections(done) == [
        (7, "postcode", "Postcode is missing"),
        (10, "nhs_number", "Duplicate of row 2"),
    ]
    assert Resident.objects.count() == 7
    assert SupportRequest.objects.count() == 7
    assert Need.objects.count() == 7
    assert JourneyEvent.objects.count() == 7


def test_batches_run_twice_double_nothing(coordinator):
    created = upload(coordinator, _crash_file())
    shielding_import_confirm(actor=coordinator, shielding_import=created, enqueue=False)
    shielding_import_run(shielding_import=created, batch_size=2, stop_after_batches=3)
    # As if the progress of the committed batches had been lost.
    ShieldingImport.objects.filter(pk=created.pk).update(processed_rows=0)

    again = shielding_import_run(shielding_import=ShieldingImport.objects.get(pk=created.pk))

    assert again.status == ShieldingImport.Status.DONE
    assert Resident.objects.count() == 7
    assert SupportRequest.objects.count() == 7
    assert JourneyEvent.objects.count() == 7
    assert rejections(again) == [
        (7, "postcode", "Postcode is missing"),
        (10, "nhs_number", "Duplicate of row 2"),
    ]


def test_the_task_runs_a_confirmed_import(coordinator):
    created = upload(coordinator, csv_bytes([person(n) for n in make_numbers(3)]))
    shielding_import_confirm(actor=coordinator, shielding_import=created, enqueue=False)

    result = run_shielding_import.enqueue(created.pk)

    assert result.return_value["created"] == 3
    assert ShieldingImport.objects.get(pk=created.pk).status == ShieldingImport.Status.DONE


def test_it_will_not_run_an_import_nobody_confirmed(coordinator):
    created = upload(coordinator, csv_bytes([person(n) for n in make_numbers(1)]))

    with pytest.raises(services.ConflictError):
        shielding_import_run(shielding_import=created)

    assert not Resident.objects.exists()


def test_confirming_without_the_columns_it_needs_names_each_one(coordinator):
    header = ["NHS Number", "Forename", "Family", "Where"]
    created = upload(
        coordinator, csv_bytes([["4010232137", "Ann", "Lee", "S40 1LP"]], header=header)
    )

    with pytest.raises(ValidationError) as caught:
        shielding_import_confirm(actor=coordinator, shielding_import=created, enqueue=False)

    assert set(caught.value.message_dict) == {"last_name", "postcode"}
    created.refresh_from_db()
    assert created.status == ShieldingImport.Status.PREVIEW


# -- The command -----------------------------------------------------------------------------


def _write(tmp_path, data: bytes, name: str = "list.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_the_command_imports_a_file_and_prints_a_summary(alice, tmp_path):
    path = _write(tmp_path, csv_bytes([person(n) for n in make_numbers(3)] + [person("1")]))
    out = io.StringIO()

    call_command("import_shielding", str(path), "--as", "alice@example.org", stdout=out)

    done = ShieldingImport.objects.get()
    assert done.uploaded_by == alice
    assert f"Import {done.pk} finished: 4 rows; 3 new, 0 updated, 0 unchanged, 1 rejected" in (
        out.getvalue()
    )
    assert "1 rejected rows" in out.getvalue()
    assert "4 of 4 rows" in out.getvalue()


def test_the_command_imports_for_the_host_when_no_one_is_named(council, tmp_path):
    path = _write(tmp_path, csv_bytes([person(n) for n in make_numbers(2)]))

    call_command("import_shielding", str(path), stdout=io.StringIO())

    assert ShieldingImport.objects.get().organisation == council
    assert Resident.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, "There is no file at"),
        (b"PK\x03\x04" + b"\x00" * 100, "not a CSV text file"),
        (csv_bytes([["1", "2"]], header=["Name", "Address"]), "NHS number, Last name, Postcode"),
    ],
)
def test_the_command_stops_with_a_clear_message_for_a_file_it_cannot_use(
    council, tmp_path, data, message
):
    path = tmp_path / "missing.csv" if data is None else _write(tmp_path, data)

    with pytest.raises(CommandError) as caught:
        call_command("import_shielding", str(path), stdout=io.StringIO())

    assert message in str(caught.value)
    assert not Resident.objects.exists()


def test_the_command_refuses_someone_who_may_not_import(bob, tmp_path):
    path = _write(tmp_path, csv_bytes([person(n) for n in make_numbers(1)]))

    with pytest.raises(CommandError, match="may not import"):
        call_command("import_shielding", str(path), "--as", "bob@example.org")

    assert not ShieldingImport.objects.exists()


def test_the_command_carries_on_an_interrupted_import(coordinator):
    created = upload(coordinator, _crash_file())
    shielding_import_confirm(actor=coordinator, shielding_import=created, enqueue=False)
    shielding_import_run(shielding_import=created, batch_size=2, stop_after_batches=1)
    out = io.StringIO()

    call_command("import_shielding", "--resume", str(created.pk), "--batch-size", "3", stdout=out)

    done = ShieldingImport.objects.get(pk=created.pk)
    assert (done.status, done.created_count, done.rejected_count) == ("done", 7, 2)
    assert "finished: 9 rows; 7 new" in out.getvalue()
    assert Resident.objects.count() == 7
