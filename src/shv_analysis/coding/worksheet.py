"""The coding worksheet: pilots whose coded fields are empty, with suggested codes.

`shv code DATA --out WORKSHEET.xlsx` lists every pilot whose `type`, `fasen`, `partners` or
`doelgroepen` is empty while its titel/omschrijving is filled, with a suggested code from the
codebook's keyword rules (`codebook.CODING_RULES`, see `suggestions`). Coders fill the
`final_code` column (its drop-down uses codes, which is what the decisions file stores);
`shv code --read WORKSHEET.xlsx` turns their choices into decisions (see `decisions`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from shv_analysis.coding.decisions import code_decision, decidable_fields, empty_decisions
from shv_analysis.coding.suggestions import suggest_pilots
from shv_analysis.coding.workbook import (
    CODEBOOK_SHEET,
    WIDE_COLUMNS,
    add_validation,
    row_ranges,
    select_first,
    set_widths,
    write_codebook_sheet,
    write_header,
    write_text,
)
from shv_analysis.contract import codebook as cb
from shv_analysis.contract.problems import Problem
from shv_analysis.ingest.coding_fields import unified_table
from shv_analysis.ingest.rawtable import ROW_COL, cell_text
from shv_analysis.ingest.readers import read_dataset

WORKSHEET_COLUMNS = (
    "pilot_id",
    "field",
    "current_value",
    "titel",
    "omschrijving",
    "suggestion",
    "candidates",
    "trigger_words",
    "status",
    "final_code",
    "coder",
    "date",
    "note",
)
WORKSHEET_SHEET = "codeerblad"
INFO_SHEET = "info"


def default_worksheet_path(data: str | Path) -> Path:
    """Where `shv code DATA` writes the worksheet by default: `codeerblad.xlsx` in a dataset
    folder, `<stem>.codeerblad.xlsx` beside a workbook.
    """
    data = Path(data)
    if data.is_dir():
        return data / "codeerblad.xlsx"
    return data.with_name(f"{data.stem}.codeerblad.xlsx")


def raw_pilots(data: str | Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The raw experiments table of a dataset (text cells, multi fields as one `;` cell),
    without decisions applied; None when it cannot be read.
    """
    raw = read_dataset(data)
    table = raw.tables.get(cb.EXPERIMENTEN)
    if table is None:
        return None, [p for p in raw.problems if p.severity == "error"]
    frame, found = unified_table(table, raw.codebook)
    return frame, [p for p in raw.problems + found if p.severity == "error"]


