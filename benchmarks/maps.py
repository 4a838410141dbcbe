"""What the maps cost: in a `shv report` run, and per map in-process.

    .venv/bin/python benchmarks/maps.py [--data DATA] [--repeat 3] [--jobs N] [--sections 01,02]
                                          [--reference DIR] [--keep DIR]

The report draws three maps when municipal boundaries are present (section 01: coverage and
pilots; section 02: the dominant type); without them each map is replaced by a sentence.

1. **In a report run**: `shv report` (all sections, or `--sections`) with `SHV_REFERENCE_DIR`
   set to
   - `maps`: the reference folder (tables and boundaries): three maps;
   - `no-boundaries`: a copy of the reference tables without `gemeenten_2019.geojson`: the
     same run in every other respect, the maps replaced by sentences;
   - `empty`: an empty folder: no reference at all (no maps, and no province or population
     class from the reference either, so the data check and tables differ too).
   Runs are interleaved (maps, no-boundaries, empty, maps, ...) so a change in the machine's
   load hits every variant alike; the medians over `--repeat` runs are compared. The time the
   maps add is `maps - no-boundaries`: wall-clock of the whole command, and the execute time
   of sections 01 and 02 from the manifest (less noisy).
2. **In-process**: parsing the boundaries once (cold), then per map the classification and
   drawing (`maps.report_map`) and writing PNG (150 dpi) + SVG (`figures_io.save_figure`),
   median of `--repeat` rounds after a first, warm-up round.

Target: the maps add at most 2 s to a report run. Exit code 1 when missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "src"))

from shv_analysis.config import DEFAULT_DATA  # noqa: E402
from shv_analysis.ingest import reference  # noqa: E402

TARGET_SECONDS = 2.0
MAP_SECTIONS = ("01_overzicht", "02_kenmerken")
KINDS = ("dekking", "pilots", "type")


def report_once(work: Path, data: Path, ref_dir: Path, name: str, jobs: list[str]) -> dict:
    out = work / name
    if out.exists():
        shutil.rmtree(out)
    env = dict(os.environ, **{reference.ENV_VAR: str(ref_dir)})
    start = time.perf_counter()
    subprocess.run(
        [str(BIN / "shv"), "report", "--data", str(data), "--out", str(out), *jobs],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - start
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    sections = {s["name"]: s for s in manifest["sections"]}
    maps = len(list((out / "figures").glob("*kaart*.png")))
    return {
        "wall": wall,
        "maps": maps,
        "execute": sum(sections[s]["execute_seconds"] for s in MAP_SECTIONS),
        **{s: sections[s]["execute_seconds"] for s in MAP_SECTIONS},
    }


def in_process(data: Path, ref_dir: Path, repeat: int, work: Path) -> dict:
    os.environ[reference.ENV_VAR] = str(ref_dir)
    import shv_analysis as shv
    from shv_analysis.present import maps
    from shv_analysis.present.figures_io import save_figure

    ds = shv.load(data)
    start = time.perf_counter()
    maps.load_boundaries()
    parse = time.perf_counter() - start
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in KINDS}
    for _ in range(repeat + 1):  # the first round warms up (fonts, first draw)
        for kind in KINDS:
            start = time.perf_counter()
            fig = maps.report_map(ds, kind)
            drawn = time.perf_counter()
            save_figure(fig, work / f"kaart_{kind}")
            times[kind].append((drawn - start, time.perf_counter() - drawn))
    result = {"parse": parse}
    for kind, rounds in times.items():
        result[kind] = {
            "first": sum(rounds[0]),
            "draw": statistics.median(r[0] for r in rounds[1:]),
            "save": statistics.median(r[1] for r in rounds[1:]),
        }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, help="passed to shv report (default: CPUs)")
    parser.add_argument(
        "--sections", help="passed to shv report, e.g. 01,02 (default: all; must include 01 and 02)"
    )
    parser.add_argument(
        "--reference", help="reference folder with boundaries (default: the one shv finds)"
    )
    parser.add_argument("--keep", help="work in this folder and keep it (default: temporary)")
    args = parser.parse_args(argv)
    data = Path(args.data).resolve()
    ref_dir = Path(args.reference).resolve() if args.reference else reference.find_reference_dir()
    if ref_dir is None or not (ref_dir / reference.BOUNDARIES_FILE).is_file():
        print(
            f"no reference folder with {reference.BOUNDARIES_FILE}; set "
            f"${reference.ENV_VAR} or pass --reference",
            file=sys.stderr,
        )
        return 2
    jobs = (["--jobs", str(args.jobs)] if args.jobs else []) + (
        ["--sections", args.sections] if args.sections else []
    )

    with tempfile.TemporaryDirectory(prefix="shv-bench-maps-") as tmp:
        work = Path(args.keep).resolve() if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        print(f"{platform.platform()}, {os.cpu_count()} CPUs, python {platform.python_version()}")
        print(f"data: {data}\nreference: {ref_dir}\nshv report options: {' '.join(jobs)}")
        no_bnd = work / "ref-no-boundaries"
        no_bnd.mkdir(exist_ok=True)
        for item in ref_dir.iterdir():
            if item.is_file() and item.name != reference.BOUNDARIES_FILE:
                shutil.copy2(item, no_bnd / item.name)
        empty = work / "ref-empty"
        empty.mkdir(exist_ok=True)
        variants = {"maps": ref_dir, "no-boundaries": no_bnd, "empty": empty}
        runs: dict[str, list[dict]] = {name: [] for name in variants}
        for i in range(args.repeat):
            for name, folder in variants.items():
                runs[name].append(report_once(work, data, folder, name, jobs))
                print(f"  run {i + 1} {name:<14} {runs[name][-1]['wall']:6.1f} s", flush=True)
        inproc = in_process(data, ref_dir, args.repeat, work)

    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name])

    print()
    print(f"shv report, median of {args.repeat}:")
    print(
        f"{'variant':<14} {'maps':>4} {'wall':>7} {'01+02 execute':>14} "
        f"{'01 execute':>11} {'02 execute':>11}"
    )
    for name in variants:
        print(
            f"{name:<14} {runs[name][0]['maps']:>4} {med(name, 'wall'):>6.1f}s "
            f"{med(name, 'execute'):>13.2f}s {med(name, MAP_SECTIONS[0]):>10.2f}s "
            f"{med(name, MAP_SECTIONS[1]):>10.2f}s"
        )
    added_wall = med("maps", "wall") - med("no-boundaries", "wall")
    added_exec = med("maps", "execute") - med("no-boundaries", "execute")
    print(
        f"\nmaps add (maps - no-boundaries): {added_wall:+.2f} s wall-clock, "
        f"{added_exec:+.2f} s execute time of 01+02 (target <= {TARGET_SECONDS} s)"
    )
    print(
        f"(maps - empty reference: {med('maps', 'wall') - med('empty', 'wall'):+.2f} s wall-clock)"
    )
    print(f"\nin-process: boundaries parsed once (cold) in {inproc['parse']:.2f} s")
    print(f"{'map':<8} {'first':>7} {'draw':>7} {'save':>7} {'draw+save':>10}")
    for kind in KINDS:
        r = inproc[kind]
        print(
            f"{kind:<8} {r['first']:>6.2f}s {r['draw']:>6.2f}s {r['save']:>6.2f}s "
            f"{r['draw'] + r['save']:>9.2f}s"
        )
    total = inproc["parse"] + sum(inproc[k]["draw"] + inproc[k]["save"] for k in KINDS)
    print(f"three maps in-process (parse + draw + save, warm): {total:.2f} s")
    ok = max(added_wall, added_exec) <= TARGET_SECONDS
    print("target met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
