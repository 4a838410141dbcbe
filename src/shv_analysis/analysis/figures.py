"""Every figure of `data/published/published_figures.csv`, computed from a dataset.

A figure is a numerator and (for percentages) a denominator; `value` is the count, or the
percentage 100 * numerator / denominator, not rounded.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from shv_analysis.analysis.rounding import round_half_up  # noqa: F401  (re-exported)
from shv_analysis.config import PUBLISHED_FIGURES
from shv_analysis.contract import codebook as cb
from shv_analysis.ingest.dataset import Dataset

# figure_id prefix -> (pilot field, kind); codes follow the dot.
_PILOT_FIELDS = {
    "type": "type",
    "fase": "fasen",
    "doelgroep": "doelgroepen",
    "effect": "verwachte_effecten",
    "effectmeting": "effectmeting",
    "overdraagbaar": "overdraagbaar",
    "partner": "partners",
    "aanleiding": "aanleidingen",
}


def published_figures(path: str | Path | None = None) -> pd.DataFrame:
    """The published figures table (figure_id, section, unit, published, base, label_nl)."""
    return pd.read_csv(path or PUBLISHED_FIGURES, dtype={"figure_id": str})


def _pilot_share(ds: Dataset, field_name: str, code: str) -> tuple[int, int]:
    f = cb.pilot_field(field_name)
    exp = ds.experimenten
    if code not in f.code_list:
        raise KeyError(f"figure for unknown code {code!r} of {field_name}")
    if f.kind == "multi":
        return int(exp[cb.multi_column(f.name, code)].sum()), len(exp)
    return int(exp[f.name].eq(code).sum()), len(exp)


def _by_type(ds: Dataset, code: str, what: str) -> tuple[int, int]:
    resp = ds.respondenten
    types = cb.get_field(cb.RESPONDENTEN, "respondenttype").code_list
    if code != "totaal" and code not in types:
        raise KeyError(f"unknown respondent type {code!r}")
    mask = resp["respondenttype"].eq(code) if code != "totaal" else pd.Series(True, resp.index)
    if what == "count":
        return int(mask.sum()), 0
    if what == "participation":
        return int((ds.participating() & mask).sum()), int(mask.sum())
    ids = set(resp.loc[mask, "respondent_id"])
    return int(ds.experimenten["respondent_id"].isin(ids).sum()), len(ds.experimenten)


def figure_parts(ds: Dataset, figure_id: str) -> tuple[int, int | None]:
    """Numerator and denominator (None for plain counts) of one figure."""
    group, _, code = figure_id.partition(".")
    exp = ds.experimenten
    special = {
        "dekking.gemeenten_totaal": lambda: (ds.n_municipalities, None),
        "dekking.gemeenten_geraadpleegd": lambda: (len(ds.covered_municipalities()), None),
        "dekking.pct": lambda: (len(ds.covered_municipalities()), ds.n_municipalities),
        "experimenten.totaal": lambda: (len(exp), None),
        "experimenten.respondenten_met_experiment": lambda: (int(ds.participating().sum()), None),
        "partners.betrokken": lambda: (
            int(exp[cb.multi_columns("partners")].any(axis=1).sum()),
            len(exp),
        ),
        "partners.signaalpartner": lambda: (
            int(
                exp[[cb.multi_column("partners", c) for c in cb.SIGNAL_PARTNERS]].any(axis=1).sum()
            ),
            len(exp),
        ),
        "doelen.geformuleerd": lambda: (int(exp["doelen_geformuleerd"].sum()), None),
        "doelen.geformuleerd_pct": lambda: (int(exp["doelen_geformuleerd"].sum()), len(exp)),
    }
    if figure_id in special:
        return special[figure_id]()
    if group == "respondenten":
        num, _ = _by_type(ds, code, "count")
        return num, None
    if group == "deelname":
        return _by_type(ds, code, "participation")
    if group == "aandeel_experimenten":
        return _by_type(ds, code, "share")
    if group in _PILOT_FIELDS:
        return _pilot_share(ds, _PILOT_FIELDS[group], code)
    raise KeyError(f"no computation for figure_id {figure_id!r}")


def compute_figures(ds: Dataset, published: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per figure_id: figure_id, numerator, denominator, value (count or percent)."""
    published = published_figures() if published is None else published
    rows = []
    for fid, unit in zip(published["figure_id"], published["unit"]):
        num, den = figure_parts(ds, fid)
        if unit == "pct":
            value = 100 * num / den if den else float("nan")
            rows.append((fid, num, den, value))
        else:
            rows.append((fid, num, den, num))
    frame = pd.DataFrame(rows, columns=["figure_id", "numerator", "denominator", "value"])
    frame["denominator"] = frame["denominator"].astype("Int64")
    return frame
