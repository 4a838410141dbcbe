"""`shv report`: the command line of `shv_analysis.report.runner.run_report`."""

from __future__ import annotations

import argparse
import sys

from shv_analysis.config import OUTPUT_DIR
from shv_analysis.report.runner import DEFAULT_TIMEOUT, EXIT_USAGE, run_report


def register_cli(sub: argparse._SubParsersAction) -> None:
    """Add the `report` subcommand to the `shv` parser."""
    p = sub.add_parser(
        "report",
        help="execute the section notebooks and write HTML, figures, tables, index",
        description="Execute every section notebook with papermill (in parallel worker "
        "processes) and write executed notebooks, HTML with and without code, "
        "figures (PNG, SVG), tables (CSV, Excel), index.html and manifest.json.",
    )
    p.add_argument(
        "--data", help="dataset: .xlsx workbook or folder (default: the embedded synthetic dataset)"
    )
    p.add_argument("--out", help=f"report folder (default: {OUTPUT_DIR})")
    p.add_argument("--lang", choices=("nl", "en"), default="nl")
    p.add_argument("--jobs", type=int, help="worker processes (default: number of CPUs)")
    p.add_argument(
        "-p",
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="notebook parameter, e.g. -p subset=provincie=Utrecht (repeatable)",
    )
    p.add_argument(
        "--indeling",
        type=int,
        metavar="YYYY",
        help="municipal division of 1 January YYYY (default: the dataset's metadata "
        "key 'indeling', else the interview dates, else the codes); the same "
        "as -p indeling=YYYY",
    )
    p.add_argument(
        "--each",
        metavar="FIELD",
        help="also one report per value of FIELD (e.g. respondenttype, provincie, "
        "grootteklasse), with a top-level index",
    )
    p.add_argument(
        "--sections", help="comma-separated sections to run, e.g. 00,01,04 (default: all)"
    )
    p.add_argument(
        "--notebooks", help="folder with the section notebooks (default: the project's notebooks/)"
    )
    p.add_argument(
        "--isolated",
        action="store_true",
        help="a fresh kernel per notebook instead of one warm kernel per worker",
    )
    p.add_argument(
        "--no-pdf",
        dest="pdf",
        action="store_false",
        help="do not write rapport.pdf / report.pdf (the single HTML file is still written)",
    )
    p.add_argument(
        "--timeout",
        type=int,
        default=DEFAULT_TIMEOUT,
        help=f"seconds allowed per cell (default: {DEFAULT_TIMEOUT})",
    )
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    """Run `shv report` from parsed arguments; returns the exit code (2: usage error)."""
    sections = [s for s in (args.sections or "").split(",") if s.strip()] or None
    if args.jobs is not None and args.jobs < 1:
        print("shv report: --jobs must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    return run_report(
        data=args.data,
        out=args.out,
        lang=args.lang,
        jobs=args.jobs,
        parameters=args.parameter
        + ([f"indeling={args.indeling}"] if args.indeling is not None else []),
        each=args.each,
        sections=sections,
        notebook_dir=args.notebooks,
        warm=not args.isolated,
        timeout=args.timeout or None,
        pdf=args.pdf,
    )
