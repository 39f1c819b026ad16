"""The queue's indexes cover open requests only, marked by a flag the database keeps from the
status; each request carries the call-back promised at its latest contact (filled here from
the contacts)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_pending_callbacks(apps, schema_editor):
    """For each request whose latest contact asked for a call-back, note it on the request."""
    Contact = apps.get_model("support", "Contact")
    SupportRequest = apps.get_model("support", "SupportRequest")
    with_callbacks = (
        Contact.objects.filter(callback_due_at__isnull=False)
        .values_list("request_id", flat=True)
        .distinct()
    )
    for request_id in with_callbacks.iterator():
        latest = Contact.objects.filter(request_id=request_id).order_by("-at", "-id").first()
        if latest.callback_due_at:
            SupportRequest.objects.filter(pk=request_id).update(
                callback_due_at=latest.callback_due_at, callback_contact_id=latest.pk
            )


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0001_initial"),
        ("places", "0001_initial"),
        ("strategy", "0001_initial"),
        ("support", "0003_add_open_counts_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="need",
            name="need_category_status_idx",
        ),
        migrations.RemoveIndex(
            model_name="supportrequest",
            name="request_org_queue_idx",
        ),
        migrations.RemoveIndex(
            model_name="supportrequest",
            name="request_ward_queue_idx",
        ),
        migrations.RemoveIndex(
            model_name="supportrequest",
            name="request_person_idx",
        ),
        migrations.RemoveIndex(
            model_name="supportrequest",
            name="request_open_due_idx",
        ),
        migrations.RemoveIndex(
            model_name="supportrequest",
            name="request_open_counts_idx",
        ),
        migrations.AddField(
            model_name="supportrequest",
            name="callback_contact",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="support.contact",
            ),
        ),
        migrations.AddField(
            model_name="supportrequest",
            name="callback_due_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="supportrequest",
            name="queue_open",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.ExpressionWrapper(
                    models.Q(("status__in", ["new", "triaged", "in_progress"])),
                    output_field=models.BooleanField(),
                ),
                output_field=models.BooleanField(),
            ),
        ),
        migrations.AddIndex(
            model_name="need",
            index=models.Index(
                fields=["category", "status", "request"], name="need_category_status_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="supportrequest",
            index=models.Index(
                condition=models.Q(("queue_open", models.Value(True))),
                fields=["due_at", "id", "assigned_organisation", "status", "urgency", "queue_open"],
                name="request_open_due_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="supportrequest",
            index=models.Index(
                condition=models.Q(("queue_open", models.Value(True))),
                fields=["ward", "due_at", "status", "urgency", "queue_open"],
                name="request_open_ward_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="supportrequest",
            index=models.Index(
                condition=models.Q(("queue_open", models.Value(True))),
                fields=["assigned_organisation", "due_at", "status", "urgency", "queue_open"],
                name="request_open_org_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="supportrequest",
            index=models.Index(
                condition=models.Q(("queue_open", models.Value(True))),
                fields=["assigned_to", "due_at", "status", "urgency", "queue_open"],
                name="request_open_person_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="supportrequest",
            index=models.Index(
                condition=models.Q(("queue_open", models.Value(True))),
                fields=["callback_due_at", "due_at", "status", "urgency", "queue_open"],
                name="request_open_callback_idx",
            ),
        ),
        # Last: on PostgreSQL the updates leave deferred foreign-key checks pending, and
        # no index can be built on the table until they have run.
        migrations.RunPython(copy_pending_callbacks, migrations.RunPython.noop),
    ]
