"""Recovery test: an independent attacker (integer programme over everything the report
publishes: shown cells, zeros, row totals and column bases, the marks' meaning) tries to pin
down every hidden cell of the embedded report's cross-tabs and of fragile fixtures."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

import shv_analysis as shv
from shv_analysis.analysis.crosstab import crosstab
from shv_analysis.analysis.crosstab_text import crosstab_table
from shv_analysis.analysis.disclosure import Grid
from shv_analysis.analysis.suppression import audit_cells, cell_kinds, suppress_cells

T = 5
SECTION_05 = [
    ("effectmeting", "respondenttype"),
    ("effectmeting", "grootteklasse"),
    ("effectmeting", "doelen_geformuleerd"),
    ("type", "respondenttype"),
    ("fasen", "type"),
    ("doelgroepen", "type"),
    ("partners", "type"),
    ("overdraagbaar", "effectmeting"),
    ("deelname", "grootteklasse"),
]


def attack(counts, totals, bases, kinds, multi, t, marks):
    """Integer ranges of the hidden cells, from the published numbers only (milp)."""
    counts, hidden = np.asarray(counts), np.asarray(kinds) != 0
    cells = list(zip(*np.nonzero(hidden)))
    shown = np.where(hidden, 0, counts)
    small = ((totals > 0) & (totals < t))[:, None] | ((bases > 0) & (bases < t))[None, :]
    a, lo, hi = [], [], []
    for i in range(counts.shape[0]):
        a.append([1.0 if c[0] == i else 0.0 for c in cells])
        lo.append(totals[i] - shown[i].sum())
        hi.append(lo[-1])
    if not multi:
        for j in range(counts.shape[1]):
            a.append([1.0 if c[1] == j else 0.0 for c in cells])
            lo.append(bases[j] - shown[:, j].sum())
            hi.append(lo[-1])
    lb = np.zeros(len(cells))
    ub = np.array([min(totals[i], bases[j]) for i, j in cells], float)
    if marks:
        for k, (i, j) in enumerate(cells):
            if kinds[i][j] == 1:
                lb[k], ub[k] = (0 if small[i, j] else 1), min(ub[k], t - 1)
            else:
                lb[k] = t
    out = {}
    for k, c in enumerate(cells):
        ends = []
        for sign in (1, -1):
            obj = np.zeros(len(cells))
            obj[k] = sign
            res = milp(
                obj,
                constraints=LinearConstraint(np.array(a), lo, hi),
                integrality=np.ones(len(cells)),
                bounds=Bounds(lb, ub),
            )
            assert res.status == 0
            ends.append(sign * res.fun)
        out[c] = (round(ends[0]), round(ends[1]))
    return out


def check(counts, totals, bases, multi, t=T):
    grid = Grid(
        np.asarray(counts, dtype=np.int64),
        np.asarray(totals, dtype=np.int64),
        np.asarray(bases, dtype=np.int64),
        multi,
        t,
    )
    kinds = cell_kinds(grid)
    counts = np.asarray(counts)
    assert not ((counts > 0) & (counts < t) & (kinds == 0)).any()  # every small count hidden
    assert not ((kinds == 2) & (counts < t)).any()  # 'x' never on a count below t
    plain = attack(counts, grid.row_totals, grid.col_bases, kinds, multi, t, marks=False)
    marked = attack(counts, grid.row_totals, grid.col_bases, kinds, multi, t, marks=True)
    widest = np.where((counts > 0) & (kinds == 0), 2, kinds)  # every nonzero cell hidden
    cap_plain = attack(counts, grid.row_totals, grid.col_bases, widest, multi, t, marks=False)
    cap_marked = attack(counts, grid.row_totals, grid.col_bases, widest, multi, t, marks=True)
    widths = {}
    for (i, j), (lo, hi) in plain.items():
        assert lo <= counts[i, j] <= hi
        if kinds[i, j] == 1:
            # at least t wide (t - 1 values with the marks), unless even hiding every
            # nonzero cell leaves less: then the margins, printed elsewhere, pin it
            cap = cap_plain[(i, j)][1] - cap_plain[(i, j)][0]
            assert hi - lo >= min(t, cap), ((i, j), lo, hi)
            m_lo, m_hi = marked[(i, j)]
            cap = cap_marked[(i, j)][1] - cap_marked[(i, j)][0]
            assert m_hi - m_lo >= min(t - 2, cap), ((i, j), m_lo, m_hi)
        else:
            cap = cap_marked[(i, j)][1] - cap_marked[(i, j)][0]
            assert hi - lo >= 1 and marked[(i, j)][1] - marked[(i, j)][0] >= min(1, cap)
        widths[(i, j)] = hi - lo
    return kinds, widths


@pytest.fixture(scope="module")
def embedded():
    return shv.load(None)


@pytest.mark.parametrize("row,col", SECTION_05)
def test_embedded_section_05_cells_are_not_recoverable(embedded, row, col):
    ct = crosstab(embedded, row, col)
    cells = suppress_cells(ct.cells, T, ct.row.kind == "multi")
    inner = cells[cells["col"] != "totaal"]
    rows = list(dict.fromkeys(inner["row"]))
    cols = list(dict.fromkeys(inner["col"]))
    counts = inner.pivot(index="row", columns="col", values="n").reindex(index=rows, columns=cols)
    totals = cells[cells["col"] == "totaal"].set_index("row")["n"].reindex(rows).to_numpy()
    bases = inner.drop_duplicates("col").set_index("col")["base"].reindex(cols).to_numpy()
    check(counts.to_numpy(), totals, bases, ct.row.kind == "multi")
    assert all(a.ok for a in audit_cells(ct.cells, T, ct.row.kind == "multi"))
    table = crosstab_table(ct, "nl", T)
    if cells["suppressed"].any():  # no statistic beside hidden cells
        assert table.test == "Toets niet getoond: kleine aantallen."


def test_known_case_carries_its_true_mark(embedded):
    ct = crosstab(embedded, "effectmeting", "grootteklasse")
    cells = suppress_cells(ct.cells, T, False).set_index(["row", "col"])
    assert cells.loc[("nee", "ge100k"), "n"] == 15
    assert cells.loc[("nee", "ge100k"), "suppression"] != "primary"
    assert cells.loc[("onbekend", "lt20k"), "suppression"] == "primary"  # the 1
    assert cells.loc[("nee", "lt20k"), "suppression"] == "secondary"  # the 8: 'x', not '<5'
    shown = crosstab_table(ct, "nl", T).data.set_index("category")
    assert shown.loc["Weet niet", "lt20k"] == "<5" and shown.iloc[1]["lt20k"] == "x"
    assert "x: onderdrukt om terugrekenen te voorkomen" in crosstab_table(ct, "nl", T).footnote


def test_fragile_row_of_three_pilots():
    # one row of three pilots, spread 1-1-1 (total 3 printed elsewhere): no cell is pinned
    kinds, widths = check([[1, 1, 1], [20, 30, 25], [10, 12, 9]], [3, 75, 31], [31, 43, 35], False)
    assert (kinds[0] == 1).all() and min(widths[(0, j)] for j in range(3)) == 3


def test_fragile_one_and_two_free_cells():
    # a single small cell (one free cell in the old sense), then two in one row
    check([[3, 20], [15, 18]], [23, 33], [18, 38], False)
    check([[2, 3, 30], [10, 12, 40], [9, 8, 7]], [35, 62, 24], [21, 23, 77], False)
    # multi response: rows add up, columns are bases
    check([[2, 10, 0], [0, 4, 9]], [12, 13], [12, 15, 9], True)
