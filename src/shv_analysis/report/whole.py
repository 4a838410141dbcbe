"""The whole report in one file: `rapport.html` and `rapport.pdf` of a report folder.

`write_whole_report` reads the executed notebooks once (`contents.read_sections`) and writes
the single HTML file (`single_file`) and, unless asked not to, the PDF (`pdf`). A missing
`typst` package or a Typst error costs the PDF only, with a sentence saying why; the rest
of the report is written as usual.

`shv report` runs `make_pdf` and the single file as jobs of its worker pool, as soon as a
report's sections are done (`scheduling`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from shv_analysis.report.contents import read_sections
from shv_analysis.report.pdf import write_pdf
from shv_analysis.report.rendering import environment
from shv_analysis.report.single_file import write_single_file
from shv_analysis.section import notice_html
from shv_analysis.text import text


def make_pdf(
    report_dir: Path,
    names: Sequence[str],
    lang: str,
    *,
    dataset: str,
    subset: str | None,
    notice: str | None,
    day: dt.date,
    version: str,
) -> list[str]:
    """Write the PDF of a report folder (see `write_whole_report` for the arguments).

    Returns:
        Warnings, one sentence each: empty when the PDF was written.
    """
    try:
        write_pdf(
            report_dir,
            read_sections(report_dir, names),
            lang,
            title=text("index.title", lang),
            dataset=dataset,
            subset=subset,
            notice=notice,
            day=day,
            version=version,
        )
    except ImportError:
        return [
            "no PDF: the typst package is not installed (pip install typst); --no-pdf skips the PDF"
        ]
    except RuntimeError as exc:
        return [f"no PDF: {exc}"]
    return []


def write_whole_report(
    report_dir: Path,
    names: Sequence[str],
    lang: str,
    *,
    dataset: str,
    subset: str | None,
    notice: str | None,
    day: dt.date,
    version: str,
    pdf: bool = True,
    workbook: bool = False,
) -> list[str]:
    """Write the single file, with `pdf` the PDF and with `workbook` the workbook
    (`tables.xlsx`, from `tables/`) of a report folder.

    Args:
        report_dir: the report folder, its sections executed (notebooks/, figures/).
        names: the section stems of the report (any order; shown in report order).
        lang: "nl" or "en".
        dataset: the dataset's name.
        subset: the subset shown, if any.
        notice: the synthetic-data notice (None for real data).
        day: the report date (`contents.report_date`).
        version: the version of shv-analysis.
        pdf: also write the PDF.
        workbook: also write `tables.xlsx` (when the report has a `tables/` folder).

    Returns:
        Warnings, one sentence each (empty when everything was written).
    """
    if workbook and (report_dir / "tables").is_dir():
        from shv_analysis.present.export import workbook_from_folder

        workbook_from_folder(
            report_dir / "tables",
            report_dir / "tables.xlsx",
            notice=notice,
            lang=lang,
            dataset=dataset,
        )
    write_single_file(
        report_dir,
        read_sections(report_dir, names),
        lang,
        environment(),
        title=text("index.title", lang),
        dataset=dataset,
        subset=subset,
        notice_block=notice_html(notice) if notice else None,
        day=day,
        version=version,
    )
    if not pdf:
        return []
    return make_pdf(
        report_dir,
        names,
        lang,
        dataset=dataset,
        subset=subset,
        notice=notice,
        day=day,
        version=version,
    )
