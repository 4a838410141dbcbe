"""CBS reference facts about the municipalities of 2019, read from a folder (never shipped).

The folder is `$SHV_REFERENCE_DIR` if set, else `data/reference/` in the checkout (for a
user's own download), else `../shared/reference` beside the checkout.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from shv_analysis.contract.codebook import normalise

from shv_analysis.config import PROJECT_ROOT, USER_REFERENCE_DIR

MUNICIPALITIES_FILE = "gemeenten_2019.csv"
ALIASES_FILE = "gemeente_aliases.csv"
BOUNDARIES_FILE = "gemeenten_2019.geojson"
ENV_VAR = "SHV_REFERENCE_DIR"
_CODE_RE = re.compile(r"^(?:gm)?\s*(\d{1,4})$", re.IGNORECASE)


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

    def resolve(self, token: str) -> str | None:
        """A 2019 CBS code for a code, official name or alias; None when unknown."""
        code = parse_code(token)
        if code is not None:
            if code in self.municipalities.index:
                return code
            return self.aliases.get(code.lower())
        return self.aliases.get(normalise(token))

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
