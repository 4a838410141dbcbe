"""The codebook: every table, field, code and label of data contract v1, in one place.

The data live in `codebook.toml` beside this module: a Frictionless-style table schema (per
table a list of fields with `name`, `type`, `constraints.required` / `constraints.enum`) with our
own `kind`, nl/en `labels`, `description`, the code lists and the coding keyword rules. This
module reads it once at import into the frozen classes below and the module constants
(`TYPE`, `FIELDS`, `CODING_RULES`, ...). Loading, validation, tables, plots, the Excel
template and the coding rules all read their names and labels from here, so a new code is
added once, in the TOML file.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CODEBOOK_FILE = Path(__file__).with_name("codebook.toml")
KINDS = ("text", "single", "multi", "list", "date", "integer", "yesno")
# Frictionless Table Schema `type` of each kind; a field's `type` must agree with its `kind`.
TYPE_OF_KIND = {
    "text": "string",
    "single": "string",
    "multi": "array",
    "list": "array",
    "date": "date",
    "integer": "integer",
    "yesno": "boolean",
}
CODED_KINDS = ("single", "multi", "yesno")


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
    description: str = field(default="", compare=False, repr=False)  # what it means, English
    ordered: bool = field(default=False, compare=False)  # codes in a natural order

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


@dataclass(frozen=True)
class CodingRule:
    """Keywords in titel/omschrijving that point to one code of one experiments field.

    Keyword syntax and how rules combine: see the comment above `[[coding.rules]]` in
    `codebook.toml`.
    """

    field: str
    code: str
    keywords: tuple[str, ...]
    strong: bool = False


# ---- reading codebook.toml ----------------------------------------------------------------


def codebook_problems(raw: dict[str, Any]) -> list[str]:
    """What is inconsistent in a parsed codebook (empty list: nothing).

    Checks that every field has a known `kind` whose Frictionless `type` matches, that coded
    fields name an existing code list and `constraints.enum` lists exactly its codes, that
    uncoded fields have neither, that field names are unique per table and that every coding
    rule points to a code of a coding field.
    """
    problems: list[str] = []
    codelists = raw.get("codelists", {})
    for name, codelist in codelists.items():
        codes = [c["code"] for c in codelist["codes"]]
        if len(set(codes)) != len(codes):
            problems.append(f"code list {name!r}: duplicate codes")
    coded: dict[str, list[str]] = {}
    for table in raw["tables"]:
        seen: set[str] = set()
        for key in ("fields", "derived_fields"):
            for f in table.get(key, []):
                where = f"{table['name']}.{f['name']}"
                if f["name"] in seen:
                    problems.append(f"{where}: field defined twice")
                seen.add(f["name"])
                kind = f.get("kind")
                if kind not in KINDS:
                    problems.append(f"{where}: unknown kind {kind!r}; allowed: {', '.join(KINDS)}")
                elif f.get("type") != TYPE_OF_KIND[kind]:
                    problems.append(
                        f"{where}: type {f.get('type')!r} does not fit kind {kind!r} "
                        f"(expected {TYPE_OF_KIND[kind]!r})"
                    )
                constraints = f.get("constraints", {})
                if not isinstance(constraints.get("required"), bool):
                    problems.append(f"{where}: constraints.required must be true or false")
                listed = f.get("codelist")
                if kind in CODED_KINDS:
                    if listed not in codelists:
                        problems.append(f"{where}: unknown code list {listed!r}")
                        continue
                    codes = [c["code"] for c in codelists[listed]["codes"]]
                    if constraints.get("enum") != codes:
                        problems.append(
                            f"{where}: constraints.enum {constraints.get('enum')!r} "
                            f"differs from the codes of code list {listed!r} {codes!r}"
                        )
                    if table["name"] == raw["coding"]["table"]:
                        coded[f["name"]] = codes
                elif listed is not None or "enum" in constraints:
                    problems.append(f"{where}: a {kind} field has no codes")
    for i, rule in enumerate(raw["coding"]["rules"], start=1):
        if rule["field"] not in raw["coding"]["fields"]:
            problems.append(f"coding rule {i}: {rule['field']!r} is not a coding field")
        elif rule["code"] not in coded.get(rule["field"], []):
            problems.append(f"coding rule {i}: unknown code {rule['code']!r} of {rule['field']!r}")
        if not rule["keywords"]:
            problems.append(f"coding rule {i}: no keywords")
    return problems


def read_codebook(path: Path | str = CODEBOOK_FILE) -> dict[str, Any]:
    """The parsed codebook TOML file, checked for consistency.

    Raises:
        ValueError: listing every problem `codebook_problems` finds.
    """
    with open(path, "rb") as handle:
        raw = tomllib.load(handle)
    problems = codebook_problems(raw)
    if problems:
        raise ValueError(f"{path}: inconsistent codebook:\n  " + "\n  ".join(problems))
    return raw


def _code(entry: dict[str, Any]) -> Code:
    return Code(entry["code"], entry["label"]["nl"], entry["label"]["en"])


def _field(table: str, entry: dict[str, Any], codelists: dict[str, tuple[Code, ...]]) -> Field:
    codes = codelists[entry["codelist"]] if "codelist" in entry else ()
    return Field(
        entry["name"],
        table,
        entry["kind"],
        entry["constraints"]["required"],
        entry["labels"]["nl"],
        entry["labels"]["en"],
        codes,
        entry["description"],
        bool(_ORDERED.get(entry.get("codelist"), False)),
    )


def _table_fields(
    raw: dict[str, Any], key: str, codelists: dict[str, tuple[Code, ...]]
) -> tuple[Field, ...]:
    return tuple(_field(t["name"], f, codelists) for t in raw["tables"] for f in t.get(key, []))


_RAW = read_codebook()
_ORDERED = {name: bool(cl.get("ordered", False)) for name, cl in _RAW["codelists"].items()}
_CONTRACT, _VALUES = _RAW["contract"], _RAW["values"]

LANGS = tuple(_CONTRACT["langs"])
N_MUNICIPALITIES_2019 = _CONTRACT["n_municipalities"]  # CBS municipal division of 1-1-2019
SIGNAL_PARTNERS = tuple(_CONTRACT["signal_partners"])
CONTRACT_TITLE = _CONTRACT["title"]

CODELISTS: dict[str, tuple[Code, ...]] = {
    name: tuple(_code(c) for c in codelist["codes"]) for name, codelist in _RAW["codelists"].items()
}
RESPONDENTTYPE = CODELISTS["respondenttype"]
TYPE = CODELISTS["type"]
FASEN = CODELISTS["fasen"]
DOELGROEPEN = CODELISTS["doelgroepen"]
PARTNERS = CODELISTS["partners"]
AANLEIDINGEN = CODELISTS["aanleidingen"]
VERWACHTE_EFFECTEN = CODELISTS["verwachte_effecten"]
EFFECTMETING = CODELISTS["effectmeting"]
OVERDRAAGBAAR = CODELISTS["overdraagbaar"]
STATUS = CODELISTS["status"]
YESNO = CODELISTS["yesno"]
# Derived respondent facts (not typed by users): population class and province.
GROOTTEKLASSE = CODELISTS["grootteklasse"]
GROOTTEKLASSE_BOUNDS = tuple(_CONTRACT["grootteklasse_bounds"])  # lower bounds, upper 3 classes
MULTIPLE_PROVINCES = _CONTRACT["multiple_provinces"]
UNKNOWN = (
    _CONTRACT["unknown"]["code"],
    _CONTRACT["unknown"]["label"]["nl"],
    _CONTRACT["unknown"]["label"]["en"],
)
MISSING_LABEL = (_CONTRACT["missing_label"]["nl"], _CONTRACT["missing_label"]["en"])

TABLE_NAMES = tuple(t["name"] for t in _RAW["tables"])
RESPONDENTEN, EXPERIMENTEN = TABLE_NAMES
TABLE_LABELS = {t["name"]: (t["labels"]["nl"], t["labels"]["en"]) for t in _RAW["tables"]}
TABLE_DESCRIPTIONS = {t["name"]: t["description"] for t in _RAW["tables"]}

FIELDS: tuple[Field, ...] = _table_fields(_RAW, "fields", CODELISTS)
# Fields computed from the data, usable in tables and cross-tabs like contract fields.
DERIVED_FIELDS: tuple[Field, ...] = _table_fields(_RAW, "derived_fields", CODELISTS)

# Contact columns are personal data: dropped at load, never copied anywhere.
PERSONAL_COLUMNS = frozenset(_RAW["personal"]["columns"])

YES_WORDS = frozenset(_VALUES["yes_words"])
NO_WORDS = frozenset(_VALUES["no_words"])
MULTI_SEPARATORS = _VALUES["multi_separators"]

# Coding rules: keywords that suggest a code for a pilot from its titel/omschrijving, used by
# `shv_analysis.coding` (suggestions) and `shv code` (the coding worksheet).
CODING_FIELDS = tuple(_RAW["coding"]["fields"])
NO_CODE = _RAW["coding"]["no_code"]  # worksheet/decisions value: optional multi field, no code
CODING_RULES: tuple[CodingRule, ...] = tuple(
    CodingRule(r["field"], r["code"], tuple(r["keywords"]), r.get("strong", False))
    for r in _RAW["coding"]["rules"]
)

_ZERO_WIDTH = dict.fromkeys(
    map(ord, "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e"), None
)


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
_SPACE_RE2 = "[\t\n\x0b\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+"


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
        arr = pa.array(
            values.map(lambda v: "" if v is None else str(v)).to_numpy(dtype=object),
            type=pa.large_string(),
            from_pandas=True,
        )
    arr = pc.fill_null(arr, "")
    out = arr.to_numpy(zero_copy_only=False)
    dirty = pc.match_substring_regex(arr, r"[^\x20-\x7e]|  |^ | $").to_numpy(zero_copy_only=False)
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
    value = "".join(
        ch for ch in unicodedata.normalize("NFKD", value) if not unicodedata.combining(ch)
    )
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
        for f in FIELDS
        for c in f.codes
    ]
    return pd.DataFrame(rows)
