"""The synthetic respondents and how many pilots each of them runs.

`generate_respondents` chooses which real municipalities (CBS reference tables, 1-1-2019)
were interviewed: all G4 cities and a weighted sample of the G40, cooperations of small
neighbouring municipalities (`geography`), and individual municipalities; the rest is not
covered. It invents interview dates on weekdays of `DATE_RANGE` and names. `pilot_slots`
then decides which respondents participate and how many pilots each runs, meeting the
published counts per respondent type exactly. Both draw from the run's shared generator,
so calling them in the order `generate` does keeps the output byte-identical.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from shv_analysis.contract import codebook as cb
from shv_analysis.ingest.reference import Reference
from shv_analysis.synthetic.geography import (
    cooperation_sizes,
    form_cooperations,
    municipality_facts,
)
from shv_analysis.synthetic.sampling import choose
from shv_analysis.synthetic.targets import (
    DATE_RANGE,
    MAX_PILOTS,
    N_COVERED,
    N_PARTICIPATING,
    N_RESPONDENTS,
    PILOTS_BY_RESPONDENTTYPE,
    RESPONDENTTYPES,
)
from shv_analysis.synthetic.templates import COOP_NAME_PATTERNS

RESPONDENT_COLUMNS = tuple(f.name for f in cb.fields(cb.RESPONDENTEN))


def _weekdays() -> list[dt.date]:
    start, end = DATE_RANGE
    days = [start + dt.timedelta(d) for d in range((end - start).days + 1)]
    return [d for d in days if d.weekday() < 5]


def generate_respondents(rng: np.random.Generator, reference: Reference) -> pd.DataFrame:
    munis = municipality_facts(reference)
    codes = sorted(munis)
    large = [c for c in codes if munis[c]["g4"] or munis[c]["g40"]]
    small = [c for c in codes if c not in set(large)]

    # G4/G40: all four G4 cities and 28 of the 40 G40 cities.
    g4 = [c for c in large if munis[c]["g4"]]
    g40 = [c for c in large if not munis[c]["g4"]]
    w = np.array([munis[c]["inwoners"] ** 0.5 for c in g40])
    chosen_g40 = [g40[i] for i in choose(rng, w, N_RESPONDENTS["g4_g40"] - len(g4))]
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
    uncovered = {rest[i] for i in choose(rng, w, n_small_uncovered)}
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


def pilot_slots(rng: np.random.Generator, resp: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Respondent id and respondent type of each of the 143 pilots, in id order."""
    counts: dict[str, int] = {}
    for rtype in RESPONDENTTYPES:
        sub = resp[resp["respondenttype"] == rtype]
        ids = sub["respondent_id"].tolist()
        size = sub["inwoners"].astype(int).to_numpy()
        w = size.astype(float) ** 0.35
        part = [ids[i] for i in choose(rng, w, N_PARTICIPATING[rtype])]
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
