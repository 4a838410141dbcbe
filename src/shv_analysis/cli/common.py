"""What the `shv` subcommands share: exit codes, loading a dataset or listing its problems."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from shv_analysis.coding.decisions import decisions_step
from shv_analysis.config import DEFAULT_DATA
from shv_analysis.ingest.dataset import Dataset
from shv_analysis.ingest.validation import CheckResult, check_dataset

#: Exit codes: success, invalid data or a failed comparison, wrong usage.
EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def check(
    path: str | os.PathLike,
    reference: str | None = None,
    decisions: str | None = None,
    indeling: int | None = None,
) -> CheckResult:
    """`check_dataset` with the CLI's defaults: reference and decisions searched ("auto"),
    the municipal division declared by the dataset or inferred unless `indeling` is given.
    """
    return check_dataset(
        path,
        reference=reference or "auto",
        decisions_step=decisions_step(decisions or "auto"),
        indeling=indeling,
    )


def add_indeling_argument(parser) -> None:
    """`--indeling YYYY`: the municipal division to measure the dataset against."""
    parser.add_argument(
        "--indeling",
        type=int,
        metavar="YYYY",
        help="municipal division of 1 January YYYY (default: the dataset's "
        "metadata key 'indeling', else the interview dates, else the most "
        "recent reference division knowing every code)",
    )


def print_problems(result: CheckResult, stream: TextIO) -> None:
    """Every problem, one per line, errors first, then a count line."""
    result.print_problems(stream)


def load_or_report(
    data: str | os.PathLike | None,
    reference: str | None = None,
    decisions: str | None = None,
    stream: TextIO | None = None,
    indeling: int | None = None,
) -> Dataset | None:
    """The dataset at `data` (default: embedded), or None after printing every problem.

    Problems go to `stream` (default: stderr).
    """
    result = check(data or DEFAULT_DATA, reference, decisions, indeling)
    if not result.ok:
        print_problems(result, stream or sys.stderr)
        return None
    return result.dataset
