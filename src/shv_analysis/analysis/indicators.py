"""The report's tables beyond plain frequencies, each a `Table` with n, base and footnote.

Coverage, participation by respondent type with Wilson intervals, experiments by respondent
type, the data-quality tables of section 00 and the reproduction table of section 99.
Every label comes from the codebook (or, for published figures, from
`published_figures.csv`); nothing here formats numbers for prose (see `narrative`).
"""

from __future__ import annotations

import re

import pandas as pd

from shv_analysis.analysis.formatting import pct
from shv_analysis.analysis.tables import (
    Table,
    column_labels,
    frequency,
    sort_report_order,
    subset_note,
    words,
)
from shv_analysis.contract import codebook as cb
from shv_analysis.ingest.dataset import Dataset
from shv_analysis.text import LANGS, normalise_lang, texts

# How the report orders each field's categories: by frequency for types, effects and partners
# (with 'overig' last); in codebook order for phases (process order), target groups, reasons
# and the single-choice answers.
REPORT_SORT = {"type": "desc", "verwachte_effecten": "desc", "partners": "desc"}


def as_reported(ds: Dataset, field_name: str, lang: str = "nl") -> Table:
    """Frequency table of a field, its categories in the report's order (`REPORT_SORT`)."""
    lang = normalise_lang(lang)
    return frequency(ds, field_name, lang, sort=REPORT_SORT.get(field_name, "codebook"))


def _w(lang: str) -> dict:
    """The texts of this module's tables (catalogue section `indicators`)."""
    return texts("indicators", lang)


def _subset_note(ds: Dataset, lang: str) -> str:
    return subset_note(ds.subset_label, lang)


def coverage(ds: Dataset, lang: str = "nl") -> Table:
    """Distinct municipalities over all respondents against those of the dataset's division
    (355 of 1-1-2019, 342 of 1-1-2024).
    """
    lang = normalise_lang(lang)
    w = _w(lang)
    n, base = len(ds.covered_municipalities()), ds.n_municipalities
    data = pd.DataFrame(
        {
            "code": ["gedekt"],
            "category": [w["coverage_row"]],
            "n": [n],
            "base": [base],
            "pct": [pct(n, base)],
        }
    )
    return Table(
        data=data,
        title=w["coverage_title"],
        footnote=w["coverage_note"].format(n=n, base=base, year=ds.indeling)
        + _subset_note(ds, lang),
        key="dekking",
        n=base,
        base=w["municipalities"],
        notice=ds.notice(lang),
        meta={"numerator": n, "denominator": base},
        labels=column_labels(lang),
    )


def participation_by_type(ds: Dataset, lang: str = "nl", confidence: float = 0.95) -> Table:
    """Per respondent type (and in total): respondents, those with an experiment, % and the
    Wilson interval; sorted by participation as the report sorts, total last.
    """
    lang = normalise_lang(lang)
    from shv_analysis.analysis.statistics import wilson_interval

    w, tw = _w(lang), words(lang)
    f = cb.get_field(cb.RESPONDENTEN, "respondenttype")
    resp = ds.respondenten
    taking_part = ds.participating().to_numpy()
    k = [int((resp["respondenttype"].eq(c).to_numpy() & taking_part).sum()) for c in f.code_list]
    n = [int(resp["respondenttype"].eq(c).sum()) for c in f.code_list]
    rows = pd.DataFrame({"code": f.code_list, "n": k, "size": n})
    rows["pct"] = [pct(a, b) for a, b in zip(k, n)]
    rows = rows.sort_values(["pct", "size"], ascending=False, kind="stable", na_position="last")
    total = pd.DataFrame(
        {
            "code": ["totaal"],
            "n": [int(taking_part.sum())],
            "size": [len(resp)],
            "pct": [pct(int(taking_part.sum()), len(resp))],
        }
    )
    rows = pd.concat([rows, total], ignore_index=True)
    low, high = wilson_interval(rows["n"].to_numpy(), rows["size"].to_numpy(), confidence)
    c = f"{100 * confidence:g}"
    headers = {
        "category": tw["category"],
        "n": w["with"],
        "base": w["resp"],
        "pct": w["part"],
        "ci_low": w["low"].format(c=c),
        "ci_high": w["high"].format(c=c),
    }
    labels = [
        tw["total"] if code == "totaal" else f.code_label(code, lang) for code in rows["code"]
    ]
    data = pd.DataFrame(
        {
            "code": rows["code"].to_list(),
            "category": labels,
            "n": rows["n"].to_list(),
            "base": rows["size"].to_list(),
            "pct": rows["pct"].to_list(),
            "ci_low": list(100 * pd.Series(low, dtype=float)),
            "ci_high": list(100 * pd.Series(high, dtype=float)),
        }
    )
    return Table(
        data=data,
        title=w["part_title"],
        footnote=w["part_note"].format(n=len(resp), c=c) + _subset_note(ds, lang),
        key="deelname_type",
        n=len(resp),
        base=tw["respondents"],
        notice=ds.notice(lang),
        meta={"confidence": confidence, "total": "totaal"},
        labels=headers,
    )


