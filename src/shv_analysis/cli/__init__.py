"""The `shv` command: check, figures and the subcommands each module registers."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from shv_analysis import __version__

# Modules that add subcommands through `register_cli(subparsers)`.
COMMAND_MODULES = (
    "shv_analysis.cli.check",
    "shv_analysis.cli.figures",
    "shv_analysis.cli.synth",
    "shv_analysis.cli.reproduce",
    "shv_analysis.cli.report",
    "shv_analysis.cli.crosstab",
    "shv_analysis.cli.template",
    "shv_analysis.cli.code",
    "shv_analysis.cli.reference",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shv", description="Analyse the inventory of debt-assistance pilots."
    )
    parser.add_argument("--version", action="version", version=f"shv {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a module still being written
            if exc.name == name:
                continue
            raise
        module.register_cli(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `shv` console script; returns the exit code."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:  # the subcommand's usage, not the top-level one (argparse's default)
        subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        subparsers.choices[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
