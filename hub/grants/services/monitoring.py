"""Monitoring of awards: when grantees report, what they report, and reminders.

Grants officers set the due dates of an award's reports; the awarded organisation reports
progress against the outcomes it promised and spend against its budget; a grants officer
accepts the report. Reminders go to the organisation's e-mail address a set number of days
before a report is due, once only, however often the command runs.

Every function is keyword-only, validates before it writes and writes inside one
transaction, so a refused call changes nothing. Errors are keyed by form field names
(``due_dates``, ``progress``, ``spend_pence``).
"""

import calendar
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from hub.grants.models import Award, MonitoringReport
from hub.grants.selectors import is_grants_officer
from hub.grants.services.money import pounds

logger = logging.getLogger(__name__)

# Far more reports than any grant needs (monthly for five years); refuses pasted nonsense.
MAX_REPORTS = 60
# How far apart the suggested reports are, in months.
SUGGESTED_INTERVAL_MONTHS = 3
PROGRESS_MAX_LENGTH = 10_000


def reminder_days() -> int:
    """Days before the due date that the reminder goes (``HUB_GRANT_REMINDER_DAYS``)."""
    return int(getattr(settings, "HUB_GRANT_REMINDER_DAYS", 14))


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def add_months(day: date, months: int) -> date:
    """``day`` moved on by ``months`` calendar months, kept within the month (31 Jan + 1 is
    28 or 29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def monitoring_suggested_dates(*, award: Award) -> list[date]:
    """A report every three months from the award (or the project's start, if later) until
    the application's end date, with a final report on the end date. Without an end date,
    four quarterly reports over a year."""
    application = award.application
    start = max(filter(None, [award.awarded_on, application.starts_on]))
    end = application.ends_on
    if end is None or end <= start:
        return [add_months(start, SUGGESTED_INTERVAL_MONTHS * n) for n in range(1, 5)]
    dates = []
    n = 1
    while (due := add_months(start, SUGGESTED_INTERVAL_MONTHS * n)) < end:
        dates.append(due)
        n += 1
    dates.append(end)
    return dates[:MAX_REPORTS]


@transaction.atomic
def monitoring_schedule(*, award: Award, due_dates: Iterable[date]) -> list[MonitoringReport]:
    """Make the award's outstanding reports exactly ``due_dates``.

    Reports already submitted or accepted are kept as they are; outstanding reports on dates
    no longer wanted are removed; new dates become new reports. Refuses an empty list, more
    than ``MAX_REPORTS`` dates, and dates before the award was made. Returns every report on
    the award, in date order."""
    award = Award.objects.select_for_update().get(pk=award.pk)
    wanted = sorted(set(due_dates))
    if not wanted:
        raise ValidationError({"due_dates": "Enter at least one date a report is due"})
    if len(wanted) > MAX_REPORTS:
        raise ValidationError(
            {
                "due_dates": f"Enter at most {MAX_REPORTS} dates: that is more reports than any "
                "grant needs"
            }
        )
    early = [d for d in wanted if d < award.awarded_on]
    if early:
        raise ValidationError(
            {
                "due_dates": f"{_long(early[0])} is before the award was made on "
                f"{_long(award.awarded_on)}: reports are due after it"
            }
        )
    reports = award.reports.all()
    outstanding = {r.due_on: r for r in reports if r.status == MonitoringReport.Status.DUE}
    done = {r.due_on for r in reports if r.status != MonitoringReport.Status.DUE}
    MonitoringReport.objects.filter(
        pk__in=[r.pk for due, r in outstanding.items() if due not in wanted]
    ).delete()
    MonitoringReport.objects.bulk_create(
        [
            MonitoringReport(award=award, due_on=due)
            for due in wanted
            if due not in outstanding and due not in done
        ]
    )
    return list(award.reports.order_by("due_on", "pk"))


def _acts_for_award(actor, award: Award) -> bool:
    acting = getattr(actor, "acting", None)
    return (
        acting is not None
        and acting.organisation is not None
        and (acting.organisation.pk == award.organisation_id)
    )


@transaction.atomic
def monitoring_submit(
    *, actor, report: MonitoringReport, progress: str, spend_pence: int | None
) -> MonitoringReport:
    """The awarded organisation reports progress against the outcomes it promised and what it
    has spent of the grant so far. It may correct a submitted report until it is accepted."""
    report = MonitoringReport.objects.select_for_update().select_related("award").get(pk=report.pk)
    if not _acts_for_award(actor, report.award):
        raise PermissionDenied("Only the organisation that holds the award can report on it")
    if report.status == MonitoringReport.Status.ACCEPTED:
        raise ValidationError("This report has been accepted: it can no longer be changed")
    errors = {}
    progress = (progress or "").strip()
    if not progress:
        errors["progress"] = "Say what the grant has achieved so far against what you promised"
    elif len(progress) > PROGRESS_MAX_LENGTH:
        errors["progress"] = (
            f"Progress must be {PROGRESS_MAX_LENGTH:,} characters or fewer: summarise it"
        )
    if spend_pence is None:
        errors["spend_pence"] = "Enter how much of the grant you have spent so far"
    elif spend_pence < 0:
        errors["spend_pence"] = "Spend cannot be negative"
    elif spend_pence > report.award.amount_pence:
        errors["spend_pence"] = (
            f"Spend cannot be more than the award of {pounds(report.award.amount_pence)}: "
            "report only what you spent of this grant"
        )
    if errors:
        raise ValidationError(errors)
    report.progress = progress
    report.spend_pence = spend_pence
    report.status = MonitoringReport.Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = actor
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def monitoring_accept(*, actor, report: MonitoringReport) -> MonitoringReport:
    """A grants officer accepts a submitted report; it is then closed to changes."""
    if not is_grants_officer(actor):
        raise PermissionDenied("Only grants officers can accept monitoring reports")
    report = MonitoringReport.objects.select_for_update().get(pk=report.pk)
    if report.status != MonitoringReport.Status.SUBMITTED:
        raise ValidationError(
            f"This report is {report.get_status_display().lower()}: only submitted reports "
            "can be accepted"
        )
    report.status = MonitoringReport.Status.ACCEPTED
    report.reviewed_by = actor
    report.save(update_fields=["status", "reviewed_by", "updated_at"])
    return report


@dataclass
class ReminderResult:
    sent: int = 0
    no_email: int = 0


def monitoring_send_reminders(
    *, today: date | None = None, days: int | None = None
) -> ReminderResult:
    """E-mail the awarded organisation about each outstanding report due within ``days``
    (``HUB_GRANT_REMINDER_DAYS``) of ``today``, and record when, so that no report is ever
    reminded twice. Reports already overdue are not reminded: they are on the grants officers'
    overdue list. Organisations with no e-mail address are counted and skipped (and reminded
    once they have one)."""
    today = today or timezone.localdate()
    days = reminder_days() if days is None else days
    result = ReminderResult()
    due = (
        MonitoringReport.objects.filter(
            status=MonitoringReport.Status.DUE,
            reminder_sent_at__isnull=True,
            due_on__gte=today,
            due_on__lte=today + timedelta(days=days),
        )
        .select_related("award__organisation", "award__fund", "award__application")
        .order_by("due_on", "pk")
    )
    for report in due:
        organisation = report.award.organisation
        if not organisation.email:
            result.no_email += 1
            continue
        # Claim the report before sending: a second run at the same moment finds it claimed.
        claimed = MonitoringReport.objects.filter(
            pk=report.pk, reminder_sent_at__isnull=True
        ).update(reminder_sent_at=timezone.now())
        if not claimed:
            continue
        context = {
            "report": report,
            "award": report.award,
            "base_url": settings.HUB_BASE_URL.rstrip("/"),
            "days_left": (report.due_on - today).days,
        }
        try:
            send_mail(
                subject=render_to_string(
                    "grants/email/monitoring_reminder_subject.txt", context
                ).strip(),
                message=render_to_string("grants/email/monitoring_reminder.txt", context),
                from_email=None,
                recipient_list=[organisation.email],
            )
        except Exception:
            # Not sent, so not reminded: release the claim for the next run to try again.
            MonitoringReport.objects.filter(pk=report.pk).update(reminder_sent_at=None)
            logger.exception("Reminder for monitoring report %s could not be sent", report.pk)
            raise
        result.sent += 1
    return result
