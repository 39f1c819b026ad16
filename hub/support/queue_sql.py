"""The triage queue's reads, written as SQL.

The queue is the busiest page of the hub and must answer in 50 ms with a million requests.
Its three statements (counts with the number overdue, the page of rows, the call-backs
owed with their number) were built with the ORM; building and compiling those querysets
took longer than the database took to run them. Here they are written once, as text with
parameters, for PostgreSQL and SQLite alike.

Who sees what is the same rule as ``selectors.requests_visible_to`` (the host's
coordinators see every request; another organisation's caseworkers and coordinators see
those assigned to it and those with a live or completed referral to it; anyone else sees
none). ``tests/test_queue_sql.py`` holds this module to that rule and to the queue's
filters as the ORM writes them, for every kind of reader and filter.
"""

# Every name in the SQL below comes from this module; values are always parameters.
# ruff: noqa: S608

from datetime import UTC, datetime
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.dateparse import parse_datetime

from hub.organisations.models import Organisation
from hub.places.models import Area
from hub.support.models import (
    Contact,
    Need,
    QueueNeedTally,
    QueueTally,
    Resident,
    SupportRequest,
)
from hub.support.needs import NEED_BITS

REQUESTS = SupportRequest._meta.db_table
CLOSED_NEED_STATUSES = (Need.Status.OPEN, Need.Status.REFERRED)


@cache
def _tables() -> dict[str, str]:
    return {
        "areas": Area._meta.db_table,
        "contacts": Contact._meta.db_table,
        "needs": Need._meta.db_table,
        "need_tally": QueueNeedTally._meta.db_table,
        "organisations": Organisation._meta.db_table,
        "residents": Resident._meta.db_table,
        "tally": QueueTally._meta.db_table,
        "users": get_user_model()._meta.db_table,
    }


def _true() -> str:
    # As the ORM writes it, so that each database sees its partial indexes' own condition.
    return "true" if connection.vendor == "postgresql" else "1"


