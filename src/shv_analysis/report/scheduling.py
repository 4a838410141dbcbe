"""Running a report's jobs on the worker pool: the sections, then each report's finishing.

The pool's workers are warm (their imports done), so every job of a run goes to them: the
sections (`tasks.run_task`) and, as soon as the last section of a report is done, that
report's finishing jobs: workbook and single file (`whole.write_whole_report` with
`workbook=True, pdf=False`) and the PDF (`whole.make_pdf`). A finishing job goes ahead of
the sections still waiting (`JobQueue` keeps at most one job per worker in the pool, so a
job added later can still start first). With `--each`, the reports are run one after the
other (`report_by_report`), each with its longest sections first, so that a report's
finishing overlaps the next reports' sections instead of all of them waiting for the end.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import sys
from collections.abc import Callable, Hashable, Iterator, Sequence
from pathlib import Path

from shv_analysis.report.tasks import SectionResult, Task, error_info, longest_first, run_task


def report_by_report(
    tasks: list[Task], previous: dict[tuple[str, str], float], reports: Sequence[str]
) -> list[Task]:
    """The tasks of `reports` in that order, each report's longest first (`longest_first`,
    with the same estimates); a single report's order is `longest_first`'s.
    """
    ordered = longest_first(tasks, previous)
    rank = {report: i for i, report in enumerate(reports)}
    return sorted(ordered, key=lambda task: rank.get(task.report, len(rank)))


class JobQueue:
    """Jobs for a process pool, at most `limit` of them in the pool at a time.

    `add` puts a job at the end of the queue, or at its front with `urgent=True`; `done`
    yields (key, future) as jobs finish and keeps the pool fed, until no job is left. Jobs
    added while `done` is iterating are run too.
    """

    def __init__(self, pool: cf.Executor, limit: int):
        self.pool = pool
        self.limit = max(1, limit)
        self.waiting: collections.deque = collections.deque()
        self.running: dict[cf.Future, tuple[int, Hashable]] = {}
        self._count = 0

    def add(self, key: Hashable, fn: Callable, *args, urgent: bool = False, **kwargs) -> None:
        """Queue `fn(*args, **kwargs)` (picklable), known as `key` in `done`."""
        job = (self._count, key, fn, args, kwargs)
        self._count += 1
        if urgent:
            self.waiting.appendleft(job)
        else:
            self.waiting.append(job)

    def _fill(self) -> None:
        while self.waiting and len(self.running) < self.limit:
            number, key, fn, args, kwargs = self.waiting.popleft()
            self.running[self.pool.submit(fn, *args, **kwargs)] = (number, key)

    def done(self) -> Iterator[tuple[Hashable, cf.Future]]:
        """(key, finished future) of every job, in the order they finish (ties: in the
        order they were added).
        """
        while True:
            self._fill()
            if not self.running:
                return
            finished, _ = cf.wait(self.running, return_when=cf.FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: self.running[f][0]):
                _, key = self.running.pop(future)
                yield key, future
                self._fill()  # a job added meanwhile may start before the next one


def is_terminal(stream, progress: bool | None) -> bool:
    """A progress bar (True) or plain lines: `progress` when given, else whether `stream`
    is a terminal.
    """
    if progress is not None:
        return progress
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def progress_line(stream, done: int, total: int, name: str, result: SectionResult) -> None:
    """One plain progress line, flushed at once (output to a file or pipe is block-buffered):
    ``shv report: 3/7 02_kenmerken ok 1.2 s``.
    """
    print(
        f"shv report: {done}/{total} {name} {result.status} {result.seconds:.1f} s",
        file=stream,
        flush=True,
    )


def run_jobs(
    pool: cf.Executor,
    workers: int,
    tasks: list[Task],
    reports: Sequence[str],
    previous: dict[tuple[str, str], float],
    finishing: dict[str, dict] | None = None,
    pdf: bool = True,
    progress: bool | None = None,
    stream=None,
    on_report: Callable[[str, list[SectionResult], list[str]], None] | None = None,
) -> tuple[list[SectionResult], dict[str, list[str]]]:
    """Run the section tasks of `reports` (ordered by `report_by_report`) on `pool`, and
    each report's finishing jobs when its sections are done.

    Args:
        workers: the pool's processes (jobs in the pool at a time).
        previous: the earlier run's times (`tasks.previous_costs`), for the order only.
        finishing: report folder -> the keyword arguments of `whole.write_whole_report` /
            `whole.make_pdf` (`names` excluded: the report's sections); None: no finishing.
        pdf: also make each report's PDF.
        progress, stream: as `runner.run_report`.
        on_report: called in this process as `on_report(report, results, warnings)` as soon
            as a report's sections and finishing jobs are done (while the workers go on
            with the next reports), unless writing its workbook or single file failed.

    Returns:
        The section results in the order of `tasks`, and per report the warnings of its
        finishing (a PDF that could not be made).

    Raises:
        Exception: what `write_whole_report` raised in the worker (the workbook or the
            single file could not be written).
    """
    from tqdm import tqdm

    from shv_analysis.report.whole import make_pdf, write_whole_report

    stream = stream or sys.stderr
    order = {(t.report, t.section): i for i, t in enumerate(tasks)}
    left = collections.Counter(t.report for t in tasks)
    jobs = collections.Counter(left)  # sections and finishing jobs not done, per report
    failed_files: set[str] = set()
    queue = JobQueue(pool, workers)
    for task in report_by_report(tasks, previous, reports):
        queue.add(("section", task), run_task, task)
    results: list[SectionResult] = []
    warnings: dict[str, list[str]] = {report: [] for report in reports}
    failure: BaseException | None = None
    bar = (
        tqdm(total=len(tasks), desc="shv report", unit="notebook", file=stream)
        if is_terminal(stream, progress)
        else None
    )
    mine: dict[str, list[SectionResult]] = collections.defaultdict(list)

    def job_done(report: str) -> None:
        jobs[report] -= 1
        if not jobs[report] and on_report is not None and report not in failed_files:
            ordered = sorted(mine[report], key=lambda r: order[(r.report, r.section)])
            on_report(report, ordered, warnings[report])

    for (kind, what), future in queue.done():
        if kind == "pdf":
            try:
                warnings[what] += future.result()
            except Exception as exc:  # noqa: BLE001 - a dead process costs the PDF only
                warnings[what].append(f"no PDF: {type(exc).__name__}: {exc}")
            job_done(what)
            continue
        if kind == "files":
            if future.exception() is not None:
                failed_files.add(what)
                failure = failure or future.exception()
            job_done(what)
            continue
        task = what
        try:
            results.append(future.result())
        except Exception as exc:  # noqa: BLE001 - a worker process died
            results.append(
                SectionResult(
                    task.report, task.section, task.section, "failed", 0.0, error_info(exc)
                )
            )
        name = f"{task.report + '/' if task.report else ''}{task.section}"
        if bar is not None:
            bar.set_postfix_str(name)
            bar.update()
        elif progress is not False:
            progress_line(stream, len(results), len(tasks), name, results[-1])
        mine[task.report].append(results[-1])
        left[task.report] -= 1
        if not left[task.report] and finishing and task.report in finishing:
            jobs[task.report] += 2 if pdf else 1
            kwargs = finishing[task.report]
            report_dir = Path(task.report_dir)
            names = [t.section for t in tasks if t.report == task.report]
            queue.add(
                ("files", task.report),
                write_whole_report,
                report_dir,
                names,
                urgent=True,
                **kwargs,
                workbook=True,
                pdf=False,
            )
            if pdf:  # the longer job, at the front
                queue.add(("pdf", task.report), make_pdf, report_dir, names, urgent=True, **kwargs)
        job_done(task.report)
    if bar is not None:
        bar.close()
    if failure is not None:
        raise failure
    return sorted(results, key=lambda r: order[(r.report, r.section)]), warnings
