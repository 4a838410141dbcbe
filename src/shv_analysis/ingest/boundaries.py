"""Municipal boundaries of a division: GeoJSON parsing, projection and ready-to-draw paths.

The boundaries are read from `gemeenten_<year>.geojson` (default 2019) in the reference
folder (see
`reference.find_reference_dir`), projected with a plain equirectangular scaling
(x = lon * cos 52.1°, y = lat) and turned into matplotlib paths once per process
(and per file version). No geopandas, no network.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from shv_analysis.ingest import reference
from shv_analysis.ingest.reference import (
    DEFAULT_YEAR,
    ReferenceMissing,
    boundaries_file,
    parse_code,
)

if TYPE_CHECKING:  # matplotlib is imported lazily: `shv` starts without it
    from matplotlib.path import Path as MplPath

__all__ = [
    "PROJECTION_LAT",
    "X_SCALE",
    "project",
    "signed_area",
    "polygons_of",
    "feature_code",
    "feature_name",
    "Boundaries",
    "load_boundaries",
    "boundaries_available",
    "clear_cache",
]

# --------------------------------------------------------------------------- projection

PROJECTION_LAT = 52.1  # degrees; the middle of the Netherlands
X_SCALE = math.cos(math.radians(PROJECTION_LAT))


def project(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular projection used for every map: x = lon * cos(52.1°), y = lat."""
    return np.asarray(lon, dtype=float) * X_SCALE, np.asarray(lat, dtype=float)


def signed_area(ring: np.ndarray) -> float:
    """Shoelace area of a closed ring (n x 2, first point repeated last); > 0 counter-clockwise."""
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


def polygons_of(geometry: Mapping[str, Any] | None) -> list[list[list[list[float]]]]:
    """The polygons (lists of rings) of a GeoJSON Polygon or MultiPolygon."""
    if not geometry:
        return []
    kind = geometry.get("type")
    if kind == "Polygon":
        return [geometry["coordinates"]]
    if kind == "MultiPolygon":
        return list(geometry["coordinates"])
    raise ValueError(f"unsupported geometry type {kind!r} (expected Polygon or MultiPolygon)")


def feature_code(props: Mapping[str, Any]) -> str | None:
    """The 2019 code (`GM0363`) in a feature's properties (`gemeentecode`/`statcode`/`code`)."""
    for key in ("gemeentecode", "statcode", "code"):
        if props.get(key):
            return parse_code(str(props[key]).strip())
    return None


def feature_name(props: Mapping[str, Any]) -> str:
    """The municipality name in a feature's properties, or "" when it has none."""
    for key in ("gemeentenaam", "statnaam", "naam"):
        if props.get(key):
            return str(props[key]).strip()
    return ""


# --------------------------------------------------------------------------- boundaries


