"""shv-analysis: load, validate, code and report the inventory of debt-assistance pilots.

The public API a researcher types in a notebook::

    import shv_analysis as shv
    ds = shv.load()                       # the embedded (synthetic) dataset
    shv.compute_figures(ds)               # every published figure, recomputed
    shv.frequency(ds, "type")             # a table with n, base and footnote
    shv.bar_chart(shv.frequency(ds, "fasen"))
"""

__version__ = "0.1.0"

from .dataset import Dataset  # noqa: E402
from .problems import InvalidDataset, Problem  # noqa: E402
from .validation import check_dataset  # noqa: E402
from .validation import load as _load  # noqa: E402
from .paths import DEFAULT_DATA  # noqa: E402


def load(path=None, reference="auto", decisions="auto", subset=None) -> Dataset:
    """Load a dataset (default: the embedded synthetic one), optionally a subset of it."""
    ds = _load(path or DEFAULT_DATA, reference=reference, decisions=decisions)
    return ds.subset(subset) if subset else ds


_LAZY = {
    "compute_figures": "shv_analysis.figures",
    "frequency": "shv_analysis.tabulation",
    "Table": "shv_analysis.tabulation",
    "bar_chart": "shv_analysis.plotting",
    "participation_chart": "shv_analysis.plotting",
    "crosstab_chart": "shv_analysis.plotting",
    "save_figure": "shv_analysis.plotting",
    "Section": "shv_analysis.section",
    "run_report": "shv_analysis.report",
    "reproduction_table": "shv_analysis.reproduction",
}


# Submodules reachable as attributes (`shv.figures.compute_figures(ds)`), imported on use.
_SUBMODULES = ("codebook", "crosstab", "export", "figures", "indicators", "narrative",
               "plotting", "report", "reproduction", "section", "statistics", "tabulation")


def __getattr__(name: str):
    """Heavy parts (plotting, statistics) are imported on first use, keeping `import` fast."""
    import importlib

    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'shv_analysis' has no attribute {name!r}")


__all__ = ["Dataset", "InvalidDataset", "Problem", "check_dataset", "load", "DEFAULT_DATA",
           *_LAZY]
