"""Words every whole-report view shares: the date as written, and "how to read this report".

Both come from the text catalogue (`[index]`), so the index, the single file and the PDF say
the same in the report's language.
"""

from __future__ import annotations

import datetime as dt

from shv_analysis.text import text

GUIDE_ITEMS = ("n", "interval", "suppression")


def format_date(day: dt.date, lang: str) -> str:
    """A date as written in the report: "1 december 2026" / "1 December 2026"."""
    return text(
        "index.date_format",
        lang,
        day=day.day,
        month=text(f"index.month.{day.month}", lang),
        year=day.year,
    )


def reading_guide(lang: str, synthetic: bool) -> list[dict[str, str]]:
    """The "how to read this report" items, `[{"term": ..., "text": ...}, ...]`: n and base,
    intervals, suppressed cells, and (for synthetic data) what synthetic means.
    """
    items = list(GUIDE_ITEMS) + (["synthetic"] if synthetic else [])
    return [
        {"term": text(f"index.guide_{item}_term", lang), "text": text(f"index.guide_{item}", lang)}
        for item in items
    ]
