"""A section's HTML (markdown rendered, display outputs) as plain blocks for the PDF.

The report's HTML is small and regular (paragraphs, headings, lists, `shv-table-block`s,
`<img>` figures), so a tolerant `html.parser` walk is enough. Blocks are dicts that the
Typst template `templates/pdf/report.typ` lays out:

    {"kind": "heading", "level": 2, "text": ...}
    {"kind": "par", "text": ..., "style": "normal" | "small" | "strong" | "emph"}
    {"kind": "list", "items": [...]}
    {"kind": "table", "title": ..., "header": [...], "rows": [[...]], "numeric": [...],
     "notes": [...]}
    {"kind": "figure", "title": ..., "svg": "/figures/<stem>.svg"}
    {"kind": "pre", "text": ...}

The synthetic-data notice (`shv-synthetic-notice`, and `shv-notice` under a table) is left
out: the PDF shows it once, on its title page (and the figures carry their own). An image
that is no saved figure is left out too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

from shv_analysis.report.contents import NOTICE_CLASS

BLOCK_TAGS = {
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "pre",
    "blockquote",
    "section",
}
NUMBER_RE = re.compile(
    r"^\s*(?:[<>≤≥]\s*)?[-−+]?\d[\d.,]*\s*%?(?:\s*\(.*\))?"
    r"(?:\s*/\s*\d[\d.,]*)?\s*$|^\s*[-–—x]\s*$"
)


class _Walker(HTMLParser):
    def __init__(self, figure_of: Callable[[str, str], dict | None]):
        super().__init__(convert_charrefs=True)
        self.figure_of = figure_of
        self.blocks: list[dict] = []
        self.buffer: list[str] = []
        self.strong_chars = 0
        self.emph_chars = 0
        self.depth_strong = 0
        self.depth_emph = 0
        self.small = False
        self.skip = 0  # depth inside a notice / script / style
        self.stack: list[str] = []
        self.table: dict | None = None
        self.cell: list[str] | None = None
        self.list_items: list[str] | None = None
        self.pre = False

    # ---------------------------------------------------------------- text runs
    def _flush(self, style: str | None = None) -> None:
        text = "".join(self.buffer)
        self.buffer = []
        strong, emph = self.strong_chars, self.emph_chars
        self.strong_chars = self.emph_chars = 0
        if self.pre:
            if text.strip():
                self.blocks.append({"kind": "pre", "text": text.strip("\n")})
            return
        lines = [" ".join(line.split()) for line in text.split("\n")]
        text = "\n".join(line for line in lines if line)
        if not text:
            return
        if self.list_items is not None:
            self.list_items.append(text)
            return
        if style is None:
            length = len(text.replace("\n", ""))
            style = (
                "small"
                if self.small
                else "strong"
                if strong >= length
                else "emph"
                if emph >= length
                else "normal"
            )
        self.blocks.append({"kind": "par", "text": text, "style": style})

    # ---------------------------------------------------------------- tags
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.skip:
            if tag not in ("br", "img", "hr", "meta", "link", "input"):
                self.skip += 1
            return
        classes = (attrs.get("class") or "").split()
        if tag in ("script", "style") or NOTICE_CLASS in classes or "shv-notice" in classes:
            self.skip = 1
            return
        if self.cell is not None:
            if tag == "br":
                self.cell.append(" ")
            return
        if tag in BLOCK_TAGS:
            self._flush()
        if tag == "table":
            self.table = {"header": [], "rows": [], "numeric": None, "classes": []}
        elif tag == "tr" and self.table is not None:
            self.table["rows"].append([])
            self.table["classes"].append([])
        elif tag in ("td", "th") and self.table is not None:
            self.cell = []
            if self.table["rows"]:
                self.table["classes"][-1].append(
                    "num" if "shv-num" in classes else "text" if "shv-text" in classes else ""
                )
                self.table.setdefault("head_rows", set())
                if tag == "th" and not self.table["rows"][-1]:
                    self.table["head_rows"].add(len(self.table["rows"]) - 1)
        elif tag in ("ul", "ol"):
            self.list_items = []
        elif tag == "pre":
            self.pre = True
        elif tag in ("strong", "b"):
            self.depth_strong += 1
        elif tag in ("em", "i"):
            self.depth_emph += 1
        elif tag == "br":
            self.buffer.append("\n")
        elif tag == "img":
            figure = self.figure_of(attrs.get("src") or "", attrs.get("alt") or "")
            if figure:
                self._flush()
                self.blocks.append(figure)
        elif tag == "p" and "font-size:90%" in (attrs.get("style") or "").replace(" ", ""):
            self.small = True
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if self.skip:
            self.skip -= 1
            return
        if self.cell is not None and tag not in ("td", "th"):
            return
        if tag in ("td", "th") and self.table is not None and self.cell is not None:
            self.table["rows"][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
            return
        if tag == "table" and self.table is not None:
            self._end_table()
            return
        if tag in ("strong", "b"):
            self.depth_strong = max(0, self.depth_strong - 1)
        elif tag in ("em", "i"):
            self.depth_emph = max(0, self.depth_emph - 1)
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            text = " ".join("".join(self.buffer).split())
            self.buffer = []
            self.strong_chars = self.emph_chars = 0
            if text:
                self.blocks.append({"kind": "heading", "level": int(tag[1]), "text": text})
        elif tag in ("ul", "ol"):
            self._flush()
            items, self.list_items = self.list_items, None
            if items:
                self.blocks.append({"kind": "list", "items": items})
        elif tag == "pre":
            self._flush()
            self.pre = False
        elif tag in BLOCK_TAGS:
            self._flush()
            if tag == "p":
                self.small = False

    def handle_data(self, data):
        if self.skip:
            return
        if self.cell is not None:
            self.cell.append(data)
            return
        if self.table is not None:
            return  # whitespace between rows
        self.buffer.append(data)
        n = len(" ".join(data.split()))
        if self.depth_strong:
            self.strong_chars += n
        if self.depth_emph:
            self.emph_chars += n

    def close(self):
        super().close()
        self._flush()

    def _end_table(self) -> None:
        t, self.table = self.table, None
        rows = [r for r in t["rows"] if r]
        heads = t.get("head_rows", set())
        header = rows[0] if rows and (0 in heads or not heads) else []
        body = rows[1:] if header else rows
        width = max([len(header)] + [len(r) for r in body]) if rows else 0
        if not width:
            return
        header = (header + [""] * width)[:width]
        body = [(r + [""] * width)[:width] for r in body]
        classes = next((c for c in t["classes"] if any(c)), [])
        if classes:
            numeric = [(classes[i] == "num") if i < len(classes) else False for i in range(width)]
        else:
            numeric = [
                bool([r[i] for r in body if r[i].strip()])
                and all(NUMBER_RE.match(r[i]) for r in body if r[i].strip())
                for i in range(width)
            ]
        table = {
            "kind": "table",
            "title": "",
            "header": header,
            "rows": body,
            "numeric": numeric,
            "notes": [],
        }
        # the block's title is the bold paragraph right before the table
        if (
            self.blocks
            and self.blocks[-1]["kind"] == "par"
            and self.blocks[-1]["style"] == "strong"
        ):
            table["title"] = self.blocks.pop()["text"]
        self.blocks.append(table)


def html_blocks(fragment: str, figure_of: Callable[[str, str], dict | None]) -> list[dict]:
    """The blocks of an HTML fragment (see the module docstring).

    Args:
        fragment: HTML of a rendered markdown cell or a display output.
        figure_of: `(src, alt)` of an `<img>` -> its figure block, or None to leave it out.
    """
    walker = _Walker(figure_of)
    walker.feed(fragment)
    walker.close()
    blocks = walker.blocks
    # a small paragraph right after a table is its footnote
    out: list[dict] = []
    for block in blocks:
        if (
            block["kind"] == "par"
            and block["style"] == "small"
            and out
            and out[-1]["kind"] == "table"
            and not out[-1]["notes"]
        ):
            out[-1]["notes"] = block["text"].split("\n")
            continue
        out.append(block)
    return out
