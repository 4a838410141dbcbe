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
    assert set(known.names) == {"data", "lang", "subset", "indeling", "output_dir", "min_cell"}
    assert len(known.names["indeling"]) == len(NOTEBOOKS)
    assert known.names["min_cell"] == ("05_kruistabellen.ipynb",)
    assert len(known.names["lang"]) == len(NOTEBOOKS)


def test_typo_is_refused_with_a_suggestion_and_the_known_names(known):
    with pytest.raises(ParameterError) as err:
        parse_parameters(["subest=provincie=Utrecht"], known)
    (message,) = err.value.problems
    assert "'subest'" in message and "did you mean 'subset'?" in message
    assert "Known parameters: data, indeling, lang, min_cell, subset" in message


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


def test_report_refuses_a_typo_before_any_section_runs(tmp_path, capsys):
    from shv_analysis.cli import main

    out = tmp_path / "rapport"
    code = main(
        ["report", "--out", str(out), "-p", "subest=provincie=Utrecht", "-p", "min_cell=-3"]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "no section notebook has a parameter 'subest'; did you mean 'subset'?" in err
    assert "-p min_cell=-3: must be a whole number of at least 0" in err
    assert not out.exists() and not list(tmp_path.iterdir())


def test_report_refuses_a_subset_that_matches_nothing(tmp_path, capsys):
    from shv_analysis.cli import main

    code = main(["report", "--out", str(tmp_path / "r"), "-p", "subset=provincie=Noord Brabnt"])
    err = capsys.readouterr().err
    assert code == 2 and "Noord-Brabant" in err  # the values present are listed
    assert not list(tmp_path.iterdir())


def test_report_refuses_an_empty_dataset(tmp_path, capsys):
    from shv_analysis.cli import main

    data = tmp_path / "leeg"
    data.mkdir()
    header_r = (shv.DEFAULT_DATA / "respondenten.csv").read_text("utf-8").splitlines()[0]
    header_e = (shv.DEFAULT_DATA / "experimenten.csv").read_text("utf-8").splitlines()[0]
    (data / "respondenten.csv").write_text(header_r + "\n", "utf-8")
    (data / "experimenten.csv").write_text(header_e + "\n", "utf-8")
    code = main(["report", "--data", str(data), "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 1
    assert "holds no respondenten and no experimenten" in err
    assert not (tmp_path / "r").exists()


def test_province_subset_as_typed_zooms_the_map_to_that_province():
    from shv_analysis.present.maps import subset_municipalities

    ds = shv.load().subset("provincie=Noord Brabant")
    codes = subset_municipalities(ds)
    assert len(ds.respondenten) == 47
    assert "GM0820" in codes and "GM0363" not in codes  # Nuenen yes, Amsterdam no
