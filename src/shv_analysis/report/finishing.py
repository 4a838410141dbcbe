"""Finishing a report folder after its sections ran and its workbook, single file and PDF
were written (`scheduling`): the index pages and the manifest, for one report and for an
`--each` run.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path

from shv_analysis.report.contents import report_date
from shv_analysis.report.outputs import (
    each_manifest,
    report_manifest,
    write_json,
)
from shv_analysis.report.rendering import write_each_index, write_report_index
from shv_analysis.report.tasks import (
    KERNEL_NAME,
    SectionResult,
)


@dataclasses.dataclass
class ReportPlan:
    """One report folder of a run."""

    folder: str  # "" for a single report, else "all" / "<field>-<value>"
    subset: str | None
    label: str


def finish_report(
    report_dir: Path,
    plan: ReportPlan,
    results: list[SectionResult],
    ds,
    parameters: dict,
    lang: str,
    data: dict,
    warm: bool,
    version: str,
    warnings: Sequence[str] = (),
    day=None,
    stream=None,
) -> dict:
    """index.html and manifest.json of one report folder whose workbook, single file and PDF
    were written (`whole.write_whole_report`, `whole.make_pdf`); returns its summary. `day`
    is the report date (default: `contents.report_date()`); `warnings` (no PDF) are printed
    to `stream`.
    """
    report_dir.mkdir(parents=True, exist_ok=True)
    sub = ds.subset(plan.subset) if plan.subset else ds
    notice = sub.notice(lang)
    day = day or report_date()
    for warning in warnings:
        print(
            f"shv report: {plan.folder + ': ' if plan.folder else ''}{warning}",
            file=stream or sys.stderr,
        )
    write_report_index(
        report_dir, results, lang, notice, ds.display_name(lang), plan.subset, version, day=day
    )
    status = "ok" if all(r.status == "ok" for r in results) else "failed"
    sections = [
        {
            "name": r.section,
            "title": r.title,
            "status": r.status,
            "seconds": r.seconds,
            "execute_seconds": r.execute_seconds,
            "render_seconds": r.render_seconds,
            "error": r.error,
            "files": r.files,
        }
        for r in results
    ]
    manifest = report_manifest(
        report_dir,
        version=version,
        status=status,
        data=data,
        ds=ds,
        sub=sub,
        subset=plan.subset,
        lang=lang,
        parameters=parameters,
        kernel={"name": KERNEL_NAME, "mode": "warm" if warm else "isolated"},
        sections=sections,
    )
    manifest["report_date"] = day.isoformat()  # see contents.report_date
    write_json(report_dir / "manifest.json", manifest)
    return {"folder": plan.folder, "subset": plan.subset, "label": plan.label, "status": status}


def finish_each(
    root: Path,
    field_name: str,
    summaries: list[dict],
    ds,
    lang: str,
    data: dict,
    parameters: dict,
    version: str,
) -> None:
    """index.html and manifest.json of an `--each` root folder."""
    write_each_index(
        root, field_name, summaries, lang, ds.notice(lang), ds.display_name(lang), version
    )
    status = "ok" if all(s["status"] == "ok" for s in summaries) else "failed"
    manifest = each_manifest(
        root,
        version=version,
        status=status,
        each=field_name,
        data=data,
        ds=ds,
        lang=lang,
        parameters=parameters,
        reports=summaries,
    )
    write_json(root / "manifest.json", manifest)


def print_summary(results, failed, where: Path, out: Path, seconds: float, ds, stream) -> None:
    for r in results:
        name = f"{r.report}/{r.section}" if r.report else r.section
        print(
            f"  {name:<40} {r.status:<6} {r.seconds:6.1f} s  (execute {r.execute_seconds:.1f} "
            f"s, html {r.render_seconds:.1f} s)",
            file=stream,
        )
    if ds.synthetic:
        print(ds.notice("en"), file=stream)
    if failed:
        print(f"{len(failed)} section(s) failed:", file=stream)
        for r in failed:
            name = f"{r.report}/{r.section}" if r.report else r.section
            print(f"  {name}: {r.describe_error()}", file=stream)
        previous = (
            f"the previous report in {out} was left unchanged"
            if out.exists()
            else f"no report was installed at {out}"
        )
        print(f"Executed notebooks kept for inspection in {where}; {previous}.", file=stream)
    else:
        print(f"Report written to {where / 'index.html'} in {seconds:.1f} s", file=stream)
