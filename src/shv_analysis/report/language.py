"""The report language of a section notebook: the cells of the other language are removed.

A section notebook holds its prose in both languages, as neighbouring markdown cells tagged
``lang-nl`` and ``lang-en``; an untagged cell (every code cell, a language-neutral markdown
cell) is for both. `select_language` keeps the cells of one language, so that the executed
notebook and its HTML are exactly those of a notebook written in that language only.
"""

from __future__ import annotations

from typing import Any

from shv_analysis.text import LANGS, normalise_lang

TAG_PREFIX = "lang-"
LANG_TAGS: tuple[str, ...] = tuple(f"{TAG_PREFIX}{code}" for code in LANGS)


def cell_languages(cell: Any) -> set[str]:
    """The languages a cell is tagged for, e.g. ``{"nl"}``; empty for a cell for both.

    Args:
        cell: a notebook cell (nbformat NotebookNode or plain dict).

    Returns:
        The codes after ``lang-`` in the cell's tags (``lang-nl`` gives ``"nl"``).
    """
    tags = cell.get("metadata", {}).get("tags", [])
    return {tag[len(TAG_PREFIX) :] for tag in tags if tag.startswith(TAG_PREFIX)}


def select_language(nb: Any, lang: str) -> Any:
    """Keep the cells of language `lang` and the untagged cells; remove the others.

    The kept cells lose their ``lang-*`` tags (an emptied tag list is removed), and a kept
    cell whose id is ``<id>-<lang>`` gets back ``<id>`` when no kept cell has that id, so
    the executed notebook and both HTML files (which show tags as CSS classes and ids as
    anchors) are the same as those of a single-language notebook, in either language.

    Args:
        nb: a notebook (nbformat NotebookNode or plain dict with ``cells``); changed in
            place.
        lang: ``"nl"`` or ``"en"`` (case and surrounding spaces ignored, ``None`` is
            Dutch).

    Returns:
        The same notebook object, with fewer cells.

    Raises:
        ValueError: for an unknown language, naming the allowed ones (nl, en).
    """
    code = normalise_lang(lang)
    kept = [
        cell for cell in nb["cells"] if not cell_languages(cell) or code in cell_languages(cell)
    ]
    for cell in kept:
        metadata = cell.get("metadata", {})
        if "tags" in metadata:
            tags = [tag for tag in metadata["tags"] if not tag.startswith(TAG_PREFIX)]
            if tags:
                metadata["tags"] = tags
            else:
                del metadata["tags"]
    taken = {cell.get("id") for cell in kept}
    suffix = f"-{code}"
    for cell in kept:
        cid = cell.get("id")
        if isinstance(cid, str) and cid.endswith(suffix) and cid[: -len(suffix)] not in taken:
            taken.discard(cid)
            cell["id"] = cid[: -len(suffix)]
            taken.add(cell["id"])
    nb["cells"] = kept
    return nb


def localise(nb: Any, lang: str) -> Any:
    """Deprecated name of `select_language` (kept for one release); same arguments."""
    return select_language(nb, lang)
