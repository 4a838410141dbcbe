"""The `shv check` subcommand: validate a dataset and summarise it."""

from __future__ import annotations

import argparse
import sys

from shv_analysis.cli.common import (  # noqa: F401  (load_or_report: the import path of 0.2)
    EXIT_INVALID,
    EXIT_OK,
    add_indeling_argument,
    check,
    load_or_report,
    print_problems,
)
from shv_analysis.present.narrative import division_text


def register_cli(sub: argparse._SubParsersAction) -> None:
    """Add `shv check DATA [--reference DIR] [--decisions FILE]`."""
    p = sub.add_parser("check", help="validate a dataset and summarise it")
    p.add_argument("data", help="an .xlsx workbook or a folder with respondenten/experimenten")
    p.add_argument("--reference", help="folder with the CBS reference tables (default: search)")
    p.add_argument(
        "--decisions",
        help="coding decisions file (default: beslissingen.csv beside the data, when present)",
    )
    add_indeling_argument(p)
    p.set_defaults(func=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    """Print every problem (exit 1) or a summary of the valid dataset (exit 0)."""
    result = check(args.data, args.reference, args.decisions, args.indeling)
    if not result.ok:
        print_problems(result, sys.stdout)
        return EXIT_INVALID
    ds = result.dataset
    summary = ds.summary()
    if ds.synthetic:
        print(ds.notice("en"))
    print(f"OK: {result.source}")
    print(f"  respondenten: {summary['respondenten']} records")
    print(f"  experimenten: {summary['experimenten']} records")
    print(
        f"  municipalities covered: {summary['gemeenten_gedekt']} of {summary['gemeenten_totaal']}"
    )
    print(f"  municipal division: {division_text(ds.division, 'en')}")
    print(f"  warnings: {len(result.warnings)}")
    for warning in result.warnings:
        print(f"  {warning}")
    if not ds.codebook.is_default:
        print(f"  codebook extension ({ds.codebook.source}): {ds.codebook.describe()}")
    return EXIT_OK
