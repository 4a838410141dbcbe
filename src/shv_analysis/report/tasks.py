"""One task of `shv report`: one section notebook of one report, run in a worker process.

`init_worker` (the pool's initializer) starts the worker's kernel (`engine.Worker`) and the
two HTML exporters; `run_task` localises the notebook, executes it with papermill, fixes what
would differ between runs (the injected cell's id, the build folder's name) and renders the
section page without and with code. A failing notebook gives a `SectionResult` with status
"failed" and the failing cell; it never raises. `longest_first` orders the tasks for the pool:
the longest first (LPT), so the longest section does not start last and finish last.

This module is imported by the main process too (for `Task` and `SectionResult`), so papermill,
nbformat and nbconvert are imported in the worker only, when it starts.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import gc
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

from shv_analysis.report.language import localise
from shv_analysis.report.outputs import rename_folder
from shv_analysis.report.rendering import render_section, section_exporters

#: The Jupyter kernel of every notebook, named explicitly (not taken from the notebook).
KERNEL_NAME = "python3"
INJECTED_TAG = "injected-parameters"


@dataclasses.dataclass(frozen=True)
class Task:
    """One notebook of one report, as a worker runs it."""

    report: str  # folder of the report inside the build folder ("" = the root)
    section: str  # notebook stem, e.g. "01_overzicht"
    notebook: str  # input notebook path
    report_dir: str  # absolute build folder of this report
    parameters: tuple  # ((name, value), ...) passed to papermill
    lang: str
    timeout: int | None
    final_dir: str = ""  # where the report is installed; named in its notebooks and HTML


#: Seconds per section (worker time: execute + HTML) of a report on the embedded dataset,
#: used to order the tasks when the output folder has no manifest of an earlier run.
SECTION_COSTS = {
    "05_kruistabellen": 5.3,
    "01_overzicht": 3.8,
    "00_datakwaliteit": 2.2,
    "02_kenmerken": 2.2,
    "03_effecten": 1.2,
    "04_lessen": 0.6,
    "99_reproductie": 0.5,
}
DEFAULT_COST = 1.0  # a section not in the table


def previous_costs(out: Path | None, reports: list[str]) -> dict[tuple[str, str], float]:
    """Seconds per (report, section) of the earlier run in `out`, from its manifest.json files.

    `reports` are the report folders ("" for a single report); a missing or unreadable
    manifest, or a failed section, gives no entry.
    """
    costs: dict[tuple[str, str], float] = {}
    if out is None:
        return costs
    for report in reports:
        try:
            manifest = json.loads((Path(out) / report / "manifest.json").read_text("utf-8"))
            for entry in manifest.get("sections", []):
                seconds = entry.get("seconds") or entry.get("execute_seconds")
                if entry.get("status") == "ok" and isinstance(seconds, (int, float)):
                    costs[(report, str(entry["name"]))] = float(seconds)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            continue
    return costs


def longest_first(tasks: list[Task], previous: dict[tuple[str, str], float]) -> list[Task]:
    """The tasks ordered by estimated seconds, longest first; ties keep their order.

    The estimate of a task is its time in the earlier run (`previous_costs`), else the mean
    of that section's times in the other reports of that run, else `SECTION_COSTS`, else
    `DEFAULT_COST`. Only the order in which the pool starts tasks depends on it, never an
    output.
    """
    by_section: dict[str, list[float]] = {}
    for (_, section), seconds in previous.items():
        by_section.setdefault(section, []).append(seconds)

    def cost(task: Task) -> float:
        if (task.report, task.section) in previous:
            return previous[(task.report, task.section)]
        if task.section in by_section:
            return sum(by_section[task.section]) / len(by_section[task.section])
        return SECTION_COSTS.get(task.section, DEFAULT_COST)

    return sorted(tasks, key=cost, reverse=True)


@dataclasses.dataclass
class SectionResult:
    """What became of one task: status, time, the files written, the error if it failed."""

    report: str
    section: str
    title: str
    status: str  # "ok" | "failed"
    seconds: float
    error: dict | None = None  # cell_index, exec_count, source, ename, evalue
    files: list = dataclasses.field(default_factory=list)
    execute_seconds: float = 0.0  # papermill (kernel reset + cells)
    render_seconds: float = 0.0  # both HTML files (the figures' PNGs made meanwhile)

    def describe_error(self) -> str:
        """'cell 3 (In [2]) `source`: ValueError: message' (the parts that are known)."""
        e = self.error or {}
        where = ""
        if e.get("cell_index") is not None:
            count = f" (In [{e['exec_count']}])" if e.get("exec_count") is not None else ""
            where = f"cell {e['cell_index']}{count}"
            if e.get("source"):
                where += f" `{e['source']}`"
            where += ": "
        return f"{where}{e.get('ename', 'Error')}: {e.get('evalue', '')}"


def error_info(exc: BaseException) -> dict:
    """The error record of a SectionResult from a papermill, kernel or other exception."""
    source = getattr(exc, "source", "") or ""
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    return {
        "cell_index": getattr(exc, "cell_index", None),
        "exec_count": getattr(exc, "exec_count", None),
        "source": first[:80],
        "ename": getattr(exc, "ename", type(exc).__name__),
        "evalue": str(getattr(exc, "evalue", exc))[:500],
    }


def notebook_title(nb, default: str) -> str:
    """The text of the first `# ` heading in a markdown cell, else `default`."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return default


