"""Cross-tabs of a pilot (or respondent) field against a grouping field, with honest statistics.

Each cell: n, percentage of the column base and a 95% Wilson interval; a total column; a base
row with pilots and organisations per column. A single field is tested with chi-square or
Fisher (see `statistics.independence_test`); a multi-response field option by option with
Holm-adjusted p-values, never with one chi-square over a table of responses. The result
(`CrossTab`) and its tables and sentences are in `crosstab_text`; the clustered model of a
planned effectiveness measurement is in `evaluation`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shv_analysis.analysis.crosstab_text import MISSING, TOTAL, CrossTab
from shv_analysis.analysis.statistics import (
    TestResult,
    holm,
    independence_test,
    wilson_interval,
)
from shv_analysis.contract import codebook as cb
from shv_analysis.ingest.dataset import Dataset
from shv_analysis.text import normalise_lang


def _unit_records(ds: Dataset, row: cb.Field, col: cb.Field) -> tuple[pd.DataFrame, str]:
    if row.table == cb.RESPONDENTEN and col.table == cb.RESPONDENTEN:
        resp = ds.respondenten.assign(
            _org=np.arange(len(ds.respondenten)), deelname=ds.participating().to_numpy()
        )
        return resp, cb.RESPONDENTEN
    return ds.pilots(), cb.EXPERIMENTEN


def category_codes(values: pd.Series, f: cb.Field) -> tuple[np.ndarray, list[str]]:
    """Integer category per record and the category order (codebook order, missing last)."""
    if f.kind == "yesno":
        values = values.map({True: "ja", False: "nee"})
    order = list(f.code_list) if f.codes else sorted(values.dropna().astype(str).unique())
    idx = pd.Categorical(values, categories=order).codes.astype(np.int64)
    if (idx < 0).any():
        idx = np.where(idx < 0, len(order), idx)
        order = order + [MISSING]
    return idx, order


def crosstab(ds: Dataset, row: str, col: str, lang: str = "nl") -> CrossTab:
    """Cross-tab of field `row` against grouping field `col` (codes in cells; see module doc)."""
    lang = normalise_lang(lang)
    row_f, col_f = ds.codebook.any_field(row), ds.codebook.any_field(col)
    if row_f.kind not in ("single", "multi", "yesno"):
        raise ValueError(f"crosstab: '{row}' is not a coded field")
    if col_f.kind == "multi":
        raise ValueError(f"crosstab: group by a single field, not the multi field '{col}'")
    records, unit = _unit_records(ds, row_f, col_f)
    group_idx, order = category_codes(records[col_f.name], col_f)
    n_groups = len(order)
    bases = pd.Series(np.bincount(group_idx, minlength=n_groups), index=order)
    if row_f.kind == "multi":
        row_order = list(row_f.code_list)
        matrix = np.column_stack(
            [
                np.bincount(
                    group_idx,
                    weights=records[cb.multi_column(row_f.name, c)].to_numpy(dtype=float),
                    minlength=n_groups,
                )
                for c in row_order
            ]
        ).astype(int)
    else:
        row_idx, row_order = category_codes(records[row_f.name], row_f)
        matrix = np.bincount(
            group_idx * len(row_order) + row_idx, minlength=n_groups * len(row_order)
        ).reshape(n_groups, len(row_order))
    counts = pd.DataFrame(matrix, index=order, columns=row_order)
    cells = _cells(counts, bases, row_order, order)
    org = records["_org"].to_numpy()
    orgs = _organisations(group_idx, org, n_groups)
    total_orgs = int(np.count_nonzero(np.bincount(org))) if len(org) else 0
    base_frame = pd.DataFrame(
        {
            "col": order + [TOTAL],
            "records": list(bases) + [len(records)],
            "organisations": list(orgs) + [total_orgs],
        }
    )
    test, option_tests = _tests(counts, bases, row_f, row_order)
    return CrossTab(
        row=row_f,
        col=col_f,
        cells=cells,
        bases=base_frame,
        test=test,
        option_tests=option_tests,
        unit=unit,
        notice=ds.notice(lang),
        subset_label=ds.subset_label,
    )


def _organisations(group_idx: np.ndarray, org: np.ndarray, n_groups: int) -> np.ndarray:
    """Distinct organisations per group."""
    width = int(org.max(initial=0)) + 1
    seen = np.zeros(n_groups * width, dtype=bool)
    seen[group_idx * width + org] = True
    return seen.reshape(n_groups, width).sum(axis=1)


def _cells(
    counts: pd.DataFrame, bases: pd.Series, rows: list[str], cols: list[str]
) -> pd.DataFrame:
    """Long-form cells with percentages and Wilson intervals, total column last."""
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


def _tests(
    counts: pd.DataFrame, bases: pd.Series, row: cb.Field, rows: list[str]
) -> tuple[TestResult | None, pd.DataFrame | None]:
    groups = [c for c in counts.index if c != MISSING]
    if row.kind != "multi":
        table = counts.loc[groups, [r for r in rows if r != MISSING]].to_numpy().T
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
