"""Intake: the Excel template, the coding worksheet and the coding decisions.

Workflow (see docs/intake.md):

1. `shv template OUT.xlsx` writes an intake workbook made from the codebook: sheets
   `respondenten` and `experimenten` with the contract's columns, drop-down lists, a
   `codeboek` sheet and a Dutch `toelichting`. A filled-in template loads without edits.
2. `shv code DATA --out WORKSHEET.xlsx` lists every pilot whose `type`, `fasen`, `partners`
   or `doelgroepen` is empty while its titel/omschrijving is filled, with a suggested code
   from the codebook's keyword rules (`codebook.CODING_RULES`, see `coding`).
3. Coders fill the `final_code` column; `shv code --read WORKSHEET.xlsx` stores their choices
   in the decisions file (CSV UTF-8: pilot_id, field, code, coder, date, note); by default
   `<folder>/beslissingen.csv` for a folder dataset, `<stem>.beslissingen.csv` beside a
   workbook.
4. Every later `shv check` / `shv.load()` applies the decisions to empty cells only
   (`decision_hook`): a value typed in the data is never overwritten.

Template drop-downs use the Dutch labels (readable for the people who fill them in); the
loader accepts labels and codes alike. The coding worksheet's `final_code` drop-down uses
codes, which is what the decisions file stores.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from shv_analysis.contract import codebook as cb
from shv_analysis.coding.suggestions import AMBIGUOUS, NONE, SUGGESTED, agreement_tables, suggest_pilots  # noqa: F401
from shv_analysis.ingest.readers import (ROW_COL, cell_text, decode_csv, detect_delimiter, is_personal_header,
                      read_dataset)
from shv_analysis.contract.problems import Problem

DECISIONS_NAME = "beslissingen.csv"
DECISION_COLUMNS = ("pilot_id", "field", "code", "coder", "date", "note")
WORKSHEET_COLUMNS = ("pilot_id", "field", "current_value", "titel", "omschrijving",
                     "suggestion", "candidates", "trigger_words", "status", "final_code",
                     "coder", "date", "note")
WORKSHEET_SHEET = "codeerblad"
CODEBOOK_SHEET = "codeboek"
EXPLANATION_SHEET = "toelichting"
INFO_SHEET = "info"
TEMPLATE_ROWS = 500
YES_NO_LIST = '"ja,nee"'
EXIT_OK, EXIT_INVALID = 0, 1

_HEADER_FILL = "DDEBF7"
_WIDE = {"titel": 32, "omschrijving": 60, "naam": 28, "gemeentecodes": 22,
         "trigger_words": 48, "note": 30, "candidates": 26, "suggestion": 26}


# ================================================================ small workbook helpers

def _text(ws, row: int, col: int, value) -> None:
    """Write a value as typed text: a leading '=' never becomes a formula."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def _header(ws, headers: Sequence[str], comments: dict[str, str] | None = None) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    bold, fill = Font(bold=True), PatternFill("solid", fgColor=_HEADER_FILL)
    for i, name in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=i, value=name)
        cell.font, cell.fill = bold, fill
        if comments and comments.get(name):
            cell.comment = Comment(comments[name], "shv-analysis", width=320, height=120)
    ws.freeze_panes = "A2"


def _widths(ws, widths: Sequence[int]) -> None:
    from openpyxl.utils import get_column_letter

    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(8, min(int(width), 70))


def _row_ranges(rows: Iterable[int], column: str) -> str:
    """[2,3,4,7] with column 'J' -> 'J2:J4 J7' (an sqref for data validation)."""
    rows = sorted(set(rows))
    parts, start = [], None
    for i, row in enumerate(rows):
        if start is None:
            start = row
        if i + 1 == len(rows) or rows[i + 1] != row + 1:
            parts.append(f"{column}{start}" if start == row else f"{column}{start}:{column}{row}")
            start = None
    return " ".join(parts)


def _select_first(wb) -> None:
    """Open on the first sheet, with no other sheet selected (grouped sheets in Excel would
    receive every edit)."""
    wb.active = 0
    for i, ws in enumerate(wb.worksheets):
        ws.sheet_view.tabSelected = i == 0


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def write_codebook_sheet(ws, frame: pd.DataFrame, label_column: str = "label_nl"
                         ) -> dict[tuple[str, str], str]:
    """Write a codebook frame (tabel, veld, code, label_nl, label_en) and return, per
    (table, field), the absolute range of its `label_column` values for a drop-down."""
    from openpyxl.utils import get_column_letter

    headers = list(frame.columns)
    _header(ws, headers)
    for r, values in enumerate(frame.itertuples(index=False, name=None), start=2):
        for c, value in enumerate(values, start=1):
            _text(ws, r, c, value)
    _widths(ws, [14, 22, 26, 48, 48][:len(headers)] + [20] * max(0, len(headers) - 5))
    letter = get_column_letter(headers.index(label_column) + 1)
    ranges: dict[tuple[str, str], str] = {}
    rows = frame.reset_index(drop=True)
    for (table, name), group in rows.groupby(["tabel", "veld"], sort=False):
        first, last = int(group.index.min()) + 2, int(group.index.max()) + 2
        if last - first + 1 != len(group):
            raise ValueError(f"codebook rows of {table}.{name} are not contiguous")
        ranges[(table, name)] = f"{_quoted(ws.title)}!${letter}${first}:${letter}${last}"
    return ranges


