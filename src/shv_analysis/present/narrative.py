"""Sentences with numbers, built from the data (the notebooks' markdown states no numbers).

Each function takes a dataset (or a Table computed from it) and a language and returns one
plain-text sentence; every number in it is counted here, never typed. With an empty base the
percentage reads 'n.v.t.' / 'n/a'.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from shv_analysis.analysis.crosstab_cells import TOTAL
from shv_analysis.analysis.crosstab_text import (
    crosstab_title,
    has_hidden_cells,
    interpretation,
    protected,
)
from shv_analysis.analysis.formatting import fmt_int, fmt_pct, pct
from shv_analysis.analysis.reproduction import skip_reasons as reproduction_skip_reasons
from shv_analysis.analysis.tables import Table, words
from shv_analysis.contract import codebook as cb
from shv_analysis.ingest.dataset import Dataset
from shv_analysis.ingest.division import Division
from shv_analysis.text import normalise_lang, text


def _t(key: str, lang: str, **fields) -> str:
    return text(f"narrative.{key}", lang, **fields)


def _join(parts: list[str], lang: str, word: str = "and") -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + _t(word, lang) + parts[-1]


def _subset(ds: Dataset, lang: str) -> str:
    if not ds.subset_label:
        return ""
    return _t("subset", lang, label=ds.subset_label)


def loaded(ds: Dataset, lang: str = "nl") -> str:
    """What was read: dataset name, records per table and warnings."""
    lang = normalise_lang(lang)
    return _t(
        "loaded",
        lang,
        name=ds.display_name(lang),
        subset=_subset(ds, lang),
        r=fmt_int(len(ds.respondenten), lang),
        e=fmt_int(len(ds.experimenten), lang),
        w=fmt_int(len(ds.warnings), lang),
    )


def coverage(ds: Dataset, lang: str = "nl") -> str:
    lang = normalise_lang(lang)
    n, base = len(ds.covered_municipalities()), ds.n_municipalities
    return _t(
        "coverage",
        lang,
        n=fmt_int(n, lang),
        base=fmt_int(base, lang),
        share=fmt_pct(pct(n, base), lang),
        year=ds.indeling,
    )


def division_text(division: Division, lang: str = "nl") -> str:
    """Which municipal division counts, and why: the declaration, the interview dates, or
    the assumption (`ingest.division.choose_division`).
    """
    lang = normalise_lang(lang)
    d = division.detail
    requested = d.get("requested", division.year)
    sentence = _t(
        f"division.{division.basis}",
        lang,
        year=division.year,
        n=fmt_int(division.size, lang),
        requested=requested,
        date_year=d.get("date_year", ""),
        k=fmt_int(d.get("k", 0), lang),
        total=fmt_int(d.get("total", 0), lang),
    )
    if requested != division.year:
        sentence += _t("division.same", lang, requested=requested, year=division.year)
    return sentence


def division(ds: Dataset, lang: str = "nl") -> str:
    """The sentence saying which municipal division the dataset is measured against, and why."""
    return division_text(ds.division, lang)


def experiments(ds: Dataset, lang: str = "nl") -> str:
    lang = normalise_lang(lang)
    e, r = len(ds.experimenten), len(ds.respondenten)
    k = int(ds.participating().sum())
    return _t(
        "experiments",
        lang,
        e=fmt_int(e, lang),
        k=fmt_int(k, lang),
        share=fmt_pct(pct(k, r), lang),
        r=fmt_int(r, lang),
    )


def participation(table: Table, lang: str = "nl") -> str:
    """The type that most often undertakes an experiment (`indicators.participation_by_type`)."""
    lang = normalise_lang(lang)
    m = table.meta
    rows = table.data[table.data["code"].ne(m["total"])].dropna(subset=["pct"])
    if rows.empty:
        return ""
    top = rows.iloc[0]
    ci = f"{fmt_pct(top['ci_low'], lang)}–{fmt_pct(top['ci_high'], lang)}"
    return _t(
        "participation",
        lang,
        label=top["category"],
        k=fmt_int(top["n"], lang),
        n=fmt_int(top["base"], lang),
        pct=fmt_pct(top["pct"], lang),
        c=f"{100 * m['confidence']:g}",
        ci=ci,
    )


def shares(table: Table, lang: str = "nl", top: int | None = None) -> str:
    """'Label (x%), label (y%) and label (z%) of all <base>', in the table's order."""
    lang = normalise_lang(lang)
    data = table.data[table.data["code"].ne("totaal")]
    if top:
        data = data.head(top)
    parts = [f"{row['category']} ({fmt_pct(row['pct'], lang)})" for _, row in data.iterrows()]
    all_ = words(lang)["all"]
    base = table.base.split(" ", 1)[-1] if table.base.startswith(all_ + " ") else table.base
    return _t(
        "shares",
        lang,
        title=table.title,
        parts=_join(parts, lang),
        n=fmt_int(table.n, lang),
        base=base,
    )


