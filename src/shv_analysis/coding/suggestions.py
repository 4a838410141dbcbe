"""Coding suggestions from titel/omschrijving (agreement with the coders: `agreement`).

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
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from shv_analysis.contract import codebook as cb

SUGGESTED, AMBIGUOUS, NONE = "suggested", "ambiguous", "none"
STATUSES = (SUGGESTED, AMBIGUOUS, NONE)
SUGGESTION_COLUMNS = (
    "key",
    "field",
    "status",
    "suggestion",
    "candidates",
    "triggers",
    "trigger_text",
)
_SEP = r"[\s\-]*"


# ---------------------------------------------------------------- compiling the rules


def keyword_pattern(keyword: str) -> str:
    r"""Regular expression of one keyword (syntax: see the coding rules in `codebook`).

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


def match_texts(
    texts: pd.Series,
    fields: Sequence[str] = cb.CODING_FIELDS,
    rules: Sequence[cb.CodingRule] | None = None,
) -> tuple[pd.DataFrame, np.ndarray]:
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


def suggest(
    texts: pd.Series,
    fields: Sequence[str] = cb.CODING_FIELDS,
    rules: Sequence[cb.CodingRule] | None = None,
) -> pd.DataFrame:
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
            (start, end, word, code, bool(strong)) for start, end, word in spans
        )
    resolved: dict[tuple[int, str], dict[str, list]] = {}
    for key, found in groups.items():
        per_code: dict[str, list] = {}
        for _start, _end, word, code, strong in _outermost(found):
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
            f"{c}{' (aanpak)' if c in strong else ''}: {', '.join(per_code[c][1])}" for c in codes
        )
        out.append(
            (
                text,
                field_name,
                status,
                suggestion,
                candidates,
                {c: per_code[c][1] for c in codes},
                shown,
            )
        )
    return pd.DataFrame(out, columns=columns)


def _outermost(found: list[tuple]) -> list[tuple]:
    """Matches not lying inside a longer match of the same field, in text order.

    'digitaal huishoudboekje' hides the 'huishoudboekje' and 'digitaal' inside it, so a part of
    a named approach neither adds trigger words nor makes a single-choice field ambiguous.
    Equal spans (one keyword in the rules of two codes) are all kept.
    """
    found = sorted(found, key=lambda m: (m[0], -(m[1] - m[0])))
    return [
        m
        for m in found
        if not any(o[0] <= m[0] and m[1] <= o[1] and (o[1] - o[0]) > (m[1] - m[0]) for o in found)
    ]


def pilot_texts(frame: pd.DataFrame) -> pd.Series:
    """Titel and omschrijving of each pilot as one text ('' when both are empty)."""
    parts = [
        frame[c].astype(object).where(frame[c].notna(), "").astype(str)
        for c in ("titel", "omschrijving")
        if c in frame.columns
    ]
    if not parts:
        return pd.Series("", index=frame.index, dtype=object)
    text = parts[0]
    for part in parts[1:]:
        text = text + " \n " + part
    return cb.clean_text_series(text)


def suggest_pilots(
    frame: pd.DataFrame,
    fields: Sequence[str] = cb.CODING_FIELDS,
    rules: Sequence[cb.CodingRule] | None = None,
) -> pd.DataFrame:
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
