"""Deterministic figure files: a matplotlib `Figure` rendered to PNG and SVG bytes, and saved.

`figure_bytes(fig, fmt)` renders one format; `png_and_svg(fig)` renders both, the PNG encoding
overlapping the SVG drawing in a thread; `save_figure(fig, stem)` writes `<stem>.png` (150 dpi)
and `<stem>.svg`. In a report worker's kernel (`BACKGROUND_ENV` set, see `report.engine`),
`save_figure(..., background=True)` draws the SVG in a forked process while this one draws
the PNG, and `wait_figures()` (which the worker runs after every notebook) waits for those
processes (a failed one's SVG is then drawn here). Every rendering runs under `RC_PARAMS`
(DejaVu Sans, glyphs as paths, no hinting, a fixed SVG hash salt) and without dates or
software stamps, so two runs give byte-identical files.
The charts draw under the same settings (`chart_layout`, `charts`, `crosstab_charts`).
"""

from __future__ import annotations

import io
import os
import sys
import threading
import warnings
from pathlib import Path

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.image import imsave

DPI = 150
SVG_HASHSALT = "shv-analysis"

#: "1" in the environment of a report worker's kernel: SVGs may be drawn in the background.
BACKGROUND_ENV = "SHV_FIGURES_IN_BACKGROUND"
MAX_PENDING = 2  # background SVG processes at a time
_pending: list[tuple[int, Figure, Path]] = []  # (process id, figure, SVG path)

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


def _svg_in_background(fig: Figure, path: Path) -> int | None:
    """Fork a process that writes the figure's SVG to `path`; its id, or None (no fork).

    The child only renders and writes a file (first to a temporary name, then renamed), with
    output and warnings silenced (a kernel's stdout is a socket of the parent's), and leaves
    with `os._exit`, so none of the parent's exit handlers or sockets run in it.
    """
    try:
        pid = os.fork()
    except OSError:
        return None
    if pid:
        return pid
    code = 1
    try:
        sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - the child exits
        warnings.simplefilter("ignore")
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(figure_bytes(fig, "svg"))
        os.replace(tmp, path)
        code = 0
    finally:
        os._exit(code)


def wait_figures(limit: int = 0) -> None:
    """Wait until at most `limit` background SVG processes are left; the SVG of one that
    failed is drawn in this process instead (an error there raises).
    """
    while len(_pending) > limit:
        pid, fig, path = _pending.pop(0)
        try:
            _, status = os.waitpid(pid, 0)
            ok = os.waitstatus_to_exitcode(status) == 0 and path.is_file()
        except ChildProcessError:
            ok = path.is_file()
        if not ok:
            path.write_bytes(figure_bytes(fig, "svg"))


def save_figure(fig: Figure, path_stem: str | Path, background: bool = False) -> list[Path]:
    """Write `<path_stem>.png` (150 dpi) and `<path_stem>.svg`; returns both paths.

    background: in a report worker's kernel (`BACKGROUND_ENV`), draw the SVG in a forked
    process; it is written when `wait_figures()` returns. Elsewhere (or without `os.fork`)
    both are written before this returns, as without it. Same bytes either way.
    """
    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    png_path, svg_path = stem.with_name(f"{stem.name}.png"), stem.with_name(f"{stem.name}.svg")
    if background and os.environ.get(BACKGROUND_ENV) == "1" and hasattr(os, "fork"):
        wait_figures(MAX_PENDING - 1)
        pid = _svg_in_background(fig, svg_path)
        if pid is not None:
            _pending.append((pid, fig, svg_path))
            png_path.write_bytes(figure_bytes(fig, "png"))
            return [png_path, svg_path]
    png, svg = png_and_svg(fig)
    png_path.write_bytes(png)
    svg_path.write_bytes(svg)
    return [png_path, svg_path]
