"""Small-cell suppression for exported cross-tabs: primary and secondary cells, audited.

Primary ('<t', kind "primary"): counts 1 to t-1; and, in a row or column whose total is
between 1 and t-1, every cell, zeros included (otherwise a shown zero beside one hidden
cell gives a single record's profile away). Row totals below t (the total column) are
primary too, although the report's frequency tables print them: the audit treats all row
totals and column bases as published.

Secondary ('x', kind "secondary"): cells of at least t hidden only so that every hidden
cell's range stays at least t wide (t - 1 values with the marks; `disclosure.targets`). They
are chosen by `disclosure.audit`, the attacker's view of what the report publishes (shown
cells, zeros, percentages and intervals, the margins, the marks' meaning): as long as a
hidden cell fails one of its requirements, the cheapest set of extra cells (fewest cells,
then smallest total) that gives it, on its own, a wide enough range is hidden too: a
rectangle of four cells (single-choice field) or a second cell in the row (multi-response
field). When no such set exists, all its row's and column's cells are hidden, then the whole
interior; a cell that still fails, or passes only because its margins allow no more, is
*pinned* (`choose_pinned`), and `protection` merges its line. A secondary cell is never a
zero and never marked '<t'.

The threshold (`resolve_min_cell`): exported tables suppress counts below `DEFAULT_MIN_CELL`;
interactive exploration shows everything. A notebook's `min_cell = None` therefore means
`DEFAULT_MIN_CELL` when it saves its tables (`output_dir` set, as in `shv report`, whose
HTML, CSV and Excel files are exports) and 0 (off) when it only displays them; an explicit
integer always wins (0 switches suppression off, also in a report).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from shv_analysis.analysis.disclosure import (
    KIND_NAMES,
    PRIMARY,
    SECONDARY,
    SHOWN,
    CellAudit,
    Grid,
    audit,
    audit_cell,
    mark_bounds,
    targets,
)

DEFAULT_MIN_CELL = 5
TOTAL = "totaal"  # the total column of `crosstab` cells (same code as crosstab.TOTAL)


def resolve_min_cell(min_cell, exporting: bool) -> int:
    """The threshold to use: `min_cell` when given, else DEFAULT_MIN_CELL when exporting, else 0.

    Accepts an integer (or a whole number as float or text, as a papermill parameter may
    arrive); anything else, or a negative number, is a ValueError.
    """
    if min_cell is None:
        return DEFAULT_MIN_CELL if exporting else 0
    try:
        if isinstance(min_cell, bool):
            raise ValueError
        value = float(str(min_cell).strip()) if isinstance(min_cell, str) else float(min_cell)
        if value != int(value) or value < 0:
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        raise ValueError(
            f"min_cell must be None or a whole number >= 0, got {min_cell!r}"
        ) from None
    return int(value)


def primary_kinds(grid: Grid) -> np.ndarray:
    """Rows x groups of SHOWN / PRIMARY: counts 1..t-1, and every cell of a small line."""
    t, n = grid.threshold, grid.counts
    live = (grid.row_totals[:, None] > 0) & (grid.col_bases[None, :] > 0)
    hidden = ((n > 0) & (n < t)) | (grid.small() & live)
    return np.where(hidden, PRIMARY, SHOWN)


def _slack(grid: Grid, kinds: np.ndarray, c: tuple[int, int], marks: bool) -> tuple[float, float]:
    """How far cell c may go down and up on its own bounds, if hidden (marks or not)."""
    value = grid.counts[c]
    upper = float(min(grid.row_totals[c[0]], grid.col_bases[c[1]]))
    lower = 0.0
    if marks:
        low, high = mark_bounds(grid, kinds, *c)
        lower, upper = max(lower, low), min(upper, high)
    return value - lower, upper - value


def _moves(grid: Grid, kinds: np.ndarray, plus: list, minus: list, marks: bool) -> float:
    """Width of the cycle that moves `plus` cells up and `minus` cells down (and back)."""
    up = min(
        [_slack(grid, kinds, c, marks)[1] for c in plus]
        + [_slack(grid, kinds, c, marks)[0] for c in minus]
    )
    down = min(
        [_slack(grid, kinds, c, marks)[0] for c in plus]
        + [_slack(grid, kinds, c, marks)[1] for c in minus]
    )
    return max(up, 0) + max(down, 0)


def _candidates(grid: Grid, kinds: np.ndarray, i: int, j: int):
    """(new cells, plus cells, minus cells) of each cycle through (i, j)."""
    rows, cols = kinds.shape
    if grid.multi:
        for jj in range(cols):
            if jj != j:
                yield [(i, jj)], [(i, j)], [(i, jj)]
        return
    for ii in range(rows):
        for jj in range(cols):
            if ii != i and jj != j:
                yield [(i, jj), (ii, j), (ii, jj)], [(i, j), (ii, jj)], [(i, jj), (ii, j)]


def _fix(grid: Grid, kinds: np.ndarray, failing: CellAudit) -> bool:
    """Hide more cells for a failing hidden cell; False when nothing more can be hidden."""
    i, j = failing.row, failing.col
    best = None
    for cells, plus, minus in _candidates(grid, kinds, i, j):
        new = [c for c in cells if kinds[c] == SHOWN]
        if any(grid.counts[c] == 0 for c in new):
            continue  # zeros are never secondary
        trial = kinds.copy()
        for c in new:
            trial[c] = SECONDARY
        wide = (
            _moves(grid, trial, plus, minus, False) >= failing.need_numbers
            and _moves(grid, trial, plus, minus, True) >= failing.need_marks
        )
        if wide and new:
            cost = (len(new), sum(int(grid.counts[c]) for c in new), new)
            best = cost if best is None or cost < best else best
    if best is not None:
        for c in best[2]:
            kinds[c] = SECONDARY
        return True
    rows, cols = np.indices(kinds.shape)
    for region in ((rows == i) | (cols == j), np.ones(kinds.shape, dtype=bool)):
        more = region & (kinds == SHOWN) & (grid.counts > 0)
        if more.any():
            kinds[more] = SECONDARY
            return True
    return False


def _cycle_proof(grid: Grid, kinds: np.ndarray, i: int, j: int) -> bool:
    """True when a cycle of hidden cells alone already gives (i, j) its target widths.

    A cycle is one feasible direction, so the true range is at least as wide; this spares
    the linear programmes for most cells.
    """
    want_numbers, want_marks = targets(grid, kinds[i, j])
    for cells, plus, minus in _candidates(grid, kinds, i, j):
        if (
            all(kinds[c] != SHOWN for c in cells)
            and _moves(grid, kinds, plus, minus, False) >= want_numbers
            and _moves(grid, kinds, plus, minus, True) >= want_marks
        ):
            return True
    return False


def choose(grid: Grid) -> np.ndarray:
    """Rows x groups of SHOWN / PRIMARY / SECONDARY for the interior (see the module doc)."""
    return choose_pinned(grid)[0]


def choose_pinned(grid: Grid) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """`choose(grid)` and the hidden cells the margins pin (row-major): cells that no choice
    of hidden cells gives their target widths (`CellAudit.pinned`), because their row total
    or column base, published elsewhere too, is too small. `protection` merges such lines.

    Hiding a cell only widens the other hidden cells' ranges (its true value stays feasible),
    so a cell that passed once is not audited again.
    """
    kinds = primary_kinds(grid)
    done: set[tuple[int, int]] = set()
    pinned: set[tuple[int, int]] = set()
    while True:
        fixed = False
        for i, j in zip(*np.nonzero(kinds)):
            cell = (int(i), int(j))
            if cell in done:
                continue
            if _cycle_proof(grid, kinds, *cell):
                done.add(cell)
                continue
            result = audit_cell(grid, kinds, *cell)
            if result.ok:
                done.add(cell)
                if result.pinned:
                    pinned.add(cell)
                continue
            if not _fix(grid, kinds, result):
                done.add(cell)  # nothing more to hide: the audit reports it
                pinned.add(cell)
            fixed = True
            break
        if not fixed:
            return kinds, sorted(pinned)


@lru_cache(maxsize=256)
def _cached(grid_key: tuple) -> tuple[bytes, tuple]:
    kinds, pinned = choose_pinned(Grid.from_key(grid_key))
    return kinds.astype(np.int64).tobytes(), tuple(pinned)


def grid_of(cells: pd.DataFrame, threshold: int, multi: bool) -> tuple[Grid, list, list]:
    """The `Grid` of long-form cross-tab cells (row, col, n, base); and its rows and groups."""
    rows = list(dict.fromkeys(cells["row"]))
    groups = [c for c in dict.fromkeys(cells["col"]) if c != TOTAL]
    n = cells.pivot(index="row", columns="col", values="n").reindex(index=rows)
    bases = cells.drop_duplicates("col").set_index("col")["base"]
    counts = n.reindex(columns=groups).to_numpy(dtype=np.int64)
    totals = n[TOTAL].to_numpy(dtype=np.int64) if TOTAL in n.columns else counts.sum(axis=1)
    grid = Grid(
        counts, totals, bases.reindex(groups).to_numpy(dtype=np.int64), multi, int(threshold)
    )
    return grid, rows, groups


def cell_kinds(grid: Grid) -> np.ndarray:
    """`choose(grid)`, cached on the grid's numbers (a table is drawn and written more than
    once).
    """
    return kinds_and_pins(grid)[0]


def kinds_and_pins(grid: Grid) -> tuple[np.ndarray, tuple[tuple[int, int], ...]]:
    """`choose_pinned(grid)`, cached on the grid's numbers."""
    out, pinned = _cached(grid.key())
    return np.frombuffer(out, dtype=np.int64).reshape(grid.counts.shape), pinned


