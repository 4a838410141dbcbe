"""Formula neutralisation, CSV layout with sidecar, and the deterministic workbook."""

from __future__ import annotations

import zipfile
from dataclasses import replace

import openpyxl
import pandas as pd
import pytest

import shv_analysis as shv
from shv_analysis import indicators
from shv_analysis.export import (read_table, safe_cell, unique_sheet_names, write_table_csv,
                                 write_workbook)


@pytest.fixture(scope="module")
def mini():
    from conftest import MINI

    return shv.load(MINI)


@pytest.mark.parametrize("text", ["=1+1", "+31 6", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_text_gets_an_apostrophe(text):
    assert safe_cell(text) == "'" + text
    assert safe_cell(safe_cell(text)) == "'" + text  # idempotent


@pytest.mark.parametrize("value", ["Vroegsignalering", "", "a=b", 3, -2.5, None])
def test_other_values_untouched(value):
    assert safe_cell(value) == value


def _hostile(table):
    data = table.data.copy()
    data.iloc[0, 1] = '=HYPERLINK("http://x","klik")'
    return replace(table, title="=cmd|' /C calc'!A0", data=data)


def test_csv_is_data_only_with_sidecar(mini, tmp_path):
    table = _hostile(indicators.as_reported(mini, "type", "nl"))
    csv_path, sidecar = write_table_csv(table, tmp_path / "t.csv")
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(csv_path)
    assert list(frame.columns) == ["code", "Categorie", "n", "Basis", "%"]
    assert len(frame) == len(table.data)  # no footnote rows
    assert frame.iloc[0]["Categorie"].startswith("'=")
    assert frame.set_index("code").loc["vroegsignalering", "n"] == 2
    back = read_table(csv_path)
    assert back.footnote == table.footnote and back.title == table.title
    assert "n = 6" not in raw.decode("utf-8-sig")


def test_workbook_sheets_headers_footnotes_and_no_formulas(mini, tmp_path):
    tables = [_hostile(indicators.as_reported(mini, "type", "nl")),
              indicators.participation_by_type(mini, "nl"),
              ("a" * 40, indicators.records(mini, "nl")),
              ("a" * 40, indicators.missing_values(mini, "nl"))]
    path = write_workbook(tables, tmp_path / "w.xlsx", notice="SYNTHETISCHE DATA: test",
                          dataset="mini")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "Toelichting" and len(wb.sheetnames) == 1 + len(tables)
    assert all(len(n) <= 31 for n in wb.sheetnames)
    assert len({n.lower() for n in wb.sheetnames}) == len(wb.sheetnames)
    ws = wb[wb.sheetnames[1]]
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert values[0] == "'=cmd|' /C calc'!A0"
    assert "SYNTHETISCHE DATA: test" in values
    assert any(str(v).startswith("n = 6 experimenten") for v in values)
    assert "Categorie" in values and any(str(v).startswith("'=HYPERLINK") for v in values)
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
    with zipfile.ZipFile(path) as z:
        xml = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in xml


def test_workbook_is_byte_identical_across_runs(mini, tmp_path):
    tables = [indicators.as_reported(mini, "fasen", "nl"), indicators.coverage(mini, "nl")]
    a = write_workbook(tables, tmp_path / "a.xlsx", lang="en")
    b = write_workbook(tables, tmp_path / "b.xlsx", lang="en")
    assert a.read_bytes() == b.read_bytes()
    assert openpyxl.load_workbook(a).sheetnames[0] == "About"


def test_unique_sheet_names():
    names = unique_sheet_names(["x" * 40, "X" * 40, "a/b:c", "About"], reserved=["About"])
    assert names[0] == "x" * 31 and names[1].endswith(" (2)") and len(names[1]) <= 31
    assert names[2] == "a_b_c" and names[3] == "About (2)"
