"""The `shv code` subcommand: write a coding worksheet, read coders' decisions back.

See `coding.worksheet` (the worksheet) and `coding.decisions` (the decisions file).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shv_analysis.coding.decisions import (
    decidable_fields,
    default_decisions_path,
    empty_decisions,
    merge_decisions,
    read_decisions,
    write_decisions,
)
from shv_analysis.coding.suggestions import AMBIGUOUS, NONE, SUGGESTED
from shv_analysis.coding.worksheet import (
    default_worksheet_path,
    raw_pilots,
    read_worksheet,
    worksheet_rows,
    write_worksheet,
)
from shv_analysis.contract import codebook as cb

EXIT_OK, EXIT_INVALID = 0, 1


def register_cli(sub: argparse._SubParsersAction) -> None:
    """Add the `code` subcommand."""
    p = sub.add_parser(
        "code",
        help="coding worksheet with suggested codes; read coders' decisions back",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Two steps of assisted coding:\n\n"
            "  shv code DATA --out WORKSHEET.xlsx\n"
            "      list every pilot whose type, fasen, partners or doelgroepen is empty while\n"
            "      titel/omschrijving is filled, with a suggested code from the codebook's\n"
            "      keyword rules (status suggested / ambiguous / none) and a final_code column\n"
            "      with a drop-down of allowed codes. Earlier decisions are prefilled.\n\n"
            "  shv code --read WORKSHEET.xlsx [--decisions FILE] [--coder NAME]\n"
            "      store the filled-in final codes in the decisions file (CSV UTF-8: pilot_id,\n"
            "      field, code, coder, date, note), updating earlier decisions of the same\n"
            "      pilot and field.\n\n"
            "The decisions file is applied whenever the dataset is loaded (`shv check`,\n"
            "`shv figures`, shv.load(), ...): only to EMPTY cells; a typed value is never\n"
            "overwritten. Default "
            "location: DATA/beslissingen.csv for a folder, <stem>.beslissingen.csv beside a\n"
            "workbook."
        ),
    )
    p.add_argument(
        "data",
        nargs="?",
        metavar="DATA",
        help="dataset (.xlsx workbook or folder) to make a worksheet for",
    )
    p.add_argument(
        "--out",
        metavar="WORKSHEET.xlsx",
        help="worksheet to write (default: codeerblad.xlsx in a dataset folder, "
        "<stem>.codeerblad.xlsx beside a workbook)",
    )
    p.add_argument(
        "--read",
        metavar="WORKSHEET.xlsx",
        help="read the final codes of a filled-in worksheet into the decisions file",
    )
    p.add_argument(
        "--decisions", metavar="FILE", help="decisions file (default: the dataset's, see above)"
    )
    p.add_argument(
        "--fields",
        default=",".join(cb.CODING_FIELDS),
        help="fields to code, comma-separated (default: %(default)s)",
    )
    p.add_argument("--coder", help="coder name for rows whose coder cell is empty (--read)")
    p.add_argument("--force", action="store_true", help="overwrite an existing worksheet")
    p.set_defaults(func=cmd_code)


def _parse_fields(text: str) -> list[str]:
    names = [cb.normalise_header(n) for n in text.split(",") if n.strip()]
    allowed = decidable_fields()
    bad = [n for n in names if n not in allowed]
    if bad or not names:
        raise ValueError(
            f"--fields: unknown field(s) {', '.join(bad) or '(none)'}; allowed: "
            + ", ".join(allowed)
        )
    return names


def cmd_code(args: argparse.Namespace) -> int:
    """Write a worksheet for args.data, or read args.read into the decisions file; exit code
    0, or 1 (messages on stderr).
    """
    if args.read:
        return _cmd_read(args)
    if not args.data:
        print("error: give DATA (to write a worksheet) or --read WORKSHEET.xlsx", file=sys.stderr)
        return EXIT_INVALID
    try:
        fields = _parse_fields(args.fields)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    out = Path(args.out) if args.out else default_worksheet_path(args.data)
    if out.exists() and not args.force:
        print(
            f"error: {out} exists; use --force to overwrite it (decisions already read "
            "from it are kept in the decisions file)",
            file=sys.stderr,
        )
        return EXIT_INVALID
    pilots, problems = raw_pilots(args.data)
    if pilots is None or "pilot_id" not in pilots.columns:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(
            f"error: {args.data}: no table '{cb.EXPERIMENTEN}' with a pilot_id column to code",
            file=sys.stderr,
        )
        return EXIT_INVALID
    decisions_path = Path(args.decisions) if args.decisions else default_decisions_path(args.data)
    prior = None
    if decisions_path.is_file():
        prior, _ = read_decisions(decisions_path)
    rows = worksheet_rows(pilots, fields, prior)
    write_worksheet(rows, out, data=args.data, decisions_path=decisions_path, fields=fields)
    counts = rows["status"].value_counts()
    decided = int(rows["final_code"].ne("").sum())
    print(
        f"worksheet written: {out}: {len(rows)} record(s) to decide "
        f"({int(counts.get(SUGGESTED, 0))} suggested, {int(counts.get(AMBIGUOUS, 0))} "
        f"ambiguous, {int(counts.get(NONE, 0))} without suggestion; {decided} already "
        f"decided in {decisions_path.name})"
    )
    if problems:
        print(
            f"note: the dataset has {len(problems)} reading problem(s); run `shv check`",
            file=sys.stderr,
        )
    return EXIT_OK


def _cmd_read(args: argparse.Namespace) -> int:
    sheet_path = Path(args.read)
    if not sheet_path.is_file():
        print(f"error: {sheet_path} not found", file=sys.stderr)
        return EXIT_INVALID
    frame, problems, info = read_worksheet(sheet_path, coder=args.coder)
    if args.decisions:
        target = Path(args.decisions)
    elif info.get("decisions"):
        target = Path(info["decisions"])
    elif args.data:
        target = default_decisions_path(args.data)
    else:
        print(
            "error: the worksheet does not name its decisions file; give --decisions FILE",
            file=sys.stderr,
        )
        return EXIT_INVALID
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(
            f"{len(problems)} problem(s): nothing written; correct the worksheet and read it again",
            file=sys.stderr,
        )
        return EXIT_INVALID
    existing = read_decisions(target)[0] if target.is_file() else empty_decisions()
    merged = merge_decisions(existing, frame)
    write_decisions(merged, target)
    print(
        f"{len(frame)} decision(s) read from {sheet_path.name}; {len(merged)} decision(s) "
        f"in {target}"
    )
    return EXIT_OK
