"""Reading a shielded patient list: what kind of file it is, which column holds what, and
whether each row can be imported.

Pure Python and no database, so the rules can be tested (and benchmarked) on their own;
``hub.support.services.shielding`` does the storing and the writing.

Decisions worth knowing (see ``docs/benchmarks-shielding.md`` and the import page):

- Encodings: UTF-8 (with or without a byte order mark) is tried strictly first, then
  Windows-1252, the encoding Excel on Windows uses for "CSV (Comma delimited)".
- Delimiter: comma, semicolon or tab, worked out from the header line alone.
- Row numbers are the row a spreadsheet shows: the header is row 1, the first person row 2.
- Dates of birth: day first (this is a UK list). Two-digit years take the century that
  keeps the date out of the future (01/02/45 is 1945; 01/02/20 is 2020). A bare number
  like 18264 is what a spreadsheet leaves when a date cell is saved as a number: it is
  converted (18264 is 1 January 1950) when it lands between 1900 and today. A bare
  four-digit year is refused rather than read as a serial number.
- Phones: the landline goes to ``phone`` and the mobile to ``phone_other``; a row with
  only one of them has it in ``phone``.
- Blank cells never erase what the hub already holds about a resident.
- Reasons never repeat what was in the cell: they are stored and exported, and must hold
  no personal data.
"""

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import itemgetter, mul
from typing import NamedTuple

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from hub.places.postcodes import normalise_postcode
from hub.support.validation import normalise_nhs_number, normalise_phone, validate_date_of_birth

# Our fields, in the order the preview shows them: (name, label, header synonyms).
# Synonyms are compared after folding case and dropping everything but letters and digits,
# so "Date of Birth", "DATE_OF_BIRTH" and "date-of-birth" are all "dateofbirth".
FIELDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("nhs_number", "NHS number", ("nhsnumber", "nhsno", "nhs", "nhsnum", "nhsid")),
    (
        "first_name",
        "First name(s)",
        (
            "firstname",
            "firstnames",
            "forename",
            "forenames",
            "givenname",
            "givennames",
            "first",
            "christianname",
        ),
    ),
    ("last_name", "Last name", ("lastname", "surname", "familyname", "last")),
    ("date_of_birth", "Date of birth", ("dob", "dateofbirth", "birthdate", "birthdt", "born")),
    (
        "address_line_1",
        "Address line 1",
        ("addressline1", "address1", "addr1", "add1", "line1", "address", "street"),
    ),
    ("address_line_2", "Address line 2", ("addressline2", "address2", "addr2", "add2", "line2")),
    ("address_line_3", "Address line 3", ("addressline3", "address3", "addr3", "add3", "line3")),
    ("address_line_4", "Address line 4", ("addressline4", "address4", "addr4", "add4", "line4")),
    ("address_line_5", "Address line 5", ("addressline5", "address5", "addr5", "add5", "line5")),
    ("town", "Town or city", ("town", "city", "towncity", "posttown")),
    ("postcode", "Postcode", ("postcode", "postalcode", "pcode", "postcodes")),
    (
        "phone",
        "Telephone",
        (
            "telephone",
            "telephonenumber",
            "tel",
            "telno",
            "phone",
            "phonenumber",
            "landline",
            "homephone",
            "hometelephone",
            "telephonelandline",
        ),
    ),
    (
        "mobile",
        "Mobile",
        (
            "mobile",
            "mobilenumber",
            "mobileno",
            "mobilephone",
            "mobiletelephone",
            "mobiletelephonenumber",
            "telephonemobile",
        ),
    ),
    (
        "gp_practice_code",
        "GP practice code",
        (
            "gppracticecode",
            "practicecode",
            "gpcode",
            "gppractice",
            "practice",
            "odscode",
            "registeredgppracticecode",
            "gp",
        ),
    ),
)
FIELD_LABELS = {name: label for name, label, _ in FIELDS}
REQUIRED_FIELDS = ("nhs_number", "last_name", "postcode")
ADDRESS_FIELDS = tuple(f"address_line_{n}" for n in range(1, 6))
_SYNONYMS = {synonym: name for name, _, synonyms in FIELDS for synonym in synonyms}
# Prefixes some systems add to every column ("Patient Surname", "Pt DOB").
_HEADER_PREFIXES = ("patient", "pt", "registered")

MAX_LENGTH = {"first_name": 100, "last_name": 100, "address": 200, "town": 100}
GP_CODE_RE = re.compile(r"^[A-Z0-9]{3,10}$")


