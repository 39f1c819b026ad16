"""How fast is the shielding-list import, against loading the same rows raw?

    python -m bench.shielding_import [--rows 100000] [--batch-size 2000] [--seed 2020]

Needs a database: whatever ``DATABASE_URL`` names, SQLite under /tmp when it is unset.
It never touches the database named there: on PostgreSQL it creates (dropping any old
one) a database called ``hub_bench_shielding`` on the same server; on SQLite it uses a
fresh file beside the named one. It migrates that database, makes a borough (a host
council, a coordinator, 20 wards and the postcodes of ``bench.generate_shielding``, a
tenth of them left unknown), writes the CSV in a child process, then times:

1. the import of every row (``shielding_import_create`` + ``_confirm`` + ``_run``),
   and the peak resident memory of this process while it ran;
2. the same file imported again (everything unchanged: nothing is written);
3. a raw load of the same rows into a plain table with one text column per CSV column and
   no index: ``COPY ... FROM STDIN`` through psycopg's ``cursor.copy()`` on PostgreSQL,
   ``executemany`` of an INSERT on SQLite, both reading the file with ``csv.reader``;
4. the database alone writing what the import wrote (copies of its rows made by
   ``INSERT ... SELECT``, every index, trigger and foreign-key check included, then rolled
   back): the floor under the import's time, whatever the Python above it.

It checks the import's counts against the database, prints a table, and exits non-zero
if the import is more than ``--max-ratio`` times slower than the raw load.
"""

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DATABASE = "hub_bench_shielding"
DEFAULT_SQLITE = "sqlite:////tmp/hub-bench-shielding/bench.sqlite3"
RAW_TABLE = "bench_raw_shielding"


@dataclass
class Row:
    step: str
    rows: int
    seconds: float
    peak_mb: float | None = None

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else float("inf")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_parts_mb() -> tuple[float, float]:
    """This process's resident memory now, split as Linux reports it: anonymous (the
    Python heap, what would grow if the import held rows) and file-backed (libraries, and
    the pages of SQLite's memory-mapped database file, which the kernel can drop)."""
    parts = {}
    with open("/proc/self/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("RssAnon", "RssFile"):
                parts[name] = int(value.split()[0]) / 1024
    return parts.get("RssAnon", 0.0), parts.get("RssFile", 0.0)


def _fresh_database(url: str) -> str:
    """The URL of a new, empty database for the benchmark on the server ``url`` names."""
    parts = urlsplit(url)
    if parts.scheme.startswith("sqlite"):
        path = Path(parts.path[1:] if parts.path.startswith("//") else parts.path.lstrip("/"))
        bench = path.with_name("hub-bench-shielding.sqlite3")
        bench.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{bench}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{bench}"
    import psycopg

    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
        connection.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    return urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}"))


def _borough(seed: int):
    """A host council and its coordinator, 20 wards, and the generator's postcodes."""
    import random

    from bench.generate_shielding import postcodes
    from hub.accounts.models import User
    from hub.organisations.models import Membership, Organisation, Role
    from hub.places.models import Area, Postcode
    from hub.testing.factories import as_actor

    council = Organisation.objects.create(
        name="Ashworth Borough Council", slug="ashworth", kind="council", is_host=True
    )
    alice = User.objects.create(email="alice@example.org", full_name="Alice Ashworth")
    Membership.objects.create(user=alice, organisation=council, role=Role.COORDINATOR)
    wards = Area.objects.bulk_create(
        Area(code=f"E0500{n:04d}", name=f"Ward {n}", level=Area.Level.WARD) for n in range(20)
    )
    rng = random.Random(seed)
    codes = postcodes(random.Random(seed))
    Postcode.objects.bulk_create(
        Postcode(postcode=code, ward_id=rng.choice(wards).pk)
        for index, code in enumerate(codes)
        if index % 10
    )
    return as_actor(alice)


def _import(actor, path: Path, batch_size: int):
    from hub.support.services.shielding import (
        shielding_import_confirm,
        shielding_import_create,
        shielding_import_run,
    )

    with path.open("rb") as source:
        created = shielding_import_create(actor=actor, source=source, original_name=path.name)
    shielding_import_confirm(actor=actor, shielding_import=created, enqueue=False)
    return shielding_import_run(shielding_import=created, batch_size=batch_size)


