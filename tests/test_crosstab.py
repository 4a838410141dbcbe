"""Cross-tab cells, intervals, test choice and suppression against hand-computed values."""

from __future__ import annotations

import csv
import io
import itertools
import json
import math

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint

import shv_analysis as shv
from shv_analysis.analysis.crosstab import crosstab
from shv_analysis.analysis.crosstab_text import interpretation
from shv_analysis.analysis.suppression import suppression_mask
from shv_analysis.cli import main
from variants import MINI


@pytest.fixture(scope="module")
def mini():
    return shv.load(MINI)


def _fisher_brute(table: np.ndarray) -> float:
    """Two-sided R x C Fisher p by enumerating every table with the same margins."""
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    n = int(table.sum())

    def prob(t):
        num = sum(math.lgamma(r + 1) for r in rows) + sum(math.lgamma(c + 1) for c in cols)
        return math.exp(num - math.lgamma(n + 1) - sum(math.lgamma(x + 1) for x in t.ravel()))

    observed, total = prob(table), 0.0
    r, c = table.shape
    for free in itertools.product(
        *(range(int(min(rows[i], cols[j])) + 1) for i in range(r - 1) for j in range(c - 1))
    ):
        t = np.zeros((r, c), dtype=int)
        t[:-1, :-1] = np.array(free).reshape(r - 1, c - 1)
        t[:-1, -1] = rows[:-1] - t[:-1, :-1].sum(axis=1)
        t[-1, :] = cols - t[:-1, :].sum(axis=0)
        if (t < 0).any():
            continue
        p = prob(t)
        if p <= observed * (1 + 1e-7):
            total += p
    return total


def test_cells_by_hand(mini):
    ct = crosstab(mini, "effectmeting", "respondenttype")
    cells = ct.cells.set_index(["row", "col"])
    # g4_g40 pilots P1 (ja), P2 (nee), P3 (onbekend); cooperation P4 (nee), P5 (ja); P6 (nee)
    assert cells.loc[("ja", "g4_g40"), ["n", "base"]].tolist() == [1, 3]
    assert cells.loc[("nee", "gemeente"), ["n", "base"]].tolist() == [1, 1]
    assert cells.loc[("ja", "samenwerkingsverband"), "pct"] == pytest.approx(50.0)
    assert cells.loc[("nee", "totaal"), ["n", "base"]].tolist() == [3, 6]
    low, high = proportion_confint(1, 3, method="wilson")
    assert cells.loc[("ja", "g4_g40"), "ci_low"] == pytest.approx(100 * low)
    assert cells.loc[("ja", "g4_g40"), "ci_high"] == pytest.approx(100 * high)
    bases = ct.bases.set_index("col")
    assert bases.loc["g4_g40"].tolist() == [3, 2] and bases.loc["totaal"].tolist() == [6, 4]


def test_small_table_uses_fisher_with_exact_p(mini):
    ct = crosstab(mini, "effectmeting", "respondenttype")
    assert ct.test.name == "fisher"
    observed = np.array([[1, 0, 1], [1, 1, 1], [1, 0, 0]])
    assert ct.test.p == pytest.approx(_fisher_brute(observed), rel=1e-6)


def test_zero_cells_have_zero_percent_and_a_real_interval(mini):
    cells = crosstab(mini, "effectmeting", "respondenttype").cells.set_index(["row", "col"])
    zero = cells.loc[("onbekend", "gemeente")]
    assert zero["n"] == 0 and zero["pct"] == 0.0 and zero["ci_low"] == 0.0
    assert zero["ci_high"] == pytest.approx(100 * proportion_confint(0, 1, method="wilson")[1])


def test_multi_response_tested_option_by_option_with_holm(mini):
    ct = crosstab(mini, "fasen", "respondenttype")
    assert ct.test is None
    tests = ct.option_tests.set_index("option")
    assert list(tests.index) == ["preventie", "vroegsignalering", "curatie", "nazorg"]
    assert (tests["p_holm"] >= tests["p"] - 1e-12).all()
    cells = ct.cells.set_index(["row", "col"])
    assert cells.loc[("curatie", "g4_g40"), ["n", "base"]].tolist() == [3, 3]
    assert cells.loc[("preventie", "totaal"), ["n", "base"]].tolist() == [2, 6]


def test_respondent_level_crosstab_counts_organisations(mini):
    ct = crosstab(mini, "respondenttype", "grootteklasse")
    assert ct.unit == "respondenten"
    cells = ct.cells.set_index(["row", "col"])
    # Amsterdam, Zwolle and Ede have 100,000+ inhabitants; Appingedam < 20,000
    assert cells.loc[("g4_g40", "ge100k"), ["n", "base"]].tolist() == [2, 3]
    assert cells.loc[("gemeente", "lt20k"), ["n", "base"]].tolist() == [1, 1]


