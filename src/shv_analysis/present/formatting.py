"""Numbers as the report writes them: Dutch decimal comma and thousands dot for 'nl'."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

NOT_AVAILABLE = {"nl": "n.v.t.", "en": "n/a"}


def _lang(lang: str) -> str:
    return "en" if lang == "en" else "nl"


def _missing(value) -> bool:
    try:
        return value is None or math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def fmt_number(value, lang: str = "nl", decimals: int = 0) -> str:
    """1234.5 -> '1.234,5' (nl) or '1,234.5' (en); missing -> 'n.v.t.' / 'n/a'."""
    if _missing(value):
        return NOT_AVAILABLE[_lang(lang)]
    # Half up, as the report rounds (81.25 -> 81.3), on the shortest repr of the float.
    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    text = f"{abs(exact) if exact == 0 else exact:,.{decimals}f}"
    if _lang(lang) == "nl":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def fmt_int(value, lang: str = "nl") -> str:
    return fmt_number(value, lang, 0)


def fmt_pct(value, lang: str = "nl", decimals: int = 1) -> str:
    """45.4545 -> '45,5%' (nl) or '45.5%' (en); missing -> 'n.v.t.' / 'n/a'."""
    if _missing(value):
        return NOT_AVAILABLE[_lang(lang)]
    return fmt_number(value, lang, decimals) + "%"


def pct(numerator, denominator) -> float:
    """100 * numerator / denominator, NaN when the denominator is 0."""
    return 100.0 * numerator / denominator if denominator else float("nan")
