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

import argparse
import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from shv_analysis.contract import codebook as cb
from shv_analysis.config import DEFAULT_DATA, PUBLISHED_FIGURES
from shv_analysis.ingest.reference import BOUNDARIES_FILE, Reference, ReferenceMissing, load_reference

DEFAULT_SEED = 2019
DEFAULT_OUT = DEFAULT_DATA
DATASET_NAME = "Synthetische reconstructie inventarisatie 2019"
GENERATOR = "shv_analysis.synthetic"
NOTICE_NL = (
    "Synthetische gegevens. De echte interviewgegevens zijn niet openbaar. Deze dataset "
    "reproduceert de gepubliceerde cijfers uit het rapport van 2020, maar welke gemeenten "
    "meededen, alle combinaties op recordniveau, titels, data en omvang zijn verzonnen. "
    "Kruistabellen uit deze dataset zijn illustratief en geen onderzoeksbevinding."
)
NOTICE_EN = (
    "Synthetic data. The real interview data are not public. This dataset reproduces the "
    "figures published in the 2020 report, but which municipalities took part, every "
    "record-level combination, titles, dates and sizes are invented. Cross-tabs from this "
    "dataset are illustrative, not findings."
)

RESPONDENTTYPES = ("g4_g40", "gemeente", "samenwerkingsverband")

# --- published totals -------------------------------------------------------------------
N_RESPONDENTS = {"g4_g40": 32, "gemeente": 174, "samenwerkingsverband": 39}
N_COVERED = 315  # distinct municipalities over all respondents; 355 - 315 = 40 uncovered
N_PARTICIPATING = {"g4_g40": 26, "gemeente": 48, "samenwerkingsverband": 17}  # 91
N_PILOTS = 143
# Published 53 % / 29 % / 19 % sum to 101 %: no split of 143 rounds to all three.
# 75/41/27 is the split closest to the published shares (52.45/28.67/18.88 %, summed
# absolute deviation 1.0 point, largest 0.55 point); only `gemeente` rounds off (52 vs 53).
PILOTS_BY_RESPONDENTTYPE = {"gemeente": 75, "g4_g40": 41, "samenwerkingsverband": 27}
MAX_PILOTS = {"g4_g40": 5, "gemeente": 4, "samenwerkingsverband": 4}
COOP_SIZE = (2, 6)
DATE_RANGE = (dt.date(2019, 3, 1), dt.date(2019, 9, 30))

# --- exact pilot counts per option (base 143) --------------------------------------------
# Published percentages (rounded half-up) -> the count chosen. Where two counts round to
# the published integer, the one farther from an .5 boundary is taken. type and
# effectmeting must also sum to 143, which forces 65 (45.45 %) and 35 (24.48 %).
TYPE_COUNTS = {"vroegsignalering": 65, "coaching_buddy": 24, "nieuwe_benadering": 22,
               "perspectieffonds": 12, "educatietool": 9, "digitaal_product": 4, "overig": 7}
FASEN_COUNTS = {"preventie": 37, "vroegsignalering": 92, "curatie": 54, "nazorg": 29}
DOELGROEPEN_COUNTS = {"jongeren": 17, "ouderen": 0, "zelfstandig_ondernemers": 0,
                      "overig": 5}  # overig: not published, kept small (invented)
N_WITH_PARTNERS = 107  # 74.83 % -> 75
PARTNERS_COUNTS = {"sociaal_werk": 64, "woningcorporatie": 58, "zorgverzekeraar": 41,
                   "nutsbedrijf": 37, "bedrijfsleven": 15, "overig": 19}  # invented
AANLEIDINGEN_COUNTS = {"eerder_in_beeld": 72, "laagdrempelig_contact": 51,
                       "effectiever_werken": 58, "preventie": 63,
                       "succesverhalen": 27}  # invented (the report names them, no shares)
EFFECTEN_COUNTS = {"reductie_schulden": 116, "eerder_zichtbaar": 90,
                   "gedragsverandering": 64, "efficienter": 62, "samenwerking": 56,
                   "minder_recidive": 52, "voorkomen_problemen": 44, "vakmanschap": 31}
EFFECTMETING_COUNTS = {"ja": 49, "nee": 59, "onbekend": 35}
N_DOELEN = 64
OVERDRAAGBAAR_COUNTS = {"ja": 104, "nee": 13, "onbekend": 26}  # nee/onbekend invented
STATUS_COUNTS = {"lopend": 99, "afgerond": 44}  # invented

# Typical size (people of the target group) per type: median and log-spread (invented).
OMVANG = {"vroegsignalering": (350, 0.75), "coaching_buddy": (80, 0.5),
          "nieuwe_benadering": (150, 0.7), "perspectieffonds": (60, 0.4),
          "educatietool": (300, 0.6), "digitaal_product": (400, 0.7), "overig": (100, 0.6)}
OMVANG_MIN, OMVANG_SMALL_MIN, OMVANG_MAX = 50, 15, 5000

RESPONDENT_COLUMNS = tuple(f.name for f in cb.fields(cb.RESPONDENTEN))
PILOT_COLUMNS = tuple(f.name for f in cb.fields(cb.EXPERIMENTEN))


@dataclass(frozen=True)
class Template:
    """A title and description for one type; `needs` are (field, code) the pilot must have."""

    titel: str
    omschrijving: str
    jongeren: bool | None = None  # True: only for youth pilots; False: never; None: any
    needs: tuple[tuple[str, str], ...] = ()


