"""How `shv report` keeps its workers busy: the longest sections start first (estimated from
the previous run's manifest.json, else a table), and a warm kernel imports the library before
its first notebook (the import prelude) without leaving anything behind."""

from __future__ import annotations

import json
import sys
from pathlib import Path

# jsonschema (under nbformat) would build an IRI grammar for ~3 s; unused here.
sys.modules.setdefault("rfc3987_syntax", None)
import papermill  # noqa: E402,F401  (before the engine module, see engine.py)
import pytest  # noqa: E402

from shv_analysis.report.engine import (  # noqa: E402
    PRELUDE_MODULES,
    Worker,
    prelude_source,
)
from shv_analysis.report.tasks import (  # noqa: E402
    DEFAULT_COST,
    SECTION_COSTS,
    Task,
    longest_first,
    previous_costs,
)

SECTIONS = ["00_datakwaliteit", "01_overzicht", "04_lessen", "05_kruistabellen", "77_nieuw"]


def _tasks(reports=("",)) -> list[Task]:
    return [
        Task(report, name, f"{name}.ipynb", f"/build/{report}", (), "nl", None)
        for report in reports
        for name in SECTIONS
    ]


def _manifest(folder: Path, seconds: dict, failed: tuple = ()) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    sections = [
        {"name": name, "status": "failed" if name in failed else "ok", "seconds": s}
        for name, s in seconds.items()
    ]
    (folder / "manifest.json").write_text(json.dumps({"sections": sections}), "utf-8")


def _order(tasks) -> list[tuple[str, str]]:
    return [(t.report, t.section) for t in tasks]


def test_without_a_manifest_the_table_puts_the_cross_tabs_first():
    ordered = longest_first(_tasks(), previous_costs(None, [""]))
    # 05 5.3 s, 01 3.8, 00 2.2, the unknown 77 DEFAULT_COST 1.0, 04 0.6
    assert [t.section for t in ordered] == [
        "05_kruistabellen",
        "01_overzicht",
        "00_datakwaliteit",
        "77_nieuw",
        "04_lessen",
    ]
    assert SECTION_COSTS["04_lessen"] < DEFAULT_COST < SECTION_COSTS["00_datakwaliteit"]


def test_the_previous_manifest_decides_the_order(tmp_path):
    _manifest(
        tmp_path,
        {"00_datakwaliteit": 0.4, "01_overzicht": 9.0, "04_lessen": 3.0, "77_nieuw": 2.0},
    )
    assert previous_costs(tmp_path, [""]) == {
        ("", "00_datakwaliteit"): 0.4,
        ("", "01_overzicht"): 9.0,
        ("", "04_lessen"): 3.0,
        ("", "77_nieuw"): 2.0,
    }
    ordered = longest_first(_tasks(), previous_costs(tmp_path, [""]))
    # 01 9.0, 05 (not in the manifest: table) 5.3, 04 3.0, 77 2.0, 00 0.4
    assert [t.section for t in ordered] == [
        "01_overzicht",
        "05_kruistabellen",
        "04_lessen",
        "77_nieuw",
        "00_datakwaliteit",
    ]


def test_each_uses_every_reports_manifest_and_the_mean_for_a_new_report(tmp_path):
    _manifest(tmp_path / "all", {"00_datakwaliteit": 8.0, "04_lessen": 1.0})
    _manifest(tmp_path / "type-a", {"00_datakwaliteit": 2.0, "04_lessen": 7.0})
    # a failed section's time says nothing about a full run: not used
    _manifest(tmp_path / "type-b", {"00_datakwaliteit": 50.0}, failed=("00_datakwaliteit",))
    reports = ["all", "type-a", "type-b"]
    costs = previous_costs(tmp_path, reports)
    assert costs == {
        ("all", "00_datakwaliteit"): 8.0,
        ("all", "04_lessen"): 1.0,
        ("type-a", "00_datakwaliteit"): 2.0,
        ("type-a", "04_lessen"): 7.0,
    }
    ordered = _order(longest_first(_tasks(reports), costs))
    # type-b has no times: the mean over the other reports (00: 5.0, 04: 4.0)
    assert ordered[:5] == [
        ("all", "00_datakwaliteit"),
        ("type-a", "04_lessen"),
        ("all", "05_kruistabellen"),
        ("type-a", "05_kruistabellen"),
        ("type-b", "05_kruistabellen"),
    ]
    assert ordered.index(("type-b", "00_datakwaliteit")) == 5
    assert ordered.index(("type-b", "04_lessen")) == 6
    assert sorted(ordered) == sorted(_order(_tasks(reports)))  # every task, once


def test_an_unreadable_manifest_is_no_manifest(tmp_path):
    (tmp_path / "manifest.json").write_text("{not json", "utf-8")
    assert previous_costs(tmp_path, [""]) == {}
    (tmp_path / "manifest.json").write_text(json.dumps({"sections": "?"}), "utf-8")
    assert previous_costs(tmp_path, [""]) == {}


