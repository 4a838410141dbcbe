"""How numbers are shown: formatting, text catalogue, narrative, charts, maps, export."""

from shv_analysis._lazy import submodule_getattr  # noqa: E402

__getattr__ = submodule_getattr(__name__)
