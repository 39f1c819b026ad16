"""Streaming the 360Giving export: time, grants a second and peak memory, at two sizes.

    python -m bench.threesixty_export [--grants 20000] [--small 10000] [--database-url URL]

Builds a fresh database (see ``bench._django``), bulk-inserts funds, organisations (charities
of the three UK registers, companies and unregistered groups), applications with zero to
three wards and strategy priorities, and one award each; first ``--small`` grants, then up to
``--grants``. At each size it streams the JSON package and the CSV to /dev/null through
``hub.grants.threesixty`` (what the public addresses and ``export_360giving`` use), and the
JSON once more through the public address with Django's test client. Each is timed, then run
again under ``tracemalloc`` for its peak. "seconds" is wall-clock; "CPU s" is this process's
CPU time (for PostgreSQL, the server's own work is not in it). Exits non-zero if memory is not
flat: the peak at ``--grants`` must stay within 25% (plus 2 MiB) of the peak at ``--small``.
"""

import argparse
import random
import sys
import time
import tracemalloc
from datetime import date, timedelta

FLAT_RATIO = 1.25
FLAT_SLACK_BYTES = 2 * 1024 * 1024
BATCH = 5_000


def _setup_reference_data(rng: random.Random, organisations: int) -> dict:
    from django.db import transaction

    from hub.accounts.models import User
    from hub.grants.models import Fund
    from hub.organisations.models import Organisation
    from hub.places.models import Area
    from hub.strategy.models import Element, Strategy

    with transaction.atomic():
        council = Organisation.objects.create(
            name="Bench Council", slug="bench-council", kind="council", is_host=True
        )
        user = User.objects.create_user(
            email="applicant@bench.example", full_name="Bench Applicant", password="x" * 12
        )
        district = Area.objects.create(code="E07999999", name="Bench", level="district")
        wards = Area.objects.bulk_create(
            [
                Area(code=f"E0599{n:04d}", name=f"Ward {n}", level="ward", parent=district)
                for n in range(1, 31)
            ]
        )
        funds = Fund.objects.bulk_create(
            [
                Fund(
                    name=f"Bench fund {n}",
                    slug=f"bench-fund-{n}",
                    source="Bench reserve",
                    budget_pence=10**12,
                    opens_on=date(2024, 4, 1),
                    closes_on=date(2027, 3, 31),
                    owner=council,
                )
                for n in range(1, 11)
            ]
        )
        strategy = Strategy.objects.create(name="Bench strategy", slug="bench", is_active=True)
        priorities = Element.objects.bulk_create(
            [
                Element(strategy=strategy, kind="priority", slug=f"priority-{n}", name=f"P {n}")
                for n in range(1, 7)
            ]
        )
        orgs = []
        for n in range(organisations):
            kind = n % 5
            orgs.append(
                Organisation(
                    name=f"Bench group {n}",
                    slug=f"bench-group-{n}",
                    kind=rng.choice(["vcs", "vcs", "mutual_aid", "business"]),
                    charity_number=[f"{1_100_000 + n}", f"SC{n:06d}", f"NIC{n:06d}", "", ""][kind],
                    company_number=f"{n:08d}" if kind == 3 else "",
                    email="grants@bench.example",
                )
            )
        orgs = Organisation.objects.bulk_create(orgs, batch_size=BATCH)
    return {
        "user": user,
        "wards": wards,
        "funds": funds,
        "priorities": priorities,
        "organisations": orgs,
    }


