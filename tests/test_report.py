"""`shv report` end to end: every notebook executed on the embedded dataset and on the mini
fixture (one module-scoped run each), the numbers in the saved tables, the synthetic notice,
the workbook, privacy, a failing section, `--each`, and invalid data.

The runs are the slow part (a few seconds per report on two cores); each is shared by the
tests that look at it."""

from __future__ import annotations

import importlib.util
import io
import json
import re
import shutil
import sys
import zipfile
from pathlib import Path

# jsonschema (under nbformat) would build an IRI grammar for ~3 s; unused here.
sys.modules.setdefault("rfc3987_syntax", None)
import nbformat  # noqa: E402
import openpyxl
import pandas as pd
import pytest

from shv_analysis.analysis import figures as shv_figures
from shv_analysis.cli import main as shv_main
from shv_analysis.config import DEFAULT_DATA, NOTEBOOK_DIR
from shv_analysis.report.runner import run_report

pytestmark = pytest.mark.notebooks

MINI = Path(__file__).parent / "fixtures" / "mini"
SECTIONS = [
    "00_datakwaliteit",
    "01_overzicht",
    "02_kenmerken",
    "03_effecten",
    "04_lessen",
    "05_kruistabellen",
    "99_reproductie",
]
NOTICE_NL = "SYNTHETISCHE DATA"
PLANTED = [
    "Jan Jansen",
    "Piet Pieters",
    "020-5551234",
    "06-12345678",
    "a.b@c.nl",
    "geheim.adres@example.org",
    "06 98 76 54 32",
    "Karel Contact",
]


