"""The numbers of a cross-tab from its counts: long-form cells with Wilson intervals, the
distinct organisations per group, and the tests (`run_tests`), which a `CrossTab` computes
only when they are read (`LazyTests`).

Shared by `crosstab.crosstab` (from the records) and `crosstab_text.protected` (from merged
counts, after small categories were merged for suppression): both compute cells and tests
the same way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shv_analysis.analysis.statistics import TestResult, holm, independence_test, wilson_interval
from shv_analysis.contract import codebook as cb

TOTAL = "totaal"
MISSING = "ontbreekt"  # no value; not a codebook code ('onbekend' is one: "Weet niet")
MERGED = "+"  # joins the codes of categories merged for suppression: "onbekend+nee"


def has_value(code: str) -> bool:
    """False for the records without a value (`MISSING`), also merged with a category."""
    return MISSING not in str(code).split(MERGED)


def organisations_seen(group_idx: np.ndarray, org: np.ndarray, n_groups: int) -> np.ndarray:
    """Groups x organisations (bool): which organisation has a record in which group.

    group_idx, org: per record, the group index and the organisation number (0, 1, ...).
    Distinct organisations per group: `.sum(axis=1)`; of merged groups: `.any(axis=0).sum()`.
    """
    width = int(org.max(initial=0)) + 1
    seen = np.zeros(n_groups * width, dtype=bool)
    seen[group_idx * width + org] = True
    return seen.reshape(n_groups, width)


def cells_frame(
    counts: pd.DataFrame, bases: pd.Series, rows: list[str], cols: list[str]
) -> pd.DataFrame:
    """Long-form cells with percentages and Wilson intervals, total column last.

    counts: groups x rows (DataFrame, index = group codes, columns = row codes); bases: per
    group (records). Returns one row per (row, col) with n, base, pct, ci_low, ci_high in
    percent of the column base.
    """
    counts = counts.copy()
    counts.loc[TOTAL] = counts.sum()
    bases = pd.concat([bases, pd.Series({TOTAL: int(bases.sum())})])
    n = counts.T.reindex(index=rows).to_numpy()  # rows x (cols + total)
    base = np.broadcast_to(bases.reindex(cols + [TOTAL]).to_numpy(), n.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = np.where(base > 0, 100 * n / np.where(base > 0, base, 1), np.nan)
    low, high = wilson_interval(n.ravel(), base.ravel())
    frame = pd.DataFrame(
        {
            "row": np.repeat(rows, len(cols) + 1),
            "col": np.tile(cols + [TOTAL], len(rows)),
            "n": n.ravel().astype(int),
            "base": base.ravel().astype(int),
            "pct": pct.ravel(),
            "ci_low": 100 * np.asarray(low, dtype=float),
            "ci_high": 100 * np.asarray(high, dtype=float),
        }
    )
    return frame


def run_tests(
    counts: pd.DataFrame, bases: pd.Series, row: cb.Field, rows: list[str]
) -> tuple[TestResult | None, pd.DataFrame | None]:
    """The independence test of a single field, or per option (Holm) of a multi field.

    Groups and rows without a value (`MISSING`) are not tested. Returns (test, None) or
    (None, one row per option: option, name, statistic, p, cramers_v, mc_se, mc_draws,
    mc_seed, p_holm).
    """
    groups = [c for c in counts.index if has_value(c)]
    if row.kind != "multi":
        table = counts.loc[groups, [r for r in rows if has_value(r)]].to_numpy().T
        return independence_test(table), None
    results = []
    for option in rows:
        ticked = counts.loc[groups, option].to_numpy()
        not_ticked = bases.loc[groups].to_numpy() - ticked
        results.append((option, independence_test(np.vstack([ticked, not_ticked]))))
    frame = pd.DataFrame(
        {
            "option": [o for o, _ in results],
            "name": [r.name for _, r in results],
            "statistic": [r.statistic for _, r in results],
            "p": [r.p for _, r in results],
            "cramers_v": [r.cramers_v for _, r in results],
            "mc_se": [np.nan if r.exact else r.mc_se for _, r in results],
            "mc_draws": [np.nan if r.exact else r.mc_draws for _, r in results],
            "mc_seed": [np.nan if r.exact else r.mc_seed for _, r in results],
        }
    )
    frame["p_holm"] = holm(frame["p"].to_numpy())
    return None, frame


#: The value of `CrossTab.test` / `option_tests` before they are computed (`LazyTests`).
LAZY = "lazy"


class LazyTests:
    """Descriptor of `CrossTab.test` and `CrossTab.option_tests`: computed on first read.

    A cross-tab's tests are only needed where they are printed: a report with a threshold
    prints the tests of its protected (merged) table and none beside hidden cells, so the
    unmerged table's tests, and those of a table that hides cells, are never read. While a
    field holds `LAZY`, reading it (or the other one) calls `ct.tests()` once, which returns
    (test, option_tests), and keeps both. A value given to the constructor or to
    `dataclasses.replace` is kept as given.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = f"_{name}"

    def __get__(self, obj, objtype=None):
        if obj is None:  # the dataclass field's default
            return LAZY
        value = obj.__dict__.get(self.slot, LAZY)
        if isinstance(value, str) and value == LAZY:
            compute = obj.__dict__.get("tests")
            test, option_tests = compute() if compute is not None else (None, None)
            for slot, result in (("_test", test), ("_option_tests", option_tests)):
                if isinstance(obj.__dict__.get(slot, LAZY), str):
                    obj.__dict__[slot] = result
            value = obj.__dict__[self.slot]
        return value

    def __set__(self, obj, value) -> None:
        obj.__dict__[self.slot] = value
