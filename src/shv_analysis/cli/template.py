"""The `shv template` subcommand: write the Excel intake template (see `coding.template`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shv_analysis.coding.template import EXPLANATION_SHEET, TEMPLATE_ROWS, write_template
from shv_analysis.coding.workbook import CODEBOOK_SHEET
from shv_analysis.contract import codebook as cb
from shv_analysis.contract.problems import InvalidDataset
from shv_analysis.ingest.validation import read_codebook_extension

EXIT_OK, EXIT_INVALID = 0, 1


def register_cli(sub: argparse._SubParsersAction) -> None:
    """Add the `template` subcommand."""
    p = sub.add_parser(
        "template", help="write an Excel intake template made from the codebook",
        description="Write an intake workbook (sheets respondenten, experimenten, codeboek, "
                    "toelichting) generated from the codebook, with drop-down lists (Dutch "
                    "labels) and one ja/nee column per option of a multi field. A filled-in "
                    "template passes `shv check` without edits.")
    p.add_argument("out", metavar="OUT.xlsx", help="workbook to write")
    p.add_argument("--rows", type=int, default=TEMPLATE_ROWS,
                   help=f"rows per sheet with drop-down lists (default {TEMPLATE_ROWS})")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.add_argument("--codeboek", metavar="FILE",
                   help="codebook extension (codeboek.csv, or a workbook with a sheet "
                        "'codeboek'): its codes join the drop-down lists, its new fields "
                        "become columns")
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
    if codebook is None:
        write_template(out, rows=args.rows)
    else:
        write_template(out, rows=args.rows, codebook=codebook)
    print(f"template written: {out} (sheets: {EXPLANATION_SHEET}, {cb.RESPONDENTEN}, "
          f"{cb.EXPERIMENTEN}, {CODEBOOK_SHEET}, metadata)")
    return EXIT_OK
