"""The text catalogue: every sentence, label and heading of the report in Dutch and English.

Texts live in one TOML file per language (`shv_analysis/messages/nl.toml`, `en.toml`), keyed
by dotted names (`[maps] not_covered = "..."` is `"maps.not_covered"`). Placeholders use
`str.format` fields (`"{n} van {base}"`). Numbers are formatted by `analysis.formatting` before
they are put into a text; this module only looks texts up.

`normalise_lang` is the one place where a language argument is checked.
"""

from __future__ import annotations

import tomllib
from functools import cache
from typing import Any

from shv_analysis.config import PACKAGE_DIR

LANGS: tuple[str, ...] = ("nl", "en")
DEFAULT_LANG = "nl"
MESSAGE_DIR = PACKAGE_DIR / "messages"


def normalise_lang(lang: Any) -> str:
    """The language code `lang` stands for: ``"nl"`` or ``"en"``.

    Case and surrounding spaces are ignored (``"EN"`` is ``"en"``); ``None`` is the default
    language (Dutch).

    Raises:
        ValueError: for any other value, naming the allowed ones.
    """
    if lang is None:
        return DEFAULT_LANG
    code = str(lang).strip().lower()
    if code not in LANGS:
        raise ValueError(f"unknown language {lang!r}; allowed: {', '.join(LANGS)}")
    return code


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Every text of one language, keyed by dotted name (read once from its TOML file)."""
    path = MESSAGE_DIR / f"{normalise_lang(lang)}.toml"
    with open(path, "rb") as handle:
        return _flatten(tomllib.load(handle))


def text(key: str, lang: Any = DEFAULT_LANG, /, **fields: Any) -> str:
    """The text `key` in `lang`, with `fields` filled in.

    Args:
        key: dotted name, e.g. ``"notice.synthetic"``.
        lang: ``"nl"`` or ``"en"`` (see `normalise_lang`).
        **fields: values for the text's ``{placeholders}``, already formatted.

    Raises:
        KeyError: when the catalogue of that language has no such key.
        ValueError: for an unknown language.
    """
    template = catalogue(normalise_lang(lang))[key]
    return template.format(**fields) if fields else template


def both(key: str, /, **fields: Any) -> dict[str, str]:
    """The text `key` in every language, as ``{"nl": ..., "en": ...}``."""
    return {lang: text(key, lang, **fields) for lang in LANGS}


def texts(prefix: str, lang: Any = DEFAULT_LANG, /) -> dict[str, str]:
    """Every text under the dotted `prefix` in `lang`, keyed by the rest of its name.

    ``texts("export.about", "en")["title"]`` is ``text("export.about.title", "en")``; texts
    of nested tables keep their dots (``"verdict.ok"``). Templates are not filled in.

    Raises:
        ValueError: for an unknown language.
    """
    head = prefix.rstrip(".") + "."
    return {
        key[len(head) :]: value
        for key, value in catalogue(normalise_lang(lang)).items()
        if key.startswith(head)
    }
