"""Published against reproduced figures, with a verdict per figure (`shv reproduce`).

Tolerances: counts exact; a percentage must round (half up) to the published integer; the
three shares of experiments by respondent type, which no split of 143 can all meet (they sum
to 101%), may be off by at most 1 percentage point.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from shv_analysis.analysis.figures import compute_figures, published_figures, round_half_up
from shv_analysis.text import LANGS, normalise_lang, text, texts

INFEASIBLE_GROUP = "aandeel_experimenten."
INFEASIBLE_TOLERANCE = 1.0
VERDICTS = {lang: texts("reproduction.verdict", lang) for lang in LANGS}


def verdict(unit: str, figure_id: str, published: float, value: float) -> str:
    """'ok', 'near' (documented infeasible group, within 1 point) or 'off'."""
    if pd.isna(value):
        return "off"
    if unit == "count":
        return "ok" if int(value) == int(published) else "off"
    if round_half_up(value) == int(published):
        return "ok"
    if figure_id.startswith(INFEASIBLE_GROUP) and abs(value - published) <= INFEASIBLE_TOLERANCE:
        return "near"
    return "off"


def reproduction_table(ds, lang: str = "nl") -> pd.DataFrame:
    """figure_id, label, unit, published, reproduced, deviation, verdict per published figure.

    Raises:
        ValueError: for an unknown language.
    """
    lang = normalise_lang(lang)
    published = published_figures()
    computed = compute_figures(ds, published).set_index("figure_id")
    rows = []
    for row in published.itertuples(index=False):
        value = computed.loc[row.figure_id, "value"]
        v = verdict(row.unit, row.figure_id, float(row.published), float(value))
        rows.append({
            "figure_id": row.figure_id, "label": row.label_nl, "unit": row.unit,
            "published": row.published, "reproduced": float(value),
            "numerator": int(computed.loc[row.figure_id, "numerator"]),
            "denominator": computed.loc[row.figure_id, "denominator"],
            "deviation": float(value) - float(row.published),
            "verdict": v, "verdict_text": text(f"reproduction.verdict.{v}", lang),
        })
    return pd.DataFrame(rows)


def register_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("reproduce", help="published vs reproduced figures, with verdicts")
    p.add_argument("data", nargs="?", help="dataset (default: the embedded synthetic dataset)")
    p.add_argument("--lang", choices=("nl", "en"), default="en")
    p.add_argument("--format", choices=("table", "csv"), default="table")
    p.set_defaults(func=cmd_reproduce)


def cmd_reproduce(args: argparse.Namespace) -> int:
    from shv_analysis.cli.check import load_or_report

    ds = load_or_report(args.data)
    if ds is None:
        return 1
    table = reproduction_table(ds, args.lang)
    if ds.synthetic:
        print(ds.notice(args.lang))
    if args.format == "csv":
        table.drop(columns=["label"]).to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        shown = table[["figure_id", "unit", "published", "reproduced", "deviation",
                       "verdict_text"]].copy()
        shown["reproduced"] = shown["reproduced"].map(lambda v: f"{v:.2f}")
        shown["deviation"] = shown["deviation"].map(lambda v: f"{v:+.2f}")
        print(shown.to_string(index=False))
    counts = table["verdict"].value_counts()
    off, near = int(counts.get("off", 0)), int(counts.get("near", 0))
    print(f"{len(table)} figures: {int(counts.get('ok', 0))} match, {near} within the documented "
          f"1-point tolerance of the infeasible group, {off} off", file=sys.stderr)
    if near:
        print("The shares of experiments by respondent type are published as 53/29/19% (sum "
              "101%); no split of the experiments rounds to all three, so the nearest feasible "
              "split is used (see data/synthetic/README.md).", file=sys.stderr)
    return 1 if off else 0
