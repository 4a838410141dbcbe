"""The `shv reproduce` subcommand: published against reproduced figures, with verdicts."""

from __future__ import annotations

import argparse
import sys

from shv_analysis.analysis.reproduction import reproduction_table, skip_reasons
from shv_analysis.cli.common import EXIT_INVALID, EXIT_OK, add_indeling_argument, load_or_report


def register_cli(sub: argparse._SubParsersAction) -> None:
    """Add `shv reproduce [DATA] [--lang nl|en] [--format table|csv]`."""
    p = sub.add_parser("reproduce", help="published vs reproduced figures, with verdicts")
    p.add_argument("data", nargs="?", help="dataset (default: the embedded synthetic dataset)")
    p.add_argument("--lang", choices=("nl", "en"), default="en")
    p.add_argument("--format", choices=("table", "csv"), default="table")
    add_indeling_argument(p)
    p.set_defaults(func=cmd_reproduce)


def cmd_reproduce(args: argparse.Namespace) -> int:
    """Print published vs reproduced figures; 1 when a figure is off (or the data invalid).

    A dataset the comparison does not apply to (`reproduction.skip_reasons`: another
    municipal division, a codebook extension) gets the reasons on stderr and exit code 0.
    """
    ds = load_or_report(args.data, indeling=args.indeling)
    if ds is None:
        return EXIT_INVALID
    reasons = skip_reasons(ds, args.lang)
    if reasons:
        print(
            "shv reproduce: not comparable with the published figures: " + " ".join(reasons),
            file=sys.stderr,
        )
        return EXIT_OK
    table = reproduction_table(ds, args.lang)
    if ds.synthetic:
        print(ds.notice(args.lang))
    if args.format == "csv":
        table.drop(columns=["label"]).to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        shown = table[
            ["figure_id", "unit", "published", "reproduced", "deviation", "verdict_text"]
        ].copy()
        shown["reproduced"] = shown["reproduced"].map(lambda v: f"{v:.2f}")
        shown["deviation"] = shown["deviation"].map(lambda v: f"{v:+.2f}")
        print(shown.to_string(index=False))
    counts = table["verdict"].value_counts()
    off, near = int(counts.get("off", 0)), int(counts.get("near", 0))
    print(
        f"{len(table)} figures: {int(counts.get('ok', 0))} match, {near} within the documented "
        f"1-point tolerance of the infeasible group, {off} off",
        file=sys.stderr,
    )
    if near:
        print(
            "The shares of experiments by respondent type are published as 53/29/19% (sum "
            "101%); no split of the experiments rounds to all three, so the nearest feasible "
            "split is used (see data/synthetic/README.md).",
            file=sys.stderr,
        )
    return EXIT_INVALID if off else EXIT_OK
