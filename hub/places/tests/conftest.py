"""Fixtures for the places tests: the real Chesterfield boundaries in shared/data/wards.

The files live beside the repository, never in it. Where they are absent (a clone
outside CI) the tests that need them skip and say why; in CI (CI=true) their
absence is a failure, so a broken checkout can never pass by skipping.
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

from hub.places.models import Area
from hub.places.selectors import area_index_clear
from hub.places.services import boundaries_import

WARDS_FILE = "E07000034-chesterfield-wards-2013.geojson"
LSOAS_FILE = "E07000034-chesterfield-lsoa-2011.geojson"
DISTRICT_CODE = "E07000034"


def shared_wards_dir() -> Path:
    return Path(settings.BASE_DIR).parent / "shared" / "data" / "wards"


@pytest.fixture
def wards_dir() -> Path:
    folder = shared_wards_dir()
    if not (folder / WARDS_FILE).is_file() or not (folder / LSOAS_FILE).is_file():
        reason = (
            f"the real Chesterfield boundaries are not at {folder} "
            "(they sit beside the repository, in shared/data/wards)"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return folder


@pytest.fixture(autouse=True)
def _fresh_area_index():
    # The index cache is per process; tests roll their areas back, so start clean.
    area_index_clear()
    yield
    area_index_clear()


@pytest.fixture
def chesterfield_wards(db, wards_dir) -> list[Area]:
    boundaries_import(
        path=wards_dir / WARDS_FILE, level=Area.Level.WARD, code_field="WD13CD", name_field="WD13NM"
    )
    return list(Area.objects.filter(level=Area.Level.WARD))


@pytest.fixture
def chesterfield(db, wards_dir, tmp_path) -> Area:
    """Chesterfield borough (made by dissolving its wards), its 19 wards and 69 LSOAs,
    each parented by overlap with the level above."""
    district_file = tmp_path / "district.geojson"
    district_file.write_text(district_geojson(wards_dir / WARDS_FILE))
    boundaries_import(
        path=district_file, level=Area.Level.DISTRICT, code_field="code", name_field="name"
    )
    boundaries_import(
        path=wards_dir / WARDS_FILE, level=Area.Level.WARD, code_field="WD13CD", name_field="WD13NM"
    )
    boundaries_import(
        path=wards_dir / LSOAS_FILE,
        level=Area.Level.LSOA,
        code_field="LSOA11CD",
        name_field="LSOA11NM",
    )
    return Area.objects.get(code=DISTRICT_CODE)


def district_geojson(wards_path: Path) -> str:
    """A FeatureCollection of one district whose boundary is the union of the wards."""
    import json

    from shapely.geometry import mapping, shape
    from shapely.ops import unary_union

    wards = json.loads(wards_path.read_text())
    borough = unary_union([shape(f["geometry"]) for f in wards["features"]])
    feature = {
        "type": "Feature",
        "properties": {"code": DISTRICT_CODE, "name": "Chesterfield"},
        "geometry": mapping(borough),
    }
    return json.dumps({"type": "FeatureCollection", "features": [feature]})
