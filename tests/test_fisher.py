"""Exact R x C Fisher (network algorithm) and its Monte Carlo fallback, against values computed once and stored."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from shv_analysis.analysis import statistics as st
from shv_analysis.analysis.fisher import fisher_exact_rxc, fisher_monte_carlo
from shv_analysis.analysis.statistics import holm, independence_test

# Exact two-sided p-values computed once: the first from R's fisher.test (scipy docs example),
# the others by brute-force enumeration of every table with the margins (`_fisher_rxc_exact`).
REFERENCE = [
    ([[8, 2, 3], [1, 5, 4]], 0.05714705),
    ([[3, 1, 0], [0, 2, 4], [1, 1, 5]], 0.0540518305224188),
    ([[1, 2, 0, 3], [2, 0, 4, 1], [0, 3, 1, 2]], 0.1025744121719353),
]


# Tables of section 05 on the embedded data whose p-values were Monte Carlo before the network
# algorithm was made fast. Exact values computed once, offline, by an independent slow method:
# every table with the margins enumerated (no bounds, no merging of rows), split into the
# first and the remaining columns and joined per state of remaining row sums ("meet in the
# middle", numpy, float64, tie rule P <= P_obs (1 + 1e-7)). That enumeration reproduces
# REFERENCE above to 1e-15. 7x3: 126,930,432,159 tables, 57 s; 3x4: 21,512,495 tables, 13 s;
# 2x7: 2,727,018 tables, also matched by `statistics._fisher_rxc_exact`.
EMBEDDED_REFERENCE = [
    # type x respondenttype (R: fisher.test on this table; the example)
    (
        [[13, 39, 13], [6, 14, 4], [8, 11, 3], [6, 4, 2], [2, 4, 3], [4, 0, 0], [2, 3, 2]],
        0.1640158124469974,
    ),
    # effectmeting x grootteklasse
    ([[0, 13, 17, 19], [8, 27, 9, 15], [1, 16, 10, 8]], 0.0052446423583287285),
    # fasen x type, option "curatie" (ticked / not ticked)
    ([[9, 18, 12, 12, 0, 1, 2], [56, 6, 10, 0, 9, 3, 5]], 1.1073851942886994e-12),
]


@pytest.mark.parametrize(("table", "p"), REFERENCE)
def test_network_algorithm_matches_stored_exact_values(table, p):
    _, got = fisher_exact_rxc(np.array(table))
    assert got == pytest.approx(p, abs=1e-8)


@pytest.mark.parametrize(("table", "p"), EMBEDDED_REFERENCE)
def test_network_algorithm_is_exact_on_the_embedded_tables(table, p):
    counts = np.array(table)
    for t in (counts, counts.T):  # either orientation
        _, got = fisher_exact_rxc(t)
        assert got == pytest.approx(p, abs=1e-7, rel=1e-9)
    res = independence_test(counts)
    assert res.exact and res.mc_draws is None


def test_network_algorithm_is_within_its_work_budget_on_the_embedded_tables(monkeypatch):
    # the budget is deterministic: the 7x3 table needs about 6.3 million of the 10 million units
    import shv_analysis.analysis.fisher as fisher

    spent = []
    run = fisher._Network.p_value

    def record(self, threshold):
        p = run(self, threshold)
        spent.append(self.work)
        return p

    monkeypatch.setattr(fisher._Network, "p_value", record)
    for table, _ in EMBEDDED_REFERENCE:
        fisher_exact_rxc(np.array(table))
    assert all(w < fisher.WORK_LIMIT * 0.7 for w in spent), spent
    assert fisher_exact_rxc(np.array(EMBEDDED_REFERENCE[0][0]), work_limit=1_000_000) is None


def test_network_algorithm_matches_brute_force_on_random_tables():
    rng = np.random.default_rng(11)
    checked = 0
    for _ in range(60):
        t = rng.integers(0, 7, size=(int(rng.integers(2, 4)), int(rng.integers(2, 6))))
        t[0] += rng.integers(0, 6, size=t.shape[1])
        t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]
        if min(t.shape) < 2:
            continue
        brute = st._fisher_rxc_exact(t, limit=300_000)
        if brute is None:
            continue
        checked += 1
        assert fisher_exact_rxc(t)[1] == pytest.approx(brute[1], rel=1e-9, abs=1e-12)
    assert checked >= 30


@pytest.mark.parametrize(
    ("table", "p"),
    [
        ([[3, 3, 3], [3, 3, 3], [3, 3, 3]], 1.0),  # every table ties or is more extreme
        ([[5, 0, 0], [0, 5, 0], [0, 0, 5]], 7.92857935715077e-06),  # only the 3! permutation tables
    ],
)
def test_ties_and_extremes(table, p):
    assert fisher_exact_rxc(np.array(table))[1] == pytest.approx(p, rel=1e-9)


@pytest.mark.parametrize(("table", "p"), REFERENCE)
def test_monte_carlo_within_four_standard_errors_of_exact(table, p):
    _, mc = fisher_monte_carlo(np.array(table), 20_000, 7)
    assert mc.draws == 20_000 and mc.seed == 7
    assert mc.se == pytest.approx(math.sqrt(mc.p * (1 - mc.p) / 20_000))
    assert abs(mc.p - p) < 4 * mc.se


def test_work_limit_gives_none_and_monte_carlo_is_named_in_the_line(monkeypatch):
    table = np.array([[8, 2, 3], [1, 5, 4]])
    assert fisher_exact_rxc(table, work_limit=1) is None
    monkeypatch.setattr(st, "fisher_exact_rxc", lambda counts: None)
    res = independence_test(table)
    assert not res.exact and res.mc_draws == st.MONTE_CARLO_RESAMPLES
    assert res.mc_seed == st.MONTE_CARLO_SEED
    assert abs(res.p - 0.05714705) < 4 * res.mc_se
    line = res.describe("nl")
    assert line.startswith(
        "Toets van Fisher (Monte Carlo, 99.999 trekkingen, seed 20240101, SE 0,00"
    )
    # SE ~0.0007: p printed to 3 decimals; with SE ~0.001-0.01 to 2
    assert st.significant_decimals(0.0007) == 3 and st.significant_decimals(0.0012) == 2


def test_exact_line_says_exact():
    res = independence_test([[8, 2, 3], [1, 5, 4]])
    assert res.exact
    assert res.describe("nl").startswith("Toets van Fisher (exact), p = 0,057")
    assert res.describe("en").startswith("Fisher's test (exact), p = 0.057")


def test_holm_with_monte_carlo_p_keeps_the_order():
    # Monte Carlo p-values at the floor 1/(draws + 1) and above, mixed with exact ones
    p = np.array([1 / 100_000, 3e-9, 1 / 100_000, 0.004, 0.0021, 0.3])
    adjusted = holm(p)
    order = np.argsort(p, kind="stable")
    assert np.all(np.diff(adjusted[order]) >= 0)
    assert adjusted[0] == adjusted[2]  # equal p stay equal
    assert adjusted[1] == pytest.approx(6 * 3e-9)


def test_json_writes_infinite_odds_ratio_as_null_with_a_note():
    from shv_analysis.cli.crosstab import _clean, _nonfinite_notes

    record = {"statistic": math.inf, "p": 0.01, "cramers_v": math.nan}
    notes = _nonfinite_notes("test.", record)
    assert notes == [
        "test.statistic: +inf, written as null",
        "test.cramers_v: nan (undefined), written as null",
    ]
    assert (
        json.dumps({k: _clean(v) for k, v in record.items()}, allow_nan=False)
        == '{"statistic": null, "p": 0.01, "cramers_v": null}'
    )
