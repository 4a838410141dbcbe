"""The whole report in one file: `rapport.html` and `rapport.pdf` of a report folder.

`write_whole_report` reads the executed notebooks once (`contents.read_sections`) and writes
the single HTML file (`single_file`) and, unless asked not to, the PDF (`pdf`). A missing
`typst` package or a Typst error costs the PDF only, with a sentence saying why; the rest
of the report is written as usual.

`PdfMaker` typesets the PDFs of an `--each` run in spawned background processes, so that
Typst runs while this process writes the workbooks and single files: `start` per report,
then `wait` for its warnings. (Not forked: a fork of a process with threads can inherit a
held lock and hang. A spawned process first imports the package, about as long as one PDF
takes, so a single report makes its PDF in this process.)
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import multiprocessing
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
) -> list[str]:
    """Write the single file and (with `pdf`) the PDF of a report folder.

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

    Returns:
        Warnings, one sentence each (empty when everything was written).
    """
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


class PdfMaker:
    """PDFs typeset in up to `workers` background processes (see the module docstring).

    Args:
        workers: processes at most (0: make every PDF in this process, at `wait`).
    """

    def __init__(self, workers: int):
        self.pool = None
        self.pending: dict[str, object] = {}
        if workers > 0:
            self.pool = cf.ProcessPoolExecutor(
                max_workers=workers, mp_context=multiprocessing.get_context("spawn")
            )

    def start(self, key: str, report_dir: Path, names: Sequence[str], lang: str, **kwargs) -> None:
        """Begin the PDF of one report (`make_pdf`'s arguments), known as `key`."""
        args = (report_dir, list(names), lang)
        if self.pool is None:
            self.pending[key] = (args, kwargs)
        else:
            self.pending[key] = self.pool.submit(make_pdf, *args, **kwargs)

    def wait(self, key: str) -> list[str]:
        """The warnings of the PDF `key` once it is written (nothing for an unknown key)."""
        job = self.pending.pop(key, None)
        if job is None:
            return []
        if isinstance(job, tuple):
            args, kwargs = job
            return make_pdf(*args, **kwargs)
        try:
            return job.result()
        except Exception as exc:  # noqa: BLE001 - a dead process costs the PDF only
            return [f"no PDF: {type(exc).__name__}: {exc}"]

    def close(self) -> None:
        """Stop the background processes (after every `wait`)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
