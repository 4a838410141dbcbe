"""The papermill engine `shv` and the warm kernel of a report worker process.

Kernel start-up and importing pandas/matplotlib cost more than running a section, so each
worker starts one kernel and reuses it for all its notebooks. `WarmEngine` is nbclient,
through papermill, with the worker's kernel manager and client handed in (nbclient then
neither owns nor shuts them down). Before every notebook it resets the kernel (`reset_code`):
`%reset -f` (user namespace and output history), matplotlib figures closed and rcParams
restored, working directory back to the worker's scratch folder, execution counter back to
1. Imported modules stay imported: that is the point. The only per-dataset state the library
keeps between calls is `ingest.load_cache`: a notebook that loads the files the previous one
loaded, unchanged, gets its own copy of that dataset without reading them again. A kernel
that died or timed out is replaced before the next notebook (`Worker.kernel`); with
`warm=False` every notebook gets a fresh kernel.

A warm kernel runs an import prelude (`prelude_source`, the modules of `PRELUDE_MODULES`) as
soon as it has started, so the worker pays the imports (pandas, scipy, statsmodels,
matplotlib: ~1.7 s) once, before its first notebook, and not inside the longest section.
Only imports: the prelude defines no names (the reset would remove them anyway) and changes
no setting, so a notebook's outputs do not depend on whether it ran first. It ends with
`gc.freeze()`: the imported modules' objects are kept out of the cyclic garbage collector's
scans, which makes the full collection of every reset (and of the notebooks) cheap.

papermill finds the engine through the `papermill.engine` entry point of this package
(`shv = "shv_analysis.report.engine:WarmEngine"` in pyproject.toml), which it loads while
`papermill.engines` is being imported. So this module must be imported *by* papermill:
`import papermill` first, then this module (`tasks.init_worker` does it in that order).
Imported before papermill, it would be half-imported when papermill looks for `WarmEngine`
in it; it says so instead.
"""

from __future__ import annotations

import multiprocessing.util as mp_util
import os
import queue
import shutil
import sys
import tempfile
import time

if "papermill.engines" not in sys.modules:
    raise ImportError(
        "import papermill before shv_analysis.report.engine: papermill loads "
        "that module through its 'papermill.engine' entry point"
    )

import nbformat
import papermill as pm
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.exceptions import PapermillException, PapermillExecutionError
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

from shv_analysis.report.language import cell_languages, select_language
from shv_analysis.text import DEFAULT_LANG

#: Name of the engine; the same as the entry point's in pyproject.toml.
ENGINE_NAME = "shv"

#: What the section notebooks import, directly or when they run (the library imports some
#: modules inside functions), imported by a warm kernel when it starts. Not pyplot: that
#: would switch on the inline backend.
PRELUDE_MODULES = (
    "IPython.display",
    "shv_analysis",
    "shv_analysis.section",
    "shv_analysis.analysis.crosstab",
    "shv_analysis.analysis.crosstab_text",
    "shv_analysis.analysis.evaluation",
    "shv_analysis.analysis.indicators",
    "shv_analysis.analysis.reproduction",
    "shv_analysis.analysis.tables",
    "shv_analysis.coding.intake",
    "shv_analysis.present.narrative",
    "shv_analysis.present.charts",
    "shv_analysis.present.crosstab_charts",
    "shv_analysis.present.export",
    "shv_analysis.present.figures_io",
    "shv_analysis.present.maps",
    "statsmodels.discrete.discrete_model",
    "matplotlib.backends.backend_agg",
    "matplotlib.backends.backend_svg",
    "PIL.PngImagePlugin",
    "typst",
)


def reset_source(cwd: str) -> str:
    """IPython code that resets a warm kernel before the next notebook (see module doc)."""
    return "\n".join(
        [
            "%reset -f",
            "import os as _shv_os, sys as _shv_sys",
            f"_shv_os.chdir({cwd!r})",
            "if 'matplotlib.pyplot' in _shv_sys.modules:",
            "    _shv_sys.modules['matplotlib.pyplot'].close('all')",
            "if 'matplotlib' in _shv_sys.modules:",
            "    _shv_sys.modules['matplotlib'].rc_file_defaults()",
            "get_ipython().execution_count = 1",
            "del _shv_os, _shv_sys",
        ]
    )


