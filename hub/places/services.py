"""Writes to areas and postcodes: the boundary and postcode imports.

Both imports are upserts keyed on the ONS code or the postcode, so running one
twice changes nothing the second time. A file that cannot be read as a whole
raises ``PlacesImportError`` and leaves the database as it was.
"""

import csv
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from shapely import STRtree
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from hub.places.geometry import (
    GeometryError,
    label_point,
    largest_overlap,
    polygon_from_geojson,
    to_geojson,
)
from hub.places.models import Area, Postcode
from hub.places.postcodes import normalise_postcode
from hub.places.selectors import area_index

# Which level an area's parent is at; a district has none.
PARENT_LEVEL = {Area.Level.WARD: Area.Level.DISTRICT, Area.Level.LSOA: Area.Level.WARD}

CODE_MAX_LENGTH = Area._meta.get_field("code").max_length
NAME_MAX_LENGTH = Area._meta.get_field("name").max_length

# ONSPD's column names first, then the plainer ones people use in their own files.
POSTCODE_COLUMNS = ("pcds", "postcode", "pcd", "pcd2")
LATITUDE_COLUMNS = ("lat", "latitude")
LONGITUDE_COLUMNS = ("long", "lon", "longitude")
WARD_COLUMNS = ("osward", "ward_code", "ward")

# ONSPD gives postcodes without a grid reference these coordinates rather than none.
ONSPD_NO_LOCATION = (99.999999, 0.0)

POSTCODE_BATCH_SIZE = 2000


class PlacesImportError(ValueError):
    """A file that cannot be imported at all; the message names the feature or row."""


@dataclass(frozen=True)
class RejectedRow:
    row: int
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        text = f"{self.created:,} created, {self.updated:,} updated, {self.unchanged:,} unchanged"
        if self.rejected:
            text += f", {len(self.rejected):,} rejected"
        return text


@dataclass(frozen=True)
class _Feature:
    where: str
    code: str
    name: str
    geometry: BaseGeometry
    boundary: dict
    centroid: tuple[float, float]
    repair_note: str | None


def boundaries_import(
    *,
    path: str | Path,
    level: str,
    code_field: str,
    name_field: str,
    parent_code: str | None = None,
) -> ImportResult:
    """Create or update one area of ``level`` per feature of the GeoJSON FeatureCollection
    at ``path``, keyed on the feature's ``code_field`` property.

    Guarantees: the whole file is checked before anything is written, and written in
    one transaction, so a bad file changes nothing and raises ``PlacesImportError``
    naming the feature (counting from 1) and the problem; an area whose name,
    boundary, centroid and parent are already as in the file is left untouched and
    counted unchanged. Invalid polygons are repaired and reported in ``warnings``.

    The parent is ``parent_code`` if given; otherwise the area of the level above
    (district for a ward, ward for an LSOA) that overlaps the feature most, when any
    such areas have boundaries; otherwise an existing parent is kept.
    """
    if level not in Area.Level.values:
        raise PlacesImportError(f"level {level!r} is not one of {', '.join(Area.Level.values)}")
    features = _read_features(Path(path), code_field=code_field, name_field=name_field)
    parent_level = PARENT_LEVEL.get(level)
    explicit_parent = _explicit_parent(parent_code, level=level, parent_level=parent_level)
    result = ImportResult(warnings=[f.repair_note for f in features if f.repair_note])
    with transaction.atomic():
        # in_bulk splits the codes into batches where the database limits parameters.
        existing = Area.objects.in_bulk([f.code for f in features], field_name="code")
        parents = _ParentFinder(parent_level) if explicit_parent is None and parent_level else None
        for feature in features:
            area = existing.get(feature.code)
            if area is not None and area.level != level:
                raise PlacesImportError(
                    f"{feature.where}: that code is already a "
                    f"{area.get_level_display().lower()}, not a {Area.Level(level).label.lower()}"
                )
            parent = explicit_parent or (parents.parent_of(feature.geometry) if parents else None)
            if area is None:
                area = Area(code=feature.code, level=level)
                outcome = "created"
            else:
                outcome = "updated"
            changed = _apply(area, feature, parent)
            if not changed:
                result.unchanged += 1
                continue
            try:
                area.full_clean(validate_unique=False)
            except ValidationError as exc:
                raise PlacesImportError(f"{feature.where}: {_messages(exc)}") from exc
            area.save()
            setattr(result, outcome, getattr(result, outcome) + 1)
    return result


