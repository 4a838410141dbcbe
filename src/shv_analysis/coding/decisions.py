"""The coding decisions file, and applying it to the raw pilots whenever a dataset is loaded.

Coders' choices from the coding worksheet (see `worksheet`) are kept in a decisions file,
CSV UTF-8 with the columns pilot_id, field, code, coder, date, note; by default
`<folder>/beslissingen.csv` for a folder dataset, `<stem>.beslissingen.csv` beside a workbook.

Every later `shv check` / `shv.load()` applies the decisions to empty cells only: a value
typed in the data is never overwritten. The loader in `ingest` knows nothing of this file; the
callers above it pass `decisions_step(...)` (built on `decision_hook`) down to
`ingest.validation.check_dataset`.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from shv_analysis.contract import codebook as cb
from shv_analysis.contract.problems import Problem
from shv_analysis.ingest.csvtext import decode_csv, detect_delimiter
from shv_analysis.ingest.rawtable import ROW_COL
from shv_analysis.ingest.validation import DecisionsStep, RawStep
from shv_analysis.ingest.values import split_coded_multi

DECISIONS_NAME = "beslissingen.csv"
DECISION_COLUMNS = ("pilot_id", "field", "code", "coder", "date", "note")


def default_decisions_path(source: str | Path) -> Path:
    """Where the coding decisions of a dataset live by default."""
    source = Path(source)
    if source.is_dir() or not source.suffix:
        return source / DECISIONS_NAME
    return source.with_name(f"{source.stem}.{DECISIONS_NAME}")


def empty_decisions() -> pd.DataFrame:
    """A decisions frame without rows: the `DECISION_COLUMNS` plus `_rij`, as text."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in (*DECISION_COLUMNS, ROW_COL)})


def read_decisions(path: str | Path) -> tuple[pd.DataFrame, list[Problem]]:
    """The decisions file as text columns plus `_rij` (file row, header = 1), and the
    problems found while reading it (unreadable file, missing columns).
    """
    path = Path(path)
    problems: list[Problem] = []
    try:
        text, _ = decode_csv(path.read_bytes())
    except OSError as exc:
        return empty_decisions(), [
            Problem(path.name, None, None, None, None, f"decisions file unreadable ({exc})")
        ]
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text)))
    if not rows or not any(h.strip() for h in rows[0]):
        return empty_decisions(), (
            []
            if not text.strip()
            else [
                Problem(
                    path.name,
                    None,
                    1,
                    None,
                    None,
                    "no header row; expected: " + ",".join(DECISION_COLUMNS),
                )
            ]
        )
    headers = [cb.normalise_header(h) for h in rows[0]]
    missing = [c for c in ("pilot_id", "field", "code") if c not in headers]
    if missing:
        problems.append(
            Problem(
                path.name,
                None,
                1,
                None,
                ",".join(rows[0]),
                f"decisions file lacks column(s) {', '.join(missing)}; "
                f"expected: {','.join(DECISION_COLUMNS)}",
            )
        )
        return empty_decisions(), problems
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = dict(zip(headers, row))
        records.append(
            {**{c: cb.clean_text(values.get(c, "")) for c in DECISION_COLUMNS}, ROW_COL: number}
        )
    frame = pd.DataFrame(records) if records else empty_decisions()
    return frame, problems


