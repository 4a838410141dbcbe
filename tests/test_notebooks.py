"""The committed section notebooks: one `parameters` cell with working defaults, no outputs,
short code cells that only call the library, markdown without numbers, every Dutch markdown
cell followed by its English counterpart (tags `lang-nl` / `lang-en`), and each `.ipynb` in
step with its paired MyST markdown `.md` (jupytext).

They are executed in `test_report.py` (one report run per dataset, shared by the tests)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

# jsonschema (under nbformat) would build an IRI grammar for ~3 s; unused here.
sys.modules.setdefault("rfc3987_syntax", None)
import jupytext
import nbformat  # noqa: E402
import pytest

from shv_analysis.report.language import localise, select_language
from shv_analysis.report.runner import discover_notebooks
from shv_analysis.report.tasks import notebook_title

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
EXPECTED = [
    "00_datakwaliteit",
    "01_overzicht",
    "02_kenmerken",
    "03_effecten",
    "04_lessen",
    "05_kruistabellen",
    "99_reproductie",
]
EXTRA_PARAMETERS = {"05_kruistabellen": {"min_cell": None}}  # only where a notebook needs them
DEFAULTS = {"data": None, "lang": "nl", "subset": None, "indeling": None, "output_dir": None}
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
def test_markdown_states_no_numbers(path):
    nb = _load(path)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            assert not re.search(r"\d", cell.source.replace("G4/G40", "")), cell.source
    english = select_language(_load(path), "en")
    assert notebook_title(english, "") != notebook_title(select_language(nb, "nl"), "")


@pytest.mark.parametrize("path", _paths(), ids=lambda p: p.stem)
def test_setup_shows_the_notice_first(path):
    nb = _load(path)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert "shv.load(data, subset=subset, indeling=indeling)" in code[1]
    assert "sec.notice(ds)" in code[1]
    extra = ", min_cell=min_cell" if "min_cell" in EXTRA_PARAMETERS.get(path.stem, {}) else ""
    assert f'Section("{path.stem}", output_dir, lang{extra})' in code[1]


# ------------------------------------------------------------------ language as cells


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _lang_tags(cell) -> list[str]:
    return [t for t in _tags(cell) if t.startswith("lang-")]


@pytest.mark.parametrize("path", _paths(), ids=lambda p: p.stem)
def test_markdown_cells_are_tagged_by_language_and_code_is_for_both(path):
    nb = _load(path)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            # one language tag, or none for a language-neutral cell
            assert _lang_tags(cell) in ([], ["lang-nl"], ["lang-en"]), cell.source[:60]
        else:
            assert _lang_tags(cell) == [], "code runs in both languages"
    assert "shv" not in str([c.metadata for c in nb.cells]), "no English left in metadata"


@pytest.mark.parametrize("path", _paths(), ids=lambda p: p.stem)
def test_every_dutch_cell_is_followed_by_its_english_counterpart(path):
    cells = _load(path).cells
    langs = [(_lang_tags(c) or [None])[0] for c in cells]
    assert langs.count("lang-nl") == langs.count("lang-en") >= 2
    for i, tag in enumerate(langs):
        if tag == "lang-nl":
            assert langs[i + 1] == "lang-en", f"cell {i}: no English cell after it"
            nl, en = cells[i], cells[i + 1]
            assert en.id == f"{nl.id}-en"
            # same structure: the same heading level on the first line, or no heading
            level = [len(c.source) - len(c.source.lstrip("#")) for c in (nl, en)]
            assert level[0] == level[1], (nl.source[:40], en.source[:40])
            assert en.source.strip() and en.source != nl.source
        if tag == "lang-en":
            assert langs[i - 1] == "lang-nl", f"cell {i}: English cell without Dutch one"


@pytest.mark.parametrize("path", _paths(), ids=lambda p: p.stem)
def test_select_language_keeps_one_language_and_all_code(path):
    nb = _load(path)
    english = [c.source for c in nb.cells if _lang_tags(c) == ["lang-en"]]
    dutch = [c.source for c in nb.cells if _lang_tags(c) == ["lang-nl"]]
    code = [(c.id, c.source, _tags(c)) for c in nb.cells if c.cell_type == "code"]
    for lang, prose in (("en", english), ("nl", dutch)):
        kept = select_language(_load(path), lang)
        assert len(kept.cells) == len(nb.cells) - len(prose)
        assert [c.source for c in kept.cells if c.cell_type == "markdown"] == prose
        assert [(c.id, c.source, _tags(c)) for c in kept.cells if c.cell_type == "code"] == code
        assert not any(_lang_tags(c) for c in kept.cells)
        # the ids of a single-language notebook: the English cells take the Dutch ids
        assert [c.id for c in kept.cells] == [
            c.id for c in select_language(_load(path), "nl").cells
        ]


def test_select_language_en_gives_the_english_text_of_section_02():
    """The English text is the one that travelled in the old `shv.en` cell metadata."""
    nb = select_language(_load(NOTEBOOKS / "02_kenmerken.ipynb"), "en")
    markdown = [
        c
        for c in nb.cells
        if c.cell_type == "markdown" and "analyst" not in c.metadata.get("tags", [])
    ]
    assert [c.source.splitlines()[0] for c in markdown] == [
        "# Characteristics of experiments and pilots",
        "## Types of experiments",
        "## Phases of debt assistance",
        "## Specific target groups",
        "## Partners",
        "## Type of experiment by municipality",
    ]
    assert markdown[1].source == (
        "## Types of experiments\n\nSorted as the report sorts: "
        "from frequent to rare, with Other at the bottom."
    )
    assert [c.id for c in markdown] == ["02-00", "02-03", "02-05", "02-07", "02-09", "02-11"]
    assert "Kenmerken experimenten en pilots" not in str([c.source for c in nb.cells])
    assert notebook_title(nb, "") == "Characteristics of experiments and pilots"
    assert "tags" not in markdown[0].metadata
    analyst = [c for c in nb.cells if "analyst" in c.metadata.get("tags", [])]
    assert [(c.id, c.metadata.tags) for c in analyst] == [("02-params", ["analyst"])]
    assert analyst[0].source.startswith("*Parameters in the cell below: `data`, `lang`")
    assert nb.cells[2].metadata["tags"] == ["parameters"]


@pytest.mark.parametrize("path", _paths(), ids=lambda p: p.stem)
def test_the_parameter_explanation_is_an_analyst_cell(path):
    """The reviewer page drops cells tagged `analyst`: the parameter explanation is one
    (in both languages) and no other cell mentions the parameter cell."""
    nb = _load(path)
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        about_parameters = (
            "Parameters in de cel" in cell.source or "Parameters in the cell" in cell.source
        )
        assert about_parameters == ("analyst" in tags and cell.cell_type == "markdown"), (
            path.name,
            cell.id,
        )


def test_select_language_nl_keeps_the_dutch_notebook():
    nb = select_language(_load(NOTEBOOKS / "02_kenmerken.ipynb"), " NL ")
    markdown = [
        c
        for c in nb.cells
        if c.cell_type == "markdown" and "analyst" not in c.metadata.get("tags", [])
    ]
    assert [c.source.splitlines()[0] for c in markdown] == [
        "# Kenmerken experimenten en pilots",
        "## Typen experimenten",
        "## Fasen van schuldhulpverlening",
        "## Specifieke doelgroepen",
        "## Samenwerkingspartners",
        "## Type experiment per gemeente",
    ]
    assert len(nb.cells) == 14  # with the analyst cell on the parameters


def test_select_language_rejects_other_languages():
    with pytest.raises(ValueError, match=r"unknown language 'fr'; allowed: nl, en"):
        select_language(_load(NOTEBOOKS / "02_kenmerken.ipynb"), "fr")


def test_select_language_on_plain_cells():
    nb = {
        "cells": [
            {
                "cell_type": "markdown",
                "id": "a",
                "metadata": {"tags": ["lang-nl"]},
                "source": "Hoi",
            },
            {
                "cell_type": "markdown",
                "id": "a-en",
                "metadata": {"tags": ["lang-en", "x"]},
                "source": "Hi",
            },
            {"cell_type": "markdown", "id": "b", "metadata": {}, "source": "`shv`"},
            {
                "cell_type": "markdown",
                "id": "c-en",
                "metadata": {"tags": ["lang-en"]},
                "source": "Only English",
            },
            {"cell_type": "markdown", "id": "c", "metadata": {}, "source": "taken"},
        ]
    }
    kept = select_language(nb, "en")
    assert kept is nb
    assert [(c["id"], c["source"], c["metadata"]) for c in kept["cells"]] == [
        ("a", "Hi", {"tags": ["x"]}),
        ("b", "`shv`", {}),
        ("c-en", "Only English", {}),
        ("c", "taken", {}),
    ]  # "c" is taken: id kept


def test_localise_is_the_old_name_of_select_language():
    path = NOTEBOOKS / "03_effecten.ipynb"
    assert localise(_load(path), "en") == select_language(_load(path), "en")


# ------------------------------------------------------------------ jupytext pairing


def test_jupytext_pairs_every_notebook_with_myst_markdown():
    config = tomllib.loads((NOTEBOOKS / "jupytext.toml").read_text("utf-8"))
    assert config["formats"] == "ipynb,md:myst"
    markdown = sorted(p.stem for p in NOTEBOOKS.glob("*.md"))
    assert markdown == [p.stem for p in _paths()]
    assert not (NOTEBOOKS / "generate.py").exists()


@pytest.mark.parametrize("path", _paths(), ids=lambda p: p.stem)
def test_paired_markdown_has_the_same_cells(path):
    """`jupytext --sync` after editing either file; this fails when one was forgotten."""
    text = jupytext.read(path.with_suffix(".md"))
    nb = _load(path)

    def cells(notebook):
        return [(c.cell_type, c.source, _tags(c)) for c in notebook.cells]

    assert cells(text) == cells(nb)
    assert text.metadata["kernelspec"] == nb.metadata["kernelspec"]
    assert text.metadata["jupytext"]["text_representation"]["format_name"] == "myst"
