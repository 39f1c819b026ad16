"""Writes about funds: creating and changing a fund, its criteria and its support in kind.

Each function validates everything first and raises ``ValidationError`` keyed by the model
field, so a form can name the field; nothing is half-saved. Committed and paid totals are
never written here (they move only through ``hub.grants.services.money``); a fund's budget
is changed under a row lock so it can never drop below what another request is committing.

The few reads these pages need that ``hub.grants.selectors`` does not offer are at the end.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, ProtectedError, QuerySet, Sum
from django.utils import timezone
from django.utils.text import slugify

from hub.grants.models import Criterion, Fund, InKindSupport
from hub.grants.services.money import pounds
from hub.organisations.models import Organisation
from hub.strategy.services import tags_set

FUND_FIELDS = (
    "name",
    "source",
    "description",
    "eligibility",
    "eligible_kinds",
    "budget_pence",
    "min_award_pence",
    "max_award_pence",
    "opens_on",
    "closes_on",
    "route",
)
WEIGHT_RANGE = (1, 10)
LONG_TEXT = 5000
MAX_SCORE_RANGE = (1, 100)


def _unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:90] or "fund"
    slug, n = base, 2
    others = Fund.objects.exclude(pk=exclude_pk)
    while others.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _validate_fund(fund: Fund) -> None:
    """Every rule a fund's own fields must keep, each keyed by its field."""
    errors: dict[str, str] = {}
    required = (("name", "the name of the fund"), ("source", "where the money comes from"))
    for field, label in required:
        if not (getattr(fund, field) or "").strip():
            errors[field] = f"Enter {label}"
    for field in ("description", "eligibility"):
        if len(getattr(fund, field) or "") > LONG_TEXT:
            errors[field] = f"This must be {LONG_TEXT:,} characters or fewer"
    unknown = set(fund.eligible_kinds or []) - set(Organisation.Kind.values)
    if unknown:
        errors["eligible_kinds"] = "Choose organisation types from the list"
    if fund.budget_pence is None or fund.budget_pence < 0:
        errors["budget_pence"] = "Enter the budget"
    elif fund.budget_pence < fund.committed_pence:
        errors["budget_pence"] = (
            f"The budget cannot be less than the {pounds(fund.committed_pence)} already "
            "committed to awards from this fund"
        )
    if fund.min_award_pence is None or fund.min_award_pence < 0:
        errors["min_award_pence"] = "The minimum award cannot be negative"
    if fund.max_award_pence is not None and "min_award_pence" not in errors:
        if fund.max_award_pence < fund.min_award_pence:
            errors["max_award_pence"] = "The maximum award must be at least the minimum award"
        elif fund.budget_pence is not None and fund.max_award_pence > fund.budget_pence:
            errors["max_award_pence"] = "The maximum award cannot be more than the budget"
    if fund.opens_on is None:
        errors["opens_on"] = "Enter the date the fund opens"
    if fund.closes_on is None:
        errors["closes_on"] = "Enter the date the fund closes"
    elif fund.opens_on and fund.closes_on < fund.opens_on:
        errors["closes_on"] = "The closing date must be the same as or after the opening date"
    if fund.route not in Fund.Route.values:
        errors["route"] = "Choose how the fund pays out"
    if errors:
        raise ValidationError(errors)
    fund.full_clean()


def _clean_text(value) -> str:
    return (value or "").strip()


