"""The `shv crosstab` subcommand: a cross-tab of a field against a grouping field."""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np
import pandas as pd

from shv_analysis.analysis.crosstab import CELL_COLUMNS, CrossTab, crosstab
from shv_analysis.analysis.suppression import suppress_cells
from shv_analysis.cli.common import (EXIT_INVALID, EXIT_OK, EXIT_USAGE, add_indeling_argument,
                                     load_or_report)


def register_cli(sub: argparse._SubParsersAction) -> None:
    """Add `shv crosstab ROW COL [--data DATA] [--format csv|json] [--min-cell N]`."""
    p = sub.add_parser("crosstab", help="cross-tab of a field against a grouping field")
    p.add_argument("row", help="field to tabulate (single or multi), e.g. effectmeting, fasen")
    p.add_argument("col", help="grouping field, e.g. respondenttype, grootteklasse, provincie")
    p.add_argument("--data", help="dataset (default: the embedded synthetic dataset)")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument("--min-cell", type=int, default=0,
                   help="suppress counts below N (with secondary suppression); default 0 = off")
    add_indeling_argument(p)
    p.set_defaults(func=cmd_crosstab)


def cmd_crosstab(args: argparse.Namespace) -> int:
    """Write the cells of a cross-tab (CSV or JSON with tests) to stdout; 2 for an unknown field."""
    ds = load_or_report(args.data, indeling=args.indeling)
    if ds is None:
        return EXIT_INVALID
    try:
        ct = crosstab(ds, args.row, args.col)
    except (KeyError, ValueError) as exc:
        print(f"crosstab: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return EXIT_USAGE
    if ds.synthetic:
        print(ds.notice("en") + " This cross-tab is illustrative, not a finding.",
              file=sys.stderr)
    cells = ct.cells
    if args.min_cell:
        cells = suppress_cells(cells, args.min_cell, ct.row.kind == "multi")
        hidden = cells["suppressed"]
        cells = cells.astype({"n": object, "pct": object, "ci_low": object, "ci_high": object})
        cells.loc[hidden, ["n", "pct", "ci_low", "ci_high"]] = None
    if args.format == "json":
        json.dump(_json(ct, cells), sys.stdout, indent=2, ensure_ascii=False, allow_nan=False)
        print()
    else:
        columns = CELL_COLUMNS + (["suppressed"] if args.min_cell else [])
        cells[columns].to_csv(sys.stdout, index=False, lineterminator="\n")
    return EXIT_OK


def _clean(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value


def _json(ct: CrossTab, cells: pd.DataFrame) -> dict:
    records = [{k: _clean(v) for k, v in rec.items()} for rec in cells.to_dict("records")]
    out = {"row": ct.row.name, "col": ct.col.name, "unit": ct.unit, "cells": records,
           "bases": [{k: _clean(v) for k, v in r.items()} for r in ct.bases.to_dict("records")]}
    if ct.test is not None:
        out["test"] = {"name": ct.test.name, "statistic": _clean(ct.test.statistic),
                       "p": _clean(ct.test.p), "cramers_v": _clean(ct.test.cramers_v)}
    else:
        out["test"] = None
        out["option_tests"] = [{k: _clean(v) for k, v in r.items()}
                               for r in ct.option_tests.to_dict("records")]
    return out
