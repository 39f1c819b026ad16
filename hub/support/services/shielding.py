"""The shielding-list import: storing an upload, choosing columns, and the batched run.

The run upserts residents by NHS number, opens one outreach request (and its need and
journey event) for each resident new to the list, and commits batch by batch together with
the import's progress and counts, so an import stopped half way carries on from
``processed_rows`` with nothing lost or doubled. Writes are bulk (a handful of queries a
batch, none a row); django-simple-history is not written for these rows: the import record,
its rejections and each resident's journey are the audit trail.
"""

import logging
import os
import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from pathlib import Path
from typing import BinaryIO

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from hub.organisations.models import Organisation
from hub.places.models import Postcode
from hub.support.models import (
    JourneyEvent,
    Need,
    Resident,
    ShieldingImport,
    ShieldingImportRejection,
    SupportRequest,
)
from hub.support.needs import NEED_BITS, NeedCategory
from hub.support.services.errors import ConflictError
from hub.support.services.requests import _REFERENCE_ALPHABET, _impact_areas
from hub.support.shielding_csv import (
    FIELDS,
    CleanRow,
    FileInspector,
    FileProblem,
    RowChecker,
    column_labels,
    data_rows,
    guess_mapping,
    mapping_problems,
    read_header,
    too_big_message,
)

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
CHUNK = 1024 * 1024
OUTREACH_URGENCY = SupportRequest.Urgency.THREE_DAYS
OUTREACH_NEED = NeedCategory.OTHER_ESSENTIALS
OUTREACH_DETAIL = "Shielding list outreach: check what support is needed"
_WARD_CACHE_LIMIT = 200_000
_BATCH_TRIES = 3
# Rows a batch at most: each batch asks about its NHS numbers in one query.
MAX_BATCH = 20_000


def max_bytes() -> int:
    return int(getattr(settings, "HUB_SHIELDING_MAX_BYTES", DEFAULT_MAX_BYTES))


def store_folder() -> Path:
    """Where uploads are kept: under MEDIA_ROOT/private, which nothing serves."""
    return Path(settings.MEDIA_ROOT) / "private" / "shielding"


def stored_file(shielding_import: ShieldingImport) -> Path:
    return Path(settings.MEDIA_ROOT) / shielding_import.stored_path


def safe_name(name: str) -> str:
    """The uploaded name to show people: the last path part, printable, at most 255 long."""
    last = re.split(r"[\\/]", name or "")[-1]
    cleaned = "".join(c for c in last if c.isprintable()).strip()
    return cleaned[:255] or "shielding-list.csv"


def _chunks(source) -> Iterator[bytes]:
    if hasattr(source, "chunks"):
        yield from source.chunks(chunk_size=CHUNK)
        return
    while chunk := source.read(CHUNK):
        yield chunk


