"""Coding one raw table, field by field, collecting every problem it holds.

A raw table (text cells, as read) becomes a coded frame: `<field>__<code>` yes/no columns
folded into their multi field, then each codebook field coded by its kind (single, yes/no,
multi, whole number, date, free text, provinces in the reference's spelling, municipality
codes of the reference's division), absent optional fields filled with empty columns of
their kind. Coding works on the distinct cell values of a column (few, even in a large
inventory) and maps the result back, so there is no row-by-row Python loop on the hot path.
Every problem found is collected by a `ProblemSink` naming the user's own column headers;
nothing is raised.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from shv_analysis.contract import codebook as cb
from shv_analysis.contract.extension import DEFAULT, Codebook
from shv_analysis.contract.problems import Problem
from shv_analysis.ingest.division import across_years, later_division_hint
from shv_analysis.ingest.rawtable import ROW_COL, RawTable
from shv_analysis.ingest.reference import (
    MULTIPLE_PROVINCE_WORDS,
    Reference,
    compact_key,
    parse_code,
    province_spellings,
)
from shv_analysis.ingest.values import (
    blank,
    code_multi,
    code_single,
    code_yesno,
    parse_date,
    parse_int,
    split_known,
    via_uniques,
)

_OPTION_RE = re.compile(r"^(?P<field>[a-z_]+?)_{2,}(?P<option>.+)$")

#: Applied to the raw experiments frame (text cells, multi fields as one `;` cell, `_rij`)
#: before coding; returns the frame with cells filled. Reports problems to wherever it was
#: built to (the problem list given to its `DecisionsStep`).
RawStep = Callable[[pd.DataFrame], pd.DataFrame]


@dataclass
class ProblemSink:
    """Collects problems for one raw table, naming the user's own column headers."""

    table: RawTable
    problems: list[Problem] = field(default_factory=list)

    def add(self, rows, column: str | None, values, message: str, severity: str = "error"):
        """One problem per (row, value) pair, in `column` (a field name; None: the table)."""
        header = self.table.headers.get(column, column) if column else None
        for row, value in zip(rows, values):
            self.problems.append(
                Problem(
                    self.table.file,
                    self.table.sheet,
                    int(row),
                    header,
                    None if value is None else str(value),
                    message,
                    severity,
                )
            )

    def add_one(
        self, row: int | None, column: str | None, value, message: str, severity: str = "error"
    ):
        """One problem at `row` (None: the header row, 1)."""
        self.add([row if row is not None else 1], column, [value], message, severity)


# ---------------------------------------------------------------- value coders


def unify_multi_columns(
    table: RawTable, sink: ProblemSink, codebook: Codebook = DEFAULT
) -> pd.DataFrame:
    """`<field>__<code>` yes/no columns folded into one `;`-separated cell per multi field."""
    frame = table.frame.copy()
    multi = {f.name: f for f in codebook.fields(table.name) if f.kind == "multi"}
    for col in list(frame.columns):
        match = _OPTION_RE.match(col)
        if not match or match.group("field") not in multi:
            continue
        f = multi[match.group("field")]
        option = match.group("option")
        lookup = cb.lookup(f)
        code = lookup.get(cb.normalise(option)) or lookup.get(
            cb.normalise(option.replace("_", " "))
        )
        if code is None:
            sink.add_one(
                1,
                col,
                table.headers.get(col, col),
                f"unknown option column for '{f.name}'; allowed: "
                + ", ".join(f"{f.name}__{c}" for c in f.code_list),
            )
            frame = frame.drop(columns=col)
            continue
        ticked, bad = code_yesno(frame[col])
        if bad.any():
            sink.add(
                frame.loc[bad, ROW_COL],
                col,
                frame.loc[bad, col],
                "not a yes/no value; allowed: "
                + " ".join(sorted(cb.YES_WORDS | cb.NO_WORDS))
                + " (empty = no)",
            )
        part = pd.Series(
            np.where(ticked.fillna(False).to_numpy(dtype=bool), code, ""), index=frame.index
        )
        existing = frame[f.name] if f.name in frame.columns else pd.Series("", index=frame.index)
        frame[f.name] = (existing.astype(str) + ";" + part).str.strip(";")
        frame = frame.drop(columns=col)
    return frame


def unified_table(
    table: RawTable, codebook: Codebook = DEFAULT
) -> tuple[pd.DataFrame, list[Problem]]:
    """A raw table's frame with its `<field>__<code>` columns folded into one `;`-separated
    cell per multi field (see `unify_multi_columns`), and the problems found doing so
    (unknown option columns, cells that are not yes/no).
    """
    sink = ProblemSink(table)
    frame = unify_multi_columns(table, sink, codebook)
    return frame, sink.problems


