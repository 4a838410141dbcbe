"""Bar charts in the report's manner, drawn from `Table`s, and deterministic PNG/SVG files.

`bar_chart(table)` draws horizontal bars, categories top to bottom in the table's order (the
table is already sorted as the report sorts), the percentage printed at each bar (Dutch
decimal comma for lang='nl'), the table's title on top, its footnote (n and base) as a caption
below, and the synthetic-data notice in red inside the figure whenever the table carries one.
`participation_chart(table)` adds Wilson intervals as error bars
(`indicators.participation_by_type`); `crosstab_chart(ct)` draws a cross-tab as grouped bars
with Wilson intervals, a legend of groups with their bases, and suppressed cells left out.
Every label comes from the table, hence from the codebook.

Figures are `matplotlib.figure.Figure` objects made without pyplot (`ChartFigure`, which
shows itself as PNG in Jupyter): nothing is registered with a GUI backend, nothing is shown
twice in a notebook, and batch runs need no display.
`save_figure` writes PNG (150 dpi) and SVG without dates or software stamps and with a fixed
SVG hash salt, so two runs give byte-identical files.
"""

from __future__ import annotations

import io
import math
import textwrap
import threading
from pathlib import Path

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.image import imsave
from matplotlib.ticker import FuncFormatter, MaxNLocator

from shv_analysis.analysis.formatting import NOT_AVAILABLE, fmt_pct
from shv_analysis.analysis.tables import Table
from shv_analysis.text import normalise_lang, text

BAR_COLOR = "#2b6a99"
TOTAL_COLOR = "#8c8c8c"
NOTICE_COLOR = "#b00020"
NOTICE_FACE = "#fdecea"
DPI = 150
SVG_HASHSALT = "shv-analysis"
WIDTH_IN = 8.0

_RC = {
    "font.family": "DejaVu Sans",
    "svg.hashsalt": SVG_HASHSALT,
    "svg.fonttype": "path",
    "axes.unicode_minus": False,
}


def _value_column(table: Table, value: str | None) -> str:
    """The column code to draw: `value`, else `pct`, else the first percentage column."""
    if value:
        return value
    percent = table.percent_columns()
    if "pct" in percent:
        return "pct"
    if percent:
        return percent[0]
    raise ValueError(f"table {table.key!r}: no percentage column; pass value=")


def _label_column(table: Table, label: str | None) -> str:
    """The column code of the bar labels: `label`, else `category`, else the first non-code."""
    if label:
        return label
    if "category" in table.data.columns:
        return "category"
    return next(c for c in table.data.columns if c != "code")


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in str(text).splitlines() or [""]:
        lines.extend(textwrap.wrap(paragraph, width) or [""])
    return lines


class ChartFigure(Figure):
    """A Figure that shows itself in Jupyter even when pyplot was never imported."""

    def _repr_png_(self) -> bytes:
        return figure_bytes(self, "png", dpi=100)


