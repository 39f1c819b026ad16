"""Monitoring: the reports list (with what is overdue), one report, accepting it, and setting
an award's due dates."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from rules.contrib.views import permission_required

from hub.core.forms import errors_to_form as _errors_to_form
from hub.grants.forms_reporting import ReportForm, ScheduleForm
from hub.grants.models import MonitoringReport
from hub.grants.selectors import awards_visible_to, get_award_for_user, is_grants_officer
from hub.grants.selectors_monitoring import (
    get_report_for_user,
    reports_awaiting_review,
    reports_overdue,
    reports_upcoming,
)
from hub.grants.services import monitoring as services

# The upcoming table shows the soonest reports; the caption says how many there are in all.
UPCOMING_SHOWN = 100


@login_required
def monitoring_list(request: HttpRequest) -> HttpResponse:
    """Grants officers: every award's reports. An awarded organisation: its own."""
    user = request.user
    officer = is_grants_officer(user)
    if not officer and not awards_visible_to(user).exists():
        raise PermissionDenied("Only grants officers and organisations with awards report here")
    today = timezone.localdate()
    upcoming = reports_upcoming(user, today=today)
    return render(
        request,
        "grants/monitoring/list.html",
        {
            "today": today,
            "officer": officer,
            "overdue": list(reports_overdue(user, today=today)),
            "awaiting": list(reports_awaiting_review(user)),
            "upcoming": list(upcoming[:UPCOMING_SHOWN]),
            "upcoming_count": upcoming.count(),
        },
    )


def _can_submit(user, report: MonitoringReport) -> bool:
    return report.status != MonitoringReport.Status.ACCEPTED and user.has_perm(
        "grants.edit_application", report.award.application
    )


def _render_report(request, report: MonitoringReport, *, form=None, status=200):
    user = request.user
    can_submit = _can_submit(user, report)
    if can_submit and form is None:
        initial = {}
        if report.status == MonitoringReport.Status.SUBMITTED:
            initial = {"progress": report.progress, "spend_pence": report.spend_pence}
        form = ReportForm(initial=initial)
    application = report.award.application
    budget_lines = list(application.budget_lines.all())
    return render(
        request,
        "grants/monitoring/report.html",
        {
            "report": report,
            "award": report.award,
            "application": application,
            "budget_lines": budget_lines,
            "budget_total": sum(line.amount_pence for line in budget_lines),
            "form": form if can_submit else None,
            "can_accept": report.status == MonitoringReport.Status.SUBMITTED
            and user.has_perm("grants.decide"),
            "can_schedule": user.has_perm("grants.manage_funds"),
            "overdue": report.status == MonitoringReport.Status.DUE
            and report.due_on < timezone.localdate(),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def monitoring_report(request: HttpRequest, pk: int) -> HttpResponse:
    """One report: what was promised and budgeted beside the form the grantee fills in."""
    report = get_report_for_user(request.user, pk)
    if request.method == "GET":
        return _render_report(request, report)
    if not _can_submit(request.user, report):
        raise PermissionDenied("Only the organisation that holds the award can report on it")
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            services.monitoring_submit(
                actor=request.user,
                report=report,
                progress=form.cleaned_data["progress"],
                spend_pence=form.cleaned_data["spend_pence"],
            )
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "Your monitoring report has been sent to the grants team")
            return redirect("grants:monitoring_report", pk=report.pk)
    return _render_report(request, report, form=form, status=400)


@login_required
@permission_required("grants.decide", raise_exception=True)
@require_POST
def monitoring_accept(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request.user, pk)
    try:
        services.monitoring_accept(actor=request.user, report=report)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The monitoring report has been accepted")
    return redirect("grants:monitoring_report", pk=report.pk)


@login_required
@permission_required("grants.manage_funds", raise_exception=True)
@require_http_methods(["GET", "POST"])
def monitoring_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    """A grants officer sets when an award's reports are due (suggested: every three months
    to the end of the project)."""
    award = get_award_for_user(request.user, pk)
    reports = list(award.reports.order_by("due_on", "pk"))
    status = 200
    if request.method == "POST":
        form = ScheduleForm(request.POST)
        if form.is_valid():
            try:
                services.monitoring_schedule(award=award, due_dates=form.cleaned_data["due_dates"])
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, "The monitoring dates have been saved")
                return redirect("grants:monitoring_schedule", pk=award.pk)
        status = 400
    else:
        outstanding = [r.due_on for r in reports if r.status == MonitoringReport.Status.DUE]
        dates = outstanding or services.monitoring_suggested_dates(award=award)
        form = ScheduleForm(initial={"due_dates": "\n".join(f"{d:%d/%m/%Y}" for d in dates)})
    return render(
        request,
        "grants/monitoring/schedule.html",
        {"award": award, "reports": reports, "form": form, "suggested": not reports},
        status=status,
    )
