"""Write the mini inventory (tests/fixtures/mini) in every form the data contract allows."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd

from shv_analysis.contract import codebook as cb

MINI = Path(__file__).parent / "fixtures" / "mini"


def mini_tables() -> dict[str, pd.DataFrame]:
    """The canonical mini inventory as text frames (codes, comma CSV)."""
    return {
        name: pd.read_csv(MINI / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in cb.TABLE_NAMES
    }


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def relabel(
    tables: dict[str, pd.DataFrame], lang: str, case=str.upper, accents: bool = True
) -> dict[str, pd.DataFrame]:
    """Codes replaced by their labels in `lang`, in odd case, multi parts joined by ' | '."""
    out = {}
    for name, frame in tables.items():
        frame = frame.copy()
        for f in cb.fields(name):
            if f.name not in frame or f.kind not in ("single", "multi", "yesno"):
                continue
            if f.kind == "yesno":
                frame[f.name] = frame[f.name].map({"ja": "Waar", "nee": "n"})
                continue

            def to_label(cell: str, f=f) -> str:
                parts = [p for p in cell.split(";") if p]
                labels = [case(f.code_label(p, lang)) for p in parts]
                labels = labels if accents else [_strip_accents(x) for x in labels]
                return " | ".join(labels)

            frame[f.name] = frame[f.name].map(to_label)
        out[name] = frame
    return out


def multi_as_columns(tables: dict[str, pd.DataFrame], yes="x", no="") -> dict[str, pd.DataFrame]:
    """Every multi field as one `<field>__<code>` yes/no column per option."""
    exp = tables[cb.EXPERIMENTEN].copy()
    for f in cb.fields(cb.EXPERIMENTEN):
        if f.kind != "multi":
            continue
        parts = exp.pop(f.name).map(lambda c: set(p for p in c.split(";") if p))
        for code in f.code_list:
            exp[cb.multi_column(f.name, code)] = parts.map(lambda s, c=code: yes if c in s else no)
    return {**tables, cb.EXPERIMENTEN: exp}


def odd_headers(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Headers as people type them: 'Respondent ID', ' PILOT-ID ', 'Verwachte Effecten'."""

    def fix(col: str) -> str:
        return " " + col.replace("_", " ").title() + " " if "__" not in col else col.upper()

    return {name: frame.rename(columns=fix) for name, frame in tables.items()}


def municipality_forms(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Municipalities as names, aliases and short codes instead of GMnnnn."""
    resp = tables[cb.RESPONDENTEN].copy()
    resp["gemeentecodes"] = ["amsterdam", "gm0193", "Appingedam", "10, Loppersum", "228"]
    resp["gespreksdatum"] = ["12-03-2019", "2019-05-14", "", "30-09-2019", ""]
    return {**tables, cb.RESPONDENTEN: resp}


def write_csv_folder(tables, folder: Path, encoding="utf-8", sep=",") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False, sep=sep, encoding=encoding)
    return folder


def write_workbook(tables, path: Path, sheet_names=None, extra_sheet=True) -> Path:
    sheet_names = sheet_names or {n: n for n in tables}
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        if extra_sheet:
            pd.DataFrame({"notes": ["ignored sheet"]}).to_excel(
                writer, sheet_name="Toelichting", index=False
            )
        for name, frame in tables.items():
            frame.to_excel(writer, sheet_name=sheet_names[name], index=False)
    return path
