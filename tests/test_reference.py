"""Municipalities given as code in any form, official name or alias; unknown is an error."""

from __future__ import annotations

import pytest

from shv_analysis.ingest.reference import parse_code
from shv_analysis.ingest.validation import check_dataset
from variants import mini_tables, write_csv_folder


@pytest.mark.parametrize("token", ["GM0363", "gm0363", "363", "0363", " GM363 "])
def test_code_forms(token):
    assert parse_code(token) == "GM0363"


def test_reference_has_355_municipalities(reference):
    assert len(reference.codes) == 355
    assert reference.municipalities.loc["GM0363", "inwoners"] == 862965
    assert int(reference.municipalities["g4"].sum()) == 4
    assert int(reference.municipalities["g40"].sum()) == 40


@pytest.mark.parametrize(
    "token,code",
    [
        ("Amsterdam", "GM0363"),
        ("AMSTERDAM", "GM0363"),
        ("den haag", "GM0518"),
        ("'s-Hertogenbosch", "GM0796"),
        ("Den Bosch", "GM0796"),
        ("Hengelo (O.)", "GM0164"),
        ("Sudwest-Fryslan", "GM1900"),
        ("Aalburg", "GM1959"),
        ("GM0738", "GM1959"),
        ("Nuenen, Gerwen en Nederwetten", "GM0820"),
    ],
)
def test_names_and_aliases(reference, token, code):
    assert reference.resolve(token) == code


@pytest.mark.parametrize("token", ["Bergen", "Atlantis", "GM9999", "9999"])
def test_unknown_municipalities(reference, token):
    assert reference.resolve(token) is None


def test_names_without_reference_get_a_clear_message(no_reference, tmp_path):
    tables = mini_tables()
    tables["respondenten"]["gemeentecodes"] = ["Amsterdam", "193", "GM0003", "10;24", "228"]
    result = check_dataset(write_csv_folder(tables, tmp_path / "names"))
    (error,) = result.errors
    assert (error.row, error.column, error.value) == (2, "gemeentecodes", "Amsterdam")
    assert "needs the reference tables" in error.message


def test_codes_work_without_reference(no_reference, tmp_path):
    tables = mini_tables()
    tables["respondenten"]["gemeentecodes"] = ["363", "193", "GM0003", "10;24", "228"]
    result = check_dataset(write_csv_folder(tables, tmp_path / "codes"))
    assert result.ok
    resp = result.dataset.respondenten
    assert resp["gemeentecodes"].tolist() == [
        "GM0363",
        "GM0193",
        "GM0003",
        "GM0010;GM0024",
        "GM0228",
    ]
    assert resp["inwoners"].isna().all()
    assert any("inhabitants unknown for 5" in w.message for w in result.warnings)
