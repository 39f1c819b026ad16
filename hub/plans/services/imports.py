"""Importing an action plan from a spreadsheet, and progress updates from a CSV.

A plan comes in the shape the council reports print it: the columns "Strategic Aim",
"Actions", "Leadership", "Timescale" and "Outcomes" (headers matched ignoring case,
spaces and punctuation, with a few synonyms; other columns are ignored). The file is a
CSV (UTF-8 with or without a byte order mark, UTF-16 as Excel saves "Unicode text", or
Windows-1252; commas, semicolons or tabs) or an Excel workbook (.xlsx, its first sheet
with data).

Decisions:

- Row numbers are what a spreadsheet shows: the header is usually row 1.
- A blank Strategic Aim means "the same aim as the row above"; so does a cell that is part
  of a block merged down a column (merged cells that span columns are refused: which
  column would the text belong to?).
- A blank Outcomes, or a timescale the hub cannot read as dates, is fine: the text is kept.
- An empty action, a first row with no aim, text longer than the hub keeps, or the same
  action twice in the file are errors, each named by row; nothing is imported while
  any row has one.
- Re-importing matches actions by aim and description (ignoring case and spacing): it adds
  nothing twice and updates leadership, timescale and outcomes that changed.
"""

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction

from hub.plans.models import Action, Plan
from hub.plans.services.actions import (
    AIM_MAX,
    DESCRIPTION_MAX,
    LEADERSHIP_MAX,
    OUTCOMES_MAX,
    TIMESCALE_MAX,
    ProgressRow,
    RowErrors,
    action_create,
    action_edit,
    aim_get_or_create,
    one_line,
)
from hub.plans.timescales import Timescale, parse_timescale

MAX_ROWS = 2000
HEADER_SEARCH_ROWS = 10
UNPACKED_MAX_BYTES = 100_000_000  # an .xlsx is a zip: refuse one that unpacks to more
XLSX_MAX_SHEET_ROWS = 100_000
TOKEN_SALT = "hub.plans.import"
TOKEN_MAX_AGE = 3600
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old .xls format

# (our name, the heading as the report prints it, folded synonyms)
PLAN_COLUMNS = (
    ("aim", "Strategic Aim", {"strategicaim", "strategicaims", "aim", "aims", "objective"}),
    ("description", "Actions", {"actions", "action", "whatwewilldo"}),
    ("leadership", "Leadership", {"leadership", "lead", "leads", "leadby", "ledby", "leader"}),
    ("timescale", "Timescale", {"timescale", "timescales", "timeline", "timeframe", "when"}),
    ("outcomes", "Outcomes", {"outcomes", "outcome", "expectedoutcomes", "expectedoutcome"}),
)
PLAN_REQUIRED = ("aim", "description")
_LIMITS = {
    "aim": AIM_MAX,
    "description": DESCRIPTION_MAX,
    "leadership": LEADERSHIP_MAX,
    "timescale": TIMESCALE_MAX,
    "outcomes": OUTCOMES_MAX,
}
PROGRESS_COLUMNS = (
    ("action_id", "Action ID", {"actionid", "id", "actionnumber", "actionno", "number"}),
    ("action", "Action", {"action", "actions", "description", "actiondescription"}),
    ("plan", "Plan", {"plan", "planslug", "planshortname", "slug"}),
    ("status", "Status", {"status", "newstatus", "rag", "ragstatus"}),
    ("note", "Note", {"note", "notes", "update", "progress", "progressupdate", "comment"}),
)


def max_bytes() -> int:
    return int(getattr(settings, "HUB_PLAN_IMPORT_MAX_BYTES", 5 * 1024 * 1024))


def too_big_message(limit: int) -> str:
    return f"The file must be smaller than {limit / (1024 * 1024):g} MB"


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": message})


# Reading cells ------------------------------------------------------------------------------


