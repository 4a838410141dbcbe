"""The report's HTML pages, from the Jinja2 templates in `shv_analysis/templates/`.

    templates/index/page.html.j2     the shell of an index page: title, notice, meta lines
    templates/index/report.html.j2   index.html of one report: its table of contents
    templates/index/single.html.j2   rapport.html: the whole report in one page (single_file)
    templates/index/each.html.j2     index.html of an `--each` root: one line per report
    templates/section/               nbconvert template of a section page (extends `lab`)

Section pages are rendered by nbconvert's `HTMLExporter` with the `section` template, whose
`conf.json` names `lab` as its base: one exporter without code (reviewers), one with it.
Index pages escape every value as `html.escape` does.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from shv_analysis.config import TEMPLATE_DIR
from shv_analysis.report.contents import (
    APPENDIX,
    figure_files,
    figures_of,
    read_sections,
    report_date,
    report_order,
    tables_of,
)
from shv_analysis.report.guide import format_date, reading_guide
from shv_analysis.section import notice_html
from shv_analysis.text import DEFAULT_LANG, normalise_lang, text

#: nbconvert template (a folder of TEMPLATE_DIR) of the section pages.
SECTION_TEMPLATE = "section"

WORDS = {
    "nl": {
        "title": "Experimenten en pilots schuldhulpverlening: rapport",
        "section": "Sectie",
        "status": "Status",
        "time": "Tijd (s)",
        "html": "Rapport",
        "code": "Met code",
        "notebook": "Notebook",
        "ok": "gelukt",
        "failed": "MISLUKT",
        "figures": "Figuren",
        "tables": "Tabellen",
        "workbook": "Alle tabellen in Excel",
        "dataset": "Dataset",
        "subset": "Deelverzameling",
        "version": "Gemaakt met",
        "manifest": "Herkomst en parameters",
        "reports": "Rapporten",
        "report": "Rapport",
        "all": "Alle gegevens",
        "each": "Eén rapport per waarde van",
        "error": "Fout",
        "cell": "cel",
    },
    "en": {
        "title": "Experiments and pilots in debt assistance: report",
        "section": "Section",
        "status": "Status",
        "time": "Time (s)",
        "html": "Report",
        "code": "With code",
        "notebook": "Notebook",
        "ok": "ok",
        "failed": "FAILED",
        "figures": "Figures",
        "tables": "Tables",
        "workbook": "All tables in Excel",
        "dataset": "Dataset",
        "subset": "Subset",
        "version": "Made with",
        "manifest": "Provenance and parameters",
        "reports": "Reports",
        "report": "Report",
        "all": "All data",
        "each": "One report per value of",
        "error": "Error",
        "cell": "cell",
    },
}


def words(lang: str) -> dict[str, str]:
    """The index pages' words in `lang` ("nl" or "en"; see `text.normalise_lang`)."""
    return WORDS[normalise_lang(lang)]


def _escaped(value: Any) -> Any:
    # Escape as html.escape does (&#x27; for '), not as markupsafe (&#39;); Markup passes.
    if isinstance(value, str) and not isinstance(value, Markup):
        return Markup(html.escape(value))
    return value


_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
    autoescape=True,
    finalize=_escaped,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)


def _page(template: str, lang: str, notice: str | None, meta: Sequence[str], **context: Any) -> str:
    return _ENV.get_template(template).render(
        lang=lang,
        w=words(lang),
        notice=Markup(notice_html(notice)) if notice else None,
        meta=list(meta),
        **context,
    )


def _link(href: str, text: str) -> dict[str, str]:
    return {"href": href, "text": text}


def _meta(w: dict, dataset: str, subset: str | None, version: str) -> list[str]:
    meta = [f"{w['dataset']}: {dataset}"]
    if subset:
        meta.append(f"{w['subset']}: {subset}")
    meta.append(f"{w['version']} shv-analysis {version}")
    return meta


def environment() -> jinja2.Environment:
    """The Jinja2 environment of the index pages and the single file (html.escape-style
    escaping of every value, strict undefined).
    """
    return _ENV