def postcodes_import(*, path: str | Path, batch_size: int = POSTCODE_BATCH_SIZE) -> ImportResult:
    """Create or update a postcode for each good row of the CSV at ``path``, in the shape
    of the ONS Postcode Directory (columns ``pcds``/``postcode``, ``lat``, ``long`` and
    optionally ``osward``/``ward_code``).

    Guarantees: postcodes are stored normalised ("S40 1LP"); a row with a postcode
    that is not a UK postcode, a coordinate that is not a number or out of range, or
    a postcode seen earlier in the file is rejected and reported with its row number
    (the header is row 1, as in a spreadsheet), and the other rows are imported.
    A postcode's ward is the area with its ward code; failing that, the ward its
    coordinates fall in. Rows are written in batches inside one transaction, so a
    file that fails part-way (not text, a broken CSV) changes nothing. Re-running
    the same file creates nothing and counts every row unchanged.
    """
    result = ImportResult()
    ward_ids = dict(Area.objects.filter(level=Area.Level.WARD).values_list("code", "id"))
    unknown_ward_codes: set[str] = set()
    seen: dict[str, int] = {}
    located = 0
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle, transaction.atomic():
            reader = csv.reader(handle)
            columns = _postcode_columns(next(reader, None))
            batch: list[tuple[int, Postcode]] = []
            for row_number, row in enumerate(reader, start=2):
                if not any(cell.strip() for cell in row):
                    continue
                try:
                    postcode = _postcode_from_row(row, columns)
                except ValueError as exc:
                    result.rejected.append(RejectedRow(row_number, str(exc)))
                    continue
                first_row = seen.setdefault(postcode.postcode, row_number)
                if first_row != row_number:
                    result.rejected.append(
                        RejectedRow(row_number, f"{postcode.postcode} is also on row {first_row}")
                    )
                    continue
                if postcode.ward_code:
                    postcode.ward_id = ward_ids.get(postcode.ward_code)
                    if postcode.ward_id is None:
                        unknown_ward_codes.add(postcode.ward_code)
                batch.append((row_number, postcode))
                if len(batch) >= batch_size:
                    located += _save_postcodes(batch, result, ward_ids)
                    batch = []
            if batch:
                located += _save_postcodes(batch, result, ward_ids)
    except FileNotFoundError as exc:
        raise PlacesImportError(f"There is no file at {path}") from exc
    except UnicodeDecodeError as exc:
        raise PlacesImportError(
            "The file is not UTF-8 text (is it a spreadsheet? Save it as CSV UTF-8)"
        ) from exc
    except csv.Error as exc:
        raise PlacesImportError(f"The file is not a readable CSV: {exc}") from exc
    if unknown_ward_codes:
        result.warnings.append(
            f"{len(unknown_ward_codes):,} ward codes in the file are not areas in the hub "
            f"(for example {sorted(unknown_ward_codes)[0]}); their postcodes were linked "
            "to the ward their coordinates fall in, where there is one"
        )
    if located:
        result.warnings.append(f"{located:,} postcodes were linked to a ward by their coordinates")
    return result


# Boundaries ----------------------------------------------------------------------------