# ---------------------------------------------------------------- one table


def _has_column(frame: pd.DataFrame, f: cb.Field) -> bool:
    return f.name in frame.columns


def code_table(
    table: RawTable,
    reference: Reference | None,
    decisions: RawStep | None = None,
    codebook: Codebook = DEFAULT,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Raw table -> coded frame (see docs/architecture.md) and the problems found.

    `decisions`, when given, is applied to the raw experiments frame (multi columns unified)
    before its cells are coded; other tables ignore it. `codebook`: the dataset's (the
    package's codebook, or extended by the dataset's `codeboek`).
    """
    sink = ProblemSink(table)
    frame = unify_multi_columns(table, sink, codebook)
    if decisions is not None and table.name == cb.EXPERIMENTEN:
        frame = decisions(frame)
    rows = frame[ROW_COL]
    out = pd.DataFrame({ROW_COL: rows})
    present = set(frame.columns)
    for f in codebook.fields(table.name):
        if f.name not in present:
            if f.required:
                found = ", ".join(table.headers.values()) or "none"
                sink.add_one(
                    1, None, None, f"required column '{f.name}' is missing; columns found: {found}"
                )
            _absent(out, f)
            continue
        _code_field(frame[f.name].astype(str), f, rows, out, sink, reference)
    known = {f.name for f in codebook.fields(table.name)} | {ROW_COL}
    for col in frame.columns:
        if col not in known:
            out[col] = frame[col]
    return out, sink.problems


def _absent(out: pd.DataFrame, f: cb.Field) -> None:
    if f.kind == "multi":
        for code in f.code_list:
            out[cb.multi_column(f.name, code)] = False
    elif f.kind == "integer":
        out[f.name] = pd.array([pd.NA] * len(out), dtype="Int64")
    elif f.kind == "date":
        out[f.name] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    else:
        out[f.name] = pd.Series(None, index=out.index, dtype=object)


def _code_field(
    values: pd.Series,
    f: cb.Field,
    rows: pd.Series,
    out: pd.DataFrame,
    sink: ProblemSink,
    reference: Reference | None,
) -> None:
    cleaned = cb.clean_text_series(values) if f.kind == "text" else None
    empty = cleaned.eq("") if cleaned is not None else blank(values)
    if f.required and f.kind != "multi" and empty.any():
        sink.add(
            rows[empty],
            f.name,
            values[empty],
            f"required value is empty; "
            f"{'allowed: ' + cb.allowed_text(f) if f.codes else 'give a value'}",
        )
    if f.kind == "text" and f.name == "provincie":
        out[f.name] = _code_provinces(values, cleaned.where(~empty, None), rows, sink, reference)
    elif f.kind == "text":
        out[f.name] = cleaned.where(~empty, None)
    elif f.kind == "single":
        coded, bad = code_single(values, f)
        sink.add(rows[bad], f.name, values[bad], "unknown value; allowed: " + cb.allowed_text(f))
        out[f.name] = pd.Categorical(coded, categories=f.code_list)
    elif f.kind == "yesno":
        coded, bad = code_yesno(values)
        sink.add(
            rows[bad],
            f.name,
            values[bad],
            "not a yes/no value; allowed: " + " ".join(sorted(cb.YES_WORDS | cb.NO_WORDS)),
        )
        out[f.name] = coded
    elif f.kind == "multi":
        ticks, unknown = code_multi(values, f)
        bad = unknown.ne("")
        sink.add(
            rows[bad],
            f.name,
            unknown[bad],
            "unknown option; allowed: "
            + cb.allowed_text(f)
            + ", separated by ; , | or line breaks",
        )
        if f.required:
            none = ~ticks.any(axis=1) & ~bad
            sink.add(
                rows[none],
                f.name,
                values[none],
                "at least one option is required; allowed: " + cb.allowed_text(f),
            )
        for col in ticks.columns:
            out[col] = ticks[col]
    elif f.kind == "integer":
        parsed = via_uniques(values, parse_int)
        bad = parsed.isna() & ~empty
        sink.add(rows[bad], f.name, values[bad], "not a whole number (digits only, e.g. 12500)")
        out[f.name] = pd.array(parsed.where(parsed.notna(), None).tolist(), dtype="Int64")
    elif f.kind == "date":
        parsed = via_uniques(values, parse_date)
        bad = parsed.isna() & ~empty
        sink.add(
            rows[bad], f.name, values[bad], "not a date; allowed: jjjj-mm-dd (ISO) or dd-mm-jjjj"
        )
        out[f.name] = pd.to_datetime(parsed.where(parsed.notna(), None))
    elif f.kind == "list":
        out[f.name] = _code_municipalities(values, rows, f, sink, reference)


def _code_municipalities(
    values: pd.Series, rows: pd.Series, f: cb.Field, sink: ProblemSink, reference: Reference | None
) -> pd.Series:
    """`gemeentecodes` cells -> codes of the reference's division joined by ';' (sorted,
    unique).

    Names are matched longest first, so a name holding a separator stays whole; a bare
    ambiguous name ("Bergen") is an error listing the municipalities it may mean. A code or
    name of an earlier division is mapped forward with a warning per distinct value; one
    that was split is an error listing its successors.
    """
    across = across_years(reference) if reference is not None else None
    resolve = (lambda token: across(token)[0]) if across is not None else parse_code
    year = reference.year if reference is not None else None
    resolved: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    moved: dict[str, tuple[str, set]] = {}
    for cell in pd.unique(values.to_numpy()):
        codes, bad = [], []
        for token, code in split_known(str(cell), resolve):
            if code is not None:
                codes.append(code)
                if across is not None and across(token)[1] is not None:
                    moved.setdefault(token, (across(token)[1], set()))[1].add(cell)
            elif reference is None and parse_code(token) is None:
                bad.append(
                    (
                        token,
                        "a municipality name needs the reference tables to be "
                        "resolved; give CBS codes (GM0363) or set $SHV_REFERENCE_DIR (see "
                        "`shv reference download`)",
                    )
                )
            elif reference is not None and across(token)[2] is not None:
                bad.append((token, across(token)[2]))
            elif reference is not None and reference.candidates(token):
                options = " or ".join(
                    f"{name} ({code})" for code, name in reference.candidates(token)
                )
                bad.append(
                    (
                        token,
                        f"ambiguous municipality name: it may be {options}; write "
                        "the full name or the CBS code",
                    )
                )
            else:
                bad.append(
                    (
                        token,
                        f"unknown municipality; allowed: a CBS code of 1-1-{year} "
                        "(GM0363, 363, 0363), its official name or a known alias"
                        + later_division_hint(token, reference),
                    )
                )
        resolved[cell] = (";".join(sorted(set(codes))), bad)
    for cell, (_, bad) in resolved.items():
        if not bad:
            continue
        mask = values.eq(cell)
        for token, message in bad:
            sink.add(rows[mask], f.name, [token] * int(mask.sum()), message)
    for token, (message, cells) in moved.items():
        where = rows[values.isin(cells).to_numpy()].tolist()
        listed = ", ".join(str(r) for r in where[:10]) + (", …" if len(where) > 10 else "")
        sink.add_one(
            where[0] if where else None,
            f.name,
            token,
            f"{message}; counted as that municipality (row(s) {listed})",
            "warning",
        )
    return values.map({k: v[0] for k, v in resolved.items()})


def _code_provinces(
    values: pd.Series,
    cleaned: pd.Series,
    rows: pd.Series,
    sink: ProblemSink,
    reference: Reference | None,
) -> pd.Series:
    """Typed provinces -> the reference's spelling ("Fryslân" and "friesland" -> Friesland).

    A changed spelling gets one warning per distinct typed value; a value that is no
    province (nor `meerdere`) is an error quoting it as typed.
    """
    spelling = province_spellings(reference)
    multiple = {compact_key(w) for w in MULTIPLE_PROVINCE_WORDS}
    out = cleaned.copy()
    for typed in pd.unique(cleaned.dropna().to_numpy()):
        key = compact_key(typed)
        target = cb.MULTIPLE_PROVINCES if key in multiple else spelling.get(key)
        mask = cleaned.eq(typed)
        if target is None:
            sink.add(
                rows[mask],
                "provincie",
                values[mask],
                "not a province; allowed: " + ", ".join(sorted(set(spelling.values()))) + f", or "
                f"{cb.MULTIPLE_PROVINCES} (a cooperation spanning provinces)",
            )
            out[mask] = None
            continue
        out[mask] = target
        if target != typed:
            where = rows[mask].tolist()
            listed = ", ".join(str(r) for r in where[:10]) + (", …" if len(where) > 10 else "")
            sink.add_one(
                where[0],
                "provincie",
                typed,
                f"read as '{target}' (the reference's spelling), in row(s) {listed}",
                "warning",
            )
    return out
