"""Frequency tables: n, base and percentage of the stated base, on the mini inventory."""

from __future__ import annotations

import json

import pytest

import shv_analysis as shv
from shv_analysis.analysis.tables import frequency, respondents_by_type
from shv_analysis.cli import main
from variants import MINI


@pytest.fixture(scope="module")
def mini():
    return shv.load(MINI)


def test_multi_response_percent_of_cases(mini):
    table = frequency(mini, "fasen")
    assert table.data["code"].tolist() == ["preventie", "vroegsignalering", "curatie", "nazorg"]
    assert table.data["n"].tolist() == [2, 3, 3, 1]
    assert table.data["base"].tolist() == [6, 6, 6, 6]
    assert table.data["pct"].tolist() == pytest.approx([100 * 2 / 6, 50, 50, 100 / 6])
    assert table.footnote.startswith("n = 6 experimenten; meer antwoorden mogelijk")
    assert table.notice is None


def test_single_choice_shows_missing_and_keeps_base(mini):
    table = frequency(mini, "status", lang="en")
    rows = dict(zip(table.data["category"], table.data["n"]))
    assert rows == {"Ongoing": 3, "Completed": 2, "(missing)": 1}
    assert set(table.data["base"]) == {6}


def test_report_order_puts_other_last(mini):
    table = frequency(mini, "type", sort="desc")
    codes = table.data["code"].tolist()
    assert codes[0] == "vroegsignalering" and codes[-1] == "overig"
    # ties keep codebook order: coaching_buddy before perspectieffonds before educatietool
    assert codes[1:4] == ["coaching_buddy", "perspectieffonds", "educatietool"]


def test_html_carries_n_base_and_title(mini):
    html = frequency(mini, "verwachte_effecten")._repr_html_()
    assert "(Verwachte) effecten" in html and "n = 6 experimenten" in html


def test_respondents_by_type(mini):
    data = respondents_by_type(mini).data.set_index("code")
    assert data.loc["g4_g40", "respondents"] == 2 and data.loc["g4_g40", "with_experiment"] == 2
    assert data.loc["gemeente", "participation_pct"] == pytest.approx(50.0)
    assert data.loc["totaal", "pilots"] == 6
    assert data.loc["samenwerkingsverband", "pilots_pct"] == pytest.approx(100 / 3)


def test_subset_by_respondent_type(mini):
    sub = mini.subset("respondenttype=G4/G40-gemeente")
    assert len(sub.respondenten) == 2 and sorted(sub.experimenten["pilot_id"]) == ["P1", "P2", "P3"]
    assert "Subset: respondenttype = G4/G40-gemeente" in frequency(sub, "type").footnote
    with pytest.raises(ValueError, match="FIELD=VALUE"):
        mini.subset("g4_g40")


def test_figures_json(capsys):
    assert main(["figures", str(MINI), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    figures = {f["figure_id"]: f for f in data["figures"]}
    assert figures["dekking.gemeenten_totaal"] == {
        "figure_id": "dekking.gemeenten_totaal",
        "numerator": 355,
        "denominator": None,
        "value": 355,
    }
    assert figures["deelname.totaal"]["value"] == pytest.approx(80.0)
    assert data["synthetic"] is False


def test_suppression_marks_keep_a_count_column_right_aligned():
    import pandas as pd

    from shv_analysis.analysis.tables import Table

    data = pd.DataFrame({"category": ["a", "b", "c"], "g1": ["x", "<5", "13 (23%; 14–36)"]})
    table = Table(data=data, title="t", footnote="f", key="k", n=3, base="b")
    assert table.numeric_columns() == [False, True]
