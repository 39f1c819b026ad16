"""Writes about applications: starting one, saving each section, documents, declaring,
submitting and withdrawing.

Guarantees:

- Eligibility is checked before an application exists (``eligibility_problems``): the fund is
  open today, the organisation is of a kind the fund takes, and a voluntary or community
  organisation has a charity or company number in the right format on its record.
- Only a draft can be changed, and only by its own organisation (the views ask
  ``grants.edit_application``; these functions refuse anything not a draft).
- Submission checks every section at once and says which are missing, including budget
  lines that do not add up to the amount requested.
- References are ``APP-`` and six or more digits, unique, given in order; a clash with a
  reference taken at the same moment is retried.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.formats import date_format

from hub.grants import documents as storage
from hub.grants.models import Application, BudgetLine, Fund, SupportingDocument
from hub.grants.services.funds import fund_state
from hub.grants.services.money import pounds
from hub.organisations.models import Organisation
from hub.organisations.validators import validate_charity_number, validate_company_number
from hub.places.models import Area
from hub.strategy.models import Element
from hub.strategy.selectors import tags_for
from hub.strategy.services import tags_set

REFERENCE_PREFIX = "APP-"
_REFERENCE_ATTEMPTS = 10
MAX_BUDGET_LINES = 50
MAX_DOCUMENTS = 20
LONG_TEXT = 5000
SECTIONS = ("about", "money", "outcomes", "documents", "declaration")


@dataclass(frozen=True)
class Problem:
    """Why an organisation cannot apply. ``code`` lets a page add the right link."""

    code: str
    message: str


def _day(day: date) -> str:
    return date_format(day, "j F Y")


def _kinds_text(kinds: list[str]) -> str:
    labels = dict(Organisation.Kind.choices)
    names = [labels.get(k, k).lower() for k in kinds]
    names = [n if n.endswith("s") else f"{n}s" for n in names]
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _registration_problem(organisation: Organisation) -> Problem | None:
    charity = (organisation.charity_number or "").strip()
    company = (organisation.company_number or "").strip()
    if not charity and not company:
        return Problem(
            "registration_missing",
            f"{organisation.name} has no registered charity number or company number on its "
            "record. Ask your organisation's administrator to add one to your organisation's "
            "page, then start your application again.",
        )
    for number, validate, what in (
        (charity, validate_charity_number, "charity number"),
        (company, validate_company_number, "company number"),
    ):
        if not number:
            continue
        try:
            validate(number)
        except ValidationError:
            return Problem(
                "registration_invalid",
                f"The {what} on {organisation.name}'s record is not in the right format. "
                "Ask your organisation's administrator to correct it on your organisation's "
                "page, then start your application again.",
            )
    return None


def eligibility_problems(*, organisation: Organisation | None, fund: Fund) -> list[Problem]:
    """Every reason ``organisation`` cannot apply to ``fund`` today (empty: it can)."""
    problems: list[Problem] = []
    state = fund_state(fund)
    if state == "closed":
        problems.append(
            Problem(
                "closed",
                f"{fund.name} closed to applications on {_day(fund.closes_on)}.",
            )
        )
    elif state == "upcoming":
        problems.append(
            Problem(
                "not_open",
                f"{fund.name} is not open yet: it opens on {_day(fund.opens_on)}.",
            )
        )
    if organisation is None:
        problems.append(Problem("no_organisation", "You must act for an organisation to apply."))
        return problems
    if fund.eligible_kinds and organisation.kind not in fund.eligible_kinds:
        problems.append(
            Problem(
                "kind",
                f"{fund.name} is only for {_kinds_text(fund.eligible_kinds)}. "
                f"{organisation.name} is recorded as "
                f"{organisation.get_kind_display().lower()}.",
            )
        )
    if organisation.kind == Organisation.Kind.VCS:
        problem = _registration_problem(organisation)
        if problem:
            problems.append(problem)
    return problems


def _next_reference() -> str:
    # Order by length first so APP-1000000 comes after APP-999999.
    last = (
        Application.objects.filter(reference__startswith=REFERENCE_PREFIX)
        .order_by(Length("reference").desc(), "-reference")
        .values_list("reference", flat=True)
        .first()
    )
    try:
        number = int(last.removeprefix(REFERENCE_PREFIX)) if last else 0
    except ValueError:
        number = Application.objects.count()
    return f"{REFERENCE_PREFIX}{number + 1:06d}"


def _editable(application: Application) -> Application:
    """``application`` locked for change; refuses anything but a draft."""
    locked = Application.objects.select_for_update().select_related("fund").get(pk=application.pk)
    if locked.status != Application.Status.DRAFT:
        raise ValidationError(
            f"Application {locked.reference} has been {locked.get_status_display().lower()}"
            " and can no longer be changed"
        )
    return locked


def _save(application: Application, actor, fields: list[str]) -> Application:
    application.full_clean(exclude=["wards"])
    application._history_user = actor
    application.save(update_fields=[*fields, "updated_at"])
    return application


def application_start(*, actor, fund: Fund, title: str) -> Application:
    """A new draft for the organisation ``actor`` acts for, if it is eligible for ``fund``.

    Raises ``ValidationError`` listing every reason it is not."""
    organisation = actor.acting.organisation
    problems = eligibility_problems(organisation=organisation, fund=fund)
    if problems:
        raise ValidationError([p.message for p in problems])
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Enter the name of your project"})
    if len(title) > 200:
        raise ValidationError({"title": "The name of your project must be 200 characters or fewer"})
    for _ in range(_REFERENCE_ATTEMPTS):
        try:
            with transaction.atomic():
                application = Application(
                    reference=_next_reference(),
                    fund=fund,
                    organisation=organisation,
                    title=title,
                    created_by=actor,
                )
                application._history_user = actor
                application.save()
                return application
        except IntegrityError:
            continue  # another application took this reference: take the next one
    raise ValidationError("The hub is busy: please try again in a moment")


@transaction.atomic
def application_save_about(
    *,
    actor,
    application: Application,
    title: str,
    summary: str,
    starts_on: date | None,
    ends_on: date | None,
) -> Application:
    """Save the 'About your project' section. Blank parts may be filled in later."""
    application = _editable(application)
    title, summary = (title or "").strip(), (summary or "").strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "Enter the name of your project"
    if len(summary) > LONG_TEXT:
        errors["summary"] = f"The summary must be {LONG_TEXT:,} characters or fewer"
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = "The end date must be the same as or after the start date"
    if errors:
        raise ValidationError(errors)
    application.title, application.summary = title, summary
    application.starts_on, application.ends_on = starts_on, ends_on
    return _save(application, actor, ["title", "summary", "starts_on", "ends_on"])


def _check_amount(fund: Fund, amount_pence: int, field: str) -> None:
    if amount_pence is None or amount_pence <= 0:
        raise ValidationError({field: "The amount requested must be more than £0"})
    if fund.max_award_pence and amount_pence > fund.max_award_pence:
        raise ValidationError({field: f"{fund.name} awards at most {pounds(fund.max_award_pence)}"})
    if fund.min_award_pence and amount_pence < fund.min_award_pence:
        raise ValidationError(
            {field: f"{fund.name} awards at least {pounds(fund.min_award_pence)}"}
        )


@transaction.atomic
def application_save_amount(
    *, actor, application: Application, amount_requested_pence: int
) -> Application:
    """Save the amount requested, within the fund's smallest and largest award."""
    application = _editable(application)
    _check_amount(application.fund, amount_requested_pence, "amount_requested_pence")
    application.amount_requested_pence = amount_requested_pence
    return _save(application, actor, ["amount_requested_pence"])


