"""Areas (district, ward, LSOA) with boundaries, and postcodes that point into them."""

from django.db import models
from simple_history.models import HistoricalRecords

from hub.core.models import TimeStampedModel


class Area(TimeStampedModel):
    class Level(models.TextChoices):
        DISTRICT = "district", "District"
        WARD = "ward", "Ward"
        LSOA = "lsoa", "Lower layer super output area"

    code = models.CharField("ONS code", max_length=12, unique=True)
    name = models.CharField(max_length=200)
    level = models.CharField(max_length=10, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    boundary = models.JSONField(
        null=True, blank=True, help_text="GeoJSON geometry (Polygon or MultiPolygon), WGS84"
    )
    centroid_lat = models.FloatField(null=True, blank=True)
    centroid_lon = models.FloatField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at", "boundary"])

    class Meta:
        ordering = ["level", "name"]
        indexes = [models.Index(fields=["level", "name"], name="area_level_name_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(centroid_lat__isnull=True)
                | models.Q(centroid_lat__gte=-90, centroid_lat__lte=90),
                name="area_centroid_lat_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Postcode(models.Model):
    """One row of the ONS Postcode Directory: a normalised postcode, where it is, its ward."""

    postcode = models.CharField(max_length=8, primary_key=True, help_text="Normalised: 'S40 1LP'")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    ward_code = models.CharField(max_length=12, blank=True, db_index=True)
    ward = models.ForeignKey(
        Area, on_delete=models.SET_NULL, null=True, blank=True, related_name="postcodes"
    )

    class Meta:
        ordering = ["postcode"]

    def __str__(self) -> str:
        return self.postcode
