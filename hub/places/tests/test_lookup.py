import json
import math

import numpy as np
import pytest
from shapely.geometry import Point, Polygon, box, shape

from hub.places.lookup import AreaIndex
from hub.places.models import Area
from hub.places.selectors import area_index
from hub.places.services import boundaries_import
from hub.places.tests.conftest import WARDS_FILE

# The Crooked Spire (the Church of St Mary and All Saints), Chesterfield town centre.
# Checked against the 2013 ward boundaries with shapely: it lies about 270 m inside
# St Leonard's, away from the St Helen's boundary to its north.
CROOKED_SPIRE = (53.2358, -1.4250)


def test_it_finds_the_crooked_spire_in_st_leonards(chesterfield_wards):
    code = area_index(level=Area.Level.WARD).locate(*CROOKED_SPIRE)

    assert Area.objects.get(code=code).name == "St Leonard's"


def test_it_puts_every_lsoa_in_the_ward_its_parent_overlap_chose(chesterfield):
    index = area_index(level=Area.Level.WARD)
    lsoas = list(Area.objects.filter(level=Area.Level.LSOA).select_related("parent"))
    points = [shape(lsoa.boundary).representative_point() for lsoa in lsoas]

    found = index.locate_many([p.y for p in points], [p.x for p in points])

    assert len(lsoas) == 69
    assert found == [lsoa.parent.code for lsoa in lsoas]


def test_it_finds_no_area_for_points_outside_them_all(chesterfield_wards):
    index = area_index(level=Area.Level.WARD)

    westminster = (51.4995, -0.1248)
    assert index.locate(*westminster) is None
    assert index.locate_many([math.nan, 53.2358, math.inf], [-1.425, math.nan, -1.425]) == [
        None,
        None,
        None,
    ]


def test_it_agrees_with_testing_every_polygon_in_turn(chesterfield_wards):
    wards = [(ward.code, shape(ward.boundary)) for ward in chesterfield_wards]
    index = AreaIndex(wards)
    min_x, min_y, max_x, max_y = -1.49, 53.21, -1.30, 53.30
    rng = np.random.default_rng(2013)
    lats, lons = rng.uniform(min_y, max_y, 2000), rng.uniform(min_x, max_x, 2000)

    found = index.locate_many(lats, lons)

    expected = []
    for lat, lon in zip(lats, lons, strict=True):
        inside = sorted(code for code, polygon in wards if polygon.intersects(_point(lat, lon)))
        expected.append(inside[0] if inside else None)
    assert found == expected
    assert sum(code is not None for code in found) > 1000


def test_it_gives_a_point_on_a_shared_boundary_to_the_lowest_code():
    west, east = box(0, 0, 1, 1), box(1, 0, 2, 1)

    for areas in ([("B", east), ("A", west)], [("A", west), ("B", east)]):
        index = AreaIndex(areas)
        assert index.locate(0.5, 1.0) == "A"
        assert index.locate(0.5, 1.5) == "B"
        assert index.locate(0.5, 0.0) == "A"  # on the outer edge still counts


def test_it_settles_overlapping_areas_the_same_way_whatever_the_order():
    big, small = box(0, 0, 10, 10), box(4, 4, 6, 6)

    assert AreaIndex([("Z1", small), ("Y1", big)]).locate(5, 5) == "Y1"
    assert AreaIndex([("Y1", big), ("Z1", small)]).locate(5, 5) == "Y1"


def test_it_handles_holes_and_multipolygons():
    doughnut = Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(4, 4), (6, 4), (6, 6), (4, 6)]])
    index = AreaIndex(
        [("RING", doughnut), ("ISLANDS", box(20, 20, 21, 21).union(box(30, 30, 31, 31)))]
    )

    assert index.locate(5, 5) is None
    assert index.locate(2, 2) == "RING"
    assert index.locate(30.5, 30.5) == "ISLANDS"


def test_it_refuses_mismatched_and_duplicate_input():
    index = AreaIndex([("A", box(0, 0, 1, 1))])

    with pytest.raises(ValueError, match="2 latitudes but 1 longitudes"):
        index.locate_many([0.5, 0.5], [0.5])
    with pytest.raises(ValueError, match="only once"):
        AreaIndex([("A", box(0, 0, 1, 1)), ("A", box(1, 1, 2, 2))])
    with pytest.raises(ValueError, match=r"could not convert"):
        index.locate_many(["north"], [0.5])
    assert index.locate_many([], []) == []
    assert AreaIndex([]).locate_many([1.0], [1.0]) == [None]


def test_it_caches_the_index_until_the_areas_change(
    chesterfield_wards, wards_dir, tmp_path, django_assert_num_queries
):
    first = area_index(level=Area.Level.WARD)
    with django_assert_num_queries(1):
        assert area_index(level=Area.Level.WARD) is first

    moved = _wards_with_st_leonards_shrunk(wards_dir, tmp_path)
    boundaries_import(path=moved, level=Area.Level.WARD, code_field="WD13CD", name_field="WD13NM")

    rebuilt = area_index(level=Area.Level.WARD)
    assert rebuilt is not first
    assert rebuilt.locate(*CROOKED_SPIRE) is None
    assert first.locate(*CROOKED_SPIRE) is not None


def test_it_rebuilds_the_index_when_an_area_is_deleted(chesterfield_wards):
    first = area_index(level=Area.Level.WARD)
    spire_ward = first.locate(*CROOKED_SPIRE)

    Area.objects.filter(code=spire_ward).delete()

    assert len(area_index(level=Area.Level.WARD)) == 18
    assert area_index(level=Area.Level.WARD).locate(*CROOKED_SPIRE) is None


def _point(lat, lon):
    return Point(lon, lat)


def _wards_with_st_leonards_shrunk(wards_dir, tmp_path):
    collection = json.loads((wards_dir / WARDS_FILE).read_text())
    for feature in collection["features"]:
        if feature["properties"]["WD13NM"] == "St Leonard's":
            # A tiny square far from the church: the church is then in no ward.
            feature["geometry"] = {
                "type": "Polygon",
                "coordinates": [
                    [
                        [-1.40, 53.22],
                        [-1.399, 53.22],
                        [-1.399, 53.221],
                        [-1.40, 53.221],
                        [-1.40, 53.22],
                    ]
                ],
            }
    path = tmp_path / "wards-changed.geojson"
    path.write_text(json.dumps(collection))
    return path
