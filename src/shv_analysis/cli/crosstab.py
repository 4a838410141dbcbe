"""The `shv crosstab` subcommand: a cross-tab of a field against a grouping field."""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np
import pandas as pd

from shv_analysis.analysis.crosstab import crosstab
from shv_analysis.analysis.crosstab_cells import MERGED
from shv_analysis.analysis.crosstab_text import (
    CELL_COLUMNS,
    CrossTab,
    merged_categories,
    protected,
    shown_cells,
)
from shv_analysis.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    add_indeling_argument,
    load_or_report,
)
from shv_analysis.contract.extension import DEFAULT, Codebook
from shv_analysis.text import text

#: Field kinds that can be tabulated (ROW) and that can group (COL, with the province).
ROW_KINDS = ("single", "multi", "yesno")
COL_KINDS = ("single", "yesno")
TEXT_GROUPS = ("provincie",)


def valid_fields(
    kinds: tuple[str, ...], extra: tuple[str, ...] = (), codebook: Codebook = DEFAULT
) -> list[str]:
    """Names of the codebook's fields (derived ones included) of `kinds`, plus `extra`,
    without duplicates, in codebook order.
    """
    names = [
        f.name
        for f in codebook.contract_fields + codebook.derived_fields
        if f.kind in kinds or f.name in extra
    ]
    return list(dict.fromkeys(names))


def field_problem(row: str, col: str, codebook: Codebook = DEFAULT) -> str | None:
    """Why ROW or COL cannot be cross-tabbed, naming the valid fields; None when both can.

    `codebook`: the dataset's (a codebook extension adds fields).
    """
    rows = valid_fields(ROW_KINDS, codebook=codebook)
    cols = valid_fields(COL_KINDS, TEXT_GROUPS, codebook)
    if row not in rows:
        return f"{row!r} is not a field to tabulate; valid fields: {', '.join(rows)}"
    if col not in cols:
        return f"{col!r} is not a field to group by; valid fields: {', '.join(cols)}"
    return None


def _min_cell(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {number}")
    return number


def register_cli(sub: argparse._SubParsersAction) -> None:
    """Add `shv crosstab ROW COL [--data DATA] [--format csv|json] [--min-cell N]`."""
    p = sub.add_parser("crosstab", help="cross-tab of a field against a grouping field")
    p.add_argument("row", help="field to tabulate (single or multi), e.g. effectmeting, fasen")
    p.add_argument("col", help="grouping field, e.g. respondenttype, grootteklasse, provincie")
    p.add_argument("--data", help="dataset (default: the embedded synthetic dataset)")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.add_argument(
        "--min-cell",
        type=_min_cell,
        default=0,
        help="suppress counts below N (with secondary suppression); default 0 = off",
    )
    add_indeling_argument(p)
    p.set_defaults(func=cmd_crosstab)


def cmd_crosstab(args: argparse.Namespace) -> int:
    """Write the cells of a cross-tab (CSV or JSON with tests) to stdout; 2 for an unknown field."""
    problem = field_problem(args.row, args.col)
    ds = None
    if problem:  # perhaps a field of the dataset's own codebook (a codebook extension)
        ds = load_or_report(args.data, indeling=args.indeling)
        if ds is None:
            return EXIT_INVALID
        problem = field_problem(args.row, args.col, ds.codebook)
    if problem:
        print(f"crosstab: {problem}", file=sys.stderr)
        return EXIT_USAGE
    ds = ds if ds is not None else load_or_report(args.data, indeling=args.indeling)
    if ds is None:
        return EXIT_INVALID
    try:
        ct = crosstab(ds, args.row, args.col)
    except (KeyError, ValueError) as exc:
        print(f"crosstab: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return EXIT_USAGE
    if ds.synthetic:
        print(ds.notice("en") + " This cross-tab is illustrative, not a finding.", file=sys.stderr)
    ct = protected(ct, args.min_cell)  # small categories merged, as a report shows them
    cells = ct.cells.assign(suppressed=None)
    if args.min_cell:
        marked = shown_cells(ct, args.min_cell)
        hidden = marked["suppressed"].to_numpy()
        cells = cells.astype(
            {"n": object, "pct": object, "ci_low": object, "ci_high": object, "suppressed": object}
        )
        cells.loc[hidden, ["n", "pct", "ci_low", "ci_high"]] = None
        cells["suppressed"] = [k if isinstance(k, str) else None for k in marked["suppression"]]
    if args.format == "json":
        json.dump(_json(ct, cells), sys.stdout, indent=2, ensure_ascii=False, allow_nan=False)
        print()
    else:
        columns = CELL_COLUMNS + (["suppressed"] if args.min_cell else [])
        cells[columns].to_csv(sys.stdout, index=False, lineterminator="\n")
    return EXIT_OK


def _clean(value):
    """A JSON-safe value: numpy scalars as Python numbers; nan and ±inf as None (JSON has
    neither).
    """
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else None
    return value


def _nonfinite_notes(prefix: str, record: dict) -> list[str]:
    """One note per infinite or undefined number, naming where it was and what it was."""
    notes = []
    for key, value in record.items():
        if isinstance(value, (float, np.floating)) and not np.isfinite(value):
            what = "nan (undefined)" if np.isnan(value) else ("+inf" if value > 0 else "-inf")
            notes.append(f"{prefix}{key}: {what}, written as null")
    return notes


def _json(ct: CrossTab, cells: pd.DataFrame) -> dict:
    records = [{k: _clean(v) for k, v in rec.items()} for rec in cells.to_dict("records")]
    out = {
        "row": ct.row.name,
        "col": ct.col.name,
        "unit": ct.unit,
        "cells": records,
        "bases": [{k: _clean(v) for k, v in r.items()} for r in ct.bases.to_dict("records")],
    }
    if ct.plan is not None:  # categories merged (or options left out) to protect cells
        out["merged"] = [
            {"field": f.name, "code": code, "of": code.split(MERGED)}
            for f, code in merged_categories(ct)
        ]
        out["dropped"] = [{"field": ct.row.name, "code": code} for code in ct.dropped]
    notes: list[str] = []
    if cells["suppressed"].notna().any():  # no statistic, p or V beside hidden cells
        reason = text("crosstab.test_not_shown", "en")
        # the tests are not computed for this (`LazyTests`): only which kind there would be
        if ct.row.kind != "multi":
            out["test"] = {
                "name": None,  # which test was chosen says the expected counts were small
                "statistic": None,
                "p": None,
                "cramers_v": None,
                "test_not_shown": reason,
            }
        else:
            out["test"] = None
            out["option_tests"] = [
                {
                    "option": o,
                    "name": None,
                    "statistic": None,
                    "p": None,
                    "p_holm": None,
                    "cramers_v": None,
                    "test_not_shown": reason,
                }
                for o in (ct.counts.columns if ct.counts is not None else ct.option_tests["option"])
            ]
        out["test_not_shown"] = reason
    elif ct.test is not None:
        test = {
            "name": ct.test.name,
            "statistic": ct.test.statistic,
            "p": ct.test.p,
            "cramers_v": ct.test.cramers_v,
        }
        notes += _nonfinite_notes("test.", test)
        out["test"] = {k: _clean(v) for k, v in test.items()}
    else:
        out["test"] = None
        rows = ct.option_tests.to_dict("records")
        for r in rows:
            notes += _nonfinite_notes(
                f"option_tests[{r['option']}].",
                {k: v for k, v in r.items() if not k.startswith("mc_")},
            )
        out["option_tests"] = [{k: _clean(v) for k, v in r.items()} for r in rows]
    if notes:
        out["notes"] = notes
    return out
