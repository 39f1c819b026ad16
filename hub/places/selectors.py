"""Reads of areas and postcodes. Areas and postcodes are not personal data: every
member may see all of them, so nothing here filters by organisation."""

import threading

from django.db.models import Count, IntegerField, Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from shapely.geometry import shape

from hub.places.lookup import AreaIndex
from hub.places.models import Area, Postcode

_index_lock = threading.Lock()
_index_cache: dict[str, tuple[tuple, AreaIndex]] = {}


def area_index(*, level: str) -> AreaIndex:
    """An ``AreaIndex`` over every area of ``level`` that has a boundary.

    Built once per process and reused until the areas change: each call costs one
    aggregate query (count and latest ``updated_at``), and a rebuild when that
    differs. Every write through ``hub.places.services`` saves the model, so it
    moves ``updated_at`` and is seen; a raw ``QuerySet.update()`` of boundaries
    would not be.
    """
    with_boundary = Area.objects.filter(level=level, boundary__isnull=False)
    state = with_boundary.aggregate(count=Count("id"), latest=Max("updated_at"))
    key = (state["count"], state["latest"])
    with _index_lock:
        cached = _index_cache.get(level)
        if cached and cached[0] == key:
            return cached[1]
    index = AreaIndex(
        (code, shape(boundary))
        for code, boundary in with_boundary.values_list("code", "boundary").iterator()
    )
    with _index_lock:
        _index_cache[level] = (key, index)
    return index


def area_index_clear() -> None:
    """Forget every cached index (tests that rewrite areas behind the services' back)."""
    with _index_lock:
        _index_cache.clear()


def area_get_by_code(*, code: str) -> Area:
    """The area with ONS code ``code`` (any case), with its parent; ``Http404`` if none."""
    area = Area.objects.select_related("parent").filter(code=code.strip().upper()).first()
    if area is None:
        raise Http404("No area has that code")
    return area


def areas_with_counts(*, level: str | None = None, parent: Area | None = None) -> QuerySet:
    """Areas (of ``level``, or the children of ``parent``) in name order, each annotated
    with ``child_count`` (its smaller areas) and ``postcode_count`` (postcodes whose
    ward it is). One query however many areas, counted by subqueries so the two counts
    never multiply each other."""
    areas = Area.objects.all()
    if level is not None:
        areas = areas.filter(level=level)
    if parent is not None:
        areas = areas.filter(parent=parent)
    return areas.annotate(
        child_count=_count_of(Area.objects.filter(parent=OuterRef("pk")), "parent"),
        postcode_count=_count_of(Postcode.objects.filter(ward=OuterRef("pk")), "ward"),
    ).order_by("name", "code")


def postcode_counts_by_area(*, ward: Area, level: str) -> dict[str, int]:
    """How many of ``ward``'s postcodes lie in each area of ``level``, found by their
    coordinates (postcodes record only their ward). Two queries and an in-memory lookup."""
    points = list(
        Postcode.objects.filter(ward=ward, latitude__isnull=False, longitude__isnull=False)
        .values_list("latitude", "longitude")
        .iterator()
    )
    counts: dict[str, int] = {}
    if not points:
        return counts
    lats, lons = zip(*points, strict=True)
    for code in area_index(level=level).locate_many(lats, lons):
        if code is not None:
            counts[code] = counts.get(code, 0) + 1
    return counts


def _count_of(queryset: QuerySet, group_by: str) -> Coalesce:
    counted = queryset.order_by().values(group_by).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