def _read_features(path: Path, *, code_field: str, name_field: str) -> list[_Feature]:
    try:
        with path.open(encoding="utf-8-sig") as handle:
            document = json.load(handle)
    except FileNotFoundError as exc:
        raise PlacesImportError(f"There is no file at {path}") from exc
    except UnicodeDecodeError as exc:
        raise PlacesImportError("The file is not UTF-8 text, so it is not GeoJSON") from exc
    except json.JSONDecodeError as exc:
        raise PlacesImportError(
            f"The file is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from exc
    except RecursionError as exc:
        raise PlacesImportError("The file is not GeoJSON: it is nested too deeply") from exc
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise PlacesImportError("The file is JSON but not a GeoJSON FeatureCollection")
    raw_features = document.get("features")
    if not isinstance(raw_features, list) or not raw_features:
        raise PlacesImportError("The FeatureCollection has no features")
    total = len(raw_features)
    features: list[_Feature] = []
    first_seen: dict[str, int] = {}
    for number, raw in enumerate(raw_features, start=1):
        where = f"Feature {number} of {total}"
        if not isinstance(raw, dict) or raw.get("type") != "Feature":
            raise PlacesImportError(f"{where}: is not a GeoJSON Feature")
        properties = raw.get("properties")
        if not isinstance(properties, dict):
            raise PlacesImportError(f"{where}: has no properties")
        code = _text_property(properties, code_field, where=where, limit=CODE_MAX_LENGTH)
        code = code.upper()
        where = f"{where} ({code})"
        name = _text_property(properties, name_field, where=where, limit=NAME_MAX_LENGTH)
        if code in first_seen:
            raise PlacesImportError(
                f"{where}: the code {code} is also on feature {first_seen[code]}"
            )
        first_seen[code] = number
        try:
            geometry, note = polygon_from_geojson(raw.get("geometry"))
        except GeometryError as exc:
            raise PlacesImportError(f"{where}: {exc}") from exc
        features.append(
            _Feature(
                where=where,
                code=code,
                name=name,
                geometry=geometry,
                boundary=to_geojson(geometry),
                centroid=label_point(geometry),
                repair_note=f"{where}: {note}" if note else None,
            )
        )
    return features


def _text_property(properties: dict, name: str, *, where: str, limit: int) -> str:
    if name not in properties:
        found = ", ".join(sorted(str(key) for key in properties)[:10]) or "none"
        raise PlacesImportError(f"{where}: has no {name!r} property (it has: {found})")
    value = properties[name]
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise PlacesImportError(f"{where}: the {name!r} property is empty")
    value = value.strip()
    if len(value) > limit:
        raise PlacesImportError(
            f"{where}: the {name!r} property is {len(value):,} characters; at most {limit}"
        )
    return value


def _explicit_parent(
    parent_code: str | None, *, level: str, parent_level: str | None
) -> Area | None:
    if not parent_code:
        return None
    if parent_level is None:
        raise PlacesImportError(f"A {Area.Level(level).label.lower()} has no parent area")
    parent = Area.objects.filter(code=parent_code.strip().upper()).first()
    if parent is None:
        raise PlacesImportError(f"The parent code {parent_code} is not an area in the hub")
    if parent.level != parent_level:
        raise PlacesImportError(
            f"The parent {parent} is a {parent.get_level_display().lower()}; a "
            f"{Area.Level(level).label.lower()}'s parent must be a "
            f"{Area.Level(parent_level).label.lower()}"
        )
    return parent


class _ParentFinder:
    """Finds the area of the level above that overlaps a geometry most."""

    def __init__(self, level: str):
        self._areas: list[Area] = []
        geometries = []
        for area in Area.objects.filter(level=level, boundary__isnull=False):
            self._areas.append(area)
            geometries.append(shape(area.boundary))
        self._geometries = np.array(geometries, dtype=object)
        self._tree = STRtree(self._geometries) if geometries else None

    def parent_of(self, geometry: BaseGeometry) -> Area | None:
        if self._tree is None:
            return None
        positions = self._tree.query(geometry)
        candidates = {self._areas[i].code: i for i in positions}
        code = largest_overlap(
            geometry, [(code, self._geometries[i]) for code, i in candidates.items()]
        )
        return self._areas[candidates[code]] if code else None


def _apply(area: Area, feature: _Feature, parent: Area | None) -> bool:
    """Set ``feature``'s values on ``area``; whether anything changed."""
    wanted = {
        "name": feature.name,
        "boundary": feature.boundary,
        "centroid_lat": feature.centroid[0],
        "centroid_lon": feature.centroid[1],
    }
    if parent is not None:
        wanted["parent_id"] = parent.pk
    changed = area.pk is None
    for attribute, value in wanted.items():
        if getattr(area, attribute) != value:
            setattr(area, attribute, value)
            changed = True
    return changed


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()
        )
    return " ".join(exc.messages)


# Postcodes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Columns:
    postcode: int
    latitude: int
    longitude: int
    ward: int | None


