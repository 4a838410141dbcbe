"""`shv report` against the naive serial way, on the same notebooks, in one run.

    .venv/bin/python benchmarks/report_vs_serial.py [--data DATA] [--jobs N] [--keep DIR]

Naive serial: for each section notebook, the `papermill` command (kernel python3, the same
parameters `shv report` passes: data, lang, output_dir) and then `jupyter nbconvert --to html
--no-input`, each as a separate command, one after the other. Then `shv report` (one
command, all sections, workers in parallel) and `shv report --each respondenttype` (one
report per respondent type plus the overall one). Prints both times, the ratios against
the targets (report <= 0.25 x serial; --each <= 2.0 x one report; `shv report` includes
the single file and the PDF) and the time per section.
Wall-clock times of whole commands, start-up included; the machine's other load counts too,
so compare numbers from one run. Exit code 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "src"))

from shv_analysis.config import DEFAULT_DATA, NOTEBOOK_DIR  # noqa: E402
from shv_analysis.report.runner import discover_notebooks  # noqa: E402

REPORT_TARGET, EACH_TARGET = 0.25, 2.0


def run(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def serial(work: Path, data: Path) -> tuple[float, dict]:
    out = work / "serial"
    out.mkdir()
    per_section = {}
    total = 0.0
    for nb in discover_notebooks(NOTEBOOK_DIR):
        executed = out / f"{nb.stem}.ipynb"
        t_pm = run(
            [
                str(BIN / "papermill"),
                str(nb),
                str(executed),
                "-k",
                "python3",
                "-p",
                "data",
                str(data),
                "-p",
                "lang",
                "nl",
                "-p",
                "output_dir",
                str(out),
                "--no-progress-bar",
            ]
        )
        t_html = run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)]
        )
        per_section[nb.stem] = (t_pm, t_html)
        total += t_pm + t_html
    return total, per_section


def report(work: Path, data: Path, name: str, extra: list[str]) -> tuple[float, dict]:
    out = work / name
    seconds = run([str(BIN / "shv"), "report", "--data", str(data), "--out", str(out), *extra])
    return seconds, json.loads((out / "manifest.json").read_text("utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--jobs", type=int, help="passed to shv report (default: CPUs)")
    parser.add_argument("--keep", help="work in this folder and keep it (default: temporary)")
    args = parser.parse_args(argv)
    data = Path(args.data).resolve()
    extra = ["--jobs", str(args.jobs)] if args.jobs else []

    with tempfile.TemporaryDirectory(prefix="shv-bench-") as tmp:
        work = Path(args.keep).resolve() if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        print(f"{platform.platform()}, {os.cpu_count()} CPUs, python {platform.python_version()}")
        print(f"data: {data}")
        t_serial, per_serial = serial(work, data)
        t_report, manifest = report(work, data, "report", extra)
        t_each, each_manifest = report(work, data, "each", extra + ["--each", "respondenttype"])

    sections = {s["name"]: s for s in manifest["sections"]}
    print()
    print(
        f"{'section':<20} {'papermill':>10} {'nbconvert':>10} {'shv: total':>11} "
        f"{'execute':>8} {'html':>6}"
    )
    for name, (t_pm, t_html) in per_serial.items():
        s = sections.get(name, {})
        print(
            f"{name:<20} {t_pm:>9.1f}s {t_html:>9.1f}s {s.get('seconds', 0):>10.1f}s "
            f"{s.get('execute_seconds', 0):>7.1f}s {s.get('render_seconds', 0):>5.1f}s"
        )
    ratio = t_report / t_serial
    each_ratio = t_each / t_report
    reports = len(each_manifest.get("reports", []))
    print()
    print(f"naive serial (papermill + nbconvert per notebook): {t_serial:7.1f} s")
    print(f"shv report:                                        {t_report:7.1f} s")
    print(
        f"ratio shv report / serial:                         {ratio:7.3f}  "
        f"(target <= {REPORT_TARGET})"
    )
    print(f"shv report --each respondenttype ({reports} reports):     {t_each:7.1f} s")
    print(
        f"ratio --each / one report:                         {each_ratio:7.3f}  "
        f"(target <= {EACH_TARGET})"
    )
    ok = ratio <= REPORT_TARGET and each_ratio <= EACH_TARGET
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
