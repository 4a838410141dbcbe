"""Personal data: contact columns dropped at load under the spellings people use; e-mail
addresses and Dutch phone numbers in free text masked before anything is written."""

from __future__ import annotations

import pandas as pd
import pytest

import shv_analysis as shv
from shv_analysis.contract.codebook import normalise_header
from shv_analysis.ingest.privacy import is_personal_header, mask_personal_text
from variants import mini_tables, write_csv_folder, write_workbook

PERSONAL = [
    "contactpersoon",
    "Naam contactpersoon",
    "E-mail",
    "e-mailadres",
    "Email",
    "Telefoon",
    "telefoonnummer",
    "Tel.",
    "tel",
    "Mobiel",
    "Mobiel nummer",
    "GSM",
    "Contactpersoon gemeente",
    "E-mail adres",
    "Telefoonnr.",
    "06-nummer",
    "Phone",
]
NOT_PERSONAL = [
    "naam",
    "respondent_id",
    "titel",
    "omschrijving",
    "provincie",
    "inwoners",
    "telling",
    "status",
    "budget",
]


@pytest.mark.parametrize("header", PERSONAL)
def test_contact_headers_are_personal(header):
    assert is_personal_header(normalise_header(header))


@pytest.mark.parametrize("header", NOT_PERSONAL)
def test_contract_and_ordinary_headers_are_not(header):
    assert not is_personal_header(normalise_header(header))


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Bel 06-12345678 voor info", "Bel [telefoonnummer verwijderd] voor info"),
        ("tel. 020 555 1234.", "tel. [telefoonnummer verwijderd]."),
        ("+31 6 1234 5678", "[telefoonnummer verwijderd]"),
        ("0031-20-5551234", "[telefoonnummer verwijderd]"),
        ("mail j.jansen@gemeente.nl!", "mail [e-mail verwijderd]!"),
        ("Ruim 1200 huishoudens in 2019", "Ruim 1200 huishoudens in 2019"),
        ("Budget 250.000 euro, postcode 8011 PK", "Budget 250.000 euro, postcode 8011 PK"),
    ],
)
def test_free_text_masking(text, expected):
    assert mask_personal_text(pd.Series([text])).iloc[0] == expected


def test_planted_personal_data_never_reaches_the_dataset(tmp_path):
    tables = mini_tables()
    resp = tables["respondenten"]
    for i, header in enumerate(PERSONAL[:8]):
        resp[header] = f"geheim{i}@example.org" if "mail" in header.lower() else f"Geheim {i}"
    tables["experimenten"].loc[0, "omschrijving"] = "Contact: 06 11 22 33 44 of p.p@x.nl"
    for path in (
        write_csv_folder(tables, tmp_path / "csv"),
        write_workbook(tables, tmp_path / "wb.xlsx"),
    ):
        ds = shv.load(path)
        dump = ds.respondenten.to_csv() + ds.experimenten.to_csv() + repr(ds.warnings)
        assert "Geheim" not in dump and "geheim" not in dump
        assert "06 11 22 33 44" not in dump and "p.p@x.nl" not in dump
