"""The data contract: codebook (fields, codes, labels, coding rules) and problem reports."""

from shv_analysis._lazy import submodule_getattr  # noqa: E402

__getattr__ = submodule_getattr(__name__)