def _check_only(path: Path) -> int:
    """Read and check every row as the import does, writing nothing: the floor under the
    import's time."""
    from hub.support.shielding_csv import (
        RowChecker,
        column_labels,
        data_rows,
        guess_mapping,
        read_header,
    )

    header, delimiter = read_header(path, "utf-8-sig")
    labels = column_labels(header)
    checker = RowChecker(labels, guess_mapping(labels))
    accepted = 0
    for number, cells, _ in data_rows(path, "utf-8-sig", delimiter):
        accepted += cells is not None and checker.check(number, cells)[1] is not None
    return accepted


def _raw_load(path: Path) -> int:
    """Load every data row of ``path`` into a plain unindexed table, as fast as the
    database's own bulk path allows. Returns the rows loaded."""
    from django.db import connection, transaction

    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        columns = [f"c{n}" for n in range(len(header))]
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
            cursor.execute(f"CREATE TABLE {RAW_TABLE} ({', '.join(f'{c} text' for c in columns)})")
        loaded = 0
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.connection.cursor() as cursor:
                    sql = f"COPY {RAW_TABLE} ({', '.join(columns)}) FROM STDIN"
                    with cursor.copy(sql) as copy:
                        for row in reader:
                            copy.write_row(row)
                            loaded += 1
            else:
                placeholders = ", ".join("?" for _ in columns)
                insert = f"INSERT INTO {RAW_TABLE} VALUES ({placeholders})"
                raw = connection.connection
                while rows := [row for _, row in zip(range(10_000), reader, strict=False)]:
                    raw.executemany(insert, rows)
                    loaded += len(rows)
    return loaded


def _database_floor(imported_pk: int) -> int:
    """Time the database alone writing what the import wrote: copies of the residents,
    requests, needs and journey events of import ``imported_pk``, made by four
    ``INSERT ... SELECT`` statements (new ids, NHS numbers and references, so no unique
    index clashes), into the same tables with every index, trigger and foreign-key check
    (checked at once, not at commit), then rolled back. No Python runs per row: it is what
    the database must do whatever the code above it. Returns the residents written."""
    from django.db import connection, transaction

    from hub.support.models import JourneyEvent, Need, Resident, SupportRequest

    quote = connection.ops.quote_name
    postgresql = connection.vendor == "postgresql"

    def text(expression: str) -> str:
        return f"CAST({expression} AS TEXT)"

    def pad(expression: str, width: int) -> str:
        if postgresql:
            return f"lpad({text(expression)}, {width}, '0')"
        return f"substr('{'0' * width}' || {text(expression)}, -{width}, {width})"

    def copy(model, where: str, changed: dict[str, str]) -> str:
        columns = [f.column for f in model._meta.concrete_fields if not f.generated]
        values = [changed.get(column, quote(column)) for column in columns]
        table = quote(model._meta.db_table)
        return (
            f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "
            f"SELECT {', '.join(values)} FROM {table} WHERE {where}"
        )

    with connection.cursor() as cursor:
        offsets = {}
        for model in (Resident, SupportRequest, Need, JourneyEvent):
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quote(model._meta.db_table)}")
            offsets[model] = cursor.fetchone()[0]
    resident, request, need, event = (
        offsets[m] for m in (Resident, SupportRequest, Need, JourneyEvent)
    )
    mine = f"source_import_id = {int(imported_pk)}"
    their_requests = f"request_id IN (SELECT id FROM {SupportRequest._meta.db_table} WHERE {mine})"
    statements = [
        copy(
            Resident,
            mine,
            {"id": f"id + {resident}", "nhs_number": pad(f"id + {resident}", 10)},
        ),
        copy(
            SupportRequest,
            mine,
            {
                "id": f"id + {request}",
                "reference": f"'F' || {pad(f'id + {request}', 11)}",
                "resident_id": f"resident_id + {resident}",
            },
        ),
        copy(Need, their_requests, {"id": f"id + {need}", "request_id": f"request_id + {request}"}),
        copy(
            JourneyEvent,
            their_requests,
            {
                "id": f"id + {event}",
                "resident_id": f"resident_id + {resident}",
                "request_id": f"request_id + {request}",
            },
        ),
    ]
    written = 0
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                if postgresql:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for statement in statements:
                    cursor.execute(statement)
                    written = written or cursor.rowcount
            raise _RolledBack
    except _RolledBack:
        pass
    return written