class FileProblem(ValueError):
    """The file cannot be imported at all; the message says why in plain English."""


def fold_header(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def column_labels(header: list[str]) -> list[str]:
    """A unique label for each column: its header, "Column N" when blank, "Name (2)" when
    the same header appears again. Mappings are stored by these labels."""
    labels, seen = [], {}
    for position, text in enumerate(header, start=1):
        label = " ".join(text.split())[:100] or f"Column {position}"
        seen[label] = seen.get(label, 0) + 1
        labels.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return labels


def guess_mapping(labels: list[str]) -> dict[str, str]:
    """Our field → column label, for every field a column's header names. First match wins."""
    mapping: dict[str, str] = {}
    for label in labels:
        key = fold_header(label)
        name = _SYNONYMS.get(key)
        for prefix in _HEADER_PREFIXES:
            if name is None and key.startswith(prefix):
                name = _SYNONYMS.get(key[len(prefix) :])
        if name is None and key.startswith(("dateofbirth", "dob")):
            name = "date_of_birth"  # "DOB (dd/mm/yyyy)"
        if name and name not in mapping:
            mapping[name] = label
    return mapping


def mapping_problems(mapping: dict[str, str], labels: list[str]) -> dict[str, str]:
    """Field → what is wrong with its mapping; empty when the mapping can be used."""
    problems = {}
    for name in REQUIRED_FIELDS:
        if not mapping.get(name):
            problems[name] = f"Choose the column that holds the {FIELD_LABELS[name].lower()}"
    used: dict[str, str] = {}
    for name, _, _ in FIELDS:
        label = mapping.get(name)
        if not label:
            continue
        if label not in labels:
            problems[name] = f"The file has no column called ‘{label}’"
        elif label in used:
            problems[name] = (
                f"{FIELD_LABELS[used[label]]} already uses the column ‘{label}’: "
                "choose another column, or ‘Not in this file’"
            )
        else:
            used[label] = name
    return problems


# -- The file as bytes ------------------------------------------------------------------------

_MAGIC = (
    (b"PK\x03\x04", "It looks like a spreadsheet workbook or a zip file (.xlsx, .ods, .zip)."),
    (b"\xd0\xcf\x11\xe0", "It looks like an Excel 97-2003 workbook (.xls)."),
    (b"%PDF", "It looks like a PDF document."),
    (b"\x1f\x8b", "It looks like a compressed (gzip) file."),
    (b"\xff\xfe", "It is saved as UTF-16 (‘Unicode text’)."),
    (b"\xfe\xff", "It is saved as UTF-16 (‘Unicode text’)."),
)


def too_big_message(limit: int) -> str:
    size = f"{limit / 1_000_000:,.0f} MB" if limit >= 1_000_000 else f"{limit:,} bytes"
    return f"The file is larger than {size}: split it into smaller files and import each"


SAVE_AS_CSV = "Open it in your spreadsheet and save it as ‘CSV UTF-8 (Comma delimited)’."


@dataclass
class FileInspector:
    """Fed the file's bytes chunk by chunk as they are stored: refuses what is not text,
    works out the encoding, hashes and counts lines, without holding the file in memory."""

    max_bytes: int
    size: int = 0
    newlines: int = 0
    returns: int = 0
    last_byte: bytes = b""
    _sha256: "hashlib._Hash" = field(default_factory=hashlib.sha256)
    _utf8: codecs.IncrementalDecoder | None = field(
        default_factory=lambda: codecs.getincrementaldecoder("utf-8-sig")("strict")
    )
    _cp1252: codecs.IncrementalDecoder | None = field(
        default_factory=lambda: codecs.getincrementaldecoder("cp1252")("strict")
    )

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        if self.size == 0:
            self._check_start(chunk)
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise FileProblem(too_big_message(self.max_bytes))
        if b"\x00" in chunk:
            raise FileProblem("The file is not a CSV text file. " + SAVE_AS_CSV)
        self._sha256.update(chunk)
        self.newlines += chunk.count(b"\n")
        self.returns += chunk.count(b"\r")
        self.last_byte = chunk[-1:]
        for name in ("_utf8", "_cp1252"):
            decoder = getattr(self, name)
            if decoder is not None:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    setattr(self, name, None)
        if self._utf8 is None and self._cp1252 is None:
            raise FileProblem(
                "The file is not text in UTF-8 or Windows-1252, the encodings we can read. "
                + SAVE_AS_CSV
            )

    def _check_start(self, chunk: bytes) -> None:
        for magic, what in _MAGIC:
            if chunk.startswith(magic):
                raise FileProblem(f"The file is not a CSV text file. {what} {SAVE_AS_CSV}")
        head = chunk[:8192]
        controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 12, 13))
        if controls > len(head) // 100:
            raise FileProblem("The file is not a CSV text file. " + SAVE_AS_CSV)

    def finish(self) -> "FileFacts":
        if self.size == 0:
            raise FileProblem("The file is empty")
        if self._utf8 is not None:
            try:
                self._utf8.decode(b"", final=True)
                encoding = "utf-8-sig"
            except UnicodeDecodeError:
                encoding = "cp1252"
        else:
            encoding = "cp1252"
        lines = max(self.newlines, self.returns) + (self.last_byte not in (b"\n", b"\r"))
        return FileFacts(
            size=self.size, sha256=self._sha256.hexdigest(), encoding=encoding, lines=lines
        )


