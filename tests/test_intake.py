"""Intake template, coding suggestions, decisions and agreement (issue 6)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

from shv_analysis import check_dataset  # with the coding decisions beside the data
from shv_analysis.cli import main
from shv_analysis.coding import agreement, intake, template, worksheet
from shv_analysis.coding import decisions as coding_decisions
from shv_analysis.coding import suggestions as coding
from shv_analysis.contract import codebook as cb
from shv_analysis.ingest.privacy import is_personal_header

ROWS = 30  # template rows with drop-downs: small keeps the tests fast


# ---------------------------------------------------------------- helpers


def _headers(ws) -> list[str]:
    return [c.value for c in ws[1]]


def _range_values(wb, formula: str) -> list[str]:
    """Values of a drop-down's source range like 'codeboek'!$D$5:$D$11."""
    match = re.fullmatch(
        r"'?(?P<sheet>[^'!]+)'?!\$(?P<col>[A-Z]+)\$(?P<a>\d+):\$[A-Z]+\$(?P<b>\d+)", formula
    )
    assert match, formula
    ws = wb[match["sheet"]]
    return [ws[f"{match['col']}{r}"].value for r in range(int(match["a"]), int(match["b"]) + 1)]


def _validations(ws) -> dict[str, object]:
    """Column header -> the data validation covering its first data cell."""
    out = {}
    for i, header in enumerate(_headers(ws), start=1):
        cell = f"{openpyxl.utils.get_column_letter(i)}2"
        for dv in ws.data_validations.dataValidation:
            if cell in dv.sqref:
                out[header] = dv
    return out


def _put(ws, row: int, values: dict) -> None:
    headers = _headers(ws)
    for key, value in values.items():
        ws.cell(row=row, column=headers.index(key) + 1, value=value)


def _with_extra_code(field_name: str, code: cb.Code) -> tuple[cb.Field, ...]:
    return tuple(
        dataclasses.replace(f, codes=f.codes + (code,))
        if f.table == cb.EXPERIMENTEN and f.name == field_name
        else f
        for f in cb.FIELDS
    )


# ---------------------------------------------------------------- 1. template


def test_template_structure_comes_from_the_codebook(tmp_path):
    path = template.write_template(tmp_path / "t.xlsx", rows=ROWS)
    wb = openpyxl.load_workbook(path)
    assert {"toelichting", "respondenten", "experimenten", "codeboek"} <= set(wb.sheetnames)
    book = pd.DataFrame(
        list(wb["codeboek"].iter_rows(values_only=True))[1:], columns=_headers(wb["codeboek"])
    )
    pd.testing.assert_frame_equal(book, cb.codebook_frame(), check_dtype=False)
    for table in cb.TABLE_NAMES:
        ws = wb[table]
        headers = _headers(ws)
        assert headers == [c.header for c in template.template_columns(table)]
        assert ws.freeze_panes == "A2"
        assert not [h for h in headers if is_personal_header(h)]
        dvs = _validations(ws)
        for f in cb.fields(table):
            if f.kind == "single":
                assert _range_values(wb, dvs[f.name].formula1) == [c.nl for c in f.codes]
            elif f.kind == "yesno":
                assert dvs[f.name].formula1 == '"ja,nee"'
            elif f.kind == "multi":
                assert f.name not in headers
                for code in f.code_list:
                    assert dvs[cb.multi_column(f.name, code)].formula1 == '"ja,nee"'
        assert all(
            ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width >= 8
            for i in range(1, len(headers) + 1)
        )
    text = " ".join(
        str(c) for row in wb["toelichting"].iter_rows(values_only=True) for c in row if c
    )
    assert "persoonsgegevens" in text and "fasen__nazorg" in text


def test_new_codebook_code_appears_in_template_without_template_changes(tmp_path, monkeypatch):
    new_type = cb.Code("schuldhulpcafe", "Schuldhulpcafé", "Debt café")
    new_partner = cb.Code("bibliotheek", "Bibliotheek", "Library")
    monkeypatch.setattr(cb, "FIELDS", _with_extra_code("type", new_type))
    monkeypatch.setattr(cb, "FIELDS", _with_extra_code("partners", new_partner))
    path = template.write_template(tmp_path / "t.xlsx", rows=ROWS)
    wb = openpyxl.load_workbook(path)
    rows = list(wb["codeboek"].iter_rows(values_only=True))
    assert ("experimenten", "type", "schuldhulpcafe", "Schuldhulpcafé", "Debt café") in rows
    assert ("experimenten", "partners", "bibliotheek", "Bibliotheek", "Library") in rows
    ws = wb["experimenten"]
    assert "Schuldhulpcafé" in _range_values(wb, _validations(ws)["type"].formula1)
    assert "partners__bibliotheek" in _headers(ws)
    assert _validations(ws)["partners__bibliotheek"].formula1 == '"ja,nee"'


