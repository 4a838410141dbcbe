"""The report's pages from their templates, and papermill finding the report's engine through
the package's entry point (no notebook is executed here)."""

from __future__ import annotations

import datetime
import re
import subprocess
import sys
import tomllib
from pathlib import Path

# jsonschema (under nbformat) would build an IRI grammar for ~3 s; unused here.
sys.modules.setdefault("rfc3987_syntax", None)
import nbformat  # noqa: E402

from shv_analysis.report.rendering import (  # noqa: E402
    code_characters,
    render_section,
    section_exporters,
    write_each_index,
    write_report_index,
)
from shv_analysis.report.tasks import SectionResult  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def test_report_index_rows_links_and_escaping(tmp_path):
    for rel in (
        "html/01_a.html",
        "html/01_a.code.html",
        "notebooks/02_b.ipynb",
        "tables/01_a__t.csv",
        "figures/01_a__f.png",
    ):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    results = [
        SectionResult("", "01_a", "Ja & 'nee'", "ok", 1.25),
        SectionResult(
            "",
            "02_b",
            "Kapot",
            "failed",
            0.5,
            {
                "cell_index": 3,
                "exec_count": 2,
                "source": "x = f(<1>)",
                "ename": "ValueError",
                "evalue": "bad",
            },
        ),
    ]
    write_report_index(
        tmp_path,
        results,
        "nl",
        "LET OP",
        "Mijn <data>",
        "provincie=Utrecht",
        "9.9",
        day=datetime.date(2026, 3, 1),
    )
    page = (tmp_path / "index.html").read_text("utf-8")
    assert page.startswith('<!doctype html>\n<html lang="nl">\n') and page.endswith("</html>\n")
    assert "<title>Experimenten en pilots schuldhulpverlening: rapport</title>" in page
    assert (
        '<div class="shv-synthetic-notice" role="alert" style="border:3px solid #b00020;'
        "background:#fdecea;color:#b00020;padding:10px 14px;margin:6px 0 14px 0;"
        'font-weight:bold;font-size:110%">LET OP</div>'
    ) in page
    assert (
        '<p class="meta">Dataset: Mijn &lt;data&gt;</p>\n'
        '<p class="meta">Deelverzameling: provincie=Utrecht</p>\n'
        '<p class="meta">Datum: 1 maart 2026</p>\n'
        '<p class="meta">Gemaakt met shv-analysis 9.9</p>'
    ) in page
    # quotes escaped as html.escape does; a missing file gives no link; no times
    assert (
        '<li><span class="title"><a href="html/01_a.html">Ja &amp; &#x27;nee&#x27;</a>'
        '</span> · <span class="more"><a href="html/01_a.code.html">met code</a></span>'
    ) in page
    assert (
        '<li><span class="title">Kapot</span> <span class="failed">MISLUKT</span> · '
        '<span class="more"><a href="notebooks/02_b.ipynb" download>notebook (.ipynb)</a>'
        '</span><br><span class="error">cell 3 (In [2]) `x = f(&lt;1&gt;)`: '
        "ValueError: bad</span>"
    ) in page
    assert "1.2" not in page and "0.5" not in page
    assert "tables.xlsx" not in page  # no workbook in the folder, no link
    assert '<p><a href="manifest.json">Herkomst en parameters</a></p>' in page


def test_each_index_in_english_without_notice(tmp_path):
    summaries = [
        {"folder": "all", "subset": None, "label": "All data", "status": "ok"},
        {"folder": "type-x", "subset": "type=x", "label": "X", "status": "failed"},
    ]
    write_each_index(tmp_path, "type", summaries, "en", None, "Real", "9.9")
    page = (tmp_path / "index.html").read_text("utf-8")
    assert "shv-synthetic-notice" not in page
    assert "<h2>Reports</h2>\n<p>One report per value of type</p>" in page
    assert '<tr><td><a href="all/index.html">All data</a></td><td></td><td>ok</td></tr>' in page
    assert (
        '<tr><td><a href="type-x/index.html">X</a></td><td>type=x</td>'
        "<td><span class=failed>FAILED</span></td></tr>"
    ) in page


