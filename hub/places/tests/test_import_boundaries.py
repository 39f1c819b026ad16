import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from shapely.geometry import Point, shape

from hub.places.models import Area
from hub.places.services import PlacesImportError, boundaries_import
from hub.places.tests.conftest import DISTRICT_CODE, LSOAS_FILE, WARDS_FILE

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-1.4, 53.2], [-1.3, 53.2], [-1.3, 53.3], [-1.4, 53.3], [-1.4, 53.2]]],
}


def _import_wards(path, **kwargs):
    return boundaries_import(
        path=path, level=Area.Level.WARD, code_field="WD13CD", name_field="WD13NM", **kwargs
    )


def _write(tmp_path, document, name="areas.geojson"):
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def _feature(code="E05000001", name="Somewhere", geometry=None, **extra):
    properties = {"WD13CD": code, "WD13NM": name, **extra}
    return {"type": "Feature", "properties": properties, "geometry": geometry or SQUARE}


def _collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def _snapshot():
    return sorted(
        (a.code, a.name, a.level, a.parent_id, json.dumps(a.boundary), a.centroid_lat, a.updated_at)
        for a in Area.objects.all()
    )


def test_it_imports_the_19_real_chesterfield_wards(db, wards_dir):
    result = _import_wards(wards_dir / WARDS_FILE)

    assert (result.created, result.updated, result.unchanged) == (19, 0, 0)
    wards = Area.objects.filter(level=Area.Level.WARD)
    assert wards.count() == 19
    spire = wards.get(code="E05003339")
    assert spire.name == "St Leonard's"
    assert spire.boundary["type"] == "Polygon"
    for ward in wards:
        # The centroid recorded is a point inside the ward, for labels and distances.
        assert shape(ward.boundary).contains(Point(ward.centroid_lon, ward.centroid_lat))


def test_it_imports_the_69_lsoas_each_under_the_ward_it_overlaps_most(chesterfield):
    lsoas = Area.objects.filter(level=Area.Level.LSOA).select_related("parent")

    assert lsoas.count() == 69
    assert all(lsoa.parent.level == Area.Level.WARD for lsoa in lsoas)
    for lsoa in lsoas:
        outline = shape(lsoa.boundary)
        overlap = outline.intersection(shape(lsoa.parent.boundary)).area
        assert overlap > 0.5 * outline.area
    wards = Area.objects.filter(level=Area.Level.WARD)
    assert {ward.parent.code for ward in wards} == {DISTRICT_CODE}
    assert sum(ward.children.count() for ward in wards) == 69


def test_it_changes_nothing_when_the_same_file_is_imported_again(chesterfield, wards_dir):
    before = _snapshot()
    history_before = Area.history.count()

    wards = _import_wards(wards_dir / WARDS_FILE)
    lsoas = boundaries_import(
        path=wards_dir / LSOAS_FILE,
        level=Area.Level.LSOA,
        code_field="LSOA11CD",
        name_field="LSOA11NM",
    )

    assert (wards.created, wards.updated, wards.unchanged) == (0, 0, 19)
    assert (lsoas.created, lsoas.updated, lsoas.unchanged) == (0, 0, 69)
    assert _snapshot() == before
    assert Area.history.count() == history_before
    assert Area.objects.count() == 1 + 19 + 69


def test_it_updates_only_the_areas_that_changed(chesterfield_wards, wards_dir, tmp_path):
    collection = json.loads((wards_dir / WARDS_FILE).read_text())
    collection["features"][0]["properties"]["WD13NM"] = "Barrow Hill"

    result = _import_wards(_write(tmp_path, collection))

    assert (result.created, result.updated, result.unchanged) == (0, 1, 18)
    assert Area.objects.get(code="E05003323").name == "Barrow Hill"
    assert Area.objects.count() == 19


