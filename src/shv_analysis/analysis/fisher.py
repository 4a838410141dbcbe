"""Fisher's test for R x C tables: an exact network algorithm, and a seeded Monte Carlo fallback.

The exact p-value is the total probability (hypergeometric, given both margins) of every table
no more probable than the observed one, with R's relative tolerance of 1e-7 for ties; this is
what R's ``fisher.test`` computes. The score of a table is sum(log x!) over its cells; the
"extreme" tables are those scoring at least the observed score less log(1 + 1e-7).

The network algorithm follows Mehta & Patel (1983, 1986) and Clarkson, Fan & Joe (1993), the
method of R's FEXACT. The table is turned so that it has fewer rows than columns; columns
are filled one at a time, smallest first (the largest, last column is what the rows have
left). A node of stage k is the sorted multiset of the row sums still to fill before column k
(rows with equal remaining sums are interchangeable, so permuted partial tables merge). For
every node the exact smallest and largest score of its completions (shortest and longest
path) are computed once, backwards over all nodes. A path (partial table) carries its past
score and its probability mass, normalised so that the masses of all completions sum to one
and the closed form N! / (prod r! prod c!) gives each node's total. Paths with the same node
and score merge. For each edge (column choice) the paths of a node, sorted by score, are cut
in three by binary search: those whose shortest completion is already extreme (their whole
mass is added at once), those whose longest completion is not (dropped), and the few in
between, which are followed. From the other end, each node's completions of the last columns
are tabulated as a sorted score distribution; whichever side is cheaper to extend is extended
next, and where they meet each path's extreme mass is one binary search away.

The work is counted in fixed units (column choices tried, edges, path steps, tail entries,
merges); past `WORK_LIMIT` units the algorithm gives up (returns None) and the caller uses
Monte Carlo. The count, not a clock, decides, so a report computes the same p-value on a
loaded machine as on an idle one.

The Monte Carlo estimate draws `draws` random tables with the observed margins (cell by cell from
the conditional hypergeometric distributions, vectorised over the draws), counts the tables whose
probability is at most the observed one (same tolerance), and reports p = (k + 1) / (draws + 1) with
its binomial standard error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from scipy.special import gammaln

RELATIVE_TIE_TOLERANCE = 1e-7  # tables this close in probability count as "as extreme" (as in R)
WORK_LIMIT = (
    10_000_000  # elementary steps (column choices, path steps, tail entries) before giving up
)
_EPS = 1e-9  # slack on bound checks: a path this close to the threshold is followed, not decided
_CHUNK_CELLS = 2_000_000  # cells of candidate columns built at once
# work units per item, roughly in proportion to its cost in time (one unit is some 30-50 ns)
_CHOICE_COST = 2  # a column choice tried against a node's remaining row sums
_EDGE_COST = 6  # a choice that fits: sorted, looked up and stored as an edge
_STEP_COST = 2  # a path followed along an edge, or a tail entry shifted along one
_MERGE_COST = 4  # a path or tail entry merged with its equals by sorting
_DENSE_KEYS = 4_000_000  # node keys looked up in a table rather than sorted
_MC_CHUNK = 100_000  # random tables drawn at once


@dataclass(frozen=True)
class MonteCarloP:
    """A Monte Carlo p-value: p = (k + 1) / (draws + 1), with its standard error and seed."""

    p: float
    se: float
    k: int
    draws: int
    seed: int


class _TooCostly(Exception):
    """The exact computation would pass its work limit."""


def fisher_exact_rxc(table: np.ndarray, work_limit: int = WORK_LIMIT) -> tuple[float, float] | None:
    """Exact two-sided Fisher p-value of an R x C table (as R's ``fisher.test``), or None if too
    costly.

    Args:
        table: 2-D array of non-negative integer counts without all-zero rows or columns.
        work_limit: elementary steps allowed (column choices tried, path expansions, tail
            entries); past it the computation stops and None is returned.

    Returns:
        (probability of the observed table, p-value in [0, 1]); None past `work_limit`.
    """
    counts = np.asarray(table, dtype=np.int64)
    if counts.shape[0] > counts.shape[1]:
        counts = counts.T  # fewer rows: fewer nodes
    rows = sorted((int(r) for r in counts.sum(axis=1)), reverse=True)
    cols = sorted(int(c) for c in counts.sum(axis=0))  # the largest column last: it is determined
    n = sum(rows)
    lf = gammaln(np.arange(n + 1) + 1.0)
    log_const = float(lf[rows].sum() + lf[cols].sum() - lf[n])
    observed = float(lf[counts].sum())
    p_observed = math.exp(log_const - observed)
    if len(rows) < 2 or len(cols) < 2:
        return p_observed, 1.0  # only one table has these margins
    threshold = observed - math.log1p(RELATIVE_TIE_TOLERANCE)  # extreme: score >= threshold
    try:
        p = _Network(rows, cols, lf, work_limit).p_value(threshold)
    except _TooCostly:
        return None
    return p_observed, min(max(p, 0.0), 1.0)


class _Network:
    """The network of one table's margins: nodes per stage, their edges, bounds and tail
    distributions.

    Stage k holds the nodes before column k is filled: sorted remaining row sums (array
    nodes[k], one node a row). The edges of stage k, one per column choice (CSR by parent:
    start[k], child[k], add[k] = sum of log x! of the column, factor[k] = share of the
    parent's completion mass that goes through the edge). lo[k] and hi[k] are the exact
    smallest and largest score of a node's completions (shortest and longest path). The tail
    (tail_offsets, tail_scores, tail_raw) holds, for every node of one stage, the sorted
    scores of its completions and their masses; `p_value` moves it back while that is
    cheaper than moving the paths forward.
    """

    def __init__(self, rows: list[int], cols: list[int], lf: np.ndarray, work_limit: int) -> None:
        self.cols, self.lf, self.limit, self.work = cols, lf, work_limit, 0
        self.nodes = [np.asarray([rows], dtype=np.int64)]
        self.start, self.child, self.add, self.factor = [], [], [], []
        last = len(cols) - 1
        for k in range(last):
            self._edges(k)
        final = self.nodes[last]
        exact = lf[final].sum(axis=1)  # the last column is what the rows have left
        self.lo, self.hi = [None] * (last + 1), [None] * (last + 1)
        self.lo[last], self.hi[last] = exact, exact
        for k in range(last - 1, -1, -1):
            self.lo[k] = np.minimum.reduceat(
                self.add[k] + self.lo[k + 1][self.child[k]], self.start[k][:-1]
            )
            self.hi[k] = np.maximum.reduceat(
                self.add[k] + self.hi[k + 1][self.child[k]], self.start[k][:-1]
            )

    def _spend(self, steps: int) -> None:
        self.work += int(steps)
        if self.work > self.limit:
            raise _TooCostly

    def _log_completions(self, k: int) -> np.ndarray:
        """Log of sum over completions of prod 1 / x! for each node of stage k: N! / (prod r! prod
        c!).
        """
        nodes, lf = self.nodes[k], self.lf
        return lf[nodes.sum(axis=1)] - lf[nodes].sum(axis=1) - lf[self.cols[k:]].sum()

    def _edges(self, k: int) -> None:
        """Every column choice of every node of stage k as an edge (CSR by parent); the nodes of
        stage k + 1.
        """
        parents, lf = self.nodes[k], self.lf
        self._spend(
            _CHOICE_COST
            * len(parents)
            * math.comb(self.cols[k] + parents.shape[1] - 1, parents.shape[1] - 1)
        )
        choices = compositions(self.cols[k], parents.shape[1])
        choice_score = lf[choices].sum(axis=1)
        small = np.int16 if len(lf) < 2**15 else np.int64  # narrow integers: less memory traffic
        narrow_parents, narrow_choices = parents.astype(small), choices.astype(small)
        chunk = max(1, _CHUNK_CELLS // (len(choices) * parents.shape[1]))
        par, kids, picks = [], [], []
        for a in range(0, len(parents), chunk):
            left = narrow_parents[a : a + chunk, None, :] - narrow_choices[None, :, :]
            i, j = np.nonzero((left >= 0).all(axis=2))
            par.append(a + i)
            kids.append(np.sort(left[i, j], axis=1))  # canonical node: ascending remaining row sums
            picks.append(j)
        par, kids, pick = (
            np.concatenate(par),
            np.concatenate(kids).astype(np.int64),
            np.concatenate(picks),
        )
        self._spend(_EDGE_COST * len(par))
        nodes, child = _node_ids(kids, int(parents[0].sum()) - self.cols[k])
        self.nodes.append(nodes)
        # one edge per column choice: choices sharing a child and a score are rare (1-4 %) and
        # merging them would cost a sort; the paths they lead to are merged at the child anyway
        adds = choice_score[pick]
        self.start.append(np.searchsorted(par, np.arange(len(parents) + 1)))
        self.child.append(child)
        self.add.append(adds)
        log_parent = self._log_completions(k)
        log_child = self._log_completions(k + 1)
        self.factor.append(np.exp(log_child[child] - log_parent[par] - adds))

    def _tail_cost(self, j: int) -> int:
        """Entries to build the completion distributions of stage j - 1 from those of stage j."""
        return int(np.diff(self.tail_offsets)[self.child[j - 1]].sum())

    def _extend_tail(self, j: int) -> None:
        """Completion distributions of stage j - 1 from those of stage j (each shifted by its
        edge).
        """
        offsets, scores, mass = self.tail_offsets, self.tail_scores, self.tail_raw
        sizes = np.diff(offsets)[self.child[j - 1]]
        total = int(sizes.sum())
        self._spend((_STEP_COST + _MERGE_COST) * total)
        edge = np.repeat(np.arange(len(sizes)), sizes)
        src = (
            offsets[self.child[j - 1]][edge]
            + np.arange(total)
            - np.repeat(np.cumsum(sizes) - sizes, sizes)
        )
        start = self.start[j - 1]
        parent = np.repeat(np.arange(len(start) - 1), np.diff(start))[edge]
        s = self.add[j - 1][edge] + scores[src]
        w = self.factor[j - 1][edge] * mass[src]
        parent, s, w = _merge(parent, s, w, len(start) - 1)
        self.tail_scores, self.tail_raw = s, w
        self.tail_offsets = np.searchsorted(parent, np.arange(len(start)))

    def _resolve(
        self, node: np.ndarray, score: np.ndarray, mass: np.ndarray, threshold: float
    ) -> float:
        """Mass of the completions of paths (node, past score, mass) at the tail's stage that reach
        `threshold`.
        """
        self._spend(len(node))
        total = 0.0
        order = np.argsort(node, kind="stable")
        node, score, mass = node[order], score[order], mass[order]
        cut = np.flatnonzero(np.diff(node)) + 1
        offsets, scores, raw = self.tail_offsets, self.tail_scores, self.tail_raw
        for seg_node, seg_score, seg_mass in zip(
            np.split(node, cut), np.split(score, cut), np.split(mass, cut)
        ):
            a, b = offsets[seg_node[0]], offsets[seg_node[0] + 1]
            # mass at or above each score of this node, summed from the top within the node only
            # (a running sum over all nodes would lose tiny p-values to cancellation)
            above = np.append(np.cumsum(raw[a:b][::-1])[::-1], 0.0)
            at = np.searchsorted(scores[a:b], threshold - seg_score, side="left")
            total += float((seg_mass * above[at]).sum())
        return total

    def _plan(
        self, k: int, node: np.ndarray, score: np.ndarray, mass: np.ndarray, threshold: float
    ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        """Decide the paths of stage k (sorted by node, then score) edge by edge with the child's
        bounds.

        For each edge, the paths whose score plus the edge's and the child's shortest completion
        reach the threshold are all done (their mass is added at once), those whose longest
        completion stays below are dropped; only the paths in between are to be followed.

        Returns:
            (mass decided as extreme, and per undecided run: first path, number of paths, edge).
        """
        start, lo, hi = self.start[k], self.lo[k + 1], self.hi[k + 1]
        child, add, factor = self.child[k], self.add[k], self.factor[k]
        cut = np.flatnonzero(np.diff(node)) + 1
        bounds = np.concatenate([[0], cut, [len(node)]])
        done, firsts, lengths, edges = 0.0, [], [], []
        self._spend(len(node) + int(np.diff(start)[node[bounds[:-1]]].sum()))
        for a, b in zip(bounds[:-1], bounds[1:]):
            p = node[a]
            e = np.arange(start[p], start[p + 1])
            seg = score[a:b]
            c = child[e]
            i_done = np.searchsorted(seg, threshold + _EPS - add[e] - lo[c], side="left")
            i_alive = np.searchsorted(seg, threshold - _EPS - add[e] - hi[c], side="left")
            above = np.append(
                np.cumsum(mass[a:b][::-1])[::-1], 0.0
            )  # summed from the top: no cancellation
            done += float((factor[e] * above[i_done]).sum())
            open_ = i_done > i_alive
            firsts.append(a + i_alive[open_])
            lengths.append((i_done - i_alive)[open_])
            edges.append(e[open_])
        return done, np.concatenate(firsts), np.concatenate(lengths), np.concatenate(edges)

    def p_value(self, threshold: float) -> float:
        """Probability of all tables with score >= threshold.

        Paths go forward from the first column and completion distributions back from the last,
        whichever step is cheaper next, until they meet; there each path's completions are
        looked up in its node's distribution.
        """
        last = len(self.cols) - 1
        self.tail_offsets = np.arange(len(self.nodes[last]) + 1)
        self.tail_scores, self.tail_raw = self.lo[last], np.ones(len(self.nodes[last]))
        tail_stage = last
        total = 0.0
        node, score, mass = np.zeros(1, dtype=np.int64), np.zeros(1), np.ones(1)
        k = 0
        plan = None
        while k < tail_stage and len(node):
            if plan is None:
                plan = self._plan(k, node, score, mass, threshold)
            done, first, length, edge = plan
            forward = int(length.sum())
            if self._tail_cost(tail_stage) < forward:
                self._extend_tail(tail_stage)
                tail_stage -= 1
                continue
            self._spend(_STEP_COST * forward)
            total += done
            path = np.repeat(first - np.cumsum(length) + length, length) + np.arange(forward)
            edge = np.repeat(edge, length)
            child = self.child[k][edge]
            s = score[path] + self.add[k][edge]
            m = mass[path] * self.factor[k][edge]
            k += 1
            plan = None
            lo, hi = self.lo[k][child], self.hi[k][child]
            alive = s + hi >= threshold - _EPS
            done_now = alive & (s + lo >= threshold + _EPS)
            total += float(m[done_now].sum())
            keep = alive & ~done_now
            node, score, mass = child[keep], s[keep], m[keep]
            if k < tail_stage:
                self._spend(_MERGE_COST * len(node))
                node, score, mass = _merge(node, score, mass, len(self.nodes[k]))
        if not len(node):
            return total
        return total + self._resolve(node, score, mass, threshold)


def _node_ids(kids: np.ndarray, total: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct nodes among `kids` (sorted rows summing to `total`) and each row's node index.

    A node is keyed by its first m - 1 entries (the last is `total` minus their sum); with few
    possible keys they are looked up in a dense table, which is faster than sorting.
    """
    base = int(kids.max()) + 1
    m = kids.shape[1]
    if base ** (m - 1) <= _DENSE_KEYS:
        radix = base ** np.arange(m - 1, dtype=np.int64)
        key = kids[:, :-1] @ radix
        seen = np.zeros(base ** (m - 1), dtype=bool)
        seen[key] = True
        ids = np.flatnonzero(seen)
        head = (ids[:, None] // radix[None, :]) % base
        nodes = np.hstack([head, total - head.sum(axis=1, keepdims=True)])
        return nodes, np.searchsorted(ids, key)
    nodes, child = np.unique(kids, axis=0, return_inverse=True)
    return nodes, child.ravel()


def _merge(group: np.ndarray, score: np.ndarray, mass: np.ndarray, groups: int) -> tuple:
    """Merge entries of equal group and score (to 1e-9), sorted by group then score; masses add
    up.
    """
    if not len(group):
        return group, score, mass
    key = np.round(score * 1e9).astype(np.int64)
    low = int(key.min())
    span = int(key.max()) - low + 1
    if span * groups < 2**62:
        order = np.argsort(group * span + (key - low))
    else:
        order = np.lexsort((key, group))
    group, score, mass, key = group[order], score[order], mass[order], key[order]
    new = np.ones(len(group), dtype=bool)
    new[1:] = (group[1:] != group[:-1]) | (key[1:] != key[:-1])
    at = np.flatnonzero(new)
    return group[at], score[at], np.add.reduceat(mass, at)


def compositions(total: int, parts: int) -> np.ndarray:
    """All ways to write `total` as an ordered sum of `parts` non-negative integers (stars and
    bars).
    """
    bars = np.array(
        list(combinations(range(total + parts - 1), parts - 1)), dtype=np.int64
    ).reshape(-1, parts - 1)
    padded = np.hstack(
        [np.full((len(bars), 1), -1), bars, np.full((len(bars), 1), total + parts - 1)]
    )
    return np.diff(padded, axis=1) - 1


def fisher_monte_carlo(table: np.ndarray, draws: int, seed: int) -> tuple[float, MonteCarloP]:
    """Monte Carlo Fisher p-value: share of random tables (margins fixed) no more probable than the
    observed.

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
                    rest = left[:, i + 1 :].sum(axis=1)
                    x = rng.hypergeometric(left[:, i], rest, need)
                scores += lf[x]
                left[:, i] -= x
                need = need - x
        k += int(np.count_nonzero(scores >= threshold))
        done += size
    p = (k + 1) / (draws + 1)
    se = math.sqrt(p * (1 - p) / draws)
    return math.exp(log_const - observed), MonteCarloP(p, se, k, draws, seed)
