"""Writes for the risk register: registers and their risks.

Every level is checked against the register's scale (High/Medium/Low stored as 3/2/1, or
1 to 5 on a 5 × 5 matrix) before anything is saved, and refused with a message keyed by
the field. Changes to a risk are recorded by django-simple-history with the actor as the
person who made them.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify

from hub.plans.models import Action, Plan, Risk, RiskRegister

LEVEL_FIELDS = {
    "impact_before": "Impact before mitigation",
    "likelihood_before": "Likelihood before mitigation",
    "impact_after": "Impact after mitigation",
    "likelihood_after": "Likelihood after mitigation",
}


def _require(actor, permission: str, obj=None) -> None:
    if not actor.has_perm(permission, obj):
        raise PermissionDenied(f"Not allowed: {permission}")


def unique_slug(model, name: str, *, fallback: str) -> str:
    base = slugify(name)[:90].strip("-") or fallback
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def scale_message(label: str, scale_max: int) -> str:
    if scale_max == 3:
        return f"{label} must be High, Medium or Low"
    return f"{label} must be a whole number from 1 to {scale_max}"


def level_errors(register: RiskRegister, values: dict) -> dict[str, str]:
    """{field: message} for every level in ``values`` that is off ``register``'s scale."""
    errors = {}
    for name, label in LEVEL_FIELDS.items():
        value = values.get(name)
        on_scale = isinstance(value, int) and not isinstance(value, bool)
        if not on_scale or not 1 <= value <= register.scale_max:
            errors[name] = scale_message(label, register.scale_max)
    return errors


def register_create(*, actor, name: str, scale: str, plan: Plan | None = None) -> RiskRegister:
    """A new register for the actor's organisation (the host: only plan managers may)."""
    _require(actor, "plans.manage_risks")
    register = RiskRegister(
        name=(name or "").strip(),
        slug=unique_slug(RiskRegister, name or "", fallback="register"),
        plan=plan,
        organisation=actor.acting.organisation,
        scale=scale,
    )
    register.full_clean()
    register.save()
    return register


def _check(register: RiskRegister, fields: dict, actions: list[Action]) -> None:
    errors: dict[str, str] = level_errors(register, fields)
    if fields.get("trend") not in Risk.Trend.values:
        errors["trend"] = "Choose whether the risk is improving, stable or worsening"
    if register.plan_id and any(a.aim.plan_id != register.plan_id for a in actions):
        errors["mitigating_actions"] = (
            f"Choose actions from this register's plan, {register.plan.name}"
        )
    if errors:
        raise ValidationError(errors)


def _save(risk: Risk, *, actor, fields: dict, actions: list[Action]) -> Risk:
    original = {name: getattr(risk, name) for name in fields}
    for name, value in fields.items():
        setattr(risk, name, value)
    try:
        risk.full_clean()
    except ValidationError:
        for name, value in original.items():  # leave the caller's object as it was
            setattr(risk, name, value)
        raise
    risk._history_user = actor
    with transaction.atomic():
        risk.save()
        risk.mitigating_actions.set(actions)
    return risk


def _fields(
    *,
    title: str,
    category: str,
    owner,
    impact_before: int,
    likelihood_before: int,
    mitigation: str,
    impact_after: int,
    likelihood_after: int,
    review_on: date | None,
    trend: str,
    is_open: bool,
) -> dict:
    return {
        "title": (title or "").strip(),
        "category": (category or "").strip(),
        "owner": owner,
        "impact_before": impact_before,
        "likelihood_before": likelihood_before,
        "mitigation": (mitigation or "").strip(),
        "impact_after": impact_after,
        "likelihood_after": likelihood_after,
        "review_on": review_on,
        "trend": trend,
        "is_open": bool(is_open),
    }


def risk_create(*, actor, register: RiskRegister, mitigating_actions=(), **values) -> Risk:
    """A new risk on ``register``. Only plan managers add risks."""
    _require(actor, "plans.manage_risks")
    fields = _fields(**values)
    actions = list(mitigating_actions)
    _check(register, fields, actions)
    return _save(Risk(register=register), actor=actor, fields=fields, actions=actions)


def risk_update(*, actor, risk: Risk, mitigating_actions=(), **values) -> Risk:
    """Change ``risk``. Plan managers may change any risk; a risk's owner may change their
    own, but not give it to someone else."""
    _require(actor, "plans.update_risk", risk)
    fields = _fields(**values)
    owner = fields["owner"]
    if not actor.has_perm("plans.manage_risks") and (owner.pk if owner else None) != risk.owner_id:
        raise ValidationError({"owner": "Only a plan manager can give this risk to someone else"})
    actions = list(mitigating_actions)
    _check(risk.register, fields, actions)
    return _save(risk, actor=actor, fields=fields, actions=actions)
