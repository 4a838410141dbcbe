"""`shv report`: execute the section notebooks with papermill and write a complete report.

Per report folder::

    index.html               links to everything; shows the synthetic notice
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
pair is then a task for a pool of worker *processes* (`--jobs`, default `os.cpu_count()`).
Each task runs papermill (kernel `python3`, named explicitly) and renders both HTML files
with nbconvert's `HTMLExporter` in the worker.

Warm kernels (the default): kernel start-up and importing pandas/matplotlib cost more than
running a section, so each worker starts one kernel and reuses it for all its notebooks,
through a papermill engine (`shv_warm`) that hands nbclient the worker's kernel manager
(nbclient then neither owns nor shuts it down). Before every notebook the engine resets the
kernel: `%reset -f` (user namespace and output history), matplotlib figures closed and
rcParams restored, working directory back to the worker's scratch folder, execution
counter back to 1. Imported modules stay imported: that is the point, and the library keeps
no per-dataset state between calls. A kernel that died or timed out is replaced before the
next notebook. `--isolated` gives every notebook a fresh kernel instead (slower, for
notebooks that change global state). Worker processes are spawned, not forked.

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
manifest.json differs in `created_utc` and the seconds, index.html in its time column. The
number of workers and the processes' hash seeds do not matter (tests/test_determinism.py).
Hence papermill's injected-parameters cell gets a fixed id (`fix_injected_cell_id`), and the
workers write the final folder, not the build folder, into notebooks before rendering HTML
(`rename_folder`, in every form papermill and Python write a path).

Privacy: the report contains only what the notebooks display and save (tables, figures,
computed sentences) from the loaded dataset, in which contact columns were dropped and
e-mail addresses and phone numbers masked; input files are only hashed, never copied.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import dataclasses
import hashlib
import html
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Sequence

from shv_analysis.coding.decisions import DECISIONS_NAME
from shv_analysis.config import DEFAULT_DATA, NOTEBOOK_DIR, OUTPUT_DIR
from shv_analysis.report.language import localise

KERNEL_NAME = "python3"
ENGINE_NAME = "shv_warm"
DEFAULT_TIMEOUT = 600
NOTEBOOK_RE = re.compile(r"^(\d{2})_[A-Za-z0-9_]+\.ipynb$")
RESERVED_PARAMETERS = ("output_dir",)
ALLOWED_FOREIGN = ("readme", ".gitkeep", ".gitignore")
ALL_DIR = "all"
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

WORDS = {
    "nl": {"title": "Experimenten en pilots schuldhulpverlening: rapport", "section": "Sectie",
           "status": "Status", "time": "Tijd (s)", "html": "Rapport", "code": "Met code",
           "notebook": "Notebook", "ok": "gelukt", "failed": "MISLUKT",
           "figures": "Figuren", "tables": "Tabellen", "workbook": "Alle tabellen in Excel",
           "dataset": "Dataset", "subset": "Deelverzameling", "version": "Gemaakt met",
           "manifest": "Herkomst en parameters", "reports": "Rapporten", "report": "Rapport",
           "all": "Alle gegevens", "each": "Eén rapport per waarde van",
           "error": "Fout", "cell": "cel"},
    "en": {"title": "Experiments and pilots in debt assistance: report", "section": "Section",
           "status": "Status", "time": "Time (s)", "html": "Report", "code": "With code",
           "notebook": "Notebook", "ok": "ok", "failed": "FAILED",
           "figures": "Figures", "tables": "Tables", "workbook": "All tables in Excel",
           "dataset": "Dataset", "subset": "Subset", "version": "Made with",
           "manifest": "Provenance and parameters", "reports": "Reports", "report": "Report",
           "all": "All data", "each": "One report per value of",
           "error": "Error", "cell": "cell"},
}


# ===================================================================== tasks and results

@dataclasses.dataclass(frozen=True)
class Task:
    """One notebook of one report, as a worker runs it."""

    report: str          # folder of the report inside the build folder ("" = the root)
    section: str         # notebook stem, e.g. "01_overzicht"
    notebook: str        # input notebook path
    report_dir: str      # absolute build folder of this report
    parameters: tuple    # ((name, value), ...) passed to papermill
    lang: str
    timeout: int | None
    final_dir: str = ""  # where the report is installed; named in its notebooks and HTML


@dataclasses.dataclass
class SectionResult:
    report: str
    section: str
    title: str
    status: str                     # "ok" | "failed"
    seconds: float
    error: dict | None = None       # cell_index, exec_count, source, ename, evalue
    files: list = dataclasses.field(default_factory=list)
    execute_seconds: float = 0.0    # papermill (kernel reset + cells)
    render_seconds: float = 0.0     # both HTML files

    def describe_error(self) -> str:
        e = self.error or {}
        where = ""
        if e.get("cell_index") is not None:
            count = f" (In [{e['exec_count']}])" if e.get("exec_count") is not None else ""
            where = f"cell {e['cell_index']}{count}"
            if e.get("source"):
                where += f" `{e['source']}`"
            where += ": "
        return f"{where}{e.get('ename', 'Error')}: {e.get('evalue', '')}"


# ===================================================================== the worker side

_STATE = None  # per worker process: _Worker


def _reset_source(cwd: str) -> str:
    return "\n".join([
        "%reset -f",
        "import os as _shv_os, sys as _shv_sys",
        f"_shv_os.chdir({cwd!r})",
        "if 'matplotlib.pyplot' in _shv_sys.modules:",
        "    _shv_sys.modules['matplotlib.pyplot'].close('all')",
        "if 'matplotlib' in _shv_sys.modules:",
        "    _shv_sys.modules['matplotlib'].rc_file_defaults()",
        "get_ipython().execution_count = 1",
        "del _shv_os, _shv_sys",
    ])


def _register_engine() -> None:
    """The papermill engine `shv_warm`: nbclient with a given kernel manager, reset first."""
    import papermill.engines as pm_engines
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.utils import merge_kwargs, remove_args

    class WarmClient(PapermillNotebookClient):
        reset_code: str | None = None
        current_cell: int | None = None

        def execute_cell(self, cell, cell_index, *args, **kwargs):
            self.current_cell = cell_index
            return super().execute_cell(cell, cell_index, *args, **kwargs)

        def papermill_execute_cells(self):
            if self.reset_code:
                msg_id = self.kc.execute(self.reset_code, silent=True, store_history=False,
                                         allow_stdin=False)
                reply = self.wait_for_reply(msg_id)
                if reply is None or reply["content"].get("status") != "ok":
                    raise RuntimeError("could not reset the kernel before the notebook")
            super().papermill_execute_cells()

    class WarmEngine(pm_engines.NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False,
                                     stdout_file=None, stderr_file=None, start_timeout=60,
                                     execution_timeout=None, km=None, kc=None,
                                     reset_code=None, keep_path=None, **kwargs):
            kwargs = remove_args(["input_path"], **kwargs)
            safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
            final_kwargs = merge_kwargs(
                safe_kwargs, timeout=execution_timeout or kwargs.get("timeout"),
                startup_timeout=start_timeout, kernel_name=kernel_name, log=pm_engines.logger,
                log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file)
            client = WarmClient(nb_man, km=km, **final_kwargs)
            client.reset_code = reset_code
            client.kc = kc  # the worker's client, reused: no new channels per notebook
            try:
                return client.execute()
            except Exception as exc:
                # Not a cell error (papermill saves those) but a dead kernel or a timeout:
                # keep what ran so far and say in which cell it happened.
                if getattr(exc, "cell_index", None) is None:
                    exc.cell_index = client.current_cell
                if keep_path:
                    import nbformat

                    nbformat.write(nb_man.nb, keep_path)
                raise
            finally:
                if kc is None and client.kc is not None:
                    client.kc.stop_channels()
                client.kc = None

    pm_engines.papermill_engines.register(ENGINE_NAME, WarmEngine)


class _Worker:
    """State of one worker process: papermill, the HTML exporters and (warm) one kernel."""

    def __init__(self, kernel_name: str, warm: bool):
        # jsonschema (imported by nbformat) imports rfc3987_syntax when installed, which
        # builds a grammar for ~3 s; it only checks 'iri' formats, which notebook schemas do
        # not use. jsonschema skips the checker when the import fails.
        sys.modules.setdefault("rfc3987_syntax", None)
        self.kernel_name = kernel_name
        self.warm = warm
        self.scratch = tempfile.mkdtemp(prefix="shv-worker-")
        self.km = None
        self.kc = None
        self.log = open(os.path.join(self.scratch, "kernel.log"), "ab")
        import multiprocessing.util as mp_util

        # Worker processes skip atexit; multiprocessing finalizers run when they exit.
        mp_util.Finalize(self, _Worker.close, args=(self,), exitpriority=10)
        if warm:
            self._start_kernel()
        import papermill  # noqa: F401
        from nbconvert import HTMLExporter

        _register_engine()
        self.exporters = {
            "html": HTMLExporter(template_name="lab", exclude_input=True,
                                 exclude_input_prompt=True, exclude_output_prompt=True),
            "code": HTMLExporter(template_name="lab"),
        }

    def _start_kernel(self) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        env = dict(os.environ, PYDEVD_DISABLE_FILE_VALIDATION="1")
        km = AsyncKernelManager(kernel_name=self.kernel_name)
        # No IPython history: the execution counter is reset per notebook, which the
        # history database would report as a clash in the notebook's output.
        run_sync(km.start_kernel)(cwd=self.scratch, stdout=self.log, stderr=self.log, env=env,
                                  extra_arguments=["--HistoryManager.enabled=False"])
        self.km = km
        kc = km.client()
        kc.start_channels()
        try:
            run_sync(kc.wait_for_ready)(timeout=60)
        except Exception:
            kc.stop_channels()
            raise
        kc.allow_stdin = False
        self.kc = kc

    def _stop_kernel(self) -> None:
        if self.km is None:
            return
        from jupyter_core.utils import run_sync

        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        try:
            run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 - a dead kernel is what we wanted anyway
            pass
        self.km = None

    def kernel(self):
        """A live kernel manager and its client (fresh ones per notebook when not warm)."""
        from jupyter_core.utils import run_sync

        if not self.warm:
            self._stop_kernel()
            self._start_kernel()
        elif self.km is None or not run_sync(self.km.is_alive)():
            self._stop_kernel()
            self._start_kernel()
        return self.km, self.kc

    def close(self) -> None:
        self._stop_kernel()
        self.log.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


def _init_worker(kernel_name: str, warm: bool) -> None:
    global _STATE
    try:
        _STATE = _Worker(kernel_name, warm)
    except Exception as exc:  # noqa: BLE001 - reported by the first task instead
        _STATE = exc


def notebook_title(nb, default: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return default


INJECTED_TAG = "injected-parameters"


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


def _error_info(exc) -> dict:
    source = getattr(exc, "source", "") or ""
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    return {"cell_index": getattr(exc, "cell_index", None),
            "exec_count": getattr(exc, "exec_count", None),
            "source": first[:80], "ename": getattr(exc, "ename", type(exc).__name__),
            "evalue": str(getattr(exc, "evalue", exc))[:500]}


def run_task(task: Task) -> SectionResult:
    """Execute one notebook and render its two HTML files (runs in a worker process)."""
    start = time.perf_counter()
    state = _STATE
    if not isinstance(state, _Worker):
        return SectionResult(task.report, task.section, task.section, "failed", 0.0,
                             {"ename": type(state).__name__ if state else "WorkerError",
                              "evalue": str(state) if state else "worker not initialised",
                              "cell_index": None})
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    report_dir = Path(task.report_dir)
    out_nb = report_dir / "notebooks" / f"{task.section}.ipynb"
    out_nb.parent.mkdir(parents=True, exist_ok=True)
    nb = localise(nbformat.read(task.notebook, as_version=4), task.lang)
    title = notebook_title(nb, task.section)
    error = None
    executed = None
    try:
        km, kc = state.kernel()
        executed = pm.execute_notebook(
            nb, str(out_nb), parameters=dict(task.parameters), engine_name=ENGINE_NAME,
            kernel_name=state.kernel_name, progress_bar=False,
            request_save_on_cell_execute=False, execution_timeout=task.timeout, km=km, kc=kc,
            reset_code=_reset_source(state.scratch), keep_path=str(out_nb))
    except PapermillExecutionError as exc:
        error = _error_info(exc)
    except Exception as exc:  # noqa: BLE001 - dead kernel, timeout, unreadable notebook
        error = _error_info(exc)
        if state.warm:
            state._stop_kernel()  # a kernel in an unknown state is not reused
    executed_at = time.perf_counter()
    if executed is None and out_nb.is_file():
        executed = nbformat.read(out_nb, as_version=4)
    if error and not error.get("source") and executed is not None and \
            error.get("cell_index") is not None and error["cell_index"] < len(executed.cells):
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
    if executed is not None:
        resources = {"metadata": {"name": title}}
        try:
            for kind, suffix in (("html", ".html"), ("code", ".code.html")):
                body, _ = state.exporters[kind].from_notebook_node(executed,
                                                                   resources=resources)
                path = report_dir / "html" / f"{task.section}{suffix}"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(body, encoding="utf-8")
                files.append(path)
        except Exception as exc:  # noqa: BLE001 - the section failed to render
            error = error or {**_error_info(exc), "cell_index": None, "source": "HTML"}
    end = time.perf_counter()
    return SectionResult(task.report, task.section, title, "failed" if error else "ok",
                         round(end - start, 3), error,
                         [str(p.relative_to(report_dir)) for p in files],
                         round(executed_at - start, 3), round(end - executed_at, 3))


# ===================================================================== the main side

def discover_notebooks(folder: str | Path | None = None,
                       sections: Sequence[str] | None = None) -> list[Path]:
    """Section notebooks `NN_name.ipynb` of a folder in order, optionally only some."""
    folder = Path(folder) if folder else NOTEBOOK_DIR
    found = sorted(p for p in folder.glob("*.ipynb") if NOTEBOOK_RE.match(p.name))
    if not sections:
        return found
    wanted = []
    for item in sections:
        item = item.strip()
        match = [p for p in found if p.stem == item or p.stem.split("_", 1)[0] == item]
        if not match:
            raise ValueError(f"no section notebook {item!r} in {folder} (have: "
                             f"{', '.join(p.stem for p in found)})")
        wanted += [p for p in match if p not in wanted]
    return sorted(wanted)


def parse_parameter(text: str) -> tuple[str, object]:
    """'NAME=VALUE' with VALUE read as None/True/False/int/float when it looks like one."""
    if "=" not in text:
        raise ValueError(f"parameter {text!r}: write NAME=VALUE")
    name, value = text.split("=", 1)
    name = name.strip()
    if not name.isidentifier():
        raise ValueError(f"parameter name {name!r} is not a Python identifier")
    if value in ("None", "none", "null"):
        return name, None
    if value in ("True", "true", "False", "false"):
        return name, value.lower() == "true"
    for kind in (int, float):
        try:
            return name, kind(value)
        except ValueError:
            pass
    return name, value


def data_files(path: Path) -> list[Path]:
    """The files a dataset is read from (for the manifest's hashes), never their content."""
    if path.is_dir():
        names = {"respondenten", "experimenten"}
        files = [p for p in path.iterdir() if p.is_file() and (
            (p.stem.lower() in names and p.suffix.lower() in (".csv", ".xlsx", ".parquet"))
            or p.name in ("metadata.json", DECISIONS_NAME))]
        return sorted(files, key=lambda p: p.name)
    decisions = path.with_name(f"{path.stem}.{DECISIONS_NAME}")
    return [path] + ([decisions] if decisions.is_file() else [])


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "-", str(value).lower()).strip("-") or "leeg"