def test_it_sets_the_parent_given(db, tmp_path):
    boundaries_import(
        path=_write(
            tmp_path,
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": "E07000034", "name": "Chesterfield"},
                        "geometry": SQUARE,
                    }
                ],
            },
            "district.geojson",
        ),
        level=Area.Level.DISTRICT,
        code_field="code",
        name_field="name",
    )

    _import_wards(
        _write(
            tmp_path,
            _collection(
                _feature(
                    geometry={"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
                )
            ),
        ),
        parent_code="e07000034",
    )

    assert Area.objects.get(code="E05000001").parent.code == "E07000034"


def test_it_keeps_a_parent_when_there_is_nothing_to_choose_one_by(db, tmp_path):
    district = Area.objects.create(code="E07000034", name="Chesterfield", level=Area.Level.DISTRICT)
    path = _write(tmp_path, _collection(_feature()))
    _import_wards(path, parent_code=district.code)

    result = _import_wards(path)

    assert result.unchanged == 1
    assert Area.objects.get(code="E05000001").parent == district


def test_it_repairs_an_invalid_polygon_and_says_so(db, tmp_path):
    bow_tie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}

    result = _import_wards(_write(tmp_path, _collection(_feature(geometry=bow_tie))))

    assert result.created == 1
    assert (
        "Feature 1 of 1 (E05000001): geometry was invalid (Self-intersection" in result.warnings[0]
    )
    repaired = shape(Area.objects.get().boundary)
    assert repaired.is_valid and repaired.geom_type == "MultiPolygon"


def test_it_accepts_multipolygons_and_drops_a_third_dimension(db, tmp_path):
    islands = {
        "type": "MultiPolygon",
        "coordinates": [
            [[[0, 0, 5], [1, 0, 5], [1, 1, 5], [0, 0, 5]]],
            [[[2, 2, 5], [3, 2, 5], [3, 3, 5], [2, 2, 5]]],
        ],
    }

    _import_wards(_write(tmp_path, _collection(_feature(geometry=islands))))

    boundary = Area.objects.get().boundary
    assert boundary["type"] == "MultiPolygon"
    assert len(boundary["coordinates"][0][0][0]) == 2


BAD_FILES = [
    ("not json", "{ this is not json", "The file is not JSON: Expecting property name"),
    ("a list", "[1, 2, 3]", "not a GeoJSON FeatureCollection"),
    ("a single feature", json.dumps(_feature()), "not a GeoJSON FeatureCollection"),
    ("no features", json.dumps(_collection()), "has no features"),
    (
        "not a feature",
        json.dumps(_collection(_feature(), "hello")),
        "Feature 2 of 2: is not a GeoJSON Feature",
    ),
    (
        "a feature missing the code",
        json.dumps(
            _collection(
                _feature(),
                {"type": "Feature", "properties": {"WD13NM": "Nowhere"}, "geometry": SQUARE},
            )
        ),
        "Feature 2 of 2: has no 'WD13CD' property (it has: WD13NM)",
    ),
    (
        "an empty name",
        json.dumps(_collection(_feature(name="  "))),
        "Feature 1 of 1 (E05000001): the 'WD13NM' property is empty",
    ),
    (
        "a huge name",
        json.dumps(_collection(_feature(name="x" * 100_000))),
        "the 'WD13NM' property is 100,000 characters; at most 200",
    ),
    (
        "a huge code",
        json.dumps(_collection(_feature(code="E" * 50))),
        "the 'WD13CD' property is 50 characters; at most 12",
    ),
    (
        "a point",
        json.dumps(
            _collection(
                _feature(),
                _feature(code="E05000002", geometry={"type": "Point", "coordinates": [-1.4, 53.2]}),
            )
        ),
        "Feature 2 of 2 (E05000002): geometry is a Point; expected Polygon or MultiPolygon",
    ),
    (
        "no geometry",
        json.dumps(_collection({**_feature(), "geometry": None})),
        "Feature 1 of 1 (E05000001): has no geometry object",
    ),
    (
        "broken coordinates",
        json.dumps(
            _collection(_feature(geometry={"type": "Polygon", "coordinates": [[["a", "b"]]]}))
        ),
        "Feature 1 of 1 (E05000001): Polygon coordinates are malformed",
    ),
    (
        "British National Grid",
        json.dumps(
            _collection(
                _feature(
                    geometry={
                        "type": "Polygon",
                        "coordinates": [
                            [[438000, 371000], [439000, 371000], [439000, 372000], [438000, 371000]]
                        ],
                    }
                )
            )
        ),
        "coordinates are not longitude and latitude (is the file in British National Grid?",
    ),
    (
        "a repeated code",
        json.dumps(_collection(_feature(), _feature(name="Again"))),
        "Feature 2 of 2 (E05000001): the code E05000001 is also on feature 1",
    ),
    (
        "deeply nested",
        "[" * 100_000 + "]" * 100_000,
        "The file is not GeoJSON: it is nested too deeply",
    ),
    (
        "binary",
        b"\xff\xfe\x00\x01garbage".decode("latin-1"),
        "The file is not UTF-8 text, so it is not GeoJSON",
    ),
]


