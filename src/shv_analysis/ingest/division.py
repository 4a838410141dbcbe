"""Which municipal division (`indeling`, a year) a dataset is measured against, and why.

In order: the year given to the analysis (`--indeling`, the notebook parameter `indeling`),
the dataset's own metadata (key `indeling`), the division in force on the interview dates
(`gespreksdatum`, the most common year: the latest reference year up to it), the most recent
reference year whose division knows every code and name in the data (assumed, with a
warning), and without any reference the division of 2019.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from shv_analysis.contract import codebook as cb
from shv_analysis.contract.problems import Problem
from shv_analysis.ingest.readers import METADATA_FILE, RawDataset
from shv_analysis.ingest.reference import (
    DEFAULT_YEAR,
    KNOWN_DIVISION_SIZES,
    Reference,
    change_dates,
    folder_years,
    load_reference,
    map_forward,
)
from shv_analysis.ingest.sheets import METADATA_SHEET
from shv_analysis.ingest.values import parse_date, split_known, via_uniques

METADATA_KEY = "indeling"
#: How the division was chosen: the analysis argument, the dataset's metadata, the interview
#: dates, the codes in the data (assumed), or the default without reference tables.
BASES = ("argument", "metadata", "gespreksdatum", "codes", "standaard")


@dataclass(frozen=True)
class Division:
    """The division of 1 January of `year` with `size` municipalities, chosen on `basis`.

    `detail` holds what the choice rests on: for `gespreksdatum` the most common interview
    year `date_year`, how many interviews fell in it (`k`) of how many dated (`total`); for
    `argument`/`metadata` the year as `requested` when it maps to an equal reference year.
    """

    year: int = DEFAULT_YEAR
    size: int = KNOWN_DIVISION_SIZES[DEFAULT_YEAR]
    basis: str = "standaard"
    detail: dict = field(default_factory=dict)

    @property
    def assumed(self) -> bool:
        """True when nothing in or about the data named the division."""
        return self.basis in ("codes", "standaard")


class DivisionError(ValueError):
    """A division year that cannot be used (not a year, or no reference for it)."""


def parse_year(value) -> int | None:
    """A division year from an argument or metadata value (2024, "2024", "1-1-2024"); None
    for empty. Raises `DivisionError` for anything else.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    if not text:
        return None
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    digits = text.rsplit("-", 1)[-1] if text.count("-") == 2 else text
    if digits.isdigit() and len(digits) == 4:
        return int(digits)
    raise DivisionError(
        f"indeling {text!r} is not a year; write the year of the municipal division, e.g. 2024"
    )


def in_force(year: int, years: list[int]) -> int | None:
    """The latest reference year up to `year` (the division in force on 1-1-`year`)."""
    earlier = [y for y in years if y <= year]
    return max(earlier) if earlier else None


def _declared(year: int, years: list[int], folder: Path | None) -> int:
    """A requested year -> the reference year describing its division.

    A year without its own file is accepted when a reference year before it has no known
    change in between (2025 -> 2024: the same codes). Raises `DivisionError` otherwise.
    """
    if folder is None or year in years:
        if folder is None and year not in KNOWN_DIVISION_SIZES:
            raise DivisionError(
                f"indeling {year}: no reference tables, and the number of "
                "municipalities of that division is not known; set "
                "$SHV_REFERENCE_DIR (see `shv reference download`)"
            )
        return year
    base = in_force(year, years)
    if (
        base is not None
        and not any(f"{base}-01-01" < d <= f"{year}-01-01" for d in change_dates(folder))
        and year <= max(years) + 1
    ):
        return base
    raise DivisionError(
        f"indeling {year}: no reference tables of that division in {folder}; "
        f"available: {', '.join(map(str, years)) or 'none'} (download one "
        f"with `shv reference download --year {year}`)"
    )


def _date_years(raw: RawDataset) -> Counter:
    table = raw.tables.get(cb.RESPONDENTEN)
    if table is None or "gespreksdatum" not in table.frame.columns:
        return Counter()
    dates = via_uniques(table.frame["gespreksdatum"].astype(str), parse_date)
    return Counter(d.year for d in dates.dropna())


def _tokens(raw: RawDataset) -> list[str]:
    table = raw.tables.get(cb.RESPONDENTEN)
    if table is None or "gemeentecodes" not in table.frame.columns:
        return []
    return [
        str(c)
        for c in pd.unique(table.frame["gemeentecodes"].astype(str).to_numpy())
        if cb.clean_text(str(c))
    ]


def _known(reference, cells: list[str]) -> int:
    """How many parts of the cells the division knows (a name, alias or code of its own)."""
    return sum(
        code is not None for cell in cells for _, code in split_known(cell, reference.resolve)
    )


