"""Writes about action plans: plans, aims, actions (their dates, dependencies and tags to the
strategy), progress updates one at a time or in bulk, and reminders to action owners.

Views, the API, the spreadsheet import and the commands all call these. Each function
validates everything first and raises ``ValidationError`` keyed by field (or ``RowErrors``
naming rows) before it changes anything, then saves inside one transaction.
"""

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from hub.organisations.models import Membership, Organisation
from hub.plans.models import Action, Aim, Plan, ProgressUpdate
from hub.plans.timescales import parse_timescale
from hub.strategy.models import Element, Strategy
from hub.strategy.selectors import tags_for
from hub.strategy.services import tags_set

logger = logging.getLogger(__name__)

DESCRIPTION_MAX = 5000
OUTCOMES_MAX = 5000
NOTE_MAX = 5000
AIM_MAX = Aim._meta.get_field("title").max_length
LEADERSHIP_MAX = Action._meta.get_field("leadership").max_length
TIMESCALE_MAX = Action._meta.get_field("timescale").max_length
UPDATE_EVERY_MAX = 365
BULK_MAX_ROWS = 1000
# Paths under /plans/ that a plan's slug must not take.
RESERVED_SLUGS = {"add", "import", "overdue", "progress", "actions", "risks", "boards"}
RESERVED_SLUGS |= {"meetings", "reports"}


def one_line(text) -> str:
    """``text`` with runs of whitespace (newlines included) as single spaces."""
    return " ".join(str(text or "").split())


def _history_user(obj, actor) -> None:
    if actor is not None and getattr(actor, "is_authenticated", False):
        obj._history_user = actor


def _raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# Plans and aims -----------------------------------------------------------------------------


@transaction.atomic
def plan_create(*, actor, name: str, description: str = "", organisation=None) -> Plan:
    """A new plan with a unique name and an address (slug) made from it.

    It belongs to ``organisation``, else the organisation ``actor`` acts for, else the host.
    """
    name = one_line(name)
    errors = {}
    if not name:
        errors["name"] = "Enter the name of the plan"
    elif len(name) > Plan._meta.get_field("name").max_length:
        errors["name"] = "The name must be 200 characters or fewer"
    elif Plan.objects.filter(name__iexact=name).exists():
        errors["name"] = f"There is already a plan called ‘{name}’"
    if len(description or "") > DESCRIPTION_MAX:
        errors["description"] = f"The description must be {DESCRIPTION_MAX:,} characters or fewer"
    if organisation is None:
        acting = getattr(actor, "acting", None)
        organisation = (
            getattr(acting, "organisation", None)
            or Organisation.objects.filter(is_host=True).first()
        )
    if organisation is None:
        errors["organisation"] = "There is no organisation to hold the plan"
    _raise_if(errors)
    plan = Plan(
        name=name,
        slug=_unique_slug(name),
        description=(description or "").strip(),
        organisation=organisation,
    )
    _history_user(plan, actor)
    plan.full_clean()
    plan.save()
    logger.info("Plan %s created", plan.pk)
    return plan


