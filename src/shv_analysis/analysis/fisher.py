"""Fisher's test for R x C tables: an exact network algorithm, and a seeded Monte Carlo fallback.

The exact p-value is the total probability (hypergeometric, given both margins) of every table
no more probable than the observed one, with R's relative tolerance of 1e-7 for ties; this is
what R's ``fisher.test`` computes. It is found with a network algorithm in the spirit of
Mehta & Patel (1983): columns are added one at a time; a node is the multiset of the remaining
row sums (rows with equal remaining sums are interchangeable), and each node keeps the distinct
partial sums of log cell factorials that reach it, with their probability mass. Bounds on what
the remaining columns can still add decide early that a path's completions are all "as
extreme" (their whole probability is added at once, in closed form) or none are (dropped), so
only the undecided paths are followed. The work is counted in path steps; past `WORK_LIMIT`
the algorithm gives up (returns None) and the caller uses Monte Carlo. The count, not a clock,
decides, so a report computes the same p-value on a loaded machine as on an idle one.

The Monte Carlo estimate draws `draws` random tables with the observed margins (cell by
cell from the conditional hypergeometric distributions, vectorised over the draws), counts the tables whose
probability is at most the observed one (same tolerance), and reports
p = (k + 1) / (draws + 1) with its binomial standard error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.special import gammaln

RELATIVE_TIE_TOLERANCE = 1e-7  # tables this close in probability count as "as extreme" (as in R)
WORK_LIMIT = 1_000_000  # column choices and path steps of the exact network algorithm before giving up
_EPS = 1e-9  # slack on bound checks: a path this close to the threshold is followed, not decided
_MC_CHUNK = 100_000  # random tables drawn at once


@dataclass(frozen=True)
class MonteCarloP:
    """A Monte Carlo p-value: p = (k + 1) / (draws + 1), with its standard error and seed."""

    p: float
    se: float
    k: int
    draws: int
    seed: int


def _log_fact(x: int) -> float:
    return math.lgamma(x + 1)


def fisher_exact_rxc(table: np.ndarray, work_limit: int = WORK_LIMIT) -> tuple[float, float] | None:
    """Exact two-sided Fisher p-value of an R x C table (as R's ``fisher.test``), or None if too costly.

    Args:
        table: 2-D array of non-negative integer counts without all-zero rows or columns.
        work_limit: path steps allowed before giving up.

    Returns:
        (probability of the observed table, p-value in [0, 1]); None past `work_limit`.
    """
    counts = np.asarray(table, dtype=np.int64)
    if counts.shape[0] > counts.shape[1]:
        counts = counts.T  # fewer rows: fewer nodes
    rows = tuple(int(r) for r in counts.sum(axis=1))
    cols = tuple(sorted(int(c) for c in counts.sum(axis=0)))
    n = sum(rows)
    log_const = sum(map(_log_fact, rows)) + sum(map(_log_fact, cols)) - _log_fact(n)
    observed = float(gammaln(counts + 1).sum())
    threshold = observed - math.log1p(RELATIVE_TIE_TOLERANCE)  # extreme: score >= threshold
    if max(math.comb(c + len(rows) - 1, len(rows) - 1) for c in cols) > work_limit // 20:
        return None  # one column alone has too many ways to be filled
    solver = _Network(cols, threshold)
    p = solver.run(tuple(sorted(rows, reverse=True)), work_limit)
    if p is None:
        return None
    return math.exp(log_const - observed), min(max(p, 0.0), 1.0)


class _Network:
    """One exact computation: column sums in processing order, the threshold on the score.

    Each stage holds the undecided paths as arrays (node index, score, mass); a stage's paths
    are expanded by every column choice of their node at once, decided by the bounds, and
    merged by (child node, score rounded to 1e-9).
    """

    def __init__(self, cols: tuple[int, ...], threshold: float) -> None:
        self.cols = cols
        self.threshold = threshold
        self.suffix = [cols[k:] for k in range(len(cols) + 1)]

    def run(self, start: tuple[int, ...], work_limit: int) -> float | None:
        """Probability of all tables with score >= threshold; None past the work limit."""
        total = 0.0
        work = 0
        nodes = [start]
        node_of = np.zeros(1, dtype=np.int64)
        score = np.zeros(1)
        mass = np.ones(1)
        last = len(self.cols) - 1
        for stage in range(last):
            col, rest = self.cols[stage], self.suffix[stage + 1]
            children: dict[tuple[int, ...], int] = {}
            e_start, e_child, e_add, e_factor = [0], [], [], []
            for node in nodes:
                log_comp = _log_completions(node, self.suffix[stage])
                work += math.comb(col + len(node) - 1, len(node) - 1)  # column choices, at most
                if work > work_limit:
                    return None
                edges = _transitions(node, col)
                if work > work_limit:
                    return None
                for child, add, count in edges:
                    e_child.append(children.setdefault(child, len(children)))
                    e_add.append(add)
                    e_factor.append(count * math.exp(_log_completions(child, rest) - log_comp - add))
                e_start.append(len(e_child))
            child_nodes = list(children)
            bounds = np.array([_bounds(c, rest) for c in child_nodes]).reshape(-1, 2)
            starts = np.asarray(e_start)
            per_node = np.diff(starts)
            per_path = per_node[node_of]
            work += int(per_path.sum())
            if work > work_limit:
                return None
            path_idx = np.repeat(np.arange(len(node_of)), per_path)
            offsets = np.arange(len(path_idx)) - np.repeat(np.cumsum(per_path) - per_path, per_path)
            edge = starts[node_of][path_idx] + offsets
            child = np.asarray(e_child, dtype=np.int64)[edge]
            s = score[path_idx] + np.asarray(e_add)[edge]
            m = mass[path_idx] * np.asarray(e_factor)[edge]
            lo, hi = bounds[child, 0], bounds[child, 1]
            alive = s + hi >= self.threshold - _EPS
            done = alive & (s + lo >= self.threshold + _EPS)
            if stage + 1 == last:  # one column left: lo == hi, decide exactly
                total += float(m[alive & (s + lo >= self.threshold)].sum())
                return total
            total += float(m[done].sum())
            keep = alive & ~done
            child, s, m = child[keep], s[keep], m[keep]
            key = np.round(s * 1e9).astype(np.int64)
            order = np.lexsort((key, child))
            child, s, m, key = child[order], s[order], m[order], key[order]
            first = np.ones(len(child), dtype=bool)
            first[1:] = (child[1:] != child[:-1]) | (key[1:] != key[:-1])
            at = np.flatnonzero(first)
            node_of, score, mass = child[at], s[at], np.add.reduceat(m, at) if len(at) else m[at]
            # renumber the surviving nodes
            used, node_of = np.unique(node_of, return_inverse=True)
            nodes = [child_nodes[i] for i in used]
            if not len(node_of):
                return total
        return total


def add_mass(child: tuple[int, ...], rest: tuple[int, ...], log_comp_parent: float, add: float) -> float:
    """Log of the factor turning a parent's completion mass into one child's (one column choice)."""
    return _log_completions(child, rest) - log_comp_parent - add


@lru_cache(maxsize=200_000)
def _log_completions(rows: tuple[int, ...], cols: tuple[int, ...]) -> float:
    """log of the sum over all tables with these margins of 1 / prod(x!): N! / (prod r! prod c!)."""
    n = sum(rows)
    return _log_fact(n) - sum(map(_log_fact, rows)) - sum(map(_log_fact, cols))


@lru_cache(maxsize=200_000)
def _transitions(rows: tuple[int, ...], col: int) -> tuple[tuple[tuple[int, ...], float, int], ...]:
    """Every way to fill a column of sum `col` under row caps `rows`, grouped by the child node.

    Returns (child node: sorted remaining row sums, sum of log x! of the column, number of
    columns giving that child and score).
    """
    out: dict[tuple[tuple[int, ...], float], list] = {}
    caps = rows
    suffix_caps = [sum(caps[i:]) for i in range(len(caps) + 1)]
    x = [0] * len(caps)

    def fill(i: int, left: int) -> None:
        if i == len(caps) - 1:
            if left > caps[i]:
                return
            x[i] = left
            child = tuple(sorted((c - v for c, v in zip(caps, x)), reverse=True))
            add = sum(_log_fact(v) for v in x)
            key = (child, round(add, 9))
            entry = out.get(key)
            if entry is None:
                out[key] = [child, add, 1]
            else:
                entry[2] += 1
            return
        low = max(0, left - suffix_caps[i + 1])
        for v in range(low, min(caps[i], left) + 1):
            x[i] = v
            fill(i + 1, left - v)

    fill(0, col)
    return tuple((child, add, count) for child, add, count in out.values())


@lru_cache(maxsize=200_000)
def _bounds(rows: tuple[int, ...], cols: tuple[int, ...]) -> tuple[float, float]:
    """Lower and upper bound on sum(log x!) over all tables with these margins.

    Each line is bounded on its own, ignoring the other margin except as caps: the most even
    split is the minimum and the most concentrated (greedy) split the maximum of a sum of a
    convex function (majorisation). The tighter of the row-wise and column-wise bounds is used.
    """
    if not cols:
        return 0.0, 0.0
    if len(cols) == 1:
        exact = sum(map(_log_fact, rows))
        return exact, exact
    lo_c = sum(_even(c, rows) for c in cols)
    hi_c = sum(_greedy(c, rows) for c in cols)
    lo_r = sum(_even(r, cols) for r in rows)
    hi_r = sum(_greedy(r, cols) for r in rows)
    return max(lo_c, lo_r, _dual_bound(rows, cols)), min(hi_c, hi_r)


def _dual_bound(rows: tuple[int, ...], cols: tuple[int, ...]) -> float:
    """Lagrangian lower bound on sum(log x!) with multipliers log(r_i c_j / N).

    For any a_i, b_j: sum log x_ij! >= sum_ij min_x [log x! - (a_i + b_j) x] + sum a_i r_i +
    sum b_j c_j; the inner minimum is at x = floor(exp(a_i + b_j)), clipped to the cell's cap.
    """
    r = np.asarray([v for v in rows if v > 0], dtype=float)
    c = np.asarray(cols, dtype=float)
    n = r.sum()
    if n == 0:
        return 0.0
    lam = np.log(r)[:, None] + np.log(c)[None, :] - math.log(n)
    cap = np.minimum(r[:, None], c[None, :])
    x = np.minimum(np.floor(np.exp(lam)), cap)
    inner = gammaln(x + 1) - lam * x
    return float(inner.sum() + (r * np.log(r)).sum() + (c * np.log(c)).sum() - n * math.log(n)) - 1e-9


def _even(total: int, caps: tuple[int, ...]) -> float:
    """Sum of log x! of the most even split of `total` under `caps` (its minimum)."""
    out = 0.0
    left = total
    ordered = sorted(caps)
    for i, cap in enumerate(ordered):
        k = len(ordered) - i
        if cap * k <= left or cap <= left // k:
            out += _log_fact(cap)
            left -= cap
            continue
        share, extra = divmod(left, k)
        return out + extra * _log_fact(share + 1) + (k - extra) * _log_fact(share)
    return out


def _greedy(total: int, caps: tuple[int, ...]) -> float:
    """Sum of log x! of the most concentrated split of `total` under `caps` (its maximum)."""
    out = 0.0
    left = total
    for cap in sorted(caps, reverse=True):
        if left <= 0:
            break
        v = min(cap, left)
        out += _log_fact(v)
        left -= v
    return out


def fisher_monte_carlo(table: np.ndarray, draws: int, seed: int) -> tuple[float, MonteCarloP]:
    """Monte Carlo Fisher p-value: share of random tables (margins fixed) no more probable than the observed.

    Args:
        table: 2-D array of non-negative integer counts.
        draws: number of random tables (> 0).
        seed: seed of numpy's default generator; the same seed gives the same p.

    Returns:
        (probability of the observed table, MonteCarloP with p = (k + 1) / (draws + 1) and
        standard error sqrt(p (1 - p) / draws)).
    """
    counts = np.asarray(table, dtype=np.int64)
    r, c = counts.shape
    rows = counts.sum(axis=1)
    cols = counts.sum(axis=0)
    n = int(counts.sum())
    log_const = gammaln(rows + 1).sum() + gammaln(cols + 1).sum() - gammaln(n + 1)
    observed = float(gammaln(counts + 1).sum())
    threshold = observed - math.log1p(RELATIVE_TIE_TOLERANCE)
    lf = gammaln(np.arange(n + 1) + 1.0)
    rng = np.random.default_rng(seed)
    k = 0
    done = 0
    while done < draws:
        size = min(_MC_CHUNK, draws - done)
        scores = np.zeros(size)
        left = np.broadcast_to(rows, (size, r)).copy()  # row sums still to fill, per draw
        for j in range(c):
            need = np.full(size, cols[j])
            for i in range(r):
                if j == c - 1:
                    x = left[:, i].copy()  # the last column is what the rows have left
                elif i == r - 1:
                    x = need
                else:
                    rest = left[:, i + 1:].sum(axis=1)
                    x = rng.hypergeometric(left[:, i], rest, need)
                scores += lf[x]
                left[:, i] -= x
                need = need - x
        k += int(np.count_nonzero(scores >= threshold))
        done += size
    p = (k + 1) / (draws + 1)
    se = math.sqrt(p * (1 - p) / draws)
    return math.exp(log_const - observed), MonteCarloP(p, se, k, draws, seed)