@dataclass(frozen=True, eq=False)
class Boundaries:
    """Municipal polygons as ready-to-draw matplotlib paths in projected coordinates.

    `paths[code]` is one compound path per municipality (all its rings: exteriors
    counter-clockwise, holes clockwise, so holes stay empty); `extents[code]` is its
    bounding box (xmin, ymin, xmax, ymax) in the same coordinates.
    """

    codes: tuple[str, ...]
    names: Mapping[str, str]
    paths: Mapping[str, MplPath]
    extents: Mapping[str, tuple[float, float, float, float]]
    source: str = "<memory>"

    @classmethod
    def from_geojson(cls, data: Mapping[str, Any], source: str = "<memory>") -> Boundaries:
        """Build from a GeoJSON FeatureCollection (lon/lat) with `gemeentecode` properties."""
        from matplotlib.path import Path as MplPath

        if data.get("type") != "FeatureCollection":
            raise ValueError(f"{source}: not a GeoJSON FeatureCollection")
        paths: dict[str, MplPath] = {}
        names: dict[str, str] = {}
        extents: dict[str, tuple[float, float, float, float]] = {}
        for feature in data.get("features", []):
            props = feature.get("properties") or {}
            code = feature_code(props)
            if code is None:
                raise ValueError(f"{source}: a feature has no municipality code")
            if code in paths:
                raise ValueError(f"{source}: municipality {code} occurs twice")
            vertices: list[np.ndarray] = []
            kinds: list[np.ndarray] = []
            for polygon in polygons_of(feature.get("geometry")):
                for ring_no, ring in enumerate(polygon):
                    arr = np.asarray(ring, dtype=float)[:, :2]
                    if len(arr) < 3:
                        continue
                    if not np.array_equal(arr[0], arr[-1]):
                        arr = np.vstack([arr, arr[:1]])
                    x, y = project(arr[:, 0], arr[:, 1])
                    arr = np.column_stack([x, y])
                    area = signed_area(arr)
                    if (ring_no == 0 and area < 0) or (ring_no > 0 and area > 0):
                        arr = arr[::-1].copy()
                    codes = np.full(len(arr), MplPath.LINETO, dtype=MplPath.code_type)
                    codes[0] = MplPath.MOVETO
                    codes[-1] = MplPath.CLOSEPOLY
                    vertices.append(arr)
                    kinds.append(codes)
            if not vertices:
                continue
            verts = np.concatenate(vertices)
            paths[code] = MplPath(verts, np.concatenate(kinds), readonly=True)
            names[code] = feature_name(props)
            extents[code] = (
                float(verts[:, 0].min()),
                float(verts[:, 1].min()),
                float(verts[:, 0].max()),
                float(verts[:, 1].max()),
            )
        order = tuple(sorted(paths))
        return cls(codes=order, names=names, paths=paths, extents=extents, source=source)

    def __len__(self) -> int:
        return len(self.codes)

    def __contains__(self, code: object) -> bool:
        return code in self.paths

    def bbox(self, codes: Iterable[str] | None = None) -> tuple[float, float, float, float]:
        """Bounding box (xmin, ymin, xmax, ymax) of some municipalities (default: all)."""
        chosen = [
            self.extents[c] for c in (self.codes if codes is None else codes) if c in self.extents
        ]
        if not chosen:
            raise ValueError("no known municipality to take a bounding box of")
        arr = np.array(chosen)
        return (
            float(arr[:, 0].min()),
            float(arr[:, 1].min()),
            float(arr[:, 2].max()),
            float(arr[:, 3].max()),
        )


@lru_cache(maxsize=4)
def _read_boundaries(path: Path, mtime_ns: int, size: int) -> Boundaries:
    with path.open(encoding="utf-8") as fh:
        data = json.load(fh)
    return Boundaries.from_geojson(data, source=str(path))


def _boundaries_path(folder: str | os.PathLike | None, year: int = DEFAULT_YEAR) -> Path | None:
    name = boundaries_file(year)
    if folder is not None:
        path = Path(folder).expanduser() / name
        return path if path.is_file() else None
    found = reference.find_reference_dir(year=year)
    dirs = ([found] if found is not None else []) + reference.candidate_dirs()
    for d in dirs:
        if (d / name).is_file():
            return d / name
    return None


def boundaries_available(folder: str | os.PathLike | None = None, year: int = DEFAULT_YEAR) -> bool:
    """True when a boundaries file of the division of `year` can be found (without reading
    it).
    """
    return _boundaries_path(folder, year) is not None


def load_boundaries(
    folder: str | os.PathLike | None = None, year: int = DEFAULT_YEAR
) -> Boundaries:
    """The municipal boundaries of the division of 1-1-`year` (default 2019), parsed once per
    process (and per file version).

    `folder` defaults to the reference folder holding `gemeenten_<year>.csv`, then any other
    reference folder holding the GeoJSON. Raises `ReferenceMissing` when there is none.
    """
    path = _boundaries_path(folder, year)
    if path is None:
        where = f" in {folder}" if folder is not None else ""
        raise ReferenceMissing(
            f"No municipal boundaries ({boundaries_file(year)}) found{where}. "
            + reference.how_to_get_reference()
        )
    path = path.resolve()
    stat = path.stat()
    return _read_boundaries(path, stat.st_mtime_ns, stat.st_size)


def clear_cache() -> None:
    """Forget every parsed boundaries file (after a new download replaced one)."""
    _read_boundaries.cache_clear()
