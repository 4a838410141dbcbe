"""Where the synthetic cooperations lie: municipal facts, centroids, neighbours, grouping.

Cooperations are connected groups of neighbouring municipalities of one province, grown
from a seed municipality; neighbours are read from the reference boundaries.
"""

from __future__ import annotations

import json

import numpy as np

from shv_analysis.ingest.reference import BOUNDARIES_FILE, Reference
from shv_analysis.synthetic.targets import COOP_SIZE

__all__ = [
    "centroids_and_neighbours",
    "municipality_facts",
    "cooperation_sizes",
    "form_cooperations",
]


def centroids_and_neighbours(
    reference: Reference,
) -> tuple[dict[str, tuple[float, float]], dict[str, list[str]]]:
    """Centroids (km, local projection) and neighbours (boundaries within 0.5 km) per code."""
    with open(reference.folder / BOUNDARIES_FILE, encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    lat0, lon0 = 52.1, 5.3
    kx, ky = 111.32 * np.cos(np.radians(lat0)), 110.57
    codes: list[str] = []
    vertices: list[np.ndarray] = []
    centroids: dict[str, tuple[float, float]] = {}
    for feat in features:
        code = feat["properties"]["gemeentecode"]
        codes.append(code)
        geom = feat["geometry"]
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        area_sum, cx_sum, cy_sum = 0.0, 0.0, 0.0
        rings = []
        for poly in polys:
            for r, ring in enumerate(poly):
                xy = np.asarray(ring, dtype=float)
                x, y = (xy[:, 0] - lon0) * kx, (xy[:, 1] - lat0) * ky
                rings.append(np.column_stack([x, y]))
                if r == 0:  # exterior ring: area-weighted centroid (shoelace)
                    cross = x[:-1] * y[1:] - x[1:] * y[:-1]
                    a = cross.sum() / 2
                    if a != 0:
                        area_sum += a
                        cx_sum += ((x[:-1] + x[1:]) * cross).sum() / 6
                        cy_sum += ((y[:-1] + y[1:]) * cross).sum() / 6
        vertices.append(np.vstack(rings))
        centroids[code] = (cx_sum / area_sum, cy_sum / area_sum)
    gap = 0.5  # km; the boundaries are simplified per feature, so neighbours need not touch
    lo = np.array([v.min(axis=0) for v in vertices]) - gap
    hi = np.array([v.max(axis=0) for v in vertices]) + gap
    neighbours: dict[str, list[str]] = {c: [] for c in codes}
    for i in range(len(codes)):
        overlap = (
            np.flatnonzero((lo[i + 1 :] <= hi[i]).all(axis=1) & (hi[i + 1 :] >= lo[i]).all(axis=1))
            + i
            + 1
        )
        vi = vertices[i]
        for j in overlap:
            vj = vertices[j]
            vj = vj[((vj >= lo[i]) & (vj <= hi[i])).all(axis=1)]
            if vj.size == 0:
                continue
            near = vi[((vi >= vj.min(axis=0) - gap) & (vi <= vj.max(axis=0) + gap)).all(axis=1)]
            if near.size == 0:
                continue
            d2 = ((near[:, None, :] - vj[None, :, :]) ** 2).sum(axis=2)
            if d2.min() <= gap * gap:
                neighbours[codes[i]].append(codes[j])
                neighbours[codes[j]].append(codes[i])
    return centroids, {c: sorted(v) for c, v in neighbours.items()}


def municipality_facts(reference: Reference) -> dict[str, dict]:
    """Plain lookup code -> {gemeentenaam, provincie, inwoners, g4, g40} (fast, ordered)."""
    m = reference.municipalities
    return {
        code: {
            "gemeentenaam": str(row.gemeentenaam),
            "provincie": str(row.provincie),
            "inwoners": int(row.inwoners),
            "g4": bool(row.g4),
            "g40": bool(row.g40),
        }
        for code, row in zip(m.index, m.itertuples(index=False))
    }


def cooperation_sizes(rng: np.random.Generator, n_groups: int, total: int) -> list[int]:
    """`n_groups` sizes within `COOP_SIZE` summing to `total`, largest first."""
    lo, hi = COOP_SIZE
    sizes = np.full(n_groups, lo)
    for _ in range(total - lo * n_groups):
        open_ = np.flatnonzero(sizes < hi)
        sizes[open_[rng.integers(open_.size)]] += 1
    return sorted(sizes.tolist(), reverse=True)


def form_cooperations(
    rng: np.random.Generator, reference: Reference, pool: list[str], sizes: list[int]
) -> list[list[str]]:
    """Disjoint groups of neighbouring municipalities of one province, grown greedily."""
    munis = municipality_facts(reference)
    centroids, neighbours = centroids_and_neighbours(reference)
    available = set(pool)
    groups: list[list[str]] = []
    for size in sizes:
        for _attempt in range(500):
            cands = sorted(available)
            w = np.array([munis[c]["inwoners"] ** -0.3 for c in cands])
            seed = cands[rng.choice(len(cands), p=w / w.sum())]
            prov = munis[seed]["provincie"]
            members = [seed]
            while len(members) < size:
                frontier = sorted(
                    {
                        n
                        for m in members
                        for n in neighbours[m]
                        if n in available and n not in members and munis[n]["provincie"] == prov
                    }
                )
                if not frontier:
                    break
                gx = np.mean([centroids[m][0] for m in members])
                gy = np.mean([centroids[m][1] for m in members])
                dist = [np.hypot(centroids[n][0] - gx, centroids[n][1] - gy) for n in frontier]
                members.append(frontier[int(np.argmin(dist))])
            if len(members) == size:
                break
        else:  # pragma: no cover
            raise RuntimeError(f"could not form a cooperation of {size}")
        available -= set(members)
        groups.append(sorted(members, key=lambda c: (-munis[c]["inwoners"], c)))
    return groups
