"""Scale benchmark: the synthetic inventory grown 10x, 100x and 1000x (about 143,000 pilots).

Times `check` (read + validate a CSV folder), all published figures, and all cross-tabs of
every coded pilot field by respondent type, population class and province, each scale in its
own process so peak memory (max RSS) is measured per scale. Prints times, the step ratio
(time ratio to the previous scale divided by the data ratio; <= 1 is no worse than linear),
and whether the 1000x case stays within 10 s and 1 GB.

    .venv/bin/python benchmarks/scale.py [--scales 1,10,100,1000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from shv_analysis.config import DEFAULT_DATA
from shv_analysis.contract import codebook as cb

GROUPS = ("respondenttype", "grootteklasse", "provincie")
LIMIT_SECONDS, LIMIT_MB = 10.0, 1024


def grow(source: Path, factor: int, out: Path) -> Path:
    """Write the dataset `factor` times over, with fresh ids, as a CSV folder."""
    out.mkdir(parents=True, exist_ok=True)
    resp = pd.read_csv(source / "respondenten.csv", dtype=str, keep_default_na=False)
    exp = pd.read_csv(source / "experimenten.csv", dtype=str, keep_default_na=False)
    copies = pd.RangeIndex(factor).repeat(len(resp))
    big_r = pd.concat([resp] * factor, ignore_index=True)
    big_r["respondent_id"] = big_r["respondent_id"] + "-" + copies.astype(str)
    copies = pd.RangeIndex(factor).repeat(len(exp))
    big_e = pd.concat([exp] * factor, ignore_index=True)
    suffix = "-" + copies.astype(str)
    big_e["pilot_id"] = big_e["pilot_id"] + suffix
    big_e["respondent_id"] = big_e["respondent_id"] + suffix
    big_r.to_csv(out / "respondenten.csv", index=False)
    big_e.to_csv(out / "experimenten.csv", index=False)
    return out


def measure(factor: int) -> dict:
    """Times of check, figures and cross-tabs on the grown dataset (run in a fresh process)."""
    from shv_analysis.analysis.crosstab import crosstab
    from shv_analysis.analysis.figures import compute_figures
    from shv_analysis.ingest.validation import check_dataset

    with tempfile.TemporaryDirectory() as tmp:
        folder = grow(DEFAULT_DATA, factor, Path(tmp) / "data")
        start = time.perf_counter()
        result = check_dataset(folder)
        t_check = time.perf_counter() - start
        assert result.ok, result.errors[:3]
        ds = result.dataset
        start = time.perf_counter()
        compute_figures(ds)
        t_figures = time.perf_counter() - start
        fields = [
            f.name for f in cb.fields(cb.EXPERIMENTEN) if f.kind in ("single", "multi", "yesno")
        ]
        start = time.perf_counter()
        for row in fields:
            for col in GROUPS:
                # the tests are computed when read (`LazyTests`): read, as an unsuppressed
                # table does
                _ = crosstab(ds, row, col).test
        t_cross = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "factor": factor,
        "pilots": len(ds.experimenten),
        "check": t_check,
        "figures": t_figures,
        "crosstabs": t_cross,
        "n_crosstabs": len(fields) * len(GROUPS),
        "total": t_check + t_figures + t_cross,
        "peak_mb": peak_mb,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10,100,1000")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return 0
    rows = []
    for factor in (int(s) for s in args.scales.split(",")):
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(factor)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    frame = pd.DataFrame(rows).set_index("factor")
    growth = pd.Series(frame.index, index=frame.index).astype(float)
    for part in ("check", "figures", "crosstabs", "total"):
        # time ratio to the previous scale divided by the data ratio: <= 1 is no worse than
        # linear (at 1x the cross-tabs use exact Fisher tests, at larger n chi-square)
        frame[f"{part}_step"] = (frame[part] / frame[part].shift()) / (growth / growth.shift())
    pd.set_option("display.width", 200)
    print(frame.round(3).to_string())
    big = frame.iloc[-1]
    print(
        f"\nlargest case: {int(big['pilots'])} pilots, {big['total']:.2f} s "
        f"(limit {LIMIT_SECONDS} s), peak {big['peak_mb']:.0f} MB (limit {LIMIT_MB} MB)"
    )
    ok = big["total"] <= LIMIT_SECONDS and big["peak_mb"] <= LIMIT_MB
    print("within limits" if ok else "OVER LIMITS")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