def shielding_import_create(
    *, actor, source: BinaryIO, original_name: str, size: int | None = None
) -> ShieldingImport:
    """Store an uploaded list under a random name and read its header, ready for a preview.

    Refuses (ValidationError on ``file``) anything over ``HUB_SHIELDING_MAX_BYTES``, binary
    files and workbooks, text in an encoding we cannot read, and files without rows. The
    uploaded name is kept only to show people; it never decides where the file goes.
    """
    limit = max_bytes()
    if size is not None and size > limit:
        raise ValidationError({"file": too_big_message(limit)})
    folder = store_folder()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{secrets.token_hex(16)}.csv"
    inspector = FileInspector(max_bytes=limit)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            for chunk in _chunks(source):
                inspector.feed(chunk)
                out.write(chunk)
        facts = inspector.finish()
        header, _ = read_header(path, facts.encoding)
        if facts.lines < 2:
            raise FileProblem("The file has a header row but no one in it")
    except (FileProblem, UnicodeDecodeError) as exc:
        path.unlink(missing_ok=True)
        message = str(exc) if isinstance(exc, FileProblem) else "The file could not be read"
        raise ValidationError({"file": message}) from exc
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    labels = column_labels(header)
    acting = getattr(actor, "acting", None)
    # A command run without a named person imports for the organisation that runs the hub.
    organisation = (
        acting.organisation if acting else Organisation.objects.filter(is_host=True).first()
    )
    try:
        return ShieldingImport.objects.create(
            uploaded_by=actor,
            organisation=organisation,
            original_name=safe_name(original_name),
            stored_path=str(path.relative_to(Path(settings.MEDIA_ROOT))),
            sha256=facts.sha256,
            encoding=facts.encoding,
            mapping=guess_mapping(labels),
            total_rows=facts.lines - 1,
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise


@dataclass
class SampleRow:
    number: int
    values: list[str]
    problems: list[str]


@dataclass
class Sample:
    """The file's columns and its first rows as the import would read them."""

    labels: list[str]
    delimiter: str
    fields: list[str]
    rows: list[SampleRow] = field(default_factory=list)


SAMPLE_COLUMNS = (
    "NHS number",
    "Name",
    "Date of birth",
    "Address",
    "Postcode",
    "Phones",
    "GP practice",
)


def _sample_values(checker: RowChecker, cells: list[str], clean: CleanRow | None) -> list[str]:
    """What the hub will store (or, for a rejected row, what the file says) per column."""
    if clean is not None:
        return [
            clean.nhs_number,
            f"{clean.first_name} {clean.last_name}".strip(),
            f"{clean.date_of_birth:%d/%m/%Y}" if clean.date_of_birth else "",
            ", ".join(p for p in (clean.address_line_1, clean.address_line_2, clean.town) if p),
            clean.postcode,
            ", ".join(p for p in (clean.phone, clean.phone_other) if p),
            clean.gp_practice_code,
        ]
    cell = checker.cell
    address = ("address_line_1", "address_line_2", "address_line_3", "address_line_4")
    return [
        cell(cells, "nhs_number"),
        f"{cell(cells, 'first_name')} {cell(cells, 'last_name')}".strip(),
        cell(cells, "date_of_birth"),
        ", ".join(v for v in (cell(cells, n) for n in (*address, "address_line_5", "town")) if v),
        cell(cells, "postcode"),
        ", ".join(v for v in (cell(cells, "phone"), cell(cells, "mobile")) if v),
        cell(cells, "gp_practice_code"),
    ]


def shielding_import_sample(*, shielding_import: ShieldingImport, rows: int = 10) -> Sample:
    """The first ``rows`` rows under the import's mapping, as the hub would store them, each
    with the problems that would reject it. This is personal data: the caller logs the
    access."""
    path = stored_file(shielding_import)
    header, delimiter = read_header(path, shielding_import.encoding)
    labels = column_labels(header)
    checker = RowChecker(labels, shielding_import.mapping)
    sample = Sample(labels=labels, delimiter=delimiter, fields=list(SAMPLE_COLUMNS))
    for number, cells, error in islice(data_rows(path, shielding_import.encoding, delimiter), rows):
        if cells is None:
            sample.rows.append(SampleRow(number, ["" for _ in SAMPLE_COLUMNS], [error]))
            continue
        _, clean, problems = checker.check_slowly(number, cells)
        values = _sample_values(checker, cells, clean)
        sample.rows.append(SampleRow(number, values, [reason for _, reason in problems]))
    return sample


def shielding_import_labels(*, shielding_import: ShieldingImport) -> list[str]:
    header, _ = read_header(stored_file(shielding_import), shielding_import.encoding)
    return column_labels(header)


def _check_mapping(shielding_import: ShieldingImport, mapping: dict[str, str]) -> dict:
    clean = {name: mapping[name] for name, _, _ in FIELDS if mapping.get(name)}
    problems = mapping_problems(clean, shielding_import_labels(shielding_import=shielding_import))
    if problems:
        raise ValidationError(problems)
    return clean


def shielding_import_set_mapping(
    *, actor, shielding_import: ShieldingImport, mapping: dict[str, str]
) -> ShieldingImport:
    """Change which column holds what, before the import is confirmed. Problems are raised
    keyed by our field name."""
    if shielding_import.status != ShieldingImport.Status.PREVIEW:
        raise ConflictError("This import has already been confirmed")
    labels = shielding_import_labels(shielding_import=shielding_import)
    missing = {name: label for name, label in mapping.items() if label and label not in labels}
    if missing:
        raise ValidationError(dict.fromkeys(missing, "Choose a column from the file"))
    shielding_import.mapping = {name: mapping[name] for name, _, _ in FIELDS if mapping.get(name)}
    ShieldingImport.objects.filter(pk=shielding_import.pk).update(
        mapping=shielding_import.mapping, updated_at=timezone.now()
    )
    return shielding_import


def shielding_import_confirm(
    *, actor, shielding_import: ShieldingImport, mapping: dict | None = None, enqueue=True
) -> ShieldingImport:
    """Accept the mapping and queue the import (run by the task worker), so the page
    returns at once. ``enqueue=False`` leaves it queued for the caller to run."""
    with transaction.atomic():
        locked = ShieldingImport.objects.select_for_update().get(pk=shielding_import.pk)
        if locked.status != ShieldingImport.Status.PREVIEW:
            raise ConflictError("This import has already been confirmed")
        locked.mapping = _check_mapping(locked, mapping if mapping is not None else locked.mapping)
        locked.status = ShieldingImport.Status.QUEUED
        locked.save(update_fields=["mapping", "status", "updated_at"])
    if enqueue:
        _enqueue(locked)
    return locked


def shielding_import_resume(*, actor, shielding_import: ShieldingImport) -> ShieldingImport:
    """Queue a failed import again; it carries on from the last committed batch."""
    updated = ShieldingImport.objects.filter(
        pk=shielding_import.pk, status=ShieldingImport.Status.FAILED
    ).update(status=ShieldingImport.Status.QUEUED, error="", updated_at=timezone.now())
    if not updated:
        raise ConflictError("Only an import that stopped with a problem can be carried on")
    shielding_import.refresh_from_db()
    _enqueue(shielding_import)
    return shielding_import


def _enqueue(shielding_import: ShieldingImport) -> None:
    from hub.support.tasks import run_shielding_import

    run_shielding_import.enqueue(shielding_import.pk)


# -- The run ----------------------------------------------------------------------------------


class FirstSeen:
    """NHS numbers already met in this file and the row each was first on, as two sorted
    numpy arrays: 16 bytes a row, where a dict of strings would take about ten times that."""

    def __init__(self):
        self.numbers = np.empty(0, dtype=np.int64)
        self.rows = np.empty(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.numbers)

    def first_rows(self, numbers: list[str]) -> dict[str, int]:
        if not numbers or not len(self.numbers):
            return {}
        wanted = np.fromiter((int(n) for n in numbers), dtype=np.int64, count=len(numbers))
        where = np.searchsorted(self.numbers, wanted).clip(max=len(self.numbers) - 1)
        found = self.numbers[where] == wanted
        return {numbers[i]: int(self.rows[where[i]]) for i in np.flatnonzero(found).tolist()}

    def add(self, first: dict[str, int]) -> None:
        if not first:
            return
        numbers = np.fromiter((int(n) for n in first), dtype=np.int64, count=len(first))
        rows = np.fromiter(first.values(), dtype=np.int64, count=len(first))
        order = np.argsort(numbers)
        numbers, rows = numbers[order], rows[order]
        where = np.searchsorted(self.numbers, numbers)
        self.numbers = np.insert(self.numbers, where, numbers)
        self.rows = np.insert(self.rows, where, rows)


class _Superseded(Exception):
    """Another run committed this batch first."""


# What the import may change on a resident it already holds, in the order it compares them.
_COMPARED = (
    "first_name",
    "last_name",
    "date_of_birth",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "ward_id",
    "phone",
    "phone_other",
    "gp_practice_code",
    "gp_practice_id",
    "shielding",
)
_CHANGE_LABELS = {
    "first_name": "name",
    "last_name": "name",
    "date_of_birth": "date of birth",
    "address_line_1": "address",
    "address_line_2": "address",
    "town": "address",
    "postcode": "postcode",
    "ward_id": "ward",
    "phone": "phone",
    "phone_other": "phone",
    "gp_practice_code": "GP practice",
    "gp_practice_id": "GP practice",
    "shielding": "now shielding",
}


# A new resident's columns, in the order ``_create_residents`` gives them.
_RESIDENT_COLUMNS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "nhs_number",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "ward_id",
    "phone",
    "phone_other",
    "gp_practice_code",
    "gp_practice_id",
)