TEMPLATES: dict[str, tuple[Template, ...]] = {
    "vroegsignalering": (
        Template("Vroeg Eropaf", "Huisbezoeken bij inwoners met een betalingsachterstand op "
                 "huur, energie of zorgpremie, op basis van signalen van signaalpartners.",
                 needs=(("partners", "signaal"),)),
        Template("Vindplaats Schulden", "Signalen over betalingsachterstanden worden met "
                 "data-analyse gecombineerd om huishoudens met een risico op schulden eerder "
                 "in beeld te krijgen."),
        Template("Vroegsignalering huurachterstanden", "Woningcorporaties melden "
                 "huurachterstanden vroeg; een schuldhulpverlener neemt binnen enkele dagen "
                 "contact op met de huurder.", needs=(("partners", "woningcorporatie"),)),
        Template("Eropaf bij achterstand zorgpremie", "Inwoners met een achterstand op de "
                 "zorgpremie krijgen een brief en een huisbezoek met een aanbod voor hulp bij "
                 "geldzaken.", needs=(("partners", "zorgverzekeraar"),)),
        Template("Vroegsignalering energieachterstanden", "Het energiebedrijf meldt "
                 "achterstanden op de energierekening, waarna een medewerker schuldhulp "
                 "contact zoekt.", needs=(("partners", "nutsbedrijf"),)),
        Template("Convenant vroegsignalering vaste lasten", "Afspraken met signaalpartners "
                 "over het doorgeven van betalingsachterstanden op vaste lasten, gevolgd door "
                 "een outreachend hulpaanbod.", needs=(("partners", "signaal"),)),
        Template("Signaalteam schulden in de wijk", "Een wijkteam bundelt signalen over "
                 "geldzorgen en benadert huishoudens met beginnende betalingsproblemen."),
        Template("Vroegsignalering jongeren", "Signalen over betalingsachterstanden van "
                 "jongeren tot 27 jaar worden opgevolgd door een jongerencoach.", jongeren=True),
    ),
    "coaching_buddy": (
        Template("Schuldenbuddy's", "Getrainde vrijwilligers helpen inwoners met schulden hun "
                 "administratie op orde te brengen en te houden."),
        Template("Ervaringsdeskundigen als maatje", "Ervaringsdeskundigen begeleiden inwoners "
                 "tijdens hun schuldentraject en vergroten zo de zelfredzaamheid."),
        Template("Thuisadministratie met vrijwilligers", "Vrijwilligers komen thuis om samen "
                 "met de inwoner de post te ordenen en rekeningen op tijd te betalen."),
        Template("Budgetcoaching aan huis", "Een budgetcoach begeleidt huishoudens enkele "
                 "maanden bij het maken en volgen van een begroting."),
        Template("Maatje na schuldhulp", "Een vrijwillig maatje blijft na afloop van het "
                 "schuldentraject betrokken om terugval te voorkomen.",
                 needs=(("fasen", "nazorg"),)),
        Template("Jongerencoach geldzaken", "Een jongerencoach begeleidt jongeren met schulden "
                 "bij geldzaken, werk en wonen.", jongeren=True),
        Template("Gezinscoach geldzaken", "Een coach ondersteunt gezinnen met kinderen bij het "
                 "overzicht houden over inkomsten en uitgaven.", jongeren=False),
    ),
    "nieuwe_benadering": (
        Template("Stress-sensitieve dienstverlening", "Brieven, afspraken en gesprekken worden "
                 "zo ingericht dat ze minder stress veroorzaken bij inwoners met schulden."),
        Template("Mobility Mentoring", "Coachingsmethode waarbij de inwoner samen met een "
                 "mentor doelen stelt en die stap voor stap behaalt."),
        Template("Inloopspreekuur geldzaken in de wijk", "Een vrijblijvend inloopspreekuur op "
                 "een buurtlocatie, zonder afspraak en zonder aanmeldformulier."),
        Template("Schuldhulpverlener op locatie", "Schuldhulpverleners werken op vaste dagen "
                 "vanuit buurthuizen en scholen in plaats van vanuit het gemeentehuis."),
        Template("In beeld na het schuldentraject", "Inwoners worden na afronding van een "
                 "schuldentraject periodiek gebeld om te horen hoe het gaat.",
                 needs=(("fasen", "nazorg"),)),
        Template("Verjaardagskaart bij 18 jaar", "Jongeren krijgen op hun 18e verjaardag een "
                 "kaart met informatie over nieuwe geldzaken en waar ze terechtkunnen met "
                 "vragen.", jongeren=True, needs=(("fasen", "preventie"),)),
        Template("Koffiemiddagen over geld", "Laagdrempelige bijeenkomsten waar inwoners in "
                 "een informele setting vragen over geldzaken kunnen stellen."),
        Template("Eén vast aanspreekpunt schulden", "Elke inwoner met schulden heeft één vaste "
                 "contactpersoon die de betrokken hulpverleners op elkaar afstemt."),
    ),
    "perspectieffonds": (
        Template("Jongerenperspectieffonds", "Schulden van jongeren worden gesaneerd in "
                 "combinatie met een traject naar school of werk; een deel van de schuld kan "
                 "worden kwijtgescholden.", jongeren=True),
        Template("Schuldenvrije start voor jongeren", "Een fonds lost de schulden van jongeren "
                 "in één keer af; de jongere betaalt naar vermogen terug en volgt intussen een "
                 "opleiding of werkt.", jongeren=True),
        Template("Jongerenfonds weer op de rit", "Jongeren met problematische schulden krijgen "
                 "een aflossingsregeling via een fonds en begeleiding naar werk.", jongeren=True),
        Template("Perspectieffonds", "Een fonds koopt schulden op, zodat inwoners nog maar met "
                 "één schuldeiser te maken hebben en sneller perspectief krijgen.",
                 jongeren=False),
        Template("Saneringsfonds", "Een gemeentelijk fonds maakt snelle schuldsanering mogelijk "
                 "door schulden over te nemen en af te lossen.", jongeren=False),
    ),
    "educatietool": (
        Template("Gastlessen geldzaken door peer-educators", "Jongeren met eigen ervaring met "
                 "geldproblemen geven gastlessen over geldzaken op scholen.", jongeren=True),
        Template("Geldlessen op het mbo", "Lessen over geldzaken en de nieuwe "
                 "verantwoordelijkheden vanaf 18 jaar voor studenten op het mbo.", jongeren=True),
        Template("Workshops omgaan met geld", "Korte workshops voor inwoners over begroten, "
                 "sparen en het voorkomen van betalingsachterstanden."),
        Template("Interactief geldspel", "Een spel waarin deelnemers oefenen met keuzes over "
                 "inkomsten, uitgaven en onverwachte kosten."),
        Template("Budgetcursus voor ouders", "Een cursus voor ouders over geldzaken in het gezin "
                 "en over praten met kinderen over geld.", jongeren=False),
    ),
    "digitaal_product": (
        Template("App met geldtips", "Een app met praktische tips om geld te besparen en "
                 "betalingsachterstanden te voorkomen."),
        Template("Digitaal huishoudboekje", "Een online huishoudboekje waarmee inwoners hun "
                 "inkomsten en uitgaven bijhouden, ook na afloop van de schuldhulp."),
        Template("Online inzicht in het schuldhulptraject", "Inwoners volgen online de stappen "
                 "en de voortgang van hun schuldhulptraject."),
    ),
    "overig": (
        Template("Energiecoach", "Een energiecoach geeft advies aan huis om de woonlasten te "
                 "verlagen."),
        Template("Workshop zelf schuldeisers bellen", "Onder begeleiding bellen deelnemers zelf "
                 "hun schuldeisers om de hoogte van hun schulden te inventariseren.",
                 needs=(("fasen", "curatie"),)),
        Template("Vlogs over financiële zaken", "Korte vlogs laten verschillende doelgroepen "
                 "zien waar zij terechtkunnen voor hulp bij geldzaken."),
        Template("Werkgeversaanpak loonbeslag", "Werkgevers die een loonbeslag ontvangen, "
                 "wijzen werknemers actief op het hulpaanbod van de gemeente."),
        Template("Geldspreekuur in het gezondheidscentrum", "Een schuldhulpverlener houdt "
                 "spreekuur in gezondheidscentra, waar geldzorgen vaak als eerste opvallen."),
    ),
}

