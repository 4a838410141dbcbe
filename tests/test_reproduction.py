"""`shv reproduce`: published against reproduced figures, with verdicts and the exit code."""

from __future__ import annotations

import csv
import io

import pytest

from shv_analysis.analysis.reproduction import verdict
from shv_analysis.cli import main
from variants import MINI


@pytest.mark.parametrize(
    "unit,fid,published,value,expected",
    [
        ("count", "respondenten.totaal", 245, 245, "ok"),
        ("count", "respondenten.totaal", 245, 244, "off"),
        ("pct", "type.overig", 5, 4.5, "ok"),  # half up: 4.5 -> 5
        ("pct", "type.overig", 5, 5.49, "ok"),
        ("pct", "type.overig", 5, 5.5, "off"),
        ("pct", "type.overig", 5, 4.49, "off"),
        ("pct", "aandeel_experimenten.gemeente", 53, 52.45, "near"),
        ("pct", "aandeel_experimenten.gemeente", 53, 51.9, "off"),
        ("pct", "deelname.totaal", 37, float("nan"), "off"),
    ],
)
def test_verdicts(unit, fid, published, value, expected):
    assert verdict(unit, fid, published, value) == expected


def test_embedded_dataset_reproduces_every_figure(capsys):
    assert main(["reproduce", "--format", "csv"]) == 0
    captured = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(captured.out.split("\n", 1)[1])))
    assert len(rows) == 45
    verdicts = {r["figure_id"]: r["verdict"] for r in rows}
    assert [f for f, v in verdicts.items() if v != "ok"] == ["aandeel_experimenten.gemeente"]
    assert verdicts["aandeel_experimenten.gemeente"] == "near"
    assert "44 match, 1 within the documented 1-point tolerance" in captured.err
    assert captured.out.startswith("SYNTHETIC DATA")


def test_other_data_fail_with_exit_1(capsys):
    assert main(["reproduce", str(MINI)]) == 1
    assert "MISMATCH" in capsys.readouterr().out
