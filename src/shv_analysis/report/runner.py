"""`shv report`: execute the section notebooks with papermill and write a complete report.

Per report folder::

    index.html               table of contents: sections by title (appendix 00 and 99
                             last), tables and figures by title, date, how to read it
    rapport.html             the whole report in one self-contained page (report.html in
                             English; `single_file`)
    rapport.pdf              the whole report on A4 (report.pdf; `pdf`, made with Typst;
                             not with --no-pdf)
    manifest.json            data path + SHA-256 per data file, parameters, version, status
                             and time per section, synthetic flag
    tables.xlsx              every table, one sheet each (plus an about sheet)
    html/<section>.html      for reviewers: outputs only, no code
    html/<section>.code.html for analysts: code and outputs
    notebooks/<section>.ipynb the executed notebooks
    figures/<section>__<key>.png / .svg
    tables/<section>__<key>.csv / .json (data / title, footnote, notice)

`--each FIELD` writes one such folder per value (`<field>-<value>/`) plus `all/`, and a
top-level `index.html` and `manifest.json` linking them.

How it runs
-----------
The data are checked first, in this process; invalid data stop the run with the same
problem list as `shv check` (exit 1) before any notebook starts. Every (report, section)
pair is then a task for a pool of worker *processes* (`--jobs`, default `os.cpu_count()`),
started before the data check; report by report, the longest tasks go first
(`scheduling.report_by_report`, from the times in the previous manifest.json). Each task
(`tasks.run_task`) runs papermill (kernel `python3`, named explicitly), renders both HTML
files with nbconvert's `HTMLExporter` in the worker (`rendering`) and makes the PNGs of the
figures the kernel saved as SVG. When a report's sections are done, its workbook and single
file (`whole.write_whole_report`) and its PDF (`whole.make_pdf`) are made by the workers
too, ahead of the sections still waiting; at the end this process writes each report's
index.html and manifest.json.

Warm kernels (the default): each worker starts one kernel and reuses it for all its
notebooks, through the papermill engine `shv` (`engine.WarmEngine`, registered through the
package's `papermill.engine` entry point), which resets the kernel before every notebook.
`--isolated` gives every notebook a fresh kernel instead (slower, for notebooks that change
global state). Worker processes are spawned, not forked.

Failures and the output folder
------------------------------
A failing section does not stop the others. Everything is built in a temporary sibling
folder (`<out>.partial-<pid>`). When every section succeeded, the new folder replaces
`<out>` by two renames at the very end (files in `<out>` that were not written by a report,
such as a README, are carried over). When any section failed, the new folder goes to
`<out>.failed/` (executed notebooks included, for inspection), the previous good `<out>` is
left untouched, a summary names each failed section with its cell and error, and the exit
code is 1. A later successful run removes a stale `<out>.failed/`.

Determinism: two runs on the same data, parameters and --out give byte-identical tables
(CSV, sidecars, tables.xlsx), figures (PNG, SVG) and HTML, and executed notebooks that differ
only in timing metadata (papermill's start/end/duration, nbclient's `execution` stamps);
manifest.json differs in `created_utc` and the seconds. index.html, rapport.html and
rapport.pdf are byte-identical too: the date they show is the report date
(`contents.report_date`: SOURCE_DATE_EPOCH when set, else the UTC day of the run, also in
the manifest as `report_date`), so runs on the same day, or with the same
SOURCE_DATE_EPOCH, agree. The
number of workers and the processes' hash seeds do not matter (tests/test_determinism.py).
Hence papermill's injected-parameters cell gets a fixed id (`fix_injected_cell_id`), and the
workers write the final folder, not the build folder, into notebooks before rendering HTML
(`outputs.rename_folder`, in every form papermill and Python write a path).

Privacy: the report contains only what the notebooks display and save (tables, figures,
computed sentences) from the loaded dataset, in which contact columns were dropped and
e-mail addresses and phone numbers masked; input files are only hashed, never copied.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from shv_analysis.coding.decisions import decisions_step
from shv_analysis.config import DEFAULT_DATA, NOTEBOOK_DIR, OUTPUT_DIR
from shv_analysis.ingest.validation import check_dataset
from shv_analysis.report.contents import report_date
from shv_analysis.report.finishing import ReportPlan, finish_each, finish_report, print_summary
from shv_analysis.report.outputs import (
    check_output_folder,
    data_record,
    install,
    keep_failed,
    remove_stale_failed,
)
from shv_analysis.report.parameters import check_parameters, known_parameters, parse_parameters
from shv_analysis.report.rendering import WORDS
from shv_analysis.report.scheduling import run_jobs
from shv_analysis.report.tasks import Task, previous_costs, start_pool
from shv_analysis.text import normalise_lang

DEFAULT_TIMEOUT = 600
NOTEBOOK_RE = re.compile(r"^(\d{2})_[A-Za-z0-9_]+\.ipynb$")
ALL_DIR = "all"
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def discover_notebooks(
    folder: str | Path | None = None, sections: Sequence[str] | None = None
) -> list[Path]:
    """Section notebooks `NN_name.ipynb` of a folder in order, optionally only some.

    Args:
        folder: the notebook folder (default: the package's notebooks).
        sections: stems ("04_lessen") or numbers ("04") to keep; None for all.

    Raises:
        ValueError: a wanted section has no notebook (the message lists those there are).
    """
    folder = Path(folder) if folder else NOTEBOOK_DIR
    found = sorted(p for p in folder.glob("*.ipynb") if NOTEBOOK_RE.match(p.name))
    if not sections:
        return found
    wanted = []
    for item in sections:
        item = item.strip()
        match = [p for p in found if p.stem == item or p.stem.split("_", 1)[0] == item]
        if not match:
            raise ValueError(
                f"no section notebook {item!r} in {folder} (have: "
                f"{', '.join(p.stem for p in found)})"
            )
        wanted += [p for p in match if p not in wanted]
    return sorted(wanted)


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "-", str(value).lower()).strip("-") or "leeg"


def each_values(ds, field_name: str, lang: str = "nl") -> list[tuple[str, str, str]]:
    """(folder, subset spec, label) per value of a respondent or pilot field in the data.

    Values follow the codebook's code list when the field has one, else sort by name.

    Raises:
        ValueError: the field is in neither table.
    """
    from shv_analysis.contract import codebook as cb

    if field_name in ds.respondenten.columns:
        column = ds.respondenten[field_name]
    elif field_name in ds.experimenten.columns:
        column = ds.experimenten[field_name]
    else:
        raise ValueError(
            f"--each: unknown field '{field_name}'; use a single-valued column "
            "such as respondenttype, provincie, grootteklasse or type"
        )
    present = [str(v) for v in column.dropna().unique()]
    try:
        f = cb.any_field(field_name)
        order = f.code_list
    except KeyError:
        f, order = None, []
    if order:
        values = [c for c in order if c in present] + sorted(set(present) - set(order))
    else:
        values = sorted(present)
    out, used = [], set()
    for value in values:
        folder = f"{_slug(field_name)}-{_slug(value)}"
        while folder in used:
            folder += "_"
        used.add(folder)
        label = f.code_label(value, lang) if f is not None and value in order else value
        out.append((folder, f"{field_name}={value}", label))
    return out


def run_report(
    data=None,
    out=None,
    lang: str = "nl",
    jobs: int | None = None,
    parameters: dict | None = None,
    each: str | None = None,
    sections: Sequence[str] | None = None,
    notebook_dir=None,
    warm: bool = True,
    timeout: int | None = DEFAULT_TIMEOUT,
    progress: bool | None = None,
    stream=None,
    pdf: bool = True,
) -> int:
    """Run `shv report` (see the module docstring); returns the exit code.

    Args:
        data: dataset path (default: the embedded synthetic dataset); a `data` parameter
            overrides it, as `lang` and `subset` parameters override `lang` and the subset.
        out: the report folder (default: `config.OUTPUT_DIR`).
        jobs: worker processes (default: the number of CPUs, at most one per notebook).
        parameters: further notebook parameters (not `output_dir`, which the report sets).
        each: a field: one report per value of it, plus `all/`.
        sections: numbers or stems of the sections to run (default: all).
        notebook_dir: folder of the section notebooks (default: the package's).
        warm: one kernel per worker (True) or a fresh one per notebook.
        timeout: seconds allowed per cell (None: no limit).
        progress: True a progress bar, False nothing, None (default) a bar when `stream`
            is a terminal, else one flushed line per finished notebook.
        stream: where messages go (default: stderr).
        pdf: also write the PDF (`rapport.pdf` / `report.pdf`).

    Returns:
        0 when every section succeeded, 1 when a section failed or the data are invalid,
        2 for a usage error (nothing run).
    """
    stream = stream or sys.stderr
    started = time.perf_counter()
    try:
        notebooks = discover_notebooks(notebook_dir, sections)
    except ValueError as exc:
        print(f"shv report: {exc}", file=stream)
        return EXIT_USAGE
    if not notebooks:
        print(
            f"shv report: no section notebooks (NN_name.ipynb) in {notebook_dir or NOTEBOOK_DIR}",
            file=stream,
        )
        return EXIT_USAGE
    known = known_parameters(notebooks)
    try:
        if parameters is None or isinstance(parameters, Mapping):
            params = check_parameters(parameters or {}, known)
        else:
            params = parse_parameters(list(parameters), known)
        lang = normalise_lang(params.pop("lang", lang))
    except ValueError as exc:  # ParameterError: every problem, one per line
        for line in str(exc).splitlines():
            print(f"shv report: {line}", file=stream)
        return EXIT_USAGE
    data_path = Path(params.pop("data", None) or data or DEFAULT_DATA).expanduser().resolve()
    subset = params.pop("subset", None)
    out = Path(out or OUTPUT_DIR).expanduser().resolve()
    refusal = check_output_folder(out)
    if refusal:
        print(f"shv report: {refusal}", file=stream)
        return EXIT_USAGE
    # The workers start (kernel, imports) while this process checks the data.
    workers = max(1, min(jobs or os.cpu_count() or 1, len(notebooks) * (2 if each else 1)))
    pool = start_pool(workers, warm)
    try:
        return _checked_run(
            pool,
            workers,
            data_path,
            params,
            lang,
            each,
            subset,
            notebooks,
            out,
            warm,
            timeout,
            progress,
            pdf,
            stream,
            started,
        )
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _checked_run(
    pool,
    workers,
    data_path,
    params,
    lang,
    each,
    subset,
    notebooks,
    out,
    warm,
    timeout,
    progress,
    pdf,
    stream,
    started,
) -> int:
    """The rest of `run_report`, on the started pool: check the data, run, finish."""
    from shv_analysis import __version__

    checked = check_dataset(
        data_path,
        reference="auto",
        decisions_step=decisions_step("auto"),
        indeling=params.get("indeling"),
    )
    if not checked.ok:
        checked.print_problems(stream)  # the problem list of `shv check`
    ds = checked.dataset if checked.ok else None
    if ds is None:
        print("shv report: the data have errors; no report was made", file=stream)
        return EXIT_FAILED
    empty = [
        name
        for name, frame in (("respondenten", ds.respondenten), ("experimenten", ds.experimenten))
        if frame.empty
    ]
    if empty:
        print(
            f"shv report: the dataset holds no {' and no '.join(empty)} (an empty intake "
            "template?); there is nothing to report, so no report was made",
            file=stream,
        )
        return EXIT_FAILED
    try:
        if each:
            if subset:
                raise ValueError("--each and a subset parameter cannot be combined")
            plans = [ReportPlan(ALL_DIR, None, WORDS[lang]["all"])] + [
                ReportPlan(folder, spec, label)
                for folder, spec, label in each_values(ds, each, lang)
            ]
        else:
            plans = [ReportPlan("", subset, subset or WORDS[lang]["all"])]
        for plan in plans:
            if plan.subset:
                ds.subset(plan.subset)
    except ValueError as exc:
        print(f"shv report: {exc}", file=stream)
        return EXIT_USAGE

    build = out.with_name(f"{out.name}.partial-{os.getpid()}")
    if build.exists():
        shutil.rmtree(build)
    build.mkdir(parents=True)
    try:
        day = report_date()
        finishing = {
            plan.folder: {
                "lang": lang,
                "dataset": ds.display_name(lang),
                "subset": plan.subset,
                "notice": (ds.subset(plan.subset) if plan.subset else ds).notice(lang),
                "day": day,
                "version": __version__,
            }
            for plan in plans
        }
        tasks = section_tasks(plans, notebooks, build, data_path, lang, params, timeout, out)
        reports = [plan.folder for plan in plans]
        record = data_record(data_path)
        by_folder = {plan.folder: plan for plan in plans}
        finished: dict[str, dict] = {}

        def finish(folder: str, mine: list, warnings: list[str]) -> None:
            # index and manifest of a report whose jobs are done, while the pool goes on
            plan = by_folder[folder]
            shared = {"data": str(data_path), "lang": lang, "subset": plan.subset, **params}
            finished[folder] = finish_report(
                build / folder,
                plan,
                mine,
                ds,
                shared,
                lang,
                record,
                warm,
                __version__,
                warnings=warnings,
                day=day,
                stream=stream,
            )

        results, _ = run_jobs(
            pool,
            workers,
            tasks,
            reports,
            previous_costs(out, reports),
            finishing,
            pdf=pdf,
            progress=progress,
            stream=stream,
            on_report=finish,
        )
        for plan in plans:
            if plan.folder not in finished:  # a report without sections
                finish(plan.folder, [], [])
        summaries = [finished[plan.folder] for plan in plans]
        if each:
            finish_each(
                build,
                each,
                summaries,
                ds,
                lang,
                record,
                {"data": str(data_path), "lang": lang, **params},
                __version__,
            )
        failed = [r for r in results if r.status != "ok"]
        if failed:
            where = keep_failed(build, out)
        else:
            install(build, out)
            remove_stale_failed(out)
            where = out
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    print_summary(results, failed, where, out, time.perf_counter() - started, ds, stream)
    return EXIT_FAILED if failed else EXIT_OK


def section_tasks(
    plans, notebooks, build: Path, data_path: Path, lang: str, params: dict, timeout, out
) -> list[Task]:
    """One task per report and section notebook, in that order, with its parameters."""
    tasks = []
    for plan in plans:
        report_dir = build / plan.folder
        for nb in notebooks:
            parameters = {
                "data": str(data_path),
                "lang": lang,
                "subset": plan.subset,
                **params,
                "output_dir": str(report_dir),
            }
            tasks.append(
                Task(
                    plan.folder,
                    nb.stem,
                    str(nb),
                    str(report_dir),
                    tuple(parameters.items()),
                    lang,
                    timeout,
                    str(out / plan.folder) if out else "",
                )
            )
    return tasks