def suppress_cells(cells: pd.DataFrame, threshold: int, multi: bool) -> pd.DataFrame:
    """Long-form cells (row, col, n, base, ...) with `suppressed` (bool) and `suppression`
    ("primary", "secondary" or None) added. The total column's cells below the threshold are
    primary; its other cells are shown. For a multi-response field only rows add up.
    """
    out = cells.copy()
    if not threshold:
        return out.assign(suppressed=False, suppression=None)
    grid, rows, groups = grid_of(cells, threshold, multi)
    kinds = cell_kinds(grid)
    names = {}
    for a, r in enumerate(rows):
        for b, g in enumerate(groups):
            names[(r, g)] = KIND_NAMES.get(int(kinds[a, b]))
        total = int(grid.row_totals[a])
        names[(r, TOTAL)] = "primary" if 0 < total < threshold else None
    out["suppression"] = [names.get((r, c)) for r, c in zip(out["row"], out["col"])]
    out["suppressed"] = out["suppression"].notna()
    return out


def suppression_mask(counts: np.ndarray, threshold: int, by_column: bool) -> np.ndarray:
    """Boolean mask (rows x cols) of cells to hide; the last column is the row total.

    by_column: a single-choice field (columns add up to their bases); False for a
    multi-response field, whose column bases are then taken as the largest cell of the
    column (only for this array interface; `suppress_cells` uses the true bases).
    """
    counts = np.asarray(counts, dtype=np.int64)
    interior = counts[:, :-1]
    bases = interior.sum(axis=0) if by_column else interior.max(axis=0, initial=0)
    grid = Grid(interior, counts[:, -1], bases, not by_column, int(threshold))
    kinds = cell_kinds(grid) if threshold else np.zeros_like(interior)
    totals = (counts[:, -1] > 0) & (counts[:, -1] < threshold)
    return np.column_stack([kinds != SHOWN, totals])


def audit_cells(cells: pd.DataFrame, threshold: int, multi: bool) -> list[CellAudit]:
    """The disclosure audit of a suppressed cross-tab (`disclosure.audit`), for reports/tests."""
    grid, _, _ = grid_of(cells, threshold, multi)
    return audit(grid, cell_kinds(grid))


__all__ = [
    "DEFAULT_MIN_CELL",
    "resolve_min_cell",
    "suppress_cells",
    "suppression_mask",
    "audit_cells",
    "cell_kinds",
    "choose",
    "choose_pinned",
    "kinds_and_pins",
    "grid_of",
    "primary_kinds",
    "audit_cell",
]
