"""Reads about monitoring reports, scoped like awards: grants officers of the host see every
report; an awarded organisation sees only the reports on its own awards; nobody else sees any.
"""

from datetime import date

from django.db.models import QuerySet
from django.http import Http404

from hub.grants.models import MonitoringReport
from hub.grants.selectors import awards_visible_to


def reports_visible_to(user) -> QuerySet[MonitoringReport]:
    acting = getattr(user, "acting", None)
    if acting is None or acting.organisation is None:
        return MonitoringReport.objects.none()
    return MonitoringReport.objects.filter(award__in=awards_visible_to(user).values("pk"))


def get_report_for_user(user, pk: int) -> MonitoringReport:
    """The report with its award, application, fund and organisation, or 404 if out of scope."""
    try:
        return (
            reports_visible_to(user)
            .select_related(
                "award__application",
                "award__fund",
                "award__organisation",
                "submitted_by",
                "reviewed_by",
            )
            .get(pk=pk)
        )
    except MonitoringReport.DoesNotExist as exc:
        raise Http404("No such monitoring report") from exc


def _listed(reports: QuerySet[MonitoringReport]) -> QuerySet[MonitoringReport]:
    return reports.select_related("award__organisation", "award__fund", "award__application")


def reports_overdue(user, *, today: date) -> QuerySet[MonitoringReport]:
    """Reports whose due date has passed and that have not been submitted, oldest first."""
    return _listed(
        reports_visible_to(user).filter(status=MonitoringReport.Status.DUE, due_on__lt=today)
    ).order_by("due_on", "pk")


def reports_upcoming(user, *, today: date) -> QuerySet[MonitoringReport]:
    """Reports not yet submitted whose due date is today or later, soonest first."""
    return _listed(
        reports_visible_to(user).filter(status=MonitoringReport.Status.DUE, due_on__gte=today)
    ).order_by("due_on", "pk")


def reports_awaiting_review(user) -> QuerySet[MonitoringReport]:
    """Reports submitted by grantees that a grants officer has not yet accepted."""
    return _listed(
        reports_visible_to(user).filter(status=MonitoringReport.Status.SUBMITTED)
    ).order_by("submitted_at", "pk")
