"""Choropleth maps of the municipalities of 2019, and `shv reference download`.

The boundaries are read from `gemeenten_2019.geojson` in the reference folder (see
`reference.find_reference_dir`), projected with a plain equirectangular scaling
(x = lon * cos 52.1°, y = lat) and turned into matplotlib paths once per process.
No geopandas, no tiles, no network while drawing.

Maps never carry text labels on municipalities: only a title, a legend with counts per
class, the boundary credit that CBS asks for, the dataset name and, for synthetic data,
a notice that the map is an illustration.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import sys
import tempfile
import textwrap
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from shv_analysis.contract import codebook
from shv_analysis.config import USER_REFERENCE_DIR
from shv_analysis.ingest import reference
from shv_analysis.ingest.reference import BOUNDARIES_FILE, ReferenceMissing, parse_code

if TYPE_CHECKING:  # matplotlib is imported lazily: `shv` starts without it
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.path import Path as MplPath

__all__ = [
    "Boundaries", "load_boundaries", "boundaries_available", "choropleth", "save_figure",
    "default_colors", "map_unavailable_message", "coverage_classes", "pilot_classes",
    "dominant_type_classes", "download_reference", "reference_urls", "fetch_url",
    "DownloadError", "register_cli", "G4_CODES", "G40_CODES_2018_2022", "PALETTE",
]

# --------------------------------------------------------------------------- projection

PROJECTION_LAT = 52.1  # degrees; the middle of the Netherlands
X_SCALE = math.cos(math.radians(PROJECTION_LAT))


def project(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular projection used for every map: x = lon * cos(52.1°), y = lat."""
    return np.asarray(lon, dtype=float) * X_SCALE, np.asarray(lat, dtype=float)


def _signed_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


def _polygons_of(geometry: Mapping[str, Any] | None) -> list[list[list[list[float]]]]:
    """The polygons (lists of rings) of a GeoJSON Polygon or MultiPolygon."""
    if not geometry:
        return []
    kind = geometry.get("type")
    if kind == "Polygon":
        return [geometry["coordinates"]]
    if kind == "MultiPolygon":
        return list(geometry["coordinates"])
    raise ValueError(f"unsupported geometry type {kind!r} (expected Polygon or MultiPolygon)")


def _feature_code(props: Mapping[str, Any]) -> str | None:
    for key in ("gemeentecode", "statcode", "code"):
        if props.get(key):
            return parse_code(str(props[key]).strip())
    return None


def _feature_name(props: Mapping[str, Any]) -> str:
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
    paths: Mapping[str, "MplPath"]
    extents: Mapping[str, tuple[float, float, float, float]]
    source: str = "<memory>"

    @classmethod
    def from_geojson(cls, data: Mapping[str, Any], source: str = "<memory>") -> "Boundaries":
        """Build from a GeoJSON FeatureCollection (lon/lat) with `gemeentecode` properties."""
        from matplotlib.path import Path as MplPath

        if data.get("type") != "FeatureCollection":
            raise ValueError(f"{source}: not a GeoJSON FeatureCollection")
        paths: dict[str, MplPath] = {}
        names: dict[str, str] = {}
        extents: dict[str, tuple[float, float, float, float]] = {}
        for feature in data.get("features", []):
            props = feature.get("properties") or {}
            code = _feature_code(props)
            if code is None:
                raise ValueError(f"{source}: a feature has no municipality code")
            if code in paths:
                raise ValueError(f"{source}: municipality {code} occurs twice")
            vertices: list[np.ndarray] = []
            kinds: list[np.ndarray] = []
            for polygon in _polygons_of(feature.get("geometry")):
                for ring_no, ring in enumerate(polygon):
                    arr = np.asarray(ring, dtype=float)[:, :2]
                    if len(arr) < 3:
                        continue
                    if not np.array_equal(arr[0], arr[-1]):
                        arr = np.vstack([arr, arr[:1]])
                    x, y = project(arr[:, 0], arr[:, 1])
                    arr = np.column_stack([x, y])
                    area = _signed_area(arr)
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
            names[code] = _feature_name(props)
            extents[code] = (float(verts[:, 0].min()), float(verts[:, 1].min()),
                             float(verts[:, 0].max()), float(verts[:, 1].max()))
        order = tuple(sorted(paths))
        return cls(codes=order, names=names, paths=paths, extents=extents, source=source)

    def __len__(self) -> int:
        return len(self.codes)

    def __contains__(self, code: object) -> bool:
        return code in self.paths

    def bbox(self, codes: Iterable[str] | None = None) -> tuple[float, float, float, float]:
        """Bounding box (xmin, ymin, xmax, ymax) of some municipalities (default: all)."""
        chosen = [self.extents[c] for c in (self.codes if codes is None else codes)
                  if c in self.extents]
        if not chosen:
            raise ValueError("no known municipality to take a bounding box of")
        arr = np.array(chosen)
        return (float(arr[:, 0].min()), float(arr[:, 1].min()),
                float(arr[:, 2].max()), float(arr[:, 3].max()))


