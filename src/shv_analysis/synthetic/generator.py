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

import numpy as np
import pandas as pd

from shv_analysis.ingest.reference import Reference, load_reference
from shv_analysis.synthetic.pilots import generate_pilots
from shv_analysis.synthetic.respondents import generate_respondents
from shv_analysis.synthetic.targets import DEFAULT_SEED, check_targets


def generate(
    seed: int = DEFAULT_SEED, reference: Reference | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(respondenten, experimenten) in the contract's textual form: every cell a string."""
    if reference is None:
        reference = load_reference(required=True)
    check_targets()
    rng = np.random.default_rng(seed)
    resp = generate_respondents(rng, reference)
    pilots = generate_pilots(rng, resp)
    return resp, pilots
