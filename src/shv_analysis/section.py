"""The thin helper every section notebook calls: show a result, and save it when asked.

    sec = Section("01_overzicht", output_dir, lang)
    sec.notice(ds)            # synthetic-data notice (red block) and what was loaded
    sec.table(table)          # show a Table; with output_dir also tables/<section>__<key>.csv
    sec.chart(table)          # bar chart of it; with output_dir also figures/<...>.png/.svg
    sec.figure(fig, "key")    # any matplotlib Figure, shown (SVG) and saved the same way
    sec.text(sentence)        # a sentence whose numbers were computed (see `narrative`)
    sec.crosstab(ct)          # a cross-tab: table, chart, test line, what it can(not) show

With `output_dir=None` nothing is written. A Section owns the files under `output_dir` that
start with its name: on creation it removes its own earlier files (never anyone else's), so
a rerun leaves no stale tables or figures behind. The tables it wrote are listed in
`sec.tables`; `export.workbook_from_folder(output_dir / "tables", ...)` puts them in one
workbook, as `shv report` does.

Small cells: `Section(..., min_cell=None)` suppresses cross-tab counts below
`suppression.DEFAULT_MIN_CELL` when `output_dir` is set (the tables, figures and the report's
HTML are exports) and nothing when exploring interactively (`output_dir=None`); an integer
overrides either (0 = off). `sec.min_cell` holds the threshold in use.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from shv_analysis.analysis.tables import Table
from shv_analysis.text import normalise_lang

TABLES_DIR, FIGURES_DIR = "tables", "figures"
DISPLAY_WIDTH_PX = 800

NOTICE_STYLE = (
    "border:3px solid #b00020;background:#fdecea;color:#b00020;padding:10px 14px;"
    "margin:6px 0 14px 0;font-weight:bold;font-size:110%"
)


def _display(obj) -> None:
    try:
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        print(repr(obj))
        return
    display(obj)


def _html(markup: str):
    from IPython.display import HTML

    return HTML(markup)


def _safe_key(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(key)).strip("._") or "item"


def notice_html(text: str) -> str:
    """The synthetic-data notice as a prominent red HTML block."""
    return (
        f'<div class="shv-synthetic-notice" role="alert" style="{NOTICE_STYLE}">'
        f"{html.escape(text)}</div>"
    )


class Section:
    """Display and (optionally) save the results of one report section."""

    def __init__(
        self,
        name: str,
        output_dir: str | Path | None = None,
        lang: str = "nl",
        min_cell: int | None = None,
    ):
        from shv_analysis.analysis.suppression import resolve_min_cell

        self.name = _safe_key(name)
        self.lang = normalise_lang(lang)
        self.output_dir = Path(output_dir).resolve() if output_dir else None
        self.min_cell = resolve_min_cell(min_cell, exporting=self.output_dir is not None)
        self.tables: list[Path] = []
        self.figures: list[Path] = []
        self._used: set[tuple[str, str]] = set()
        if self.output_dir is not None:
            for sub in (TABLES_DIR, FIGURES_DIR):
                folder = self.output_dir / sub
                folder.mkdir(parents=True, exist_ok=True)
                for old in folder.glob(f"{self.name}__*"):
                    if old.is_file():
                        old.unlink()

    def _stem(self, key: str, kind: str) -> str:
        stem = f"{self.name}__{_safe_key(key)}"
        candidate, i = stem, 2
        while (kind, candidate) in self._used:
            candidate = f"{stem}_{i}"
            i += 1
        self._used.add((kind, candidate))
        return candidate

    def notice(self, ds) -> None:
        """The synthetic notice (when the data are synthetic) and a line on what was loaded."""
        from shv_analysis.present.narrative import loaded

        text = ds.notice(self.lang)
        block = notice_html(text) if text else ""
        line = f'<p style="color:#444">{html.escape(loaded(ds, self.lang))}</p>'
        _display(_html(block + line))

    def text(self, sentence: str) -> None:
        """A computed sentence as a paragraph (nothing when empty)."""
        if sentence:
            _display(_html(f"<p>{html.escape(sentence)}</p>"))

    def table(self, table: Table, key: str | None = None, saved: Table | None = None) -> None:
        """Show a Table; with output_dir, save it (or `saved`, the same result in another
        form, such as a cross-tab's numbers) as CSV (+ sidecar) for the workbook.
        """
        from dataclasses import replace

        shown = table.data.drop(columns=["code"], errors="ignore")  # codes stay in the CSV
        _display(replace(table, data=shown, meta={**table.meta, "lang": self.lang}))
        if self.output_dir is None:
            return
        if saved is not None:
            table = saved
        from shv_analysis.present.export import write_table_csv

        stem = self._stem(key or table.key, TABLES_DIR)
        order = len(self.tables) + 1
        sheet = f"{self.name.split('_', 1)[0]} {stem.split('__', 1)[1]}"
        extra = {"section": self.name, "order": order, "sheet": sheet}
        for name in ("number_formats", "min_cell"):  # a cross-tab's numbers
            if name in table.meta:
                extra[name] = table.meta[name]
        write_table_csv(table, self.output_dir / TABLES_DIR / f"{stem}.csv", extra=extra)
        self.tables.append(self.output_dir / TABLES_DIR / f"{stem}.csv")

    def figure(self, fig, key: str, alt: str | None = None, raster: bool = False) -> None:
        """Show a matplotlib Figure; with output_dir, save it as SVG and PNG (150 dpi).

        The notebook shows the SVG (vectors: sharp at any zoom; for a chart about 1.4 times
        the bytes of its PNG) as an `<img>` data URI; `raster=True` shows the PNG instead, for
        a figure whose SVG is much larger (a map's SVG holds every boundary: ~800 KB against
        a ~300 KB PNG). In a report worker's kernel (`figures_io.png_deferred`) the PNG of a
        figure shown as SVG is made by the worker after the notebook has run.
        alt: text alternative of the image (default: the figure's first text, its title).
        """
        import base64

        from shv_analysis.present.figures_io import figure_bytes, png_deferred, save_figure

        mime = "png" if raster else "svg+xml"
        if self.output_dir is None:
            shown = figure_bytes(fig, "png" if raster else "svg")
        else:
            stem = self.output_dir / FIGURES_DIR / self._stem(key, FIGURES_DIR)
            paths = save_figure(fig, stem, png=raster or not png_deferred())
            self.figures += paths
            shown = paths[0 if raster else -1].read_bytes()
        if alt is None:
            alt = next((t.get_text() for t in fig.texts if t.get_text()), key)
        # An <img> with alt text, so the exported HTML is accessible too.
        data = base64.b64encode(shown).decode("ascii")
        _display(
            _html(
                f'<img src="data:image/{mime};base64,{data}" alt="{html.escape(alt)}" '
                f'width="{DISPLAY_WIDTH_PX}" style="max-width:100%">'
            )
        )

    def map(self, ds, kind: str) -> None:
        """A choropleth of the dataset (see `maps.report_map`), or how to get boundaries."""
        from shv_analysis.present.maps import report_map

        result = report_map(ds, kind, self.lang)
        if isinstance(result, str):
            self.text(result)
        else:
            self.figure(result, f"kaart_{kind}", raster=True)

    def chart(self, table: Table, key: str | None = None, **options) -> None:
        """`charts.bar_chart(table)` (or the Wilson chart for participation, or the cross-tab
        chart for `CrossTab.to_table()`, with this section's `min_cell`), shown and saved.
        """
        from shv_analysis.present.charts import bar_chart, participation_chart
        from shv_analysis.present.crosstab_charts import crosstab_chart

        if "crosstab" in table.meta:
            fig = crosstab_chart(table.meta["crosstab"], self.lang, self.min_cell, **options)
        elif {"ci_low", "ci_high"} <= set(table.data.columns):
            fig = participation_chart(table, self.lang, **options)
        else:
            fig = bar_chart(table, self.lang, **options)
        self.figure(fig, key or table.key)

    def crosstab(self, ct, key: str | None = None) -> None:
        """A cross-tab (`crosstab.CrossTab`): display table, chart, test line and sentence.

        The display table is `ct.to_table(lang, self.min_cell)` (hidden cells read '<5' or
        'x'); with output_dir the CSV (+ sidecar) holds `crosstab_text.crosstab_numbers`: one row
        per cell with n, base, pct, ci_low, ci_high and `suppressed`, numbers only. The
        chart is `crosstab_charts.crosstab_chart` with the same suppression. A table with a hidden
        cell shows no statistic, p-value or V ('Toets niet getoond: kleine aantallen'); the
        sentence is `narrative.crosstab_sentence`, computed from the cells that are shown.
        A cross-tab that compares nothing (all records in one group of the column field or in
        one category of a single-choice row field, as in a subset on that field, or no
        records) is not shown: one sentence says why (`narrative.crosstab_not_compared`).
        """
        from shv_analysis.analysis.crosstab_text import crosstab_numbers
        from shv_analysis.present.crosstab_charts import crosstab_chart
        from shv_analysis.present.narrative import crosstab_not_compared, crosstab_sentence

        not_compared = crosstab_not_compared(ct, self.lang)
        if not_compared:  # one group or category (a subset on that field), or no records
            self.text(not_compared)
            return
        table = ct.to_table(self.lang, self.min_cell)
        self.table(table, key, saved=crosstab_numbers(ct, self.lang, self.min_cell))
        self.figure(crosstab_chart(ct, self.lang, self.min_cell), key or table.key)
        # The test line is in the table's footer (and on the chart): not printed again.
        self.text(crosstab_sentence(ct, self.lang, self.min_cell))

    def show(self, table: Table, key: str | None = None, **options) -> None:
        """Table and its bar chart, as the report shows most results."""
        self.table(table, key)
        self.chart(table, key, **options)
