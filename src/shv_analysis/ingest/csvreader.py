"""Reading one CSV file into a raw table, exactly as the contract allows.

The delimiter comes from Excel's `sep=` hint line or the header line, the encoding is UTF-8
or Windows-1252 as the file's own bytes show; NUL bytes, unsupported delimiters and files
mixing both encodings are refused with one problem naming the cause. Cells are parsed with
pyarrow's multithreaded reader, or with the csv module when rows are ragged, and the grid
becomes a raw table through `ingest.rawtable`.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from shv_analysis.contract.codebook import clean_text
from shv_analysis.contract.problems import Problem
from shv_analysis.ingest import csvtext
from shv_analysis.ingest.rawtable import RawTable, grid_to_table, rows_to_table


def _parse_csv_fast(data: bytes, delimiter: str, width: int) -> pd.DataFrame:
    """All cells as text with pyarrow's multithreaded reader; blank lines keep their row."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    names = [f"c{i}" for i in range(width)]
    table = pcsv.read_csv(
        io.BytesIO(data),
        read_options=pcsv.ReadOptions(column_names=names),
        parse_options=pcsv.ParseOptions(
            delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False
        ),
        convert_options=pcsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    frame = table.to_pandas()
    frame.columns = range(width)
    return frame


def read_csv_table(path: Path, name: str, problems: list[Problem]) -> RawTable | None:
    """A CSV file as the raw table `name` (e.g. a `codeboek.csv`); problems are appended.

    Cells are read with pyarrow's reader, or with the csv module when rows are ragged. The
    delimiter comes from Excel's `sep=` hint line when there is one, else from the
    header line; the encoding is UTF-8 when the file decodes as UTF-8, Windows-1252 when it
    holds no UTF-8 at all, and a mixed file is refused naming its rows that are not UTF-8.
    """
    data = path.read_bytes()
    if b"\x00" in data:
        problems.append(
            Problem(
                path.name,
                None,
                None,
                None,
                None,
                "unreadable file: contains NUL bytes, so it is not a CSV text file "
                "(save it as CSV UTF-8 or Windows-1252)",
            )
        )
        return None
    shape = csvtext.layout(data)
    body = shape.body
    if not body or body.isspace():
        return rows_to_table(name, path.name, None, [], problems)
    try:
        body.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        encoding = "mixed" if shape.bom or csvtext.utf8_evidence(body) else "cp1252"
    head = body[:65536]
    head_text = head.decode("utf-8" if encoding != "cp1252" else "cp1252", errors="replace")
    delimiter = shape.hint or csvtext.detect_delimiter(head_text)
    odd = None if shape.hint else csvtext.unsupported_delimiter(head_text)
    if odd or delimiter not in csvtext.SUPPORTED_DELIMITERS:
        found = csvtext.delimiter_name(odd or delimiter)
        source = "the file's 'sep=' line names" if shape.hint else "the header line is split by"
        problems.append(
            Problem(
                path.name,
                None,
                1,
                None,
                None,
                f"unsupported CSV dialect: {source} {found} as delimiter; the "
                "contract allows ',' or ';' (save it as 'CSV (comma "
                "delimited)' or 'CSV UTF-8')",
            )
        )
        return None
    if encoding == "mixed":
        bad = csvtext.non_utf8_rows(body, delimiter)
        rows = ", ".join(str(r) for r, _, _ in bad)
        header = next(csv.reader(io.StringIO(head_text, newline=""), delimiter=delimiter), [])
        row, column, cell = bad[0] if bad else (None, None, None)
        column_name = (
            clean_text(header[column]) if column is not None and column < len(header) else None
        )
        problems.append(
            Problem(
                path.name,
                None,
                row,
                column_name,
                cell,
                f"mixed encoding: the file is UTF-8, but row(s) {rows} hold bytes "
                "that are not UTF-8 (pasted from a Windows-1252 file?; the value "
                "shown reads them as Windows-1252); save the file again as "
                "'CSV UTF-8' after retyping those cells",
            )
        )
        return None
    if encoding == "cp1252":
        try:
            body = body.decode("cp1252").encode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(
                Problem(
                    path.name,
                    None,
                    None,
                    None,
                    None,
                    f"unreadable file: neither UTF-8 nor Windows-1252 (byte "
                    f"{exc.start}); save it as CSV UTF-8",
                )
            )
            return None
    header = next(csv.reader(io.StringIO(head_text, newline=""), delimiter=delimiter), [])
    try:
        grid = _parse_csv_fast(body, delimiter, len(header))
        return grid_to_table(name, path.name, None, grid, problems)
    except Exception:  # ragged rows or odd quoting: the csv module reports them row by row
        text = body.decode("utf-8")
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        return rows_to_table(name, path.name, None, rows, problems)
