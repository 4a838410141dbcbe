"""Choropleth maps of the municipalities of a division (2019 by default, a dataset's own).

Boundaries come from `shv_analysis.ingest.boundaries` (parsed once per process), classes
from `present.map_classes`; this module draws them. No geopandas, no tiles, no network
while drawing.

Maps never carry text labels on municipalities: only a title, a legend with counts per
class, the boundary credit that CBS asks for, the dataset name and, for synthetic data,
the catalogue's synthetic-data notice (`notice.synthetic`) in the notice colour.
"""

from __future__ import annotations

import os
import textwrap
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from shv_analysis.ingest import reference
from shv_analysis.ingest.boundaries import Boundaries, boundaries_available, load_boundaries
from shv_analysis.ingest.reference import (
    DEFAULT_YEAR,
    boundaries_file,
    compact_key,
    load_reference,
    municipalities_file,
    parse_code,
    province_spellings,
)
from shv_analysis.present.figures_io import save_figure as save_chart
from shv_analysis.present.map_classes import (
    EMPTY_LABELS,
    coverage_classes,
    dominant_type_classes,
    label,
    pilot_classes,
)
from shv_analysis.present.style import NOTICE_COLOR
from shv_analysis.text import normalise_lang, text

__all__ = [
    "Boundaries",
    "load_boundaries",
    "boundaries_available",
    "choropleth",
    "save_figure",
    "default_colors",
    "map_unavailable_message",
    "coverage_classes",
    "pilot_classes",
    "dominant_type_classes",
    "report_map",
    "subset_municipalities",
    "PALETTE",
]


def map_unavailable_message(lang: str = "nl", year: int = DEFAULT_YEAR) -> str:
    """Text shown in place of a map when no boundaries file of the division of `year` is
    present.
    """
    places = ", ".join(str(p) for p in reference.candidate_dirs())
    return text(
        "maps.unavailable",
        lang,
        boundaries_file=boundaries_file(year),
        places=places,
        env_var=reference.ENV_VAR,
        municipalities_file=municipalities_file(year),
    )


# --------------------------------------------------------------------------- drawing

# Paul Tol's "muted" qualitative scheme: colour-blind safe, fixed order.
PALETTE = (
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#DDCC77",
    "#CC6677",
    "#882255",
    "#AA4499",
)
EMPTY_COLOR = "#E4E4E4"  # classes meaning "nothing here"
MISSING_COLOR = "#B8B8B8"  # municipalities without data
CONTEXT_COLOR = "#FBFBFB"  # municipalities outside a zoomed subset (outlined only)
CONTEXT_EDGE = "#C4C4C4"
EDGE_COLOR = "#FFFFFF"
NOTICE_FONTSIZE = 8.5  # points; the notice sits right of the map, below the legend
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


def choropleth(
    classes: Mapping[str, str] | pd.Series,
    *,
    title: str,
    order: list[str] | None = None,
    colors: Mapping[str, str] | None = None,
    lang: str = "nl",
    source_note: str = "",
    synthetic: bool = False,
    subset_codes: Iterable[str] | None = None,
    ax: Axes | None = None,
    missing_label: str | None = None,
    boundaries: Boundaries | None = None,
    year: int = DEFAULT_YEAR,
) -> Figure:
    """A map of municipalities coloured by class, with counts in the legend.

    `classes` maps a code of the division of `year` (default 2019) to a class label;
    municipalities not in it get
    `missing_label` ('Geen gegevens' / 'No data') in grey. The legend lists the classes in
    `order` (default: the categories of a categorical Series, else sorted labels; without
    an explicit `order` classes with no municipality are left out) as "label (n)".
    `subset_codes` zooms to those municipalities, drawing the rest in light grey and
    counting only the subset. `boundaries` defaults to `load_boundaries(year=year)` (which raises
    `ReferenceMissing` when absent; show `map_unavailable_message()` instead).
    With `ax`, the map is drawn into it (title on the axes, legend to its right).
    Returns the matplotlib Figure (not registered with pyplot).
    """
    bnd = boundaries if boundaries is not None else load_boundaries(year=year)
    lang = normalise_lang(lang)
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
        ax.add_collection(
            PathCollection(
                [bnd.paths[c] for c in context],
                facecolors=CONTEXT_COLOR,
                edgecolors=CONTEXT_EDGE,
                linewidths=0.4,
                zorder=1,
            )
        )
    main = PathCollection(
        [bnd.paths[c] for c in shown],
        facecolors=[palette[cls_of[c]] for c in shown],
        edgecolors=EDGE_COLOR,
        linewidths=0.3 if not context else 0.5,
        zorder=2,
    )
    main.set_gid("municipalities")
    ax.add_collection(main)

    _zoom(ax, bnd.bbox(shown), margin=0.08 if context else 0.02)

    shown_classes = [n for n in full_order if (explicit and n != missing) or counts.get(n, 0)]
    handles = [
        Patch(
            facecolor=palette[n],
            edgecolor="#8C8C8C",
            linewidth=0.5,
            label=f"{_wrap(n, 34)} ({counts.get(n, 0)})",
        )
        for n in shown_classes
    ]
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        fontsize=8.5,
        handlelength=1.4,
        handleheight=1.1,
        borderaxespad=0.0,
        labelspacing=0.7,
    )

    source = text("maps.credit", lang, year=year) + (f". {source_note}" if source_note else "")
    if own_figure:
        fig.text(
            0.015, 0.975, _wrap(title, 75), ha="left", va="top", fontsize=13, fontweight="bold"
        )
        fig.text(
            0.015, 0.015, _wrap(source, 140), ha="left", va="bottom", fontsize=7, color="#444444"
        )
    else:
        ax.set_title(_wrap(title, 60), loc="left", fontsize=11, fontweight="bold")
        ax.text(
            0.0,
            -0.01,
            _wrap(source, 90),
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=6.5,
            color="#444444",
        )
    if synthetic:
        notice = _wrap(text("notice.synthetic", lang), _notice_width(ax))
        ax.text(
            1.01,
            0.0,
            notice,
            transform=ax.transAxes,
            ha="left",
            va="bottom",
            fontsize=NOTICE_FONTSIZE,
            fontweight="bold",
            color=NOTICE_COLOR,
            linespacing=1.25,
            zorder=5,
            bbox={
                "boxstyle": "square,pad=0.5",
                "facecolor": "white",
                "edgecolor": NOTICE_COLOR,
                "linewidth": 1.2,
            },
        )
    return fig


