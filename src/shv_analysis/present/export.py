r"""Safe, deterministic CSV and Excel files of result tables.

Formula injection: every text cell (header, label, title, footnote) written to CSV or Excel
goes through `safe_cell`, which puts an apostrophe before text starting with `=`, `+`, `-`,
`@`, a tab or a carriage return, so a spreadsheet never evaluates it. Numbers stay numbers.

CSV layout (`write_table_csv`): UTF-8 with a byte-order mark (so Excel shows é and ë right;
pandas strips the mark), comma-separated, `.` as decimal point, "\n" line ends (a carriage
return inside a text cell is written as "\n", so the cell is quoted and stays one cell), one
header row with the table's display headers (`Table.headers`; the column codes stay in
memory), the rows in the table's order, floats
rounded to `CSV_DECIMALS` decimals. The CSV holds data only: `pandas.read_csv(path)` loads it
as is. The title, footnote (n and base), statistical test and synthetic notice go to a
sidecar `<name>.json` beside it (`read_table` reads both back into a `Table`).

Workbook layout (`write_workbook`): a first sheet 'Toelichting' (nl) / 'About' (en) with the
dataset name, the synthetic notice and the list of sheets; then one sheet per table with
its title, the notice, labelled bold headers, the rows, and under them the footnote lines.
Sheet names come from the tables' titles (with the section number), at most 31 characters
cut at a word boundary, and unique; the about sheet links to every sheet. Every sheet prints
on A4 fitted to the width, its header row repeated, the notice in the page header and the
page number in the footer. No formulas. Workbook properties carry a fixed date and the zip
entries fixed timestamps, so two runs give byte-identical files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from shv_analysis.analysis.tables import Table
from shv_analysis.text import both, normalise_lang, texts

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_DECIMALS = 4
SIDECAR_SUFFIX = ".json"
FIXED_TIME = dt.datetime(2020, 1, 1, 0, 0, 0)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
MAX_SHEET_NAME = 31
ABOUT_SHEET = both("export.about.sheet_name")
NOTICE_COLOR = "B00020"


def safe_cell(value):
    """Text that a spreadsheet would read as a formula gets a leading apostrophe.

    Applies to text starting with `=`, `+`, `-`, `@`, tab or carriage return; other values
    (numbers, None, other text) are returned unchanged. Idempotent.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_text(value: str) -> str:
    r"""`safe_cell`, then carriage returns as line feeds.

    The CSV is written with "\n" line ends, and the csv module quotes only fields holding a
    character of the line terminator: a bare "\r" would stay unquoted, end the record there
    for Excel and other readers, and start a new row with whatever follows it (such as
    "=1+1", which would then be a formula). As "\n" the field is quoted and stays one cell.
    """
    return safe_cell(value).replace("\r\n", "\n").replace("\r", "\n")


def _csv_frame(table: Table) -> pd.DataFrame:
    data = table.data.reset_index(drop=True).copy()
    headers = table.headers()
    for col in data.columns:
        series = data[col]
        if pd.api.types.is_float_dtype(series.dtype):
            data[col] = series.round(CSV_DECIMALS)
        elif not (
            pd.api.types.is_integer_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype)
        ):
            data[col] = series.map(lambda v: _csv_text(v) if isinstance(v, str) else v)
    data.columns = [_csv_text(h) for h in headers]
    return data


def _sidecar(table: Table, csv_name: str, extra: dict | None = None) -> dict:
    meta = {
        "title": table.title,
        "footnote": table.footnote,
        "n": int(table.n),
        "base": table.base,
        "notice": table.notice,
        "test": table.test,
        "key": table.key,
        "columns": table.headers(),
        "csv": csv_name,
        "csv_format": "UTF-8 with BOM, comma-separated, '.' decimal point, header row; "
        "text starting with = + - @ tab or CR is prefixed with an apostrophe",
    }
    meta.update(extra or {})
    return meta


