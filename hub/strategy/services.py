"""Writes about strategies: loading packs, editing elements, tagging records."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.text import slugify

from hub.strategy.models import Element, Strategy, Tag

PACKS_DIR = Path(__file__).resolve().parent / "packs"
_KINDS = [kind.value for kind in Element.Kind]


class PackError(ValueError):
    """A strategy pack that cannot be loaded; the message says where and why."""


@dataclass
class PackResult:
    strategy: Strategy
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def available_packs() -> list[str]:
    return sorted(p.stem for p in PACKS_DIR.glob("*.yaml"))


def _read_pack(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PackError(f"{path.name}: cannot be read as YAML ({exc})") from exc
    if not isinstance(data, dict):
        raise PackError(f"{path.name}: expected a mapping with slug, name and elements")
    for key in ("slug", "name"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise PackError(f"{path.name}: '{key}' is missing")
    for kind in _KINDS:
        items = data.get(kind, [])
        if not isinstance(items, list):
            raise PackError(f"{path.name}: '{kind}' must be a list")
        for n, item in enumerate(items, start=1):
            if not isinstance(item, dict) or not str(item.get("name", "")).strip():
                raise PackError(f"{path.name}: {kind} number {n} has no name")
    return data


def strategy_load_pack(*, name: str, activate: bool = True, path: Path | None = None) -> PackResult:
    """Create or update the strategy in pack ``name`` (``packs/NAME.yaml``) and its elements.

    Idempotent: loading the same pack twice changes nothing the second time. Elements
    are matched by kind and slug, so edits made in the hub to descriptions are
    overwritten by the pack but tags to existing elements are kept.
    """
    path = path or PACKS_DIR / f"{name}.yaml"
    if not path.exists():
        raise PackError(
            f"No strategy pack called '{name}'. Available: {', '.join(available_packs())}"
        )
    data = _read_pack(path)
    with transaction.atomic():
        strategy, _ = Strategy.objects.get_or_create(
            slug=data["slug"], defaults={"name": data["name"]}
        )
        fields = {
            "name": data["name"].strip(),
            "summary": str(data.get("summary", "")).strip(),
            "source": str(data.get("source", "")).strip(),
            "adopted_on": data.get("adopted_on")
            if isinstance(data.get("adopted_on"), date)
            else None,
        }
        if any(getattr(strategy, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(strategy, k, v)
            strategy.save()
        result = PackResult(strategy=strategy)
        for kind in _KINDS:
            for position, item in enumerate(data.get(kind, []), start=1):
                wanted = {
                    "name": str(item["name"]).strip(),
                    "description": str(item.get("description", "")).strip(),
                    "position": position,
                }
                element, made = Element.objects.get_or_create(
                    strategy=strategy,
                    kind=kind,
                    slug=slugify(item.get("slug") or item["name"])[:100],
                    defaults=wanted,
                )
                if made:
                    result.created += 1
                elif any(getattr(element, k) != v for k, v in wanted.items()):
                    for k, v in wanted.items():
                        setattr(element, k, v)
                    element.save()
                    result.updated += 1
                else:
                    result.unchanged += 1
        if activate and not strategy.is_active:
            strategy_activate(strategy=strategy)
    return result


@transaction.atomic
def strategy_activate(*, strategy: Strategy) -> Strategy:
    """Make ``strategy`` the one the hub works to (the database allows only one)."""
    Strategy.objects.select_for_update().filter(is_active=True).exclude(pk=strategy.pk).update(
        is_active=False
    )
    strategy.is_active = True
    strategy.save(update_fields=["is_active", "updated_at"])
    return strategy


@transaction.atomic
def element_save(*, element: Element) -> Element:
    """Validate and save a new or edited element; a new one gets a slug from its name."""
    if not element.slug:
        element.slug = slugify(element.name)[:100] or "element"
    if not element.position:
        last = (
            Element.objects.filter(strategy=element.strategy, kind=element.kind)
            .order_by("-position")
            .values_list("position", flat=True)
            .first()
        )
        element.position = (last or 0) + 1
    try:
        element.full_clean()
    except ValidationError as exc:
        if "__all__" in exc.message_dict:
            kind = element.get_kind_display().lower()
            article = "an" if kind[0] in "aeiou" else "a"
            raise ValidationError(
                {"name": f"This strategy already has {article} {kind} with that name"}
            ) from exc
        raise
    element.save()
    return element


@transaction.atomic
def tags_set(*, obj: models.Model, elements) -> list[Element]:
    """Tag ``obj`` to exactly ``elements`` (adding and removing as needed)."""
    content_type = ContentType.objects.get_for_model(obj)
    wanted = {e.pk for e in elements}
    current = set(
        Tag.objects.filter(content_type=content_type, object_id=obj.pk).values_list(
            "element_id", flat=True
        )
    )
    Tag.objects.filter(
        content_type=content_type, object_id=obj.pk, element_id__in=current - wanted
    ).delete()
    Tag.objects.bulk_create(
        [
            Tag(content_type=content_type, object_id=obj.pk, element_id=pk)
            for pk in wanted - current
        ],
        ignore_conflicts=True,
    )
    return list(Element.objects.filter(pk__in=wanted))
