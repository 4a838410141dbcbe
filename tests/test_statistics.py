"""Tests for shv_analysis.analysis.statistics and .models: each expected value is computed by hand or by an independent route."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from shv_analysis.analysis import statistics as st
from shv_analysis.analysis.models import ModelNotEstimable, clustered_logit
from shv_analysis.analysis.statistics import (
    cramers_v,
    holm,
    independence_test,
    wilson_interval,
)

Z = 1.959963984540054  # 97.5% standard normal quantile


# --------------------------------------------------------------------------- Wilson


def test_wilson_zero_successes_hand_formula():
    low, high = wilson_interval(0, 10)
    assert low == 0.0
    assert high == pytest.approx(Z**2 / (10 + Z**2), abs=1e-12)  # = 0.27753...


def test_wilson_half_hand_formula():
    low, high = wilson_interval(5, 10)
    centre = (5 + Z**2 / 2) / (10 + Z**2)
    half = Z / (10 + Z**2) * math.sqrt(5 * 5 / 10 + Z**2 / 4)
    assert (low, high) == pytest.approx((centre - half, centre + half), abs=1e-12)
    assert low == pytest.approx(0.2365930, abs=1e-6)


def test_wilson_all_successes():
    low, high = wilson_interval(10, 10)
    assert high == 1.0
    assert low == pytest.approx(10 / (10 + Z**2), abs=1e-12)


def test_wilson_vectorised_and_zero_n():
    k = pd.Series([0, 5, 3, 0], index=list("abcd"))
    n = pd.Series([10, 10, 7, 0], index=list("abcd"))
    low, high = wilson_interval(k, n)
    assert list(low.index) == list("abcd")
    assert np.isnan(low["d"]) and np.isnan(high["d"])
    ref_low, ref_high = proportion_confint(k[:3].to_numpy(), n[:3].to_numpy(), method="wilson")
    np.testing.assert_allclose(low[:3], ref_low, atol=1e-12)
    np.testing.assert_allclose(high[:3], ref_high, atol=1e-12)
    arr_low, _ = wilson_interval(np.array([1, 2]), np.array([4, 4]))
    assert isinstance(arr_low, np.ndarray) and arr_low.shape == (2,)


def test_wilson_matches_statsmodels_at_other_confidence():
    k, n = np.arange(0, 31), np.full(31, 30)
    low, high = wilson_interval(k, n, confidence=0.9)
    ref_low, ref_high = proportion_confint(k, n, alpha=0.1, method="wilson")
    np.testing.assert_allclose(low, ref_low, atol=1e-12)
    np.testing.assert_allclose(high, ref_high, atol=1e-12)


def test_wilson_rejects_k_above_n():
    with pytest.raises(ValueError):
        wilson_interval(11, 10)


# --------------------------------------------------------------------------- independence test


def test_chi2_chosen_for_large_balanced_table():
    res = independence_test([[60, 40], [40, 60]])
    # expected 50 in each cell: chi2 = 4 * 10**2 / 50 = 8; dof 1: p = erfc(sqrt(8 / 2))
    assert res.name == "chi2"
    assert res.statistic == pytest.approx(8.0)
    assert res.p == pytest.approx(math.erfc(2.0), rel=1e-10)
    assert res.dof == 1 and res.n == 200 and res.min_expected == 50.0


def test_chi2_describe_en_and_nl():
    res = independence_test([[60, 40], [40, 60]])
    v = math.sqrt(6.96 / 198)
    assert (
        res.describe("en")
        == f"Pearson's chi-square test, χ²(1) = 8.00, p = 0.005; Cramér's V (bias-corrected) = {v:.2f}; n = 200"
    )
    v_nl = f"{v:.2f}".replace(".", ",")
    assert (
        res.describe("nl")
        == f"Chikwadraattoets van Pearson, χ²(1) = 8,00, p = 0,005; Cramérs V (gecorrigeerd voor bias) = {v_nl}; n = 200"
    )


def test_fisher_chosen_for_tea_tasting():
    res = independence_test([[3, 1], [1, 3]])
    # hypergeometric: P(x) = C(4,x) C(4,4-x) / C(8,4); tables x = 0,1,3,4 are as extreme as x = 3
    probs = {x: math.comb(4, x) * math.comb(4, 4 - x) / math.comb(8, 4) for x in range(5)}
    assert res.name == "fisher"
    assert res.p == pytest.approx(probs[0] + probs[1] + probs[3] + probs[4], rel=1e-12)
    assert res.p == pytest.approx(0.4857142857, abs=1e-10)
    assert res.statistic == pytest.approx(9.0)  # sample odds ratio 3*3/(1*1)
    assert res.min_expected == 2.0 and res.dof is None
    assert res.describe("nl").startswith("Toets van Fisher (exact), p = 0,486; ")
    assert res.describe("en").startswith("Fisher's test (exact), p = 0.486; ")


def _brute_force_fisher(table: list[list[int]]) -> float:
    """Sum of probabilities of every table with the same margins that is at most as probable as the observed."""
    obs = np.array(table)
    rows, cols = obs.sum(axis=1), obs.sum(axis=0)
    n = int(obs.sum())

    def prob(t: np.ndarray) -> float:
        num = math.prod(math.factorial(int(x)) for x in [*rows, *cols])
        den = math.factorial(n) * math.prod(math.factorial(int(x)) for x in t.ravel())
        return num / den

    p_obs, total = prob(obs), 0.0
    r, c = obs.shape
    ranges = [range(min(rows[i], cols[j]) + 1) for i in range(r - 1) for j in range(c - 1)]
    for free in itertools.product(*ranges):
        t = np.zeros((r, c), dtype=int)
        t[: r - 1, : c - 1] = np.array(free).reshape(r - 1, c - 1)
        t[: r - 1, c - 1] = rows[: r - 1] - t[: r - 1, : c - 1].sum(axis=1)
        t[r - 1, :] = cols - t[: r - 1, :].sum(axis=0)
        if (t >= 0).all() and t[r - 1].sum() == rows[r - 1]:
            p = prob(t)
            total += p if p <= p_obs * (1 + 1e-7) else 0.0
    return total


def test_fisher_2x3_with_zeros_matches_brute_force():
    table = [[0, 3, 5], [6, 1, 0]]
    res = independence_test(table)
    assert res.name == "fisher"
    assert res.p == pytest.approx(_brute_force_fisher(table), rel=1e-9)
    assert res.p < 0.01
    assert "exact p-value" in res.note and "Monte Carlo" not in res.note and res.exact
    assert independence_test(np.array(table).T).p == pytest.approx(res.p, rel=1e-12)


def test_fisher_3x3_matches_brute_force():
    table = [[2, 0, 3], [1, 4, 0], [0, 2, 3]]
    res = independence_test(table)
    assert res.name == "fisher"
    assert res.p == pytest.approx(_brute_force_fisher(table), rel=1e-9)


def test_fisher_rxc_matches_r_reference_value():
    # R: fisher.test(matrix(c(8,1,2,5,3,4), 2))$p.value == 0.05714705 (scipy docs example table)
    res = independence_test([[8, 2, 3], [1, 5, 4]])
    assert res.p == pytest.approx(0.05714705, abs=1e-7)


def test_fisher_monte_carlo_fallback_is_seeded(monkeypatch):
    monkeypatch.setattr(st, "fisher_exact_rxc", lambda counts: None)
    table = [[8, 2, 3], [1, 5, 4]]
    first, second = independence_test(table), independence_test(table)
    assert "Monte Carlo" in first.note and str(st.MONTE_CARLO_SEED) in first.note
    assert first.p == second.p
    assert first.p == pytest.approx(0.05714705, abs=0.005)
    assert "(Monte Carlo, 99,999 draws, seed 20240101, SE " in first.describe("en")


def test_all_zero_column_is_dropped_and_named():
    table = pd.DataFrame([[3, 0, 1], [1, 0, 3]], index=["ja", "nee"], columns=["a", "leeg", "b"])
    res = independence_test(table)
    assert "dropped all-zero column(s) leeg" in res.note
    assert res.p == pytest.approx(0.4857142857, abs=1e-10)


def test_untestable_table_gives_none():
    res = independence_test([[5, 0], [3, 0]])
    assert res.name == "none" and math.isnan(res.p) and res.n == 8
    assert "at least 2" in res.note
    assert "Geen toets mogelijk" in res.describe("nl")


def test_negative_counts_rejected():
    with pytest.raises(ValueError):
        independence_test([[1, -1], [2, 3]])


# --------------------------------------------------------------------------- Cramér's V


def test_cramers_v_hand_computed():
    table = [[60, 40], [40, 60]]  # chi2 = 8, n = 200, phi2 = 0.04
    assert cramers_v(table, bias_corrected=False) == pytest.approx(0.2)
    # phi2corr = 0.04 - 1/199; rcorr - 1 = kcorr - 1 = 1 - 1/199
    assert cramers_v(table) == pytest.approx(math.sqrt((0.04 - 1 / 199) / (1 - 1 / 199)))


def test_cramers_v_2x3_hand_computed():
    table = [[10, 20, 30], [20, 20, 20]]  # n = 120; expected rows 15/20/25
    chi2 = 2 * (25 / 15 + 0 / 20 + 25 / 25)
    n, r, k = 120, 2, 3
    phi2corr = chi2 / n - (k - 1) * (r - 1) / (n - 1)
    denominator = min(k - (k - 1) ** 2 / (n - 1) - 1, r - (r - 1) ** 2 / (n - 1) - 1)
    assert cramers_v(table) == pytest.approx(math.sqrt(phi2corr / denominator))


def test_cramers_v_independent_table_is_zero_and_degenerate_is_nan():
    assert cramers_v([[10, 10], [10, 10]]) == 0.0
    assert math.isnan(cramers_v([[1, 0], [0, 0]]))


# --------------------------------------------------------------------------- Holm


def test_holm_hand_computed_with_nan():
    adjusted = holm([0.01, 0.04, 0.03, np.nan, 0.005])
    # m = 4; sorted 0.005*4, 0.01*3, 0.03*2, max(0.04*1, previous)
    np.testing.assert_allclose(adjusted, [0.03, 0.06, 0.06, np.nan, 0.02])


def test_holm_caps_at_one_and_keeps_series_index():
    adjusted = holm(pd.Series([0.4, 0.9, 0.6], index=["x", "y", "z"]))
    assert list(adjusted.index) == ["x", "y", "z"]
    assert (adjusted == 1.0).all()


def test_holm_matches_statsmodels():
    p = np.random.default_rng(3).uniform(0, 0.2, size=25)
    np.testing.assert_allclose(holm(p), multipletests(p, method="holm")[1], atol=1e-15)


def test_holm_gives_the_same_floats_as_statsmodels_ties_included():
    # holm() does multipletests' arithmetic itself (without its gc.collect()): equal bits
    p = np.concatenate([np.random.default_rng(5).uniform(0, 0.6, size=40), [0.01, 0.01, 0.3]])
    np.testing.assert_array_equal(holm(p), multipletests(p, method="holm")[1])


# --------------------------------------------------------------------------- clustered logit


def _simulated_pilots(seed: int = 1) -> pd.DataFrame:
    """60 municipalities with a random intercept each; type B has odds ratio 4 against type A; `klein` is per municipality."""
    rng = np.random.default_rng(seed)
    rows = []
    for g in range(60):
        u = rng.normal(0, 1)
        small = bool(rng.random() < 0.4)
        for _ in range(rng.integers(5, 11)):
            kind = rng.choice(["A", "B", "C"], p=[0.5, 0.3, 0.2])
            eta = -0.5 + u + math.log(4) * (kind == "B") + 0.3 * (kind == "C") + 0.2 * small
            rows.append(
                {
                    "gemeente": f"GM{g:04d}",
                    "type": kind,
                    "klein": small,
                    "uitkomst": bool(rng.random() < 1 / (1 + math.exp(-eta))),
                }
            )
    return pd.DataFrame(rows)


def test_clustered_logit_recovers_odds_ratio_and_uses_clustered_se():
    data = _simulated_pilots()
    res = clustered_logit(data, "uitkomst", ["type", "klein"], "gemeente")
    row = res.table.set_index("term").loc["type[T.B]"]
    assert row.odds_ratio > 1 and row.ci_low > 1
    assert res.n_clusters == 60 and res.n_obs == len(data)
    assert res.reference_levels == {"type": "A", "klein": "False"}
    # independent route: naive Logit on hand-made dummies gives the same point estimate, other SEs
    x = pd.DataFrame(
        {
            "const": 1.0,
            "B": (data.type == "B") * 1.0,
            "C": (data.type == "C") * 1.0,
            "k": data.klein * 1.0,
        }
    )
    naive = sm.Logit(data.uitkomst.astype(float), x).fit(disp=0)
    assert row.odds_ratio == pytest.approx(math.exp(naive.params["B"]), rel=1e-6)
    ci = res.table.set_index("term")
    clustered_se = (np.log(ci.ci_high) - np.log(ci.ci_low)) / (2 * Z)
    assert abs(clustered_se["type[T.B]"] - naive.bse["B"]) > 1e-3
    # a municipality-level predictor: clustering must widen its standard error markedly
    assert clustered_se["klein[T.True]"] > 1.2 * naive.bse["k"]


def test_clustered_logit_reports_excluded_rows_and_reference():
    data = _simulated_pilots()
    data["uitkomst"] = data["uitkomst"].astype("boolean")
    data.loc[[0, 5], "type"] = None
    data.loc[7, "uitkomst"] = None
    res = clustered_logit(data, "uitkomst", ["type"], "gemeente", reference_levels={"type": "B"})
    assert res.n_obs == len(data) - 3
    assert "3 of" in res.note and "excluded" in res.note
    assert list(res.table.term) == ["type[T.A]", "type[T.C]"]
    assert res.table.odds_ratio.iloc[0] < 1


def test_perfect_separation_names_level():
    data = _simulated_pilots()
    data.loc[data.type == "C", "uitkomst"] = True
    with pytest.raises(ModelNotEstimable, match=r"predictor 'type', level 'C'.*perfect separation"):
        clustered_logit(data, "uitkomst", ["type"], "gemeente")


def test_empty_category_level_is_reported():
    data = _simulated_pilots()
    data["type"] = pd.Categorical(data["type"], categories=["A", "B", "C", "D"])
    with pytest.raises(ModelNotEstimable, match=r"'D'.*no observations"):
        clustered_logit(data, "uitkomst", ["type"], "gemeente")


def test_numeric_separation_caught_after_fit():
    data = pd.DataFrame(
        {
            "y": [0, 0, 0, 0, 1, 1, 1, 1] * 3,
            "x": [1.0, 2, 3, 4, 5, 6, 7, 8] * 3,
            "g": list("abcdefgh") * 3,
        }
    )
    with pytest.raises(ModelNotEstimable, match="separation.*'x'"):
        clustered_logit(data, "y", ["x"], "g")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.assign(uitkomst=True), "only one value"),
        (lambda d: d.assign(gemeente="GM0001"), "at least 2"),
        (
            lambda d: d[d.gemeente.isin(["GM0000", "GM0001", "GM0002"])],
            "more parameters than clusters",
        ),
    ],
)
def test_other_not_estimable_cases(change, message):
    with pytest.raises(ModelNotEstimable, match=message):
        clustered_logit(change(_simulated_pilots()), "uitkomst", ["type", "klein"], "gemeente")
