"""How fast is point-in-area lookup? ``AreaIndex.locate_many`` against testing every polygon.

    python -m bench.places_lookup [--points 200000] [--sample 5000] [--seed 2013]

Needs no database and no Django settings. Scenarios: the real Chesterfield wards
(19) and LSOAs (69) from ``../shared/data/wards`` when that folder is there, and
always a synthetic district of 500 irregular wards (a Voronoi tessellation with
boundaries densified to about 200 vertices each, like real generalised boundaries).
Points are uniform random in each scenario's extent. The brute force (every
polygon's ``contains`` in turn, unprepared, as a naive loop would) runs on a sample
and is extrapolated; both must give the same answers on that sample.

Exits non-zero if a scenario is below the 100,000 points a second the hub needs
for bulk geocoding, or if the two methods disagree.
"""

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Point, box, shape
from shapely.geometry.base import BaseGeometry

from hub.places.lookup import AreaIndex

REQUIRED_RATE = 100_000
SHARED_WARDS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "wards"
REAL_FILES = (
    ("Chesterfield wards", "E07000034-chesterfield-wards-2013.geojson", "WD13CD"),
    ("Chesterfield LSOAs", "E07000034-chesterfield-lsoa-2011.geojson", "LSOA11CD"),
)


@dataclass
class Row:
    scenario: str
    method: str
    areas: int
    points: int
    seconds: float
    extrapolated: bool = False

    @property
    def rate(self) -> float:
        return self.points / self.seconds if self.seconds else float("inf")


def real_scenarios(folder: Path) -> list[tuple[str, list[tuple[str, BaseGeometry]]]]:
    scenarios = []
    for label, filename, code_field in REAL_FILES:
        path = folder / filename
        if not path.is_file():
            continue
        features = json.loads(path.read_text())["features"]
        areas = [(f["properties"][code_field], shape(f["geometry"])) for f in features]
        scenarios.append((f"{label} ({len(areas)})", areas))
    return scenarios


def synthetic_district(count: int, seed: int) -> list[tuple[str, BaseGeometry]]:
    """``count`` irregular wards tiling a 0.4° × 0.25° box near Chesterfield."""
    rng = np.random.default_rng(seed)
    extent = box(-1.6, 53.15, -1.2, 53.40)
    seeds = MultiPoint(
        np.column_stack((rng.uniform(-1.6, -1.2, count), rng.uniform(53.15, 53.40, count)))
    )
    cells = [cell.intersection(extent) for cell in shapely.voronoi_polygons(seeds).geoms]
    # Densify each edge so a ward has a few hundred vertices, as real boundaries do.
    perimeter = sum(cell.length for cell in cells) / len(cells)
    cells = [shapely.segmentize(cell, perimeter / 200) for cell in cells]
    return [(f"W{i:05d}", cell) for i, cell in enumerate(cells)]


def brute_force(areas: list[tuple[str, BaseGeometry]]) -> Callable:
    # Fresh, unprepared copies: AreaIndex prepares the geometries it is given.
    ordered = sorted((code, shapely.from_wkb(shapely.to_wkb(g))) for code, g in areas)

    def locate(lats, lons) -> list[str | None]:
        found = []
        for lat, lon in zip(lats, lons, strict=True):
            point = Point(lon, lat)
            found.append(next((code for code, g in ordered if g.contains(point)), None))
        return found

    return locate


def best_of(runs: int, function: Callable, *args) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = function(*args)
        best = min(best, time.perf_counter() - started)
    return best, result


def run_scenario(
    name: str, areas: list[tuple[str, BaseGeometry]], points: int, sample: int, seed: int
) -> tuple[list[Row], bool]:
    rng = np.random.default_rng(seed)
    min_x, min_y, max_x, max_y = shapely.total_bounds([g for _, g in areas])
    lats, lons = rng.uniform(min_y, max_y, points), rng.uniform(min_x, max_x, points)
    naive = brute_force(areas)
    index = AreaIndex(areas)
    index.locate_many(lats[:1000], lons[:1000])  # warm up
    bulk_seconds, _ = best_of(3, index.locate_many, lats, lons)
    single_seconds, _ = best_of(
        1, lambda: [index.locate(a, o) for a, o in zip(lats[:sample], lons[:sample], strict=True)]
    )
    naive_seconds, naive_found = best_of(1, naive, lats[:sample], lons[:sample])
    agree = index.locate_many(lats[:sample], lons[:sample]) == naive_found
    rows = [
        Row(name, "AreaIndex.locate_many", len(areas), points, bulk_seconds),
        Row(name, "AreaIndex.locate (one by one)", len(areas), sample, single_seconds),
        Row(name, "brute force contains()", len(areas), sample, naive_seconds, extrapolated=True),
    ]
    return rows, agree


def print_table(rows: list[Row]) -> None:
    header = (
        f"{'scenario':<26} {'method':<30} {'areas':>6} {'points':>8} {'seconds':>9} "
        f"{'points/s':>12}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        rate = f"{row.rate:,.0f}" + ("*" if row.extrapolated else "")
        points = f"{row.points:,}"
        print(
            f"{row.scenario:<26} {row.method:<30} {row.areas:>6} {points:>8} "
            f"{row.seconds:>9.4f} {rate:>12}"
        )
    print("* measured on the sample; the rate is what the sample's time extrapolates to")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=200_000)
    parser.add_argument("--sample", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=2013)
    parser.add_argument("--synthetic-areas", type=int, default=500)
    args = parser.parse_args(argv)

    scenarios = real_scenarios(SHARED_WARDS)
    if not scenarios:
        print(f"(no real boundaries at {SHARED_WARDS}: synthetic scenario only)")
    synthetic = synthetic_district(args.synthetic_areas, args.seed)
    scenarios.append((f"Synthetic wards ({len(synthetic)})", synthetic))

    rows, failures = [], []
    for name, areas in scenarios:
        scenario_rows, agree = run_scenario(name, areas, args.points, args.sample, args.seed)
        rows.extend(scenario_rows)
        if not agree:
            failures.append(f"{name}: AreaIndex and brute force disagree on the sample")
        bulk = next(row for row in scenario_rows if row.method == "AreaIndex.locate_many")
        if bulk.rate < REQUIRED_RATE:
            failures.append(f"{name}: {bulk.rate:,.0f} points/s is below {REQUIRED_RATE:,}")
    print_table(rows)
    if not failures:
        print("AreaIndex and brute force agree on every sampled point.")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