def test_suppression_single_and_multi():
    counts = np.array([[1, 10, 11], [7, 8, 15]])
    assert suppression_mask(counts, 5, by_column=True).tolist() == [
        [True, True, False],
        [True, True, False],
    ]
    assert suppression_mask(counts, 5, by_column=False).tolist() == [
        [True, True, False],
        [False, False, False],
    ]
    assert not suppression_mask(counts, 1, by_column=True).any()


def test_display_table_has_base_row_and_test_footnote(mini):
    table = crosstab(mini, "effectmeting", "respondenttype").to_table("nl")
    assert table.data.iloc[-1, 0] == "Basis (experimenten / organisaties)"
    assert table.data.iloc[-1, -1] == "6 / 4"
    assert "Fisher" in table.test and "n = 6 experimenten in 4 organisaties" in table.footnote
    hidden = crosstab(mini, "effectmeting", "respondenttype").to_table("nl", min_cell=2)
    assert "<2" in hidden.data.iloc[:-1, 1:].to_numpy().ravel().tolist()
    # at 5, 6 pilots leave nothing to show but the margins: every row and column is merged
    merged = crosstab(mini, "effectmeting", "respondenttype").to_table("nl", min_cell=5)
    assert merged.data.iloc[0].tolist() == [
        "Structurele effectiviteitsmeting voorzien + Geen concrete plannen + Weet niet",
        "6 (100%; 61–100)",
        "6 (100%; 61–100)",
    ]
    assert "Samengevoegd omdat een kleine rij of kolom cellen zou prijsgeven" in merged.footnote


def test_interpretation_states_limits(mini):
    text = interpretation(crosstab(mini, "effectmeting", "respondenttype"), "en")
    # widest interval: 1 of the cooperation's 2 pilots, Wilson [9.45, 90.55]
    low, high = proportion_confint(1, 2, method="wilson")
    width = 100 * (high - low)
    assert text.startswith(
        "With 6 experiments in 4 organisations the widest 95% interval spans "
        f"{width:.0f} percentage points"
    )
    assert "does not prove" in text


