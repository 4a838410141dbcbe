"""Import paths of release 0.1 keep working for one release, with a DeprecationWarning."""

from __future__ import annotations

import importlib
import sys

import pytest

from shv_analysis._compat import MOVED


@pytest.mark.parametrize(
    "old",
    ["shv_analysis.crosstab", "shv_analysis.maps", "shv_analysis.tabulation", "shv_analysis.paths"],
)
def test_old_module_path_warns_and_gives_the_new_module(old):
    sys.modules.pop(old, None)
    with pytest.warns(DeprecationWarning, match=f"{old} moved to {MOVED[old]}"):
        module = importlib.import_module(old)
    assert module is importlib.import_module(MOVED[old])


def test_old_attribute_path_warns():
    import shv_analysis as shv

    sys.modules.pop("shv_analysis.figures", None)
    shv.__dict__.pop("figures", None)
    with pytest.warns(DeprecationWarning, match="shv_analysis.figures moved to"):
        figures = shv.figures
    assert (
        figures.compute_figures
        is importlib.import_module("shv_analysis.analysis.figures").compute_figures
    )


def test_from_old_path_import_a_name():
    sys.modules.pop("shv_analysis.tabulation", None)
    with pytest.warns(DeprecationWarning):
        from shv_analysis.tabulation import frequency
    import shv_analysis as shv

    assert frequency(shv.load(), "type").data["n"].sum() == 143
