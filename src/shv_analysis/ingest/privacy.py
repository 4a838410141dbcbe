"""Personal data: which headers name contact data, and masking e-mail addresses and phone numbers
inside free text. Readers drop those columns and mask free text before any later step sees it.
"""

from __future__ import annotations

import re

import pandas as pd

from shv_analysis.contract.codebook import PERSONAL_COLUMNS

EMAIL_RE = r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+"
PHONE_RE = (
    r"(?<![\w+])(?:(?:\+|00)31[\s\-.]?(?:\(0\)[\s\-.]?)?|0)"
    r"(?:[1-9](?:[\s\-.]?\d){8})(?!\d)"
)
EMAIL_MASK = "[e-mail verwijderd]"
PHONE_MASK = "[telefoonnummer verwijderd]"
_PERSONAL_HEADER_RE = re.compile(
    r"contactpersoon|contact_persoon|contactgegeven|e_?mail|telefoon|mobiel|gsm|phone|"
    r"^(naam_)?contact$|^tel(\.|_?nr\.?|_|$)|^06(_nummer)?$|^mail(adres)?$|^achternaam|^voornaam"
)


def is_personal_header(key: str) -> bool:
    """Whether a normalised header names contact data (names, phone, e-mail)."""
    return (
        key in PERSONAL_COLUMNS
        or key.rstrip(".") in PERSONAL_COLUMNS
        or bool(_PERSONAL_HEADER_RE.search(key))
    )


def mask_personal_text(series: pd.Series) -> pd.Series:
    """E-mail addresses and Dutch phone numbers inside free text, masked.

    A vectorised pre-filter (pyarrow) picks the few cells that could hold either; only
    those go through the full regular expressions.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    text = series.astype(object).where(series.notna(), "")
    text = text.map(str) if not all(isinstance(v, str) for v in text.head(1)) else text
    try:
        arr = pa.array(text.to_numpy(dtype=object), type=pa.large_string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        text = text.map(str)
        arr = pa.array(text.to_numpy(dtype=object), type=pa.large_string())
    maybe = pc.match_substring_regex(arr, r"@|\d[\d\s().\-]{7,}\d").to_numpy(zero_copy_only=False)
    if not maybe.any():
        return text
    text = text.copy()
    hits = text[maybe].str.replace(EMAIL_RE, EMAIL_MASK, regex=True)
    text[maybe] = hits.str.replace(PHONE_RE, PHONE_MASK, regex=True)
    return text
