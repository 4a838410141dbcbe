"""`docs/data_contract.md`, generated from the codebook.

The prose of the contract (where a dataset lives, headers, values, bad input, figures) is
template text here; every field, kind, required flag, label, code, yes/no word, personal-data
header and coding keyword comes from `codebook.toml` through `shv_analysis.contract.codebook`.
Write the document with::

    python -m shv_analysis.contract.docs > docs/data_contract.md

A test fails when the committed file differs from `contract_markdown()`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from string import Template
from typing import Any

from shv_analysis.contract import codebook as cb
from shv_analysis.contract.extension import EXTENSION_COLUMNS, OPTIONAL_COLUMNS, SOORTEN, VERPLICHT

KIND_TEXT = {"yesno": "yes/no"}  # how a kind is written in the document, when not its name

_TEMPLATE = Template("""\
<!-- Generated from src/shv_analysis/contract/codebook.toml by
     `python -m shv_analysis.contract.docs > docs/data_contract.md`; do not edit by hand. -->

# $title

The inventory behind the report in `../seeds/` has two linked tables. This is the
form in which researchers hand their data to the package. The package must accept
every variant listed here, reject everything else with a clear message, and lose
nothing on the way.

## Where a dataset lives

A dataset is one of:
- an Excel workbook (`.xlsx`) with the sheets $sheets
  (sheet names case-insensitive; other sheets are ignored);
- a folder holding $files, where `<ext>` is
  `csv`, `xlsx` or `parquet` (the two may differ).

CSV files may be UTF-8 (with or without BOM) or Windows-1252, with `,` or `;` as
delimiter (Dutch Excel writes `;` and Windows-1252). The first row is the header.

## Headers

Matched case-insensitively, ignoring surrounding spaces and treating spaces and
hyphens as `_` ("Respondent ID" = `respondent_id`). Columns not in this contract are
kept and passed through untouched, except personal data (below).

$tables
Personal data is recognised in either table by these headers (after the matching above)
and by similar ones naming a contact person, phone number or e-mail address; such
columns are dropped at load: $personal.

## Values

A coded value may be written as its code, its Dutch label or its English label,
case-, accent- and whitespace-insensitively. A multi field is either one cell with
values separated by `;`, `,`, `|` or line breaks, or one column per option named
`<field>__<code>` (e.g. `fasen__nazorg`) holding a yes/no value. Yes/no values:
$yes_no (`x` = yes, empty = no in one-column-per-option form). An empty required
single field is missing, never silently a category.

$codes
## Derived fields

Derived: a respondent "undertakes an experiment" when it has at least one row in
`$experimenten`; `signaalpartner` = any of $signal_partners; the coverage of the inventory
is the number of distinct municipalities over all respondents' `gemeentecodes`, against
the $n_municipalities municipalities of 1-1-2019. The upper three population classes
(`grootteklasse`) start at $bounds inhabitants.

$derived
$derived_codes
## Coding keywords

When a pilot's $coding_fields is empty but its `titel`/`omschrijving` is not,
`shv code` suggests codes from these keywords (see `intake.md`). Keywords are matched
against titel + omschrijving, case- and accent-insensitively, as whole words; `*` at the
start or end allows more letters there; a space or hyphen inside a keyword matches a
space, a hyphen or nothing; a keyword ending in a sign (`18-`) needs no word end after
it. A strong rule (a named approach from the report) wins over ordinary keywords of
another code of a single-choice field; ordinary keywords of two codes, or strong rules
of two codes, make the pilot "ambiguous". For multi fields every matching code is
suggested.

$rules
## A dataset's own questions: the codebook extension

A later inventory may ask more than the questionnaire above. A dataset may then bring a
codebook extension: a workbook sheet `codeboek` or, in a folder, a file `codeboek.csv`,
with the columns $ext_columns and optionally $ext_optional:

| column | meaning |
|---|---|
| `veld` | a known coded field (single or multi, above) to add a code to, or the name of a new field |
| `code` | the code: lower-case letters, digits and single `_` |
| `label_nl`, `label_en` | its Dutch and English label (`label_en` empty: the Dutch label) |
| `soort` | for a new field: $soorten |
| `tabel` | for a new field: $tabellen |
| `verplicht` | for a new field: $verplicht (empty: `nee`) |

For example:

| veld | code | label_nl | label_en | soort | tabel | verplicht |
|---|---|---|---|---|---|---|
| type | energiecoach | Energiecoach | Energy coach | | | |
| kanalen | sociale_media | Sociale media | Social media | multi | experimenten | nee |
| kanalen | huisbezoek | Huisbezoek | Home visit | | | |
| kanalen | brief | Brief | Letter | | | |