def experiments_by_type(ds: Dataset, lang: str = "nl") -> Table:
    """Share of all experiments per respondent type, sorted by share as the report does."""
    lang = normalise_lang(lang)
    w, tw = _w(lang), words(lang)
    f = cb.get_field(cb.RESPONDENTEN, "respondenttype")
    pilots = ds.pilots()
    total = len(pilots)
    rows = pd.DataFrame(
        {
            "code": f.code_list,
            "n": [int(pilots["respondenttype"].eq(c).sum()) for c in f.code_list],
            "base": total,
        }
    )
    rows = sort_report_order(rows)
    data = pd.DataFrame(
        {
            "code": rows["code"],
            "category": [f.code_label(c, lang) for c in rows["code"]],
            "n": rows["n"],
            "base": rows["base"],
            "pct": [pct(a, total) for a in rows["n"]],
        }
    )
    return Table(
        data=data,
        title=w["share_title"],
        footnote=w["share_note"].format(n=total) + _subset_note(ds, lang),
        key="experimenten_respondenttype",
        n=total,
        base=f"{tw['all']} {tw['pilots']}",
        notice=ds.notice(lang),
        labels=column_labels(lang),
    )


# ---------------------------------------------------------------- data quality (section 00)


def records(ds: Dataset, lang: str = "nl") -> Table:
    """What was read: records per table, respondents with an experiment, coverage, warnings."""
    lang = normalise_lang(lang)
    w = _w(lang)
    r, e = len(ds.respondenten), len(ds.experimenten)
    data = pd.DataFrame(
        {
            "code": [
                "respondenten",
                "experimenten",
                "met_experiment",
                "gedekte_gemeenten",
                "waarschuwingen",
            ],
            "item": [
                w["rec_resp"],
                w["rec_exp"],
                w["rec_part"],
                w["rec_cov"].format(n=ds.n_municipalities),
                w["rec_warn"],
            ],
            "count": [
                r,
                e,
                int(ds.participating().sum()),
                len(ds.covered_municipalities()),
                len(ds.warnings),
            ],
        }
    )
    return Table(
        data=data,
        title=w["records_title"],
        footnote=w["records_note"].format(r=r, e=e) + _subset_note(ds, lang),
        key="records",
        n=r + e,
        base=words(lang)["all"] + " records",
        notice=ds.notice(lang),
        labels={"item": w["item"], "count": w["count"]},
    )


#: The kinds of check warning, by the start of their (English, CLI) message; a kind's text
#: in the report language is `indicators.warning_kind.<kind>` in the catalogue.
WARNING_KINDS: tuple[tuple[str, re.Pattern], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("personal", r"^personal data"),
        ("empty_rows", r"^\d+ empty row\(s\) skipped"),
        ("headerless", r"^column without a header"),
        ("merged", r"^merged cells"),
        ("lock", r"^lock file found"),
        ("metadata", r"^unreadable metadata"),
        ("province", r"^read as '.*' \(the reference's spelling\)"),
        ("g4", r"^respondent type is G4/G40 but"),
        ("inhabitants", r"^inhabitants unknown"),
        ("empty_table", r"^table '.*' holds no records"),
        ("decision_duplicate", r"^another decision for"),
        ("decision_unused", r".*a typed value is never overwritten"),
        ("decision_filled", r"^\d+ empty cell\(s\) of .* filled from coding decisions"),
        ("formula", r"^formula without a stored result"),
    )
)


def warning_kind(message: str) -> str:
    """The kind of a check warning (a key of `WARNING_KINDS`, else "other")."""
    return next((kind for kind, pattern in WARNING_KINDS if pattern.match(message)), "other")


def _row_ranges(rows: list[int]) -> str:
    rows = sorted(set(rows))
    parts, i = [], 0
    while i < len(rows):
        j = i
        while j + 1 < len(rows) and rows[j + 1] == rows[j] + 1:
            j += 1
        parts.append(str(rows[i]) if i == j else f"{rows[i]}–{rows[j]}")
        i = j + 1
    return ", ".join(parts)


