"""Importing a plan from a spreadsheet: the Hammersmith & Fulham report's own table, the page
(upload, preview, confirm), the command, re-imports, and files that are wrong in every way."""

import csv
import io
import os
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse

from hub.plans.models import Action, Aim, Plan
from hub.plans.services.actions import RowErrors
from hub.plans.services.imports import plan_import, read_plan_file, rows_token
from hub.testing.factories import as_actor

REPO = Path(__file__).resolve().parents[3]
SEED = REPO.parent / "shared" / "seeds" / "000_e3cb79ec99189a4a.txt"
HEADER = "Strategic Aim\tActions\tLeadership\tTimescale\tOutcomes"
THIRD_SECTOR = "Seek third sector feedback on how Covid shaped or changed their offer"
STAKEHOLDERS = (
    "To engage wider stakeholders to ensure we build on strengths in recovery and any "
    "potential outbreak planning"
)


@pytest.fixture
def hf_table() -> list[list[str]]:
    """The action plan table of the Hammersmith & Fulham report, header first, as printed."""
    if not SEED.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"The council reports must be beside the repository in CI: {SEED}")
        pytest.skip(f"The council reports are not beside this repository ({SEED.parent})")
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = lines.index(HEADER)
    table = []
    for line in lines[start:]:
        if not line.strip():
            break
        table.append(line.split("\t"))
    return table


def _write_csv(path: Path, rows, encoding="utf-8", delimiter=",") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def _xlsx_bytes(rows, merge: list[str] = ()) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for cells in merge:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client, plan, content: bytes, name: str = "plan.csv"):
    return client.post(
        reverse("plans:plan_import"),
        {"plan": plan.pk, "file": SimpleUploadedFile(name, content)},
    )


def _nothing_saved():
    assert not Action.objects.exists()
    assert not Aim.objects.exists()


# The report's own table ---------------------------------------------------------------------


def test_the_hf_table_imports_with_blank_aims_carried_down(hf_table, tmp_path, plan, pete):
    path = _write_csv(tmp_path / "hf.csv", hf_table)
    table = read_plan_file(path.read_bytes(), path.name)
    assert table.problems == []
    result = plan_import(actor=as_actor(pete), plan=plan, rows=table.rows)
    assert (result.created, result.aims_created) == (7, 5)
    aims = list(plan.aims.order_by("position"))
    assert len(aims) == 5
    assert aims[0].title == "Identify resident-led groups to join delivery group"
    counts = {aim.title: aim.actions.count() for aim in aims}
    assert counts[THIRD_SECTOR] == 2
    assert counts[STAKEHOLDERS] == 2
    assert sum(counts.values()) == 7
    consult = Action.objects.get(description__startswith="Carry out consultation with residents")
    assert consult.timescale == "Completed by end November 2020"
    assert (consult.starts_on, consult.ends_on) == (None, date(2020, 11, 30))
    assert consult.outcomes == ""
    mapping = Action.objects.get(description__startswith="Map what community engagement")
    assert mapping.leadership == "Priya Pallan, Imperial College"
    assert (mapping.starts_on, mapping.ends_on) == (date(2020, 8, 1), date(2020, 9, 30))
    plan_row = Action.objects.get(description__startswith="To develop a plan for compassionate")
    assert plan_row.aim.title == STAKEHOLDERS
    assert (plan_row.starts_on, plan_row.ends_on) == (date(2021, 1, 1), date(2021, 3, 31))
    assert (
        plan_row.leadership == "Director of Covid-19; Primary Care lead, NWL NHS; and GP Federation"
    )


def test_reimporting_the_same_file_adds_nothing_and_updates_what_changed(
    hf_table, tmp_path, plan, pete
):
    path = _write_csv(tmp_path / "hf.csv", hf_table)
    plan_import(actor=as_actor(pete), plan=plan, rows=read_plan_file(path.read_bytes()).rows)
    again = plan_import(
        actor=as_actor(pete), plan=plan, rows=read_plan_file(path.read_bytes()).rows
    )
    assert (again.created, again.updated, again.unchanged, again.aims_created) == (0, 0, 7, 0)
    assert Action.objects.count() == 7
    changed = [row[:] for row in hf_table]
    changed[2][2] = "Co-production team and Imperial College"  # leadership
    changed[2][3] = "December 2020"  # timescale
    path = _write_csv(tmp_path / "hf-changed.csv", changed)
    third = plan_import(
        actor=as_actor(pete), plan=plan, rows=read_plan_file(path.read_bytes()).rows
    )
    assert (third.created, third.updated, third.unchanged) == (0, 1, 6)
    consult = Action.objects.get(description__startswith="Carry out consultation with residents")
    assert consult.leadership == "Co-production team and Imperial College"
    assert (consult.starts_on, consult.ends_on) == (date(2020, 12, 1), date(2020, 12, 31))
    assert Action.objects.count() == 7