@pytest.fixture
def filled_template(tmp_path):
    path = template.write_template(tmp_path / "intake.xlsx", rows=ROWS)
    wb = openpyxl.load_workbook(path)
    _put(
        wb["respondenten"],
        2,
        {
            "respondent_id": "R1",
            "naam": "Gemeente Zwolle",
            "respondenttype": "G4/G40-gemeente",
            "gemeentecodes": "GM0193",
            "gespreksdatum": dt.date(2019, 5, 14),
        },
    )
    _put(
        wb["respondenten"],
        3,
        {
            "respondent_id": "R2",
            "naam": "Regio Eemsdelta",
            "respondenttype": "Samenwerkingsverband",
            "gemeentecodes": "GM0010;GM0024",
        },
    )
    _put(
        wb["experimenten"],
        2,
        {
            "pilot_id": "P1",
            "respondent_id": "R1",
            "titel": "Vroeg Eropaf",
            "omschrijving": "Huisbezoek na een melding van de woningcorporatie",
            "type": "Vroegsignalering",
            "fasen__vroegsignalering": "ja",
            "fasen__curatie": "ja",
            "fasen__nazorg": "nee",
            "partners__woningcorporatie": "ja",
            "verwachte_effecten__efficienter": "ja",
            "effectmeting": "Weet niet",
            "doelen_geformuleerd": "ja",
            "overdraagbaar": "Overdraagbaar of opschaalbaar",
            "status": "Lopend",
            "omvang": 250,
        },
    )
    _put(
        wb["experimenten"],
        3,
        {
            "pilot_id": "P2",
            "respondent_id": "R2",
            "titel": "Jongerenperspectieffonds",
            "type": "(Jongeren)perspectieffonds",
            "fasen__curatie": "ja",
            "doelgroepen__jongeren": "ja",
            "effectmeting": "Geen concrete plannen",
            "doelen_geformuleerd": "nee",
            "overdraagbaar": "Niet overdraagbaar",
        },
    )
    wb.save(path)
    return path


def test_filled_template_loads_without_edits(filled_template):
    result = check_dataset(filled_template)
    assert result.errors == []
    resp, exp = result.dataset.respondenten, result.dataset.experimenten
    assert resp["respondenttype"].tolist() == ["g4_g40", "samenwerkingsverband"]
    assert resp["gespreksdatum"].iloc[0] == pd.Timestamp("2019-05-14")
    p1, p2 = exp.iloc[0], exp.iloc[1]
    assert (p1["type"], p1["effectmeting"], p1["overdraagbaar"], p1["status"]) == (
        "vroegsignalering",
        "onbekend",
        "ja",
        "lopend",
    )
    assert p1["fasen__vroegsignalering"] and p1["fasen__curatie"] and not p1["fasen__nazorg"]
    assert p1["partners__woningcorporatie"] and p1["verwachte_effecten__efficienter"]
    assert bool(p1["doelen_geformuleerd"]) and int(p1["omvang"]) == 250
    assert (p2["type"], p2["effectmeting"], p2["overdraagbaar"]) == (
        "perspectieffonds",
        "nee",
        "nee",
    )
    assert p2["doelgroepen__jongeren"] and not p2["partners__woningcorporatie"]
    assert pd.isna(p2["status"]) and not bool(p2["doelen_geformuleerd"])


def test_new_code_round_trips_through_template(tmp_path, monkeypatch):
    monkeypatch.setattr(
        cb,
        "FIELDS",
        _with_extra_code("type", cb.Code("schuldhulpcafe", "Schuldhulpcafé", "Debt café")),
    )
    path = template.write_template(tmp_path / "t.xlsx", rows=ROWS)
    wb = openpyxl.load_workbook(path)
    _put(
        wb["respondenten"],
        2,
        {
            "respondent_id": "R1",
            "respondenttype": "Samenwerkingsverband",
            "gemeentecodes": "GM0363",
        },
    )
    _put(
        wb["experimenten"],
        2,
        {
            "pilot_id": "P1",
            "respondent_id": "R1",
            "type": "Schuldhulpcafé",
            "fasen__preventie": "ja",
            "effectmeting": "Weet niet",
            "doelen_geformuleerd": "nee",
            "overdraagbaar": "Weet niet",
        },
    )
    wb.save(path)
    result = check_dataset(path)
    assert result.errors == []
    assert result.dataset.experimenten["type"].tolist() == ["schuldhulpcafe"]


