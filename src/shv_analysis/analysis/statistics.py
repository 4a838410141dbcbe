"""Inferential statistics for the pilot inventory: Wilson intervals, chi-square/Fisher, Cramér's V,
Holm.

The clustered logistic regression is in `shv_analysis.analysis.models`.

Every function returns plain numbers plus a note, so that a footnote can always say what was
computed.

Fisher's exact test for tables larger than 2 x 2: `scipy.stats.fisher_exact` (scipy >= 1.15) does
*not* compute an exact p-value for R x C tables when ``method=None``; it silently runs an unseeded
Monte Carlo test (9,999 random tables), so repeated calls give different p-values. This module
therefore computes the exact p-value itself (as R's ``fisher.test``) with the network algorithm of
`shv_analysis.analysis.fisher`, and only when that would take more than its work limit falls back to
a Monte Carlo test with `MONTE_CARLO_RESAMPLES` draws and the fixed seed `MONTE_CARLO_SEED`; the
footnote then names the draws, the seed and the standard error, and prints p only to the decimals
that error allows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import gammaln
from statsmodels.stats.proportion import proportion_confint

from shv_analysis.analysis.fisher import (
    MonteCarloP,
    compositions,
    fisher_exact_rxc,
    fisher_monte_carlo,
)

MIN_EXPECTED_FOR_CHI2 = 5.0
EXACT_TABLE_LIMIT = 1_000_000  # partial tables of the brute-force check `_fisher_rxc_exact`
MONTE_CARLO_RESAMPLES = 99_999
MONTE_CARLO_SEED = 20_240_101
RELATIVE_TIE_TOLERANCE = 1e-7  # tables this close in probability count as "as extreme" (as in R)
_CHUNK_CELLS = 2_000_000


# --------------------------------------------------------------------------- Wilson interval


def wilson_interval(k: Any, n: Any, confidence: float = 0.95) -> tuple[Any, Any]:
    """Wilson score interval (no continuity correction) for k successes out of n.

    Computed with `statsmodels.stats.proportion.proportion_confint(method="wilson")`.

    Args:
        k: successes; a number, an array or a Series (vectorised).
        n: trials, same shape as `k` (or broadcastable); n == 0 gives (nan, nan).
        confidence: two-sided coverage, strictly between 0 and 1.

    Returns:
        (low, high) as proportions in [0, 1]: floats for scalars, arrays for arrays, Series
        (with the index of the first Series argument) when a Series is given. k == 0 has
        low exactly 0, k == n high exactly 1.

    Raises:
        ValueError: for a confidence outside (0, 1) or unless 0 <= k <= n.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    index = _series_index(k, n)
    k_arr = np.asarray(k, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    if np.any(k_arr < 0) or np.any(n_arr < 0) or np.any(k_arr > n_arr):
        raise ValueError("wilson_interval needs 0 <= k <= n")
    k_arr, n_arr = np.broadcast_arrays(k_arr, n_arr)
    empty = n_arr == 0
    low, high = proportion_confint(
        k_arr, np.where(empty, 1.0, n_arr), alpha=1 - confidence, method="wilson"
    )
    low = np.where(k_arr == 0, 0.0, np.clip(low, 0.0, 1.0))
    high = np.where(k_arr == n_arr, 1.0, np.clip(high, 0.0, 1.0))
    low = np.where(empty, np.nan, low)
    high = np.where(empty, np.nan, high)
    if index is not None:
        return pd.Series(low, index=index), pd.Series(high, index=index)
    if low.ndim == 0:
        return float(low), float(high)
    return low, high


def _series_index(*values: Any) -> pd.Index | None:
    """Index of the first pandas Series among values, so vectorised results keep their labels."""
    for value in values:
        if isinstance(value, pd.Series):
            return value.index
    return None


# --------------------------------------------------------------------------- Cramér's V


def cramers_v(table: Any, bias_corrected: bool = True) -> float:
    """Cramér's V of a contingency table, by default Bergsma's (2013) bias-corrected version; nan if
    undefined.
    """
    counts = _drop_empty(_as_counts(table))[0]
    r, k = counts.shape
    n = counts.sum()
    if r < 2 or k < 2 or n < 2:
        return math.nan
    chi2 = _pearson_chi2(counts)
    phi2 = chi2 / n
    if not bias_corrected:
        return math.sqrt(phi2 / min(k - 1, r - 1))
    phi2corr = max(0.0, phi2 - (k - 1) * (r - 1) / (n - 1))
    rcorr = r - (r - 1) ** 2 / (n - 1)
    kcorr = k - (k - 1) ** 2 / (n - 1)
    denominator = min(kcorr - 1, rcorr - 1)
    if not denominator > 0:
        return math.nan
    return math.sqrt(phi2corr / denominator)


def _pearson_chi2(counts: np.ndarray) -> float:
    """Pearson chi-square statistic (no continuity correction) of a table without empty
    rows/columns.
    """
    expected = _expected(counts)
    return float(((counts - expected) ** 2 / expected).sum())


def _expected(counts: np.ndarray) -> np.ndarray:
    """Expected counts under independence, given the table's margins."""
    return np.outer(counts.sum(axis=1), counts.sum(axis=0)) / counts.sum()


# --------------------------------------------------------------------------- independence test


@dataclass(frozen=True)
class TestResult:
    """Outcome of an independence test on a contingency table, with the note a footnote needs."""

    __test__ = False  # not a pytest test class

    name: str  # 'chi2', 'fisher' or 'none'
    #: chi2; fisher 2x2: sample odds ratio; fisher R x C: probability of the observed table
    statistic: float
    p: float
    dof: int | None
    cramers_v: float
    min_expected: float
    n: int
    note: str
    exact: bool = True  # False: Monte Carlo p-value (then mc_* say how it was drawn)
    mc_draws: int | None = None
    mc_seed: int | None = None
    mc_se: float | None = None

    def describe(self, lang: str = "nl") -> str:
        """One-line footnote in Dutch ('nl', decimal comma) or English ('en')."""
        if lang not in ("nl", "en"):
            raise ValueError(f"lang must be 'nl' or 'en', got {lang!r}")
        nl = lang == "nl"
        n_text = f"n = {_format_int(self.n, nl)}"
        if self.name == "none":
            reason = (
                "geen toets mogelijk (minder dan 2 niet-lege rijen of kolommen)"
                if nl
                else "no test possible (fewer than 2 non-empty rows or columns)"
            )
            return f"{reason[0].upper()}{reason[1:]}; {n_text}"
        parts = [self._test_text(nl), _format_p(self.p, nl, p_decimals(self))]
        head = ", ".join(parts)
        v_label = "Cramérs V (gecorrigeerd voor bias)" if nl else "Cramér's V (bias-corrected)"
        v_text = f"{v_label} = {_format_float(self.cramers_v, 2, nl)}"
        return f"{head}; {v_text}; {n_text}"

    def _test_text(self, nl: bool) -> str:
        """Name of the test, with the chi-square statistic or the Monte Carlo remark."""
        if self.name == "chi2":
            label = "Chikwadraattoets van Pearson" if nl else "Pearson's chi-square test"
            return f"{label}, χ²({self.dof}) = {_format_float(self.statistic, 2, nl)}"
        if self.exact:
            return "Toets van Fisher (exact)" if nl else "Fisher's test (exact)"
        se = _format_float(self.mc_se, significant_decimals(self.mc_se, 8) + 1, nl)
        if nl:
            return (
                f"Toets van Fisher (Monte Carlo, {_format_int(self.mc_draws, nl)} trekkingen, "
                f"seed {self.mc_seed}, SE {se})"
            )
        return (
            f"Fisher's test (Monte Carlo, {_format_int(self.mc_draws, nl)} draws, "
            f"seed {self.mc_seed}, SE {se})"
        )


def significant_decimals(se: float | None, most: int = 3) -> int:
    """Decimals worth printing for a value with standard error `se`: the last digit is not noise.

    The unit of the last printed digit is at least the standard error (SE 0.0012 -> 2 decimals,
    SE 0.0004 -> 3); between 1 and `most`; `most` for an exact value (se None or 0).
    """
    if se is None or not se > 0:
        return most
    return int(min(most, max(1, math.floor(-math.log10(se)))))


def p_decimals(result: TestResult) -> int:
    """Decimals of the p-value of a test: 3 for an exact p, fewer when Monte Carlo noise says so."""
    return 3 if result.exact else significant_decimals(result.mc_se)


def _format_float(value: float, decimals: int, nl: bool) -> str:
    """Fixed-decimals number, with a decimal comma in Dutch; 'n.b.'/'n/a' for nan, '∞' for
    infinity.
    """
    if np.isnan(value):
        return "n.b." if nl else "n/a"
    if np.isinf(value):
        return "∞" if value > 0 else "-∞"
    text = f"{value:.{decimals}f}"
    return text.replace(".", ",") if nl else text


def _format_int(value: int, nl: bool) -> str:
    """Integer with a thousands separator (point in Dutch, comma in English)."""
    text = f"{value:,}"
    return text.replace(",", ".") if nl else text


def _format_p(p: float, nl: bool, decimals: int = 3) -> str:
    """p-value with `decimals` decimals, or 'p < 0.001' (at 3 decimals; 'p < 0.01' at 2, ...)."""
    floor = 10.0**-decimals
    if np.isfinite(p) and p < floor:
        return f"p < {_format_float(floor, decimals, nl)}"
    return f"p = {_format_float(p, decimals, nl)}"


def independence_test(table: Any) -> TestResult:
    """Test independence of rows and columns: chi-square if all expected counts >= 5, else Fisher's
    exact test.
    """
    counts, dropped = _drop_empty(_as_counts(table), _labels(table))
    n = int(counts.sum())
    notes = [dropped] if dropped else []
    if counts.shape[0] < 2 or counts.shape[1] < 2:
        notes.append(
            f"not testable: {counts.shape[0]} non-empty row(s) and {counts.shape[1]} non-empty "
            "column(s); "
            "a test of independence needs at least 2 of each"
        )
        return TestResult("none", math.nan, math.nan, None, math.nan, math.nan, n, "; ".join(notes))
    min_expected = float(_expected(counts).min())
    v = cramers_v(counts)
    if min_expected >= MIN_EXPECTED_FOR_CHI2:
        chi2, p, dof, _ = stats.chi2_contingency(counts, correction=False)
        notes.append(
            "Pearson chi-square without continuity correction; smallest expected count "
            f"{min_expected:.2f}"
        )
        return TestResult(
            "chi2", float(chi2), float(p), int(dof), v, min_expected, n, "; ".join(notes)
        )
    statistic, p, how, mc = _fisher(counts)
    notes.append(
        f"Fisher's test because the smallest expected count is {min_expected:.2f} (< 5); {how}"
    )
    if mc is None:
        return TestResult("fisher", statistic, p, None, v, min_expected, n, "; ".join(notes))
    return TestResult(
        "fisher",
        statistic,
        p,
        None,
        v,
        min_expected,
        n,
        "; ".join(notes),
        exact=False,
        mc_draws=mc.draws,
        mc_seed=mc.seed,
        mc_se=mc.se,
    )


def _as_counts(table: Any) -> np.ndarray:
    """A 2-D array of non-negative integer counts, or ValueError."""
    arr = np.asarray(table, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"a contingency table must be 2-D, got {arr.ndim} dimension(s)")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0) or np.any(arr != np.round(arr)):
        raise ValueError(
            "a contingency table must hold non-negative whole counts (no missing values)"
        )
    return arr.astype(np.int64)


