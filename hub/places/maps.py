"""Choropleth maps drawn on the server as SVG: the same picture in a page and a PDF.

No JavaScript and nothing fetched from elsewhere. Every name and number is escaped
on the way in, so an area called ``<script>`` draws as text. Colour is never the
only way to read a map: each area has a ``<title>`` with its value, and the page
include (``places/includes/choropleth.html``) puts a table of the figures beside it.
"""

import hashlib
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

import numpy as np
import shapely
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

# Lightest to darkest, one hue so that every kind of colour vision reads the order as
# light to dark. These mirror $hub-choropleth-scale in frontend/src/hub.scss, whose
# hub-choropleth__area--N classes colour the map in a page; the fill attributes here
# colour it where that stylesheet is absent (a PDF, an e-mail, a file saved on its own).
PALETTE = ("#e6efef", "#b3d0cf", "#73a9a6", "#33817e", "#004a47")
CLASS_COUNT = len(PALETTE)
NO_DATA_FILL = "#f3f3f3"
HATCH_COLOUR = "#505a5f"
TEXT_COLOUR = "#0b0c0c"

MAP_WIDTH = 600.0
MAX_MAP_HEIGHT = 800.0
PADDING = 8.0
# Drop detail smaller than this, in viewBox units (the map is MAP_WIDTH across), so
# about a third of a pixel on a 600-pixel-wide map: invisible, yet it takes 69 LSOA
# boundaries from about 160 kB of GeoJSON to a few tens of kB of SVG.
SIMPLIFY_TOLERANCE = 0.5
LEGEND_ROW_HEIGHT = 26.0
LEGEND_SWATCH = 18.0
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"

Number = int | float | Decimal


class MapArea(Protocol):
    code: str
    name: str
    boundary: dict | None


@dataclass(frozen=True)
class LegendEntry:
    css_class: str
    colour: str
    label: str


@dataclass(frozen=True)
class MapRow:
    code: str
    name: str
    value: float | None
    value_text: str
    url: str | None


@dataclass(frozen=True)
class Choropleth:
    """Everything ``places/includes/choropleth.html`` needs to draw one map and its table."""

    title: str
    description: str
    value_label: str
    svg: SafeString
    legend: list[LegendEntry]
    rows: list[MapRow]
    no_data_swatch: SafeString


def choropleth_svg(
    *,
    areas: Iterable[MapArea],
    values: Mapping[str, Number | None],
    title: str,
    description: str,
    unit: str = "",
    legend: bool = True,
    id_prefix: str | None = None,
) -> SafeString:
    """A standalone SVG choropleth of ``areas`` coloured by ``values`` (keyed by area code).

    Guarantees: ``role="img"`` labelled by its ``<title>`` and ``<desc>``; one
    ``<path class="hub-choropleth__area">`` per area with a boundary, holding a
    ``<title>`` of its name and value; up to five classes of the values, with areas
    missing from ``values`` (or None) hatched as no data; with ``legend``, a key of
    the class ranges drawn inside the SVG. ``unit`` follows each figure ("%" directly,
    any other unit after a space). All text is escaped.
    """
    areas = list(areas)
    classes = classify(values={a.code: values.get(a.code) for a in areas})
    prefix = _id_prefix(id_prefix, title, areas)
    return _svg(
        areas=areas,
        classes=classes,
        title=title,
        description=description,
        unit=unit,
        legend=legend,
        prefix=prefix,
    )


def choropleth(
    *,
    areas: Iterable[MapArea],
    values: Mapping[str, Number | None],
    title: str,
    description: str,
    unit: str = "",
    value_label: str = "Value",
    link: Callable[[MapArea], str] | None = None,
    id_prefix: str | None = None,
) -> Choropleth:
    """The map, key and table rows for the page include, from the same classes.

    The SVG here has no key inside it: the include draws the key as HTML, which
    reflows and zooms with the page. ``link``, if given, makes each row's name a link.
    """
    areas = list(areas)
    classes = classify(values={a.code: values.get(a.code) for a in areas})
    prefix = _id_prefix(id_prefix, title, areas)
    svg = _svg(
        areas=areas,
        classes=classes,
        title=title,
        description=description,
        unit=unit,
        legend=False,
        prefix=prefix,
    )
    rows = [
        MapRow(
            code=area.code,
            name=area.name,
            value=classes.values[area.code],
            value_text=_value_text(classes.values[area.code], ""),
            url=link(area) if link else None,
        )
        for area in areas
    ]
    return Choropleth(
        title=title,
        description=description,
        value_label=value_label,
        svg=svg,
        legend=classes.legend(unit),
        rows=rows,
        no_data_swatch=_no_data_swatch(),
    )