def _postcode_columns(header: list[str] | None) -> _Columns:
    if not header:
        raise PlacesImportError("The file is empty: it needs a header row")
    names = [name.strip().lower() for name in header]

    def find(choices: tuple[str, ...], required: bool = True) -> int | None:
        for choice in choices:
            if choice in names:
                return names.index(choice)
        if required:
            shown = ", ".join(name[:30] for name in names[:12])
            raise PlacesImportError(
                f"The header row has no {' or '.join(choices)} column (it has: {shown})"
            )
        return None

    return _Columns(
        postcode=find(POSTCODE_COLUMNS),
        latitude=find(LATITUDE_COLUMNS),
        longitude=find(LONGITUDE_COLUMNS),
        ward=find(WARD_COLUMNS, required=False),
    )


def _postcode_from_row(row: list[str], columns: _Columns) -> Postcode:
    """An unsaved Postcode from one CSV row; ``ValueError`` saying what is wrong with it."""

    def cell(index: int | None) -> str:
        return row[index].strip() if index is not None and index < len(row) else ""

    try:
        postcode = normalise_postcode(cell(columns.postcode))
    except ValueError as exc:
        raise ValueError(f"bad postcode: {exc}") from exc
    latitude = _number(cell(columns.latitude), "latitude")
    longitude = _number(cell(columns.longitude), "longitude")
    if (latitude is None) != (longitude is None):
        raise ValueError("has a latitude or a longitude but not both")
    if (latitude, longitude) == ONSPD_NO_LOCATION:
        latitude = longitude = None
    elif latitude is not None and longitude is not None:
        if not -90 <= latitude <= 90:
            raise ValueError(f"latitude {latitude:g} is out of range (-90 to 90)")
        if not -180 <= longitude <= 180:
            raise ValueError(f"longitude {longitude:g} is out of range (-180 to 180)")
    ward_code = cell(columns.ward).upper()
    if len(ward_code) > CODE_MAX_LENGTH:
        raise ValueError(f"the ward code is longer than {CODE_MAX_LENGTH} characters")
    return Postcode(postcode=postcode, latitude=latitude, longitude=longitude, ward_code=ward_code)


def _number(text: str, name: str) -> float | None:
    if not text:
        return None
    # float() accepts "nan", "inf" and 4,000-digit strings; none is a coordinate.
    try:
        value = float(text) if len(text) <= 40 else math.nan
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ValueError(f"{name} {text[:20]!r} is not a number")
    return value


def _save_postcodes(
    batch: list[tuple[int, Postcode]], result: ImportResult, ward_ids: dict[str, int]
) -> int:
    """Upsert one batch, counting created, updated and unchanged; how many were given a
    ward by their coordinates."""
    located = _locate_wards([postcode for _, postcode in batch], ward_ids)
    # in_bulk splits the keys into batches where the database limits parameters.
    existing = Postcode.objects.in_bulk([postcode.postcode for _, postcode in batch])
    to_write = []
    for _, postcode in batch:
        before = existing.get(postcode.postcode)
        if before is None:
            result.created += 1
        elif _postcode_values(before) != _postcode_values(postcode):
            result.updated += 1
        else:
            result.unchanged += 1
            continue
        to_write.append(postcode)
    if to_write:
        # One statement per batch that inserts or overwrites, so a postcode added by a
        # concurrent import between the read above and this write is not a failure.
        Postcode.objects.bulk_create(
            to_write,
            update_conflicts=True,
            unique_fields=["postcode"],
            update_fields=["latitude", "longitude", "ward_code", "ward"],
        )
    return located


def _postcode_values(postcode: Postcode) -> tuple:
    return (postcode.latitude, postcode.longitude, postcode.ward_code, postcode.ward_id)


def _locate_wards(postcodes: list[Postcode], ward_ids: dict[str, int]) -> int:
    """Give postcodes with no known ward the ward their coordinates fall in."""
    unlinked = [p for p in postcodes if p.ward_id is None and p.latitude is not None]
    if not unlinked or not ward_ids:
        return 0
    codes = area_index(level=Area.Level.WARD).locate_many(
        [p.latitude for p in unlinked], [p.longitude for p in unlinked]
    )
    located = 0
    for postcode, code in zip(unlinked, codes, strict=True):
        if code is not None:
            postcode.ward_id = ward_ids.get(code)
            located += postcode.ward_id is not None
    return located
