"""The synthetic pilots: type, coded fields, goals, status and size of each of them.

`generate_pilots` takes the respondents, lets `respondents.pilot_slots` decide who runs
how many pilots, and then fills every field of the pilots table. For each option of each
field the number of pilots carrying it is fixed by the published counts (`targets`); which
pilots carry it is drawn with weights that encode the report's statements (funds are
curative, early detection works with signal partners and makes debts visible earlier).
Sizes are lognormal per type; titles and descriptions come from `texts`. All draws come
from the run's shared generator in a fixed order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from shv_analysis.contract import codebook as cb
from shv_analysis.synthetic.respondents import pilot_slots
from shv_analysis.synthetic.sampling import (
    assign_multi,
    assign_single,
    by_type,
    choose,
    join_codes,
)
from shv_analysis.synthetic.targets import (
    AANLEIDINGEN_COUNTS,
    DOELGROEPEN_COUNTS,
    EFFECTEN_COUNTS,
    EFFECTMETING_COUNTS,
    FASEN_COUNTS,
    N_DOELEN,
    N_WITH_PARTNERS,
    OMVANG,
    OMVANG_MAX,
    OMVANG_MIN,
    OMVANG_SMALL_MIN,
    OVERDRAAGBAAR_COUNTS,
    PARTNERS_COUNTS,
    STATUS_COUNTS,
    TYPE_COUNTS,
)
from shv_analysis.synthetic.texts import pilot_texts

PILOT_COLUMNS = tuple(f.name for f in cb.fields(cb.EXPERIMENTEN))


def generate_pilots(rng: np.random.Generator, resp: pd.DataFrame) -> pd.DataFrame:
    rids, rtypes_list = pilot_slots(rng, resp)
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
    types = assign_single(rng, {t: TYPE_COUNTS[t] for t in order}, tw, n)
    by = lambda mapping, default=1.0: by_type(types, mapping, default)  # noqa: E731

    # fasen: early detection pilots cover the early-detection phase, funds are curative,
    # education tools are preventive.
    fasen = assign_multi(
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
    doelgroepen = assign_multi(
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
        doelgroepen[choose(rng, w, extra), 3] = True

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
    no_partner[choose(rng, none_w, n - N_WITH_PARTNERS)] = True
    partners = assign_multi(
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
    aanleidingen = assign_multi(
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
    effecten = assign_multi(
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
        choose(
            rng,
            np.where(is_g4, 1.6, np.where(is_coop, 1.2, 1.0)) * by({"perspectieffonds": 1.5}),
            N_DOELEN,
        )
    ] = True
    effectmeting = assign_single(
        rng,
        EFFECTMETING_COUNTS,
        {
            "ja": np.where(doelen, 3.0, 1.0) * np.where(is_g4, 1.5, 1.0),
            "nee": np.where(doelen, 1.0, 1.6),
        },
        n,
    )
    overdraagbaar = assign_single(
        rng,
        OVERDRAAGBAAR_COUNTS,
        {
            "ja": by({"digitaal_product": 3, "educatietool": 2, "vroegsignalering": 1.5}),
            "nee": by({"perspectieffonds": 2}),
        },
        n,
    )
    status = assign_single(
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
    titels, omschrijvingen = pilot_texts(
        rng, types, jongeren, signal, fasen, partners, rids, is_coop, no_partner
    )

    def codes_of(mat, counts):
        return [join_codes(row, list(counts)) for row in mat]

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