# ================================================================ 1. the intake template

@dataclass(frozen=True)
class TemplateColumn:
    """One column of the intake template."""

    header: str
    field: cb.Field
    option: cb.Code | None = None  # for `<field>__<code>` columns of a multi field

    @property
    def label(self) -> str:
        if self.option is not None:
            return f"{self.field.nl}: {self.option.nl}"
        return self.field.nl


def template_columns(table: str) -> list[TemplateColumn]:
    """The template's columns of one table, from the codebook: every contract field, a multi
    field as one ja/nee column per option (`<field>__<code>`)."""
    columns = []
    for f in cb.fields(table):
        if f.kind == "multi":
            columns.extend(TemplateColumn(cb.multi_column(f.name, c.code), f, c) for c in f.codes)
        else:
            columns.append(TemplateColumn(f.name, f))
    personal = [c.header for c in columns if is_personal_header(c.header)]
    if personal:  # the codebook never holds contact data; guard against it anyway
        raise ValueError(f"personal-data column(s) in the template: {personal}")
    return columns


def _column_help(col: TemplateColumn) -> str:
    f = col.field
    need = "verplicht" if f.required else "niet verplicht"
    if col.option is not None:
        extra = " (bij de fasen minstens één optie 'ja')" if f.required else ""
        return f"{col.label}. Kies ja als dit van toepassing is, laat leeg of kies nee als " \
               f"dat niet zo is{extra}."
    how = {
        "text": "vrije tekst",
        "single": "kies uit de lijst (" + "; ".join(c.nl for c in f.codes) + ")",
        "yesno": "kies ja of nee",
        "integer": "een heel getal, bijvoorbeeld 12500",
        "date": "een datum, jjjj-mm-dd of dd-mm-jjjj",
        "list": "CBS-gemeentecodes (GM0363) of gemeentenamen, gescheiden door ;",
    }.get(f.kind, "")
    if f.name == "respondent_id":
        how = ("een respondent_id uit het blad respondenten" if f.table == cb.EXPERIMENTEN
               else "uniek id, bijvoorbeeld R001")
    elif f.name == "pilot_id":
        how = "uniek id, bijvoorbeeld P001"
    elif f.name in ("provincie", "inwoners"):
        how += "; leeg laten mag, dan wordt het afgeleid uit de CBS-gemeentetabel van 2019"
    return f"{f.nl} ({need}): {how}."


def _add_validation(ws, validation, sqref: str) -> None:
    """Attach a data validation to the cells of `sqref` (ranges separated by spaces)."""
    for part in sqref.split():
        validation.add(part)
    ws.add_data_validation(validation)


def _table_sheet(wb, table: str, ranges: dict, rows: int) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = wb.create_sheet(table)
    columns = template_columns(table)
    _header(ws, [c.header for c in columns], {c.header: _column_help(c) for c in columns})
    widths, yes_no = [], []
    last = rows + 1
    for i, col in enumerate(columns, start=1):
        letter = get_column_letter(i)
        cells = f"{letter}2:{letter}{last}"
        f = col.field
        longest = max((len(c.nl) for c in f.codes), default=0) if f.kind == "single" else 0
        widths.append(_WIDE.get(f.name, max(len(col.header) + 2, min(longest + 2, 44), 12)))
        if col.option is not None or f.kind == "yesno":
            yes_no.append(cells)
        elif f.kind == "single":
            dv = DataValidation(type="list", formula1=ranges[(f.table, f.name)],
                                allow_blank=not f.required, showErrorMessage=True,
                                errorTitle="Onbekende waarde",
                                error=f"Kies een waarde uit de lijst ({CODEBOOK_SHEET}).")
            _add_validation(ws, dv, cells)
        elif f.kind == "integer":
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0",
                                allow_blank=True, showErrorMessage=True,
                                error="Een heel getal van 0 of meer.")
            _add_validation(ws, dv, cells)
        elif f.name == "respondent_id" and table == cb.EXPERIMENTEN:
            dv = DataValidation(type="list", allow_blank=False, showErrorMessage=True,
                                errorStyle="warning",
                                formula1=f"{_quoted(cb.RESPONDENTEN)}!$A$2:$A${last}",
                                error="Deze respondent-id staat (nog) niet in het blad "
                                      "respondenten.")
            _add_validation(ws, dv, cells)
    if yes_no:
        dv = DataValidation(type="list", formula1=YES_NO_LIST, allow_blank=True,
                            showErrorMessage=True, errorTitle="ja of nee",
                            error="Kies ja of nee (leeg telt als nee bij een optie).")
        _add_validation(ws, dv, " ".join(yes_no))
    _widths(ws, widths)