@dataclass(frozen=True)
class FileFacts:
    size: int
    sha256: str
    encoding: str
    lines: int


def sniff_delimiter(header_line: str) -> str:
    """Comma, semicolon or tab: what the csv Sniffer says of the header line, if that splits
    it into at least as many columns as any other; else whichever splits it most."""
    counts = {d: len(next(csv.reader([header_line], delimiter=d))) for d in (",", ";", "\t")}
    best = max(counts.values())
    try:
        sniffed = csv.Sniffer().sniff(header_line, delimiters=",;\t").delimiter
    except csv.Error:
        sniffed = ""
    if sniffed in counts and counts[sniffed] == best:
        return sniffed
    return next(d for d in (",", ";", "\t") if counts[d] == best)


def open_text(path, encoding: str) -> io.TextIOWrapper:
    return open(path, encoding=encoding, errors="strict", newline="")


def read_header(path, encoding: str) -> tuple[list[str], str]:
    """The header row's cells and the delimiter."""
    with open_text(path, encoding) as handle:
        first = handle.readline(1_000_000).rstrip("\r\n")
    if not first.strip():
        raise FileProblem("The first row is empty: it must name the columns")
    delimiter = sniff_delimiter(first)
    header = next(csv.reader([first], delimiter=delimiter))
    if len(header) < 2:
        raise FileProblem(
            "The file has only one column: it must be a CSV file with columns separated "
            "by commas (semicolons and tabs work too)"
        )
    return header, delimiter


def data_rows(path, encoding: str, delimiter: str) -> Iterator[tuple[int, list[str] | None, str]]:
    """(row number, cells, error) for every row after the header, streamed. A row the csv
    reader cannot read has ``None`` cells and the reason; the rest carry on."""
    with open_text(path, encoding) as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            next(reader)
        except (StopIteration, csv.Error):
            return
        number = 1
        while True:
            number += 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield number, None, f"The row could not be read as CSV ({exc})"
                continue
            yield number, cells, ""


# -- One row ----------------------------------------------------------------------------------


class CleanRow(NamedTuple):
    """A row that can be imported, normalised. Blank optional values mean "not given".
    A tuple: an import makes one for every row of the file."""

    number: int
    nhs_number: str
    first_name: str
    last_name: str
    date_of_birth: date | None
    address_line_1: str
    address_line_2: str
    town: str
    postcode: str
    phone: str
    phone_other: str
    gp_practice_code: str


_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_DMY_SHORT = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2})$")
_DMONY = re.compile(r"^(\d{1,2})[- /]([A-Za-z]{3,9})[- /](\d{2}|\d{4})$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^(\d{1,5})(?:\.0*)?$")
_MIDNIGHT = re.compile(r"[ T]0?0:00(?::00(?:\.0+)?)?$")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_EXCEL_EPOCH = date(1899, 12, 30)  # day 0 for serials after Excel's phantom 29/02/1900
NOT_A_DATE = "Date of birth is not a real date"
UNKNOWN_FORMAT = (
    "Date of birth is not in a format we recognise: use day/month/year, like 21/03/1946"
)


def _century(two_digits: int, day: int, month: int, today: date) -> int:
    year = 2000 + two_digits
    try:
        if date(year, month, day) <= today:
            return year
    except ValueError:
        pass
    return 1900 + two_digits