class _RolledBack(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--max-ratio", type=float, default=3.0)
    options = parser.parse_args(argv)

    url = _fresh_database(os.environ.get("DATABASE_URL") or DEFAULT_SQLITE)
    workdir = Path(tempfile.mkdtemp(prefix="hub-bench-shielding-"))
    os.environ["DATABASE_URL"] = url
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.base")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from hub.support.models import JourneyEvent, Need, Resident, SupportRequest

    csv_path = workdir / "shielding.csv"
    started = time.perf_counter()
    subprocess.run(  # a child process, so its memory does not count as the import's
        [
            sys.executable,
            "-m",
            "bench.generate_shielding",
            str(csv_path),
            f"--rows={options.rows}",
            f"--seed={options.seed}",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    generated = time.perf_counter() - started
    call_command("migrate", verbosity=0)
    actor = _borough(options.seed)
    baseline = peak_rss_mb()
    baseline_anonymous, baseline_file = rss_parts_mb()

    results = [Row("generate the CSV (child process)", options.rows, generated)]
    started = time.perf_counter()
    _check_only(csv_path)
    results.append(
        Row("read and check rows only (no DB)", options.rows, time.perf_counter() - started)
    )
    started = time.perf_counter()
    first = _import(actor, csv_path, options.batch_size)
    results.append(Row("import (new residents)", options.rows, time.perf_counter() - started))
    results[-1].peak_mb = peak_rss_mb()
    anonymous, file_backed = rss_parts_mb()
    started = time.perf_counter()
    again = _import(actor, csv_path, options.batch_size)
    results.append(Row("import again (all unchanged)", options.rows, time.perf_counter() - started))
    results[-1].peak_mb = peak_rss_mb()
    started = time.perf_counter()
    loaded = _raw_load(csv_path)
    results.append(Row("raw load into a plain table", loaded, time.perf_counter() - started))
    started = time.perf_counter()
    floor = _database_floor(first.pk)
    results.append(
        Row("the database alone (no Python a row)", floor, time.perf_counter() - started)
    )

    problems = []
    accepted = first.created_count
    for label, count in (
        ("residents", Resident.objects.count()),
        ("requests", SupportRequest.objects.count()),
        ("needs", Need.objects.count()),
        ("journey events", JourneyEvent.objects.count()),
    ):
        if count != accepted:
            problems.append(f"{count:,} {label}, expected {accepted:,}")
    if first.created_count + first.rejected_count != options.rows:
        problems.append("created and rejected do not add up to the rows")
    if again.unchanged_count != accepted or again.created_count or again.updated_count:
        problems.append("importing again changed something")
    if loaded != options.rows:
        problems.append(f"raw load read {loaded:,} rows")
    if floor != accepted:
        problems.append(f"the database alone wrote {floor:,} residents, expected {accepted:,}")
    if Resident.objects.count() != accepted:
        problems.append("the database-alone step left rows behind")

    ratio = results[2].seconds / results[4].seconds
    if connection.vendor == "postgresql":
        version = f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"
    else:
        version = f"SQLite {connection.Database.sqlite_version}"
    print(f"Database: {version}")
    print(f"Rows: {options.rows:,}; batch size {options.batch_size:,}; seed {options.seed}")
    print(
        f"Imported: {first.created_count:,} new, {first.rejected_count:,} rejected; "
        f"again: {again.unchanged_count:,} unchanged"
    )
    print()
    print(f"| {'step':<34} | {'rows':>10} | {'seconds':>8} | {'rows/s':>9} | {'peak RSS MB':>11} |")
    print(f"| {'-' * 34} | {'-' * 10}:| {'-' * 8}:| {'-' * 9}:| {'-' * 11}:|")
    for row in results:
        peak = f"{row.peak_mb:,.0f}" if row.peak_mb else ""
        print(
            f"| {row.step:<34} | {row.rows:>10,} | {row.seconds:>8.1f} | {row.rate:>9,.0f} "
            f"| {peak:>11} |"
        )
    print()
    print(f"Peak RSS before importing: {baseline:,.0f} MB")
    print(
        f"Resident memory after importing: {anonymous:,.0f} MB anonymous (before: "
        f"{baseline_anonymous:,.0f} MB), {file_backed:,.0f} MB file-backed (before: "
        f"{baseline_file:,.0f} MB; SQLite's memory-mapped database counts here)"
    )
    print(f"Import / raw load: {ratio:.1f}x (target at most {options.max_ratio:g}x)")
    print(f"Checking rows alone / raw load: {results[1].seconds / results[4].seconds:.1f}x")
    print(
        "The database alone / raw load: "
        f"{results[5].seconds / results[4].seconds:.1f}x (the floor under the import's ratio)"
    )
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return 1 if problems or ratio > options.max_ratio else 0


if __name__ == "__main__":
    sys.exit(main())
