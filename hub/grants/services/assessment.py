"""Assessment: assigning assessors, conflicts of interest and scores.

Every function is keyword-only, validates before it writes and writes inside one
transaction, so a refused call changes nothing. Errors are keyed by the names of the
fields on the assessment forms (``assessors``, ``reason``, ``score_<criterion id>``,
``comment_<criterion id>``) so a page can put each message next to its field.
"""

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from hub.grants.models import Application, Assignment, Criterion, Score
from hub.grants.selectors import is_grants_officer
from hub.organisations.models import Membership, Role

# The application states in which assessors can still be assigned and can still score.
ASSESSABLE = (Application.Status.SUBMITTED, Application.Status.ASSESSMENT)


def weighted_score(criteria: Iterable[Criterion], scores: Mapping[int, int]) -> Decimal | None:
    """The weighted percentage ``sum(score*weight) / sum(max_score*weight) * 100``, to two
    places; ``None`` unless every criterion has a score."""
    criteria = list(criteria)
    if not criteria or any(c.pk not in scores for c in criteria):
        return None
    got = sum(scores[c.pk] * c.weight for c in criteria)
    best = sum(c.max_score * c.weight for c in criteria)
    return (Decimal(got) * 100 / Decimal(best)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _require_officer(actor) -> None:
    if not is_grants_officer(actor):
        raise PermissionDenied("Only grants officers can do this")


def _lock_own_assignment(actor, assignment: Assignment) -> Assignment:
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.assessor_id != actor.pk:
        raise PermissionDenied("This is another assessor's assessment")
    if assignment.conflict_declared:
        raise ValidationError("You have declared a conflict of interest on this application")
    status = Application.objects.values_list("status", flat=True).get(pk=assignment.application_id)
    if status not in ASSESSABLE:
        raise ValidationError("This application has been decided: its assessment is closed")
    return assignment


def assessment_assign(*, actor, application: Application, assessors: Iterable) -> list[Assignment]:
    """Ask ``assessors`` to score ``application`` and move it into assessment.

    Refuses, naming the person: anyone without the assessor role, anyone who belongs to the
    applicant organisation (a conflict the hub can see for itself), and anyone already
    assigned or who has declared a conflict on it."""
    _require_officer(actor)
    assessors = list(assessors)
    if not assessors:
        raise ValidationError({"assessors": "Choose at least one assessor"})
    with transaction.atomic():
        application = (
            Application.objects.select_for_update()
            .select_related("organisation")
            .get(pk=application.pk)
        )
        if application.status not in ASSESSABLE:
            raise ValidationError(
                f"This application is {application.get_status_display().lower()}: only "
                "submitted applications can be assessed"
            )
        ids = [a.pk for a in assessors]
        with_role = set(
            Membership.objects.current()
            .filter(user_id__in=ids, role=Role.ASSESSOR)
            .values_list("user_id", flat=True)
        )
        in_applicant = set(
            Membership.objects.current()
            .filter(user_id__in=ids, organisation=application.organisation)
            .values_list("user_id", flat=True)
        )
        existing = dict(
            application.assignments.filter(assessor_id__in=ids).values_list(
                "assessor_id", "conflict_declared"
            )
        )
        problems = []
        for person in assessors:
            if person.pk not in with_role:
                problems.append(f"{person.full_name} is not an assessor")
            elif person.pk in in_applicant:
                problems.append(
                    f"{person.full_name} belongs to {application.organisation.name}, the "
                    "applicant: choose an assessor from another organisation"
                )
            elif existing.get(person.pk) is True:
                problems.append(
                    f"{person.full_name} has declared a conflict of interest on this application"
                )
            elif person.pk in existing:
                problems.append(f"{person.full_name} is already assessing this application")
        if problems:
            raise ValidationError({"assessors": problems})
        try:
            with transaction.atomic():
                made = [
                    Assignment.objects.create(application=application, assessor=person)
                    for person in assessors
                ]
        except IntegrityError as exc:
            raise ValidationError(
                {"assessors": "Someone assigned one of these assessors at the same moment"}
            ) from exc
        if application.status != Application.Status.ASSESSMENT:
            application.status = Application.Status.ASSESSMENT
            application.save(update_fields=["status", "updated_at"])
    return made


@transaction.atomic
def conflict_declare(*, actor, assignment: Assignment, reason: str) -> Assignment:
    """The assessor declares a conflict of interest. From then on they cannot see the
    application, their scores no longer count, and grants officers see it flagged to
    reassign."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say what the conflict of interest is"})
    if len(reason) > Assignment._meta.get_field("conflict_reason").max_length:
        raise ValidationError({"reason": "Describe the conflict in 500 characters or fewer"})
    assignment = _lock_own_assignment(actor, assignment)
    assignment.conflict_declared = True
    assignment.conflict_reason = reason
    assignment.save(update_fields=["conflict_declared", "conflict_reason", "updated_at"])
    return assignment


def _save_scores(assignment: Assignment, scores: Mapping, comments: str) -> None:
    criteria = {c.pk: c for c in assignment.application.fund.criteria.all()}
    errors: dict[str, list[str]] = {}
    for criterion_id in scores:
        if criterion_id not in criteria:
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                "A score was given for a criterion of another fund"
            )
    for pk, criterion in criteria.items():
        value, comment = scores.get(pk, (None, ""))
        comment = (comment or "").strip()
        if value is None:
            if comment:
                errors[f"score_{pk}"] = [f"Choose a score for {criterion.name} to keep its comment"]
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            errors[f"score_{pk}"] = [f"Choose a score for {criterion.name}"]
        elif not 0 <= value <= criterion.max_score:
            errors[f"score_{pk}"] = [
                f"The score for {criterion.name} must be from 0 to {criterion.max_score}"
            ]
    if errors:
        raise ValidationError(errors)
    for pk in criteria:
        value, comment = scores.get(pk, (None, ""))
        if value is None:
            Score.objects.filter(assignment=assignment, criterion_id=pk).delete()
        else:
            Score.objects.update_or_create(
                assignment=assignment,
                criterion_id=pk,
                defaults={"score": value, "comment": (comment or "").strip()},
            )
    assignment.comments = (comments or "").strip()
    assignment.save(update_fields=["comments", "updated_at"])


@transaction.atomic
def scores_save(
    *, actor, assignment: Assignment, scores: Mapping[int, tuple[int | None, str]], comments: str
) -> Assignment:
    """Save a draft: ``scores`` maps each criterion id to ``(score or None, comment)``.
    Unscored criteria may be left for later; a submitted assessment cannot change."""
    assignment = _lock_own_assignment(actor, assignment)
    if assignment.submitted_at:
        raise ValidationError("You have already submitted this assessment")
    _save_scores(assignment, scores, comments)
    return assignment


@transaction.atomic
def assessment_submit(
    *, actor, assignment: Assignment, scores: Mapping[int, tuple[int | None, str]], comments: str
) -> Assignment:
    """Save the scores and submit them. Refused, saving nothing, unless every criterion
    has a score."""
    assignment = _lock_own_assignment(actor, assignment)
    if assignment.submitted_at:
        raise ValidationError("You have already submitted this assessment")
    criteria = list(assignment.application.fund.criteria.all())
    missing = {
        f"score_{c.pk}": [f"Choose a score for {c.name}"]
        for c in criteria
        if scores.get(c.pk, (None, ""))[0] is None
    }
    if missing:
        raise ValidationError(missing)
    _save_scores(assignment, scores, comments)
    assignment.submitted_at = timezone.now()
    assignment.save(update_fields=["submitted_at", "updated_at"])
    return assignment