@lru_cache(maxsize=4)
def _read_boundaries(path: Path, mtime_ns: int, size: int) -> Boundaries:
    with path.open(encoding="utf-8") as fh:
        data = json.load(fh)
    return Boundaries.from_geojson(data, source=str(path))


def _boundaries_path(folder: str | os.PathLike | None) -> Path | None:
    if folder is not None:
        path = Path(folder).expanduser() / BOUNDARIES_FILE
        return path if path.is_file() else None
    found = reference.find_reference_dir()
    dirs = ([found] if found is not None else []) + reference.candidate_dirs()
    for d in dirs:
        if (d / BOUNDARIES_FILE).is_file():
            return d / BOUNDARIES_FILE
    return None


def boundaries_available(folder: str | os.PathLike | None = None) -> bool:
    """True when a boundaries file can be found (without reading it)."""
    return _boundaries_path(folder) is not None


def load_boundaries(folder: str | os.PathLike | None = None) -> Boundaries:
    """The municipal boundaries of 2019, parsed once per process (and per file version).

    `folder` defaults to the reference folder holding `gemeenten_2019.csv`, then any other
    reference folder holding the GeoJSON. Raises `ReferenceMissing` when there is none.
    """
    path = _boundaries_path(folder)
    if path is None:
        where = f" in {folder}" if folder is not None else ""
        raise ReferenceMissing(f"No municipal boundaries ({BOUNDARIES_FILE}) found{where}. "
                               + reference.how_to_get_reference())
    path = path.resolve()
    stat = path.stat()
    return _read_boundaries(path, stat.st_mtime_ns, stat.st_size)


def map_unavailable_message(lang: str = "nl") -> str:
    """Text shown in place of a map when no boundaries file is present."""
    places = ", ".join(str(p) for p in reference.candidate_dirs())
    if lang == "en":
        return ("Map not available: the municipal boundaries (reference file "
                f"{BOUNDARIES_FILE}) were not found (looked in: {places}). "
                "Run `shv reference download` to fetch them from CBS and PDOK, or set "
                f"${reference.ENV_VAR} to a folder holding {reference.MUNICIPALITIES_FILE} "
                f"and {BOUNDARIES_FILE}.")
    return ("Kaart niet beschikbaar: de gemeentegrenzen (referentiebestand "
            f"{BOUNDARIES_FILE}) zijn niet gevonden (gezocht in: {places}). "
            "Haal ze op bij CBS en PDOK met `shv reference download`, of zet "
            f"${reference.ENV_VAR} op een map met {reference.MUNICIPALITIES_FILE} "
            f"en {BOUNDARIES_FILE}.")


# --------------------------------------------------------------------------- classes

MUNICIPAL_TYPES = ("g4_g40", "gemeente")
COOPERATION_TYPE = "samenwerkingsverband"

LABELS: dict[str, tuple[str, str]] = {
    "interviewed": ("Gesproken als gemeente", "Interviewed as municipality"),
    "cooperation": ("Via samenwerkingsverband", "Through a cooperation"),
    "not_covered": ("Niet bereikt", "Not covered"),
    "own_pilot": ("Eigen pilot", "Own pilot"),
    "cooperation_pilot": ("Pilot via samenwerkingsverband", "Pilot through a cooperation"),
    "no_pilot_interviewed": ("Gesproken, geen pilot", "Interviewed, no pilot"),
    "tie": ("Meerdere typen even vaak", "Several types tied"),
    "no_pilot": ("Geen pilot", "No pilot"),
    "missing": ("Geen gegevens", "No data"),
}


def label(key: str, lang: str = "nl") -> str:
    """A class label of this module in Dutch (default) or English."""
    nl, en = LABELS[key]
    return en if lang == "en" else nl


# Labels meaning "nothing here": drawn in a pale grey rather than a palette colour.
EMPTY_LABELS = frozenset(LABELS[k][i] for k in ("not_covered", "no_pilot") for i in (0, 1))


def _codes_in(value: Any) -> list[str]:
    """2019 codes in a `gemeentecodes` cell (`GM0363;GM0599`); tolerant of case and blanks."""
    if not isinstance(value, str):
        return []
    out = []
    for token in value.replace(",", ";").split(";"):
        code = parse_code(token) if token.strip() else None
        if code is not None and code not in out:
            out.append(code)
    return out


def _all_codes(all_codes: Iterable[str] | None) -> list[str]:
    if all_codes is None:
        ref = reference.load_reference(required=True)
        return sorted(ref.codes)
    return [parse_code(c) or str(c) for c in all_codes]


def _respondent_codes(respondents: pd.DataFrame) -> dict[str, tuple[str, list[str]]]:
    """respondent_id -> (respondenttype, codes)."""
    out: dict[str, tuple[str, list[str]]] = {}
    ids = (respondents["respondent_id"] if "respondent_id" in respondents.columns
           else pd.Series(respondents.index.astype(str), index=respondents.index))
    for rid, rtype, codes in zip(ids, respondents["respondenttype"],
                                 respondents["gemeentecodes"]):
        kind = rtype if isinstance(rtype, str) else ""
        out[str(rid)] = (kind, _codes_in(codes))
    return out