def most_common(table: Table, lang: str = "nl") -> str:
    """The first (most frequent) category of a table sorted as the report sorts."""
    lang = normalise_lang(lang)
    data = table.data[table.data["code"].notna() & table.data["code"].ne("totaal")]
    if data.empty or not table.n:
        return ""
    row = data.iloc[0]
    return _t(
        "most_common",
        lang,
        title=table.title,
        label=row["category"],
        k=fmt_int(row["n"], lang),
        n=fmt_int(table.n, lang),
        pct=fmt_pct(row["pct"], lang),
    )


def partners(ds: Dataset, lang: str = "nl") -> str:
    lang = normalise_lang(lang)
    exp = ds.experimenten
    n = len(exp)
    any_partner = int(exp[cb.multi_columns("partners")].any(axis=1).sum())
    signal = int(
        exp[[cb.multi_column("partners", c) for c in cb.SIGNAL_PARTNERS]].any(axis=1).sum()
    )
    names = _join(
        [cb.pilot_field("partners").code_label(c, lang).lower() for c in cb.SIGNAL_PARTNERS],
        lang,
        "or",
    )
    return _t(
        "partners",
        lang,
        any=fmt_int(any_partner, lang),
        n=fmt_int(n, lang),
        any_pct=fmt_pct(pct(any_partner, n), lang),
        signal=fmt_int(signal, lang),
        signal_pct=fmt_pct(pct(signal, n), lang),
        names=names,
    )


def _single_shares(ds: Dataset, field_name: str) -> tuple[dict[str, int], int]:
    values = ds.experimenten[field_name]
    return {c: int(values.eq(c).sum()) for c in cb.pilot_field(field_name).code_list}, len(values)


def effect_measurement(ds: Dataset, lang: str = "nl") -> str:
    lang = normalise_lang(lang)
    k, n = _single_shares(ds, "effectmeting")
    p = {c: fmt_pct(pct(v, n), lang) for c, v in k.items()}
    return _t(
        "effect_measurement",
        lang,
        yes=p["ja"],
        n=fmt_int(n, lang),
        no=p["nee"],
        unknown=p["onbekend"],
    )


def goals(ds: Dataset, lang: str = "nl") -> str:
    lang = normalise_lang(lang)
    values = ds.experimenten["doelen_geformuleerd"]
    k, n = int(values.fillna(False).astype(bool).sum()), len(values)
    return _t("goals", lang, k=fmt_int(k, lang), n=fmt_int(n, lang), pct=fmt_pct(pct(k, n), lang))


def transferable(ds: Dataset, lang: str = "nl") -> str:
    lang = normalise_lang(lang)
    k, n = _single_shares(ds, "overdraagbaar")
    return _t(
        "transferable",
        lang,
        pct=fmt_pct(pct(k["ja"], n), lang),
        n=fmt_int(n, lang),
        k=fmt_int(k["ja"], lang),
    )


def reproduction(table: Table, lang: str = "nl") -> str:
    """Summary of `indicators.reproduction`: how many published figures match."""
    lang = normalise_lang(lang)
    v = table.meta.get("verdicts", {})
    ok, near, off = (fmt_int(v.get(k, 0), lang) for k in ("ok", "near", "off"))
    return _t("reproduction", lang, n=fmt_int(table.n, lang), ok=ok, near=near, off=off)