def read_cells(data: bytes, filename: str = "") -> list[list[str]]:
    """The file's rows as lists of text, from a CSV or an .xlsx, whatever its name says."""
    if len(data) > max_bytes():
        raise _file_error(too_big_message(max_bytes()))
    if not data.strip():
        raise _file_error("The file is empty")
    if data.startswith(_ZIP_MAGIC):
        return _xlsx_cells(data)
    if data.startswith(_OLE_MAGIC) or filename.lower().endswith(".xls"):
        raise _file_error("This is an old Excel file (.xls): save it as .xlsx or CSV and try again")
    if filename.lower().endswith(".xlsx"):
        raise _file_error("The file cannot be read as an Excel workbook (.xlsx)")
    return _csv_cells(_decode(data))


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _file_error("The file cannot be read as text") from exc
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError as exc:
                raise _file_error(
                    "The file is not a CSV or Excel (.xlsx) spreadsheet: it cannot be read as text"
                ) from exc
    if any(ord(ch) < 32 and ch not in "\t\r\n" for ch in text[:100_000]):
        raise _file_error(
            "The file is not a CSV or Excel (.xlsx) spreadsheet: it holds binary data"
        )
    return text


def _csv_cells(text: str) -> list[list[str]]:
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(("\t", ",", ";"), key=first.count) if first else ","
    try:
        return [
            [cell.strip() for cell in row]
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as exc:
        raise _file_error(f"The file cannot be read as a CSV ({exc})") from exc


def _xlsx_cells(data: bytes) -> list[list[str]]:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise _file_error("The file cannot be read as an Excel workbook (.xlsx)") from exc
    if unpacked > UNPACKED_MAX_BYTES:
        raise _file_error("The workbook is too large once unpacked: save the plan on its own")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise _file_error("The file cannot be read as an Excel workbook (.xlsx)") from exc
    sheet = next(
        (ws for ws in workbook.worksheets if ws.max_row > 1 or ws.cell(1, 1).value is not None),
        None,
    )
    if sheet is None:
        raise _file_error("The workbook's sheets are empty")
    if sheet.max_row > XLSX_MAX_SHEET_ROWS:
        raise _file_error(f"The sheet has more than {XLSX_MAX_SHEET_ROWS:,} rows")
    fills: dict[tuple[int, int], object] = {}
    for merged in sheet.merged_cells.ranges:
        if merged.min_col != merged.max_col:
            raise _file_error(
                f"Cells {merged.coord} on sheet ‘{sheet.title}’ are merged across columns: "
                "unmerge them so that each column has its own text"
            )
        top = sheet.cell(merged.min_row, merged.min_col).value
        for row in range(merged.min_row + 1, merged.max_row + 1):
            fills[(row, merged.min_col)] = top
    rows = []
    for r, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        rows.append(
            [_cell_text(fills.get((r, c), value)) for c, value in enumerate(values, start=1)]
        )
    if not any(any(row) for row in rows):
        raise _file_error(f"The sheet ‘{sheet.title}’ is empty")
    return rows


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _fold(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _find_header(cells, columns, required) -> tuple[int, dict[str, int], list[str]]:
    """(index of the header row, {our name: column index}, ignored headings)."""
    labels = {name: label for name, label, _ in columns}
    candidates = [(i, row) for i, row in enumerate(cells) if any(c.strip() for c in row)]
    if not candidates:
        raise _file_error("The file is empty")
    for index, row in candidates[:HEADER_SEARCH_ROWS]:
        found: dict[str, int] = {}
        ignored = []
        for position, heading in enumerate(row):
            folded = _fold(heading)
            name = next((n for n, _, synonyms in columns if folded in synonyms), None)
            if name is None:
                if heading.strip():
                    ignored.append(heading.strip())
                continue
            if name in found:
                raise _file_error(
                    f"Row {index + 1} has two ‘{labels[name]}’ columns: keep one of them"
                )
            found[name] = position
        if all(name in found for name in required):
            return index, found, ignored
    first = candidates[0][1]
    folded = {_fold(c) for c in first}
    missing = [
        label for name, label, synonyms in columns if name in required and not (folded & synonyms)
    ]
    expected = ", ".join(label for _, label, _ in columns)
    raise _file_error(
        f"No header row: the first row must name the columns ({expected}). "
        f"Missing: {', '.join(missing)}"
    )


# The plan -----------------------------------------------------------------------------------


@dataclass
class PlanRow:
    number: int
    aim: str
    description: str
    leadership: str = ""
    timescale: str = ""
    outcomes: str = ""
    aim_carried: bool = False
    errors: list[str] = field(default_factory=list)
    change: str = ""  # "new", "update" or "same", once compared with a plan

    @property
    def dates(self) -> Timescale:
        return parse_timescale(self.timescale)


@dataclass
class PlanTable:
    rows: list[PlanRow]
    ignored_columns: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[tuple[int, str]]:
        return [(row.number, message) for row in self.rows for message in row.errors]

    @property
    def aims(self) -> list[str]:
        return list(dict.fromkeys(row.aim for row in self.rows if row.aim))


def read_plan_file(data: bytes, filename: str = "") -> PlanTable:
    """The plan in the file, row by row, each with its problems. Raises ``ValidationError``
    (keyed ``file``) for a file that cannot be read as a plan at all."""
    return plan_table_from_cells(read_cells(data, filename))


def plan_table_from_cells(cells: list[list[str]]) -> PlanTable:
    header_index, columns, ignored = _find_header(cells, PLAN_COLUMNS, PLAN_REQUIRED)
    raw = []
    for index in range(header_index + 1, len(cells)):
        row = cells[index]
        values = {
            name: (row[position] if position < len(row) else "").strip()
            for name, position in columns.items()
        }
        if not any(values.values()):
            continue
        raw.append((index + 1, values))
        if len(raw) > MAX_ROWS:
            raise _file_error(f"The plan has more than {MAX_ROWS:,} rows: split it up")
    if not raw:
        raise _file_error("The file has a header row but no actions under it")
    missing = [label for name, label, _ in PLAN_COLUMNS if name not in columns]
    return PlanTable(rows=check_rows(raw), ignored_columns=ignored, missing_columns=missing)


def check_rows(raw: list[tuple[int, dict[str, str]]]) -> list[PlanRow]:
    """PlanRows from (row number, values), carrying aims down and naming each problem."""
    labels = {name: label for name, label, _ in PLAN_COLUMNS}
    rows, seen = [], {}
    current_aim = ""
    for number, values in raw:
        aim = one_line(values.get("aim", ""))
        carried = not aim
        row = PlanRow(
            number=number,
            aim=aim or current_aim,
            description=values.get("description", "").strip(),
            leadership=one_line(values.get("leadership", "")),
            timescale=one_line(values.get("timescale", "")),
            outcomes=values.get("outcomes", "").strip(),
            aim_carried=carried and bool(current_aim),
        )
        if aim:
            current_aim = aim
        if not row.description:
            row.errors.append("the action is empty")
        if not row.aim:
            row.errors.append("the strategic aim is blank and there is no aim above to carry down")
        for name, limit in _LIMITS.items():
            length = len(getattr(row, name))
            if length > limit:
                row.errors.append(
                    f"the {labels[name].lower()} is too long ({length:,} characters; "
                    f"the most is {limit:,})"
                )
        key = _key(row.aim, row.description)
        if row.description and row.aim and key in seen:
            row.errors.append(f"the same action is on row {seen[key]}")
        seen.setdefault(key, number)
        rows.append(row)
    return rows


def _key(aim: str, description: str) -> tuple[str, str]:
    return one_line(aim).casefold(), one_line(description).casefold()


def _existing(plan: Plan) -> dict[tuple[str, str], Action]:
    actions = Action.objects.filter(aim__plan=plan).select_related("aim")
    return {_key(a.aim.title, a.description): a for a in actions}


def _differs(action: Action, row: PlanRow) -> bool:
    return (action.leadership, action.timescale, action.outcomes.strip()) != (
        row.leadership,
        row.timescale,
        row.outcomes,
    )


def plan_import_compare(*, plan: Plan, rows: list[PlanRow]) -> dict[str, int]:
    """Mark each row new, update or same against ``plan`` (rows with problems are none of
    those); the counts of each, and of new aims."""
    existing = _existing(plan)
    aims = {one_line(title).casefold() for title in plan.aims.values_list("title", flat=True)}
    counts = {"new": 0, "update": 0, "same": 0, "aims": 0}
    for row in rows:
        if row.errors:
            row.change = ""
            continue
        action = existing.get(_key(row.aim, row.description))
        row.change = "new" if action is None else "update" if _differs(action, row) else "same"
        counts[row.change] += 1
        if row.aim and one_line(row.aim).casefold() not in aims:
            aims.add(one_line(row.aim).casefold())
            counts["aims"] += 1
    return counts


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    aims_created: int = 0


def plan_import(*, actor, plan: Plan, rows: list[PlanRow]) -> ImportResult:
    """Add the rows' actions to ``plan`` (and their aims), all in one transaction.

    Refuses (``RowErrors``) if any row has a problem. An action already in the plan under
    the same aim is not added again; its leadership, timescale and outcomes are updated.
    """
    problems = [(row.number, message) for row in rows for message in row.errors]
    if problems:
        raise RowErrors(problems)
    if not rows:
        raise _file_error("There are no actions to import")
    result = ImportResult()
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        existing = _existing(plan)
        aims = {}
        for row in rows:
            aim_key = one_line(row.aim).casefold()
            if aim_key not in aims:
                aims[aim_key], made = aim_get_or_create(plan=plan, title=row.aim)
                result.aims_created += made
            action = existing.get(_key(row.aim, row.description))
            if action is None:
                existing[_key(row.aim, row.description)] = action_create(
                    actor=actor,
                    plan=plan,
                    aim=aims[aim_key],
                    description=row.description,
                    leadership=row.leadership,
                    timescale=row.timescale,
                    outcomes=row.outcomes,
                )
                result.created += 1
            elif _differs(action, row):
                action_edit(
                    actor=actor,
                    action=action,
                    leadership=row.leadership,
                    timescale=row.timescale,
                    outcomes=row.outcomes,
                )
                result.updated += 1
            else:
                result.unchanged += 1
    return result


def rows_token(*, plan: Plan, rows: list[PlanRow]) -> str:
    """The checked rows, signed, for the confirm step of the import page to send back."""
    payload = {
        "plan": plan.pk,
        "rows": [
            [r.number, r.aim, r.description, r.leadership, r.timescale, r.outcomes] for r in rows
        ],
    }
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


def rows_from_token(*, plan: Plan, token: str) -> list[PlanRow]:
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise _file_error("The preview is more than an hour old: upload the file again") from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise _file_error("The preview could not be read: upload the file again") from exc
    if not isinstance(payload, dict) or payload.get("plan") != plan.pk:
        raise _file_error("The preview was for another plan: upload the file again")
    names = ("aim", "description", "leadership", "timescale", "outcomes")
    raw = [(values[0], dict(zip(names, values[1:], strict=True))) for values in payload["rows"]]
    return check_rows(raw)


# Progress updates ---------------------------------------------------------------------------


def read_progress_file(data: bytes, filename: str = "") -> list[ProgressRow]:
    """The updates in a CSV or .xlsx with columns Action ID (or Action and Plan), Status, Note."""
    cells = read_cells(data, filename)
    try:
        header_index, columns, _ = _find_header(
            cells, PROGRESS_COLUMNS, ("status", "note", "action_id")
        )
    except ValidationError:
        header_index, columns, _ = _find_header(
            cells, PROGRESS_COLUMNS, ("status", "note", "action")
        )
    rows = []
    for index in range(header_index + 1, len(cells)):
        row = cells[index]

        def cell(name, row=row):
            position = columns.get(name)
            return row[position].strip() if position is not None and position < len(row) else ""

        if not any(cell(name) for name in columns):
            continue
        if len(rows) >= MAX_ROWS:
            raise _file_error(f"The file has more than {MAX_ROWS:,} rows: split it up")
        rows.append(
            ProgressRow(
                row=index + 1,
                action=cell("action_id") or cell("action"),
                plan=cell("plan"),
                status=cell("status"),
                note=cell("note"),
            )
        )
    if not rows:
        raise _file_error("The file has a header row but no updates under it")
    return rows
