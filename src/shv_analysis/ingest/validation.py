"""Checking a dataset as a whole: read it, code each table, cross-check, load.

`check_dataset` reads a workbook or folder, chooses the municipal division to measure it
against, codes each raw table (see `ingest.coding_fields`), checks the tables against each
other (unique ids, known respondents, G4/G40 municipalities) and derives the respondent
facts, collecting every problem of the input in one pass; `load` raises them instead.

Coding decisions (filling empty cells from a decisions file) belong to the layer above; this
module only runs a `DecisionsStep` its caller passes in (see `shv_analysis.load` and
`shv_analysis.coding.decisions.decisions_step`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from shv_analysis.contract import codebook as cb
from shv_analysis.contract.extension import DEFAULT, Codebook
from shv_analysis.contract.problems import InvalidDataset, Problem, sort_problems
from shv_analysis.ingest.coding_fields import ProblemSink, RawStep, code_table
from shv_analysis.ingest.csvreader import read_csv_table
from shv_analysis.ingest.dataset import Dataset, derive_respondent_facts
from shv_analysis.ingest.division import choose_division
from shv_analysis.ingest.questionnaire import CODEBOOK_NAME, extended_codebook
from shv_analysis.ingest.rawtable import ROW_COL, RawTable
from shv_analysis.ingest.readers import RawDataset, read_dataset
from shv_analysis.ingest.reference import Reference, load_reference

__all__ = [
    "CheckResult",
    "DecisionsStep",
    "RawStep",
    "check_dataset",
    "load",
    "read_codebook_extension",
    "resolve_reference",
]

#: (dataset source path, the check's problem list to append to) -> the `RawStep` to apply
#: to the dataset's raw experiments, or None for nothing to apply.
DecisionsStep = Callable[[Path, list[Problem]], RawStep | None]


@dataclass
class CheckResult:
    """Outcome of checking a dataset: the dataset (when valid), errors and warnings."""

    dataset: Dataset | None
    errors: list[Problem]
    warnings: list[Problem]
    source: Path

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings allowed)."""
        return not self.errors

    def print_problems(self, stream: TextIO) -> None:
        """Every problem, one per line, errors first, then a count line (as `shv check`)."""
        for problem in self.errors + self.warnings:
            print(problem, file=stream)
        print(
            f"{len(self.errors)} error(s), {len(self.warnings)} warning(s) in {self.source}",
            file=stream,
        )


# ---------------------------------------------------------------- whole dataset


def _duplicates(frame: pd.DataFrame, column: str, sink: ProblemSink) -> None:
    ids = frame[column]
    dup = ids.notna() & ids.duplicated(keep="first")
    if dup.any():
        first = frame.loc[ids.notna()].drop_duplicates(column).set_index(column)[ROW_COL]
        for row, value in zip(frame.loc[dup, ROW_COL], ids[dup]):
            sink.add_one(
                row,
                column,
                value,
                f"duplicate {column}; it already appears in row "
                f"{first[value]}; each {column} must be unique",
            )


def _cross_checks(
    resp: pd.DataFrame,
    exp: pd.DataFrame,
    tables: dict[str, RawTable],
    problems: list[Problem],
    reference: Reference | None,
) -> None:
    r_sink, e_sink = ProblemSink(tables[cb.RESPONDENTEN]), ProblemSink(tables[cb.EXPERIMENTEN])
    _duplicates(resp, "respondent_id", r_sink)
    _duplicates(exp, "pilot_id", e_sink)
    known = set(resp["respondent_id"].dropna())
    unknown = exp["respondent_id"].notna() & ~exp["respondent_id"].isin(known)
    e_sink.add(
        exp.loc[unknown, ROW_COL],
        "respondent_id",
        exp.loc[unknown, "respondent_id"],
        f"unknown respondent_id: no such row in table '{cb.RESPONDENTEN}'",
    )
    if reference is not None:
        large = {c for c in reference.codes if reference.is_large_city(c)}
        g4 = resp["respondenttype"].eq("g4_g40") & resp["gemeentecodes"].notna()
        cells = resp.loc[g4, "gemeentecodes"]
        idx, uniques = pd.factorize(cells)
        small = [";".join(c for c in cell.split(";") if c and c not in large) for cell in uniques]
        for position in np.flatnonzero(np.array([bool(x) for x in small] + [False])[idx]):
            r_sink.add_one(
                resp.loc[g4, ROW_COL].iloc[position],
                "gemeentecodes",
                small[idx[position]],
                "respondent type is G4/G40 but this municipality "
                f"is not G4/G40 in the reference (1-1-{reference.year})",
                "warning",
            )
    problems.extend(r_sink.problems + e_sink.problems)


def resolve_reference(reference) -> Reference | None:
    """'auto' -> the default reference folder (or None); a path -> that folder; else as given."""
    if isinstance(reference, Reference) or reference is None:
        return reference
    if isinstance(reference, str) and reference == "auto":
        return load_reference()
    return load_reference(reference, required=True)