def _labels(table: Any) -> tuple[list[str], list[str]] | None:
    """Row and column labels of a DataFrame table, for naming dropped rows/columns."""
    if isinstance(table, pd.DataFrame):
        return [str(x) for x in table.index], [str(x) for x in table.columns]
    return None


def _drop_empty(
    counts: np.ndarray, labels: tuple[list[str], list[str]] | None = None
) -> tuple[np.ndarray, str]:
    """Remove all-zero rows and columns and say which were removed."""
    keep_rows = counts.sum(axis=1) > 0
    keep_cols = counts.sum(axis=0) > 0
    rows, cols = (
        labels
        if labels
        else ([f"#{i}" for i in range(counts.shape[0])], [f"#{j}" for j in range(counts.shape[1])])
    )
    parts = []
    if not keep_rows.all():
        parts.append("row(s) " + ", ".join(r for r, keep in zip(rows, keep_rows) if not keep))
    if not keep_cols.all():
        parts.append("column(s) " + ", ".join(c for c, keep in zip(cols, keep_cols) if not keep))
    note = "dropped all-zero " + " and ".join(parts) if parts else ""
    return counts[keep_rows][:, keep_cols], note


def _fisher(counts: np.ndarray) -> tuple[float, float, str, MonteCarloP | None]:
    """Fisher's test: exact (network algorithm) where cheap, else seeded Monte Carlo.

    Returns (statistic, p, note, Monte Carlo details or None for an exact p).
    """
    if counts.shape == (2, 2):
        res = stats.fisher_exact(counts)
        return (
            float(res.statistic),
            float(res.pvalue),
            "exact two-sided p, 2x2 (scipy); statistic is the sample odds ratio",
            None,
        )
    exact = fisher_exact_rxc(counts)
    if exact is not None:
        statistic, p = exact
        return (
            statistic,
            p,
            (
                "exact p-value over all tables with the observed margins (network algorithm); "
                "statistic is the probability of the observed table"
            ),
            None,
        )
    statistic, mc = fisher_monte_carlo(counts, MONTE_CARLO_RESAMPLES, MONTE_CARLO_SEED)
    return (
        statistic,
        mc.p,
        (
            f"Monte Carlo p-value from {mc.draws:,} random tables with the observed margins "
            f"(seed {mc.seed}; p = (k + 1) / (draws + 1) with k = {mc.k:,}; standard error "
            f"{mc.se:.2g}), because the exact computation would exceed its work limit; "
            "statistic is the probability of the observed table"
        ),
        mc,
    )