def parse_date_of_birth(text: str, today: date) -> date:
    """A date of birth from the shapes real lists hold; ValidationError saying what is wrong
    (never repeating the value)."""
    text = _MIDNIGHT.sub("", text.strip())
    if match := _DMY.match(text):
        day, month, year = (int(g) for g in match.groups())
    elif (match := _ISO.match(text)) or (match := _COMPACT.match(text)):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DMY_SHORT.match(text):
        day, month, short = (int(g) for g in match.groups())
        year = _century(short, day, month, today)
    elif match := _DMONY.match(text):
        month = _MONTHS.get(match.group(2).lower(), 0)
        if not month:
            raise ValidationError(UNKNOWN_FORMAT)
        day, year = int(match.group(1)), int(match.group(3))
        if year < 100:
            year = _century(year, day, month, today)
    elif match := _SERIAL.match(text):
        return _from_serial(int(match.group(1)), today)
    else:
        raise ValidationError(UNKNOWN_FORMAT)
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ValidationError(NOT_A_DATE) from exc


def _from_serial(serial: int, today: date) -> date:
    if 1800 <= serial <= today.year:
        raise ValidationError("Date of birth has only a year: give the full date")
    if serial < 1:
        raise ValidationError(NOT_A_DATE)
    # Excel counts 29 February 1900, which never was; serials before it are a day off.
    if serial > 60:
        value = _EXCEL_EPOCH + timedelta(days=serial)
    else:
        value = date(1899, 12, 31) + timedelta(days=serial)
    if value > today:
        raise ValidationError(
            "Date of birth looks like a spreadsheet date serial number, but not one between "
            "1900 and today"
        )
    return value


_PHONE_NOISE = re.compile(r"[\s\-.()]")


