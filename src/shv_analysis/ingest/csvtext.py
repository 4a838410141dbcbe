"""CSV files as exporters write them: byte-order marks, Excel's `sep=` hint line, delimiters
and encodings, each decided per file with evidence from the file itself.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

BOM = b"\xef\xbb\xbf"
SUPPORTED_DELIMITERS = (",", ";")
_HINT_RE = re.compile(rb'^"?sep=(.)"?[ \t]*(\r\n|\r|\n|$)', re.IGNORECASE)
# A multi-byte UTF-8 sequence: evidence that a file was written as UTF-8.
_UTF8_SEQ = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|"
    rb"[\xf0-\xf4][\x80-\xbf]{3}"
)
_DELIMITER_NAMES = {"\t": "tab", "|": "'|'", ":": "':'", " ": "space"}


def delimiter_name(delimiter: str) -> str:
    """A delimiter as a user can read it in a message ("tab", "';'")."""
    return _DELIMITER_NAMES.get(delimiter, repr(delimiter))


@dataclass
class CsvLayout:
    """What a CSV file's first bytes say about it.

    Attributes:
        body: the bytes after any byte-order mark and `sep=` hint line.
        bom: whether the file starts with a UTF-8 byte-order mark.
        hint: the delimiter named by a `sep=` first line, or None.
    """

    body: bytes
    bom: bool
    hint: str | None


def layout(data: bytes) -> CsvLayout:
    """Split off the byte-order mark and Excel's `sep=;` hint line (not a row in Excel)."""
    bom = data.startswith(BOM)
    body = data[3:] if bom else data
    hint = None
    match = _HINT_RE.match(body[:64])
    if match:
        try:
            hint = match.group(1).decode("ascii")
        except UnicodeDecodeError:
            hint = match.group(1).decode("cp1252")
        body = body[match.end() :]
    return CsvLayout(body, bom, hint)


def decode_csv(data: bytes) -> tuple[str, str]:
    """Text and encoding of a CSV file: UTF-8 (with or without BOM) or Windows-1252."""
    if data.startswith(BOM):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252"), "cp1252"


def _header_line(text: str) -> str:
    """The first record's text outside quotes."""
    header, in_quotes = [], False
    for ch in text:
        if ch == '"':
            in_quotes = not in_quotes
        elif ch in "\r\n" and not in_quotes:
            break
        elif not in_quotes:
            header.append(ch)
    return "".join(header)


def detect_delimiter(text: str) -> str:
    """`;` or `,`, whichever occurs more often outside quotes in the header line."""
    line = _header_line(text)
    return ";" if line.count(";") > line.count(",") else ","


def unsupported_delimiter(text: str) -> str | None:
    """A tab, `|` or `:` that separates the header line's names more than `,`/`;` do, or None."""
    line = _header_line(text)
    supported = max(line.count(d) for d in SUPPORTED_DELIMITERS)
    best = max(("\t", "|"), key=line.count)
    return best if line.count(best) > supported else None


def utf8_evidence(data: bytes) -> bool:
    """Whether `data` holds a well-formed multi-byte UTF-8 sequence (so it was written as
    UTF-8, even if some bytes break it).
    """
    return _UTF8_SEQ.search(data) is not None


def non_utf8_rows(body: bytes, delimiter: str, limit: int = 10) -> list[tuple[int, int, str]]:
    """Records whose bytes are not UTF-8: (spreadsheet row, column index, cell as cp1252).

    Rows are counted as a spreadsheet shows them (header = row 1, a quoted line break stays
    inside its record), never as lines of the file.
    """
    text = body.decode("utf-8", errors="surrogateescape")
    found = []
    for number, record in enumerate(
        csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1
    ):
        for column, cell in enumerate(record):
            if any("\udc80" <= ch <= "\udcff" for ch in cell):
                found.append(
                    (
                        number,
                        column,
                        "".join(
                            bytes([ord(ch) - 0xDC00]).decode("cp1252", errors="replace")
                            if "\udc80" <= ch <= "\udcff"
                            else ch
                            for ch in cell
                        ),
                    )
                )
                break
        if len(found) >= limit:
            break
    return found
