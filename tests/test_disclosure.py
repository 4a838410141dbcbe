"""Recovery test: an independent attacker (integer programme over everything the report
publishes: shown cells, zeros, row totals and column bases, the marks' meaning) tries to pin
down every hidden cell of the embedded report's cross-tabs and of fragile fixtures."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

import shv_analysis as shv
from shv_analysis.analysis.crosstab import crosstab
from shv_analysis.analysis.crosstab_text import crosstab_table, protected
from shv_analysis.analysis.disclosure import Grid
from shv_analysis.analysis.protection import merged_counts, plan_merges
from shv_analysis.analysis.suppression import audit_cells, cell_kinds, suppress_cells
from shv_analysis.present.narrative import crosstab_sentence
from shv_analysis.synthetic.files import write_dataset

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
    """Suppress the grid, attack it, and assert the rule of docs/statistics.md: every hidden
    cell's range is at least t wide from the numbers and at least t - 2 wide (t - 1 values)
    with the marks' meaning. Returns the kinds and the widths without the marks."""
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
    assert not ((kinds == 1) & (counts >= t)).any()  # '<t' only on a count below t
    small = ((grid.row_totals > 0) & (grid.row_totals < t))[:, None] | (
        (grid.col_bases > 0) & (grid.col_bases < t)
    )[None, :]
    live = (grid.row_totals > 0)[:, None] & (grid.col_bases > 0)[None, :]  # 0 total: all 0
    assert not (small & live & (kinds == 0) & (counts == 0)).any()  # no zero shown in a small line
    plain = attack(counts, grid.row_totals, grid.col_bases, kinds, multi, t, marks=False)
    marked = attack(counts, grid.row_totals, grid.col_bases, kinds, multi, t, marks=True)
    widths = {}
    for (i, j), (lo, hi) in plain.items():
        assert lo <= counts[i, j] <= hi
        assert hi - lo >= t, ((i, j), lo, hi)
        m_lo, m_hi = marked[(i, j)]
        assert m_lo <= counts[i, j] <= m_hi
        assert m_hi - m_lo >= t - 2, ((i, j), m_lo, m_hi)
        widths[(i, j)] = hi - lo
    return kinds, widths


def published(ct):
    """The interior counts, row totals and column bases of a cross-tab as published."""
    cells = ct.cells
    inner = cells[cells["col"] != "totaal"]
    rows = list(dict.fromkeys(inner["row"]))
    cols = list(dict.fromkeys(inner["col"]))
    counts = inner.pivot(index="row", columns="col", values="n").reindex(index=rows, columns=cols)
    totals = cells[cells["col"] == "totaal"].set_index("row")["n"].reindex(rows).to_numpy()
    bases = inner.drop_duplicates("col").set_index("col")["base"].reindex(cols).to_numpy()
    return counts.to_numpy(), totals, bases


def check_report_table(ds, row, col, t=T):
    """The table a report publishes (merged where a margin pins a cell): attacked, and no
    statistic beside a hidden cell. Returns the protected cross-tab."""
    ct = protected(crosstab(ds, row, col), t)
    multi = ct.row.kind == "multi"
    counts, totals, bases = published(ct)
    kinds, _ = check(counts, totals, bases, multi, t)
    audits = audit_cells(ct.cells, t, multi)
    assert all(a.ok and not a.pinned for a in audits)
    table = crosstab_table(ct, "nl", t)
    if (kinds != 0).any():
        assert table.test == "Toets niet getoond: kleine aantallen."
        sentence = crosstab_sentence(ct, "nl", t)
        assert "p =" not in sentence
        assert "Toets niet getoond" not in sentence  # said once, in the table's footer
    return ct


@pytest.fixture(scope="module")
def embedded():
    return shv.load(None)


@pytest.fixture(scope="module")
def unseen(tmp_path_factory, reference):
    """An inventory of 47 pilots the project never tabulated: a seed-4711 synthetic dataset,
    47 of its pilots drawn at random (seed 47), with all its respondents."""
    folder = tmp_path_factory.mktemp("unseen")
    write_dataset(folder, seed=4711, reference=reference)
    pilots = pd.read_csv(folder / "experimenten.csv", dtype=str, keep_default_na=False)
    keep = pilots.sample(n=47, random_state=47).sort_index()
    keep.to_csv(folder / "experimenten.csv", index=False)
    return shv.load(folder)


@pytest.mark.parametrize("row,col", SECTION_05)
def test_embedded_section_05_cells_are_not_recoverable(embedded, row, col):
    check_report_table(embedded, row, col)


@pytest.mark.parametrize("row,col", SECTION_05)
def test_unseen_47_pilot_inventory_cells_are_not_recoverable(unseen, row, col):
    check_report_table(unseen, row, col)


@pytest.mark.parametrize("t", [3, 10])
def test_other_thresholds_hold_too(embedded, t):
    for row, col in SECTION_05:
        check_report_table(embedded, row, col, t)


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


