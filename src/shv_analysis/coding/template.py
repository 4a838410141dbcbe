"""The Excel intake template, generated from the codebook (`shv template OUT.xlsx`).

Sheets `respondenten` and `experimenten` with the contract's columns (a multi field as one
ja/nee column per option, `<field>__<code>`), drop-down lists with the Dutch labels (readable
for the people who fill them in; the loader accepts labels and codes alike), a `codeboek`
sheet, a Dutch `toelichting`, a `gemeenten` sheet listing the municipalities of a division
(`shv template --indeling 2024`: the 342 of 1-1-2024; default: the most recent in the
reference folder) and a `metadata` sheet (key `indeling` set to the year given). A filled-in
template loads without edits. See docs/intake.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shv_analysis.coding.workbook import (
    CODEBOOK_SHEET,
    WIDE_COLUMNS,
    add_validation,
    quoted,
    select_first,
    set_widths,
    write_codebook_sheet,
    write_header,
    write_text,
)
from shv_analysis.contract import codebook as cb
from shv_analysis.contract.extension import DEFAULT, Codebook
from shv_analysis.ingest.privacy import is_personal_header
from shv_analysis.ingest.reference import Reference, load_reference, reference_years

EXPLANATION_SHEET = "toelichting"
TEMPLATE_ROWS = 500
YES_NO_LIST = '"ja,nee"'
MUNICIPALITIES_SHEET = "gemeenten"


@dataclass(frozen=True)
class TemplateColumn:
    """One column of the intake template."""

    header: str
    field: cb.Field
    option: cb.Code | None = None  # for `<field>__<code>` columns of a multi field

    @property
    def label(self) -> str:
        """Dutch label: the field's, or 'field: option' for an option column."""
        if self.option is not None:
            return f"{self.field.nl}: {self.option.nl}"
        return self.field.nl


def template_columns(table: str, codebook: Codebook = DEFAULT) -> list[TemplateColumn]:
    """The template's columns of one table, from the codebook: every contract field, a multi
    field as one ja/nee column per option (`<field>__<code>`). `codebook`: the package's, or
    one extended by a codebook extension (its new fields come last).

    Raises:
        ValueError: when a column would hold personal data (see `is_personal_header`).
    """
    columns = []
    for f in codebook.fields(table):
        if f.kind == "multi":
            columns.extend(TemplateColumn(cb.multi_column(f.name, c.code), f, c) for c in f.codes)
        else:
            columns.append(TemplateColumn(f.name, f))
    personal = [c.header for c in columns if is_personal_header(c.header)]
    if personal:  # the codebook never holds contact data; guard against it anyway
        raise ValueError(f"personal-data column(s) in the template: {personal}")
    return columns


def _column_help(col: TemplateColumn, year: int | None = None) -> str:
    f = col.field
    need = "verplicht" if f.required else "niet verplicht"
    if col.option is not None:
        extra = " (bij de fasen minstens één optie 'ja')" if f.required else ""
        return (
            f"{col.label}. Kies ja als dit van toepassing is, laat leeg of kies nee als "
            f"dat niet zo is{extra}."
        )
    how = {
        "text": "vrije tekst",
        "single": "kies uit de lijst (" + "; ".join(c.nl for c in f.codes) + ")",
        "yesno": "kies ja of nee",
        "integer": "een heel getal, bijvoorbeeld 12500",
        "date": "een datum, jjjj-mm-dd of dd-mm-jjjj",
        "list": "CBS-gemeentecodes (GM0363) of gemeentenamen, gescheiden door ;"
        + (f" (blad {MUNICIPALITIES_SHEET}: de indeling van 1-1-{year})" if year else ""),
    }.get(f.kind, "")
    if f.name == "respondent_id":
        how = (
            "een respondent_id uit het blad respondenten"
            if f.table == cb.EXPERIMENTEN
            else "uniek id, bijvoorbeeld R001"
        )
    elif f.name == "pilot_id":
        how = "uniek id, bijvoorbeeld P001"
    elif f.name in ("provincie", "inwoners"):
        how += (
            f"; leeg laten mag, dan wordt het afgeleid uit de CBS-gemeentetabel van {year or 2019}"
        )
    return f"{f.nl} ({need}): {how}."