def _series(values: dict[str, str], codes: list[str], categories: list[str],
            name: str) -> pd.Series:
    data = pd.Categorical([values[c] for c in codes], categories=categories)
    return pd.Series(data, index=pd.Index(codes, name="gemeentecode"), name=name)


def coverage_classes(respondents: pd.DataFrame, all_codes: Iterable[str] | None = None,
                     lang: str = "nl") -> pd.Series:
    """Per municipality: interviewed as a municipality / only through a cooperation / not.

    `respondents` needs `respondenttype` and `gemeentecodes`; `all_codes` are all
    municipalities of the map (default: the reference's 355). Returns a categorical
    Series indexed by code whose categories give the legend order.
    """
    codes = _all_codes(all_codes)
    direct: set[str] = set()
    via: set[str] = set()
    for kind, members in _respondent_codes(respondents).values():
        if kind in MUNICIPAL_TYPES:
            direct.update(members)
        elif kind == COOPERATION_TYPE:
            via.update(members)
    cats = [label("interviewed", lang), label("cooperation", lang), label("not_covered", lang)]
    values = {c: cats[0] if c in direct else cats[1] if c in via else cats[2] for c in codes}
    return _series(values, codes, cats, "dekking" if lang != "en" else "coverage")


def _pilots_per_respondent(pilots: pd.DataFrame) -> pd.DataFrame:
    return pilots.assign(respondent_id=pilots["respondent_id"].astype(str))


def pilot_classes(respondents: pd.DataFrame, pilots: pd.DataFrame,
                  all_codes: Iterable[str] | None = None, lang: str = "nl") -> pd.Series:
    """Per municipality: own pilot / pilot through a cooperation / interviewed, no pilot / not covered.

    A pilot of a cooperation counts for every member municipality. A municipality with a
    pilot of its own is 'own pilot' even when a cooperation it belongs to has pilots too.
    """
    codes = _all_codes(all_codes)
    resp = _respondent_codes(respondents)
    with_pilot = set(_pilots_per_respondent(pilots)["respondent_id"])
    own: set[str] = set()
    via: set[str] = set()
    covered: set[str] = set()
    for rid, (kind, members) in resp.items():
        if kind in MUNICIPAL_TYPES or kind == COOPERATION_TYPE:
            covered.update(members)
            if rid in with_pilot:
                (own if kind in MUNICIPAL_TYPES else via).update(members)
    cats = [label("own_pilot", lang), label("cooperation_pilot", lang),
            label("no_pilot_interviewed", lang), label("not_covered", lang)]
    values = {c: cats[0] if c in own else cats[1] if c in via else
              cats[2] if c in covered else cats[3] for c in codes}
    return _series(values, codes, cats, "pilots")


def dominant_type_classes(respondents: pd.DataFrame, pilots: pd.DataFrame,
                          all_codes: Iterable[str] | None = None, lang: str = "nl") -> pd.Series:
    """Per municipality the most frequent pilot `type` (its codebook label).

    Pilots of a cooperation count for all its members (as in `pilot_classes`). Two or more
    types equally frequent give 'Several types tied'; no pilot at all gives 'No pilot'.
    """
    codes = _all_codes(all_codes)
    resp = _respondent_codes(respondents)
    counts: dict[str, Counter] = defaultdict(Counter)
    for rid, kind in zip(_pilots_per_respondent(pilots)["respondent_id"], pilots["type"]):
        if not isinstance(kind, str) or rid not in resp:
            continue
        for code in resp[rid][1]:
            counts[code][kind] += 1
    type_labels = {c.code: c.label(lang) for c in codebook.TYPE}
    tie, none = label("tie", lang), label("no_pilot", lang)
    values: dict[str, str] = {}
    for code in codes:
        counter = counts.get(code)
        if not counter:
            values[code] = none
            continue
        top = max(counter.values())
        winners = [k for k, n in counter.items() if n == top]
        values[code] = tie if len(winners) > 1 else type_labels.get(winners[0], winners[0])
    cats = list(type_labels.values())
    cats += [v for v in dict.fromkeys(values.values()) if v not in cats and v not in (tie, none)]
    cats += [tie, none]
    return _series(values, codes, cats, "type")


# --------------------------------------------------------------------------- drawing

# Paul Tol's "muted" qualitative scheme: colour-blind safe, fixed order.
PALETTE = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77",
           "#CC6677", "#882255", "#AA4499")
EMPTY_COLOR = "#E4E4E4"    # classes meaning "nothing here"
MISSING_COLOR = "#B8B8B8"  # municipalities without data
CONTEXT_COLOR = "#FBFBFB"  # municipalities outside a zoomed subset (outlined only)
CONTEXT_EDGE = "#C4C4C4"
EDGE_COLOR = "#FFFFFF"
NOTICE_COLOR = "#B2182B"

