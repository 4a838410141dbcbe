"""Disclosure audit of a suppressed cross-tab: how far can an attacker pin down a hidden cell?

The attacker knows everything the report publishes about a cross-tab (see docs/statistics.md,
"Small cells"): every shown cell (its count, or its percentage and interval, which give the
count back from the base), every zero that is shown, the row totals (the total column; the
frequency tables of sections 01-04 print them too) and the column bases. Cells are whole
numbers >= 0. For a single-choice field the cells of a column add up to its base; for a
multi-response field they only add up along a row, and no cell exceeds its column's base.

The marks are knowledge too: '<t' (primary) is a count from 1 to t-1, or 0 to t-1 in a row or
column whose total is below t (there zeros are hidden as well); 'x' (secondary) is a count of
at least t (zeros are never hidden as 'x').

`cell_range` gives the exact range [lo, hi] of one hidden cell as a linear programme
(scipy `linprog`, HiGHS). The constraint matrix is that of a bipartite transportation
problem (single) or of independent rows (multi): totally unimodular, so with whole-number
bounds the LP optimum is a whole number and equals the integer programme's. Multi-response
rows are solved in closed form.

Requirements (`audit_cell`), each capped by what no choice of cells can beat: the width the
cell would have if every nonzero interior cell were hidden (the margins, which sections
01-04 print too, then pin it; zeros in lines at or above t stay shown):
  primary, numbers: without the marks' meaning, hi - lo >= t (at least the threshold wide);
  primary, marks: with the marks, hi - lo >= t - 2, i.e. at least t - 1 possible values
      (for t = 5: 1 to 4, the whole mark), so the table says no more than "below t";
  secondary: the same two widths as a primary cell (t without the marks, t - 2 with them):
      every hidden cell's range is at least as wide as the threshold.
A requirement that the cap lowers means the margins pin the cell: `suppression.choose` reports
such cells as pinned and `protection` merges the line whose margin pins them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.optimize import linprog

SHOWN, PRIMARY, SECONDARY = 0, 1, 2
KIND_NAMES = {PRIMARY: "primary", SECONDARY: "secondary"}


@dataclass(frozen=True)
class Grid:
    """The interior of a cross-tab and its published margins.

    counts: rows x groups (int, >= 0), no total column; row_totals: per row; col_bases: per
    group; multi: a multi-response field (cells add up along rows only); threshold: t.
    """

    counts: np.ndarray
    row_totals: np.ndarray
    col_bases: np.ndarray
    multi: bool
    threshold: int

    def small(self) -> np.ndarray:
        """Mask of cells in a row or column whose (nonzero) total is below the threshold."""
        t = self.threshold
        rows = (self.row_totals > 0) & (self.row_totals < t)
        cols = (self.col_bases > 0) & (self.col_bases < t)
        return rows[:, None] | cols[None, :]

    def key(self) -> tuple:
        """The grid's numbers as a hashable key (bytes of int64 arrays), for caches;
        `Grid.from_key(grid.key())` gives the grid back.
        """
        counts = np.ascontiguousarray(self.counts, dtype=np.int64)
        return (
            counts.tobytes(),
            counts.shape,
            np.ascontiguousarray(self.row_totals, dtype=np.int64).tobytes(),
            np.ascontiguousarray(self.col_bases, dtype=np.int64).tobytes(),
            int(self.threshold),
            bool(self.multi),
        )

    @classmethod
    def from_key(cls, key: tuple) -> Grid:
        """The grid of `Grid.key()`."""
        counts, shape, totals, bases, threshold, multi = key
        return cls(
            np.frombuffer(counts, dtype=np.int64).reshape(shape),
            np.frombuffer(totals, dtype=np.int64),
            np.frombuffer(bases, dtype=np.int64),
            multi,
            threshold,
        )

    def margin_range(self, i: int, j: int) -> tuple[int, int]:
        """[L0, U0]: the range of cell (i, j) that the margins alone allow (Fréchet bounds)."""
        r, b = int(self.row_totals[i]), int(self.col_bases[j])
        if self.multi:
            others = int(self.col_bases.sum()) - b
            return max(0, r - others), min(r, b)
        n = int(self.col_bases.sum())
        return max(0, r + b - n), min(r, b)


@dataclass(frozen=True)
class CellAudit:
    """One hidden cell: value, kind, ranges without and with the marks, and the verdict."""

    row: int
    col: int
    value: int
    kind: str
    numbers: tuple[int, int]
    marks: tuple[int, int]
    margins: tuple[int, int]
    need_numbers: int
    need_marks: int
    targets: tuple[int, int] = (0, 0)

    @property
    def width_numbers(self) -> int:
        return self.numbers[1] - self.numbers[0]

    @property
    def width_marks(self) -> int:
        return self.marks[1] - self.marks[0]

    @property
    def pinned(self) -> bool:
        """The margins alone keep this cell narrower than its target widths."""
        want_numbers, want_marks = self.targets
        return self.need_numbers < want_numbers or self.need_marks < want_marks

    @property
    def ok(self) -> bool:
        return self.width_numbers >= self.need_numbers and self.width_marks >= self.need_marks


def mark_bounds(grid: Grid, kinds: np.ndarray, i: int, j: int) -> tuple[float, float]:
    """What the mark of hidden cell (i, j) says: (lower, upper), upper may be inf."""
    t = grid.threshold
    if kinds[i, j] == PRIMARY:
        return (0 if grid.small()[i, j] else 1), t - 1
    return t, np.inf


def _bounds(grid: Grid, kinds: np.ndarray, marks: bool) -> dict[tuple[int, int], tuple]:
    out = {}
    small = grid.small()
    t = grid.threshold
    for i, j in zip(*np.nonzero(kinds)):
        upper = float(min(grid.row_totals[i], grid.col_bases[j]))
        lower = 0.0
        if marks:
            if kinds[i, j] == PRIMARY:
                lower, upper = (0.0 if small[i, j] else 1.0), min(upper, t - 1.0)
            else:
                lower = float(t)
        out[(int(i), int(j))] = (lower, upper)
    return out


def cell_range(
    grid: Grid, kinds: np.ndarray, cell: tuple[int, int], marks: bool
) -> tuple[int, int]:
    """Exact [lo, hi] of a hidden cell given the published numbers (and the marks).

    kinds: rows x groups of SHOWN / PRIMARY / SECONDARY. Raises RuntimeError when the
    constraints are infeasible (they never are for a true table). A single-choice table's
    linear programmes are solved once per grid, pattern, cell and `marks` in a process
    (`suppression.choose_pinned` asks for the same ranges again as it hides more cells).
    """
    if grid.multi:
        bounds = _bounds(grid, kinds, marks)
        hidden = kinds != SHOWN
        shown = np.where(hidden, 0, grid.counts)
        row_rest = grid.row_totals - shown.sum(axis=1)
        i, j = cell
        others = [bounds[(i, jj)] for jj in range(kinds.shape[1]) if hidden[i, jj] and jj != j]
        low, high = bounds[cell]
        lo = max(low, row_rest[i] - sum(b[1] for b in others))
        hi = min(high, row_rest[i] - sum(b[0] for b in others))
        if lo > hi:
            raise RuntimeError(f"infeasible row {i}")
        return int(round(lo)), int(round(hi))
    kinds = np.ascontiguousarray(kinds, dtype=np.int64)
    return _lp_range(grid.key(), kinds.tobytes(), (int(cell[0]), int(cell[1])), bool(marks))


@lru_cache(maxsize=8192)
def _lp_range(grid_key: tuple, kinds: bytes, cell: tuple[int, int], marks: bool) -> tuple[int, int]:
    """`cell_range` of a single-choice table, from its `Grid.key()` and its pattern as
    bytes: one linear programme giving the lowest and the highest value of the cell.
    """
    grid = Grid.from_key(grid_key)
    kind = np.frombuffer(kinds, dtype=np.int64).reshape(grid.counts.shape)
    bounds = _bounds(grid, kind, marks)
    shown = np.where(kind != SHOWN, 0, grid.counts)
    row_rest = grid.row_totals - shown.sum(axis=1)
    variables = list(bounds)
    index = {c: k for k, c in enumerate(variables)}
    rows = sorted({i for i, _ in variables})
    cols = sorted({j for _, j in variables})
    a_eq = np.zeros((len(rows) + len(cols), len(variables)))
    b_eq = np.zeros(len(rows) + len(cols))
    for k, (i, j) in enumerate(variables):
        a_eq[rows.index(i), k] = 1
        a_eq[len(rows) + cols.index(j), k] = 1
    col_rest = grid.col_bases - shown.sum(axis=0)
    b_eq[: len(rows)] = [row_rest[i] for i in rows]
    b_eq[len(rows) :] = [col_rest[j] for j in cols]
    # The lowest and the highest value in one programme of two independent copies of the
    # table (minimise x_cell - y_cell): one solver call instead of two; the copies do not
    # interact, so each part reaches its own optimum (the matrix stays totally unimodular).
    n = len(variables)
    objective = np.zeros(2 * n)
    objective[index[cell]], objective[n + index[cell]] = 1, -1
    zeros = np.zeros_like(a_eq)
    res = linprog(
        objective,
        A_eq=np.block([[a_eq, zeros], [zeros, a_eq]]),
        b_eq=np.concatenate([b_eq, b_eq]),
        bounds=[bounds[c] for c in variables] * 2,
        method="highs",
    )
    if res.status != 0:
        raise RuntimeError(f"cell range: {res.message}")
    return int(round(res.x[index[cell]])), int(round(res.x[n + index[cell]]))


def all_hidden(grid: Grid, kinds: np.ndarray) -> np.ndarray:
    """The widest pattern the rules allow: every nonzero interior cell hidden (zeros of lines
    at or above the threshold stay shown), primary cells primary, the rest secondary.
    """
    out = np.where((grid.counts > 0) & (kinds == SHOWN), SECONDARY, kinds)
    return out


def targets(grid: Grid, kind: int) -> tuple[int, int]:
    """Wanted widths (numbers, marks) of a hidden cell, primary or secondary: t and t-2.

    Without the marks' meaning the range is at least t wide; with it, at least t-1 values
    (for a primary cell and t = 5: all of 1 to 4).
    """
    t = grid.threshold
    return t, max(t - 2, 0)


def audit_cell(grid: Grid, kinds: np.ndarray, i: int, j: int) -> CellAudit:
    """The requirements of the module docstring for hidden cell (i, j).

    need = min(target, width of the cell when every nonzero interior cell is hidden): what no
    choice of cells can beat, because the margins (printed elsewhere too) pin the cell.
    """
    l0, u0 = grid.margin_range(i, j)
    numbers = cell_range(grid, kinds, (i, j), marks=False)
    marks = cell_range(grid, kinds, (i, j), marks=True)
    want_numbers, want_marks = targets(grid, kinds[i, j])
    need_numbers, need_marks = want_numbers, want_marks
    if numbers[1] - numbers[0] < want_numbers or marks[1] - marks[0] < want_marks:
        widest = all_hidden(grid, kinds)
        lo, hi = cell_range(grid, widest, (i, j), marks=False)
        need_numbers = min(want_numbers, hi - lo)
        lo, hi = cell_range(grid, widest, (i, j), marks=True)
        need_marks = min(want_marks, hi - lo)
    return CellAudit(
        row=i,
        col=j,
        value=int(grid.counts[i, j]),
        kind=KIND_NAMES[kinds[i, j]],
        numbers=numbers,
        marks=marks,
        margins=(l0, u0),
        need_numbers=need_numbers,
        need_marks=need_marks,
        targets=(want_numbers, want_marks),
    )


def audit(grid: Grid, kinds: np.ndarray) -> list[CellAudit]:
    """`audit_cell` for every hidden cell, in row-major order."""
    return [audit_cell(grid, kinds, int(i), int(j)) for i, j in zip(*np.nonzero(kinds))]