PARTNER_PHRASES = {"sociaal_werk": "het sociaal werk", "woningcorporatie": "woningcorporaties",
                   "zorgverzekeraar": "zorgverzekeraars", "nutsbedrijf": "energiebedrijven",
                   "bedrijfsleven": "het bedrijfsleven", "overig": "andere partijen"}

COOP_NAME_PATTERNS = ("Samenwerkingsverband {a} e.o.", "Samenwerkingsverband {a} e.o.",
                      "Intergemeentelijke sociale dienst {a} e.o.",
                      "Regionale schuldhulpverlening {a} e.o.")


# --- small helpers ------------------------------------------------------------------------

def pct_half_up(k: int, n: int) -> int:
    """100*k/n rounded half-up, in exact integer arithmetic."""
    return (200 * k + n) // (2 * n)


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


def _assign_multi(rng: np.random.Generator, counts: dict[str, int],
                  weights: dict[str, np.ndarray], rows: np.ndarray | None = None,
                  at_least_one: bool = False) -> np.ndarray:
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


def _assign_single(rng: np.random.Generator, counts: dict[str, int],
                   weights: dict[str, np.ndarray], n: int) -> np.ndarray:
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


# --- geography ----------------------------------------------------------------------------

def _geography(reference: Reference) -> tuple[dict[str, tuple[float, float]], dict[str, list[str]]]:
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
        overlap = np.flatnonzero((lo[i + 1:] <= hi[i]).all(axis=1)
                                 & (hi[i + 1:] >= lo[i]).all(axis=1)) + i + 1
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


def _facts(reference: Reference) -> dict[str, dict]:
    """Plain lookup code -> {gemeentenaam, provincie, inwoners, g4, g40} (fast, ordered)."""
    m = reference.municipalities
    return {code: {"gemeentenaam": str(row.gemeentenaam), "provincie": str(row.provincie),
                   "inwoners": int(row.inwoners), "g4": bool(row.g4), "g40": bool(row.g40)}
            for code, row in zip(m.index, m.itertuples(index=False))}


def _coop_sizes(rng: np.random.Generator, n_groups: int, total: int) -> list[int]:
    lo, hi = COOP_SIZE
    sizes = np.full(n_groups, lo)
    for _ in range(total - lo * n_groups):
        open_ = np.flatnonzero(sizes < hi)
        sizes[open_[rng.integers(open_.size)]] += 1
    return sorted(sizes.tolist(), reverse=True)


