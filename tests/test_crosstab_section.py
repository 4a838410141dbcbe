"""Cross-tabs in a section (`Section.crosstab`, `crosstab_charts.crosstab_chart`, small-cell
suppression) on the mini fixture, against the hand-computed cells of `test_crosstab.py`:

    effectmeting x respondenttype (6 pilots, 4 organisations)
                    g4_g40   gemeente   samenwerkingsverband   totaal
    ja                 1        0               1                 2
    nee                1        1               1                 3
    onbekend (weet niet) 1      0               0                 1
    base               3        1               2                 6

Sections are driven directly (no kernel); `test_report.py` checks notebook 05 in the report
runs it already makes.
"""

from __future__ import annotations

import dataclasses
import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.patches import Rectangle

import shv_analysis as shv
import shv_analysis.section as section_module
from shv_analysis.analysis.crosstab import crosstab
from shv_analysis.analysis.crosstab_text import protected
from shv_analysis.analysis.crosstab_text import test_line as describe_test
from shv_analysis.analysis.formatting import fmt_number
from shv_analysis.analysis.suppression import DEFAULT_MIN_CELL, resolve_min_cell, suppress_cells
from shv_analysis.present.chart_layout import NOTICE_COLOR
from shv_analysis.present.crosstab_charts import crosstab_chart
from shv_analysis.present.export import workbook_from_folder
from shv_analysis.present.figures_io import figure_bytes
from shv_analysis.section import Section
from variants import MINI

CELL = re.compile(r"^(\d+) \((\d+)%; (\d+)–(\d+)\)$")
NAME = "05_kruistabellen"
GROUPS = ["G4/G40-gemeente", "Overige individuele gemeente", "Samenwerkingsverband", "Totaal"]


@pytest.fixture(scope="module")
def mini():
    return shv.load(MINI)


@pytest.fixture
def shown(monkeypatch):
    """What a section displays (tables, images, sentences), instead of IPython output."""
    items: list = []
    monkeypatch.setattr(section_module, "_display", items.append)
    return items


def _grid(csv_path) -> pd.DataFrame:
    """The cells of a saved (long, numeric) cross-tab as the display reads them: rows by
    code, columns by group label; a hidden cell as its mark ('<5' or 'x')."""
    data = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    threshold = json.loads(Path(csv_path).with_suffix(".json").read_text("utf-8"))
    marks = {"primary": "<" + str(threshold.get("min_cell", 5)), "secondary": "x"}

    def show(r):
        if r["suppressed"]:
            return marks[r["suppressed"]]
        if r["base"] == "0":
            return "–"

        def f(v):
            return fmt_number(float(v), "nl", 0)

        return f"{r['n']} ({f(r['pct'])}%; {f(r['ci_low'])}–{f(r['ci_high'])})"

    data["cell"] = [show(r) for _, r in data.iterrows()]
    rows = list(dict.fromkeys(data["row"]))
    cols = list(dict.fromkeys(data["col_label"]))
    return data.pivot(index="row", columns="col_label", values="cell").reindex(
        index=rows, columns=cols
    )


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.texts] + [t.get_text() for ax in fig.axes for t in ax.texts]


def _bars(fig) -> list[Rectangle]:
    return [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]


def _exported_text(folder) -> str:
    """Every CSV, JSON sidecar and the workbook (all its zip members) under `folder`."""
    workbook = workbook_from_folder(folder / "tables", folder / "tables.xlsx")
    parts = [p.read_text("utf-8-sig") for p in sorted((folder / "tables").iterdir())]
    with zipfile.ZipFile(workbook) as z:
        parts += [z.read(n).decode("utf-8") for n in z.namelist()]
    return "\n".join(parts)


# ------------------------------------------------------------------ the threshold


def test_min_cell_is_five_when_exporting_and_off_when_exploring(tmp_path):
    assert resolve_min_cell(None, exporting=True) == DEFAULT_MIN_CELL == 5
    assert resolve_min_cell(None, exporting=False) == 0
    assert resolve_min_cell(0, exporting=True) == 0  # an explicit value always wins
    assert resolve_min_cell(3, exporting=False) == 3
    assert resolve_min_cell("10", exporting=True) == 10 and resolve_min_cell(4.0, True) == 4
    for bad in (-1, 2.5, "vijf", True, float("nan")):
        with pytest.raises(ValueError):
            resolve_min_cell(bad, exporting=True)
    assert Section(NAME, None).min_cell == 0
    assert Section(NAME, tmp_path).min_cell == 5
    assert Section(NAME, tmp_path, min_cell=0).min_cell == 0
    assert Section(NAME, None, min_cell=2).min_cell == 2


