import csv
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hub.places.models import Area, Postcode
from hub.places.postcodes import normalise_postcode, postcode_lookup
from hub.places.services import PlacesImportError, postcodes_import

ONSPD_HEADER = ["pcd", "pcd2", "pcds", "dointr", "doterm", "oslaua", "osward", "lat", "long"]
SPIRE = ("53.2358", "-1.4250")


def _onspd_row(postcode, lat, lon, ward="E05003339"):
    compact = postcode.replace(" ", "")
    return [compact, postcode, postcode, "198001", "", "E07000034", ward, lat, lon]


def _write_csv(tmp_path, header, rows, name="postcodes.csv"):
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _all_postcodes():
    return list(Postcode.objects.order_by("postcode").values_list())


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("s401lp", "S40 1LP"),
        ("  S40   1LP ", "S40 1LP"),
        ("S40\t1LP", "S40 1LP"),
        ("sw1a1aa", "SW1A 1AA"),
        ("W1A 0AX", "W1A 0AX"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("M1 1AE", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("gir0aa", "GIR 0AA"),
    ],
)
def test_it_normalises_real_postcodes(typed, normalised):
    assert normalise_postcode(typed) == normalised


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter a postcode"),
        ("   ", "Enter a postcode"),
        ("S40", "A postcode has 5 to 7 letters and numbers"),
        ("S40 1LPXX", "A postcode has 5 to 7 letters and numbers"),
        ("Q40 1LP", "Q40 1LP is not a UK postcode"),  # no postcode area starts with Q
        ("S40 1CP", "S40 1CP is not a UK postcode"),  # C is never in the inward code
        ("1234567", "is not a UK postcode"),
        ("S40-1LP", "only letters and numbers"),
        ("<script>", "only letters and numbers"),
        ("S40\x001LP", "only letters and numbers"),
        ("S40 1ＬP", "only letters and numbers"),  # full-width letter
        ("S40 1LP; DROP TABLE", "at most 8 characters"),
        (None, "A postcode must be text"),
        (4011, "A postcode must be text"),
    ],
)
def test_it_refuses_anything_that_is_not_a_postcode(typed, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        normalise_postcode(typed)


def test_it_refuses_huge_input_without_echoing_it():
    huge = "S40 1LP" * 2_000_000

    with pytest.raises(ValueError) as caught:
        normalise_postcode(huge)

    assert "14,000,000" in str(caught.value)
    assert len(str(caught.value)) < 100


def test_it_looks_up_a_postcode_in_any_spelling(chesterfield_wards, django_assert_num_queries):
    ward = Area.objects.get(code="E05003339")
    Postcode.objects.create(postcode="S40 1LP", latitude=53.2358, longitude=-1.425, ward=ward)

    with django_assert_num_queries(1):
        found = postcode_lookup("s40 1lp")
        assert found.ward.name == "St Leonard's"
    assert postcode_lookup("S40 9ZZ") is None
    with pytest.raises(ValueError):
        postcode_lookup("not a postcode")


def test_it_imports_an_onspd_file_and_links_wards(chesterfield_wards, tmp_path):
    path = _write_csv(
        tmp_path,
        ONSPD_HEADER,
        [
            _onspd_row("S40 1LP", *SPIRE),
            _onspd_row("S41 7AB", "53.2501", "-1.4202", ward="E05003334"),
            _onspd_row("S40 9ZZ", "99.999999", "0.000000", ward=""),
        ],
    )

    result = postcodes_import(path=path)

    assert (result.created, result.updated, result.unchanged, result.rejected) == (3, 0, 0, [])
    spire = Postcode.objects.get(postcode="S40 1LP")
    assert (spire.latitude, spire.longitude, spire.ward_code) == (53.2358, -1.425, "E05003339")
    assert spire.ward.name == "St Leonard's"
    assert Postcode.objects.get(postcode="S41 7AB").ward.code == "E05003334"
    # ONSPD marks a postcode with no grid reference 99.999999, 0: that is "unknown".
    unknown = Postcode.objects.get(postcode="S40 9ZZ")
    assert (unknown.latitude, unknown.longitude, unknown.ward) == (None, None, None)


def test_it_accepts_plain_column_names(db, tmp_path):
    path = _write_csv(
        tmp_path,
        ["Postcode", "Latitude", "Longitude", "Ward_Code"],
        [["s401lp", "53.2358", "-1.425", "e05003339"]],
    )

    result = postcodes_import(path=path)

    assert result.created == 1
    assert Postcode.objects.get().ward_code == "E05003339"


def test_it_reports_every_bad_row_with_its_number_and_imports_the_rest(db, tmp_path):
    rows = [
        _onspd_row("S40 1LP", *SPIRE),  # row 2
        _onspd_row("NOT A CODE", *SPIRE),  # row 3
        _onspd_row("S40 1LQ", "153.2", "-1.4"),  # row 4
        _onspd_row("S40 1LR", "53.2", "west"),  # row 5
        _onspd_row("S40 1LS", "nan", "-1.4"),  # row 6
        _onspd_row("s401lp", "53.1", "-1.4"),  # row 7: the same postcode as row 2
        _onspd_row("S40 1LT", "53.2", "-181"),  # row 8
        _onspd_row("S40 1LU", "53.2", ""),  # row 9
        _onspd_row("S40 1LW", "5" * 5000, "-1.4"),  # row 10
        _onspd_row("S40 1LX", "53.2", "-1.4"),  # row 11
    ]
    path = _write_csv(tmp_path, ONSPD_HEADER, rows)

    result = postcodes_import(path=path)

    assert [str(rejected) for rejected in result.rejected] == [
        "row 3: bad postcode: A postcode has 5 to 7 letters and numbers, like S40 1LP",
        "row 4: latitude 153.2 is out of range (-90 to 90)",
        "row 5: longitude 'west' is not a number",
        "row 6: latitude 'nan' is not a number",
        "row 7: S40 1LP is also on row 2",
        "row 8: longitude -181 is out of range (-180 to 180)",
        "row 9: has a latitude or a longitude but not both",
        "row 10: latitude '55555555555555555555' is not a number",
    ]
    assert result.created == 2
    assert sorted(Postcode.objects.values_list("postcode", flat=True)) == ["S40 1LP", "S40 1LX"]


def test_it_changes_nothing_when_run_again_and_updates_what_moved(chesterfield_wards, tmp_path):
    rows = [_onspd_row(f"S40 {n}AB", "53.23", "-1.42") for n in range(1, 8)]
    path = _write_csv(tmp_path, ONSPD_HEADER, rows)
    postcodes_import(path=path, batch_size=3)
    before = _all_postcodes()

    again = postcodes_import(path=path, batch_size=3)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 7)
    assert _all_postcodes() == before
    rows[0][7] = "53.24"
    rows.append(_onspd_row("S40 9AB", "53.23", "-1.42"))
    changed = postcodes_import(path=_write_csv(tmp_path, ONSPD_HEADER, rows), batch_size=3)
    assert (changed.created, changed.updated, changed.unchanged) == (1, 1, 6)
    assert Postcode.objects.count() == 8
    assert Postcode.objects.get(postcode="S40 1AB").latitude == 53.24