def _table_sheet(
    wb, table: str, ranges: dict, rows: int, codebook: Codebook, year: int | None = None
) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = wb.create_sheet(table)
    columns = template_columns(table, codebook)
    write_header(
        ws, [c.header for c in columns], {c.header: _column_help(c, year) for c in columns}
    )
    widths, yes_no = [], []
    last = rows + 1
    for i, col in enumerate(columns, start=1):
        letter = get_column_letter(i)
        cells = f"{letter}2:{letter}{last}"
        f = col.field
        longest = max((len(c.nl) for c in f.codes), default=0) if f.kind == "single" else 0
        widths.append(WIDE_COLUMNS.get(f.name, max(len(col.header) + 2, min(longest + 2, 44), 12)))
        if col.option is not None or f.kind == "yesno":
            yes_no.append(cells)
        elif f.kind == "single":
            dv = DataValidation(
                type="list",
                formula1=ranges[(f.table, f.name)],
                allow_blank=not f.required,
                showErrorMessage=True,
                errorTitle="Onbekende waarde",
                error=f"Kies een waarde uit de lijst ({CODEBOOK_SHEET}).",
            )
            add_validation(ws, dv, cells)
        elif f.kind == "integer":
            dv = DataValidation(
                type="whole",
                operator="greaterThanOrEqual",
                formula1="0",
                allow_blank=True,
                showErrorMessage=True,
                error="Een heel getal van 0 of meer.",
            )
            add_validation(ws, dv, cells)
        elif f.name == "respondent_id" and table == cb.EXPERIMENTEN:
            dv = DataValidation(
                type="list",
                allow_blank=False,
                showErrorMessage=True,
                errorStyle="warning",
                formula1=f"{quoted(cb.RESPONDENTEN)}!$A$2:$A${last}",
                error="Deze respondent-id staat (nog) niet in het blad respondenten.",
            )
            add_validation(ws, dv, cells)
    if yes_no:
        dv = DataValidation(
            type="list",
            formula1=YES_NO_LIST,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="ja of nee",
            error="Kies ja of nee (leeg telt als nee bij een optie).",
        )
        add_validation(ws, dv, " ".join(yes_no))
    set_widths(ws, widths)


