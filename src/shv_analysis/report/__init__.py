"""Rendering the report: executing section notebooks with papermill, HTML, manifest."""

from shv_analysis.report.runner import run_report  # noqa: F401