def _fisher_rxc_exact(
    counts: np.ndarray, limit: int | None = None
) -> tuple[float, float, int] | None:
    """Exact R x C Fisher p-value by enumerating all tables with the same margins; None if more than
    `limit`.

    Slow but obviously right; kept as an independent check of the network algorithm.
    """
    limit = EXACT_TABLE_LIMIT if limit is None else limit
    table = counts if counts.shape[0] <= counts.shape[1] else counts.T
    row_sums = table.sum(axis=1)
    col_sums = np.sort(
        table.sum(axis=0)
    )  # the largest column goes last: it is determined, not enumerated
    n = int(table.sum())
    log_const = gammaln(row_sums + 1).sum() + gammaln(col_sums + 1).sum() - gammaln(n + 1)
    log_p_obs = log_const - gammaln(table + 1).sum()
    states = row_sums[None, :].copy()
    log_fact = np.zeros(1)
    for col_sum in col_sums[:-1]:
        grown = _extend_tables(states, log_fact, int(col_sum), len(row_sums), limit)
        if grown is None:
            return None
        states, log_fact = grown
    log_p = log_const - (log_fact + gammaln(states + 1).sum(axis=1))
    extreme = log_p <= log_p_obs + math.log1p(RELATIVE_TIE_TOLERANCE)
    p = float(np.exp(log_p[extreme]).sum())
    return float(math.exp(log_p_obs)), min(p, 1.0), len(log_p)