def test_section_pages_are_lab_pages_without_scripts_in_the_report_language():
    """The section template extends `lab`: the same page, minus the scripts it would load
    from a CDN, with `<html lang>` the notebook's `lang` parameter and no analyst cells in
    the reviewer page."""
    from nbconvert import HTMLExporter

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Titel", id="kop"),
            nbformat.v4.new_markdown_cell(
                "*Parameters in de cel hieronder*", id="uitleg", metadata={"tags": ["analyst"]}
            ),
            nbformat.v4.new_code_cell(
                "1 + 1",
                id="som",
                execution_count=1,
                outputs=[
                    nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)
                ],
            ),
        ],
        metadata={"papermill": {"parameters": {"lang": "nl"}}},
    )
    ours = section_exporters()
    lab, _ = HTMLExporter(template_name="lab").from_notebook_node(
        nb, resources={"metadata": {"name": "Titel & zo"}}
    )
    assert "require.min.js" in lab and "mathjax" in lab.lower() and "mermaid" in lab
    for kind in ("html", "code"):
        page = render_section(ours[kind], nb, "Titel & zo")
        assert '<html lang="nl">' in page, kind
        assert "<title>Titel &amp; zo</title>" in page
        assert not re.search(r"(src|href)=\"(https?:)?//", page), kind
        assert "<script" not in page and "mathjax" not in page.lower(), kind
        assert "text-align: left" in page  # text columns of shv tables
        assert ("Parameters in de cel" in page) == (kind == "code"), kind
    assert 'class="jp-CodeMirrorEditor' not in render_section(ours["html"], nb, "t")  # no code
    assert 'class="jp-CodeMirrorEditor' in render_section(ours["code"], nb, "t")
    nb.metadata.papermill.parameters.lang = "en"
    assert '<html lang="en">' in render_section(ours["html"], nb, "t")


