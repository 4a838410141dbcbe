"""The seeded generator of the embedded synthetic dataset."""

from shv_analysis.synthetic.generator import (  # noqa: F401
    DEFAULT_SEED,
    dataset_files,
    generate,
    marginals_report,
    write_dataset,
)
