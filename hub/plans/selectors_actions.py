"""Reads about action plans: the list of plans, a plan's aims and actions with their tags,
dependencies and last update, an action's history, and the overdue and stale lists.

Plans hold no personal data about residents, so every member may read every plan; the
overdue lists are scoped (plan managers see every action, anyone else their own).
Each function costs a fixed number of queries, whatever the size of the plan.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from hub.plans.models import Action, Aim, Plan, ProgressUpdate
from hub.strategy.models import Element, Tag
from hub.strategy.selectors import active_elements, filter_tagged, tags_for

STATUS_TAG_CLASSES = {
    Action.Status.NOT_STARTED: "govuk-tag--grey",
    Action.Status.ON_TRACK: "govuk-tag--green",
    Action.Status.AT_RISK: "govuk-tag--yellow",
    Action.Status.OFF_TRACK: "govuk-tag--red",
    Action.Status.COMPLETE: "govuk-tag--blue",
}
TAGGABLE_KINDS = (Element.Kind.PRIORITY, Element.Kind.ENABLER)


def is_plan_manager(user) -> bool:
    return user.has_perm("plans.manage_plans")


def plans_list() -> QuerySet[Plan]:
    """Every plan with its number of aims and of actions in each status (one query)."""
    counts = {
        f"n_{value}": Count("aims__actions", filter=Q(aims__actions__status=value))
        for value in Action.Status.values
    }
    return (
        Plan.objects.select_related("organisation")
        .annotate(
            n_aims=Count("aims", distinct=True),
            n_actions=Count("aims__actions"),
            **counts,
        )
        .order_by("name")
    )


def get_plan(slug: str) -> Plan:
    try:
        return Plan.objects.select_related("organisation").get(slug=slug)
    except Plan.DoesNotExist as exc:
        raise Http404("No such plan") from exc


def get_action(pk: int) -> Action:
    try:
        return Action.objects.select_related("aim__plan", "owner", "lead_organisation").get(pk=pk)
    except Action.DoesNotExist as exc:
        raise Http404("No such action") from exc


def _with_last_update(actions: QuerySet[Action]) -> QuerySet[Action]:
    latest = ProgressUpdate.objects.filter(action=OuterRef("pk")).order_by("-at", "-id")
    return actions.annotate(last_note=Subquery(latest.values("note")[:1]))


@dataclass
class AimRow:
    aim: Aim
    actions: list[Action] = field(default_factory=list)


def plan_actions(
    plan: Plan, *, status: str = "", element: Element | None = None
) -> QuerySet[Action]:
    actions = Action.objects.filter(aim__plan=plan)
    if status:
        actions = actions.filter(status=status)
    if element is not None:
        actions = filter_tagged(actions, element)
    return actions


def plan_tree(plan: Plan, *, status: str = "", element: Element | None = None) -> list[AimRow]:
    """The plan's aims in order, each with its actions (filtered by status and by a tag),
    each action carrying ``elements`` (its tags), ``dependencies`` and ``last_note``.

    Aims with no action left after filtering are kept only when nothing is filtered.
    """
    actions = list(
        _with_last_update(plan_actions(plan, status=status, element=element))
        .select_related("owner", "lead_organisation")
        .prefetch_related("depends_on")
        .order_by("aim__position", "aim_id", "position", "id")
    )
    attach_tags(actions)
    by_aim: dict[int, list[Action]] = defaultdict(list)
    for action in actions:
        action.tag_class = STATUS_TAG_CLASSES[action.status]
        by_aim[action.aim_id].append(action)
    filtered = bool(status or element)
    return [
        AimRow(aim=aim, actions=by_aim.get(aim.pk, []))
        for aim in plan.aims.order_by("position", "id")
        if by_aim.get(aim.pk) or not filtered
    ]


def attach_tags(actions: list[Action]) -> None:
    """Set ``elements`` on each action: the strategy elements it is tagged to (one query)."""
    content_type = ContentType.objects.get_for_model(Action)
    tags = (
        Tag.objects.filter(content_type=content_type, object_id__in=[a.pk for a in actions])
        .select_related("element")
        .order_by("element__kind", "element__position")
    )
    by_action = defaultdict(list)
    for tag in tags:
        by_action[tag.object_id].append(tag.element)
    for action in actions:
        action.elements = by_action.get(action.pk, [])


def status_counts(plan: Plan) -> list[tuple[str, str, str, int]]:
    """(status, label, tag class, number of actions) for every status, in order."""
    counts = dict(
        Action.objects.filter(aim__plan=plan)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return [
        (value, label, STATUS_TAG_CLASSES[value], counts.get(value, 0))
        for value, label in Action.Status.choices
    ]


def tag_choices() -> list[Element]:
    """The active strategy's priorities and enablers, for filters and forms."""
    return list(active_elements().filter(kind__in=TAGGABLE_KINDS))


