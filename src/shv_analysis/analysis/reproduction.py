"""Published against reproduced figures, with a verdict per figure (`shv reproduce`).

Tolerances: counts exact; a percentage must round (half up) to the published integer; the
three shares of experiments by respondent type, which no split of 143 can all meet (they sum
to 101%), may be off by at most 1 percentage point.
"""

from __future__ import annotations

import pandas as pd

from shv_analysis.analysis.figures import compute_figures, published_figures, round_half_up
from shv_analysis.text import LANGS, normalise_lang, text, texts

INFEASIBLE_GROUP = "aandeel_experimenten."
INFEASIBLE_TOLERANCE = 1.0
VERDICTS = {lang: texts("reproduction.verdict", lang) for lang in LANGS}
#: The municipal division of the published figures (the report of 2020, interviews of 2019).
PUBLISHED_DIVISION = 2019


def skip_reasons(ds, lang: str = "nl") -> list[str]:
    """Why the published figures cannot be compared with `ds` (empty: they can).

    The published figures count municipalities in the division of 1-1-2019 and code pilots
    with the 2019 questionnaire: a dataset in another division, or coded with a codebook
    extension (`ds.codebook.is_default` false), is not comparable.
    """
    lang = normalise_lang(lang)
    reasons = []
    if ds.indeling != PUBLISHED_DIVISION:
        reasons.append(
            text(
                "reproduction.skipped.division",
                lang,
                year=ds.indeling,
                n=ds.n_municipalities,
                published=PUBLISHED_DIVISION,
            )
        )
    if not ds.codebook.is_default:
        reasons.append(text("extension.reproduction_skipped", lang, source=ds.codebook.source))
    return reasons


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


def figure_label(figure_id: str, lang: str = "nl") -> str:
    """The description of a published figure in `lang`: catalogue text
    `reproduction.figure.<figure_id>` (in Dutch the `label_nl` of published_figures.csv).
    """
    return text(f"reproduction.figure.{figure_id}", lang)


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
        rows.append(
            {
                "figure_id": row.figure_id,
                "label": figure_label(row.figure_id, lang),
                "unit": row.unit,
                "published": row.published,
                "reproduced": float(value),
                "numerator": int(computed.loc[row.figure_id, "numerator"]),
                "denominator": computed.loc[row.figure_id, "denominator"],
                "deviation": float(value) - float(row.published),
                "verdict": v,
                "verdict_text": text(f"reproduction.verdict.{v}", lang),
            }
        )
    return pd.DataFrame(rows)
