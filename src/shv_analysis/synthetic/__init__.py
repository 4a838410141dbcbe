"""The seeded generator of the embedded synthetic dataset."""

from shv_analysis._lazy import submodule_getattr  # noqa: E402
from shv_analysis.synthetic.files import (  # noqa: F401
    dataset_files,
    marginals_report,
    write_dataset,
)
from shv_analysis.synthetic.generator import generate  # noqa: F401
from shv_analysis.synthetic.targets import DEFAULT_SEED  # noqa: F401

__getattr__ = submodule_getattr(__name__)