CREDIT = {
    "nl": "Bron grenzen: Kadaster / Centraal Bureau voor de Statistiek, 2019",
    "en": "Boundaries: Kadaster / Centraal Bureau voor de Statistiek, 2019",
}
SYNTHETIC_NOTICE = {
    "nl": "SYNTHETISCHE DATA — illustratie, geen bevinding",
    "en": "SYNTHETIC DATA — illustration, not a finding",
}
SVG_HASHSALT = "shv-analysis"


def default_colors(order: Sequence[str], missing_label: str | None = None) -> dict[str, str]:
    """Fixed colours per class: palette colours in `order`, pale grey for 'nothing' classes."""
    colors: dict[str, str] = {}
    i = 0
    for name in order:
        if name == missing_label:
            colors[name] = MISSING_COLOR
        elif name in EMPTY_LABELS:
            colors[name] = EMPTY_COLOR
        else:
            if i >= len(PALETTE):
                raise ValueError(f"more than {len(PALETTE)} classes: pass `colors` explicitly")
            colors[name] = PALETTE[i]
            i += 1
    return colors


def _as_mapping(classes: Mapping[str, str] | pd.Series) -> tuple[dict[str, str], list[str] | None]:
    """Code -> label (NA dropped, codes normalised) and the categories of a categorical."""
    cats = None
    if isinstance(classes, pd.Series):
        if isinstance(classes.dtype, pd.CategoricalDtype):
            cats = [str(c) for c in classes.cat.categories]
        items = classes.items()
    else:
        items = classes.items()
    out: dict[str, str] = {}
    for code, value in items:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            continue
        out[parse_code(str(code)) or str(code)] = str(value)
    return out, cats


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) if len(text) > width else text


def choropleth(classes: Mapping[str, str] | pd.Series, *, title: str,
               order: list[str] | None = None, colors: Mapping[str, str] | None = None,
               lang: str = "nl", source_note: str = "", synthetic: bool = False,
               subset_codes: Iterable[str] | None = None, ax: "Axes | None" = None,
               missing_label: str | None = None,
               boundaries: Boundaries | None = None) -> "Figure":
    """A map of municipalities coloured by class, with counts in the legend.

    `classes` maps a 2019 code to a class label; municipalities not in it get
    `missing_label` ('Geen gegevens' / 'No data') in grey. The legend lists the classes in
    `order` (default: the categories of a categorical Series, else sorted labels; without
    an explicit `order` classes with no municipality are left out) as "label (n)".
    `subset_codes` zooms to those municipalities, drawing the rest in light grey and
    counting only the subset. `boundaries` defaults to `load_boundaries()` (which raises
    `ReferenceMissing` when absent; show `map_unavailable_message()` instead).
    With `ax`, the map is drawn into it (title on the axes, legend to its right).
    Returns the matplotlib Figure (not registered with pyplot).
    """
    from matplotlib.collections import PathCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    bnd = boundaries if boundaries is not None else load_boundaries()
    lang = "en" if lang == "en" else "nl"
    missing = missing_label or label("missing", lang)
    mapping, cats = _as_mapping(classes)

    if subset_codes is not None:
        wanted = {parse_code(str(c)) or str(c) for c in subset_codes}
        shown = [c for c in bnd.codes if c in wanted]
        if not shown:
            raise ValueError("none of subset_codes is a municipality of the boundaries file")
    else:
        shown = list(bnd.codes)
    shown_set = set(shown)
    context = [c for c in bnd.codes if c not in shown_set]

    cls_of = {c: mapping.get(c, missing) for c in shown}
    counts = Counter(cls_of.values())
    explicit = order is not None
    full_order = list(order) if explicit else (cats or sorted(set(mapping.values())))
    for name in sorted(set(cls_of.values())):  # labels not in `order` go last
        if name not in full_order and name != missing:
            full_order.append(name)
    if missing not in full_order:
        full_order.append(missing)
    palette = default_colors([n for n in full_order], missing_label=missing)
    palette.update(colors or {})
    palette.setdefault(missing, MISSING_COLOR)

    own_figure = ax is None
    if own_figure:
        fig = Figure(figsize=(8.0, 7.2), dpi=100)
        ax = fig.add_axes((0.01, 0.065, 0.60, 0.815))
    else:
        fig = ax.figure
    ax.set_axis_off()

    if context:
        ax.add_collection(PathCollection(
            [bnd.paths[c] for c in context], facecolors=CONTEXT_COLOR,
            edgecolors=CONTEXT_EDGE, linewidths=0.4, zorder=1))
    main = PathCollection([bnd.paths[c] for c in shown],
                          facecolors=[palette[cls_of[c]] for c in shown],
                          edgecolors=EDGE_COLOR, linewidths=0.3 if not context else 0.5,
                          zorder=2)
    main.set_gid("municipalities")
    ax.add_collection(main)

    _zoom(ax, bnd.bbox(shown), margin=0.08 if context else 0.02)

    shown_classes = [n for n in full_order if (explicit and n != missing) or counts.get(n, 0)]
    handles = [Patch(facecolor=palette[n], edgecolor="#8C8C8C", linewidth=0.5,
                     label=f"{_wrap(n, 34)} ({counts.get(n, 0)})") for n in shown_classes]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
              fontsize=8.5, handlelength=1.4, handleheight=1.1, borderaxespad=0.0,
              labelspacing=0.7)

    source = CREDIT[lang] + (f". {source_note}" if source_note else "")
    if own_figure:
        fig.text(0.015, 0.975, _wrap(title, 75), ha="left", va="top", fontsize=13,
                 fontweight="bold")
        fig.text(0.015, 0.015, _wrap(source, 140), ha="left", va="bottom", fontsize=7,
                 color="#444444")
    else:
        ax.set_title(_wrap(title, 60), loc="left", fontsize=11, fontweight="bold")
        ax.text(0.0, -0.01, _wrap(source, 90), transform=ax.transAxes, ha="left", va="top",
                fontsize=6.5, color="#444444")
    if synthetic:
        ax.text(0.01, 0.99, SYNTHETIC_NOTICE[lang], transform=ax.transAxes, ha="left",
                va="top", fontsize=11, fontweight="bold", color=NOTICE_COLOR, zorder=5,
                bbox={"boxstyle": "square,pad=0.35", "facecolor": "white",
                      "edgecolor": NOTICE_COLOR, "linewidth": 1.2, "alpha": 0.9})
    return fig