def write_decisions(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write decisions (CSV UTF-8 with BOM, so Excel shows accents; comma-separated)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = frame.reindex(columns=DECISION_COLUMNS).astype(object).fillna("")
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(DECISION_COLUMNS)
        writer.writerows(out.astype(str).itertuples(index=False, name=None))
    return path


def merge_decisions(existing: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Existing decisions updated by new ones (same pilot_id and field, in place), new ones
    appended in their order.
    """
    cols = list(DECISION_COLUMNS)
    old = existing.reindex(columns=cols).astype(object).fillna("").astype(str)
    new = new.reindex(columns=cols).astype(object).fillna("").astype(str)
    latest = {(r["pilot_id"], r["field"]): r for r in new.to_dict("records")}
    out, seen = [], set()
    for record in old.to_dict("records"):
        key = (record["pilot_id"], record["field"])
        out.append(latest.get(key, record))
        seen.add(key)
    out += [r for key, r in latest.items() if key not in seen]
    return pd.DataFrame(out, columns=cols)


def code_decision(field_name: str, value: str) -> tuple[str | None, str | None]:
    """A decision's code as stored: (codes, None) or (None, what is wrong).

    Single field: one code (a label is accepted and turned into its code). Multi field: codes
    separated by ';' (or ',', '|'), or `geen` for an optional multi field (deliberately
    none). Returns the canonical form: codes in codebook order joined by ';'.
    """
    try:
        f = cb.pilot_field(field_name)
    except KeyError:
        return None, None
    lookup = cb.lookup(f)
    if f.kind == "single":
        code = lookup.get(cb.normalise(value))
        return (code, None) if code else (None, "unknown code; allowed: " + ", ".join(f.code_list))
    if f.kind != "multi":
        return None, None
    parts = split_coded_multi(value, f)
    if parts == [cb.NO_CODE] and not f.required:
        return cb.NO_CODE, None
    unknown = [p for p in parts if p not in lookup]
    if unknown or not parts:
        allowed = ", ".join(f.code_list) + ("" if f.required else f", or {cb.NO_CODE}")
        return None, (
            f"unknown code {'; '.join(unknown)!r}; " if unknown else "no code; "
        ) + f"allowed: {allowed}, several separated by ;"
    chosen = {lookup[p] for p in parts}
    return ";".join(c for c in f.code_list if c in chosen), None


def decidable_fields() -> list[str]:
    """Experiments fields a decision may concern: every single-choice and multi field."""
    return [f.name for f in cb.fields(cb.EXPERIMENTEN) if f.kind in ("single", "multi")]


def check_decisions(frame: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Decisions with a canonical `value`, and errors for unknown fields and codes (each with
    its row in the decisions file). Invalid rows are dropped from the returned frame.
    """
    problems: list[Problem] = []
    fields = set(decidable_fields())
    frame = frame.copy()
    frame["field"] = frame["field"].map(cb.normalise_header)
    values, keep = [], []
    for pilot, name, code, row in zip(
        frame["pilot_id"], frame["field"], frame["code"], frame[ROW_COL]
    ):
        value, error = (None, None)
        if not pilot:
            error = ("pilot_id", pilot, "empty pilot_id; give the pilot_id of the experiment")
        elif name not in fields:
            error = ("field", name, "unknown field; allowed: " + ", ".join(sorted(fields)))
        else:
            value, message = code_decision(name, code)
            if value is None:
                error = ("code", code, f"{name}: {message}")
        if error:
            problems.append(Problem(file, None, int(row), error[0], error[1], error[2]))
        values.append(value)
        keep.append(error is None)
    frame["value"] = values
    frame = frame.loc[pd.Series(keep, index=frame.index, dtype=bool)]  # [] is no column list
    dup = frame.duplicated(["pilot_id", "field"], keep="last")
    for row, pilot, name in zip(
        frame.loc[dup, ROW_COL], frame.loc[dup, "pilot_id"], frame.loc[dup, "field"]
    ):
        problems.append(
            Problem(
                file,
                None,
                int(row),
                "pilot_id",
                pilot,
                f"another decision for {pilot} / {name} follows later in the "
                "file; the later one is used",
                "warning",
            )
        )
    return frame[~dup].reset_index(drop=True), problems


# ---------------------------------------------------------------- loader integration


def _typed_codes(values: pd.Series, f: cb.Field) -> pd.Series:
    """Canonical codes of typed cells (as `code_decision` writes them); unknown text kept."""
    uniques = pd.unique(values.to_numpy())
    mapping = {}
    for cell in uniques:
        value, _ = code_decision(f.name, cell)
        mapping[cell] = value if value is not None else cb.normalise(cell)
    return values.map(mapping)


def decision_hook(
    source: str | Path, decisions: str | Path | None, problems: list[Problem]
) -> RawStep | None:
    """The step that applies coding decisions to the raw pilots of `source`, or None.

    Args:
        source: the dataset (folder or workbook) the decisions belong to.
        decisions: "auto" (the default decisions file of `source`, when it exists), a path
            (must exist) or None (no decisions).
        problems: list the problems of the decisions file are appended to, now and when the
            step runs: unknown fields, codes or pilot_ids are errors (with their row in the
            decisions file), decisions that conflict with a typed value are warnings.

    Returns:
        A function raw experiments frame -> frame with empty cells filled (see
        `apply_decisions`), or None when there is nothing to apply.
    """
    if decisions is None:
        return None
    if isinstance(decisions, str) and decisions == "auto":
        path = default_decisions_path(source)
        if not path.is_file():
            return None
    else:
        path = Path(decisions)
        if not path.is_file():
            problems.append(Problem(str(path), None, None, None, None, "decisions file not found"))
            return None
    frame, found = read_decisions(path)
    problems.extend(found)
    valid, found = check_decisions(frame, path.name)
    problems.extend(found)
    if valid.empty:
        return None

    def apply(raw: pd.DataFrame) -> pd.DataFrame:
        return apply_decisions(raw, valid, path.name, problems)

    return apply


def decisions_step(decisions: str | Path | None = "auto") -> DecisionsStep | None:
    """The decisions step to pass to `ingest.validation.check_dataset` / `load`.

    Args:
        decisions: "auto" (the decisions file beside the data, when present), a path to a
            decisions file (an error when missing) or None (no decisions).

    Returns:
        A function (dataset source, problem list) -> `decision_hook(source, decisions,
        problems)`, or None when `decisions` is None.
    """
    if decisions is None:
        return None

    def step(source: Path, problems: list[Problem]) -> RawStep | None:
        return decision_hook(source, decisions, problems)

    return step


def apply_decisions(
    raw: pd.DataFrame, decisions: pd.DataFrame, file: str, problems: list[Problem]
) -> pd.DataFrame:
    """Fill empty cells of the raw experiments frame from checked decisions (see
    `check_decisions`); typed values are never overwritten. Appends problems.
    """
    raw = raw.copy()
    if "pilot_id" not in raw.columns:
        return raw  # validation reports the missing column
    ids = cb.clean_text_series(raw["pilot_id"])
    known = set(ids)
    unknown = ~decisions["pilot_id"].isin(known)
    for row, pilot in zip(decisions.loc[unknown, ROW_COL], decisions.loc[unknown, "pilot_id"]):
        problems.append(
            Problem(
                file,
                None,
                int(row),
                "pilot_id",
                pilot,
                f"unknown pilot_id: no such pilot in table '{cb.EXPERIMENTEN}'",
            )
        )
    decisions = decisions[~unknown]
    filled = 0
    for name, group in decisions.groupby("field", sort=False):
        f = cb.pilot_field(name)
        value_of = dict(zip(group["pilot_id"], group["value"]))
        row_of = dict(zip(group["pilot_id"], group[ROW_COL]))
        column = (
            raw[name].astype(str)
            if name in raw.columns
            else pd.Series("", index=raw.index, dtype=object)
        )
        decided = ids.map(value_of)
        has = decided.notna()
        empty = cb.clean_text_series(column).eq("")
        fill = has & empty
        new = decided.where(decided.ne(cb.NO_CODE), "")
        column = column.where(~fill, new)
        filled += int((fill & new.ne("")).sum())
        clash = has & ~empty
        if clash.any():
            typed = _typed_codes(column[clash], f)
            differs = typed.ne(decided[clash])
            for idx in typed.index[differs.to_numpy()]:
                pilot = ids[idx]
                problems.append(
                    Problem(
                        file,
                        None,
                        int(row_of[pilot]),
                        "code",
                        str(value_of[pilot]),
                        f"{pilot} / {name}: the data already hold '{column[idx]}' "
                        f"({cb.EXPERIMENTEN} row {raw.at[idx, ROW_COL]}); a typed value is never "
                        "overwritten, this decision is not used",
                        "warning",
                    )
                )
        raw[name] = column
    if filled:
        problems.append(
            Problem(
                file,
                None,
                None,
                None,
                None,
                f"{filled} empty cell(s) of '{cb.EXPERIMENTEN}' filled from "
                "coding decisions in this file",
                "warning",
            )
        )
    return raw