def test_fragile_row_of_three_pilots_is_merged():
    # a row of three pilots, spread 1-1-1 (total 3 printed elsewhere): every cell of it is 0
    # to 3 whatever is hidden, so the row is merged with the smallest other row (31)
    counts = np.array([[1, 1, 1], [20, 30, 25], [10, 12, 9]])
    plan = plan_merges(counts, counts.sum(axis=1), counts.sum(axis=0), False, T)
    assert plan.rows == ((0, 2), (1,)) and plan.cols == ((0,), (1,), (2,))
    merged = merged_counts(counts, plan)
    assert merged.tolist() == [[11, 13, 10], [20, 30, 25]]
    kinds, _ = check(merged, merged.sum(axis=1), merged.sum(axis=0), False)
    assert not kinds.any()  # nothing left to hide


def test_ordered_code_list_merges_with_the_smaller_neighbour():
    # columns are population classes (ordered): the class of 4 merges with its smaller
    # neighbour (the 30 to its right, not the 60 to its left nor the 10 further on)
    counts = np.array([[30, 2, 15, 5], [30, 2, 15, 5]])
    plan = plan_merges(counts, counts.sum(axis=1), counts.sum(axis=0), False, T, cols_ordered=True)
    assert plan.cols == ((0,), (1, 2), (3,))
    nominal = plan_merges(counts, counts.sum(axis=1), counts.sum(axis=0), False, T)
    assert nominal.cols == ((0,), (1, 3), (2,))  # the smallest other column


def test_records_without_a_value_are_a_partner_last():
    # column 2 (4 records) must merge; column 1 (26, no value) is the smallest other one,
    # but a category without a value is a partner only when nothing else is left
    counts = np.array([[9, 9, 2], [9, 9, 1], [9, 8, 1]])
    args = (counts, counts.sum(axis=1), counts.sum(axis=0), False, T)
    assert plan_merges(*args).cols == ((0,), (1, 2))
    assert plan_merges(*args, cols_missing=[False, True, False]).cols == ((0, 2), (1,))


def test_multi_option_of_three_is_left_out_not_merged():
    # options overlap, so they are not summed: the option of three pilots is left out
    counts = np.array([[1, 1, 1], [12, 10, 9], [6, 8, 7]])
    plan = plan_merges(counts, counts.sum(axis=1), np.array([20, 20, 20]), True, T)
    assert plan.dropped == (0,) and plan.rows == ((1,), (2,))


def check_protected(counts, bases, multi, t=T):
    """`check` on the grid after `plan_merges`; returns the plan."""
    counts = np.asarray(counts)
    plan = plan_merges(counts, counts.sum(axis=1), bases, multi, t)
    merged = merged_counts(counts, plan)
    merged_bases = np.array([sum(bases[k] for k in g) for g in plan.cols])
    check(merged, merged.sum(axis=1), merged_bases, multi, t)
    return plan


def test_fragile_one_and_two_free_cells():
    # a single small cell (one free cell in the old sense), then two in one row
    check([[3, 20], [15, 18]], [23, 33], [18, 38], False)
    check([[2, 3, 30], [10, 12, 40], [9, 8, 7]], [35, 62, 24], [21, 23, 77], False)


def test_fragile_multi_row_pinned_by_a_small_base_is_merged():
    # multi response: rows add up, columns are bases. Row 2: the 4 can only hide behind the
    # 9, but that column's base is 9, so 4 + 9 = 13 pins it (x >= 5 and x <= 9 gives 4..8,
    # and '<5' says 1..4): the 9-column merges with its smallest neighbour
    plan = check_protected([[2, 10, 0], [0, 4, 9]], [12, 15, 9], True)
    assert plan.changed


def test_fragile_random_grids_hold():
    # 40 random small tables, single and multi: after merging, the attacker pins nothing
    rng = np.random.default_rng(13)
    for k in range(40):
        shape = (int(rng.integers(2, 5)), int(rng.integers(2, 5)))
        counts = rng.poisson(rng.choice([1.5, 4, 9]), size=shape)
        if k % 2:
            bases = counts.max(axis=0) + rng.integers(0, 6, size=shape[1])
            check_protected(counts, bases, True)
        else:
            check_protected(counts, counts.sum(axis=0), False)


