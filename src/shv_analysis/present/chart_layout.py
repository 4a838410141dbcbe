"""The hand-made layout every chart shares: colours, the figure class and the vertical layout.

`Layout` computes, in inches, the room for the title, the red synthetic-data notice box, the
axes (one bar per label by default), an optional legend and the caption, and `Layout.figure()`
draws the texts and returns the figure and its empty axes; `style_percent_axis` gives a
horizontal percentage axis the report's look and `axis_upper` its upper limit. `ChartFigure`
is a pyplot-free `Figure` that shows itself as PNG in Jupyter. The bar charts (`charts`) and
the cross-tab charts (`crosstab_charts`) are drawn on this layout.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from shv_analysis.present.figures_io import figure_bytes

BAR_COLOR = "#2b6a99"
TOTAL_COLOR = "#8c8c8c"
NOTICE_COLOR = "#b00020"
NOTICE_FACE = "#fdecea"
WIDTH_IN = 8.0


def wrap_lines(text: str, width: int) -> list[str]:
    """`text` wrapped at `width` characters, its own line breaks kept; at least one line."""
    lines: list[str] = []
    for paragraph in str(text).splitlines() or [""]:
        lines.extend(textwrap.wrap(paragraph, width) or [""])
    return lines


class ChartFigure(Figure):
    """A Figure that shows itself in Jupyter even when pyplot was never imported."""

    def _repr_png_(self) -> bytes:
        return figure_bytes(self, "png", dpi=100)


class Layout:
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
        self.title = wrap_lines(title, 70)
        self.notice = wrap_lines(notice, 100) if notice else []
        self.caption = wrap_lines(caption, 118)
        self.labels = ["\n".join(wrap_lines(lab, 34)) for lab in labels]
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


def style_percent_axis(ax) -> None:
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


def axis_upper(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    top = float(finite.max()) if finite.size else 0.0
    if top > 80:
        return 100.0
    return float(max(10, math.ceil(top * 1.15 / 10) * 10))
