"""Every allowed form of the mini inventory loads to the same coded tables and figures."""

from __future__ import annotations

import pandas as pd
import pytest

import shv_analysis as shv
from shv_analysis.analysis.figures import compute_figures
from shv_analysis.contract import codebook as cb
from variants import (
    MINI,
    mini_tables,
    multi_as_columns,
    municipality_forms,
    odd_headers,
    relabel,
    write_csv_folder,
    write_workbook,
)

# Hand-counted from tests/fixtures/mini (5 respondents, 6 pilots).
EXPECTED = {
    "dekking.gemeenten_totaal": (355, None),
    "dekking.gemeenten_geraadpleegd": (6, None),
    "dekking.pct": (6, 355),
    "respondenten.totaal": (5, None),
    "respondenten.g4_g40": (2, None),
    "respondenten.gemeente": (2, None),
    "respondenten.samenwerkingsverband": (1, None),
    "experimenten.totaal": (6, None),
    "experimenten.respondenten_met_experiment": (4, None),
    "deelname.totaal": (4, 5),
    "deelname.g4_g40": (2, 2),
    "deelname.samenwerkingsverband": (1, 1),
    "deelname.gemeente": (1, 2),
    "aandeel_experimenten.gemeente": (1, 6),
    "aandeel_experimenten.g4_g40": (3, 6),
    "aandeel_experimenten.samenwerkingsverband": (2, 6),
    "type.vroegsignalering": (2, 6),
    "type.coaching_buddy": (1, 6),
    "type.nieuwe_benadering": (0, 6),
    "type.perspectieffonds": (1, 6),
    "type.educatietool": (1, 6),
    "type.digitaal_product": (0, 6),
    "type.overig": (1, 6),
    "fase.preventie": (2, 6),
    "fase.vroegsignalering": (3, 6),
    "fase.curatie": (3, 6),
    "fase.nazorg": (1, 6),
    "doelgroep.jongeren": (2, 6),
    "doelgroep.ouderen": (0, 6),
    "doelgroep.zelfstandig_ondernemers": (0, 6),
    "partners.betrokken": (4, 6),
    "effect.reductie_schulden": (2, 6),
    "effect.eerder_zichtbaar": (2, 6),
    "effect.gedragsverandering": (1, 6),
    "effect.efficienter": (0, 6),
    "effect.samenwerking": (0, 6),
    "effect.minder_recidive": (0, 6),
    "effect.voorkomen_problemen": (1, 6),
    "effect.vakmanschap": (0, 6),
    "effectmeting.ja": (2, 6),
    "effectmeting.nee": (3, 6),
    "effectmeting.onbekend": (1, 6),
    "doelen.geformuleerd": (3, None),
    "doelen.geformuleerd_pct": (3, 6),
    "overdraagbaar.ja": (4, 6),
}


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.drop(columns=["_rij"]).reset_index(drop=True)
    return frame[sorted(frame.columns)].astype(object).where(frame.notna(), None)


@pytest.fixture(scope="module")
def canonical():
    return shv.load(MINI)


def _variants(tmp_path):
    base = mini_tables()
    yield (
        "utf8-bom, option columns",
        write_csv_folder(
            multi_as_columns(base, yes="ja", no="nee"), tmp_path / "bom", encoding="utf-8-sig"
        ),
    )
    yield (
        "cp1252 ; Dutch labels upper-case",
        write_csv_folder(
            relabel(base, "nl", str.upper), tmp_path / "cp1252", encoding="cp1252", sep=";"
        ),
    )
    yield (
        "cp1252 ; Dutch labels without accents",
        write_csv_folder(
            relabel(base, "nl", str.lower, accents=False),
            tmp_path / "noacc",
            encoding="cp1252",
            sep=";",
        ),
    )
    yield (
        "xlsx English labels swapcase, odd headers",
        write_workbook(
            odd_headers(relabel(base, "en", str.swapcase)),
            tmp_path / "en.xlsx",
            sheet_names={"respondenten": "Respondenten", "experimenten": "EXPERIMENTEN"},
        ),
    )
    yield (
        "xlsx option columns with x, municipality names",
        write_workbook(municipality_forms(multi_as_columns(base)), tmp_path / "cols.xlsx"),
    )
    mixed = tmp_path / "mixed"
    write_csv_folder({"respondenten": base["respondenten"]}, mixed)
    write_workbook(
        {"experimenten": relabel(base, "en")["experimenten"]},
        mixed / "experimenten.xlsx",
        extra_sheet=False,
    )
    yield "folder: csv + xlsx", mixed
    pq = tmp_path / "parquet"
    pq.mkdir()
    for name, frame in base.items():
        frame.to_parquet(pq / f"{name}.parquet")
    yield "parquet", pq