def prelude_source(modules=PRELUDE_MODULES) -> str:
    """Code that imports `modules` in a kernel and leaves no name behind; a module that
    cannot be imported is skipped (the notebook that needs it reports the error itself).
    Then `gc.freeze()` (see the module doc).
    """
    return "\n".join(
        [
            "import importlib as _shv_importlib",
            f"for _shv_module in {tuple(modules)!r}:",
            "    try:",
            "        _shv_importlib.import_module(_shv_module)",
            "    except Exception:",
            "        pass",
            "del _shv_importlib, _shv_module",
            # What the imports made lives as long as the kernel: moved out of the garbage
            # collector's reach, a full collection (IPython's `%reset` runs one per
            # notebook) takes ~4 ms instead of ~0.1 s.
            "import gc as _shv_gc",
            "_shv_gc.freeze()",
            "del _shv_gc",
        ]
    )


class WarmClient(PapermillNotebookClient):
    """papermill's nbclient that runs `reset_code` first and remembers the current cell."""

    reset_code: str | None = None
    current_cell: int | None = None

    def execute_cell(self, cell, cell_index, *args, **kwargs):
        self.current_cell = cell_index
        return super().execute_cell(cell, cell_index, *args, **kwargs)

    def papermill_execute_cells(self):
        if self.reset_code:
            msg_id = self.kc.execute(
                self.reset_code, silent=True, store_history=False, allow_stdin=False
            )
            reply = self.wait_for_reply(msg_id)
            if reply is None or reply["content"].get("status") != "ok":
                raise RuntimeError("could not reset the kernel before the notebook")
        super().papermill_execute_cells()


def select_parameter_language(nb):
    """Keep the prose of the notebook's `lang` parameter (papermill's injected parameters,
    else Dutch), as `shv report --lang` does; a notebook without ``lang-*`` cells is
    returned as it is.

    Raises:
        ValueError: the `lang` parameter is not a known language.
    """
    if not any(cell_languages(cell) for cell in nb.get("cells", [])):
        return nb
    parameters = nb.get("metadata", {}).get("papermill", {}).get("parameters") or {}
    return select_language(nb, parameters.get("lang") or DEFAULT_LANG)


class LanguageEngine(NBClientEngine):
    """papermill's nbclient engine that first keeps the cells of the `lang` parameter.

    Registered as papermill's default engine when this module is loaded (unless another
    package replaced the default), so that plain ``papermill NB OUT -p lang en`` gives the
    same prose as ``shv report --lang en``; notebooks without ``lang-*`` cells run as
    before.
    """

    @classmethod
    def execute_notebook(cls, nb, kernel_name, *args, **kwargs):
        return super().execute_notebook(select_parameter_language(nb), kernel_name, *args, **kwargs)


if papermill_engines.get_engine(None) is NBClientEngine:
    papermill_engines.register(None, LanguageEngine)