def _explanation_sheet(wb, rows: int) -> None:
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(EXPLANATION_SHEET, 0)
    lines = [
        ("Intakesjabloon inventarisatie experimenten schuldhulpverlening", True),
        ("Gemaakt met shv-analysis uit het codeboek (datacontract v1). Vul per "
         "geïnterviewde organisatie één regel in op het blad 'respondenten' en per experiment "
         "of pilot één regel op het blad 'experimenten'.", False),
        ("", False),
        ("Zo vult u het sjabloon in", True),
        ("1. Verander de kolomkoppen (rij 1) niet; de volgorde mag wel anders.", False),
        ("2. Kies in gekleurde keuzelijsten een waarde uit de lijst. Keuzelijsten tonen de "
         "Nederlandse omschrijving; de codes en Engelse omschrijvingen staan op het blad "
         f"'{CODEBOOK_SHEET}'. Codes (zoals vroegsignalering) mogen ook.", False),
        ("3. Vragen met meer antwoorden (fasen, doelgroepen, partners, aanleidingen, "
         "verwachte effecten) hebben één kolom per antwoord, bijvoorbeeld fasen__nazorg. Kies "
         "'ja' bij elk antwoord dat van toepassing is; leeg betekent nee. Bij de fasen is "
         "minstens één 'ja' verplicht.", False),
        ("4. Verplichte kolommen: " + "; ".join(
            f"{t}: " + ", ".join(f.name for f in cb.fields(t) if f.required)
            for t in cb.TABLE_NAMES) + ".", False),
        ("5. Elke pilot_id en respondent_id is uniek; de respondent_id van een experiment "
         "moet op het blad respondenten staan.", False),
        ("6. Vul GEEN persoonsgegevens in: geen namen, telefoonnummers of e-mailadressen van "
         "contactpersonen. Het sjabloon heeft daar bewust geen kolommen voor; e-mailadressen "
         "en telefoonnummers in vrije tekst worden bij het inlezen onleesbaar gemaakt.", False),
        (f"7. Het sjabloon heeft keuzelijsten voor {rows} regels per blad. Meer regels mogen; "
         "kopieer dan een ingevulde regel naar beneden zodat de keuzelijsten meekomen.", False),
        ("8. Controleer het bestand met: shv check BESTAND.xlsx. Alle problemen worden in één "
         "keer gemeld met blad, rij en kolom.", False),
        ("9. Is het type, de fase, de doelgroep of de partners nog niet bekend maar staan "
         "titel en omschrijving er wel? Laat de cel leeg en gebruik: shv code BESTAND.xlsx "
         "--out codeerblad.xlsx. Dat maakt een codeerblad met voorstellen; de gekozen codes "
         "worden bewaard in BESTAND.beslissingen.csv en bij elke volgende analyse in lege "
         "cellen ingevuld. Wat u zelf invult, wordt nooit overschreven.", False),
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
        for col in template_columns(table):
            row += 1
            values = (table, col.header, "ja" if col.field.required and col.option is None
                      else "", _column_help(col))
            for c, value in enumerate(values, start=1):
                _text(ws, row, c, value)
            ws.cell(row=row, column=4).alignment = Alignment(wrap_text=True, vertical="top")
    _widths(ws, [16, 34, 10, 90])


def write_template(path: str | Path, rows: int = TEMPLATE_ROWS) -> Path:
    """Write the intake workbook generated from the codebook; returns its path."""
    from openpyxl import Workbook

    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    _explanation_sheet(wb, rows)
    codebook_ws = wb.create_sheet(CODEBOOK_SHEET)
    ranges = write_codebook_sheet(codebook_ws, cb.codebook_frame())
    for table in cb.TABLE_NAMES:
        _table_sheet(wb, table, ranges, rows)
    wb.move_sheet(codebook_ws, offset=len(cb.TABLE_NAMES))
    meta = wb.create_sheet("metadata")
    _header(meta, ["key", "value"])
    for r, (key, value) in enumerate((("name", ""), ("synthetic", "nee")), start=2):
        _text(meta, r, 1, key)
        _text(meta, r, 2, value or None)
    _widths(meta, [14, 40])
    _select_first(wb)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


# ================================================================ decisions file

def default_decisions_path(source: str | Path) -> Path:
    """Where the coding decisions of a dataset live by default."""
    source = Path(source)
    if source.is_dir() or not source.suffix:
        return source / DECISIONS_NAME
    return source.with_name(f"{source.stem}.{DECISIONS_NAME}")


def _empty_decisions() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in (*DECISION_COLUMNS, ROW_COL)})


def read_decisions(path: str | Path) -> tuple[pd.DataFrame, list[Problem]]:
    """The decisions file as text columns plus `_rij` (file row, header = 1), and the
    problems found while reading it (unreadable file, missing columns)."""
    path = Path(path)
    problems: list[Problem] = []
    try:
        text, _ = decode_csv(path.read_bytes())
    except OSError as exc:
        return _empty_decisions(), [Problem(path.name, None, None, None, None,
                                            f"decisions file unreadable ({exc})")]
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text)))
    if not rows or not any(h.strip() for h in rows[0]):
        return _empty_decisions(), ([] if not text.strip() else [Problem(
            path.name, None, 1, None, None, "no header row; expected: "
            + ",".join(DECISION_COLUMNS))])
    headers = [cb.normalise_header(h) for h in rows[0]]
    missing = [c for c in ("pilot_id", "field", "code") if c not in headers]
    if missing:
        problems.append(Problem(path.name, None, 1, None, ",".join(rows[0]),
                                f"decisions file lacks column(s) {', '.join(missing)}; "
                                f"expected: {','.join(DECISION_COLUMNS)}"))
        return _empty_decisions(), problems
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = dict(zip(headers, row))
        records.append({**{c: cb.clean_text(values.get(c, "")) for c in DECISION_COLUMNS},
                        ROW_COL: number})
    frame = pd.DataFrame(records) if records else _empty_decisions()
    return frame, problems


