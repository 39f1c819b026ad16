"""Boards, their meetings, and the reports they receive (as a page and as a PDF).

Every member reads boards and reports: a board report holds aggregates only, never a
resident's details, so partner caseworkers and board viewers may read it as well as the
council. Only plan managers add boards and meetings and write and issue reports. An
issued report is served exactly as it was issued.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST
from rules.contrib.views import permission_required

from hub.core.forms import errors_to_form as _errors_to_form
from hub.core.forms import posted as _posted
from hub.plans import selectors_boards as selectors
from hub.plans.forms_boards import BoardForm, IssueForm, MeetingForm, ReportForm
from hub.plans.models import BoardReport
from hub.plans.pdf import render_pdf
from hub.plans.report import assemble, render_body
from hub.plans.services import boards as services

_view = permission_required("plans.view_boards", raise_exception=True)
_manage = permission_required("plans.manage_boards", raise_exception=True)


@login_required
@_view
def board_list(request: HttpRequest) -> HttpResponse:
    return render(request, "plans/boards/board_list.html", {"boards": selectors.boards_list()})


@login_required
@_manage
@require_http_methods(["GET", "POST"])
def board_add(request: HttpRequest) -> HttpResponse:
    form = BoardForm(_posted(request), initial={"organisation": request.acting.organisation})
    if request.method == "POST" and form.is_valid():
        try:
            board = services.board_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, f"{board.name} has been added")
            return redirect("plans:board_detail", slug=board.slug)
    return render(
        request, "plans/boards/board_form.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@_view
def board_detail(request: HttpRequest, slug: str) -> HttpResponse:
    board = selectors.get_board(slug)
    last_issued = selectors.last_issued_at(board)
    next_due = selectors.next_report_due(board, last_issued)
    return render(
        request,
        "plans/boards/board_detail.html",
        {
            "board": board,
            "members": board.members.order_by("full_name"),
            "plans": selectors.board_plans(board),
            "registers": selectors.board_registers(board),
            "meetings": selectors.board_meetings(board),
            "last_issued": last_issued,
            "next_due": next_due,
            "overdue": next_due < timezone.localdate(),
            "can_manage": request.user.has_perm("plans.manage_boards"),
        },
    )


@login_required
@_manage
@require_http_methods(["GET", "POST"])
def meeting_add(request: HttpRequest, slug: str) -> HttpResponse:
    board = selectors.get_board(slug)
    form = MeetingForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_create(actor=request.user, board=board, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "The meeting has been added")
            return redirect("plans:board_detail", slug=board.slug)
    return render(
        request,
        "plans/boards/meeting_form.html",
        {"form": form, "board": board},
        status=400 if form.errors else 200,
    )


@login_required
@_manage
@require_POST
def report_start(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting(pk)
    report = services.report_start(actor=request.user, meeting=meeting)
    return redirect("plans:report_edit", pk=report.pk)


@login_required
@_view
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.get_report(pk)
    issued = report.status == BoardReport.Status.ISSUED
    body = report.issued_html if issued else render_body(assemble(report))
    return render(
        request,
        "plans/boards/report_detail.html",
        {
            "report": report,
            "board": report.meeting.board,
            "issued": issued,
            "body": body,
            "can_manage": request.user.has_perm("plans.manage_boards"),
        },
    )


def _refuse_issued(request, report) -> HttpResponse:
    messages.error(request, services.ISSUED_MESSAGE)
    return redirect("plans:report_detail", pk=report.pk)


@login_required
@_manage
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.get_report(pk)
    if report.status != BoardReport.Status.DRAFT:
        return _refuse_issued(request, report)
    initial = {name: getattr(report, name) for name in services.REPORT_FIELDS}
    form = ReportForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_update(actor=request.user, report=report, **form.cleaned_data)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "The report has been saved")
            return redirect("plans:report_detail", pk=report.pk)
    return render(
        request,
        "plans/boards/report_form.html",
        {"form": form, "report": report, "board": report.meeting.board},
        status=400 if form.errors else 200,
    )


@login_required
@_manage
@require_http_methods(["GET", "POST"])
def report_issue(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.get_report(pk)
    if report.status != BoardReport.Status.DRAFT:
        return _refuse_issued(request, report)
    form = IssueForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.report_issue(actor=request.user, report=report)
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, "The report has been issued")
            return redirect("plans:report_detail", pk=report.pk)
    return render(
        request,
        "plans/boards/report_issue.html",
        {"form": form, "report": report, "board": report.meeting.board},
        status=400 if form.errors else 200,
    )


def _filename(report: BoardReport) -> str:
    meeting = report.meeting
    name = slugify(f"{meeting.board.name} {meeting.held_on:%Y-%m-%d}") or "board-report"
    return f"{name}{'-draft' if report.status == BoardReport.Status.DRAFT else ''}.pdf"


@login_required
@_view
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.get_report(pk)
    filename = _filename(report)
    if report.status == BoardReport.Status.ISSUED:
        path = selectors.issued_pdf_file(report)
        response = FileResponse(
            open(path, "rb"),  # noqa: SIM115 - FileResponse closes it
            content_type="application/pdf",
            as_attachment=False,
            filename=filename,
        )
        response["Cache-Control"] = "private"
        return response
    pdf = render_pdf(
        body_html=render_body(assemble(report)),
        title=report.title,
        draft=True,
        author=report.meeting.board.organisation.name,
    )
    response = HttpResponse(pdf.data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
