"""Risk heat maps drawn on the server as SVG: the same picture in a page and in a PDF.

A heat map is a grid of impact (rows, highest at the top) by likelihood (columns, lowest
on the left) holding the number of risks in each cell, each cell coloured by the band of
its score (impact × likelihood). The SVG needs nothing else to look right: no
stylesheet, no classes, no script, nothing fetched; colours and fonts are presentation
attributes, so WeasyPrint draws it exactly as a browser does. Colour is never the only
way to read it: every cell shows its count and a letter for its band, the key names the
bands, and ``plans/risks/_heatmap.html`` puts a data table of the same numbers beside it.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

WORDS = {1: "Low", 2: "Medium", 3: "High"}
FONT = "'DejaVu Sans', 'Liberation Sans', Arial, sans-serif"
TEXT_COLOUR = "#0b0c0c"
GRID_LINE = "#ffffff"


@dataclass(frozen=True)
class Band:
    name: str
    letter: str
    low: int
    high: int
    fill: str

    @property
    def label(self) -> str:
        return f"{self.name} (score {self.low} to {self.high})"


# Light tints so that near-black text on every one of them passes WCAG AAA contrast.
_LOW = "#b7dbc6"
_MEDIUM = "#ffe27a"
_HIGH = "#f7b38e"
_VERY_HIGH = "#f08a84"

BANDS = {
    3: (
        Band("Low", "L", 1, 2, _LOW),
        Band("Medium", "M", 3, 4, _MEDIUM),
        Band("High", "H", 6, 9, _HIGH),
    ),
    5: (
        Band("Low", "L", 1, 4, _LOW),
        Band("Medium", "M", 5, 9, _MEDIUM),
        Band("High", "H", 10, 16, _HIGH),
        Band("Very high", "VH", 20, 25, _VERY_HIGH),
    ),
}


def level_label(value: int | None, scale_max: int) -> str:
    """A level as the register writes it: High/Medium/Low on three points, 1 to 5 on five."""
    if value is None:
        return ""
    if scale_max == 3:
        return WORDS.get(value, str(value))
    return str(value)


def band_for(score: int, scale_max: int) -> Band:
    bands = BANDS[scale_max]
    for band in bands:
        if score <= band.high:
            return band
    return bands[-1]


@dataclass(frozen=True)
class Cell:
    impact: int
    likelihood: int
    count: int
    band: Band

    @property
    def score(self) -> int:
        return self.impact * self.likelihood


@dataclass(frozen=True)
class Row:
    impact_label: str
    cells: list[Cell]


@dataclass(frozen=True)
class HeatMap:
    """Everything ``plans/risks/_heatmap.html`` needs: the picture and its table."""

    title: str
    description: str
    svg: SafeString
    likelihood_labels: list[str]
    rows: list[Row]
    legend: tuple[Band, ...]
    total: int


def _counts(pairs: Iterable[tuple[int, int]], scale_max: int) -> dict[tuple[int, int], int]:
    counts: dict[tuple[int, int], int] = {}
    for impact, likelihood in pairs:
        # Values off the scale cannot be placed; the services never store them.
        if 1 <= impact <= scale_max and 1 <= likelihood <= scale_max:
            counts[impact, likelihood] = counts.get((impact, likelihood), 0) + 1
    return counts


def _describe(counts: dict[tuple[int, int], int], scale_max: int, total: int) -> str:
    text = (
        "A grid of impact (rows, highest at the top) by likelihood (columns, lowest on the "
        f"left) giving the number of risks in each cell. {total} risk{'s' if total != 1 else ''}"
        " in all."
    )
    if total:
        impact, likelihood = max(counts, key=lambda k: (counts[k], k[0] * k[1]))
        text += (
            f" Most are at impact {level_label(impact, scale_max)}, likelihood "
            f"{level_label(likelihood, scale_max)} ({counts[impact, likelihood]})."
        )
        worst = max(counts, key=lambda k: (k[0] * k[1], k[0]))
        band = band_for(worst[0] * worst[1], scale_max)
        text += (
            f" The highest score is {worst[0] * worst[1]} ({band.name.lower()}), at impact "
            f"{level_label(worst[0], scale_max)}, likelihood {level_label(worst[1], scale_max)}."
        )
    return text


def heat_map(
    *, pairs: Iterable[tuple[int, int]], scale_max: int, title: str, id_prefix: str
) -> HeatMap:
    """The heat map of (impact, likelihood) ``pairs`` on a scale of 3 or 5.

    Guarantees: a standalone SVG with ``role="img"`` labelled by its ``<title>`` and
    ``<desc>`` (ids start with ``id_prefix``, so give each map on a page its own); one
    cell per impact and likelihood with its count; a key of the score bands; all text
    escaped. The table rows hold the same counts, impact from highest to lowest.
    """
    if scale_max not in BANDS:
        raise ValueError(f"A heat map needs a scale of 3 or 5, not {scale_max}")
    counts = _counts(pairs, scale_max)
    total = sum(counts.values())
    levels = range(1, scale_max + 1)
    rows = [
        Row(
            impact_label=level_label(impact, scale_max),
            cells=[
                Cell(
                    impact=impact,
                    likelihood=likelihood,
                    count=counts.get((impact, likelihood), 0),
                    band=band_for(impact * likelihood, scale_max),
                )
                for likelihood in levels
            ],
        )
        for impact in reversed(levels)
    ]
    description = _describe(counts, scale_max, total)
    return HeatMap(
        title=title,
        description=description,
        svg=_svg(rows, scale_max, title=title, description=description, prefix=id_prefix),
        likelihood_labels=[level_label(n, scale_max) for n in levels],
        rows=rows,
        legend=BANDS[scale_max],
        total=total,
    )


def _svg(rows: list[Row], scale_max: int, *, title: str, description: str, prefix: str):
    cell = 56 if scale_max == 3 else 42
    left, top = 72, 26
    grid = cell * scale_max
    legend_top = top + grid + 52
    legend_rows = len(BANDS[scale_max])
    width = left + grid + 12
    height = legend_top + legend_rows * 22 + 4
    parts: list[SafeString] = [
        format_html(
            '<text x="{}" y="{}" font-size="12" font-weight="bold" fill="{}">Impact</text>',
            4,
            top - 10,
            TEXT_COLOUR,
        )
    ]
    for r, row in enumerate(rows):
        y = top + r * cell
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="12" fill="{}">{}</text>',
                4,
                y + cell / 2 + 4,
                TEXT_COLOUR,
                row.impact_label,
            )
        )
        for c, item in enumerate(row.cells):
            x = left + c * cell
            risks = "risk" if item.count == 1 else "risks"
            parts.append(
                format_html(
                    "<g><title>Impact {}, likelihood {}: {} {} (score {}, {})</title>"
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="{}" '
                    'stroke-width="2"/>'
                    '<text x="{}" y="{}" font-size="{}" font-weight="bold" text-anchor="middle" '
                    'fill="{}">{}</text>'
                    '<text x="{}" y="{}" font-size="9" text-anchor="end" fill="{}">{}</text></g>',
                    row.impact_label,
                    level_label(item.likelihood, scale_max),
                    item.count,
                    risks,
                    item.score,
                    item.band.name.lower(),
                    x,
                    y,
                    cell,
                    cell,
                    item.band.fill,
                    GRID_LINE,
                    x + cell / 2,
                    y + cell / 2 + 6,
                    18 if scale_max == 3 else 15,
                    TEXT_COLOUR,
                    item.count,
                    x + cell - 4,
                    y + cell - 4,
                    TEXT_COLOUR,
                    item.band.letter,
                )
            )
    for c, label in enumerate(level_label(n, scale_max) for n in range(1, scale_max + 1)):
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="12" text-anchor="middle" fill="{}">{}</text>',
                left + c * cell + cell / 2,
                top + grid + 16,
                TEXT_COLOUR,
                label,
            )
        )
    parts.append(
        format_html(
            '<text x="{}" y="{}" font-size="12" font-weight="bold" text-anchor="middle" '
            'fill="{}">Likelihood</text>',
            left + grid / 2,
            top + grid + 34,
            TEXT_COLOUR,
        )
    )
    for n, band in enumerate(BANDS[scale_max]):
        y = legend_top + n * 22
        parts.append(
            format_html(
                '<rect x="4" y="{}" width="26" height="18" fill="{}" stroke="{}" '
                'stroke-width="1"/>'
                '<text x="17" y="{}" font-size="9" text-anchor="middle" fill="{}">{}</text>'
                '<text x="38" y="{}" font-size="12" fill="{}">{}</text>',
                y,
                band.fill,
                TEXT_COLOUR,
                y + 12,
                TEXT_COLOUR,
                band.letter,
                y + 13,
                TEXT_COLOUR,
                band.label,
            )
        )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" '
        'height="{h}" role="img" aria-labelledby="{p}-title {p}-desc" font-family="{font}">'
        '<title id="{p}-title">{title}</title><desc id="{p}-desc">{desc}</desc>{body}</svg>',
        w=width,
        h=height,
        p=prefix,
        font=FONT,
        title=title,
        desc=description,
        body=mark_safe("".join(parts)),  # each part was built by format_html
    )