def test_the_page_previews_an_xlsx_then_imports_it_on_confirmation(hf_table, plan, pete):
    from hub.conftest import signed_in

    client = signed_in(pete)
    response = _upload(client, plan, _xlsx_bytes(hf_table), "hf.xlsx")
    assert response.status_code == 200
    page = response.content.decode()
    assert "7 actions under 5 strategic aims" in page
    assert "7 new actions, 0 to update" in page
    assert "By 30 November 2020" in page
    assert "1 August 2020 to 30 September 2020" in page
    assert "(same as above)" in page
    _nothing_saved()
    token = response.context["confirm"].initial["token"]
    done = client.post(reverse("plans:plan_import"), {"plan": plan.pk, "token": token})
    assert done["Location"] == reverse("plans:plan_detail", args=[plan.slug])
    assert Action.objects.count() == 7 and Aim.objects.count() == 5
    again = _upload(client, plan, _xlsx_bytes(hf_table), "hf.xlsx")
    assert "0 new actions, 0 to update, 7 already in the plan" in again.content.decode()


def test_the_command_imports_into_a_new_plan_and_again_adds_nothing(hf_table, tmp_path, council):
    path = _write_csv(tmp_path / "hf.csv", hf_table)
    out = io.StringIO()
    call_command(
        "import_plan", str(path), "--plan", "H&F compassionate communities", "--create", stdout=out
    )
    plan = Plan.objects.get(name="H&F compassionate communities")
    assert plan.slug == "hf-compassionate-communities" and plan.organisation == council
    assert "7 new actions" in out.getvalue() and "5 new aims" in out.getvalue()
    out = io.StringIO()
    call_command("import_plan", str(path), "--plan", plan.slug, stdout=out)
    assert "0 new actions, 0 updated, 7 unchanged" in out.getvalue()
    assert Action.objects.count() == 7


def test_the_command_dry_run_saves_nothing(hf_table, tmp_path, council):
    path = _write_csv(tmp_path / "hf.csv", hf_table)
    out = io.StringIO()
    call_command(
        "import_plan", str(path), "--plan", "New plan", "--create", "--dry-run", stdout=out
    )
    assert "Dry run: nothing saved" in out.getvalue()
    assert "(by 30 November 2020)" in out.getvalue()
    assert not Plan.objects.exists()
    _nothing_saved()


def test_the_command_refuses_an_unknown_plan_a_missing_file_and_bad_rows(tmp_path, plan):
    path = _write_csv(
        tmp_path / "plan.csv", [["Strategic Aim", "Actions"], ["An aim", "An action"]]
    )
    with pytest.raises(CommandError, match="add --create"):
        call_command("import_plan", str(path), "--plan", "Nope")
    with pytest.raises(CommandError, match="There is no file"):
        call_command("import_plan", str(tmp_path / "missing.csv"), "--plan", plan.slug)
    bad = _write_csv(tmp_path / "bad.csv", [["Strategic Aim", "Actions"], ["", "Orphan action"]])
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing has been imported"):
        call_command("import_plan", str(bad), "--plan", plan.slug, stderr=err)
    assert "Row 2: the strategic aim is blank" in err.getvalue()
    _nothing_saved()


# Headers, encodings and shapes that are fine ------------------------------------------------


def test_headers_match_ignoring_case_and_spacing_and_extra_columns_are_ignored(plan, pete):
    rows = [
        ["Ref", "  STRATEGIC   aim ", "ACTIONS", "lead", "Timescales", "RAG"],
        ["1", "Know our communities", "Map engagement", "Co-production team", "Q3 2021", "Green"],
    ]
    table = read_plan_file(_xlsx_bytes(rows), "plan.xlsx")
    assert table.ignored_columns == ["Ref", "RAG"]
    assert table.missing_columns == ["Outcomes"]
    row = table.rows[0]
    assert (row.aim, row.description, row.leadership, row.timescale) == (
        "Know our communities",
        "Map engagement",
        "Co-production team",
        "Q3 2021",
    )
    assert row.dates == (date(2021, 7, 1), date(2021, 9, 30))


