"""Rendering the report: executing section notebooks with papermill, HTML, manifest."""

from shv_analysis._lazy import submodule_getattr  # noqa: E402
from shv_analysis.report.runner import run_report  # noqa: F401

__getattr__ = submodule_getattr(__name__)
