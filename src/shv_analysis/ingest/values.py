"""Coding cell values: single codes, yes/no flags, multi values (split on separators, known
labels that contain a separator kept whole), whole numbers and dates, as the contract allows.

Every function works on a column of distinct text values and returns the coded values with a
mask of the cells it could not code.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from shv_analysis.contract import codebook as cb

_SPLIT = re.compile(cb.MULTI_SEPARATORS)
_INT_RE = re.compile(r"^\d+$|^\d{1,3}(?:[. ]\d{3})+$|^\d+\.0+$")
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_ISO_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME + "$")
_NL_DATE_RE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})" + _TIME + "$")
_WHOLE_FLAG_RE = re.compile(r"^([01])[.,]0+$")
_SEPARATED = re.compile(r"([;,|\r\n]+)")
MAX_JOINED_PARTS = 6  # a known name or label may hold up to this many separated pieces


def blank(values: pd.Series) -> pd.Series:
    """Per cell: empty after cleaning (computed once per distinct value)."""
    return via_uniques(values, lambda v: cb.clean_text(str(v)) == "").astype(bool)


def via_uniques(values: pd.Series, func) -> pd.Series:
    """Apply `func` to each distinct value once and map the results back (no row loop)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    results = np.empty(len(uniques), dtype=object)
    results[:] = [func(u) for u in uniques]
    return pd.Series(results[codes], index=values.index, dtype=object)


def code_single(values: pd.Series, f: cb.Field) -> tuple[pd.Series, pd.Series]:
    """Codes (None when empty) and a mask of values that are not a code or label."""
    lookup = cb.lookup(f)
    idx, uniques = pd.factorize(values, use_na_sentinel=False)
    norms = [cb.normalise("" if u is None else str(u)) for u in uniques]
    codes = np.array([lookup.get(n) for n in norms] + [None], dtype=object)[:-1]
    bad = np.array([lookup.get(n) is None and n != "" for n in norms], dtype=bool)
    return (
        pd.Series(codes[idx], index=values.index, dtype=object),
        pd.Series(bad[idx], index=values.index),
    )


def _yesno_key(value) -> str:
    """Normalised yes/no word; a whole float flag (`1.0`, `0.0` from pandas) as `1`/`0`."""
    norm = cb.normalise("" if value is None else str(value))
    match = _WHOLE_FLAG_RE.match(norm)
    return match.group(1) if match else norm


def code_yesno(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """True/False (NA when empty) and a mask of values that are not a yes/no word.

    Whole float flags as pandas writes them (`1.0`, `0.0`) count as `1` and `0`.
    """
    norm = via_uniques(values, _yesno_key)
    yes, no = norm.isin(cb.YES_WORDS), norm.isin(cb.NO_WORDS)
    result = pd.Series(pd.NA, index=values.index, dtype="boolean")
    result[yes] = True
    result[no] = False
    return result, ~(yes | no) & norm.ne("")


def split_multi(cell: str) -> list[str]:
    """One multi-response or list cell -> its non-empty parts."""
    return [p for p in (cb.clean_text(t) for t in _SPLIT.split(cell)) if p]


def _protected_labels(f: cb.Field) -> list[tuple[str, str]]:
    """(normalised label, code) for labels that contain a separator, longest first."""
    pairs = [
        (cb.normalise(label), c.code)
        for c in f.codes
        for label in (c.nl, c.en)
        if re.search(cb.MULTI_SEPARATORS, label)
    ]
    return sorted(pairs, key=lambda p: -len(p[0]))


def split_coded_multi(cell: str, f: cb.Field) -> list[str]:
    """Normalised parts of a multi cell; labels that contain a `,` stay whole."""
    text = cb.normalise(re.sub(r"[\r\n]+", ";", str(cell)))
    for label, code in _protected_labels(f):
        text = text.replace(label, code)
    return [p for p in (part.strip() for part in _SPLIT.split(text)) if p]


def split_known(cell: str, known) -> list[tuple[str, object]]:
    """A list cell's parts as typed, each with `known(part)` (None when unknown).

    A known name or label may itself contain a separator ("Nuenen, Gerwen en Nederwetten"):
    at each position the longest run of pieces that `known` recognises is taken first.
    """
    pieces = _SEPARATED.split(str(cell))
    tokens, seps = pieces[0::2], pieces[1::2]
    out, i = [], 0
    while i < len(tokens):
        if not cb.clean_text(tokens[i]):
            i += 1
            continue
        for j in range(min(len(tokens), i + MAX_JOINED_PARTS) - 1, i - 1, -1):
            if j > i and not cb.clean_text(tokens[j]):
                continue
            text = tokens[i] + "".join(seps[k] + tokens[k + 1] for k in range(i, j))
            hit = known(text)
            if hit is not None or j == i:
                out.append((cb.clean_text(text), hit))
                i = j + 1
                break
    return out


def code_multi(values: pd.Series, f: cb.Field) -> tuple[pd.DataFrame, pd.Series]:
    """One bool column per option, and per row the parts that are not a code (or ''),
    quoted as the user typed them.
    """
    lookup = cb.lookup(f)
    idx, uniques = pd.factorize(values, use_na_sentinel=False)
    ticks = np.zeros((len(uniques), len(f.codes)), dtype=bool)
    unknown = np.empty(len(uniques), dtype=object)
    position = {code: i for i, code in enumerate(f.code_list)}
    known = lambda text: lookup.get(cb.normalise(text))  # noqa: E731
    for u, cell in enumerate(uniques):
        parts = split_known("" if cell is None else cell, known)
        for _, code in parts:
            if code is not None:
                ticks[u, position[code]] = True
        unknown[u] = "; ".join(text for text, code in parts if code is None)
    columns = [cb.multi_column(f.name, c) for c in f.code_list]
    frame = pd.DataFrame(ticks[idx], index=values.index, columns=columns)
    return frame, pd.Series(unknown[idx], index=values.index, dtype=object)


def parse_int(value: str) -> int | None:
    """'12345', '12.345', '12 345' or '12345.0' -> 12345; anything else -> None."""
    value = cb.clean_text(value)
    if not _INT_RE.match(value):
        return None
    if re.match(r"^\d+\.0+$", value):
        return int(value.split(".")[0])
    return int(re.sub(r"[. ]", "", value))


def parse_date(value: str) -> dt.date | None:
    """ISO `jjjj-mm-dd` or Dutch `dd-mm-jjjj` (also with / or .) -> date; else None.

    A date-time (`2019-03-12 14:30:00`, an Excel date-time cell) gives its date part.
    """
    value = cb.clean_text(value)
    for regex, order in ((_ISO_RE, (0, 1, 2)), (_NL_DATE_RE, (2, 1, 0))):
        match = regex.match(value)
        if match:
            parts = [int(match.group(i + 1)) for i in order]
            try:
                return dt.date(*parts)
            except ValueError:
                return None
    return None


# ---------------------------------------------------------------- multi fields in column form
