"""Submodules as attributes of their package, imported on first use (`shv.analysis.crosstab`)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType


def submodule_getattr(package: str) -> Callable[[str], ModuleType]:
    """A module-level `__getattr__` for `package` that imports `package.<name>` on first use.

    Raises:
        AttributeError: (from the returned function) when there is no such submodule.
    """

    def __getattr__(name: str) -> ModuleType:
        try:
            return importlib.import_module(f"{package}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{package}.{name}":
                raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
            raise

    return __getattr__
