"""Reading spreadsheets into a validated `Dataset`: readers, privacy, reference, validation."""

from shv_analysis._lazy import submodule_getattr  # noqa: E402

__getattr__ = submodule_getattr(__name__)
