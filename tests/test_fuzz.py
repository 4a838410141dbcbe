"""Hostile and broken input: every input ends in valid data or the clean problem list.

`check_dataset` must never raise; when it reports errors each one is a `Problem` naming the
file; when it accepts the data no non-empty row has gone missing.
"""

from __future__ import annotations

import io
import string
import zipfile

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shv_analysis.contract.problems import Problem
from shv_analysis.ingest.validation import check_dataset
from variants import mini_tables, write_csv_folder, write_workbook

FUZZ = settings(max_examples=100, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
ODD = ["\u00a0", "\u200b", "\u200e", "\u200f", "\u202e", "\ufeff", "\t", "\r", "\n", "é", "ß",
       "=", "+", "-", "@", ";", ",", "|", '"', "'", "0", "1", "x", " "]
cells = st.one_of(
    st.text(alphabet=st.sampled_from(list(string.ascii_letters) + ODD), max_size=12),
    st.sampled_from(["ja", "nee", "vroegsignalering", "GM0363", "363", "Amsterdam", "",
                     "12-13-2019", "2019-02-30", "1e9", "-5", "3.5", "NaN", "None", "#N/A"]),
    st.integers(-10**6, 10**12).map(str),
)
PILOT_COLUMNS = list(mini_tables()["experimenten"].columns)


def _assert_clean(result, rows_written: int | None = None) -> None:
    assert all(isinstance(p, Problem) and p.file and str(p) for p in result.errors)
    if result.ok:
        assert result.dataset is not None
        if rows_written is not None:
            assert len(result.dataset.experimenten) == rows_written


@FUZZ
@given(payload=st.binary(max_size=2000), which=st.sampled_from(["respondenten",
                                                                 "experimenten"]))
def test_random_bytes_as_csv(tmp_path_factory, payload, which):
    folder = write_csv_folder(mini_tables(), tmp_path_factory.mktemp("bytes"))
    (folder / f"{which}.csv").write_bytes(payload)
    _assert_clean(check_dataset(folder))


@FUZZ
@given(payload=st.binary(max_size=3000))
def test_random_bytes_as_workbook(tmp_path_factory, payload):
    path = tmp_path_factory.mktemp("wb") / "inventaris.xlsx"
    path.write_bytes(payload)
    result = check_dataset(path)
    assert not result.ok
    _assert_clean(result)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.floats(0.0, 1.0), kind=st.sampled_from(["csv", "xlsx"]))
def test_truncated_files(tmp_path_factory, cut, kind):
    base = tmp_path_factory.mktemp("trunc")
    if kind == "csv":
        folder = write_csv_folder(mini_tables(), base / "d")
        target = folder / "experimenten.csv"
        data = target.read_bytes()
        target.write_bytes(data[: int(len(data) * cut)])
        _assert_clean(check_dataset(folder))
    else:
        path = write_workbook(mini_tables(), base / "wb.xlsx")
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * cut)])
        _assert_clean(check_dataset(path))


@FUZZ
@given(rows=st.lists(st.lists(cells, min_size=len(PILOT_COLUMNS),
                              max_size=len(PILOT_COLUMNS)), min_size=1, max_size=6),
       sep=st.sampled_from([",", ";"]), encoding=st.sampled_from(["utf-8", "utf-8-sig",
                                                                   "cp1252"]))
def test_random_cells_in_pilot_table(tmp_path_factory, rows, sep, encoding):
    tables = mini_tables()
    frame = pd.DataFrame(rows, columns=PILOT_COLUMNS)
    tables["experimenten"] = frame
    folder = tmp_path_factory.mktemp("cells")
    try:
        write_csv_folder(tables, folder, encoding=encoding, sep=sep)
    except UnicodeEncodeError:
        return  # not representable in Windows-1252: such a file cannot exist
    nonempty = int(frame.apply(lambda r: any(str(v).strip(" \t\r\n\u00a0\u200b\ufeff")
                                             for v in r), axis=1).sum())
    result = check_dataset(folder)
    _assert_clean(result, rows_written=None)
    if result.ok:
        # every record that had any content is there (blank-looking rows may be skipped,
        # with a warning)
        assert len(result.dataset.experimenten) >= nonempty - sum(
            1 for w in result.warnings if "empty row" in w.message) - 1


