"""The `shv synth` subcommand: write the seeded synthetic dataset (see `shv_analysis.synthetic`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shv_analysis.ingest.reference import ReferenceMissing, load_reference
from shv_analysis.synthetic.files import DEFAULT_OUT, write_dataset
from shv_analysis.synthetic.targets import DEFAULT_SEED

EXIT_OK, EXIT_USAGE, EXIT_NO_REFERENCE = 0, 2, 2


def cmd_synth(args: argparse.Namespace) -> int:
    """Write the dataset of `args.seed` into `args.out`.

    Without `--out` the target is the embedded dataset itself: refused unless `--force`.

    Returns:
        0 when written; 2 when refused or when no reference tables exist.
    """
    out = Path(args.out) if args.out else DEFAULT_OUT
    if args.out is None and not args.force:
        print(
            f"shv synth: without --out this would overwrite the embedded dataset in {out}; "
            "give --out DIR, or --force to regenerate the embedded dataset",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        reference = load_reference(args.reference, required=True)
    except ReferenceMissing as exc:
        print(f"shv synth: {exc}")
        return EXIT_NO_REFERENCE
    paths = write_dataset(out, args.seed, reference)
    print(
        f"synthetic dataset (seed {args.seed}) written to {out}: "
        + ", ".join(p.name for p in paths)
    )
    return EXIT_OK


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add `shv synth --seed N --out DIR`."""
    p = subparsers.add_parser(
        "synth",
        help="generate the synthetic reconstruction of the 2019 inventory",
        description="Write respondenten.csv, experimenten.csv, metadata.json and README.md "
        "of the seeded synthetic dataset.",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"random seed (default {DEFAULT_SEED}, the committed dataset)",
    )
    p.add_argument(
        "--out",
        default=None,
        help="output folder (required unless --force: the default is the embedded dataset)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="without --out: overwrite the embedded dataset (data/synthetic)",
    )
    p.add_argument(
        "--reference", default=None, help="folder with the CBS reference tables (default: searched)"
    )
    p.set_defaults(func=cmd_synth)