def reproduction_skipped(ds: Dataset, lang: str = "nl") -> str | None:
    """Why section 99 does not compare with the published figures, or None when it does."""
    reasons = reproduction_skip_reasons(ds, lang)
    if not reasons:
        return None
    return _t("reproduction_skipped", lang, reasons=" ".join(reasons))


def crosstabs(ds: Dataset, lang: str = "nl", min_cell: int = 0) -> str:
    """Intro of the cross-tab section: what is compared, how small the groups are, whether
    the tables are illustrations (synthetic data) and whether small cells are suppressed.
    """
    lang = normalise_lang(lang)
    e, r = len(ds.experimenten), len(ds.respondenten)
    orgs = int(ds.experimenten["respondent_id"].nunique())
    out = _t(
        "crosstabs.intro", lang, e=fmt_int(e, lang), orgs=fmt_int(orgs, lang), r=fmt_int(r, lang)
    )
    if ds.synthetic:
        out += _t("crosstabs.synthetic", lang)
    if min_cell:
        out += _t("crosstabs.suppressed", lang, min_cell=fmt_int(min_cell, lang))
    else:
        out += _t("crosstabs.not_suppressed", lang)
    return out


def crosstab_not_compared(ct, lang: str = "nl") -> str | None:
    """Why a cross-tab is not shown, or None when it compares groups: every record of the
    data falls into one group of the column field, or into one category of a single-choice
    row field (a subset on that field, such as a report of `--each respondenttype`), or
    there are no records. One sentence that names the table, the field and the group.
    """
    lang = normalise_lang(lang)
    title = crosstab_title(ct, lang)
    unit = text(f"crosstab.unit.{ct.unit}", lang)
    bases = ct.bases[ct.bases["col"] != TOTAL]
    groups = bases.loc[bases["records"] > 0, "col"].tolist()
    if not groups:
        return text("crosstab.no_records", lang, title=title, unit=unit)
    if len(groups) == 1:
        field, code = ct.col, groups[0]
    elif ct.row.kind == "multi":  # options overlap: never one category
        return None
    else:
        rows = ct.cells.loc[(ct.cells["col"] == TOTAL) & (ct.cells["n"] > 0), "row"]
        if len(rows) != 1:
            return None
        field, code = ct.row, rows.iloc[0]
    return text(
        "crosstab.one_group",
        lang,
        title=title,
        unit=unit,
        col=field.label(lang).lower(),
        group=field.code_label(code, lang),
    )


def crosstab_sentence(ct, lang: str = "nl", min_cell: int = 0) -> str:
    """`crosstab_text.interpretation`, or, when the table hides a cell, the same opening without
    any test verdict (no p-value beside hidden cells; the table's footer says
    'Toets niet getoond: kleine aantallen.', so the sentence does not repeat it).
    """
    lang = normalise_lang(lang)
    ct = protected(ct, min_cell)
    if not has_hidden_cells(ct, min_cell):
        return interpretation(ct, lang, min_cell)
    blind = replace(ct, test=None, option_tests=pd.DataFrame({"p_holm": []}), notice=None)
    head = interpretation(blind, lang, min_cell)
    no_test = text("crosstab.interpretation.no_test", lang)
    out = (head[: -len(no_test)] if head.endswith(no_test) else head).rstrip()
    if ct.notice:
        out += text("crosstab.interpretation.synthetic", lang)
    return out


def evaluation_model(table: Table, lang: str = "nl") -> str:
    """What the clustered model (`evaluation.evaluation_model`) can and cannot say."""
    lang = normalise_lang(lang)
    result = table.meta.get("result")
    if result is None:
        return _t("model.not_estimable", lang)
    rows = result.table
    clear = int(((rows["ci_low"] > 1) | (rows["ci_high"] < 1)).sum())
    out = _t(
        "model.text",
        lang,
        n=fmt_int(result.n_obs, lang),
        k=fmt_int(result.n_clusters, lang),
        clear=fmt_int(clear, lang),
        terms=fmt_int(len(rows), lang),
    )
    if table.notice:
        out += _t("model.synthetic", lang)
    return out
