"""Frequency tables with n, base and percentage of the stated base, as displayable `Table`s.

Single choice: one row per code (plus a missing row when values are missing), percent of all
records. Multi response: percent of cases, base = all records, "not ticked" counted as no,
so percentages need not sum to 100.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from shv_analysis.analysis.formatting import fmt_number
from shv_analysis.contract import codebook as cb
from shv_analysis.ingest.dataset import Dataset
from shv_analysis.text import normalise_lang, text, texts


def words(lang: str) -> dict[str, str]:
    """The common words and column headers of tables in `lang` (catalogue section `table`).

    Raises:
        ValueError: for an unknown language.
    """
    return texts("table", lang)


def subset_note(label: str | None, lang: str = "nl") -> str:
    """' Subset: <label>.' for a footnote of a subset's table, '' for the whole dataset."""
    return text("table.subset", lang, label=label) if label else ""


# Column codes holding percentages (and those ending in "_pct"): one decimal when shown,
# number format 0.0 in a workbook.
PERCENT_CODES = frozenset({"pct", "ci_low", "ci_high"})

#: A displayed value that is a number: a count or percentage, optionally with a bracketed
#: interval, "n / m", a suppression mark ("<5") or a dash.
NUMBER_TEXT = re.compile(
    r"^\s*(?:[<>≤≥]\s*)?[-−+]?\d[\d.,]*\s*%?(?:\s*\(.*\))?"
    r"(?:\s*/\s*\d[\d.,]*)?\s*$|^\s*[-–—]\s*$|^\s*x\s*$"  # x: a secondary-suppressed count
)