def test_a_title_row_above_the_header_is_skipped(plan):
    content = (
        b"Appendix 1: Action plan,,,\n,,,\nStrategic Aim,Actions,Leadership,Timescale\n"
        b"An aim,An action,A lead,October 2020\n"
    )
    table = read_plan_file(content, "plan.csv")
    assert [r.number for r in table.rows] == [4]


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ";"), ("cp1252", ","), ("utf-16", "\t")],
)
def test_csv_files_are_read_in_the_encodings_spreadsheets_save(tmp_path, plan, encoding, delimiter):
    rows = [
        ["Strategic Aim", "Actions", "Leadership", "Timescale", "Outcomes"],
        ["Fund the sector", "Grants of £500 – quickly", "AD ASC Commissioning", "Sept 2020", ""],
    ]
    path = _write_csv(tmp_path / "plan.csv", rows, encoding=encoding, delimiter=delimiter)
    row = read_plan_file(path.read_bytes(), "plan.csv").rows[0]
    assert row.description == "Grants of £500 – quickly"
    assert row.dates == (date(2020, 9, 1), date(2020, 9, 30))


def test_aim_cells_merged_down_a_column_count_as_the_same_aim(plan, pete):
    rows = [
        ["Strategic Aim", "Actions", "Leadership", "Timescale", "Outcomes"],
        ["Engage stakeholders", "Engage the PCNs", "Director", "October-December 2020", ""],
        [None, "Develop a plan", "Director", "January-March 2021", "A plan"],
    ]
    table = read_plan_file(_xlsx_bytes(rows, merge=["A2:A3"]), "plan.xlsx")
    assert [r.aim for r in table.rows] == ["Engage stakeholders", "Engage stakeholders"]
    assert table.problems == []


def test_an_unreadable_timescale_is_kept_as_text_without_dates(alice_client, plan):
    content = b"Strategic Aim,Actions,Timescale\nAn aim,An action,When funding allows\n"
    response = _upload(alice_client, plan, content)
    assert response.status_code == 200
    assert "No dates read: the text is kept" in response.content.decode()
    token = response.context["confirm"].initial["token"]
    alice_client.post(reverse("plans:plan_import"), {"plan": plan.pk, "token": token})
    action = Action.objects.get()
    assert (action.timescale, action.starts_on, action.ends_on) == (
        "When funding allows",
        None,
        None,
    )


# Files that are wrong -----------------------------------------------------------------------


def _merged_across_columns() -> bytes:
    rows = [
        ["Strategic Aim", "Actions", "Leadership", "Timescale", "Outcomes"],
        ["An aim", "An action spread over two columns", None, "October 2020", ""],
    ]
    return _xlsx_bytes(rows, merge=["B2:C2"])


def _empty_workbook() -> bytes:
    return _xlsx_bytes([])


def _damaged_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plan.csv", b"", "The file is empty"),
        ("plan.csv", b"  \r\n\r\n ", "The file is empty"),
        ("plan.csv", b"Aim of the day,Things,Who\nA,B,C\n", "Missing: Strategic Aim, Actions"),
        ("plan.csv", b"Strategic Aim,Leadership\nA,B\n", "Missing: Actions"),
        ("plan.csv", b"Strategic Aim,Actions,Actions\nA,B,C\n", "two ‘Actions’ columns"),
        ("plan.csv", b"Strategic Aim,Actions\n,,\n", "no actions under it"),
        ("plan.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01", "not a CSV or Excel"),
        ("plan.csv", bytes(range(256)) * 4, "not a CSV or Excel"),
        ("plan.xlsx", _merged_across_columns(), "Cells B2:C2 on sheet ‘Sheet’ are merged across"),
        ("plan.xlsx", _empty_workbook(), "sheets are empty"),
        ("plan.xlsx", _damaged_workbook(), "cannot be read as an Excel workbook"),
        ("plan.xlsx", b"just some text", "cannot be read as an Excel workbook"),
        ("plan.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel file"),
    ],
)
def test_a_malformed_file_is_refused_with_a_clear_reason_and_nothing_saved(
    alice_client, plan, name, content, message
):
    response = _upload(alice_client, plan, content, name)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'href="#id_file"' in page
    assert "<title>Error: " in page
    _nothing_saved()


