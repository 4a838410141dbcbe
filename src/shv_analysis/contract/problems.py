"""Problems found in input data: each names file, sheet, row, column, value and what is allowed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MAX_VALUE_CHARS = 80


def _shorten(value: str) -> str:
    value = value.replace("\r", "\\r").replace("\n", "\\n")
    return value if len(value) <= MAX_VALUE_CHARS else value[: MAX_VALUE_CHARS - 1] + "…"


@dataclass(frozen=True, order=True)
class Problem:
    """One error or warning about the input, as a user can find it in the spreadsheet."""

    file: str
    sheet: str | None
    row: int | None  # spreadsheet row, header = row 1
    column: str | None
    value: str | None
    message: str  # what is wrong and what is allowed
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        where = ", ".join(parts)
        value = "" if self.value is None else f"value '{_shorten(self.value)}': "
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{prefix}{where}: {value}{self.message}"


class InvalidDataset(ValueError):
    """Raised when a dataset has errors; `.problems` lists every one of them."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems, key=_sort_key)
        lines = [str(p) for p in self.problems]
        super().__init__(f"{len(lines)} problem(s) in the dataset:\n" + "\n".join(lines))


def _sort_key(p: Problem) -> tuple:
    return (p.file, p.sheet or "", p.row if p.row is not None else 0, p.column or "", p.message)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems in reading order: file, sheet, row, column."""
    return sorted(problems, key=_sort_key)