class _Layout:
    """Vertical layout in inches: title, notice box, axes, legend, caption; computed, not guessed.

    axes_h: height of the axes (default: one bar per label); legend_h: room for a legend
    between the x axis and the caption (its top edge, in figure coordinates, is `legend_top`
    once `figure()` has run).
    """

    TOP, TITLE_LINE, NOTICE_LINE, CAPTION_LINE = 0.18, 0.26, 0.175, 0.16
    BAR, LABEL_LINE, XAXIS, BOTTOM, RIGHT = 0.36, 0.15, 0.42, 0.14, 0.85

    def __init__(
        self,
        title: str,
        notice: str | None,
        caption: str,
        labels: list[str],
        axes_h: float | None = None,
        legend_h: float = 0.0,
    ):
        self.title = _wrap(title, 70)
        self.notice = _wrap(notice, 100) if notice else []
        self.caption = _wrap(caption, 118)
        self.labels = ["\n".join(_wrap(lab, 34)) for lab in labels]
        longest = max((len(line) for lab in self.labels for line in lab.split("\n")), default=8)
        self.left = min(3.2, max(1.1, 0.075 * longest + 0.3))
        extra = sum(lab.count("\n") for lab in self.labels)
        self.axes_h = (
            axes_h
            if axes_h is not None
            else max(0.6, self.BAR * max(len(labels), 1) + self.LABEL_LINE * extra)
        )
        self.legend_h = legend_h
        self.legend_top = 0.0
        self.notice_h = (self.NOTICE_LINE * len(self.notice) + 0.24) if self.notice else 0.0
        self.height = (
            self.TOP
            + self.TITLE_LINE * len(self.title)
            + 0.08
            + self.notice_h
            + 0.12
            + self.axes_h
            + self.XAXIS
            + self.legend_h
            + self.CAPTION_LINE * len(self.caption)
            + self.BOTTOM
        )

    def figure(self) -> tuple[Figure, object]:
        w, h = WIDTH_IN, self.height
        fig = ChartFigure(figsize=(w, h), dpi=100, facecolor="white")
        y = h - self.TOP
        fig.text(
            0.15 / w,
            y / h,
            "\n".join(self.title),
            ha="left",
            va="top",
            fontsize=12,
            fontweight="bold",
            color="#111111",
        )
        y -= self.TITLE_LINE * len(self.title) + 0.08
        if self.notice:
            fig.text(
                0.27 / w,
                (y - 0.12) / h,
                "\n".join(self.notice),
                ha="left",
                va="top",
                fontsize=8.5,
                fontweight="bold",
                color=NOTICE_COLOR,
                linespacing=1.25,
                bbox={
                    "boxstyle": "square,pad=0.5",
                    "facecolor": NOTICE_FACE,
                    "edgecolor": NOTICE_COLOR,
                    "linewidth": 1.2,
                },
            )
            y -= self.notice_h
        y -= 0.12
        bottom = y - self.axes_h
        ax = fig.add_axes(
            (self.left / w, bottom / h, (w - self.left - self.RIGHT) / w, self.axes_h / h)
        )
        self.legend_top = (bottom - self.XAXIS + 0.04) / h
        caption_top = bottom - self.XAXIS - self.legend_h
        fig.text(
            0.15 / w,
            caption_top / h,
            "\n".join(self.caption),
            ha="left",
            va="top",
            fontsize=8,
            color="#333333",
            linespacing=1.3,
        )
        return fig, ax


def _style_percent_axis(ax) -> None:
    """The report's look for a horizontal percentage axis: light grid, no top/right spines,
    ticks on whole percentages (steps of 1, 2, 5 or 10 times a power of ten: never 12.5%
    labelled "12%").
    """
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:.0f}%"))
    ax.tick_params(axis="x", labelsize=8, colors="#444444")
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="#dddddd", linewidth=0.8, zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color("#888888")
    ax.spines["bottom"].set_color("#888888")