def warnings_table(ds: Dataset, lang: str = "nl") -> Table:
    """The check's warnings summarised in the report language: one row per kind of warning,
    file and column, with the spreadsheet rows and the number of warnings.

    The messages themselves (English, with the values) are those of `shv check`; the report
    names the kind of each (`warning_kind`, text `indicators.warning_kind.<kind>`) and shows
    no values, so nothing personal can slip through.
    """
    lang = normalise_lang(lang)
    w = _w(lang)
    groups: dict[tuple[str, str, str], list] = {}
    for p in ds.warnings:
        key = (warning_kind(p.message), p.file, p.column or "")
        groups.setdefault(key, []).append(p.row)
    keys = list(groups)
    data = pd.DataFrame(
        {
            "code": [k[0] for k in keys],
            "kind": [w[f"warning_kind.{k[0]}"] for k in keys],
            "file": [k[1] for k in keys],
            "column": [k[2] for k in keys],
            "rows": [_row_ranges([r for r in groups[k] if r is not None]) for k in keys],
            "count": pd.array([len(groups[k]) for k in keys], dtype="Int64"),
        }
    )
    labels = {
        "kind": w["warning_column.kind"],
        "file": w["file"],
        "column": w["column"],
        "rows": w["warning_column.rows"],
        "count": w["warning_column.count"],
    }
    return Table(
        data=data,
        title=w["warn_title"],
        footnote=w["warn_note"].format(n=len(ds.warnings)),
        key="waarschuwingen",
        n=len(ds.warnings),
        base=w["rec_warn"].lower(),
        notice=ds.notice(lang),
        labels=labels,
    )


def _missing_count(frame: pd.DataFrame, f: cb.Field) -> int | None:
    if f.kind == "multi":
        cols = [
            c for c in (cb.multi_column(f.name, code) for code in f.code_list) if c in frame.columns
        ]
        return int((~frame[cols].any(axis=1)).sum()) if cols else None
    if f.name not in frame.columns:
        return None
    values = frame[f.name]
    missing = values.isna()
    if values.dtype == object or str(values.dtype) == "str":
        missing |= values.astype(str).str.strip().eq("")
    return int(missing.sum())


def missing_values(ds: Dataset, lang: str = "nl") -> Table:
    """Per contract field: how many records have no value, of all records of its table."""
    lang = normalise_lang(lang)
    w = _w(lang)
    rows = []
    for table, frame in ((cb.RESPONDENTEN, ds.respondenten), (cb.EXPERIMENTEN, ds.experimenten)):
        label = cb.TABLE_LABELS[table][LANGS.index(lang)]
        for f in ds.codebook.fields(table):
            n = _missing_count(frame, f)
            if n is None:
                continue
            rows.append(
                {
                    "code": f"{table}.{f.name}",
                    "table": label,
                    "field": f.label(lang),
                    "required": w["yes"] if f.required else w["no"],
                    "missing": n,
                    "base": len(frame),
                    "missing_pct": pct(n, len(frame)),
                }
            )
    data = pd.DataFrame(rows)
    labels = {c: w[c] for c in ("table", "field", "required", "missing", "missing_pct")}
    labels["base"] = words(lang)["base"]
    r, e = len(ds.respondenten), len(ds.experimenten)
    return Table(
        data=data,
        title=w["miss_title"],
        footnote=w["miss_note"].format(r=r, e=e) + _subset_note(ds, lang),
        key="ontbrekend",
        n=r + e,
        base=words(lang)["all"] + " records",
        notice=ds.notice(lang),
        labels=labels,
    )


# ---------------------------------------------------------------- reproduction (section 99)


def reproduction(ds: Dataset, lang: str = "nl") -> Table:
    """`reproduction.reproduction_table` as a labelled Table."""
    lang = normalise_lang(lang)
    from shv_analysis.analysis.reproduction import reproduction_table

    w = _w(lang)
    frame = reproduction_table(ds, lang)
    codes = (
        "figure",
        "description",
        "unit",
        "published",
        "reproduced",
        "numerator",
        "denominator",
        "deviation",
        "verdict",
    )
    data = pd.DataFrame(
        {
            "code": frame["verdict"],
            "figure": frame["figure_id"],
            "description": frame["label"],
            "unit": frame["unit"],
            "published": frame["published"],
            "reproduced": frame["reproduced"],
            "numerator": frame["numerator"],
            "denominator": frame["denominator"].astype("Int64"),
            "deviation": frame["deviation"],
            "verdict": frame["verdict_text"],
        }
    )
    return Table(
        data=data,
        title=w["repro_title"],
        footnote=w["repro_note"].format(n=len(frame)) + _subset_note(ds, lang),
        key="reproductie",
        n=len(frame),
        base="published_figures.csv",
        notice=ds.notice(lang),
        meta={
            "verdicts": frame["verdict"].value_counts().to_dict(),
            # shown: no ids, units in words, counts as integers, percentages
            # with one decimal (the CSV keeps ids, codes and full precision)
            "hide": ["figure"],
            "value_labels": {"unit": {u: w[f"repro_unit.{u}"] for u in ("count", "pct")}},
            "unit_decimals": {
                "column": "unit",
                "columns": ["reproduced", "deviation"],
                "count": 0,
                "pct": 1,
            },
        },
        labels={c: w[f"repro_column.{c}"] for c in codes},
    )
