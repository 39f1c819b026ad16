"""Each request carries the needs it still has to meet as bits, inside the queue's indexes,
and those indexes are rebuilt to hold it. Existing requests get their bits from their
needs here."""

from django.conf import settings
from django.db import migrations, models

# The needs list as it stood when this migration was written, in bit order.
CATEGORIES = [
    "emergency_food",
    "supermarket_delivery",
    "prepared_meals",
    "prescriptions",
    "other_essentials",
    "money_debt",
    "benefits",
    "housing",
    "fuel_utilities",
    "mental_health",
    "loneliness",
    "digital_access",
    "jobs_training",
    "children_schools",
    "disability_care",
    "bereavement",
    "domestic_abuse",
    "other",
]


def fill_need_bits(apps, schema_editor):
    Need = apps.get_model("support", "Need")
    SupportRequest = apps.get_model("support", "SupportRequest")
    for index, category in enumerate(CATEGORIES):
        still_to_meet = Need.objects.filter(category=category, status__in=["open", "referred"])
        SupportRequest.objects.filter(pk__in=still_to_meet.values("request_id")).update(
            open_need_bits=models.F("open_need_bits").bitor(1 << index)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0001_initial"),
        ("places", "0001_initial"),
        ("support", "0007_queue_tally"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="supportrequest",
            name="request_open_due_idx",
        ),
        migrations.RemoveIndex(
            model_name="supportrequest",
            name="request_open_ward_idx",
        ),
        migrations.RemoveIndex(
            model_name="supportrequest",
            name="request_open_org_idx",
        ),
        migrations.RemoveIndex(
            model_name="supportrequest",
            name="request_open_person_idx",
        ),
        migrations.RemoveIndex(
            model_name="supportrequest",
            name="request_open_counts_idx",
        ),
        migrations.RemoveIndex(
            model_name="supportrequest",
            name="request_ward_counts_idx",
        ),
        migrations.RemoveIndex(
            model_name="supportrequest",
            name="request_org_counts_idx",
        ),
        migrations.RemoveIndex(
            model_name="supportrequest",
            name="request_person_counts_idx",
        ),
        migrations.RemoveIndex(
            model_name="supportrequest",
            name="request_open_callback_idx",
        ),
        migrations.AddField(
            model_name="supportrequest",
            name="open_need_bits",
            field=models.IntegerField(default=0),
        ),
        migrations.AddIndex(
            model_name="supportrequest",
            index=models.Index(
                condition=models.Q(("queue_open", models.Value(True))),
                fields=["status", "urgency", "open_need_bits", "queue_open"],
                name="request_open_counts_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="supportrequest",
            index=models.Index(
                condition=models.Q(("queue_open", models.Value(True))),
                fields=[
                    "due_at",
                    "id",
                    "assigned_organisation",
                    "status",
                    "urgency",
                    "open_need_bits",
                    "queue_open",
                ],
                name="request_open_due_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="supportrequest",
            index=models.Index(
                condition=models.Q(("queue_open", models.Value(True))),
                fields=[
                    "callback_due_at",
                    "id",
                    "status",
                    "urgency",
                    "open_need_bits",
                    "queue_open",
                ],
                name="request_open_callback_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="supportrequest",
            index=models.Index(
                condition=models.Q(("queue_open", models.Value(True))),
                fields=["ward", "due_at", "status", "urgency", "open_need_bits", "queue_open"],
                name="request_open_ward_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="supportrequest",
            index=models.Index(
                condition=models.Q(("queue_open", models.Value(True))),
                fields=["ward", "status", "urgency", "open_need_bits", "queue_open"],
                name="request_ward_counts_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="supportrequest",
            index=models.Index(
                condition=models.Q(("queue_open", models.Value(True))),
                fields=[
                    "assigned_organisation",
                    "due_at",
                    "status",
                    "urgency",
                    "open_need_bits",
                    "queue_open",
                ],
                name="request_open_org_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="supportrequest",
            index=models.Index(
                condition=models.Q(("queue_open", models.Value(True))),
                fields=[
                    "assigned_organisation",
                    "status",
                    "urgency",
                    "open_need_bits",
                    "queue_open",
                ],
                name="request_org_counts_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="supportrequest",
            index=models.Index(
                condition=models.Q(("queue_open", models.Value(True))),
                fields=[
                    "assigned_to",
                    "due_at",
                    "status",
                    "urgency",
                    "open_need_bits",
                    "queue_open",
                ],
                name="request_open_person_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="supportrequest",
            index=models.Index(
                condition=models.Q(("queue_open", models.Value(True))),
                fields=["assigned_to", "status", "urgency", "open_need_bits", "queue_open"],
                name="request_person_counts_idx",
            ),
        ),
        # Last: on PostgreSQL the updates leave deferred foreign-key checks pending, and
        # no index can be built on the table until they have run.
        migrations.RunPython(fill_need_bits, migrations.RunPython.noop),
    ]