# ------------------------------------------------------------------ Section.crosstab


def test_saved_table_holds_the_hand_computed_cells(mini, tmp_path, shown):
    sec = Section(NAME, tmp_path, "nl", min_cell=0)
    sec.crosstab(crosstab(mini, "effectmeting", "respondenttype"))
    stem = tmp_path / "tables" / f"{NAME}__kruistabel_effectmeting_respondenttype"
    grid = _grid(stem.with_suffix(".csv"))
    assert list(grid.columns) == GROUPS
    assert list(grid.index) == ["ja", "nee", "onbekend"]
    counts = grid.map(lambda cell: int(CELL.match(cell).group(1)))
    assert counts.to_dict("index") == {
        "ja": dict(zip(GROUPS, [1, 0, 1, 2])),
        "nee": dict(zip(GROUPS, [1, 1, 1, 3])),
        "onbekend": dict(zip(GROUPS, [1, 0, 0, 1])),
    }
    # 1 of 3: 33%, Wilson 6.1-79.2; 1 of 2: 50%, 9.5-90.5; 1 of 1: 100%, 20.7-100
    assert grid.loc["ja", "G4/G40-gemeente"] == "1 (33%; 6–79)"
    assert grid.loc["ja", "Samenwerkingsverband"] == "1 (50%; 9–91)"
    assert grid.loc["nee", "Overige individuele gemeente"] == "1 (100%; 21–100)"
    assert grid.loc["nee", "Totaal"] == "3 (50%; 19–81)"
    data = pd.read_csv(stem.with_suffix(".csv"), dtype=str, keep_default_na=False)
    assert list(data.columns) == [
        "row",
        "col",
        "row_label",
        "col_label",
        "n",
        "base",
        "pct",
        "ci_low",
        "ci_high",
        "suppressed",
    ]
    assert data.loc[data["row"] == "onbekend", "row_label"].iloc[0] == "Weet niet"
    assert data.drop_duplicates("col")["base"].tolist() == ["3", "1", "2", "6"]
    sidecar = stem.with_suffix(".json").read_text("utf-8")
    assert "n = 6 experimenten in 4 organisaties" in sidecar
    assert "Toets van Fisher (exact)" in sidecar and "n = 6" in sidecar  # 3 x 3, weet niet in
    for suffix in (".png", ".svg"):
        assert (tmp_path / "figures" / f"{stem.name}{suffix}").is_file()
    sentences = [o.data for o in shown if hasattr(o, "data") and str(o.data).startswith("<p>")]
    # the test line is in the table's footer (and on the chart), not printed a second time
    assert not any("Toets van Fisher" in s for s in sentences)
    pages = [
        o.data if isinstance(getattr(o, "data", None), str) else o._repr_html_() for o in shown
    ]
    assert sum("Toets van Fisher (exact)" in page for page in pages) == 1
    assert any(s.startswith("<p>Met 6 experimenten in 4 organisaties") for s in sentences)


