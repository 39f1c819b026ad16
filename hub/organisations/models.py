"""Organisations that run the hub together, and the roles people hold in them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from hub.core.models import TimeStampedModel
from hub.organisations.validators import validate_charity_number, validate_company_number


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "Hub coordinator"
    CASEWORKER = "caseworker", "Caseworker"
    VOLUNTEER_COORDINATOR = "volunteer_coordinator", "Volunteer coordinator"
    GRANTS_OFFICER = "grants_officer", "Grants officer"
    ASSESSOR = "assessor", "Assessor"
    PLAN_OWNER = "plan_owner", "Plan owner"
    ENGAGEMENT_LEAD = "engagement_lead", "Engagement lead"
    BOARD_VIEWER = "board_viewer", "Board viewer"
    DATA_PROTECTION_OFFICER = "dpo", "Data protection officer"
    ADMINISTRATOR = "administrator", "Administrator"


class OrganisationQuerySet(models.QuerySet):
    def active(self, on=None):
        from django.utils import timezone

        day = on or timezone.localdate()
        return self.filter(Q(active_from__isnull=True) | Q(active_from__lte=day)).filter(
            Q(active_until__isnull=True) | Q(active_until__gte=day)
        )


class Organisation(TimeStampedModel):
    class Kind(models.TextChoices):
        COUNCIL = "council", "Council"
        NHS = "nhs", "NHS body or primary care network"
        GP_PRACTICE = "gp_practice", "GP practice"
        VCS = "vcs", "Voluntary or community organisation"
        MUTUAL_AID = "mutual_aid", "Mutual aid group"
        BUSINESS = "business", "Business"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    is_host = models.BooleanField(
        default=False,
        help_text="The organisation that runs the hub: its administrators manage everyone.",
    )
    charity_number = models.CharField(
        max_length=12, blank=True, validators=[validate_charity_number]
    )
    company_number = models.CharField(
        max_length=8, blank=True, validators=[validate_company_number]
    )
    ods_code = models.CharField(
        "ODS code", max_length=10, blank=True, help_text="NHS Organisation Data Service code"
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)
    areas_served = models.ManyToManyField(
        "places.Area", blank=True, related_name="organisations_serving"
    )
    active_from = models.DateField(null=True, blank=True)
    active_until = models.DateField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])
    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_host"], condition=Q(is_host=True), name="one_host_organisation"
            ),
            models.CheckConstraint(
                condition=Q(active_until__isnull=True)
                | Q(active_from__isnull=True)
                | Q(active_until__gte=models.F("active_from")),
                name="organisation_active_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_active=True, user__is_active=True)


class Membership(TimeStampedModel):
    """A role a person holds in an organisation. A person may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    is_active = models.BooleanField(default=True)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])
    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="one_membership_per_role"
            )
        ]
        indexes = [models.Index(fields=["user", "is_active"], name="membership_user_active_idx")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} at {self.organisation}"
