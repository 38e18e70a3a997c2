"""Reading an uploaded spreadsheet: CSV (UTF-8, with or without BOM; comma, semicolon or tab) or XLSX.

Each row keeps the line number a spreadsheet program shows for it, so the dry-run report
points at the line a coordinator can find. Cells come back as the file holds them: text
from CSV; text, numbers, dates or booleans from XLSX (dates are Excel's, read by openpyxl).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from server.errors import ApiError

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
DELIMITERS = ",;\t"
# An XLSX is a zip: a 2 MiB upload can unpack to gigabytes (a zip bomb), which openpyxl would
# hold in memory. A real list of 5,000 trainees unpacks to a few megabytes.
XLSX_MAX_UNPACKED_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Row:
    line: int
    cells: tuple[Any, ...]

    def is_blank(self) -> bool:
        return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in self.cells)


def read_rows(data: bytes, max_rows: int) -> list[Row]:
    """Return the non-blank rows of the file's first sheet, refusing more than `max_rows` (+ a header)."""
    if not data.strip():
        raise ApiError(400, "empty_file", "the file is empty")
    if data.startswith(OLE_MAGIC):
        raise ApiError(400, "unsupported_file", "this is an old Excel file (.xls): save it as .xlsx or CSV UTF-8")
    rows = _xlsx_rows(data) if data.startswith(ZIP_MAGIC) else _csv_rows(data)
    kept: list[Row] = []
    # A few title lines above the header are allowed, so the header counts too.
    limit = max_rows + 20
    for row in rows:
        if row.is_blank():
            continue
        kept.append(row)
        if len(kept) > limit:
            break
    if not kept:
        raise ApiError(400, "empty_file", "the file has no rows")
    return kept


def _xlsx_rows(data: bytes) -> Iterator[Row]:
    _refuse_zip_bomb(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as err:
        raise ApiError(400, "unreadable_file",
                       "this file is not an XLSX workbook that can be read: save it again as .xlsx or CSV UTF-8"
                       ) from err
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            return
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield Row(line, tuple(values))
    finally:
        book.close()


def _refuse_zip_bomb(data: bytes) -> None:
    # zipfile stops at each member's declared size (a longer stream fails its CRC), so the
    # declared sizes bound what openpyxl can unpack.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # load_workbook says the file is unreadable
    if unpacked > XLSX_MAX_UNPACKED_BYTES:
        raise ApiError(413, "file_too_large", "this workbook is too large once unpacked: split the list into "
                       "smaller files", {"max_unpacked_bytes": XLSX_MAX_UNPACKED_BYTES})


def _csv_rows(data: bytes) -> Iterator[Row]:
    text = _decode(data)
    lines = text.splitlines()
    first = lines[0] if lines else ""
    if first.lower().startswith("sep=") and len(first) >= 5:
        # Excel's own hint line; Excel hides it, so the lines it shows start after it.
        delimiter, text = first[4], text.split("\n", 1)[1] if "\n" in text else ""
    else:
        delimiter = _sniff(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for line, cells in enumerate(reader, start=1):
            yield Row(line, tuple(cells))
    except csv.Error as err:
        raise ApiError(400, "unreadable_file", f"this CSV file cannot be read: {err}") from err


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode Text" (UTF-16, tab-separated).
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ApiError(400, "not_utf8", "this file is not UTF-8 text: in Excel, save it as "
                                        "\"CSV UTF-8 (Comma delimited)\", or as .xlsx") from err


def _sniff(text: str) -> str:
    """Pick the delimiter the header line uses most: Excel in Vietnamese often writes semicolons."""
    head = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: head.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","