def _explanation_sheet(wb, rows: int, codebook: Codebook) -> None:
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(EXPLANATION_SHEET, 0)
    lines = [
        ("Intakesjabloon inventarisatie experimenten schuldhulpverlening", True),
        (
            "Gemaakt met shv-analysis uit het codeboek (datacontract v1). Vul per "
            "geïnterviewde organisatie één regel in op het blad 'respondenten' en per experiment "
            "of pilot één regel op het blad 'experimenten'.",
            False,
        ),
        ("", False),
        ("Zo vult u het sjabloon in", True),
        ("1. Verander de kolomkoppen (rij 1) niet; de volgorde mag wel anders.", False),
        (
            "2. Kies in gekleurde keuzelijsten een waarde uit de lijst. Keuzelijsten tonen de "
            "Nederlandse omschrijving; de codes en Engelse omschrijvingen staan op het blad "
            f"'{CODEBOOK_SHEET}'. Codes (zoals vroegsignalering) mogen ook.",
            False,
        ),
        (
            "3. Vragen met meer antwoorden (fasen, doelgroepen, partners, aanleidingen, "
            "verwachte effecten) hebben één kolom per antwoord, bijvoorbeeld fasen__nazorg. Kies "
            "'ja' bij elk antwoord dat van toepassing is; leeg betekent nee. Bij de fasen is "
            "minstens één 'ja' verplicht.",
            False,
        ),
        (
            "4. Verplichte kolommen: "
            + "; ".join(
                f"{t}: " + ", ".join(f.name for f in codebook.fields(t) if f.required)
                for t in cb.TABLE_NAMES
            )
            + ".",
            False,
        ),
        (
            "5. Elke pilot_id en respondent_id is uniek; de respondent_id van een experiment "
            "moet op het blad respondenten staan.",
            False,
        ),
        (
            "6. Vul GEEN persoonsgegevens in: geen namen, telefoonnummers of e-mailadressen van "
            "contactpersonen. Het sjabloon heeft daar bewust geen kolommen voor; e-mailadressen "
            "en telefoonnummers in vrije tekst worden bij het inlezen onleesbaar gemaakt.",
            False,
        ),
        (
            f"7. Het sjabloon heeft keuzelijsten voor {rows} regels per blad. Meer regels mogen; "
            "kopieer dan een ingevulde regel naar beneden zodat de keuzelijsten meekomen.",
            False,
        ),
        (
            "8. Controleer het bestand met: shv check BESTAND.xlsx. Alle problemen worden in één "
            "keer gemeld met blad, rij en kolom.",
            False,
        ),
        (
            "9. Is het type, de fase, de doelgroep of de partners nog niet bekend maar staan "
            "titel en omschrijving er wel? Laat de cel leeg en gebruik: shv code BESTAND.xlsx "
            "--out codeerblad.xlsx. Dat maakt een codeerblad met voorstellen; de gekozen codes "
            "worden bewaard in BESTAND.beslissingen.csv en bij elke volgende analyse in lege "
            "cellen ingevuld. Wat u zelf invult, wordt nooit overschreven.",
            False,
        ),
        ("", False),
        ("Kolommen", True),
    ]
    bold = Font(bold=True)
    row = 1
    for text, is_head in lines:
        cell = ws.cell(row=row, column=1, value=text or None)
        if is_head:
            cell.font = Font(bold=True, size=12 if row == 1 else 11)
        else:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
            ws.row_dimensions[row].height = 15 * max(1, len(text) // 110 + 1)
        row += 1
    for c, head in enumerate(("blad", "kolom", "verplicht", "invullen"), start=1):
        ws.cell(row=row, column=c, value=head).font = bold
    for table in cb.TABLE_NAMES:
        for col in template_columns(table, codebook):
            row += 1
            values = (
                table,
                col.header,
                "ja" if col.field.required and col.option is None else "",
                _column_help(col),
            )
            for c, value in enumerate(values, start=1):
                write_text(ws, row, c, value)
            ws.cell(row=row, column=4).alignment = Alignment(wrap_text=True, vertical="top")
    set_widths(ws, [16, 34, 10, 90])


def template_division(indeling: int | None = None, reference=None) -> Reference | None:
    """The division whose municipalities the template lists: `indeling`, else the most recent
    in the reference folder; None without reference tables (and without `indeling`).

    Raises:
        ReferenceMissing: `indeling` given and no reference file of that division.
    """
    folder = reference.folder if isinstance(reference, Reference) else reference
    if indeling is not None:
        return load_reference(folder, required=True, year=int(indeling))
    years = reference_years(folder)
    return load_reference(folder, year=years[-1]) if years else None


def _municipalities_sheet(wb, ref: Reference) -> None:
    ws = wb.create_sheet(MUNICIPALITIES_SHEET)
    write_header(ws, ["gemeentecode", "gemeentenaam", "provincie"])
    for r, (code, row) in enumerate(
        ref.municipalities.sort_values("gemeentenaam").iterrows(), start=2
    ):
        for c, value in enumerate((code, row["gemeentenaam"], row["provincie"]), start=1):
            write_text(ws, r, c, value)
    set_widths(ws, [14, 34, 16])


def write_template(
    path: str | Path,
    rows: int = TEMPLATE_ROWS,
    indeling: int | None = None,
    reference=None,
    codebook: Codebook = DEFAULT,
) -> Path:
    """Write the intake workbook generated from the codebook; returns its path.

    Args:
        path: the .xlsx file to write.
        rows: rows per sheet with drop-down lists.
        indeling: the municipal division (a year) the inventory uses: its municipalities go
            to the `gemeenten` sheet and the year to the metadata (`indeling`). None: the most
            recent division of the reference folder is listed and no division is declared.
        reference: a reference folder or `Reference` (default: the first found).
        codebook: the package's, or one extended by a codebook extension
            (`ingest.validation.read_codebook_extension`): its codes appear in the drop-down
            lists, its new fields as columns, and its `codeboek` sheet holds the extension, so
            a filled-in template reads back with the same codebook.

    Raises:
        ReferenceMissing: `indeling` given and no reference file of that division.
    """
    from openpyxl import Workbook

    path = Path(path)
    division = template_division(indeling, reference)
    year = division.year if division is not None else None
    wb = Workbook()
    wb.remove(wb.active)
    _explanation_sheet(wb, rows, codebook)
    codebook_ws = wb.create_sheet(CODEBOOK_SHEET)
    ranges = write_codebook_sheet(codebook_ws, codebook.codebook_frame())
    for table in cb.TABLE_NAMES:
        _table_sheet(wb, table, ranges, rows, codebook, year)
    wb.move_sheet(codebook_ws, offset=len(cb.TABLE_NAMES))
    if division is not None:
        _municipalities_sheet(wb, division)
    meta = wb.create_sheet("metadata")
    write_header(meta, ["key", "value"])
    declared = str(indeling) if indeling is not None else ""
    for r, (key, value) in enumerate(
        (("name", ""), ("synthetic", "nee"), ("indeling", declared)), start=2
    ):
        write_text(meta, r, 1, key)
        write_text(meta, r, 2, value or None)
    set_widths(meta, [14, 40])
    select_first(wb)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
