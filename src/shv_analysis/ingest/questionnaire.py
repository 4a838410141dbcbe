"""A dataset's own questionnaire: its codebook extension and its column map.

Two optional tables beside `respondenten` and `experimenten` (workbook sheets, or CSV files
in a folder dataset), read as text tables like the others (`_rij` = spreadsheet row):

- `codeboek` / `codeboek.csv`: the codebook extension, columns `veld, code, label_nl,
  label_en` and optional `soort` (single/multi), `tabel` (respondenten/experimenten),
  `verplicht` (ja/nee); see `contract.extension.Codebook.extend`.
- `kolommen` / `kolommen.csv`: a column map, columns `bron, veld` (optional `tabel`): the
  header of a survey tool's export (`bron`) and the contract field it holds (`veld`, or
  `<field>__<code>` for one option of a multi field). The map renames headers before any
  cell is read, so errors still name the export's own header.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from shv_analysis.contract import codebook as cb
from shv_analysis.contract.extension import (
    DEFAULT,
    EXTENSION_COLUMNS,
    OPTIONAL_COLUMNS,
    Codebook,
    ExtensionError,
    ExtensionRow,
)
from shv_analysis.contract.problems import Problem

CODEBOOK_NAME = "codeboek"
COLUMNS_NAME = "kolommen"
MAP_COLUMNS = ("bron", "veld")
ROW_COL = "_rij"


def _missing_columns(
    frame: pd.DataFrame, wanted: Iterable[str], file: str, sheet: str | None, what: str
) -> list[Problem]:
    missing = [c for c in wanted if c not in frame.columns]
    if not missing:
        return []
    found = ", ".join(c for c in frame.columns if c != ROW_COL) or "none"
    return [
        Problem(
            file,
            sheet,
            1,
            None,
            None,
            f"{what}: missing column(s) {', '.join(missing)}; columns found: {found}",
        )
    ]


def _cells(frame: pd.DataFrame, column: str) -> list[str]:
    if column not in frame.columns:
        return [""] * len(frame)
    return [cb.clean_text(str(v)) for v in frame[column]]


def extension_rows(
    frame: pd.DataFrame, file: str, sheet: str | None = None
) -> tuple[list[ExtensionRow], list[Problem]]:
    """The rows of a `codeboek` table (text frame with `_rij`), or the missing columns."""
    problems = _missing_columns(frame, EXTENSION_COLUMNS[:3], file, sheet, "codebook extension")
    if problems:
        return [], problems
    columns = {c: _cells(frame, c) for c in EXTENSION_COLUMNS + OPTIONAL_COLUMNS}
    rows = [
        ExtensionRow(int(r), *(columns[c][i] for c in EXTENSION_COLUMNS + OPTIONAL_COLUMNS))
        for i, r in enumerate(frame[ROW_COL])
    ]
    return rows, []


def extended_codebook(
    frame: pd.DataFrame, file: str, sheet: str | None = None, base: Codebook = DEFAULT
) -> tuple[Codebook, list[Problem]]:
    """`base` extended with a `codeboek` table; on problems, `base` and the problems."""
    rows, problems = extension_rows(frame, file, sheet)
    if problems:
        return base, problems
    try:
        return base.extend(rows, file, sheet), []
    except ExtensionError as exc:
        return base, exc.problems


# ---------------------------------------------------------------- column map


@dataclass(frozen=True)
class MapRow:
    """One row of a column map: export header (as typed and as a header key) -> field."""

    row: int
    bron: str
    key: str
    veld: str
    tables: tuple[str, ...]  # the tables whose header it renames


@dataclass
class ColumnMap:
    """The rows of a `kolommen` table, checked against a codebook."""

    rows: list[MapRow] = field(default_factory=list)
    file: str = "kolommen.csv"
    sheet: str | None = None
    used: set[int] = field(default_factory=set)

    def apply(
        self, table: str, frame: pd.DataFrame, headers: dict[str, str]
    ) -> tuple[pd.DataFrame, dict[str, str], list[Problem]]:
        """Rename the mapped headers of one table (text frame, header key -> as written).

        A mapped field whose name is already another column of the table is an error.
        """
        renames = {}
        problems = []
        for r in self.rows:
            if table in r.tables and r.key in frame.columns and r.key != r.veld:
                if r.veld in frame.columns and r.veld not in renames:
                    problems.append(
                        Problem(
                            self.file,
                            self.sheet,
                            r.row,
                            "veld",
                            r.veld,
                            f"column '{r.bron}' is mapped to '{r.veld}', but "
                            f"table '{table}' already has a column "
                            f"'{headers.get(r.veld, r.veld)}'",
                        )
                    )
                    continue
                renames[r.key] = r.veld
                self.used.add(r.row)
            elif table in r.tables and r.key in frame.columns:
                self.used.add(r.row)
        if not renames:
            return frame, headers, problems
        headers = {renames.get(k, k): v for k, v in headers.items()}
        return frame.rename(columns=renames), headers, problems

    def unused(self) -> list[Problem]:
        """A warning per map row whose export header is in no table."""
        return [
            Problem(
                self.file,
                self.sheet,
                r.row,
                "bron",
                r.bron,
                "no column with this header in the data; the row maps nothing",
                "warning",
            )
            for r in self.rows
            if r.row not in self.used
        ]


def _tables_of(codebook: Codebook, veld: str) -> tuple[str, ...]:
    """The tables in which `veld` names a field or an option column `<multi>__<code>`."""
    name, _, option = veld.partition("__")
    out = []
    for table in cb.TABLE_NAMES:
        for f in codebook.fields(table):
            if f.name == name and (not option or (f.kind == "multi" and option in f.code_list)):
                out.append(table)
    return tuple(out)


def column_map(
    frame: pd.DataFrame, codebook: Codebook, file: str, sheet: str | None = None
) -> tuple[ColumnMap, list[Problem]]:
    """A `kolommen` table (text frame with `_rij`) checked against `codebook`.

    Errors: a missing `bron`/`veld` column, an empty cell, an unknown target field (naming
    the row and the fields allowed), an unknown `tabel`, a header mapped twice, two headers
    mapped to one field of a table.
    """
    problems = _missing_columns(frame, MAP_COLUMNS, file, sheet, "column map")
    out = ColumnMap(file=file, sheet=sheet)
    if problems:
        return out, problems
    bron, veld, tabel = _cells(frame, "bron"), _cells(frame, "veld"), _cells(frame, "tabel")
    seen: dict[tuple[str, str], int] = {}
    targets: dict[tuple[str, str], int] = {}
    for i, row in enumerate(int(r) for r in frame[ROW_COL]):

        def bad(column, value, message, row=row):
            problems.append(Problem(file, sheet, row, column, value, message))

        if not bron[i] or not veld[i]:
            bad(
                "bron" if not bron[i] else "veld",
                "",
                "empty cell; give the export's header (bron) and the field it holds (veld)",
            )
            continue
        target = cb.normalise_header(veld[i])
        wanted = cb.normalise(tabel[i])
        if wanted and wanted not in cb.TABLE_NAMES:
            bad("tabel", tabel[i], "unknown tabel; allowed: " + ", ".join(cb.TABLE_NAMES))
            continue
        tables = tuple(t for t in _tables_of(codebook, target) if not wanted or t == wanted)
        if not tables:
            where = f" of table {wanted}" if wanted else ""
            bad(
                "veld",
                veld[i],
                f"unknown field{where}; allowed: a field of the codebook "
                "(e.g. type, fasen, gemeentecodes) or an option column such as "
                "fasen__nazorg; see docs/data_contract.md",
            )
            continue
        key = cb.normalise_header(bron[i])
        clash = next((seen[(t, key)] for t in tables if (t, key) in seen), None)
        if clash is not None:
            bad("bron", bron[i], f"header mapped twice (also in row {clash})")
            continue
        twice = next((targets[(t, target)] for t in tables if (t, target) in targets), None)
        if twice is not None:
            bad(
                "veld",
                veld[i],
                f"field '{target}' is already the target of row {twice}; map one header to it",
            )
            continue
        for t in tables:
            seen[(t, key)] = row
            targets[(t, target)] = row
        out.rows.append(MapRow(row, bron[i], key, target, tables))
    return out, problems


def apply_questionnaire(extra: dict, tables: dict, problems: list[Problem]) -> Codebook:
    """Read the optional `codeboek` and `kolommen` tables and rename the mapped headers.

    Args:
        extra: `codeboek`/`kolommen` -> its raw table (with `frame`, `file`, `sheet`) or None.
        tables: table name -> raw table (with `frame`, `headers`); renamed in place.
        problems: where every problem found is appended.

    Returns:
        The dataset's codebook: the default, extended by the `codeboek` table when given
        and valid.
    """
    codebook = DEFAULT
    book = extra.get(CODEBOOK_NAME)
    if book is not None:
        codebook, found = extended_codebook(book.frame, book.file, book.sheet)
        problems.extend(found)
    mapping = extra.get(COLUMNS_NAME)
    if mapping is not None:
        colmap, found = column_map(mapping.frame, codebook, mapping.file, mapping.sheet)
        problems.extend(found)
        for name, table in tables.items():
            table.frame, table.headers, found = colmap.apply(name, table.frame, table.headers)
            problems.extend(found)
        if tables:
            problems.extend(colmap.unused())
    return codebook
