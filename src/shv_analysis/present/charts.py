"""Bar charts in the report's manner, drawn from `Table`s.

`bar_chart(table)` draws horizontal bars, categories top to bottom in the table's order (the
table is already sorted as the report sorts), the percentage printed at each bar (Dutch
decimal comma for lang='nl'), the table's title on top, its footnote (n and base) as a caption
below, and the synthetic-data notice in red inside the figure whenever the table carries one.
`participation_chart(table)` adds Wilson intervals as error bars
(`indicators.participation_by_type`). Every label comes from the table, hence from the codebook.

Figures are `matplotlib.figure.Figure` objects made without pyplot (`ChartFigure`, which
shows itself as PNG in Jupyter): nothing is registered with a GUI backend, nothing is shown
twice in a notebook, and batch runs need no display. The layout is in `chart_layout`, the
cross-tab charts in `crosstab_charts`, the deterministic PNG/SVG files in `figures_io`; their
public names are re-exported here, so the release-0.1 path `shv_analysis.plotting` keeps them.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure

from shv_analysis.analysis.formatting import NOT_AVAILABLE, fmt_pct
from shv_analysis.analysis.tables import Table
from shv_analysis.present.chart_layout import (
    BAR_COLOR,
    NOTICE_COLOR,
    NOTICE_FACE,
    TOTAL_COLOR,
    WIDTH_IN,
    ChartFigure,
    Layout,
    axis_upper,
    style_percent_axis,
)
from shv_analysis.present.crosstab_charts import (
    GROUP_COLORS,
    SUPPRESSED_COLOR,
    UNKNOWN_COLOR,
    crosstab_chart,
)
from shv_analysis.present.figures_io import (
    DPI,
    RC_PARAMS,
    SVG_HASHSALT,
    figure_bytes,
    save_figure,
    svg_to_png,
)
from shv_analysis.text import normalise_lang

__all__ = [
    "bar_chart",
    "participation_chart",
    "crosstab_chart",
    "figure_bytes",
    "svg_to_png",
    "save_figure",
    "ChartFigure",
    "BAR_COLOR",
    "TOTAL_COLOR",
    "NOTICE_COLOR",
    "NOTICE_FACE",
    "WIDTH_IN",
    "GROUP_COLORS",
    "UNKNOWN_COLOR",
    "SUPPRESSED_COLOR",
    "DPI",
    "SVG_HASHSALT",
]


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
    with rc_context(RC_PARAMS):
        layout = Layout(title or table.title, table.notice, table.footnote, labels)
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
        upper = axis_upper(np.concatenate([values, ends]))
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
        style_percent_axis(ax)
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