def _extend_tables(
    states: np.ndarray, log_fact: np.ndarray, col_sum: int, n_rows: int, limit: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """Add one column to every partial table (remaining row sums + sum of log cell factorials); None
    past limit.
    """
    if math.comb(col_sum + n_rows - 1, n_rows - 1) > limit:
        return None
    columns = compositions(col_sum, n_rows)
    column_log_fact = gammaln(columns + 1).sum(axis=1)
    chunk = max(1, _CHUNK_CELLS // (len(columns) * n_rows))
    new_states, new_log_fact, total = [], [], 0
    for start in range(0, len(states), chunk):
        remaining = states[start : start + chunk, None, :] - columns[None, :, :]
        i, j = np.nonzero((remaining >= 0).all(axis=2))
        total += len(i)
        if total > limit:
            return None
        new_states.append(remaining[i, j])
        new_log_fact.append(log_fact[start + i] + column_log_fact[j])
    return np.concatenate(new_states), np.concatenate(new_log_fact)


# --------------------------------------------------------------------------- Holm


def _holm_adjusted(p: np.ndarray) -> np.ndarray:
    """Holm-adjusted p-values of a 1-D array without NaNs, in input order."""
    order = np.argsort(p)
    adjusted = np.maximum.accumulate(p[order] * np.arange(len(p), 0, -1))
    adjusted[adjusted > 1] = 1
    out = np.empty_like(adjusted)
    out[order] = adjusted
    return out


def holm(pvalues: Any) -> Any:
    """Holm-Bonferroni adjusted p-values in input order (monotone, capped at 1); NaNs pass through.

    Computed over the non-missing p-values (m = their number) as
    `statsmodels.stats.multitest.multipletests(method="holm")` does (the same arithmetic, so
    the same floats), without its `gc.collect()` call, which costs ~0.1 s in a notebook kernel
    holding many objects.

    Args:
        pvalues: a 1-D sequence, array or Series of p-values in [0, 1] (NaN allowed).

    Returns:
        An array of the same length, or a Series with the same index and name.

    Raises:
        ValueError: for a non-1-D input or a p-value outside [0, 1].
    """
    index = pvalues.index if isinstance(pvalues, pd.Series) else None
    p = np.asarray(pvalues, dtype=float)
    if p.ndim != 1:
        raise ValueError("holm expects a 1-D sequence of p-values")
    valid = ~np.isnan(p)
    if np.any((p[valid] < 0) | (p[valid] > 1)):
        raise ValueError("p-values must lie between 0 and 1")
    out = p.copy()
    if valid.any():
        out[valid] = _holm_adjusted(p[valid])
    return pd.Series(out, index=index, name=pvalues.name) if index is not None else out
