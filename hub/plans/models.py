"""Action plans, progress, the risk register, boards, meetings and the reports they receive."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from hub.core.models import TimeStampedModel


class Plan(TimeStampedModel):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="plans"
    )

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Aim(models.Model):
    """A strategic aim of a plan; actions sit under it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="aims")
    title = models.CharField(max_length=500)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "title"], name="aim_title_unique_in_plan")
        ]

    def __str__(self) -> str:
        return self.title


class Action(TimeStampedModel):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        OFF_TRACK = "off_track", "Off track"
        COMPLETE = "complete", "Complete"

    aim = models.ForeignKey(Aim, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    leadership = models.CharField(
        max_length=300, blank=True, help_text="Who leads it, as the plan puts it"
    )
    lead_organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_actions",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_actions",
        help_text="The person who keeps it up to date",
    )
    timescale = models.CharField(max_length=200, blank=True, help_text="As written in the plan")
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    outcomes = models.TextField(blank=True, help_text="Expected outcomes")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    position = models.PositiveSmallIntegerField(default=0)
    depends_on = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="dependents"
    )
    update_every_days = models.PositiveSmallIntegerField(default=30)
    last_update_at = models.DateTimeField(null=True, blank=True)
    next_update_due = models.DateField(null=True, blank=True, db_index=True)
    reminder_sent_for = models.DateField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at", "reminder_sent_for"])

    class Meta:
        ordering = ["aim__plan", "aim__position", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="action_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.description[:80]


class ProgressUpdate(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=12, choices=Action.Status.choices)
    note = models.TextField()
    at = models.DateTimeField(db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=10, default="web", help_text="web, csv or api")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"Update {self.pk} on action {self.action_id}"


class RiskRegister(TimeStampedModel):
    class Scale(models.TextChoices):
        THREE = "three", "High / Medium / Low"
        FIVE = "five", "5 × 5 matrix"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    plan = models.ForeignKey(
        Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="risk_registers"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="risk_registers"
    )
    scale = models.CharField(max_length=5, choices=Scale.choices, default=Scale.THREE)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def scale_max(self) -> int:
        return 3 if self.scale == self.Scale.THREE else 5


class Risk(TimeStampedModel):
    class Trend(models.TextChoices):
        IMPROVING = "improving", "Improving"
        STABLE = "stable", "Stable"
        WORSENING = "worsening", "Worsening"

    register = models.ForeignKey(RiskRegister, on_delete=models.CASCADE, related_name="risks")
    title = models.CharField(max_length=300, help_text="Description of the risk")
    category = models.CharField(max_length=100, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_risks",
    )
    impact_before = models.PositiveSmallIntegerField()
    likelihood_before = models.PositiveSmallIntegerField()
    mitigation = models.TextField(blank=True)
    mitigating_actions = models.ManyToManyField(Action, blank=True, related_name="mitigates")
    impact_after = models.PositiveSmallIntegerField()
    likelihood_after = models.PositiveSmallIntegerField()
    review_on = models.DateField(null=True, blank=True)
    trend = models.CharField(max_length=10, choices=Trend.choices, default=Trend.STABLE)
    is_open = models.BooleanField(default=True)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["register", "-impact_after", "-likelihood_after", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(impact_before__gte=1, impact_before__lte=5)
                & Q(likelihood_before__gte=1, likelihood_before__lte=5)
                & Q(impact_after__gte=1, impact_after__lte=5)
                & Q(likelihood_after__gte=1, likelihood_after__lte=5),
                name="risk_scores_in_range",
            )
        ]

    def __str__(self) -> str:
        return self.title[:80]


class Board(TimeStampedModel):
    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Every month"
        BIMONTHLY = "bimonthly", "Every two months"
        QUARTERLY = "quarterly", "Every three months"
        SIX_MONTHLY = "six_monthly", "Every six months"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="boards"
    )
    update_frequency = models.CharField(
        max_length=12, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="boards")
    plans = models.ManyToManyField(Plan, blank=True, related_name="boards")
    risk_registers = models.ManyToManyField(RiskRegister, blank=True, related_name="boards")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Meeting(TimeStampedModel):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField()
    title = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return self.title or f"{self.board} {self.held_on:%d %B %Y}"


class BoardReport(TimeStampedModel):
    """A report to a meeting. Once issued it never changes: it is the record of what the
    board saw (its HTML and PDF are kept as they were issued)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ISSUED = "issued", "Issued"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="reports")
    title = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    recommendations = models.TextField(blank=True)
    financial_implications = models.TextField(blank=True)
    legal_implications = models.TextField(blank=True)
    equality_implications = models.TextField(blank=True)
    climate_implications = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.DRAFT)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_html = models.TextField(blank=True)
    issued_pdf_path = models.CharField(max_length=300, blank=True)
    issued_sha256 = models.CharField(max_length=64, blank=True)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["-meeting__held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(issued_at__isnull=False) & ~Q(issued_html="")),
                name="issued_report_has_its_record",
            )
        ]

    def __str__(self) -> str:
        return self.title
