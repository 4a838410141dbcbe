"""What a written report folder holds, read back for its index, single file and PDF.

Read from the folder only (no kernel, no nbconvert): the executed notebooks
(`notebooks/<section>.ipynb`, as JSON), the table sidecars (`tables/*.json`: title, section,
order) and the figures (`figures/*.png` / `.svg`).

Report order: the sections by number, except the appendix sections (`APPENDIX`: 00, data
quality, and 99, reproduction), which come last, in that order. File names keep their
numbers; only the order in which index, single file and PDF show them changes.

Figures: a notebook shows each figure as an `<img>` whose data URI holds exactly the bytes
of the saved SVG (a map: of its PNG; `Section.figure`), with the figure's title as `alt`.
So a figure's title and its place in the section are found by matching that SHA-256.

Reviewer view: cells tagged `analyst` (how to set the parameters) are left out, as the
reviewer pages leave them out; code is never shown.

Run date: `report_date` (see there) is what "deterministic" means for the date the report
shows: `SOURCE_DATE_EPOCH` when set, else the UTC day of the run.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import html
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path

#: Section numbers shown last, as appendices, in this order.
APPENDIX = ("00", "99")
#: Cell tags the reviewer view leaves out (as the reviewer pages do).
SKIP_TAGS = frozenset({"analyst"})
NOTICE_CLASS = "shv-synthetic-notice"
#: An image shown from a data URI: a figure's SVG or (maps) PNG, as `Section.figure` shows it.
IMG_PREFIXES = ("data:image/svg+xml;base64,", "data:image/png;base64,")
IMG_RE = re.compile(
    r'<img\b[^>]*?src="data:image/(?:svg\+xml|png);base64,([A-Za-z0-9+/=\s]+)"[^>]*>'
)
ALT_RE = re.compile(r'\balt="([^"]*)"')


@dataclasses.dataclass
class Figure:
    """A saved figure: title (the `alt` of its image), files relative to the report."""

    section: str
    title: str
    png: str
    svg: str


@dataclasses.dataclass
class TableInfo:
    """A saved table: its title and files relative to the report."""

    section: str
    title: str
    csv: str
    order: int


@dataclasses.dataclass
class Section:
    """One section notebook of a report, as the reviewer sees it.

    `cells` are `(kind, content)` pairs in notebook order: ("markdown", source) or
    ("output", output dict), without the title heading, code, and skipped cells.
    """

    name: str  # notebook stem, e.g. "01_overzicht"
    title: str
    summary: str
    appendix: bool
    cells: list = dataclasses.field(default_factory=list)
    ok: bool = True

    @property
    def number(self) -> str:
        """The section's number, e.g. "01"."""
        return self.name.split("_", 1)[0]

    @property
    def anchor(self) -> str:
        """The id of the section in the single file."""
        return f"s-{self.name}"


def report_order(names: Sequence[str]) -> list[str]:
    """Section stems in report order: by number, the `APPENDIX` sections last.

    >>> report_order(["00_a", "01_b", "99_c", "05_d"])
    ['01_b', '05_d', '00_a', '99_c']
    """

    def key(name: str):
        number = name.split("_", 1)[0]
        if number in APPENDIX:
            return (1, APPENDIX.index(number), name)
        return (0, 0, name)

    return sorted(names, key=key)


def report_date(environ=None) -> dt.date:
    """The date a report shows and stamps into its PDF.

    `SOURCE_DATE_EPOCH` (seconds since 1970, the reproducible-builds convention) when set and
    valid, else today in UTC. So two runs on the same day, or with the same
    SOURCE_DATE_EPOCH, write identical files; a report rebuilt later shows the day it was
    rebuilt, unless SOURCE_DATE_EPOCH pins it.
    """
    value = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH", "").strip()
    if value.isdigit():
        return dt.datetime.fromtimestamp(int(value), dt.UTC).date()
    return dt.datetime.now(dt.UTC).date()


