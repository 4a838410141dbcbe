"""The `shv reference download` subcommand (see `shv_analysis.ingest.download`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shv_analysis.config import USER_REFERENCE_DIR
from shv_analysis.ingest import download

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def cmd_download(args: argparse.Namespace) -> int:
    """Download the reference of `args.year` into `args.dir`; print the written paths.

    Returns 0 on success, 1 when a download failed (the message names the URL; nothing is
    written).
    """
    try:
        paths = download.download_reference(args.dir, year=args.year)
    except download.DownloadError as exc:
        print(f"shv reference download: {exc}\nNothing was written.", file=sys.stderr)
        return EXIT_FAILED
    for path in paths:
        print(path)
    if args.year != 2019:
        print(
            f"Note: a dataset uses the division of {args.year} when it declares it "
            f"(metadata key 'indeling' = {args.year}, or --indeling {args.year}) or when "
            "its interview dates fall in that year; mergers since 2019 are read from "
            "herindelingen_*.csv beside it, which CBS does not publish as such.",
            file=sys.stderr,
        )
    return EXIT_OK


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add `shv reference download [--year YYYY] [--dir DIR]`."""
    ref = subparsers.add_parser(
        "reference",
        help="municipality reference tables and boundaries (CBS/PDOK)",
        description="Municipality reference tables and boundaries.",
    )
    ref.set_defaults(func=lambda args: (ref.print_help(), EXIT_USAGE)[1])
    sub = ref.add_subparsers(dest="reference_command", metavar="ACTION")
    dl = sub.add_parser(
        "download",
        help="download codes, names, provinces, population and boundaries",
        description="Download the municipality table (CBS open data) and generalised "
        "boundaries (PDOK) into DIR. Nothing is written unless every file "
        "arrives whole.",
    )
    dl.add_argument(
        "--year",
        type=int,
        default=2019,
        help="municipal division of 1 January of this year (default 2019)",
    )
    dl.add_argument(
        "--dir",
        type=Path,
        default=USER_REFERENCE_DIR,
        help="target folder (default: data/reference in the project)",
    )
    dl.set_defaults(func=cmd_download)
