"""The published figures the synthetic dataset must meet, as exact counts, and its constants.

Every count here is chosen so that its percentage of the base, rounded half-up, is the
published figure (`data/published/published_figures.csv`); `check_targets` guards that
the counts stay consistent with each other and with the codebook.
"""

from __future__ import annotations

import datetime as dt

from shv_analysis.contract import codebook as cb

DEFAULT_SEED = 2019
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
TYPE_COUNTS = {
    "vroegsignalering": 65,
    "coaching_buddy": 24,
    "nieuwe_benadering": 22,
    "perspectieffonds": 12,
    "educatietool": 9,
    "digitaal_product": 4,
    "overig": 7,
}
FASEN_COUNTS = {"preventie": 37, "vroegsignalering": 92, "curatie": 54, "nazorg": 29}
DOELGROEPEN_COUNTS = {
    "jongeren": 17,
    "ouderen": 0,
    "zelfstandig_ondernemers": 0,
    "overig": 5,
}  # overig: not published, kept small (invented)
N_WITH_PARTNERS = 107  # 74.83 % -> 75
PARTNERS_COUNTS = {
    "sociaal_werk": 64,
    "woningcorporatie": 58,
    "zorgverzekeraar": 41,
    "nutsbedrijf": 37,
    "bedrijfsleven": 15,
    "overig": 19,
}  # invented
AANLEIDINGEN_COUNTS = {
    "eerder_in_beeld": 72,
    "laagdrempelig_contact": 51,
    "effectiever_werken": 58,
    "preventie": 63,
    "succesverhalen": 27,
}  # invented (the report names them, no shares)
EFFECTEN_COUNTS = {
    "reductie_schulden": 116,
    "eerder_zichtbaar": 90,
    "gedragsverandering": 64,
    "efficienter": 62,
    "samenwerking": 56,
    "minder_recidive": 52,
    "voorkomen_problemen": 44,
    "vakmanschap": 31,
}
EFFECTMETING_COUNTS = {"ja": 49, "nee": 59, "onbekend": 35}
N_DOELEN = 64
OVERDRAAGBAAR_COUNTS = {"ja": 104, "nee": 13, "onbekend": 26}  # nee/onbekend invented
STATUS_COUNTS = {"lopend": 99, "afgerond": 44}  # invented

# Typical size (people of the target group) per type: median and log-spread (invented).
OMVANG = {
    "vroegsignalering": (350, 0.75),
    "coaching_buddy": (80, 0.5),
    "nieuwe_benadering": (150, 0.7),
    "perspectieffonds": (60, 0.4),
    "educatietool": (300, 0.6),
    "digitaal_product": (400, 0.7),
    "overig": (100, 0.6),
}
OMVANG_MIN, OMVANG_SMALL_MIN, OMVANG_MAX = 50, 15, 5000


def check_targets() -> None:
    """The fixed counts are consistent with each other (a guard for future edits).

    Raises:
        AssertionError: when a count no longer adds up or names an unknown code.
    """
    assert sum(PILOTS_BY_RESPONDENTTYPE.values()) == N_PILOTS
    for counts in (TYPE_COUNTS, EFFECTMETING_COUNTS, OVERDRAAGBAAR_COUNTS, STATUS_COUNTS):
        assert sum(counts.values()) == N_PILOTS
    assert all(
        0 <= k <= N_PILOTS
        for c in (FASEN_COUNTS, DOELGROEPEN_COUNTS, EFFECTEN_COUNTS, AANLEIDINGEN_COUNTS)
        for k in c.values()
    )
    assert all(k <= N_WITH_PARTNERS for k in PARTNERS_COUNTS.values())
    for rtype, n in N_PARTICIPATING.items():
        assert n <= PILOTS_BY_RESPONDENTTYPE[rtype] <= n * MAX_PILOTS[rtype]
    for name, counts in (
        ("fasen", FASEN_COUNTS),
        ("doelgroepen", DOELGROEPEN_COUNTS),
        ("partners", PARTNERS_COUNTS),
        ("aanleidingen", AANLEIDINGEN_COUNTS),
        ("verwachte_effecten", EFFECTEN_COUNTS),
        ("type", TYPE_COUNTS),
    ):
        assert sorted(counts) == sorted(cb.pilot_field(name).code_list), name
