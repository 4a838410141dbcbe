"""Reading the sheets of an Excel workbook as rows of text, with the problems a sheet shows.

Opening a workbook (through `ingest.workbook`, which trims and repairs the file first) reports
an unreadable file once; reading a sheet spreads merged ranges over the rows they cover with a
warning, reports formula cells without a stored result, and reports a damaged sheet. Sheets
are found by normalised name, and the optional `metadata` sheet is read as key/value pairs.
"""

from __future__ import annotations

from pathlib import Path

from shv_analysis.contract.codebook import clean_text, normalise
from shv_analysis.contract.problems import Problem
from shv_analysis.ingest import workbook as wbook
from shv_analysis.ingest.rawtable import cell_text, column_letter

METADATA_SHEET = "metadata"


def open_workbook(path: Path, label: str, problems: list[Problem]):
    """(openpyxl workbook, prepared workbook), or None with one problem saying why."""
    try:
        prepared = wbook.prepare_workbook(path)
    except wbook.WorkbookError as exc:
        problems.append(Problem(label, None, None, None, None, str(exc)))
        return None
    hint = wbook.RESAVE_STRICT if prepared.strict else "save it as an Excel .xlsx file"
    try:
        workbook = wbook.load(prepared)
    except Exception as exc:  # openpyxl raises many kinds on broken files
        problems.append(
            Problem(
                label,
                None,
                None,
                None,
                None,
                f"unreadable workbook ({type(exc).__name__}: {exc}); {hint}",
            )
        )
        return None
    if not workbook.sheetnames:
        workbook.close()
        problems.append(
            Problem(
                label,
                None,
                None,
                None,
                None,
                f"unreadable workbook: no sheets could be read; {hint}",
            )
        )
        return None
    return workbook, prepared


def _sheet_rows(workbook, sheet_name: str) -> list[list[str]]:
    """Every row of a sheet as text, up to the last row that holds a value."""
    rows = [[cell_text(v) for v in row] for row in workbook[sheet_name].iter_rows(values_only=True)]
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    return rows


def data_rows(
    workbook, prepared, sheet: str, label: str, problems: list[Problem]
) -> list[list[str]] | None:
    """A table sheet's rows as the user sees them: merged values spread, with a warning.

    None (with one problem naming the cause) when the sheet's XML cannot be parsed.
    """
    try:
        rows = _sheet_rows(workbook, sheet)
    except Exception as exc:  # openpyxl parses lazily: a damaged sheet fails here
        hint = wbook.RESAVE_STRICT if prepared.strict else "save it again as an Excel .xlsx file"
        problems.append(
            Problem(
                label,
                sheet,
                None,
                None,
                None,
                f"unreadable sheet ({type(exc).__name__}: {exc}); {hint}",
            )
        )
        return None
    for ref, row, column, value in wbook.spread_merges(rows, prepared.merges.get(sheet, [])):
        header = clean_text(rows[0][column]) if column < len(rows[0]) else ""
        problems.append(
            Problem(
                label,
                sheet,
                row,
                header or column_letter(column),
                value,
                f"merged cells {ref}: the value of the range's first cell is "
                "read for every row of the range, as the sheet shows it",
                "warning",
            )
        )
    _report_formulas(prepared, label, sheet, rows, problems)
    return rows


def _uncomputed_formulas(prepared, sheet_name: str, rows: list[list[str]]) -> list[tuple]:
    """(row index, column index, formula) of formula cells that have no stored result."""
    if not any("" in r for r in rows):
        return []
    try:
        workbook = wbook.load(prepared, data_only=False)
        found = []
        for r, row in enumerate(workbook[sheet_name].iter_rows(values_only=True)):
            if r >= len(rows):
                break
            for c, value in enumerate(row):
                if (
                    isinstance(value, str)
                    and value.startswith("=")
                    and c < len(rows[r])
                    and rows[r][c] == ""
                ):
                    found.append((r, c, value))
        workbook.close()
        return found
    except Exception:  # the first read succeeded; a failing second look finds nothing
        return []


def _report_formulas(
    prepared, label: str, sheet: str, rows: list[list[str]], problems: list[Problem]
) -> None:
    for r, c, formula in _uncomputed_formulas(prepared, sheet, rows):
        header = clean_text(rows[0][c]) if rows and c < len(rows[0]) else column_letter(c)
        problems.append(
            Problem(
                label,
                sheet,
                r + 1,
                header or column_letter(c),
                formula,
                "formula without a stored result (the file was not saved by "
                "a spreadsheet program that computes it); type the value, or "
                "open and save the file in Excel",
            )
        )


def find_sheet(workbook, wanted: str) -> str | None:
    for name in workbook.sheetnames:
        if normalise(name) == wanted:
            return name
    return None


def workbook_metadata(workbook) -> dict:
    sheet = find_sheet(workbook, METADATA_SHEET)
    if sheet is None:
        return {}
    try:
        rows = _sheet_rows(workbook, sheet)
    except Exception:  # a damaged metadata sheet: the tables may still be readable
        return {}
    return {r[0].strip(): r[1].strip() for r in rows[1:] if len(r) >= 2 and r[0].strip()}
