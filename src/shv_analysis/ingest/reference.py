"""CBS reference facts about the municipalities of 2019, read from a folder (never shipped).

The folder is `$SHV_REFERENCE_DIR` if set, else `data/reference/` in the checkout (for a
user's own download), else `../shared/reference` beside the checkout.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import pandas as pd

from shv_analysis.contract.codebook import normalise

from shv_analysis.config import PROJECT_ROOT, USER_REFERENCE_DIR

MUNICIPALITIES_FILE = "gemeenten_2019.csv"
ALIASES_FILE = "gemeente_aliases.csv"
BOUNDARIES_FILE = "gemeenten_2019.geojson"
ENV_VAR = "SHV_REFERENCE_DIR"
_CODE_RE = re.compile(r"^(?:gm)?\s*(\d{1,4})$", re.IGNORECASE)
# Typographic forms people paste from word processors and web pages -> the plain ones.
_TYPOGRAPHIC = str.maketrans({**dict.fromkeys("\u2018\u2019\u201a\u201b\u02bc\u0060\u00b4\u2032", "'"),
                              **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
                              **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63"
                                              "\uff0d", "-")})
_PARENTHESIS_RE = re.compile(r"\s*\([^)]*\)\s*$")
# The twelve provinces as CBS spells them, and other ways people write them.
PROVINCES = ("Drenthe", "Flevoland", "Friesland", "Gelderland", "Groningen", "Limburg",
             "Noord-Brabant", "Noord-Holland", "Overijssel", "Utrecht", "Zeeland", "Zuid-Holland")
_PROVINCE_ALIASES = {"fryslan": "Friesland", "northbrabant": "Noord-Brabant",
                     "northholland": "Noord-Holland", "southholland": "Zuid-Holland",
                     "zealand": "Zeeland"}
MULTIPLE_PROVINCE_WORDS = ("meerdere", "meerdere provincies", "multiple", "several")


def name_key(text: str) -> str:
    """Matching key for a name: case, accents, typographic quotes and dashes, odd spaces."""
    return re.sub(r"\s+", " ", normalise(str(text).translate(_TYPOGRAPHIC))).strip()


def compact_key(text: str) -> str:
    """`name_key` with everything but letters and digits removed ("Súdwest Fryslân" =
    "Sudwest-Fryslan")."""
    return re.sub(r"[\W_]+", "", name_key(text))


def province_spellings(reference: "Reference | None" = None) -> dict[str, str]:
    """Compact spelling -> province as the reference spells it (built-in names without one).

    Friesland and Fryslân are one province: whichever the reference uses is the spelling.
    """
    names = sorted(set(reference.municipalities["provincie"].dropna())) if reference is not None \
        else list(PROVINCES)
    spelling = {compact_key(n): n for n in names}
    for alias, province in _PROVINCE_ALIASES.items():
        target = spelling.get(compact_key(province))
        if target is None and province == "Friesland":
            target = spelling.get("fryslan")
        if target is not None:
            spelling.setdefault(alias, target)
    if "fryslan" in spelling:
        spelling.setdefault("friesland", spelling["fryslan"])
    return spelling


class ReferenceMissing(RuntimeError):
    """Raised when a step needs the reference tables and no folder holds them."""


def candidate_dirs() -> list[Path]:
    """Folders searched for reference tables, in order of preference.

    `$SHV_REFERENCE_DIR`, when set, is the only one: an explicit choice is never silently
    replaced by another folder.
    """
    if os.environ.get(ENV_VAR):
        return [Path(os.environ[ENV_VAR]).expanduser()]
    dirs = [USER_REFERENCE_DIR]
    if PROJECT_ROOT is not None:
        dirs.append(PROJECT_ROOT.parent / "shared" / "reference")
    return dirs


def find_reference_dir(explicit: str | os.PathLike | None = None) -> Path | None:
    """The first folder holding `gemeenten_2019.csv`, or None."""
    if explicit is not None:
        path = Path(explicit)
        return path if (path / MUNICIPALITIES_FILE).is_file() else None
    for path in candidate_dirs():
        if (path / MUNICIPALITIES_FILE).is_file():
            return path
    return None


def how_to_get_reference() -> str:
    """One sentence telling a user where reference tables are looked for."""
    places = ", ".join(str(p) for p in candidate_dirs())
    return (f"No municipality reference found (looked in: {places}). Set ${ENV_VAR} to a folder "
            f"holding {MUNICIPALITIES_FILE} and {ALIASES_FILE}, or run `shv reference download`.")


def parse_code(token: str) -> str | None:
    """A CBS code in any accepted form (`GM0363`, `gm0363`, `363`, `0363`) as `GM0363`."""
    match = _CODE_RE.match(str(token).strip())
    return f"GM{int(match.group(1)):04d}" if match else None


@dataclass(frozen=True)
class Reference:
    """Municipalities (code, name, province, population, G4/G40) and their aliases."""

    folder: Path
    municipalities: pd.DataFrame  # index gemeentecode
    aliases: dict[str, str]  # normalised alias or old code -> 2019 code

    @property
    def codes(self) -> set[str]:
        return set(self.municipalities.index)

    @cached_property
    def _compact(self) -> dict[str, str]:
        """Compact key of every name and alias -> code (keys two codes share are left out)."""
        found: dict[str, set[str]] = {}
        for key, code in self.aliases.items():
            if not key.startswith("gm") or parse_code(key) is None:
                found.setdefault(compact_key(key), set()).add(code)
        return {k: next(iter(v)) for k, v in found.items() if len(v) == 1 and k}

    @cached_property
    def _ambiguous(self) -> dict[str, list[str]]:
        """Compact name without its "(NH.)"-style suffix -> codes, where several share it."""
        found: dict[str, set[str]] = {}
        for code, name in self.municipalities["gemeentenaam"].items():
            base = compact_key(_PARENTHESIS_RE.sub("", str(name)))
            if base:
                found.setdefault(base, set()).add(code)
        return {k: sorted(v) for k, v in found.items() if len(v) > 1}

    def resolve(self, token: str) -> str | None:
        """A 2019 CBS code for a code, official name or alias; None when unknown or ambiguous.

        Names match ignoring case, accents, typographic apostrophes, quotes and dashes,
        non-breaking and zero-width spaces, and punctuation ("Súdwest Fryslân").
        """
        code = parse_code(token)
        if code is not None:
            if code in self.municipalities.index:
                return code
            return self.aliases.get(code.lower())
        return (self.aliases.get(normalise(token)) or self.aliases.get(name_key(token))
                or self._compact.get(compact_key(token)))

    def candidates(self, token: str) -> list[tuple[str, str]]:
        """(code, official name) of every municipality a bare ambiguous name may mean
        ("Bergen" -> Bergen (NH.), Bergen (L.)); empty when the name is not ambiguous."""
        if self.resolve(token) is not None:
            return []
        codes = self._ambiguous.get(compact_key(token), [])
        return [(c, str(self.municipalities.loc[c, "gemeentenaam"])) for c in codes]

    def is_large_city(self, code: str) -> bool:
        row = self.municipalities.loc[code]
        return bool(row["g4"] or row["g40"])


@lru_cache(maxsize=8)
def _load(folder: Path) -> Reference:
    munis = pd.read_csv(folder / MUNICIPALITIES_FILE, dtype={"gemeentecode": str},
                        encoding="utf-8")
    munis = munis.rename(columns={"inwoners_2019": "inwoners"}).set_index("gemeentecode")
    munis["g4"] = munis["g4"].astype(bool)
    munis["g40"] = munis["g40"].astype(bool)
    aliases: dict[str, str] = {}
    for code, name in munis["gemeentenaam"].items():
        aliases[normalise(name)] = code
    alias_path = folder / ALIASES_FILE
    if alias_path.is_file():
        for row in pd.read_csv(alias_path, dtype=str, encoding="utf-8").itertuples(index=False):
            old = parse_code(row.alias)
            key = old.lower() if old and row.alias.strip().upper().startswith("GM") else normalise(row.alias)
            aliases.setdefault(key, row.gemeentecode)
    return Reference(folder=folder, municipalities=munis, aliases=aliases)


def load_reference(folder: str | os.PathLike | None = None, required: bool = False) -> Reference | None:
    """The reference tables from `folder` or the first default folder; None if absent."""
    found = find_reference_dir(folder)
    if found is None:
        if required:
            raise ReferenceMissing(how_to_get_reference())
        return None
    return _load(found.resolve())


def clear_cache() -> None:
    """Forget every reference folder read so far (after a new download replaced its files)."""
    _load.cache_clear()
