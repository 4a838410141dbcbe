"""The text of SVG figures laid out once per string: a cache for matplotlib's text as paths.

With `svg.fonttype: path` (`figures_io.RC_PARAMS`) matplotlib's SVG backend lays out every
text of a figure with FreeType each time it saves one: `TextToPath.get_glyphs_with_font`
(glyph ids, positions and outlines) and `TextToPath.get_text_width_height_descent` (the
size, for the layout). The report's charts repeat their tick labels, category labels and
legends from figure to figure and from report to report, and this work was over half of
saving their SVGs (9 charts of section 05: 0.97 s, 0.42 s with the cache warm and the SVG
written to a text buffer, the same bytes).

`cached_layout()` is a context manager: while it is active, both methods answer from a
cache keyed by what their result depends on, and a string not seen before is laid out by
matplotlib itself. The SVG bytes are the same with and without it (tested). Only plain text
is cached; mathtext and TeX go to matplotlib every time. Outside the context matplotlib is
untouched. The cache lives as long as the process (a kernel runs many notebooks) and is
emptied when it holds `MAX_ENTRIES` strings. If a future matplotlib changes these methods,
`cached_layout()` does nothing (`SUPPORTED` is False) and saving is as slow as before.
"""

from __future__ import annotations

import contextlib
import inspect
import threading
from collections.abc import Iterator

from matplotlib.textpath import TextToPath

#: Strings kept per cache before it is emptied.
MAX_ENTRIES = 50_000

_ORIGINAL_GLYPHS = TextToPath.get_glyphs_with_font
_ORIGINAL_METRICS = TextToPath.get_text_width_height_descent
_glyphs: dict[tuple, tuple[list, dict, list]] = {}
_metrics: dict[tuple, tuple[float, float, float]] = {}
_lock = threading.Lock()
_depth = 0
_saved: tuple = ()  # the class's methods while the cache is active, to put them back


def _supported() -> bool:
    try:
        glyphs = list(inspect.signature(_ORIGINAL_GLYPHS).parameters)
        metrics = list(inspect.signature(_ORIGINAL_METRICS).parameters)
    except (TypeError, ValueError):
        return False
    return glyphs == [
        "self",
        "font",
        "s",
        "glyph_map",
        "return_new_glyphs_only",
        "features",
        "language",
    ] and metrics == ["self", "s", "prop", "ismath"]


#: Whether this matplotlib's methods have the signatures the cache answers for.
SUPPORTED = _supported()


def _remember(cache: dict, key: tuple, value):
    if len(cache) >= MAX_ENTRIES:
        cache.clear()
    cache[key] = value
    return value


def _cached_glyphs(
    self, font, s, glyph_map=None, return_new_glyphs_only=False, *, features=None, language=None
):
    """`TextToPath.get_glyphs_with_font`, from the cache when `s` was laid out with `font`.

    The font comes from `TextToPath._get_font`, which sets its size to `FONT_SCALE`, so the
    font object and the string fix the layout; the outlines are those of that size.
    """
    key = (font, s, features, language)
    hit = _glyphs.get(key)
    if hit is None:
        info, outlines, rects = _ORIGINAL_GLYPHS(
            self, font, s, None, False, features=features, language=language
        )
        hit = _remember(_glyphs, key, (info, dict(outlines), rects))
    info, outlines, rects = hit
    if glyph_map is None:
        glyph_map = {}
    new = {}
    for glyph_repr, *_ in info:  # in order of first use, as matplotlib adds them
        if glyph_repr not in glyph_map and glyph_repr not in new:
            new[glyph_repr] = outlines[glyph_repr]
    if not return_new_glyphs_only:
        glyph_map.update(new)
        new = glyph_map
    return list(info), new, list(rects)


def _cached_metrics(self, s, prop, ismath):
    """`TextToPath.get_text_width_height_descent`, from the cache for plain text (the font
    object, the string and the size in points fix it).
    """
    if ismath:
        return _ORIGINAL_METRICS(self, s, prop, ismath)
    key = (self._get_font(prop), s, prop.get_size_in_points())
    hit = _metrics.get(key)
    if hit is None:
        hit = _remember(_metrics, key, _ORIGINAL_METRICS(self, s, prop, ismath))
    return hit


@contextlib.contextmanager
def cached_layout() -> Iterator[None]:
    """While active, matplotlib's text-as-path layout answers from the cache (see the
    module). Nested and concurrent uses are fine: the methods are put back when the last
    one ends.
    """
    global _depth, _saved
    if not SUPPORTED:
        yield
        return
    with _lock:
        _depth += 1
        if _depth == 1:
            _saved = (TextToPath.get_glyphs_with_font, TextToPath.get_text_width_height_descent)
            TextToPath.get_glyphs_with_font = _cached_glyphs
            TextToPath.get_text_width_height_descent = _cached_metrics
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                TextToPath.get_glyphs_with_font, TextToPath.get_text_width_height_descent = _saved
                _saved = ()


def clear() -> None:
    """Empty the caches."""
    _glyphs.clear()
    _metrics.clear()


def cache_sizes() -> tuple[int, int]:
    """(strings with glyphs cached, strings with sizes cached)."""
    return len(_glyphs), len(_metrics)