class _Inserter:
    """Many new rows of one model in one statement, with columns, defaults and value
    conversion taken from the model's fields.

    ``columns`` name the fields given row by row (tuples in that order); every other field
    takes the value passed to ``insert`` for the whole batch, else the one fixed here, else
    its default. On PostgreSQL it is one ``COPY ... FROM STDIN`` (the constant values
    formatted once a batch); on SQLite an ``executemany`` into a temporary table of the
    connection's and one ``INSERT ... SELECT`` from it.

    ``bulk_create`` builds its SQL value by value, which made the whole import about twice
    as slow; these rows are new, already validated and need no model instances, so they
    skip it. The SQL is built from the model's own table, column names and column types.
    Primary keys, where other rows must point at them, are taken beforehand with ``ids``.
    """

    def __init__(self, model, columns: tuple[str, ...], **fixed):
        # Generated columns are the database's to fill.
        self.fields = {f.attname: f for f in model._meta.concrete_fields if not f.generated}
        self.table = model._meta.db_table
        self.pk = model._meta.pk
        self.varying = [self.fields[name] for name in columns]
        self.constant = [
            f for f in self.fields.values() if f.attname not in columns and not f.primary_key
        ]
        self.fixed = {f.attname: fixed.get(f.attname, f.get_default()) for f in self.constant}
        self._sequence = None

    def ids(self, count: int) -> list[int]:
        """``count`` new primary keys nobody else will be given. Inside the batch's
        transaction: on SQLite that transaction holds the database's write lock (and if it
        did not, a clash would fail the insert, and the batch would be tried again)."""
        if not count:
            return []
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                if self._sequence is None:
                    cursor.execute(
                        "SELECT pg_get_serial_sequence(%s, %s)", [self.table, self.pk.column]
                    )
                    self._sequence = cursor.fetchone()[0]
                cursor.execute(
                    "SELECT nextval(%s) FROM generate_series(1, %s)", [self._sequence, count]
                )
                return [row[0] for row in cursor.fetchall()]
            cursor.execute(
                f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608
                f"coalesce((SELECT max({quote(self.pk.column)}) FROM {quote(self.table)}), 0))",
                [self.table],
            )
            start = cursor.fetchone()[0] + 1
            return list(range(start, start + count))

    def insert(self, rows: list[tuple], **per_batch) -> None:
        if not rows:
            return
        quote = connection.ops.quote_name
        postgresql = connection.vendor == "postgresql"
        convert = _copy_text if postgresql else _prep_save
        constants = tuple(
            convert(f, per_batch.get(f.attname, self.fixed[f.attname])) for f in self.constant
        )
        for index, model_field in enumerate(self.varying):
            if model_field.get_internal_type() in ("DateField", "DateTimeField"):
                # Dates of birth repeat: convert each distinct value once.
                converted = {
                    value: convert(model_field, value) for value in {r[index] for r in rows}
                }
                rows = [(*row[:index], converted[row[index]], *row[index + 1 :]) for row in rows]
        names = ", ".join(quote(f.column) for f in (*self.varying, *self.constant))
        if postgresql:
            connection.ensure_connection()
            with (
                connection.connection.cursor() as cursor,
                cursor.copy(f"COPY {quote(self.table)} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row + constants)
            return
        # SQLite: into a temporary table of this connection's, then into the real one in a
        # single INSERT ... SELECT. Row by row, each insert is a statement of its own, and
        # SQLite's per-statement work (and the queue tallies' triggers, run per statement)
        # made a request cost about four times as much.
        stage = quote(f"hub_stage_{self.table}")
        varying = ", ".join(quote(f.column) for f in self.varying)
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {stage} ({varying})")
            cursor.executemany(
                f"INSERT INTO {stage} ({varying}) "  # noqa: S608
                f"VALUES ({', '.join('%s' for _ in self.varying)})",
                rows,
            )
            cursor.execute(
                f"INSERT INTO {quote(self.table)} ({names}) "  # noqa: S608
                f"SELECT {varying}{', %s' * len(constants)} FROM {stage}",
                constants,
            )
            cursor.execute(f"DELETE FROM {stage}")  # noqa: S608


def _prep_save(model_field, value):
    return model_field.get_db_prep_save(value, connection)


def _copy_text(model_field, value):
    """``value`` as COPY's text format has it, for the values psycopg is slow to write
    (dates, timestamps, booleans); they are the same for a whole batch, or repeat."""
    value = model_field.get_db_prep_save(value, connection)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    return value


def _any_of(column: str, values: list) -> tuple[str, list]:
    """SQL for ``column`` being one of ``values``, and its parameters: one array on
    PostgreSQL; on SQLite a list the planner can match against a partial unique index (it
    cannot with ``json_each``), within SQLite's 32,766 parameters (``MAX_BATCH``)."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [values]
    return f"{column} IN ({', '.join('%s' for _ in values)})", list(values)


@dataclass
class _Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0


class _Run:
    def __init__(self, shielding_import: ShieldingImport, batch_size: int):
        self.imp = shielding_import
        self.batch_size = min(max(1, batch_size), MAX_BATCH)
        self.path = stored_file(shielding_import)
        header, self.delimiter = read_header(self.path, shielding_import.encoding)
        labels = column_labels(header)
        problems = mapping_problems(shielding_import.mapping, labels)
        if problems:
            raise ValidationError(problems)
        self.checker = RowChecker(labels, shielding_import.mapping)
        self.seen = FirstSeen()
        self.wards: dict[str, int | None] = {}
        self.gp_practices = dict(
            Organisation.objects.filter(kind=Organisation.Kind.GP_PRACTICE)
            .exclude(ods_code="")
            .values_list("ods_code", "pk")
        )
        impact = _impact_areas().get(OUTREACH_NEED)
        self.impact_area_id = impact.pk if impact else None
        self.position = shielding_import.processed_rows
        self.residents = _Inserter(
            Resident,
            ("id", *_RESIDENT_COLUMNS),
            shielding=True,
            source_import_id=shielding_import.pk,
            preferred_language="",
        )
        self.requests = _Inserter(
            SupportRequest,
            ("id", "reference", "resident_id", "ward_id"),
            channel=SupportRequest.Channel.SHIELDING_LIST,
            urgency=OUTREACH_URGENCY,
            status=SupportRequest.Status.NEW,
            summary="Shielding list outreach",
            created_by_id=shielding_import.uploaded_by_id,
            source_import_id=shielding_import.pk,
            open_need_bits=NEED_BITS[OUTREACH_NEED],
        )
        self.needs = _Inserter(
            Need,
            ("request_id",),
            category=OUTREACH_NEED,
            detail=OUTREACH_DETAIL,
            impact_area_id=self.impact_area_id,
        )
        self.events = _Inserter(
            JourneyEvent,
            ("resident_id", "request_id", "summary"),
            kind=JourneyEvent.Kind.IMPORTED,
            actor_id=shielding_import.uploaded_by_id,
            organisation_id=shielding_import.organisation_id,
        )

    # Reading

    def rows(self) -> Iterator[tuple[int, list[str] | None, str]]:
        """Rows not yet committed. Rows committed before (a resumed run) are read again only
        for their NHS numbers, so later duplicates of them are still found."""
        rows = data_rows(self.path, self.imp.encoding, self.delimiter)
        done = self.position
        while done:
            batch = list(islice(rows, min(done, self.batch_size)))
            if not batch:
                break
            done -= len(batch)
            first: dict[str, int] = {}
            for number, cells, _ in batch:
                if cells is None:
                    continue
                nhs = self.checker.nhs_only(cells)
                if nhs and nhs not in first:
                    first[nhs] = number
            earlier = self.seen.first_rows(list(first))
            self.seen.add({n: r for n, r in first.items() if n not in earlier})
        return rows

    # One batch

    def batch(self, rows: list) -> tuple[_Counts, dict[str, int]]:
        counts = _Counts()
        rejections: list[tuple[int, str, str]] = []
        checked = []
        for number, cells, error in rows:
            if cells is None:
                counts.rejected += 1
                rejections.append((number, "", error[:300]))
            elif "".join(cells).strip():  # a blank line is skipped, not rejected
                checked.append((number, *self.checker.check(number, cells)))
        earlier = self.seen.first_rows([nhs for _, nhs, _, _ in checked if nhs])
        first: dict[str, int] = {}
        accepted: list[CleanRow] = []
        for number, nhs, clean, problems in checked:
            if nhs:
                original = earlier.get(nhs) or first.get(nhs)
                if original:
                    problems.append(("nhs_number", f"Duplicate of row {original}"))
                    clean = None
                else:
                    first[nhs] = number
            if clean is None:
                counts.rejected += 1
                rejections.extend((number, name, reason) for name, reason in problems)
            else:
                accepted.append(clean)
        for attempt in range(1, _BATCH_TRIES + 1):
            try:
                with transaction.atomic():
                    self._write(accepted, rejections, counts, len(rows))
                break
            except IntegrityError:
                # A reference taken between our check and our insert, or a resident added by
                # someone else: nothing of the batch was kept, so try it again.
                if attempt == _BATCH_TRIES:
                    raise
                counts.created = counts.updated = counts.unchanged = 0
        return counts, first

    def _write(self, accepted, rejections, counts: _Counts, consumed: int) -> None:
        locked = (
            ShieldingImport.objects.select_for_update()
            .values_list("processed_rows", flat=True)
            .get(pk=self.imp.pk)
        )
        if locked != self.position:
            raise _Superseded
        now = timezone.now()
        existing = self._existing([row.nhs_number for row in accepted])
        self._load_wards({row.postcode for row in accepted})
        created, changed, changed_fields, newly_shielding = [], [], set(), []
        for row in accepted:
            old = existing.get(row.nhs_number)
            if old is None:
                created.append(row)
                continue
            values = self._changes(row, old)
            if values is None:
                counts.unchanged += 1
                continue
            fields_changed, resident = values
            changed.append((resident, fields_changed))
            changed_fields.update(fields_changed)
            if "shielding" in fields_changed:
                newly_shielding.append(resident)
        counts.created += len(created)
        counts.updated += len(changed)
        outreach = self._create_residents(created, now)
        if changed:
            for resident, _ in changed:
                resident.updated_at = now
            Resident.objects.bulk_update(
                [resident for resident, _ in changed],
                [*sorted(changed_fields), "updated_at"],
                batch_size=500,
            )
        outreach += [(r.pk, r.ward_id) for r in self._without_open_request(newly_shielding)]
        events = self._open_requests(outreach, now)
        for resident, fields_changed in changed:
            what = sorted({_CHANGE_LABELS[name] for name in fields_changed})
            summary = f"Shielding list import {self.imp.pk} updated: " + ", ".join(what)
            events.append((resident.pk, None, summary))
        self.events.insert(events, at=now)
        if rejections:
            ShieldingImportRejection.objects.bulk_create(
                [
                    ShieldingImportRejection(
                        shielding_import_id=self.imp.pk, row_number=number, field=name, reason=why
                    )
                    for number, name, why in rejections
                ],
                ignore_conflicts=True,
            )
        ShieldingImport.objects.filter(pk=self.imp.pk).update(
            processed_rows=self.position + consumed,
            created_count=F("created_count") + counts.created,
            updated_count=F("updated_count") + counts.updated,
            unchanged_count=F("unchanged_count") + counts.unchanged,
            rejected_count=F("rejected_count") + counts.rejected,
            total_rows=self._total(self.position + consumed),
            updated_at=now,
        )

    def _total(self, processed: int) -> int:
        # The line count is an estimate (a quoted cell may hold a line break); never report
        # fewer rows in the file than we have read.
        return max(self.imp.total_rows, processed)

    def _load_wards(self, postcodes: set[str]) -> None:
        wanted = [p for p in postcodes if p not in self.wards]
        if not wanted:
            return
        if len(self.wards) + len(wanted) > _WARD_CACHE_LIMIT:
            self.wards.clear()
        found = dict(
            Postcode.objects.filter(postcode__in=wanted).values_list("postcode", "ward_id")
        )
        for postcode in wanted:
            self.wards[postcode] = found.get(postcode)

    def _existing(self, numbers: list[str]) -> dict[str, tuple]:
        """Residents (not merged away) holding these NHS numbers: number → (number, pk,
        *_COMPARED), in one query with one parameter."""
        if not numbers:
            return {}
        quote = connection.ops.quote_name
        columns = ", ".join(
            quote(Resident._meta.get_field(name).column)
            for name in ("nhs_number", "id", *_COMPARED)
        )
        where, params = _any_of(quote("nhs_number"), numbers)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {columns} FROM {quote(Resident._meta.db_table)} "  # noqa: S608
                f"WHERE {where} AND {quote('merged_into_id')} IS NULL",
                params,
            )
            rows = cursor.fetchall()
        if connection.vendor == "postgresql":
            return {row[0]: row for row in rows}
        # SQLite hands dates back as text and booleans as integers.
        born, shielding = 2 + _COMPARED.index("date_of_birth"), 2 + _COMPARED.index("shielding")
        found = {}
        for row in rows:
            values = list(row)
            if isinstance(values[born], str):
                values[born] = date.fromisoformat(values[born])
            values[shielding] = bool(values[shielding])
            found[row[0]] = tuple(values)
        return found

    def _create_residents(self, rows: list[CleanRow], now) -> list[tuple[int, int | None]]:
        """Insert new residents; their (pk, ward) pairs, for their outreach requests."""
        if not rows:
            return []
        wards, practices = self.wards, self.gp_practices
        ids = self.residents.ids(len(rows))
        self.residents.insert(
            [
                (
                    pk,
                    row.first_name,
                    row.last_name,
                    row.date_of_birth,
                    row.nhs_number,
                    row.address_line_1,
                    row.address_line_2,
                    row.town,
                    row.postcode,
                    wards.get(row.postcode),
                    row.phone,
                    row.phone_other,
                    row.gp_practice_code,
                    practices.get(row.gp_practice_code),
                )
                for pk, row in zip(ids, rows, strict=True)
            ],
            created_at=now,
            updated_at=now,
        )
        return [(pk, wards.get(row.postcode)) for pk, row in zip(ids, rows, strict=True)]

    def _changes(self, row: CleanRow, old: tuple):
        """(changed field names, resident with every compared field set) or None."""
        current = dict(zip(_COMPARED, old[2:], strict=True))
        new = dict(current)
        if row.first_name:
            new["first_name"] = row.first_name
        new["last_name"] = row.last_name
        if row.date_of_birth:
            new["date_of_birth"] = row.date_of_birth
        if row.address_line_1:
            # An address is replaced whole, so a shorter new one leaves no old line behind.
            new["address_line_1"] = row.address_line_1
            new["address_line_2"] = row.address_line_2
        if row.town:
            new["town"] = row.town
        new["postcode"] = row.postcode
        ward = self.wards.get(row.postcode)
        if ward is not None or row.postcode != current["postcode"]:
            new["ward_id"] = ward
        if row.phone:
            new["phone"] = row.phone
        if row.phone_other:
            new["phone_other"] = row.phone_other
        if row.gp_practice_code:
            new["gp_practice_code"] = row.gp_practice_code
            new["gp_practice_id"] = self.gp_practices.get(row.gp_practice_code)
        new["shielding"] = True
        changed = [name for name in _COMPARED if new[name] != current[name]]
        if not changed:
            return None
        resident = Resident(pk=old[1], **new)
        return changed, resident

    def _without_open_request(self, residents: list) -> list:
        if not residents:
            return []
        open_already = set(
            SupportRequest.objects.filter(
                resident_id__in=[r.pk for r in residents],
                channel=SupportRequest.Channel.SHIELDING_LIST,
                status__in=SupportRequest.OPEN_STATUSES,
            ).values_list("resident_id", flat=True)
        )
        return [r for r in residents if r.pk not in open_already]

    def _open_requests(self, residents: list[tuple[int, int | None]], now) -> list[tuple]:
        """Open an outreach request, with its need, for each (resident, ward); returns
        their journey events, for the caller to insert with its own."""
        if not residents:
            return []
        references = _free_references(len(residents))
        ids = self.requests.ids(len(residents))
        self.requests.insert(
            [
                (pk, reference, resident_id, ward_id)
                for pk, reference, (resident_id, ward_id) in zip(
                    ids, references, residents, strict=True
                )
            ],
            created_at=now,
            updated_at=now,
            due_at=SupportRequest.due_from(now, OUTREACH_URGENCY),
        )
        self.needs.insert([(pk,) for pk in ids], created_at=now, updated_at=now)
        return [
            (resident_id, pk, f"{reference} opened from the shielding list: {OUTREACH_DETAIL}")
            for pk, reference, (resident_id, _) in zip(ids, references, residents, strict=True)
        ]


def _draw_references(count: int) -> set[str]:
    """About ``count`` distinct random references shaped as ``new_reference`` makes them
    (the same alphabet and length, from the operating system's random source), drawn a
    batch at a time: one ``secrets.choice`` a character was a tenth of an import's time."""
    letters = np.frombuffer(_REFERENCE_ALPHABET.encode(), dtype=np.uint8)
    # Keep only bytes below the largest multiple of the alphabet's size: no letter favoured.
    usable = 256 - 256 % len(letters)
    drawn = np.frombuffer(os.urandom(count * 6 * 2 + 64), dtype=np.uint8)
    drawn = drawn[drawn < usable] % len(letters)
    text = letters[drawn[: len(drawn) // 6 * 6]].tobytes().decode()
    return {f"CH-{text[i : i + 6]}" for i in range(0, min(len(text), count * 6), 6)}


def _free_references(count: int) -> list[str]:
    """``count`` distinct request references nobody holds yet (one query per round; with
    hundreds of thousands of requests a few of each batch's first draw are taken)."""
    chosen: set[str] = set()
    quote = connection.ops.quote_name
    while len(chosen) < count:
        draw = _draw_references(count - len(chosen)) - chosen
        where, params = _any_of(quote("reference"), list(draw))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('reference')} FROM {quote(SupportRequest._meta.db_table)} "  # noqa: S608
                f"WHERE {where}",
                params,
            )
            taken = {row[0] for row in cursor.fetchall()}
        chosen |= draw - taken
    return list(chosen)[:count]


def _batches(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def shielding_import_run(
    *,
    shielding_import: ShieldingImport,
    batch_size: int = 2000,
    stop_after_batches: int | None = None,
    progress: Callable[[ShieldingImport], None] | None = None,
) -> ShieldingImport:
    """Import the confirmed file, ``batch_size`` rows to a transaction, from where it was
    left: each batch commits its residents, requests, rejections and the import's counts
    together. Safe to run again after a crash, or on an import that finished.

    ``stop_after_batches`` stops (as a crash would, leaving the import running) after that
    many batches; tests use it to check a resumed run loses and doubles nothing.
    """
    with transaction.atomic():
        locked = ShieldingImport.objects.select_for_update().get(pk=shielding_import.pk)
        if locked.status == ShieldingImport.Status.DONE:
            return locked
        if locked.status == ShieldingImport.Status.PREVIEW:
            raise ConflictError("Confirm the columns before running the import")
        locked.status = ShieldingImport.Status.RUNNING
        locked.started_at = locked.started_at or timezone.now()
        locked.error = ""
        locked.save(update_fields=["status", "started_at", "error", "updated_at"])
    run = None
    try:
        run = _Run(locked, batch_size)
        for done, batch in enumerate(_batches(run.rows(), run.batch_size), start=1):
            _, first = run.batch(batch)
            run.seen.add(first)
            run.position += len(batch)
            if progress:
                locked.refresh_from_db()
                progress(locked)
            if stop_after_batches is not None and done >= stop_after_batches:
                locked.refresh_from_db()
                return locked
    except _Superseded:
        logger.warning("Shielding import %s: another run is processing it", locked.pk)
        locked.refresh_from_db()
        return locked
    except Exception as exc:
        where = f" at row {run.position + 2}" if run else ""
        logger.exception("Shielding import %s failed%s", locked.pk, where)
        if isinstance(exc, ValidationError):
            message = " ".join(exc.messages)
        else:
            message = f"The import stopped{where} ({type(exc).__name__}). Carry on to try again."
        ShieldingImport.objects.filter(pk=locked.pk).update(
            status=ShieldingImport.Status.FAILED, error=message[:500], updated_at=timezone.now()
        )
        raise
    ShieldingImport.objects.filter(pk=locked.pk).update(
        status=ShieldingImport.Status.DONE,
        finished_at=timezone.now(),
        total_rows=run.position,
        updated_at=timezone.now(),
    )
    # The rows are in the hub now; keeping a second copy of everyone's details would serve
    # no purpose (data minimisation). The hash stays as the record of what was imported.
    stored_file(locked).unlink(missing_ok=True)
    locked.refresh_from_db()
    return locked
