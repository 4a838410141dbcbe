"""The report as a whole: index.html as a table of contents, rapport.html (one
self-contained page) and rapport.pdf (Typst), on a hand-made report folder (no notebook is
executed), plus one small `shv report` run for `--no-pdf`.

The folder holds three executed notebooks (00, 01, 99) with a title, a summary, an
analyst-only cell, the synthetic notice, a table block (with sidecar), a figure (its PNG in
the output, its SVG on disk), and an outside link that the single file must not keep."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from pathlib import Path

import pytest

from shv_analysis.cli import main as shv_main
from shv_analysis.report import contents
from shv_analysis.report.blocks import html_blocks
from shv_analysis.report.rendering import environment, write_report_index
from shv_analysis.report.single_file import no_outside_links, write_single_file
from shv_analysis.report.tasks import SectionResult
from shv_analysis.report.whole import make_pdf, write_whole_report
from shv_analysis.section import notice_html

MINI = Path(__file__).parent / "fixtures" / "mini"
NOTICE = "SYNTHETISCHE DATA: alles verzonnen."
DAY = dt.date(2026, 1, 2)
PNG = b"\x89PNG\r\n\x1a\n not really a png, only hashed"
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200pt" height="100pt" '
    'viewBox="0 0 200 100"><rect x="10" y="10" width="120" height="60" fill="#2b6"/>'
    "</svg>"
)
TITLES = {
    "00_kwaliteit": "Datakwaliteit",
    "01_overzicht": "Overzicht van alles",
    "99_reproductie": "Reproductie",
}


def _md(source: str, tags=()):
    return {"cell_type": "markdown", "metadata": {"tags": list(tags)}, "source": source}


def _out(html: str):
    return {
        "output_type": "display_data",
        "metadata": {},
        "data": {"text/html": html, "text/plain": "<HTML>"},
    }


def _table_html(title: str, rows: int) -> str:
    body = "".join(
        f'<tr><td class="shv-text">Rij {i}</td><td class="shv-num">{i}</td>'
        f'<td class="shv-num">{i},5</td></tr>'
        for i in range(rows)
    )
    return (
        f'<div class="shv-table-block"><p><strong>{title}</strong></p>'
        '<table class="shv-table"><thead><tr><th class="shv-text">Categorie</th>'
        '<th class="shv-num">n</th><th class="shv-num">%</th></tr></thead>'
        f'<tbody>{body}</tbody></table><p style="font-size:90%">n = {rows} dingen.</p>'
        "</div>"
    )


def _notebook(name: str, rows: int) -> dict:
    title = TITLES[name]
    cells = [
        _md(f"# {title}\n\nWat deze sectie laat zien, in een zin. En nog een zin.\n"),
        _md("*Parameters in de cel hieronder: `data`.*", tags=["analyst"]),
        {
            "cell_type": "code",
            "metadata": {},
            "source": "sec.notice(ds)",
            "outputs": [_out(notice_html(NOTICE) + '<p style="color:#444">Ingelezen.</p>')],
        },
        _md("## Een kop\n\nZie [de bron](https://example.org/bron) voor meer."),
        {
            "cell_type": "code",
            "metadata": {},
            "source": "sec.show(t)",
            "outputs": [_out(_table_html(f"Tabel van {title}", rows))],
        },
    ]
    if name == "01_overzicht":
        data = base64.b64encode(PNG).decode()
        cells.append(
            {
                "cell_type": "code",
                "metadata": {},
                "source": "sec.chart(t)",
                "outputs": [
                    _out(
                        f'<img src="data:image/png;base64,{data}" '
                        'alt="Figuur met een titel" width="800">'
                    )
                ],
            }
        )
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


@pytest.fixture
def folder(tmp_path):
    for sub in ("notebooks", "tables", "figures", "html"):
        (tmp_path / sub).mkdir()
    for name, rows in (("00_kwaliteit", 70), ("01_overzicht", 3), ("99_reproductie", 2)):
        (tmp_path / "notebooks" / f"{name}.ipynb").write_text(
            json.dumps(_notebook(name, rows)), "utf-8"
        )
        (tmp_path / "html" / f"{name}.html").write_text("x", "utf-8")
        (tmp_path / "tables" / f"{name}__t.json").write_text(
            json.dumps(
                {
                    "title": f"Tabel van {TITLES[name]}",
                    "csv": f"{name}__t.csv",
                    "order": 1,
                    "section": name,
                }
            ),
            "utf-8",
        )
        (tmp_path / "tables" / f"{name}__t.csv").write_text("code,n\n", "utf-8")
    (tmp_path / "figures" / "01_overzicht__f.png").write_bytes(PNG)
    (tmp_path / "figures" / "01_overzicht__f.svg").write_text(SVG, "utf-8")
    return tmp_path


def _results():
    return [SectionResult("", name, title, "ok", 1.0) for name, title in TITLES.items()]


# ------------------------------------------------------------------ reading the folder


def test_report_order_puts_00_and_99_last_as_appendix():
    assert contents.report_order(["00_a", "05_e", "99_z", "01_b"]) == [
        "01_b",
        "05_e",
        "00_a",
        "99_z",
    ]


def test_section_title_summary_and_skipped_analyst_cell(folder):
    (sec,) = contents.read_sections(folder, ["01_overzicht"])
    assert (sec.title, sec.summary) == (
        "Overzicht van alles",
        "Wat deze sectie laat zien, in een zin.",
    )
    assert not any("Parameters" in str(c) for _, c in sec.cells)
    assert [f.title for f in contents.figures_of(sec, contents.figure_files(folder))] == [
        "Figuur met een titel"
    ]


def test_report_date_follows_source_date_epoch():
    assert contents.report_date({"SOURCE_DATE_EPOCH": "1767312000"}) == dt.date(2026, 1, 2)
    assert contents.report_date({}) == dt.datetime.now(dt.UTC).date()
    assert contents.date_epoch(dt.date(2026, 1, 2)) == 1767312000


def test_table_block_becomes_a_table_with_title_and_footnote():
    (table,) = html_blocks(_table_html("Mijn tabel", 2), lambda src, alt: None)
    assert table == {
        "kind": "table",
        "title": "Mijn tabel",
        "header": ["Categorie", "n", "%"],
        "rows": [["Rij 0", "0", "0,5"], ["Rij 1", "1", "1,5"]],
        "numeric": [False, True, True],
        "notes": ["n = 2 dingen."],
    }


# ------------------------------------------------------------------ index.html


def test_index_is_a_table_of_contents(folder):
    (folder / "rapport.html").write_text("x")
    write_report_index(folder, _results(), "nl", NOTICE, "Mijn data", None, "9.9", day=DAY)
    page = (folder / "index.html").read_text("utf-8")
    assert page.startswith('<!doctype html>\n<html lang="nl">')
    # sections by title, with their summary; the appendix (00, 99) last
    positions = [
        page.index(t)
        for t in (
            '<a href="html/01_overzicht.html">Overzicht van alles</a>',
            "<h3>Bijlagen</h3>",
            '<a href="html/00_kwaliteit.html">Datakwaliteit</a>',
            '<a href="html/99_reproductie.html">Reproductie</a>',
            "<h2>Zo leest u dit rapport</h2>",
            "<h2>Tabellen</h2>",
        )
    ]
    assert positions == sorted(positions)
    assert '<br><span class="summary">Wat deze sectie laat zien, in een zin.</span>' in page
    assert '<a href="notebooks/01_overzicht.ipynb" download>notebook (.ipynb)</a>' in page
    # tables and figures by title; a thumbnail of the figure
    assert '<a href="tables/01_overzicht__t.csv">Tabel van Overzicht van alles</a>' in page
    assert (
        '<img src="figures/01_overzicht__f.png" alt="Figuur met een titel" width="220" '
        'loading="lazy">'
    ) in page
    assert '<p class="meta">Datum: 2 januari 2026</p>' in page
    assert page.count(NOTICE) == 1
    assert '<a href="rapport.html">Eén bestand (HTML, om te mailen)</a>' in page
    assert "rapport.pdf" not in page  # not in the folder, not linked
    for term in ("n en basis", "Intervallen", "Onderdrukte cellen", "Synthetische gegevens"):
        assert f"<dt>{term}</dt>" in page


def test_index_has_no_times_so_runs_agree(folder):
    write_report_index(folder, _results(), "en", None, "Data", None, "9.9", day=DAY)
    first = (folder / "index.html").read_bytes()
    slower = [SectionResult("", r.section, r.title, "ok", 99.0) for r in _results()]
    write_report_index(folder, slower, "en", None, "Data", None, "9.9", day=DAY)
    assert (folder / "index.html").read_bytes() == first
    assert b"Date: 2 January 2026" in first and b"Synthetic data" not in first


# ------------------------------------------------------------------ rapport.html

OUTSIDE = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


@pytest.mark.parametrize("lang,name", [("nl", "rapport.html"), ("en", "report.html")])
def test_single_file_is_self_contained(folder, lang, name):
    sections = contents.read_sections(folder, list(TITLES))
    path = write_single_file(
        folder,
        sections,
        lang,
        environment(),
        title="T",
        dataset="D",
        subset=None,
        notice_block=notice_html(NOTICE),
        day=DAY,
        version="9.9",
    )
    assert path.name == name
    page = path.read_text("utf-8")
    assert page.startswith(f'<!doctype html>\n<html lang="{lang}">')
    assert not OUTSIDE.search(page) and "<script" not in page
    assert "Zie de bron voor meer." in page  # the outside link kept as text
    for name, title in TITLES.items():
        assert f"<h2>{title}</h2>" in page or f"<h3>{title}</h3>" in page
        assert f'<li><a href="#s-{name}">{title}</a></li>' in page  # the sidebar
    assert page.index("Overzicht van alles") < page.index("Datakwaliteit")
    assert f"data:image/png;base64,{base64.b64encode(PNG).decode()}" in page
    assert page.count(NOTICE) == 1 and "Parameters in de cel" not in page


def test_no_outside_links():
    assert (
        no_outside_links(
            '<p><a href="https://x.nl/a">x</a> <img src="http://y/z.png"><a href="#s-1">in</a></p>'
        )
        == '<p>x <a href="#s-1">in</a></p>'
    )


# ------------------------------------------------------------------ rapport.pdf


def test_pdf_pages_and_identical_bytes(folder):
    pypdf = pytest.importorskip("pypdf")
    pytest.importorskip("typst")
    names = list(TITLES)
    kwargs = dict(dataset="Mijn data", subset=None, notice=NOTICE, day=DAY, version="9.9")
    assert write_whole_report(folder, names, "nl", **kwargs) == []
    first = (folder / "rapport.pdf").read_bytes()
    assert write_whole_report(folder, names, "nl", **kwargs) == []
    assert (folder / "rapport.pdf").read_bytes() == first
    assert first.startswith(b"%PDF")
    reader = pypdf.PdfReader(folder / "rapport.pdf")
    assert len(reader.pages) > 3
    words = " ".join(page.extract_text() for page in reader.pages)
    for needle in (
        "Inhoud",
        "Mijn data",
        "2 januari 2026",
        "Zo leest u dit rapport",
        "Overzicht van alles",
        "Bijlagen",
        "Tabel van Datakwaliteit",
        "Rij 69",
        "Pagina",
    ):
        assert needle in words, needle
    # the 70-row table breaks across pages and repeats its header on the next page
    pages_with_rows = [i for i, p in enumerate(reader.pages) if "Rij 6" in p.extract_text()]
    assert all("Categorie" in reader.pages[i].extract_text() for i in pages_with_rows)
    box = reader.pages[1].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4


def test_pdf_made_in_a_background_process_is_the_same(folder):
    pytest.importorskip("typst")
    kwargs = dict(dataset="D", subset=None, notice=None, day=DAY, version="9.9")
    assert make_pdf(folder, list(TITLES), "en", **kwargs) == []
    inline = (folder / "report.pdf").read_bytes()
    (folder / "report.pdf").unlink()
    import concurrent.futures as cf
    import multiprocessing

    from shv_analysis.report.scheduling import JobQueue

    # as `shv report` makes it: a job of its pool of spawned worker processes
    with cf.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        queue = JobQueue(pool, 1)
        queue.add("pdf", make_pdf, folder, list(TITLES), "en", **kwargs)
        assert [(key, f.result()) for key, f in queue.done()] == [("pdf", [])]
    assert (folder / "report.pdf").read_bytes() == inline


def test_no_pdf_writes_only_the_single_file(folder):
    assert (
        write_whole_report(
            folder,
            list(TITLES),
            "en",
            dataset="D",
            subset=None,
            notice=None,
            day=DAY,
            version="9.9",
            pdf=False,
        )
        == []
    )
    assert (folder / "report.html").is_file() and not (folder / "report.pdf").exists()


# ------------------------------------------------------------------ the CLI


@pytest.mark.notebooks
def test_shv_report_no_pdf(tmp_path):
    out = tmp_path / "rapport"
    assert (
        shv_main(
            [
                "report",
                "--data",
                str(MINI),
                "--out",
                str(out),
                "--sections",
                "03",
                "--no-pdf",
                "--jobs",
                "1",
            ]
        )
        == 0
    )
    assert (out / "rapport.html").is_file() and not (out / "rapport.pdf").exists()
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert "rapport.html" in manifest["files"] and "rapport.pdf" not in manifest["files"]
    assert manifest["report_date"] == contents.report_date().isoformat()
