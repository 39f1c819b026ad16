"""What a board report says: assembled from the strategy, the board's plans and risk
registers, and the headline figures of other modules.

Aggregates only. Nothing here reads or shows a resident: support figures are counts by
impact area and ward, grants figures are whatever ``hub.grants.figures.grants_summary``
returns (an aggregate by its contract), and action and risk owners are not named (the
plan's own words for who leads an action are). Each other module is imported inside a
guard, so the report still assembles when a module is absent, saying so in its place.
"""

import importlib
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import date, datetime

from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.utils import timezone

from hub.plans import selectors_boards as selectors
from hub.plans.heatmap import HeatMap, band_for, level_label
from hub.plans.models import Action, Aim, BoardReport, ProgressUpdate, RiskRegister


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class ActionLine:
    description: str
    status: str
    status_label: str
    leadership: str
    timescale: str
    latest_note: str
    latest_at: datetime | None


@dataclass
class AimProgress:
    title: str
    actions: list[ActionLine] = field(default_factory=list)

    @property
    def counts(self) -> list[StatusCount]:
        return status_counts(self.actions)

    @property
    def counts_text(self) -> str:
        """For example "3 actions: 2 on track, 1 at risk"."""
        n = len(self.actions)
        parts = [f"{s.count} {s.label.lower()}" for s in self.counts if s.count]
        return f"{n} action{'s' if n != 1 else ''}: {', '.join(parts)}"


@dataclass
class PlanProgress:
    name: str
    aims: list[AimProgress] = field(default_factory=list)

    @property
    def actions(self) -> list[ActionLine]:
        return [a for aim in self.aims for a in aim.actions]

    @property
    def counts(self) -> list[StatusCount]:
        return status_counts(self.actions)


@dataclass(frozen=True)
class RiskLine:
    title: str
    category: str
    impact_before: str
    likelihood_before: str
    score_before: int
    impact_after: str
    likelihood_after: str
    score_after: int
    band_after: str
    mitigation: str
    actions: list[tuple[str, str]]
    review_on: date | None
    overdue: bool
    trend: str


@dataclass(frozen=True)
class RegisterSection:
    name: str
    scale_label: str
    risks: list[RiskLine]
    closed_count: int
    before: HeatMap
    after: HeatMap


@dataclass(frozen=True)
class FigureRow:
    label: str
    needs: int
    open: int
    unmet: int


@dataclass(frozen=True)
class SupportFigures:
    requests: int
    requests_open: int
    requests_resolved: int
    by_impact_area: list[FigureRow]
    by_ward: list[FigureRow]


@dataclass(frozen=True)
class GrantsFigures:
    rows: list[tuple[str, str]]


@dataclass(frozen=True)
class StrategyPart:
    label: str
    elements: list[tuple[str, str]]


@dataclass
class ReportContent:
    title: str
    board: str
    organisation: str
    meeting: str
    meeting_on: date
    status_line: str
    summary: str
    recommendations: str
    strategy_name: str
    strategy_parts: list[StrategyPart]
    plans: list[PlanProgress]
    registers: list[RegisterSection]
    support: SupportFigures | None
    support_note: str
    grants: GrantsFigures | None
    grants_note: str
    implications: list[tuple[str, str]]


def status_counts(actions: list[ActionLine]) -> list[StatusCount]:
    return [
        StatusCount(status=value, label=label, count=sum(1 for a in actions if a.status == value))
        for value, label in Action.Status.choices
    ]


def _strategy() -> tuple[str, list[StrategyPart]]:
    from hub.strategy.models import Element
    from hub.strategy.selectors import active_strategy, elements_by_kind

    strategy = active_strategy()
    if strategy is None:
        return "", []
    wanted = {Element.Kind.PRIORITY, Element.Kind.IMPACT_AREA, Element.Kind.ENABLER}
    parts = [
        StrategyPart(label=label, elements=[(e.name, e.description) for e in elements])
        for kind, label, elements in elements_by_kind(strategy)
        if kind in wanted and elements
    ]
    return strategy.name, parts


def _plans(board) -> list[PlanProgress]:
    plans = list(selectors.board_plans(board))
    if not plans:
        return []
    latest = ProgressUpdate.objects.filter(action=OuterRef("pk")).order_by("-at", "-id")
    actions = (
        Action.objects.filter(aim__plan__in=plans)
        .annotate(
            latest_note=Subquery(latest.values("note")[:1]),
            latest_at=Subquery(latest.values("at")[:1]),
        )
        .only("id", "aim_id", "description", "status", "leadership", "timescale", "position")
        .order_by("aim_id", "position", "id")
    )
    by_aim: dict[int, list[ActionLine]] = {}
    labels = dict(Action.Status.choices)
    for action in actions:
        by_aim.setdefault(action.aim_id, []).append(
            ActionLine(
                description=action.description,
                status=action.status,
                status_label=labels.get(action.status, action.status),
                leadership=action.leadership,
                timescale=action.timescale,
                latest_note=action.latest_note or "",
                latest_at=action.latest_at,
            )
        )
    progress = {plan.pk: PlanProgress(name=plan.name) for plan in plans}
    for aim in Aim.objects.filter(plan__in=plans).order_by("plan_id", "position", "id"):
        progress[aim.plan_id].aims.append(
            AimProgress(title=aim.title, actions=by_aim.get(aim.pk, []))
        )
    return [progress[plan.pk] for plan in plans]