def fix_injected_cell_id(nb) -> None:
    """Give papermill's injected-parameters cell a fixed id instead of a random one.

    papermill creates that cell with `nbformat.v4.new_code_cell`, whose id is random; it
    would differ between two runs in the executed notebook and in both HTML files
    (`id="cell-id=..."`). Ids of the notebook's own cells come from the source notebook.
    """
    taken = {cell.get("id") for cell in nb.cells}
    for cell in nb.cells:
        if "id" in cell and INJECTED_TAG in cell.get("metadata", {}).get("tags", []):
            taken.discard(cell.id)
            new, i = INJECTED_TAG, 2
            while new in taken:
                new, i = f"{INJECTED_TAG}-{i}", i + 1
            cell.id = new
            taken.add(new)


# ===================================================================== the worker process


@dataclasses.dataclass
class _WorkerState:
    worker: object  # engine.Worker
    exporters: dict  # rendering.section_exporters()


_STATE: _WorkerState | Exception | None = None  # per worker process


def init_worker(kernel_name: str, warm: bool) -> None:
    """Initializer of a worker process: its kernel (warm: started now) and HTML exporters.

    An error is kept and reported by every task of this worker instead of raised.
    """
    global _STATE
    # jsonschema (imported by nbformat) imports rfc3987_syntax when installed, which
    # builds a grammar for ~3 s; it only checks 'iri' formats, which notebook schemas do
    # not use. jsonschema skips the checker when the import fails.
    sys.modules.setdefault("rfc3987_syntax", None)
    # The kernels (started below, they inherit the environment) write each figure's SVG
    # only; run_task makes the PNGs from them while it renders the section's HTML.
    from shv_analysis.present.figures_io import DEFER_PNG_ENV

    os.environ[DEFER_PNG_ENV] = "1"
    try:
        # papermill first: it loads the engine module through its entry point (engine.py)
        import papermill  # noqa: F401

        from shv_analysis.report.engine import Worker

        _STATE = _WorkerState(Worker(kernel_name, warm), section_exporters())
    except Exception as exc:  # noqa: BLE001 - reported by the first task instead
        _STATE = exc
    # As in the kernels (engine.prelude_source): what the imports made stays for the
    # process's life; out of the cyclic collector's scans, its collections are cheap.
    gc.freeze()


def _ready() -> bool:
    """A no-op task: submitting one per worker makes the pool start its processes now."""
    return isinstance(_STATE, _WorkerState)