def action_elements(action: Action) -> list[Element]:
    return list(tags_for(action))


def action_updates(action: Action) -> QuerySet[ProgressUpdate]:
    return action.updates.select_related("by").order_by("-at", "-id")


def incomplete_dependencies(action: Action) -> list[Action]:
    return list(action.depends_on.exclude(status=Action.Status.COMPLETE).order_by("id"))


@dataclass
class Change:
    at: object
    by: str
    kind: str
    changes: list[tuple[str, str, str]]


_HISTORY_FIELDS = (
    "description",
    "aim",
    "leadership",
    "lead_organisation",
    "owner",
    "timescale",
    "starts_on",
    "ends_on",
    "outcomes",
    "status",
    "update_every_days",
)


def action_changes(action: Action, limit: int = 50) -> list[Change]:
    """The change log from django-simple-history, newest first: who changed which fields,
    with people, organisations and aims by name (three queries at most for those)."""
    records = list(
        action.history.select_related("history_user").order_by("-history_id")[: limit + 1]
    )
    labels = {name: Action._meta.get_field(name).verbose_name for name in _HISTORY_FIELDS}
    raw = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, included_fields=list(_HISTORY_FIELDS))
            changes = [(c.field, c.old, c.new) for c in delta.changes]
            if not changes:
                continue  # only next-update bookkeeping changed
        raw.append((record, changes))
    names = _related_names([change for _, changes in raw for change in changes])
    log = []
    for record, changes in raw:
        user = record.history_user
        log.append(
            Change(
                at=record.history_date,
                by=user.full_name if user else "the system",
                kind=record.get_history_type_display(),
                changes=[
                    (
                        labels[name].capitalize(),
                        _shown(names.get((name, old), old)),
                        _shown(names.get((name, new), new)),
                    )
                    for name, old, new in changes
                ],
            )
        )
    return log


def _related_names(changes) -> dict[tuple[str, object], str]:
    """{(field, id): name} for the people, organisations and aims named in ``changes``."""
    from hub.accounts.models import User
    from hub.organisations.models import Organisation

    wanted: dict[str, set] = defaultdict(set)
    for name, old, new in changes:
        if name in ("owner", "lead_organisation", "aim"):
            wanted[name].update(v for v in (old, new) if v is not None)
    found = {}
    sources = {
        "owner": (User, "full_name"),
        "lead_organisation": (Organisation, "name"),
        "aim": (Aim, "title"),
    }
    for name, ids in wanted.items():
        model, attribute = sources[name]
        for pk, label in model.objects.filter(pk__in=ids).values_list("pk", attribute):
            found[(name, pk)] = label
    return found


def _shown(value) -> str:
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    label = dict(Action.Status.choices).get(value) if isinstance(value, str) else None
    text = str(label or value)
    return text if len(text) <= 120 else text[:119] + "…"


def _scoped(user) -> QuerySet[Action]:
    actions = Action.objects.exclude(status=Action.Status.COMPLETE)
    if not is_plan_manager(user):
        actions = actions.filter(owner=user)
    return actions.select_related("aim__plan", "owner")


def overdue_actions(user, today: date | None = None) -> QuerySet[Action]:
    """Actions past their end date and not complete: all for plan managers, else the user's."""
    today = today or timezone.localdate()
    return _scoped(user).filter(ends_on__lt=today).order_by("ends_on", "id")


def stale_actions(user, today: date | None = None) -> QuerySet[Action]:
    """Actions whose progress update fell due before today and is not in."""
    today = today or timezone.localdate()
    return _scoped(user).filter(next_update_due__lt=today).order_by("next_update_due", "id")


def owns_actions(user) -> bool:
    return Action.objects.filter(owner=user).exists()


def may_update_some_action(user) -> bool:
    """Plan managers, and anyone who owns an action, may send progress updates in bulk."""
    return is_plan_manager(user) or owns_actions(user)
