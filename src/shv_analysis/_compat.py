"""Import paths of the flat layout (release 0.1), kept for one release with a deprecation warning.

`import shv_analysis.crosstab` still works and gives `shv_analysis.analysis.crosstab`, with a
`DeprecationWarning` naming the new path. Remove this module in release 0.3.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
import warnings

#: old module path -> new module path
MOVED: dict[str, str] = {
    "shv_analysis.codebook": "shv_analysis.contract.codebook",
    "shv_analysis.problems": "shv_analysis.contract.problems",
    "shv_analysis.paths": "shv_analysis.config",
    "shv_analysis.loading": "shv_analysis.ingest.readers",
    "shv_analysis.reference": "shv_analysis.ingest.reference",
    "shv_analysis.validation": "shv_analysis.ingest.validation",
    "shv_analysis.dataset": "shv_analysis.ingest.dataset",
    "shv_analysis.coding": "shv_analysis.coding.suggestions",
    "shv_analysis.intake": "shv_analysis.coding.intake",
    "shv_analysis.tabulation": "shv_analysis.analysis.tables",
    "shv_analysis.figures": "shv_analysis.analysis.figures",
    "shv_analysis.indicators": "shv_analysis.analysis.indicators",
    "shv_analysis.statistics": "shv_analysis.analysis.statistics",
    "shv_analysis.crosstab": "shv_analysis.analysis.crosstab",
    "shv_analysis.suppression": "shv_analysis.analysis.suppression",
    "shv_analysis.reproduction": "shv_analysis.analysis.reproduction",
    "shv_analysis.formatting": "shv_analysis.analysis.formatting",
    "shv_analysis.narrative": "shv_analysis.present.narrative",
    "shv_analysis.plotting": "shv_analysis.present.charts",
    "shv_analysis.maps": "shv_analysis.present.maps",
    "shv_analysis.export": "shv_analysis.present.export",
    "shv_analysis.commands": "shv_analysis.cli.check",
}


def warn_moved(old: str, new: str, stacklevel: int = 3) -> None:
    """Emit the one deprecation warning of a moved import path."""
    warnings.warn(
        f"{old} moved to {new} in shv-analysis 0.2; the old path is removed in 0.3",
        DeprecationWarning,
        stacklevel=stacklevel,
    )


class _MovedModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolve an old module path to the module at its new path."""

    def find_spec(self, fullname, path=None, target=None):  # noqa: ANN001, D102
        if fullname not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec):  # noqa: ANN001, D102
        return types.ModuleType(spec.name)

    def exec_module(self, module):  # noqa: ANN001, D102
        new = MOVED[module.__name__]
        warn_moved(module.__name__, new, stacklevel=6)
        # The import system reads sys.modules back after exec_module: the alias is the real module.
        sys.modules[module.__name__] = importlib.import_module(new)


def install() -> None:
    """Register the finder once (called by `shv_analysis/__init__.py`)."""
    if not any(isinstance(f, _MovedModuleFinder) for f in sys.meta_path):
        sys.meta_path.append(_MovedModuleFinder())
