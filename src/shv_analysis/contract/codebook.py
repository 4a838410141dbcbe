"""The codebook: every table, field, code and label of data contract v1, in one place.

Loading, validation, tables, plots, the Excel template and the coding rules all read
their names and labels from here, so a new code is added once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable

LANGS = ("nl", "en")
N_MUNICIPALITIES_2019 = 355  # CBS municipal division of 1-1-2019
SIGNAL_PARTNERS = ("woningcorporatie", "zorgverzekeraar", "nutsbedrijf")


@dataclass(frozen=True)
class Code:
    """One allowed value of a coded field, with its Dutch and English label."""

    code: str
    nl: str
    en: str

    def label(self, lang: str = "nl") -> str:
        return self.en if lang == "en" else self.nl


@dataclass(frozen=True)
class Field:
    """One column of the data contract."""

    name: str
    table: str
    kind: str  # text | single | multi | list | date | integer | yesno
    required: bool
    nl: str
    en: str
    codes: tuple[Code, ...] = field(default=())

    def label(self, lang: str = "nl") -> str:
        return self.en if lang == "en" else self.nl

    @property
    def code_list(self) -> list[str]:
        return [c.code for c in self.codes]

    def code_label(self, code: str, lang: str = "nl") -> str:
        for c in self.codes:
            if c.code == code:
                return c.label(lang)
        raise KeyError(f"{self.name}: unknown code {code!r}")


def _codes(*rows: tuple[str, str, str]) -> tuple[Code, ...]:
    return tuple(Code(*r) for r in rows)


RESPONDENTTYPE = _codes(
    ("g4_g40", "G4/G40-gemeente", "G4/G40 municipality"),
    ("gemeente", "Overige individuele gemeente", "Other individual municipality"),
    ("samenwerkingsverband", "Samenwerkingsverband", "Inter-municipal cooperation"),
)
TYPE = _codes(
    ("vroegsignalering", "Vroegsignalering", "Early detection"),
    ("coaching_buddy", "Coachings- of buddytraject", "Coaching or buddy programme"),
    ("nieuwe_benadering", "Nieuwe manier van benaderen doelgroep",
     "New way of approaching the target group"),
    ("perspectieffonds", "(Jongeren)perspectieffonds", "(Youth) perspective fund"),
    ("educatietool", "Educatietool", "Education tool"),
    ("digitaal_product", "Digitaal product", "Digital product"),
    ("overig", "Overig", "Other"),
)
FASEN = _codes(
    ("preventie", "(Primaire) preventie", "(Primary) prevention"),
    ("vroegsignalering", "Vroegsignalering", "Early detection"),
    ("curatie", "Curatie", "Curative support"),
    ("nazorg", "Nazorg", "Aftercare"),
)
DOELGROEPEN = _codes(
    ("jongeren", "Jongeren", "Young people"),
    ("ouderen", "Ouderen", "Older people"),
    ("zelfstandig_ondernemers", "Zelfstandig ondernemers", "Self-employed"),
    ("overig", "Andere specifieke doelgroep", "Other specific group"),
)
PARTNERS = _codes(
    ("sociaal_werk", "Sociaal werk", "Social work"),
    ("woningcorporatie", "Woningcorporatie", "Housing association"),
    ("zorgverzekeraar", "Zorgverzekeraar", "Health insurer"),
    ("nutsbedrijf", "Nutsbedrijf", "Utility company"),
    ("bedrijfsleven", "Bedrijfsleven", "Business"),
    ("overig", "Overige partij", "Other party"),
)
AANLEIDINGEN = _codes(
    ("eerder_in_beeld", "Doelgroep eerder in beeld krijgen", "Reach the target group earlier"),
    ("laagdrempelig_contact", "Laagdrempelig contact met de doelgroep",
     "Low-threshold contact with the target group"),
    ("effectiever_werken", "(Kosten)effectiever werken en dienstverlening verbeteren",
     "Work more (cost-)effectively, improve services"),
    ("preventie", "Preventie van schulden", "Prevention of debts"),
    ("succesverhalen", "Succesverhalen vanuit andere gemeente(n)",
     "Success stories from other municipalities"),
)
VERWACHTE_EFFECTEN = _codes(
    ("reductie_schulden", "Reductie van schuldenproblematiek", "Fewer debt problems"),
    ("eerder_zichtbaar", "Eerder zichtbaar worden van doelgroepen met een risico op schulden",
     "Groups at risk become visible earlier"),
    ("gedragsverandering", "Gedragsverandering van mensen met schulden",
     "Behavioural change of people with debts"),
    ("efficienter", "Goedkopere en/of efficiëntere schuldhulpverlening",
     "Cheaper or more efficient debt assistance"),
    ("samenwerking", "Betere samenwerking partijen in het werkveld",
     "Better cooperation in the field"),
    ("minder_recidive", "Verminderde kans op recidive", "Lower chance of relapse"),
    ("voorkomen_problemen", "Voorkomen financiële problemen", "Financial problems prevented"),
    ("vakmanschap", "Vergroten vakmanschap van hulpverleners", "More skilled professionals"),
)
EFFECTMETING = _codes(
    ("ja", "Structurele effectiviteitsmeting voorzien",
     "Structural effectiveness measurement planned"),
    ("nee", "Geen concrete plannen", "No concrete plans"),
    ("onbekend", "Weet niet", "Don't know"),
)
OVERDRAAGBAAR = _codes(
    ("ja", "Overdraagbaar of opschaalbaar", "Transferable or scalable"),
    ("nee", "Niet overdraagbaar", "Not transferable"),
    ("onbekend", "Weet niet", "Don't know"),
)
STATUS = _codes(
    ("lopend", "Lopend", "Ongoing"),
    ("afgerond", "Afgerond", "Completed"),
)
YESNO = _codes(("ja", "Ja", "Yes"), ("nee", "Nee", "No"))

# Derived respondent facts (not typed by users): population class and province.
GROOTTEKLASSE = _codes(
    ("lt20k", "Minder dan 20.000 inwoners", "Under 20,000 inhabitants"),
    ("20k_50k", "20.000 tot 50.000 inwoners", "20,000 to 50,000 inhabitants"),
    ("50k_100k", "50.000 tot 100.000 inwoners", "50,000 to 100,000 inhabitants"),
    ("ge100k", "100.000 inwoners of meer", "100,000 inhabitants or more"),
)
GROOTTEKLASSE_BOUNDS = (20_000, 50_000, 100_000)  # lower bounds of the upper three classes
MULTIPLE_PROVINCES = "meerdere"
UNKNOWN = ("onbekend", "Onbekend", "Unknown")
MISSING_LABEL = ("(ontbreekt)", "(missing)")

RESPONDENTEN = "respondenten"
EXPERIMENTEN = "experimenten"
TABLE_NAMES = (RESPONDENTEN, EXPERIMENTEN)
TABLE_LABELS = {
    RESPONDENTEN: ("Respondenten", "Respondents"),
    EXPERIMENTEN: ("Experimenten en pilots", "Experiments and pilots"),
}

_R, _E = RESPONDENTEN, EXPERIMENTEN
FIELDS: tuple[Field, ...] = (
    Field("respondent_id", _R, "text", True, "Respondent-id", "Respondent id"),
    Field("naam", _R, "text", False, "Naam organisatie", "Organisation"),
    Field("respondenttype", _R, "single", True, "Type respondent", "Respondent type",
          RESPONDENTTYPE),
    Field("gemeentecodes", _R, "list", True, "Gemeenten", "Municipalities"),
    Field("gespreksdatum", _R, "date", False, "Gespreksdatum", "Interview date"),
    Field("provincie", _R, "text", False, "Provincie", "Province"),
    Field("inwoners", _R, "integer", False, "Inwoners", "Inhabitants"),
    Field("pilot_id", _E, "text", True, "Pilot-id", "Pilot id"),
    Field("respondent_id", _E, "text", True, "Respondent-id", "Respondent id"),
    Field("titel", _E, "text", False, "Titel", "Title"),
    Field("omschrijving", _E, "text", False, "Omschrijving", "Description"),
    Field("type", _E, "single", True, "Type experiment", "Type of experiment", TYPE),
    Field("fasen", _E, "multi", True, "Fasen van schuldhulpverlening",
          "Phases of debt assistance", FASEN),
    Field("doelgroepen", _E, "multi", False, "Specifieke doelgroepen",
          "Specific target groups", DOELGROEPEN),
    Field("partners", _E, "multi", False, "Betrokken partijen", "Parties involved", PARTNERS),
    Field("aanleidingen", _E, "multi", False, "Aanleidingen", "Reasons for starting",
          AANLEIDINGEN),
    Field("verwachte_effecten", _E, "multi", False, "(Verwachte) effecten",
          "(Expected) effects", VERWACHTE_EFFECTEN),
    Field("effectmeting", _E, "single", True, "Effectiviteitsmeting",
          "Effectiveness measurement", EFFECTMETING),
    Field("doelen_geformuleerd", _E, "yesno", True, "Vooraf doelen geformuleerd",
          "Goals set beforehand", YESNO),
    Field("overdraagbaar", _E, "single", True, "Overdraagbaar", "Transferable", OVERDRAAGBAAR),
    Field("status", _E, "single", False, "Status", "Status", STATUS),
    Field("omvang", _E, "integer", False, "Omvang (personen)", "Size (people)"),
)
# Fields computed from the data, usable in tables and cross-tabs like contract fields.
DERIVED_FIELDS: tuple[Field, ...] = (
    Field("grootteklasse", _R, "single", False, "Inwonersaantal", "Population class",
          GROOTTEKLASSE),
    Field("signaalpartner", _E, "yesno", False, "Signaalpartner betrokken",
          "Signal partner involved", YESNO),
    Field("deelname", _R, "yesno", False, "Onderneemt een experiment",
          "Undertakes an experiment", YESNO),
)

# Contact columns are personal data: dropped at load, never copied anywhere.
PERSONAL_COLUMNS = frozenset({
    "contactpersoon", "naam_contactpersoon", "contact", "contactpersonen", "contact_persoon",
    "telefoon", "telefoonnummer", "tel", "tel.", "telnr", "tel_nr", "tel.nr.", "mobiel",
    "mobiel_nummer", "mobielnummer", "06", "phone", "telephone", "email", "e_mail",
    "e_mailadres", "emailadres", "mail", "mailadres", "e_mail_adres", "email_address",
    "contact_person", "contactgegevens",
})

YES_WORDS = frozenset({"ja", "j", "yes", "y", "1", "true", "waar", "x"})
NO_WORDS = frozenset({"nee", "n", "no", "0", "false", "onwaar"})
MULTI_SEPARATORS = r"[;,|\r\n]+"

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e"), None)


def fields(table: str) -> list[Field]:
    """The contract's fields of one table, in contract order."""
    return [f for f in FIELDS if f.table == table]