def _unique_slug(name: str) -> str:
    base = slugify(name)[:90].strip("-") or "plan"
    if base in RESERVED_SLUGS:
        base = f"{base}-plan"
    taken = set(Plan.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def aim_get_or_create(*, plan: Plan, title: str, field_name: str = "new_aim") -> tuple[Aim, bool]:
    """The plan's aim called ``title`` (ignoring case and spacing), made at the end if new."""
    title = one_line(title)
    if not title:
        raise ValidationError({field_name: "Enter the aim"})
    if len(title) > AIM_MAX:
        raise ValidationError({field_name: f"The aim must be {AIM_MAX} characters or fewer"})
    existing = next(
        (aim for aim in plan.aims.all() if one_line(aim.title).casefold() == title.casefold()),
        None,
    )
    if existing is not None:
        return existing, False
    last = plan.aims.aggregate(last=Max("position"))["last"]
    aim = Aim.objects.create(plan=plan, title=title, position=(last or 0) + 1)
    return aim, True


# Actions ------------------------------------------------------------------------------------

_UNSET = object()


def action_create(*, actor, plan: Plan, **fields) -> Action:
    """A new action in ``plan``. See ``action_edit`` for the fields and the rules."""
    action = Action(status=Action.Status.NOT_STARTED)
    return _action_save(actor=actor, action=action, plan=plan, fields=fields, is_new=True)


def action_edit(*, actor, action: Action, **fields) -> Action:
    """Change ``action``. Fields: description, aim (an Aim of the plan) or new_aim (a title),
    leadership, lead_organisation, owner, timescale, starts_on, ends_on, outcomes, status,
    update_every_days, depends_on (actions of the same plan), priorities and enablers
    (elements of the active strategy). A field left out is left as it is.

    Dates left blank are read from the timescale; when the timescale changes, dates that
    had been read from the old one are read again. Dependencies that would make a circle
    are refused, naming the chain.
    """
    plan = action.aim.plan
    return _action_save(actor=actor, action=action, plan=plan, fields=fields, is_new=False)


@transaction.atomic
def _action_save(*, actor, action: Action, plan: Plan, fields: dict, is_new: bool) -> Action:
    errors: dict[str, str] = {}
    get = fields.get
    old_timescale = action.timescale
    old_days = action.update_every_days

    if is_new or "description" in fields:
        action.description = (get("description") or "").strip()
        if not action.description:
            errors["description"] = "Describe the action"
        elif len(action.description) > DESCRIPTION_MAX:
            errors["description"] = f"The action must be {DESCRIPTION_MAX:,} characters or fewer"
    aim, new_aim = get("aim"), one_line(get("new_aim"))
    if aim is not None and new_aim:
        errors["new_aim"] = "Choose an aim or name a new one, not both"
    elif aim is not None and aim.plan_id != plan.pk:
        errors["aim"] = "Choose one of this plan's aims"
    elif aim is None and not new_aim and is_new:
        errors["aim"] = "Choose the aim this action serves, or name a new one"
    elif new_aim and len(new_aim) > AIM_MAX:
        errors["new_aim"] = f"The aim must be {AIM_MAX} characters or fewer"
    for name, limit in (("leadership", LEADERSHIP_MAX), ("timescale", TIMESCALE_MAX)):
        if name in fields:
            value = one_line(get(name))
            if len(value) > limit:
                errors[name] = f"This must be {limit} characters or fewer"
            setattr(action, name, value)
    if "outcomes" in fields:
        action.outcomes = (get("outcomes") or "").strip()
        if len(action.outcomes) > OUTCOMES_MAX:
            errors["outcomes"] = f"The outcomes must be {OUTCOMES_MAX:,} characters or fewer"
    if "status" in fields:
        if get("status") not in Action.Status.values:
            errors["status"] = "Choose a status from the list"
        else:
            action.status = get("status")
    if "update_every_days" in fields:
        days = get("update_every_days")
        if not isinstance(days, int) or not 1 <= days <= UPDATE_EVERY_MAX:
            errors["update_every_days"] = f"Enter a number of days from 1 to {UPDATE_EVERY_MAX}"
        else:
            action.update_every_days = days
    if "owner" in fields:
        owner = get("owner")
        if owner is not None and not Membership.objects.current().filter(user=owner).exists():
            errors["owner"] = "Choose a person who works with the hub"
        action.owner = owner
    if "lead_organisation" in fields:
        action.lead_organisation = get("lead_organisation")
    _set_dates(action, fields, old_timescale, errors)

    depends_on = fields.get("depends_on", _UNSET)
    if depends_on is not _UNSET:
        depends_on = list(depends_on or [])
        message = _dependency_problem(action, plan, depends_on)
        if message:
            errors["depends_on"] = message
    tagged = _chosen_elements(fields, errors)
    _raise_if(errors)

    if new_aim:
        aim, _ = aim_get_or_create(plan=plan, title=new_aim)
    if aim is not None and aim.pk != action.aim_id:
        action.aim = aim
        last = aim.actions.aggregate(last=Max("position"))["last"]
        action.position = (last or 0) + 1
    if is_new:
        action.next_update_due = timezone.localdate() + timedelta(days=action.update_every_days)
    elif action.update_every_days != old_days:
        since = action.last_update_at or action.created_at or timezone.now()
        action.next_update_due = timezone.localdate(since) + timedelta(
            days=action.update_every_days
        )
    _history_user(action, actor)
    try:
        action.full_clean(exclude=["depends_on"])
    except ValidationError as exc:
        raise ValidationError(
            {k if k != "__all__" else "ends_on": v for k, v in exc.message_dict.items()}
        ) from exc
    action.save()
    if depends_on is not _UNSET:
        action.depends_on.set(depends_on)
    if tagged is not None:
        kept = [e for e in tags_for(action).select_related("strategy") if not _taggable(e)]
        tags_set(obj=action, elements=[*kept, *tagged])
    logger.info("Action %s %s", action.pk, "created" if is_new else "changed")
    return action


def _set_dates(action: Action, fields: dict, old_timescale: str, errors: dict) -> None:
    """Dates given win; a blank one is read from the timescale, and so is one that had been
    read from the old timescale when the timescale changes."""
    new = parse_timescale(action.timescale)
    old = parse_timescale(old_timescale)
    changed = action.timescale != old_timescale
    given = set()
    for name, index in (("starts_on", 0), ("ends_on", 1)):
        value = fields[name] if name in fields else getattr(action, name)
        if value is not None and not isinstance(value, date):
            errors[name] = "Enter a real date"
            continue
        if value is None or (changed and value == old[index]):
            value = new[index]
        else:
            given.add(name)
        setattr(action, name, value)
    if action.starts_on and action.ends_on and action.ends_on < action.starts_on:
        if given == {"starts_on", "ends_on"}:
            errors["ends_on"] = "The end date must be the same as or after the start date"
        else:  # a date read from the text contradicts one given: the given one wins
            setattr(action, "ends_on" if "starts_on" in given else "starts_on", None)


def _dependency_problem(action: Action, plan: Plan, depends_on: list[Action]) -> str:
    for other in depends_on:
        if action.pk and other.pk == action.pk:
            return "An action cannot depend on itself"
        if other.aim.plan_id != plan.pk:
            return "An action can only depend on actions in the same plan"
    if not action.pk:
        return ""  # nothing depends on a new action yet, so it cannot close a circle
    through = Action.depends_on.through
    edges: dict[int, list[int]] = defaultdict(list)
    for source, target in through.objects.filter(from_action__aim__plan=plan).values_list(
        "from_action_id", "to_action_id"
    ):
        if source != action.pk:
            edges[source].append(target)
    for other in depends_on:
        chain = _path(edges, other.pk, action.pk)
        if chain:
            names = dict(Action.objects.filter(pk__in=chain).values_list("pk", "description"))
            steps = " → ".join(f"‘{_short(names[pk])}’" for pk in chain[:-1])
            return (
                f"This action cannot depend on ‘{_short(other.description)}’: that would make a "
                f"circle, because {steps} → this action already depends on it"
            )
    return ""


def _path(edges: dict[int, list[int]], start: int, goal: int) -> list[int]:
    """The chain of dependencies from ``start`` to ``goal`` (both included), or []."""
    parents: dict[int, int | None] = {start: None}
    queue = [start]
    while queue:
        node = queue.pop(0)
        if node == goal:
            chain = []
            while node is not None:
                chain.append(node)
                node = parents[node]
            return chain[::-1]
        for nxt in edges.get(node, ()):
            if nxt not in parents:
                parents[nxt] = node
                queue.append(nxt)
    return []


def _short(text: str, length: int = 60) -> str:
    text = one_line(text)
    return text if len(text) <= length else text[: length - 1] + "…"


def _taggable(element: Element) -> bool:
    return element.strategy.is_active and element.kind in (
        Element.Kind.PRIORITY,
        Element.Kind.ENABLER,
    )


def _chosen_elements(fields: dict, errors: dict) -> list[Element] | None:
    if "priorities" not in fields and "enablers" not in fields:
        return None
    chosen = []
    active = Strategy.objects.filter(is_active=True).values_list("pk", flat=True).first()
    for name, kind in (("priorities", Element.Kind.PRIORITY), ("enablers", Element.Kind.ENABLER)):
        for element in fields.get(name) or []:
            if element.kind != kind or element.strategy_id != active:
                errors[name] = f"Choose {name} of the strategy the hub works to"
                break
            chosen.append(element)
    return chosen


# Progress -----------------------------------------------------------------------------------


def status_from_text(text) -> str | None:
    """A status from its value or its label, ignoring case, spaces and underscores."""
    wanted = _letters(text)
    for value, label in Action.Status.choices:
        if wanted in (_letters(value), _letters(label)):
            return value
    return None


def _letters(text) -> str:
    return "".join(ch for ch in str(text or "").casefold() if ch.isalnum())


def _progress_errors(status, note) -> dict:
    errors = {}
    if status_from_text(status) is None:
        written = one_line(status)
        start = (
            f"‘{_short(written, 30)}’ is not a status: choose" if written else "Choose a status:"
        )
        errors["status"] = f"{start} " + ", ".join(Action.Status.labels)
    note = (note or "").strip()
    if not note:
        errors["note"] = "Write a note saying what has happened"
    elif len(note) > NOTE_MAX:
        errors["note"] = f"The note must be {NOTE_MAX:,} characters or fewer"
    return errors


def progress_record(
    *, actor, action: Action, status: str, note: str, source: str = "web", at=None
) -> ProgressUpdate:
    """Record a dated progress update on ``action`` and move it to ``status``.

    Only a plan manager or the action's owner may. The next update falls due
    ``update_every_days`` after today. Completing an action whose dependencies are not
    complete is allowed: ``incomplete_dependencies`` says which, for a warning.
    """
    if not actor.has_perm("plans.update_action", action):
        raise PermissionDenied("You may not update this action")
    _raise_if(_progress_errors(status, note))
    with transaction.atomic():
        return _progress_save(
            actor=actor,
            action=action,
            status=status_from_text(status),
            note=note.strip(),
            source=source,
            at=at or timezone.now(),
        )


def _progress_save(*, actor, action: Action, status: str, note: str, source: str, at: datetime):
    locked = Action.objects.select_for_update().get(pk=action.pk)
    locked.status = status
    locked.last_update_at = at
    locked.next_update_due = timezone.localdate(at) + timedelta(days=locked.update_every_days)
    _history_user(locked, actor)
    locked.save(update_fields=["status", "last_update_at", "next_update_due", "updated_at"])
    for name in ("status", "last_update_at", "next_update_due"):
        setattr(action, name, getattr(locked, name))
    return ProgressUpdate.objects.create(
        action=locked, status=status, note=note, at=at, by=actor, source=source
    )


@dataclass
class ProgressRow:
    """One update asked for in bulk. ``row`` is what the person sees: the spreadsheet's row
    number, or the position in an API list. ``action`` is the action's number, or its
    description together with ``plan`` (the plan's short name, its slug)."""

    row: int
    action: str
    status: str
    note: str
    plan: str = ""


class RowErrors(ValidationError):
    """Rows that cannot be applied: ``rows`` is [(row, message), …]; nothing was saved."""

    def __init__(self, rows: list[tuple[int, str]]):
        self.rows = rows
        super().__init__([f"Row {row}: {message}" for row, message in rows])


@transaction.atomic
def progress_record_many(
    *, actor, rows: Sequence[ProgressRow], source: str = "csv"
) -> list[ProgressUpdate]:
    """Apply every row or none. Each row is checked (the action exists, the person may
    update it, the status is one of ours, the note is there) before anything is saved."""
    if not rows:
        raise ValidationError("There are no updates to make")
    if len(rows) > BULK_MAX_ROWS:
        raise ValidationError(f"Send at most {BULK_MAX_ROWS:,} updates at once")
    resolved, problems = resolve_actions(rows)
    for row in rows:
        action = resolved.get(row.row)
        if action is not None and not actor.has_perm("plans.update_action", action):
            problems.append((row.row, f"You may not update action {action.pk}"))
        for message in _progress_errors(row.status, row.note).values():
            problems.append((row.row, message))
    if problems:
        raise RowErrors(sorted(problems, key=lambda p: p[0]))
    at = timezone.now()
    ids = sorted({action.pk for action in resolved.values()})
    list(Action.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    return [
        _progress_save(
            actor=actor,
            action=resolved[row.row],
            status=status_from_text(row.status),
            note=row.note.strip(),
            source=source,
            at=at,
        )
        for row in rows
    ]


def resolve_actions(rows: Sequence[ProgressRow]) -> tuple[dict[int, Action], list]:
    """{row: action} for the rows whose action is found, and (row, message) for the others."""
    found: dict[int, Action] = {}
    problems: list[tuple[int, str]] = []
    ids = {int(r.action) for r in rows if str(r.action).strip().isdigit()}
    ids = {pk for pk in ids if pk < 2**31}
    by_id = Action.objects.select_related("aim__plan").in_bulk(ids)
    slugs = {r.plan.strip() for r in rows if not str(r.action).strip().isdigit() and r.plan}
    by_text: dict[tuple[str, str], list[Action]] = defaultdict(list)
    for action in Action.objects.filter(aim__plan__slug__in=slugs).select_related("aim__plan"):
        by_text[(action.aim.plan.slug, one_line(action.description).casefold())].append(action)
    for row in rows:
        reference = one_line(row.action)
        if not reference:
            problems.append((row.row, "Say which action: its number, or its description"))
        elif reference.isdigit():
            action = by_id.get(int(reference)) if int(reference) < 2**31 else None
            if action is None:
                problems.append((row.row, f"There is no action number {reference}"))
            else:
                found[row.row] = action
        elif not row.plan.strip():
            problems.append((row.row, "Name the plan (its short name) or give the action number"))
        else:
            matches = by_text.get((row.plan.strip(), reference.casefold()), [])
            if not matches:
                problems.append(
                    (row.row, f"No action ‘{_short(reference)}’ in plan ‘{_short(row.plan, 40)}’")
                )
            elif len(matches) > 1:
                problems.append(
                    (row.row, f"{len(matches)} actions read ‘{_short(reference)}’: give its number")
                )
            else:
                found[row.row] = matches[0]
    return found, problems


# Reminders ----------------------------------------------------------------------------------


@dataclass
class ReminderResult:
    emails: int = 0
    actions: list[Action] = field(default_factory=list)
    failed: int = 0


def reminder_days() -> int:
    return int(getattr(settings, "HUB_PLAN_REMINDER_DAYS", 7))


def reminders_send(*, today: date | None = None, days: int | None = None) -> ReminderResult:
    """E-mail each owner about their actions whose next update falls due within ``days``
    (``HUB_PLAN_REMINDER_DAYS``, 7 unless set) or has passed, once per due date."""
    today = today or timezone.localdate()
    days = reminder_days() if days is None else days
    due = (
        Action.objects.exclude(status=Action.Status.COMPLETE)
        .filter(
            owner__isnull=False,
            owner__is_active=True,
            next_update_due__isnull=False,
            next_update_due__lte=today + timedelta(days=days),
        )
        .filter(Q(reminder_sent_for__isnull=True) | ~Q(reminder_sent_for=F("next_update_due")))
        .select_related("owner", "aim__plan")
        .order_by("owner_id", "next_update_due", "pk")
    )
    by_owner: dict[int, list[Action]] = defaultdict(list)
    for action in due:
        by_owner[action.owner_id].append(action)
    result = ReminderResult()
    for actions in by_owner.values():
        owner = actions[0].owner
        try:
            send_mail(
                subject=_reminder_subject(actions),
                message=_reminder_body(owner, actions, today),
                from_email=None,
                recipient_list=[owner.email],
            )
        except Exception:  # one bad address must not stop the others
            logger.exception("Plan reminder to user %s failed", owner.pk)
            result.failed += 1
            continue
        for action in actions:
            Action.objects.filter(pk=action.pk, next_update_due=action.next_update_due).update(
                reminder_sent_for=action.next_update_due
            )
        result.emails += 1
        result.actions.extend(actions)
    logger.info("Plan reminders: %s e-mails about %s actions", result.emails, len(result.actions))
    return result


def _reminder_subject(actions: list[Action]) -> str:
    if len(actions) == 1:
        return "A progress update on your action is due"
    return f"Progress updates on {len(actions)} of your actions are due"


def _reminder_body(owner, actions: list[Action], today: date) -> str:
    base = getattr(settings, "HUB_BASE_URL", "").rstrip("/")
    lines = [f"Dear {owner.full_name},", "", "Please write a progress update on:", ""]
    for action in actions:
        due = action.next_update_due
        when = "was due" if due < today else "is due"
        lines += [
            f"- {_short(action.description, 200)}",
            f"  Plan: {action.aim.plan.name}. Update {when} on {due:%d/%m/%Y}.",
            f"  {base}{reverse('plans:action_update', args=[action.pk])}",
            "",
        ]
    lines.append(f"{getattr(settings, 'HUB_SERVICE_NAME', 'Community Hub')}")
    return "\n".join(lines)
