"""A dataset's own codebook (`codeboek`) and column map (`kolommen`): read, checked, counted.

Fixtures: `fixtures/extension` (2019 codes; `codeboek.csv` adds the type `energiecoach` and
a new multi field `kanalen`), `fixtures/forms_export` (Forms-like headers, `kolommen.csv`).
Hand counts of `fixtures/extension/experimenten.csv` (6 pilots):
type energiecoach P1, P3, P5 (3); kanalen sociale_media P1, P5 (2), huisbezoek P1, P2, P6
(3), brief P3, P5 (2), none P4. Respondent types: P1-P3 g4_g40 (R1, R2), P4 gemeente (R3),
P5-P6 samenwerkingsverband (R4).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

import shv_analysis as shv
from shv_analysis.analysis import crosstab, indicators, tables
from shv_analysis.analysis.reproduction import skip_reasons
from shv_analysis.cli import main
from shv_analysis.coding.template import write_template
from shv_analysis.contract.extension import DEFAULT, ExtensionRow
from shv_analysis.contract.problems import InvalidDataset
from shv_analysis.ingest.validation import check_dataset, read_codebook_extension

FIXTURES = Path(__file__).parent / "fixtures"
EXTENSION = FIXTURES / "extension"
FORMS = FIXTURES / "forms_export"
HEADER = "veld,code,label_nl,label_en,soort,tabel,verplicht\n"


@pytest.fixture(scope="module")
def ds():
    return shv.load(EXTENSION)


def _with_codebook(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(EXTENSION, folder)
    (folder / "codeboek.csv").write_text(HEADER + body, encoding="utf-8")
    return folder


def test_extended_codebook(ds):
    book = ds.codebook
    assert not book.is_default and DEFAULT.is_default
    assert book.added_codes == (("experimenten", "type", "energiecoach"),)
    assert book.added_fields == (("experimenten", "kanalen"),)
    assert book.pilot_field("type").code_list[-1] == "energiecoach"
    kanalen = book.pilot_field("kanalen")
    assert (kanalen.kind, kanalen.required, kanalen.code_list) == (
        "multi",
        False,
        ["sociale_media", "huisbezoek", "brief"],
    )
    assert book.multi_columns("kanalen") == [
        "kanalen__sociale_media",
        "kanalen__huisbezoek",
        "kanalen__brief",
    ]
    # the package's own codebook is untouched
    assert "energiecoach" not in DEFAULT.pilot_field("type").code_list
    assert ds.experimenten["kanalen__huisbezoek"].tolist() == [
        True,
        True,
        False,
        False,
        False,
        True,
    ]


def test_added_code_and_new_field_in_frequency_tables(ds):
    types = tables.frequency(ds, "type")
    row = types.data.set_index("code").loc["energiecoach"]
    assert (row["category"], row["n"], row["base"], row["pct"]) == ("Energiecoach", 3, 6, 50.0)
    assert types.data["n"].sum() == 6
    kanalen = tables.frequency(ds, "kanalen", "en")
    assert kanalen.title == "Kanalen"
    assert kanalen.data[["code", "category", "n", "base"]].values.tolist() == [
        ["sociale_media", "Social media", 2, 6],
        ["huisbezoek", "Home visit", 3, 6],
        ["brief", "Letter", 2, 6],
    ]
    assert "meer antwoorden mogelijk" in tables.frequency(ds, "kanalen").footnote
    reported = indicators.as_reported(ds, "type")  # by n descending, overig last
    assert reported.data["code"].tolist()[:3] == [
        "energiecoach",
        "vroegsignalering",
        "coaching_buddy",
    ]


def test_added_code_and_new_field_in_crosstabs(ds):
    ct = crosstab.crosstab(ds, "kanalen", "respondenttype")
    cells = ct.cells.set_index(["row", "col"])
    got = {
        (r, c): (int(cells.loc[(r, c), "n"]), int(cells.loc[(r, c), "base"]))
        for r in ("sociale_media", "huisbezoek", "brief")
        for c in ("g4_g40", "gemeente", "samenwerkingsverband", "totaal")
    }
    assert got == {
        ("sociale_media", "g4_g40"): (1, 3),
        ("sociale_media", "gemeente"): (0, 1),
        ("sociale_media", "samenwerkingsverband"): (1, 2),
        ("sociale_media", "totaal"): (2, 6),
        ("huisbezoek", "g4_g40"): (2, 3),
        ("huisbezoek", "gemeente"): (0, 1),
        ("huisbezoek", "samenwerkingsverband"): (1, 2),
        ("huisbezoek", "totaal"): (3, 6),
        ("brief", "g4_g40"): (1, 3),
        ("brief", "gemeente"): (0, 1),
        ("brief", "samenwerkingsverband"): (1, 2),
        ("brief", "totaal"): (2, 6),
    }
    assert ct.option_tests["option"].tolist() == ["sociale_media", "huisbezoek", "brief"]
    by_type = crosstab.crosstab(ds, "type", "respondenttype").cells
    energy = by_type[by_type["row"] == "energiecoach"].set_index("col")["n"].to_dict()
    assert energy == {"g4_g40": 2, "gemeente": 0, "samenwerkingsverband": 1, "totaal": 3}
    shown = crosstab.crosstab(ds, "type", "respondenttype").to_table("en").data
    assert shown["category"].tolist()[7] == "Energy coach"


def test_cli_crosstab_accepts_the_new_field(capsys):
    assert main(["crosstab", "kanalen", "respondenttype", "--data", str(EXTENSION)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "row,col,n,base,pct,ci_low,ci_high"
    assert [",".join(line.split(",")[:4]) for line in lines[1:5]] == [
        "sociale_media,g4_g40,1,3",
        "sociale_media,gemeente,0,1",
        "sociale_media,samenwerkingsverband,1,2",
        "sociale_media,totaal,2,6",
    ]


def test_subset_missing_values_and_section_helpers(ds):
    assert ds.subset("kanalen=brief").experimenten["pilot_id"].tolist() == ["P3", "P5"]
    assert ds.subset("type=Energy coach").experimenten["pilot_id"].tolist() == ["P1", "P3", "P5"]
    missing = indicators.missing_values(ds).data.set_index("code")
    assert missing.loc["experimenten.kanalen", "missing"] == 1  # P4 names no channel
    assert [f.name for f in tables.extension_fields(ds)] == ["kanalen"]
    assert tables.extension_note(ds) == "Vragen uit het eigen codeboek van deze dataset: Kanalen."
    embedded = shv.load()
    assert tables.extension_fields(embedded) == [] and tables.extension_note(embedded) == ""


def test_reproduction_applies_to_the_2019_codebook_only(ds, capsys):
    assert skip_reasons(shv.load()) == []
    assert skip_reasons(ds, "en")[-1] == (
        "The comparison with the published figures is skipped: this dataset extends the "
        "codebook (codeboek.csv), so its questions are not those of the 2019 inventory whose "
        "figures the report published."
    )
    assert main(["reproduce", str(EXTENSION)]) == 0
    assert "comparison with the published figures is skipped" in capsys.readouterr().err


def test_unknown_new_code_without_extension_is_an_error(tmp_path):
    folder = tmp_path / "plain"
    shutil.copytree(EXTENSION, folder)
    (folder / "codeboek.csv").unlink()
    messages = [str(p) for p in check_dataset(folder).errors]
    assert messages[0].startswith(
        "experimenten.csv, row 2, column 'type': value "
        "'energiecoach': unknown value; allowed: vroegsignalering"
    )
    assert len(messages) == 3  # P1, P3, P5; `kanalen` is an extra column, kept untouched


def test_bad_extensions_are_errors_with_row_numbers(tmp_path):
    folder = _with_codebook(
        tmp_path,
        (
            "type,vroegsignalering,Vroeg signaleren,Early detection,,,\n"  # row 2
            "kanalen,brief,Brief,Letter,meervoudig,experimenten,\n"  # row 3
            "type,vroeg,Vroegsignalering,Early,,,\n"  # row 4
            "type,energiecoach,Energiecoach,Energy coach,,,\n"  # row 5
            "type,energiecoach,Energiecoach,Energy coach,,,\n"  # row 6
            "kanalen,brief,Brief,Letter,multi,pilots,\n"  # row 7
            "titel,kort,Kort,Short,,,\n"  # row 8
            "thema,geld,Geld,Money,,,\n"
        ),
    )  # row 9
    result = check_dataset(folder)
    assert not result.ok
    mine = [str(p) for p in result.errors if p.file == "codeboek.csv"]
    assert mine == [
        "codeboek.csv, row 2, column 'code': value 'vroegsignalering': duplicate code: field "
        "'type' already has code 'vroegsignalering' (label 'Vroegsignalering'); an extension "
        "adds codes, it cannot relabel them",
        "codeboek.csv, row 3, column 'soort': value 'meervoudig': unknown soort; allowed: "
        "single (one answer) or multi (more answers)",
        "codeboek.csv, row 4, column 'label_nl': value 'Vroegsignalering': collides with code "
        "'vroegsignalering' of field 'type' (its code or a label); every code and label must "
        "point to one code",
        "codeboek.csv, row 6, column 'code': value 'energiecoach': duplicate code "
        "'energiecoach' of field 'type': already in row 5",
        "codeboek.csv, row 7, column 'tabel': value 'pilots': unknown tabel; allowed: "
        "respondenten, experimenten",
        "codeboek.csv, row 8, column 'veld': value 'titel': 'titel' is a text field; codes can "
        "be added to a single or multi field only",
        "codeboek.csv, row 9, column 'veld': value 'thema': 'thema' is not a field of the "
        "codebook; to define a new field, give soort (single or multi) and tabel "
        "(respondenten or experimenten) on its first row",
    ]


def test_extension_checks_in_the_codebook_object():
    rows = [
        ExtensionRow(2, "kanalen", "brief", "Brief", "Letter", "multi", "experimenten"),
        ExtensionRow(3, "kanalen", "post", "Post", "Letter"),
        ExtensionRow(4, "kanalen", "mail", "Mail", "", "single", "experimenten"),
        ExtensionRow(5, "naam", "x", "X", "X", "single", "experimenten"),
        ExtensionRow(6, "doelen_geformuleerd", "misschien", "Misschien", "Maybe"),
    ]
    with pytest.raises(ValueError) as info:
        DEFAULT.extend(rows, "codeboek.csv")
    assert [str(p) for p in info.value.problems] == [
        "codeboek.csv, row 3, column 'label_en': value 'Letter': collides with code 'brief' of "
        "field 'kanalen' (its code or a label); every code and label must point to one code",
        "codeboek.csv, row 4, column 'soort': value 'single, experimenten': new field "
        "'kanalen' is defined as multi in table experimenten in row 2; all its rows must agree",
        "codeboek.csv, row 5, column 'tabel': value 'experimenten': field 'naam' belongs to "
        "table respondenten, not experimenten",
        "codeboek.csv, row 6, column 'veld': value 'doelen_geformuleerd': "
        "'doelen_geformuleerd' is a yes/no field: its codes are ja and nee; codes can be "
        "added to a single or multi field only",
    ]
    assert DEFAULT.extend([]) is DEFAULT


def test_template_shows_the_extension_and_reads_back(tmp_path, capsys):
    out = tmp_path / "sjabloon.xlsx"
    assert main(["template", str(out), "--codeboek", str(EXTENSION / "codeboek.csv")]) == 0
    wb = openpyxl.load_workbook(out)
    sheet = wb["codeboek"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("tabel", "veld", "code", "label_nl", "label_en", "soort", "verplicht")
    type_rows = [i for i, r in enumerate(rows, start=1) if r[1] == "type"]
    assert rows[type_rows[-1] - 1][2:4] == ("energiecoach", "Energiecoach")
    ws = wb["experimenten"]
    headers = [c.value for c in ws[1]]
    type_letter = openpyxl.utils.get_column_letter(headers.index("type") + 1)
    formula = next(
        dv.formula1
        for dv in ws.data_validations.dataValidation
        if str(dv.sqref).startswith(type_letter + "2")
    )
    first, last = (int(part.split("$")[-1]) for part in formula.split("!")[1].split(":"))
    assert "Energiecoach" in [sheet.cell(row=r, column=4).value for r in range(first, last + 1)]
    assert headers[-3:] == ["kanalen__sociale_media", "kanalen__huisbezoek", "kanalen__brief"]
    result = check_dataset(out)  # an empty template with its own codeboek sheet reads back
    assert result.ok and result.dataset.codebook.added_fields == (("experimenten", "kanalen"),)
    default = tmp_path / "standaard.xlsx"
    write_template(default)
    assert next(openpyxl.load_workbook(default)["codeboek"].iter_rows(values_only=True)) == (
        "tabel",
        "veld",
        "code",
        "label_nl",
        "label_en",
    )
    assert check_dataset(default).dataset.codebook.is_default


def test_template_refuses_a_bad_extension(tmp_path, capsys):
    bad = tmp_path / "codeboek.csv"
    bad.write_text(HEADER + "type,overig,Anders,Other,,,\n", encoding="utf-8")
    assert main(["template", str(tmp_path / "t.xlsx"), "--codeboek", str(bad)]) == 1
    assert (
        "codeboek.csv, row 2, column 'code': value 'overig': duplicate code"
        in capsys.readouterr().err
    )
    with pytest.raises(InvalidDataset):
        read_codebook_extension(tmp_path / "missing.csv")


def test_column_map_applied():
    result = check_dataset(FORMS)
    assert result.ok, [str(p) for p in result.errors]
    ds = result.dataset
    assert ds.respondenten["respondent_id"].tolist() == ["1", "2", "3"]
    assert ds.respondenten["respondenttype"].tolist() == [
        "g4_g40",
        "g4_g40",
        "samenwerkingsverband",
    ]
    exp = ds.experimenten
    assert exp["pilot_id"].tolist() == ["E1", "E2", "E3", "E4"]
    assert exp["respondent_id"].tolist() == ["1", "1", "2", "3"]
    assert exp["type"].tolist() == [
        "vroegsignalering",
        "coaching_buddy",
        "educatietool",
        "perspectieffonds",
    ]
    assert tables.frequency(ds, "fasen").data.set_index("code")["n"].to_dict() == {
        "preventie": 1,
        "vroegsignalering": 1,
        "curatie": 3,
        "nazorg": 1,
    }
    assert exp["partners__sociaal_werk"].tolist() == [False, True, True, False]
    assert exp["partners__woningcorporatie"].tolist() == [True, False, True, False]
    assert exp["effectmeting"].tolist() == ["ja", "nee", "nee", "onbekend"]
    assert [str(p) for p in result.warnings] == [
        "warning: respondenten.csv, row 1, column 'E-mail': personal data (contact names, "
        "phone, e-mail): column(s) not read and never copied into any output"
    ]


def test_errors_name_the_exports_header_and_the_maps_row(tmp_path):
    folder = tmp_path / "forms"
    shutil.copytree(FORMS, folder)
    text = (folder / "kolommen.csv").read_text(encoding="utf-8")
    text = text.replace("Overdraagbaar?,overdraagbaar,", "Overdraagbaar?,overdraagbaarheid,")
    text += "Onbekende vraag,status,\nWelke fasen?,doelgroepen,\n"
    (folder / "kolommen.csv").write_text(text, encoding="utf-8")
    exp = (folder / "experimenten.csv").read_text(encoding="utf-8")
    (folder / "experimenten.csv").write_text(exp.replace("Educatietool", "Spel"), encoding="utf-8")
    result = check_dataset(folder)
    messages = [str(p) for p in result.errors + result.warnings]
    assert messages == [
        "experimenten.csv, row 1: required column 'overdraagbaar' is missing; columns found: "
        "Nummer, ID, Titel van het experiment, Korte beschrijving, Wat voor soort experiment "
        "is het?, Welke fasen?, Effectmeting gepland?, Doelen vooraf geformuleerd?, "
        "Overdraagbaar?, Partner: sociaal werk, Partner: woningcorporatie",
        "experimenten.csv, row 4, column 'Wat voor soort experiment is het?': value 'Spel': "
        "unknown value; allowed: vroegsignalering, coaching_buddy, nieuwe_benadering, "
        "perspectieffonds, educatietool, digitaal_product, overig (or their Dutch/English "
        "labels)",
        "kolommen.csv, row 14, column 'veld': value 'overdraagbaarheid': unknown field; "
        "allowed: a field of the codebook (e.g. type, fasen, gemeentecodes) or an option "
        "column such as fasen__nazorg; see docs/data_contract.md",
        "kolommen.csv, row 18, column 'bron': value 'Welke fasen?': header mapped twice (also "
        "in row 11)",
        "warning: kolommen.csv, row 17, column 'bron': value 'Onbekende vraag': no column "
        "with this header in the data; the row maps nothing",
        "warning: respondenten.csv, row 1, column 'E-mail': personal data (contact names, "
        "phone, e-mail): column(s) not read and never copied into any output",
    ]


def test_check_summary_names_the_extension(capsys):
    assert main(["check", str(EXTENSION)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "  codebook extension (codeboek.csv): code type: energiecoach; new field kanalen "
        "(multi, experimenten): sociale_media, huisbezoek, brief"
    )