@transaction.atomic
def budget_line_add(
    *, actor, application: Application, description: str, amount_pence: int
) -> BudgetLine:
    """Add a line to the budget. Whether the lines add up is checked on submission."""
    application = _editable(application)
    description = (description or "").strip()
    errors: dict[str, str] = {}
    if not description:
        errors["description"] = "Enter what the money is for"
    elif len(description) > 200:
        errors["description"] = "The description must be 200 characters or fewer"
    if amount_pence is None or amount_pence <= 0:
        errors["amount_pence"] = "The amount must be more than £0"
    if application.budget_lines.count() >= MAX_BUDGET_LINES:
        errors["description"] = f"A budget can have at most {MAX_BUDGET_LINES} lines"
    if errors:
        raise ValidationError(errors)
    line = BudgetLine(application=application, description=description, amount_pence=amount_pence)
    line.full_clean()
    line.save()
    Application.objects.filter(pk=application.pk).update(updated_at=timezone.now())
    return line


@transaction.atomic
def budget_line_remove(*, actor, application: Application, line_id: int) -> None:
    application = _editable(application)
    deleted, _ = application.budget_lines.filter(pk=line_id).delete()
    if not deleted:
        raise ValidationError("That budget line has already been removed")
    Application.objects.filter(pk=application.pk).update(updated_at=timezone.now())


