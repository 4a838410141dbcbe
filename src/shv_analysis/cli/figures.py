"""The `shv figures` subcommand: every published figure computed from a dataset."""

from __future__ import annotations

import argparse
import csv
import json
import sys

from shv_analysis.analysis.figures import compute_figures, published_figures
from shv_analysis.cli.common import EXIT_INVALID, EXIT_OK, add_indeling_argument, load_or_report


def register_cli(sub: argparse._SubParsersAction) -> None:
    """Add `shv figures [DATA] [--format csv|json] [--reference DIR] [--decisions FILE]`."""
    p = sub.add_parser("figures", help="compute every published figure from a dataset")
    p.add_argument("data", nargs="?", help="dataset (default: the embedded synthetic dataset)")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--reference", help="folder with the CBS reference tables (default: search)")
    p.add_argument("--decisions", help="coding decisions file (default: beside the data)")
    add_indeling_argument(p)
    p.set_defaults(func=cmd_figures)


def cmd_figures(args: argparse.Namespace) -> int:
    """Write figure_id, numerator, denominator, value per figure as CSV or JSON to stdout."""
    ds = load_or_report(args.data, args.reference, args.decisions, indeling=args.indeling)
    if ds is None:
        return EXIT_INVALID
    if ds.synthetic:
        print(ds.notice("en"), file=sys.stderr)
    frame = compute_figures(ds, published_figures())
    records = [_record(row) for row in frame.itertuples(index=False)]
    if args.format == "json":
        json.dump(
            {
                "dataset": ds.name,
                "synthetic": ds.synthetic,
                "indeling": ds.indeling,
                "figures": records,
            },
            sys.stdout,
            indent=2,
            ensure_ascii=False,
        )
        print()
    else:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["figure_id", "numerator", "denominator", "value"])
        for r in records:
            writer.writerow(["" if v is None else v for v in r.values()])
    return EXIT_OK


def _record(row) -> dict:
    den = (
        None if row.denominator is None or str(row.denominator) == "<NA>" else int(row.denominator)
    )
    value = row.value if den is not None else int(row.value)
    return {
        "figure_id": row.figure_id,
        "numerator": int(row.numerator),
        "denominator": den,
        "value": value,
    }
