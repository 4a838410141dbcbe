"""shv-analysis: load, validate, code and report the inventory of debt-assistance pilots.

The public API a researcher types in a notebook::

    import shv_analysis as shv
    ds = shv.load()                       # the embedded (synthetic) dataset
    shv.compute_figures(ds)               # every published figure, recomputed
    shv.frequency(ds, "type")             # a table with n, base and footnote
    shv.bar_chart(shv.frequency(ds, "fasen"))

The subpackages follow the pipeline (see docs/architecture.md): `contract` -> `ingest` ->
`coding` -> `analysis` -> `present` -> `section` -> `report` -> `cli`. Each is reachable as an
attribute (`shv.analysis.crosstab.crosstab(ds, "effectmeting", "grootteklasse")`).
"""

from __future__ import annotations

import importlib
from typing import Any

from shv_analysis import _compat
from shv_analysis.coding.decisions import decisions_step
from shv_analysis.config import DEFAULT_DATA
from shv_analysis.contract.problems import InvalidDataset, Problem
from shv_analysis.ingest.dataset import Dataset
from shv_analysis.ingest.load_cache import cached_load as _cached_load
from shv_analysis.ingest.load_cache import load_key as _load_key
from shv_analysis.ingest.validation import CheckResult
from shv_analysis.ingest.validation import check_dataset as _check_dataset
from shv_analysis.ingest.validation import load as _load

__version__ = "0.2.0"

_compat.install()


def load(
    path: Any = None,
    reference: Any = "auto",
    decisions: Any = "auto",
    subset: str | None = None,
    indeling: Any = None,
) -> Dataset:
    """Load and validate a dataset, optionally a subset of it.

    Args:
        path: an ``.xlsx`` workbook or a folder of CSV/XLSX/Parquet tables; ``None`` for the
            embedded synthetic dataset. An int is a path too (a folder named ``2024``).
        reference: folder with the CBS reference tables, ``"auto"`` to search, ``None`` for none.
        decisions: coding decisions file, ``"auto"`` for ``beslissingen.csv`` beside the data.
        subset: ``"field=value"`` filter (see `Dataset.subset`).
        indeling: the municipal division (a year, e.g. 2024); ``None``: the dataset's
            metadata key ``indeling``, else inferred from the interview dates or the codes.

    Returns:
        The coded `Dataset`. Loading files that did not change again in the same process
        gives a copy of the dataset loaded before (`ingest.load_cache`; off with
        ``SHV_LOAD_CACHE=0``).

    Raises:
        InvalidDataset: with ``.problems`` listing every error at once.
    """
    if isinstance(path, int) and not isinstance(path, bool):
        path = str(path)  # papermill's `-p data 2024` passes a folder named 2024 as an int
    path = path or DEFAULT_DATA
    ds = _cached_load(
        _load_key(path, reference, decisions, indeling),
        lambda: _load(
            path, reference=reference, decisions_step=decisions_step(decisions), indeling=indeling
        ),
    )
    return ds.subset(subset) if subset else ds


def check_dataset(
    path: Any, reference: Any = "auto", decisions: Any = "auto", indeling: Any = None
) -> CheckResult:
    """Read, code and check a dataset with its coding decisions; every problem is collected.

    Args:
        path: an ``.xlsx`` workbook or a folder of CSV/XLSX/Parquet tables.
        reference: folder with the CBS reference tables, ``"auto"`` to search, ``None`` for none.
        decisions: coding decisions file, ``"auto"`` for ``beslissingen.csv`` beside the data
            (when present), ``None`` for the data as typed.
        indeling: the municipal division (a year); ``None``: declared or inferred.

    Returns:
        A `CheckResult` (dataset or None, errors, warnings); nothing is raised for bad input.
    """
    return _check_dataset(
        path, reference=reference, decisions_step=decisions_step(decisions), indeling=indeling
    )


_LAZY = {
    "compute_figures": "shv_analysis.analysis.figures",
    "frequency": "shv_analysis.analysis.tables",
    "Table": "shv_analysis.analysis.tables",
    "bar_chart": "shv_analysis.present.charts",
    "participation_chart": "shv_analysis.present.charts",
    "crosstab_chart": "shv_analysis.present.crosstab_charts",
    "save_figure": "shv_analysis.present.figures_io",
    "Section": "shv_analysis.section",
    "run_report": "shv_analysis.report",
    "reproduction_table": "shv_analysis.analysis.reproduction",
}

# Subpackages reachable as attributes, imported on first use.
_SUBPACKAGES = (
    "config",
    "contract",
    "ingest",
    "coding",
    "analysis",
    "present",
    "synthetic",
    "section",
    "report",
    "cli",
)


def __getattr__(name: str) -> Any:
    """Heavy parts (plotting, statistics) are imported on first use, keeping `import` fast."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    if name in _SUBPACKAGES:
        return importlib.import_module(f"{__name__}.{name}")
    old = f"{__name__}.{name}"
    if old in _compat.MOVED:
        _compat.warn_moved(old, _compat.MOVED[old])
        return importlib.import_module(_compat.MOVED[old])
    raise AttributeError(f"module 'shv_analysis' has no attribute {name!r}")


__all__ = [
    "CheckResult",
    "Dataset",
    "InvalidDataset",
    "Problem",
    "check_dataset",
    "load",
    "DEFAULT_DATA",
    *_LAZY,
]
