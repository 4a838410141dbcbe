"""The one half-up rounding of the report (81.25 -> 81.3, 12.5 -> 13), not round-half-even.

Used by `analysis.figures` (does a percentage round to the published integer?) and by
`analysis.formatting` (every number the report prints).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def half_up(value: float, decimals: int = 0) -> Decimal:
    """`value` rounded half up (away from zero) to `decimals` decimals, as an exact Decimal.

    Works on the shortest repr of the float, so 81.25 -> 81.3 and 0.285 -> 0.29 as written,
    not as the binary float happens to lie. NaN stays NaN; callers check for missing values
    first.

    Raises:
        decimal.InvalidOperation: for an infinite value.
    """
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)


def round_half_up(value: float) -> int:
    """`value` rounded half up to a whole number (12.5 -> 13)."""
    return int(half_up(value, 0))
