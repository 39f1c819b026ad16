"""Funds, applications, assessment, awards, payments and monitoring.

Money is in whole pence (``BigIntegerField``), never floats. The invariants money depends
on are database constraints: a fund's committed total never exceeds its budget, paid never
exceeds committed, an award's onward grants never exceed the award. Services update those
running totals under a row lock (``select_for_update``) so the constraints and the locks
together hold under any concurrency.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from hub.core.models import TimeStampedModel


class Fund(TimeStampedModel):
    class Route(models.TextChoices):
        DIRECT = "direct", "The council pays grantees directly"
        PARTNER_AGENCY = "partner", "A partner agency makes small grants from an allocation"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    source = models.CharField(max_length=200, help_text="For example: budget risk reserve")
    description = models.TextField(blank=True)
    eligibility = models.TextField(blank=True, help_text="Who may apply, in plain English")
    eligible_kinds = models.JSONField(
        default=list, blank=True, help_text="Organisation kinds that may apply (empty: any)"
    )
    budget_pence = models.BigIntegerField()
    committed_pence = models.BigIntegerField(default=0, editable=False)
    paid_pence = models.BigIntegerField(default=0, editable=False)
    min_award_pence = models.BigIntegerField(default=0)
    max_award_pence = models.BigIntegerField(null=True, blank=True)
    opens_on = models.DateField()
    closes_on = models.DateField()
    route = models.CharField(max_length=10, choices=Route.choices, default=Route.DIRECT)
    owner = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="funds"
    )
    currency = models.CharField(max_length=3, default="GBP")

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["-opens_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_pence__gte=0), name="fund_budget_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(committed_pence__gte=0) & Q(committed_pence__lte=F("budget_pence")),
                name="fund_committed_within_budget",
            ),
            models.CheckConstraint(
                condition=Q(paid_pence__gte=0) & Q(paid_pence__lte=F("committed_pence")),
                name="fund_paid_within_committed",
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="fund_closes_after_it_opens"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def remaining_pence(self) -> int:
        return self.budget_pence - self.committed_pence


class Criterion(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(max_length=200)
    guidance = models.TextField(blank=True)
    weight = models.PositiveSmallIntegerField(default=1)
    max_score = models.PositiveSmallIntegerField(default=5)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["fund", "position", "id"]
        verbose_name_plural = "criteria"
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=1), name="criterion_weight_positive"),
            models.CheckConstraint(condition=Q(max_score__gte=1), name="criterion_max_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class InKindSupport(TimeStampedModel):
    """Support given in kind, such as a rent-free period for a charitable tenant."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="in_kind")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="in_kind_support"
    )
    description = models.CharField(max_length=300)
    value_pence = models.BigIntegerField()
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(value_pence__gt=0), name="in_kind_value_positive")
        ]

    def __str__(self) -> str:
        return self.description


class Application(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        ASSESSMENT = "assessment", "Being assessed"
        AWARDED = "awarded", "Awarded"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    reference = models.CharField(max_length=20, unique=True)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(max_length=200)
    amount_requested_pence = models.BigIntegerField(default=0)
    summary = models.TextField(blank=True, help_text="What the grant will pay for")
    outcomes = models.TextField(blank=True, help_text="What it will achieve")
    wards = models.ManyToManyField("places.Area", blank=True, related_name="+")
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    declaration_name = models.CharField(max_length=200, blank=True)
    declared_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_requested_pence__gte=0), name="application_amount_not_negative"
            )
        ]
        indexes = [models.Index(fields=["fund", "status"], name="application_fund_status_idx")]

    def __str__(self) -> str:
        return self.reference


class BudgetLine(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="budget_lines"
    )
    description = models.CharField(max_length=200)
    amount_pence = models.BigIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_pence__gt=0), name="budget_line_positive")
        ]

    def __str__(self) -> str:
        return self.description