def _upper(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    top = float(finite.max()) if finite.size else 0.0
    if top > 80:
        return 100.0
    return float(max(10, math.ceil(top * 1.15 / 10) * 10))


def _draw(
    table: Table,
    lang: str,
    value: str | None,
    label: str | None,
    title: str | None,
    errors: tuple[np.ndarray, np.ndarray] | None = None,
) -> Figure:
    value_col = _value_column(table, value)
    label_col = _label_column(table, label)
    data = table.data.reset_index(drop=True)
    values = np.asarray(data[value_col].astype(float).to_numpy(), dtype=float)
    labels = [str(v) for v in data[label_col]]
    codes = data["code"].tolist() if "code" in data.columns else [None] * len(data)
    lang = normalise_lang(lang)
    with rc_context(_RC):
        layout = _Layout(title or table.title, table.notice, table.footnote, labels)
        fig, ax = layout.figure()
        y = np.arange(len(values))
        heights = np.nan_to_num(values, nan=0.0)
        colors = [TOTAL_COLOR if c == "totaal" else BAR_COLOR for c in codes]
        ax.barh(y, heights, height=0.62, color=colors, zorder=2)
        ends = heights.copy()
        if errors is not None:
            low, high = (np.asarray(e, dtype=float) for e in errors)
            ok = np.isfinite(low) & np.isfinite(high) & np.isfinite(values)
            xerr = np.vstack([np.where(ok, heights - low, 0), np.where(ok, high - heights, 0)])
            ax.errorbar(
                heights[ok],
                y[ok],
                xerr=xerr[:, ok],
                fmt="none",
                ecolor="#222222",
                elinewidth=1.1,
                capsize=3.5,
                zorder=3,
            )
            ends = np.where(ok, np.maximum(high, heights), heights)
        upper = _upper(np.concatenate([values, ends]))
        ax.set_xlim(0, upper)
        for yi, v, end in zip(y, values, ends):
            text = fmt_pct(v, lang) if np.isfinite(v) else NOT_AVAILABLE[lang]
            ax.text(
                end + upper * 0.012,
                yi,
                text,
                va="center",
                ha="left",
                fontsize=9,
                color="#111111",
                clip_on=False,
                zorder=4,
            )
        ax.set_yticks(y, layout.labels, fontsize=9)
        ax.set_ylim(len(values) - 0.5, -0.5)  # first category on top
        _style_percent_axis(ax)
    return fig


def bar_chart(
    table: Table,
    lang: str = "nl",
    value: str | None = None,
    label: str | None = None,
    title: str | None = None,
    drop_total: bool = False,
) -> Figure:
    """Horizontal bars of a table's percentage column, in the table's row order.

    value / label: the column codes to draw (default: `pct` and `category`).
    drop_total: leave out a 'totaal' row (drawn in grey otherwise).
    """
    if drop_total and "code" in table.data.columns:
        from dataclasses import replace

        table = replace(table, data=table.data[table.data["code"].ne("totaal")])
    return _draw(table, lang, value, label, title)


def participation_chart(table: Table, lang: str = "nl", title: str | None = None) -> Figure:
    """Participation by respondent type with Wilson intervals as error bars.

    `table` is `indicators.participation_by_type(ds, lang)` (columns `category`, `pct`,
    `ci_low`, `ci_high`).
    """
    errors = (
        table.data["ci_low"].astype(float).to_numpy(),
        table.data["ci_high"].astype(float).to_numpy(),
    )
    return _draw(table, lang, "pct", "category", title, errors=errors)


# Cross-tab charts: one colour per group (colour-blind safe, fixed order), the missing
# group (no value) light grey and hatched, the total column grey.
GROUP_COLORS = (
    "#2b6a99",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#56b4e9",
    "#d55e00",
    "#9a8700",
    "#6a3d9a",
    "#8c564b",
    "#1b9e77",
)
UNKNOWN_COLOR = "#c8c8c8"
SUPPRESSED_COLOR = "#555555"
GROUP_BAR_IN, GROUP_GAP, LEGEND_LINE = 0.17, 1.0, 0.19


def crosstab_chart(ct, lang: str = "nl", min_cell: int = 0, total: bool = True) -> Figure:
    """Grouped horizontal bars of a cross-tab (`crosstab.CrossTab`), with Wilson intervals.

    One block per row category (codebook labels, codebook order, top to bottom); in it one
    bar per group (column) with the percentage of that column's base and its 95% Wilson
    interval as an error bar, the percentage printed beside it (Dutch decimal comma for
    'nl'). Groups without records are left out; the total column is drawn last, in grey
    (`total=False` leaves it out). The legend names each group with its base n. Title,
    footnote (n and organisations), test line and the red synthetic notice come from
    `ct.to_table(lang, min_cell)`. With `min_cell` > 0 the cells that table suppresses
    (`suppression.suppress_cells`) are not drawn: no bar, no interval, no percentage, only
    the mark ('<5' for a primary cell, 'x' for a secondary one).
    """
    from matplotlib.patches import Patch

    from shv_analysis.analysis.crosstab_text import (
        MISSING,
        TOTAL,
        category_label,
        mark,
        shown_cells,
    )
    from shv_analysis.analysis.formatting import fmt_int

    lang = normalise_lang(lang)
    table = ct.to_table(lang, min_cell)
    cells = shown_cells(ct, min_cell)
    rows = list(dict.fromkeys(cells["row"]))
    bases = ct.bases.set_index("col")["records"]
    groups = [
        g for g in dict.fromkeys(cells["col"]) if int(bases.get(g, 0)) > 0 and (total or g != TOTAL)
    ]
    grid = cells.set_index(["row", "col"])
    hidden_any = bool(grid["suppressed"].any())
    chart_note = text("charts.crosstab_note", lang)
    if hidden_any:
        chart_note += text("charts.suppressed_note", lang, min_cell=min_cell)
    caption = "\n".join(p for p in (f"{table.footnote} {chart_note}", table.test) if p)

    n_groups = max(len(groups), 1)
    block = n_groups + GROUP_GAP
    labels = [category_label(ct.row, r, lang) for r in rows]
    colors, hatches, ordinary = {}, {}, 0
    for g in groups:
        if g == TOTAL:
            colors[g] = TOTAL_COLOR
        elif g == MISSING:
            colors[g], hatches[g] = UNKNOWN_COLOR, "////"
        else:
            colors[g] = GROUP_COLORS[ordinary % len(GROUP_COLORS)]
            ordinary += 1
    legend_labels = [
        f"{category_label(ct.col, g, lang)} (n = {fmt_int(int(bases[g]), lang)})" for g in groups
    ]
    ncol = (
        1
        if len(groups) <= 2 and max(map(len, legend_labels), default=0) > 40
        else min(len(groups), 2 if max(map(len, legend_labels), default=0) > 28 else 3) or 1
    )
    legend_rows = math.ceil(len(groups) / ncol) + 1  # + the legend's title
    with rc_context(_RC):
        layout = _Layout(
            table.title, table.notice, caption, labels, legend_h=LEGEND_LINE * legend_rows + 0.1
        )
        wrapped = [lab.count("\n") + 1 for lab in layout.labels]
        unit = max([GROUP_BAR_IN] + [(lines * 0.15 + 0.08) / block for lines in wrapped])
        layout = _Layout(
            table.title,
            table.notice,
            caption,
            labels,
            axes_h=unit * (len(rows) * block - GROUP_GAP + 0.6),
            legend_h=LEGEND_LINE * legend_rows + 0.1,
        )
        fig, ax = layout.figure()
        visible = grid[~grid["suppressed"]]
        shown = visible[visible.index.get_level_values("col").isin(groups)]
        upper = _upper(
            np.concatenate(
                [shown["pct"].to_numpy(dtype=float), shown["ci_high"].to_numpy(dtype=float)]
            )
        )
        for j, g in enumerate(groups):
            ys, pcts, lows, highs = [], [], [], []
            for i, r in enumerate(rows):
                cell = grid.loc[(r, g)]
                y = i * block + j
                if cell["suppressed"]:
                    ax.text(
                        upper * 0.012,
                        y,
                        mark(cell["suppression"], min_cell, lang),
                        va="center",
                        ha="left",
                        fontsize=7.5,
                        style="italic",
                        color=SUPPRESSED_COLOR,
                        zorder=4,
                    )
                    continue
                ys.append(y)
                pcts.append(float(cell["pct"]))
                lows.append(float(cell["ci_low"]))
                highs.append(float(cell["ci_high"]))
            if not ys:
                continue
            ys_a, pct_a = np.asarray(ys, dtype=float), np.asarray(pcts, dtype=float)
            low_a, high_a = np.asarray(lows, dtype=float), np.asarray(highs, dtype=float)
            ax.barh(
                ys_a,
                pct_a,
                height=0.8,
                color=colors[g],
                hatch=hatches.get(g),
                edgecolor="#777777" if g in hatches else colors[g],
                linewidth=0.4,
                zorder=2,
            )
            zero = pct_a == 0
            if zero.any():  # a zero-width bar is invisible: a tick in the group's colour
                ax.plot(
                    np.zeros(int(zero.sum())),
                    ys_a[zero],
                    linestyle="none",
                    marker="|",
                    markersize=9,
                    markeredgewidth=3,
                    color=colors[g],
                    zorder=3,
                    clip_on=False,
                )
            ok = np.isfinite(low_a) & np.isfinite(high_a)
            if ok.any():
                xerr = np.vstack([np.maximum(pct_a - low_a, 0), np.maximum(high_a - pct_a, 0)])
                ax.errorbar(
                    pct_a[ok],
                    ys_a[ok],
                    xerr=xerr[:, ok],
                    fmt="none",
                    ecolor="#222222",
                    elinewidth=0.9,
                    capsize=2.2,
                    zorder=3,
                )
            ends = np.where(ok, np.maximum(high_a, pct_a), pct_a)
            for y, v, end in zip(ys_a, pct_a, ends):
                ax.text(
                    end + upper * 0.012,
                    y,
                    fmt_pct(v, lang),
                    va="center",
                    ha="left",
                    fontsize=7.5,
                    color="#111111",
                    clip_on=False,
                    zorder=4,
                )
        ax.set_xlim(0, upper)
        ax.set_yticks(
            [i * block + (n_groups - 1) / 2 for i in range(len(rows))], layout.labels, fontsize=9
        )
        ax.set_ylim(len(rows) * block - GROUP_GAP - 0.5 + 0.3, -0.8)  # first row on top
        for i in range(1, len(rows)):
            ax.axhline(i * block - (GROUP_GAP + 1) / 2, color="#e4e4e4", linewidth=0.8, zorder=0)
        _style_percent_axis(ax)
        handles = [
            Patch(
                facecolor=colors[g],
                hatch=hatches.get(g),
                edgecolor="#777777" if g in hatches else colors[g],
                label=text,
            )
            for g, text in zip(groups, legend_labels)
        ]
        if handles:
            fig.legend(
                handles=handles,
                loc="upper left",
                ncol=ncol,
                fontsize=8,
                title=ct.col.label(lang),
                title_fontsize=8,
                alignment="left",
                bbox_to_anchor=(0.15 / WIDTH_IN, layout.legend_top),
                frameon=False,
                borderaxespad=0.0,
                borderpad=0.0,
                handlelength=1.4,
                columnspacing=1.4,
            )
    return fig


def figure_bytes(fig: Figure, fmt: str = "png", dpi: int = DPI) -> bytes:
    """The figure rendered to PNG or SVG bytes, deterministically."""
    buffer = io.BytesIO()
    with rc_context(_RC):
        if fmt == "svg":
            fig.savefig(buffer, format="svg", metadata={"Date": None})
        else:
            fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def png_and_svg(fig: Figure, dpi: int = DPI) -> tuple[bytes, bytes]:
    """The figure as PNG and SVG bytes, the same bytes as `figure_bytes(fig, "png")` and `"svg"`.

    The PNG is drawn (Agg, to raw RGBA) and then encoded by `matplotlib.image.imsave` with the
    arguments `savefig` would use; the encoding, which releases the GIL, runs in a thread while
    the SVG is drawn, so the two overlap. The figure itself is only touched by this thread.
    """
    raw = io.BytesIO()
    with rc_context(_RC):
        fig.savefig(raw, format="rgba", dpi=dpi)
    width = int(fig.bbox_inches.width * dpi)
    pixels = np.frombuffer(raw.getbuffer(), dtype=np.uint8).reshape(-1, width, 4)
    png = io.BytesIO()

    def encode() -> None:
        imsave(png, pixels, format="png", origin="upper", dpi=dpi, metadata={"Software": None})

    worker = threading.Thread(target=encode, name="shv-png-encode")
    worker.start()
    try:
        svg = figure_bytes(fig, "svg")
    finally:
        worker.join()
    return png.getvalue(), svg


def save_figure(fig: Figure, path_stem: str | Path) -> list[Path]:
    """Write `<path_stem>.png` (150 dpi) and `<path_stem>.svg`; returns both paths."""
    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt, data in zip(("png", "svg"), png_and_svg(fig)):
        path = stem.with_name(f"{stem.name}.{fmt}")
        path.write_bytes(data)
        paths.append(path)
    return paths