def test_cli_template_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "t.xlsx"
    assert main(["template", str(out), "--rows", "5"]) == 0
    assert out.is_file()
    assert main(["template", str(out), "--rows", "5"]) == 1
    assert "--force" in capsys.readouterr().err
    assert main(["template", str(out), "--rows", "5", "--force"]) == 0


# ---------------------------------------------------------------- 2. suggestions

# (titel, omschrijving) -> expected {field: (status, suggestion, {code: trigger words})};
# fields not listed must have status 'none'.
CASES = {
    "vroeg_eropaf": (
        ("Vroeg Eropaf", "Huisbezoeken bij huurders na een melding van de woningcorporatie."),
        {
            "type": ("suggested", "vroegsignalering", {"vroegsignalering": ("vroeg eropaf",)}),
            "fasen": ("suggested", "vroegsignalering", {"vroegsignalering": ("vroeg eropaf",)}),
            "partners": (
                "suggested",
                "woningcorporatie",
                {"woningcorporatie": ("woningcorporatie",)},
            ),
        },
    ),
    "vindplaats": (
        (
            "Vindplaats Schulden",
            "Data-analyse van achterstanden bij zorgverzekeraars en energieleveranciers.",
        ),
        {
            "type": (
                "suggested",
                "vroegsignalering",
                {"vroegsignalering": ("vindplaats schulden",)},
            ),
            "fasen": (
                "suggested",
                "vroegsignalering",
                {"vroegsignalering": ("vindplaats schulden", "achterstanden")},
            ),
            "partners": (
                "suggested",
                "zorgverzekeraar;nutsbedrijf",
                {"zorgverzekeraar": ("zorgverzekeraars",), "nutsbedrijf": ("energieleveranciers",)},
            ),
        },
    ),
    # A named approach (Mobility Mentoring) outranks an ordinary coaching keyword.
    "mobility_mentoring": (
        ("Mobility Mentoring", "Coaches helpen inwoners doelen te stellen en te behalen."),
        {
            "type": (
                "suggested",
                "nieuwe_benadering",
                {"nieuwe_benadering": ("mobility mentoring",), "coaching_buddy": ("coaches",)},
            )
        },
    ),
    "buddy": (
        ("Schuldenmaatjes", "Getrainde vrijwilligers zijn buddy van gezinnen met geldzorgen."),
        {
            "type": (
                "suggested",
                "coaching_buddy",
                {"coaching_buddy": ("schuldenmaatjes", "vrijwilligers", "buddy")},
            )
        },
    ),
    "perspectieffonds": (
        ("Jongerenperspectieffonds", "Schulden opkopen voor jongeren die een opleiding volgen."),
        {
            "type": (
                "suggested",
                "perspectieffonds",
                {"perspectieffonds": ("jongerenperspectieffonds", "schulden opkopen")},
            ),
            "fasen": ("suggested", "curatie", {"curatie": ("jongerenperspectieffonds", "opkopen")}),
            "doelgroepen": (
                "suggested",
                "jongeren",
                {"jongeren": ("jongerenperspectieffonds", "jongeren")},
            ),
        },
    ),
    "gastlessen": (
        (
            "Geldlessen",
            "Gastlessen door peer-educators en een interactief geldspel voor scholieren.",
        ),
        {
            "type": (
                "suggested",
                "educatietool",
                {"educatietool": ("gastlessen", "peer-educators", "geldlessen", "geldspel")},
            ),
            "fasen": (
                "suggested",
                "preventie",
                {"preventie": ("geldlessen", "gastlessen", "peer-educators", "geldspel")},
            ),
            "doelgroepen": ("suggested", "jongeren", {"jongeren": ("scholieren",)}),
        },
    ),
    "app": (
        ("Budgetapp", "Een app en een digitaal huishoudboekje geven inzicht in de uitgaven."),
        {
            "type": (
                "suggested",
                "digitaal_product",
                {"digitaal_product": ("digitaal huishoudboekje", "budgetapp", "app")},
            ),
            "fasen": ("suggested", "nazorg", {"nazorg": ("huishoudboekje",)}),
        },
    ),
    "energiecoach": (
        ("Energiecoach", "Een energiecoach adviseert huishoudens over lagere woonlasten."),
        {"type": ("suggested", "overig", {"overig": ("energiecoach",)})},
    ),
    # 'workshop' (education tool) is outranked by the named approach.
    "schuldeisers_bellen": (
        ("Workshop zelf schuldeisers bellen", "Deelnemers bellen onder begeleiding."),
        {
            "type": (
                "suggested",
                "overig",
                {"overig": ("zelf schuldeisers bellen",), "educatietool": ("workshop",)},
            ),
            "fasen": ("suggested", "preventie", {"preventie": ("workshop",)}),
        },
    ),
    "vlogs": (
        ("Vlogs over geldzaken", "Korte vlogs voor 18-jarigen over waar ze hulp vinden."),
        {
            "type": ("suggested", "overig", {"overig": ("vlogs",)}),
            "doelgroepen": ("suggested", "jongeren", {"jongeren": ("18-jarigen",)}),
        },
    ),
    # Early-detection and coaching keywords together: ambiguous, both candidates kept.
    "ambiguous_keywords": (
        ("Buren helpen", "Vrijwilligers signaleren huurachterstanden in de wijk."),
        {
            "type": (
                "ambiguous",
                None,
                {"vroegsignalering": ("huurachterstanden",), "coaching_buddy": ("vrijwilligers",)},
            ),
            "fasen": (
                "suggested",
                "vroegsignalering",
                {"vroegsignalering": ("huurachterstanden",)},
            ),
        },
    ),
    "ambiguous_approaches": (
        ("Vroeg Eropaf met Mobility Mentoring", ""),
        {
            "type": (
                "ambiguous",
                None,
                {
                    "vroegsignalering": ("vroeg eropaf",),
                    "nieuwe_benadering": ("mobility mentoring",),
                },
            ),
            "fasen": ("suggested", "vroegsignalering", {"vroegsignalering": ("vroeg eropaf",)}),
        },
    ),
    "target_groups_and_social_work": (
        (
            "Geldzorgen bij senioren en zzp'ers",
            "Het wijkteam en het sociaal werk bezoeken ouderen en zelfstandig ondernemers thuis.",
        ),
        {
            "doelgroepen": (
                "suggested",
                "ouderen;zelfstandig_ondernemers",
                {
                    "ouderen": ("senioren", "ouderen"),
                    "zelfstandig_ondernemers": ("zzp", "zelfstandig ondernemers"),
                },
            ),
            "partners": (
                "suggested",
                "sociaal_werk",
                {"sociaal_werk": ("wijkteam", "sociaal werk")},
            ),
        },
    ),
    "accents_and_case": (
        ("WONINGCOÖPERATIES en Nutsbedrijven", "Signaalpartners melden het aan de gemeente."),
        {
            "type": ("suggested", "vroegsignalering", {"vroegsignalering": ("signaalpartners",)}),
            "fasen": ("suggested", "vroegsignalering", {"vroegsignalering": ("signaalpartners",)}),
            "partners": (
                "suggested",
                "woningcorporatie;nutsbedrijf",
                {"woningcorporatie": ("woningcooperaties",), "nutsbedrijf": ("nutsbedrijven",)},
            ),
        },
    ),
    "business": (
        ("Werkgevers doen mee", "Het lokale bedrijfsleven helpt werknemers met geldzorgen."),
        {
            "partners": (
                "suggested",
                "bedrijfsleven",
                {"bedrijfsleven": ("werkgevers", "bedrijfsleven")},
            )
        },
    ),
    # Word boundaries: no 'app' in apparaat/WhatsApp, no 'spel' in spelen, no 'coach'.
    "no_suggestion": (
        (
            "Schuldhulp op maat",
            "Medewerkers spelen een rol; het apparaat van de gemeente "
            "gebruikt WhatsApp voor afspraken.",
        ),
        {},
    ),
}