@FUZZ
@given(rows=st.lists(st.lists(st.one_of(cells, st.integers(-5, 10**6), st.floats(
    allow_nan=True), st.booleans(), st.none()), min_size=len(PILOT_COLUMNS),
    max_size=len(PILOT_COLUMNS)), min_size=1, max_size=5))
def test_random_typed_cells_in_workbook(tmp_path_factory, rows):
    """Numbers where text is expected and the reverse, booleans, empty cells."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "respondenten"
    for row in [list(mini_tables()["respondenten"].columns)] + \
            mini_tables()["respondenten"].values.tolist():
        ws.append(row)
    ws = wb.create_sheet("experimenten")
    ws.append(PILOT_COLUMNS)
    for row in rows:
        ws.append([None if isinstance(v, float) and v != v else v for v in row])
    path = tmp_path_factory.mktemp("typed") / "wb.xlsx"
    try:
        wb.save(path)
    except Exception:  # openpyxl refuses some control characters: not a file Excel makes
        return
    _assert_clean(check_dataset(path))


def test_workbook_without_sheets(tmp_path):
    path = tmp_path / "leeg.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    path.write_bytes(buffer.getvalue())
    result = check_dataset(path)
    assert not result.ok and result.errors[0].file == "leeg.xlsx"


def test_duplicate_headers_are_named(tmp_path):
    tables = mini_tables()
    frame = tables["experimenten"]
    frame.insert(5, "Type ", frame["type"])
    folder = write_csv_folder(tables, tmp_path / "dup")
    errors = check_dataset(folder).errors
    assert any(e.row == 1 and "duplicate column header" in e.message for e in errors)


def test_formula_and_merged_cells(tmp_path):
    path = write_workbook(mini_tables(), tmp_path / "f.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["experimenten"]
    ws["E2"] = '=IF(1,"vroegsignalering","overig")'  # type of P1: formula, no cached value
    ws.merge_cells("M3:M4")  # overdraagbaar of P2 and P3 merged: P3 shows P2's value
    wb.save(path)
    result = check_dataset(path)
    messages = {}
    for e in result.errors:
        messages.setdefault((e.row, e.column), []).append(e.message)
    assert any("formula without a stored result" in m for m in messages[(2, "type")])
    assert (4, "overdraagbaar") not in messages
    (merged,) = [w for w in result.warnings if "merged cells" in w.message]
    assert (merged.row, merged.column) == (3, "overdraagbaar") and "M3:M4" in merged.message


def test_odd_unicode_in_codes_and_ids(tmp_path):
    tables = mini_tables()
    exp = tables["experimenten"]
    exp.loc[0, "type"] = "\u200evroegsignalering\u200b"
    exp.loc[1, "respondent_id"] = "R1\u00a0"
    exp.loc[2, "fasen"] = "curatie\u00a0;\u202enazorg"
    tables["respondenten"].loc[0, "respondent_id"] = "\ufeffR1"
    result = check_dataset(write_csv_folder(tables, tmp_path / "uni"))
    assert result.ok, [str(e) for e in result.errors]
    pilots = result.dataset.experimenten.set_index("pilot_id")
    assert pilots.loc["P1", "type"] == "vroegsignalering"
    assert pilots.loc["P2", "respondent_id"] == "R1"
    assert pilots.loc["P3", "fasen__nazorg"]


def test_huge_cell_is_reported_shortened(tmp_path):
    tables = mini_tables()
    tables["experimenten"].loc[0, "type"] = "x" * 1_000_000
    (error,) = check_dataset(write_csv_folder(tables, tmp_path / "huge")).errors
    assert len(str(error)) < 600 and error.row == 2
