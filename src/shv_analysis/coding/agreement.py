"""Agreement between the keyword suggestions (`suggestions`) and the coded dataset.

Per field: the share of records where the suggestion equals the human code (typed or decided)
and Cohen's kappa; for a multi field over record x option yes/no judgements. `agreement_tables`
gives the same as displayable `Table` objects (Dutch or English), as section 00 of the report
shows them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from shv_analysis.analysis.tables import Table
from shv_analysis.coding.suggestions import AMBIGUOUS, NONE, SUGGESTED, suggest_pilots
from shv_analysis.contract import codebook as cb
from shv_analysis.text import normalise_lang, texts


def cohens_kappa(table) -> float:
    """Cohen's kappa of a square confusion table (rows: one rater, columns: the other).

    kappa = (p_o - p_e) / (1 - p_e) with p_o the observed share on the diagonal and p_e the
    share expected from the margins. NaN for an empty table or when p_e = 1.
    """
    table = np.asarray(table, dtype=float)
    if table.ndim != 2 or table.shape[0] != table.shape[1]:
        raise ValueError("cohens_kappa needs a square confusion table")
    n = table.sum()
    if n == 0:
        return float("nan")
    p_o = np.trace(table) / n
    p_e = float((table.sum(axis=0) * table.sum(axis=1)).sum()) / n**2
    if np.isclose(p_e, 1.0):
        return float("nan")
    return float((p_o - p_e) / (1 - p_e))


def coded_values(pilots: pd.DataFrame, field_name: str) -> pd.Series:
    """The human code of each pilot for one field: a code (single) or codes joined by ';'
    in codebook order (multi, '' when nothing is ticked); None when missing.
    """
    f = cb.pilot_field(field_name)
    if f.kind != "multi":
        values = pilots[f.name] if f.name in pilots else pd.Series(None, index=pilots.index)
        return values.astype(object).where(values.notna(), None)
    joined = pd.Series("", index=pilots.index, dtype=object)
    for code in f.code_list:
        col = cb.multi_column(f.name, code)
        if col in pilots:
            joined = joined + np.where(pilots[col].fillna(False).astype(bool), code + ";", "")
    return joined.str.rstrip(";")


def compare(ds_or_pilots, fields: Sequence[str] = cb.CODING_FIELDS) -> pd.DataFrame:
    """Suggestion against human code for every pilot with text and field: pilot_id, titel,
    field, status, suggestion, human, trigger_text, comparable, agree.
    """
    pilots = getattr(ds_or_pilots, "experimenten", ds_or_pilots)
    sugg = suggest_pilots(pilots, fields)
    keys = sugg["key"].to_numpy()
    human = pd.Series(None, index=sugg.index, dtype=object)
    for field_name in fields:
        mask = sugg["field"].eq(field_name).to_numpy()
        human[mask] = coded_values(pilots, field_name).loc[keys[mask]].to_numpy()
    sugg["human"] = human
    sugg["titel"] = pilots.loc[keys, "titel"].to_numpy() if "titel" in pilots else None
    has_human = human.notna() & human.astype(str).ne("")
    sugg["comparable"] = sugg["status"].eq(SUGGESTED) & has_human
    # Both sides list codes in codebook order, so equal sets are equal strings.
    sugg["agree"] = sugg["comparable"] & sugg["suggestion"].astype(str).eq(human.astype(str))
    return sugg


def agreement(
    ds_or_pilots, fields: Sequence[str] = cb.CODING_FIELDS, compared: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per field: records compared, agreement, Cohen's kappa, ambiguous and unsuggested.

    Single-choice field: records with one suggested code and a human code; kappa on the
    suggestion x human confusion table over the field's codes. Multi field: records with a
    suggestion and at least one human code; each record x option is a yes/no judgement, the
    agreement rate and kappa are over those judgements, `exact` is the share of records whose
    code sets are identical.
    """
    comp = compare(ds_or_pilots, fields) if compared is None else compared
    rows = []
    for field_name in fields:
        f = cb.pilot_field(field_name)
        part = comp[comp["field"].eq(field_name)]
        has_human = part["human"].notna() & part["human"].astype(str).ne("")
        used = part[part["comparable"]]
        if f.kind == "multi":
            table = _binary_table(used, f)
            units = int(table.sum())
            rate = float(np.trace(table) / units) if units else float("nan")
        else:
            table = confusion(used, f).to_numpy()
            units = len(used)
            rate = float(used["agree"].mean()) if units else float("nan")
        rows.append(
            {
                "field": field_name,
                "kind": f.kind,
                "records": len(used),
                "units": units,
                "agree": float(used["agree"].mean()) if len(used) else float("nan"),
                "rate": rate,
                "kappa": cohens_kappa(table) if units else float("nan"),
                "ambiguous": int((part["status"].eq(AMBIGUOUS) & has_human).sum()),
                "no_suggestion": int((part["status"].eq(NONE) & has_human).sum()),
            }
        )
    return pd.DataFrame(rows)


def confusion(compared: pd.DataFrame, f: cb.Field) -> pd.DataFrame:
    """Suggestion (rows) x human code (columns) of a single-choice field, codebook order."""
    codes = f.code_list
    table = pd.crosstab(
        pd.Categorical(compared["suggestion"], categories=codes),
        pd.Categorical(compared["human"], categories=codes),
        dropna=False,
    )
    return table.reindex(index=codes, columns=codes, fill_value=0)


