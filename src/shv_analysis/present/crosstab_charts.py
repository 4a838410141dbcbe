"""Cross-tab charts: grouped horizontal bars of a `crosstab.CrossTab`, with Wilson intervals.

`crosstab_chart(ct)` draws one block of bars per row category (codebook labels and order), one
bar per group with its 95% Wilson interval and printed percentage, the total column last in
grey, a legend of groups with their bases, and, with `min_cell` > 0, the suppressed cells left
out (only their mark is printed). Title, footnote, test line and the red synthetic notice come
from `ct.to_table(lang, min_cell)`; the layout is the one of every chart (`chart_layout`).
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from shv_analysis.analysis.crosstab_text import (
    MISSING,
    TOTAL,
    category_label,
    mark,
    protected,
    shown_cells,
)
from shv_analysis.analysis.formatting import fmt_int, fmt_pct
from shv_analysis.present.chart_layout import (
    TOTAL_COLOR,
    WIDTH_IN,
    Layout,
    axis_upper,
    style_percent_axis,
)
from shv_analysis.present.figures_io import RC_PARAMS
from shv_analysis.text import normalise_lang, text

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
    lang = normalise_lang(lang)
    ct = protected(ct, min_cell)
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
        chart_note += text("charts.suppressed_note", lang)  # the marks: in the footnote
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
    with rc_context(RC_PARAMS):
        layout = Layout(
            table.title, table.notice, caption, labels, legend_h=LEGEND_LINE * legend_rows + 0.1
        )
        wrapped = [lab.count("\n") + 1 for lab in layout.labels]
        unit = max([GROUP_BAR_IN] + [(lines * 0.15 + 0.08) / block for lines in wrapped])
        layout = Layout(
            table.title,
            table.notice,
            caption,
            labels,
            axes_h=unit * (max(len(rows), 1) * block - GROUP_GAP + 0.6),
            legend_h=LEGEND_LINE * legend_rows + 0.1,
        )
        fig, ax = layout.figure()
        visible = grid[~grid["suppressed"]]
        shown = visible[visible.index.get_level_values("col").isin(groups)]
        upper = axis_upper(
            np.concatenate(
                [shown["pct"].to_numpy(dtype=float), shown["ci_high"].to_numpy(dtype=float)]
            )
        )
        # one dict per cell: `grid.loc` per cell costs more than drawing the bar
        cell_of = dict(zip(grid.index, grid.to_dict("records")))
        for j, g in enumerate(groups):
            ys, pcts, lows, highs = [], [], [], []
            for i, r in enumerate(rows):
                cell = cell_of[(r, g)]
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
        style_percent_axis(ax)
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
