"""The committed section notebooks: one `parameters` cell with working defaults, no outputs,
short code cells that only call the library, markdown without numbers, English text for
every markdown cell, and in step with `notebooks/generate.py`.

They are executed in `test_report.py` (one report run per dataset, shared by the tests)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

# jsonschema (under nbformat) would build an IRI grammar for ~3 s; unused here.
sys.modules.setdefault("rfc3987_syntax", None)
import nbformat  # noqa: E402
import pytest

from shv_analysis.report.language import localise
from shv_analysis.report.runner import discover_notebooks
from shv_analysis.report.tasks import notebook_title

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
EXPECTED = ["00_datakwaliteit", "01_overzicht", "02_kenmerken", "03_effecten", "04_lessen",
            "05_kruistabellen", "99_reproductie"]
EXTRA_PARAMETERS = {"05_kruistabellen": {"min_cell": None}}  # only where a notebook needs them
DEFAULTS = {"data": None, "lang": "nl", "subset": None, "output_dir": None}
MAX_CODE_LINES = 10


def _load(path: Path):
    return nbformat.read(path, as_version=4)


def _paths():
    return discover_notebooks(NOTEBOOKS)


def test_the_seven_sections_are_there():
    assert [p.stem for p in _paths()] == EXPECTED


@pytest.mark.parametrize("path", _paths(), ids=lambda p: p.stem)
def test_exactly_one_parameters_cell_with_defaults(path):
    nb = _load(path)
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    cell = tagged[0]
    assert cell.cell_type == "code"
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code is cell, "the parameters cell is the first code cell"
    values = {}
    for node in ast.parse(cell.source).body:
        assert isinstance(node, ast.Assign), "the parameters cell only assigns"
        values[node.targets[0].id] = ast.literal_eval(node.value)
    expected = {**DEFAULTS, **EXTRA_PARAMETERS.get(path.stem, {})}
    assert values == expected


@pytest.mark.parametrize("path", _paths(), ids=lambda p: p.stem)
def test_committed_without_outputs_or_execution_counts(path):
    nb = _load(path)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    raw = path.read_text("utf-8")
    assert '"output_type"' not in raw and "image/png" not in raw


@pytest.mark.parametrize("path", _paths(), ids=lambda p: p.stem)
def test_code_cells_are_short_library_calls(path):
    nb = _load(path)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert len(cell.source.splitlines()) <= MAX_CODE_LINES
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            assert not isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Lambda))
            if isinstance(node, ast.Import):
                assert all(a.name.startswith("shv_analysis") for a in node.names)
            if isinstance(node, ast.ImportFrom):
                assert node.module.startswith("shv_analysis")


@pytest.mark.parametrize("path", _paths(), ids=lambda p: p.stem)
def test_markdown_states_no_numbers_and_has_english(path):
    nb = _load(path)
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        english = cell.metadata["shv"]["en"]
        for text in (cell.source, english):
            assert not re.search(r"\d", text.replace("G4/G40", "")), text
    english = localise(_load(path), "en")
    assert notebook_title(english, "") != notebook_title(nb, "")


@pytest.mark.parametrize("path", _paths(), ids=lambda p: p.stem)
def test_setup_shows_the_notice_first(path):
    nb = _load(path)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert "shv.load(data, subset=subset)" in code[1]
    assert "sec.notice(ds)" in code[1]
    extra = ", min_cell=min_cell" if "min_cell" in EXTRA_PARAMETERS.get(path.stem, {}) else ""
    assert f'Section("{path.stem}", output_dir, lang{extra})' in code[1]


def test_notebooks_match_their_generator():
    result = subprocess.run([sys.executable, str(NOTEBOOKS / "generate.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