def each_values(ds, field_name: str, lang: str = "nl") -> list[tuple[str, str, str]]:
    """(folder, subset spec, label) per value of a respondent or pilot field in the data."""
    from shv_analysis.contract import codebook as cb

    if field_name in ds.respondenten.columns:
        column = ds.respondenten[field_name]
    elif field_name in ds.experimenten.columns:
        column = ds.experimenten[field_name]
    else:
        raise ValueError(f"--each: unknown field '{field_name}'; use a single-valued column "
                         "such as respondenttype, provincie, grootteklasse or type")
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


@dataclasses.dataclass
class ReportPlan:
    folder: str             # "" for a single report, else "all" / "<field>-<value>"
    subset: str | None
    label: str


def _manifest_entries(folder: Path) -> set[str] | None:
    manifest = folder / "manifest.json"
    try:
        data = json.loads(manifest.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("generator") != "shv-analysis":
        return None
    return set(data.get("entries", []))


def check_output_folder(out: Path) -> str | None:
    """Why `out` may not be replaced by a report (None when it may)."""
    if not out.exists():
        return None
    if not out.is_dir():
        return f"{out} exists and is not a folder"
    if _manifest_entries(out) is not None:
        return None
    foreign = [p.name for p in out.iterdir()
               if not p.name.lower().startswith(ALLOWED_FOREIGN)]
    if foreign:
        held = ", ".join(sorted(foreign)[:5])
        return (f"{out} exists and is not a report folder (it holds {held}); choose a new "
                "or empty folder for --out")
    return None


def _carry_over(old: Path, build: Path) -> None:
    """Copy entries of the old folder that no report wrote (e.g. a README) into the new one."""
    ours = _manifest_entries(old) or set()
    for entry in old.iterdir():
        if entry.name in ours or (build / entry.name).exists():
            continue
        if entry.is_dir():
            shutil.copytree(entry, build / entry.name)
        else:
            shutil.copy2(entry, build / entry.name)


def _path_forms(path: str) -> list[str]:
    """How a folder appears in an executed notebook: as papermill writes a string parameter
    into the injected cell (`unicode_escape`, quotes escaped), as Python's repr shows it, and
    as is (papermill metadata, printed output)."""
    forms = [path.encode("unicode_escape").decode("ascii").replace('"', '\\"'),
             repr(path)[1:-1], path]
    return list(dict.fromkeys(forms))


def path_renamer(old: str, new: str, html_escaped: bool = False):
    """A function replacing folder `old` by `new` in a text, in every form of `_path_forms`,
    in one pass. Only whole folder names: `/x/rapport` does not match in `/x/rapport2`."""
    pairs = dict(zip(_path_forms(old), _path_forms(new)))
    if html_escaped:
        pairs = {html.escape(a): html.escape(b) for a, b in pairs.items()}
    # not followed by what continues a name: a letter, digit, '.', '-', or an escaped
    # non-ASCII letter (\xeb, \u0130) in the escaped form
    pattern = re.compile(
        "(?:" + "|".join(re.escape(a) for a in sorted(pairs, key=len, reverse=True)) + ")"
        r"(?![\w.\-]|\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}|\\U[0-9a-fA-F]{8})")
    return lambda text: pattern.sub(lambda m: pairs[m.group(0)], text)


def rename_folder(node, old: str, new: str, _rename=None):
    """Replace folder `old` by `new` in every string of a notebook (in place; returns it)."""
    rename = _rename or path_renamer(old, new)
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in list(items):
        if isinstance(value, str):
            node[key] = rename(value)
        elif isinstance(value, (dict, list)):
            rename_folder(value, old, new, rename)
    return node


def _rewrite_paths(folder: Path, old: Path, new: Path) -> None:
    """Executed notebooks and HTML under `folder` name `old`; make them name `new`.

    Notebooks are rewritten string by string. HTML is rewritten as text, which misses a path
    that syntax highlighting split into pieces (a non-ASCII or Windows path in the code
    view); it is used for the folder of a failed report only (a finished report's notebooks
    and HTML name their final folder from the start, see `run_task`)."""
    import nbformat

    html_rename = path_renamer(str(old), str(new), html_escaped=True)
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            nbformat.write(rename_folder(nb, str(old), str(new)), path)
        elif path.suffix == ".html":
            text = path.read_text("utf-8")
            renamed = html_rename(text)
            if renamed != text:
                path.write_text(renamed, encoding="utf-8")


def install(build: Path, out: Path) -> None:
    """Put the finished build in place of `out` (renames only; old report removed after)."""
    old = None
    if out.exists():
        _carry_over(out, build)
        old = out.with_name(f"{out.name}.old-{os.getpid()}")
        os.rename(out, old)
    os.rename(build, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def keep_failed(build: Path, out: Path) -> Path:
    failed = out.with_name(f"{out.name}.failed")
    _rewrite_paths(build, out, failed)  # the workers named `out` (see run_task)
    _rewrite_paths(build, build, failed)  # a notebook a dead worker left behind
    if failed.exists():
        shutil.rmtree(failed)
    os.rename(build, failed)
    return failed


def _files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _index_html(lang: str, title: str, notice: str | None, meta_lines: list[str],
                body: str) -> str:
    from shv_analysis.section import notice_html

    style = ("body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;"
             "padding:0 1em;color:#111}table{border-collapse:collapse}td,th{padding:4px 10px;"
             "border-bottom:1px solid #ddd;text-align:left}.failed{color:#b00020;"
             "font-weight:bold}.meta{color:#444}")
    meta = "".join(f'<p class="meta">{line}</p>' for line in meta_lines)
    return (f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{style}</style></head><body>"
            f"<h1>{html.escape(title)}</h1>{notice_html(notice) if notice else ''}{meta}{body}"
            "</body></html>\n")


def _link(href: str, text: str) -> str:
    return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'


def write_report_index(report_dir: Path, results: list[SectionResult], lang: str,
                       notice: str | None, dataset: str, subset: str | None,
                       version: str) -> None:
    w = WORDS["en" if lang == "en" else "nl"]
    rows = []
    for r in results:
        status = (f'<span class="failed">{w["failed"]}</span><br>'
                  f'{html.escape(r.describe_error())}' if r.status != "ok" else w["ok"])
        links = [_link(f, label) if (report_dir / f).is_file() else ""
                 for f, label in ((f"html/{r.section}.html", w["html"]),
                                  (f"html/{r.section}.code.html", w["code"]),
                                  (f"notebooks/{r.section}.ipynb", w["notebook"]))]
        rows.append(f"<tr><td>{html.escape(r.title)}</td><td>{status}</td>"
                    f"<td>{r.seconds:.1f}</td><td>{'</td><td>'.join(links)}</td></tr>")
    table = (f"<table><tr><th>{w['section']}</th><th>{w['status']}</th><th>{w['time']}</th>"
             f"<th colspan=3></th></tr>{''.join(rows)}</table>")
    figures = sorted((report_dir / "figures").glob("*.png"))
    fig_items = "".join(
        f"<li>{html.escape(p.stem)}: {_link('figures/' + p.name, 'PNG')} · "
        f"{_link('figures/' + p.stem + '.svg', 'SVG')}</li>" for p in figures)
    csvs = sorted((report_dir / "tables").glob("*.csv"))
    csv_items = "".join(f"<li>{_link('tables/' + p.name, p.name)}</li>" for p in csvs)
    workbook = (f"<p>{_link('tables.xlsx', w['workbook'])}</p>"
                if (report_dir / "tables.xlsx").is_file() else "")
    body = (f"{table}<h2>{w['tables']}</h2>{workbook}<ul>{csv_items}</ul>"
            f"<h2>{w['figures']}</h2><ul>{fig_items}</ul>"
            f"<p>{_link('manifest.json', w['manifest'])}</p>")
    meta = [f"{w['dataset']}: {html.escape(dataset)}"]
    if subset:
        meta.append(f"{w['subset']}: {html.escape(subset)}")
    meta.append(f"{w['version']} shv-analysis {html.escape(version)}")
    (report_dir / "index.html").write_text(
        _index_html(lang, w["title"], notice, meta, body), encoding="utf-8")


def _data_record(data_path: Path) -> dict:
    return {"path": str(data_path),
            "files": [{"name": p.name, "sha256": sha256(p), "bytes": p.stat().st_size}
                      for p in data_files(data_path)]}


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def finish_report(report_dir: Path, plan: ReportPlan, results: list[SectionResult], ds,
                  parameters: dict, lang: str, data_record: dict, warm: bool,
                  version: str) -> dict:
    """Workbook, index.html and manifest.json of one report folder; returns its summary."""
    from shv_analysis.present.export import workbook_from_folder

    report_dir.mkdir(parents=True, exist_ok=True)
    sub = ds.subset(plan.subset) if plan.subset else ds
    notice = sub.notice(lang)
    if (report_dir / "tables").is_dir():
        workbook_from_folder(report_dir / "tables", report_dir / "tables.xlsx", notice=notice,
                             lang=lang, dataset=ds.name)
    write_report_index(report_dir, results, lang, notice, ds.name, plan.subset, version)
    status = "ok" if all(r.status == "ok" for r in results) else "failed"
    manifest = {
        "generator": "shv-analysis", "version": version,
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "status": status, "data": data_record,
        "dataset": {"name": ds.name, "synthetic": ds.synthetic,
                    "respondenten": len(sub.respondenten), "experimenten": len(sub.experimenten)},
        "synthetic": ds.synthetic, "subset": plan.subset, "lang": lang,
        "parameters": {k: v for k, v in parameters.items() if k != "output_dir"},
        "kernel": {"name": KERNEL_NAME, "mode": "warm" if warm else "isolated"},
        "sections": [{"name": r.section, "title": r.title, "status": r.status,
                      "seconds": r.seconds, "execute_seconds": r.execute_seconds,
                      "render_seconds": r.render_seconds, "error": r.error, "files": r.files}
                     for r in results],
    }
    entries = sorted({p.name for p in report_dir.iterdir()} | {"manifest.json"})
    manifest["entries"] = entries
    manifest["files"] = sorted(set(_files_under(report_dir)) | {"manifest.json"})
    _write_json(report_dir / "manifest.json", manifest)
    return {"folder": plan.folder, "subset": plan.subset, "label": plan.label,
            "status": status}


def finish_each(root: Path, field_name: str, summaries: list[dict], ds, lang: str,
                data_record: dict, parameters: dict, version: str) -> None:
    w = WORDS["en" if lang == "en" else "nl"]
    rows = "".join(
        f"<tr><td>{_link(s['folder'] + '/index.html', s['label'])}</td>"
        f"<td>{html.escape(s['subset'] or '')}</td><td>"
        f"{w['ok'] if s['status'] == 'ok' else '<span class=failed>' + w['failed'] + '</span>'}"
        "</td></tr>" for s in summaries)
    body = (f"<h2>{w['reports']}</h2><p>{w['each']} {html.escape(field_name)}</p>"
            f"<table><tr><th>{w['report']}</th><th>{w['subset']}</th><th>{w['status']}</th>"
            f"</tr>{rows}</table><p>{_link('manifest.json', w['manifest'])}</p>")
    meta = [f"{w['dataset']}: {html.escape(ds.name)}",
            f"{w['version']} shv-analysis {html.escape(version)}"]
    (root / "index.html").write_text(
        _index_html(lang, w["title"], ds.notice(lang), meta, body), encoding="utf-8")
    status = "ok" if all(s["status"] == "ok" for s in summaries) else "failed"
    manifest = {"generator": "shv-analysis", "version": version,
                "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "status": status, "each": field_name, "data": data_record,
                "synthetic": ds.synthetic, "lang": lang,
                "parameters": {k: v for k, v in parameters.items() if k != "output_dir"},
                "reports": summaries}
    manifest["entries"] = sorted({p.name for p in root.iterdir()} | {"manifest.json"})
    _write_json(root / "manifest.json", manifest)


def _pool(workers: int, warm: bool) -> cf.ProcessPoolExecutor:
    import multiprocessing

    return cf.ProcessPoolExecutor(max_workers=workers,
                                  mp_context=multiprocessing.get_context("spawn"),
                                  initializer=_init_worker, initargs=(KERNEL_NAME, warm))


def run_report(data=None, out=None, lang: str = "nl", jobs: int | None = None,
               parameters: dict | None = None, each: str | None = None,
               sections: Sequence[str] | None = None, notebook_dir=None, warm: bool = True,
               timeout: int | None = DEFAULT_TIMEOUT, progress: bool | None = None,
               stream=None) -> int:
    """Run `shv report` (see the module docstring); returns the exit code."""
    from shv_analysis import __version__
    from shv_analysis.cli.check import load_or_report

    stream = stream or sys.stderr
    started = time.perf_counter()
    try:
        notebooks = discover_notebooks(notebook_dir, sections)
    except ValueError as exc:
        print(f"shv report: {exc}", file=stream)
        return EXIT_USAGE
    if not notebooks:
        print(f"shv report: no section notebooks (NN_name.ipynb) in "
              f"{notebook_dir or NOTEBOOK_DIR}", file=stream)
        return EXIT_USAGE
    params = dict(parameters or {})
    bad = [name for name in RESERVED_PARAMETERS if name in params]
    if bad:
        print(f"shv report: parameter {bad[0]} is set by the report (use --out)", file=stream)
        return EXIT_USAGE
    data_path = Path(params.pop("data", None) or data or DEFAULT_DATA).expanduser().resolve()
    lang = "en" if params.pop("lang", lang) == "en" else "nl"
    subset = params.pop("subset", None)
    out = Path(out or OUTPUT_DIR).expanduser().resolve()
    refusal = check_output_folder(out)
    if refusal:
        print(f"shv report: {refusal}", file=stream)
        return EXIT_USAGE

    ds = load_or_report(data_path, stream=stream)  # the problem list of `shv check`
    if ds is None:
        print("shv report: the data have errors; no report was made", file=stream)
        return EXIT_FAILED
    try:
        if each:
            if subset:
                raise ValueError("--each and a subset parameter cannot be combined")
            plans = [ReportPlan(ALL_DIR, None, WORDS[lang]["all"])] + [
                ReportPlan(folder, spec, label)
                for folder, spec, label in each_values(ds, each, lang)]
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
        results = _execute(plans, notebooks, build, data_path, lang, params, jobs, warm,
                           timeout, progress, out)
        data_record = _data_record(data_path)
        summaries = []
        for plan in plans:
            mine = [r for r in results if r.report == plan.folder]
            shared = {"data": str(data_path), "lang": lang, "subset": plan.subset, **params}
            summaries.append(finish_report(build / plan.folder, plan, mine, ds, shared, lang,
                                           data_record, warm, __version__))
        if each:
            finish_each(build, each, summaries, ds, lang, data_record,
                        {"data": str(data_path), "lang": lang, **params}, __version__)
        failed = [r for r in results if r.status != "ok"]
        if failed:
            where = keep_failed(build, out)
        else:
            install(build, out)
            stale = out.with_name(f"{out.name}.failed")
            if stale.is_dir() and _manifest_entries(stale) is not None:
                shutil.rmtree(stale, ignore_errors=True)
            where = out
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    _summary(results, failed, where, out, time.perf_counter() - started, ds, stream)
    return EXIT_FAILED if failed else EXIT_OK


def _execute(plans, notebooks, build, data_path, lang, params, jobs, warm, timeout,
             progress, out: Path | None = None) -> list[SectionResult]:
    from tqdm import tqdm

    tasks = []
    for plan in plans:
        report_dir = build / plan.folder
        for nb in notebooks:
            parameters = {"data": str(data_path), "lang": lang, "subset": plan.subset,
                          **params, "output_dir": str(report_dir)}
            tasks.append(Task(plan.folder, nb.stem, str(nb), str(report_dir),
                              tuple(parameters.items()), lang, timeout,
                              str(out / plan.folder) if out else ""))
    workers = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
    results: list[SectionResult] = []
    with _pool(workers, warm) as pool:
        futures = {pool.submit(run_task, task): task for task in tasks}
        bar = tqdm(total=len(tasks), desc="shv report", unit="notebook",
                   disable=None if progress is None else not progress, file=sys.stderr)
        for future in cf.as_completed(futures):
            task = futures[future]
            try:
                results.append(future.result())
            except Exception as exc:  # noqa: BLE001 - a worker process died
                results.append(SectionResult(task.report, task.section, task.section,
                                             "failed", 0.0, _error_info(exc)))
            bar.set_postfix_str(f"{task.report + '/' if task.report else ''}{task.section}")
            bar.update()
        bar.close()
    order = {(t.report, t.section): i for i, t in enumerate(tasks)}
    return sorted(results, key=lambda r: order[(r.report, r.section)])


def _summary(results, failed, where: Path, out: Path, seconds: float, ds, stream) -> None:
    for r in results:
        name = f"{r.report}/{r.section}" if r.report else r.section
        print(f"  {name:<40} {r.status:<6} {r.seconds:6.1f} s  (execute {r.execute_seconds:.1f} "
              f"s, html {r.render_seconds:.1f} s)", file=stream)
    if ds.synthetic:
        print(ds.notice("en"), file=stream)
    if failed:
        print(f"{len(failed)} section(s) failed:", file=stream)
        for r in failed:
            name = f"{r.report}/{r.section}" if r.report else r.section
            print(f"  {name}: {r.describe_error()}", file=stream)
        previous = (f"the previous report in {out} was left unchanged" if out.exists()
                    else f"no report was installed at {out}")
        print(f"Executed notebooks kept for inspection in {where}; {previous}.", file=stream)
    else:
        print(f"Report written to {where / 'index.html'} in {seconds:.1f} s", file=stream)


# ===================================================================== the command

def register_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report", help="execute the section notebooks and write HTML, figures, tables, index",
        description="Execute every section notebook with papermill (in parallel worker "
                    "processes) and write executed notebooks, HTML with and without code, "
                    "figures (PNG, SVG), tables (CSV, Excel), index.html and manifest.json.")
    p.add_argument("--data", help="dataset: .xlsx workbook or folder (default: the embedded "
                                  "synthetic dataset)")
    p.add_argument("--out", help=f"report folder (default: {OUTPUT_DIR})")
    p.add_argument("--lang", choices=("nl", "en"), default="nl")
    p.add_argument("--jobs", type=int, help="worker processes (default: number of CPUs)")
    p.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                   help="notebook parameter, e.g. -p subset=provincie=Utrecht (repeatable)")
    p.add_argument("--each", metavar="FIELD",
                   help="also one report per value of FIELD (e.g. respondenttype, provincie, "
                        "grootteklasse), with a top-level index")
    p.add_argument("--sections", help="comma-separated sections to run, e.g. 00,01,04 "
                                      "(default: all)")
    p.add_argument("--notebooks", help="folder with the section notebooks (default: the "
                                       "project's notebooks/)")
    p.add_argument("--isolated", action="store_true",
                   help="a fresh kernel per notebook instead of one warm kernel per worker")
    p.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT,
                   help=f"seconds allowed per cell (default: {DEFAULT_TIMEOUT})")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    try:
        params = dict(parse_parameter(item) for item in args.parameter)
    except ValueError as exc:
        print(f"shv report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    sections = [s for s in (args.sections or "").split(",") if s.strip()] or None
    if args.jobs is not None and args.jobs < 1:
        print("shv report: --jobs must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    return run_report(data=args.data, out=args.out, lang=args.lang, jobs=args.jobs,
                      parameters=params, each=args.each, sections=sections,
                      notebook_dir=args.notebooks, warm=not args.isolated,
                      timeout=args.timeout or None)
