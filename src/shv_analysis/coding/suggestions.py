"""Coding suggestions from titel/omschrijving, and agreement between suggestions and coders.

The keyword rules live with the codebook (`codebook.CODING_RULES`); this module only
compiles and applies them. Matching works on the distinct texts of a frame (each text is
normalised and searched once) and the results are mapped back to the records.

A suggestion per record and field has a status:

- ``suggested``: one code (single-choice field) or one or more codes (multi field);
- ``ambiguous``: a single-choice field whose rules point to more than one code;
- ``none``: no rule matched.
"""

from __future__ import annotations

import functools
import re
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from shv_analysis.contract import codebook as cb
from shv_analysis.text import normalise_lang, texts

SUGGESTED, AMBIGUOUS, NONE = "suggested", "ambiguous", "none"
STATUSES = (SUGGESTED, AMBIGUOUS, NONE)
SUGGESTION_COLUMNS = ("key", "field", "status", "suggestion", "candidates", "triggers",
                      "trigger_text")
_SEP = r"[\s\-]*"


# ---------------------------------------------------------------- compiling the rules

def keyword_pattern(keyword: str) -> str:
    """Regular expression of one keyword (syntax: see the coding rules in `codebook`).

    The word start is not part of it: `_compile` puts one shared `(?<!\\w)` in front of all
    keywords of a rule, so the regex engine only tries positions where a word starts.
    """
    word = cb.normalise(keyword)
    head_wild, tail_wild = word.startswith("*"), word.endswith("*")
    word = word.strip("*").strip()
    if not word:
        raise ValueError(f"empty coding keyword {keyword!r}")
    parts = re.split(r"(?<=\w)[\s\-]+(?=\w)", word)
    body = _SEP.join(re.escape(p) for p in parts)
    head = r"\w*?" if head_wild else ""
    tail = r"\w*" if tail_wild else (r"(?!\w)" if re.search(r"\w$", word) else "")
    return head + body + tail


@functools.lru_cache(maxsize=8)
def _compile(rules: tuple[cb.CodingRule, ...]) -> tuple[tuple[str, str, bool, re.Pattern], ...]:
    """(field, code, strong, regex) per rule; longest keywords first inside each regex."""
    compiled = []
    for rule in rules:
        f = cb.pilot_field(rule.field)  # KeyError for a rule on an unknown field
        if rule.code not in f.code_list:
            raise ValueError(f"coding rule for unknown code {rule.field}={rule.code!r}")
        keywords = sorted(rule.keywords, key=lambda k: -len(k.strip("*")))
        pattern = r"(?<!\w)(?:" + "|".join(keyword_pattern(k) for k in keywords) + ")"
        compiled.append((rule.field, rule.code, rule.strong, re.compile(pattern)))
    return tuple(compiled)


def _unique(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w.strip() for w in words if w.strip()))


# ---------------------------------------------------------------- matching

