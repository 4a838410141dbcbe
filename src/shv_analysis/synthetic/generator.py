"""The seeded generator of the embedded synthetic dataset (`data/synthetic/`).

The interview data behind the 2020 report are not public. This module builds a
record-level SYNTHETIC reconstruction that reproduces the figures the report publishes
(`data/published/published_figures.csv`; all exactly except the infeasible 53/29/19 %
split of pilots by respondent type, see `PILOTS_BY_RESPONDENTTYPE`) and is plausible
beyond them:

* the respondents are real municipalities of 1-1-2019 (codes, names, provinces and
  inhabitants from the CBS reference tables), but WHICH municipalities were interviewed,
  how they were grouped into cooperations and who runs which pilot is invented;
* every published marginal is met exactly by construction: for each option of each
  field the generator first fixes how many pilots carry it, then chooses those pilots by
  weighted sampling without replacement, with weights that encode the report's own
  statements (e.g. early-detection pilots carry the effect `eerder_zichtbaar`);
* everything else (titles, dates, sizes, every cross-tab) is invented and illustrative.

Only `numpy.random.default_rng(seed)` is used, every collection is sorted before it is
drawn from, and the files are written with the `csv` module, so the same seed gives the
same bytes. `shv synth --seed N --out DIR` writes a dataset; the committed one uses
`DEFAULT_SEED`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from shv_analysis.contract import codebook as cb
from shv_analysis.ingest.reference import Reference, load_reference
from shv_analysis.synthetic.geography import (
    cooperation_sizes,
    form_cooperations,
    municipality_facts,
)
from shv_analysis.synthetic.targets import (
    AANLEIDINGEN_COUNTS,
    DATE_RANGE,
    DEFAULT_SEED,
    DOELGROEPEN_COUNTS,
    EFFECTEN_COUNTS,
    EFFECTMETING_COUNTS,
    FASEN_COUNTS,
    MAX_PILOTS,
    N_COVERED,
    N_DOELEN,
    N_PARTICIPATING,
    N_RESPONDENTS,
    N_WITH_PARTNERS,
    OMVANG,
    OMVANG_MAX,
    OMVANG_MIN,
    OMVANG_SMALL_MIN,
    OVERDRAAGBAAR_COUNTS,
    PARTNERS_COUNTS,
    PILOTS_BY_RESPONDENTTYPE,
    RESPONDENTTYPES,
    STATUS_COUNTS,
    TYPE_COUNTS,
    check_targets,
)
from shv_analysis.synthetic.templates import (
    COOP_NAME_PATTERNS,
    PARTNER_PHRASES,
    TEMPLATES,
    Template,
)

RESPONDENT_COLUMNS = tuple(f.name for f in cb.fields(cb.RESPONDENTEN))
PILOT_COLUMNS = tuple(f.name for f in cb.fields(cb.EXPERIMENTEN))


# --- small helpers ------------------------------------------------------------------------


def _choose(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
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


def _by_type(types: np.ndarray, mapping: dict[str, float], default: float = 1.0) -> np.ndarray:
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


def _assign_multi(
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
            mat[_choose(rng, wmat[:, j], counts[code]), j] = True
    if at_least_one:
        _ensure_one(mat, wmat + 1e-9 * rows[:, None], rows)
    return mat


def _assign_single(
    rng: np.random.Generator, counts: dict[str, int], weights: dict[str, np.ndarray], n: int
) -> np.ndarray:
    """One code per record with exact counts; the last code takes the remainder."""
    out = np.full(n, "", dtype=object)
    free = np.ones(n, dtype=bool)
    codes = list(counts)
    for code in codes[:-1]:
        w = np.where(free, weights.get(code, np.ones(n)), 0.0)
        idx = _choose(rng, w, counts[code])
        out[idx] = code
        free[idx] = False
    out[free] = codes[-1]
    return out


def _join(mat_row: np.ndarray, codes: Sequence[str]) -> str:
    return ";".join(c for c, on in zip(codes, mat_row) if on)


# --- respondents --------------------------------------------------------------------------


def _weekdays() -> list[dt.date]:
    start, end = DATE_RANGE
    days = [start + dt.timedelta(d) for d in range((end - start).days + 1)]
    return [d for d in days if d.weekday() < 5]


def _respondents(rng: np.random.Generator, reference: Reference) -> pd.DataFrame:
    munis = municipality_facts(reference)
    codes = sorted(munis)
    large = [c for c in codes if munis[c]["g4"] or munis[c]["g40"]]
    small = [c for c in codes if c not in set(large)]

    # G4/G40: all four G4 cities and 28 of the 40 G40 cities.
    g4 = [c for c in large if munis[c]["g4"]]
    g40 = [c for c in large if not munis[c]["g4"]]
    w = np.array([munis[c]["inwoners"] ** 0.5 for c in g40])
    chosen_g40 = [g40[i] for i in _choose(rng, w, N_RESPONDENTS["g4_g40"] - len(g4))]
    g4_g40 = sorted(g4 + chosen_g40)

    # Cooperations of non-G4/G40 municipalities, then individual municipalities; the rest
    # (12 G4/G40 cities not interviewed and some small municipalities) is not covered.
    n_coop_members = N_COVERED - N_RESPONDENTS["g4_g40"] - N_RESPONDENTS["gemeente"]
    sizes = cooperation_sizes(rng, N_RESPONDENTS["samenwerkingsverband"], n_coop_members)
    groups = form_cooperations(rng, reference, small, sizes)
    in_coop = {c for g in groups for c in g}
    rest = [c for c in small if c not in in_coop]
    n_small_uncovered = len(rest) - N_RESPONDENTS["gemeente"]
    w = np.array([munis[c]["inwoners"] ** -0.5 for c in rest])
    uncovered = {rest[i] for i in _choose(rng, w, n_small_uncovered)}
    individual = [c for c in rest if c not in uncovered]

    rows = []
    for c in g4_g40:
        rows.append(("g4_g40", [c]))
    for c in individual:
        rows.append(("gemeente", [c]))
    for g in sorted(groups, key=lambda g: g[0]):
        rows.append(("samenwerkingsverband", g))

    days = _weekdays()
    dw = np.array([0.45 if d.month in (7, 8) else 1.0 for d in days])
    dates = [days[i] for i in rng.choice(len(days), size=len(rows), p=dw / dw.sum())]
    tiebreak = rng.random(len(rows))
    order = sorted(range(len(rows)), key=lambda i: (dates[i], tiebreak[i]))
    name_pick = rng.integers(len(COOP_NAME_PATTERNS), size=len(rows))

    records = []
    for rid, i in enumerate(order, start=1):
        rtype, members = rows[i]
        first = munis[members[0]]["gemeentenaam"]
        if rtype != "samenwerkingsverband":
            naam = f"Gemeente {first}"
        elif len(members) == 2 and " en " not in first + munis[members[1]]["gemeentenaam"]:
            naam = f"Samenwerkingsverband {first} en {munis[members[1]]['gemeentenaam']}"
        else:
            naam = COOP_NAME_PATTERNS[name_pick[i]].format(a=first)
        provs = sorted({munis[m]["provincie"] for m in members})
        records.append(
            {
                "respondent_id": f"R{rid:03d}",
                "naam": naam,
                "respondenttype": rtype,
                "gemeentecodes": ";".join(sorted(members)),
                "gespreksdatum": dates[i].isoformat(),
                "provincie": provs[0] if len(provs) == 1 else "meerdere",
                "inwoners": str(int(sum(int(munis[m]["inwoners"]) for m in members))),
            }
        )
    return pd.DataFrame.from_records(records, columns=list(RESPONDENT_COLUMNS))


def _pilot_slots(rng: np.random.Generator, resp: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Respondent id and respondent type of each of the 143 pilots, in id order."""
    counts: dict[str, int] = {}
    for rtype in RESPONDENTTYPES:
        sub = resp[resp["respondenttype"] == rtype]
        ids = sub["respondent_id"].tolist()
        size = sub["inwoners"].astype(int).to_numpy()
        w = size.astype(float) ** 0.35
        part = [ids[i] for i in _choose(rng, w, N_PARTICIPATING[rtype])]
        pw = {rid: float(wi) for rid, wi in zip(ids, w)}
        n = dict.fromkeys(part, 1)
        for _ in range(PILOTS_BY_RESPONDENTTYPE[rtype] - len(part)):
            open_ = [r for r in part if n[r] < MAX_PILOTS[rtype]]
            ow = np.array([pw[r] for r in open_])
            n[open_[rng.choice(len(open_), p=ow / ow.sum())]] += 1
        counts.update(n)
    rtype_of = dict(zip(resp["respondent_id"], resp["respondenttype"]))
    rids = [r for r in sorted(counts) for _ in range(counts[r])]
    return rids, [rtype_of[r] for r in rids]