@override_settings(HUB_PLAN_IMPORT_MAX_BYTES=1000)
def test_a_huge_file_is_refused(alice_client, plan):
    content = b"Strategic Aim,Actions\n" + b"An aim,An action\n" * 100
    response = _upload(alice_client, plan, content)
    assert response.status_code == 400
    assert "The file must be smaller than" in response.content.decode()
    _nothing_saved()


def test_too_many_rows_are_refused(alice_client, plan):
    content = b"Strategic Aim,Actions\n" + b"".join(
        f"Aim,Action {n}\n".encode() for n in range(2001)
    )
    response = _upload(alice_client, plan, content)
    assert "more than 2,000 rows" in response.content.decode()
    _nothing_saved()


def test_row_problems_are_listed_by_row_and_block_the_import(alice_client, plan):
    rows = [
        ["Strategic Aim", "Actions", "Leadership", "Timescale", "Outcomes"],
        ["", "Orphan action", "", "", ""],
        ["An aim", "", "Lead", "October 2020", ""],
        ["An aim", "Fine action", "x" * 301, "", ""],
        ["An aim", "Fine action", "", "", ""],
        ["<script>alert(1)</script>", "Hostile but fine", "", "", ""],
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    response = _upload(alice_client, plan, buffer.getvalue().encode())
    assert response.status_code == 400
    problems = response.context["problems"]
    assert (2, "the strategic aim is blank and there is no aim above to carry down") in problems
    assert (3, "the action is empty") in problems
    assert (4, "the leadership is too long (301 characters; the most is 300)") in problems
    assert (5, "the same action is on row 4") in problems
    assert not any(number == 6 for number, _ in problems)
    assert response.context["counts"]["new"] == 1  # row 6: rows with problems are not counted
    page = response.content.decode()
    assert "Row 2: the strategic aim is blank" in page
    assert response.context["confirm"] is None and 'name="token"' not in page
    assert "<script>alert(1)</script>" not in page
    _nothing_saved()


def test_the_service_refuses_rows_with_problems(plan, pete):
    table = read_plan_file(b"Strategic Aim,Actions\n,Orphan\n")
    with pytest.raises(RowErrors) as caught:
        plan_import(actor=as_actor(pete), plan=plan, rows=table.rows)
    assert caught.value.rows == [
        (2, "the strategic aim is blank and there is no aim above to carry down")
    ]
    _nothing_saved()


def test_a_tampered_or_misdirected_confirmation_saves_nothing(alice_client, plan, council):
    table = read_plan_file(b"Strategic Aim,Actions\nAn aim,An action\n")
    token = rows_token(plan=plan, rows=table.rows)
    other = Plan.objects.create(name="Other", slug="other", organisation=council)
    for data, message in (
        ({"plan": plan.pk, "token": token[:-3] + "abc"}, "could not be read"),
        ({"plan": other.pk, "token": token}, "was for another plan"),
        ({"plan": plan.pk, "token": ""}, "could not be read"),
    ):
        response = alice_client.post(reverse("plans:plan_import"), data)
        assert response.status_code == 400
        assert message in response.content.decode()
    _nothing_saved()


@pytest.mark.parametrize("who", ["bob", "charlie", "dora"])
def test_only_plan_managers_may_import(request, who, plan):
    client = request.getfixturevalue(f"{who}_client")
    table = read_plan_file(b"Strategic Aim,Actions\nAn aim,An action\n")
    assert client.get(reverse("plans:plan_import")).status_code == 403
    assert _upload(client, plan, b"Strategic Aim,Actions\nAn aim,An action\n").status_code == 403
    token = rows_token(plan=plan, rows=table.rows)
    response = client.post(reverse("plans:plan_import"), {"plan": plan.pk, "token": token})
    assert response.status_code == 403
    _nothing_saved()


def test_the_upload_page_names_a_missing_plan_and_file(alice_client, plan):
    response = alice_client.post(reverse("plans:plan_import"), {})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_plan"' in page and 'href="#id_file"' in page
    _nothing_saved()