def _form_cooperations(rng: np.random.Generator, reference: Reference, pool: list[str],
                       sizes: list[int]) -> list[list[str]]:
    """Disjoint groups of neighbouring municipalities of one province, grown greedily."""
    munis = _facts(reference)
    centroids, neighbours = _geography(reference)
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
                frontier = sorted({n for m in members for n in neighbours[m]
                                   if n in available and n not in members
                                   and munis[n]["provincie"] == prov})
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


# --- respondents --------------------------------------------------------------------------

def _weekdays() -> list[dt.date]:
    start, end = DATE_RANGE
    days = [start + dt.timedelta(d) for d in range((end - start).days + 1)]
    return [d for d in days if d.weekday() < 5]


def _respondents(rng: np.random.Generator, reference: Reference) -> pd.DataFrame:
    munis = _facts(reference)
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
    sizes = _coop_sizes(rng, N_RESPONDENTS["samenwerkingsverband"], n_coop_members)
    groups = _form_cooperations(rng, reference, small, sizes)
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
        records.append({
            "respondent_id": f"R{rid:03d}",
            "naam": naam,
            "respondenttype": rtype,
            "gemeentecodes": ";".join(sorted(members)),
            "gespreksdatum": dates[i].isoformat(),
            "provincie": provs[0] if len(provs) == 1 else "meerdere",
            "inwoners": str(int(sum(int(munis[m]["inwoners"]) for m in members))),
        })
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
    order = ["perspectieffonds", "digitaal_product", "educatietool", "overig",
             "nieuwe_benadering", "coaching_buddy", "vroegsignalering"]
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
    fasen = _assign_multi(rng, FASEN_COUNTS, {
        "preventie": by({"educatietool": 100, "digitaal_product": 4, "overig": 2,
                         "coaching_buddy": 1.5, "vroegsignalering": 0.5,
                         "perspectieffonds": 0.05}),
        "vroegsignalering": by({"vroegsignalering": 200, "nieuwe_benadering": 3,
                                "coaching_buddy": 1.5, "perspectieffonds": 0.05,
                                "educatietool": 0.5}, 0.8),
        "curatie": by({"perspectieffonds": 200, "coaching_buddy": 4, "nieuwe_benadering": 3,
                       "overig": 1.5, "vroegsignalering": 0.6, "educatietool": 0.05}),
        "nazorg": by({"coaching_buddy": 4, "digitaal_product": 4, "nieuwe_benadering": 3,
                      "perspectieffonds": 1.5, "vroegsignalering": 0.2,
                      "educatietool": 0.3}),
    }, at_least_one=True)
    fase = {c: fasen[:, j] for j, c in enumerate(FASEN_COUNTS)}

    # doelgroepen: funds mostly for young people; no pilot for older people or self-employed.
    doelgroepen = _assign_multi(rng, DOELGROEPEN_COUNTS, {
        "jongeren": by({"perspectieffonds": 40, "educatietool": 6, "digitaal_product": 2,
                        "nieuwe_benadering": 1.5, "coaching_buddy": 1.2}, 0.4),
        "ouderen": np.ones(n), "zelfstandig_ondernemers": np.ones(n),
        "overig": by({"coaching_buddy": 2, "nieuwe_benadering": 2, "perspectieffonds": 0.1}),
    })
    jongeren = doelgroepen[:, 0]
    doelgroepen[jongeren, 3] &= False  # a youth pilot names no second group
    if doelgroepen[:, 3].sum() != DOELGROEPEN_COUNTS["overig"]:  # refill, same weights
        extra = DOELGROEPEN_COUNTS["overig"] - int(doelgroepen[:, 3].sum())
        w = np.where(~jongeren & ~doelgroepen[:, 3], by({"coaching_buddy": 2,
                                                         "nieuwe_benadering": 2}), 0.0)
        doelgroepen[_choose(rng, w, extra), 3] = True

    # partners: early detection works with signal partners; 36 pilots without partners.
    none_w = by({"vroegsignalering": 0.03, "educatietool": 1.5, "digitaal_product": 3,
                 "nieuwe_benadering": 2, "coaching_buddy": 0.8, "perspectieffonds": 1.2,
                 "overig": 1.5})
    no_partner = np.zeros(n, dtype=bool)
    no_partner[_choose(rng, none_w, n - N_WITH_PARTNERS)] = True
    partners = _assign_multi(rng, PARTNERS_COUNTS, {
        "sociaal_werk": by({"coaching_buddy": 5, "nieuwe_benadering": 2, "educatietool": 1.5,
                            "perspectieffonds": 1.5}),
        "woningcorporatie": by({"vroegsignalering": 14, "nieuwe_benadering": 1}, 0.5),
        "zorgverzekeraar": by({"vroegsignalering": 9}, 0.4),
        "nutsbedrijf": by({"vroegsignalering": 8, "overig": 3}, 0.4),
        "bedrijfsleven": by({"perspectieffonds": 3, "educatietool": 2,
                             "digitaal_product": 2}),
        "overig": by({"perspectieffonds": 2, "educatietool": 2}),
    }, rows=~no_partner, at_least_one=True)
    signal = partners[:, 1:4].any(axis=1)

    # aanleidingen (invented shares, structure by type and phase).
    aanleidingen = _assign_multi(rng, AANLEIDINGEN_COUNTS, {
        "eerder_in_beeld": by({"vroegsignalering": 8, "nieuwe_benadering": 1.5}, 0.6),
        "laagdrempelig_contact": by({"nieuwe_benadering": 4, "coaching_buddy": 3,
                                     "digitaal_product": 3, "educatietool": 2,
                                     "vroegsignalering": 0.8}),
        "effectiever_werken": by({"digitaal_product": 3, "nieuwe_benadering": 2.5,
                                  "perspectieffonds": 2, "vroegsignalering": 1.2}),
        "preventie": by({"educatietool": 10, "vroegsignalering": 1.5, "digitaal_product": 2,
                         "perspectieffonds": 0.4}) * np.where(fase["preventie"], 3.0, 1.0),
        "succesverhalen": by({"perspectieffonds": 2, "vroegsignalering": 1.5}),
    }, at_least_one=True)
    effectiever = aanleidingen[:, 2]

    # verwachte effecten: eerder_zichtbaar mainly for early detection (report, p. 7).
    effecten = _assign_multi(rng, EFFECTEN_COUNTS, {
        "reductie_schulden": by({"perspectieffonds": 5, "coaching_buddy": 2,
                                 "vroegsignalering": 1.5, "educatietool": 0.5}),
        "eerder_zichtbaar": by({"vroegsignalering": 25, "nieuwe_benadering": 1.5}, 0.5)
        * np.where(fase["vroegsignalering"], 2.0, 1.0),
        "gedragsverandering": by({"coaching_buddy": 4, "educatietool": 4,
                                  "perspectieffonds": 3, "digitaal_product": 3,
                                  "nieuwe_benadering": 2, "overig": 2,
                                  "vroegsignalering": 0.5}),
        "efficienter": by({"digitaal_product": 3, "nieuwe_benadering": 2,
                           "vroegsignalering": 1.5}) * np.where(effectiever, 3.0, 1.0),
        "samenwerking": by({"vroegsignalering": 2}) * np.where(no_partner, 0.15, 4.0),
        "minder_recidive": by({"coaching_buddy": 2.5, "perspectieffonds": 2.5,
                               "educatietool": 0.5, "vroegsignalering": 0.6})
        * np.where(fase["nazorg"], 4.0, 1.0),
        "voorkomen_problemen": by({"educatietool": 3, "vroegsignalering": 1.2,
                                   "perspectieffonds": 0.3})
        * np.where(fase["preventie"], 4.0, 1.0),
        "vakmanschap": by({"nieuwe_benadering": 5, "coaching_buddy": 1.5}),
    }, at_least_one=True)

    # goals, measurement, transferability, status (structure invented, see README).
    doelen = np.zeros(n, dtype=bool)
    doelen[_choose(rng, np.where(is_g4, 1.6, np.where(is_coop, 1.2, 1.0))
                   * by({"perspectieffonds": 1.5}), N_DOELEN)] = True
    effectmeting = _assign_single(rng, EFFECTMETING_COUNTS, {
        "ja": np.where(doelen, 3.0, 1.0) * np.where(is_g4, 1.5, 1.0),
        "nee": np.where(doelen, 1.0, 1.6),
    }, n)
    overdraagbaar = _assign_single(rng, OVERDRAAGBAAR_COUNTS, {
        "ja": by({"digitaal_product": 3, "educatietool": 2, "vroegsignalering": 1.5}),
        "nee": by({"perspectieffonds": 2}),
    }, n)
    status = _assign_single(rng, STATUS_COUNTS, {
        "lopend": by({"digitaal_product": 0.7, "educatietool": 0.8}),
    }, n)

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
        tpl = _template(types[i], bool(jongeren[i]), bool(signal[i]), fields, i,
                        used.setdefault(rids[i], set()), pick[i])
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

    frame = pd.DataFrame({
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
    }, columns=list(PILOT_COLUMNS))
    return frame