@pytest.fixture(scope="module")
def suggested():
    frame = pd.DataFrame(
        [{"pilot_id": key, "titel": t, "omschrijving": o} for key, ((t, o), _) in CASES.items()]
    )
    return coding.suggest_pilots(frame).set_index(["pilot_id", "field"])


@pytest.mark.parametrize("case", list(CASES))
def test_suggestions_for_realistic_descriptions(suggested, case):
    expected = CASES[case][1]
    for field_name in cb.CODING_FIELDS:
        got = suggested.loc[(case, field_name)]
        if field_name not in expected:
            assert (got["status"], got["suggestion"], got["triggers"]) == ("none", None, {}), (
                field_name
            )
            continue
        status, suggestion, triggers = expected[field_name]
        assert got["status"] == status, field_name
        assert got["suggestion"] == suggestion, field_name
        assert {c: set(w) for c, w in got["triggers"].items()} == {
            c: set(w) for c, w in triggers.items()
        }, field_name
        if status == "ambiguous":
            assert set(got["candidates"]) == set(triggers)
            assert all(
                f"{c} (aanpak)" in got["trigger_text"] or f"{c}:" in got["trigger_text"]
                for c in triggers
            )


def test_suggestions_work_on_distinct_texts_and_keep_the_index():
    texts = pd.Series(["Vroeg Eropaf", "", "Vroeg Eropaf", None], index=[10, 11, 12, 13])
    out = coding.suggest(texts, fields=["type"])
    assert out["key"].tolist() == [10, 11, 12, 13]
    assert out["suggestion"].tolist() == ["vroegsignalering", None, "vroegsignalering", None]
    assert out["status"].tolist() == ["suggested", "none", "suggested", "none"]