def _section_view(report_dir: Path, result, section, lang: str) -> dict:
    def link(rel: str, label: str, download: bool = False):
        if not (report_dir / rel).is_file():
            return None
        return {"href": rel, "text": label, "download": download}

    return {
        "title": section.title if section else result.title,
        "summary": section.summary if section else "",
        "ok": result.status == "ok",
        "error": result.describe_error(),
        "page": link(f"html/{result.section}.html", section.title if section else result.title),
        "code": link(f"html/{result.section}.code.html", text("index.code", lang)),
        "notebook": link(
            f"notebooks/{result.section}.ipynb", text("index.notebook", lang), download=True
        ),
    }


def write_report_index(
    report_dir: Path,
    results: Sequence,
    lang: str,
    notice: str | None,
    dataset: str,
    subset: str | None,
    version: str,
    day: dt.date | None = None,
) -> None:
    """Write `report_dir/index.html`, the report's table of contents: the whole report (single
    file, PDF, workbook, when present), the sections by title with a one-line summary and
    their links (reviewer page, code page, notebook download), the appendix (00, 99) last,
    how to read the report, then the tables and figures by title, per section.

    Args:
        report_dir: a report folder with its html/, notebooks/, tables/ and figures/.
        results: one `tasks.SectionResult` per section.
        notice: the synthetic-data notice (None for real data), shown once.
        dataset: the dataset's name; `subset` the subset shown, if any.
        day: the report date (default: `contents.report_date()`).
    """
    w = words(lang)
    day = day or report_date()
    by_name = {r.section: r for r in results}
    order = report_order(list(by_name))
    read = {s.name: s for s in read_sections(report_dir, order)}
    views = [(by_name[n], read.get(n)) for n in order]
    main = [
        _section_view(report_dir, r, s, lang)
        for r, s in views
        if r.section.split("_", 1)[0] not in APPENDIX
    ]
    appendix = [
        _section_view(report_dir, r, s, lang)
        for r, s in views
        if r.section.split("_", 1)[0] in APPENDIX
    ]
    whole = [
        {"href": rel, "text": text(key, lang)}
        for rel, key in (
            (text("single.file", lang), "index.single"),
            (text("pdf.file", lang), "index.pdf"),
            ("tables.xlsx", "index.workbook"),
        )
        if (report_dir / rel).is_file()
    ]
    by_hash = figure_files(report_dir)
    tables, figures = [], []
    for name in order:
        title = read[name].title if name in read else by_name[name].title
        items = [{"href": t.csv, "text": t.title} for t in tables_of(report_dir, name)]
        if items:
            tables.append({"title": title, "entries": items})
        shown = figures_of(read[name], by_hash) if name in read else []
        if shown:
            figures.append({"title": title, "entries": shown})
    meta = _meta(w, dataset, subset, version)
    meta.insert(-1, f"{text('index.date', lang)}: {format_date(day, lang)}")
    page = _page(
        "index/report.html.j2",
        lang,
        notice,
        meta,
        t=lambda key: text(key, lang),
        whole=whole,
        main=main,
        appendix=appendix,
        guide=reading_guide(lang, notice is not None),
        tables=tables,
        figures=figures,
        manifest=_link("manifest.json", w["manifest"]),
    )
    (report_dir / "index.html").write_text(page, encoding="utf-8")


def write_each_index(
    root: Path,
    field_name: str,
    summaries: Sequence[dict],
    lang: str,
    notice: str | None,
    dataset: str,
    version: str,
) -> None:
    """Write `root/index.html` of an `--each` run: a link, subset and status per report.

    Args:
        summaries: per report folder `{"folder", "subset", "label", "status"}`.
    """
    w = words(lang)
    reports = [
        {
            "link": _link(f"{s['folder']}/index.html", s["label"]),
            "subset": s["subset"] or "",
            "ok": s["status"] == "ok",
        }
        for s in summaries
    ]
    page = _page(
        "index/each.html.j2",
        lang,
        notice,
        _meta(w, dataset, None, version),
        field=field_name,
        reports=reports,
        manifest=_link("manifest.json", w["manifest"]),
    )
    (root / "index.html").write_text(page, encoding="utf-8")


#: Cell tag of analyst-only text (how to set the parameters): dropped from reviewer pages.
ANALYST_TAG = "analyst"


