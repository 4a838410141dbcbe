"""Small openpyxl helpers shared by the intake template and the coding worksheet.

Cells are written as typed text (a leading '=' never becomes a formula), headers are bold on a
light fill with optional comments, and a codebook frame becomes a sheet whose label ranges
feed drop-down lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

CODEBOOK_SHEET = "codeboek"
HEADER_FILL = "DDEBF7"
#: column widths (characters) of the wide text columns of both workbooks
WIDE_COLUMNS = {
    "titel": 32,
    "omschrijving": 60,
    "naam": 28,
    "gemeentecodes": 22,
    "trigger_words": 48,
    "note": 30,
    "candidates": 26,
    "suggestion": 26,
}


def write_text(ws, row: int, col: int, value) -> None:
    """Write a value as typed text: a leading '=' never becomes a formula."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def write_header(ws, headers: Sequence[str], comments: dict[str, str] | None = None) -> None:
    """Bold header row on a light fill, frozen below; `comments` (header -> text) become cell
    comments.
    """
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    bold, fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
    for i, name in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=i, value=name)
        cell.font, cell.fill = bold, fill
        if comments and comments.get(name):
            cell.comment = Comment(comments[name], "shv-analysis", width=320, height=120)
    ws.freeze_panes = "A2"


def set_widths(ws, widths: Sequence[int]) -> None:
    """Column widths in characters, first column first, clipped to 8..70."""
    from openpyxl.utils import get_column_letter

    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(8, min(int(width), 70))


def row_ranges(rows: Iterable[int], column: str) -> str:
    """[2,3,4,7] with column 'J' -> 'J2:J4 J7' (an sqref for data validation)."""
    rows = sorted(set(rows))
    parts, start = [], None
    for i, row in enumerate(rows):
        if start is None:
            start = row
        if i + 1 == len(rows) or rows[i + 1] != row + 1:
            parts.append(f"{column}{start}" if start == row else f"{column}{start}:{column}{row}")
            start = None
    return " ".join(parts)


def select_first(wb) -> None:
    """Open on the first sheet, with no other sheet selected (grouped sheets in Excel would
    receive every edit).
    """
    wb.active = 0
    for i, ws in enumerate(wb.worksheets):
        ws.sheet_view.tabSelected = i == 0


def quoted(sheet: str) -> str:
    """A sheet name quoted for a formula: codeboek -> 'codeboek' (inner quotes doubled)."""
    return "'" + sheet.replace("'", "''") + "'"


def write_codebook_sheet(
    ws, frame: pd.DataFrame, label_column: str = "label_nl"
) -> dict[tuple[str, str], str]:
    """Write a codebook frame (tabel, veld, code, label_nl, label_en) and return, per
    (table, field), the absolute range of its `label_column` values for a drop-down.

    Raises:
        ValueError: when the rows of one (table, field) are not contiguous in `frame`.
    """
    from openpyxl.utils import get_column_letter

    headers = list(frame.columns)
    write_header(ws, headers)
    for r, values in enumerate(frame.itertuples(index=False, name=None), start=2):
        for c, value in enumerate(values, start=1):
            write_text(ws, r, c, value)
    set_widths(ws, [14, 22, 26, 48, 48][: len(headers)] + [20] * max(0, len(headers) - 5))
    letter = get_column_letter(headers.index(label_column) + 1)
    ranges: dict[tuple[str, str], str] = {}
    rows = frame.reset_index(drop=True)
    for (table, name), group in rows.groupby(["tabel", "veld"], sort=False):
        first, last = int(group.index.min()) + 2, int(group.index.max()) + 2
        if last - first + 1 != len(group):
            raise ValueError(f"codebook rows of {table}.{name} are not contiguous")
        ranges[(table, name)] = f"{quoted(ws.title)}!${letter}${first}:${letter}${last}"
    return ranges


def add_validation(ws, validation, sqref: str) -> None:
    """Attach a data validation to the cells of `sqref` (ranges separated by spaces)."""
    for part in sqref.split():
        validation.add(part)
    ws.add_data_validation(validation)