class WarmEngine(LanguageEngine):
    """papermill engine running a notebook on a given kernel manager and client.

    Extra keyword arguments of `papermill.execute_notebook`: `km` and `kc` (the kernel
    manager and a started client; None for a kernel of nbclient's own), `reset_code` (run
    first, see `reset_source`) and `keep_path` (where to save what ran when the kernel dies
    or times out; cell errors papermill saves itself).
    """

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        km=None,
        kc=None,
        reset_code=None,
        keep_path=None,
        **kwargs,
    ):
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(
            safe_kwargs,
            timeout=execution_timeout or kwargs.get("timeout"),
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
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
                nbformat.write(nb_man.nb, keep_path)
            raise
        finally:
            if kc is None and client.kc is not None:
                client.kc.stop_channels()
            client.kc = None


class Worker:
    """The kernel of one worker process: started once (warm) or per notebook (isolated).

    Args:
        kernel_name: the Jupyter kernel to start, e.g. "python3" (always named explicitly).
        warm: keep one kernel for all notebooks (reset before each) instead of a fresh one.

    Raises:
        RuntimeError: when papermill does not know the engine (the package's entry points
            are not installed: `pip install -e .` again).
    """

    def __init__(self, kernel_name: str, warm: bool):
        try:
            papermill_engines.get_engine(ENGINE_NAME)
        except PapermillException:
            raise RuntimeError(
                f"papermill has no engine {ENGINE_NAME!r}: reinstall "
                "shv-analysis (pip install -e .) so that papermill finds its "
                "entry point"
            ) from None
        self.kernel_name = kernel_name
        self.warm = warm
        self.scratch = tempfile.mkdtemp(prefix="shv-worker-")
        self.km = None
        self.kc = None
        self.log = open(os.path.join(self.scratch, "kernel.log"), "ab")
        # Worker processes skip atexit; multiprocessing finalizers run when they exit.
        mp_util.Finalize(self, Worker.close, args=(self,), exitpriority=10)
        self.prelude = prelude_source() if warm else None
        if warm:
            self._start_kernel()

    def _start_kernel(self) -> None:
        env = dict(os.environ, PYDEVD_DISABLE_FILE_VALIDATION="1")
        km = AsyncKernelManager(kernel_name=self.kernel_name)
        # No IPython history: the execution counter is reset per notebook, which the
        # history database would report as a clash in the notebook's output.
        run_sync(km.start_kernel)(
            cwd=self.scratch,
            stdout=self.log,
            stderr=self.log,
            env=env,
            extra_arguments=["--HistoryManager.enabled=False"],
        )
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
        if self.prelude:
            self.run_silently(self.prelude)

    def run_silently(self, code: str, timeout: float = 120) -> dict:
        """Run `code` in the kernel (no output, no history) and return the reply's content.

        Raises:
            RuntimeError: no reply within `timeout` seconds.
        """
        msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        get_reply = run_sync(self.kc.get_shell_msg)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                reply = get_reply(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                return reply["content"]
        raise RuntimeError(f"the kernel did not answer within {timeout} s")

    def stop_kernel(self) -> None:
        """Shut the kernel down (now); a dead one is fine."""
        if self.km is None:
            return
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
        if not self.warm:
            self.stop_kernel()
            self._start_kernel()
        elif self.km is None or not run_sync(self.km.is_alive)():
            self.stop_kernel()
            self._start_kernel()
        return self.km, self.kc

    def execute(self, nb, output_path: str, parameters: dict, timeout: int | None):
        """Run a notebook with papermill on this worker's kernel and return it executed.

        Args:
            nb: the notebook (a NotebookNode), already localised.
            output_path: where papermill writes the executed notebook.
            parameters: injected into the cell tagged `parameters`.
            timeout: seconds allowed per cell (None: no limit).

        Raises:
            PapermillExecutionError: a cell raised (the notebook is saved with the error).
            Exception: a dead kernel or a timeout (what ran is saved to `output_path`); the
                kernel is then stopped, not reused.
        """
        km, kc = self.kernel()
        try:
            return pm.execute_notebook(
                nb,
                output_path,
                parameters=parameters,
                engine_name=ENGINE_NAME,
                kernel_name=self.kernel_name,
                progress_bar=False,
                request_save_on_cell_execute=False,
                execution_timeout=timeout,
                km=km,
                kc=kc,
                reset_code=reset_source(self.scratch),
                keep_path=output_path,
            )
        except PapermillExecutionError:
            raise
        except Exception:
            if self.warm:
                self.stop_kernel()  # a kernel in an unknown state is not reused
            raise

    def close(self) -> None:
        """Stop the kernel and remove the scratch folder."""
        self.stop_kernel()
        self.log.close()
        shutil.rmtree(self.scratch, ignore_errors=True)