def _round_size(x: float) -> int:
    """Sizes as respondents tell them: exact below 100, then to 5, 10 or 50."""
    if x < 100:
        return int(round(x))
    step = 5 if x < 250 else 10 if x < 1000 else 50
    return int(round(x / step) * step)


def _template(ptype: str, jongeren: bool, signal: bool, fields: dict, i: int,
              used: set[str], u: float) -> Template:
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

def _check_targets() -> None:
    """The fixed counts are consistent with each other (a guard for future edits)."""
    assert sum(PILOTS_BY_RESPONDENTTYPE.values()) == N_PILOTS
    for counts in (TYPE_COUNTS, EFFECTMETING_COUNTS, OVERDRAAGBAAR_COUNTS, STATUS_COUNTS):
        assert sum(counts.values()) == N_PILOTS
    assert all(0 <= k <= N_PILOTS for c in (FASEN_COUNTS, DOELGROEPEN_COUNTS, EFFECTEN_COUNTS,
                                            AANLEIDINGEN_COUNTS) for k in c.values())
    assert all(k <= N_WITH_PARTNERS for k in PARTNERS_COUNTS.values())
    for rtype, n in N_PARTICIPATING.items():
        assert n <= PILOTS_BY_RESPONDENTTYPE[rtype] <= n * MAX_PILOTS[rtype]
    for name, counts in (("fasen", FASEN_COUNTS), ("doelgroepen", DOELGROEPEN_COUNTS),
                         ("partners", PARTNERS_COUNTS), ("aanleidingen", AANLEIDINGEN_COUNTS),
                         ("verwachte_effecten", EFFECTEN_COUNTS), ("type", TYPE_COUNTS)):
        assert sorted(counts) == sorted(cb.pilot_field(name).code_list), name