def _binary_table(used: pd.DataFrame, f: cb.Field) -> np.ndarray:
    """2x2 table over record x option judgements (rows suggestion yes/no, cols human)."""
    table = np.zeros((2, 2), dtype=int)
    if used.empty:
        return table
    for code in f.code_list:
        ticked = rf"(?:^|;){re.escape(code)}(?:;|$)"
        s = used["suggestion"].fillna("").astype(str).str.contains(ticked).to_numpy(bool)
        h = used["human"].fillna("").astype(str).str.contains(ticked).to_numpy(bool)
        table += np.array([[np.sum(s & h), np.sum(s & ~h)], [np.sum(~s & h), np.sum(~s & ~h)]])
    return table


# ---------------------------------------------------------------- agreement as tables


def _labels(value, f: cb.Field, lang: str, empty: str) -> str:
    parts = [p for p in str(value or "").split(";") if p]
    if not parts:
        return empty
    return "; ".join(f.code_label(p, lang) if p in f.code_list else p for p in parts)


def agreement_tables(ds, lang: str = "nl", fields: Sequence[str] = cb.CODING_FIELDS) -> dict:
    """Agreement between keyword suggestions and the coded dataset, as displayable tables.

    Returns {"agreement": per-field rates and kappa, "differences": the records where the
    suggestion and the coded value differ, "confusion_<field>": suggestion x coding for each
    single-choice field}. Suggestions are computed from the dataset's titel/omschrijving with
    the codebook's rules, against every coded value (typed or decided).
    """
    lang = normalise_lang(lang)
    w = texts("agreement", lang)
    notice = ds.notice(lang) if hasattr(ds, "notice") else None
    comp = compare(ds, fields)
    n_texts = int(comp["key"].nunique())
    summary = agreement(ds, fields, compared=comp)
    exact = comp[comp["comparable"]].groupby("field")["agree"].mean()
    data = pd.DataFrame(
        {
            "code": summary["field"],
            "field": [cb.pilot_field(f).label(lang) for f in summary["field"]],
            "kind": summary["kind"].map({"single": w["single"], "multi": w["multi"]}),
            "records": summary["records"],
            "units": summary["units"],
            "rate_pct": 100 * summary["rate"],
            "exact_pct": [
                100 * exact.get(f, np.nan) if k == "multi" else np.nan
                for f, k in zip(summary["field"], summary["kind"])
            ],
            "kappa": summary["kappa"].round(3),
            "ambiguous": summary["ambiguous"],
            "no_suggestion": summary["no_suggestion"],
        }
    )
    labels = {
        "field": w["field"],
        "kind": w["kind"],
        "records": w["records"],
        "units": w["units"],
        "rate_pct": w["rate"],
        "exact_pct": w["exact"],
        "kappa": w["kappa"],
        "ambiguous": w["ambiguous"],
        "no_suggestion": w["none"],
    }
    tables = {
        "agreement": Table(
            data=data,
            title=w["title"],
            footnote=w["foot"].format(n=n_texts),
            key="codering_kappa",
            n=n_texts,
            base=w["records"],
            notice=notice,
            meta={"fields": list(fields), "decimals": {"kappa": 3}},  # 0,736 in Dutch
            labels=labels,
        )
    }

    diff = comp[comp["comparable"] & ~comp["agree"]]
    diff_data = pd.DataFrame(
        {
            "pilot_id": diff["pilot_id"].to_numpy(),
            "field": [cb.pilot_field(f).label(lang) for f in diff["field"]],
            "titel": diff["titel"].to_numpy(),
            "suggestion": [
                _labels(s, cb.pilot_field(f), lang, w["empty"])
                for s, f in zip(diff["suggestion"], diff["field"])
            ],
            "human": [
                _labels(h, cb.pilot_field(f), lang, w["empty"])
                for h, f in zip(diff["human"], diff["field"])
            ],
            "triggers": diff["trigger_text"].to_numpy(),
        }
    )
    diff_labels = {c: w[c] for c in ("field", "titel", "suggestion", "human", "triggers")}
    tables["differences"] = Table(
        data=diff_data,
        title=w["diff_title"],
        footnote=w["diff_foot"].format(n=len(diff)),
        key="codering_verschillen",
        n=len(diff),
        base=w["records"],
        notice=notice,
        labels=diff_labels,
    )

    for field_name in fields:
        f = cb.pilot_field(field_name)
        if f.kind != "single":
            continue
        used = comp[comp["comparable"] & comp["field"].eq(field_name)]
        conf = confusion(used, f)
        conf.columns = list(conf.columns)
        conf.index = [f.code_label(c, lang) for c in conf.index]
        conf = conf.reset_index(names="suggestion")
        conf_labels = {
            "suggestion": w["suggestion"],
            **{c: f.code_label(c, lang) for c in f.code_list},
        }
        tables[f"confusion_{field_name}"] = Table(
            data=conf,
            title=w["conf_title"].format(field=f.label(lang)),
            footnote=w["conf_foot"].format(n=len(used)),
            key=f"codering_confusie_{field_name}",
            n=len(used),
            base=w["records"],
            notice=notice,
            labels=conf_labels,
        )
    return tables