def test_cli_csv_and_json(capsys):
    assert main(["crosstab", "effectmeting", "respondenttype", "--data", str(MINI)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == ["row", "col", "n", "base", "pct", "ci_low", "ci_high"]
    assert len(rows) == 3 * 4
    first = rows[0]
    assert (first["row"], first["col"], first["n"], first["base"]) == ("ja", "g4_g40", "1", "3")
    assert float(first["pct"]) == pytest.approx(100 / 3)
    assert (
        main(
            ["crosstab", "effectmeting", "respondenttype", "--data", str(MINI), "--format", "json"]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["test"]["name"] == "fisher" and set(data["test"]) == {
        "name",
        "statistic",
        "p",
        "cramers_v",
    }
    assert len(data["cells"]) == 12


def test_cli_min_cell_blanks_suppressed_cells(capsys):
    assert (
        main(["crosstab", "effectmeting", "respondenttype", "--data", str(MINI), "--min-cell", "2"])
        == 0
    )
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["row"] for r in rows} == {"ja+onbekend", "nee"}  # merged as a report shows it
    hidden = [r for r in rows if r["suppressed"]]
    assert hidden and all(r["n"] == "" and r["pct"] == "" for r in hidden)
    assert {r["suppressed"] for r in hidden} <= {"primary", "secondary"}


def test_unknown_field_is_a_clear_error(capsys):
    assert main(["crosstab", "nonsense", "respondenttype", "--data", str(MINI)]) == 2
    err = capsys.readouterr().err
    assert "'nonsense' is not a field to tabulate; valid fields: respondenttype, type," in err
    assert err.rstrip().endswith("grootteklasse, deelname, signaalpartner")


def test_pool_ordered_merges_small_classes_upwards():
    import pandas as pd

    from shv_analysis.analysis.evaluation import _pool_ordered

    values = pd.Series(["a"] * 3 + ["b"] * 12 + ["c"] * 4 + [None])
    pooled = _pool_ordered(values, ["a", "b", "c"], minimum=10)
    # a (3) joins b; c (4) is last and joins the class below
    assert pooled.value_counts().to_dict() == {"a+b+c": 19}
    assert pd.isna(pooled.iloc[-1])
    pooled = _pool_ordered(pd.Series(["a"] * 3 + ["b"] * 12 + ["c"] * 10), ["a", "b", "c"], 10)
    assert pooled.value_counts().to_dict() == {"a+b": 15, "c": 10}


def test_model_refuses_with_a_reason_on_tiny_data(mini):
    from shv_analysis.analysis.evaluation import evaluation_model

    table = evaluation_model(mini, "en")
    assert table.data["reason"].tolist() == [
        "The model cannot be estimated: population class has only one value (Under 20,000 "
        "inhabitants + 20,000 to 50,000 inhabitants + 50,000 to 100,000 inhabitants + 100,000 "
        "inhabitants or more) in the experiments used."
    ]
    assert table.footnote == ""  # the reason is said once, as the table's row


@pytest.mark.parametrize(
    "subset, nl",
    [
        (
            "grootteklasse=lt20k",
            "geplande effectmeting is bij alle 9 gebruikte experimenten nee; er valt niets te "
            "verklaren.",
        ),
        (
            "type=vroegsignalering",
            "type experiment heeft in de gebruikte experimenten maar één waarde "
            "(Vroegsignalering).",
        ),
        (
            "deelname=nee",
            "na het weglaten van experimenten met een ontbrekende waarde blijft niets over.",
        ),
    ],
)
def test_why_the_model_is_not_estimable_is_said_in_the_reports_language(subset, nl):
    from shv_analysis.analysis.evaluation import evaluation_model

    sub = shv.load().subset(subset)
    table = evaluation_model(sub, "nl")
    assert table.data["reason"].tolist() == [f"Het model is niet te schatten: {nl}"]
    english = evaluation_model(sub, "en").data["reason"].iloc[0]
    assert english.startswith("The model cannot be estimated: ")
    assert "'" not in english and "rows used" not in english  # no raw names or model words


def test_model_on_embedded_data_reports_clustered_odds_ratios():
    from shv_analysis.analysis.evaluation import evaluation_model

    table = evaluation_model(shv.load(), "en")
    assert "n = 143 experiments in 91 organisations" in table.footnote
    assert "t distribution with 90 degrees of freedom" in table.footnote
    assert (
        "reference category: Population class: Under 20,000 inhabitants + 20,000 to 50,000 "
        "inhabitants; Type of experiment: Early detection; Goals set beforehand: No."
        in table.footnote
    )
    nl = evaluation_model(shv.load(), "nl").footnote
    assert "t-verdeling met 90 vrijheidsgraden" in nl and "lt20k" not in nl and "standard" not in nl
    assert table.meta["result"].note.count("t distribution with 90 degrees") == 1
    terms = table.data.set_index("code")
    assert "doelen_geformuleerd[T.True]" in terms.index
    assert terms.loc["doelen_geformuleerd[T.True]", "term"] == "Goals set beforehand: Yes"
    assert (terms["or_low"] < terms["odds_ratio"]).all()
    assert (terms["odds_ratio"] < terms["or_high"]).all()
    assert table.headers() == ["code", "Term", "OR", "95% CI low", "95% CI high", "p"]
    assert table.notice is not None


def test_participation_by_population_class(mini):
    ct = crosstab(mini, "deelname", "grootteklasse")
    cells = ct.cells.set_index(["row", "col"])
    # 100,000+: Amsterdam (pilots), Zwolle (pilots), Ede (none); < 20,000: Appingedam (pilot)
    assert cells.loc[("ja", "ge100k"), ["n", "base"]].tolist() == [2, 3]
    assert cells.loc[("ja", "lt20k"), ["n", "base"]].tolist() == [1, 1]
    assert cells.loc[("ja", "totaal"), ["n", "base"]].tolist() == [4, 5]
    assert ct.unit == "respondenten"


def test_tests_are_computed_only_when_read(mini, monkeypatch):
    from shv_analysis.analysis import crosstab_cells
    from shv_analysis.analysis.crosstab_text import crosstab_table, protected

    calls = []
    real = crosstab_cells.independence_test
    monkeypatch.setattr(
        crosstab_cells, "independence_test", lambda table: calls.append(1) or real(table)
    )
    ct = crosstab(mini, "effectmeting", "respondenttype")
    assert calls == []
    # a threshold that hides cells: the table prints no test, so none is computed
    table = crosstab_table(ct, "nl", 2)
    assert table.test == "Toets niet getoond: kleine aantallen." and calls == []
    assert protected(ct, 2).plan is not None and calls == []
    # read: computed once, the same as computing it directly
    test = ct.test
    assert len(calls) == 1 and ct.option_tests is None and len(calls) == 1
    rows = list(ct.counts.columns)
    direct, _ = crosstab_cells.run_tests(ct.counts, ct.counts.sum(axis=1), ct.row, rows)
    assert (test.name, test.p, test.statistic) == (direct.name, direct.p, direct.statistic)