#: What nbconvert's HTMLExporter adds to a page after rendering it (with BeautifulSoup, which
#: costs ~40% of a section's rendering): tabindex="0" on cell inputs and outputs, so that
#: a keyboard reaches them, and a text alternative on an image without one.
_ATTRS = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""  # a tag's attributes, quoted values whole
_FOCUSABLE = re.compile(
    r'(<div class="(?:[^"]*\s)?jp-(?:Cell-inputWrapper|OutputArea-output)(?:\s[^"]*)?"'
    + _ATTRS
    + r")>"
)
_IMG = re.compile(r"<img\b(" + _ATTRS + r")>", re.IGNORECASE)
_HAS_ALT = re.compile(r"""(?:^|\s)alt\s*=|(?:^|\s)alt(?=\s|/?$)""", re.IGNORECASE)
_QUOTED = re.compile(r""""[^"]*"|'[^']*'""")


def accessible(page: str, lang: str) -> str:
    """`page` with what nbconvert's HTMLExporter adds to it afterwards (see `_FOCUSABLE`),
    the attributes last in their tags as it puts them; the missing text alternative is the
    catalogue's, in `lang`. Quoted attribute values are skipped whole (a '>' in a title
    does not end the tag; `data-alt` is not `alt`).
    """
    page = _FOCUSABLE.sub(r'\1 tabindex="0">', page)
    alt = html.escape(text("section_page.no_alt", lang), quote=True)

    def add_alt(match: re.Match) -> str:
        attrs = match.group(1)
        if _HAS_ALT.search(_QUOTED.sub('""', attrs)):
            return match.group(0)
        closing = "/" if attrs.rstrip().endswith("/") else ""
        attrs = attrs.rstrip()[:-1] if closing else attrs
        return f'{match.group(0)[:4]}{attrs} alt="{alt}"{closing}>'

    return _IMG.sub(add_alt, page)


_CONTROL = re.compile(r"[\x01-\x08\x0b\x0e-\x1f]")


def code_characters(highlighted: str) -> str:
    """Highlighted code (Pygments' HTML) with the characters HTML does not allow as bleach
    treats them, which is all the lab template's `clean_html` pass changes in such HTML:
    NUL dropped, CR and CRLF as LF, other C0 controls as '?' (not tab, LF and form feed,
    which HTML allows as white space; bleach also keeps a form feed between lines).
    """
    out = highlighted.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("?", out)


def _exporter_class():
    """`SectionExporter`: nbconvert's HTMLExporter rendering the page without its
    BeautifulSoup pass (done by `accessible` instead) and without validating the notebook
    after each of its preprocessors (the executed notebook was validated when written).
    Built on first use: nbconvert is slow to import and only the workers need it.
    """
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class SectionExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            info = nb.metadata.get("language_info", {})
            lexer = info.get("pygments_lexer", info.get("name", None))
            highlight = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight)
            self.register_filter("filter_data_type", data_type)
            self.register_filter("shv_code_characters", code_characters)
            page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return accessible(page, normalise_lang(self.language_code)), resources

        def _validate_preprocessor(self, nbc, preprocessor):
            return None

    return SectionExporter


def section_exporters() -> dict:
    """The two exporters of the section pages (`section` template, base `lab`; nbconvert's
    HTMLExporter without its slow after-pass, see `_exporter_class`).

    Returns:
        `{"html": outputs only (no code, no prompts, no cells tagged `analyst`), "code":
        code and outputs}`.
    """
    from traitlets.config import Config

    exporter = _exporter_class()
    common = {"extra_template_basedirs": [str(TEMPLATE_DIR)], "template_name": SECTION_TEMPLATE}
    reviewer = Config()
    reviewer.TagRemovePreprocessor.enabled = True
    reviewer.TagRemovePreprocessor.remove_cell_tags = {ANALYST_TAG}
    return {
        "html": exporter(
            config=reviewer,
            **common,
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
        ),
        "code": exporter(**common),
    }


def notebook_lang(nb) -> str:
    """The report language of an executed notebook: its papermill `lang` parameter, else
    Dutch.
    """
    parameters = nb.get("metadata", {}).get("papermill", {}).get("parameters") or {}
    try:
        return normalise_lang(parameters.get("lang"))
    except ValueError:  # papermill already refused it; the page is still written
        return DEFAULT_LANG


def render_section(exporter, nb, title: str) -> str:
    """A section page (HTML text) of an executed notebook, titled `title`, whose
    `<html lang>` is the notebook's report language (`notebook_lang`).
    """
    exporter.language_code = notebook_lang(nb)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body