def test_the_prelude_imports_and_leaves_no_name():
    namespace: dict = {}
    sys.modules.pop("colorsys", None)
    import gc

    frozen = gc.get_freeze_count()
    try:
        exec(prelude_source(("colorsys", "no_such_module_shv")), namespace)
        assert gc.get_freeze_count() > frozen  # what the imports made is frozen
    finally:
        gc.unfreeze()  # this test process keeps collecting as before
    assert "colorsys" in sys.modules  # imported; the missing module is skipped
    assert set(namespace) == {"__builtins__"}


@pytest.mark.notebooks
def test_a_warm_kernel_has_the_library_imported_before_its_first_notebook():
    worker = Worker("python3", warm=True)
    try:
        reply = worker.run_silently(
            "import sys\n"
            f"missing = [m for m in {PRELUDE_MODULES!r} if m not in sys.modules]\n"
            "assert not missing, missing\n"
            "assert 'matplotlib.pyplot' not in sys.modules\n"
            "assert not [n for n in globals() if n.startswith('_shv')]\n"
            "import gc\n"
            "assert gc.get_freeze_count() > 0\n"
        )
        assert reply["status"] == "ok", reply.get("evalue")
    finally:
        worker.close()


def test_each_runs_report_by_report_each_longest_first():
    from shv_analysis.report.scheduling import report_by_report

    reports = ["all", "type-a"]
    ordered = _order(report_by_report(_tasks(reports), {}, reports))
    within = ["05_kruistabellen", "01_overzicht", "00_datakwaliteit", "77_nieuw", "04_lessen"]
    assert ordered == [("all", s) for s in within] + [("type-a", s) for s in within]
    # one report: the same order as longest_first
    assert report_by_report(_tasks(), {}, [""]) == longest_first(_tasks(), {})


def test_an_urgent_job_starts_before_the_jobs_still_waiting():
    import concurrent.futures as cf

    from shv_analysis.report.scheduling import JobQueue

    ran: list[str] = []
    with cf.ThreadPoolExecutor(1) as pool:
        queue = JobQueue(pool, 1)  # one job in the pool at a time
        for name in ("a", "b", "c"):
            queue.add(name, ran.append, name)
        seen = []
        for key, future in queue.done():
            future.result()
            seen.append(key)
            if key == "a":  # added while "b" and "c" wait: runs before them
                queue.add("finish-a", ran.append, "finish-a", urgent=True)
    assert ran == seen == ["a", "finish-a", "b", "c"]


def test_a_report_is_finished_as_soon_as_its_jobs_are_done(monkeypatch):
    """`run_jobs(on_report=...)`: the index of a report is written while the next report's
    sections run, with its results in task order and its PDF warning; a report whose
    workbook or single file failed is not finished, and the failure is raised."""
    import concurrent.futures as cf

    from shv_analysis.report import scheduling, whole
    from shv_analysis.report.tasks import SectionResult

    log: list[str] = []

    def fake_task(task):
        log.append(f"section {task.report}/{task.section}")
        return SectionResult(task.report, task.section, task.section, "ok", 0.1)

    def fake_files(report_dir, names, **kwargs):
        log.append(f"files {report_dir}")
        if "broken" in str(report_dir):
            raise OSError("disk full")
        return []

    def fake_pdf(report_dir, names, **kwargs):
        log.append(f"pdf {report_dir}")
        return ["no PDF: test"]

    monkeypatch.setattr(scheduling, "run_task", fake_task)
    monkeypatch.setattr(whole, "write_whole_report", fake_files)
    monkeypatch.setattr(whole, "make_pdf", fake_pdf)
    finished = []

    def on_report(report, results, warnings):
        log.append(f"finish {report}")
        finished.append((report, [r.section for r in results], list(warnings)))

    def run(reports):
        with cf.ThreadPoolExecutor(1) as pool:
            return scheduling.run_jobs(
                pool, 1, _tasks(reports), reports, {}, {r: {} for r in reports},
                progress=False, on_report=on_report,
            )  # fmt: skip

    reports = ["all", "type-a"]
    results, warnings = run(reports)
    assert [(r.report, r.section) for r in results] == _order(_tasks(reports))
    assert finished == [(r, SECTIONS, ["no PDF: test"]) for r in reports]
    first_b = log.index("section type-a/05_kruistabellen")
    assert log.index("finish all") < log.index("section type-a/04_lessen")  # not at the end
    assert log.index("pdf /build/all") < first_b and log.index("files /build/all") < first_b
    assert log[-1] == "finish type-a" and warnings == {r: ["no PDF: test"] for r in reports}

    log.clear()
    finished.clear()
    reports = ["broken", "type-a"]
    with pytest.raises(OSError, match="disk full"):
        run(reports)
    assert [f[0] for f in finished] == ["type-a"]
