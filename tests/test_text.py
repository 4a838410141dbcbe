"""The text catalogue, language checks, column codes against display headers, one rounding."""

from __future__ import annotations

import re
import string
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import shv_analysis as shv
from shv_analysis.analysis import figures, indicators, rounding
from shv_analysis.analysis.crosstab import crosstab
from shv_analysis.analysis.formatting import fmt_number, fmt_pct
from shv_analysis.analysis.tables import frequency
from shv_analysis.present import narrative
from shv_analysis.present.export import read_table, write_table_csv
from shv_analysis.text import catalogue, normalise_lang, text
from variants import MINI

SRC = Path(shv.__file__).parent
# Modules other branches still convert; the lead empties this set after merging them.
PENDING: set[str] = set()


@pytest.fixture(scope="module")
def mini():
    return shv.load(MINI)


def test_normalise_lang():
    assert normalise_lang("EN") == "en" and normalise_lang(" nl ") == "nl"
    assert normalise_lang(None) == "nl"
    with pytest.raises(ValueError, match="allowed: nl, en"):
        normalise_lang("fr")


def test_public_functions_check_the_language(mini):
    with pytest.raises(ValueError, match="nl, en"):
        frequency(mini, "type", lang="fr")
    for call in (
        lambda: indicators.coverage(mini, "fr"),
        lambda: narrative.coverage(mini, "de"),
        lambda: fmt_number(1.5, "fr"),
        lambda: crosstab(mini, "effectmeting", "respondenttype").to_table("fr"),
    ):
        with pytest.raises(ValueError, match="nl, en"):
            call()
    upper = frequency(mini, "type", lang="EN")
    assert upper.title == frequency(mini, "type", lang="en").title == "Type of experiment"
    assert upper.headers() == ["code", "Category", "n", "Base", "%"]
    assert fmt_number(1234.5, "EN", 1) == "1,234.5" and fmt_pct(81.25, "NL") == "81,3%"


def test_no_module_repeats_the_language_normalisation():
    offenders = sorted(
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if p.name != "text.py" and '"en" if lang == "en"' in p.read_text("utf-8")
    )
    assert [o for o in offenders if o not in PENDING] == []


def test_catalogues_have_the_same_keys_and_placeholders():
    nl, en = catalogue("nl"), catalogue("en")
    assert set(nl) == set(en)

    def fields(template: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(template) if f}

    assert {k for k in nl if fields(nl[k]) != fields(en[k])} == set()
    assert text("crosstab.title", "nl", row="Type", col="fase") == "Type naar fase"
    assert text("narrative.and", "en") == " and "


def test_table_columns_are_codes_with_labels_per_language(mini):
    nl = frequency(mini, "fasen")
    en = frequency(mini, "fasen", lang="en")
    assert (
        list(nl.data.columns) == list(en.data.columns) == ["code", "category", "n", "base", "pct"]
    )
    assert nl.headers() == ["code", "Categorie", "n", "Basis", "%"]
    assert en.headers() == ["code", "Category", "n", "Base", "%"]
    assert nl.percent_columns() == ["pct"]
    html = nl._repr_html_()
    assert (
        '<th class="shv-text">Categorie</th>' in html
        and '<th class="shv-num">Basis</th>' in html
        and "category" not in html
    )
    assert '<th class="shv-text">Category</th>' in en._repr_html_()
    # 2 of 6 phases 'preventie': 33.3 (one decimal) when shown
    assert nl.formatted().loc[0, "%"] == "33.3"
    part = indicators.participation_by_type(mini, "nl")
    assert list(part.data.columns) == ["code", "category", "n", "base", "pct", "ci_low", "ci_high"]
    assert part.headers()[2:] == [
        "Met experiment",
        "Respondenten",
        "Deelname (%)",
        "95%-BI ondergrens (%)",
        "95%-BI bovengrens (%)",
    ]
    total = part.data.set_index("code").loc["totaal"]
    assert (total["n"], total["base"], total["pct"]) == (4, 5, pytest.approx(80.0))
    ct = crosstab(mini, "effectmeting", "respondenttype").to_table("en")
    assert list(ct.data.columns) == [
        "category",
        "g4_g40",
        "gemeente",
        "samenwerkingsverband",
        "totaal",
    ]
    assert ct.headers()[0] == "Category" and ct.headers()[-1] == "Total"


def test_export_writes_the_display_headers(mini, tmp_path):
    table = frequency(mini, "fasen", lang="en")
    csv_path, _ = write_table_csv(table, tmp_path / "t.csv")
    frame = pd.read_csv(csv_path)
    assert list(frame.columns) == ["code", "Category", "n", "Base", "%"]
    assert frame["n"].tolist() == [2, 3, 3, 1]
    back = read_table(csv_path)
    assert list(back.data.columns) == ["code", "Category", "n", "Base", "%"]
    assert back.percent_columns() == ["%"]


def test_one_half_up_rounding():
    assert rounding.half_up(81.25, 1) == Decimal("81.3")
    assert rounding.half_up(0.285, 2) == Decimal("0.29")
    assert rounding.round_half_up(12.5) == 13 and rounding.round_half_up(12.4999) == 12
    assert figures.round_half_up is rounding.round_half_up
    assert fmt_number(2.5, "nl") == "3" and fmt_number(-0.04, "en", 1) == "0.0"


def test_formatting_has_no_rounding_of_its_own():
    source = (SRC / "analysis" / "formatting.py").read_text("utf-8")
    assert "ROUND_HALF_UP" not in source and not re.search(r"\bDecimal\(", source)