def test_it_links_a_postcode_with_an_unknown_ward_code_by_where_it_is(chesterfield_wards, tmp_path):
    # ONSPD carries today's ward codes; the hub may hold older boundaries.
    path = _write_csv(
        tmp_path,
        ONSPD_HEADER,
        [
            _onspd_row("S40 1LP", *SPIRE, ward="E05012345"),
            _onspd_row("SW1A 1AA", "51.501", "-0.1419", ward="E05000644"),
        ],
    )

    result = postcodes_import(path=path)

    spire = Postcode.objects.get(postcode="S40 1LP")
    assert spire.ward_code == "E05012345"
    assert spire.ward.name == "St Leonard's"
    assert Postcode.objects.get(postcode="SW1A 1AA").ward is None
    assert any("2 ward codes in the file are not areas in the hub" in w for w in result.warnings)
    assert "1 postcodes were linked to a ward by their coordinates" in result.warnings


def test_it_imports_a_large_file_in_batches(chesterfield_wards, tmp_path):
    areas = "ABDEFGHJLNPQRSTUWXYZ"
    rows = []
    for district in range(40, 46):
        for sector in range(10):
            for first in areas:
                for second in areas[:10]:
                    rows.append(
                        _onspd_row(f"S{district} {sector}{first}{second}", "53.2358", "-1.4250")
                    )
    path = _write_csv(tmp_path, ONSPD_HEADER, rows)

    result = postcodes_import(path=path)

    assert result.created == len(rows) == 12_000
    assert Postcode.objects.count() == 12_000
    assert Postcode.objects.filter(ward__code="E05003339").count() == 12_000
    assert postcodes_import(path=path).unchanged == 12_000


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty: it needs a header row"),
        (
            b"pcds,lat\nS40 1LP,53.2\n",
            "The header row has no long or lon or longitude column (it has: pcds, lat)",
        ),
        (
            b"name,email\nAlice,a@example.org\n",
            "The header row has no pcds or postcode or pcd or pcd2 column",
        ),
        (
            b"pcds,lat,long\nS40 1LP,53.2,-1.4\n\xff\xfe bad bytes,1,1\n",
            "The file is not UTF-8 text",
        ),
        (
            b'pcds,lat,long\n"' + b"x" * 200_000 + b'",1,1\n',
            "The file is not a readable CSV: field larger than field limit",
        ),
    ],
)
def test_it_changes_nothing_for_a_file_it_cannot_read(db, tmp_path, content, message):
    Postcode.objects.create(postcode="S40 1AA", latitude=53.2, longitude=-1.4)
    before = _all_postcodes()
    path = tmp_path / "bad.csv"
    path.write_bytes(content)

    with pytest.raises(PlacesImportError, match=re.escape(message)):
        postcodes_import(path=path, batch_size=1)

    assert _all_postcodes() == before


def test_the_command_prints_a_summary_and_every_rejected_row(db, tmp_path, capsys):
    path = _write_csv(
        tmp_path, ONSPD_HEADER, [_onspd_row("S40 1LP", *SPIRE), _onspd_row("S40 1LP", *SPIRE)]
    )

    call_command("import_postcodes", str(path))

    captured = capsys.readouterr()
    assert "Postcodes: 1 created, 0 updated, 0 unchanged, 1 rejected" in captured.out
    assert "Rejected row 3: S40 1LP is also on row 2" in captured.err


def test_the_command_fails_on_a_file_it_cannot_read(db, tmp_path):
    with pytest.raises(CommandError, match=r"Nothing was imported\. There is no file at"):
        call_command("import_postcodes", str(tmp_path / "missing.csv"))