# --- pilots -------------------------------------------------------------------------------


def _pilots(rng: np.random.Generator, resp: pd.DataFrame) -> pd.DataFrame:
    rids, rtypes_list = _pilot_slots(rng, resp)
    n = len(rids)
    rtypes = np.array(rtypes_list, dtype=object)
    is_g4 = rtypes == "g4_g40"
    is_coop = rtypes == "samenwerkingsverband"

    # type: mild structure by respondent type (invented).
    order = [
        "perspectieffonds",
        "digitaal_product",
        "educatietool",
        "overig",
        "nieuwe_benadering",
        "coaching_buddy",
        "vroegsignalering",
    ]
    tw = {
        "perspectieffonds": np.where(is_g4, 2.0, 1.0),
        "digitaal_product": np.where(is_g4, 2.0, 1.0),
        "educatietool": np.ones(n),
        "overig": np.ones(n),
        "nieuwe_benadering": np.where(is_g4, 1.4, 1.0),
        "coaching_buddy": np.ones(n),
    }
    types = _assign_single(rng, {t: TYPE_COUNTS[t] for t in order}, tw, n)
    by = lambda mapping, default=1.0: _by_type(types, mapping, default)  # noqa: E731

    # fasen: early detection pilots cover the early-detection phase, funds are curative,
    # education tools are preventive.
    fasen = _assign_multi(
        rng,
        FASEN_COUNTS,
        {
            "preventie": by(
                {
                    "educatietool": 100,
                    "digitaal_product": 4,
                    "overig": 2,
                    "coaching_buddy": 1.5,
                    "vroegsignalering": 0.5,
                    "perspectieffonds": 0.05,
                }
            ),
            "vroegsignalering": by(
                {
                    "vroegsignalering": 200,
                    "nieuwe_benadering": 3,
                    "coaching_buddy": 1.5,
                    "perspectieffonds": 0.05,
                    "educatietool": 0.5,
                },
                0.8,
            ),
            "curatie": by(
                {
                    "perspectieffonds": 200,
                    "coaching_buddy": 4,
                    "nieuwe_benadering": 3,
                    "overig": 1.5,
                    "vroegsignalering": 0.6,
                    "educatietool": 0.05,
                }
            ),
            "nazorg": by(
                {
                    "coaching_buddy": 4,
                    "digitaal_product": 4,
                    "nieuwe_benadering": 3,
                    "perspectieffonds": 1.5,
                    "vroegsignalering": 0.2,
                    "educatietool": 0.3,
                }
            ),
        },
        at_least_one=True,
    )
    fase = {c: fasen[:, j] for j, c in enumerate(FASEN_COUNTS)}

    # doelgroepen: funds mostly for young people; no pilot for older people or self-employed.
    doelgroepen = _assign_multi(
        rng,
        DOELGROEPEN_COUNTS,
        {
            "jongeren": by(
                {
                    "perspectieffonds": 40,
                    "educatietool": 6,
                    "digitaal_product": 2,
                    "nieuwe_benadering": 1.5,
                    "coaching_buddy": 1.2,
                },
                0.4,
            ),
            "ouderen": np.ones(n),
            "zelfstandig_ondernemers": np.ones(n),
            "overig": by({"coaching_buddy": 2, "nieuwe_benadering": 2, "perspectieffonds": 0.1}),
        },
    )
    jongeren = doelgroepen[:, 0]
    doelgroepen[jongeren, 3] &= False  # a youth pilot names no second group
    if doelgroepen[:, 3].sum() != DOELGROEPEN_COUNTS["overig"]:  # refill, same weights
        extra = DOELGROEPEN_COUNTS["overig"] - int(doelgroepen[:, 3].sum())
        w = np.where(
            ~jongeren & ~doelgroepen[:, 3], by({"coaching_buddy": 2, "nieuwe_benadering": 2}), 0.0
        )
        doelgroepen[_choose(rng, w, extra), 3] = True

    # partners: early detection works with signal partners; 36 pilots without partners.
    none_w = by(
        {
            "vroegsignalering": 0.03,
            "educatietool": 1.5,
            "digitaal_product": 3,
            "nieuwe_benadering": 2,
            "coaching_buddy": 0.8,
            "perspectieffonds": 1.2,
            "overig": 1.5,
        }
    )
    no_partner = np.zeros(n, dtype=bool)
    no_partner[_choose(rng, none_w, n - N_WITH_PARTNERS)] = True
    partners = _assign_multi(
        rng,
        PARTNERS_COUNTS,
        {
            "sociaal_werk": by(
                {
                    "coaching_buddy": 5,
                    "nieuwe_benadering": 2,
                    "educatietool": 1.5,
                    "perspectieffonds": 1.5,
                }
            ),
            "woningcorporatie": by({"vroegsignalering": 14, "nieuwe_benadering": 1}, 0.5),
            "zorgverzekeraar": by({"vroegsignalering": 9}, 0.4),
            "nutsbedrijf": by({"vroegsignalering": 8, "overig": 3}, 0.4),
            "bedrijfsleven": by({"perspectieffonds": 3, "educatietool": 2, "digitaal_product": 2}),
            "overig": by({"perspectieffonds": 2, "educatietool": 2}),
        },
        rows=~no_partner,
        at_least_one=True,
    )
    signal = partners[:, 1:4].any(axis=1)

    # aanleidingen (invented shares, structure by type and phase).
    aanleidingen = _assign_multi(
        rng,
        AANLEIDINGEN_COUNTS,
        {
            "eerder_in_beeld": by({"vroegsignalering": 8, "nieuwe_benadering": 1.5}, 0.6),
            "laagdrempelig_contact": by(
                {
                    "nieuwe_benadering": 4,
                    "coaching_buddy": 3,
                    "digitaal_product": 3,
                    "educatietool": 2,
                    "vroegsignalering": 0.8,
                }
            ),
            "effectiever_werken": by(
                {
                    "digitaal_product": 3,
                    "nieuwe_benadering": 2.5,
                    "perspectieffonds": 2,
                    "vroegsignalering": 1.2,
                }
            ),
            "preventie": by(
                {
                    "educatietool": 10,
                    "vroegsignalering": 1.5,
                    "digitaal_product": 2,
                    "perspectieffonds": 0.4,
                }
            )
            * np.where(fase["preventie"], 3.0, 1.0),
            "succesverhalen": by({"perspectieffonds": 2, "vroegsignalering": 1.5}),
        },
        at_least_one=True,
    )
    effectiever = aanleidingen[:, 2]

    # verwachte effecten: eerder_zichtbaar mainly for early detection (report, p. 7).
    effecten = _assign_multi(
        rng,
        EFFECTEN_COUNTS,
        {
            "reductie_schulden": by(
                {
                    "perspectieffonds": 5,
                    "coaching_buddy": 2,
                    "vroegsignalering": 1.5,
                    "educatietool": 0.5,
                }
            ),
            "eerder_zichtbaar": by({"vroegsignalering": 25, "nieuwe_benadering": 1.5}, 0.5)
            * np.where(fase["vroegsignalering"], 2.0, 1.0),
            "gedragsverandering": by(
                {
                    "coaching_buddy": 4,
                    "educatietool": 4,
                    "perspectieffonds": 3,
                    "digitaal_product": 3,
                    "nieuwe_benadering": 2,
                    "overig": 2,
                    "vroegsignalering": 0.5,
                }
            ),
            "efficienter": by(
                {"digitaal_product": 3, "nieuwe_benadering": 2, "vroegsignalering": 1.5}
            )
            * np.where(effectiever, 3.0, 1.0),
            "samenwerking": by({"vroegsignalering": 2}) * np.where(no_partner, 0.15, 4.0),
            "minder_recidive": by(
                {
                    "coaching_buddy": 2.5,
                    "perspectieffonds": 2.5,
                    "educatietool": 0.5,
                    "vroegsignalering": 0.6,
                }
            )
            * np.where(fase["nazorg"], 4.0, 1.0),
            "voorkomen_problemen": by(
                {"educatietool": 3, "vroegsignalering": 1.2, "perspectieffonds": 0.3}
            )
            * np.where(fase["preventie"], 4.0, 1.0),
            "vakmanschap": by({"nieuwe_benadering": 5, "coaching_buddy": 1.5}),
        },
        at_least_one=True,
    )

    # goals, measurement, transferability, status (structure invented, see README).
    doelen = np.zeros(n, dtype=bool)
    doelen[
        _choose(
            rng,
            np.where(is_g4, 1.6, np.where(is_coop, 1.2, 1.0)) * by({"perspectieffonds": 1.5}),
            N_DOELEN,
        )
    ] = True
    effectmeting = _assign_single(
        rng,
        EFFECTMETING_COUNTS,
        {
            "ja": np.where(doelen, 3.0, 1.0) * np.where(is_g4, 1.5, 1.0),
            "nee": np.where(doelen, 1.0, 1.6),
        },
        n,
    )
    overdraagbaar = _assign_single(
        rng,
        OVERDRAAGBAAR_COUNTS,
        {
            "ja": by({"digitaal_product": 3, "educatietool": 2, "vroegsignalering": 1.5}),
            "nee": by({"perspectieffonds": 2}),
        },
        n,
    )
    status = _assign_single(
        rng,
        STATUS_COUNTS,
        {
            "lopend": by({"digitaal_product": 0.7, "educatietool": 0.8}),
        },
        n,
    )

    # omvang: lognormal per type, larger in G4/G40; below 50 only for transferable pilots.
    med = np.array([OMVANG[t][0] for t in types], dtype=float) * np.where(is_g4, 2.0, 1.0)
    sig = np.array([OMVANG[t][1] for t in types], dtype=float)
    raw = med * np.exp(sig * rng.standard_normal(n))
    floor = np.where(overdraagbaar == "ja", OMVANG_SMALL_MIN, OMVANG_MIN)
    raw = np.where(raw < floor, 2 * floor - raw, raw)  # reflect: no pile-up at the floor
    raw = np.minimum(raw, OMVANG_MAX)
    omvang = [_round_size(x) for x in raw]

    # titles and descriptions fitting type, target group, phases and partners.
    fields = {"fasen": (fasen, list(FASEN_COUNTS)), "partners": (partners, list(PARTNERS_COUNTS))}
    used: dict[str, set[str]] = {}
    pick = rng.random(n)
    titels, omschrijvingen = [], []
    for i in range(n):
        tpl = _template(
            types[i],
            bool(jongeren[i]),
            bool(signal[i]),
            fields,
            i,
            used.setdefault(rids[i], set()),
            pick[i],
        )
        used[rids[i]].add(tpl.titel)
        titels.append(tpl.titel)
        who = "de deelnemende gemeenten" if is_coop[i] else "de gemeente"
        if no_partner[i]:
            extra = f" Uitgevoerd door {who} zelf."
        else:
            names = [PARTNER_PHRASES[c] for c, on in zip(PARTNERS_COUNTS, partners[i]) if on]
            lst = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]
            extra = f" Uitgevoerd door {who} samen met {lst}."
        omschrijvingen.append(tpl.omschrijving + extra)

    def codes_of(mat, counts):
        return [_join(row, list(counts)) for row in mat]

    frame = pd.DataFrame(
        {
            "pilot_id": [f"P{i:03d}" for i in range(1, n + 1)],
            "respondent_id": rids,
            "titel": titels,
            "omschrijving": omschrijvingen,
            "type": list(types),
            "fasen": codes_of(fasen, FASEN_COUNTS),
            "doelgroepen": codes_of(doelgroepen, DOELGROEPEN_COUNTS),
            "partners": codes_of(partners, PARTNERS_COUNTS),
            "aanleidingen": codes_of(aanleidingen, AANLEIDINGEN_COUNTS),
            "verwachte_effecten": codes_of(effecten, EFFECTEN_COUNTS),
            "effectmeting": list(effectmeting),
            "doelen_geformuleerd": ["ja" if d else "nee" for d in doelen],
            "overdraagbaar": list(overdraagbaar),
            "status": list(status),
            "omvang": [str(v) for v in omvang],
        },
        columns=list(PILOT_COLUMNS),
    )
    return frame


