"""The triage queue's tallies (``QueueTally``, ``QueueNeedTally``) and the triggers that
keep them.

SQLite fires a trigger per row; PostgreSQL once per statement with the rows it changed
(transition tables), so a COPY of thousands of requests costs one grouped upsert. Every
change is written as one INSERT ... ON CONFLICT in key order: two transactions that touch
the same cells lock them in the same order and cannot deadlock.

``install`` (re)creates the triggers and rebuilds the tallies from the requests. It runs in
migrations 0007 and 0009 and after every ``migrate`` (``apps.SupportConfig``): SQLite drops
a table's triggers whenever a migration rebuilds the table, which it does to add or alter
most columns, so the triggers are put back and the tallies recounted each time. The need
tally's triggers name each need's bit, so a need added to the list is counted from the
next ``migrate`` on.
"""

# The SQL below is built from this module's own constants: nothing from outside reaches it.
# ruff: noqa: S608

OPEN = "('new', 'triaged', 'in_progress')"
KEY = "status, urgency, ward_id, organisation_id"
TALLY = "support_queuetally"
REQUESTS = "support_supportrequest"
NEED_TALLY = "support_queueneedtally"
NEED_KEY = "status, urgency, need_bit"


def _cells(rows: str, sign: str) -> str:
    """One (cell, change) row per open request in the transition table ``rows``."""
    return (
        f"SELECT status, urgency, COALESCE(ward_id, 0) AS ward_id, "
        f"COALESCE(assigned_organisation_id, 0) AS organisation_id, {sign}1 AS n "
        f"FROM {rows} WHERE status IN {OPEN}"
    )


def _bits() -> str:
    """Each need's bit as a one-column table, ``bit``, written the same on both databases."""
    from hub.support.needs import NEED_BITS

    return "(" + " UNION ALL ".join(f"SELECT {bit} AS bit" for bit in NEED_BITS.values()) + ")"


def _need_cells(rows: str, sign: str) -> str:
    """One (status, urgency, need, change) row per need still to meet of each open request
    in ``rows``."""
    return (
        f"SELECT r.status, r.urgency, b.bit AS need_bit, {sign}1 AS n "
        f"FROM {rows} AS r JOIN {_bits()} AS b ON (r.open_need_bits & b.bit) <> 0 "
        f"WHERE r.status IN {OPEN}"
    )


def _pg_upsert(table: str, key: str, parts: list[str]) -> str:
    changes = " UNION ALL ".join(parts)
    return f"""
    INSERT INTO {table} ({key}, n)
    SELECT {key}, SUM(n) FROM ({changes}) AS changes
    GROUP BY {key} HAVING SUM(n) <> 0 ORDER BY {key}
    ON CONFLICT ({key}) DO UPDATE SET n = {table}.n + EXCLUDED.n;"""


def _pg_apply(name: str, tables: list[tuple[str, str]]) -> str:
    upserts = _pg_upsert(TALLY, KEY, [_cells(rows, sign) for rows, sign in tables])
    upserts += _pg_upsert(NEED_TALLY, NEED_KEY, [_need_cells(rows, sign) for rows, sign in tables])
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{upserts}
    RETURN NULL;
END $$;
"""


def _postgres_cells_only() -> list[str]:
    """The statements as migration 0007 installed them: before the need tally existed."""

    def apply(name: str, tables: list[tuple[str, str]]) -> str:
        upsert = _pg_upsert(TALLY, KEY, [_cells(rows, sign) for rows, sign in tables])
        return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN{upsert}
    RETURN NULL;
END $$;
"""

    return _postgres(apply)


def _postgres(apply=_pg_apply) -> list[str]:
    return [
        apply("support_queuetally_insert", [("new_rows", "")]),
        apply("support_queuetally_update", [("old_rows", "-"), ("new_rows", "")]),
        apply("support_queuetally_delete", [("old_rows", "-")]),
        f"DROP TRIGGER IF EXISTS support_queuetally_insert ON {REQUESTS}",
        f"DROP TRIGGER IF EXISTS support_queuetally_update ON {REQUESTS}",
        f"DROP TRIGGER IF EXISTS support_queuetally_delete ON {REQUESTS}",
        f"""CREATE TRIGGER support_queuetally_insert AFTER INSERT ON {REQUESTS}
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION support_queuetally_insert()""",
        f"""CREATE TRIGGER support_queuetally_update AFTER UPDATE ON {REQUESTS}
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION support_queuetally_update()""",
        f"""CREATE TRIGGER support_queuetally_delete AFTER DELETE ON {REQUESTS}
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
        EXECUTE FUNCTION support_queuetally_delete()""",
    ]


POSTGRES_REVERSE = [
    f"DROP TRIGGER IF EXISTS support_queuetally_{op} ON {REQUESTS}"
    for op in ("insert", "update", "delete")
] + [f"DROP FUNCTION IF EXISTS support_queuetally_{op}()" for op in ("insert", "update", "delete")]