def worksheet_rows(
    pilots: pd.DataFrame,
    fields: Sequence[str] = cb.CODING_FIELDS,
    decisions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every pilot x field needing a decision (field empty, titel/omschrijving filled), with
    its suggestion; earlier decisions prefill final_code, coder, date and note.
    """
    fields = list(fields)
    sugg = suggest_pilots(pilots, fields)
    current = pd.Series("", index=sugg.index, dtype=object)
    keys = sugg["key"].to_numpy()
    for name in fields:
        mask = sugg["field"].eq(name).to_numpy()
        if name in pilots.columns:
            current[mask] = (
                cb.clean_text_series(pilots[name].astype(str)).loc[keys[mask]].to_numpy()
            )
    need = sugg[current.eq("").to_numpy()].copy()
    keys = need["key"].to_numpy()
    out = pd.DataFrame(
        {
            "pilot_id": cb.clean_text_series(pilots.loc[keys, "pilot_id"].astype(str)).to_numpy(),
            "field": need["field"].to_numpy(),
            "current_value": "",
            "titel": _column_text(pilots, "titel", keys),
            "omschrijving": _column_text(pilots, "omschrijving", keys),
            "suggestion": need["suggestion"].fillna("").to_numpy(),
            "candidates": need["candidates"].map(";".join).to_numpy(),
            "trigger_words": need["trigger_text"].to_numpy(),
            "status": need["status"].to_numpy(),
            "final_code": "",
            "coder": "",
            "date": "",
            "note": "",
        }
    )
    out["_order"] = out["field"].map({f: i for i, f in enumerate(fields)})
    out["_rij"] = pilots.loc[keys, ROW_COL].to_numpy() if ROW_COL in pilots else range(len(out))
    out = out.sort_values(["_order", "_rij"], kind="stable").drop(columns=["_order", "_rij"])
    out = out.reset_index(drop=True)
    if decisions is not None and len(decisions):
        prior = decisions.assign(field=decisions["field"].map(cb.normalise_header))
        prior = prior.drop_duplicates(["pilot_id", "field"], keep="last").set_index(
            ["pilot_id", "field"]
        )
        index = pd.MultiIndex.from_arrays([out["pilot_id"], out["field"]])
        for src, dst in (
            ("code", "final_code"),
            ("coder", "coder"),
            ("date", "date"),
            ("note", "note"),
        ):
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
        rows += [
            {"tabel": f.table, "veld": f.name, "code": c.code, "label_nl": c.nl, "label_en": c.en}
            for c in f.codes
        ]
        if f.kind == "multi" and not f.required:
            rows.append(
                {
                    "tabel": f.table,
                    "veld": f.name,
                    "code": cb.NO_CODE,
                    "label_nl": "Geen (bewust leeg)",
                    "label_en": "None (deliberately)",
                }
            )
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


def write_worksheet(
    rows: pd.DataFrame,
    path: str | Path,
    data: str | Path | None = None,
    decisions_path: str | Path | None = None,
    fields: Sequence[str] = cb.CODING_FIELDS,
) -> Path:
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
    write_header(ws, headers, _WORKSHEET_HELP)
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, values in enumerate(rows[headers].itertuples(index=False, name=None), start=2):
        for c, value in enumerate(values, start=1):
            write_text(ws, r, c, value if value != "" else None)
        ws.cell(row=r, column=headers.index("omschrijving") + 1).alignment = wrap
    set_widths(ws, [WIDE_COLUMNS.get(h, max(len(h) + 4, 12)) for h in headers])
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
            type="list",
            formula1=ranges[(f.table, f.name)],
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning" if multi else "stop",
            errorTitle="Code niet in de lijst",
            error=(
                "Meer codes scheiden met ; is toegestaan."
                if multi
                else f"Kies een code van '{name}' uit de lijst."
            ),
        )
        add_validation(ws, dv, row_ranges(at.tolist(), letter))

    info = wb.create_sheet(INFO_SHEET)
    write_header(info, ["key", "value"])
    facts = [
        ("data", str(Path(data).resolve()) if data else ""),
        ("decisions", str(Path(decisions_path).resolve()) if decisions_path else ""),
        ("created", dt.date.today().isoformat()),
        ("fields", ";".join(fields)),
        ("rows", str(len(rows))),
    ]
    for r, (key, value) in enumerate(facts, start=2):
        write_text(info, r, 1, key)
        write_text(info, r, 2, value or None)
    set_widths(info, [12, 80])
    select_first(wb)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def read_worksheet(
    path: str | Path, coder: str | None = None, today: dt.date | None = None
) -> tuple[pd.DataFrame, list[Problem], dict]:
    """Decisions filled in a coding worksheet (rows with a final_code), the problems found
    (unknown field or code, with the worksheet row) and the worksheet's info sheet.
    """
    import openpyxl

    path = Path(path)
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = next((n for n in wb.sheetnames if cb.normalise(n) == WORKSHEET_SHEET), None)
        if sheet is None:
            return (
                empty_decisions(),
                [
                    Problem(
                        path.name,
                        None,
                        None,
                        None,
                        None,
                        f"no sheet '{WORKSHEET_SHEET}': not a coding worksheet of `shv code`",
                    )
                ],
                {},
            )
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
        return empty_decisions(), [], info
    headers = [cb.normalise_header(h) for h in grid[0]]
    missing = [c for c in ("pilot_id", "field", "final_code") if c not in headers]
    if missing:
        return (
            empty_decisions(),
            [
                Problem(
                    path.name,
                    sheet,
                    1,
                    None,
                    None,
                    f"worksheet lacks column(s) {', '.join(missing)}",
                )
            ],
            info,
        )
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
            problems.append(
                Problem(
                    path.name,
                    sheet,
                    number,
                    "field" if pilot else "pilot_id",
                    name if pilot else pilot,
                    "unknown field" if pilot else "empty pilot_id",
                )
            )
            continue
        code, message = code_decision(name, final)
        if code is None:
            problems.append(
                Problem(path.name, sheet, number, "final_code", final, f"{name}: {message}")
            )
            continue
        records.append(
            {
                "pilot_id": pilot,
                "field": name,
                "code": code,
                "coder": values.get("coder", "") or (coder or ""),
                "date": (values.get("date", "") or today)[:10],
                "note": values.get("note", ""),
                ROW_COL: number,
            }
        )
    frame = pd.DataFrame(records) if records else empty_decisions()
    return frame, problems, info
