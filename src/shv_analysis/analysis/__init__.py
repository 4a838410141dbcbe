"""Numbers from a dataset: tables, figures, indicators, statistics, cross-tabs, suppression."""

from shv_analysis._lazy import submodule_getattr  # noqa: E402

__getattr__ = submodule_getattr(__name__)