def _table(report: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(report / "tables" / f"{name}.csv").set_index("code")


def _all_text(folder: Path) -> dict[str, str]:
    """Every file under a folder as text; zip members (xlsx) included, other binaries raw."""
    texts = {}
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                data = b"".join(z.read(n) for n in z.namelist())
        texts[str(path.relative_to(folder))] = data.decode("utf-8", errors="replace")
    return texts


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    out = tmp_path_factory.mktemp("embedded") / "report"
    assert shv_main(["report", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def planted_mini(tmp_path_factory):
    """The mini fixture with more personal data planted: contact columns and free text."""
    folder = tmp_path_factory.mktemp("planted") / "mini"
    shutil.copytree(MINI, folder)
    resp = pd.read_csv(folder / "respondenten.csv", dtype=str, keep_default_na=False)
    resp["email"] = "geheim.adres@example.org"
    resp["contactpersoon"] = ["Jan Jansen", "Piet Pieters", "Karel Contact", "", ""]
    resp.to_csv(folder / "respondenten.csv", index=False)
    exp = pd.read_csv(folder / "experimenten.csv", dtype=str, keep_default_na=False)
    exp.loc[1, "omschrijving"] = "Bel 06 98 76 54 32 of mail geheim.adres@example.org"
    exp.to_csv(folder / "experimenten.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def mini_report(tmp_path_factory, planted_mini):
    out = tmp_path_factory.mktemp("mini") / "report"
    out.mkdir()
    (out / "README.md").write_text("kept\n")  # a non-report file, as in outputs/
    assert shv_main(["report", "--data", str(planted_mini), "--out", str(out), "--jobs", "2"]) == 0
    return out


# ------------------------------------------------------------------ the embedded dataset


def test_embedded_run_has_every_output(embedded):
    manifest = json.loads((embedded / "manifest.json").read_text("utf-8"))
    assert manifest["status"] == "ok" and manifest["synthetic"] is True
    assert [s["name"] for s in manifest["sections"]] == SECTIONS
    assert all(s["status"] == "ok" and s["seconds"] > 0 for s in manifest["sections"])
    names = {f["name"] for f in manifest["data"]["files"]}
    assert {"respondenten.csv", "experimenten.csv", "metadata.json"} <= names
    assert all(len(f["sha256"]) == 64 for f in manifest["data"]["files"])
    assert manifest["parameters"]["data"] == str(DEFAULT_DATA)
    assert manifest["kernel"] == {"name": "python3", "mode": "warm"}
    for section in SECTIONS:
        for rel in (
            f"notebooks/{section}.ipynb",
            f"html/{section}.html",
            f"html/{section}.code.html",
        ):
            assert (embedded / rel).is_file(), rel
    # every figure as SVG and PNG: the worker rasterised the charts the kernel saved as SVG
    pngs = sorted(p.stem for p in (embedded / "figures").glob("*.png"))
    assert pngs == sorted(p.stem for p in (embedded / "figures").glob("*.svg"))
    assert len(pngs) >= 10
    index = (embedded / "index.html").read_text("utf-8")
    for section in SECTIONS:
        assert f"html/{section}.html" in index
    assert "tables.xlsx" in index and index.count(NOTICE_NL) == 1
    # report order: 01..05, then the appendix 00 and 99
    order = [index.index(f'href="html/{s}.html"') for s in SECTIONS[1:-1] + SECTIONS[::6]]
    assert order == sorted(order)
    assert index.index("<h3>Bijlagen</h3>") < order[-2]


def test_embedded_single_file_and_pdf(embedded):
    page = (embedded / "rapport.html").read_text("utf-8")
    assert page.startswith('<!doctype html>\n<html lang="nl">')
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert "<script" not in page and page.count(NOTICE_NL) == 1
    manifest = json.loads((embedded / "manifest.json").read_text("utf-8"))
    for section in manifest["sections"]:
        assert f'<a href="#s-{section["name"]}">{section["title"]}</a>' in page
    # each figure once: charts as their SVG, the maps (large SVGs) as their PNG
    figures = len(list((embedded / "figures").glob("*.png")))
    maps = len(list((embedded / "figures").glob("*__kaart_*.png")))
    assert maps == 3
    assert page.count('src="data:image/svg+xml;base64,') == figures - maps
    assert page.count('src="data:image/png;base64,') == maps
    if importlib.util.find_spec("typst"):
        assert (embedded / "rapport.pdf").read_bytes().startswith(b"%PDF")


def test_embedded_numbers_are_the_computed_figures(embedded):
    from shv_analysis import load

    ds = load()
    parts = {
        fid: shv_figures.figure_parts(ds, fid)
        for fid in (
            "type.vroegsignalering",
            "fase.nazorg",
            "effectmeting.ja",
            "overdraagbaar.ja",
            "deelname.g4_g40",
            "deelname.totaal",
            "dekking.pct",
            "doelen.geformuleerd",
        )
    }
    assert (
        _table(embedded, "02_kenmerken__experimenten_type").loc["vroegsignalering", "n"]
        == parts["type.vroegsignalering"][0]
    )
    assert (
        _table(embedded, "02_kenmerken__experimenten_fasen").loc["nazorg", "n"]
        == parts["fase.nazorg"][0]
    )
    assert (
        _table(embedded, "03_effecten__experimenten_effectmeting").loc["ja", "n"]
        == parts["effectmeting.ja"][0]
    )
    assert (
        _table(embedded, "04_lessen__experimenten_overdraagbaar").loc["ja", "n"]
        == parts["overdraagbaar.ja"][0]
    )
    part = _table(embedded, "01_overzicht__deelname_type")
    assert (part.loc["g4_g40", "Met experiment"], part.loc["g4_g40", "Respondenten"]) == parts[
        "deelname.g4_g40"
    ]
    assert (part.loc["totaal", "Met experiment"], part.loc["totaal", "Respondenten"]) == parts[
        "deelname.totaal"
    ]
    assert (
        part.loc["g4_g40", "95%-BI ondergrens (%)"]
        < part.loc["g4_g40", "Deelname (%)"]
        < part.loc["g4_g40", "95%-BI bovengrens (%)"]
    )
    cover = _table(embedded, "01_overzicht__dekking")
    assert (cover.loc["gedekt", "n"], cover.loc["gedekt", "Basis"]) == parts["dekking.pct"]
    goals = _table(embedded, "03_effecten__experimenten_doelen_geformuleerd")
    assert goals.loc["ja", "n"] == parts["doelen.geformuleerd"][0]
    repro = pd.read_csv(embedded / "tables" / "99_reproductie__reproductie.csv")
    assert (repro["code"] != "off").all()


def test_embedded_prose_numbers_come_from_the_data(embedded):
    from shv_analysis import load
    from shv_analysis.present import narrative

    ds = load()
    page = (embedded / "html" / "04_lessen.html").read_text("utf-8")
    assert narrative.goals(ds, "nl") in page and narrative.transferable(ds, "nl") in page
    assert narrative.coverage(ds, "nl") in (embedded / "html" / "01_overzicht.html").read_text(
        "utf-8"
    )


def test_embedded_crosstabs_are_marked_as_illustrations(embedded):
    page = (embedded / "html" / "05_kruistabellen.html").read_text("utf-8")
    assert NOTICE_NL in page and "shv-synthetic-notice" in page
    assert "illustratie van de methode, geen bevinding" in page  # the computed intro
    assert page.count("alleen een illustratie") >= 9  # every cross-tab's sentence
    assert "Chikwadraattoets" in page  # tables without hidden cells keep their test
    assert "Toets niet getoond: kleine aantallen." in page  # the others print none
    assert "Kans op een geplande effectmeting" in page  # the clustered model
    tables = sorted((embedded / "tables").glob("05_kruistabellen__*.csv"))
    assert len(tables) == 10  # nine cross-tabs and the model
    for csv in tables:
        assert json.loads(csv.with_suffix(".json").read_text("utf-8"))["notice"]
        if "__kruistabel_" in csv.stem:
            assert (embedded / "figures" / f"{csv.stem}.png").is_file()
    headline = pd.read_csv(
        embedded / "tables" / "05_kruistabellen__kruistabel_effectmeting_respondenttype.csv"
    )
    assert headline.loc[headline["col"] == "totaal", "base"].tolist() == [143, 143, 143]
    known = pd.read_csv(
        embedded / "tables" / "05_kruistabellen__kruistabel_effectmeting_grootteklasse.csv",
        keep_default_na=False,
    ).set_index(["row", "col"])
    assert known.loc[("nee", "ge100k"), "suppressed"] != "primary"  # holds 15: never '<5'
    assert known.loc[("onbekend", "lt20k"), "suppressed"] == "primary"


def test_synthetic_notice_on_every_page(embedded):
    for section in SECTIONS:
        for suffix in (".html", ".code.html"):
            page = (embedded / "html" / f"{section}{suffix}").read_text("utf-8")
            assert "shv-synthetic-notice" in page and NOTICE_NL in page, section
            # at the top: before the first table
            first_table = page.find('class="shv-table')  # not the page's CSS rules
            assert first_table == -1 or page.index("shv-synthetic-notice") < first_table


def test_reviewer_html_has_no_code(embedded):
    page = (embedded / "html" / "02_kenmerken.html").read_text("utf-8")
    code = (embedded / "html" / "02_kenmerken.code.html").read_text("utf-8")
    assert "as_reported" not in page and "as_reported" in code


def test_workbook_has_one_sheet_per_table(embedded):
    csvs = sorted((embedded / "tables").glob("*.csv"))
    wb = openpyxl.load_workbook(embedded / "tables.xlsx")
    assert wb.sheetnames[0] == "Toelichting"
    assert len(wb.sheetnames) == 1 + len(csvs)
    about = [c.value for row in wb["Toelichting"].iter_rows() for c in row if c.value]
    assert any(NOTICE_NL in str(v) for v in about)
    ws = wb[wb.sheetnames[1]]
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert any(str(v).startswith("n = ") for v in values)


def test_executed_notebooks_name_the_final_folder(embedded):
    nb = nbformat.read(embedded / "notebooks" / "01_overzicht.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and str(embedded) in injected[0].source
    assert ".partial-" not in injected[0].source
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts[0] == 1  # the warm kernel was reset before the notebook


# ------------------------------------------------------------------ the mini fixture


def test_mini_numbers(mini_report):
    types = _table(mini_report, "02_kenmerken__experimenten_type")
    assert (types.loc["vroegsignalering", "n"], types.loc["vroegsignalering", "Basis"]) == (2, 6)
    measured = _table(mini_report, "03_effecten__experimenten_effectmeting")
    assert measured["n"].to_dict() == {"ja": 2, "nee": 3, "onbekend": 1}
    part = _table(mini_report, "01_overzicht__deelname_type")
    assert (part.loc["totaal", "Met experiment"], part.loc["totaal", "Respondenten"]) == (4, 5)
    assert part.loc["totaal", "Deelname (%)"] == pytest.approx(80.0)
    assert _table(mini_report, "04_lessen__experimenten_overdraagbaar").loc["ja", "n"] == 4
    assert _table(mini_report, "01_overzicht__dekking").loc["gedekt", "n"] == 6
    records = _table(mini_report, "00_datakwaliteit__records")
    assert records.loc["respondenten", "Aantal"] == 5
    assert records.loc["experimenten", "Aantal"] == 6
    page = (mini_report / "html" / "01_overzicht.html").read_text("utf-8")
    assert "80,0%" in page  # the computed sentence, Dutch decimal comma


def test_mini_crosstabs_are_suppressed_in_the_report(mini_report):
    """A report run exports, so section 05 hides counts below 5 (and what would reveal them):
    with 6 pilots every row of effectmeting (3, 2, 1) and every column (3, 1, 2) is pinned by
    its margin, so the table merges to its total."""
    stem = mini_report / "tables" / "05_kruistabellen__kruistabel_effectmeting_respondenttype"
    table = pd.read_csv(stem.with_suffix(".csv"), dtype=str, keep_default_na=False)
    assert table["row"].tolist() == ["ja+nee+onbekend"] * 2
    assert table["col"].tolist() == ["g4_g40+gemeente+samenwerkingsverband", "totaal"]
    assert table["n"].tolist() == ["6", "6"] and table["base"].tolist() == ["6", "6"]
    sidecar = json.loads(stem.with_suffix(".json").read_text("utf-8"))
    assert sidecar["test"].startswith("Geen toets mogelijk")
    assert "Samengevoegd omdat een kleine rij of kolom cellen zou prijsgeven" in sidecar["footnote"]
    assert "alleen het totaal over" in sidecar["footnote"]
    # the hand-computed cells (1 of 3, 1 of 2, 1 of 1, 3 of 6) appear in no exported file
    hidden = ["1 (33%; 6–79)", "1 (50%; 9–91)", "1 (100%; 21–100)", "3 (50%; 19–81)"]
    texts = _all_text(mini_report)
    for name, text in texts.items():
        if name.endswith((".csv", ".json", ".xlsx", ".html", ".ipynb")):
            assert not [h for h in hidden if h in text], name
    for name in texts:
        if name.startswith("tables/05_") and name.endswith((".csv", ".json")):
            assert not re.search(r"(?<![\d.,])[1-4] \(", texts[name]), name
    page = (mini_report / "html" / "05_kruistabellen.html").read_text("utf-8")
    assert "alleen het totaal over" in page and "p = 1,000" not in page
    fasen = mini_report / "tables" / "05_kruistabellen__kruistabel_fasen_type.json"
    note = json.loads(fasen.read_text("utf-8"))["footnote"]  # every option under 5 pilots
    assert "Weggelaten omdat hun aantallen anders terug te rekenen zijn" in note
    assert "(Primaire) preventie; Vroegsignalering; Curatie; Nazorg." in note
    assert "alleen het totaal over" in note
    assert "Het model is niet te schatten" in page  # 6 pilots cannot carry the model


def test_no_notice_on_real_data(mini_report):
    manifest = json.loads((mini_report / "manifest.json").read_text("utf-8"))
    assert manifest["synthetic"] is False
    for path in list((mini_report / "html").glob("*.html")) + [mini_report / "index.html"]:
        page = path.read_text("utf-8")
        assert "shv-synthetic-notice" not in page and NOTICE_NL not in page, path.name


def test_nothing_personal_under_the_output_folder(mini_report):
    texts = _all_text(mini_report)
    assert any(name.endswith(".xlsx") for name in texts)
    for name, text in texts.items():
        for secret in PLANTED:
            assert secret not in text, (secret, name)


def test_files_that_no_report_wrote_are_kept(mini_report):
    assert (mini_report / "README.md").read_text() == "kept\n"
    assert not list(mini_report.parent.glob("report.partial-*"))


# ------------------------------------------------------------------ failure handling


def test_failing_section_is_reported_and_the_good_report_stays(mini_report, tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    for name in ("01_overzicht", "04_lessen"):
        shutil.copy(NOTEBOOK_DIR / f"{name}.ipynb", notebooks)
    nb = nbformat.read(notebooks / "04_lessen.ipynb", as_version=4)
    # after the Dutch and English markdown of its first part (cells 4 and 5)
    nb.cells.insert(6, nbformat.v4.new_code_cell('raise ValueError("planted failure")'))
    nbformat.write(nb, notebooks / "04_lessen.ipynb")
    out = tmp_path / "report"
    shutil.copytree(mini_report, out)  # the previous good report
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    log = io.StringIO()
    code = run_report(data=MINI, out=out, notebook_dir=notebooks, jobs=2, stream=log)

    assert code == 1
    summary = log.getvalue()
    assert "1 section(s) failed" in summary
    assert "04_lessen: cell 5 (In [4])" in summary
    assert "ValueError: planted failure" in summary
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    failed = tmp_path / "report.failed"
    manifest = json.loads((failed / "manifest.json").read_text("utf-8"))
    status = {s["name"]: s for s in manifest["sections"]}
    assert status["01_overzicht"]["status"] == "ok"
    assert status["04_lessen"]["status"] == "failed"
    assert status["04_lessen"]["error"]["cell_index"] == 5
    assert status["04_lessen"]["error"]["ename"] == "ValueError"
    assert (failed / "tables" / "01_overzicht__deelname_type.csv").is_file()
    kept = nbformat.read(failed / "notebooks" / "04_lessen.ipynb", as_version=4)
    errors = [
        o
        for c in kept.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert errors and errors[0].evalue == "planted failure"
    assert not list(tmp_path.glob("report.partial-*"))


def test_invalid_data_stop_before_any_notebook(tmp_path, capsys):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "respondenten.csv").write_text(
        "respondent_id,respondenttype,gemeentecodes\nR1,foo,GM0363\n"
    )
    (bad / "experimenten.csv").write_text("pilot_id,respondent_id,type\nP1,R9,x\n")
    out = tmp_path / "report"
    assert shv_main(["report", "--data", str(bad), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "value 'foo': unknown value" in err and "row 2" in err
    assert shv_main(["check", str(bad)]) == 1
    check = capsys.readouterr().out
    for line in check.splitlines()[:-1]:
        assert line in err
    assert not out.exists() and not list(tmp_path.glob("report.*"))


def test_refuses_to_replace_a_folder_that_is_not_a_report(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    assert shv_main(["report", "--data", str(MINI), "--out", str(out)]) == 2
    assert (out / "thesis.docx").read_text() == "precious"
    assert "not a report folder" in capsys.readouterr().err


# ------------------------------------------------------------------ --each


def test_each_respondent_type(tmp_path):
    out = tmp_path / "each"
    assert (
        shv_main(
            [
                "report",
                "--data",
                str(MINI),
                "--out",
                str(out),
                "--each",
                "respondenttype",
                "--sections",
                "04",
                "--lang",
                "en",
            ]
        )
        == 0
    )
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    folders = [r["folder"] for r in manifest["reports"]]
    assert folders == [
        "all",
        "respondenttype-g4_g40",
        "respondenttype-gemeente",
        "respondenttype-samenwerkingsverband",
    ]
    index = (out / "index.html").read_text("utf-8")
    for folder in folders:
        assert f"{folder}/index.html" in index
        assert (out / folder / "index.html").is_file()
        assert (out / folder / "tables.xlsx").is_file()
    moved = {
        "all": 4,
        "respondenttype-g4_g40": 2,
        "respondenttype-gemeente": 1,
        "respondenttype-samenwerkingsverband": 1,
    }
    for folder, n in moved.items():
        table = _table(out / folder, "04_lessen__experimenten_overdraagbaar")
        assert table.loc["ja", "n"] == n
    page = (out / "respondenttype-g4_g40" / "html" / "04_lessen.html").read_text("utf-8")
    assert "Lessons on the process of pilots" in page  # English markdown swapped in
    assert "of the 3 experiments" in page
    sub = json.loads((out / "respondenttype-g4_g40" / "manifest.json").read_text("utf-8"))
    assert sub["subset"] == "respondenttype=g4_g40" and sub["lang"] == "en"


# ------------------------------------------------------------------ options


def test_parameters_and_sections_parse():
    from shv_analysis.report.parameters import ParameterError, known_parameters, parse_parameters
    from shv_analysis.report.runner import discover_notebooks

    known = known_parameters(discover_notebooks(NOTEBOOK_DIR))
    assert parse_parameters(["subset=provincie=Utrecht"], known) == {"subset": "provincie=Utrecht"}
    assert parse_parameters(["subset=None", "min_cell=3"], known) == {"subset": None, "min_cell": 3}
    with pytest.raises(ParameterError):
        parse_parameters(["no-equals"], known)
    assert [p.stem for p in discover_notebooks(NOTEBOOK_DIR, ["04", "00_datakwaliteit"])] == [
        "00_datakwaliteit",
        "04_lessen",
    ]
    with pytest.raises(ValueError):
        discover_notebooks(NOTEBOOK_DIR, ["42"])


def test_each_values_follow_the_codebook_or_sort():
    from shv_analysis import load
    from shv_analysis.report.runner import each_values

    ds = load(MINI)
    assert [v[1] for v in each_values(ds, "respondenttype")] == [
        "respondenttype=g4_g40",
        "respondenttype=gemeente",
        "respondenttype=samenwerkingsverband",
    ]
    provinces = each_values(ds, "provincie")
    assert [v[2] for v in provinces] == sorted(v[2] for v in provinces)
    with pytest.raises(ValueError):
        each_values(ds, "nonsense")


def test_output_dir_is_not_a_user_parameter(tmp_path, capsys):
    assert (
        shv_main(
            [
                "report",
                "--data",
                str(MINI),
                "--out",
                str(tmp_path / "r"),
                "-p",
                "output_dir=/elsewhere",
            ]
        )
        == 2
    )
    assert "set by the report" in capsys.readouterr().err


# ------------------------------------------------------------------ maps


def test_maps_in_sections_and_figures(embedded):
    for stem in (
        "01_overzicht__kaart_dekking",
        "01_overzicht__kaart_pilots",
        "02_kenmerken__kaart_type",
    ):
        assert (embedded / "figures" / f"{stem}.png").is_file()
        assert (embedded / "figures" / f"{stem}.svg").is_file()
    overview = (embedded / "html" / "01_overzicht.html").read_text("utf-8")
    assert 'alt="Dekking van de inventarisatie per gemeente"' in overview
    assert 'alt="Gemeenten met minstens één experiment"' in overview
    kinds = (embedded / "html" / "02_kenmerken.html").read_text("utf-8")
    assert 'alt="Meest voorkomend type experiment per gemeente"' in kinds


def test_without_reference_the_report_says_how_to_get_maps(tmp_path, monkeypatch):
    monkeypatch.setenv("SHV_REFERENCE_DIR", str(tmp_path / "geen-referentie"))
    out = tmp_path / "report"
    assert shv_main(["report", "--out", str(out), "--sections", "01,02"]) == 0
    assert not list((out / "figures").glob("*kaart*"))
    for name in ("01_overzicht", "02_kenmerken"):
        page = (out / "html" / f"{name}.html").read_text("utf-8")
        assert "shv reference download" in page, name
