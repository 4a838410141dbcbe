"""Kinds of real-world input (not only the shared example files): workbooks as shown, CSV as
exporters write it, names as typed, subsets on any field, empty and half-open datasets."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from shv_analysis.contract import codebook as cb
from shv_analysis.ingest.dataset import SubsetError
from shv_analysis.ingest.validation import check_dataset, load
from shv_analysis.ingest.workbook import _drop_empty_rows, _trim_sheet, parse_range
from variants import mini_tables, write_csv_folder, write_workbook


def rewrite_sheet(path: Path, sheet_xml: str, edit) -> Path:
    """Apply `edit(bytes) -> bytes` to one worksheet part of the workbook at `path`."""
    with zipfile.ZipFile(path) as zin:
        items = [(i, zin.read(i)) for i in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in items:
            zout.writestr(info, edit(data) if info.filename == sheet_xml else data)
    return path


def mini_workbook(tmp_path: Path) -> Path:
    return write_workbook(mini_tables(), tmp_path / "inventaris.xlsx", extra_sheet=False)


# ---------------------------------------------------------------- workbooks as shown


@pytest.mark.parametrize("ref", ["A1:B2", "A1", "A1:Z3"])
def test_stale_dimension_of_any_size_is_ignored(tmp_path, ref):
    path = rewrite_sheet(
        mini_workbook(tmp_path),
        "xl/worksheets/sheet2.xml",
        lambda d: re.sub(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), d),
    )
    result = check_dataset(path)
    assert result.ok, [str(e) for e in result.errors]
    assert result.dataset.experimenten["pilot_id"].tolist() == [f"P{i}" for i in range(1, 7)]
    assert result.dataset.experimenten["_rij"].tolist() == list(range(2, 8))
    assert int(result.dataset.experimenten["omvang"].sum()) == 250 + 60 + 120 + 500 + 50


def _styled_rows(first: int, last: int, style: str = "1") -> bytes:
    return "".join(
        f'<row r="{r}">' + "".join(f'<c r="{c}{r}" s="{style}"/>' for c in "ABCDEFGH") + "</row>"
        for r in range(first, last + 1)
    ).encode()


def test_styled_empty_rows_are_not_records(tmp_path):
    path = rewrite_sheet(
        mini_workbook(tmp_path),
        "xl/worksheets/sheet2.xml",
        lambda d: d.replace(b"</sheetData>", _styled_rows(8, 120_000) + b"</sheetData>"),
    )
    result = check_dataset(path)
    assert result.ok, [str(e) for e in result.errors]
    assert len(result.dataset.experimenten) == 6
    assert not any("empty row" in w.message for w in result.warnings)


def test_value_far_below_styled_rows_is_kept(tmp_path):
    """A record after a long stretch of styled empty rows is read, with the empty rows named."""

    def edit(data: bytes) -> bytes:
        late = (
            b'<row r="90000"><c r="A90000" t="inlineStr"><is><t>P7</t></is></c>'
            b'<c r="B90000" t="inlineStr"><is><t>R1</t></is></c></row>'
        )
        return data.replace(b"</sheetData>", _styled_rows(8, 89_999) + late + b"</sheetData>")

    path = rewrite_sheet(mini_workbook(tmp_path), "xl/worksheets/sheet2.xml", edit)
    result = check_dataset(path)
    assert any(e.row == 90000 for e in result.errors)  # P7 is read (and lacks its values)
    (skipped,) = [w for w in result.warnings if "empty row" in w.message]
    assert skipped.row == 8 and "89992 empty row(s)" in skipped.message


def test_rows_without_row_numbers_keep_their_place():
    """Writers that omit `r=` on rows: nothing is dropped, so row numbers stay right."""
    xml = (
        b'<worksheet><sheetData><row><c r="A1"><v>1</v></c></row>'
        + b"<row><c/></row>" * 5
        + b"<row><c><v>2</v></c></row></sheetData></worksheet>"
    )

    class Stream:
        def __init__(self, data):
            self.data, self.pos = data, 0

        def read(self, n):
            out = self.data[self.pos : self.pos + n]
            self.pos += n
            return out

    trimmed, merges = _trim_sheet(Stream(xml))
    assert trimmed == xml and merges == []


def test_drop_empty_rows_keeps_the_open_row_and_the_tail():
    pieces = [
        b'<c r="A2"><v>1</v></c></row><row r="3"><c r="A3" s="1"/></row>',
        b'<row r="4"><c r="A4" s="1"/></row><row r="5">',
    ]
    assert b"".join(_drop_empty_rows(pieces, b"")) == b'<c r="A2"><v>1</v></c></row><row r="5">'


def test_merged_ranges_spread_over_rows_and_columns(tmp_path):
    path = mini_workbook(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["experimenten"]
    ws["H5"] = "zorgverzekeraar"  # partners of P4, merged down over P5 and P6
    ws.merge_cells("H5:H7")
    ws.merge_cells("N2:O2")  # status over omvang: one displayed value for both cells
    ws.merge_cells("A1:B1")  # a header merge is not data: nothing is spread there
    wb.save(path)
    result = check_dataset(path)
    warnings = {
        re.match(r"merged cells \S+?(?=: )", w.message).group(0): w
        for w in result.warnings
        if "merged" in w.message
    }
    assert set(warnings) == {"merged cells H5:H7", "merged cells N2:O2"}
    assert (warnings["merged cells H5:H7"].row, warnings["merged cells H5:H7"].column) == (
        5,
        "partners",
    )
    errors = {(e.row, e.column) for e in result.errors}
    assert (2, "omvang") in errors  # 'lopend' spread into omvang: not a whole number
    assert any(e.row == 1 and "respondent_id" in e.message for e in result.errors)


def test_parse_range():
    assert parse_range("E2:E4") == (2, 5, 4, 5)
    assert parse_range("AB10:AA3") == (3, 27, 10, 28)


def test_typed_cells_mean_what_they_display(tmp_path):
    tables = mini_tables()
    path = write_workbook(tables, tmp_path / "typed.xlsx", extra_sheet=False)
    wb = openpyxl.load_workbook(path)
    ws = wb["respondenten"]
    ws["E2"] = dt.datetime(2019, 3, 12, 23, 59)
    ws["E2"].number_format = "dd-mm-yyyy"
    ws["E3"] = dt.date(2019, 5, 14)
    ex = wb["experimenten"]
    ex["L2"], ex["L3"] = True, False  # doelen_geformuleerd as booleans
    ex["O2"] = 250.0  # omvang as a whole float
    ex["O3"] = 12345.0
    wb.save(path)
    result = check_dataset(path)
    assert result.ok, [str(e) for e in result.errors]
    resp = result.dataset.respondenten.set_index("respondent_id")
    assert resp.loc["R1", "gespreksdatum"].date() == dt.date(2019, 3, 12)
    assert resp.loc["R2", "gespreksdatum"].date() == dt.date(2019, 5, 14)
    pilots = result.dataset.experimenten.set_index("pilot_id")
    assert bool(pilots.loc["P1", "doelen_geformuleerd"]) is True
    assert bool(pilots.loc["P2", "doelen_geformuleerd"]) is False
    assert pilots.loc["P1", "omvang"] == 250 and pilots.loc["P2", "omvang"] == 12345


def test_parquet_list_columns_are_multi_values(tmp_path):
    tables = mini_tables()
    folder = write_csv_folder({"respondenten": tables["respondenten"]}, tmp_path / "pq")
    exp = tables["experimenten"].copy()
    exp["fasen"] = exp["fasen"].map(lambda c: [p for p in c.split(";") if p])
    exp["partners"] = exp["partners"].map(lambda c: [p for p in c.split(";") if p])
    exp.to_parquet(folder / "experimenten.parquet", index=False)
    result = check_dataset(folder)
    assert result.ok, [str(e) for e in result.errors]
    reference = check_dataset(write_csv_folder(tables, tmp_path / "csv")).dataset.experimenten
    cols = cb.multi_columns("fasen") + cb.multi_columns("partners")
    pd.testing.assert_frame_equal(result.dataset.experimenten[cols], reference[cols])


def test_unreadable_workbooks_get_one_message_with_the_cause(tmp_path):
    old = tmp_path / "old.xlsx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    (error,) = check_dataset(old).errors
    assert "password-protected workbook or an old Excel 97-2003" in error.message
    text = tmp_path / "text.xlsx"
    text.write_text("pilot_id,type\n", encoding="utf-8")
    (error,) = check_dataset(text).errors
    assert "BadZipFile" in error.message


def test_damaged_strict_workbook_says_how_to_resave(tmp_path):
    path = mini_workbook(tmp_path)

    def strictify(data: bytes) -> bytes:
        return data.replace(
            b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            b"http://purl.oclc.org/ooxml/spreadsheetml/main",
        )

    with zipfile.ZipFile(path) as zin:
        items = [(i, zin.read(i)) for i in zin.infolist()]
    with zipfile.ZipFile(path, "w") as zout:
        for info, data in items:
            if info.filename == "xl/worksheets/sheet2.xml":
                data = data[: len(data) // 2]  # broken XML
            zout.writestr(info, strictify(data))
    errors = check_dataset(path).errors
    assert len(errors) == 1 and "Strict Open XML" in errors[0].message
    assert "Excel Workbook (*.xlsx)" in errors[0].message


def test_strict_workbook_of_any_content_loads(tmp_path):
    path = mini_workbook(tmp_path)
    with zipfile.ZipFile(path) as zin:
        items = [(i, zin.read(i)) for i in zin.infolist()]
    with zipfile.ZipFile(path, "w") as zout:
        for info, data in items:
            zout.writestr(
                info,
                data.replace(
                    b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                    b"http://purl.oclc.org/ooxml/spreadsheetml/main",
                ).replace(
                    b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                    b"http://purl.oclc.org/ooxml/officeDocument/relationships",
                ),
            )
    result = check_dataset(path)
    assert result.ok, [str(e) for e in result.errors]
    assert len(result.dataset.experimenten) == 6 and len(result.dataset.respondenten) == 5


# ---------------------------------------------------------------- CSV as exporters write it


@pytest.mark.parametrize("hint,sep", [("sep=;", ";"), ("sep=,", ","), ('"sep=;"', ";")])
def test_sep_hint_line_of_any_delimiter(tmp_path, hint, sep):
    folder = write_csv_folder(mini_tables(), tmp_path / "d", sep=sep)
    for name in ("respondenten", "experimenten"):
        file = folder / f"{name}.csv"
        file.write_bytes(b"\xef\xbb\xbf" + hint.encode() + b"\r\n" + file.read_bytes())
    result = check_dataset(folder)
    assert result.ok, [str(e) for e in result.errors]
    assert result.dataset.experimenten["_rij"].tolist() == list(range(2, 8))
    assert result.dataset.respondenten.loc[3, "gemeentecodes"] == "GM0010;GM0024"


@pytest.mark.parametrize("sep,name", [("\t", "tab"), ("|", "'|'")])
def test_unsupported_delimiter_gets_one_message(tmp_path, sep, name):
    folder = write_csv_folder(mini_tables(), tmp_path / "d")
    mini_tables()["experimenten"].to_csv(folder / "experimenten.csv", index=False, sep=sep)
    errors = check_dataset(folder).errors
    assert len(errors) == 1, [str(e) for e in errors]
    assert errors[0].file == "experimenten.csv" and f"{name} as delimiter" in errors[0].message


def test_tab_named_by_a_hint_line(tmp_path):
    folder = write_csv_folder(mini_tables(), tmp_path / "d")
    frame = mini_tables()["respondenten"]
    (folder / "respondenten.csv").write_text(
        "sep=\t\n" + frame.to_csv(index=False, sep="\t"), encoding="utf-8"
    )
    (error,) = check_dataset(folder).errors
    assert "'sep=' line names tab" in error.message


def test_windows_1252_file_decodes_whole(tmp_path):
    tables = mini_tables()
    tables["experimenten"].loc[0, "titel"] = "Coördinatie café"
    folder = write_csv_folder(tables, tmp_path / "d", encoding="cp1252", sep=";")
    result = check_dataset(folder)
    assert result.ok, [str(e) for e in result.errors]
    assert result.dataset.experimenten.loc[0, "titel"] == "Coördinatie café"


def test_mixed_encoding_counts_spreadsheet_rows_not_lines(tmp_path):
    tables = mini_tables()
    tables["experimenten"].loc[0, "omschrijving"] = "twee\nregels, één cel"  # UTF-8, quoted
    folder = write_csv_folder(tables, tmp_path / "d")
    file = folder / "experimenten.csv"
    lines = file.read_bytes().split(b"\n")
    # spreadsheet rows 4 and 6 (file lines 5 and 7) get a Windows-1252 byte
    lines[4] = lines[4].replace(b"P3", "P3 é".encode("cp1252"))
    lines[6] = lines[6].replace(b"P5", "P5 ë".encode("cp1252"))
    file.write_bytes(b"\n".join(lines))
    (error,) = check_dataset(folder).errors
    assert error.row == 4 and "row(s) 4, 6 " in error.message
    assert (error.column, error.value) == ("pilot_id", "P3 é")


# ---------------------------------------------------------------- names as typed


@pytest.mark.parametrize(
    "typed,code",
    [
        ("\u2019s-Hertogenbosch", "GM0796"),
        ("\u2018s\u00a0Hertogenbosch", "GM0796"),
        ("Súdwest\u2013Fryslân", "GM1900"),
        ("S\u200búdwest Fryslân", "GM1900"),
        ("NUENEN, GERWEN EN NEDERWETTEN", "GM0820"),
        ("Nuenen,Gerwen en Nederwetten", "GM0820"),
        ("bergen (nh.)", "GM0373"),
        ("Bergen (L)", "GM0893"),
    ],
)
def test_municipality_names_as_typed(reference, tmp_path, typed, code):
    tables = mini_tables()
    tables["respondenten"].loc[2, "gemeentecodes"] = f"{typed}; GM0010"
    result = check_dataset(write_csv_folder(tables, tmp_path / "d"))
    assert result.ok, [str(e) for e in result.errors]
    assert result.dataset.respondenten.loc[2, "gemeentecodes"] == ";".join(sorted({code, "GM0010"}))


def test_ambiguous_name_lists_candidates(reference, tmp_path):
    tables = mini_tables()
    tables["respondenten"].loc[2, "gemeentecodes"] = "Zwolle, Bergen"
    (error,) = check_dataset(write_csv_folder(tables, tmp_path / "d")).errors
    assert (error.row, error.value) == (4, "Bergen")
    assert "ambiguous" in error.message
    assert "Bergen (NH.) (GM0373)" in error.message and "Bergen (L.) (GM0893)" in error.message


def test_errors_quote_values_as_typed(reference, tmp_path):
    tables = mini_tables()
    tables["respondenten"].loc[2, "gemeentecodes"] = "AtLantis Ñoord"
    tables["experimenten"].loc[0, "partners"] = "Woningcorporatie; Gemeentelijke BAKKERIJ"
    errors = check_dataset(write_csv_folder(tables, tmp_path / "d")).errors
    assert {e.value for e in errors} == {"AtLantis Ñoord", "Gemeentelijke BAKKERIJ"}


@pytest.mark.parametrize(
    "typed,shown,warned",
    [
        ("Noord Holland", "Noord-Holland", True),
        ("NOORD-HOLLAND", "Noord-Holland", True),
        ("Fryslân", "Friesland", True),
        ("friesland", "Friesland", True),
        ("Noord-Holland", "Noord-Holland", False),
        ("meerdere", "meerdere", False),
    ],
)
def test_provinces_in_the_reference_spelling(reference, tmp_path, typed, shown, warned):
    tables = mini_tables()
    tables["respondenten"]["provincie"] = ["", "", "", typed, ""]
    result = check_dataset(write_csv_folder(tables, tmp_path / "d"))
    assert result.ok, [str(e) for e in result.errors]
    assert result.dataset.respondenten.loc[3, "provincie"] == shown
    notes = [w for w in result.warnings if w.column == "provincie"]
    assert [(w.row, w.value) for w in notes] == ([(5, typed)] if warned else [])


def test_a_value_that_is_no_province_is_an_error(reference, tmp_path):
    tables = mini_tables()
    tables["respondenten"]["provincie"] = ["", "Holland", "", "", ""]
    (error,) = check_dataset(write_csv_folder(tables, tmp_path / "d")).errors
    assert (error.row, error.column, error.value) == (3, "provincie", "Holland")
    assert "not a province" in error.message and "Noord-Holland" in error.message


# ---------------------------------------------------------------- dataset level


@pytest.fixture(scope="module")
def mini():
    return load(write_csv_folder(mini_tables(), Path(__import__("tempfile").mkdtemp()) / "m"))


def test_subset_on_a_multi_field(mini):
    sub = mini.subset("fasen=nazorg")
    assert sub.experimenten["pilot_id"].tolist() == ["P2"]
    assert sub.respondenten["respondent_id"].tolist() == ["R1"]  # through their pilots
    assert mini.subset("fasen=Nazorg").experimenten["pilot_id"].tolist() == ["P2"]


@pytest.mark.parametrize(
    "spec,respondents,pilots",
    [
        ("provincie=noord holland", 1, 2),
        ("respondenttype=gemeente", 2, 1),
        ("signaalpartner=ja", 2, 2),
        ("deelname=nee", 1, 0),
        ("gemeentecodes=363", 1, 2),
        ("doelen_geformuleerd=nee", 3, 3),
        ("grootteklasse=lt20k", 1, 1),
    ],
)
def test_subset_on_any_field(mini, spec, respondents, pilots):
    sub = mini.subset(spec)
    assert (len(sub.respondenten), len(sub.experimenten)) == (respondents, pilots)


def test_subset_that_matches_nothing_lists_values_present(mini):
    with pytest.raises(SubsetError) as info:
        mini.subset("provincie=Noord Brabant")
    assert "values present: Gelderland, Groningen, Noord-Holland, Overijssel" in str(info.value)
    assert info.value.present == ["Gelderland", "Groningen", "Noord-Holland", "Overijssel"]
    with pytest.raises(ValueError, match="no pilot matches; values present: coaching_buddy"):
        mini.subset("type=digitaal_product")
    assert len(mini.subset("type=digitaal_product", allow_empty=True).experimenten) == 0
    with pytest.raises(SubsetError, match="unknown field 'subest'"):
        mini.subset("subest=x")


def test_empty_tables_are_warned(tmp_path):
    tables = mini_tables()
    tables["experimenten"] = tables["experimenten"].iloc[0:0]
    result = check_dataset(write_csv_folder(tables, tmp_path / "d"))
    assert result.ok
    (warning,) = [w for w in result.warnings if "holds no records" in w.message]
    assert warning.file == "experimenten.csv"
    tables["respondenten"] = tables["respondenten"].iloc[0:0]
    result = check_dataset(write_csv_folder(tables, tmp_path / "e"))
    assert sorted(w.file for w in result.warnings if "holds no records" in w.message) == [
        "experimenten.csv",
        "respondenten.csv",
    ]


@pytest.mark.parametrize(
    "lock", ["~$experimenten.xlsx", ".~lock.experimenten.xlsx#", "~$perimenten.xlsx"]
)
def test_lock_file_of_an_open_workbook_is_warned(tmp_path, lock):
    tables = mini_tables()
    folder = write_csv_folder({"respondenten": tables["respondenten"]}, tmp_path / "d")
    tables["experimenten"].to_excel(folder / "experimenten.xlsx", index=False)
    (folder / lock).write_bytes(b"\x00owner")
    result = check_dataset(folder)
    assert result.ok, [str(e) for e in result.errors]
    (warning,) = [w for w in result.warnings if "lock file" in w.message]
    assert (warning.file, warning.value) == ("experimenten.xlsx", lock)
    assert "unsaved changes are not read" in warning.message