def test_every_coding_rule_names_a_codebook_code_and_every_type_has_rules():
    compiled = coding._compile(cb.CODING_RULES)  # raises on an unknown field or code
    assert len(compiled) == len(cb.CODING_RULES)
    covered = {(r.field, r.code) for r in cb.CODING_RULES}
    for name in cb.CODING_FIELDS:
        assert {(name, c) for c in cb.pilot_field(name).code_list} <= covered, name
    assert re.fullmatch(coding.keyword_pattern("peer educat*"), "peer-educators")
    assert not re.search(r"(?<!\w)(?:" + coding.keyword_pattern("*spel") + ")", "spelen")


# ---------------------------------------------------------------- 3. decisions

EXP_HEADER = (
    "pilot_id,respondent_id,titel,omschrijving,type,fasen,doelgroepen,partners,"
    "effectmeting,doelen_geformuleerd,overdraagbaar\n"
)
EXP_ROWS = [
    "P1,R1,Vroeg Eropaf,Huisbezoek na melding van de woningcorporatie,,vroegsignalering,,,"
    "ja,ja,ja",  # row 2: type empty
    "P2,R1,Schuldenbuddy,Vrijwilligers als buddy voor jongeren,coaching_buddy,curatie,,,"
    "nee,nee,ja",  # row 3: typed type
    "P3,R1,Jongerenperspectieffonds,Schulden opkopen,,,,,nee,ja,nee",  # row 4: type+fasen
    "P4,R1,Gastlessen,Gastlessen door peer-educators,educatietool,preventie,,,nee,nee,ja",
]


@pytest.fixture
def coding_folder(tmp_path):
    folder = tmp_path / "inventaris"
    folder.mkdir()
    (folder / "respondenten.csv").write_text(
        "respondent_id,respondenttype,gemeentecodes\nR1,gemeente,GM0003\n", "utf-8"
    )
    (folder / "experimenten.csv").write_text(EXP_HEADER + "\n".join(EXP_ROWS) + "\n", "utf-8")
    return folder


def _fill_worksheet(path, choices: dict[tuple[str, str], str], coder="AB"):
    wb = openpyxl.load_workbook(path)
    ws = wb[worksheet.WORKSHEET_SHEET]
    headers = _headers(ws)
    col = {h: i + 1 for i, h in enumerate(headers)}
    for r in range(2, ws.max_row + 1):
        key = (ws.cell(r, col["pilot_id"]).value, ws.cell(r, col["field"]).value)
        if key in choices:
            ws.cell(r, col["final_code"]).value = choices[key]
            ws.cell(r, col["coder"]).value = coder
    wb.save(path)


