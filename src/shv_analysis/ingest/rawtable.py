"""Raw tables: the text grid of one table as read, before any coding.

A raw table holds every cell as text (`cell_text` turns spreadsheet and Parquet values into
the text a user typed), headers normalised, and a `_rij` column with the spreadsheet row
(header = row 1). Building one from a grid of rows reports missing and duplicate headers,
data under an empty header and skipped empty rows, and drops personal-data columns here, so
no personal column reaches a later object. CSV, workbook and Parquet readers all end here.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import pandas as pd

from shv_analysis.contract.codebook import clean_text, fields, normalise_header
from shv_analysis.contract.problems import Problem
from shv_analysis.ingest.privacy import is_personal_header

ROW_COL = "_rij"


@dataclass
class RawTable:
    """One table as read: text cells, normalised headers, spreadsheet row numbers."""

    name: str
    file: str  # file name shown to the user
    sheet: str | None
    frame: pd.DataFrame
    headers: dict[str, str] = field(default_factory=dict)  # normalised -> as written
    personal_columns: list[str] = field(default_factory=list)

    def where(self) -> tuple[str, str | None]:
        return self.file, self.sheet


# ---------------------------------------------------------------- cell conversion


def cell_text(value: object) -> str:
    """A spreadsheet or parquet cell as the text a user typed.

    Whole numbers read as integers (`1.0` -> `1`), booleans as ja/nee, dates as ISO dates,
    and a list (a Parquet list column) as its items separated by `;`.
    """
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set, frozenset)) or (
        hasattr(value, "ndim") and getattr(value, "ndim", 0) == 1
    ):
        return ";".join(t for t in (cell_text(v) for v in list(value)) if t.strip())
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if not isinstance(value, dict) and not hasattr(value, "ndim") and pd.isna(value):
        return ""
    return str(value)


# ---------------------------------------------------------------- building a raw table


def rows_to_table(
    name: str, label: str, sheet: str | None, rows: list[list[str]], problems: list[Problem]
) -> RawTable | None:
    """List-of-rows form (workbooks, ragged CSV) -> raw table."""
    width = max((len(r) for r in rows), default=0)
    grid = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
    return grid_to_table(name, label, sheet, grid, problems)


def grid_to_table(
    name: str, label: str, sheet: str | None, grid: pd.DataFrame, problems: list[Problem]
) -> RawTable | None:
    """Text grid (row 0 = header) -> normalised columns, spreadsheet rows, empty rows counted."""
    if grid.empty or not any(str(h).strip() for h in grid.iloc[0]):
        required = ", ".join(f.name for f in fields(name) if f.required)
        problems.append(
            Problem(
                label,
                sheet,
                1,
                None,
                None,
                f"no header row: table '{name}' needs a first row with column names ({required})",
            )
        )
        return None
    grid = grid.fillna("").astype(str)
    body = grid.iloc[1:].reset_index(drop=True)
    filled = body.apply(lambda col: col.str.strip().ne("")) if len(body) else body.astype(bool)
    keep, keys, headers, personal, seen = [], [], {}, [], {}
    for i, raw in enumerate(clean_text(h) for h in grid.iloc[0]):
        letter = column_letter(i)
        if not raw:
            if len(body) == 0 or not filled.iloc[:, i].any():
                continue
            key = f"kolom_{letter.lower()}"
            problems.append(
                Problem(
                    label,
                    sheet,
                    1,
                    letter,
                    "",
                    f"column without a header holds data; it is kept as extra column '{key}'",
                    "warning",
                )
            )
        else:
            key = normalise_header(raw)
        if is_personal_header(key):
            personal.append(raw)
            continue
        if key in seen:
            problems.append(
                Problem(
                    label,
                    sheet,
                    1,
                    raw,
                    raw,
                    "duplicate column header (also in "
                    f"column {column_letter(seen[key])}); each column may "
                    "appear once",
                )
            )
            continue
        seen[key] = i
        keep.append(i)
        keys.append(key)
        headers[key] = raw or letter
    row_numbers = pd.Series(range(2, len(body) + 2))
    nonempty = filled.any(axis=1) if len(body) else pd.Series([], dtype=bool)
    frame = body.iloc[:, keep].set_axis(keys, axis=1)[nonempty.to_numpy()].reset_index(drop=True)
    frame[ROW_COL] = row_numbers[nonempty.to_numpy()].to_numpy()
    empty = row_numbers[~nonempty.to_numpy()]
    interior = empty[empty < frame[ROW_COL].max()].tolist() if len(frame) else []
    if interior:
        problems.append(
            Problem(
                label,
                sheet,
                interior[0],
                None,
                None,
                f"{len(interior)} empty row(s) skipped (rows "
                f"{_ranges(interior)}); they hold no record",
                "warning",
            )
        )
    if personal:
        problems.append(
            Problem(
                label,
                sheet,
                1,
                ", ".join(personal),
                None,
                "personal data (contact names, phone, e-mail): column(s) not "
                "read and never copied into any output",
                "warning",
            )
        )
    return RawTable(name, label, sheet, frame, headers, personal)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _ranges(rows: list[int]) -> str:
    """[2,3,4,9] -> '2-4, 9' (short enough for a message)."""
    parts, start = [], rows[0]
    for prev, cur in zip(rows, rows[1:] + [None]):
        if cur != prev + 1:
            parts.append(str(start) if start == prev else f"{start}-{prev}")
            start = cur
    text = ", ".join(parts[:10])
    return text + (", …" if len(parts) > 10 else "")
