"""Writes for boards, their meetings and the reports they receive.

A report is a draft until it is issued. Issuing renders its HTML and PDF once, keeps both
(the HTML in the row, the PDF under ``MEDIA_ROOT/private/board-reports/`` with its
SHA-256) and never changes them again: the issued report is the record of what the board
saw, whatever happens to the plans and risks afterwards.
"""

import hashlib
import os
import secrets
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from hub.organisations.models import Organisation
from hub.plans.models import Board, BoardReport, Meeting
from hub.plans.pdf import render_pdf
from hub.plans.report import assemble, render_body
from hub.plans.services.risks import unique_slug

REPORTS_DIR = Path("private") / "board-reports"
ISSUED_MESSAGE = "This report has been issued, so it can no longer be changed"
REPORT_FIELDS = (
    "title",
    "summary",
    "recommendations",
    "financial_implications",
    "legal_implications",
    "equality_implications",
    "climate_implications",
)


def _require(actor, permission: str) -> None:
    if not actor.has_perm(permission):
        raise PermissionDenied(f"Not allowed: {permission}")


def board_create(
    *,
    actor,
    name: str,
    organisation: Organisation,
    update_frequency: str,
    members=(),
    plans=(),
    risk_registers=(),
) -> Board:
    """A new board, the people on it and the plans and registers it oversees."""
    _require(actor, "plans.manage_boards")
    board = Board(
        name=(name or "").strip(),
        slug=unique_slug(Board, name or "", fallback="board"),
        organisation=organisation,
        update_frequency=update_frequency,
    )
    board.full_clean()
    with transaction.atomic():
        board.save()
        board.members.set(members)
        board.plans.set(plans)
        board.risk_registers.set(risk_registers)
    return board


def meeting_create(*, actor, board: Board, held_on: date, title: str = "") -> Meeting:
    _require(actor, "plans.manage_boards")
    meeting = Meeting(board=board, held_on=held_on, title=(title or "").strip())
    meeting.full_clean()
    meeting.save()
    return meeting


def default_title(meeting: Meeting) -> str:
    day = meeting.held_on
    return f"{meeting.board.name} – {day.day} {day:%B %Y}: Covid-19 response and recovery"


def report_start(*, actor, meeting: Meeting) -> BoardReport:
    """The meeting's draft report: the one already started, else a new one."""
    _require(actor, "plans.manage_boards")
    draft = meeting.reports.filter(status=BoardReport.Status.DRAFT).order_by("id").first()
    if draft:
        return draft
    report = BoardReport(meeting=meeting, title=default_title(meeting)[:300], author=actor)
    report._history_user = actor
    report.full_clean()
    report.save()
    return report


def report_update(*, actor, report: BoardReport, **values: str) -> BoardReport:
    """Change a draft's words. Refused once the report is issued."""
    _require(actor, "plans.manage_boards")
    unknown = set(values) - set(REPORT_FIELDS)
    if unknown:
        raise ValueError(f"Not report fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = BoardReport.objects.select_for_update().get(pk=report.pk)
        if locked.status != BoardReport.Status.DRAFT:
            raise ValidationError(ISSUED_MESSAGE)
        for name, value in values.items():
            setattr(locked, name, (value or "").strip())
        locked.full_clean()
        locked._history_user = actor
        locked.save()
    return locked


def _write_pdf(data: bytes) -> str:
    """Store ``data`` under an unguessable name; the path relative to MEDIA_ROOT."""
    relative = REPORTS_DIR / f"{secrets.token_hex(16)}.pdf"
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    with open(partial, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    return str(relative)


def report_issue(*, actor, report: BoardReport) -> BoardReport:
    """Freeze ``report``: render its HTML and PDF from the records as they are now, keep
    both, and mark it issued. Refused if it is already issued or changed meanwhile."""
    _require(actor, "plans.manage_boards")
    if report.status != BoardReport.Status.DRAFT:
        raise ValidationError(ISSUED_MESSAGE)
    issued_at = timezone.now()
    body = render_body(assemble(report, issued_at=issued_at))
    pdf = render_pdf(
        body_html=body,
        title=report.title,
        draft=False,
        author=report.meeting.board.organisation.name,
    )
    relative = _write_pdf(pdf.data)
    try:
        with transaction.atomic():
            locked = BoardReport.objects.select_for_update().get(pk=report.pk)
            if locked.status != BoardReport.Status.DRAFT:
                raise ValidationError(ISSUED_MESSAGE)
            if locked.updated_at != report.updated_at:
                raise ValidationError(
                    "Someone changed this report while it was being issued: check it and "
                    "issue it again"
                )
            locked.status = BoardReport.Status.ISSUED
            locked.issued_at = issued_at
            locked.issued_by = actor
            locked.issued_html = body
            locked.issued_pdf_path = relative
            locked.issued_sha256 = hashlib.sha256(pdf.data).hexdigest()
            locked.full_clean()
            locked._history_user = actor
            locked.save()
    except BaseException:
        (Path(settings.MEDIA_ROOT) / relative).unlink(missing_ok=True)
        raise
    return locked
