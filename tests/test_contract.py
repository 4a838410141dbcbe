"""The codebook is data (contract/codebook.toml) and docs/data_contract.md is generated from it."""

from __future__ import annotations

import copy
import re
import tomllib
from pathlib import Path

import pytest

from shv_analysis.contract import codebook as cb
from shv_analysis.contract.docs import contract_markdown, main

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "data_contract.md"


def test_the_codebook_file_ships_in_the_package():
    assert cb.CODEBOOK_FILE == ROOT / "src" / "shv_analysis" / "contract" / "codebook.toml"
    assert cb.CODEBOOK_FILE.is_file()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert "contract/*.toml" in pyproject["tool"]["setuptools"]["package-data"]["shv_analysis"]


def test_loaded_codebook_matches_hand_checked_facts():
    assert cb.TABLE_NAMES == ("respondenten", "experimenten")
    assert cb.TABLE_LABELS["experimenten"] == ("Experimenten en pilots", "Experiments and pilots")
    assert len(cb.TYPE) == 7
    assert [c.code for c in cb.TYPE][:2] == ["vroegsignalering", "coaching_buddy"]
    assert cb.TYPE[1] == cb.Code(
        "coaching_buddy", "Coachings- of buddytraject", "Coaching or buddy programme"
    )
    assert cb.labels("type", "en")["perspectieffonds"] == "(Youth) perspective fund"
    assert cb.labels("type")["perspectieffonds"] == "(Jongeren)perspectieffonds"
    assert len(cb.FIELDS) == 22 and len(cb.fields("respondenten")) == 7
    fasen = cb.pilot_field("fasen")
    assert (fasen.kind, fasen.required, fasen.codes) == ("multi", True, cb.FASEN)
    assert cb.get_field("respondenten", "naam").required is False
    assert cb.get_field("respondenten", "gemeentecodes").kind == "list"
    assert cb.pilot_field("doelen_geformuleerd").codes == cb.YESNO
    assert cb.pilot_field("partners").description == (
        "parties involved besides the municipality; empty = none"
    )
    assert cb.get_field("respondenten", "grootteklasse").code_label("ge100k", "en") == (
        "100,000 inhabitants or more"
    )
    assert cb.N_MUNICIPALITIES_2019 == 355
    assert cb.SIGNAL_PARTNERS == ("woningcorporatie", "zorgverzekeraar", "nutsbedrijf")
    assert cb.YES_WORDS == {"ja", "j", "yes", "y", "1", "true", "waar", "x"}
    assert cb.NO_WORDS == {"nee", "n", "no", "0", "false", "onwaar"}
    assert re.split(cb.MULTI_SEPARATORS, "a; b|c\r\nd") == ["a", " b", "c", "d"]
    assert len(cb.PERSONAL_COLUMNS) == 28 and {"telefoon", "tel.nr.", "06"} <= cb.PERSONAL_COLUMNS
    assert cb.CODING_FIELDS == ("type", "fasen", "partners", "doelgroepen")
    assert cb.NO_CODE == "geen"
    assert len(cb.CODING_RULES) == 27
    assert cb.CODING_RULES[2] == cb.CodingRule(
        "type",
        "nieuwe_benadering",
        ("mobility mentoring", "stress sensitie*", "stresssensitie*"),
        strong=True,
    )
    assert sum(r.strong for r in cb.CODING_RULES) == 7


def test_codebook_frame_has_one_row_per_code_of_the_contract_fields():
    frame = cb.codebook_frame()
    assert list(frame.columns) == ["tabel", "veld", "code", "label_nl", "label_en"]
    # 3 respondenttype + 7 + 4 + 4 + 6 + 5 + 8 + 3 + 2 (doelen_geformuleerd) + 3 + 2 (status)
    assert len(frame) == 47
    row = frame[(frame.veld == "effectmeting") & (frame.code == "onbekend")].iloc[0]
    assert (row.label_nl, row.label_en) == ("Weet niet", "Don't know")


@pytest.fixture(scope="module")
def raw():
    return cb.read_codebook()


def _experiment_field(raw: dict, name: str) -> dict:
    return next(f for f in raw["tables"][1]["fields"] if f["name"] == name)


def test_the_shipped_codebook_is_consistent(raw):
    assert cb.codebook_problems(raw) == []


def test_inconsistent_codebooks_are_refused_with_every_problem(raw, tmp_path):
    broken = copy.deepcopy(raw)
    _experiment_field(broken, "fasen")["constraints"]["enum"] = ["preventie", "curatie"]
    _experiment_field(broken, "omvang")["type"] = "string"
    _experiment_field(broken, "titel")["kind"] = "free"
    broken["coding"]["rules"][0]["code"] = "vroeg"
    assert cb.codebook_problems(broken) == [
        (
            "experimenten.titel: unknown kind 'free'; allowed: "
            "text, single, multi, list, date, integer, yesno"
        ),
        (
            "experimenten.fasen: constraints.enum ['preventie', 'curatie'] differs from the codes "
            "of code list 'fasen' ['preventie', 'vroegsignalering', 'curatie', 'nazorg']"
        ),
        "experimenten.omvang: type 'string' does not fit kind 'integer' (expected 'integer')",
        "coding rule 1: unknown code 'vroeg' of 'type'",
    ]
    text = cb.CODEBOOK_FILE.read_text("utf-8").replace(
        'codelist = "status"', 'codelist = "statussen"'
    )
    path = tmp_path / "codebook.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(ValueError, match=r"experimenten\.status: unknown code list 'statussen'"):
        cb.read_codebook(path)


def test_committed_contract_doc_is_the_generated_one():
    assert DOC.read_text("utf-8") == contract_markdown(), (
        "docs/data_contract.md is out of date: run "
        "`python -m shv_analysis.contract.docs > docs/data_contract.md`"
    )


def test_doc_main_writes_the_generated_text(capsysbinary):
    assert main() == 0
    assert capsysbinary.readouterr().out.decode("utf-8") == contract_markdown()


def _section(doc: str, heading: str) -> str:
    start = doc.index(heading)
    end = doc.find("\n## ", start + 1)
    return doc[start : end if end > 0 else None]


def test_generated_doc_lists_every_field_and_code():
    doc = contract_markdown()
    for table in cb.TABLE_NAMES:
        section = _section(doc, f"## Table `{table}`")
        for f in cb.fields(table):
            assert f"| `{f.name}` | {f.kind.replace('yesno', 'yes/no')} | " in section
    assert (
        "| `fasen` | multi | yes, at least one | Fasen van schuldhulpverlening | "
        "Phases of debt assistance | phases of debt assistance covered |"
    ) in doc
    assert "| `contactpersoon`, `telefoon`, `email` | personal data | no |" in doc
    values = _section(doc, "## Values")
    for f in cb.FIELDS:
        for c in f.codes if f.kind != "yesno" else ():
            assert f"| `{c.code}` | {c.nl} | {c.en} |" in values
    assert "| status | `lopend` | Lopend | Ongoing |" in values
    assert "against\nthe 355 municipalities of 1-1-2019" in doc
    assert "| type | `overig` | strong | `energiecoach*`, `vlog*`, " in doc