def get_field(table: str, name: str) -> Field:
    for f in FIELDS + DERIVED_FIELDS:
        if f.table == table and f.name == name:
            return f
    raise KeyError(f"no field {name!r} in table {table!r}")


def pilot_field(name: str) -> Field:
    """A field of the experiments table (the usual subject of a table or chart)."""
    return get_field(EXPERIMENTEN, name)


def any_field(name: str) -> Field:
    """A field by name, experiments first, then respondents."""
    for table in (EXPERIMENTEN, RESPONDENTEN):
        try:
            return get_field(table, name)
        except KeyError:
            continue
    raise KeyError(f"no field {name!r} in the codebook")


def multi_column(field_name: str, code: str) -> str:
    """Column name of one option of a multi field: `<field>__<code>`."""
    return f"{field_name}__{code}"


def multi_columns(field_name: str) -> list[str]:
    return [multi_column(field_name, c) for c in pilot_field(field_name).code_list]


def clean_text(value: str) -> str:
    """Unicode-normalise and strip invisible characters and surrounding blanks."""
    value = unicodedata.normalize("NFKC", value).translate(_ZERO_WIDTH)
    return re.sub(r"\s+", " ", value).strip()


_INVISIBLE_RE2 = "[\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a-\u202e]"
_SPACE_RE2 = ("[\t\n\x0b\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f"
              "\u205f\u3000]+")


