"""Small-cell suppression for exported cross-tabs, with secondary suppression.

Primary: counts 0 < n < threshold are hidden. Secondary: wherever a line of the table (a row
across its columns and total; for single-choice fields also a column, whose base is shown)
would have exactly one hidden cell, the smallest other cell of that line is hidden too, so
no hidden count can be recovered by subtraction. Repeated until nothing changes.

The threshold (`resolve_min_cell`): exported tables suppress counts below `DEFAULT_MIN_CELL`;
interactive exploration shows everything. A notebook's `min_cell = None` therefore means
`DEFAULT_MIN_CELL` when it saves its tables (`output_dir` set, as in `shv report`, whose
HTML, CSV and Excel files are exports) and 0 (off) when it only displays them; an explicit
integer always wins (0 switches suppression off, also in a report).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DEFAULT_MIN_CELL = 5


def resolve_min_cell(min_cell, exporting: bool) -> int:
    """The threshold to use: `min_cell` when given, else DEFAULT_MIN_CELL when exporting, else 0.

    Accepts an integer (or a whole number as float or text, as a papermill parameter may
    arrive); anything else, or a negative number, is a ValueError.
    """
    if min_cell is None:
        return DEFAULT_MIN_CELL if exporting else 0
    try:
        if isinstance(min_cell, bool):
            raise ValueError
        value = float(str(min_cell).strip()) if isinstance(min_cell, str) else float(min_cell)
        if value != int(value) or value < 0:
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"min_cell must be None or a whole number >= 0, got {min_cell!r}") \
            from None
    return int(value)


def _lines(rows: list, cols: list, by_column: bool) -> list[list[tuple[int, int]]]:
    lines = [[(i, j) for j in range(len(cols))] for i in range(len(rows))]
    if by_column:
        lines += [[(i, j) for i in range(len(rows))] for j in range(len(cols))]
    return lines


def suppression_mask(counts: np.ndarray, threshold: int, by_column: bool) -> np.ndarray:
    """Boolean mask (rows x cols) of cells to hide; the last column is the row total."""
    hidden = (counts > 0) & (counts < threshold)
    lines = _lines(list(range(counts.shape[0])), list(range(counts.shape[1])), by_column)
    changed = True
    while changed:
        changed = False
        for line in lines:
            flags = [hidden[c] for c in line]
            if sum(flags) != 1:
                continue
            candidates = [c for c in line if not hidden[c]]
            if not candidates:
                continue
            nonzero = [c for c in candidates if counts[c] > 0] or candidates
            pick = min(nonzero, key=lambda c: (counts[c], c))
            hidden[pick] = True
            changed = True
    return hidden


def suppress_cells(cells: pd.DataFrame, threshold: int, multi: bool) -> pd.DataFrame:
    """Long-form cells (row, col, n, ...) with a `suppressed` column added.

    For a multi-response field the rows overlap, so only rows (not columns) add up.
    """
    rows = list(dict.fromkeys(cells["row"]))
    cols = list(dict.fromkeys(cells["col"]))
    grid = cells.pivot(index="row", columns="col", values="n").reindex(index=rows, columns=cols)
    mask = suppression_mask(grid.to_numpy(dtype=int), threshold, by_column=not multi)
    flags = pd.DataFrame(mask, index=rows, columns=cols).stack()
    out = cells.copy()
    out["suppressed"] = [bool(flags.loc[(r, c)]) for r, c in zip(out["row"], out["col"])]
    return out
