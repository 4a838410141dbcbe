"""Figures whose SVG is drawn in a forked process (in a report worker's kernel): the same
bytes as drawn in one process, written once `wait_figures()` returns, and drawn in this
process when the background one fails."""

from __future__ import annotations

import os

import pytest

import shv_analysis as shv
from shv_analysis.analysis import crosstab
from shv_analysis.present import figures_io
from shv_analysis.present.crosstab_charts import crosstab_chart

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


@pytest.fixture(scope="module")
def chart():
    ds = shv.load(None)
    return crosstab_chart(crosstab.crosstab(ds, "effectmeting", "respondenttype", "nl"), "nl", 5)


def test_background_svg_has_the_same_bytes(chart, tmp_path, monkeypatch):
    png, svg = figures_io.png_and_svg(chart)
    monkeypatch.setenv(figures_io.BACKGROUND_ENV, "1")
    paths = figures_io.save_figure(chart, tmp_path / "a" / "kruistabel", background=True)
    assert [p.name for p in paths] == ["kruistabel.png", "kruistabel.svg"]
    assert len(figures_io._pending) == 1  # the SVG is being drawn elsewhere
    figures_io.wait_figures()
    assert figures_io._pending == []
    assert paths[0].read_bytes() == png
    assert paths[1].read_bytes() == svg
    assert sorted(p.name for p in paths[1].parent.iterdir()) == [
        "kruistabel.png",
        "kruistabel.svg",
    ]  # no temporary file left


def test_without_the_environment_nothing_is_forked(chart, tmp_path, monkeypatch):
    monkeypatch.delenv(figures_io.BACKGROUND_ENV, raising=False)
    paths = figures_io.save_figure(chart, tmp_path / "kruistabel", background=True)
    assert figures_io._pending == []
    assert paths[1].read_bytes() == figures_io.figure_bytes(chart, "svg")


def test_a_failed_background_svg_is_drawn_here(chart, tmp_path, monkeypatch):
    parent = os.getpid()
    real = figures_io.figure_bytes

    def failing_in_the_child(fig, fmt="png", dpi=figures_io.DPI):
        if os.getpid() != parent:
            raise RuntimeError("no SVG in the child")
        return real(fig, fmt, dpi)

    monkeypatch.setattr(figures_io, "figure_bytes", failing_in_the_child)
    monkeypatch.setenv(figures_io.BACKGROUND_ENV, "1")
    paths = figures_io.save_figure(chart, tmp_path / "kruistabel", background=True)
    figures_io.wait_figures()
    assert paths[1].read_bytes() == real(chart, "svg")


def test_at_most_max_pending_processes(chart, tmp_path, monkeypatch):
    monkeypatch.setenv(figures_io.BACKGROUND_ENV, "1")
    for i in range(figures_io.MAX_PENDING + 2):
        figures_io.save_figure(chart, tmp_path / f"f{i}", background=True)
        assert len(figures_io._pending) <= figures_io.MAX_PENDING
    figures_io.wait_figures()
    assert len(list(tmp_path.glob("*.svg"))) == figures_io.MAX_PENDING + 2


def test_the_engine_sets_the_same_environment_variable():
    import sys

    sys.modules.setdefault("rfc3987_syntax", None)  # see tasks.init_worker
    import papermill  # noqa: F401  (before the engine, see engine.py)

    from shv_analysis.report.engine import FIGURES_ENV, WAIT_FIGURES

    assert FIGURES_ENV == figures_io.BACKGROUND_ENV
    assert "wait_figures()" in WAIT_FIGURES