def clean_text_series(values):
    """`clean_text` over a pandas Series of text, vectorised with pyarrow (no Python loop).

    One fast regular-expression pass finds the cells that need work (non-ASCII, control
    characters, doubled or surrounding spaces); only those are normalised.
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(values.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # non-text cells: stringify them first
        arr = pa.array(values.map(lambda v: "" if v is None else str(v)).to_numpy(dtype=object),
                       type=pa.large_string(), from_pandas=True)
    arr = pc.fill_null(arr, "")
    out = arr.to_numpy(zero_copy_only=False)
    dirty = pc.match_substring_regex(arr, r"[^\x20-\x7e]|  |^ | $").to_numpy(
        zero_copy_only=False)
    if dirty.any():
        sub = pc.utf8_normalize(pc.filter(arr, pa.array(dirty)), "NFKC")
        sub = pc.replace_substring_regex(sub, _INVISIBLE_RE2, "")
        sub = pc.replace_substring_regex(sub, _SPACE_RE2, " ")
        out = out.copy()
        out[np.flatnonzero(dirty)] = pc.utf8_trim(sub, " ").to_numpy(zero_copy_only=False)
    return pd.Series(out, index=values.index, dtype=object)


def normalise(value: str) -> str:
    """Key for matching codes and labels: case, accents and white space ignored."""
    value = clean_text(value).casefold()
    value = "".join(ch for ch in unicodedata.normalize("NFKD", value)
                    if not unicodedata.combining(ch))
    return value


def normalise_header(header: str) -> str:
    """Header key: case-insensitive, spaces and hyphens become `_`."""
    key = clean_text(str(header)).lower()
    return re.sub(r"[ \-]", "_", key)


class CodeLookup(dict):
    """Normalised spelling -> code, also matching with all white space removed.

    The contract accepts codes and labels "whitespace-insensitively": "Vroeg signalering" and
    "coaching _buddy" find their code too.
    """

    def __init__(self, pairs):
        super().__init__(pairs)
        self._compact = {k.replace(" ", ""): v for k, v in self.items()}

    def get(self, key, default=None):
        if dict.__contains__(self, key):
            return dict.__getitem__(self, key)
        return self._compact.get(str(key).replace(" ", ""), default)

    def __contains__(self, key) -> bool:
        return self.get(key) is not None

    def __getitem__(self, key):
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value


def lookup(f: Field) -> CodeLookup:
    """Every accepted spelling (code, Dutch or English label, normalised) -> code."""
    return CodeLookup((normalise(form), c.code) for c in f.codes for form in (c.code, c.nl, c.en))


def allowed_text(f: Field) -> str:
    """What a user may write in a coded field, for error messages."""
    if f.kind == "yesno":
        return "yes/no: " + " ".join(sorted(YES_WORDS | NO_WORDS))
    return ", ".join(c.code for c in f.codes) + " (or their Dutch/English labels)"


def labels(field_name: str, lang: str = "nl", table: str | None = None) -> dict[str, str]:
    """Code -> label for one field in one language."""
    f = get_field(table, field_name) if table else any_field(field_name)
    return {c.code: c.label(lang) for c in f.codes}


def codebook_frame(lang_order: Iterable[str] = LANGS):
    """The codebook as a flat table (table, field, code, nl, en), e.g. for a workbook sheet."""
    import pandas as pd

    rows = [
        {"tabel": f.table, "veld": f.name, "code": c.code, "label_nl": c.nl, "label_en": c.en}
        for f in FIELDS for c in f.codes
    ]
    return pd.DataFrame(rows)


# =====================================================================================
# Coding rules: keywords that suggest a code for a pilot from its titel/omschrijving.
#
# Used by `shv_analysis.coding` (suggestions) and `shv code` (the coding worksheet).
# A rule is data: add a keyword here, not in the matching code.
#
# Keyword syntax (matched against titel + omschrijving, case- and accent-insensitive):
#   - whole words only: "app" matches "app" and "App", not "apparaat" or "whatsapp";
#   - `*` at the end or start allows more letters there: "woningcorporatie*" matches
#     "woningcorporaties", "*spel" matches "geldspel" and "spel" (not "spelen");
#   - a space or hyphen inside a keyword matches a space, a hyphen or nothing:
#     "peer educat*" matches "peer-educators" and "peereducatie";
#   - a keyword ending in a sign ("18-") needs no word end after it ("18-jarigen").
# `strong` marks a named approach from the report (Vroeg Eropaf, Mobility Mentoring, ...).
# For a single-choice field a strong rule wins over ordinary keywords of another code;
# ordinary keywords of two codes (or strong rules of two codes) make the pilot "ambiguous".
# For multi fields every matching code is suggested.
# =====================================================================================

CODING_FIELDS = ("type", "fasen", "partners", "doelgroepen")
NO_CODE = "geen"  # worksheet/decisions value for an optional multi field: deliberately none


@dataclass(frozen=True)
class CodingRule:
    """Keywords in titel/omschrijving that point to one code of one experiments field."""

    field: str
    code: str
    keywords: tuple[str, ...]
    strong: bool = False


def _rule(field_name: str, code: str, *keywords: str, strong: bool = False) -> CodingRule:
    return CodingRule(field_name, code, tuple(keywords), strong)


CODING_RULES: tuple[CodingRule, ...] = (
    # ---- type (single choice) -------------------------------------------------------
    _rule("type", "vroegsignalering", "vroeg eropaf", "eropaf", "vindplaats schulden",
          strong=True),
    _rule("type", "vroegsignalering", "vroegsignalering*", "vroeg signaleren", "vroeg gesignaleerd",
          "signaalpartner*", "signaalteam*", "signaal", "signalen", "betalingsachterstand*",
          "huurachterstand*", "energieachterstand*", "premieachterstand*", "convenant*"),
    # The report describes Mobility Mentoring and stress-sensitive services as a new way of
    # approaching the target group (type 'nieuwe_benadering'), not as coaching.
    _rule("type", "nieuwe_benadering", "mobility mentoring", "stress sensitie*",
          "stresssensitie*", strong=True),
    _rule("type", "nieuwe_benadering", "inloopspreekuur*", "inloopuur*", "inloopuren",
          "vast aanspreekpunt", "een aanspreekpunt", "op locatie", "buurthui*", "koffiemiddag*",
          "keukentafel*", "nieuwe benadering", "anders benaderen", "nieuwe manier van benaderen"),
    _rule("type", "coaching_buddy", "schuldhulpmaatje*", "thuisadministratie", strong=True),
    _rule("type", "coaching_buddy", "coach", "coaches", "coaching", "*coaching", "budgetcoach*",
          "gezinscoach*", "jongerencoach*", "geldcoach*", "schuldhulpcoach*", "thuiscoach*",
          "financiele coach*", "buddy*", "buddies", "schuldenbuddy*", "maatje*", "*maatje", "*maatjes",
          "vrijwillig*",
          "ervaringsdeskundig*", "mentor", "mentoren"),
    _rule("type", "perspectieffonds", "*perspectieffonds*", "perspectief fonds*",
          "schulden opkopen", "opkopen van schulden", "schulden overnemen",
          "overname van schulden", strong=True),
    _rule("type", "perspectieffonds", "*fonds", "*fondsen", "opkopen", "kwijtschelding*",
          "kwijtgescholden", "schuldenvrije start"),
    _rule("type", "educatietool", "gastles*", "peer educat*", strong=True),
    _rule("type", "educatietool", "geldles*", "workshop*", "*spel", "*spellen", "spelletje*",
          "game*", "serious game*", "*cursus", "*cursussen", "lespakket*", "lesprogramma*",
          "educatie*"),
    _rule("type", "digitaal_product", "digitaal huishoudboekje*", "digitale huishoudboekje*",
          strong=True),
    _rule("type", "digitaal_product", "app", "apps", "geldapp*", "budgetapp*", "applicatie*",
          "huishoudboekje*", "website*", "online", "digitaal", "digitale", "chatbot*",
          "portaal"),
    _rule("type", "overig", "energiecoach*", "vlog*", "zelf schuldeisers bellen",
          "schuldeisers bellen", strong=True),
    # ---- fasen (multi) ---------------------------------------------------------------
    _rule("fasen", "preventie", "preventie*", "preventief", "voorlichting*", "gastles*",
          "geldles*", "peer educat*", "*cursus", "workshop*", "educatie*", "bewustwording",
          "voorkomen van schulden", "schulden voorkomen", "financiele vaardigheden",
          "*spel", "*spellen"),
    _rule("fasen", "vroegsignalering", "vroegsignalering*", "vroeg signaleren", "vroeg eropaf",
          "eropaf", "vindplaats schulden", "signaalpartner*", "signaal", "signalen",
          "signaalteam*",
          "*achterstand", "*achterstanden"),
    _rule("fasen", "curatie", "schuldregeling*", "schuldsanering*", "sanering*", "saneert",
          "saneren", "budgetbeheer", "beschermingsbewind*", "bewindvoering*", "aflossen",
          "aflossing*", "opkopen", "kwijtschelding*", "*perspectieffonds*", "schuldhulptraject*",
          "schuldbemiddeling", "minnelijk*"),
    _rule("fasen", "nazorg", "nazorg", "na afloop", "na het schuldentraject", "terugval",
          "recidive", "huishoudboekje*", "in beeld houden", "in beeld gehouden",
          "in contact blijven", "in beeld na"),
    # ---- partners (multi) ------------------------------------------------------------
    _rule("partners", "sociaal_werk", "sociaal werk*", "maatschappelijk werk*", "wijkteam*",
          "sociaal team*", "sociale team*", "buurtteam*", "welzijn*", "sociale wijkteam*",
          "wijkcentrum*"),
    _rule("partners", "woningcorporatie", "woningcorporatie*", "woningcooperatie*",
          "woningbouwvereniging*", "corporatie*", "woonstichting*", "verhuurder*"),
    _rule("partners", "zorgverzekeraar", "zorgverzekeraar*", "verzekeraar*"),
    _rule("partners", "nutsbedrijf", "nutsbedrij*", "energieleverancier*", "energiebedrij*",
          "energiemaatschappij*", "waterbedrij*", "drinkwaterbedrij*", "waterleidingbedrij*",
          "netbeheerder*"),
    _rule("partners", "bedrijfsleven", "bedrijfsleven", "werkgever*", "ondernemersvereniging*",
          "banken", "bank", "supermarkt*", "lokale bedrijven"),
    _rule("partners", "overig", "ggd", "huisarts*", "gezondheidscentrum*", "bibliothe*", "uwv",
          "cjib", "belastingdienst", "humanitas", "leger des heils", "voedselbank*",
          "kerk*", "scholen", "school", "mbo*", "hogeschool*", "kredietbank*",
          "deurwaarder*", "incassobureau*", "schuldhulpmaatje*", "zorgaanbieder*"),
    # ---- doelgroepen (multi) ---------------------------------------------------------
    _rule("doelgroepen", "jongeren", "jongere*", "jongvolwassen*", "18-", "18 jarig*",
          "18e verjaardag", "student*", "scholier*", "mbo*", "tot 27 jaar", "jeugd*"),
    _rule("doelgroepen", "ouderen", "oudere*", "senior*", "gepensioneerd*", "aow*", "65 plus*",
          "65+"),
    _rule("doelgroepen", "zelfstandig_ondernemers", "zzp*", "ondernemer*", "zelfstandigen",
          "zelfstandig ondernemer*", "zelfstandige ondernemer*", "eenmanszaak*", "bbz",
          "kleine zelfstandige*"),
    _rule("doelgroepen", "overig", "statushouder*", "vluchteling*", "nieuwkomer*",
          "laaggeletterd*", "alleenstaande ouder*", "ex gedetineerd*", "gedetineerd*",
          "dakloz*", "thuisloz*", "licht verstandelijk*", "lvb", "werkende armen",
          "mantelzorger*", "arbeidsmigrant*"),
)
