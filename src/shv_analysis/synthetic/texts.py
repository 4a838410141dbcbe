"""Titles and descriptions of the synthetic pilots, fitted to their coded fields.

For each pilot `pilot_texts` draws one template of its type (`templates.TEMPLATES`) that
fits its target group, phases and partners and that its respondent has not used yet
(youth pilots prefer youth titles; templates with conditions weigh three times), and
appends who carries it out: the municipality or the participating municipalities, alone
or together with the named partners. It draws one uniform number per pilot from the
run's shared generator.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from shv_analysis.synthetic.targets import FASEN_COUNTS, PARTNERS_COUNTS
from shv_analysis.synthetic.templates import PARTNER_PHRASES, TEMPLATES, Template


def pilot_texts(
    rng: np.random.Generator,
    types: np.ndarray,
    jongeren: np.ndarray,
    signal: np.ndarray,
    fasen: np.ndarray,
    partners: np.ndarray,
    rids: Sequence[str],
    is_coop: np.ndarray,
    no_partner: np.ndarray,
) -> tuple[list[str], list[str]]:
    """(titels, omschrijvingen) of the pilots, one of each per pilot, in pilot order."""
    n = len(rids)
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
    return titels, omschrijvingen


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