def test_exploring_without_output_dir_suppresses_nothing(mini, tmp_path, shown, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Section(NAME, None, "nl").crosstab(crosstab(mini, "effectmeting", "respondenttype"))
    table = next(o for o in shown if hasattr(o, "footnote"))
    cells = table.data.drop(columns="category").iloc[:-1].to_numpy().ravel().tolist()
    assert not any(str(c).startswith("<") for c in cells)
    assert "1 (33%; 6–79)" in cells and "onderdrukt" not in table.footnote
    assert "code" not in table.data.columns  # codes only go to the CSV
    assert not list(tmp_path.iterdir())  # nothing written


def test_report_run_hides_every_small_count_and_leaks_none(mini, tmp_path, shown):
    """Default of a report run (output_dir set): counts 1-4 hidden, in every exported file."""
    sec = Section(NAME, tmp_path, "nl")
    assert sec.min_cell == 5
    pairs = [
        ("effectmeting", "respondenttype"),
        ("fasen", "respondenttype"),
        ("deelname", "grootteklasse"),
    ]
    for row, col in pairs:
        sec.crosstab(crosstab(mini, row, col))
    for row, col in pairs:
        grid = _grid(tmp_path / "tables" / f"{NAME}__kruistabel_{row}_{col}.csv")
        for cell in grid.to_numpy().ravel():
            count = re.match(r"(\d+) \(", cell)
            shown_count = count is not None and (int(count[1]) == 0 or int(count[1]) >= 5)
            assert cell in ("<5", "x", "–") or shown_count, (row, col, cell)
    exported = _exported_text(tmp_path)
    assert not re.search(r"(?<![\d.,])[1-4] \(", exported)  # no visible count 1-4
    open_text = {
        c
        for row, col in pairs
        for c in crosstab(mini, row, col).to_table("nl").data.iloc[:-1, 1:].to_numpy().ravel()
        if not str(c).startswith(("0 (", "–"))
    }
    assert open_text and not [c for c in open_text if c in exported]
    shown_html = " ".join(str(getattr(o, "data", "")) for o in shown) + " ".join(
        repr(o) for o in shown if hasattr(o, "footnote")
    )
    assert not [c for c in open_text if c in shown_html]
    assert "onderdrukt" in exported


def test_partial_suppression_hides_no_recoverable_cell(mini, tmp_path, shown):
    """min_cell=2 on 6 pilots: the row of 'Weet niet' (1 pilot) and the cooperation column
    (2) are merged, as the footnote says; the ones are '<2' and their partners 'x'."""
    ct = crosstab(mini, "effectmeting", "respondenttype")
    Section(NAME, tmp_path, "nl", min_cell=2).crosstab(ct)
    path = tmp_path / "tables" / f"{NAME}__kruistabel_effectmeting_respondenttype.csv"
    grid = _grid(path)
    assert list(grid.index) == ["ja+onbekend", "nee"]
    assert list(grid.columns) == [
        "G4/G40-gemeente",
        "Overige individuele gemeente + Samenwerkingsverband",
        "Totaal",
    ]
    assert grid.to_numpy().tolist() == [
        ["x", "<2", "3 (50%; 19–81)"],
        ["<2", "x", "3 (50%; 19–81)"],
    ]
    sidecar = json.loads(path.with_suffix(".json").read_text("utf-8"))
    assert "Samengevoegd omdat een kleine rij of kolom" in sidecar["footnote"]
    assert "Toets niet getoond" in sidecar["test"]
    full = ct.to_table("nl").data.drop(columns="category").iloc[:-1].to_numpy().ravel()
    secret = {c for c in full if not str(c).startswith(("0 (", "3 (50%"))}
    exported = _exported_text(tmp_path)
    assert secret and not [text for text in secret if text in exported]


# ------------------------------------------------------------------ the chart


def test_chart_draws_one_bar_per_shown_cell_with_bases_in_the_legend(mini):
    ct = crosstab(mini, "effectmeting", "respondenttype")
    fig = crosstab_chart(ct, "nl")
    assert len(_bars(fig)) == 12  # 3 categories x (3 groups + total)
    widths = sorted(round(b.get_width(), 6) for b in _bars(fig))
    assert widths == sorted(round(v, 6) for v in ct.cells["pct"])
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == [
        "G4/G40-gemeente (n = 3)",
        "Overige individuele gemeente (n = 1)",
        "Samenwerkingsverband (n = 2)",
        "Totaal (n = 6)",
    ]
    texts = _texts(fig)
    assert "33,3%" in texts and "33.3%" not in texts
    assert any(t.startswith("Effectiviteitsmeting naar type respondent") for t in texts)
    assert any(
        "n = 6 experimenten in 4 organisaties" in t and describe_test(ct, "nl") in t for t in texts
    )
    assert len(_bars(crosstab_chart(ct, "nl", total=False))) == 9
    english = crosstab_chart(ct, "en")
    assert "33.3%" in _texts(english)
    assert [t.get_text() for t in english.legends[0].get_texts()][-1] == "Total (n = 6)"


def test_chart_leaves_suppressed_cells_out_and_marks_them(mini):
    ct = crosstab(mini, "effectmeting", "respondenttype")
    for min_cell in (2, 5):
        published = protected(ct, min_cell)
        marked = suppress_cells(published.cells, min_cell, multi=False)
        hidden = marked["suppressed"]
        fig = crosstab_chart(ct, "nl", min_cell)
        assert len(_bars(fig)) == int((~hidden).sum())
        primary = int((marked["suppression"] == "primary").sum())
        assert _texts(fig).count(f"<{min_cell}") == primary
        assert _texts(fig).count("x") == int(hidden.sum()) - primary
        shown_pcts = {round(b.get_width(), 6) for b in _bars(fig)}
        assert shown_pcts <= {round(v, 6) for v in published.cells.loc[~hidden, "pct"]}


def test_chart_skips_empty_groups_and_draws_the_notice(mini):
    ct = crosstab(mini, "deelname", "grootteklasse")  # no respondent of 50,000-100,000
    fig = crosstab_chart(ct, "nl")
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert not any(label.startswith("50.000 tot 100.000") for label in legend)
    drawn = ct.cells[ct.cells["base"] > 0]
    assert len(_bars(fig)) == len(drawn)
    assert not any("SYNTHETISCHE" in t for t in _texts(fig))
    noticed = crosstab_chart(dataclasses.replace(ct, notice="SYNTHETISCHE DATA: test"), "nl")
    red = [t for t in noticed.texts if "SYNTHETISCHE" in t.get_text()]
    assert red and red[0].get_color() == NOTICE_COLOR


def test_chart_is_deterministic(mini):
    ct = crosstab(mini, "fasen", "respondenttype")
    assert figure_bytes(crosstab_chart(ct, "nl", 5), "svg") == figure_bytes(
        crosstab_chart(ct, "nl", 5), "svg"
    )


def test_a_cross_tab_of_one_group_is_not_shown_and_says_why(mini, tmp_path, shown):
    """In a subset on the column field (a report of `--each respondenttype`) every record is
    in one group: no table, chart or CSV, one sentence naming the table, field and group."""
    sub = mini.subset("respondenttype=gemeente")  # 1 pilot: the gemeente column above
    sec = Section(NAME, tmp_path, "nl")
    sec.crosstab(crosstab(sub, "effectmeting", "respondenttype", "nl"))
    assert len(shown) == 1 and not sec.tables and not sec.figures
    assert shown[0].data == (
        "<p>Effectiviteitsmeting naar type respondent: niet getoond. Alle experimenten in deze "
        "gegevens vallen in één groep van type respondent (Overige individuele gemeente), dus "
        "er valt niets te vergelijken.</p>"
    )
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # nothing saved
    shown.clear()
    Section(NAME, None, "en").crosstab(crosstab(sub, "effectmeting", "respondenttype", "en"))
    assert shown[0].data.startswith(
        "<p>Effectiveness measurement by respondent type: not shown. All experiments in these "
        "data fall into one group of respondent type (Other individual municipality)"
    )
    shown.clear()  # three groups with data: the cross-tab as always
    Section(NAME, tmp_path, "nl").crosstab(crosstab(mini, "effectmeting", "respondenttype", "nl"))
    assert len(shown) >= 3 and len(list((tmp_path / "tables").glob("*.csv"))) == 1


def test_a_cross_tab_whose_rows_hold_one_category_is_not_shown_either():
    from shv_analysis.present.narrative import crosstab_not_compared

    ds = shv.load().subset("type=vroegsignalering")  # a subset on the row field
    assert crosstab_not_compared(crosstab(ds, "type", "respondenttype", "nl"), "nl") == (
        "Type experiment naar type respondent: niet getoond. Alle experimenten in deze "
        "gegevens vallen in één groep van type experiment (Vroegsignalering), dus er valt "
        "niets te vergelijken."
    )
    # a multi-response row field is never one category; two groups and rows: compared
    assert crosstab_not_compared(crosstab(ds, "partners", "respondenttype", "nl"), "nl") is None
    assert crosstab_not_compared(crosstab(ds, "effectmeting", "grootteklasse", "en"), "en") is None
    empty = crosstab(shv.load().subset("deelname=nee"), "type", "grootteklasse", "en")
    assert crosstab_not_compared(empty, "en") == (
        "Type of experiment by population class: not shown, because these data hold no experiments."
    )