def _aware(value):
    """A datetime read from the database, in UTC: SQLite hands back naive ones (or text)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _when(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


class Scope:
    """Which requests a reader may see, as a condition on the requests table ``r``.

    ``everything`` for the host's coordinators; otherwise ``organisation`` (the reader's)
    and ``referred`` (the ids of requests referred to it); ``organisation`` None sees none.
    """

    def __init__(self, *, everything: bool, organisation: int | None, referred: list[int]):
        self.everything = everything
        self.organisation = organisation
        self.referred = referred

    def where(self, alias: str = "r") -> tuple[list[str], list]:
        if self.everything:
            return [], []
        if self.organisation is None:
            return ["1 = 0"], []
        if not self.referred:
            return [f"{alias}.assigned_organisation_id = %s"], [self.organisation]
        marks = ", ".join(["%s"] * len(self.referred))
        return (
            [f"({alias}.assigned_organisation_id = %s OR {alias}.id IN ({marks}))"],
            [self.organisation, *self.referred],
        )


def _filters(filters: dict, *, alias: str = "r") -> tuple[list[str], list]:
    """The queue's filters (a ``QueueFilterForm``'s cleaned data) as conditions on ``r``."""
    where, params = [], []
    status = filters.get("status") or "open"
    if status == "open":
        where.append(f"{alias}.queue_open = {_true()}")
    else:
        where.append(f"{alias}.status = %s")
        params.append(status)
    if filters.get("urgency"):
        where.append(f"{alias}.urgency = %s")
        params.append(filters["urgency"])
    if filters.get("need"):
        if status == "open" or status in SupportRequest.OPEN_STATUSES:
            # Tested on the request's own bits, which every queue index holds.
            where.append(f"({alias}.open_need_bits & %s) > 0")
            params.append(NEED_BITS.get(filters["need"], 0))
        else:
            where.append(
                f"{alias}.id IN (SELECT n.request_id FROM {_tables()['needs']} n "
                f"WHERE n.category = %s AND n.status IN (%s, %s))"
            )
            params += [filters["need"], *CLOSED_NEED_STATUSES]
    if filters.get("ward"):
        where.append(f"{alias}.ward_id = %s")
        params.append(filters["ward"])
    if filters.get("unassigned"):
        where.append(f"{alias}.assigned_organisation_id IS NULL")
    elif filters.get("organisation"):
        where.append(f"{alias}.assigned_organisation_id = %s")
        params.append(filters["organisation"])
    if filters.get("assignee"):
        where.append(f"{alias}.assigned_to_id = %s")
        params.append(filters["assignee"])
    return where, params


def _and(*parts: tuple[list[str], list]) -> tuple[str, list]:
    where = [condition for conditions, _ in parts for condition in conditions]
    params = [value for _, values in parts for value in values]
    return " AND ".join(where) or "1 = 1", params


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def counts(
    scope: Scope, filters: dict, *, now: datetime, tally: str | None, cap: int
) -> tuple[dict[tuple[str, str], int], int]:
    """Open requests within ``filters`` (status and urgency set aside) by (status, urgency),
    and how many of them are overdue (counted up to ``cap`` + 1), in one statement.

    ``tally`` says where the counts come from: "cells" (``QueueTally``, by ward and
    organisation), "need" (``QueueNeedTally``) or None (the requests' own index)."""
    open_only = {**filters, "status": "open", "urgency": ""}
    late_where, late_params = _and(scope.where(), _filters(open_only), (["r.due_at < %s"], []))
    late_params.append(_when(now))
    late = (
        f"(SELECT COUNT(*) FROM (SELECT r.id FROM {REQUESTS} r WHERE {late_where} "
        f"LIMIT {int(cap) + 1}) AS counted)"
    )
    if tally == "cells":
        where, params = ["1 = 1"], []
        if filters.get("ward"):
            where.append("ward_id = %s")
            params.append(filters["ward"])
        if filters.get("unassigned"):
            where.append("organisation_id = 0")
        elif filters.get("organisation"):
            where.append("organisation_id = %s")
            params.append(filters["organisation"])
        sql = (
            f"SELECT status, urgency, SUM(n), {late} FROM {_tables()['tally']} "
            f"WHERE {' AND '.join(where)} GROUP BY status, urgency"
        )
        params = late_params + params
    elif tally == "need":
        sql = (
            f"SELECT status, urgency, n, {late} FROM {_tables()['need_tally']} WHERE need_bit = %s"
        )
        params = [*late_params, NEED_BITS.get(filters["need"], 0)]
    else:
        where, params = _and(scope.where(), _filters(open_only))
        # Count a column the index holds (not the id), so this reads the index only.
        sql = (
            f"SELECT r.status, r.urgency, COUNT(r.status), {late} FROM {REQUESTS} r "
            f"WHERE {where} GROUP BY r.status, r.urgency"
        )
        params = late_params + params
    rows = _fetch(sql, params)
    # Every row carries the same overdue count; no rows means no open requests at all.
    overdue = rows[0][3] if rows else 0
    return {(status, urgency): int(n) for status, urgency, n, _ in rows if n}, overdue


def total(scope: Scope, filters: dict) -> int:
    where, params = _and(scope.where(), _filters(filters))
    return _fetch(f"SELECT COUNT(*) FROM {REQUESTS} r WHERE {where}", params)[0][0]


_ROW_COLUMNS = (
    "pk",
    "reference",
    "status",
    "urgency",
    "due_at",
    "safeguarding",
    "ward_id",
    "assigned_organisation_id",
    "assigned_to_id",
    "open_need_bits",
    "ward_name",
    "organisation_name",
    "assignee_name",
    "first_name",
    "last_name",
)


def page(scope: Scope, filters: dict, *, offset: int, limit: int) -> list[dict]:
    """A page of the queue, soonest due first, with the names it shows.

    The page's ids are a subquery the database works out first, from an index alone, so
    the rest touches only the rows shown. Ward, organisation and assignee names are looked
    up row by row rather than joined: planning three more joins took PostgreSQL longer
    than the lookups."""
    where, params = _and(scope.where("q"), _filters(filters, alias="q"))
    t = _tables()
    sql = (
        "SELECT r.id, r.reference, r.status, r.urgency, r.due_at, r.safeguarding, r.ward_id, "
        "r.assigned_organisation_id, r.assigned_to_id, r.open_need_bits, "
        f"(SELECT a.name FROM {t['areas']} a WHERE a.id = r.ward_id), "
        f"(SELECT o.name FROM {t['organisations']} o WHERE o.id = r.assigned_organisation_id), "
        f"(SELECT u.full_name FROM {t['users']} u WHERE u.id = r.assigned_to_id), "
        "p.first_name, p.last_name "
        f"FROM {REQUESTS} r JOIN {t['residents']} p ON p.id = r.resident_id "
        f"WHERE r.id IN (SELECT q.id FROM {REQUESTS} q WHERE {where} "
        f"ORDER BY q.due_at, q.id LIMIT {int(limit)} OFFSET {int(offset)}) "
        "ORDER BY r.due_at, r.id"
    )
    rows = []
    for values in _fetch(sql, params):
        row = dict(zip(_ROW_COLUMNS, values, strict=True))
        row["due_at"] = _aware(row["due_at"])
        row["safeguarding"] = bool(row["safeguarding"])
        rows.append(row)
    return rows


def callbacks(scope: Scope, *, until: datetime, shown: int) -> tuple[list[tuple], int]:
    """The ``shown`` soonest call-backs owed by ``until`` on open requests, as (pk,
    reference, due, by whom), and how many are owed in all (one subquery, worked out
    once)."""

    def owed_by(alias: str) -> tuple[str, list]:
        return _and(
            scope.where(alias),
            (
                [f"{alias}.queue_open = {_true()}", f"{alias}.callback_due_at <= %s"],
                [_when(until)],
            ),
        )

    every, every_params = owed_by("k")
    where, params = owed_by("r")
    t = _tables()
    sql = (
        "SELECT r.id, r.reference, r.callback_due_at, u.full_name, "
        f"(SELECT COUNT(*) FROM {REQUESTS} k WHERE {every}) "
        f"FROM {REQUESTS} r "
        f"LEFT JOIN {t['contacts']} c ON c.id = r.callback_contact_id "
        f"LEFT JOIN {t['users']} u ON u.id = c.by_id "
        f"WHERE {where} ORDER BY r.callback_due_at, r.id LIMIT {int(shown)}"
    )
    rows = _fetch(sql, every_params + params)
    owed = rows[0][4] if rows else 0
    return [(pk, reference, _aware(due), by) for pk, reference, due, by, _ in rows], owed
