"""`rapport.html` (`report.html` in English): the whole report as one self-contained page.

Every section in report order (the appendix, 00 and 99, last), with a navigation sidebar,
built from the executed notebooks (`contents.read_sections`): markdown cells rendered with
mistune, display outputs as the notebook shows them. Figures are the notebooks' SVG (maps: PNG)
data URIs, so the file travels alone (a reviewer can attach it to an e-mail). One stylesheet,
inline; no script; no request to anywhere (`no_outside_links` removes any `http(s)://`
source and turns an outside link into its text). The synthetic-data notice is shown once at
the top (the figures carry their own), not per section. Code is never shown; cells tagged
`analyst` are left out.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence
from pathlib import Path

import mistune
from markupsafe import Markup

from shv_analysis.report.contents import NOTICE_CLASS, Section, output_html
from shv_analysis.report.guide import format_date, reading_guide
from shv_analysis.text import text

_MARKDOWN = mistune.create_markdown(escape=False, plugins=["table", "strikethrough"])
_NOTICE_DIV = re.compile(rf'<div class="{NOTICE_CLASS}"[^>]*>.*?</div>', re.S)
_TABLE_NOTICE = re.compile(r'<p class="shv-notice"[^>]*>.*?</p>', re.S)
_OUTSIDE_A = re.compile(r'<a\b[^>]*\bhref\s*=\s*["\']?(?:https?:)?//[^>]*>(.*?)</a>', re.S | re.I)
_OUTSIDE_SRC = re.compile(
    r"<(?:img|script|iframe|link|source|video|audio)\b[^>]*"
    r'\b(?:src|href)\s*=\s*["\']?(?:https?:)?//[^>]*>',
    re.I,
)
_HEADING = re.compile(r"<(/?)h([1-6])\b")


def single_name(lang: str) -> str:
    """`rapport.html` for Dutch, `report.html` for English."""
    return text("single.file", lang)


def no_outside_links(fragment: str) -> str:
    """HTML without requests to elsewhere: elements with an outside `src`/`href` removed,
    an outside link `<a href="https://...">text</a>` reduced to its text.
    """
    return _OUTSIDE_SRC.sub("", _OUTSIDE_A.sub(r"\1", fragment))


def _shift_headings(fragment: str, by: int) -> str:
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + by)}", fragment)


def section_html(section: Section, level: int) -> str:
    """The body of one section: markdown and outputs, headings below the section's
    heading (at `level`), without notices and outside links.
    """
    parts = []
    for kind, content in section.cells:
        if kind == "markdown":
            parts.append(_shift_headings(_MARKDOWN(content), level - 1))
            continue
        otype = content.get("output_type")
        if otype == "stream":
            parts.append(f"<pre>{_escape(''.join(content.get('text', '')))}</pre>")
        elif otype == "error":
            parts.append(
                f'<pre class="error">{_escape(str(content.get("ename")))}: '
                f"{_escape(str(content.get('evalue')))}</pre>"
            )
        elif output_html(content):
            fragment = _TABLE_NOTICE.sub("", _NOTICE_DIV.sub("", output_html(content)))
            parts.append(_shift_headings(fragment, level - 1))
        else:
            plain = content.get("data", {}).get("text/plain", "")
            plain = "".join(plain) if isinstance(plain, list) else plain
            if plain.strip():
                parts.append(f"<pre>{_escape(plain)}</pre>")
    return no_outside_links("\n".join(parts))


def _escape(value: str) -> str:
    return html.escape(value)


def write_single_file(
    report_dir: Path,
    sections: Sequence[Section],
    lang: str,
    env,
    *,
    title: str,
    dataset: str,
    subset: str | None,
    notice_block: str | None,
    day: dt.date,
    version: str,
) -> Path:
    """Write `rapport.html` / `report.html` into `report_dir` and return its path.

    Args:
        report_dir: a report folder with its notebooks/.
        sections: its sections in report order (`contents.read_sections`).
        lang: "nl" or "en" (also `<html lang>`).
        env: the Jinja2 environment of the index pages (`rendering`).
        title: the report's title.
        dataset: the dataset's name.
        subset: the subset shown, if any.
        notice_block: the synthetic-data notice as an HTML block (None for real data).
        day: the report date (`contents.report_date`).
        version: the version of shv-analysis.
    """
    main = [s for s in sections if not s.appendix]
    appendix = [s for s in sections if s.appendix]
    meta = [f"{text('index.dataset', lang)}: {dataset}"]
    if subset:
        meta.append(f"{text('index.subset', lang)}: {subset}")
    meta.append(f"{text('index.date', lang)}: {format_date(day, lang)}")

    def view(s: Section, level: int) -> dict:
        return {
            "anchor": s.anchor,
            "title": s.title,
            "level": level,
            "body": Markup(section_html(s, level)),
        }

    page = env.get_template("index/single.html.j2").render(
        lang=lang,
        title=title,
        meta=meta,
        version=version,
        notice=Markup(notice_block) if notice_block else None,
        t=lambda key: text(key, lang),
        guide=reading_guide(lang, notice_block is not None),
        main=[view(s, 2) for s in main],
        appendix=[view(s, 3) for s in appendix],
    )
    target = report_dir / single_name(lang)
    target.write_text(page, encoding="utf-8")
    return target
