"""Reading a dataset (workbook or folder) into raw string tables, exactly as the contract allows.

Raw tables hold every cell as text, headers normalised, a `_rij` column with the spreadsheet
row (header = row 1). Personal-data columns are dropped when a table is built
(`ingest.rawtable`), e-mail addresses and phone numbers inside free text are masked here, so
nothing personal reaches a later object. CSV files are read by `ingest.csvreader`, workbook
sheets by `ingest.sheets`; this module finds the tables of a workbook or folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from shv_analysis.contract.codebook import TABLE_NAMES, normalise
from shv_analysis.contract.extension import DEFAULT, Codebook
from shv_analysis.contract.problems import Problem
from shv_analysis.ingest import questionnaire
from shv_analysis.ingest import workbook as wbook
from shv_analysis.ingest.csvreader import read_csv_table
from shv_analysis.ingest.privacy import mask_personal_text
from shv_analysis.ingest.rawtable import ROW_COL, RawTable, cell_text, grid_to_table, rows_to_table
from shv_analysis.ingest.sheets import data_rows, find_sheet, open_workbook, workbook_metadata

TABLE_EXTENSIONS = (".csv", ".xlsx", ".parquet")
METADATA_FILE = "metadata.json"
EXTRA_TABLES = (questionnaire.CODEBOOK_NAME, questionnaire.COLUMNS_NAME)  # optional, own kind


@dataclass
class RawDataset:
    """Both tables of a dataset before coding, plus metadata and reading problems."""

    source: Path
    tables: dict[str, RawTable]
    metadata: dict
    problems: list[Problem]
    codebook: Codebook = DEFAULT  # the package's, or extended by the dataset's `codeboek`


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
        opened = open_workbook(path, path.name, problems)
        if opened is not None:
            workbook, prepared = opened
            metadata = workbook_metadata(workbook)
            for name in TABLE_NAMES:
                sheet = find_sheet(workbook, name)
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
                rows = data_rows(workbook, prepared, sheet, path.name, problems)
                table = (
                    None if rows is None else rows_to_table(name, path.name, sheet, rows, problems)
                )
                if table is not None:
                    tables[name] = table
            for name in EXTRA_TABLES:
                sheet = find_sheet(workbook, name)
                rows = (
                    None
                    if sheet is None
                    else data_rows(workbook, prepared, sheet, path.name, problems)
                )
                extra[name] = (
                    None if rows is None else rows_to_table(name, path.name, sheet, rows, problems)
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
        return read_csv_table(candidates[0], name, problems) if candidates else None
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
        return read_csv_table(file, name, problems)
    if suffix == ".parquet":
        return _read_parquet(file, name, problems)
    opened = open_workbook(file, file.name, problems)
    if opened is None:
        return None
    workbook, prepared = opened
    sheet = find_sheet(workbook, name) or workbook.sheetnames[0]
    rows = data_rows(workbook, prepared, sheet, file.name, problems)
    workbook.close()
    return None if rows is None else rows_to_table(name, file.name, sheet, rows, problems)


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
    return grid_to_table(
        name, file.name, None, pd.concat([header, body], ignore_index=True), problems
    )
