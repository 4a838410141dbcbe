"""Planted errors: one message each, naming file, row, column, value and what is allowed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from shv_analysis.cli import main
from shv_analysis.ingest.validation import check_dataset
from variants import mini_tables, write_csv_folder, write_workbook

RESP_HEADER = "respondent_id,naam,respondenttype,gemeentecodes\n"
RESP_ROWS = [
    "R1,Gemeente Amsterdam,g4_g40,GM0363",  # row 2 ok
    "R1,Dubbel,gemeente,GM0003",  # row 3 duplicate id
    "R3,X,gemeentje,GM0010",  # row 4 unknown type
    "R4,Y,gemeente,GM9999",  # row 5 unknown municipality
    ",Z,gemeente,GM0024",  # row 6 empty required id
    "R6,Gemeente Appingedam,g4/g40-GEMEENTE,GM0003",  # row 7 warning: not a G4/G40 municipality
]
EXP_HEADER = "pilot_id,respondent_id,type,fasen,effectmeting,doelen_geformuleerd,omvang\n"
EXP_ROWS = [
    "P1,R1,vroegsig,preventie,ja,ja,",  # row 2 unknown type
    "P2,R1,overig,preventie;nazorgg,ja,nee,",  # row 3 one bad option in a multi cell
    "P3,R9,overig,curatie,nee,ja,",  # row 4 unknown respondent
    "P4,R1,overig,curatie,nee,misschien,",  # row 5 not yes/no
    "P1,R1,overig,curatie,nee,ja,",  # row 6 duplicate pilot id
    "P7,R1,overig,,nee,ja,",  # row 7 no phase
    "P8,R1,overig,curatie,,ja,",  # row 8 empty required single
    "P9,R1,overig,curatie,ja,ja,veel",  # row 9 not a whole number
]
EXPECTED_ERRORS = {
    ("respondenten.csv", 3, "respondent_id", "R1"),
    ("respondenten.csv", 4, "respondenttype", "gemeentje"),
    ("respondenten.csv", 5, "gemeentecodes", "GM9999"),
    ("respondenten.csv", 6, "respondent_id", ""),
    ("experimenten.csv", 1, None, None),  # missing required column 'overdraagbaar'
    ("experimenten.csv", 2, "type", "vroegsig"),
    ("experimenten.csv", 3, "fasen", "nazorgg"),
    ("experimenten.csv", 4, "respondent_id", "R9"),
    ("experimenten.csv", 5, "doelen_geformuleerd", "misschien"),
    ("experimenten.csv", 6, "pilot_id", "P1"),
    ("experimenten.csv", 7, "fasen", ""),
    ("experimenten.csv", 8, "effectmeting", ""),
    ("experimenten.csv", 9, "omvang", "veel"),
}


@pytest.fixture
def planted(tmp_path):
    folder = tmp_path / "planted"
    folder.mkdir()
    (folder / "respondenten.csv").write_text(RESP_HEADER + "\n".join(RESP_ROWS) + "\n", "utf-8")
    (folder / "experimenten.csv").write_text(EXP_HEADER + "\n".join(EXP_ROWS) + "\n", "utf-8")
    return folder


def test_every_planted_error_reported_once_with_its_row(planted):
    result = check_dataset(planted)
    found = {(p.file, p.row, p.column, p.value) for p in result.errors}
    assert found == EXPECTED_ERRORS
    assert len(result.errors) == len(EXPECTED_ERRORS)
    assert result.dataset is None


def test_messages_say_what_is_allowed(planted):
    by_key = {(p.file, p.row): str(p) for p in check_dataset(planted).errors}
    assert "allowed: vroegsignalering, coaching_buddy" in by_key[("experimenten.csv", 2)]
    assert (
        "nazorgg" in by_key[("experimenten.csv", 3)] and "nazorg" in by_key[("experimenten.csv", 3)]
    )
    assert "already appears in row 2" in by_key[("respondenten.csv", 3)]
    assert "required column 'overdraagbaar' is missing" in by_key[("experimenten.csv", 1)]
    assert "unknown respondent_id" in by_key[("experimenten.csv", 4)]
    assert by_key[("experimenten.csv", 9)].startswith(
        "experimenten.csv, row 9, column 'omvang': value 'veel': not a whole number"
    )


def test_g4_warning_is_not_an_error(planted):
    warnings = [p for p in check_dataset(planted).warnings if p.row == 7]
    assert len(warnings) == 1 and "not G4/G40" in warnings[0].message
    assert warnings[0].value == "GM0003"


def test_cli_check_lists_every_problem_and_exits_1(planted, capsys):
    assert main(["check", str(planted)]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    errors = [line for line in out if not line.startswith("warning:")][:-1]
    assert len(errors) == len(EXPECTED_ERRORS)
    # the G4/G40 warning, and the division assumed (no metadata, no interview dates)
    assert out[-1].startswith(f"{len(EXPECTED_ERRORS)} error(s), 2 warning(s)")
    assert (
        "warning: planted, column 'gemeentecodes': no municipal division declared "
        "(metadata key 'indeling' or --indeling) and no interview dates (gespreksdatum); "
        "assumed the division of 1-1-2019, the most recent in the reference that knows "
        "every municipality code and name in the data"
    ) in out


def test_cli_figures_on_invalid_data_gives_same_messages(planted, capsys):
    assert main(["figures", str(planted)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "value 'vroegsig': unknown value" in captured.err


def test_cli_check_summary_on_valid_data(capsys):
    from variants import MINI

    assert main(["check", str(MINI)]) == 0
    out = capsys.readouterr().out
    assert "respondenten: 5 records" in out and "experimenten: 6 records" in out
    assert "municipalities covered: 6 of 355" in out


def test_workbook_problems_name_the_sheet(tmp_path):
    tables = mini_tables()
    tables["experimenten"].loc[2, "type"] = "onzin"
    path = write_workbook(
        tables,
        tmp_path / "wb.xlsx",
        sheet_names={"respondenten": "Respondenten", "experimenten": "Pilots"},
    )
    errors = check_dataset(path).errors
    assert [str(e) for e in errors] == [
        "wb.xlsx: missing sheet 'experimenten'; sheets found: Toelichting, Respondenten, Pilots"
    ]
    path = write_workbook(tables, tmp_path / "wb2.xlsx")
    (error,) = check_dataset(path).errors
    assert (error.sheet, error.row, error.column, error.value) == (
        "experimenten",
        4,
        "type",
        "onzin",
    )


def test_unreadable_files(tmp_path):
    bad = tmp_path / "kapot.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    (error,) = check_dataset(bad).errors
    assert error.file == "kapot.xlsx" and "unreadable workbook" in error.message
    folder = tmp_path / "leeg"
    folder.mkdir()
    messages = sorted(e.message for e in check_dataset(folder).errors)
    assert len(messages) == 2 and all(m.startswith("missing table") for m in messages)
    assert "not found" in check_dataset(tmp_path / "nope").errors[0].message


def test_interior_empty_rows_are_counted_not_dropped_silently(tmp_path):
    folder = write_csv_folder(mini_tables(), tmp_path / "gaps")
    lines = (folder / "experimenten.csv").read_text("utf-8").splitlines()
    lines.insert(3, ",,,,,,,,,,,,,,")
    (folder / "experimenten.csv").write_text("\n".join(lines) + "\n", "utf-8")
    result = check_dataset(folder)
    assert result.ok
    (gap,) = [w for w in result.warnings if "empty row" in w.message]
    assert gap.row == 4 and "1 empty row(s) skipped (rows 4)" in gap.message
    # the pilot after the gap keeps its own spreadsheet row
    exp = result.dataset.experimenten.set_index("pilot_id")
    assert exp.loc["P3", "_rij"] == 5


def test_module_runs_as_console_script():
    out = subprocess.run(
        [sys.executable, "-m", "shv_analysis.cli", "check", "/nonexistent"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1 and "not found" in out.stdout