def html_table(frame: pd.DataFrame, numeric: list[bool]) -> str:
    """A displayed table as HTML: `frame`'s headers and values (escaped, missing as empty),
    each cell classed `shv-num` (right-aligned) or `shv-text` (left) by `numeric`.
    """
    classes = ["shv-num" if is_number else "shv-text" for is_number in numeric]
    head = "".join(
        f'<th class="{c}">{html.escape(str(h))}</th>' for c, h in zip(classes, frame.columns)
    )
    rows = []
    for record in frame.itertuples(index=False, name=None):
        cells = "".join(
            f'<td class="{c}">{"" if _missing(v) else html.escape(str(v))}</td>'
            for c, v in zip(classes, record)
        )
        rows.append(f"<tr>{cells}</tr>")
    return (
        f'<table class="shv-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def is_percent(column) -> bool:
    """True for a percentage column code: `pct`, `ci_low`, `ci_high` or `<name>_pct`."""
    code = str(column)
    return code in PERCENT_CODES or code.endswith("_pct")


@dataclass
class Table:
    """A result table that always carries its n, base and footnote (and the synthetic notice).

    `data` holds data: its columns are stable codes (`code`, `category`, `n`, `base`, `pct`,
    `ci_low`, `ci_high`, ...), which other code uses to find a column. `labels` maps a code
    to its display header in the table's language (a code without a label is shown as is);
    headers are applied only when the table is shown (`formatted`, `_repr_html_`), exported
    (`labelled`, `present.export`) or charted.
    """

    data: pd.DataFrame
    title: str
    footnote: str
    key: str
    n: int
    base: str
    notice: str | None = None
    test: str | None = None
    meta: dict = field(default_factory=dict)
    labels: dict = field(default_factory=dict)

    def header(self, column) -> str:
        """The display header of column code `column`."""
        return str(self.labels.get(column, column))

    def headers(self) -> list[str]:
        """Display headers of all columns, in order."""
        return [self.header(c) for c in self.data.columns]

    def percent_columns(self) -> list:
        """Codes of the percentage columns (`is_percent`, or listed in `meta["percent"]`)."""
        extra = set(self.meta.get("percent", ()))
        return [c for c in self.data.columns if is_percent(c) or c in extra]

    def labelled(self) -> pd.DataFrame:
        """Copy of `data` with the display headers as column names (values unchanged)."""
        out = self.data.copy()
        out.columns = self.headers()
        return out

    def footer(self) -> str:
        parts = [self.footnote]
        if self.test:
            parts.append(self.test)
        if self.notice:
            parts.append(self.notice)
        return "\n".join(p for p in parts if p)

    def formatted(self) -> pd.DataFrame:
        """Display copy: percentages with one decimal (rounded half up, as the report rounds;
        decimal comma when `meta["lang"]` is 'nl'), counts as integers, and the columns
        named in `meta["decimals"]` ({column code: decimals, or "p" for p-values: three
        decimals, '< 0,001' below that}); columns named by their display headers.
        """
        lang = normalise_lang(self.meta.get("lang", "en"))
        out = self.shown_data()
        decimals = self.meta.get("decimals", {})
        percent = set(self.percent_columns())
        by_unit = self.meta.get("unit_decimals")
        for col, labels in self.meta.get("value_labels", {}).items():
            if col in out.columns:
                out[col] = out[col].map(lambda v, m=labels: m.get(v, v))
        for col in out.columns:
            digits = decimals.get(col)
            if by_unit and col in by_unit["columns"]:
                units = self.data.loc[out.index, by_unit["column"]]
                out[col] = [
                    ("" if pd.isna(v) else fmt_number(v, lang, by_unit.get(u, 1)))
                    for v, u in zip(out[col], units)
                ]
                continue
            if digits is None and col in percent:
                digits = 1
            if digits is None and pd.api.types.is_float_dtype(out[col]):
                whole = out[col].dropna()
                if len(whole) and (whole == whole.round()).all():
                    digits = 0  # a float column of whole numbers: shown as integers
            if digits == "p":
                small = "< " + fmt_number(0.001, lang, 3)
                out[col] = out[col].map(
                    lambda v, small=small: (
                        "" if pd.isna(v) else small if v < 0.001 else fmt_number(v, lang, 3)
                    )
                )
            elif digits is not None:
                out[col] = out[col].map(
                    lambda v, d=digits: "" if pd.isna(v) else fmt_number(v, lang, d)
                )
        out.columns = [self.header(c) for c in out.columns]
        return out

    def shown_data(self) -> pd.DataFrame:
        """Copy of `data` without the columns listed in `meta["hide"]` (kept in exports)."""
        return self.data.drop(columns=list(self.meta.get("hide", ())), errors="ignore")

    def numeric_columns(self) -> list[bool]:
        """Per column: does it hold numbers (right-aligned when shown) or text (left)?

        Numeric dtypes and percentage columns are numbers; a text column is a number column
        when every value reads as one (`NUMBER_TEXT`: "24 (59%; 43–72)", "<5", "41 / 26").
        """
        percent = set(self.percent_columns())
        if self.meta.get("unit_decimals"):
            percent |= set(self.meta["unit_decimals"]["columns"])
        out = []
        shown = self.shown_data()
        for col in shown.columns:
            values = shown[col]
            if col in percent or (
                pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
            ):
                out.append(True)
                continue
            texts_ = [str(v) for v in values if not _missing(v) and str(v).strip()]
            out.append(bool(texts_) and all(NUMBER_TEXT.match(v) for v in texts_))
        return out

    def _repr_html_(self) -> str:
        # The synthetic notice is shown once per page (`Section.notice`), not per table.
        body = html_table(self.formatted(), self.numeric_columns())
        small = "\n".join(p for p in (self.footnote, self.test) if p)
        foot = "<br>".join(html.escape(line) for line in small.splitlines())
        return (
            f'<div class="shv-table-block"><p><strong>{html.escape(self.title)}</strong></p>'
            f'{body}<p style="font-size:90%">{foot}</p></div>'
        )

    def __repr__(self) -> str:
        return f"{self.title}\n{self.formatted().to_string(index=False)}\n{self.footer()}"


def _records(ds: Dataset, table: str) -> pd.DataFrame:
    return ds.pilots() if table == cb.EXPERIMENTEN else ds.respondenten


def _base_name(table: str, lang: str) -> str:
    return words(lang)["pilots" if table == cb.EXPERIMENTEN else "respondents"]


def counts(ds: Dataset, field_name: str, table: str | None = None) -> pd.DataFrame:
    """Code, n and base for one single or multi field (the numbers behind a frequency table)."""
    book = ds.codebook
    f = book.get_field(table, field_name) if table else book.any_field(field_name)
    records = _records(ds, f.table)
    base = len(records)
    if f.kind == "multi":
        n = [int(records[cb.multi_column(f.name, c)].sum()) for c in f.code_list]
        return pd.DataFrame({"code": f.code_list, "n": n, "base": base})
    if f.kind == "yesno":
        values = records[f.name].map({True: "ja", False: "nee"})
    else:
        values = records[f.name]
    vc = values.value_counts(dropna=True)
    rows = pd.DataFrame({"code": f.code_list, "n": [int(vc.get(c, 0)) for c in f.code_list]})
    missing = int(values.isna().sum())
    if missing:
        rows = pd.concat([rows, pd.DataFrame({"code": [None], "n": [missing]})], ignore_index=True)
    rows["base"] = base
    return rows


def extension_fields(ds: Dataset) -> list[cb.Field]:
    """The coded fields the dataset's own codebook adds (experiments first, then respondents);
    empty for the package's codebook, so a section that loops over them shows nothing.
    """
    book = ds.codebook
    return book.extra_fields(cb.EXPERIMENTEN) + book.extra_fields(cb.RESPONDENTEN)


def extension_note(ds: Dataset, lang: str = "nl") -> str:
    """The sentence introducing the tables of `extension_fields` ('' when there are none)."""
    found = extension_fields(ds)
    if not found:
        return ""
    return text(
        "extension.fields", normalise_lang(lang), fields=", ".join(f.label(lang) for f in found)
    )


def frequency(
    ds: Dataset,
    field_name: str,
    lang: str = "nl",
    table: str | None = None,
    sort: str = "codebook",
    title: str | None = None,
) -> Table:
    """Frequency table of one field: label, n, base, % of the base, with its footnote.

    sort: 'codebook' keeps the codebook order (phases in process order); 'desc' sorts by n
    descending with 'overig' last, as the report sorts types and effects.
    """
    lang = normalise_lang(lang)
    book = ds.codebook
    f = book.get_field(table, field_name) if table else book.any_field(field_name)
    w = words(lang)
    rows = counts(ds, f.name, f.table)
    rows["pct"] = 100 * rows["n"] / rows["base"].where(rows["base"] > 0)
    if sort == "desc":
        rows = sort_report_order(rows)
    labels = [w["missing"] if c is None else f.code_label(c, lang) for c in rows["code"]]
    data = pd.DataFrame(
        {
            "code": rows["code"],
            "category": labels,
            "n": rows["n"],
            "base": rows["base"],
            "pct": rows["pct"],
        }
    )
    base_name = _base_name(f.table, lang)
    n = int(rows["base"].iloc[0]) if len(rows) else 0
    note = w["multi" if f.kind == "multi" else "single"].format(base=base_name)
    footnote = text("table.footnote", lang, n=n, base=base_name, note=note)
    footnote += subset_note(ds.subset_label, lang)
    return Table(
        data=data,
        title=title or f.label(lang),
        footnote=footnote,
        key=f"{f.table}_{f.name}",
        n=n,
        base=f"{w['all']} {base_name}",
        notice=ds.notice(lang),
        meta={"field": f.name, "kind": f.kind},
        labels=column_labels(lang),
    )


def column_labels(lang: str, *codes: str) -> dict[str, str]:
    """Display headers of the common column codes (category, n, base, pct) in `lang`."""
    w = words(lang)
    return {code: w[code] for code in (codes or ("category", "n", "base", "pct"))}


def sort_report_order(rows: pd.DataFrame) -> pd.DataFrame:
    """By n descending (ties: codebook order), 'overig' and missing last, as the report does."""
    rows = rows.reset_index(drop=True)
    rows["_last"] = rows["code"].isin(["overig"]) | rows["code"].isna()
    rows["_pos"] = range(len(rows))
    rows = rows.sort_values(["_last", "n", "_pos"], ascending=[True, False, True])
    return rows.drop(columns=["_last", "_pos"]).reset_index(drop=True)


def respondents_by_type(ds: Dataset, lang: str = "nl") -> Table:
    """Respondents per type, with how many undertake an experiment (participation)."""
    lang = normalise_lang(lang)
    w = words(lang)
    head = texts("table.by_type", lang)
    f = cb.get_field(cb.RESPONDENTEN, "respondenttype")
    resp = ds.respondenten.assign(_deelname=ds.participating().to_numpy())
    grouped = resp.groupby("respondenttype", observed=True)["_deelname"].agg(["size", "sum"])
    grouped = grouped.reindex(f.code_list, fill_value=0)
    pilots = ds.pilots().groupby("respondenttype").size().reindex(f.code_list, fill_value=0)
    data = pd.DataFrame(
        {
            "code": f.code_list,
            "category": [f.code_label(c, lang) for c in f.code_list],
            "respondents": grouped["size"].to_numpy(),
            "with_experiment": grouped["sum"].to_numpy(),
            "participation_pct": 100
            * grouped["sum"].to_numpy()
            / grouped["size"].where(grouped["size"] > 0).to_numpy(),
            "pilots": pilots.to_numpy(),
            "pilots_pct": 100 * pilots.to_numpy() / max(len(ds.experimenten), 1),
        }
    )
    total = {
        "code": "totaal",
        "category": w["total"],
        "respondents": len(resp),
        "with_experiment": int(resp["_deelname"].sum()),
        "participation_pct": 100 * resp["_deelname"].mean() if len(resp) else float("nan"),
        "pilots": len(ds.experimenten),
        "pilots_pct": 100.0 if len(ds.experimenten) else None,
    }
    labels = {
        "category": w["category"],
        **{
            c: head[c]
            for c in ("respondents", "with_experiment", "participation_pct", "pilots", "pilots_pct")
        },
    }
    data = pd.concat([data, pd.DataFrame([total])], ignore_index=True)
    footnote = head["footnote"].format(r=len(resp), e=len(ds.experimenten))
    return Table(
        data=data,
        title=head["title"],
        footnote=footnote,
        key="respondenten_deelname",
        n=len(resp),
        base=w["respondents"],
        notice=ds.notice(lang),
        labels=labels,
    )


def memo(obj: Any, key: Hashable, compute: Callable[[], Any]) -> Any:
    """`compute()`, run once per object and key and kept on the object (in `obj.__dict__`).

    For results derived from an object that is not changed once built, such as a cross-tab's
    suppression, needed by its table, its numbers and its chart. A copy made with
    `dataclasses.replace` starts with no results.
    """
    store = obj.__dict__.setdefault("_memo", {})
    if key not in store:
        store[key] = compute()
    return store[key]