def test_papermill_finds_the_engine_through_the_entry_point():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["entry-points"]["papermill.engine"] == {
        "shv": "shv_analysis.report.engine:WarmEngine"
    }
    code = (
        "import papermill.engines as e; c = e.papermill_engines.get_engine('shv'); "
        "print(c.__module__, c.__name__, c.__mro__[2].__name__, "
        "e.papermill_engines.get_engine(None).__name__)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    # papermill's default engine keeps the prose of the `lang` parameter too
    assert done.stdout.split() == [
        "shv_analysis.report.engine",
        "WarmEngine",
        "NBClientEngine",
        "LanguageEngine",
    ], done.stderr[-2000:]


def test_engine_module_says_to_import_papermill_first():
    done = subprocess.run(
        [sys.executable, "-c", "import shv_analysis.report.engine"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert (
        "ImportError: import papermill before shv_analysis.report.engine: papermill loads "
        "that module through its 'papermill.engine' entry point"
    ) in done.stderr


def _page_notebook():
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Titel\n\nTekst met <b>vet</b>."),
            new_code_cell(
                "x = 1",
                outputs=[
                    new_output("stream", name="stdout", text="1\n"),
                    new_output(
                        "display_data",
                        data={
                            "text/html": '<p>a</p><img src="data:image/png;base64,'
                            + png
                            + '"><img alt="met" src="x.png"/>'
                        },
                    ),
                    new_output("display_data", data={"image/png": png}),
                ],
                execution_count=1,
            ),
        ]
    )
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    return nb


def test_section_pages_are_nbconverts_without_its_slow_after_pass():
    """The exporters skip HTMLExporter's BeautifulSoup pass (`rendering.accessible` adds the
    same attributes): read back by BeautifulSoup, a page is the stock exporter's page."""
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    from shv_analysis.config import TEMPLATE_DIR
    from shv_analysis.report.rendering import SECTION_TEMPLATE

    nb = _page_notebook()
    for kind, extra in (("code", {}), ("html", {"exclude_input": True})):
        ours = section_exporters()[kind]
        ours.language_code = "en"
        stock = HTMLExporter(
            extra_template_basedirs=[str(TEMPLATE_DIR)],
            template_name=SECTION_TEMPLATE,
            exclude_input_prompt=kind == "html",
            exclude_output_prompt=kind == "html",
            **extra,
        )
        stock.register_filter("shv_code_characters", code_characters)
        stock.language_code = "en"
        page = ours.from_notebook_node(nb)[0]
        assert str(BeautifulSoup(page, features="html.parser")) == stock.from_notebook_node(nb)[0]
        assert page.count('tabindex="0"') == (5 if kind == "code" else 4)  # 2 inputs, 3 outputs
    # the text alternative of an image without one is in the report's language
    ours = section_exporters()["html"]
    page = render_section(ours, nb, "T")  # no papermill lang: Dutch
    assert 'alt="Bij deze afbeelding is geen beschrijving gegeven"' in page
    assert "No description" not in page and 'alt="met"' in page


def test_accessible_reads_attributes_as_html_does():
    from shv_analysis.report.rendering import accessible

    alt = 'alt="No description has been provided for this image"'
    assert accessible('<img src="a.png" title="a>b">', "en") == (
        f'<img src="a.png" title="a>b" {alt}>'
    )
    assert accessible('<img data-alt="x" src="a.png"/>', "en") == (
        f'<img data-alt="x" src="a.png" {alt}/>'
    )
    assert accessible("<IMG src='a.png'>", "en") == f"<IMG src='a.png' {alt}>"
    for kept in ('<img alt="" src="a">', '<img ALT = "x">', "<img src=a alt>"):
        assert accessible(kept, "en") == kept
    assert (
        accessible('<div class="jp-Cell jp-OutputArea-output" data-x="a>b">', "en")
        == '<div class="jp-Cell jp-OutputArea-output" data-x="a>b" tabindex="0">'
    )
    assert accessible('<div class="jp-OutputArea-outputs">', "en") == (
        '<div class="jp-OutputArea-outputs">'
    )


def test_code_is_shown_as_pygments_escapes_it_without_the_bleach_pass():
    """The section template shows highlighted code without the lab template's `clean_html`:
    for every code cell of the package's notebooks, for sources that try to break out of
    the code and for control characters, `code_characters` gives what bleach gives."""
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.strings import clean_html

    from shv_analysis.config import NOTEBOOK_DIR

    highlight = Highlight2HTML(pygments_lexer="ipython3")
    sources = [
        cell.source
        for path in sorted(NOTEBOOK_DIR.glob("*.ipynb"))
        for cell in nbformat.read(path, as_version=4).cells
        if cell.cell_type == "code"
    ]
    assert len(sources) > 40
    sources += [
        'print("<script>alert(1)</script>")',
        "x = '<b>&amp;</b>'  # <!-- comment -->",
        's = "\\u00e9 &nbsp; &#39; \u00e9"',
        "%%html\n<img src=x onerror=alert(1)>",
        'x = 1\n\x0c\ny = "\x0b\x1b\x00\x7f"\r\nz = "\r"  # \x01\x1f\u0085',
        'x = "\x08\x0e"\r\n# \x00\x07 end',
        "```\n</pre></div></div><script>",
    ]
    for source in sources:
        shown = highlight(source, metadata={})
        assert code_characters(shown) == clean_html(shown), repr(source)
    assert code_characters('"\x0b\x00\r\n\x0c"') == '"?\n\x0c"'
    page = section_exporters()["code"].from_notebook_node(
        nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(sources[-1])])
    )[0]
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, features="html.parser")
    assert soup.find("script") is None and soup.find("img") is None
    assert soup.select_one("div.highlight").get_text() == sources[-1] + "\n"  # text only