def _zoom(ax: "Axes", bbox: tuple[float, float, float, float], margin: float) -> None:
    """Limits around `bbox` (plus a margin) widened to the axes' shape, aspect 1:1."""
    xmin, ymin, xmax, ymax = bbox
    pad = margin * max(xmax - xmin, ymax - ymin, 0.05)
    xmin, xmax, ymin, ymax = xmin - pad, xmax + pad, ymin - pad, ymax + pad
    fig_w, fig_h = ax.figure.get_size_inches()
    pos = ax.get_position()
    box_ratio = (pos.height * fig_h) / max(pos.width * fig_w, 1e-9)
    dx, dy = xmax - xmin, ymax - ymin
    if dy / dx < box_ratio:
        grow = (dx * box_ratio - dy) / 2
        ymin, ymax = ymin - grow, ymax + grow
    else:
        grow = (dy / box_ratio - dx) / 2
        xmin, xmax = xmin - grow, xmax + grow
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal", adjustable="box")


def save_figure(fig: "Figure", path_without_suffix: str | os.PathLike) -> tuple[Path, Path]:
    """Write `<path>.png` (150 dpi) and `<path>.svg` deterministically (see plotting)."""
    from shv_analysis.present.charts import save_figure as save

    png, svg = save(fig, path_without_suffix)
    return png, svg


# --------------------------------------------------------------------------- report maps

REPORT_MAPS = {
    "dekking": (coverage_classes, ("Dekking van de inventarisatie per gemeente",
                                   "Coverage of the inventory by municipality")),
    "pilots": (pilot_classes, ("Gemeenten met minstens één experiment",
                               "Municipalities with at least one experiment")),
    "type": (dominant_type_classes, ("Meest voorkomend type experiment per gemeente",
                                     "Most frequent type of experiment by municipality")),
}


def subset_municipalities(ds, reference=None) -> list[str] | None:
    """Codes to zoom to: a province's municipalities for a `provincie=...` subset, else None."""
    from shv_analysis.ingest.reference import load_reference

    if not ds.subset_label or not ds.subset_label.startswith("provincie = "):
        return None
    ref = reference or load_reference()
    if ref is None:
        return None
    wanted = codebook.normalise(ds.subset_label.split(" = ", 1)[1])
    munis = ref.municipalities
    return sorted(munis.index[munis["provincie"].map(codebook.normalise) == wanted])


def report_map(ds, kind: str, lang: str = "nl") -> "Figure | str":
    """The section map `kind` ('dekking', 'pilots', 'type') of a dataset, or, when no
    reference boundaries are present, the sentence saying how to get them."""
    if not boundaries_available():
        return map_unavailable_message(lang)
    classify, titles = REPORT_MAPS[kind]
    if kind == "dekking":
        classes = classify(ds.respondenten, lang=lang)
    else:
        classes = classify(ds.respondenten, ds.experimenten, lang=lang)
    title = titles[1] if lang == "en" else titles[0]
    if ds.subset_label:
        title += f" ({ds.subset_label})"
    return choropleth(classes, title=title, lang=lang, source_note=ds.name,
                      synthetic=ds.synthetic, subset_codes=subset_municipalities(ds))


# --------------------------------------------------------------------------- download