def check_dataset(
    path: str | os.PathLike,
    reference="auto",
    decisions_step: DecisionsStep | None = None,
    indeling=None,
) -> CheckResult:
    """Read, code and check a dataset; every problem is collected, none raised.

    Args:
        path: an ``.xlsx`` workbook or a folder of CSV/XLSX/Parquet tables.
        reference: "auto", a reference folder, a `Reference` or None (see `resolve_reference`).
        decisions_step: called once with the dataset's source path and the problem list; the
            `RawStep` it returns (if any) fills cells of the raw experiments before coding.
            None: the data as typed (`shv_analysis.load` passes the coding decisions step).
        indeling: the municipal division (a year) to measure the data against; None: the
            dataset's metadata key `indeling`, else inferred (see `ingest.division`).

    Returns:
        A `CheckResult`: the dataset (None when there are errors), errors and warnings sorted.
    """
    raw = read_dataset(path)
    ref = resolve_reference(reference)
    division, problems = choose_division(raw, indeling, ref.folder if ref is not None else None)
    if ref is not None and ref.year != division.year:
        ref = load_reference(ref.folder, required=True, year=division.year)
    problems = list(raw.problems) + problems
    coded: dict[str, pd.DataFrame] = {}
    apply = decisions_step(raw.source, problems) if decisions_step is not None else None
    for name, table in raw.tables.items():
        frame, found = code_table(table, ref, apply, raw.codebook)
        coded[name] = frame
        problems.extend(found)
    if len(coded) == 2:
        _cross_checks(coded[cb.RESPONDENTEN], coded[cb.EXPERIMENTEN], raw.tables, problems, ref)
    errors = sort_problems(p for p in problems if p.severity == "error")
    warnings = sort_problems(p for p in problems if p.severity != "error")
    if errors or len(coded) < 2:
        return CheckResult(None, errors, warnings, raw.source)
    resp, derive_warnings = derive_respondent_facts(coded[cb.RESPONDENTEN], ref)
    warnings += derive_warnings + _empty_tables(raw, coded)
    dataset = Dataset(
        respondenten=resp,
        experimenten=coded[cb.EXPERIMENTEN],
        source=raw.source,
        metadata=raw.metadata,
        warnings=warnings,
        codebook=raw.codebook,
        division=division,
    )
    return CheckResult(dataset, errors, warnings, raw.source)


def _empty_tables(raw: RawDataset, coded: dict[str, pd.DataFrame]) -> list[Problem]:
    """A warning per table that holds no record (a template nobody filled in)."""
    found = []
    for name in cb.TABLE_NAMES:
        if name in coded and coded[name].empty:
            table = raw.tables[name]
            found.append(
                Problem(
                    table.file,
                    table.sheet,
                    None,
                    None,
                    None,
                    f"table '{name}' holds no records (only a header); a report "
                    "over this dataset has nothing to count",
                    "warning",
                )
            )
    return found


def load(
    path: str | os.PathLike,
    reference="auto",
    decisions_step: DecisionsStep | None = None,
    indeling=None,
) -> Dataset:
    """Load a dataset (arguments as `check_dataset`).

    Raises:
        InvalidDataset: listing every problem when the dataset has errors.
    """
    result = check_dataset(path, reference, decisions_step, indeling)
    if not result.ok or result.dataset is None:
        raise InvalidDataset(
            result.errors
            or [Problem(str(path), None, None, None, None, "dataset could not be read")]
        )
    return result.dataset


def read_codebook_extension(path: str | os.PathLike) -> Codebook:
    """The package's codebook extended by a codebook extension (e.g. for `shv template`).

    Args:
        path: a `codeboek.csv` file, or a folder or workbook dataset holding a `codeboek`
            file or sheet.

    Raises:
        InvalidDataset: the file is missing or unreadable, or rows of the extension are bad
            (each problem names the file, sheet and row).
    """
    path = Path(path)
    if path.is_dir():
        path = path / f"{CODEBOOK_NAME}.csv"
    problems: list[Problem] = []
    if path.suffix.lower() == ".csv" and path.is_file():
        table = read_csv_table(path, CODEBOOK_NAME, problems)
        codebook = DEFAULT
        if table is not None:
            codebook, found = extended_codebook(table.frame, table.file, table.sheet)
            problems.extend(found)
    elif path.suffix.lower() in (".xlsx", ".xlsm") and path.is_file():
        raw = read_dataset(path)
        codebook = raw.codebook
        problems = [
            p
            for p in raw.problems
            if p.sheet is not None and cb.normalise(p.sheet) == CODEBOOK_NAME
        ]
    else:
        problems.append(
            Problem(
                str(path),
                None,
                None,
                None,
                None,
                "not found: give a codeboek.csv file, or a workbook with a sheet 'codeboek'",
            )
        )
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InvalidDataset(errors)
    return codebook