def write_table_csv(table: Table, path: str | Path, extra: dict | None = None) -> list[Path]:
    """Write `path` (data only) and its sidecar `<stem>.json` (title, footnote, notice).

    Returns both paths. Load with `pandas.read_csv(path)` or `read_table(path)`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = _csv_frame(table).to_csv(index=False, lineterminator="\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    sidecar = path.with_suffix(SIDECAR_SUFFIX)
    sidecar.write_text(
        json.dumps(_sidecar(table, path.name, extra), ensure_ascii=False, indent=1, sort_keys=True)
        + "\n",
        encoding="utf-8",
    )
    return [path, sidecar]


def read_table(path: str | Path) -> Table:
    """A Table back from a CSV written by `write_table_csv` and its sidecar.

    The files hold display headers only, so the columns of the Table read back are those
    headers (no labels). The percentage columns are the ones the file format marks as such:
    a header '%' or ending in '(%)' (`meta["percent"]`).
    """
    path = Path(path)
    meta = json.loads(path.with_suffix(SIDECAR_SUFFIX).read_text("utf-8"))
    data = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, na_values=[""])
    if len(meta.get("columns", [])) == len(data.columns):
        data.columns = meta["columns"]
    percent = [c for c in data.columns if _percent_header(str(c))]
    kept = {k: v for k, v in meta.items() if k in ("section", "order", "sheet", "number_formats")}
    return Table(
        data=data,
        title=meta["title"],
        footnote=meta["footnote"],
        key=meta["key"],
        n=meta["n"],
        base=meta["base"],
        notice=meta.get("notice"),
        test=meta.get("test"),
        meta={**kept, "percent": percent},
    )


def _percent_header(header: str) -> bool:
    """How an exported header marks a percentage column: '%' or '... (%)'."""
    return header.strip().startswith("%") or header.endswith("(%)")


# ---------------------------------------------------------------- workbook

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def cut_at_word(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary (a hard cut only for a
    first word longer than `limit`), without trailing spaces or punctuation.
    """
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[: limit + 1] else text[:limit]
    return cut[:limit].rstrip(" ,;:-–(")


def unique_sheet_names(hints: Iterable[str], reserved: Iterable[str] = ()) -> list[str]:
    r"""Excel-valid sheet names (≤ 31 characters, no []:*?/\\), unique case-insensitively,
    cut at a word boundary; a repeated name gets " (2)", " (3)", ...
    """
    taken = {r.lower() for r in reserved}
    names = []
    for hint in hints:
        base = _BAD_SHEET_CHARS.sub("_", str(hint)).strip().strip("'") or "Tabel"
        base = cut_at_word(base, MAX_SHEET_NAME)
        name, i = base, 2
        while name.lower() in taken:
            suffix = f" ({i})"
            name = cut_at_word(base, MAX_SHEET_NAME - len(suffix)) + suffix
            i += 1
        taken.add(name.lower())
        names.append(name)
    return names


def sheet_hint(hint: str, table: Table) -> str:
    """The name a table's sheet should get: its section number (the hint's first word when
    that is a number, as `Section` writes it) and its title in the report language.
    """
    first = str(hint).split(" ", 1)[0]
    return f"{first} {table.title}" if first.isdigit() else table.title


def _footer_text(text: str) -> str:
    return text.replace("&", "&&")  # header/footer codes start with &


def _print_setup(ws, header_row: int | None, notice: str | None) -> None:
    """A4, fit to the page width, the header row repeated on every page, the notice in the
    page header and the page number in the footer.
    """
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if header_row:
        ws.print_title_rows = f"{header_row}:{header_row}"
    if notice:
        ws.oddHeader.center.text = _footer_text(notice)[:250]
        ws.oddHeader.center.size = 8
        ws.oddHeader.center.color = NOTICE_COLOR
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.right.text = "&P / &N"


def _cell_value(value):
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, (bool, int, float)):
        return value
    return safe_cell(str(value))


def _put(ws, row: int, col: int, value, **style):
    cell = ws.cell(row=row, column=col, value=_cell_value(value))
    if cell.data_type == "f":  # never a formula, whatever slipped through
        cell.data_type = "s"
    for key, val in style.items():
        setattr(cell, key, val)
    return cell


def _table_sheet(ws, table: Table, fonts: dict) -> None:
    from openpyxl.utils import get_column_letter

    row = 1
    _put(ws, row, 1, table.title, font=fonts["title"])
    if table.notice:
        row += 1
        _put(ws, row, 1, table.notice, font=fonts["notice"])
    row += 2
    header_row = row
    columns = table.headers()
    for j, col in enumerate(columns, start=1):
        _put(ws, row, j, col, font=fonts["bold"])
    percent = set(table.percent_columns())
    pct_cols = {j for j, c in enumerate(table.data.columns, start=1) if c in percent}
    formats = {
        j: table.meta["number_formats"][str(c)]  # from the sidecar (cross-tab numbers)
        for j, c in enumerate(table.data.columns, start=1)
        if str(c) in table.meta.get("number_formats", {})
    }
    for values in table.data.itertuples(index=False):
        row += 1
        for j, value in enumerate(values, start=1):
            cell = _put(ws, row, j, value)
            if j in formats and isinstance(cell.value, (int, float)):
                cell.number_format = formats[j]
            elif j in pct_cols and isinstance(cell.value, float):
                cell.number_format = "0.0"
    row += 1
    for line in table.footer().splitlines():
        row += 1
        _put(ws, row, 1, line, font=fonts["notice"] if line == table.notice else fonts["note"])
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    _print_setup(ws, header_row, table.notice)
    for j, col in enumerate(columns, start=1):
        cells = [col] + [str(v) for v in table.data.iloc[:, j - 1].tolist()]
        width = min(60, max(8, max(len(c) for c in cells) + 2))
        ws.column_dimensions[get_column_letter(j)].width = width


