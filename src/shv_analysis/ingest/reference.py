"""CBS reference facts about the municipalities of a division year, read from a folder
(never shipped).

The folder is `$SHV_REFERENCE_DIR` if set, else `data/reference/` in the checkout (for a
user's own download), else `../shared/reference` beside the checkout. It holds one
`gemeenten_<year>.csv` (and `gemeenten_<year>.geojson`) per municipal division of 1 January
of that year, `gemeente_aliases.csv` (aliases pointing to 2019 codes) and
`herindelingen_<from>_<to>.csv` (every merger and split between two divisions, used by
`map_forward`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import pandas as pd

from shv_analysis.config import PROJECT_ROOT, USER_REFERENCE_DIR
from shv_analysis.contract.codebook import normalise

DEFAULT_YEAR = 2019  # the division of the seed inventory (and of the alias file)
MUNICIPALITIES_FILE = "gemeenten_2019.csv"  # the division of DEFAULT_YEAR
ALIASES_FILE = "gemeente_aliases.csv"
BOUNDARIES_FILE = "gemeenten_2019.geojson"  # the boundaries of DEFAULT_YEAR
CHANGES_GLOB = "herindelingen_*.csv"
#: CBS counts of municipalities on 1 January (StatLine 70072ned), used when no reference
#: folder is at hand; a reference file, when present, is the count.
KNOWN_DIVISION_SIZES = {2019: 355, 2020: 355, 2021: 352, 2022: 345, 2023: 342, 2024: 342, 2025: 342}
_YEAR_FILE_RE = re.compile(r"^gemeenten_(\d{4})\.csv$")
ENV_VAR = "SHV_REFERENCE_DIR"
_CODE_RE = re.compile(r"^(?:gm)?\s*(\d{1,4})$", re.IGNORECASE)
# Typographic forms people paste from word processors and web pages -> the plain ones.
_TYPOGRAPHIC = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u02bc\u0060\u00b4\u2032", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d", "-"),
    }
)
_PARENTHESIS_RE = re.compile(r"\s*\([^)]*\)\s*$")
# The twelve provinces as CBS spells them, and other ways people write them.
PROVINCES = (
    "Drenthe",
    "Flevoland",
    "Friesland",
    "Gelderland",
    "Groningen",
    "Limburg",
    "Noord-Brabant",
    "Noord-Holland",
    "Overijssel",
    "Utrecht",
    "Zeeland",
    "Zuid-Holland",
)
_PROVINCE_ALIASES = {
    "fryslan": "Friesland",
    "northbrabant": "Noord-Brabant",
    "northholland": "Noord-Holland",
    "southholland": "Zuid-Holland",
    "zealand": "Zeeland",
}
MULTIPLE_PROVINCE_WORDS = ("meerdere", "meerdere provincies", "multiple", "several")


def name_key(text: str) -> str:
    """Matching key for a name: case, accents, typographic quotes and dashes, odd spaces."""
    return re.sub(r"\s+", " ", normalise(str(text).translate(_TYPOGRAPHIC))).strip()


def compact_key(text: str) -> str:
    """`name_key` with everything but letters and digits removed ("Súdwest Fryslân" =
    "Sudwest-Fryslan").
    """
    return re.sub(r"[\W_]+", "", name_key(text))


def province_spellings(reference: Reference | None = None) -> dict[str, str]:
    """Compact spelling -> province as the reference spells it (built-in names without one).

    Friesland and Fryslân are one province: whichever the reference uses is the spelling.
    """
    names = (
        sorted(set(reference.municipalities["provincie"].dropna()))
        if reference is not None
        else list(PROVINCES)
    )
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


def municipalities_file(year: int = DEFAULT_YEAR) -> str:
    """File name of the municipalities of the division of 1-1-`year` (`gemeenten_2024.csv`)."""
    return f"gemeenten_{int(year)}.csv"


def boundaries_file(year: int = DEFAULT_YEAR) -> str:
    """File name of the boundaries of the division of 1-1-`year` (`gemeenten_2024.geojson`)."""
    return f"gemeenten_{int(year)}.geojson"


def folder_years(folder: str | os.PathLike) -> list[int]:
    """Division years with a `gemeenten_<year>.csv` in `folder`, ascending."""
    path = Path(folder)
    if not path.is_dir():
        return []
    return sorted(
        int(m.group(1))
        for p in path.iterdir()
        if (m := _YEAR_FILE_RE.match(p.name)) and p.is_file()
    )


def find_reference_dir(
    explicit: str | os.PathLike | None = None, year: int | None = None
) -> Path | None:
    """The first folder holding the municipalities of `year`, or None.

    `year` None: a folder holding `gemeenten_2019.csv`, else one holding any
    `gemeenten_<year>.csv`.
    """
    dirs = [Path(explicit)] if explicit is not None else candidate_dirs()
    if year is not None:
        return next((d for d in dirs if (d / municipalities_file(year)).is_file()), None)
    found = next((d for d in dirs if (d / MUNICIPALITIES_FILE).is_file()), None)
    return found or next((d for d in dirs if folder_years(d)), None)


def reference_years(folder: str | os.PathLike | None = None) -> list[int]:
    """Division years available in the reference folder (`folder` or the default), ascending;
    empty when there is none.
    """
    found = find_reference_dir(folder)
    return folder_years(found) if found is not None else []


def how_to_get_reference() -> str:
    """One sentence telling a user where reference tables are looked for."""
    places = ", ".join(str(p) for p in candidate_dirs())
    return (
        f"No municipality reference found (looked in: {places}). Set ${ENV_VAR} to a folder "
        f"holding {MUNICIPALITIES_FILE} and {ALIASES_FILE}, or run `shv reference download`."
    )


def parse_code(token: str) -> str | None:
    """A CBS code in any accepted form (`GM0363`, `gm0363`, `363`, `0363`) as `GM0363`."""
    match = _CODE_RE.match(str(token).strip())
    return f"GM{int(match.group(1)):04d}" if match else None


@dataclass(frozen=True)
class Reference:
    """Municipalities of one division (code, name, province, population, G4/G40), aliases."""

    folder: Path
    municipalities: pd.DataFrame  # index gemeentecode; column `inwoners` of that year
    aliases: dict[str, str]  # normalised name, alias or old code -> code of this division
    year: int = DEFAULT_YEAR  # the division of 1 January of this year

    @property
    def size(self) -> int:
        """Number of municipalities in the division (355 in 2019, 342 in 2024)."""
        return len(self.municipalities)

    def name_of(self, code: str) -> str:
        """The official name of a code of this division."""
        return str(self.municipalities.loc[code, "gemeentenaam"])

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
        return (
            self.aliases.get(normalise(token))
            or self.aliases.get(name_key(token))
            or self._compact.get(compact_key(token))
        )

    def candidates(self, token: str) -> list[tuple[str, str]]:
        """(code, official name) of every municipality a bare ambiguous name may mean
        ("Bergen" -> Bergen (NH.), Bergen (L.)); empty when the name is not ambiguous.
        """
        if self.resolve(token) is not None:
            return []
        codes = self._ambiguous.get(compact_key(token), [])
        return [(c, str(self.municipalities.loc[c, "gemeentenaam"])) for c in codes]

    def is_large_city(self, code: str) -> bool:
        row = self.municipalities.loc[code]
        return bool(row["g4"] or row["g40"])


@lru_cache(maxsize=8)
def _load(folder: Path, year: int = DEFAULT_YEAR) -> Reference:
    munis = pd.read_csv(
        folder / municipalities_file(year), dtype={"gemeentecode": str}, encoding="utf-8"
    )
    population = (
        f"inwoners_{year}"
        if f"inwoners_{year}" in munis.columns
        else next((c for c in munis.columns if c.startswith("inwoners")), "inwoners")
    )
    munis = munis.rename(columns={population: "inwoners"}).set_index("gemeentecode")
    munis["g4"] = munis["g4"].astype(bool)
    munis["g40"] = munis["g40"].astype(bool)
    aliases: dict[str, str] = {}
    for code, name in munis["gemeentenaam"].items():
        aliases[normalise(name)] = code
    alias_path = folder / ALIASES_FILE
    if alias_path.is_file():
        for row in pd.read_csv(alias_path, dtype=str, encoding="utf-8").itertuples(index=False):
            old = parse_code(row.alias)
            key = (
                old.lower()
                if old and row.alias.strip().upper().startswith("GM")
                else normalise(row.alias)
            )
            if row.gemeentecode in munis.index:  # others: a code of another division
                aliases.setdefault(key, row.gemeentecode)
    return Reference(folder=folder, municipalities=munis, aliases=aliases, year=year)


def load_reference(
    folder: str | os.PathLike | None = None, required: bool = False, year: int | None = None
) -> Reference | None:
    """The reference tables from `folder` or the first default folder; None if absent.

    Args:
        folder: a reference folder; None searches `candidate_dirs()`.
        required: raise `ReferenceMissing` instead of returning None.
        year: the division (1 January of that year); None: 2019, else the earliest year
            the folder holds.
    """
    found = find_reference_dir(folder, year)
    if found is None:
        if required:
            raise ReferenceMissing(
                how_to_get_reference()
                if year is None
                else f"No municipalities of the division of {year} "
                f"({municipalities_file(year)}). " + how_to_get_reference()
            )
        return None
    if year is None:
        year = DEFAULT_YEAR if (found / MUNICIPALITIES_FILE).is_file() else folder_years(found)[0]
    return _load(found.resolve(), int(year))


def clear_cache() -> None:
    """Forget every reference folder read so far (after a new download replaced its files)."""
    _load.cache_clear()
    _changes.cache_clear()


# ---------------------------------------------------------------- codes across years


@dataclass(frozen=True)
class Succession:
    """Where a municipality of one division went in a later one (see `map_forward`).

    `successors` are (code, name) in the later division: the code itself when nothing
    changed, one code after a merger, several after a split. `dates` are the dates of the
    changes applied (ISO, ascending).
    """

    code: str
    name: str
    from_year: int
    to_year: int
    successors: tuple[tuple[str, str], ...]
    dates: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """True when the municipality is not itself in the later division."""
        return [c for c, _ in self.successors] != [self.code]

    @property
    def split(self) -> bool:
        """True when it went to more than one municipality."""
        return len(self.successors) > 1

    def describe(self, token: str) -> str:
        """The warning (merger) or error text (split) for the value `token` as typed."""
        named = [f"{name} ({code})" for code, name in self.successors]
        when = " and ".join(self.dates)
        if self.split:
            listed = ", ".join(named[:-1]) + " and " + named[-1]
            return (
                f"'{token}' is a municipality of {self.from_year}, split on {when} over "
                f"{listed}; give the municipality or municipalities of "
                f"{self.to_year} the respondent speaks for instead"
            )
        return f"'{token}' is a municipality of {self.from_year}, merged into {named[0]} on {when}"


@lru_cache(maxsize=8)
def _changes(folder: Path) -> tuple[tuple[str, str, str, str, str], ...]:
    """(datum, oude_code, oude_naam, nieuwe_code, nieuwe_naam) of every `herindelingen_*`
    file in `folder`, sorted by date.
    """
    rows: set[tuple[str, str, str, str, str]] = set()
    for path in sorted(folder.glob(CHANGES_GLOB)):
        frame = pd.read_csv(path, dtype=str, encoding="utf-8").fillna("")
        for r in frame.itertuples(index=False):
            rows.add(
                (
                    r.datum.strip(),
                    r.oude_code.strip(),
                    r.oude_naam.strip(),
                    r.nieuwe_code.strip(),
                    r.nieuwe_naam.strip(),
                )
            )
    return tuple(sorted(rows))


def change_dates(folder: str | os.PathLike | None = None) -> list[str]:
    """Dates (ISO) of every municipal change in the reference folder's `herindelingen_*`."""
    found = find_reference_dir(folder)
    return sorted({row[0] for row in _changes(found.resolve())}) if found is not None else []