def fund_priorities(fund: Fund):
    """The strategy priorities ``fund`` targets: what an application may say it addresses."""
    return tags_for(fund).filter(kind=Element.Kind.PRIORITY)


@transaction.atomic
def application_save_outcomes(
    *, actor, application: Application, outcomes: str, wards=(), priorities=()
) -> Application:
    """Save what the project will achieve, the wards it serves and the fund's priorities it
    addresses (only priorities the fund targets, only ward areas)."""
    application = _editable(application)
    wards, priorities = list(wards), list(priorities)
    outcomes = (outcomes or "").strip()
    if len(outcomes) > LONG_TEXT:
        raise ValidationError(
            {
                "outcomes": "What your project will achieve must be "
                f"{LONG_TEXT:,} characters or fewer"
            }
        )
    if any(w.level != Area.Level.WARD for w in wards):
        raise ValidationError({"wards": "Choose wards from the list"})
    allowed = set(fund_priorities(application.fund).values_list("pk", flat=True))
    if any(p.pk not in allowed for p in priorities):
        raise ValidationError({"priorities": "Choose priorities this fund targets"})
    application.outcomes = outcomes
    _save(application, actor, ["outcomes"])
    application.wards.set(wards)
    tags_set(obj=application, elements=priorities)
    return application


def document_add(*, actor, application: Application, kind: str, upload) -> SupportingDocument:
    """Check and store ``upload`` privately and attach it to a draft ``application``."""
    if kind not in SupportingDocument.Kind.values:
        raise ValidationError({"kind": "Choose what kind of document this is"})
    with transaction.atomic():
        application = _editable(application)
        if application.documents.count() >= MAX_DOCUMENTS:
            raise ValidationError(
                {"file": f"An application can have at most {MAX_DOCUMENTS} documents"}
            )
    stored = storage.store_upload(upload)
    try:
        with transaction.atomic():
            application = _editable(application)
            document = SupportingDocument(
                application=application,
                kind=kind,
                original_name=stored.original_name,
                stored_name=stored.stored_name,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                uploaded_by=actor,
            )
            document.full_clean()
            document.save()
            Application.objects.filter(pk=application.pk).update(updated_at=timezone.now())
    except BaseException:
        storage.delete_stored(stored.stored_name)
        raise
    return document


@transaction.atomic
def document_remove(*, actor, application: Application, document_id: int) -> None:
    """Remove a document from a draft; the file goes once the removal is committed."""
    application = _editable(application)
    document = application.documents.filter(pk=document_id).first()
    if document is None:
        raise ValidationError("That document has already been removed")
    stored_name = document.stored_name
    document.delete()
    transaction.on_commit(lambda: storage.delete_stored(stored_name))


@transaction.atomic
def application_declare(
    *, actor, application: Application, name: str, confirmed: bool
) -> Application:
    """Record who declares the application true and that the grant is for this purpose."""
    application = _editable(application)
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["declaration_name"] = "Enter the full name of the person making the declaration"
    elif len(name) > 200:
        errors["declaration_name"] = "The name must be 200 characters or fewer"
    if not confirmed:
        errors["confirm"] = (
            "Confirm the information is true and the organisation will use the grant only for "
            "this purpose"
        )
    if errors:
        raise ValidationError(errors)
    application.declaration_name = name
    application.declared_at = timezone.now()
    return _save(application, actor, ["declaration_name", "declared_at"])


# Section progress ----------------------------------------------------------------------------

NOT_STARTED, IN_PROGRESS, COMPLETED = "Not started", "In progress", "Completed"