# G4 and G40 membership cannot be had from CBS. Source: ../shared/reference/SOURCES.md
# (columns `g4` and `g40`): the G4 of the grotestedenbeleid, and the G40 stedennetwerk
# as it stood from 1-1-2018 (Assen and Hilversum joined) to 30-6-2022; Amstelveen
# (GM0362) joined on 1-7-2022 as the 41st member.
G4_CODES = frozenset({
    "GM0344",  # Utrecht
    "GM0363",  # Amsterdam
    "GM0518",  # 's-Gravenhage
    "GM0599",  # Rotterdam
})
G40_CODES_2018_2022 = frozenset({
    "GM0014",  # Groningen
    "GM0034",  # Almere
    "GM0080",  # Leeuwarden
    "GM0106",  # Assen
    "GM0114",  # Emmen
    "GM0141",  # Almelo
    "GM0150",  # Deventer
    "GM0153",  # Enschede
    "GM0164",  # Hengelo
    "GM0193",  # Zwolle
    "GM0200",  # Apeldoorn
    "GM0202",  # Arnhem
    "GM0228",  # Ede
    "GM0268",  # Nijmegen
    "GM0307",  # Amersfoort
    "GM0361",  # Alkmaar
    "GM0392",  # Haarlem
    "GM0394",  # Haarlemmermeer
    "GM0402",  # Hilversum
    "GM0405",  # Hoorn
    "GM0479",  # Zaanstad
    "GM0484",  # Alphen aan den Rijn
    "GM0503",  # Delft
    "GM0505",  # Dordrecht
    "GM0513",  # Gouda
    "GM0546",  # Leiden
    "GM0606",  # Schiedam
    "GM0637",  # Zoetermeer
    "GM0758",  # Breda
    "GM0772",  # Eindhoven
    "GM0794",  # Helmond
    "GM0796",  # 's-Hertogenbosch
    "GM0828",  # Oss
    "GM0855",  # Tilburg
    "GM0917",  # Heerlen
    "GM0935",  # Maastricht
    "GM0983",  # Venlo
    "GM0995",  # Lelystad
    "GM1674",  # Roosendaal
    "GM1883",  # Sittard-Geleen
})
AMSTELVEEN = "GM0362"


def g40_codes(year: int) -> frozenset[str]:
    """G40 members on 1 January of `year` (list valid 2018–2022; Amstelveen from 2023)."""
    return G40_CODES_2018_2022 | ({AMSTELVEEN} if year >= 2023 else frozenset())


CBS_ODATA = "https://opendata.cbs.nl/ODataApi/odata"
# CBS "Gebieden in Nederland <year>" (codes, names, province per municipality).
GEBIEDEN_TABLES = {2018: "83859NED", 2019: "84378NED", 2020: "84721NED", 2021: "84929NED",
                   2022: "85067NED", 2023: "85385NED", 2024: "85755NED"}
# CBS "Kerncijfers wijken en buurten <year>" (inhabitants on 1 January).
KERNCIJFERS_TABLES = {2018: "84286NED", 2019: "84583NED", 2020: "84799NED", 2021: "85039NED",
                      2022: "85318NED", 2023: "85618NED", 2024: "85984NED"}
# Generalised municipal boundaries from PDOK. The layer that used to be called
# `cbs_gemeente_<year>_gegeneraliseerd` (retired geodata.nationaalgeoregister.nl service)
# is served as `gemeente_gegeneraliseerd` in the per-year CBS gebiedsindelingen service.
PDOK_WFS = ("https://service.pdok.nl/cbs/gebiedsindelingen/{year}/wfs/v1_0?service=WFS"
            "&version=2.0.0&request=GetFeature&typeNames=gebiedsindelingen:gemeente_gegeneraliseerd"
            "&outputFormat=json&srsName=EPSG:4326&count=1000")
USER_AGENT = "shv-analysis (reference download)"


class DownloadError(RuntimeError):
    """A reference download failed; nothing was written."""


