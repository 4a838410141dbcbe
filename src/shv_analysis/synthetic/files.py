"""The files of a synthetic dataset: CSV tables, metadata, README and the marginals report.

`dataset_files(seed)` gives the exact bytes of `respondenten.csv`, `experimenten.csv`,
`metadata.json` and `README.md`; `write_dataset` writes them. The README's table of
published versus reproduced figures comes from `marginals_report`, which codes the
generated tables like any dataset and computes the figures with
`shv_analysis.analysis.figures.compute_figures` (the one implementation of the figures).
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from shv_analysis.analysis.figures import compute_figures, published_figures
from shv_analysis.analysis.rounding import round_half_up
from shv_analysis.config import DEFAULT_DATA
from shv_analysis.ingest.dataset import Dataset
from shv_analysis.ingest.reference import Reference
from shv_analysis.ingest.validation import check_dataset
from shv_analysis.synthetic.generator import generate
from shv_analysis.synthetic.pilots import PILOT_COLUMNS
from shv_analysis.synthetic.respondents import RESPONDENT_COLUMNS
from shv_analysis.synthetic.targets import DEFAULT_SEED

__all__ = [
    "DEFAULT_OUT",
    "DATASET_NAME",
    "DATASET_NAME_EN",
    "pct_half_up",
    "coded_dataset",
    "marginals_report",
    "metadata",
    "readme_text",
    "dataset_files",
    "write_dataset",
]

DEFAULT_OUT = DEFAULT_DATA
DATASET_NAME = "Synthetische reconstructie inventarisatie 2019"
DATASET_NAME_EN = "Synthetic reconstruction of the 2019 inventory"
GENERATOR = "shv_analysis.synthetic"
# The dataset's own description in `metadata.json` (what is real, what is invented); the
# report's notice on pages, tables and figures is the catalogue's `notice.synthetic`.
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


def pct_half_up(k: int, n: int) -> int:
    """100*k/n as a whole percentage, by the package's one rounding rule (half up)."""
    return round_half_up(100 * k / n)


def _csv_bytes(frame: pd.DataFrame, columns: Sequence[str]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in frame[list(columns)].itertuples(index=False):
        writer.writerow(["" if v is None else str(v) for v in row])
    return buf.getvalue().encode("utf-8")


def _split(cell: str) -> list[str]:
    return [c for c in str(cell).split(";") if c]


def coded_dataset(respondenten: pd.DataFrame, experimenten: pd.DataFrame) -> Dataset:
    """The generated tables (text cells, contract columns) coded like any dataset folder.

    The tables are written as CSV into a temporary folder and read back with
    `check_dataset` (no reference, no coding decisions), so the figures are computed from
    exactly what a user of the files gets.

    Raises:
        ValueError: when the tables do not pass validation (listing the errors).
    """
    with tempfile.TemporaryDirectory(prefix="shv-synth-") as tmp:
        folder = Path(tmp)
        (folder / "respondenten.csv").write_bytes(_csv_bytes(respondenten, RESPONDENT_COLUMNS))
        (folder / "experimenten.csv").write_bytes(_csv_bytes(experimenten, PILOT_COLUMNS))
        result = check_dataset(folder, reference=None)
    if not result.ok or result.dataset is None:
        raise ValueError(
            "generated tables are not a valid dataset:\n" + "\n".join(str(p) for p in result.errors)
        )
    return result.dataset


def marginals_report(
    respondenten: pd.DataFrame, experimenten: pd.DataFrame, published: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every published figure next to its value in a (generated) dataset.

    Columns: figure_id, unit, published, reproduced (as published: a count, or a
    percentage rounded half-up), exact (unrounded), match.
    """
    published = published_figures() if published is None else published
    figures = compute_figures(coded_dataset(respondenten, experimenten), published)
    rows = []
    for fig, got in zip(published.itertuples(index=False), figures.itertuples(index=False)):
        if fig.unit == "pct":
            rep, exact = pct_half_up(int(got.numerator), int(got.denominator)), float(got.value)
        else:
            rep, exact = int(got.numerator), float(got.numerator)
        rows.append(
            {
                "figure_id": fig.figure_id,
                "unit": fig.unit,
                "published": int(fig.published),
                "reproduced": rep,
                "exact": exact,
                "match": rep == int(fig.published),
            }
        )
    return pd.DataFrame(
        rows, columns=["figure_id", "unit", "published", "reproduced", "exact", "match"]
    )


INDELING = 2019  # the municipal division of the synthetic reconstruction


def metadata(seed: int) -> dict:
    """The contents of `metadata.json` for `seed` (synthetic flag, names, seed, notices, and
    the municipal division `indeling` the codes belong to: 2019).
    """
    return {
        "synthetic": True,
        "name": DATASET_NAME,
        "name_en": DATASET_NAME_EN,
        "seed": int(seed),
        "generator": GENERATOR,
        "notice_nl": NOTICE_NL,
        "notice_en": NOTICE_EN,
        "indeling": INDELING,
    }


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
    per_counts = ", ".join(
        f"{k} pilot{'s' if k > 1 else ''}: {int((per == k).sum())}" for k in sorted(per.unique())
    )
    n = len(pilots)

    def share(k: int) -> str:
        return f"{k} = {100 * k / n:.2f} %"

    def count(col: str, code: str) -> int:
        return int((pilots[col] == code).sum())

    return _README.format(
        seed=seed,
        table=table,
        size_counts=size_counts,
        per_counts=per_counts,
        default_seed=DEFAULT_SEED,
        n_coop_members=sum(sizes),
        n_dg_overig=sum("overig" in _split(c) for c in pilots["doelgroepen"]),
        n_partners=sum(bool(_split(c)) for c in pilots["partners"]),
        pct_partners=f"{100 * sum(bool(_split(c)) for c in pilots['partners']) / n:.2f} %",
        n_doelen=count("doelen_geformuleerd", "ja"),
        n_em_ja=count("effectmeting", "ja"),
        n_ov_ja=share(count("overdraagbaar", "ja")),
        n_ov_nee=count("overdraagbaar", "nee"),
        n_ov_onbekend=count("overdraagbaar", "onbekend"),
        n_lopend=count("status", "lopend"),
        n_afgerond=count("status", "afgerond"),
    )


def dataset_files(seed: int = DEFAULT_SEED, reference: Reference | None = None) -> dict[str, bytes]:
    """File name -> exact bytes of the dataset for `seed`."""
    resp, pilots = generate(seed, reference)
    meta = json.dumps(metadata(seed), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    return {
        "respondenten.csv": _csv_bytes(resp, RESPONDENT_COLUMNS),
        "experimenten.csv": _csv_bytes(pilots, PILOT_COLUMNS),
        "metadata.json": meta.encode("utf-8"),
        "README.md": readme_text(resp, pilots, seed).encode("utf-8"),
    }


def write_dataset(
    out_dir: str | Path = DEFAULT_OUT, seed: int = DEFAULT_SEED, reference: Reference | None = None
) -> list[Path]:
    """Generate the dataset for `seed` and write its four files into `out_dir`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in dataset_files(seed, reference).items():
        path = out / name
        path.write_bytes(data)
        paths.append(path)
    return paths


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