def choose_division(
    raw: RawDataset, requested=None, folder: str | os.PathLike | None = None
) -> tuple[Division, list[Problem]]:
    """The division of a raw dataset, and the problems choosing it (see the module doc).

    Args:
        raw: the dataset as read (metadata, raw respondenten with `gespreksdatum`).
        requested: a year given to the analysis (int or text), or None.
        folder: the reference folder, or None when there are no reference tables.

    Returns:
        (`Division`, problems): an error for an unusable year (the data are then coded in
        the division the next basis gives), a warning when the division was assumed.
    """
    folder = Path(folder) if folder is not None else None
    years = folder_years(folder) if folder is not None else []
    problems: list[Problem] = []
    for basis, value in (("argument", requested), ("metadata", raw.metadata.get(METADATA_KEY))):
        try:
            year = parse_year(value)
            if year is None:
                continue
            chosen = _declared(year, years, folder)
        except DivisionError as exc:  # an error; the data are still coded, on the next basis
            problems.append(
                Problem(
                    *_where(raw, basis),
                    None,
                    METADATA_KEY,
                    None if value is None else str(value),
                    str(exc),
                    "error",
                )
            )
            continue
        detail = {"requested": year} if chosen != year else {}
        return _division(chosen, basis, detail, folder), problems
    counts = _date_years(raw)
    if counts:
        date_year = max(counts, key=lambda y: (counts[y], y))
        known = years or sorted(KNOWN_DIVISION_SIZES)
        # interviews before the earliest division known: that earliest one
        chosen = in_force(date_year, known) or min(known)
        detail = {"date_year": date_year, "k": counts[date_year], "total": sum(counts.values())}
        return _division(chosen, "gespreksdatum", detail, folder), problems
    if not years:
        return Division(), problems
    cells = _tokens(raw)
    # the most recent that knows every part; when none does, the one knowing the most
    chosen = max(years, key=lambda y: (_known(load_reference(folder, year=y), cells), y))
    problems.append(
        Problem(
            raw.source.name,
            None,
            None,
            "gemeentecodes",
            None,
            f"no municipal division declared (metadata key '{METADATA_KEY}' or "
            f"--indeling) and no interview dates (gespreksdatum); assumed the "
            f"division of 1-1-{chosen}, the most recent in the reference that "
            "knows every municipality code and name in the data",
            "warning",
        )
    )
    return _division(chosen, "codes", {}, folder), problems


def _where(raw: RawDataset, basis: str) -> tuple[str, str | None]:
    """(file, sheet) a problem about the declared division points to."""
    if basis == "argument":
        return "indeling (argument)", None
    if raw.source.is_dir():
        return METADATA_FILE, None
    return raw.source.name, METADATA_SHEET


def _division(year: int, basis: str, detail: dict, folder: Path | None) -> Division:
    ref = load_reference(folder, year=year) if folder is not None else None
    size = ref.size if ref is not None else KNOWN_DIVISION_SIZES[year]
    return Division(year, size, basis, detail)


# ---------------------------------------------------------------- codes across years


def across_years(reference: Reference):
    """`token -> (code, warning, error)` for a list cell's part: a code, name or alias of the
    reference's division, else of an earlier division mapped forward (`map_forward`: a
    warning for a merger, an error for a split); (None, None, None) when unknown.
    """
    earlier = [y for y in reversed(folder_years(reference.folder)) if y < reference.year]
    cache: dict[str, tuple[str | None, str | None, str | None]] = {}

    def resolve(token: str) -> tuple[str | None, str | None, str | None]:
        if token not in cache:
            found: tuple[str | None, str | None, str | None] = (
                reference.resolve(token),
                None,
                None,
            )
            for year in earlier if found[0] is None else ():
                moved = map_forward(token, year, reference.year, reference.folder)
                if moved is None:
                    continue
                if moved.split:
                    found = (None, None, moved.describe(cb.clean_text(token)))
                else:
                    code = moved.successors[0][0]
                    found = (
                        code,
                        moved.describe(cb.clean_text(token)) if moved.changed else None,
                        None,
                    )
                break
            cache[token] = found
        return cache[token]

    return resolve


def later_division_hint(token: str, reference: Reference) -> str:
    """A hint for an unknown municipality that a later division knows, else "".

    For example "; 'GM1979' is Eemsdelta (GM1979) of the division of 2024: declare that
    division ..." when a later division of the reference folder knows `token`.
    """
    for year in folder_years(reference.folder):
        later = load_reference(reference.folder, year=year) if year > reference.year else None
        code = later.resolve(token) if later is not None else None
        if code is not None:
            return (
                f"; '{token}' is {later.name_of(code)} ({code}) of the division of {year}: "
                f"declare that division (metadata key 'indeling' = {year} or --indeling "
                f"{year})"
            )
    return ""