def _apply(fund: Fund, changes: dict) -> None:
    unknown = set(changes) - set(FUND_FIELDS)
    if unknown:
        raise TypeError(f"Not a fund field: {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        if field in ("name", "source", "description", "eligibility"):
            value = _clean_text(value)
        elif field == "eligible_kinds":
            chosen = set(value or [])
            value = [kind for kind in Organisation.Kind.values if kind in chosen] + sorted(
                chosen - set(Organisation.Kind.values)
            )
        setattr(fund, field, value)


def fund_create(
    *,
    actor,
    name: str,
    source: str,
    budget_pence: int,
    opens_on: date,
    closes_on: date,
    description: str = "",
    eligibility: str = "",
    eligible_kinds=(),
    min_award_pence: int = 0,
    max_award_pence: int | None = None,
    route: str = Fund.Route.DIRECT,
    elements=(),
) -> Fund:
    """A new fund owned by the organisation ``actor`` acts for, tagged to ``elements``."""
    fund = Fund(owner=actor.acting.organisation)
    _apply(
        fund,
        {
            "name": name,
            "source": source,
            "description": description,
            "eligibility": eligibility,
            "eligible_kinds": eligible_kinds,
            "budget_pence": budget_pence,
            "min_award_pence": min_award_pence or 0,
            "max_award_pence": max_award_pence,
            "opens_on": opens_on,
            "closes_on": closes_on,
            "route": route,
        },
    )
    with transaction.atomic():
        fund.slug = _unique_slug(fund.name)
        _validate_fund(fund)
        fund._history_user = actor
        fund.save()
        tags_set(obj=fund, elements=list(elements))
    return fund


def fund_update(*, actor, fund: Fund, elements=None, **changes) -> Fund:
    """Change ``fund``'s details (any of ``FUND_FIELDS``) and, if given, its tags.

    The fund row is locked while the budget is checked against what is committed, so an
    award being made at the same moment cannot leave the budget below its commitments.
    """
    try:
        with transaction.atomic():
            locked = Fund.objects.select_for_update().get(pk=fund.pk)
            _apply(locked, changes)
            _validate_fund(locked)
            locked._history_user = actor
            locked.save()
            if elements is not None:
                tags_set(obj=locked, elements=list(elements))
    except IntegrityError as exc:
        raise ValidationError(
            {"budget_pence": "The budget cannot be less than what is already committed"}
        ) from exc
    return locked


# Criteria ------------------------------------------------------------------------------------


def _validate_criterion(criterion: Criterion, *, highest_score: int | None) -> None:
    errors: dict[str, str] = {}
    criterion.name = _clean_text(criterion.name)
    criterion.guidance = _clean_text(criterion.guidance)
    if not criterion.name:
        errors["name"] = "Enter the name of the criterion"
    elif len(criterion.name) > 200:
        errors["name"] = "The name must be 200 characters or fewer"
    low, high = WEIGHT_RANGE
    if criterion.weight is None or not low <= criterion.weight <= high:
        errors["weight"] = f"Enter a weight from {low} to {high}"
    low, high = MAX_SCORE_RANGE
    if criterion.max_score is None or not low <= criterion.max_score <= high:
        errors["max_score"] = f"Enter a maximum score from {low} to {high}"
    elif highest_score is not None and criterion.max_score < highest_score:
        errors["max_score"] = (
            f"An assessor has already given a score of {highest_score}: the maximum score "
            "cannot be lower than that"
        )
    if errors:
        raise ValidationError(errors)
    criterion.full_clean()


@transaction.atomic
def criterion_save(
    *,
    actor,
    fund: Fund,
    name: str,
    weight: int,
    max_score: int,
    guidance: str = "",
    criterion: Criterion | None = None,
) -> Criterion:
    """Add a criterion to ``fund`` (at the end), or change ``criterion`` of that fund."""
    if criterion is None:
        last = fund.criteria.aggregate(last=Max("position"))["last"] or 0
        criterion = Criterion(fund=fund, position=last + 1)
        highest = None
    else:
        criterion = Criterion.objects.select_for_update().get(pk=criterion.pk, fund=fund)
        highest = criterion.scores.aggregate(top=Max("score"))["top"]
    criterion.name, criterion.guidance = name, guidance
    criterion.weight, criterion.max_score = weight, max_score
    _validate_criterion(criterion, highest_score=highest)
    criterion.save()
    return criterion


def criterion_remove(*, actor, criterion: Criterion) -> None:
    """Remove ``criterion``, unless an assessor has already scored against it."""
    refusal = ValidationError(
        f"You cannot remove “{criterion.name}”: assessors have already scored applications "
        "against it"
    )
    try:
        with transaction.atomic():
            locked = Criterion.objects.select_for_update().get(pk=criterion.pk)
            if locked.scores.exists():
                raise refusal
            locked.delete()
    except ProtectedError as exc:
        raise refusal from exc


# Support in kind -----------------------------------------------------------------------------


@transaction.atomic
def in_kind_record(
    *,
    actor,
    fund: Fund,
    organisation: Organisation,
    description: str,
    value_pence: int,
    starts_on: date,
    ends_on: date | None = None,
) -> InKindSupport:
    """Record support given in kind from ``fund`` to ``organisation``, with its value."""
    errors: dict[str, str] = {}
    description = _clean_text(description)
    if not description:
        errors["description"] = "Describe the support given"
    if value_pence is None or value_pence <= 0:
        errors["value_pence"] = "The value must be more than £0"
    if starts_on is None:
        errors["starts_on"] = "Enter the date the support starts"
    elif ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = "The end date must be the same as or after the start date"
    if errors:
        raise ValidationError(errors)
    support = InKindSupport(
        fund=fund,
        organisation=organisation,
        description=description,
        value_pence=value_pence,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    support.full_clean()
    support.save()
    return support


# Reads ---------------------------------------------------------------------------------------


@dataclass
class FundsByState:
    open: list[Fund]
    upcoming: list[Fund]
    closed: list[Fund]


def fund_state(fund: Fund, today: date | None = None) -> str:
    today = today or timezone.localdate()
    if fund.opens_on > today:
        return "upcoming"
    if fund.closes_on < today:
        return "closed"
    return "open"


def funds_by_state(today: date | None = None) -> FundsByState:
    """Every fund, split into open (closing soonest first), upcoming (opening soonest first)
    and closed (most recently closed first). One query."""
    today = today or timezone.localdate()
    result = FundsByState(open=[], upcoming=[], closed=[])
    for fund in Fund.objects.order_by("closes_on", "name"):
        getattr(result, fund_state(fund, today)).append(fund)
    result.upcoming.sort(key=lambda f: (f.opens_on, f.name))
    result.closed.reverse()
    return result


def criteria_with_use(fund: Fund) -> QuerySet[Criterion]:
    """``fund``'s criteria, each with ``score_count``: how many scores use it."""
    return fund.criteria.annotate(score_count=Count("scores")).order_by("position", "id")


def in_kind_for(fund: Fund) -> tuple[QuerySet[InKindSupport], int]:
    """Support in kind from ``fund``, with its organisations, and the total value in pence."""
    support = fund.in_kind.select_related("organisation").order_by("-starts_on", "-id")
    total = support.aggregate(total=Sum("value_pence"))["total"] or 0
    return support, total