def map_forward(
    code_or_name: str, from_year: int, to_year: int, folder: str | os.PathLike | None = None
) -> Succession | None:
    """A code or name of the division of `from_year`, carried to the division of `to_year`.

    Applies every change of the `herindelingen_*` files dated after 1-1-`from_year` up to and
    including 1-1-`to_year`, in date order ("Appingedam", 2019 -> 2024: Eemsdelta GM1979;
    "Haaren": four successors).

    Args:
        code_or_name: a code (`GM0003`, `3`) or a name or alias of the `from_year` division.
        from_year: the division year of `code_or_name` (with a reference file in the folder).
        to_year: the division year to carry it to.
        folder: the reference folder (default: the first found).

    Returns:
        The `Succession`, or None when `code_or_name` is not a municipality of `from_year`.

    Raises:
        ReferenceMissing: no reference file of `from_year`.
    """
    source = load_reference(folder, required=True, year=from_year)
    code = source.resolve(code_or_name)
    if code is None:
        return None
    target = load_reference(source.folder, year=to_year) if to_year != from_year else source
    start, end = f"{int(from_year)}-01-01", f"{int(to_year)}-01-01"
    names = {code: source.name_of(code)}
    current: dict[str, tuple[str, ...]] = {code: ()}
    by_date: dict[str, dict[str, list[str]]] = {}
    for datum, old, _, new, new_name in _changes(source.folder.resolve()):
        if start < datum <= end:
            by_date.setdefault(datum, {}).setdefault(old, []).append(new)
            names.setdefault(new, new_name)
    for datum in sorted(by_date):
        step: dict[str, tuple[str, ...]] = {}
        for c, dates in current.items():
            for n in by_date[datum].get(c, [c]):
                step.setdefault(n, dates + ((datum,) if n != c else ()))
        current = step
    ordered = sorted(current)
    if target is not None:
        names.update({c: target.name_of(c) for c in ordered if c in target.municipalities.index})
    dates = tuple(sorted({d for c in ordered for d in current[c]}))
    return Succession(
        code,
        source.name_of(code),
        int(from_year),
        int(to_year),
        tuple((c, names.get(c, c)) for c in ordered),
        dates,
    )
