"""Reading a dataset (workbook or folder) into raw string tables, exactly as the contract allows.

Raw tables hold every cell as text, headers normalised, a `_rij` column with the spreadsheet
row (header = row 1). Personal-data columns are dropped here, e-mail addresses and phone
numbers inside free text are masked here, so nothing personal reaches a later object.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from shv_analysis.contract.codebook import (
    TABLE_NAMES,
    clean_text,
    fields,
    normalise,
    normalise_header,
)
from shv_analysis.contract.extension import DEFAULT, Codebook
from shv_analysis.contract.problems import Problem
from shv_analysis.ingest import csvtext, questionnaire
from shv_analysis.ingest import workbook as wbook
from shv_analysis.ingest.csvtext import decode_csv, detect_delimiter  # noqa: F401 (public API)
from shv_analysis.ingest.privacy import is_personal_header, mask_personal_text

ROW_COL = "_rij"
TABLE_EXTENSIONS = (".csv", ".xlsx", ".parquet")
METADATA_FILE = "metadata.json"
METADATA_SHEET = "metadata"
EXTRA_TABLES = (questionnaire.CODEBOOK_NAME, questionnaire.COLUMNS_NAME)  # optional, own kind


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


@dataclass
class RawDataset:
    """Both tables of a dataset before coding, plus metadata and reading problems."""

    source: Path
    tables: dict[str, RawTable]
    metadata: dict
    problems: list[Problem]
    codebook: Codebook = DEFAULT  # the package's, or extended by the dataset's `codeboek`


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


# ---------------------------------------------------------------- csv


def _parse_csv_fast(data: bytes, delimiter: str, width: int) -> pd.DataFrame:
    """All cells as text with pyarrow's multithreaded reader; blank lines keep their row."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    names = [f"c{i}" for i in range(width)]
    table = pcsv.read_csv(
        io.BytesIO(data),
        read_options=pcsv.ReadOptions(column_names=names),
        parse_options=pcsv.ParseOptions(
            delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False
        ),
        convert_options=pcsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    frame = table.to_pandas()
    frame.columns = range(width)
    return frame


def _read_csv(path: Path, name: str, problems: list[Problem]) -> RawTable | None:
    """A CSV table: pyarrow's reader, or the csv module when rows are ragged.

    The delimiter comes from Excel's `sep=` hint line when there is one, else from the
    header line; the encoding is UTF-8 when the file decodes as UTF-8, Windows-1252 when it
    holds no UTF-8 at all, and a mixed file is refused naming its rows that are not UTF-8.
    """
    data = path.read_bytes()
    if b"\x00" in data:
        problems.append(
            Problem(
                path.name,
                None,
                None,
                None,
                None,
                "unreadable file: contains NUL bytes, so it is not a CSV text file "
                "(save it as CSV UTF-8 or Windows-1252)",
            )
        )
        return None
    shape = csvtext.layout(data)
    body = shape.body
    if not body or body.isspace():
        return _rows_to_table(name, path.name, None, [], problems)
    try:
        body.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        encoding = "mixed" if shape.bom or csvtext.utf8_evidence(body) else "cp1252"
    head = body[:65536]
    head_text = head.decode("utf-8" if encoding != "cp1252" else "cp1252", errors="replace")
    delimiter = shape.hint or csvtext.detect_delimiter(head_text)
    odd = None if shape.hint else csvtext.unsupported_delimiter(head_text)
    if odd or delimiter not in csvtext.SUPPORTED_DELIMITERS:
        found = csvtext.delimiter_name(odd or delimiter)
        source = "the file's 'sep=' line names" if shape.hint else "the header line is split by"
        problems.append(
            Problem(
                path.name,
                None,
                1,
                None,
                None,
                f"unsupported CSV dialect: {source} {found} as delimiter; the "
                "contract allows ',' or ';' (save it as 'CSV (comma "
                "delimited)' or 'CSV UTF-8')",
            )
        )
        return None
    if encoding == "mixed":
        bad = csvtext.non_utf8_rows(body, delimiter)
        rows = ", ".join(str(r) for r, _, _ in bad)
        header = next(csv.reader(io.StringIO(head_text, newline=""), delimiter=delimiter), [])
        row, column, cell = bad[0] if bad else (None, None, None)
        column_name = (
            clean_text(header[column]) if column is not None and column < len(header) else None
        )
        problems.append(
            Problem(
                path.name,
                None,
                row,
                column_name,
                cell,
                f"mixed encoding: the file is UTF-8, but row(s) {rows} hold bytes "
                "that are not UTF-8 (pasted from a Windows-1252 file?; the value "
                "shown reads them as Windows-1252); save the file again as "
                "'CSV UTF-8' after retyping those cells",
            )
        )
        return None
    if encoding == "cp1252":
        try:
            body = body.decode("cp1252").encode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(
                Problem(
                    path.name,
                    None,
                    None,
                    None,
                    None,
                    f"unreadable file: neither UTF-8 nor Windows-1252 (byte "
                    f"{exc.start}); save it as CSV UTF-8",
                )
            )
            return None
    header = next(csv.reader(io.StringIO(head_text, newline=""), delimiter=delimiter), [])
    try:
        grid = _parse_csv_fast(body, delimiter, len(header))
        return _grid_to_table(name, path.name, None, grid, problems)
    except Exception:  # ragged rows or odd quoting: the csv module reports them row by row
        text = body.decode("utf-8")
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        return _rows_to_table(name, path.name, None, rows, problems)


def read_csv_table(path: Path, name: str, problems: list[Problem]) -> RawTable | None:
    """A CSV file as the raw table `name` (e.g. a `codeboek.csv`); problems are appended."""
    return _read_csv(path, name, problems)


# ---------------------------------------------------------------- xlsx


def _open_workbook(path: Path, label: str, problems: list[Problem]):
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


def _data_rows(
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
                header or _column_letter(column),
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
        header = clean_text(rows[0][c]) if rows and c < len(rows[0]) else _column_letter(c)
        problems.append(
            Problem(
                label,
                sheet,
                r + 1,
                header or _column_letter(c),
                formula,
                "formula without a stored result (the file was not saved by "
                "a spreadsheet program that computes it); type the value, or "
                "open and save the file in Excel",
            )
        )


def _find_sheet(workbook, wanted: str) -> str | None:
    for name in workbook.sheetnames:
        if normalise(name) == wanted:
            return name
    return None


def _workbook_metadata(workbook) -> dict:
    sheet = _find_sheet(workbook, METADATA_SHEET)
    if sheet is None:
        return {}
    try:
        rows = _sheet_rows(workbook, sheet)
    except Exception:  # a damaged metadata sheet: the tables may still be readable
        return {}
    return {r[0].strip(): r[1].strip() for r in rows[1:] if len(r) >= 2 and r[0].strip()}


# ---------------------------------------------------------------- building a raw table


def _rows_to_table(
    name: str, label: str, sheet: str | None, rows: list[list[str]], problems: list[Problem]
) -> RawTable | None:
    """List-of-rows form (workbooks, ragged CSV) -> raw table."""
    width = max((len(r) for r in rows), default=0)
    grid = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
    return _grid_to_table(name, label, sheet, grid, problems)


def _grid_to_table(
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
        letter = _column_letter(i)
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
                    f"column {_column_letter(seen[key])}); each column may "
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


def _column_letter(index: int) -> str:
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


def _mask_free_text(table: RawTable, codebook: Codebook = DEFAULT) -> None:
    """Mask e-mail addresses and phone numbers in every free-text column of the table."""
    coded = {f.name for f in codebook.fields(table.name) if f.kind != "text"}
    ids = {"respondent_id", "pilot_id"}
    for col in table.frame.columns:
        if col == ROW_COL or col in coded or col in ids or "__" in col:
            continue
        table.frame[col] = mask_personal_text(table.frame[col])


# ---------------------------------------------------------------- entry point


def read_dataset(path: str | Path) -> RawDataset:
    """Read a workbook or folder into raw tables; reading problems are collected, not raised."""
    path = Path(path)
    problems: list[Problem] = []
    tables: dict[str, RawTable] = {}
    extra: dict[str, RawTable | None] = {}
    metadata: dict = {}
    if not path.exists():
        problems.append(
            Problem(
                str(path),
                None,
                None,
                None,
                None,
                "not found: give an .xlsx workbook or a folder holding "
                "respondenten.<csv|xlsx|parquet> and experimenten.<...>",
            )
        )
    elif path.is_dir():
        metadata = _folder_metadata(path, problems)
        for name in TABLE_NAMES:
            table = _read_folder_table(path, name, problems)
            if table is not None:
                tables[name] = table
        extra = {n: _read_folder_table(path, n, problems, optional=True) for n in EXTRA_TABLES}
        problems.extend(
            wbook.lock_file_warnings(
                path,
                [
                    p
                    for p in path.iterdir()
                    if p.is_file()
                    and p.suffix.lower() in TABLE_EXTENSIONS
                    and normalise(p.stem) in TABLE_NAMES
                ],
            )
        )
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        opened = _open_workbook(path, path.name, problems)
        if opened is not None:
            workbook, prepared = opened
            metadata = _workbook_metadata(workbook)
            for name in TABLE_NAMES:
                sheet = _find_sheet(workbook, name)
                if sheet is None:
                    problems.append(
                        Problem(
                            path.name,
                            None,
                            None,
                            None,
                            None,
                            f"missing sheet '{name}'; sheets found: "
                            f"{', '.join(workbook.sheetnames) or 'none'}",
                        )
                    )
                    continue
                rows = _data_rows(workbook, prepared, sheet, path.name, problems)
                table = (
                    None if rows is None else _rows_to_table(name, path.name, sheet, rows, problems)
                )
                if table is not None:
                    tables[name] = table
            for name in EXTRA_TABLES:
                sheet = _find_sheet(workbook, name)
                rows = (
                    None
                    if sheet is None
                    else _data_rows(workbook, prepared, sheet, path.name, problems)
                )
                extra[name] = (
                    None if rows is None else _rows_to_table(name, path.name, sheet, rows, problems)
                )
            workbook.close()
        problems.extend(wbook.lock_file_warnings(path.parent, [path]))
    else:
        problems.append(
            Problem(
                path.name,
                None,
                None,
                None,
                None,
                f"unsupported file type '{path.suffix}': give an .xlsx workbook "
                "or a folder with respondenten/experimenten as csv, xlsx or "
                "parquet",
            )
        )
    codebook = questionnaire.apply_questionnaire(extra, tables, problems)
    for table in tables.values():
        _mask_free_text(table, codebook)
    return RawDataset(path, tables, metadata, problems, codebook)


def _folder_metadata(folder: Path, problems: list[Problem]) -> dict:
    meta_path = folder / METADATA_FILE
    if not meta_path.is_file():
        return {}
    try:
        data = json.loads(meta_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        problems.append(
            Problem(
                METADATA_FILE,
                None,
                None,
                None,
                None,
                f"unreadable metadata ({exc}); expected a JSON object",
                "warning",
            )
        )
        return {}
    return data if isinstance(data, dict) else {}


def _read_folder_table(
    folder: Path, name: str, problems: list[Problem], optional: bool = False
) -> RawTable | None:
    """One table of a folder dataset; `optional`: a `codeboek`/`kolommen` CSV, or None."""
    candidates = sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and p.suffix.lower() in TABLE_EXTENSIONS
        and normalise(p.stem) == name
        and (not optional or p.suffix.lower() == ".csv")
    )
    if optional:
        return _read_csv(candidates[0], name, problems) if candidates else None
    if not candidates:
        problems.append(
            Problem(
                str(folder),
                None,
                None,
                None,
                None,
                f"missing table '{name}': expected {name}.csv, {name}.xlsx or "
                f"{name}.parquet in this folder",
            )
        )
        return None
    if len(candidates) > 1:
        problems.append(
            Problem(
                str(folder),
                None,
                None,
                None,
                None,
                f"table '{name}' found more than once "
                f"({', '.join(p.name for p in candidates)}); keep one",
            )
        )
        return None
    file = candidates[0]
    suffix = file.suffix.lower()
    if suffix == ".csv":
        return _read_csv(file, name, problems)
    if suffix == ".parquet":
        return _read_parquet(file, name, problems)
    opened = _open_workbook(file, file.name, problems)
    if opened is None:
        return None
    workbook, prepared = opened
    sheet = _find_sheet(workbook, name) or workbook.sheetnames[0]
    rows = _data_rows(workbook, prepared, sheet, file.name, problems)
    workbook.close()
    return None if rows is None else _rows_to_table(name, file.name, sheet, rows, problems)


def _read_parquet(file: Path, name: str, problems: list[Problem]) -> RawTable | None:
    try:
        frame = pd.read_parquet(file)
    except Exception as exc:  # pyarrow raises several kinds on broken files
        problems.append(
            Problem(
                file.name,
                None,
                None,
                None,
                None,
                f"unreadable parquet file ({type(exc).__name__}: {exc})",
            )
        )
        return None
    header = pd.DataFrame([[str(c) for c in frame.columns]])
    body = pd.DataFrame(
        {i: frame[c].astype(object).map(cell_text) for i, c in enumerate(frame.columns)}
    )
    return _grid_to_table(
        name, file.name, None, pd.concat([header, body], ignore_index=True), problems
    )