def generate(seed: int = DEFAULT_SEED, reference: Reference | None = None
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(respondenten, experimenten) in the contract's textual form: every cell a string."""
    if reference is None:
        reference = load_reference(required=True)
    _check_targets()
    rng = np.random.default_rng(seed)
    resp = _respondents(rng, reference)
    pilots = _pilots(rng, resp)
    return resp, pilots


def _csv_bytes(frame: pd.DataFrame, columns: Sequence[str]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in frame[list(columns)].itertuples(index=False):
        writer.writerow(["" if v is None else str(v) for v in row])
    return buf.getvalue().encode("utf-8")


def _split(cell: str) -> list[str]:
    return [c for c in str(cell).split(";") if c]


def _published() -> pd.DataFrame:
    return pd.read_csv(PUBLISHED_FIGURES, dtype={"figure_id": str, "unit": str})


def _figure_values(resp: pd.DataFrame, pilots: pd.DataFrame) -> dict[str, tuple[int, float]]:
    """figure_id -> (reproduced value as published: count or half-up percentage, exact)."""
    out: dict[str, tuple[int, float]] = {}

    def count(fid: str, k: int) -> None:
        out[fid] = (int(k), float(k))

    def pct(fid: str, k: int, base: int) -> None:
        out[fid] = (pct_half_up(int(k), int(base)), 100.0 * k / base)

    covered = {c for cell in resp["gemeentecodes"] for c in _split(cell)}
    n_all = cb.N_MUNICIPALITIES_2019
    count("dekking.gemeenten_totaal", n_all)
    count("dekking.gemeenten_geraadpleegd", len(covered))
    pct("dekking.pct", len(covered), n_all)
    count("respondenten.totaal", len(resp))
    participating = set(pilots["respondent_id"])
    count("experimenten.totaal", len(pilots))
    count("experimenten.respondenten_met_experiment", len(participating))
    pct("deelname.totaal", len(participating), len(resp))
    rtype_of = dict(zip(resp["respondent_id"], resp["respondenttype"]))
    pilot_rtypes = [rtype_of[r] for r in pilots["respondent_id"]]
    for rtype in RESPONDENTTYPES:
        ids = resp.loc[resp["respondenttype"] == rtype, "respondent_id"]
        count(f"respondenten.{rtype}", len(ids))
        pct(f"deelname.{rtype}", len(set(ids) & participating), len(ids))
        pct(f"aandeel_experimenten.{rtype}", pilot_rtypes.count(rtype), len(pilots))
    n = len(pilots)
    for code in cb.pilot_field("type").code_list:
        pct(f"type.{code}", int((pilots["type"] == code).sum()), n)
    prefix = {"fasen": "fase", "doelgroepen": "doelgroep", "verwachte_effecten": "effect"}
    for fname, short in prefix.items():
        sets = [set(_split(c)) for c in pilots[fname]]
        for code in cb.pilot_field(fname).code_list:
            pct(f"{short}.{code}", sum(code in s for s in sets), n)
    pct("partners.betrokken", sum(bool(_split(c)) for c in pilots["partners"]), n)
    for code in cb.pilot_field("effectmeting").code_list:
        pct(f"effectmeting.{code}", int((pilots["effectmeting"] == code).sum()), n)
    k = int((pilots["doelen_geformuleerd"] == "ja").sum())
    count("doelen.geformuleerd", k)
    pct("doelen.geformuleerd_pct", k, n)
    pct("overdraagbaar.ja", int((pilots["overdraagbaar"] == "ja").sum()), n)
    return out


def marginals_report(respondenten: pd.DataFrame, experimenten: pd.DataFrame,
                     published: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every published figure next to its value in a (generated) dataset.

    Columns: figure_id, unit, published, reproduced (as published: a count, or a
    percentage rounded half-up), exact (unrounded), match.
    """
    published = _published() if published is None else published
    values = _figure_values(respondenten, experimenten)
    rows = []
    for fig in published.itertuples(index=False):
        rep, exact = values.get(fig.figure_id, (None, float("nan")))
        rows.append({"figure_id": fig.figure_id, "unit": fig.unit,
                     "published": int(fig.published), "reproduced": rep, "exact": exact,
                     "match": rep == int(fig.published)})
    return pd.DataFrame(rows, columns=["figure_id", "unit", "published", "reproduced",
                                       "exact", "match"])


def metadata(seed: int) -> dict:
    return {"synthetic": True, "name": DATASET_NAME, "seed": int(seed), "generator": GENERATOR,
            "notice_nl": NOTICE_NL, "notice_en": NOTICE_EN}


def readme_text(resp: pd.DataFrame, pilots: pd.DataFrame, seed: int) -> str:
    """The dataset's README, with the table of published vs reproduced figures."""
    report = marginals_report(resp, pilots)
    lines = []
    for r in report.itertuples(index=False):
        exact = f"{r.exact:.2f} %" if r.unit == "pct" else f"{int(r.exact)}"
        mark = "yes" if r.match else "**no** (see above)"
        lines.append(f"| `{r.figure_id}` | {r.published} | {r.reproduced} | {exact} | {mark} |")
    table = "\n".join(lines)
    rt = resp["respondenttype"]
    sizes = [len(_split(c)) for c in resp.loc[rt == "samenwerkingsverband", "gemeentecodes"]]
    size_counts = ", ".join(f"{s}: {sizes.count(s)}" for s in sorted(set(sizes)))
    per = pilots["respondent_id"].value_counts()
    per_counts = ", ".join(f"{k} pilot{'s' if k > 1 else ''}: {int((per == k).sum())}"
                           for k in sorted(per.unique()))
    n = len(pilots)

    def share(k: int) -> str:
        return f"{k} = {100 * k / n:.2f} %"

    def count(col: str, code: str) -> int:
        return int((pilots[col] == code).sum())

    return _README.format(
        seed=seed, table=table, size_counts=size_counts, per_counts=per_counts,
        default_seed=DEFAULT_SEED, n_coop_members=sum(sizes),
        n_dg_overig=sum("overig" in _split(c) for c in pilots["doelgroepen"]),
        n_partners=sum(bool(_split(c)) for c in pilots["partners"]),
        pct_partners=f"{100 * sum(bool(_split(c)) for c in pilots['partners']) / n:.2f} %",
        n_doelen=count("doelen_geformuleerd", "ja"), n_em_ja=count("effectmeting", "ja"),
        n_ov_ja=share(count("overdraagbaar", "ja")), n_ov_nee=count("overdraagbaar", "nee"),
        n_ov_onbekend=count("overdraagbaar", "onbekend"), n_lopend=count("status", "lopend"),
        n_afgerond=count("status", "afgerond"))


def dataset_files(seed: int = DEFAULT_SEED, reference: Reference | None = None
                  ) -> dict[str, bytes]:
    """File name -> exact bytes of the dataset for `seed`."""
    resp, pilots = generate(seed, reference)
    meta = json.dumps(metadata(seed), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    return {
        "respondenten.csv": _csv_bytes(resp, RESPONDENT_COLUMNS),
        "experimenten.csv": _csv_bytes(pilots, PILOT_COLUMNS),
        "metadata.json": meta.encode("utf-8"),
        "README.md": readme_text(resp, pilots, seed).encode("utf-8"),
    }


def write_dataset(out_dir: str | Path = DEFAULT_OUT, seed: int = DEFAULT_SEED,
                  reference: Reference | None = None) -> list[Path]:
    """Generate the dataset for `seed` and write its four files into `out_dir`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in dataset_files(seed, reference).items():
        path = out / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def _cli(args: argparse.Namespace) -> int:
    try:
        reference = load_reference(args.reference, required=True)
    except ReferenceMissing as exc:
        print(f"shv synth: {exc}")
        return 2
    paths = write_dataset(args.out, args.seed, reference)
    print(f"synthetic dataset (seed {args.seed}) written to {Path(args.out)}: "
          + ", ".join(p.name for p in paths))
    return 0


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add `shv synth --seed N --out DIR`."""
    p = subparsers.add_parser(
        "synth", help="generate the synthetic reconstruction of the 2019 inventory",
        description="Write respondenten.csv, experimenten.csv, metadata.json and README.md "
                    "of the seeded synthetic dataset.")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED,
                   help=f"random seed (default {DEFAULT_SEED}, the committed dataset)")
    p.add_argument("--out", default=str(DEFAULT_OUT),
                   help="output folder (default data/synthetic in the checkout)")
    p.add_argument("--reference", default=None,
                   help="folder with the CBS reference tables (default: searched)")
    p.set_defaults(func=_cli)


_README = """\
# Synthetic reconstruction of the 2019 inventory (`data/synthetic/`)

**These data are synthetic.** The interview data behind the 2020 report *Experimenten
schuldhulpverlening* are not public. This folder holds a record-level reconstruction that
reproduces the figures the report publishes (all exactly but one, an infeasible split;
see below) and is plausible beyond them. **Any cross-tab,
correlation or model result computed from this dataset is illustrative, not a finding**:
every record-level combination was invented by a random generator.

Files: `respondenten.csv` (245 rows), `experimenten.csv` (143 rows), `metadata.json`
(`"synthetic": true`), this README. Format: UTF-8 without BOM, comma-separated, `\\n` line
ends, contract v1 column names, codes (not labels), multi fields as one cell with `;`
between codes (empty = none), `doelen_geformuleerd` as `ja`/`nee`, ISO dates.

## Regenerate

Seed: **{seed}**. The files are generated, never edited by hand:

```
shv synth --seed {default_seed} --out data/synthetic
```

(`python -m shv_analysis.cli synth ...` works too.) The generator is
`shv_analysis.synthetic`; it reads the CBS reference tables (`shv_analysis.reference`)
and needs them only to generate, not to use the dataset. The same seed gives the same
bytes (tested in `tests/test_synthetic.py`).

## What is real

- The municipalities: CBS codes, names, provinces and inhabitants on 1-1-2019 and the
  G4/G40 membership, from the reference tables (`provincie` and `inwoners` of a respondent
  are those facts, summed over the municipalities it speaks for).
- The published figures of the report (table below): respondents per type (32/174/39),
  coverage (315 of 355), participation (91 respondents; 26/17/48), 143 pilots, and every
  published percentage of type, phase, target group, partners, effects, effect
  measurement, goals and transferability.
- The report's qualitative statements, used as the joint structure listed below.
- The kinds of pilots: titles and descriptions paraphrase the report's own examples
  (Vroeg Eropaf, Vindplaats Schulden, buddy's, stress-sensitive services, Mobility
  Mentoring, (youth) perspective funds, peer-educator lessons, apps, Energiecoach, ...).

## What is invented

- Which municipalities were interviewed, which were grouped into which cooperation, which
  40 are not covered, and which respondents run pilots and how many.
- Every record-level combination and hence every cross-tab, including pilots by province,
  size class or respondent type beyond the published shares.
- Cooperation names, interview dates, titles and descriptions per pilot, `status`,
  `omvang`, and the shares of options the report does not publish (individual partners,
  reasons (`aanleidingen`), `doelgroepen` = `overig`, `overdraagbaar` = nee/onbekend).
- No record contains a person's name or contact data.

## Choices and assumptions

Respondents and coverage:

- The 32 G4/G40 respondents are all four G4 cities and 28 of the 40 G40 cities (drawn
  with weight proportional to the square root of inhabitants). The other 12 G4/G40
  cities are not covered at all, so that exactly 32 G4/G40 municipalities are covered,
  as the report says.
- The 39 cooperations consist of non-G4/G40 municipalities only. Each is a connected
  group of neighbouring municipalities (boundaries within 0.5 km in
  `gemeenten_2019.geojson`) in one province, grown from a seed municipality (smaller
  municipalities are likelier seeds) by repeatedly adding the neighbour nearest to the
  group's centre. Members per cooperation ({n_coop_members} in all):
  {size_counts}. Names are invented ("Samenwerkingsverband <largest member>
  e.o." and a few variants; two members: "Samenwerkingsverband <A> en <B>"). No
  cooperation spans provinces, so no `meerdere`.
- 174 individual municipalities are the remaining non-G4/G40 municipalities except 28,
  which are not covered (smaller ones likelier). 32 + 174 + 109 cooperation members = 315
  covered, 40 uncovered.
- Interview dates are weekdays between 2019-03-01 and 2019-09-30, fewer in July and August;
  respondent ids follow the interview date.

Participation and pilots per respondent:

- 26 of 32 G4/G40 respondents (81.25 %), 17 of 39 cooperations (43.59 %) and 48 of 174
  other municipalities (27.59 %) run at least one pilot: 91 of 245 (37.14 %). Larger
  respondents are likelier to participate (weight inhabitants^0.35).
- **The published split of pilots by respondent type (53 % / 29 % / 19 %) sums to 101 %
  and is infeasible**: no split of 143 rounds half-up to all three. 53 % needs 76
  pilots, 29 % needs 41 or 42 and 19 % needs 27 or 28, which makes at least 144. This
  dataset uses **75 / 41 / 27** (gemeente / G4/G40 / cooperation) = 52.45 % / 28.67 % /
  18.88 %, the split with the smallest total deviation from the published shares (1.0
  point; largest deviation 0.55 point). Only `aandeel_experimenten.gemeente` rounds off:
  52 instead of 53. (76/41/26 would deviate 1.3 points in total, 0.82 on one share.)
- Pilots per participating respondent: {per_counts};
  at most 5 for G4/G40, 4 otherwise (larger respondents likelier to have more).
  Pilots per respondent are highest for G4/G40 (41/32 = 1.28, cooperations 27/39 = 0.69,
  other municipalities 75/174 = 0.43), as the report says.

Pilot fields. Each option's count is fixed first so every published marginal is exact;
the pilots carrying it are then drawn with weights that encode these assumptions:

- Percentages round half-up; where two counts round to the published integer the one
  farther from an .5 boundary is used. `type` and `effectmeting` must sum to 143, which
  forces 65 vroegsignalering pilots (45.45 %) and 35 `onbekend` (24.48 %).
- Early-detection pilots (type `vroegsignalering`) almost always cover the
  early-detection phase and carry the effect `eerder_zichtbaar` far more often than other
  pilots (the report: this effect is "voornamelijk waarneembaar bij de experimenten die
  zich richten op vroegsignalering"); they nearly always have partners, mostly signal
  partners (woningcorporatie, zorgverzekeraar, nutsbedrijf), and often give "doelgroep
  eerder in beeld krijgen" as reason.
- (Youth) perspective funds are curative (phase `curatie`) and mostly aimed at
  `jongeren`; education tools are preventive. Most of the 17 youth pilots are funds,
  education tools or youth-oriented approaches; no pilot targets older people or
  the self-employed (published 0 %); {n_dg_overig} pilots name another specific group.
- Partners: {n_partners} pilots ({pct_partners}) involve another party. Social work is
  the most frequent partner, then the signal partners; business and other parties are
  rarer.
- Phases: every pilot covers at least one; coaching, new approaches and digital tools
  cover aftercare more often. Effects: `minder_recidive` goes with aftercare,
  `voorkomen_problemen` with prevention, `samenwerking` with having partners,
  `efficienter` with the reason "(kosten)effectiever werken", `vakmanschap` with new
  approaches. Every pilot has at least one reason and one effect.
- Goals set beforehand ({n_doelen} pilots) are a little likelier in G4/G40 and
  cooperations; a planned effect measurement (`ja`, {n_em_ja}) is likelier when goals
  were set, "don't know" likelier when they were not.
- Transferable (`ja`, {n_ov_ja}) likelier for digital and education tools and early
  detection; `nee` {n_ov_nee}, `onbekend` {n_ov_onbekend} (invented).
- `status`: {n_lopend} `lopend`, {n_afgerond} `afgerond` (invented). `omvang` (people of
  the target group): lognormal per type, doubled for G4/G40, rounded as people tend to
  say it; at least 50 (the report's inclusion rule), except a few small pilots that are
  transferable or scalable (the rule's exception), which are at least 15.
- Type by respondent type is nearly independent (perspective funds and digital products
  somewhat likelier in G4/G40). Everything not named here is independent noise.

## Published versus reproduced

Computed by `shv_analysis.synthetic.marginals_report()` on these files. Percentages are
of all records of the base, rounded half-up.

| figure_id | published | reproduced | exact | match |
|---|---|---|---|---|
{table}
"""