class SupportingDocument(models.Model):
    class Kind(models.TextChoices):
        CONSTITUTION = "constitution", "Governing document"
        ACCOUNTS = "accounts", "Latest accounts"
        BANK = "bank", "Bank statement"
        POLICY = "policy", "Safeguarding policy"
        OTHER = "other", "Other"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    original_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=100, unique=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Assignment(TimeStampedModel):
    """An assessor asked to score an application."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="assignments"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grant_assignments"
    )
    conflict_declared = models.BooleanField(default=False)
    conflict_reason = models.CharField(max_length=500, blank=True)
    comments = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "assessor"], name="one_assignment_per_assessor"
            )
        ]

    def __str__(self) -> str:
        return f"Assessment {self.pk}"


class Score(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "criterion"], name="one_score_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.score} for {self.criterion_id}"


class Decision(TimeStampedModel):
    class Outcome(models.TextChoices):
        AWARD = "award", "Award"
        DECLINE = "decline", "Decline"

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="decision"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    moderated_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    amount_pence = models.BigIntegerField(default=0)
    reasons = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    letter = models.TextField(blank=True, help_text="The award or decline letter as sent")

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="decline", amount_pence=0)
                | Q(outcome="award", amount_pence__gt=0),
                name="decision_amount_matches_outcome",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} for {self.application_id}"


class Award(TimeStampedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        CLAWED_BACK = "clawed_back", "Clawed back"

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="award")
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="awards")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="awards"
    )
    amount_pence = models.BigIntegerField()
    paid_pence = models.BigIntegerField(default=0, editable=False)
    onward_pence = models.BigIntegerField(
        default=0, editable=False, help_text="Small grants made onward from this allocation"
    )
    awarded_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    conditions = models.TextField(blank=True)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["-awarded_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_pence__gte=0), name="award_not_negative"),
            models.CheckConstraint(
                condition=Q(paid_pence__gte=0) & Q(paid_pence__lte=F("amount_pence")),
                name="award_paid_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(onward_pence__gte=0) & Q(onward_pence__lte=F("amount_pence")),
                name="award_onward_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"Award {self.pk}"


class Payment(TimeStampedModel):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        PAID = "paid", "Paid"
        CANCELLED = "cancelled", "Cancelled"

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="payments")
    instalment = models.PositiveSmallIntegerField()
    amount_pence = models.BigIntegerField()
    due_on = models.DateField()
    paid_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    reference = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["award", "instalment"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_pence__gt=0), name="payment_positive"),
            models.UniqueConstraint(fields=["award", "instalment"], name="one_instalment_number"),
        ]

    def __str__(self) -> str:
        return f"Instalment {self.instalment} of award {self.award_id}"


class Adjustment(TimeStampedModel):
    """A variation (the award goes up or down) or a clawback (money recovered)."""

    class Kind(models.TextChoices):
        VARIATION = "variation", "Variation"
        CLAWBACK = "clawback", "Clawback"

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="adjustments")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount_pence = models.BigIntegerField(help_text="Positive adds to the award; negative reduces")
    reason = models.CharField(max_length=500)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount_pence=0), name="adjustment_not_zero"),
            models.CheckConstraint(
                condition=~Q(kind="clawback") | Q(amount_pence__lt=0),
                name="clawback_reduces",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.amount_pence}p"


class OnwardGrant(TimeStampedModel):
    """A small grant a partner agency made from its allocation, reported back to the fund."""

    class Recipient(models.TextChoices):
        GROUP = "group", "Community group"
        INDIVIDUAL = "individual", "Individual"

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="onward_grants")
    recipient_kind = models.CharField(max_length=12, choices=Recipient.choices)
    recipient_name = models.CharField(
        max_length=200, help_text="A group's name; for an individual, a reference only"
    )
    ward = models.ForeignKey(
        "places.Area", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    amount_pence = models.BigIntegerField()
    purpose = models.CharField(max_length=300)
    made_on = models.DateField()
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-made_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_pence__gt=0), name="onward_positive")
        ]

    def __str__(self) -> str:
        return f"Onward grant {self.pk}"


class MonitoringReport(TimeStampedModel):
    class Status(models.TextChoices):
        DUE = "due", "Due"
        SUBMITTED = "submitted", "Submitted"
        ACCEPTED = "accepted", "Accepted"

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="reports")
    due_on = models.DateField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DUE)
    progress = models.TextField(blank=True, help_text="Outcomes against those promised")
    spend_pence = models.BigIntegerField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(spend_pence__isnull=True) | Q(spend_pence__gte=0),
                name="report_spend_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"Monitoring report {self.pk}"
