"""Every Python example in the README runs as written (the embedded dataset, no reference folder
needed), and the README's API paths are the real ones."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_python_examples():
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_python_example_runs(index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(BLOCKS[index], f"README.md python block {index + 1}", "exec"), namespace)
    # A block that loads the embedded dataset really got it: 143 pilots of 245 respondents.
    if "ds" in namespace:
        ds = namespace["ds"]
        assert (len(ds.respondenten), len(ds.experimenten)) == (245, 143)


def test_readme_mentions_no_removed_module_paths():
    text = README.read_text(encoding="utf-8")
    for old in (
        "shv_analysis.maps",
        "shv_analysis.crosstab.",
        "shv.crosstab.",
        "shv.maps.",
        "notebooks/generate.py",
    ):
        assert old not in text, old
