"""Bar charts in the report's manner and deterministic figure files."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import shv_analysis as shv
from shv_analysis.analysis import indicators
from shv_analysis.present.chart_layout import NOTICE_COLOR
from shv_analysis.present.charts import bar_chart, participation_chart
from shv_analysis.present.figures_io import figure_bytes, save_figure
from shv_analysis.section import Section


@pytest.fixture(scope="module")
def mini():
    from conftest import MINI as path

    return shv.load(path)


def _texts(fig):
    return [t.get_text() for t in fig.texts] + [t.get_text() for ax in fig.axes for t in ax.texts]


def test_bars_follow_table_order_with_dutch_decimal_comma(mini):
    table = indicators.as_reported(mini, "type", "nl")
    fig = bar_chart(table, "nl")
    ax = fig.axes[0]
    labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert labels == list(table.data["category"])
    ticks = dict(zip(ax.get_yticks(), labels))
    top = min(ticks)  # y axis inverted: the first row is drawn on top
    assert ax.get_ylim()[0] > ax.get_ylim()[1] and ticks[top] == "Vroegsignalering"
    texts = _texts(fig)
    assert "33,3%" in texts and "33.3%" not in texts  # 2 of 6, decimal comma
    assert table.title in texts
    assert any(t.startswith("n = 6 experimenten") for t in texts)  # caption: n and base


def test_english_uses_decimal_point(mini):
    fig = bar_chart(indicators.as_reported(mini, "type", "en"), "en")
    assert "33.3%" in _texts(fig)


def test_notice_is_drawn_in_red_only_when_set(mini):
    table = indicators.as_reported(mini, "fasen", "nl")
    assert table.notice is None
    plain = bar_chart(table, "nl")
    assert not any("SYNTHETISCHE" in t for t in _texts(plain))
    noticed = bar_chart(replace(table, notice="SYNTHETISCHE DATA: test"), "nl")
    red = [t for t in noticed.texts if "SYNTHETISCHE" in t.get_text()]
    assert red and red[0].get_color() == NOTICE_COLOR


def test_participation_chart_has_wilson_error_bars(mini):
    table = indicators.participation_by_type(mini, "nl")
    fig = participation_chart(table, "nl")
    ax = fig.axes[0]
    assert ax.collections, "error bars drawn"
    segments = np.concatenate([c.get_segments() for c in ax.collections])
    lows = sorted(round(float(s[0][0]), 6) for s in segments)
    expected = sorted(round(float(v), 6) for v in table.data["ci_low"])
    assert lows == expected
    assert "80,0%" in _texts(fig)  # participation 4 of 5


def test_empty_base_does_not_break(mini):
    empty = mini.subset("type=digitaal_product", allow_empty=True)
    fig = bar_chart(indicators.as_reported(empty, "fasen", "nl"), "nl")
    assert "n.v.t." in _texts(fig)


def test_figure_files_are_byte_identical_across_runs(mini, tmp_path):
    table = indicators.as_reported(mini, "verwachte_effecten", "nl")
    first = save_figure(bar_chart(table, "nl"), tmp_path / "a" / "fig")
    second = save_figure(bar_chart(table, "nl"), tmp_path / "b" / "fig")
    assert [p.suffix for p in first] == [".png", ".svg"]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes()
    svg = first[1].read_text("utf-8")
    assert "<dc:date>" not in svg
    assert figure_bytes(bar_chart(table, "nl"), "svg") == first[1].read_bytes()


def test_section_saves_and_replaces_its_own_files(mini, tmp_path):
    sec = Section("01_test", tmp_path, "nl")
    table = indicators.as_reported(mini, "type", "nl")
    sec.show(table)
    sec.show(table)  # same key twice: a second file, not an overwrite
    names = sorted(p.name for p in (tmp_path / "tables").iterdir())
    assert names == [
        "01_test__experimenten_type.csv",
        "01_test__experimenten_type.json",
        "01_test__experimenten_type_2.csv",
        "01_test__experimenten_type_2.json",
    ]
    assert len(list((tmp_path / "figures").glob("01_test__*.svg"))) == 2
    (tmp_path / "tables" / "02_other__x.csv").write_text("x\n")
    Section("01_test", tmp_path, "nl")  # a rerun starts clean, others' files stay
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == ["02_other__x.csv"]


def test_section_without_output_dir_writes_nothing(mini, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sec = Section("01_test", None, "nl")
    sec.show(indicators.as_reported(mini, "type", "nl"))
    assert list(tmp_path.iterdir()) == []


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_png_is_the_svg_rasterised_at_150_dpi(mini, tmp_path):
    import re

    from shv_analysis.present.figures_io import rasterise_missing, svg_to_png

    fig = bar_chart(indicators.as_reported(mini, "type", "nl"), "nl")
    png, svg = save_figure(fig, tmp_path / "fig")
    head = svg.read_text("utf-8")[:2000]
    width_pt = float(re.search(r'width="([0-9.]+)pt"', head).group(1))
    height_pt = float(re.search(r'height="([0-9.]+)pt"', head).group(1))
    width, height = _png_size(png.read_bytes())
    # 72 pt per inch, 150 pixels per inch, the page rounded to whole pixels
    assert abs(width - width_pt * 150 / 72) <= 1 and abs(height - height_pt * 150 / 72) <= 1
    assert width == round(fig.get_figwidth() * 150)
    from PIL import Image

    with Image.open(png) as image:  # the resolution is recorded, as Agg records it
        assert [round(d, 1) for d in image.info["dpi"]] == [150.0, 150.0]
    from shv_analysis.present.figures_io import with_resolution

    # stamping again replaces the chunk instead of adding a second one
    assert with_resolution(png.read_bytes()) == png.read_bytes()
    assert png.read_bytes().count(b"pHYs") == 1
    before = png.read_bytes()
    png.unlink()
    assert svg_to_png(svg) == png and png.read_bytes() == before  # deterministic
    # only the figures without a PNG are rasterised, and only those of the prefix
    save_figure(fig, tmp_path / "other", png=False)
    save_figure(fig, tmp_path / "fig_2", png=False)
    assert rasterise_missing(tmp_path, "fig") == [tmp_path / "fig_2.png"]
    assert not (tmp_path / "other.png").exists()
    assert rasterise_missing(tmp_path, "fig") == []
    # several SVGs in one compilation, one page each: the bytes of one at a time
    other = bar_chart(indicators.as_reported(mini, "fasen", "nl"), "nl")
    alone = save_figure(other, tmp_path / "solo" / "x")[0].read_bytes()
    save_figure(other, tmp_path / "x", png=False)
    (tmp_path / "fig_2.png").unlink()
    made = rasterise_missing(tmp_path)
    assert made == [tmp_path / n for n in ("fig_2.png", "other.png", "x.png")]
    assert (tmp_path / "fig_2.png").read_bytes() == before
    assert (tmp_path / "x.png").read_bytes() == alone != before


def test_section_shows_the_svg_and_a_report_kernel_leaves_the_png_to_its_worker(
    mini, tmp_path, monkeypatch
):
    import base64

    import shv_analysis.section as section
    from shv_analysis.present.figures_io import DEFER_PNG_ENV

    shown = []
    monkeypatch.setattr(section, "_display", lambda obj: shown.append(obj.data))
    table = indicators.as_reported(mini, "type", "nl")
    Section("01_a", tmp_path, "nl").chart(table)
    svg = (tmp_path / "figures" / "01_a__experimenten_type.svg").read_bytes()
    assert (tmp_path / "figures" / "01_a__experimenten_type.png").is_file()
    prefix = '<img src="data:image/svg+xml;base64,'
    assert shown[-1].startswith(prefix)
    assert base64.b64decode(shown[-1][len(prefix) :].split('"')[0]) == svg
    monkeypatch.setenv(DEFER_PNG_ENV, "1")
    Section("01_b", tmp_path, "nl").chart(table)
    assert (tmp_path / "figures" / "01_b__experimenten_type.svg").read_bytes() == svg
    assert not (tmp_path / "figures" / "01_b__experimenten_type.png").exists()
    # a figure shown as PNG (a map's SVG is large) is rasterised in the kernel all the same
    Section("01_c", tmp_path, "nl").figure(bar_chart(table, "nl"), "kaart", raster=True)
    png = (tmp_path / "figures" / "01_c__kaart.png").read_bytes()
    prefix = '<img src="data:image/png;base64,'
    assert shown[-1].startswith(prefix)
    assert base64.b64decode(shown[-1][len(prefix) :].split('"')[0]) == png