@dataclass(frozen=True)
class Classes:
    """Values cut into at most five classes: which class each area is in, and ranges."""

    values: dict[str, float | None]
    step_of: dict[str, int | None]
    ranges: list[tuple[int, float, float]]

    def legend(self, unit: str) -> list[LegendEntry]:
        entries = [
            LegendEntry(
                css_class=f"hub-choropleth__swatch--{step}",
                colour=PALETTE[step - 1],
                label=_range_text(low, high, unit),
            )
            for step, low, high in self.ranges
        ]
        if any(step is None for step in self.step_of.values()):
            entries.append(LegendEntry("hub-choropleth__swatch--no-data", NO_DATA_FILL, "No data"))
        return entries


def classify(*, values: Mapping[str, Number | None]) -> Classes:
    """Cut ``values`` into at most five classes of about equal size (quantiles).

    Equal values always share a class, so with five or fewer distinct values each has
    its own. The classes use colours spread across the palette (two classes get the
    lightest and darkest), so a small number of classes stays easy to tell apart. Each
    range is the lowest and highest value actually in the class, so ranges never overlap.
    """
    clean: dict[str, float | None] = {code: _number(value) for code, value in values.items()}
    present = sorted(v for v in clean.values() if v is not None)
    distinct = sorted(set(present))
    if len(distinct) <= CLASS_COUNT:
        uppers = distinct
    else:
        count = len(present)
        cuts = [present[math.ceil(k * count / CLASS_COUNT) - 1] for k in range(1, CLASS_COUNT)]
        uppers = sorted({*cuts, present[-1]})
    members: dict[int, list[float]] = {}
    index_of: dict[str, int | None] = {}
    for code, value in clean.items():
        if value is None:
            index_of[code] = None
            continue
        index = next(i for i, upper in enumerate(uppers) if value <= upper)
        index_of[code] = index
        members.setdefault(index, []).append(value)
    used = sorted(members)
    steps = _spread(len(used))
    step_for_index = dict(zip(used, steps, strict=True))
    return Classes(
        values=clean,
        step_of={
            code: None if index is None else step_for_index[index]
            for code, index in index_of.items()
        },
        ranges=[(step_for_index[i], min(members[i]), max(members[i])) for i in used],
    )