def _worksheet(path) -> pd.DataFrame:
    rows = list(openpyxl.load_workbook(path)[worksheet.WORKSHEET_SHEET].iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_worksheet_lists_empty_fields_with_suggestions(coding_folder, capsys):
    sheet = coding_folder.parent / "ws.xlsx"
    assert main(["code", str(coding_folder), "--out", str(sheet)]) == 0
    rows = _worksheet(sheet).set_index(["pilot_id", "field"])
    assert ("P2", "type") not in rows.index  # typed, no decision needed
    assert rows.loc[("P1", "type"), "suggestion"] == "vroegsignalering"
    assert rows.loc[("P1", "type"), "status"] == "suggested"
    assert "vroeg eropaf" in rows.loc[("P1", "type"), "trigger_words"]
    assert rows.loc[("P3", "fasen"), "suggestion"] == "curatie"
    assert rows.loc[("P2", "doelgroepen"), "suggestion"] == "jongeren"
    assert rows.loc[("P4", "partners"), "status"] == "none"
    assert rows[["final_code", "coder", "date", "note"]].isna().all().all()
    wb = openpyxl.load_workbook(sheet)
    validations = wb[worksheet.WORKSHEET_SHEET].data_validations.dataValidation
    dvs = {str(dv.sqref): dv for dv in validations}
    type_rows = [i + 2 for i, f in enumerate(_worksheet(sheet)["field"]) if f == "type"]
    type_dv = next(dv for ref, dv in dvs.items() if f"J{type_rows[0]}" in dv.sqref)
    assert _range_values(wb, type_dv.formula1) == cb.pilot_field("type").code_list
    out = capsys.readouterr().out
    assert f"{len(rows)} record(s) to decide" in out and "0 already decided" in out


def test_decisions_survive_rerun_override_suggestions_never_typed_values(coding_folder):
    sheet = coding_folder.parent / "ws.xlsx"
    assert main(["code", str(coding_folder), "--out", str(sheet)]) == 0
    # P1: the coder overrides the suggestion (vroegsignalering) with nieuwe_benadering.
    _fill_worksheet(
        sheet,
        {
            ("P1", "type"): "nieuwe_benadering",
            ("P3", "type"): "perspectieffonds",
            ("P3", "fasen"): "curatie; Nazorg",
            ("P4", "partners"): "geen",
        },
    )
    assert main(["code", "--read", str(sheet)]) == 0
    decisions_file = coding_folder / "beslissingen.csv"
    saved = pd.read_csv(decisions_file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(saved.columns) == list(coding_decisions.DECISION_COLUMNS)
    assert saved.set_index(["pilot_id", "field"])["code"].to_dict() == {
        ("P1", "type"): "nieuwe_benadering",
        ("P3", "type"): "perspectieffonds",
        ("P3", "fasen"): "curatie;nazorg",
        ("P4", "partners"): "geen",
    }
    assert set(saved["coder"]) == {"AB"} and saved["date"].str.match(r"\d{4}-\d\d-\d\d").all()

    # A decision for a typed cell (P2 type) is kept in the file but never applied.
    with decisions_file.open("a", encoding="utf-8") as handle:
        handle.write("P2,type,perspectieffonds,CD,2020-01-01,handmatig\n")  # file row 6

    for _ in range(2):  # every later run applies the decisions again
        result = check_dataset(coding_folder)
        assert result.errors == []
        exp = result.dataset.experimenten.set_index("pilot_id")
        assert exp.loc["P1", "type"] == "nieuwe_benadering"
        assert exp.loc["P2", "type"] == "coaching_buddy"
        assert exp.loc["P3", "type"] == "perspectieffonds"
        assert exp.loc["P3", ["fasen__curatie", "fasen__nazorg"]].all()
        assert not exp.loc["P3", "fasen__preventie"]
        assert not exp.loc["P4", cb.multi_columns("partners")].any()
        (clash,) = [w for w in result.warnings if w.row == 6]
        assert clash.file == "beslissingen.csv" and clash.value == "perspectieffonds"
        assert "never overwritten" in clash.message and "row 3" in clash.message

    # Rerunning `shv code` prefills the decisions; reading it back changes nothing.
    sheet.unlink()
    assert main(["code", str(coding_folder), "--out", str(sheet)]) == 0
    rows = _worksheet(sheet).set_index(["pilot_id", "field"])
    assert rows.loc[("P1", "type"), "final_code"] == "nieuwe_benadering"
    assert rows.loc[("P1", "type"), "suggestion"] == "vroegsignalering"
    assert rows.loc[("P1", "type"), "coder"] == "AB"
    assert main(["code", "--read", str(sheet)]) == 0
    again = pd.read_csv(decisions_file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    pd.testing.assert_frame_equal(
        again,
        pd.concat(
            [
                saved,
                pd.DataFrame(
                    [["P2", "type", "perspectieffonds", "CD", "2020-01-01", "handmatig"]],
                    columns=saved.columns,
                ),
            ],
            ignore_index=True,
        ),
    )
    # Without decisions the same data have errors: the decisions did the filling.
    assert check_dataset(coding_folder, decisions=None).errors


def test_bad_decisions_are_errors_with_their_row_and_check_fails(coding_folder, capsys):
    (coding_folder / "beslissingen.csv").write_text(
        "pilot_id,field,code,coder,date,note\n"
        "P1,type,vroegsignalering,AB,2020-01-01,\n"  # row 2: fine
        "P9,fasen,curatie,AB,2020-01-01,\n"  # row 3: unknown pilot
        "P3,type,onzin,AB,2020-01-01,\n"  # row 4: unknown code
        "P3,fase,curatie,AB,2020-01-01,\n"  # row 5: unknown field
        "P3,fasen,curatie;nazorgg,AB,2020-01-01,\n",  # row 6: one unknown code of several
        "utf-8",
    )
    result = check_dataset(coding_folder)
    assert not result.ok and result.dataset is None
    from_file = {(p.row, p.column, p.value) for p in result.errors if p.file == "beslissingen.csv"}
    assert from_file == {
        (3, "pilot_id", "P9"),
        (4, "code", "onzin"),
        (5, "field", "fase"),
        (6, "code", "curatie;nazorgg"),
    }
    assert all(p.severity == "error" for p in result.errors if p.file == "beslissingen.csv")
    assert main(["check", str(coding_folder)]) == 1
    out = capsys.readouterr().out
    assert "beslissingen.csv, row 3, column 'pilot_id': value 'P9': unknown pilot_id" in out
    # An explicit decisions file that does not exist is an error too.
    missing = check_dataset(coding_folder, decisions=coding_folder / "nope.csv")
    assert any("decisions file not found" in p.message for p in missing.errors)


def test_a_decisions_file_with_only_its_header_changes_nothing(tmp_path):
    import shutil

    from variants import MINI

    folder = shutil.copytree(MINI, tmp_path / "mini")
    plain = check_dataset(folder)
    (folder / "beslissingen.csv").write_text("pilot_id,field,code,coder,date,note\n", "utf-8")
    result = check_dataset(folder)  # was a KeyError: '_rij'
    assert result.ok and not [p for p in result.errors + result.warnings if "beslis" in p.file]
    assert result.dataset.experimenten.equals(plain.dataset.experimenten)


def test_worksheet_with_unknown_code_is_not_read(coding_folder, capsys):
    sheet = coding_folder.parent / "ws.xlsx"
    assert main(["code", str(coding_folder), "--out", str(sheet)]) == 0
    _fill_worksheet(sheet, {("P1", "type"): "vroegsignalering", ("P3", "type"): "fonds"})
    assert main(["code", "--read", str(sheet)]) == 1
    err = capsys.readouterr().err
    assert "value 'fonds'" in err and "nothing written" in err
    assert not (coding_folder / "beslissingen.csv").exists()


def test_workbook_dataset_keeps_decisions_beside_it(tmp_path):
    assert (
        coding_decisions.default_decisions_path(tmp_path / "inv.xlsx")
        == tmp_path / "inv.beslissingen.csv"
    )
    assert coding_decisions.default_decisions_path(tmp_path) == tmp_path / "beslissingen.csv"


# ---------------------------------------------------------------- 4. agreement


def test_kappa_equals_hand_computed_values():
    # p_o = 35/50 = 0.7; p_e = (25*30 + 25*20) / 50^2 = 0.5; kappa = 0.2 / 0.5 = 0.4
    assert agreement.cohens_kappa([[20, 5], [10, 15]]) == pytest.approx(0.4)
    # p_o = 32/40 = 0.8; p_e = (12*11 + 12*12 + 16*17) / 1600 = 0.3425
    table = np.array([[10, 2, 0], [1, 8, 3], [0, 2, 14]])
    assert agreement.cohens_kappa(table) == pytest.approx((0.8 - 0.3425) / (1 - 0.3425))
    from statsmodels.stats.inter_rater import cohens_kappa as sm_kappa

    assert agreement.cohens_kappa(table) == pytest.approx(sm_kappa(table).kappa)
    assert np.isnan(agreement.cohens_kappa([[0, 0], [0, 0]]))


def test_agreement_tables_on_a_coded_dataset():
    pilots = pd.DataFrame(
        {
            "pilot_id": ["P1", "P2", "P3", "P4", "P5"],
            "titel": [
                "Vroeg Eropaf",
                "Schuldenbuddy",
                "Gastlessen",
                "Vindplaats Schulden",
                "Buren helpen",
            ],
            "omschrijving": ["", "Vrijwilligers", "", "", "Vrijwilligers en huurachterstanden"],
            "type": [
                "vroegsignalering",
                "coaching_buddy",
                "vroegsignalering",
                "vroegsignalering",
                "coaching_buddy",
            ],
        }
    )
    for code in cb.pilot_field("fasen").code_list:
        pilots[cb.multi_column("fasen", code)] = False
    pilots["fasen__vroegsignalering"] = [True, False, False, True, False]
    pilots["fasen__curatie"] = [False, True, False, False, True]
    ds = type("DS", (), {"experimenten": pilots, "notice": lambda self, lang: None})()
    tables = agreement.agreement_tables(ds, "nl", fields=("type", "fasen"))
    summary = tables["agreement"].data.set_index("code")
    # type: P1, P2, P4 agree, P3 (educatietool vs vroegsignalering) differs, P5 ambiguous.
    # confusion (rows suggestion): vroeg: [2 vroeg], coaching: [1 coaching], edu: [1 vroeg]
    # p_o = 3/4; p_e = (2*3 + 1*1 + 1*0) / 16 = 7/16; kappa = (12/16 - 7/16) / (9/16) = 5/9
    assert summary.loc["type", "records"] == 4
    assert summary.loc["type", "rate_pct"] == pytest.approx(75.0)
    assert summary.loc["type", "kappa"] == pytest.approx(round(5 / 9, 3))
    assert summary.loc["type", "ambiguous"] == 1
    assert tables["agreement"].header("rate_pct") == "Overeenstemming (%)"
    diff = tables["differences"].data
    assert diff[diff["field"] == "Type experiment"]["pilot_id"].tolist() == ["P3"]
    conf = tables["confusion_type"].data.set_index("suggestion")
    assert conf.loc["Educatietool", "vroegsignalering"] == 1
    assert conf.loc["Vroegsignalering", "vroegsignalering"] == 2
    assert tables["confusion_type"].header("vroegsignalering") == "Vroegsignalering"
    assert tables["agreement"].footnote.startswith("n = 5 experimenten")
    en = agreement.agreement_tables(ds, "en", fields=("type",))["agreement"]
    assert "Agreement (%)" in en.headers() and "rate_pct" in en.data.columns


def test_agreement_tables_on_the_embedded_dataset():
    import shv_analysis as shv

    tables = intake.agreement_tables(shv.load())
    assert set(tables) == {"agreement", "differences", "confusion_type"}
    data = tables["agreement"].data
    assert data["code"].tolist() == list(cb.CODING_FIELDS)
    assert data["kappa"].between(-1, 1).all()
    assert tables["agreement"].notice  # the synthetic notice travels with the table


def test_workbook_with_option_columns_gets_decisions_from_beside_it(filled_template):
    wb = openpyxl.load_workbook(filled_template)
    _put(
        wb["experimenten"],
        4,
        {  # P3: type and every fasen__ column left empty
            "pilot_id": "P3",
            "respondent_id": "R2",
            "titel": "Vindplaats Schulden",
            "omschrijving": "Data-analyse van betalingsachterstanden",
            "effectmeting": "Weet niet",
            "doelen_geformuleerd": "nee",
            "overdraagbaar": "Weet niet",
        },
    )
    wb.save(filled_template)
    assert {(e.row, e.column) for e in check_dataset(filled_template).errors} == {
        (4, "type"),
        (4, "fasen"),
    }
    rows = worksheet.worksheet_rows(worksheet.raw_pilots(filled_template)[0])
    p3 = rows[rows["pilot_id"].eq("P3")].set_index("field")
    assert p3.loc["type", "suggestion"] == "vroegsignalering"
    assert p3.loc["fasen", "suggestion"] == "vroegsignalering"
    decisions = filled_template.with_name("intake.beslissingen.csv")
    coding_decisions.write_decisions(
        pd.DataFrame(
            [
                {"pilot_id": "P3", "field": "type", "code": "vroegsignalering", "coder": "AB"},
                {
                    "pilot_id": "P3",
                    "field": "fasen",
                    "code": "vroegsignalering;curatie",
                    "coder": "AB",
                },
                {
                    "pilot_id": "P1",
                    "field": "fasen",
                    "code": "nazorg",
                    "coder": "AB",
                },  # typed: kept
            ]
        ),
        decisions,
    )
    result = check_dataset(filled_template)
    assert result.errors == []
    exp = result.dataset.experimenten.set_index("pilot_id")
    assert exp.loc["P3", "type"] == "vroegsignalering"
    assert exp.loc["P3", ["fasen__vroegsignalering", "fasen__curatie"]].all()
    assert not exp.loc["P1", "fasen__nazorg"] and exp.loc["P1", "fasen__curatie"]
    (clash,) = [w for w in result.warnings if w.file == decisions.name and w.row == 4]
    assert "never overwritten" in clash.message