def test_every_form_loads_to_identical_coded_tables(tmp_path, canonical):
    for label, path in _variants(tmp_path):
        ds = shv.load(path)
        for table in cb.TABLE_NAMES:
            pd.testing.assert_frame_equal(
                _comparable(getattr(ds, table)),
                _comparable(getattr(canonical, table)),
                check_dtype=False,
                obj=f"{label}: {table}",
            )


def test_figures_equal_hand_counts(canonical):
    figures = compute_figures(canonical).set_index("figure_id")
    assert set(figures.index) == set(EXPECTED)
    for fid, (num, den) in EXPECTED.items():
        row = figures.loc[fid]
        assert row["numerator"] == num, fid
        if den is None:
            assert pd.isna(row["denominator"]) and row["value"] == num, fid
        else:
            assert row["denominator"] == den and row["value"] == pytest.approx(100 * num / den), fid


def test_coded_values(canonical):
    exp = canonical.experimenten.set_index("pilot_id")
    assert exp.loc["P1", "fasen__vroegsignalering"] and exp.loc["P1", "fasen__curatie"]
    assert not exp.loc["P1", "fasen__nazorg"]
    assert exp.loc["P3", "doelen_geformuleerd"] == True  # noqa: E712
    assert pd.isna(exp.loc["P3", "omvang"]) and exp.loc["P1", "omvang"] == 250
    assert pd.isna(exp.loc["P4", "status"])
    resp = canonical.respondenten.set_index("respondent_id")
    assert resp.loc["R2", "gemeentecodes"] == "GM0193"
    assert resp.loc["R4", "gemeentecodes"] == "GM0010;GM0024"
    assert resp.loc["R2", "gespreksdatum"] == pd.Timestamp("2019-05-14")
    # derived from the reference: Delfzijl 24,716 + Loppersum 9,614
    assert resp.loc["R4", "inwoners"] == 24716 + 9614
    assert resp.loc["R4", "provincie"] == "Groningen"
    assert resp.loc["R4", "grootteklasse"] == "20k_50k"
    assert resp.loc["R1", "grootteklasse"] == "ge100k"


def test_personal_data_dropped_and_masked(canonical):
    assert not {"contactpersoon", "telefoon"} & set(canonical.respondenten.columns)
    text = canonical.respondenten.to_csv() + canonical.experimenten.to_csv()
    for secret in ("Jan Jansen", "Piet Pieters", "06-12345678", "020-5551234", "a.b@c.nl"):
        assert secret not in text
    assert (
        "[e-mail verwijderd]"
        in canonical.experimenten.set_index("pilot_id").loc["P6", "omschrijving"]
    )
    assert any("personal data" in w.message for w in canonical.warnings)


def test_unknown_extra_columns_are_kept(tmp_path):
    tables = mini_tables()
    tables["experimenten"]["budget_k"] = ["10", "", "5", "", "", "7"]
    ds = shv.load(write_csv_folder(tables, tmp_path / "extra"))
    assert ds.experimenten["budget_k"].tolist() == ["10", "", "5", "", "", "7"]


def test_synthetic_flag_travels_from_metadata(tmp_path):
    folder = write_csv_folder(mini_tables(), tmp_path / "syn")
    assert not shv.load(folder).synthetic
    (folder / "metadata.json").write_text('{"synthetic": true, "name": "Proef"}', "utf-8")
    ds = shv.load(folder)
    assert ds.synthetic and ds.name == "Proef" and "SYNTHETISCHE DATA" in ds.notice("nl")


def test_codes_match_whitespace_insensitively(tmp_path):
    tables = mini_tables()
    tables["experimenten"]["type"] = [
        "Vroeg signalering",
        "coaching _buddy",
        "( Jongeren ) perspectieffonds",
        "educatie tool",
        "vroegsignalering",
        "over ig",
    ]
    ds = shv.load(write_csv_folder(tables, tmp_path / "ws"))
    assert ds.experimenten["type"].tolist() == [
        "vroegsignalering",
        "coaching_buddy",
        "perspectieffonds",
        "educatietool",
        "vroegsignalering",
        "overig",
    ]
