"""Numbers as the report writes them: Dutch decimal comma and thousands dot for 'nl'.

The separators and the text for a missing value come from the text catalogue
(`format.decimal`, `format.thousands`, `format.not_available`); rounding is the one half-up
rounding of `analysis.rounding`.
"""

from __future__ import annotations

import math

from shv_analysis.analysis.rounding import half_up
from shv_analysis.text import both, normalise_lang, text

NOT_AVAILABLE = both("format.not_available")


def _missing(value) -> bool:
    try:
        return value is None or math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def fmt_number(value, lang: str = "nl", decimals: int = 0) -> str:
    """1234.5 -> '1.234,5' (nl) or '1,234.5' (en); missing -> 'n.v.t.' / 'n/a'.

    Raises:
        ValueError: for an unknown language.
    """
    lang = normalise_lang(lang)
    if _missing(value):
        return text("format.not_available", lang)
    # Half up, as the report rounds (81.25 -> 81.3), on the shortest repr of the float.
    exact = half_up(value, decimals)
    out = f"{abs(exact) if exact == 0 else exact:,.{decimals}f}"
    return (
        out.replace(",", "\x00")
        .replace(".", text("format.decimal", lang))
        .replace("\x00", text("format.thousands", lang))
    )


def fmt_int(value, lang: str = "nl") -> str:
    return fmt_number(value, lang, 0)


def fmt_pct(value, lang: str = "nl", decimals: int = 1) -> str:
    """45.4545 -> '45,5%' (nl) or '45.5%' (en); missing -> 'n.v.t.' / 'n/a'."""
    lang = normalise_lang(lang)
    if _missing(value):
        return text("format.not_available", lang)
    return fmt_number(value, lang, decimals) + "%"


def pct(numerator, denominator) -> float:
    """100 * numerator / denominator, NaN when the denominator is 0."""
    return 100.0 * numerator / denominator if denominator else float("nan")