def _deterministic_zip(data: bytes) -> bytes:
    """Same entries, fixed timestamps and a fixed modified date in docProps/core.xml."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    content,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return out.getvalue()


def write_workbook(
    tables: Sequence[Table] | Sequence[tuple[str, Table]],
    path: str | Path,
    notice: str | None = None,
    lang: str = "nl",
    dataset: str | None = None,
) -> Path:
    """One workbook: an about sheet, then one sheet per table (see the module docstring).

    `tables`: Tables, or (sheet name hint, Table) pairs. `notice`: the synthetic notice (None
    for real data). Returns the path.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.hyperlink import Hyperlink
    from openpyxl.writer.excel import ExcelWriter

    from shv_analysis import __version__

    lang = normalise_lang(lang)
    words = texts("export.about", lang)
    pairs = [(t.key, t) if isinstance(t, Table) else (t[0], t[1]) for t in tables]
    about = ABOUT_SHEET[lang]
    names = unique_sheet_names([sheet_hint(hint, table) for hint, table in pairs], reserved=[about])
    fonts = {
        "title": Font(bold=True, size=13),
        "bold": Font(bold=True),
        "notice": Font(bold=True, color=NOTICE_COLOR),
        "note": Font(italic=True, size=9),
    }

    wb = Workbook()
    ws = wb.active
    ws.title = about
    _put(ws, 1, 1, words["title"], font=fonts["title"])
    _put(ws, 3, 1, words["dataset"], font=fonts["bold"])
    _put(ws, 3, 2, dataset or "")
    _put(ws, 4, 1, words["synthetic"], font=fonts["bold"])
    _put(ws, 4, 2, notice or words["real"], **({"font": fonts["notice"]} if notice else {}))
    _put(ws, 6, 1, words["sheets"], font=fonts["bold"])
    for j, head in enumerate((words["sheet"], words["table"], words["note"]), start=1):
        _put(ws, 7, j, head, font=fonts["bold"])
    for i, (name, (_, table)) in enumerate(zip(names, pairs), start=8):
        link = _put(ws, i, 1, name)
        quoted = name.replace("'", "''")
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{quoted}'!A1")
        link.style = "Hyperlink"
        _put(ws, i, 2, table.title)
        _put(ws, i, 3, table.footnote)
    _put(ws, 9 + len(pairs), 1, words["made"].format(v=__version__), font=fonts["note"])
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 60
    ws.column_dimensions["C"].width = 90
    _print_setup(ws, 7, notice)

    for name, (_, table) in zip(names, pairs):
        if notice and not table.notice:  # the workbook's notice on every sheet
            table = dataclasses.replace(table, notice=notice)
        _table_sheet(wb.create_sheet(name), table, fonts)

    wb.properties.creator = "shv-analysis"
    wb.properties.lastModifiedBy = None
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_deterministic_zip(buffer.getvalue()))
    return path


def tables_in_folder(folder: str | Path) -> list[tuple[str, Table]]:
    """(sheet hint, Table) for every CSV+sidecar in a folder, in the order they were made."""
    folder = Path(folder)
    found = []
    for csv_path in sorted(folder.glob("*.csv")):
        if not csv_path.with_suffix(SIDECAR_SUFFIX).is_file():
            continue
        table = read_table(csv_path)
        order = (str(table.meta.get("section", "")), int(table.meta.get("order", 0)), csv_path.name)
        found.append((order, table.meta.get("sheet") or csv_path.stem, table))
    found.sort(key=lambda item: item[0])
    return [(hint, table) for _, hint, table in found]


def workbook_from_folder(
    folder: str | Path,
    path: str | Path,
    notice: str | None = None,
    lang: str = "nl",
    dataset: str | None = None,
) -> Path:
    """All tables a report wrote to `folder` (CSV + sidecar) in one workbook."""
    return write_workbook(tables_in_folder(folder), path, notice=notice, lang=lang, dataset=dataset)