def format_number(value: float) -> str:
    """A figure for people: thousands separated, at most two decimal places, no trailing 0s."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


# Drawing -------------------------------------------------------------------------------


def _svg(
    *,
    areas: list[MapArea],
    classes: Classes,
    title: str,
    description: str,
    unit: str,
    legend: bool,
    prefix: str,
) -> SafeString:
    drawable = [(area, _geometry(area)) for area in areas]
    drawable = [(area, geometry) for area, geometry in drawable if geometry is not None]
    projected, map_width, map_height = _project([geometry for _, geometry in drawable])
    hatch_id = f"{prefix}-hatch"
    parts: list[str] = []
    outlines: list[BaseGeometry] = []
    for (area, _), geometry in zip(drawable, projected, strict=True):
        d = _path_data(shapely.simplify(geometry, SIMPLIFY_TOLERANCE, preserve_topology=True))
        if not d:
            continue
        outlines.append(geometry)
        step = classes.step_of.get(area.code)
        value = classes.values.get(area.code)
        modifier = "no-data" if step is None else str(step)
        parts.append(
            format_html(
                '<path class="hub-choropleth__area hub-choropleth__area--{}" fill="{}" '
                'vector-effect="non-scaling-stroke" data-code="{}" d="{}">'
                "<title>{}: {}</title></path>",
                modifier,
                NO_DATA_FILL if step is None else PALETTE[step - 1],
                area.code,
                d,
                area.name,
                _value_text(value, unit),
            )
        )
        if step is None:
            # Hatching drawn over the area rather than as its fill, so the page's
            # stylesheet (which sets every area's fill) cannot hide it.
            parts.append(
                format_html(
                    '<path fill="url(#{})" stroke="none" pointer-events="none" d="{}"/>',
                    hatch_id,
                    d,
                )
            )
    if outlines:
        # A dark line round the whole map keeps its edge visible where the lightest
        # class meets a white page. Neighbouring boundaries rarely meet exactly, so
        # close the hairline gaps between them before taking the outline.
        edge = (
            shapely.union_all(outlines).buffer(1, join_style="mitre").buffer(-1, join_style="mitre")
        )
        edge = _path_data(shapely.simplify(edge, SIMPLIFY_TOLERANCE, preserve_topology=True))
        parts.append(
            format_html(
                '<path class="hub-choropleth__outline" fill="none" stroke="{}" '
                'stroke-width="1.5" vector-effect="non-scaling-stroke" pointer-events="none" '
                'd="{}"/>',
                TEXT_COLOUR,
                edge,
            )
        )
    else:
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-family="{}" font-size="16" fill="{}">No boundaries to '
                "draw</text>",
                PADDING,
                PADDING + 16,
                FONT,
                TEXT_COLOUR,
            )
        )
    height = map_height
    if legend:
        entries = classes.legend(unit)
        parts.append(_svg_legend(entries, top=map_height + PADDING, hatch_id=hatch_id))
        height += PADDING + LEGEND_ROW_HEIGHT * len(entries)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="hub-choropleth__svg" '
        'viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-labelledby="{p}-title {p}-desc" focusable="false">'
        '<title id="{p}-title">{title}</title><desc id="{p}-desc">{desc}</desc>'
        "<defs>{hatch}</defs>"
        # Shared by every area; an attribute on each path would repeat it 69 times.
        '<g stroke="#ffffff" stroke-width="1" fill-rule="evenodd">{body}</g></svg>',
        w=_n(map_width),
        h=_n(height),
        p=prefix,
        title=title,
        desc=description,
        hatch=_hatch_pattern(hatch_id),
        body=mark_safe("".join(parts)),  # each part was built by format_html
    )


def _project(geometries: list[BaseGeometry]) -> tuple[list[BaseGeometry], float, float]:
    """Equirectangular projection into viewBox units, longitude scaled by the cosine of
    the mean latitude so that a ward is not stretched east to west."""
    if not geometries:
        return [], MAP_WIDTH, 40.0
    min_x, min_y, max_x, max_y = shapely.total_bounds(np.array(geometries, dtype=object))
    squash = math.cos(math.radians((min_y + max_y) / 2))
    span_x = max((max_x - min_x) * squash, 1e-9)
    span_y = max(max_y - min_y, 1e-9)
    inner_width = MAP_WIDTH - 2 * PADDING
    scale = min(inner_width / span_x, (MAX_MAP_HEIGHT - 2 * PADDING) / span_y)
    offset_x = PADDING + (inner_width - span_x * scale) / 2

    def to_view(coords: np.ndarray) -> np.ndarray:
        x = offset_x + (coords[:, 0] - min_x) * squash * scale
        y = PADDING + (max_y - coords[:, 1]) * scale
        return np.column_stack((x, y))

    projected = [shapely.transform(geometry, to_view) for geometry in geometries]
    return projected, MAP_WIDTH, round(span_y * scale + 2 * PADDING, 1)


def _path_data(geometry: BaseGeometry) -> str:
    polygons: list[Polygon]
    if isinstance(geometry, Polygon):
        polygons = [geometry]
    elif isinstance(geometry, MultiPolygon):
        polygons = list(geometry.geoms)
    else:
        polygons = [g for g in getattr(geometry, "geoms", ()) if isinstance(g, Polygon)]
    rings = []
    for polygon in polygons:
        if polygon.is_empty:
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            # Whole tenths of a unit, so that steps between rounded points are exact.
            tenths = np.rint(np.asarray(ring.coords)[:-1] * 10).astype(np.int64)
            if len(tenths) > 1:
                # Rounding can make neighbours equal; repeated points only add bytes.
                tenths = tenths[np.any(tenths != np.roll(tenths, 1, axis=0), axis=1)]
            if len(tenths) < 3:
                continue
            # The first point absolute, the rest as relative steps: shorter numbers.
            steps = np.diff(tenths, axis=0).ravel().tolist()
            start_x, start_y = tenths[0].tolist()
            rings.append(f"M{_tenths(start_x)} {_tenths(start_y)}l{_join(steps)}z")
    return "".join(rings)


def _tenths(value: int) -> str:
    whole, tenth = divmod(abs(value), 10)
    text = f"{whole}.{tenth}" if tenth else str(whole)
    if text.startswith("0."):
        text = text[1:]
    return f"-{text}" if value < 0 else text


def _join(numbers: list[int]) -> str:
    # SVG needs no separator before a minus sign.
    parts = []
    for number in numbers:
        text = _tenths(number)
        parts.append(text if text.startswith("-") or not parts else f" {text}")
    return "".join(parts)


def _svg_legend(entries: list[LegendEntry], *, top: float, hatch_id: str) -> SafeString:
    rows = []
    for i, entry in enumerate(entries):
        y = top + i * LEGEND_ROW_HEIGHT
        no_data = entry.css_class.endswith("no-data")
        rows.append(
            format_html(
                '<rect x="{x}" y="{y}" width="{s}" height="{s}" fill="{fill}" stroke="{ink}" '
                'stroke-width="1"/><text x="{tx}" y="{ty}">{label}</text>',
                x=_n(PADDING),
                y=_n(y),
                s=_n(LEGEND_SWATCH),
                fill=f"url(#{hatch_id})" if no_data else entry.colour,
                ink=TEXT_COLOUR,
                tx=_n(PADDING + LEGEND_SWATCH + 10),
                ty=_n(y + 14),
                label=entry.label,
            )
        )
    return format_html(
        '<g class="hub-choropleth__svg-legend" font-family="{}" font-size="14" fill="{}">{}</g>',
        FONT,
        TEXT_COLOUR,
        mark_safe("".join(rows)),  # each row was built by format_html
    )


def _hatch_pattern(pattern_id: str) -> SafeString:
    return format_html(
        '<pattern id="{}" patternUnits="userSpaceOnUse" width="6" height="6" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="{}"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="{}" stroke-width="2"/></pattern>',
        pattern_id,
        NO_DATA_FILL,
        HATCH_COLOUR,
    )


def _no_data_swatch() -> SafeString:
    """The no-data key swatch as a small SVG: hatched, as the areas are."""
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 18 18" width="18" height="18" '
        'aria-hidden="true" focusable="false"><rect width="18" height="18" fill="{}"/>'
        '<path d="M-2 4L4 -2M-2 10L10 -2M-2 16L16 -2M2 20L20 2M8 20L20 8M14 20L20 14" '
        'stroke="{}" stroke-width="2"/></svg>',
        NO_DATA_FILL,
        HATCH_COLOUR,
    )


# Values and labels ---------------------------------------------------------------------


def _number(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"map values must be numbers or None, not {type(value).__name__}")
    number = float(value)
    return number if math.isfinite(number) else None


def _spread(count: int) -> list[int]:
    """Which of the five colours ``count`` classes use: spread from lightest to darkest."""
    if count == 0:
        return []
    if count == 1:
        return [3]
    return [1 + round(i * (CLASS_COUNT - 1) / (count - 1)) for i in range(count)]


def _with_unit(text: str, unit: str) -> str:
    if not unit:
        return text
    return f"{text}{unit}" if unit.startswith("%") else f"{text} {unit}"


def _value_text(value: float | None, unit: str) -> str:
    return "No data" if value is None else _with_unit(format_number(value), unit)


def _range_text(low: float, high: float, unit: str) -> str:
    if low == high:
        return _with_unit(format_number(low), unit)
    if unit.startswith("%"):
        # "10% to 40%", but "10 to 40 requests"
        return f"{_with_unit(format_number(low), unit)} to {_with_unit(format_number(high), unit)}"
    return _with_unit(f"{format_number(low)} to {format_number(high)}", unit)


def _geometry(area: MapArea) -> BaseGeometry | None:
    if not area.boundary:
        return None
    try:
        geometry = shape(area.boundary)
    except Exception:  # a boundary that cannot be drawn is left out, not fatal to the page
        return None
    return None if geometry.is_empty else geometry


def _id_prefix(given: str | None, title: str, areas: list[MapArea]) -> str:
    if given:
        cleaned = re.sub(r"[^A-Za-z0-9_-]", "", given)[:40]
        if cleaned and cleaned[0].isalpha():
            return cleaned
    # Stable, so a page or PDF renders the same each time; distinct for distinct maps.
    digest = hashlib.sha1(
        "\x1f".join([title, *(a.code for a in areas)]).encode(), usedforsecurity=False
    ).hexdigest()
    return f"map-{digest[:10]}"


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text
