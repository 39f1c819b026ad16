"""Reads for risk registers, boards, meetings and board reports.

Plans, risks and board reports hold no personal data about residents, so every member may
read them (``hub/plans/rules.py``); nothing here is scoped by organisation. Single records
come through ``get_*`` helpers that answer 404 for anything that does not exist.
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from hub.accounts.models import User
from hub.organisations.models import Membership
from hub.plans.heatmap import HeatMap, band_for, heat_map, level_label
from hub.plans.models import Action, Board, BoardReport, Meeting, Plan, Risk, RiskRegister

FREQUENCY_MONTHS = {
    Board.Frequency.MONTHLY: 1,
    Board.Frequency.BIMONTHLY: 2,
    Board.Frequency.QUARTERLY: 3,
    Board.Frequency.SIX_MONTHLY: 6,
}


# Risk registers.


def registers_list() -> QuerySet[RiskRegister]:
    """Every register with its plan and counts of open risks and overdue reviews: one query."""
    today = timezone.localdate()
    return RiskRegister.objects.select_related("plan", "organisation").annotate(
        open_count=Count("risks", filter=Q(risks__is_open=True)),
        overdue_count=Count("risks", filter=Q(risks__is_open=True, risks__review_on__lt=today)),
    )


def get_register(slug: str) -> RiskRegister:
    try:
        return RiskRegister.objects.select_related("plan", "organisation").get(slug=slug)
    except RiskRegister.DoesNotExist as exc:
        raise Http404("No such risk register") from exc


def register_risks(register: RiskRegister, *, open_only: bool = False) -> list[Risk]:
    """The register's risks, highest residual score first, with owners and linked actions
    loaded (three queries however many risks)."""
    risks = register.risks.select_related("owner").prefetch_related(
        Prefetch(
            "mitigating_actions",
            queryset=Action.objects.only("id", "description", "status").order_by("id"),
        )
    )
    if open_only:
        risks = risks.filter(is_open=True)
    rows = list(risks)
    rows.sort(
        key=lambda r: (
            not r.is_open,
            -(r.impact_after * r.likelihood_after),
            -r.impact_after,
            r.pk,
        )
    )
    return rows


def get_risk(pk: int) -> Risk:
    try:
        return Risk.objects.select_related("register", "register__plan", "owner").get(pk=pk)
    except Risk.DoesNotExist as exc:
        raise Http404("No such risk") from exc


def risk_is_overdue(risk: Risk, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return bool(risk.is_open and risk.review_on and risk.review_on < today)


@dataclass(frozen=True)
class Levels:
    """A risk's levels as its register writes them, with scores and bands."""

    impact_before: str
    likelihood_before: str
    score_before: int
    band_before: str
    impact_after: str
    likelihood_after: str
    score_after: int
    band_after: str


def risk_levels(risk: Risk, scale_max: int) -> Levels:
    before = risk.impact_before * risk.likelihood_before
    after = risk.impact_after * risk.likelihood_after
    return Levels(
        impact_before=level_label(risk.impact_before, scale_max),
        likelihood_before=level_label(risk.likelihood_before, scale_max),
        score_before=before,
        band_before=band_for(before, scale_max).name,
        impact_after=level_label(risk.impact_after, scale_max),
        likelihood_after=level_label(risk.likelihood_after, scale_max),
        score_after=after,
        band_after=band_for(after, scale_max).name,
    )


def heat_maps(register: RiskRegister, risks: list[Risk]) -> tuple[HeatMap, HeatMap]:
    """Before and after mitigation, of the register's open risks."""
    open_risks = [r for r in risks if r.is_open]
    prefix = f"risk-heat-map-{register.pk}"
    before = heat_map(
        pairs=[(r.impact_before, r.likelihood_before) for r in open_risks],
        scale_max=register.scale_max,
        title=f"{register.name}: open risks before mitigation",
        id_prefix=f"{prefix}-before",
    )
    after = heat_map(
        pairs=[(r.impact_after, r.likelihood_after) for r in open_risks],
        scale_max=register.scale_max,
        title=f"{register.name}: open risks after mitigation",
        id_prefix=f"{prefix}-after",
    )
    return before, after


def actions_for_register(register: RiskRegister) -> QuerySet[Action]:
    """The actions a risk in ``register`` may be mitigated by: its plan's, else every plan's."""
    actions = Action.objects.select_related("aim", "aim__plan").order_by(
        "aim__plan__name", "aim__position", "position", "id"
    )
    if register.plan_id:
        actions = actions.filter(aim__plan_id=register.plan_id)
    return actions


def people() -> QuerySet[User]:
    """People who may own a risk or sit on a board: anyone with a current membership."""
    members = Membership.objects.current().values("user_id")
    return User.objects.filter(is_active=True, pk__in=members).order_by("full_name", "email")


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class RiskChange:
    at: datetime
    by: str
    kind: str
    changes: list[FieldChange]


