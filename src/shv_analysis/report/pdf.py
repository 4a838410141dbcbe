"""`rapport.pdf` (`report.pdf` in English): the whole report as one A4 PDF, made with Typst.

The PDF is typeset by the `typst` Python package (`typst.compile`: no LaTeX, no browser).
This module turns the report folder into one JSON document (`document_data`), and the
template `templates/pdf/report.typ` lays it out: a title page (title, dataset, subset, date,
the synthetic notice), a table of contents, "how to read this report", the sections in
report order with the appendix (00, 99) last, page numbers in the footer, figures as the
saved SVG files (vectors) and tables that break across pages with their header repeated.

Deterministic: only Typst's embedded fonts are used (`ignore_system_fonts`), and the PDF's
creation time is midnight UTC of the report date (`contents.report_date`), so two runs on
the same day (or with the same SOURCE_DATE_EPOCH) give identical bytes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

import mistune

from shv_analysis.config import TEMPLATE_DIR
from shv_analysis.report.blocks import html_blocks
from shv_analysis.report.contents import (
    IMG_PREFIXES,
    Section,
    date_epoch,
    figure_files,
    image_stem,
    output_html,
)
from shv_analysis.report.guide import format_date, reading_guide
from shv_analysis.text import text

PDF_TEMPLATE = TEMPLATE_DIR / "pdf" / "report.typ"
_MARKDOWN = mistune.create_markdown(escape=False, plugins=["table", "strikethrough"])


def pdf_name(lang: str) -> str:
    """`rapport.pdf` for Dutch, `report.pdf` for English."""
    return text("pdf.file", lang)


def _figure_maker(by_hash: dict[str, str]):
    def figure_of(src: str, alt: str) -> dict | None:
        prefix = next((p for p in IMG_PREFIXES if src.startswith(p)), None)
        if prefix is None:
            return None
        stem = image_stem(src[len(prefix) :], by_hash)
        if stem is None:
            return None
        return {"kind": "figure", "title": alt, "svg": f"/figures/{stem}.svg"}

    return figure_of


def _shift(blocks: list[dict], level: int) -> list[dict]:
    """Headings of a section's content below the section's own heading (at `level`)."""
    for block in blocks:
        if block["kind"] == "heading":
            block["level"] = min(6, level + max(1, block["level"] - 1))
    return blocks


def section_blocks(section: Section, by_hash: dict[str, str], level: int) -> list[dict]:
    """The blocks of one section (markdown and outputs, see `blocks`), headings shifted so
    that `##` comes right below a section heading at `level`.
    """
    figure_of = _figure_maker(by_hash)
    out: list[dict] = []
    for kind, content in section.cells:
        if kind == "markdown":
            out += html_blocks(_MARKDOWN(content), figure_of)
            continue
        otype = content.get("output_type")
        if otype == "stream":
            text_ = "".join(content.get("text", ""))
            if text_.strip():
                out.append({"kind": "pre", "text": text_.rstrip()})
        elif otype == "error":
            out.append({"kind": "pre", "text": f"{content.get('ename')}: {content.get('evalue')}"})
        elif output_html(content):
            out += html_blocks(output_html(content), figure_of)
        else:
            plain = content.get("data", {}).get("text/plain", "")
            plain = "".join(plain) if isinstance(plain, list) else plain
            if plain.strip():
                out.append({"kind": "pre", "text": plain.rstrip()})
    return _shift(out, level)


def document_data(
    report_dir: Path,
    sections: Sequence[Section],
    lang: str,
    *,
    title: str,
    dataset: str,
    subset: str | None,
    notice: str | None,
    day: dt.date,
    version: str,
) -> dict:
    """The JSON document the Typst template lays out (see the module docstring)."""
    by_hash = figure_files(report_dir)
    main = [s for s in sections if not s.appendix]
    appendix = [s for s in sections if s.appendix]
    parts = [{"title": s.title, "level": 1, "blocks": section_blocks(s, by_hash, 1)} for s in main]
    if appendix:
        parts.append({"title": text("index.appendix", lang), "level": 1, "blocks": []})
        parts += [
            {"title": s.title, "level": 2, "blocks": section_blocks(s, by_hash, 2)}
            for s in appendix
        ]
    words = {key: text(f"pdf.{key}", lang) for key in ("contents", "page", "made_with")}
    meta = [f"{text('index.dataset', lang)}: {dataset}"]
    if subset:
        meta.append(f"{text('index.subset', lang)}: {subset}")
    meta.append(f"{text('index.date', lang)}: {format_date(day, lang)}")
    return {
        "lang": lang,
        "title": title,
        "meta": meta,
        "notice": notice or "",
        "version": f"{words['made_with']} shv-analysis {version}",
        "words": words,
        "guide_title": text("index.guide_title", lang),
        "guide": reading_guide(lang, notice is not None),
        "sections": parts,
    }


def write_pdf(
    report_dir: Path,
    sections: Sequence[Section],
    lang: str,
    *,
    title: str,
    dataset: str,
    subset: str | None,
    notice: str | None,
    day: dt.date,
    version: str,
) -> Path:
    """Write `rapport.pdf` / `report.pdf` into `report_dir` and return its path.

    Args:
        report_dir: a report folder with its notebooks/, figures/ and tables/.
        sections: its sections in report order (`contents.read_sections`).
        lang: "nl" or "en".
        title: the report's title.
        dataset: the dataset's name.
        subset: the subset shown, if any.
        notice: the synthetic-data notice (None for real data).
        day: the report date (`contents.report_date`), also the PDF's creation time.
        version: the version of shv-analysis (on the title page).

    Raises:
        ImportError: the `typst` package is not installed.
        RuntimeError: Typst could not compile the document (its message).
    """
    import typst  # the compiler is large; loaded when a PDF is made

    data = document_data(
        report_dir,
        sections,
        lang,
        title=title,
        dataset=dataset,
        subset=subset,
        notice=notice,
        day=day,
        version=version,
    )
    target = report_dir / pdf_name(lang)
    try:
        pdf = typst.compile(
            PDF_TEMPLATE.read_bytes(),
            root=str(report_dir),
            sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
            ignore_system_fonts=True,
            timestamp=date_epoch(day),
        )
    except typst.TypstError as exc:
        raise RuntimeError(f"typst: {exc.message}") from exc
    target.write_bytes(pdf)
    return target
