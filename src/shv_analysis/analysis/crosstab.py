"""Cross-tabs of a pilot (or respondent) field against a grouping field, with honest statistics.

Each cell: n, percentage of the column base and a 95% Wilson interval; a total column; a base
row with pilots and organisations per column. A single field is tested with chi-square or
Fisher (see `statistics.independence_test`); a multi-response field option by option with
Holm-adjusted p-values, never with one chi-square over a table of responses. The result
(`CrossTab`) and its tables and sentences are in `crosstab_text`; the clustered model of a
planned effectiveness measurement is in `evaluation`.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from shv_analysis.analysis.crosstab_cells import (
    MISSING,
    TOTAL,
    cells_frame,
    organisations_seen,
    run_tests,
)
from shv_analysis.analysis.crosstab_text import CrossTab
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
    cells = cells_frame(counts, bases, row_order, order)
    org = records["_org"].to_numpy()
    seen = organisations_seen(group_idx, org, n_groups)
    orgs = seen.sum(axis=1)
    total_orgs = int(np.count_nonzero(np.bincount(org))) if len(org) else 0
    base_frame = pd.DataFrame(
        {
            "col": order + [TOTAL],
            "records": list(bases) + [len(records)],
            "organisations": list(orgs) + [total_orgs],
        }
    )
    return CrossTab(
        row=row_f,
        col=col_f,
        cells=cells,
        bases=base_frame,
        unit=unit,
        tests=partial(run_tests, counts, bases, row_f, row_order),
        notice=ds.notice(lang),
        subset_label=ds.subset_label,
        counts=counts,
        org_seen=seen,
    )
