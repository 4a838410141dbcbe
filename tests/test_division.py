"""The municipal division as a dataset property (issue 12, points 1 and 2): a 2024 inventory
measured against the 342 municipalities of 1-1-2024, codes of 2019 carried forward, Haaren's
split refused, the division declared, given or inferred, and the embedded 2019 dataset as before.

The 2024 fixtures are our own; the reference files are read from ../shared/reference.
"""

from __future__ import annotations

import json
import shutil

import openpyxl
import pandas as pd
import pytest

import shv_analysis as shv
from conftest import FIXTURES, MINI
from shv_analysis.analysis import indicators
from shv_analysis.analysis.figures import compute_figures
from shv_analysis.cli import main
from shv_analysis.ingest.reference import load_reference, map_forward
from shv_analysis.present import narrative
from shv_analysis.report.parameters import KnownParameters, ParameterError, parse_parameters

INV2024 = FIXTURES / "inventaris_2024"
HAAREN = FIXTURES / "inventaris_2024_haaren"
COVERED_2024 = [
    "GM0014",
    "GM0362",
    "GM0363",
    "GM1966",
    "GM1979",
    "GM1980",
    "GM1982",
    "GM1991",
    "GM1992",
]
APPINGEDAM_WARNING = (
    "warning: respondenten.csv, row 7, column 'gemeentecodes': value "
    "'Appingedam': 'Appingedam' is a municipality of 2019, merged into "
    "Eemsdelta (GM1979) on 2021-01-01; counted as that municipality (row(s) 7)"
)


@pytest.fixture(scope="module")
def ds2024(reference):
    return shv.load(INV2024)