def _generate(rng: random.Random, ref: dict, start: int, stop: int) -> None:
    """Applications, wards, tags and awards numbered ``start`` to ``stop - 1``."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from hub.grants.models import Application, Award
    from hub.strategy.models import Tag

    through = Application.wards.through
    application_type = ContentType.objects.get_for_model(Application)
    for first in range(start, stop, BATCH):
        last = min(first + BATCH, stop)
        with transaction.atomic():
            applications = []
            for n in range(first, last):
                starts = date(2024, 4, 1) + timedelta(days=rng.randint(0, 700))
                applications.append(
                    Application(
                        reference=f"APP-{n:07d}",
                        fund=ref["funds"][n % len(ref["funds"])],
                        organisation=ref["organisations"][n % len(ref["organisations"])],
                        status=Application.Status.AWARDED,
                        title=f"Community project {n}",
                        amount_requested_pence=rng.randint(50, 5_000) * 100,
                        summary="Food parcels, befriending calls and a weekly lunch club for "
                        f"people on their own (project {n}).",
                        outcomes="People fed and less alone.",
                        starts_on=starts,
                        ends_on=starts + timedelta(days=rng.choice([90, 180, 365])),
                        created_by=ref["user"],
                    )
                )
            applications = Application.objects.bulk_create(applications)
            links, tags, awards = [], [], []
            for application in applications:
                for ward in rng.sample(ref["wards"], rng.choice([0, 1, 1, 2, 3])):
                    links.append(through(application_id=application.pk, area_id=ward.pk))
                if rng.random() < 0.6:
                    for element in rng.sample(ref["priorities"], rng.choice([1, 2])):
                        tags.append(
                            Tag(
                                element=element,
                                content_type=application_type,
                                object_id=application.pk,
                            )
                        )
                amount = min(application.amount_requested_pence, rng.randint(50, 5_000) * 100)
                awards.append(
                    Award(
                        application=application,
                        fund_id=application.fund_id,
                        organisation_id=application.organisation_id,
                        amount_pence=amount,
                        awarded_on=application.starts_on - timedelta(days=14),
                    )
                )
            through.objects.bulk_create(links)
            Tag.objects.bulk_create(tags)
            Award.objects.bulk_create(awards)


def _drain(pieces, out) -> int:
    written = 0
    for piece in pieces:
        data = piece if isinstance(piece, bytes) else piece.encode("utf-8")
        written += out.write(data)
    return written


def _measure(label: str, make_pieces, grants: int) -> dict:
    with open("/dev/null", "wb") as out:
        started, cpu = time.perf_counter(), time.process_time()
        written = _drain(make_pieces(), out)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        tracemalloc.start()
        tracemalloc.reset_peak()
        _drain(make_pieces(), out)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return {
        "label": label,
        "grants": grants,
        "seconds": seconds,
        "cpu": cpu,
        "rate": grants / seconds if seconds else 0.0,
        "mb": written / 1_000_000,
        "peak": peak,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grants", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seed", type=int, default=360)
    args = parser.parse_args(argv)
    sizes = sorted({min(args.small, args.grants), args.grants})

    from bench import _django

    url = _django.setup(name="hub_bench_360", database_url=args.database_url)
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from hub.grants import threesixty

    settings.ALLOWED_HOSTS = ["testserver"]
    rng = random.Random(args.seed)
    started = time.perf_counter()
    ref = _setup_reference_data(rng, organisations=max(1, args.grants // 5))
    client = Client()

    def over_http():
        response = client.get("/grants/360giving.json")
        assert response.status_code == 200, response.status_code
        return response.streaming_content

    results = []
    made = 0
    for size in sizes:
        t0 = time.perf_counter()
        _generate(rng, ref, made, size)
        made = size
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"{connection.vendor}: {size:,} grants ready in {time.perf_counter() - t0:.0f} s")
        results.append(_measure("JSON (stream_json)", threesixty.stream_json, size))
        results.append(_measure("CSV (stream_csv)", threesixty.stream_csv, size))
        results.append(_measure("JSON over HTTP", over_http, size))

    print(
        f"{'export':<22}{'grants':>9}{'seconds':>9}{'CPU s':>7}{'grants/s':>10}{'MB out':>8}"
        f"{'peak MiB':>10}"
    )
    for r in results:
        print(
            f"{r['label']:<22}{r['grants']:>9,}{r['seconds']:>9.1f}{r['cpu']:>7.1f}"
            f"{r['rate']:>10,.0f}{r['mb']:>8.1f}{r['peak'] / 2**20:>10.1f}"
        )
    failed = False
    if len(sizes) == 2:
        for label in dict.fromkeys(r["label"] for r in results):
            small, large = (r["peak"] for r in results if r["label"] == label)
            flat = large <= small * FLAT_RATIO + FLAT_SLACK_BYTES
            failed |= not flat
            print(
                f"{label}: peak {small / 2**20:.1f} MiB at {sizes[0]:,}, "
                f"{large / 2**20:.1f} MiB at {sizes[1]:,}: {'flat' if flat else 'NOT FLAT'}"
            )
    print(
        f"target: peak memory flat within {FLAT_RATIO - 1:.0%} + 2 MiB; "
        f"database {url.split('@')[-1]}; total {time.perf_counter() - started:.0f} s"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