def start_pool(workers: int, warm: bool) -> cf.ProcessPoolExecutor:
    """A pool of `workers` spawned worker processes (`init_worker`), started at once.


    A ProcessPoolExecutor starts a process per submitted task, when the tasks come; here
    every worker is started right away (one `_ready` task each), so that kernel start-up and
    imports overlap with what the caller does before submitting the real tasks.
    """
    pool = cf.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=init_worker,
        initargs=(KERNEL_NAME, warm),
    )
    for _ in range(workers):
        pool.submit(_ready)
    return pool


def run_task(task: Task) -> SectionResult:
    """Execute one notebook and render its two HTML files (runs in a worker process)."""
    start = time.perf_counter()
    state = _STATE
    if not isinstance(state, _WorkerState):
        return SectionResult(
            task.report,
            task.section,
            task.section,
            "failed",
            0.0,
            {
                "ename": type(state).__name__ if state else "WorkerError",
                "evalue": str(state) if state else "worker not initialised",
                "cell_index": None,
            },
        )
    import nbformat  # imported by init_worker already

    from shv_analysis.present.figures_io import rasterise_missing

    report_dir = Path(task.report_dir)
    out_nb = report_dir / "notebooks" / f"{task.section}.ipynb"
    out_nb.parent.mkdir(parents=True, exist_ok=True)
    nb = localise(nbformat.read(task.notebook, as_version=4), task.lang)
    title = notebook_title(nb, task.section)
    error = None
    executed = None
    try:
        executed = state.worker.execute(nb, str(out_nb), dict(task.parameters), task.timeout)
    except Exception as exc:  # noqa: BLE001 - a cell error, dead kernel, timeout
        error = error_info(exc)
    executed_at = time.perf_counter()
    if executed is None and out_nb.is_file():
        executed = nbformat.read(out_nb, as_version=4)
    if (
        error
        and not error.get("source")
        and executed is not None
        and error.get("cell_index") is not None
        and error["cell_index"] < len(executed.cells)
    ):
        lines = executed.cells[error["cell_index"]].source.strip().splitlines()
        error["source"] = lines[0][:80] if lines else ""
    if executed is not None:
        # papermill records a NotebookNode input as the whole notebook; name the file instead
        executed.metadata.setdefault("papermill", {})["input_path"] = str(task.notebook)
        fix_injected_cell_id(executed)
        if task.final_dir and task.final_dir != task.report_dir:
            # name the folder the report will be installed in, not the temporary build
            # folder (whose name holds a process id), before the HTML is rendered from it
            rename_folder(executed, task.report_dir, task.final_dir)
        nbformat.write(executed, out_nb)
    files = [out_nb] if out_nb.is_file() else []
    # typst rasterises outside the GIL, so the PNGs are made beside the HTML rendering.
    pngs = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="shv-png")
    made = pngs.submit(rasterise_missing, report_dir / "figures", f"{task.section}__")
    if executed is not None:
        try:
            for kind, suffix in (("html", ".html"), ("code", ".code.html")):
                body = render_section(state.exporters[kind], executed, title)
                path = report_dir / "html" / f"{task.section}{suffix}"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(body, encoding="utf-8")
                files.append(path)
        except Exception as exc:  # noqa: BLE001 - the section failed to render
            error = error or {**error_info(exc), "cell_index": None, "source": "HTML"}
    try:
        made.result()
    except Exception as exc:  # noqa: BLE001 - a figure that typst cannot read
        error = error or {**error_info(exc), "cell_index": None, "source": "PNG"}
    finally:
        pngs.shutdown()
    end = time.perf_counter()
    return SectionResult(
        task.report,
        task.section,
        title,
        "failed" if error else "ok",
        round(end - start, 3),
        error,
        [str(p.relative_to(report_dir)) for p in files],
        round(executed_at - start, 3),
        round(end - executed_at, 3),
    )
