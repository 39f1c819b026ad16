"""A tally of open requests by status, urgency, ward and organisation, kept by triggers.

SQLite fires a trigger per row; PostgreSQL once per statement with the rows it changed
(transition tables), so a COPY of thousands of requests costs one grouped upsert. Every
change is written as one INSERT ... ON CONFLICT in key order: two transactions that touch
the same cells lock them in the same order and cannot deadlock.
"""

# The SQL below is built from this file's own constants: nothing from outside reaches it.
# ruff: noqa: S608

from django.db import migrations, models

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
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
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


SQLITE = [
    f"""CREATE TRIGGER support_queuetally_insert AFTER INSERT ON {REQUESTS}
        BEGIN {_sqlite_add("NEW")} END""",
    f"""CREATE TRIGGER support_queuetally_update
        AFTER UPDATE OF status, urgency, ward_id, assigned_organisation_id ON {REQUESTS}
        BEGIN {_sqlite_take("OLD")} {_sqlite_add("NEW")} END""",
    f"""CREATE TRIGGER support_queuetally_delete AFTER DELETE ON {REQUESTS}
        BEGIN {_sqlite_take("OLD")} END""",
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS support_queuetally_{op}" for op in ("insert", "update", "delete")
]

FILL = (
    f"INSERT INTO {TALLY} ({KEY}, n) "
    f"SELECT status, urgency, COALESCE(ward_id, 0), COALESCE(assigned_organisation_id, 0), "
    f"COUNT(*) FROM {REQUESTS} WHERE status IN {OPEN} GROUP BY 1, 2, 3, 4"
)


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRES, "sqlite": SQLITE}.get(vendor)
    if statements is None:
        raise NotImplementedError(f"No queue tally triggers for {vendor}")
    for statement in [*statements, FILL]:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}[vendor]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0006_callback_index_order"),
    ]

    operations = [
        migrations.CreateModel(
            name="QueueTally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("status", models.CharField(max_length=12)),
                ("urgency", models.CharField(max_length=10)),
                ("ward_id", models.BigIntegerField()),
                ("organisation_id", models.BigIntegerField()),
                ("n", models.IntegerField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("status", "urgency", "ward_id", "organisation_id"),
                        name="one_tally_per_queue_cell",
                    )
                ],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