_TRACKED = (
    ("title", "Description"),
    ("category", "Category"),
    ("owner_id", "Owner"),
    ("impact_before", "Impact before mitigation"),
    ("likelihood_before", "Likelihood before mitigation"),
    ("mitigation", "Mitigation"),
    ("impact_after", "Impact after mitigation"),
    ("likelihood_after", "Likelihood after mitigation"),
    ("review_on", "Review date"),
    ("trend", "Trend"),
    ("is_open", "Open"),
)
_LEVELS = {"impact_before", "likelihood_before", "impact_after", "likelihood_after"}


def _shown(field: str, value, scale_max: int, names: dict[int, str]) -> str:
    if value is None or value == "":
        return "none"
    if field in _LEVELS:
        return level_label(value, scale_max)
    if field == "owner_id":
        return names.get(value, "someone who has left")
    if field == "trend":
        return Risk.Trend(value).label if value in Risk.Trend.values else str(value)
    if field == "is_open":
        return "open" if value else "closed"
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "…"


def risk_history(risk: Risk) -> list[RiskChange]:
    """Every change to ``risk``, newest first: who, when and which fields changed from
    what to what (two queries)."""
    records = list(risk.history.select_related("history_user").order_by("history_date", "pk"))
    owner_ids = {r.owner_id for r in records if r.owner_id}
    names = dict(User.objects.filter(pk__in=owner_ids).values_list("pk", "full_name"))
    scale_max = risk.register.scale_max
    changes: list[RiskChange] = []
    previous = None
    for record in records:
        if previous is None or record.history_type == "+":
            fields = []
        else:
            fields = [
                FieldChange(
                    label=label,
                    old=_shown(name, getattr(previous, name), scale_max, names),
                    new=_shown(name, getattr(record, name), scale_max, names),
                )
                for name, label in _TRACKED
                if getattr(previous, name) != getattr(record, name)
            ]
        user = record.history_user
        changes.append(
            RiskChange(
                at=record.history_date,
                by=(user.full_name or user.email) if user else "the system",
                kind={"+": "Added", "~": "Changed", "-": "Deleted"}[record.history_type],
                changes=fields,
            )
        )
        previous = record
    return list(reversed(changes))


# Boards and meetings.


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_report_due(board: Board, last_issued: datetime | None) -> date:
    """The last issued report's date plus the board's agreed frequency; a board with no
    report yet is due one a frequency after it was set up."""
    since = timezone.localdate(last_issued) if last_issued else timezone.localdate(board.created_at)
    return add_months(since, FREQUENCY_MONTHS[board.update_frequency])


def last_issued_at(board: Board) -> datetime | None:
    return BoardReport.objects.filter(
        meeting__board=board, status=BoardReport.Status.ISSUED
    ).aggregate(last=Max("issued_at"))["last"]


def boards_list() -> list[Board]:
    """Every board with its last issued report, next report due and overdue flag: one query."""
    today = timezone.localdate()
    boards = list(
        Board.objects.select_related("organisation").annotate(
            last_issued=Max(
                "meetings__reports__issued_at",
                filter=Q(meetings__reports__status=BoardReport.Status.ISSUED),
            ),
            meeting_count=Count("meetings", distinct=True),
        )
    )
    for board in boards:
        board.next_due = next_report_due(board, board.last_issued)
        board.is_overdue = board.next_due < today
    return boards


def get_board(slug: str) -> Board:
    try:
        return Board.objects.select_related("organisation").get(slug=slug)
    except Board.DoesNotExist as exc:
        raise Http404("No such board") from exc


def board_meetings(board: Board) -> list[Meeting]:
    """The board's meetings, latest first, each with its reports and ``has_draft``."""
    meetings = list(
        board.meetings.prefetch_related(
            Prefetch("reports", queryset=BoardReport.objects.order_by("id"))
        ).order_by("-held_on", "-id")
    )
    for meeting in meetings:
        meeting.has_draft = any(r.status == BoardReport.Status.DRAFT for r in meeting.reports.all())
    return meetings


def board_plans(board: Board) -> QuerySet[Plan]:
    return board.plans.order_by("name")


def board_registers(board: Board) -> QuerySet[RiskRegister]:
    return board.risk_registers.order_by("name")


def get_meeting(pk: int) -> Meeting:
    try:
        return Meeting.objects.select_related("board").get(pk=pk)
    except Meeting.DoesNotExist as exc:
        raise Http404("No such meeting") from exc


def get_report(pk: int) -> BoardReport:
    try:
        return BoardReport.objects.select_related(
            "meeting", "meeting__board", "meeting__board__organisation", "author", "issued_by"
        ).get(pk=pk)
    except BoardReport.DoesNotExist as exc:
        raise Http404("No such report") from exc


def issued_pdf_file(report: BoardReport) -> Path:
    """Where the issued PDF of ``report`` is kept; 404 if it is a draft or the file is gone."""
    if report.status != BoardReport.Status.ISSUED or not report.issued_pdf_path:
        raise Http404("This report has not been issued")
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / report.issued_pdf_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise Http404("The issued PDF of this report is missing")
    return path