def _notice_width(ax: Axes) -> int:
    """Characters per line of the notice: the room right of the map at ~0.68 em a character."""
    fig_w = ax.figure.get_size_inches()[0]
    room_pt = (1.0 - ax.get_position().x1) * fig_w * 72 - 14  # box padding and the gap
    return max(20, int(room_pt / (0.68 * NOTICE_FONTSIZE)))


def _zoom(ax: Axes, bbox: tuple[float, float, float, float], margin: float) -> None:
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


def save_figure(fig: Figure, path_without_suffix: str | os.PathLike) -> tuple[Path, Path]:
    """Write `<path>.png` (150 dpi) and `<path>.svg` deterministically (see `charts`)."""
    png, svg = save_chart(fig, path_without_suffix)
    return png, svg


# --------------------------------------------------------------------------- report maps

REPORT_MAPS = {
    "dekking": coverage_classes,
    "pilots": pilot_classes,
    "type": dominant_type_classes,
}


def subset_municipalities(ds, reference=None) -> list[str] | None:
    """Codes to zoom to: a province's municipalities for a `provincie=...` subset, else None."""
    if not ds.subset_label or not ds.subset_label.startswith("provincie = "):
        return None
    ref = reference or load_reference(year=getattr(ds, "indeling", DEFAULT_YEAR))
    if ref is None:
        return None
    typed = ds.subset_label.split(" = ", 1)[1]  # as typed: "Noord Brabant", "Fryslân"
    wanted = compact_key(province_spellings(ref).get(compact_key(typed), typed))
    munis = ref.municipalities
    return sorted(munis.index[munis["provincie"].map(compact_key) == wanted])


def report_map(ds, kind: str, lang: str = "nl") -> Figure | str:
    """The section map `kind` ('dekking', 'pilots', 'type') of a dataset, or, when no
    reference boundaries are present, the sentence saying how to get them.
    """
    year = ds.indeling
    if not boundaries_available(year=year):
        return map_unavailable_message(lang, year)
    bnd = load_boundaries(year=year)
    classify = REPORT_MAPS[kind]
    if kind == "dekking":
        classes = classify(ds.respondenten, all_codes=sorted(bnd.codes), lang=lang)
    elif kind == "type":  # the dataset's codebook: an extension's types have labels too
        classes = classify(
            ds.respondenten,
            ds.experimenten,
            all_codes=sorted(bnd.codes),
            lang=lang,
            type_field=ds.codebook.any_field("type"),
        )
    else:
        classes = classify(ds.respondenten, ds.experimenten, all_codes=sorted(bnd.codes), lang=lang)
    title = text(f"maps.title.{kind}", lang)
    if ds.subset_label:
        title += f" ({ds.subset_label})"
    return choropleth(
        classes,
        title=title,
        lang=lang,
        source_note=ds.display_name(lang),
        synthetic=ds.synthetic,
        subset_codes=subset_municipalities(ds),
        boundaries=bnd,
        year=year,
    )