def fetch_url(url: str, timeout: float = 120.0) -> bytes:
    """GET `url` and return the whole body (raises on HTTP errors and short reads)."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT,
                                                   "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        body = response.read()
        expected = response.headers.get("Content-Length")
        if expected is not None and expected.isdigit() and int(expected) != len(body):
            raise OSError(f"incomplete body: {len(body)} of {expected} bytes")
        return body


def reference_urls(year: int = 2019) -> dict[str, str]:
    """The URLs `shv reference download` reads for `year`, by role."""
    if year not in GEBIEDEN_TABLES:
        known = ", ".join(str(y) for y in sorted(GEBIEDEN_TABLES))
        raise DownloadError(f"no CBS tables known for {year} (known years: {known})")
    return {
        "gemeenten": f"{CBS_ODATA}/{GEBIEDEN_TABLES[year]}/TypedDataSet?$format=json",
        "inwoners": (f"{CBS_ODATA}/{KERNCIJFERS_TABLES[year]}/TypedDataSet?$format=json"
                     "&$filter=startswith(WijkenEnBuurten,'GM')"),
        "grenzen": PDOK_WFS.format(year=year),
    }


def _get_json(fetch: Callable[[str], bytes], url: str) -> Any:
    try:
        body = fetch(url)
    except Exception as exc:  # noqa: BLE001 - every failure is reported with its URL
        raise DownloadError(f"download failed: {url}: {exc}") from exc
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DownloadError(f"download incomplete or not JSON: {url}: {exc}") from exc


def _get_odata(fetch: Callable[[str], bytes], url: str) -> list[dict]:
    rows: list[dict] = []
    next_url: str | None = url
    while next_url:
        data = _get_json(fetch, next_url)
        if not isinstance(data, dict) or not isinstance(data.get("value"), list):
            raise DownloadError(f"unexpected answer (no OData `value` list): {next_url}")
        rows.extend(data["value"])
        next_url = data.get("odata.nextLink") or data.get("@odata.nextLink")
    return rows


def _parse_gebieden(rows: list[dict], url: str) -> dict[str, tuple[str, str]]:
    """code -> (name, province) from a 'Gebieden in Nederland' table."""
    munis = [r for r in rows if str(r.get("Code_1") or "").strip().startswith("GM")]
    if not munis:
        raise DownloadError(f"no municipality rows (Code_1 = GMxxxx) in {url}")
    pv_key = None
    for key, value in munis[0].items():
        if key.startswith("Code_") and str(value or "").strip().startswith("PV"):
            pv_key = f"Naam_{int(key.split('_')[1]) + 1}"
            break
    if pv_key is None or pv_key not in munis[0]:
        raise DownloadError(f"no province column (Code_n = PVxx) in {url}")
    out = {}
    for r in munis:
        code = parse_code(str(r["Code_1"]).strip())
        name = str(r.get("Naam_2") or "").strip()
        province = str(r.get(pv_key) or "").strip()
        if code is None or not name or not province:
            raise DownloadError(f"incomplete municipality row {r.get('Code_1')!r} in {url}")
        out[code] = (name, province)
    return out


def _parse_inwoners(rows: list[dict], url: str) -> dict[str, int]:
    """code -> inhabitants from a 'Kerncijfers wijken en buurten' table."""
    if not rows:
        raise DownloadError(f"no rows in {url}")
    key = next((k for k in rows[0] if k.startswith("AantalInwoners")), None)
    if key is None:
        raise DownloadError(f"no AantalInwoners column in {url}")
    out = {}
    for r in rows:
        code = str(r.get("WijkenEnBuurten") or r.get("Codering_3") or "").strip()
        if code.startswith("GM") and r.get(key) is not None:
            out[code] = int(r[key])
    return out


def _clean_ring(ring: Sequence[Sequence[float]], exterior: bool) -> list[list[float]] | None:
    arr = np.asarray(ring, dtype=float)[:, :2]
    if arr.size and arr[:, 0].max() > 40:  # lat/lon axis order (EPSG:4326 in WFS 2.0)
        arr = arr[:, ::-1]
    arr = np.round(arr, 5)
    keep = np.ones(len(arr), dtype=bool)
    keep[1:] = np.any(arr[1:] != arr[:-1], axis=1)  # drop repeated positions
    arr = arr[keep]
    if len(arr) and not np.array_equal(arr[0], arr[-1]):
        arr = np.vstack([arr, arr[:1]])
    if len(arr) < 4:
        return None
    area = _signed_area(arr)
    if area == 0:
        return None
    if (area > 0) != exterior:  # RFC 7946: exteriors counter-clockwise, holes clockwise
        arr = arr[::-1]
    return [[float(f"{x:.5f}"), float(f"{y:.5f}")] for x, y in arr]


def _clean_geometry(geometry: Mapping[str, Any] | None) -> dict | None:
    polygons = []
    for polygon in _polygons_of(geometry):
        rings = []
        for i, ring in enumerate(polygon):
            cleaned = _clean_ring(ring, exterior=(i == 0))
            if cleaned is None:
                if i == 0:
                    break
                continue
            rings.append(cleaned)
        if rings:
            polygons.append(rings)
    if not polygons:
        return None
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def _parse_boundaries(data: Any, url: str, names: Mapping[str, str],
                      year: int) -> dict:
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise DownloadError(f"not a GeoJSON FeatureCollection: {url}")
    features = data.get("features") or []
    matched = data.get("numberMatched")
    if isinstance(matched, int) and matched > len(features):
        raise DownloadError(f"only {len(features)} of {matched} features arrived: {url}")
    geoms: dict[str, dict] = {}
    for feature in features:
        code = _feature_code(feature.get("properties") or {})
        if code not in names:  # e.g. GM0998 Buitenland
            continue
        try:
            geom = _clean_geometry(feature.get("geometry"))
        except (ValueError, TypeError, IndexError) as exc:
            raise DownloadError(f"unreadable geometry of {code} in {url}: {exc}") from exc
        if geom is not None:
            geoms[code] = geom
    lacking = sorted(set(names) - set(geoms))
    if lacking:
        raise DownloadError(f"no boundary for {len(lacking)} municipalities "
                            f"({', '.join(lacking[:5])}{', …' if len(lacking) > 5 else ''}) in {url}")
    return {"type": "FeatureCollection", "name": f"gemeenten_{year}", "features": [
        {"type": "Feature", "properties": {"gemeentecode": c, "gemeentenaam": names[c]},
         "geometry": geoms[c]} for c in sorted(geoms)]}


def _municipalities_csv(munis: Mapping[str, tuple[str, str]], inwoners: Mapping[str, int],
                        year: int) -> str:
    g40 = g40_codes(year)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["gemeentecode", "gemeentenaam", "provincie", f"inwoners_{year}", "g4", "g40"])
    for code in sorted(munis):
        name, province = munis[code]
        writer.writerow([code, name, province, inwoners[code], int(code in G4_CODES),
                         int(code in g40)])
    return buf.getvalue()


def download_reference(target_dir: str | os.PathLike | None = None, year: int = 2019,
                       fetch: Callable[[str], bytes] | None = None,
                       progress: bool = True) -> list[Path]:
    """Fetch the reference tables and boundaries of `year` into `target_dir`.

    Writes `gemeenten_<year>.csv`, `gemeente_aliases.csv` (header only: CBS publishes no
    aliases; an existing aliases file is kept) and `gemeenten_<year>.geojson`. Every file
    is downloaded and parsed first and written to a temporary folder; only when all are
    complete are they moved into place. On any failure nothing is written and a
    `DownloadError` names the URL that failed. `fetch(url) -> bytes` is injectable.
    """
    from tqdm import tqdm

    fetch = fetch or fetch_url
    target = Path(target_dir) if target_dir is not None else USER_REFERENCE_DIR
    urls = reference_urls(year)
    with tqdm(total=3, desc="shv reference download", unit="file", disable=not progress,
              file=sys.stderr) as bar:
        bar.set_postfix_str("CBS gemeenten")
        munis = _parse_gebieden(_get_odata(fetch, urls["gemeenten"]), urls["gemeenten"])
        bar.update(1)
        bar.set_postfix_str("CBS inwoners")
        inwoners = _parse_inwoners(_get_odata(fetch, urls["inwoners"]), urls["inwoners"])
        lacking = sorted(set(munis) - set(inwoners))
        if lacking:
            raise DownloadError(f"no inhabitants for {', '.join(lacking[:5])}"
                                f"{', …' if len(lacking) > 5 else ''} in {urls['inwoners']}")
        bar.update(1)
        bar.set_postfix_str("PDOK grenzen")
        geojson = _parse_boundaries(_get_json(fetch, urls["grenzen"]), urls["grenzen"],
                                    {c: n for c, (n, _) in munis.items()}, year)
        bar.update(1)

    files = {
        f"gemeenten_{year}.csv": _municipalities_csv(munis, inwoners, year),
        f"gemeenten_{year}.geojson": json.dumps(geojson, ensure_ascii=False,
                                                separators=(",", ":")),
    }
    if not (target / reference.ALIASES_FILE).is_file():
        files[reference.ALIASES_FILE] = "alias,gemeentecode\n"

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".shv-reference-", dir=target.parent))
    try:
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8", newline="")
        # read back what was written before anything is moved into place
        check = pd.read_csv(staging / f"gemeenten_{year}.csv", dtype={"gemeentecode": str})
        if len(check) != len(munis):
            raise DownloadError("the written municipality table does not read back whole")
        json.loads((staging / f"gemeenten_{year}.geojson").read_text(encoding="utf-8"))
        target.mkdir(parents=True, exist_ok=True)
        written = []
        for name in files:
            os.replace(staging / name, target / name)
            written.append(target / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _read_boundaries.cache_clear()
    reference._load.cache_clear()  # a new download must not be shadowed by a cached read
    return [target / name for name in (f"gemeenten_{year}.csv", reference.ALIASES_FILE,
                                       f"gemeenten_{year}.geojson")]


# --------------------------------------------------------------------------- CLI

def _cmd_download(args) -> int:
    try:
        paths = download_reference(args.dir, year=args.year)
    except DownloadError as exc:
        print(f"shv reference download: {exc}\nNothing was written.", file=sys.stderr)
        return 1
    for path in paths:
        print(path)
    if args.year != 2019:
        print(f"Note: the analysis reads {reference.MUNICIPALITIES_FILE}; files for {args.year} "
              "are written beside it.", file=sys.stderr)
    return 0


def register_cli(subparsers) -> None:
    """Add `shv reference download [--year YYYY] [--dir DIR]`."""
    ref = subparsers.add_parser(
        "reference", help="municipality reference tables and boundaries (CBS/PDOK)",
        description="Municipality reference tables and boundaries.")
    ref.set_defaults(func=lambda args: (ref.print_help(), 2)[1])
    sub = ref.add_subparsers(dest="reference_command", metavar="ACTION")
    dl = sub.add_parser(
        "download", help="download codes, names, provinces, population and boundaries",
        description="Download the municipality table (CBS open data) and generalised "
                    "boundaries (PDOK) into DIR. Nothing is written unless every file "
                    "arrives whole.")
    dl.add_argument("--year", type=int, default=2019,
                    help="municipal division of 1 January of this year (default 2019)")
    dl.add_argument("--dir", type=Path, default=USER_REFERENCE_DIR,
                    help="target folder (default: data/reference in the project)")
    dl.set_defaults(func=_cmd_download)
