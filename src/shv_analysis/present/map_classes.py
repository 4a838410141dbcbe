"""Map classes: one category per municipality of a division (coverage, pilots, dominant type).

Every function returns a categorical Series indexed by `gemeentecode` whose categories give
the legend order. Labels come from the text catalogue (`[maps]` in `messages/{nl,en}.toml`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

import pandas as pd

from shv_analysis.contract import codebook
from shv_analysis.ingest import reference
from shv_analysis.ingest.reference import parse_code
from shv_analysis.text import LANGS, normalise_lang, text

__all__ = [
    "MUNICIPAL_TYPES",
    "COOPERATION_TYPE",
    "LABEL_KEYS",
    "EMPTY_LABELS",
    "label",
    "codes_in",
    "coverage_classes",
    "pilot_classes",
    "dominant_type_classes",
]

MUNICIPAL_TYPES = ("g4_g40", "gemeente")
COOPERATION_TYPE = "samenwerkingsverband"

#: Keys of the class labels under `maps.` in the text catalogue.
LABEL_KEYS = (
    "interviewed",
    "cooperation",
    "not_covered",
    "own_pilot",
    "cooperation_pilot",
    "no_pilot_interviewed",
    "tie",
    "no_pilot",
    "missing",
)


def label(key: str, lang: str = "nl") -> str:
    """The class label `key` (one of `LABEL_KEYS`) in Dutch (default) or English."""
    return text(f"maps.{key}", lang)


# Labels meaning "nothing here": drawn in a pale grey rather than a palette colour.
EMPTY_LABELS = frozenset(label(k, lang) for k in ("not_covered", "no_pilot") for lang in LANGS)


def codes_in(value: Any) -> list[str]:
    """Municipality codes in a `gemeentecodes` cell (`GM0363;GM0599`); tolerant of case and
    blanks.
    """
    if not isinstance(value, str):
        return []
    out = []
    for token in value.replace(",", ";").split(";"):
        code = parse_code(token) if token.strip() else None
        if code is not None and code not in out:
            out.append(code)
    return out


def _all_codes(all_codes: Iterable[str] | None) -> list[str]:
    if all_codes is None:
        ref = reference.load_reference(required=True)
        return sorted(ref.codes)
    return [parse_code(c) or str(c) for c in all_codes]


def _respondent_codes(respondents: pd.DataFrame) -> dict[str, tuple[str, list[str]]]:
    """respondent_id -> (respondenttype, codes)."""
    out: dict[str, tuple[str, list[str]]] = {}
    ids = (
        respondents["respondent_id"]
        if "respondent_id" in respondents.columns
        else pd.Series(respondents.index.astype(str), index=respondents.index)
    )
    for rid, rtype, codes in zip(ids, respondents["respondenttype"], respondents["gemeentecodes"]):
        kind = rtype if isinstance(rtype, str) else ""
        out[str(rid)] = (kind, codes_in(codes))
    return out


def _series(
    values: dict[str, str], codes: list[str], categories: list[str], name: str
) -> pd.Series:
    data = pd.Categorical([values[c] for c in codes], categories=categories)
    return pd.Series(data, index=pd.Index(codes, name="gemeentecode"), name=name)


def coverage_classes(
    respondents: pd.DataFrame, all_codes: Iterable[str] | None = None, lang: str = "nl"
) -> pd.Series:
    """Per municipality: interviewed as a municipality / only through a cooperation / not.

    `respondents` needs `respondenttype` and `gemeentecodes`; `all_codes` are all
    municipalities of the map (default: the 355 of the 2019 reference). Returns a categorical
    Series indexed by code whose categories give the legend order.
    """
    lang = normalise_lang(lang)
    codes = _all_codes(all_codes)
    direct: set[str] = set()
    via: set[str] = set()
    for kind, members in _respondent_codes(respondents).values():
        if kind in MUNICIPAL_TYPES:
            direct.update(members)
        elif kind == COOPERATION_TYPE:
            via.update(members)
    cats = [label("interviewed", lang), label("cooperation", lang), label("not_covered", lang)]
    values = {c: cats[0] if c in direct else cats[1] if c in via else cats[2] for c in codes}
    return _series(values, codes, cats, "dekking" if lang != "en" else "coverage")


def _pilots_per_respondent(pilots: pd.DataFrame) -> pd.DataFrame:
    return pilots.assign(respondent_id=pilots["respondent_id"].astype(str))


def pilot_classes(
    respondents: pd.DataFrame,
    pilots: pd.DataFrame,
    all_codes: Iterable[str] | None = None,
    lang: str = "nl",
) -> pd.Series:
    """Per municipality: own pilot / pilot through a cooperation / interviewed, no pilot / not
    covered.

    A pilot of a cooperation counts for every member municipality. A municipality with a
    pilot of its own is 'own pilot' even when a cooperation it belongs to has pilots too.
    """
    lang = normalise_lang(lang)
    codes = _all_codes(all_codes)
    resp = _respondent_codes(respondents)
    with_pilot = set(_pilots_per_respondent(pilots)["respondent_id"])
    own: set[str] = set()
    via: set[str] = set()
    covered: set[str] = set()
    for rid, (kind, members) in resp.items():
        if kind in MUNICIPAL_TYPES or kind == COOPERATION_TYPE:
            covered.update(members)
            if rid in with_pilot:
                (own if kind in MUNICIPAL_TYPES else via).update(members)
    cats = [
        label("own_pilot", lang),
        label("cooperation_pilot", lang),
        label("no_pilot_interviewed", lang),
        label("not_covered", lang),
    ]
    values = {
        c: cats[0] if c in own else cats[1] if c in via else cats[2] if c in covered else cats[3]
        for c in codes
    }
    return _series(values, codes, cats, "pilots")


def dominant_type_classes(
    respondents: pd.DataFrame,
    pilots: pd.DataFrame,
    all_codes: Iterable[str] | None = None,
    lang: str = "nl",
    type_field: codebook.Field | None = None,
) -> pd.Series:
    """Per municipality the most frequent pilot `type` (its codebook label).

    Pilots of a cooperation count for all its members (as in `pilot_classes`). Two or more
    types equally frequent give 'Several types tied'; no pilot at all gives 'No pilot'.
    type_field: the `type` field of the dataset's codebook (`ds.codebook.any_field("type")`),
    so that codes a codebook extension adds are labelled too; default: the package's.
    """
    lang = normalise_lang(lang)
    codes = _all_codes(all_codes)
    resp = _respondent_codes(respondents)
    counts: dict[str, Counter] = defaultdict(Counter)
    for rid, kind in zip(_pilots_per_respondent(pilots)["respondent_id"], pilots["type"]):
        if not isinstance(kind, str) or rid not in resp:
            continue
        for code in resp[rid][1]:
            counts[code][kind] += 1
    codes_of_type = type_field.codes if type_field is not None else codebook.TYPE
    type_labels = {c.code: c.label(lang) for c in codes_of_type}
    tie, none = label("tie", lang), label("no_pilot", lang)
    values: dict[str, str] = {}
    for code in codes:
        counter = counts.get(code)
        if not counter:
            values[code] = none
            continue
        top = max(counter.values())
        winners = [k for k, n in counter.items() if n == top]
        values[code] = tie if len(winners) > 1 else type_labels.get(winners[0], winners[0])
    cats = list(type_labels.values())
    cats += [v for v in dict.fromkeys(values.values()) if v not in cats and v not in (tie, none)]
    cats += [tie, none]
    return _series(values, codes, cats, "type")