The first row adds a code to `type`; the others define a new multi field `kanalen` (its
rows must agree on `soort` and `tabel`, which one row may give for all). The data then use
the new codes like any other: `sociale_media;brief` in one cell, or option columns such as
`kanalen__brief`. Validation, frequency tables, cross-tabs (`shv crosstab kanalen
respondenttype`), charts, the missing values of section 00 and the tables of section 02
follow the extension; `shv template OUT.xlsx --codeboek codeboek.csv` writes an intake
workbook with the extension's codes in its drop-down lists and its new fields as columns.
A row repeating a code exactly as the codebook has it (a template's own `codeboek` sheet)
adds nothing.

Errors, each naming file, sheet and row: a duplicate code (twice in the extension, or a
code the codebook already has, with other labels); a code or label that collides with the
code or a label of another code of the same field; an unknown `soort`, `tabel` or
`verplicht`; a code for a field that takes none (text, number, date, list, yes/no or
derived); a new field without `soort` and `tabel`.

The published figures (`shv reproduce`, section 99) belong to the questionnaire above:
with an extension the comparison is skipped, and the section says why.

## Survey-tool exports: the column map

A sheet `kolommen` (folder: `kolommen.csv`) with the columns `bron` (a header of the
export, matched like the headers above) and `veld` (the field it holds, or an option
column such as `partners__sociaal_werk`), optionally `tabel` (rename in that table only),
renames headers before anything is read, so a Forms, LimeSurvey or Qualtrics export needs
no retyping; problems still name the export's own header. Errors naming the map's row: an
unknown target field, an unknown `tabel`, a header mapped twice, two headers mapped to one
field, a target that is already another column of the table. A map row whose header is in
no table is a warning.

## Bad input

Every problem is reported with table, row number as the user sees it (spreadsheet
row, header = row 1), column, the offending value and what is allowed, all problems
of a file at once, not only the first. Examples: unknown code, duplicate id, a
pilot whose `respondent_id` is unknown, a required field empty, an unreadable file,
a missing sheet or column. Rows are never dropped without being counted and named.

## Figures

`published_figures.csv` beside this file lists the figures the report publishes,
each with a stable `figure_id`. Percentages are of all records of the base (143
experiments, or the respondents of a type), so a multi field's percentages need not
sum to 100.
""")


def _cell(value: str) -> str:
    return value.replace("|", "\\|")


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _code_span(values: Iterable[str], sep: str = ", ") -> str:
    return sep.join(f"`{v}`" for v in values)


def _and(items: Sequence[str], word: str = "and") -> str:
    """`a, b and c` (or `word` instead of "and")."""
    return f"{', '.join(items[:-1])} {word} {items[-1]}" if len(items) > 1 else "".join(items)


def _required(f: cb.Field) -> str:
    if not f.required:
        return "no"
    return "yes, at least one" if f.kind == "multi" else "yes"


def _field_rows(fs: Iterable[cb.Field], with_table: bool = False) -> list[list[str]]:
    return [
        [
            f"`{f.name}`",
            *([f"`{f.table}`"] if with_table else []),
            KIND_TEXT.get(f.kind, f.kind),
            _required(f),
            f.nl,
            f.en,
            f.description,
        ]
        for f in fs
    ]


def _fields_section(table: str, personal: Sequence[str]) -> str:
    rows = _field_rows(cb.fields(table))
    if table == cb.RESPONDENTEN:
        rows.append(
            [
                _code_span(personal[:3]),
                "personal data",
                "no",
                "",
                "",
                "never copied into any output",
            ]
        )
    header = ["column", "kind", "required", "Dutch label", "English label", "meaning"]
    return f"## Table `{table}`: {cb.TABLE_DESCRIPTIONS[table]}\n\n" + _table(header, rows)


def _code_rows(fs: Iterable[cb.Field]) -> list[list[str]]:
    rows = []
    for f in fs:
        if f.kind == "yesno":
            continue
        for i, c in enumerate(f.codes):
            rows.append([f.name if i == 0 else "", f"`{c.code}`", c.nl, c.en])
    return rows


def _rule_rows() -> list[list[str]]:
    return [
        [r.field, f"`{r.code}`", "strong" if r.strong else "", _code_span(r.keywords)]
        for r in cb.CODING_RULES
    ]


def contract_markdown() -> str:
    """The text of `docs/data_contract.md`: contract prose plus tables from the codebook.

    Returns:
        Markdown (str, ends in one newline) with one field table per table (column, kind,
        required, Dutch and English label, meaning), the code table of every coded input
        field, the derived fields with their codes, the coding keyword rules, and how a
        dataset extends the codebook (`codeboek`) and maps an export's headers (`kolommen`).
    """
    raw: dict[str, Any] = cb.read_codebook()
    personal = raw["personal"]["columns"]
    code_header = ["field", "code", "Dutch label", "English label"]
    return _TEMPLATE.substitute(
        title=cb.CONTRACT_TITLE,
        sheets=_and([f"`{t}`" for t in cb.TABLE_NAMES]),
        files=_and([f"`{t}.<ext>`" for t in cb.TABLE_NAMES]),
        tables="\n".join(_fields_section(t, personal) for t in cb.TABLE_NAMES),
        personal=_code_span(personal),
        yes_no=(
            f"yes {_code_span(raw['values']['yes_words'], ' ')}, "
            f"no {_code_span(raw['values']['no_words'], ' ')}"
        ),
        codes=_table(code_header, _code_rows(cb.FIELDS)),
        experimenten=cb.EXPERIMENTEN,
        signal_partners=", ".join(cb.SIGNAL_PARTNERS),
        n_municipalities=cb.N_MUNICIPALITIES_2019,
        bounds=_and([f"{b:,}" for b in cb.GROOTTEKLASSE_BOUNDS]),
        derived=_table(
            ["field", "table", "kind", "required", "Dutch label", "English label", "meaning"],
            _field_rows(cb.DERIVED_FIELDS, with_table=True),
        ),
        derived_codes=_table(code_header, _code_rows(cb.DERIVED_FIELDS)),
        coding_fields=_and([f"`{f}`" for f in cb.CODING_FIELDS], "or"),
        rules=_table(["field", "code", "rule", "keywords"], _rule_rows()),
        ext_columns=_and([f"`{c}`" for c in EXTENSION_COLUMNS]),
        ext_optional=_and([f"`{c}`" for c in OPTIONAL_COLUMNS]),
        soorten=_and([f"`{c}`" for c in SOORTEN], "or"),
        tabellen=_and([f"`{c}`" for c in cb.TABLE_NAMES], "or"),
        verplicht=_and([f"`{c}`" for c in VERPLICHT], "or"),
    )


def main() -> int:
    """Write `contract_markdown()` to standard output (UTF-8); returns the exit code."""
    sys.stdout.buffer.write(contract_markdown().encode("utf-8"))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
