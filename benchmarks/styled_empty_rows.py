"""`check` on a workbook with a million styled but empty rows, against the same data without them.

    .venv/bin/python benchmarks/styled_empty_rows.py [--repeat 3] [--keep DIR]

The styled workbook is written by `../shared/cases/styled-empty-rows/build.py` (three pilots
above formatted empty rows down to Excel's last row, ~17 MB). The plain workbook is the same
file with those rows removed, so every other byte is the same. After one warm-up check
(imports, reference tables), both are checked `--repeat` times, interleaved so a change in the
machine's load hits both alike; the medians are compared.

Target (issue 11): the styled workbook checks in at most 3 x the plain time + 2 s. Exit code 1
when missed, or when the two results differ.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from shv_analysis.ingest.validation import check_dataset

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT.parent / "shared" / "cases" / "styled-empty-rows" / "build.py"


def build(folder: Path) -> tuple[Path, Path]:
    """(styled workbook, the same workbook without its empty styled rows)."""
    styled, plain = folder / "styled.xlsx", folder / "plain.xlsx"
    if not BUILD.is_file():
        sys.exit(f"missing {BUILD}: the shared cases live beside the checkout")
    subprocess.run([sys.executable, str(BUILD), str(styled)], check=True)
    with zipfile.ZipFile(styled) as zin, zipfile.ZipFile(plain, "w", zipfile.ZIP_DEFLATED) as out:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = re.sub(
                    rb'<row r="(?:[5-9]|\d{2,})">(?:<c r="[A-Z]+\d+" s="\d+"/>)*</row>', b"", data
                )
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:H4"/>', data)
            out.writestr(item, data)
    return styled, plain


def timed(path: Path) -> tuple[float, tuple]:
    start = time.perf_counter()
    result = check_dataset(path)
    seconds = time.perf_counter() - start
    pilots = result.dataset.experimenten if result.dataset is not None else None
    summary = (
        result.ok,
        len(result.errors),
        None if pilots is None else pilots.drop(columns="_rij").to_json(),
    )
    return seconds, summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the workbooks here (default: a temp dir)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        styled, plain = build(folder)
        print(
            f"styled workbook: {styled.stat().st_size / 1e6:.1f} MB; plain: "
            f"{plain.stat().st_size / 1e3:.1f} kB"
        )
        timed(plain)  # warm-up: imports and reference tables
        times = {"plain": [], "styled": []}
        results = {}
        for _ in range(args.repeat):
            for name, path in (("plain", plain), ("styled", styled)):
                seconds, results[name] = timed(path)
                times[name].append(seconds)
    plain_s, styled_s = (statistics.median(times[k]) for k in ("plain", "styled"))
    target = 3 * plain_s + 2
    print(f"check, plain workbook : {plain_s:6.2f} s (median of {args.repeat})")
    print(f"check, styled workbook: {styled_s:6.2f} s (median of {args.repeat})")
    print(
        f"ratio styled/plain    : {styled_s / plain_s:6.1f} x; target: styled <= 3 x plain + 2 s "
        f"= {target:.2f} s: {'met' if styled_s <= target else 'MISSED'}"
    )
    same = results["plain"] == results["styled"]
    print(f"same result           : {'yes' if same else 'NO'}")
    return 0 if styled_s <= target and same else 1


if __name__ == "__main__":
    sys.exit(main())