def date_epoch(day: dt.date) -> int:
    """Seconds since 1970 of midnight UTC of `day` (the PDF's creation time)."""
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def _tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _plain(markdown: str) -> str:
    """A markdown paragraph as plain text (emphasis, code marks and links removed)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"[*_`]+", "", text)
    return " ".join(text.split())


def first_sentence(paragraph: str) -> str:
    """The first sentence of a paragraph (up to the first '.', '?' or '!' before a space),
    the one-line summary of a section.
    """
    match = re.match(r"(.+?[.?!])(?:\s|$)", paragraph)
    return match.group(1) if match else paragraph


def _title_and_summary(cells: list, default: str) -> tuple[str, str, int]:
    """(title, summary, index of the title cell or -1) from the first markdown cells."""
    for i, cell in enumerate(cells):
        if cell.get("cell_type") != "markdown" or _tags(cell) & SKIP_TAGS:
            continue
        source = _text(cell.get("source"))
        lines = source.splitlines()
        heading = next((j for j, line in enumerate(lines) if line.startswith("# ")), None)
        if heading is None:
            continue
        title = lines[heading][2:].strip()
        rest = "\n".join(lines[heading + 1 :]).strip()
        paragraphs = [p for p in re.split(r"\n\s*\n", rest) if p.strip()]
        return title, (first_sentence(_plain(paragraphs[0])) if paragraphs else ""), i
    return default, "", -1


def read_section(path: Path, name: str | None = None) -> Section:
    """The reviewer's view of an executed notebook (see `Section`).

    Args:
        path: `notebooks/<section>.ipynb` of a report.
        name: the section's stem (default: the file's).
    """
    name = name or path.stem
    nb = json.loads(path.read_text("utf-8"))
    raw = nb.get("cells", [])
    title, summary, title_cell = _title_and_summary(raw, name)
    cells = []
    for i, cell in enumerate(raw):
        if _tags(cell) & SKIP_TAGS:
            continue
        if cell.get("cell_type") == "markdown":
            source = _text(cell.get("source"))
            if i == title_cell:  # the title is shown by whoever renders the section
                source = re.sub(r"^# .*$", "", source, count=1, flags=re.M).strip()
            if source.strip():
                cells.append(("markdown", source))
        elif cell.get("cell_type") == "code":
            cells.extend(("output", output) for output in cell.get("outputs", []))
    failed = any(o.get("output_type") == "error" for kind, o in cells if kind == "output")
    return Section(name, title, summary, name.split("_", 1)[0] in APPENDIX, cells, not failed)


def read_sections(report_dir: Path, names: Sequence[str]) -> list[Section]:
    """The sections `names` whose executed notebook exists and reads, in report order."""
    out = []
    for name in report_order(names):
        path = report_dir / "notebooks" / f"{name}.ipynb"
        try:
            out.append(read_section(path, name))
        except (OSError, ValueError, AttributeError):  # missing, or no notebook JSON
            continue
    return out


def output_html(output: dict) -> str:
    """The HTML of a display output ("" when it has none)."""
    return _text(output.get("data", {}).get("text/html", ""))


def figure_files(report_dir: Path) -> dict[str, str]:
    """SHA-256 of each `figures/*.svg` and `*.png` -> its stem (a section shows either)."""
    return {
        hashlib.sha256(p.read_bytes()).hexdigest(): p.stem
        for suffix in ("*.png", "*.svg")
        for p in sorted((report_dir / "figures").glob(suffix))
    }


def image_stem(data_b64: str, by_hash: dict[str, str]) -> str | None:
    """The saved figure whose SVG or PNG is the image `data_b64` (base64), or None."""
    try:
        data = base64.b64decode("".join(data_b64.split()))
    except ValueError:
        return None
    return by_hash.get(hashlib.sha256(data).hexdigest())


def figures_of(section: Section, by_hash: dict[str, str]) -> list[Figure]:
    """The saved figures a section shows, in the order it shows them."""
    out, seen = [], set()
    for kind, content in section.cells:
        if kind != "output":
            continue
        for match in IMG_RE.finditer(output_html(content)):
            stem = image_stem(match.group(1), by_hash)
            if stem is None or stem in seen:
                continue
            seen.add(stem)
            alt = ALT_RE.search(match.group(0))
            title = _unescape(alt.group(1)) if alt else stem
            out.append(
                Figure(section.name, title or stem, f"figures/{stem}.png", f"figures/{stem}.svg")
            )
    return out


def tables_of(report_dir: Path, section: str) -> list[TableInfo]:
    """The saved tables of a section (from their sidecars), in the order it shows them."""
    out = []
    for path in sorted((report_dir / "tables").glob(f"{section}__*.json")):
        try:
            meta = json.loads(path.read_text("utf-8"))
        except ValueError:
            continue
        out.append(
            TableInfo(
                section,
                str(meta.get("title") or path.stem),
                f"tables/{meta.get('csv') or path.stem + '.csv'}",
                int(meta.get("order") or 0),
            )
        )
    return sorted(out, key=lambda t: (t.order, t.csv))


def _unescape(text: str) -> str:
    return html.unescape(text)