def _round_size(x: float) -> int:
    """Sizes as respondents tell them: exact below 100, then to 5, 10 or 50."""
    if x < 100:
        return int(round(x))
    step = 5 if x < 250 else 10 if x < 1000 else 50
    return int(round(x / step) * step)


def _template(
    ptype: str, jongeren: bool, signal: bool, fields: dict, i: int, used: set[str], u: float
) -> Template:
    def fits(t: Template) -> bool:
        if t.jongeren is True and not jongeren:
            return False
        if t.jongeren is False and jongeren:
            return False
        for fname, code in t.needs:
            if code == "signaal":
                if not signal:
                    return False
                continue
            mat, codes = fields[fname]
            if not mat[i, codes.index(code)]:
                return False
        return True

    options = [t for t in TEMPLATES[ptype] if t.titel not in used]
    fitting = [t for t in options if fits(t)]
    if jongeren:  # a youth pilot gets a youth title when its type has one left
        youth = [t for t in fitting if t.jongeren]
        fitting = youth or fitting
    pool = fitting or options or list(TEMPLATES[ptype])
    weights = np.array([3.0 if (t.needs or t.jongeren) else 1.0 for t in pool])
    cum = np.cumsum(weights / weights.sum())
    return pool[min(int(np.searchsorted(cum, u, side="right")), len(pool) - 1)]


# --- public API ---------------------------------------------------------------------------


def generate(
    seed: int = DEFAULT_SEED, reference: Reference | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(respondenten, experimenten) in the contract's textual form: every cell a string."""
    if reference is None:
        reference = load_reference(required=True)
    check_targets()
    rng = np.random.default_rng(seed)
    resp = _respondents(rng, reference)
    pilots = _pilots(rng, resp)
    return resp, pilots