@pytest.mark.parametrize(
    ("problem", "content", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES]
)
def test_it_changes_nothing_for_a_bad_file_and_names_the_problem(
    chesterfield_wards, tmp_path, problem, content, message
):
    before = _snapshot()
    path = tmp_path / "bad.geojson"
    path.write_bytes(content.encode("latin-1") if problem == "binary" else content.encode())

    with pytest.raises(PlacesImportError, match=re.escape(message)):
        _import_wards(path)

    assert _snapshot() == before


def test_it_changes_nothing_when_a_late_feature_is_bad(chesterfield_wards, wards_dir, tmp_path):
    before = _snapshot()
    collection = json.loads((wards_dir / WARDS_FILE).read_text())
    collection["features"][0]["properties"]["WD13NM"] = "Renamed"
    collection["features"].append(
        _feature(code="E05999999", geometry={"type": "LineString", "coordinates": [[0, 0], [1, 1]]})
    )

    with pytest.raises(
        PlacesImportError, match=r"Feature 20 of 20 \(E05999999\): geometry is a LineString"
    ):
        _import_wards(_write(tmp_path, collection))

    assert _snapshot() == before


def test_it_refuses_a_code_already_used_at_another_level(chesterfield_wards, tmp_path):
    before = _snapshot()
    clash = _collection(
        {
            "type": "Feature",
            "properties": {"LSOA11CD": "E05003339", "LSOA11NM": "Clash"},
            "geometry": SQUARE,
        }
    )

    with pytest.raises(
        PlacesImportError,
        match=re.escape("Feature 1 of 1 (E05003339): that code is already a ward"),
    ):
        boundaries_import(
            path=_write(tmp_path, clash),
            level=Area.Level.LSOA,
            code_field="LSOA11CD",
            name_field="LSOA11NM",
        )

    assert _snapshot() == before


@pytest.mark.parametrize(
    ("parent_code", "message"),
    [
        ("E07999999", "The parent code E07999999 is not an area in the hub"),
        ("E05003339", "is a ward; a ward's parent must be a district"),
    ],
)
def test_it_refuses_a_parent_that_is_unknown_or_at_the_wrong_level(
    chesterfield_wards, tmp_path, parent_code, message
):
    before = _snapshot()

    with pytest.raises(PlacesImportError, match=message):
        _import_wards(_write(tmp_path, _collection(_feature())), parent_code=parent_code)

    assert _snapshot() == before


def test_it_refuses_a_parent_for_a_district_and_an_unknown_level(db, tmp_path):
    path = _write(tmp_path, _collection(_feature()))

    with pytest.raises(PlacesImportError, match="A district has no parent area"):
        boundaries_import(
            path=path,
            level=Area.Level.DISTRICT,
            code_field="WD13CD",
            name_field="WD13NM",
            parent_code="E1",
        )
    with pytest.raises(
        PlacesImportError, match="level 'county' is not one of district, ward, lsoa"
    ):
        boundaries_import(path=path, level="county", code_field="WD13CD", name_field="WD13NM")
    with pytest.raises(PlacesImportError, match="There is no file at"):
        _import_wards(tmp_path / "missing.geojson")
    assert not Area.objects.exists()


def test_the_command_imports_and_prints_a_summary(db, wards_dir, capsys):
    call_command(
        "import_boundaries",
        str(wards_dir / WARDS_FILE),
        "--level",
        "ward",
        "--code-field",
        "WD13CD",
        "--name-field",
        "WD13NM",
    )
    call_command(
        "import_boundaries",
        str(wards_dir / WARDS_FILE),
        "--level",
        "ward",
        "--code-field",
        "WD13CD",
        "--name-field",
        "WD13NM",
    )

    out = capsys.readouterr().out
    assert "Wards: 19 created, 0 updated, 0 unchanged" in out
    assert "Wards: 0 created, 0 updated, 19 unchanged" in out


def test_the_command_fails_with_the_problem_on_a_bad_file(db, wards_dir):
    with pytest.raises(
        CommandError,
        match=re.escape("Nothing was imported. Feature 1 of 19: has no 'NAME' property"),
    ):
        call_command(
            "import_boundaries",
            str(wards_dir / WARDS_FILE),
            "--level",
            "ward",
            "--code-field",
            "NAME",
            "--name-field",
            "WD13NM",
        )
    assert not Area.objects.exists()
