"""A strategy: its priorities, themes, impact areas and enablers, and tags from any record."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from hub.core.models import TimeStampedModel


class Strategy(TimeStampedModel):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    summary = models.TextField(blank=True)
    source = models.CharField(
        max_length=300, blank=True, help_text="The report or decision it comes from"
    )
    adopted_on = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=False)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["-is_active", "name"]
        verbose_name_plural = "strategies"
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_strategy"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Element(TimeStampedModel):
    """A priority, theme, impact area or enabler of a strategy: what records are tagged to."""

    class Kind(models.TextChoices):
        PRIORITY = "priority", "Priority"
        THEME = "theme", "Theme"
        IMPACT_AREA = "impact_area", "Impact area"
        ENABLER = "enabler", "Enabler"

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="elements")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    slug = models.SlugField(max_length=100)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["strategy", "kind", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "kind", "slug"], name="element_slug_unique_in_strategy"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """One record tagged to one strategy element. Any model of any app can be tagged."""

    element = models.ForeignKey(Element, on_delete=models.CASCADE, related_name="tags")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["element", "content_type", "object_id"], name="tag_once_per_record"
            )
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="tag_record_idx"),
            models.Index(fields=["content_type", "element"], name="tag_type_element_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.content_type.model} {self.object_id} → {self.element}"
