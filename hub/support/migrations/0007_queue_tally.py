"""The triage queue's tally of open requests by status, urgency, ward and organisation, and
the triggers that keep it (``hub.support.tally``, which also puts them back after every
``migrate``)."""

from django.db import migrations, models


def create_triggers(apps, schema_editor):
    from hub.support import tally

    # Only this tally: the need tally's table comes in migration 0009.
    tally.install(schema_editor.connection, needs=False)


def drop_triggers(apps, schema_editor):
    from hub.support import tally

    tally.uninstall(schema_editor.connection)


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
