"""Report parameters are checked before any section runs (issue: spreadsheets as people make them)."""

from __future__ import annotations

import pytest

import shv_analysis as shv
from shv_analysis.config import NOTEBOOK_DIR
from shv_analysis.report.parameters import ParameterError, known_parameters, parse_parameters

NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def known():
    return known_parameters(NOTEBOOKS)


def test_known_parameters_come_from_the_parameters_cells(known):
    assert set(known.names) == {"data", "lang", "subset", "output_dir", "min_cell"}
    assert known.names["min_cell"] == ("05_kruistabellen.ipynb",)
    assert len(known.names["lang"]) == len(NOTEBOOKS)


def test_typo_is_refused_with_a_suggestion_and_the_known_names(known):
    with pytest.raises(ParameterError) as err:
        parse_parameters(["subest=provincie=Utrecht"], known)
    (message,) = err.value.problems
    assert "'subest'" in message and "did you mean 'subset'?" in message
    assert "Known parameters: data, lang, min_cell, subset" in message


def test_every_problem_at_once(known):
    with pytest.raises(ParameterError) as err:
        parse_parameters(["lang=fr", "min_cell=-1", "bogus=1", "output_dir=x", "novalue"], known)
    problems = err.value.problems
    assert len(problems) == 5
    assert problems[0] == "-p lang=fr: unknown language; allowed: nl, en"
    assert problems[1].startswith("-p min_cell=-1: must be a whole number of at least 0")
    assert "no section notebook has a parameter 'bogus'" in problems[2]
    assert problems[3] == "-p output_dir: set by the report itself (use --out)"
    assert problems[4] == "-p novalue: write NAME=VALUE"


def test_values_are_typed_by_what_the_parameter_allows(known):
    values = parse_parameters(["data=2024", "lang=EN", "min_cell=10", "subset=fasen=nazorg"], known)
    assert values == {"data": "2024", "lang": "en", "min_cell": 10, "subset": "fasen=nazorg"}
    assert parse_parameters(["min_cell=None"], known) == {"min_cell": None}
    with pytest.raises(ParameterError, match="min_cell=2.5"):
        parse_parameters(["min_cell=2.5"], known)


def test_load_takes_an_int_as_a_folder_name(tmp_path, monkeypatch):
    # papermill -p data 2024 gives the int 2024: it names the folder "2024".
    folder = tmp_path / "2024"
    folder.mkdir()
    for name in ("respondenten.csv", "experimenten.csv", "metadata.json"):
        (folder / name).write_bytes((shv.DEFAULT_DATA / name).read_bytes())
    monkeypatch.chdir(tmp_path)
    ds = shv.load(2024)
    assert (len(ds.respondenten), len(ds.experimenten)) == (245, 143)