def _registers(board) -> list[RegisterSection]:
    today = timezone.localdate()
    sections = []
    for register in selectors.board_registers(board):
        risks = selectors.register_risks(register)
        scale = register.scale_max
        before, after = selectors.heat_maps(register, risks)
        lines = [
            RiskLine(
                title=risk.title,
                category=risk.category,
                impact_before=level_label(risk.impact_before, scale),
                likelihood_before=level_label(risk.likelihood_before, scale),
                score_before=risk.impact_before * risk.likelihood_before,
                impact_after=level_label(risk.impact_after, scale),
                likelihood_after=level_label(risk.likelihood_after, scale),
                score_after=risk.impact_after * risk.likelihood_after,
                band_after=band_for(risk.impact_after * risk.likelihood_after, scale).name,
                mitigation=risk.mitigation,
                actions=[
                    (a.description, a.get_status_display()) for a in risk.mitigating_actions.all()
                ],
                review_on=risk.review_on,
                overdue=selectors.risk_is_overdue(risk, today),
                trend=risk.get_trend_display(),
            )
            for risk in risks
            if risk.is_open
        ]
        sections.append(
            RegisterSection(
                name=register.name,
                scale_label=RiskRegister.Scale(register.scale).label,
                risks=lines,
                closed_count=sum(1 for r in risks if not r.is_open),
                before=before,
                after=after,
            )
        )
    return sections


def _support() -> SupportFigures | None:
    try:
        from hub.support.gaps import gaps_report, requests_summary
    except ImportError:
        return None
    summary = requests_summary()
    gaps = gaps_report()

    def rows(table) -> list[FigureRow]:
        return [FigureRow(label=r.label, needs=r.needs, open=r.open, unmet=r.unmet) for r in table]

    return SupportFigures(
        requests=summary.get("total") or 0,
        requests_open=summary.get("open") or 0,
        requests_resolved=summary.get("resolved") or 0,
        by_impact_area=sorted(rows(gaps.by_impact_area), key=lambda r: r.label),
        by_ward=sorted(rows(gaps.by_ward), key=lambda r: r.label),
    )


def _figure_text(key: str, value) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int) and key.endswith("_pence"):
        return f"£{value / 100:,.2f}"
    if isinstance(value, int | float):
        return f"{value:,}"
    return str(value)


def _grants() -> GrantsFigures | None:
    try:
        module = importlib.import_module("hub.grants.figures")
    except ImportError:
        return None
    grants_summary = getattr(module, "grants_summary", None)
    if grants_summary is None:
        return None
    summary = grants_summary()
    if is_dataclass(summary) and not isinstance(summary, type):
        summary = asdict(summary)
    items = summary.items() if isinstance(summary, dict) else list(summary)
    rows = []
    for key, value in items:
        if isinstance(value, dict | list | tuple | set):
            continue  # a breakdown: the headline figures are the scalars
        label = str(key).removesuffix("_pence").replace("_", " ").strip().capitalize()
        rows.append((label, _figure_text(str(key), value)))
    return GrantsFigures(rows=rows)


def assemble(report: BoardReport, *, issued_at: datetime | None = None) -> ReportContent:
    """Everything the report document shows, read now from the live records. ``issued_at``
    is given when the report is being issued: the document then says when."""
    meeting = report.meeting
    board = meeting.board
    strategy_name, strategy_parts = _strategy()
    support = _support()
    grants = _grants()
    issued_at = issued_at or report.issued_at
    if issued_at:
        status_line = f"Issued on {timezone.localtime(issued_at):%d %B %Y}"
    else:
        status_line = f"Draft prepared on {timezone.localtime():%d %B %Y at %H:%M}"
    return ReportContent(
        title=report.title,
        board=board.name,
        organisation=board.organisation.name,
        meeting=str(meeting),
        meeting_on=meeting.held_on,
        status_line=status_line,
        summary=report.summary,
        recommendations=report.recommendations,
        strategy_name=strategy_name,
        strategy_parts=strategy_parts,
        plans=_plans(board),
        registers=_registers(board),
        support=support,
        support_note="" if support else "Support figures are not available.",
        grants=grants,
        grants_note="" if grants else "Grants figures are not available.",
        implications=[
            ("Financial implications", report.financial_implications),
            ("Legal implications", report.legal_implications),
            ("Equality implications", report.equality_implications),
            ("Climate implications", report.climate_implications),
        ],
    )


def render_body(content: ReportContent) -> str:
    """The report as an HTML fragment (one ``<h1>``, then numbered ``<h2>`` sections): the
    same markup in the hub's page, in ``issued_html`` and in the PDF."""
    return render_to_string("plans/report/body.html", {"c": content})
