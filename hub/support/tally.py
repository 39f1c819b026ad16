"""The triage queue's tally (``QueueTally``) and the triggers that keep it.

SQLite fires a trigger per row; PostgreSQL once per statement with the rows it changed
(transition tables), so a COPY of thousands of requests costs one grouped upsert. Every
change is written as one INSERT ... ON CONFLICT in key order: two transactions that touch
the same cells lock them in the same order and cannot deadlock.

``install`` (re)creates the triggers and rebuilds the tally from the requests. It runs in
migration 0007 and after every ``migrate`` (``apps.SupportConfig``): SQLite drops a
table's triggers whenever a migration rebuilds the table, which it does to add or alter
most columns, so the triggers are put back and the tally recounted each time.
"""

# The SQL below is built from this module's own constants: nothing from outside reaches it.
# ruff: noqa: S608

OPEN = "('new', 'triaged', 'in_progress')"
KEY = "status, urgency, ward_id, organisation_id"
TALLY = "support_queuetally"
REQUESTS = "support_supportrequest"


def _cells(rows: str, sign: str) -> str:
    """One (cell, change) row per open request in the transition table ``rows``."""
    return (
        f"SELECT status, urgency, COALESCE(ward_id, 0) AS ward_id, "
        f"COALESCE(assigned_organisation_id, 0) AS organisation_id, {sign}1 AS n "
        f"FROM {rows} WHERE status IN {OPEN}"
    )


def _pg_apply(name: str, parts: list[str]) -> str:
    changes = " UNION ALL ".join(parts)
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {TALLY} ({KEY}, n)
    SELECT {KEY}, SUM(n) FROM ({changes}) AS changes
    GROUP BY {KEY} HAVING SUM(n) <> 0 ORDER BY {KEY}
    ON CONFLICT ({KEY}) DO UPDATE SET n = {TALLY}.n + EXCLUDED.n;
    RETURN NULL;
END $$;
"""


POSTGRES = [
    _pg_apply("support_queuetally_insert", [_cells("new_rows", "")]),
    _pg_apply("support_queuetally_update", [_cells("old_rows", "-"), _cells("new_rows", "")]),
    _pg_apply("support_queuetally_delete", [_cells("old_rows", "-")]),
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


SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS support_queuetally_{op}" for op in ("insert", "update", "delete")
]

SQLITE = [
    *SQLITE_REVERSE,
    f"""CREATE TRIGGER support_queuetally_insert AFTER INSERT ON {REQUESTS}
        BEGIN {_sqlite_add("NEW")} END""",
    f"""CREATE TRIGGER support_queuetally_update
        AFTER UPDATE OF status, urgency, ward_id, assigned_organisation_id ON {REQUESTS}
        BEGIN {_sqlite_take("OLD")} {_sqlite_add("NEW")} END""",
    f"""CREATE TRIGGER support_queuetally_delete AFTER DELETE ON {REQUESTS}
        BEGIN {_sqlite_take("OLD")} END""",
]

REBUILD = f"DELETE FROM {TALLY}"
FILL = (
    f"INSERT INTO {TALLY} ({KEY}, n) "
    f"SELECT status, urgency, COALESCE(ward_id, 0), COALESCE(assigned_organisation_id, 0), "
    f"COUNT(*) FROM {REQUESTS} WHERE status IN {OPEN} GROUP BY 1, 2, 3, 4"
)


def install(connection) -> None:
    statements = {"postgresql": POSTGRES, "sqlite": SQLITE}.get(connection.vendor)
    if statements is None:
        raise NotImplementedError(f"No queue tally triggers for {connection.vendor}")
    with connection.cursor() as cursor:
        for statement in [*statements, REBUILD, FILL]:
            cursor.execute(statement)


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        for statement in {"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}[
            connection.vendor
        ]:
            cursor.execute(statement)
