"""Residents, their requests for help, needs, referrals between organisations, contacts,
case notes, the journey timeline, and shielding-list imports."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import ExpressionWrapper, Q, Value
from simple_history.models import HistoricalRecords

from hub.core.models import TimeStampedModel
from hub.support.needs import NeedCategory


class Resident(TimeStampedModel):
    """A person the hub supports. Not a user: residents never sign in to staff pages."""

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        OTHER = "other", "Another language"

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    # NULL, not "", for "unknown": the unique constraint must ignore residents without one.
    nhs_number = models.CharField("NHS number", max_length=10, null=True, blank=True)  # noqa: DJ001
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    ward = models.ForeignKey(
        "places.Area", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    phone = models.CharField(max_length=20, blank=True, help_text="E.164, like +441246345678")
    phone_other = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    preferred_language = models.CharField(max_length=60, blank=True, default="English")
    communication_needs = models.CharField(
        max_length=300, blank=True, help_text="For example: large print, BSL interpreter"
    )
    shielding = models.BooleanField("shielding on clinical advice", default=False)
    lives_alone = models.BooleanField(default=False)
    carer = models.BooleanField("is a carer", default=False)
    disability = models.BooleanField("has a disability", default=False)
    digitally_excluded = models.BooleanField(default=False)
    young_person = models.BooleanField(default=False)
    gp_practice = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registered_residents",
        limit_choices_to={"kind": "gp_practice"},
    )
    gp_practice_code = models.CharField("GP practice code", max_length=10, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        db_index=False,  # see Meta: only the few merged residents are indexed
    )
    source_import = models.ForeignKey(
        "support.ShieldingImport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="residents",
    )

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["nhs_number"],
                condition=Q(nhs_number__isnull=False) & Q(merged_into__isnull=True),
                name="resident_nhs_number_unique",
            )
        ]
        # Each index is written for every resident a shielding-list import adds: only what
        # reads use. Postcodes are looked up whole (no LIKE, so no pattern index), and the
        # merged residents are few.
        indexes = [
            models.Index(fields=["last_name", "date_of_birth"], name="resident_name_dob_idx"),
            models.Index(fields=["postcode"], name="resident_postcode_idx"),
            models.Index(
                fields=["merged_into"],
                condition=Q(merged_into__isnull=False),
                name="resident_merged_into_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Resident {self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Consent(TimeStampedModel):
    """Why the hub may share a resident's details with partners: consent, or a lawful basis."""

    class Basis(models.TextChoices):
        CONSENT = "consent", "Consent"
        VITAL_INTERESTS = "vital_interests", "Vital interests"
        PUBLIC_TASK = "public_task", "Public task"
        LEGAL_OBLIGATION = "legal_obligation", "Legal obligation"

    class How(models.TextChoices):
        VERBAL = "verbal", "Verbally (phone or in person)"
        WRITTEN = "written", "In writing"
        ONLINE = "online", "Online form"
        REPRESENTATIVE = "representative", "By a representative on their behalf"
        NOT_APPLICABLE = "n/a", "Not applicable (lawful basis)"

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="consents")
    basis = models.CharField(max_length=20, choices=Basis.choices)
    how_given = models.CharField(max_length=20, choices=How.choices)
    all_partners = models.BooleanField(
        default=False, help_text="Share with any partner the hub refers to"
    )
    partners = models.ManyToManyField("organisations.Organisation", blank=True, related_name="+")
    given_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    notes = models.CharField(max_length=500, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"{self.get_basis_display()} for resident {self.resident_id}"


def _queue_indexes() -> list[models.Index]:
    """The triage queue's indexes: open requests only (about one in twenty). For the whole
    queue and for each filter column there is one in due order (pages, overdue counts) and
    one in (status, urgency) order (the counts, grouped without sorting); all of them hold
    status and urgency, so the queue reads nothing but indexes.

    Each is partial on ``queue_open = true`` (one term the planner can match, where
    "status IN (three values)" would not be), and ends with ``queue_open`` itself so that
    SQLite, which does not know that every row of a partial index meets its condition,
    still reads nothing but the index."""
    open_only = Q(queue_open=Value(True))
    covered = ["status", "urgency", "open_need_bits", "queue_open"]
    indexes = [
        models.Index(
            fields=["due_at", "id", "assigned_organisation", *covered],
            condition=open_only,
            name="request_open_due_idx",
        ),
        # Only requests owing a call-back: "callback_due_at <= …" implies it on both
        # databases, and the many requests that owe none (a whole shielding list) are not
        # written to it.
        models.Index(
            fields=["callback_due_at", "id", *covered],
            condition=open_only & Q(callback_due_at__isnull=False),
            name="request_callback_due_idx",
        ),
    ]
    for key, lead in (
        ("ward", "ward"),
        ("org", "assigned_organisation"),
        ("person", "assigned_to"),
    ):
        indexes += [
            models.Index(
                fields=[lead, "due_at", *covered],
                condition=open_only,
                name=f"request_open_{key}_idx",
            ),
            models.Index(
                fields=[lead, *covered], condition=open_only, name=f"request_{key}_counts_idx"
            ),
        ]
    return indexes


class SupportRequest(TimeStampedModel):
    class Channel(models.TextChoices):
        PHONE = "phone", "Phone"
        WEB = "web", "Web form"
        EMAIL = "email", "Email"
        PARTNER_REFERRAL = "partner", "Referral from a partner"
        GP_REFERRAL = "gp", "Referral from a GP"
        SHIELDING_LIST = "shielding", "Shielding list"
        OUTREACH = "outreach", "Outreach"

    class Urgency(models.TextChoices):
        SAME_DAY = "same_day", "Same day"
        THREE_DAYS = "72_hours", "Within 72 hours"
        ROUTINE = "routine", "Routine"

    class Status(models.TextChoices):
        NEW = "new", "New"
        TRIAGED = "triaged", "Triaged"
        IN_PROGRESS = "in_progress", "In progress"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"

    URGENCY_HOURS = {Urgency.SAME_DAY: 8, Urgency.THREE_DAYS: 72, Urgency.ROUTINE: 24 * 10}
    OPEN_STATUSES = (Status.NEW, Status.TRIAGED, Status.IN_PROGRESS)

    reference = models.CharField(max_length=12, unique=True)
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="requests")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    on_behalf_name = models.CharField("asked by (on their behalf)", max_length=200, blank=True)
    on_behalf_relationship = models.CharField(max_length=100, blank=True)
    on_behalf_phone = models.CharField(max_length=20, blank=True)
    summary = models.TextField(blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    safeguarding = models.BooleanField(default=False)
    ward = models.ForeignKey(
        "places.Area", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # These three are indexed only where set (see Meta): most requests, and every one a
    # shielding-list import opens, start with none.
    assigned_organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_requests",
        db_index=False,
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_requests",
        db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source_import = models.ForeignKey(
        "support.ShieldingImport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    # Whether the request is still in the queue (new, triaged or in progress): kept by the
    # database from ``status``, for the queue's indexes.
    queue_open = models.GeneratedField(
        expression=ExpressionWrapper(
            Q(status__in=["new", "triaged", "in_progress"]), output_field=models.BooleanField()
        ),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    # The needs still to meet (open or referred), one bit each (``needs.NEED_BITS``), kept
    # by the services that open needs and record their outcomes: the queue's need filter
    # tests it inside its indexes instead of joining the needs table.
    open_need_bits = models.IntegerField(default=0)
    # The call-back promised at the latest contact, if it asked for one (kept by
    # ``services.contact_log``): the queue lists these without reading every contact.
    callback_due_at = models.DateTimeField(null=True, blank=True)
    callback_contact = models.ForeignKey(
        "support.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    # ``queue_open`` follows the status; the call-back fields repeat what the contacts hold.
    history = HistoricalRecords(
        excluded_fields=[
            "created_at",
            "updated_at",
            "queue_open",
            "open_need_bits",
            "callback_due_at",
            "callback_contact",
        ]
    )

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["status", "due_at", "id"], name="request_queue_idx"),
            *_queue_indexes(),
            *(
                models.Index(fields=[name], condition=Q(**{f"{name}__isnull": False}), name=index)
                for name, index in (
                    ("assigned_organisation", "request_assigned_org_idx"),
                    ("assigned_to", "request_assigned_to_idx"),
                    ("callback_contact", "request_callback_contact_idx"),
                )
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["resident"],
                condition=Q(channel="shielding") & Q(status__in=["new", "triaged", "in_progress"]),
                name="one_open_shielding_request_per_resident",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @classmethod
    def due_from(cls, start, urgency: str):
        return start + timedelta(hours=cls.URGENCY_HOURS[urgency])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Need(TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        REFERRED = "referred", "Referred"
        MET = "met", "Met"
        UNMET = "unmet", "Could not be met"
        WITHDRAWN = "withdrawn", "No longer needed"

    CLOSED_STATUSES = (Status.MET, Status.UNMET, Status.WITHDRAWN)

    # Indexed by need_request_category_idx, which leads with it.
    request = models.ForeignKey(
        SupportRequest, on_delete=models.CASCADE, related_name="needs", db_index=False
    )
    category = models.CharField(max_length=30, choices=NeedCategory.choices)
    detail = models.CharField(max_length=500, blank=True)
    impact_area = models.ForeignKey(
        "strategy.Element", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(max_length=500, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["request", "id"]
        indexes = [
            # Holds the request too: the queue's need filter reads this index alone.
            models.Index(fields=["category", "status", "request"], name="need_category_status_idx"),
            models.Index(fields=["request", "category"], name="need_request_category_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} ({self.request_id})"


class Referral(TimeStampedModel):
    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        COMPLETED = "completed", "Completed"
        WITHDRAWN = "withdrawn", "Withdrawn"
        EXPIRED = "expired", "Expired"

    LIVE_STATUSES = (Status.SENT, Status.ACCEPTED)

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="referrals")
    from_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="referrals_sent"
    )
    to_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="referrals_received"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    message = models.TextField(blank=True, help_text="What the partner needs to know")
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claimed_referrals",
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=500, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=500, blank=True)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(
                fields=["to_organisation", "status", "-sent_at"], name="referral_inbox_idx"
            ),
            models.Index(fields=["status", "expires_at"], name="referral_expiry_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["need", "to_organisation"],
                condition=Q(status__in=["sent", "accepted"]),
                name="one_live_referral_per_need_and_partner",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="declined_referral_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk}"


class Contact(TimeStampedModel):
    """A call or message to or from the resident, with what happened."""

    class Direction(models.TextChoices):
        OUT = "out", "We contacted them"
        IN = "in", "They contacted us"

    class Outcome(models.TextChoices):
        ANSWERED = "answered", "Answered"
        NO_ANSWER = "no_answer", "No answer"
        WRONG_NUMBER = "wrong_number", "Wrong number"
        VOICEMAIL = "voicemail", "Left a voicemail"
        REFUSED = "refused", "Refused help"

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="contacts")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    outcome = models.CharField(max_length=15, choices=Outcome.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    notes = models.CharField(max_length=1000, blank=True)
    callback_due_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"Contact {self.pk}"


class CaseNote(TimeStampedModel):
    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Note {self.pk}"


class JourneyEvent(models.Model):
    """One step of a resident's journey. Services of every module append to it."""

    class Kind(models.TextChoices):
        REQUEST_OPENED = "request_opened", "Asked for help"
        TRIAGED = "triaged", "Triaged"
        ASSIGNED = "assigned", "Assigned"
        CONTACT = "contact", "Contact"
        NOTE = "note", "Case note"
        REFERRAL_SENT = "referral_sent", "Referred"
        REFERRAL_ACCEPTED = "referral_accepted", "Referral accepted"
        REFERRAL_DECLINED = "referral_declined", "Referral declined"
        REFERRAL_COMPLETED = "referral_completed", "Referral completed"
        REFERRAL_WITHDRAWN = "referral_withdrawn", "Referral withdrawn"
        REFERRAL_EXPIRED = "referral_expired", "Referral expired"
        NEED_OUTCOME = "need_outcome", "Need outcome"
        STATUS = "status", "Status changed"
        CONSENT = "consent", "Consent recorded"
        MERGED = "merged", "Records merged"
        IMPORTED = "imported", "Shielding list"
        VOLUNTEER_TASK = "volunteer_task", "Volunteer task"
        GRANT = "grant", "Grant"

    # Indexed by journey_resident_idx, which leads with it; nothing reads events by time alone.
    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="journey", db_index=False
    )
    request = models.ForeignKey(
        SupportRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    summary = models.CharField(max_length=300)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["resident", "at"], name="journey_resident_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


class ShieldingImport(TimeStampedModel):
    """One upload of the NHS shielded patient list, processed in resumable batches."""

    class Status(models.TextChoices):
        PREVIEW = "preview", "Waiting for confirmation"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed"

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, null=True, related_name="+"
    )
    original_name = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    encoding = models.CharField(max_length=20, blank=True)
    mapping = models.JSONField(default=dict, help_text="Our field name → the file's column header")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(
        default=0, help_text="Rows committed so far: a restarted import carries on from here"
    )
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Shielding import {self.pk}"

    @property
    def percent_done(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


class ShieldingImportRejection(models.Model):
    """A row that was not imported, and why. Holds no personal data: row number and reason."""

    shielding_import = models.ForeignKey(
        ShieldingImport, on_delete=models.CASCADE, related_name="rejections"
    )
    row_number = models.PositiveIntegerField()
    field = models.CharField(max_length=50, blank=True)
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["row_number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shielding_import", "row_number", "field"],
                name="one_rejection_per_row_field",
            )
        ]

    def __str__(self) -> str:
        return f"Row {self.row_number}: {self.reason}"


class QueueTally(models.Model):
    """How many open requests there are for each status, urgency, ward and assigned
    organisation: the triage queue's counts, read in a millisecond however many requests
    there are.

    The database keeps it, not the code: triggers on the requests table (migration 0007)
    add and take away as requests are inserted, changed or deleted, whichever way they are
    written (services, bulk updates, the shielding import's COPY). Ward and organisation
    hold 0 for "none", so that each combination is one row.
    """

    status = models.CharField(max_length=12)
    urgency = models.CharField(max_length=10)
    ward_id = models.BigIntegerField()
    organisation_id = models.BigIntegerField()
    n = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["status", "urgency", "ward_id", "organisation_id"],
                name="one_tally_per_queue_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.n} {self.status} {self.urgency}"


class QueueNeedTally(models.Model):
    """How many open requests there are for each status and urgency that still have a need
    to meet (``need_bit``, the need's bit in ``SupportRequest.open_need_bits``): the queue's
    counts when a need is chosen. A request with three needs is counted under each. Kept by
    the same triggers as ``QueueTally`` (``hub.support.tally``)."""

    status = models.CharField(max_length=12)
    urgency = models.CharField(max_length=10)
    need_bit = models.BigIntegerField()
    n = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["status", "urgency", "need_bit"], name="one_tally_per_queue_need"
            )
        ]

    def __str__(self) -> str:
        return f"{self.n} {self.status} {self.urgency} need {self.need_bit}"