def _copy(src, tmp_path, drop_dates=False, metadata=None):
    folder = tmp_path / src.name
    shutil.copytree(src, folder)
    if drop_dates:
        resp = pd.read_csv(folder / "respondenten.csv", dtype=str, keep_default_na=False)
        resp.drop(columns="gespreksdatum").to_csv(folder / "respondenten.csv", index=False)
    if metadata is not None:
        (folder / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    return folder


# ---------------------------------------------------------------- codes across years


def test_map_forward_merger_split_unchanged_unknown(reference):
    app = map_forward("Appingedam", 2019, 2024)
    assert (app.code, app.name, app.successors, app.dates) == (
        "GM0003",
        "Appingedam",
        (("GM1979", "Eemsdelta"),),
        ("2021-01-01",),
    )
    assert app.changed and not app.split
    haaren = map_forward("GM0788", 2019, 2024)
    assert haaren.split and haaren.successors == (
        ("GM0757", "Boxtel"),
        ("GM0824", "Oisterwijk"),
        ("GM0855", "Tilburg"),
        ("GM0865", "Vught"),
    )
    assert map_forward("Beemster", 2019, 2024).successors == (("GM0439", "Purmerend"),)
    assert map_forward("Weesp", 2019, 2024).dates == ("2022-03-24",)
    assert map_forward("Brielle", 2019, 2024).successors == (("GM1992", "Voorne aan Zee"),)
    same = map_forward("Zwolle", 2019, 2024)
    assert same.successors == (("GM0193", "Zwolle"),) and not same.changed
    assert map_forward("GM9999", 2019, 2024) is None
    # up to 2019 itself nothing moves
    assert map_forward("Appingedam", 2019, 2019).successors == (("GM0003", "Appingedam"),)


def test_reference_of_2024(reference):
    ref = load_reference(reference.folder, year=2024)
    assert (ref.year, ref.size) == (2024, 342)
    assert int(ref.municipalities["inwoners"].sum()) == 17_942_942
    assert ref.resolve("Den Haag") == "GM0518"  # an alias of a code that continues
    assert ref.resolve("Appingedam") is None  # a 2019 name: only through map_forward
    assert int(ref.municipalities["g40"].sum()) == 41
    assert load_reference(reference.folder).size == 355  # the default stays 2019


# ---------------------------------------------------------------- a 2024 inventory


def test_2024_inventory_is_measured_against_342(ds2024):
    assert (ds2024.indeling, ds2024.n_municipalities, ds2024.division.basis) == (
        2024,
        342,
        "gespreksdatum",
    )
    assert ds2024.division.detail == {"date_year": 2024, "k": 7, "total": 8}
    # Appingedam (2019) in R6 and Eemsdelta GM1979 in R1: Eemsdelta counted once
    assert sorted(ds2024.covered_municipalities()) == COVERED_2024
    table = indicators.coverage(ds2024)
    assert table.data[["n", "base"]].values.tolist() == [[9, 342]]
    assert table.footnote.startswith("n = 9 van 342 gemeenten (indeling 1-1-2024);")
    assert narrative.coverage(ds2024) == (
        "Samen spreken de respondenten voor 9 van de 342 "
        "gemeenten van 1-1-2024: een dekkingsgraad van 2,6%."
    )


def test_old_name_mapped_forward_with_its_warning(reference):
    result = shv.check_dataset(INV2024)
    assert result.ok
    assert [str(w) for w in result.warnings] == [APPINGEDAM_WARNING]
    resp = result.dataset.respondenten.set_index("respondent_id")
    assert resp.loc["R6", "gemeentecodes"] == "GM0014;GM1966;GM1979"


def test_facts_of_2024_province_population_class_g40(ds2024):
    resp = ds2024.respondenten.set_index("respondent_id")
    assert resp.loc["R1", ["provincie", "inwoners", "grootteklasse"]].tolist() == [
        "Groningen",
        45106,
        "20k_50k",
    ]
    assert resp.loc["R3", ["provincie", "inwoners"]].tolist() == ["Noord-Brabant", 91722]
    assert int(resp.loc["R6", "inwoners"]) == 337098  # Groningen + Het Hogeland + Eemsdelta
    # Amstelveen joined the G40 in 2022: no "not G4/G40" warning in the 2024 division
    assert not any("G4/G40" in w.message for w in ds2024.warnings)


def test_haaren_split_is_refused_listing_successors(reference):
    result = shv.check_dataset(HAAREN)
    assert result.dataset is None
    assert [str(e) for e in result.errors] == [
        "respondenten.csv, row 3, column 'gemeentecodes': value 'Haaren': 'Haaren' is a "
        "municipality of 2019, split on 2021-01-01 over Boxtel (GM0757), Oisterwijk (GM0824), "
        "Tilburg (GM0855) and Vught (GM0865); give the municipality or municipalities of 2024 "
        "the respondent speaks for instead"
    ]


def test_code_of_no_known_year_is_an_error(tmp_path, reference):
    folder = _copy(HAAREN, tmp_path)
    (folder / "respondenten.csv").write_text(
        "respondent_id,naam,respondenttype,gemeentecodes,gespreksdatum\n"
        "R1,Gemeente Vught,gemeente,GM9999,2024-02-06\n",
        encoding="utf-8",
    )
    [error] = shv.check_dataset(folder).errors
    assert str(error) == (
        "respondenten.csv, row 2, column 'gemeentecodes': value 'GM9999': "
        "unknown municipality; allowed: a CBS code of 1-1-2024 (GM0363, 363, "
        "0363), its official name or a known alias"
    )


def test_code_of_a_later_division_says_which_to_declare(reference):
    result = shv.check_dataset(INV2024, indeling=2019)
    messages = {e.value: e.message for e in result.errors}
    assert messages["GM1979"] == (
        "unknown municipality; allowed: a CBS code of 1-1-2019 (GM0363, 363, 0363), its official "
        "name or a known alias; 'GM1979' is Eemsdelta (GM1979) of the division of 2024: declare "
        "that division (metadata key 'indeling' = 2024 or --indeling 2024)"
    )
    assert set(messages) == {"GM1979", "Dijk en Waard", "GM1982", "Maashorst", "Voorne aan Zee"}


# ---------------------------------------------------------------- declaring or inferring


def test_dated_2019_inventory_with_codes_of_2024_is_measured_against_355(tmp_path, reference):
    folder = _copy(MINI, tmp_path)
    resp = pd.read_csv(folder / "respondenten.csv", dtype=str, keep_default_na=False)
    resp = resp[resp["respondent_id"].isin(["R1", "R2"])]  # Amsterdam, Zwolle: both in 2024
    resp.to_csv(folder / "respondenten.csv", index=False)
    exp = pd.read_csv(folder / "experimenten.csv", dtype=str, keep_default_na=False)
    exp[exp["respondent_id"].isin(["R1", "R2"])].to_csv(folder / "experimenten.csv", index=False)
    ds = shv.load(folder)
    assert (ds.indeling, ds.n_municipalities, ds.division.basis) == (2019, 355, "gespreksdatum")
    assert (
        compute_figures(ds).set_index("figure_id").loc["dekking.gemeenten_totaal", "value"] == 355
    )
    # without the dates, the most recent division knowing both codes, with a warning
    undated = _copy(folder, tmp_path / "undated", drop_dates=True)
    result = shv.check_dataset(undated)
    assert (result.dataset.indeling, result.dataset.division.basis) == (2024, "codes")
    assert [str(w) for w in result.warnings if w.column == "gemeentecodes"] == [
        (
            "warning: mini, column 'gemeentecodes': no municipal division declared (metadata key "
            "'indeling' or --indeling) and no interview dates (gespreksdatum); assumed the division "
            "of 1-1-2024, the most recent in the reference that knows every municipality code and "
            "name in the data"
        )
    ]
    assert narrative.division(result.dataset, "en") == (
        "Municipalities are counted in the municipal division of 1 January 2024 (342 "
        "municipalities). It was assumed: the dataset names no division and no interview dates, "
        "and this is the most recent division that knows every municipality code and name."
    )


def test_undated_2024_inventory_infers_2024_from_its_codes(tmp_path, reference):
    ds = shv.load(_copy(INV2024, tmp_path, drop_dates=True))
    assert (ds.indeling, ds.division.basis, len(ds.covered_municipalities())) == (2024, "codes", 9)


def test_metadata_declares_and_argument_overrides(tmp_path, reference):
    folder = _copy(INV2024, tmp_path, metadata={"indeling": "2024"})
    ds = shv.load(folder)
    assert (ds.indeling, ds.division.basis) == (2024, "metadata")
    assert narrative.division(ds) == (
        "Gemeenten zijn geteld in de gemeentelijke indeling van 1 januari 2024 (342 gemeenten), "
        "zoals de dataset opgeeft (indeling = 2024 in de metadata)."
    )
    given = shv.load(folder, indeling=2025)  # 2025: the same codes as 2024 (no change between)
    assert (given.indeling, given.division.basis, given.n_municipalities) == (2024, "argument", 342)
    assert narrative.division(given, "en").endswith(
        "as given to the analysis (indeling = 2025). The division of 2025 is the same as that "
        "of 2024."
    )


def test_unusable_division_year_is_an_error(tmp_path, reference):
    # the data are still coded (in the division of their dates): this is the only error
    [error] = shv.check_dataset(INV2024, indeling=2021).errors
    assert str(error) == (
        "indeling (argument), column 'indeling': value '2021': indeling 2021: no reference "
        f"tables of that division in {reference.folder}; available: 2019, 2024 (download one "
        "with `shv reference download --year 2021`)"
    )
    folder = _copy(INV2024, tmp_path, metadata={"indeling": "vorig jaar"})
    [error] = shv.check_dataset(folder).errors
    assert str(error) == (
        "metadata.json, column 'indeling': value 'vorig jaar': indeling "
        "'vorig jaar' is not a year; write the year of the municipal division, "
        "e.g. 2024"
    )


def test_embedded_dataset_says_2019(reference):
    ds = shv.load()
    assert (ds.indeling, ds.n_municipalities, ds.division.basis) == (2019, 355, "metadata")
    assert narrative.division(ds) == (
        "Gemeenten zijn geteld in de gemeentelijke indeling van 1 januari 2019 (355 gemeenten), "
        "zoals de dataset opgeeft (indeling = 2019 in de metadata)."
    )
    assert narrative.reproduction_skipped(ds) is None


# ---------------------------------------------------------------- command line, template


def test_cli_check_summary_names_342_and_the_division(capsys, reference):
    assert main(["check", str(INV2024)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "  municipalities covered: 9 of 342" in out
    assert (
        "  municipal division: Municipalities are counted in the municipal division of "
        "1 January 2024 (342 municipalities): the division in force in 2024, the year of 7 "
        "of the 8 interview dates."
    ) in out
    assert f"  {APPINGEDAM_WARNING}" in out


def test_cli_figures_on_the_2024_division(capsys, reference):
    assert main(["figures", str(INV2024), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    figures = {f["figure_id"]: f for f in data["figures"]}
    assert data["indeling"] == 2024
    assert figures["dekking.gemeenten_totaal"]["value"] == 342
    assert figures["dekking.gemeenten_geraadpleegd"]["value"] == 9
    assert (figures["dekking.pct"]["numerator"], figures["dekking.pct"]["denominator"]) == (9, 342)


def test_cli_figures_indeling_argument(capsys, reference):
    assert main(["figures", str(MINI), "--indeling", "2024"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert "dekking.gemeenten_totaal,342,,342" in rows
    # GM0003, GM0010 and GM0024 are all Eemsdelta in 2024: 4 municipalities, not 6
    assert "dekking.gemeenten_geraadpleegd,4,,4" in rows


def test_reproduction_is_skipped_for_another_division(ds2024, capsys):
    assert narrative.reproduction_skipped(ds2024) == (
        "Deze sectie vergelijkt niet met de gepubliceerde cijfers (rapport van 2020): De "
        "gepubliceerde cijfers tellen gemeenten in de indeling van 1-1-2019; deze dataset telt "
        "ze in die van 1-1-2024 (342 gemeenten)."
    )
    assert main(["reproduce", str(INV2024)]) == 0  # nothing to compare is no failure
    assert capsys.readouterr().err.startswith(
        "shv reproduce: not comparable with the published figures: The published figures count "
        "municipalities in the division of 1-1-2019; this dataset counts them in that of "
        "1-1-2024 (342 municipalities)."
    )


def test_template_lists_the_342_municipalities_of_2024(tmp_path, capsys, reference):
    out = tmp_path / "intake2024.xlsx"
    assert main(["template", str(out), "--indeling", "2024"]) == 0
    wb = openpyxl.load_workbook(out)
    rows = list(wb["gemeenten"].iter_rows(values_only=True))
    assert rows[0] == ("gemeentecode", "gemeentenaam", "provincie")
    listed = {r[0]: r[1] for r in rows[1:]}
    assert len(listed) == 342
    assert {listed[c] for c in ("GM1979", "GM1980", "GM1982", "GM1991", "GM1992")} == {
        "Eemsdelta",
        "Dijk en Waard",
        "Land van Cuijk",
        "Maashorst",
        "Voorne aan Zee",
    }
    assert "GM0003" not in listed and "GM0788" not in listed
    meta = dict(r for r in wb["metadata"].iter_rows(min_row=2, values_only=True))
    assert meta["indeling"] == "2024"
    # the empty template declares 2024: `shv check` measures it against 342
    result = shv.check_dataset(out)
    assert (result.dataset.indeling, result.dataset.division.basis) == (2024, "metadata")


def test_template_of_2019_lists_355(tmp_path, reference):
    from shv_analysis.coding.template import write_template

    wb = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx", rows=5, indeling=2019))
    assert wb["gemeenten"].max_row - 1 == 355
    assert (
        dict(r for r in wb["metadata"].iter_rows(min_row=2, values_only=True))["indeling"] == "2019"
    )


def test_report_parameter_indeling():
    known = KnownParameters({"indeling": ("01_overzicht.ipynb",), "data": ("x",)})
    assert parse_parameters(["indeling=2024"], known) == {"indeling": 2024}
    assert parse_parameters(["indeling=None"], known) == {"indeling": None}
    with pytest.raises(ParameterError, match="must be the year of a municipal division"):
        parse_parameters(["indeling=2024-01-01"], known)
