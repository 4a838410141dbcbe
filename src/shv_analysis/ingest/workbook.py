"""Reading `.xlsx` workbooks as a spreadsheet program shows them.

openpyxl's fast read-only reader trusts facts a workbook stores about itself: the used-range
tag `<dimension>` (stale in files written by some tools, so rows go missing), and every styled
cell down to Excel's last row (a million formatted but empty rows take minutes). It cannot
open "Strict Open XML" workbooks at all, and it does not spread a merged value over its range.
This module prepares a workbook before openpyxl sees it:

- each worksheet is streamed once and cut after the last row that holds a value (rows that
  only carry formatting are dropped while reading, so memory and time follow the data);
- a Strict Open XML workbook is translated to the transitional namespaces openpyxl reads;
- merged ranges are collected, so the reader can give a merged value to every cell it covers;
- the stored dimension is ignored (`reset_dimensions`).
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from posixpath import dirname, join, normpath
from xml.etree import ElementTree

from shv_analysis.contract.problems import Problem

CHUNK = 1 << 22  # bytes of worksheet XML decompressed at a time
MAX_PENDING = 1 << 23  # empty-row XML held before it is dropped
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
STRICT_MARK = b"purl.oclc.org/ooxml/"
RESAVE_STRICT = (
    "it is saved as 'Strict Open XML Spreadsheet'; in Excel choose File > Save As > "
    "'Excel Workbook (*.xlsx)' and read that file"
)

# Strict Open XML namespaces and relationship types -> their transitional forms.
_STRICT_SPECIAL = {
    b"http://purl.oclc.org/ooxml/officeDocument/relationships/extendedProperties": b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties",
    b"http://purl.oclc.org/ooxml/officeDocument/relationships/customProperties": b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties",
    b"http://purl.oclc.org/ooxml/officeDocument/extendedProperties": b"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    b"http://purl.oclc.org/ooxml/officeDocument/customProperties": b"http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
}
_STRICT_NS_RE = re.compile(rb"http://purl\.oclc\.org/ooxml/(\w+)/(\w+)")
_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Za-z]+\d+:[A-Za-z]+\d+)"')
_PREFIX_RE = re.compile(rb"<(\w+:)?sheetData[\s/>]")
_REF_RE = re.compile(r"^([A-Za-z]+)(\d+)$")


class WorkbookError(ValueError):
    """A workbook that cannot be read; the message says why and what to do."""


@dataclass
class PreparedWorkbook:
    """A workbook ready for openpyxl: the bytes to open and facts gathered on the way.

    Attributes:
        data: an in-memory `.xlsx` (worksheets stored uncompressed, cut after their last
            value; transitional namespaces).
        strict: whether the file was a Strict Open XML workbook.
        merges: sheet name -> merged ranges as written (`"E2:E4"`).
    """

    data: io.BytesIO
    strict: bool = False
    merges: dict[str, list[str]] = field(default_factory=dict)


def _from_strict(data: bytes) -> bytes:
    """Strict Open XML part -> the same part in transitional namespaces."""
    for strict, transitional in _STRICT_SPECIAL.items():
        data = data.replace(strict, transitional)
    return _STRICT_NS_RE.sub(rb"http://schemas.openxmlformats.org/\1/2006/\2", data)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _part_path(base: str, target: str) -> str:
    """A relationship target resolved against the folder of the part that names it."""
    if target.startswith("/"):
        return target.lstrip("/")
    return normpath(join(dirname(base), target))


def _relationships(zf: zipfile.ZipFile, part: str, strict: bool) -> dict[str, str]:
    """Relationship id -> part path for one part (`xl/workbook.xml` -> its `.rels`)."""
    rels = join(dirname(part), "_rels", part.rsplit("/", 1)[-1] + ".rels")
    try:
        data = zf.read(rels)
    except KeyError:
        return {}
    root = ElementTree.fromstring(_from_strict(data) if strict else data)
    return {
        r.get("Id"): _part_path(part, r.get("Target", ""))
        for r in root
        if _local(r.tag) == "Relationship" and r.get("Id")
    }


def _sheet_parts(zf: zipfile.ZipFile, strict: bool) -> dict[str, str]:
    """Sheet name -> worksheet part path, from the workbook part and its relationships."""
    root_rels = ElementTree.fromstring(
        _from_strict(zf.read("_rels/.rels")) if strict else zf.read("_rels/.rels")
    )
    book = next(
        (r.get("Target", "") for r in root_rels if r.get("Type", "").endswith("/officeDocument")),
        "xl/workbook.xml",
    )
    book = _part_path("", book)
    rels = _relationships(zf, book, strict)
    data = zf.read(book)
    root = ElementTree.fromstring(_from_strict(data) if strict else data)
    parts = {}
    for element in root.iter():
        if _local(element.tag) == "sheet":
            rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            if rid in rels:
                parts[element.get("name", "")] = rels[rid]
    return parts


def _drop_empty_rows(pieces: list[bytes], prefix: bytes) -> list[bytes]:
    """Whole rows removed from `pieces` (XML after the last value, so rows without one).

    The row that holds the last value is closed by the first `</row>` and stays, as does
    the partial row at the end. Only called when the sheet's rows state their position
    (`r="..."`), so the rows after a dropped stretch keep their place.
    """
    close = b"</" + prefix + b"row>"
    for i, piece in enumerate(pieces):  # noqa: B007 (i is read after the loop)
        first = piece.find(close)
        if first >= 0:
            break
    else:
        return pieces
    for j in range(len(pieces) - 1, i - 1, -1):
        last = pieces[j].rfind(close)
        if last >= 0:
            break
    if j == i and last == first:
        return pieces
    head = b"".join(pieces[:i]) + pieces[i][: first + len(close)]
    return [head, pieces[j][last + len(close) :], *pieces[j + 1 :]]


def _rows_positioned(sample: bytes, prefix: bytes) -> bool:
    """Whether every row in `sample` states its row number (`<row r="...">`)."""
    row = b"<" + prefix + b"row"
    total = sample.count(row + b" ") + sample.count(row + b">")
    return total > 0 and total == len(
        re.findall(rb"<" + re.escape(prefix) + rb"row\s[^>]*?\br=\"", sample)
    )


def _trim_sheet(stream) -> tuple[bytes, list[str]]:
    """Worksheet XML cut after the last row holding a value, and its merged ranges.

    The stream is read in chunks; the XML after the last closed cell (`</c>`: a cell with a
    value, formula or inline text) is held back and, while it holds only rows without a
    value, dropped (when the sheet's rows state their row numbers), so a million styled
    empty rows cost one pass of decompression and no parsing.
    """
    kept: list[bytes] = []
    pending: list[bytes] = []
    size = 0
    prefix: bytes | None = None
    positioned = False
    value_end = b"</c>"
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        if prefix is None:
            match = _PREFIX_RE.search((pending[-1][-64:] if pending else b"") + chunk)
            if match:
                prefix = match.group(1) or b""
                value_end = b"</" + prefix + b"c>"
                start = chunk.find(b"<" + prefix + b"row")
                positioned = start >= 0 and _rows_positioned(
                    chunk[start : start + (1 << 20)], prefix
                )
        cut = chunk.rfind(value_end)
        cut = cut + len(value_end) if cut >= 0 else -1
        if cut < 0 and pending:  # a marker split over two chunks
            edge = pending[-1][-(len(value_end) - 1) :]
            joined = (edge + chunk[: len(value_end) - 1]).rfind(value_end)
            cut = joined + len(value_end) - len(edge) if joined >= 0 else -1
        if cut > 0:
            kept.extend(pending)
            kept.append(chunk[:cut])
            pending, size = [chunk[cut:]], len(chunk) - cut
        else:
            pending.append(chunk)
            size += len(chunk)
        if positioned and size > MAX_PENDING:
            pending = _drop_empty_rows(pending, prefix)
            size = sum(len(p) for p in pending)
    rest = b"".join(pending)
    tail = b""
    if prefix is not None:
        end_data = rest.find(b"</" + prefix + b"sheetData>")
        if end_data >= 0:
            tail = rest[end_data:]
            rest = rest[:end_data]
            if positioned:
                rest = b"".join(_drop_empty_rows([rest], prefix))
    merges = [m.decode("ascii").upper() for m in _MERGE_RE.findall(tail or rest)]
    return b"".join(kept) + rest + tail, merges


def prepare_workbook(path: str | Path) -> PreparedWorkbook:
    """Read `path` into a workbook openpyxl can open quickly and completely.

    Raises:
        WorkbookError: the file is no workbook (old `.xls`, encrypted, not a zip file, a
            damaged package); the message names the cause and what to do.
    """
    path = Path(path)
    with open(path, "rb") as handle:
        magic = handle.read(8)
    if magic == OLE_MAGIC:
        raise WorkbookError(
            "unreadable workbook: this is a password-protected workbook or an "
            "old Excel 97-2003 (.xls) file; remove the password or save it "
            "as 'Excel Workbook (*.xlsx)'"
        )
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise WorkbookError(
            f"unreadable workbook ({type(exc).__name__}: {exc}); save it as an Excel .xlsx file"
        ) from exc
    with zf:
        try:
            names = zf.namelist()
            book_bytes = next((zf.read(n) for n in names if n.endswith("workbook.xml")), b"")
            strict = STRICT_MARK in book_bytes[:4096]
            parts = _sheet_parts(zf, strict)
            sheet_of = {part: name for name, part in parts.items()}
            out = io.BytesIO()
            merges: dict[str, list[str]] = {}
            with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
                for info in zf.infolist():
                    if info.is_dir():
                        continue
                    if info.filename in sheet_of:
                        with zf.open(info) as stream:
                            data, found = _trim_sheet(stream)
                        merges[sheet_of[info.filename]] = found
                    else:
                        data = zf.read(info)
                    if strict and info.filename.endswith((".xml", ".rels")):
                        data = _from_strict(data)
                    target.writestr(info.filename, data)
        except WorkbookError:
            raise
        except Exception as exc:  # damaged package: zlib, XML or missing parts
            hint = f"; {RESAVE_STRICT}" if strict else "; save it again as an Excel .xlsx file"
            raise WorkbookError(f"unreadable workbook ({type(exc).__name__}: {exc}){hint}") from exc
    out.seek(0)
    return PreparedWorkbook(out, strict, merges)


def load(prepared: PreparedWorkbook, data_only: bool = True):
    """An openpyxl read-only workbook over the prepared bytes (stored dimensions ignored)."""
    import openpyxl

    prepared.data.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about harmless oddities
        workbook = openpyxl.load_workbook(prepared.data, read_only=True, data_only=data_only)
    for sheet in workbook.worksheets:
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()
    return workbook


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """'E2:E4' -> (first row, first column, last row, last column), 1-based."""
    corners = []
    for part in ref.split(":"):
        match = _REF_RE.match(part.strip())
        if not match:
            raise ValueError(f"not a cell range: {ref!r}")
        letters, row = match.groups()
        column = 0
        for ch in letters.upper():
            column = column * 26 + ord(ch) - 64
        corners.append((int(row), column))
    (r0, c0), (r1, c1) = corners[0], corners[-1]
    return min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1)


def spread_merges(rows: list[list[str]], merges: list[str]) -> list[tuple[str, int, int, str]]:
    """Give each merged range's value (its top-left cell) to every cell of the range, in place.

    Only ranges in data rows (below the header) are spread, and only down to the last row
    that holds data. Returns (range, first row, first column (0-based), value) per range
    that was spread.
    """
    spread = []
    for ref in merges:
        try:
            r0, c0, r1, c1 = parse_range(ref)
        except ValueError:
            continue
        if r0 < 2 or r0 > len(rows):
            continue
        top = rows[r0 - 1]
        value = top[c0 - 1] if c0 - 1 < len(top) else ""
        if not str(value).strip():
            continue
        for r in range(r0, min(r1, len(rows)) + 1):
            row = rows[r - 1]
            if len(row) < c1:
                row.extend([""] * (c1 - len(row)))
            for c in range(c0, c1 + 1):
                row[c - 1] = value
        if (r1 > r0 and r0 < len(rows)) or c1 > c0:
            spread.append((ref, r0, c0 - 1, value))
    return spread


def lock_file_warnings(folder: Path, tables: list[Path]) -> list[Problem]:
    """A warning per spreadsheet lock file (`~$name.xlsx`, `.~lock.name.xlsx#`) of a table:
    the workbook is open in a spreadsheet program and its unsaved changes are not read.
    """
    problems: list[Problem] = []
    try:
        names = [p.name for p in folder.iterdir() if p.is_file()]
    except OSError:
        return problems
    for lock in sorted(names):
        if lock.startswith("~$"):
            owner = lock[2:]
        elif lock.startswith(".~lock.") and lock.endswith("#"):
            owner = lock[len(".~lock.") : -1]
        else:
            continue
        for table in tables:
            # Excel names the lock after the file, or drops its first two letters
            if table.name == owner or (len(table.name) > 2 and table.name[2:] == owner):
                problems.append(
                    Problem(
                        table.name,
                        None,
                        None,
                        None,
                        lock,
                        "lock file found: the workbook is open in a "
                        "spreadsheet program; unsaved changes are not read "
                        "(save and close it, then check again)",
                        "warning",
                    )
                )
                break
    return problems