def test_json_names_what_was_merged(capsys):
    from shv_analysis.cli import main

    assert main(["crosstab", "type", "respondenttype", "--min-cell", "5", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["merged"] == [
        {"field": "type", "code": "digitaal_product+overig", "of": ["digitaal_product", "overig"]}
    ]
    assert data["dropped"] == [] and data["test"]["p"] is None
    rows = {c["row"] for c in data["cells"]}
    assert "digitaal_product+overig" in rows and "digitaal_product" not in rows
    merged = [c for c in data["cells"] if c["row"] == "digitaal_product+overig"]
    assert [c["n"] for c in merged if c["col"] == "totaal"] == [11]  # 4 + 7 pilots


def test_small_nominal_category_goes_into_overig_first():
    # the row of 3 is pinned; its partner is 'Overig' (row 3, flagged), not the smaller row 2
    counts = np.array([[20, 20], [1, 2], [5, 6], [6, 7]])
    args = (counts, counts.sum(axis=1), counts.sum(axis=0), False, T)
    assert plan_merges(*args).rows == ((0,), (1, 2), (3,))  # unflagged: the smallest other
    flagged = plan_merges(*args, rows_other=[False, False, False, True])
    assert flagged.rows == ((0,), (1, 3), (2,))


def test_untestable_options_are_named_not_printed_as_dashes(embedded):
    ct = crosstab(embedded, "doelgroepen", "type")
    line = crosstab_table(ct, "nl").test  # interactive: nothing hidden; two options all 0
    assert "–, p(Holm) = –" not in line
    assert line.endswith(
        "niet te toetsen (te weinig gevulde kolommen): Ouderen, Zelfstandig ondernemers"
    )
    frame = ct.option_tests.copy()
    frame.loc[frame.index[-1], ["p", "p_holm"]] = np.nan
    from dataclasses import replace

    from shv_analysis.analysis.crosstab_text import test_line

    text = test_line(replace(ct, option_tests=frame), "nl")
    assert text.endswith(
        "; niet te toetsen (te weinig gevulde kolommen): "
        "Ouderen, Zelfstandig ondernemers, Andere specifieke doelgroep"
    )
    frame["p"] = np.nan
    assert test_line(replace(ct, option_tests=frame), "en") == (
        "No test possible: no option has two or more non-empty rows and columns."
    )


def test_respondent_tables_do_not_say_245_respondents_in_245_organisations(embedded):
    table = crosstab_table(crosstab(embedded, "deelname", "grootteklasse"), "nl", T)
    assert table.footnote.startswith("n = 245 respondenten. Cellen:")
    assert "organisaties" not in crosstab_sentence(
        crosstab(embedded, "deelname", "grootteklasse"), "nl", T
    )
    pilots = crosstab_table(crosstab(embedded, "type", "respondenttype"), "nl", T)
    assert pilots.footnote.startswith("n = 143 experimenten in 91 organisaties.")


def test_cell_ranges_are_solved_once_and_follow_the_pattern_not_the_array():
    from shv_analysis.analysis import disclosure

    grid = Grid(np.array([[3, 20], [15, 18]]), np.array([23, 33]), np.array([18, 38]), False, T)
    kinds = np.array([[1, 2], [2, 2]])
    disclosure._lp_range.cache_clear()
    first = disclosure.cell_range(grid, kinds, (0, 0), marks=False)
    assert first == (0, 18)  # the 3 hides behind a cycle of four: 0 to min(23, 18)
    assert disclosure.cell_range(grid, kinds, (0, 0), marks=False) == first
    info = disclosure._lp_range.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    assert disclosure.cell_range(grid, kinds, (0, 0), marks=True) == (1, 4)  # '<5': 1 to 4
    kinds[0, 1] = kinds[1, 0] = kinds[1, 1] = 0  # the same array, now only (0, 0) hidden
    assert disclosure.cell_range(grid, kinds, (0, 0), marks=False) == (3, 3)  # pinned
    assert disclosure._lp_range.cache_info().misses == 3


def test_cell_ranges_equal_the_attackers_integer_ranges_on_random_patterns():
    """One linear programme per range (lowest and highest value together) gives the integer
    programme's answer, for random tables and random patterns of hidden cells."""
    from shv_analysis.analysis import disclosure

    rng = np.random.default_rng(29)
    compared = 0
    for _ in range(40):
        shape = (int(rng.integers(2, 5)), int(rng.integers(2, 4)))
        counts = rng.poisson(rng.choice([2.0, 5, 10]), size=shape)
        totals, bases = counts.sum(axis=1), counts.sum(axis=0)
        kinds = rng.choice([0, 1, 2], size=shape, p=[0.4, 0.3, 0.3])
        kinds = np.where(counts == 0, 0, kinds)  # a true table: its marks hold
        small = ((totals > 0) & (totals < T))[:, None] | ((bases > 0) & (bases < T))[None, :]
        kinds = np.where((kinds == 1) & (counts >= T), 2, kinds)
        kinds = np.where((kinds == 2) & (counts < T), 1, kinds)
        kinds = np.where((kinds == 1) & (counts == 0) & ~small, 0, kinds)
        grid = Grid(counts, totals, bases, False, T)
        for marks in (False, True):
            expected = attack(counts, totals, bases, kinds, False, T, marks)
            for cell, ends in expected.items():
                cell = (int(cell[0]), int(cell[1]))
                assert disclosure.cell_range(grid, kinds, cell, marks) == ends, (counts, kinds)
                compared += 1
    assert compared > 300