def _sqlite_add(row: str) -> str:
    return (
        f"INSERT INTO {TALLY} ({KEY}, n) "
        f"SELECT {row}.status, {row}.urgency, COALESCE({row}.ward_id, 0), "
        f"COALESCE({row}.assigned_organisation_id, 0), 1 WHERE {row}.status IN {OPEN} "
        f"ON CONFLICT ({KEY}) DO UPDATE SET n = n + 1;"
    )


def _sqlite_take(row: str) -> str:
    return (
        f"UPDATE {TALLY} SET n = n - 1 WHERE {row}.status IN {OPEN} "
        f"AND status = {row}.status AND urgency = {row}.urgency "
        f"AND ward_id = COALESCE({row}.ward_id, 0) "
        f"AND organisation_id = COALESCE({row}.assigned_organisation_id, 0);"
    )


def _sqlite_need_add(row: str) -> str:
    # "WHERE" before "ON CONFLICT" is what tells SQLite the upsert from a join's "ON".
    return (
        f"INSERT INTO {NEED_TALLY} ({NEED_KEY}, n) "
        f"SELECT {row}.status, {row}.urgency, b.bit, 1 FROM {_bits()} AS b "
        f"WHERE {row}.status IN {OPEN} AND ({row}.open_need_bits & b.bit) <> 0 "
        f"ON CONFLICT ({NEED_KEY}) DO UPDATE SET n = n + 1;"
    )


def _sqlite_need_take(row: str) -> str:
    return (
        f"UPDATE {NEED_TALLY} SET n = n - 1 WHERE {row}.status IN {OPEN} "
        f"AND status = {row}.status AND urgency = {row}.urgency "
        f"AND ({row}.open_need_bits & need_bit) <> 0;"
    )


SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS support_{tally}_{op}"
    for tally in ("queuetally", "queueneedtally")
    for op in ("insert", "update", "delete")
]

SQLITE_CELLS = [
    f"""CREATE TRIGGER support_queuetally_insert AFTER INSERT ON {REQUESTS}
        BEGIN {_sqlite_add("NEW")} END""",
    f"""CREATE TRIGGER support_queuetally_update
        AFTER UPDATE OF status, urgency, ward_id, assigned_organisation_id ON {REQUESTS}
        BEGIN {_sqlite_take("OLD")} {_sqlite_add("NEW")} END""",
    f"""CREATE TRIGGER support_queuetally_delete AFTER DELETE ON {REQUESTS}
        BEGIN {_sqlite_take("OLD")} END""",
]


def _sqlite_needs() -> list[str]:
    return [
        f"""CREATE TRIGGER support_queueneedtally_insert AFTER INSERT ON {REQUESTS}
        BEGIN {_sqlite_need_add("NEW")} END""",
        f"""CREATE TRIGGER support_queueneedtally_update
        AFTER UPDATE OF status, urgency, open_need_bits ON {REQUESTS}
        BEGIN {_sqlite_need_take("OLD")} {_sqlite_need_add("NEW")} END""",
        f"""CREATE TRIGGER support_queueneedtally_delete AFTER DELETE ON {REQUESTS}
        BEGIN {_sqlite_need_take("OLD")} END""",
    ]


FILL = [
    f"DELETE FROM {TALLY}",
    f"INSERT INTO {TALLY} ({KEY}, n) "
    f"SELECT status, urgency, COALESCE(ward_id, 0), COALESCE(assigned_organisation_id, 0), "
    f"COUNT(*) FROM {REQUESTS} WHERE status IN {OPEN} GROUP BY 1, 2, 3, 4",
]


def _need_fill() -> list[str]:
    return [
        f"DELETE FROM {NEED_TALLY}",
        f"INSERT INTO {NEED_TALLY} ({NEED_KEY}, n) "
        f"SELECT status, urgency, need_bit, COUNT(*) FROM ({_need_cells(REQUESTS, '')}) AS c "
        f"GROUP BY 1, 2, 3",
    ]


def install(connection, *, needs: bool = True) -> None:
    """Create the triggers and recount the tallies. ``needs=False`` leaves out the need
    tally, as migration 0007 (before its table existed) did."""
    if connection.vendor == "postgresql":
        statements = [*(_postgres() if needs else _postgres_cells_only()), *FILL]
    elif connection.vendor == "sqlite":
        statements = [*SQLITE_REVERSE, *SQLITE_CELLS, *FILL]
        if needs:
            statements += _sqlite_needs()
    else:
        raise NotImplementedError(f"No queue tally triggers for {connection.vendor}")
    if needs:
        statements += _need_fill()
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        for statement in {"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}[
            connection.vendor
        ]:
            cursor.execute(statement)
