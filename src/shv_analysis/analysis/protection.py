"""Merging the lines of a cross-tab whose margins pin a hidden cell (global recoding).

Suppression (`suppression.choose_pinned`) can give every hidden cell a range at least as wide
as the threshold t, except where a margin that the report publishes anyway pins it: a row of
three pilots (every cell is then 0 to 3, whatever is hidden), a column of four, or, rarely,
Fréchet bounds of two large margins. Statistical offices then recode: the small category is
merged with another one, and the merged table is suppressed again. `plan_merges` does that
until no hidden cell is pinned:

- the pinned cell's line (row or column) whose total is below t, the smaller one if both
  are; else the smaller of the two;
- a row or column is merged with a neighbour for an ordered code list (the neighbour with the
  smaller total), else, for a category below t, with a catch-all category ('Overig') if there
  is one, else with the smallest other line (the first of equals); records without a value
  come last;
- a row of a multi-response field (an option) is not a sum of records that can be merged: it
  is left out of the cross-tab instead (its total is printed by the frequency tables);
- when a line cannot be merged (it is the only one left), the other line of the cell is
  tried; when neither can, merging stops and the audit reports the cell.

Each step removes one line, so the loop ends. Pure numpy on the counts; `crosstab_text.
protected` turns a plan into a merged `CrossTab` with its tests recomputed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shv_analysis.analysis.disclosure import Grid
from shv_analysis.analysis.suppression import kinds_and_pins


@dataclass(frozen=True)
class MergePlan:
    """Which original lines form each line of the protected table.

    rows, cols: tuples of tuples of original indices (in order); dropped: original row indices
    left out (multi-response options only).
    """

    rows: tuple[tuple[int, ...], ...]
    cols: tuple[tuple[int, ...], ...]
    dropped: tuple[int, ...] = ()

    @property
    def changed(self) -> bool:
        """True when a line was merged or left out."""
        return bool(self.dropped) or any(len(g) > 1 for g in self.rows + self.cols)


def merged_counts(counts: np.ndarray, plan: MergePlan) -> np.ndarray:
    """Counts (rows x groups) summed into the plan's lines."""
    by_row = np.array([counts[list(g)].sum(axis=0) for g in plan.rows]).reshape(
        len(plan.rows), counts.shape[1]
    )
    return np.array([by_row[:, list(g)].sum(axis=1) for g in plan.cols]).T.reshape(
        len(plan.rows), len(plan.cols)
    )


def _partner(totals: list[int], k: int, ordered: bool, rank: list[int]) -> int:
    """The line that line k merges with: by rank (0 a catch-all category such as 'Overig',
    1 any other, 2 records without a value), then the smallest total, then the first; for an
    ordered list only a neighbour (unless k has no value).
    """
    others = [m for m in range(len(totals)) if m != k]
    if ordered and rank[k] < 2:
        near = [m for m in (k - 1, k + 1) if 0 <= m < len(totals) and rank[m] < 2]
        others = near or others
    return min(others, key=lambda m: (rank[m], totals[m], m))


def plan_merges(
    counts: np.ndarray,
    row_totals: np.ndarray,
    col_bases: np.ndarray,
    multi: bool,
    threshold: int,
    rows_ordered: bool = False,
    cols_ordered: bool = False,
    rows_missing: Sequence[bool] = (),
    cols_missing: Sequence[bool] = (),
    rows_other: Sequence[bool] = (),
    cols_other: Sequence[bool] = (),
) -> MergePlan:
    """The lines to merge (or leave out) so that suppression pins no hidden cell.

    Args:
        counts: rows x groups whole numbers >= 0 (no total column).
        row_totals, col_bases: the published margins (as `disclosure.Grid`).
        multi: a multi-response row field (rows are options that overlap).
        threshold: t, the smallest count shown; 0 means no suppression (nothing merged).
        rows_ordered, cols_ordered: the code lists are ordered (merge with neighbours only).
        rows_missing, cols_missing: per line, True for the records without a value (merged
            with a category only when nothing else is left; default: none).
        rows_other, cols_other: per line, True for a catch-all category ('Overig'), the
            first partner of a small nominal category (default: none).

    Returns:
        A `MergePlan`; `plan.changed` is False when the table needs no merging.
    """
    counts = np.asarray(counts, dtype=np.int64)
    rows = [(i,) for i in range(counts.shape[0])]
    cols = [(j,) for j in range(counts.shape[1])]
    dropped: list[int] = []
    no_value = {
        "row": list(rows_missing) or [False] * len(rows),
        "col": list(cols_missing) or [False] * len(cols),
    }
    other = {
        "row": list(rows_other) or [False] * len(rows),
        "col": list(cols_other) or [False] * len(cols),
    }
    if not threshold:
        return MergePlan(tuple(rows), tuple(cols))
    totals = np.asarray(row_totals, dtype=np.int64)
    bases = np.asarray(col_bases, dtype=np.int64)
    while rows and cols:
        plan = MergePlan(tuple(rows), tuple(cols), tuple(dropped))
        r_tot = np.array([totals[list(g)].sum() for g in rows], dtype=np.int64)
        c_bas = np.array([bases[list(g)].sum() for g in cols], dtype=np.int64)
        grid = Grid(merged_counts(counts, plan), r_tot, c_bas, multi, int(threshold))
        _, pinned = kinds_and_pins(grid)
        if not pinned:
            return plan
        i, j = pinned[0]
        row_small, col_small = 0 < r_tot[i] < threshold, 0 < c_bas[j] < threshold
        if row_small and not (col_small and c_bas[j] < r_tot[i]):
            order = ["row", "col"]
        elif col_small:
            order = ["col", "row"]
        else:
            order = ["row", "col"] if r_tot[i] <= c_bas[j] else ["col", "row"]
        for line in order:
            if line == "row" and multi:
                dropped.extend(rows.pop(i))
                break
            lines, k, ordered, sizes = (
                (rows, i, rows_ordered, r_tot) if line == "row" else (cols, j, cols_ordered, c_bas)
            )
            if len(lines) > 1:
                rank = [
                    2
                    if any(no_value[line][o] for o in g)
                    else 0
                    if any(other[line][o] for o in g)
                    else 1
                    for g in lines
                ]
                m = _partner([int(x) for x in sizes], k, ordered, rank)
                a, b = sorted((k, m))
                lines[a] = tuple(sorted(lines[a] + lines[b]))
                del lines[b]
                break
        else:
            return plan  # nothing left to merge: the audit reports the cell
    return MergePlan(tuple(rows), tuple(cols), tuple(sorted(dropped)))


__all__ = ["MergePlan", "plan_merges", "merged_counts"]
