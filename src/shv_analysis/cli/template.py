"""The `shv template` subcommand: write the Excel intake template (see `coding.template`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shv_analysis.coding.template import TEMPLATE_ROWS, write_template
from shv_analysis.contract.problems import InvalidDataset
from shv_analysis.ingest.reference import ReferenceMissing
from shv_analysis.ingest.validation import read_codebook_extension

EXIT_OK, EXIT_INVALID = 0, 1


def register_cli(sub: argparse._SubParsersAction) -> None:
    """Add the `template` subcommand."""
    p = sub.add_parser(
        "template",
        help="write an Excel intake template made from the codebook",
        description="Write an intake workbook (sheets respondenten, experimenten, codeboek, "
        "toelichting) generated from the codebook, with drop-down lists (Dutch "
        "labels) and one ja/nee column per option of a multi field. A filled-in "
        "template passes `shv check` without edits.",
    )
    p.add_argument("out", metavar="OUT.xlsx", help="workbook to write")
    p.add_argument(
        "--rows",
        type=int,
        default=TEMPLATE_ROWS,
        help=f"rows per sheet with drop-down lists (default {TEMPLATE_ROWS})",
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.add_argument(
        "--codeboek",
        metavar="FILE",
        help="codebook extension (codeboek.csv, or a workbook with a sheet "
        "'codeboek'): its codes join the drop-down lists, its new fields "
        "become columns",
    )
    p.add_argument(
        "--indeling",
        type=int,
        metavar="YYYY",
        help="municipal division of 1 January YYYY: its municipalities in sheet "
        "'gemeenten', the year in the metadata (default: the most recent "
        "division in the reference folder is listed, none declared)",
    )
    p.add_argument("--reference", help="folder with the CBS reference tables (default: search)")
    p.set_defaults(func=cmd_template)


def cmd_template(args: argparse.Namespace) -> int:
    """Write the template to args.out; exit code 0, or 1 (message on stderr)."""
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        print(f"error: {out}: the template must be an .xlsx file", file=sys.stderr)
        return EXIT_INVALID
    if out.exists() and not args.force:
        print(f"error: {out} exists; use --force to overwrite it", file=sys.stderr)
        return EXIT_INVALID
    if args.rows < 1:
        print("error: --rows must be at least 1", file=sys.stderr)
        return EXIT_INVALID
    codebook = None
    if getattr(args, "codeboek", None):
        try:
            codebook = read_codebook_extension(args.codeboek)
        except InvalidDataset as exc:
            for problem in exc.problems:
                print(f"error: {problem}", file=sys.stderr)
            return EXIT_INVALID
    extra = {} if codebook is None else {"codebook": codebook}
    try:
        write_template(
            out, rows=args.rows, indeling=args.indeling, reference=args.reference, **extra
        )
    except ReferenceMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    from openpyxl import load_workbook

    sheets = load_workbook(out, read_only=True).sheetnames
    print(f"template written: {out} (sheets: {', '.join(sheets)})")
    return EXIT_OK
