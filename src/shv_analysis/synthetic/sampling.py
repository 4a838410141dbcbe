"""The seeded random helpers the synthetic generator draws every field with.

Each helper takes the `numpy.random.Generator` of the run and fixes exact counts by
construction: `choose` picks exactly k records by weighted sampling without replacement
(Efraimidis-Spirakis keys), `assign_multi` builds a records x options matrix with exactly
the required number of records per option (optionally giving every record at least one),
`assign_single` gives every record one code with exact counts, `by_type` turns a
per-pilot-type mapping into weights and `join_codes` writes a matrix row as the contract's
`;`-separated codes. They hold no state; the same generator state gives the same draws.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def choose(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """Exactly `k` indices drawn without replacement, proportional to `weights`.

    Efraimidis-Spirakis keys: the k largest of log(u)/w. Zero weights are never chosen
    while a positive weight remains.
    """
    weights = np.asarray(weights, dtype=float)
    u = rng.random(weights.size)
    with np.errstate(divide="ignore"):
        keys = np.where(weights > 0, np.log(u) / np.where(weights > 0, weights, 1.0), -np.inf)
    if k > int((weights > 0).sum()):
        raise ValueError(f"cannot choose {k} of {int((weights > 0).sum())} eligible")
    order = np.argsort(-keys, kind="stable")
    return np.sort(order[:k])


def by_type(types: np.ndarray, mapping: dict[str, float], default: float = 1.0) -> np.ndarray:
    return np.array([mapping.get(t, default) for t in types], dtype=float)


def _ensure_one(mat: np.ndarray, weights: np.ndarray, rows: np.ndarray) -> None:
    """Give every row in `rows` at least one option, moving options so column sums stay.

    The option a row lacks is taken from the donor that holds it, has two or more options
    and is least suited to it (lowest weight); ties go to the lowest index.
    """
    for i in np.flatnonzero(rows & ~mat.any(axis=1)):
        for j in np.argsort(-weights[i], kind="stable"):
            donors = np.flatnonzero(mat[:, j] & (mat.sum(axis=1) >= 2) & rows)
            if donors.size:
                d = donors[np.argmin(weights[donors, j])]
                mat[d, j] = False
                mat[i, j] = True
                break
        else:  # pragma: no cover - counts always leave room
            raise RuntimeError("cannot give every record an option")


def assign_multi(
    rng: np.random.Generator,
    counts: dict[str, int],
    weights: dict[str, np.ndarray],
    rows: np.ndarray | None = None,
    at_least_one: bool = False,
) -> np.ndarray:
    """Bool matrix (pilots x options) with exactly counts[code] pilots per option."""
    codes = list(counts)
    n = next(iter(weights.values())).size
    rows = np.ones(n, dtype=bool) if rows is None else rows
    mat = np.zeros((n, len(codes)), dtype=bool)
    wmat = np.column_stack([np.where(rows, weights[c], 0.0) for c in codes])
    for j, code in enumerate(codes):
        if counts[code]:
            mat[choose(rng, wmat[:, j], counts[code]), j] = True
    if at_least_one:
        _ensure_one(mat, wmat + 1e-9 * rows[:, None], rows)
    return mat


def assign_single(
    rng: np.random.Generator, counts: dict[str, int], weights: dict[str, np.ndarray], n: int
) -> np.ndarray:
    """One code per record with exact counts; the last code takes the remainder."""
    out = np.full(n, "", dtype=object)
    free = np.ones(n, dtype=bool)
    codes = list(counts)
    for code in codes[:-1]:
        w = np.where(free, weights.get(code, np.ones(n)), 0.0)
        idx = choose(rng, w, counts[code])
        out[idx] = code
        free[idx] = False
    out[free] = codes[-1]
    return out


def join_codes(mat_row: np.ndarray, codes: Sequence[str]) -> str:
    return ";".join(c for c, on in zip(codes, mat_row) if on)
