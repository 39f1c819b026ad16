"""Boundaries as shapely geometries: reading, checking and repairing GeoJSON polygons.

Pure shapely, no Django. Boundaries are WGS84 longitude/latitude, as GeoJSON
requires; no GeoDjango, so nothing here needs GDAL or PostGIS.
"""

import json
from collections.abc import Iterable

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity, make_valid

POLYGON_TYPES = ("Polygon", "MultiPolygon")


class GeometryError(ValueError):
    """A GeoJSON geometry this module cannot use; the message says why."""


def polygon_from_geojson(geometry: object) -> tuple[BaseGeometry, str | None]:
    """A valid 2D (Multi)Polygon from a GeoJSON geometry, and a note if it had to be repaired.

    Raises ``GeometryError`` for anything that is not a non-empty Polygon or
    MultiPolygon in longitude/latitude. An invalid polygon (a self-intersecting
    ring, say) is repaired with ``make_valid``; the note says what was wrong.
    """
    if not isinstance(geometry, dict):
        raise GeometryError("has no geometry object")
    kind = geometry.get("type")
    if kind not in POLYGON_TYPES:
        raise GeometryError(f"geometry is {_describe_type(kind)}; expected Polygon or MultiPolygon")
    try:
        polygon = shapely.force_2d(shape(geometry))
    except Exception as exc:  # shapely raises several types for malformed coordinates
        raise GeometryError(f"{kind} coordinates are malformed ({_first_line(exc)})") from exc
    if polygon.is_empty:
        raise GeometryError(f"{kind} has no coordinates")
    min_x, min_y, max_x, max_y = polygon.bounds
    if not (-180 <= min_x <= max_x <= 180 and -90 <= min_y <= max_y <= 90):
        raise GeometryError(
            "coordinates are not longitude and latitude (is the file in British National "
            "Grid? Export it as WGS84, EPSG:4326)"
        )
    if polygon.is_valid:
        return polygon, None
    problem = explain_validity(polygon)
    repaired = polygonal_part(make_valid(polygon))
    if repaired.is_empty:
        raise GeometryError(f"geometry is invalid ({problem}) and cannot be repaired")
    return repaired, f"geometry was invalid ({problem}) and has been repaired"


def polygonal_part(geometry: BaseGeometry) -> BaseGeometry:
    """Only the polygons in ``geometry``: make_valid can add stray lines and points."""
    if isinstance(geometry, Polygon | MultiPolygon):
        return geometry
    polygons: list[Polygon] = []
    for part in getattr(geometry, "geoms", ()):
        if isinstance(part, Polygon):
            polygons.append(part)
        elif isinstance(part, MultiPolygon):
            polygons.extend(part.geoms)
    if not polygons:
        return Polygon()
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


def to_geojson(geometry: BaseGeometry) -> dict:
    """``geometry`` as a plain GeoJSON dict (lists, not tuples), as a JSONField returns it."""
    return json.loads(json.dumps(mapping(geometry)))


def label_point(geometry: BaseGeometry) -> tuple[float, float]:
    """(lat, lon) of a point inside ``geometry``: its centroid if that is inside, else a
    representative point (a crescent-shaped ward's centroid can lie in its neighbour)."""
    point = geometry.centroid
    if not geometry.contains(point):
        point = geometry.representative_point()
    return round(point.y, 6), round(point.x, 6)


def largest_overlap(
    geometry: BaseGeometry, candidates: Iterable[tuple[str, BaseGeometry]]
) -> str | None:
    """The code of the candidate that shares most area with ``geometry``, or None.

    Ties go to the lowest code. Areas are compared in square degrees, which is fine
    for ranking neighbours at the same latitude.
    """
    best_code, best_area = None, 0.0
    for code, candidate in sorted(candidates, key=lambda pair: pair[0]):
        if not candidate.intersects(geometry):
            continue
        overlap = candidate.intersection(geometry).area
        if overlap > best_area:
            best_code, best_area = code, overlap
    return best_code


def _describe_type(kind: object) -> str:
    if kind is None:
        return "missing"
    if isinstance(kind, str):
        return f"a {kind[:40]}"
    return "not named"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
