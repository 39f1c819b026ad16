"""Shared base models and the access log."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AccessLogEntry(models.Model):
    """One view (or export) of a person's record: who, acting for whom and as what, and when.

    Rows are only ever added. The record is named by type and id, never by the person's
    name, so the log itself holds no more personal data than it must.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        EXPORT = "export", "Exported"
        SEARCH = "search", "Found in a search"
        PRINT = "print", "Printed"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_log_entries"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_log_entries",
    )
    roles = models.CharField(max_length=300, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.VIEW)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(max_length=200)
    purpose = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "access log entries"
        indexes = [
            models.Index(fields=["content_type", "object_id", "-at"], name="accesslog_object_idx"),
            models.Index(fields=["user", "-at"], name="accesslog_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.object_label} at {self.at:%Y-%m-%d %H:%M}"
