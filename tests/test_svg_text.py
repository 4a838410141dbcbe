"""The cache of matplotlib's text layout for SVG figures (`present.svg_text`)."""

from __future__ import annotations

import io
import warnings

import pytest
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.textpath import TextToPath

import shv_analysis as shv
from shv_analysis.analysis import crosstab, indicators
from shv_analysis.present import svg_text
from shv_analysis.present.charts import bar_chart
from shv_analysis.present.crosstab_charts import crosstab_chart
from shv_analysis.present.figures_io import RC_PARAMS, figure_bytes


def _matplotlib_svg(fig: Figure) -> bytes:
    """The SVG as matplotlib writes it without the cache (a bytes buffer)."""
    buffer = io.BytesIO()
    with rc_context(RC_PARAMS):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def _odd_figure() -> Figure:
    """Texts of every kind: rotated, coloured, translucent, multi-line, mathtext, a glyph
    DejaVu Sans lacks (a fallback and matplotlib's warning), the same string twice."""
    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    ax.set_title("Tïtel met ë, ≥ 5 en 50%")
    ax.set_xlabel("x-as", rotation=10, color="#c00000", alpha=0.5)
    ax.text(0.1, 0.5, "twee\nregels", fontsize=14, fontweight="bold")
    ax.text(0.1, 0.2, r"$\chi^2 = 3{,}2$")
    ax.text(0.6, 0.2, "twee\nregels", fontsize=7, style="italic")
    ax.text(0.6, 0.8, "漢")
    return fig


@pytest.fixture(scope="module")
def figures(reference) -> list[Figure]:
    ds = shv.load(None)
    return [
        bar_chart(indicators.as_reported(ds, "type", "nl"), "nl"),
        crosstab_chart(crosstab.crosstab(ds, "effectmeting", "grootteklasse", "nl"), "nl", 5),
        crosstab_chart(crosstab.crosstab(ds, "partners", "type", "en"), "en", 5),
        _odd_figure(),
    ]


def test_the_svg_bytes_are_matplotlibs_cold_and_warm(figures):
    svg_text.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the missing glyph of _odd_figure
        expected = [_matplotlib_svg(fig) for fig in figures]
        cold = [figure_bytes(fig, "svg") for fig in figures]
        warm = [figure_bytes(fig, "svg") for fig in reversed(figures)][::-1]
    assert cold == expected
    assert warm == expected
    glyphs, sizes = svg_text.cache_sizes()
    assert glyphs > 50 and sizes > 50  # the charts' strings are in the cache


def test_a_warm_save_lays_out_nothing_and_the_methods_are_put_back(figures, monkeypatch):
    fig = figures[1]
    before = TextToPath.get_glyphs_with_font
    figure_bytes(fig, "svg")
    calls = []
    original = svg_text._ORIGINAL_GLYPHS

    def counting(*args, **kwargs):
        calls.append(args[2])
        return original(*args, **kwargs)

    monkeypatch.setattr(svg_text, "_ORIGINAL_GLYPHS", counting)
    figure_bytes(fig, "svg")
    assert calls == []
    assert TextToPath.get_glyphs_with_font is before is original  # outside the context
    assert TextToPath.get_text_width_height_descent is svg_text._ORIGINAL_METRICS
    svg_text.clear()
    figure_bytes(fig, "svg")
    assert len(calls) > 10 and len(calls) == len(set(calls))  # laid out again, once each


def test_nested_contexts_restore_only_at_the_end():
    original = TextToPath.get_glyphs_with_font
    with svg_text.cached_layout():
        with svg_text.cached_layout():
            assert TextToPath.get_glyphs_with_font is svg_text._cached_glyphs
        assert TextToPath.get_glyphs_with_font is svg_text._cached_glyphs
    assert TextToPath.get_glyphs_with_font is original


def test_the_cache_is_emptied_when_full(monkeypatch):
    svg_text.clear()
    monkeypatch.setattr(svg_text, "MAX_ENTRIES", 5)
    fig = Figure(figsize=(3, 2))
    ax = fig.add_subplot()
    for i in range(12):
        ax.text(0.1, i / 12, f"label {i}")
    figure_bytes(fig, "svg")
    glyphs, sizes = svg_text.cache_sizes()
    assert 1 <= glyphs <= 5 and 1 <= sizes <= 5
    assert figure_bytes(fig, "svg") == _matplotlib_svg(fig)


def test_cached_results_are_copies_a_caller_may_change():
    tp = TextToPath()
    font = tp._get_font(Figure().text(0, 0, "x").get_fontproperties())
    with svg_text.cached_layout():
        info, new, _ = tp.get_glyphs_with_font(font, "abca", return_new_glyphs_only=True)
        assert len(info) == 4 and len(new) == 3  # 'a' twice: one outline
        info.clear()
        new.clear()
        seen = {}
        again, new_again, _ = tp.get_glyphs_with_font(font, "abca", glyph_map=seen)
        assert len(again) == 4 and new_again is seen and len(seen) == 3
        # glyphs already in the caller's map are not new
        _, only_new, _ = tp.get_glyphs_with_font(
            font, "abcd", glyph_map=seen, return_new_glyphs_only=True
        )
    assert len(only_new) == 1 and not set(only_new) & set(seen)  # only 'd'


def test_this_matplotlib_is_supported():
    """If this fails, matplotlib changed the two methods: check `svg_text` against it."""
    assert svg_text.SUPPORTED