def match_texts(texts: pd.Series, fields: Sequence[str] = cb.CODING_FIELDS,
                rules: Sequence[cb.CodingRule] | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """Every rule hit on the distinct texts, and the position of each text among them.

    Hits: columns text (position among the distinct texts), field, code, strong, spans
    ((start, end, matched fragment) in the normalised text). Each distinct text is normalised
    and searched once.
    """
    rules = tuple(cb.CODING_RULES if rules is None else rules)
    positions, uniques = pd.factorize(texts.fillna("").astype(str), sort=False)
    norm = [cb.normalise(t) for t in uniques]
    hits = []
    for field_name, code, strong, regex in _compile(rules):
        if field_name not in fields:
            continue
        for i, text in enumerate(norm):
            spans = tuple((m.start(), m.end(), m.group()) for m in regex.finditer(text))
            if spans:
                hits.append((i, field_name, code, strong, spans))
    return pd.DataFrame(hits, columns=["text", "field", "code", "strong", "spans"]), positions


def suggest(texts: pd.Series, fields: Sequence[str] = cb.CODING_FIELDS,
            rules: Sequence[cb.CodingRule] | None = None) -> pd.DataFrame:
    """Suggested codes per text and field.

    One row per element of `texts` and field: `key` (the index label of the text), `field`,
    `status` (suggested / ambiguous / none), `suggestion` (a code; for multi fields codes
    joined by ';' in codebook order; None unless suggested), `candidates` (tuple of the codes
    in play), `triggers` ({code: matched words}) and `trigger_text` (the same, readable;
    a strong rule, a named approach, is marked '(aanpak)').
    """
    fields = list(fields)
    hits, positions = match_texts(texts, fields, rules)
    per_text = _resolve(hits, fields)
    rows = pd.DataFrame({"key": texts.index, "text": positions})
    grid = rows.merge(pd.DataFrame({"field": fields}), how="cross")
    out = grid.merge(per_text, on=["text", "field"], how="left", sort=False)
    out["status"] = out["status"].fillna(NONE)
    out["candidates"] = _fill_object(out["candidates"], ())
    out["triggers"] = _fill_object(out["triggers"], {})
    out["trigger_text"] = out["trigger_text"].fillna("")
    out["suggestion"] = out["suggestion"].astype(object).where(out["suggestion"].notna(), None)
    return out[list(SUGGESTION_COLUMNS)].reset_index(drop=True)


def _fill_object(values: pd.Series, empty) -> pd.Series:
    out = values.astype(object).copy()
    mask = out.isna().to_numpy()
    out[mask] = pd.Series([empty] * int(mask.sum()), index=out.index[mask], dtype=object)
    return out


def _resolve(hits: pd.DataFrame, fields: list[str]) -> pd.DataFrame:
    """Per distinct text and field with a hit: status, suggestion, candidates, triggers.

    A plain pass over the hits (one per distinct text, field and rule), not over records.
    """
    columns = ["text", "field", "status", "suggestion", "candidates", "triggers", "trigger_text"]
    order = {f: {c: i for i, c in enumerate(cb.pilot_field(f).code_list)} for f in fields}
    single = {f: cb.pilot_field(f).kind == "single" for f in fields}
    groups: dict[tuple[int, str], list] = {}
    for text, field_name, code, strong, spans in hits.itertuples(index=False, name=None):
        groups.setdefault((text, field_name), []).extend(
            (start, end, word, code, bool(strong)) for start, end, word in spans)
    resolved: dict[tuple[int, str], dict[str, list]] = {}
    for key, found in groups.items():
        per_code: dict[str, list] = {}
        for start, end, word, code, strong in _outermost(found):
            entry = per_code.setdefault(code, [False, ()])
            entry[0] = entry[0] or strong
            entry[1] = _unique(entry[1] + (word,))
        resolved[key] = per_code
    out = []
    for (text, field_name), per_code in resolved.items():
        codes = sorted(per_code, key=order[field_name].get)
        is_single = single[field_name]
        strong = [c for c in codes if per_code[c][0]] if is_single else []
        # Single choice: a named approach (strong rule) outranks ordinary keywords.
        candidates = tuple(strong or codes)
        if is_single and len(candidates) > 1:
            status, suggestion = AMBIGUOUS, None
        else:
            status, suggestion = SUGGESTED, ";".join(candidates)
        shown = " | ".join(
            f"{c}{' (aanpak)' if c in strong else ''}: {', '.join(per_code[c][1])}" for c in codes)
        out.append((text, field_name, status, suggestion, candidates,
                    {c: per_code[c][1] for c in codes}, shown))
    return pd.DataFrame(out, columns=columns)


def _outermost(found: list[tuple]) -> list[tuple]:
    """Matches not lying inside a longer match of the same field, in text order.

    'digitaal huishoudboekje' hides the 'huishoudboekje' and 'digitaal' inside it, so a part of
    a named approach neither adds trigger words nor makes a single-choice field ambiguous.
    Equal spans (one keyword in the rules of two codes) are all kept.
    """
    found = sorted(found, key=lambda m: (m[0], -(m[1] - m[0])))
    return [m for m in found
            if not any(o[0] <= m[0] and m[1] <= o[1] and (o[1] - o[0]) > (m[1] - m[0])
                       for o in found)]


def pilot_texts(frame: pd.DataFrame) -> pd.Series:
    """titel and omschrijving of each pilot as one text ('' when both are empty)."""
    parts = [frame[c].astype(object).where(frame[c].notna(), "").astype(str)
             for c in ("titel", "omschrijving") if c in frame.columns]
    if not parts:
        return pd.Series("", index=frame.index, dtype=object)
    text = parts[0]
    for part in parts[1:]:
        text = text + " \n " + part
    return cb.clean_text_series(text)


def suggest_pilots(frame: pd.DataFrame, fields: Sequence[str] = cb.CODING_FIELDS,
                   rules: Sequence[cb.CodingRule] | None = None) -> pd.DataFrame:
    """Suggestions for every pilot of a frame with titel/omschrijving (raw or coded).

    Pilots without any text are left out. Columns: pilot_id, `_rij` (when the frame has it),
    then those of `suggest`.
    """
    text = pilot_texts(frame)
    has_text = text.ne("")
    out = suggest(text[has_text], fields, rules)
    keys = out["key"].to_numpy()
    front = {"pilot_id": frame.loc[keys, "pilot_id"].to_numpy() if "pilot_id" in frame else keys}
    if "_rij" in frame.columns:
        front["_rij"] = frame.loc[keys, "_rij"].to_numpy()
    return pd.concat([pd.DataFrame(front), out], axis=1)


# ---------------------------------------------------------------- agreement

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
    p_e = float((table.sum(axis=0) * table.sum(axis=1)).sum()) / n ** 2
    if np.isclose(p_e, 1.0):
        return float("nan")
    return float((p_o - p_e) / (1 - p_e))


def coded_values(pilots: pd.DataFrame, field_name: str) -> pd.Series:
    """The human code of each pilot for one field: a code (single) or codes joined by ';'
    in codebook order (multi, '' when nothing is ticked); None when missing."""
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
    field, status, suggestion, human, trigger_text, comparable, agree."""
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


def agreement(ds_or_pilots, fields: Sequence[str] = cb.CODING_FIELDS,
              compared: pd.DataFrame | None = None) -> pd.DataFrame:
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
        rows.append({
            "field": field_name, "kind": f.kind, "records": len(used), "units": units,
            "agree": float(used["agree"].mean()) if len(used) else float("nan"),
            "rate": rate, "kappa": cohens_kappa(table) if units else float("nan"),
            "ambiguous": int((part["status"].eq(AMBIGUOUS) & has_human).sum()),
            "no_suggestion": int((part["status"].eq(NONE) & has_human).sum()),
        })
    return pd.DataFrame(rows)


def confusion(compared: pd.DataFrame, f: cb.Field) -> pd.DataFrame:
    """Suggestion (rows) x human code (columns) of a single-choice field, codebook order."""
    codes = f.code_list
    table = pd.crosstab(pd.Categorical(compared["suggestion"], categories=codes),
                        pd.Categorical(compared["human"], categories=codes), dropna=False)
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
    from shv_analysis.analysis.tables import Table

    lang = normalise_lang(lang)
    w = texts("agreement", lang)
    notice = ds.notice(lang) if hasattr(ds, "notice") else None
    comp = compare(ds, fields)
    n_texts = int(comp["key"].nunique())
    summary = agreement(ds, fields, compared=comp)
    exact = comp[comp["comparable"]].groupby("field")["agree"].mean()
    data = pd.DataFrame({
        "code": summary["field"],
        "field": [cb.pilot_field(f).label(lang) for f in summary["field"]],
        "kind": summary["kind"].map({"single": w["single"], "multi": w["multi"]}),
        "records": summary["records"],
        "units": summary["units"],
        "rate_pct": 100 * summary["rate"],
        "exact_pct": [100 * exact.get(f, np.nan) if k == "multi" else np.nan
                      for f, k in zip(summary["field"], summary["kind"])],
        "kappa": summary["kappa"].round(3),
        "ambiguous": summary["ambiguous"],
        "no_suggestion": summary["no_suggestion"],
    })
    labels = {"field": w["field"], "kind": w["kind"], "records": w["records"],
              "units": w["units"], "rate_pct": w["rate"], "exact_pct": w["exact"],
              "kappa": w["kappa"], "ambiguous": w["ambiguous"], "no_suggestion": w["none"]}
    tables = {"agreement": Table(
        data=data, title=w["title"], footnote=w["foot"].format(n=n_texts), key="codering_kappa",
        n=n_texts, base=w["records"], notice=notice, meta={"fields": list(fields)},
        labels=labels)}

    diff = comp[comp["comparable"] & ~comp["agree"]]
    diff_data = pd.DataFrame({
        "pilot_id": diff["pilot_id"].to_numpy(),
        "field": [cb.pilot_field(f).label(lang) for f in diff["field"]],
        "titel": diff["titel"].to_numpy(),
        "suggestion": [_labels(s, cb.pilot_field(f), lang, w["empty"])
                       for s, f in zip(diff["suggestion"], diff["field"])],
        "human": [_labels(h, cb.pilot_field(f), lang, w["empty"])
                  for h, f in zip(diff["human"], diff["field"])],
        "triggers": diff["trigger_text"].to_numpy(),
    })
    diff_labels = {c: w[c] for c in ("field", "titel", "suggestion", "human", "triggers")}
    tables["differences"] = Table(
        data=diff_data, title=w["diff_title"], footnote=w["diff_foot"].format(n=len(diff)),
        key="codering_verschillen", n=len(diff), base=w["records"], notice=notice,
        labels=diff_labels)

    for field_name in fields:
        f = cb.pilot_field(field_name)
        if f.kind != "single":
            continue
        used = comp[comp["comparable"] & comp["field"].eq(field_name)]
        conf = confusion(used, f)
        conf.columns = list(conf.columns)
        conf.index = [f.code_label(c, lang) for c in conf.index]
        conf = conf.reset_index(names="suggestion")
        conf_labels = {"suggestion": w["suggestion"],
                       **{c: f.code_label(c, lang) for c in f.code_list}}
        tables[f"confusion_{field_name}"] = Table(
            data=conf, title=w["conf_title"].format(field=f.label(lang)),
            footnote=w["conf_foot"].format(n=len(used)), key=f"codering_confusie_{field_name}",
            n=len(used), base=w["records"], notice=notice, labels=conf_labels)
    return tables
