"""Reads for assessment and moderation.

- An assessor sees only their own assignments without a declared conflict.
- Moderation figures (weighted scores, spread) count submitted, unconflicted assessments only.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from hub.accounts.models import User
from hub.grants.models import Application, Assignment, Criterion
from hub.grants.services.assessment import weighted_score
from hub.organisations.models import Role

# Assessors differing by more than this many percentage points need moderating.
MODERATION_SPREAD = Decimal(20)


def assessor_candidates() -> QuerySet[User]:
    """Everyone who holds the assessor role in a current membership."""
    return (
        User.objects.filter(
            is_active=True, memberships__is_active=True, memberships__role=Role.ASSESSOR
        )
        .distinct()
        .order_by("full_name", "email")
    )


def assignments_for_assessor(user) -> QuerySet[Assignment]:
    """The assessor's own live assignments, with how many criteria they have scored and how
    many there are."""
    criteria = (
        Criterion.objects.filter(fund=OuterRef("application__fund"))
        .order_by()
        .values("fund")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Assignment.objects.filter(assessor=user, conflict_declared=False)
        .exclude(application__status=Application.Status.DRAFT)
        .select_related("application__fund", "application__organisation")
        .annotate(
            scored=Count("scores"),
            criteria_count=Coalesce(Subquery(criteria, output_field=IntegerField()), 0),
        )
        .order_by("submitted_at", "application__submitted_at", "pk")
    )


def get_assignment_for_assessor(user, application: Application) -> Assignment:
    try:
        return Assignment.objects.get(
            application=application, assessor=user, conflict_declared=False
        )
    except Assignment.DoesNotExist as exc:
        raise Http404("No such assessment") from exc


@dataclass
class AssessorColumn:
    assignment: Assignment
    scores: dict[int, object] = field(default_factory=dict)  # criterion id -> Score
    weighted: Decimal | None = None

    @property
    def submitted(self) -> bool:
        return self.assignment.submitted_at is not None


@dataclass
class CriterionRow:
    criterion: Criterion
    cells: list  # Score or None, one per assessor column


@dataclass
class Moderation:
    criteria: list[Criterion]
    columns: list[AssessorColumn]
    rows: list[CriterionRow]
    conflicted: list[Assignment]
    mean: Decimal | None
    spread: Decimal | None

    @property
    def needs_moderation(self) -> bool:
        return self.spread is not None and self.spread > MODERATION_SPREAD


def moderation_for(application: Application) -> Moderation:
    """Every assessor's scores, criterion by criterion, with each assessor's weighted score,
    the mean and the spread of the submitted ones. Three queries, however many assessors."""
    criteria = list(application.fund.criteria.all())
    if "assignments" in getattr(application, "_prefetched_objects_cache", {}):
        assignments = list(application.assignments.all())
    else:
        assignments = list(
            application.assignments.select_related("assessor").prefetch_related("scores")
        )
    columns = []
    conflicted = []
    for assignment in assignments:
        if assignment.conflict_declared:
            conflicted.append(assignment)
            continue
        scores = {s.criterion_id: s for s in assignment.scores.all()}
        column = AssessorColumn(assignment=assignment, scores=scores)
        if assignment.submitted_at:
            column.weighted = weighted_score(criteria, {k: s.score for k, s in scores.items()})
        columns.append(column)
    rows = [CriterionRow(c, [col.scores.get(c.pk) for col in columns]) for c in criteria]
    marks = [col.weighted for col in columns if col.weighted is not None]
    mean = (sum(marks) / len(marks)).quantize(Decimal("0.01")) if marks else None
    spread = (max(marks) - min(marks)) if len(marks) > 1 else None
    return Moderation(criteria, columns, rows, conflicted, mean, spread)


@dataclass
class OverviewRow:
    application: Application
    assessors: int
    submitted: int
    conflicts: int
    moderation: Moderation

    @property
    def needs_assessor(self) -> bool:
        return self.assessors == 0


def assessment_overview() -> list[OverviewRow]:
    """Every application waiting for assessment or a decision, oldest first, with how its
    assessment stands. Four queries, however many applications and assessors."""
    applications = (
        Application.objects.filter(
            status__in=[Application.Status.SUBMITTED, Application.Status.ASSESSMENT]
        )
        .select_related("fund", "organisation")
        .prefetch_related(
            "fund__criteria",
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("assessor").prefetch_related("scores"),
            ),
        )
        .order_by("submitted_at", "pk")
    )
    rows = []
    for application in applications:
        moderation = moderation_for(application)
        live = [c.assignment for c in moderation.columns]
        rows.append(
            OverviewRow(
                application=application,
                assessors=len(live),
                submitted=sum(1 for a in live if a.submitted_at),
                conflicts=len(moderation.conflicted),
                moderation=moderation,
            )
        )
    return rows
