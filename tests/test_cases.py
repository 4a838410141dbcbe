"""Every input in ../shared/cases behaves as its README row says (read from there, never copied)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from shv_analysis.contract import codebook as cb
from shv_analysis.ingest.validation import check_dataset

CASES = Path(__file__).resolve().parents[2] / "shared" / "cases"


def case(name: str) -> Path:
    path = CASES / name
    if not path.exists():
        pytest.skip(f"case folder {path} is missing (the shared cases live beside the checkout)")
    return path


def test_stale_dimension_reads_all_ten_pilots():
    result = check_dataset(case("stale-dimension") / "stale_rows.xlsx")
    assert result.ok, [str(e) for e in result.errors]
    pilots = result.dataset.experimenten
    assert pilots["pilot_id"].tolist() == [f"P{i}" for i in range(1, 11)]
    assert pilots["_rij"].tolist() == list(range(2, 12))
    assert len(result.dataset.respondenten) == 4


def test_merged_partner_value_holds_for_every_row_of_the_range():
    result = check_dataset(case("merged-cells") / "merged_partners.xlsx")
    assert result.ok, [str(e) for e in result.errors]
    pilots = result.dataset.experimenten
    partner_cols = cb.multi_columns("partners")
    assert int(pilots[partner_cols].any(axis=1).sum()) == 4  # 4 of 5, never 2 of 5
    assert pilots.loc[
        pilots["pilot_id"].isin(["P1", "P2", "P3"]), "partners__woningcorporatie"
    ].all()
    (merged,) = [w for w in result.warnings if "merged cells" in w.message]
    assert "E2:E4" in merged.message
    assert (merged.sheet, merged.row, merged.column, merged.value) == (
        "experimenten",
        2,
        "partners",
        "woningcorporatie",
    )


def test_nuenen_name_with_comma_is_one_municipality():
    result = check_dataset(case("nuenen-comma"))
    assert result.ok, [str(e) for e in result.errors]
    codes = result.dataset.respondenten.set_index("respondent_id")["gemeentecodes"]
    assert codes["R1"] == "GM0820"
    assert "GM0820" in codes["R2"].split(";") and len(codes["R2"].split(";")) == 3
    assert len(result.dataset.covered_municipalities()) == 4


def test_sep_hint_line_sets_the_delimiter():
    # undated, no metadata: the division is given (else assumed, with a warning)
    result = check_dataset(case("sep-hint-line"), indeling=2019)
    assert result.ok, [str(e) for e in result.errors]
    resp = result.dataset.respondenten.set_index("respondent_id")
    assert resp.loc["R3", "gemeentecodes"] == "GM0010;GM0024"
    assert resp.loc["R2", "respondenttype"] == "g4_g40"
    pilots = result.dataset.experimenten
    assert pilots["pilot_id"].tolist() == ["P1", "P2", "P3"]
    assert pilots["_rij"].tolist() == [2, 3, 4]  # the hint line is no row, as in Excel
    assert not result.warnings


def _phases(result) -> pd.DataFrame:
    pilots = result.dataset.experimenten.set_index("pilot_id")
    return pilots[cb.multi_columns("fasen")].astype(bool)


def test_pandas_float_flags_mean_yes_and_no(tmp_path):
    folder = case("pandas-float-flags")
    result = check_dataset(folder)
    assert result.ok, [str(e) for e in result.errors]
    phases = _phases(result)
    assert phases.loc["P1"].to_dict() == {
        "fasen__preventie": False,
        "fasen__vroegsignalering": True,
        "fasen__curatie": True,
        "fasen__nazorg": False,
    }
    assert int(phases.to_numpy().sum()) == 6
    # the same table read from xlsx and parquet (pandas writes real floats there) agrees
    frame = pd.read_csv(folder / "experimenten.csv")
    assert frame["fasen__curatie"].dtype == float
    resp = (folder / "respondenten.csv").read_bytes()
    for ext in ("xlsx", "parquet"):
        other = tmp_path / ext
        other.mkdir()
        (other / "respondenten.csv").write_bytes(resp)
        if ext == "xlsx":
            frame.to_excel(other / "experimenten.xlsx", index=False)
        else:
            frame.to_parquet(other / "experimenten.parquet", index=False)
        again = check_dataset(other)
        assert again.ok, [str(e) for e in again.errors]
        pd.testing.assert_frame_equal(_phases(again), phases)


def test_date_times_give_their_date_part():
    result = check_dataset(case("date-with-time") / "date_with_time.xlsx")
    assert result.ok, [str(e) for e in result.errors]
    dates = result.dataset.respondenten["gespreksdatum"].dt.date.tolist()
    assert dates == [dt.date(2019, 3, 12), dt.date(2019, 5, 2), dt.date(2019, 6, 20)]


def test_strict_open_xml_workbook_loads():
    result = check_dataset(case("strict-ooxml") / "strict.xlsx")
    assert result.ok, [str(e) for e in result.errors]
    assert result.dataset.respondenten["respondent_id"].tolist() == ["R1", "R2"]
    assert result.dataset.respondenten["gemeentecodes"].tolist() == ["GM0193", "GM0228"]
    assert result.dataset.experimenten["pilot_id"].tolist() == ["P1", "P2"]


def test_mixed_encoding_names_row_3_and_garbles_nothing():
    result = check_dataset(case("mixed-encoding"))
    (error,) = result.errors
    assert (error.file, error.row, error.column) == ("experimenten.csv", 3, "titel")
    assert "mixed encoding" in error.message and "row(s) 3 " in error.message
    assert error.value == "Geldcoach op de brede school (oud: coördinatie)"
    assert not any("Ã" in str(p) for p in result.errors + result.warnings)


def test_province_spellings_become_one_province():
    result = check_dataset(case("province-spelling"), indeling=2019)
    assert result.ok, [str(e) for e in result.errors]
    provinces = result.dataset.respondenten.set_index("respondent_id")["provincie"]
    assert provinces.to_dict() == {"R1": "Friesland", "R2": "Friesland", "R3": "Friesland"}
    # undated and undeclared, its codes all exist in 2024: that division, spelled Fryslân
    assumed = check_dataset(case("province-spelling")).dataset
    assert assumed.indeling == 2024
    assert set(assumed.respondenten["provincie"]) == {"Fryslân"}
    assert result.dataset.subset("provincie=Fryslân").respondenten["respondent_id"].tolist() == [
        "R1",
        "R2",
        "R3",
    ]
    (warning,) = [w for w in result.warnings if w.column == "provincie"]
    assert (warning.row, warning.value) == (2, "Fryslân") and "'Friesland'" in warning.message


@pytest.fixture(scope="module")
def styled_workbook(tmp_path_factory):
    build = case("styled-empty-rows") / "build.py"
    out = tmp_path_factory.mktemp("styled") / "styled.xlsx"
    subprocess.run([sys.executable, str(build), str(out)], check=True, capture_output=True)
    return out


def test_styled_empty_rows_give_the_same_result_quickly(styled_workbook):
    start = time.perf_counter()
    result = check_dataset(styled_workbook)
    seconds = time.perf_counter() - start
    assert result.ok, [str(e) for e in result.errors]
    pilots = result.dataset.experimenten
    assert pilots["pilot_id"].tolist() == ["P1", "P2", "P3"]
    assert pilots["omvang"].tolist() == [120, 40, 15]
    assert not any("empty row" in w.message for w in result.warnings)
    assert seconds < 20, f"checking took {seconds:.1f} s (was 112 s before rows were trimmed)"
