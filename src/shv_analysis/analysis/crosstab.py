"""Cross-tabs of a pilot (or respondent) field against a grouping field, with honest statistics.

Each cell: n, percentage of the column base and a 95% Wilson interval; a total column; a base
row with pilots and organisations per column. A single field is tested with chi-square or
Fisher (see `statistics.independence_test`); a multi-response field option by option with
Holm-adjusted p-values, never with one chi-square over a table of responses.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from shv_analysis.analysis.formatting import fmt_number
from shv_analysis.analysis.statistics import (
    TestResult,
    holm,
    independence_test,
    significant_decimals,
    wilson_interval,
)
from shv_analysis.analysis.suppression import suppress_cells
from shv_analysis.analysis.tables import Table, memo, subset_note, words
from shv_analysis.contract import codebook as cb
from shv_analysis.ingest.dataset import Dataset
from shv_analysis.text import LANGS, normalise_lang, text, texts

TOTAL = "totaal"
MISSING = "ontbreekt"  # no value; not a codebook code ('onbekend' is one: "Weet niet")
CELL_COLUMNS = ["row", "col", "n", "base", "pct", "ci_low", "ci_high"]


@dataclass
class CrossTab:
    """Cells (long form), the tests, and what the table is about."""

    row: cb.Field
    col: cb.Field
    cells: pd.DataFrame  # CELL_COLUMNS (+ suppressed)
    bases: pd.DataFrame  # col, pilots, organisations
    test: TestResult | None
    option_tests: pd.DataFrame | None  # multi: option, name, statistic, p, p_holm, cramers_v
    unit: str  # experimenten | respondenten
    notice: str | None = None
    subset_label: str | None = None
    meta: dict = field(default_factory=dict)

    def to_table(self, lang: str = "nl", min_cell: int = 0) -> Table:
        """Wide display table: one row per category, 'n (pct%)' per column, and footnotes."""
        return crosstab_table(self, lang, min_cell)

    def _repr_html_(self) -> str:
        return self.to_table()._repr_html_()


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


# ---------------------------------------------------------------- display


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
    if f.kind == "yesno" and f.codes:
        return f.code_label(code, lang)
    return f.code_label(code, lang) if f.codes else code


def _t(key: str, lang: str, **fields) -> str:
    return text(f"crosstab.{key}", lang, **fields)


def _fmt(value: float, lang: str, digits: int = 0) -> str:
    """As the report writes numbers: half up, decimal comma for 'nl' (`formatting`)."""
    return fmt_number(value, lang, digits)


def crosstab_table(ct: CrossTab, lang: str = "nl", min_cell: int = 0) -> Table:
    """Display table: 'n (pct%) [ci]' per cell, a base row, footnote with the test.

    Columns: `category` (the row labels; last row: the base) and one column per group code
    (`totaal` last), labelled with the group's codebook label.
    """
    lang = normalise_lang(lang)
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
    title = _t("title", lang, row=ct.row.label(lang), col=ct.col.label(lang).lower())
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
    """`ct.cells` with `suppressed` (bool) and `suppression` ("primary", "secondary", None)."""
    if not min_cell:
        return ct.cells.assign(suppressed=False, suppression=None)
    multi = ct.row.kind == "multi"
    return memo(ct, ("shown", min_cell), lambda: suppress_cells(ct.cells, min_cell, multi)).copy()


def has_hidden_cells(ct: CrossTab, min_cell: int) -> bool:
    """True when the table suppresses a cell: then no test statistic, p or V is shown."""
    return bool(min_cell) and bool(shown_cells(ct, min_cell)["suppressed"].any())


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


def _footnote(ct: CrossTab, lang: str, min_cell: int, kinds: set | None = None) -> str:
    total = ct.bases.iloc[-1]
    out = _t(
        "footnote",
        lang,
        n=total.records,
        unit=_t(f"unit.{ct.unit}", lang),
        orgs=total.organisations,
    )
    if ct.row.kind == "multi":
        out += _t("multi", lang)
    if ct.unit == cb.EXPERIMENTEN:
        out += _t("clustered", lang)
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
    mc_se = [se for se in frame.get("mc_se", pd.Series(dtype=float)) if pd.notna(se)]
    for r in frame.itertuples(index=False):
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
    total = ct.bases.iloc[-1]
    cells = ct.cells
    if min_cell:
        cells = suppress_cells(cells, min_cell, ct.row.kind == "multi")
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
        orgs=_fmt(total.organisations, lang),
        wide=wide,
        small=small,
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


# ---------------------------------------------------------------- clustered model

MIN_LEVEL_SIZE = 10


MIN_LEVEL_EVENTS = 3  # fewest outcomes of either kind (events, non-events) a level may have


def _sparse(values: pd.Series, outcome: pd.Series | None, minimum: int) -> pd.Series:
    """Per level: too few records, or (with an outcome) too few events or non-events."""
    counts = values.value_counts()
    small = counts < minimum
    if outcome is not None:
        known = outcome.notna()
        events = outcome[known].astype(bool).groupby(values[known]).agg(["sum", "count"])
        events = events.reindex(counts.index, fill_value=0)
        small |= (events["sum"] < MIN_LEVEL_EVENTS) | (
            events["count"] - events["sum"] < MIN_LEVEL_EVENTS
        )
    return small


def _pool_rare(
    values: pd.Series, label: str, minimum: int = MIN_LEVEL_SIZE, outcome: pd.Series | None = None
) -> pd.Series:
    """Levels with fewer than `minimum` records (or, given `outcome`, fewer than
    `MIN_LEVEL_EVENTS` events or non-events) pooled into one, so the model stays estimable.
    """
    small = _sparse(values, outcome, minimum)
    rare = small[small].index
    return values.where(~values.isin(rare), label)


def _pool_ordered(
    values: pd.Series,
    order: list[str],
    minimum: int = MIN_LEVEL_SIZE,
    outcome: pd.Series | None = None,
) -> pd.Series:
    """Ordered classes with fewer than `minimum` records (or, given `outcome`, fewer than
    `MIN_LEVEL_EVENTS` events or non-events) merged into the next class up.
    """
    values = values.astype(object)

    def sparse(codes: list[str]) -> bool:
        inside = values.isin(codes)
        if inside.sum() < minimum:
            return True
        if outcome is None:
            return False
        known = outcome[inside & outcome.notna()].astype(bool)
        return bool(known.sum() < MIN_LEVEL_EVENTS or (~known).sum() < MIN_LEVEL_EVENTS)

    groups: list[list[str]] = []
    for code in order:
        if groups and sparse(groups[-1]):
            groups[-1].append(code)
        else:
            groups.append([code])
    if len(groups) > 1 and sparse(groups[-1]):
        groups[-2].extend(groups.pop())
    mapping = {code: "+".join(g) for g in groups for code in g}
    return values.map(mapping).where(values.notna(), None)


def evaluation_model(ds: Dataset, lang: str = "nl") -> Table:
    """Logit of 'effectiveness measurement planned' on size, type and goals, clustered SEs.

    Types with fewer than 10 pilots are pooled; a population class with fewer than 10 pilots
    is merged with the next class up. When the data cannot support the model the
    table holds the plain reason instead of estimates.
    """
    from shv_analysis.analysis.models import ModelNotEstimable, clustered_logit

    lang = normalise_lang(lang)
    m = texts("crosstab.model", lang)
    pilots = ds.pilots()
    pooled = m["pooled"]
    planned = pilots["effectmeting"].eq("ja").where(pilots["effectmeting"].notna())
    data = pd.DataFrame(
        {
            "gepland": planned,
            "grootteklasse": _pool_ordered(
                pilots["grootteklasse"],
                cb.get_field(cb.RESPONDENTEN, "grootteklasse").code_list,
                outcome=planned,
            ),
            "type": _pool_rare(pilots["type"].astype(object), pooled, outcome=planned),
            "doelen_geformuleerd": pilots["doelen_geformuleerd"].astype("boolean"),
            "respondent_id": pilots["respondent_id"],
        }
    )
    title = m["title"]
    try:
        result = clustered_logit(
            data,
            "gepland",
            ["grootteklasse", "type", "doelen_geformuleerd"],
            "respondent_id",
            reference_levels={"type": "vroegsignalering"},
        )
    except ModelNotEstimable as exc:
        reason = m["not_estimable"].format(reason=exc)
        return Table(
            data=pd.DataFrame({"reason": [reason]}),
            title=title,
            footnote=reason,
            key="model_effectmeting",
            n=len(data),
            base="",
            notice=ds.notice(lang),
            labels={"reason": ""},
        )
    table = result.table.rename(columns={"term": "code", "ci_low": "or_low", "ci_high": "or_high"})
    labels = {c: m[c] for c in ("term", "odds_ratio", "or_low", "or_high", "p")}
    refs = "; ".join(
        _t(
            "model.reference",
            lang,
            field=cb.any_field(name).label(lang),
            level=_level_label(name, level, lang),
        )
        for name, level in result.reference_levels.items()
    )
    footnote = m["footnote"].format(
        n=result.n_obs, k=result.n_clusters, df=result.n_clusters - 1, refs=refs
    )
    table.insert(1, "term", [_term_label(t, lang) for t in table["code"]])
    # code, term, odds_ratio, or_low, or_high, p; the code stays in the CSV
    return Table(
        data=table,
        title=title,
        footnote=footnote,
        key="model_effectmeting",
        n=result.n_obs,
        base=_t(f"unit.{cb.EXPERIMENTEN}", lang),
        notice=ds.notice(lang),
        meta={"result": result, "decimals": {"odds_ratio": 2, "or_low": 2, "or_high": 2, "p": "p"}},
        labels=labels,
    )


def _term_label(term: str, lang: str) -> str:
    """'grootteklasse[T.50k_100k]' -> 'Inwonersaantal: 50.000 tot 100.000 inwoners'."""
    import re

    match = re.fullmatch(r"(\w+)\[T\.(.+)\]", term)
    if not match:
        return term
    name, level = match.groups()
    try:
        f = cb.any_field(name)
    except KeyError:
        return term
    return f"{f.label(lang)}: {_level_label(name, level, lang)}"


def _level_label(name: str, level: str, lang: str) -> str:
    """A model level in words: codebook labels, pooled classes joined by ' + ', ja/nee for bools."""
    f = cb.any_field(name)
    if f.kind == "yesno":
        level = {"True": "ja", "False": "nee"}.get(level, level)
    parts = [f.code_label(code, lang) if code in f.code_list else code for code in level.split("+")]
    return " + ".join(parts)
