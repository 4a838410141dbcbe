"""Formula neutralisation, CSV layout with sidecar, and the deterministic workbook."""

from __future__ import annotations

import zipfile
from dataclasses import replace

import openpyxl
import pandas as pd
import pytest

import shv_analysis as shv
from shv_analysis.analysis import indicators
from shv_analysis.present.export import (
    read_table,
    safe_cell,
    unique_sheet_names,
    write_table_csv,
    write_workbook,
)


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
    tables = [
        _hostile(indicators.as_reported(mini, "type", "nl")),
        indicators.participation_by_type(mini, "nl"),
        ("a" * 40, indicators.records(mini, "nl")),
        ("a" * 40, indicators.missing_values(mini, "nl")),
    ]
    path = write_workbook(
        tables, tmp_path / "w.xlsx", notice="SYNTHETISCHE DATA: test", dataset="mini"
    )
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


HOSTILE = [
    "=1+1",
    "+31 6 1234",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    '=HYPERLINK("http://evil.example","klik")',
    "Titel\r=1+1",
    "Titel\r\n@x",
]


@pytest.mark.parametrize(
    "text", HOSTILE, ids=["eq", "plus", "minus", "at", "tab", "cr", "link", "mid-cr", "mid-crlf"]
)
def test_every_text_cell_is_neutralised(mini, tmp_path, text):
    """Title, notice, footnote, column header, label cells (object, string and categorical
    columns), sheet hint and dataset name: none is a formula in the CSV or the workbook.

    A carriage return inside a CSV cell would end the record for a spreadsheet, so whatever
    follows it would start a new row (and could be a formula): it is written as a quoted
    line feed instead."""
    import csv

    base = indicators.as_reported(mini, "type", "nl")
    data = base.data.copy()
    data.iloc[0, 1] = text
    data["tekst"] = pd.Series([text] * len(data), dtype="string")
    data["soort"] = pd.Categorical([text] + ["x"] * (len(data) - 1))
    data = data.rename(columns={"n": text})
    table = replace(base, data=data, title=text, notice=text, footnote=f"{text}\n{text}", key=text)
    csv_path, _ = write_table_csv(table, tmp_path / "t.csv")
    with open(csv_path, encoding="utf-8-sig", newline="") as handle:
        cells = [c for row in csv.reader(handle) for c in row]
    # CSV: CR written as LF; xlsx: XML parsers read CR and CRLF back as LF
    expected = safe_cell(text).replace("\r\n", "\n").replace("\r", "\n")
    assert expected in cells
    assert not [
        c
        for c in cells
        if c.startswith(("=", "+", "@", "\t", "\r"))
        or (c.startswith("-") and not c.lstrip("-").replace(".", "").isdigit())
    ]

    path = write_workbook([(text, table)], tmp_path / "t.xlsx", notice=text, dataset=text)
    wb = openpyxl.load_workbook(path)
    values = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                if isinstance(cell.value, str):
                    values.append(cell.value)
    # title, notice, header, cells, footnote lines, about sheet (a footnote is split in lines)
    assert values.count(expected) >= (8 if "\r" not in text[1:] else 6)
    assert not [v for v in values if v.startswith(("=", "+", "-", "@", "\t", "\r"))]
    with zipfile.ZipFile(path) as z:
        xml = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in xml and b"<f " not in xml
