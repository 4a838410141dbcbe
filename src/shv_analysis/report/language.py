"""The report language of a section notebook: the markdown of one language is kept."""

from __future__ import annotations


def localise(nb, lang: str):
    """Swap in the English markdown (cell metadata `shv.en`) when lang is 'en'."""
    if lang == "en":
        for cell in nb.cells:
            english = cell.get("metadata", {}).get("shv", {}).get("en")
            if cell.cell_type == "markdown" and english:
                cell.source = english
    return nb
