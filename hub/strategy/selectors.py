"""Reads about strategies and tags. Other apps filter and count by strategy through these."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, QuerySet
from django.http import Http404

from hub.strategy.models import Element, Strategy, Tag


def active_strategy() -> Strategy | None:
    return Strategy.objects.filter(is_active=True).first()


def strategy_list() -> QuerySet[Strategy]:
    return Strategy.objects.annotate(element_count=Count("elements")).order_by("-is_active", "name")


def get_strategy(slug: str) -> Strategy:
    try:
        return Strategy.objects.get(slug=slug)
    except Strategy.DoesNotExist as exc:
        raise Http404("No such strategy") from exc


def get_element(pk: int) -> Element:
    try:
        return Element.objects.select_related("strategy").get(pk=pk)
    except Element.DoesNotExist as exc:
        raise Http404("No such part of the strategy") from exc


def elements_by_kind(strategy: Strategy) -> list[tuple[str, str, list[Element]]]:
    """(kind, plural label, elements) for each kind, in the strategy's order, one query."""
    elements = list(strategy.elements.order_by("kind", "position", "name"))
    labels = {
        Element.Kind.PRIORITY: "Priorities",
        Element.Kind.THEME: "Themes",
        Element.Kind.IMPACT_AREA: "Impact areas",
        Element.Kind.ENABLER: "Enablers",
    }
    return [
        (kind.value, labels[kind], [e for e in elements if e.kind == kind]) for kind in Element.Kind
    ]


def active_elements(kind: str | None = None) -> QuerySet[Element]:
    """Elements of the active strategy, for tagging forms and filters."""
    elements = Element.objects.filter(strategy__is_active=True)
    if kind:
        elements = elements.filter(kind=kind)
    return elements.order_by("kind", "position")


def tags_for(obj: models.Model) -> QuerySet[Element]:
    content_type = ContentType.objects.get_for_model(obj)
    return Element.objects.filter(tags__content_type=content_type, tags__object_id=obj.pk).order_by(
        "kind", "position"
    )


def filter_tagged(queryset: QuerySet, element: Element | int) -> QuerySet:
    """``queryset`` narrowed to records tagged to ``element`` (an indexed subquery)."""
    content_type = ContentType.objects.get_for_model(queryset.model)
    element_id = element.pk if isinstance(element, Element) else element
    ids = Tag.objects.filter(content_type=content_type, element_id=element_id).values("object_id")
    return queryset.filter(pk__in=ids)


def tag_counts(model: type[models.Model], kind: str | None = None) -> dict[int, int]:
    """How many records of ``model`` are tagged to each element: {element id: count}."""
    content_type = ContentType.objects.get_for_model(model)
    tags = Tag.objects.filter(content_type=content_type)
    if kind:
        tags = tags.filter(element__kind=kind)
    return dict(
        tags.values_list("element_id").annotate(n=Count("id")).values_list("element_id", "n")
    )