def _uk_number_pattern() -> re.Pattern:
    """The UK's number plan from phonenumbers' metadata, as one pattern over a number as
    typed (after ``_PHONE_NOISE`` is taken out): "0", "+44" or "0044", then a national
    number that fits the general pattern and the fixed-line or the mobile one, each at one
    of its possible lengths (valid means "fits the general pattern and one type's")."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("GB")

    def fits(desc) -> str:
        lengths = "|".join(rf"\d{{{length}}}" for length in desc.possible_length or ())
        pattern = f"(?:{desc.national_number_pattern})\\Z"
        return f"(?=(?:{lengths})\\Z){pattern}" if lengths else pattern

    general = fits(metadata.general_desc)
    types = "|".join(f"(?:{fits(desc)})" for desc in (metadata.fixed_line, metadata.mobile))
    return re.compile(rf"(?:\+44|0044|0)(?=[1-9])((?={general})(?:{types}))", re.ASCII)


_uk_number: re.Pattern | None = None


def _number_plan() -> re.Pattern:
    global _uk_number
    if _uk_number is None:
        _uk_number = _uk_number_pattern()
    return _uk_number


def normalise_phone_fast(value: str) -> str:
    """``hub.support.validation.normalise_phone``, with a shortcut for plain UK numbers.

    Parsing and checking every number type is most of the cost of an import. A number that
    is just "0", "+44" or "0044" and ASCII digits, and that is a UK landline or mobile by
    the phonenumbers metadata, is answered directly; anything else goes through the full
    function. The answers are the same (``test_it_normalises_phones_as_the_hub_does`` and
    ``test_shielding_fast_paths.py``).
    """
    match = _number_plan().fullmatch(_PHONE_NOISE.sub("", value))
    if match:
        return "+44" + match.group(1)
    return normalise_phone(value)


# Fields in the order ``RowChecker`` reads them.
_NAMES = tuple(name for name, _, _ in FIELDS)
_NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_NHS_ZEROS = ord("0") * sum(_NHS_WEIGHTS)
# Memo sizes: dates of birth and postcodes repeat across a list; beyond these many distinct
# values a memo starts again, so memory stays flat however long the file.
_MEMO_LIMIT = 100_000


class RowChecker:
    """Checks and normalises rows under one mapping. ``check`` returns the NHS number (when it
    is valid, even if other things are wrong: duplicates are found by it), the clean row
    (None when rejected) and the problems as (field, reason) pairs.

    ``check_slowly`` is the rule book, field by field through the hub's own validators.
    ``check`` gives the same answers faster: for a row whose every cell has a common shape
    (ten-digit NHS number in an issued range, plain UK phone numbers, no stray spaces) it
    takes shortcuts and remembers the answers for dates of birth and postcodes it has seen;
    any row it is not sure of, every rejected one included, goes to ``check_slowly``.
    ``test_shielding_fast_paths.py`` holds the two to the same answers.
    """

    def __init__(self, labels: list[str], mapping: dict[str, str], *, today: date | None = None):
        position = {label: index for index, label in enumerate(labels)}
        self.index = {
            name: position[mapping[name]] for name, _, _ in FIELDS if mapping.get(name) in position
        }
        self.today = today or timezone.localdate()
        self.width = len(labels)
        # The fast path: every field's cell in one call, -1 (an appended blank) when unmapped.
        self._cells = itemgetter(*(self.index.get(name, -1) for name in _NAMES))
        self._needs = max(self.index.values(), default=-1) + 1
        issued = "467" + ("9" if settings.HUB_ACCEPT_TEST_NHS_NUMBERS else "")
        self._issued = frozenset(issued)
        self._dates: dict[str, tuple[date | None, str]] = {}
        self._postcodes: dict[str, tuple[str, str]] = {}
        self._number_plan = _number_plan()

    def cell(self, cells: list[str], name: str) -> str:
        index = self.index.get(name)
        if index is None or index >= len(cells):
            return ""
        text = cells[index].strip()
        if "  " in text or not text.isprintable():  # tabs, line breaks, odd spaces
            text = " ".join(text.split())
        return text

    def nhs_only(self, cells: list[str]) -> str:
        """The row's NHS number if it is valid, else "" (as ``check`` would find it)."""
        raw = self.cell(cells, "nhs_number")
        if not raw:
            return ""
        try:
            return normalise_nhs_number(raw)
        except ValidationError:
            return ""

    def date_of_birth(self, raw: str) -> tuple[date | None, str]:
        """(date, "") or (None, the reason it is refused), for a non-blank cell."""
        try:
            value = parse_date_of_birth(raw, self.today)
            validate_date_of_birth(value, today=self.today)
        except ValidationError as exc:
            message = exc.messages[0]
            if message.startswith("Date of birth must be in the past"):
                message = "Date of birth is in the future"
            return None, message
        return value, ""

    def _day_month_year(self, raw: str) -> tuple[date | None, str]:
        """``date_of_birth``, straight away for the usual dd/mm/yyyy of a past date."""
        if len(raw) == 10 and raw[2] == raw[5] == "/" and raw.isascii():
            day, month, year = raw[:2], raw[3:5], raw[6:]
            if day.isdigit() and month.isdigit() and year.isdigit():
                try:
                    value = date(int(year), int(month), int(day))
                except ValueError:
                    return self.date_of_birth(raw)
                if value <= self.today and value.year >= self.today.year - 120:
                    return value, ""
        return self.date_of_birth(raw)

    def postcode(self, raw: str) -> tuple[str, str]:
        """(normalised postcode, "") or ("", the reason it is refused), for a non-blank cell."""
        try:
            return normalise_postcode(raw), ""
        except ValueError:
            return "", "Postcode is not a UK postcode, like S40 1LP"

    def check_slowly(self, number: int, cells: list[str]) -> tuple[str, CleanRow | None, list]:
        problems: list[tuple[str, str]] = []
        get = self.cell
        raw_nhs = get(cells, "nhs_number")
        nhs = ""
        if not raw_nhs:
            problems.append(("nhs_number", "NHS number is missing"))
        else:
            try:
                nhs = normalise_nhs_number(raw_nhs)
            except ValidationError as exc:
                problems.append(("nhs_number", exc.messages[0]))
        first_name, last_name = get(cells, "first_name"), get(cells, "last_name")
        if not last_name:
            problems.append(("last_name", "Last name is missing"))
        elif len(last_name) > MAX_LENGTH["last_name"]:
            problems.append(("last_name", "Last name is longer than 100 characters"))
        if len(first_name) > MAX_LENGTH["first_name"]:
            problems.append(("first_name", "First name is longer than 100 characters"))
        date_of_birth = None
        raw_dob = get(cells, "date_of_birth")
        if raw_dob:
            date_of_birth, message = self.date_of_birth(raw_dob)
            if message:
                problems.append(("date_of_birth", message))
        raw_postcode = get(cells, "postcode")
        postcode = ""
        if not raw_postcode:
            problems.append(("postcode", "Postcode is missing"))
        else:
            postcode, message = self.postcode(raw_postcode)
            if message:
                problems.append(("postcode", message))
        lines = [line for line in (get(cells, name) for name in ADDRESS_FIELDS) if line]
        town = get(cells, "town")
        if not town and len(lines) >= 3:
            town = lines.pop()
        address_line_1 = lines[0] if lines else ""
        address_line_2 = ", ".join(lines[1:])
        if len(address_line_1) > MAX_LENGTH["address"] or len(address_line_2) > 200:
            problems.append(("address_line_1", "Address is longer than 200 characters a line"))
        if len(town) > MAX_LENGTH["town"]:
            problems.append(("town", "Town is longer than 100 characters"))
        phones = []
        for name, label in (("phone", "Telephone"), ("mobile", "Mobile")):
            raw = get(cells, name)
            if not raw:
                continue
            try:
                phones.append(normalise_phone(raw))
            except ValidationError:
                problems.append((name, f"{label} is not a phone number we can call"))
        gp_code = get(cells, "gp_practice_code").upper()
        if gp_code and not GP_CODE_RE.match(gp_code):
            problems.append(
                ("gp_practice_code", "GP practice code is not a practice code, like C81001")
            )
        if problems:
            return nhs, None, problems
        return (
            nhs,
            CleanRow(
                number=number,
                nhs_number=nhs,
                first_name=first_name,
                last_name=last_name,
                date_of_birth=date_of_birth,
                address_line_1=address_line_1,
                address_line_2=address_line_2,
                town=town,
                postcode=postcode,
                phone=phones[0] if phones else "",
                phone_other=phones[1] if len(phones) > 1 else "",
                gp_practice_code=gp_code,
            ),
            [],
        )

    def check(self, number: int, cells: list[str]) -> tuple[str, CleanRow | None, list]:
        if len(cells) < self._needs:
            return self.check_slowly(number, cells)
        values = [value.strip() for value in self._cells([*cells, ""])]
        joined = "|".join(values)
        if "  " in joined or not joined.isprintable():
            return self.check_slowly(number, cells)  # cells whose spaces need tidying
        (nhs, first_name, last_name, raw_dob, *lines, town, raw_postcode, phone, mobile, gp) = (
            values
        )
        # NHS number: ten ASCII digits in an issued range, and the check digit.
        if not (len(nhs) == 10 and nhs.isascii() and nhs.isdigit() and nhs[0] in self._issued):
            return self.check_slowly(number, cells)
        digits = nhs.encode()
        check_digit = 11 - (sum(map(mul, digits, _NHS_WEIGHTS)) - _NHS_ZEROS) % 11
        if check_digit % 11 != digits[9] - 48:
            return self.check_slowly(number, cells)
        if (
            not last_name
            or len(last_name) > MAX_LENGTH["last_name"]
            or len(first_name) > MAX_LENGTH["first_name"]
        ):
            return self.check_slowly(number, cells)
        date_of_birth = None
        if raw_dob:
            known = self._dates.get(raw_dob)
            if known is None:
                if len(self._dates) >= _MEMO_LIMIT:
                    self._dates.clear()
                known = self._dates[raw_dob] = self._day_month_year(raw_dob)
            date_of_birth, message = known
            if message:
                return self.check_slowly(number, cells)
        known = self._postcodes.get(raw_postcode)
        if known is None:
            if not raw_postcode:
                return self.check_slowly(number, cells)
            if len(self._postcodes) >= _MEMO_LIMIT:
                self._postcodes.clear()
            known = self._postcodes[raw_postcode] = self.postcode(raw_postcode)
        postcode, message = known
        if message:
            return self.check_slowly(number, cells)
        lines = [line for line in lines if line]
        if not town and len(lines) >= 3:
            town = lines.pop()
        address_line_1 = lines[0] if lines else ""
        address_line_2 = ", ".join(lines[1:])
        if len(address_line_1) > MAX_LENGTH["address"] or len(address_line_2) > 200:
            return self.check_slowly(number, cells)
        if len(town) > MAX_LENGTH["town"]:
            return self.check_slowly(number, cells)
        number_plan = self._number_plan
        phones = []
        for raw in (phone, mobile):
            if raw:
                match = number_plan.fullmatch(_PHONE_NOISE.sub("", raw))
                if match is None:
                    return self.check_slowly(number, cells)  # foreign, odd or wrong
                phones.append("+44" + match.group(1))
        gp = gp.upper()
        if gp and not GP_CODE_RE.match(gp):
            return self.check_slowly(number, cells)
        return (
            nhs,
            CleanRow(
                number,
                nhs,
                first_name,
                last_name,
                date_of_birth,
                address_line_1,
                address_line_2,
                town,
                postcode,
                phones[0] if phones else "",
                phones[1] if len(phones) > 1 else "",
                gp,
            ),
            [],
        )
