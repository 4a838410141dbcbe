"""A computed cross-tab (`CrossTab`) and its text: display table, numbers table, footnote,
test line and interpretation.

`crosstab.crosstab` computes the cells, bases and tests; this module holds the result type
and everything that turns it into words and tables: the wide 'n (pct%; ci)' display table
with its base row, the long numbers table for CSV and Excel, the marks of suppressed cells,
the footnote, the test line (one test, or per option with Holm-adjusted p-values) and the
computed sentence on what can be concluded at this n. Numbers are written as the report
writes them (`formatting`); labels come from the codebook and the text catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np
import pandas as pd

from shv_analysis.analysis.crosstab_cells import (
    LAZY,
    MERGED,
    MISSING,
    TOTAL,
    LazyTests,
    cells_frame,
    has_value,
    run_tests,
)
from shv_analysis.analysis.formatting import fmt_number
from shv_analysis.analysis.protection import MergePlan, merged_counts, plan_merges
from shv_analysis.analysis.statistics import TestResult, significant_decimals
from shv_analysis.analysis.suppression import suppress_cells
from shv_analysis.analysis.tables import Table, memo, subset_note, words
from shv_analysis.contract import codebook as cb
from shv_analysis.text import LANGS, normalise_lang, text

CATCH_ALL = ("overig",)  # codes of catch-all categories: first partner of a small category
CELL_COLUMNS = ["row", "col", "n", "base", "pct", "ci_low", "ci_high"]


@dataclass
class CrossTab:
    """Cells (long form), the tests, and what the table is about.

    `test` (one test of a single field) and `option_tests` (a multi field: one row per
    option: option, name, statistic, p, p_holm, cramers_v, mc_se, mc_draws, mc_seed) are
    computed by `tests` when first read (`LazyTests`).
    """

    row: cb.Field
    col: cb.Field
    cells: pd.DataFrame  # CELL_COLUMNS (+ suppressed)
    bases: pd.DataFrame  # col, pilots, organisations
    unit: str  # experimenten | respondenten
    test: TestResult | None = LazyTests()  # type: ignore[assignment]
    option_tests: pd.DataFrame | None = LazyTests()  # type: ignore[assignment]
    notice: str | None = None
    subset_label: str | None = None
    meta: dict = field(default_factory=dict)
    counts: pd.DataFrame | None = field(default=None, repr=False)  # groups x rows
    org_seen: np.ndarray | None = field(default=None, repr=False)  # groups x organisations
    plan: MergePlan | None = field(default=None, repr=False)  # set on a protected cross-tab
    dropped: tuple[str, ...] = ()  # codes of multi options left out when protected
    #: () -> (test, option_tests), run when either is first read
    tests: Callable[[], tuple] | None = field(default=None, repr=False, compare=False)

    def to_table(self, lang: str = "nl", min_cell: int = 0) -> Table:
        """Wide display table: one row per category, 'n (pct%)' per column, and footnotes."""
        return crosstab_table(self, lang, min_cell)

    def _repr_html_(self) -> str:
        return self.to_table()._repr_html_()


def category_label(f: cb.Field, code: str, lang: str = "nl") -> str:
    """Display label of a cross-tab category code of field `f`: the codebook label, 'Totaal'
    for the total column, '(ontbreekt)' for records without a value, else the code itself.

    Raises:
        ValueError: for an unknown language.
    """
    lang = normalise_lang(lang)
    if code == TOTAL:
        return words(lang)["total"]
    if code == MISSING:
        return cb.MISSING_LABEL[LANGS.index(lang)]
    if MERGED in code and code not in f.code_list:  # merged categories (`protected`)
        return " + ".join(category_label(f, part, lang) for part in code.split(MERGED))
    if f.kind == "yesno" and f.codes:
        return f.code_label(code, lang)
    return f.code_label(code, lang) if f.codes else code


def _t(key: str, lang: str, **fields) -> str:
    return text(f"crosstab.{key}", lang, **fields)


def _fmt(value: float, lang: str, digits: int = 0) -> str:
    """As the report writes numbers: half up, decimal comma for 'nl' (`formatting`)."""
    return fmt_number(value, lang, digits)


def protected(ct: CrossTab, min_cell: int) -> CrossTab:
    """The cross-tab as a report with threshold `min_cell` publishes it: with the lines whose
    margins pin a hidden cell merged (or, for options of a multi field, left out), see
    `protection.plan_merges`; cells, bases and tests recomputed from the merged counts.

    Returns `ct` itself when nothing needs merging, when `min_cell` is 0, or when `ct` has
    no counts (built by hand) or is already protected. A merged category's code joins the
    original codes with '+', its label their labels with ' + '. Every table, chart and
    sentence of this module with `min_cell` > 0 starts from `protected(ct, min_cell)`.
    """
    if not min_cell or ct.counts is None or ct.plan is not None:
        return ct
    return memo(ct, ("protected", int(min_cell)), lambda: _protect(ct, int(min_cell)))


def _protect(ct: CrossTab, t: int) -> CrossTab:
    groups, rows = list(ct.counts.index), list(ct.counts.columns)
    bases = ct.bases.set_index("col")["records"].reindex(groups).to_numpy(dtype=np.int64)
    matrix = ct.counts.to_numpy(dtype=np.int64).T  # rows x groups
    totals = matrix.sum(axis=1)
    plan = plan_merges(
        matrix,
        totals,
        bases,
        ct.row.kind == "multi",
        t,
        ct.row.ordered,
        ct.col.ordered,
        [not has_value(r) for r in rows],
        [not has_value(g) for g in groups],
        [r in CATCH_ALL for r in rows],
        [g in CATCH_ALL for g in groups],
    )
    if not plan.changed:
        return ct
    new_rows = [MERGED.join(rows[k] for k in g) for g in plan.rows]
    new_groups = [MERGED.join(groups[k] for k in g) for g in plan.cols]
    counts = pd.DataFrame(merged_counts(matrix, plan).T, index=new_groups, columns=new_rows)
    new_bases = pd.Series([int(bases[list(g)].sum()) for g in plan.cols], index=new_groups)
    total = ct.bases.iloc[-1]
    orgs = [int(ct.org_seen[list(g)].any(axis=0).sum()) for g in plan.cols]
    base_frame = pd.DataFrame(
        {
            "col": new_groups + [TOTAL],
            "records": list(new_bases) + [int(total["records"])],
            "organisations": orgs + [int(total["organisations"])],
        }
    )
    return replace(
        ct,
        cells=cells_frame(counts, new_bases, new_rows, new_groups),
        bases=base_frame,
        test=LAZY,
        option_tests=LAZY,
        tests=partial(run_tests, counts, new_bases, ct.row, new_rows),
        meta={},
        counts=counts,
        org_seen=None,
        plan=plan,
        dropped=tuple(rows[k] for k in plan.dropped),
    )


def crosstab_title(ct: CrossTab, lang: str = "nl") -> str:
    """The title of a cross-tab: 'Effectiviteitsmeting naar type respondent'."""
    return _t("title", lang, row=ct.row.label(lang), col=ct.col.label(lang).lower())


def crosstab_table(ct: CrossTab, lang: str = "nl", min_cell: int = 0) -> Table:
    """Display table: 'n (pct%) [ci]' per cell, a base row, footnote with the test.

    Columns: `category` (the row labels; last row: the base) and one column per group code
    (`totaal` last), labelled with the group's codebook label.
    """
    lang = normalise_lang(lang)
    ct = protected(ct, min_cell)
    t = memo(ct, ("table", lang, min_cell), lambda: _crosstab_table(ct, lang, min_cell))
    return replace(t, data=t.data.copy(), meta=dict(t.meta), labels=dict(t.labels))


def _crosstab_table(ct: CrossTab, lang: str, min_cell: int) -> Table:
    cells = shown_cells(ct, min_cell)
    cols = list(dict.fromkeys(cells["col"]))
    rows = list(dict.fromkeys(cells["row"]))
    grid = {}
    for c in cols:
        part = cells[cells["col"] == c].set_index("row")
        grid[c] = [
            mark(part.loc[r, "suppression"], min_cell, lang)
            if part.loc[r, "suppressed"]
            else f"{part.loc[r, 'n']} ({_fmt(part.loc[r, 'pct'], lang)}%; "
            f"{_fmt(part.loc[r, 'ci_low'], lang)}–{_fmt(part.loc[r, 'ci_high'], lang)})"
            if part.loc[r, "base"]
            else "–"
            for r in rows
        ]
    w = words(lang)
    data = pd.DataFrame({"category": [category_label(ct.row, r, lang) for r in rows], **grid})
    unit = _t(f"unit.{ct.unit}", lang)
    base_row = {"category": _t("base_row", lang, unit=unit, orgs=_t("organisations", lang))}
    for b in ct.bases.itertuples(index=False):
        base_row[b.col] = f"{b.records} / {b.organisations}"
    data = pd.concat([data, pd.DataFrame([base_row])], ignore_index=True)
    title = crosstab_title(ct, lang)
    kinds = set(cells.loc[cells["suppressed"], "suppression"])
    test = _t("test_not_shown", lang) if kinds else test_line(ct, lang)
    return Table(
        data=data,
        title=title,
        footnote=_footnote(ct, lang, min_cell, kinds),
        key=f"kruistabel_{ct.row.name}_{ct.col.name}",
        n=int(ct.bases["records"].iloc[-1]),
        base=unit,
        notice=ct.notice,
        test=test,
        meta={"crosstab": ct},
        labels={"category": w["category"], **{c: category_label(ct.col, c, lang) for c in cols}},
    )


def shown_cells(ct: CrossTab, min_cell: int) -> pd.DataFrame:
    """`ct.cells` with `suppressed` (bool) and `suppression` ("primary", "secondary", None).

    The cells of `ct` as given: pass `protected(ct, min_cell)` for the cells a report shows.
    """
    if not min_cell:
        return ct.cells.assign(suppressed=False, suppression=None)
    multi = ct.row.kind == "multi"
    return memo(ct, ("shown", min_cell), lambda: suppress_cells(ct.cells, min_cell, multi)).copy()


def has_hidden_cells(ct: CrossTab, min_cell: int) -> bool:
    """True when the table suppresses a cell: then no test statistic, p or V is shown."""
    return bool(min_cell) and bool(
        shown_cells(protected(ct, min_cell), min_cell)["suppressed"].any()
    )


def mark(kind: str | None, min_cell: int, lang: str = "nl") -> str:
    """The mark of a hidden cell: '<5' (primary) or 'x' (secondary); '' when shown."""
    if kind == "primary":
        return _t("mark.primary", lang, min_cell=min_cell)
    return _t("mark.secondary", lang) if kind == "secondary" else ""


NUMBER_COLUMNS = [
    "row",
    "col",
    "row_label",
    "col_label",
    "n",
    "base",
    "pct",
    "ci_low",
    "ci_high",
    "suppressed",
]
NUMBER_FORMATS = {"n": "0", "base": "0", "pct": "0.0", "ci_low": "0.0", "ci_high": "0.0"}


def crosstab_numbers(ct: CrossTab, lang: str = "nl", min_cell: int = 0) -> Table:
    """The cross-tab as numbers, for CSV and Excel: one row per cell (`NUMBER_COLUMNS`).

    row, col: codes; row_label, col_label: labels; n, base: whole numbers; pct, ci_low,
    ci_high: percentages of the column base (95% Wilson); suppressed: "primary",
    "secondary" or empty. A hidden cell has n, pct and the interval empty. Same title,
    footnote and test line as `crosstab_table`.
    """
    lang = normalise_lang(lang)
    ct = protected(ct, min_cell)
    wide = crosstab_table(ct, lang, min_cell)
    cells = shown_cells(ct, min_cell)
    hidden = cells["suppressed"].to_numpy()
    data = pd.DataFrame(
        {
            "row": cells["row"].to_numpy(),
            "col": cells["col"].to_numpy(),
            "row_label": [category_label(ct.row, r, lang) for r in cells["row"]],
            "col_label": [category_label(ct.col, c, lang) for c in cells["col"]],
            "n": pd.array(
                np.where(hidden, pd.NA, cells["n"].to_numpy(dtype=object)), dtype="Int64"
            ),
            "base": pd.array(cells["base"].to_numpy(dtype=np.int64), dtype="Int64"),
        }
    )
    for c in ("pct", "ci_low", "ci_high"):
        data[c] = np.where(hidden, np.nan, cells[c].to_numpy(dtype=float))
    data["suppressed"] = [k if isinstance(k, str) else None for k in cells["suppression"]]
    return Table(
        data=data,
        title=wide.title,
        footnote=wide.footnote,
        key=wide.key,
        n=wide.n,
        base=wide.base,
        notice=wide.notice,
        test=wide.test,
        meta={"crosstab": ct, "number_formats": NUMBER_FORMATS, "min_cell": int(min_cell)},
        labels={c: c for c in NUMBER_COLUMNS},
    )


def _in_orgs(ct: CrossTab, lang: str) -> str:
    """' in 91 organisaties' for pilots; nothing for respondents (each is one organisation)."""
    if ct.unit == cb.RESPONDENTEN:
        return ""
    return _t("in_orgs", lang, orgs=_fmt(int(ct.bases.iloc[-1]["organisations"]), lang))


def _footnote(ct: CrossTab, lang: str, min_cell: int, kinds: set | None = None) -> str:
    total = ct.bases.iloc[-1]
    out = _t(
        "footnote",
        lang,
        n=total.records,
        unit=_t(f"unit.{ct.unit}", lang),
        in_orgs=_in_orgs(ct, lang),
    )
    if ct.row.kind == "multi":
        out += _t("multi", lang)
    if ct.unit == cb.EXPERIMENTEN:
        out += _t("clustered", lang)
    if ct.plan is not None:
        out += _merge_notes(ct, lang, min_cell)
    if min_cell:
        out += _t("suppressed", lang, min_cell=min_cell)
        for kind in ("primary", "secondary"):
            if kind in (kinds or ()):
                out += _t(
                    f"mark_note.{kind}",
                    lang,
                    min_cell=min_cell,
                    top=min_cell - 1,
                    mark=mark(kind, min_cell, lang),
                )
    return out + subset_note(ct.subset_label, lang)


def merged_categories(ct: CrossTab) -> list[tuple[cb.Field, str]]:
    """(field, merged code) of each category `protected` merged, rows first; [] if none."""
    if ct.plan is None:
        return []
    return [
        (f, code)
        for f, codes in ((ct.row, ct.counts.columns), (ct.col, ct.counts.index))
        for code in codes
        if MERGED in code and code not in f.code_list
    ]


def _merge_notes(ct: CrossTab, lang: str, min_cell: int) -> str:
    """The footnote sentences on merged categories and options left out (`protected`)."""
    out = ""
    merged = [category_label(f, code, lang) for f, code in merged_categories(ct)]
    if merged:
        out += _t("merged", lang, merged="; ".join(merged))
    if ct.dropped:
        out += _t(
            "dropped",
            lang,
            min_cell=min_cell,
            unit=_t(f"unit.{ct.unit}", lang),
            dropped="; ".join(category_label(ct.row, code, lang) for code in ct.dropped),
        )
    if min(len(ct.plan.rows), len(ct.plan.cols)) <= 1:
        out += _t("collapsed", lang)
    return out


def test_line(ct: CrossTab, lang: str = "nl") -> str:
    """The test footnote: one test, or per option with Holm-adjusted p-values.

    Each option says whether its p is exact or a Monte Carlo estimate; a Monte Carlo p(Holm)
    is printed to the decimals its standard error (times the Holm factor) allows, and the
    draws, seed and largest standard error are named once at the end.
    """
    lang = normalise_lang(lang)
    if ct.test is not None:
        return ct.test.describe(lang)
    parts = []
    frame = ct.option_tests
    m = int(frame["p"].notna().sum())
    if not m:
        return _t("no_option_test", lang)
    mc_se = [se for se in frame.get("mc_se", pd.Series(dtype=float)) if pd.notna(se)]
    untestable = [
        category_label(ct.row, r.option, lang)
        for r in frame.itertuples(index=False)
        if pd.isna(r.p)
    ]
    for r in frame.itertuples(index=False):
        if pd.isna(r.p):
            continue
        se = getattr(r, "mc_se", None)
        mc = se is not None and pd.notna(se)
        name = {"chi2": "χ²", "none": "–"}.get(r.name) or _t(
            "tests.fisher_mc" if mc else "tests.fisher_exact", lang
        )
        digits = significant_decimals(se * m) if mc else 3
        floor = 10.0**-digits
        p = (
            "= –"
            if pd.isna(r.p_holm)
            else ("< " + _fmt(floor, lang, digits))
            if r.p_holm < floor
            else "= " + _fmt(r.p_holm, lang, digits)
        )
        parts.append(
            _t("test_option", lang, label=category_label(ct.row, r.option, lang), name=name, p=p)
        )
    if untestable:
        parts.append(_t("tests.untestable", lang, options=", ".join(untestable)))
    out = _t("test_head", lang) + "; ".join(parts)
    if mc_se:
        draws = int(frame["mc_draws"].dropna().iloc[0])
        seed = int(frame["mc_seed"].dropna().iloc[0])
        out += _t(
            "tests.mc_note",
            lang,
            draws=fmt_number(draws, lang, 0),
            seed=seed,
            se=_fmt(max(mc_se), lang, significant_decimals(max(mc_se), 8) + 1),
        )
    return out


def interpretation(ct: CrossTab, lang: str = "nl", min_cell: int = 0) -> str:
    """A plain sentence on what can and cannot be concluded at this n (computed, not typed).

    min_cell: the suppression threshold of the table it accompanies; the widest interval is
    then taken over the cells that are shown, so the sentence reveals no hidden cell.
    """
    lang = normalise_lang(lang)
    ct = protected(ct, min_cell)
    total = ct.bases.iloc[-1]
    cells = ct.cells
    if min_cell:
        cells = shown_cells(ct, min_cell)
        cells = cells[~cells["suppressed"]]
    widths = (cells["ci_high"] - cells["ci_low"]).dropna()
    widest = float(widths.max()) if len(widths) else float("nan")
    groups = ct.bases["records"].iloc[:-1]
    small = int(((groups > 0) & (groups < 30)).sum())  # empty groups are not columns shown
    if ct.test is not None:
        ps = [ct.test.p]
    else:
        ps = ct.option_tests["p_holm"].tolist()
    tested = [p for p in ps if not pd.isna(p)]
    significant = any(p < 0.05 for p in tested)
    wide = (
        _t("interpretation.wide", lang, width=_fmt(widest, lang))
        if not np.isnan(widest)
        else _t("interpretation.no_interval", lang)
    )
    out = _t(
        "interpretation.head",
        lang,
        records=_fmt(total.records, lang),
        unit=_t(f"unit.{ct.unit}", lang),
        in_orgs=_in_orgs(ct, lang),
        wide=wide,
        small=_t(
            "interpretation.small_" + ("none" if not small else "one" if small == 1 else "many"),
            lang,
            small=small,
        ),
    )
    if not tested:
        out += _t("interpretation.no_test", lang)
    elif ct.notice:  # synthetic data: no verdict, only what the test would mean on real data
        out += _t("interpretation.synthetic_test", lang)
    else:
        out += _t("interpretation." + ("significant" if significant else "not_significant"), lang)
    if ct.notice:
        out += _t("interpretation.synthetic", lang)
    return out
