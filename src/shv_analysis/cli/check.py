"""The `shv check` and `shv figures` subcommands."""

from __future__ import annotations

import argparse
import csv
import json
import sys

from shv_analysis.analysis.figures import compute_figures, published_figures
from shv_analysis.coding.decisions import decisions_step
from shv_analysis.config import DEFAULT_DATA
from shv_analysis.ingest.validation import CheckResult, check_dataset

EXIT_OK, EXIT_INVALID = 0, 1


def register_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="validate a dataset and summarise it")
    p.add_argument("data", help="an .xlsx workbook or a folder with respondenten/experimenten")
    p.add_argument("--reference", help="folder with the CBS reference tables (default: search)")
    p.add_argument("--decisions", help="coding decisions file (default: beslissingen.csv "
                   "beside the data, when present)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("figures", help="compute every published figure from a dataset")
    p.add_argument("data", nargs="?", help="dataset (default: the embedded synthetic dataset)")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--reference", help="folder with the CBS reference tables (default: search)")
    p.add_argument("--decisions", help="coding decisions file (default: beside the data)")
    p.set_defaults(func=cmd_figures)


def _check(path, reference, decisions=None) -> CheckResult:
    return check_dataset(path, reference=reference or "auto",
                         decisions_step=decisions_step(decisions or "auto"))


def print_problems(result: CheckResult, stream) -> None:
    """Every problem, one per line, errors first."""
    for problem in result.errors + result.warnings:
        print(problem, file=stream)
    print(f"{len(result.errors)} error(s), {len(result.warnings)} warning(s) in {result.source}",
          file=stream)


def load_or_report(data, reference=None, decisions=None, stream=None):
    """The dataset at `data` (default: embedded), or None after printing every problem."""
    result = _check(data or DEFAULT_DATA, reference, decisions)
    if not result.ok:
        print_problems(result, stream or sys.stderr)
        return None
    return result.dataset


def cmd_check(args: argparse.Namespace) -> int:
    result = _check(args.data, args.reference, args.decisions)
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
    print(f"  municipalities covered: {summary['gemeenten_gedekt']} of 355")
    print(f"  warnings: {len(result.warnings)}")
    for warning in result.warnings:
        print(f"  {warning}")
    return EXIT_OK


def cmd_figures(args: argparse.Namespace) -> int:
    ds = load_or_report(args.data, args.reference, args.decisions)
    if ds is None:
        return EXIT_INVALID
    if ds.synthetic:
        print(ds.notice("en"), file=sys.stderr)
    frame = compute_figures(ds, published_figures())
    records = [_record(row) for row in frame.itertuples(index=False)]
    if args.format == "json":
        json.dump({"dataset": ds.name, "synthetic": ds.synthetic, "figures": records},
                  sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["figure_id", "numerator", "denominator", "value"])
        for r in records:
            writer.writerow(["" if v is None else v for v in r.values()])
    return EXIT_OK


def _record(row) -> dict:
    den = None if row.denominator is None or str(row.denominator) == "<NA>" else int(row.denominator)
    value = row.value if den is not None else int(row.value)
    return {"figure_id": row.figure_id, "numerator": int(row.numerator), "denominator": den,
            "value": value}