def section_status(application: Application, section: str) -> str:
    """ "Completed", "In progress" or "Not started" for one section (``SECTIONS``).

    Uses ``budget_total``, ``line_count``, ``document_count`` and ``ward_count`` if the
    application was annotated with them, else counts (a few small queries)."""
    a = application
    if section == "about":
        parts = [bool(a.summary), bool(a.starts_on), bool(a.ends_on)]
        return COMPLETED if all(parts) and a.title else (IN_PROGRESS if any(parts) else NOT_STARTED)
    if section == "money":
        lines, total = _budget(a)
        if a.amount_requested_pence and lines and total == a.amount_requested_pence:
            return COMPLETED
        return IN_PROGRESS if a.amount_requested_pence or lines else NOT_STARTED
    if section == "outcomes":
        if a.outcomes:
            return COMPLETED
        return IN_PROGRESS if _count(a, "ward_count", "wards") else NOT_STARTED
    if section == "documents":
        return COMPLETED if _count(a, "document_count", "documents") else NOT_STARTED
    if section == "declaration":
        return COMPLETED if a.declaration_name and a.declared_at else NOT_STARTED
    raise ValueError(section)


def _count(application: Application, annotated: str, relation: str) -> int:
    value = getattr(application, annotated, None)
    if value is None:
        value = getattr(application, relation).count()
    return value


def _budget(application: Application) -> tuple[int, int]:
    lines = getattr(application, "line_count", None)
    total = getattr(application, "budget_total", None)
    if lines is None or total is None:
        agg = application.budget_lines.aggregate(total=Sum("amount_pence"))
        lines = application.budget_lines.count()
        total = agg["total"] or 0
    return lines, total or 0


def section_statuses(application: Application) -> dict[str, str]:
    return {section: section_status(application, section) for section in SECTIONS}


def submission_problems(application: Application) -> dict[str, str]:
    """Everything that stops ``application`` being submitted, keyed by section."""
    problems: dict[str, str] = {}
    a = application
    if not (a.title and a.summary and a.starts_on and a.ends_on):
        problems["about"] = "Complete ‘About your project’: the title, summary and dates"
    lines, total = _budget(a)
    if not a.amount_requested_pence:
        problems["money"] = "Enter the amount you are asking for"
    elif not lines:
        problems["money"] = "Add at least one budget line"
    elif total != a.amount_requested_pence:
        problems["money"] = (
            f"Your budget lines add up to {pounds(total)} but you have asked for "
            f"{pounds(a.amount_requested_pence)}. Change the amount or the budget lines so "
            "they are the same"
        )
    else:
        try:
            _check_amount(a.fund, a.amount_requested_pence, "money")
        except ValidationError as exc:
            problems["money"] = exc.message_dict["money"][0]
    if not a.outcomes:
        problems["outcomes"] = "Say what your project will achieve"
    if not _count(a, "document_count", "documents"):
        problems["documents"] = "Upload at least one supporting document"
    if not (a.declaration_name and a.declared_at):
        problems["declaration"] = "Complete the declaration"
    return problems


def application_submit(*, actor, application: Application) -> Application:
    """Submit a complete draft while its fund is open. Raises ``ValidationError`` keyed by
    section listing everything still to do."""
    with transaction.atomic():
        application = _editable(application)
        if fund_state(application.fund) != "open":
            raise ValidationError(
                f"{application.fund.name} is closed: applications can no longer be submitted"
            )
        problems = submission_problems(application)
        if problems:
            raise ValidationError(problems)
        application.status = Application.Status.SUBMITTED
        application.submitted_at = timezone.now()
        return _save(application, actor, ["status", "submitted_at"])


WITHDRAWABLE = (
    Application.Status.DRAFT,
    Application.Status.SUBMITTED,
    Application.Status.ASSESSMENT,
)


@transaction.atomic
def application_withdraw(*, actor, application: Application) -> Application:
    """Withdraw an application that has not been decided."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status not in WITHDRAWABLE:
        raise ValidationError(
            f"Application {application.reference} has been "
            f"{application.get_status_display().lower()} and cannot be withdrawn"
        )
    application.status = Application.Status.WITHDRAWN
    return _save(application, actor, ["status"])
