"""Point-in-area lookup: which area of one level holds a latitude and longitude.

Pure shapely and numpy, no Django, so the benchmark (``python -m bench.places_lookup``)
and background jobs can use it without a database. ``hub.places.selectors.area_index``
builds one from the database and caches it.
"""

from collections.abc import Iterable, Sequence

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry.base import BaseGeometry


class AreaIndex:
    """An R-tree over areas' boundaries that answers "which area is this point in?".

    A point inside one area gets that area's code. A point on a boundary shared by
    two areas, or inside two overlapping areas, gets the lowest code of those it
    touches, so the answer never depends on the order the areas were loaded in. A
    point in no area, or with a coordinate that is not a finite number, gets None.
    """

    def __init__(self, areas: Iterable[tuple[str, BaseGeometry]]):
        pairs = sorted(areas, key=lambda pair: pair[0])
        codes = [code for code, _ in pairs]
        if len(set(codes)) != len(codes):
            raise ValueError("each area code may appear only once in an AreaIndex")
        for code, geometry in pairs:
            if not isinstance(geometry, BaseGeometry) or geometry.is_empty:
                raise ValueError(f"area {code} has no geometry")
        # The trailing None is what a point in no area resolves to (see locate_many).
        self._codes = np.array([*codes, None], dtype=object)
        self._geometries = np.array([geometry for _, geometry in pairs], dtype=object)
        # Prepared polygons make each point test logarithmic in the polygon's vertices.
        shapely.prepare(self._geometries)
        self._tree = STRtree(self._geometries)

    def __len__(self) -> int:
        return len(self._geometries)

    @property
    def codes(self) -> list[str]:
        return self._codes[:-1].tolist()

    def locate(self, lat: float, lon: float) -> str | None:
        """The code of the area holding (lat, lon), or None."""
        return self.locate_many([lat], [lon])[0]

    def locate_many(self, lats: Sequence[float], lons: Sequence[float]) -> list[str | None]:
        """For each (lat, lon) pair, the code of the area holding it, or None; in order.

        Vectorised: the R-tree finds candidate areas by bounding box for all points at
        once, then one prepared ``intersects_xy`` call settles the candidates.
        """
        lat_array = np.asarray(lats, dtype=float).ravel()
        lon_array = np.asarray(lons, dtype=float).ravel()
        if lat_array.shape != lon_array.shape:
            raise ValueError(
                f"{lat_array.size} latitudes but {lon_array.size} longitudes: give one of each"
            )
        count = lat_array.size
        if count == 0 or len(self) == 0:
            return [None] * count
        # Non-finite coordinates would only ever match nothing; dropping them here
        # keeps NaN out of the tree query.
        finite = np.flatnonzero(np.isfinite(lat_array) & np.isfinite(lon_array))
        xs, ys = lon_array[finite], lat_array[finite]
        point_positions, area_positions = self._tree.query(shapely.points(xs, ys))
        hits = shapely.intersects_xy(
            self._geometries[area_positions], xs[point_positions], ys[point_positions]
        )
        point_positions, area_positions = point_positions[hits], area_positions[hits]
        no_area = len(self._codes) - 1
        best = np.full(count, no_area, dtype=np.intp)
        # Areas are sorted by code, so the smallest position is the lowest code.
        np.minimum.at(best, finite[point_positions], area_positions)
        return self._codes[best].tolist()