def write_decisions(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write decisions (CSV UTF-8 with BOM, so Excel shows accents; comma-separated)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = frame.reindex(columns=DECISION_COLUMNS).astype(object).fillna("")
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(DECISION_COLUMNS)
        writer.writerows(out.astype(str).itertuples(index=False, name=None))
    return path


def merge_decisions(existing: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Existing decisions updated by new ones (same pilot_id and field, in place), new ones
    appended in their order."""
    cols = list(DECISION_COLUMNS)
    old = existing.reindex(columns=cols).astype(object).fillna("").astype(str)
    new = new.reindex(columns=cols).astype(object).fillna("").astype(str)
    latest = {(r["pilot_id"], r["field"]): r for r in new.to_dict("records")}
    out, seen = [], set()
    for record in old.to_dict("records"):
        key = (record["pilot_id"], record["field"])
        out.append(latest.get(key, record))
        seen.add(key)
    out += [r for key, r in latest.items() if key not in seen]
    return pd.DataFrame(out, columns=cols)


def code_decision(field_name: str, value: str) -> tuple[str | None, str | None]:
    """A decision's code as stored: (codes, None) or (None, what is wrong).

    Single field: one code (a label is accepted and turned into its code). Multi field: codes
    separated by ';' (or ',', '|'), or `geen` for an optional multi field (deliberately
    none). Returns the canonical form: codes in codebook order joined by ';'.
    """
    try:
        f = cb.pilot_field(field_name)
    except KeyError:
        return None, None
    lookup = cb.lookup(f)
    if f.kind == "single":
        code = lookup.get(cb.normalise(value))
        return (code, None) if code else (None, "unknown code; allowed: " + ", ".join(f.code_list))
    if f.kind != "multi":
        return None, None
    from shv_analysis.ingest.validation import split_coded_multi

    parts = split_coded_multi(value, f)
    if parts == [cb.NO_CODE] and not f.required:
        return cb.NO_CODE, None
    unknown = [p for p in parts if p not in lookup]
    if unknown or not parts:
        allowed = ", ".join(f.code_list) + ("" if f.required else f", or {cb.NO_CODE}")
        return None, (f"unknown code {'; '.join(unknown)!r}; " if unknown else "no code; ") + \
            f"allowed: {allowed}, several separated by ;"
    chosen = {lookup[p] for p in parts}
    return ";".join(c for c in f.code_list if c in chosen), None


def decidable_fields() -> list[str]:
    """Experiments fields a decision may concern: every single-choice and multi field."""
    return [f.name for f in cb.fields(cb.EXPERIMENTEN) if f.kind in ("single", "multi")]


def check_decisions(frame: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Decisions with a canonical `value`, and errors for unknown fields and codes (each with
    its row in the decisions file). Invalid rows are dropped from the returned frame."""
    problems: list[Problem] = []
    fields = set(decidable_fields())
    frame = frame.copy()
    frame["field"] = frame["field"].map(cb.normalise_header)
    values, keep = [], []
    for pilot, name, code, row in zip(frame["pilot_id"], frame["field"], frame["code"],
                                      frame[ROW_COL]):
        value, error = (None, None)
        if not pilot:
            error = ("pilot_id", pilot, "empty pilot_id; give the pilot_id of the experiment")
        elif name not in fields:
            error = ("field", name, "unknown field; allowed: " + ", ".join(sorted(fields)))
        else:
            value, message = code_decision(name, code)
            if value is None:
                error = ("code", code, f"{name}: {message}")
        if error:
            problems.append(Problem(file, None, int(row), error[0], error[1], error[2]))
        values.append(value)
        keep.append(error is None)
    frame["value"] = values
    frame = frame[keep]
    dup = frame.duplicated(["pilot_id", "field"], keep="last")
    for row, pilot, name in zip(frame.loc[dup, ROW_COL], frame.loc[dup, "pilot_id"],
                                frame.loc[dup, "field"]):
        problems.append(Problem(file, None, int(row), "pilot_id", pilot,
                                f"another decision for {pilot} / {name} follows later in the "
                                "file; the later one is used", "warning"))
    return frame[~dup].reset_index(drop=True), problems


# ================================================================ loader integration

def _typed_codes(values: pd.Series, f: cb.Field) -> pd.Series:
    """Canonical codes of typed cells (as `code_decision` writes them); unknown text kept."""
    uniques = pd.unique(values.to_numpy())
    mapping = {}
    for cell in uniques:
        value, _ = code_decision(f.name, cell)
        mapping[cell] = value if value is not None else cb.normalise(cell)
    return values.map(mapping)


def decision_hook(source, decisions, problems: list[Problem]):
    """The function validation calls to apply coding decisions to the raw pilots, or None.

    `decisions`: "auto" (the default decisions file of `source`, when it exists), a path (must
    exist) or None (no decisions). Problems of the decisions file are appended to `problems`:
    unknown fields, codes or pilot_ids are errors (with their row in the decisions file),
    decisions that conflict with a typed value are warnings.
    """
    if decisions is None:
        return None
    if isinstance(decisions, str) and decisions == "auto":
        path = default_decisions_path(source)
        if not path.is_file():
            return None
    else:
        path = Path(decisions)
        if not path.is_file():
            problems.append(Problem(str(path), None, None, None, None,
                                    "decisions file not found"))
            return None
    frame, found = read_decisions(path)
    problems.extend(found)
    valid, found = check_decisions(frame, path.name)
    problems.extend(found)
    if valid.empty:
        return None

    def apply(raw: pd.DataFrame, sink=None) -> pd.DataFrame:
        return apply_decisions(raw, valid, path.name, problems)

    return apply


def apply_decisions(raw: pd.DataFrame, decisions: pd.DataFrame, file: str,
                    problems: list[Problem]) -> pd.DataFrame:
    """Fill empty cells of the raw experiments frame from checked decisions (see
    `check_decisions`); typed values are never overwritten. Appends problems."""
    raw = raw.copy()
    if "pilot_id" not in raw.columns:
        return raw  # validation reports the missing column
    ids = cb.clean_text_series(raw["pilot_id"])
    known = set(ids)
    unknown = ~decisions["pilot_id"].isin(known)
    for row, pilot in zip(decisions.loc[unknown, ROW_COL], decisions.loc[unknown, "pilot_id"]):
        problems.append(Problem(file, None, int(row), "pilot_id", pilot,
                                f"unknown pilot_id: no such pilot in table '{cb.EXPERIMENTEN}'"))
    decisions = decisions[~unknown]
    filled = 0
    for name, group in decisions.groupby("field", sort=False):
        f = cb.pilot_field(name)
        value_of = dict(zip(group["pilot_id"], group["value"]))
        row_of = dict(zip(group["pilot_id"], group[ROW_COL]))
        column = raw[name].astype(str) if name in raw.columns else pd.Series(
            "", index=raw.index, dtype=object)
        decided = ids.map(value_of)
        has = decided.notna()
        empty = cb.clean_text_series(column).eq("")
        fill = has & empty
        new = decided.where(decided.ne(cb.NO_CODE), "")
        column = column.where(~fill, new)
        filled += int((fill & new.ne("")).sum())
        clash = has & ~empty
        if clash.any():
            typed = _typed_codes(column[clash], f)
            differs = typed.ne(decided[clash])
            for idx in typed.index[differs.to_numpy()]:
                pilot = ids[idx]
                problems.append(Problem(
                    file, None, int(row_of[pilot]), "code", str(value_of[pilot]),
                    f"{pilot} / {name}: the data already hold '{column[idx]}' "
                    f"({cb.EXPERIMENTEN} row {raw.at[idx, ROW_COL]}); a typed value is never "
                    "overwritten, this decision is not used", "warning"))
        raw[name] = column
    if filled:
        problems.append(Problem(file, None, None, None, None,
                                f"{filled} empty cell(s) of '{cb.EXPERIMENTEN}' filled from "
                                "coding decisions in this file", "warning"))
    return raw


# ================================================================ 2-3. the coding worksheet

def raw_pilots(data: str | Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The raw experiments table of a dataset (text cells, multi fields as one `;` cell),
    without decisions applied; None when it cannot be read."""
    from shv_analysis.ingest.validation import _Sink, unify_multi_columns

    raw = read_dataset(data)
    table = raw.tables.get(cb.EXPERIMENTEN)
    if table is None:
        return None, [p for p in raw.problems if p.severity == "error"]
    sink = _Sink(table)
    frame = unify_multi_columns(table, sink)
    return frame, [p for p in raw.problems + sink.problems if p.severity == "error"]


def worksheet_rows(pilots: pd.DataFrame, fields: Sequence[str] = cb.CODING_FIELDS,
                   decisions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every pilot x field needing a decision (field empty, titel/omschrijving filled), with
    its suggestion; earlier decisions prefill final_code, coder, date and note."""
    fields = list(fields)
    sugg = suggest_pilots(pilots, fields)
    current = pd.Series("", index=sugg.index, dtype=object)
    keys = sugg["key"].to_numpy()
    for name in fields:
        mask = sugg["field"].eq(name).to_numpy()
        if name in pilots.columns:
            current[mask] = cb.clean_text_series(pilots[name].astype(str)).loc[keys[mask]]\
                .to_numpy()
    need = sugg[current.eq("").to_numpy()].copy()
    keys = need["key"].to_numpy()
    out = pd.DataFrame({
        "pilot_id": cb.clean_text_series(pilots.loc[keys, "pilot_id"].astype(str)).to_numpy(),
        "field": need["field"].to_numpy(),
        "current_value": "",
        "titel": _column_text(pilots, "titel", keys),
        "omschrijving": _column_text(pilots, "omschrijving", keys),
        "suggestion": need["suggestion"].fillna("").to_numpy(),
        "candidates": need["candidates"].map(";".join).to_numpy(),
        "trigger_words": need["trigger_text"].to_numpy(),
        "status": need["status"].to_numpy(),
        "final_code": "", "coder": "", "date": "", "note": "",
    })
    out["_order"] = out["field"].map({f: i for i, f in enumerate(fields)})
    out["_rij"] = pilots.loc[keys, ROW_COL].to_numpy() if ROW_COL in pilots else range(len(out))
    out = out.sort_values(["_order", "_rij"], kind="stable").drop(columns=["_order", "_rij"])
    out = out.reset_index(drop=True)
    if decisions is not None and len(decisions):
        prior = decisions.assign(field=decisions["field"].map(cb.normalise_header))
        prior = prior.drop_duplicates(["pilot_id", "field"], keep="last").set_index(
            ["pilot_id", "field"])
        index = pd.MultiIndex.from_arrays([out["pilot_id"], out["field"]])
        for src, dst in (("code", "final_code"), ("coder", "coder"), ("date", "date"),
                         ("note", "note")):
            out[dst] = prior[src].reindex(index).fillna("").to_numpy()
    return out[list(WORKSHEET_COLUMNS)]


def _column_text(frame: pd.DataFrame, column: str, keys) -> list:
    if column not in frame.columns:
        return [""] * len(keys)
    return cb.clean_text_series(frame.loc[keys, column].astype(str)).tolist()


def _worksheet_codebook(fields: Sequence[str]) -> pd.DataFrame:
    """Codes of the coded fields for the worksheet's drop-downs (plus `geen` where allowed)."""
    rows = []
    for name in fields:
        f = cb.pilot_field(name)
        rows += [{"tabel": f.table, "veld": f.name, "code": c.code, "label_nl": c.nl,
                  "label_en": c.en} for c in f.codes]
        if f.kind == "multi" and not f.required:
            rows.append({"tabel": f.table, "veld": f.name, "code": cb.NO_CODE,
                         "label_nl": "Geen (bewust leeg)", "label_en": "None (deliberately)"})
    return pd.DataFrame(rows)


_WORKSHEET_HELP = {
    "pilot_id": "Het experiment (pilot_id in de data).",
    "field": "Het veld dat nog leeg is.",
    "current_value": "De huidige waarde in de data (leeg).",
    "suggestion": "Voorstel uit de trefwoordregels van het codeboek.",
    "candidates": "Codes waar de trefwoorden naar wijzen (bij ambigu meer dan één).",
    "trigger_words": "De woorden uit titel/omschrijving die het voorstel opleverden.",
    "status": "suggested: één voorstel; ambiguous: trefwoorden wijzen naar meer codes; "
              "none: geen trefwoord gevonden.",
    "final_code": "Uw keuze: een code uit de lijst. Meer codes bij fasen, partners en "
                  "doelgroepen: scheid ze met ; (bijv. curatie;nazorg). 'geen' = bewust "
                  "geen partner/doelgroep. Leeg = nog niet beslist.",
    "coder": "Wie de code koos.",
    "date": "Datum van de beslissing (leeg = vandaag bij inlezen).",
    "note": "Toelichting (optioneel).",
}


def write_worksheet(rows: pd.DataFrame, path: str | Path, data: str | Path | None = None,
                    decisions_path: str | Path | None = None,
                    fields: Sequence[str] = cb.CODING_FIELDS) -> Path:
    """The coding worksheet as an Excel workbook with drop-downs in `final_code`."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = WORKSHEET_SHEET
    headers = list(WORKSHEET_COLUMNS)
    _header(ws, headers, _WORKSHEET_HELP)
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, values in enumerate(rows[headers].itertuples(index=False, name=None), start=2):
        for c, value in enumerate(values, start=1):
            _text(ws, r, c, value if value != "" else None)
        ws.cell(row=r, column=headers.index("omschrijving") + 1).alignment = wrap
    _widths(ws, [_WIDE.get(h, max(len(h) + 4, 12)) for h in headers])
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(len(rows) + 1, 2)}"

    code_ws = wb.create_sheet(CODEBOOK_SHEET)
    ranges = write_codebook_sheet(code_ws, _worksheet_codebook(fields), label_column="code")
    letter = get_column_letter(headers.index("final_code") + 1)
    positions = pd.Series(range(2, len(rows) + 2), index=rows.index)
    for name in fields:
        f = cb.pilot_field(name)
        at = positions[rows["field"].eq(name)]
        if at.empty:
            continue
        multi = f.kind == "multi"
        dv = DataValidation(
            type="list", formula1=ranges[(f.table, f.name)], allow_blank=True,
            showErrorMessage=True, errorStyle="warning" if multi else "stop",
            errorTitle="Code niet in de lijst",
            error=("Meer codes scheiden met ; is toegestaan." if multi
                   else f"Kies een code van '{name}' uit de lijst."))
        _add_validation(ws, dv, _row_ranges(at.tolist(), letter))

    info = wb.create_sheet(INFO_SHEET)
    _header(info, ["key", "value"])
    facts = [("data", str(Path(data).resolve()) if data else ""),
             ("decisions", str(Path(decisions_path).resolve()) if decisions_path else ""),
             ("created", dt.date.today().isoformat()),
             ("fields", ";".join(fields)),
             ("rows", str(len(rows)))]
    for r, (key, value) in enumerate(facts, start=2):
        _text(info, r, 1, key)
        _text(info, r, 2, value or None)
    _widths(info, [12, 80])
    _select_first(wb)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def read_worksheet(path: str | Path, coder: str | None = None,
                   today: dt.date | None = None) -> tuple[pd.DataFrame, list[Problem], dict]:
    """Decisions filled in a coding worksheet (rows with a final_code), the problems found
    (unknown field or code, with the worksheet row) and the worksheet's info sheet."""
    import openpyxl

    path = Path(path)
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = next((n for n in wb.sheetnames if cb.normalise(n) == WORKSHEET_SHEET), None)
        if sheet is None:
            return _empty_decisions(), [Problem(path.name, None, None, None, None,
                                                f"no sheet '{WORKSHEET_SHEET}': not a coding "
                                                "worksheet of `shv code`")], {}
        grid = [[cell_text(v) for v in row] for row in wb[sheet].iter_rows(values_only=True)]
        info_name = next((n for n in wb.sheetnames if cb.normalise(n) == INFO_SHEET), None)
        info = {}
        if info_name:
            for row in list(wb[info_name].iter_rows(values_only=True))[1:]:
                if row and row[0]:
                    info[str(row[0]).strip()] = cell_text(row[1] if len(row) > 1 else None)
    finally:
        wb.close()
    if not grid:
        return _empty_decisions(), [], info
    headers = [cb.normalise_header(h) for h in grid[0]]
    missing = [c for c in ("pilot_id", "field", "final_code") if c not in headers]
    if missing:
        return _empty_decisions(), [Problem(path.name, sheet, 1, None, None,
                                            f"worksheet lacks column(s) {', '.join(missing)}")], \
            info
    today = (today or dt.date.today()).isoformat()
    records, problems = [], []
    fields = set(decidable_fields())
    for number, row in enumerate(grid[1:], start=2):
        values = dict(zip(headers, (cb.clean_text(v) for v in row)))
        final = values.get("final_code", "")
        if not final:
            continue
        name, pilot = cb.normalise_header(values.get("field", "")), values.get("pilot_id", "")
        if not pilot or name not in fields:
            problems.append(Problem(path.name, sheet, number, "field" if pilot else "pilot_id",
                                    name if pilot else pilot,
                                    "unknown field" if pilot else "empty pilot_id"))
            continue
        code, message = code_decision(name, final)
        if code is None:
            problems.append(Problem(path.name, sheet, number, "final_code", final,
                                    f"{name}: {message}"))
            continue
        records.append({"pilot_id": pilot, "field": name, "code": code,
                        "coder": values.get("coder", "") or (coder or ""),
                        "date": (values.get("date", "") or today)[:10],
                        "note": values.get("note", ""), ROW_COL: number})
    frame = pd.DataFrame(records) if records else _empty_decisions()
    return frame, problems, info


# ================================================================ command line

def register_cli(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "template", help="write an Excel intake template made from the codebook",
        description="Write an intake workbook (sheets respondenten, experimenten, codeboek, "
                    "toelichting) generated from the codebook, with drop-down lists (Dutch "
                    "labels) and one ja/nee column per option of a multi field. A filled-in "
                    "template passes `shv check` without edits.")
    p.add_argument("out", metavar="OUT.xlsx", help="workbook to write")
    p.add_argument("--rows", type=int, default=TEMPLATE_ROWS,
                   help=f"rows per sheet with drop-down lists (default {TEMPLATE_ROWS})")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser(
        "code", help="coding worksheet with suggested codes; read coders' decisions back",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Two steps of assisted coding:\n\n"
            "  shv code DATA --out WORKSHEET.xlsx\n"
            "      list every pilot whose type, fasen, partners or doelgroepen is empty while\n"
            "      titel/omschrijving is filled, with a suggested code from the codebook's\n"
            "      keyword rules (status suggested / ambiguous / none) and a final_code column\n"
            "      with a drop-down of allowed codes. Earlier decisions are prefilled.\n\n"
            "  shv code --read WORKSHEET.xlsx [--decisions FILE] [--coder NAME]\n"
            "      store the filled-in final codes in the decisions file (CSV UTF-8: pilot_id,\n"
            "      field, code, coder, date, note), updating earlier decisions of the same\n"
            "      pilot and field.\n\n"
            "The decisions file is applied whenever the dataset is loaded (`shv check`,\n"
            "`shv figures`, shv.load(), ...): only to EMPTY cells; a typed value is never\n"
            "overwritten. Default "
            "location: DATA/beslissingen.csv for a folder, <stem>.beslissingen.csv beside a\n"
            "workbook."))
    p.add_argument("data", nargs="?", metavar="DATA",
                   help="dataset (.xlsx workbook or folder) to make a worksheet for")
    p.add_argument("--out", metavar="WORKSHEET.xlsx",
                   help="worksheet to write (default: codeerblad.xlsx in a dataset folder, "
                        "<stem>.codeerblad.xlsx beside a workbook)")
    p.add_argument("--read", metavar="WORKSHEET.xlsx",
                   help="read the final codes of a filled-in worksheet into the decisions file")
    p.add_argument("--decisions", metavar="FILE",
                   help="decisions file (default: the dataset's, see above)")
    p.add_argument("--fields", default=",".join(cb.CODING_FIELDS),
                   help="fields to code, comma-separated (default: %(default)s)")
    p.add_argument("--coder", help="coder name for rows whose coder cell is empty (--read)")
    p.add_argument("--force", action="store_true", help="overwrite an existing worksheet")
    p.set_defaults(func=cmd_code)


def cmd_template(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        print(f"error: {out}: the template must be an .xlsx file", file=sys.stderr)
        return EXIT_INVALID
    if out.exists() and not args.force:
        print(f"error: {out} exists; use --force to overwrite it", file=sys.stderr)
        return EXIT_INVALID
    if args.rows < 1:
        print("error: --rows must be at least 1", file=sys.stderr)
        return EXIT_INVALID
    write_template(out, rows=args.rows)
    print(f"template written: {out} (sheets: {EXPLANATION_SHEET}, {cb.RESPONDENTEN}, "
          f"{cb.EXPERIMENTEN}, {CODEBOOK_SHEET}, metadata)")
    return EXIT_OK


def default_worksheet_path(data: str | Path) -> Path:
    data = Path(data)
    if data.is_dir():
        return data / "codeerblad.xlsx"
    return data.with_name(f"{data.stem}.codeerblad.xlsx")


def _parse_fields(text: str) -> list[str]:
    names = [cb.normalise_header(n) for n in text.split(",") if n.strip()]
    allowed = decidable_fields()
    bad = [n for n in names if n not in allowed]
    if bad or not names:
        raise ValueError(f"--fields: unknown field(s) {', '.join(bad) or '(none)'}; allowed: "
                         + ", ".join(allowed))
    return names


def cmd_code(args: argparse.Namespace) -> int:
    if args.read:
        return _cmd_read(args)
    if not args.data:
        print("error: give DATA (to write a worksheet) or --read WORKSHEET.xlsx",
              file=sys.stderr)
        return EXIT_INVALID
    try:
        fields = _parse_fields(args.fields)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    out = Path(args.out) if args.out else default_worksheet_path(args.data)
    if out.exists() and not args.force:
        print(f"error: {out} exists; use --force to overwrite it (decisions already read "
              "from it are kept in the decisions file)", file=sys.stderr)
        return EXIT_INVALID
    pilots, problems = raw_pilots(args.data)
    if pilots is None or "pilot_id" not in pilots.columns:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"error: {args.data}: no table '{cb.EXPERIMENTEN}' with a pilot_id column to "
              "code", file=sys.stderr)
        return EXIT_INVALID
    decisions_path = Path(args.decisions) if args.decisions else default_decisions_path(
        args.data)
    prior = None
    if decisions_path.is_file():
        prior, _ = read_decisions(decisions_path)
    rows = worksheet_rows(pilots, fields, prior)
    write_worksheet(rows, out, data=args.data, decisions_path=decisions_path, fields=fields)
    counts = rows["status"].value_counts()
    decided = int(rows["final_code"].ne("").sum())
    print(f"worksheet written: {out}: {len(rows)} record(s) to decide "
          f"({int(counts.get(SUGGESTED, 0))} suggested, {int(counts.get(AMBIGUOUS, 0))} "
          f"ambiguous, {int(counts.get(NONE, 0))} without suggestion; {decided} already "
          f"decided in {decisions_path.name})")
    if problems:
        print(f"note: the dataset has {len(problems)} reading problem(s); run `shv check`",
              file=sys.stderr)
    return EXIT_OK


def _cmd_read(args: argparse.Namespace) -> int:
    sheet_path = Path(args.read)
    if not sheet_path.is_file():
        print(f"error: {sheet_path} not found", file=sys.stderr)
        return EXIT_INVALID
    frame, problems, info = read_worksheet(sheet_path, coder=args.coder)
    if args.decisions:
        target = Path(args.decisions)
    elif info.get("decisions"):
        target = Path(info["decisions"])
    elif args.data:
        target = default_decisions_path(args.data)
    else:
        print("error: the worksheet does not name its decisions file; give --decisions FILE",
              file=sys.stderr)
        return EXIT_INVALID
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problem(s): nothing written; correct the worksheet and read it "
              "again", file=sys.stderr)
        return EXIT_INVALID
    existing = read_decisions(target)[0] if target.is_file() else _empty_decisions()
    merged = merge_decisions(existing, frame)
    write_decisions(merged, target)
    print(f"{len(frame)} decision(s) read from {sheet_path.name}; {len(merged)} decision(s) "
          f"in {target}")
    return EXIT_OK
