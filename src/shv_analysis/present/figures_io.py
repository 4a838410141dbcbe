"""Deterministic figure files: a matplotlib `Figure` rendered to PNG and SVG bytes, and saved.

`figure_bytes(fig, fmt)` renders one format; `png_and_svg(fig)` renders both, the PNG encoding
overlapping the SVG drawing in a thread; `save_figure(fig, stem)` writes `<stem>.png` (150 dpi)
and `<stem>.svg`. Every rendering runs under `RC_PARAMS` (DejaVu Sans, glyphs as paths, no
hinting, a fixed SVG hash salt) and without dates or software stamps, so two runs give
byte-identical files.
The charts draw under the same settings (`chart_layout`, `charts`, `crosstab_charts`).
"""

from __future__ import annotations

import io
import threading
from pathlib import Path

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.image import imsave

DPI = 150
SVG_HASHSALT = "shv-analysis"

#: matplotlib settings of every chart, while drawing and while saving.
RC_PARAMS = {
    "font.family": "DejaVu Sans",
    "svg.hashsalt": SVG_HASHSALT,
    "svg.fonttype": "path",
    "axes.unicode_minus": False,
    # FreeType's hinter costs ~30% of a PNG's drawing (mostly text); unhinted glyphs at
    # 150 dpi look the same, and the SVG's glyph paths are unhinted anyway.
    "text.hinting": "no_hinting",
}


def figure_bytes(fig: Figure, fmt: str = "png", dpi: int = DPI) -> bytes:
    """The figure rendered to PNG or SVG bytes, deterministically."""
    buffer = io.BytesIO()
    with rc_context(RC_PARAMS):
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
    with rc_context(RC_PARAMS):
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
    png_path, svg_path = stem.with_name(f"{stem.name}.png"), stem.with_name(f"{stem.name}.svg")
    png, svg = png_and_svg(fig)
    png_path.write_bytes(png)
    svg_path.write_bytes(svg)
    return [png_path, svg_path]
