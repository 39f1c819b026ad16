import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from hub.places.maps import PALETTE, choropleth, choropleth_svg, classify, format_number
from hub.places.tests.conftest import LSOAS_FILE, WARDS_FILE

SVG = "{http://www.w3.org/2000/svg}"


@dataclass
class Place:
    code: str
    name: str
    boundary: dict | None


def _square(x, y, size=0.01):
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def _grid(count):
    return [
        Place(f"E0500{i:04d}", f"Ward {i}", _square(-1.5 + (i % 5) * 0.01, 53.2 + (i // 5) * 0.01))
        for i in range(count)
    ]


def _real(wards_dir, filename, code_field, name_field):
    collection = json.loads((wards_dir / filename).read_text())
    return [
        Place(f["properties"][code_field], f["properties"][name_field], f["geometry"])
        for f in collection["features"]
    ]


def _parse(svg):
    return ET.fromstring(str(svg))


def _areas(root):
    return [
        p for p in root.iter(f"{SVG}path") if "hub-choropleth__area" in p.get("class", "").split()
    ]


def test_it_draws_one_titled_path_per_area_with_an_accessible_name(wards_dir):
    wards = _real(wards_dir, WARDS_FILE, "WD13CD", "WD13NM")
    values = {ward.code: index for index, ward in enumerate(wards)}

    svg = choropleth_svg(
        areas=wards,
        values=values,
        title="Requests by ward",
        description="Darker wards made more requests.",
        unit="requests",
    )

    root = _parse(svg)
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}title").text == "Requests by ward"
    assert root.find(f"{SVG}desc").get("id") == desc_id
    paths = _areas(root)
    assert len(paths) == 19
    assert sorted(p.get("data-code") for p in paths) == sorted(w.code for w in wards)
    leonards = next(p for p in paths if p.get("data-code") == "E05003339")
    assert leonards.find(f"{SVG}title").text == f"St Leonard's: {values['E05003339']} requests"


def test_it_keys_five_classes_that_do_not_overlap(wards_dir):
    wards = _real(wards_dir, WARDS_FILE, "WD13CD", "WD13NM")
    values = {ward.code: (index + 1) * 10 for index, ward in enumerate(wards)}

    root = _parse(choropleth_svg(areas=wards, values=values, title="T", description="D", unit="%"))

    key = [t.text for t in root.iter(f"{SVG}text")]
    assert key == ["10% to 40%", "50% to 80%", "90% to 120%", "130% to 160%", "170% to 190%"]
    fills = {p.get("fill") for p in _areas(root)}
    assert fills == set(PALETTE)


def test_it_hatches_areas_with_no_data_and_says_so():
    places = _grid(3)

    svg = choropleth_svg(
        areas=places, values={places[0].code: 5, places[1].code: None}, title="T", description="D"
    )

    root = _parse(svg)
    no_data = [p for p in _areas(root) if "hub-choropleth__area--no-data" in p.get("class")]
    assert len(no_data) == 2
    assert all(p.find(f"{SVG}title").text.endswith(": No data") for p in no_data)
    pattern_id = root.find(f"{SVG}defs/{SVG}pattern").get("id")
    hatched = [p for p in root.iter(f"{SVG}path") if p.get("fill") == f"url(#{pattern_id})"]
    assert len(hatched) == 2
    assert [t.text for t in root.iter(f"{SVG}text")] == ["5", "No data"]


def test_it_escapes_hostile_names_and_titles():
    places = [
        Place("E05000001", '<script>alert("x")</script>', _square(-1.4, 53.2)),
        Place('"><img src=x>', "Fine & dandy", _square(-1.3, 53.2)),
    ]

    svg = choropleth_svg(
        areas=places,
        values={"E05000001": 1},
        title="<script>alert(1)</script>",
        description="</desc><script>",
        unit="<b>",
        id_prefix='x"><script>',
    )

    assert "<script" not in svg
    assert "<img" not in svg
    root = _parse(svg)  # still well-formed XML
    assert root.find(f"{SVG}title").text == "<script>alert(1)</script>"
    assert _areas(root)[0].find(f"{SVG}title").text == '<script>alert("x")</script>: 1 <b>'
    assert root.get("aria-labelledby") == "xscript-title xscript-desc"


def test_it_keeps_69_lsoas_small(wards_dir):
    lsoas = _real(wards_dir, LSOAS_FILE, "LSOA11CD", "LSOA11NM")
    source_size = (wards_dir / LSOAS_FILE).stat().st_size

    svg = choropleth_svg(
        areas=lsoas,
        values={lsoa.code: i for i, lsoa in enumerate(lsoas)},
        title="LSOAs",
        description="D",
    )

    assert len(_areas(_parse(svg))) == 69
    assert len(svg) < 60_000 < source_size
    # Coordinates are tenths of a viewBox unit: nothing longer survives.
    assert not re.search(
        r"\d\.\d\d", re.sub(r'(font-family|viewBox|height|width|y)="[^"]*"', "", svg)
    )


def test_it_fits_the_map_to_the_view_box_without_stretching(wards_dir):
    wards = _real(wards_dir, WARDS_FILE, "WD13CD", "WD13NM")

    root = _parse(choropleth_svg(areas=wards, values={}, title="T", description="D", legend=False))

    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    assert width == 600
    # Chesterfield spans 0.183° of longitude and 0.087° of latitude at 53.26°N; east to
    # west is scaled by cos(53.26°) = 0.598, so the map is about 1.26 times as wide as tall.
    assert 1.2 < (width - 16) / (height - 16) < 1.32


def test_it_leaves_out_areas_without_boundaries_but_lists_them():
    places = [*_grid(2), Place("E05009999", "Unmapped", None)]

    result = choropleth(
        areas=places, values={"E05009999": 7}, title="T", description="D", value_label="Requests"
    )

    assert len(_areas(_parse(result.svg))) == 2
    assert [row.name for row in result.rows] == ["Ward 0", "Ward 1", "Unmapped"]
    assert result.rows[2].value_text == "7"


def test_it_draws_a_placeholder_when_nothing_has_a_boundary():
    root = _parse(
        choropleth_svg(areas=[Place("E1", "Nowhere", None)], values={}, title="T", description="D")
    )

    assert "No boundaries to draw" in [t.text for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize(
    ("values", "expected_steps", "ranges"),
    [
        ({}, {}, []),
        ({"a": None}, {"a": None}, []),
        ({"a": 3, "b": 3}, {"a": 3, "b": 3}, [(3, 3.0, 3.0)]),
        ({"a": 1, "b": 2}, {"a": 1, "b": 5}, [(1, 1.0, 1.0), (5, 2.0, 2.0)]),
        ({"a": 1, "b": 2, "c": 3}, {"a": 1, "b": 3, "c": 5}, [(1, 1, 1), (3, 2, 2), (5, 3, 3)]),
        ({"a": float("nan"), "b": Decimal("2.5")}, {"a": None, "b": 3}, [(3, 2.5, 2.5)]),
    ],
)
def test_it_spreads_few_classes_across_the_palette(values, expected_steps, ranges):
    classes = classify(values=values)

    assert classes.step_of == expected_steps
    assert classes.ranges == ranges


def test_it_keeps_equal_values_in_one_class():
    values = {f"a{i}": v for i, v in enumerate([1, 1, 1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 7])}

    classes = classify(values=values)

    assert len({classes.step_of[f"a{i}"] for i in range(8)}) == 1
    highs = [high for _, _, high in classes.ranges]
    lows = [low for _, low, _ in classes.ranges]
    assert all(high < low for high, low in zip(highs, lows[1:], strict=False))


@pytest.mark.parametrize("bad", ["12", True, [1], object()])
def test_it_refuses_values_that_are_not_numbers(bad):
    with pytest.raises(ValueError, match="map values must be numbers or None"):
        classify(values={"a": bad})


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (3.0, "3"), (1234567, "1,234,567"), (0.125, "0.12"), (2.5, "2.5"), (-0.001, "0")],
)
def test_it_formats_figures_for_people(value, text):
    assert format_number(value) == text


def test_the_include_puts_a_table_beside_the_map_and_needs_nothing_from_elsewhere(wards_dir):
    wards = _real(wards_dir, WARDS_FILE, "WD13CD", "WD13NM")
    values = {ward.code: i for i, ward in enumerate(wards) if i != 3}
    wards[0].name = "<script>alert(1)</script>"
    result = choropleth(
        areas=wards,
        values=values,
        title="Requests by ward",
        description="D",
        value_label="Requests",
        link=lambda area: f"/places/{area.code}/",
    )

    html = render_to_string("places/includes/choropleth.html", {"choropleth": result})

    assert html.count('<figure class="hub-choropleth">') == 1
    assert '<figcaption class="hub-choropleth__caption">Requests by ward</figcaption>' in html
    assert ">Requests by ward: the figures</caption>" in html
    assert html.count('<tr class="govuk-table__row">') == 1 + 19
    assert "St Leonard&#x27;s" in html
    assert '<a class="govuk-link" href="/places/E05003339/">' in html
    assert "<script" not in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html
    assert "hub-choropleth__swatch--1" in html
    assert "No data" in html
