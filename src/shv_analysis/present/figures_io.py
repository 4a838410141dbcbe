"""Deterministic figure files: a matplotlib `Figure` rendered to SVG and PNG, and saved.

`figure_bytes(fig, fmt)` renders one format with matplotlib; `save_figure(fig, stem)` writes
`<stem>.svg` and `<stem>.png` (150 dpi), the PNG rasterised from the saved SVG by typst
(`svg_to_png`), which is faster than drawing the figure a second time with Agg. A report
worker's kernel writes only the SVG (`DEFER_PNG_ENV`); the worker then makes the PNGs
(`rasterise_missing`) while it renders the section's HTML. Every rendering runs under
`RC_PARAMS` (DejaVu Sans, glyphs as paths, no hinting, a fixed SVG hash salt) and without
dates or software stamps, so two runs give byte-identical files.
The charts draw under the same settings (`chart_layout`, `charts`, `crosstab_charts`).
"""

from __future__ import annotations

import io
import json
import os
import zlib
from pathlib import Path

from matplotlib import rc_context
from matplotlib.figure import Figure

from shv_analysis.present.svg_text import cached_layout

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
    """The figure rendered to PNG or SVG bytes (UTF-8), deterministically.

    An SVG is written to a text buffer (matplotlib wraps a bytes buffer in a UTF-8 codec
    writer, one call per XML fragment) and its texts are laid out through
    `svg_text.cached_layout`; both leave the bytes as they were.
    """
    with rc_context(RC_PARAMS):
        if fmt == "svg":
            text = io.StringIO()
            with cached_layout():
                fig.savefig(text, format="svg", metadata={"Date": None})
            return text.getvalue().encode("utf-8")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


#: Set to "1" in a kernel whose report worker makes the PNGs itself after the notebook has
#: run (`rasterise_missing`), so the kernel writes only the SVG (see `Section.figure`).
DEFER_PNG_ENV = "SHV_DEFER_PNG"


def png_deferred() -> bool:
    """True in a kernel of a report worker that makes the PNGs itself (`DEFER_PNG_ENV`)."""
    return os.environ.get(DEFER_PNG_ENV) == "1"


def svgs_to_pngs(svg_paths: list[str | Path], ppi: int = DPI) -> list[Path]:
    """Rasterise saved SVGs of one folder to `<same stem>.png` at `ppi` pixels per inch;
    returns the PNG paths, in the order given.

    typst's SVG renderer (resvg) draws each file on a page of its own, the size of the SVG
    and without margin, all in one compilation (9 charts: 0.39 s, against 0.99 s one by one,
    the same bytes). An SVG of `RC_PARAMS` holds its glyphs as paths, so no font is looked
    up (system fonts are not even scanned). The picture is the one matplotlib's Agg would
    draw; the PNG carries no date or software stamp, so the bytes are deterministic.

    Raises:
        ValueError: the files are not in one folder.
        typst.TypstError: an SVG cannot be read.
    """
    import typst  # ~3 ms; the renderer itself loads on first use

    svgs = [Path(p).resolve() for p in svg_paths]
    if not svgs:
        return []
    folder = svgs[0].parent
    if any(svg.parent != folder for svg in svgs):
        raise ValueError("svgs_to_pngs: the SVGs must be in one folder")
    pages = "\n#pagebreak()\n".join(f"#image({json.dumps('/' + svg.name)})" for svg in svgs)
    source = f"#set page(width: auto, height: auto, margin: 0pt)\n{pages}\n".encode()
    pngs = typst.compile(source, root=str(folder), format="png", ppi=ppi, ignore_system_fonts=True)
    if isinstance(pngs, bytes):  # one page
        pngs = [pngs]
    out = []
    for svg, png in zip(svgs, pngs, strict=True):
        path = svg.with_suffix(".png")
        path.write_bytes(with_resolution(png, ppi))
        out.append(path)
    return out


def with_resolution(png: bytes, ppi: int = DPI) -> bytes:
    """The PNG with its resolution recorded (a pHYs chunk, pixels per metre, right after the
    header), as matplotlib's Agg writes it: without one, Word and others assume 72 or 96
    ppi and place a 150-ppi figure half again too large. An existing pHYs chunk is replaced.
    """
    signature, header_end = png[:8], 8 + 8 + 13 + 4  # signature, IHDR (length, type, 13, CRC)
    if signature != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("with_resolution: not a PNG")
    chunks, pos = [], header_end
    while pos < len(png):
        length = int.from_bytes(png[pos : pos + 4], "big")
        end = pos + 12 + length
        if png[pos + 4 : pos + 8] != b"pHYs":
            chunks.append(png[pos:end])
        pos = end
    per_metre = round(ppi / 0.0254)
    body = b"pHYs" + per_metre.to_bytes(4, "big") * 2 + b"\x01"  # unit 1: the metre
    phys = (9).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")
    return png[:header_end] + phys + b"".join(chunks)


def svg_to_png(svg_path: str | Path, ppi: int = DPI) -> Path:
    """Rasterise one saved SVG to `<same stem>.png` (see `svgs_to_pngs`); returns its path."""
    return svgs_to_pngs([svg_path], ppi)[0]


def rasterise_missing(folder: str | Path, prefix: str = "") -> list[Path]:
    """`svgs_to_pngs` for every `<prefix>*.svg` in `folder` that has no `.png` yet, in one
    compilation; returns the PNGs written, sorted by name. typst releases the GIL, so this
    can run in a thread beside other work (`tasks.run_task` renders the HTML meanwhile).
    """
    todo = [
        svg
        for svg in sorted(Path(folder).glob(f"{prefix}*.svg"))
        if not svg.with_suffix(".png").is_file()
    ]
    return sorted(svgs_to_pngs(todo))


def save_figure(fig: Figure, path_stem: str | Path, png: bool = True) -> list[Path]:
    """Write `<path_stem>.svg` and, unless `png=False`, `<path_stem>.png` (150 dpi, rasterised
    from the SVG by `svg_to_png`); returns the paths written, PNG first.
    """
    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    svg_path = stem.with_name(f"{stem.name}.svg")
    svg_path.write_bytes(figure_bytes(fig, "svg"))
    if not png:
        return [svg_path]
    return [svg_to_png(svg_path), svg_path]
