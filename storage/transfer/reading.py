"""Reading a spreadsheet a person sent: CSV or XLSX, within limits, never trusting the bytes.

Outcomes, not sentences: every refusal is a FileProblem (its kind and the numbers), and the bot
words it. The content decides the format (an .xlsx renamed .csv still reads); the file name is
only a hint for a better refusal.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

CellValue = str | int | float | bool | date | datetime | None

# Telegram lets a bot download files of up to 20 MB; nothing bigger can reach us anyway.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 100
MAX_ROW_CHARS = 20_000
# Rows of nothing but empty cells are skipped, but not without end.
MAX_BLANK_ROWS = 100_000
# An XLSX is a zip: its declared sizes bound what zipfile will inflate, so they are checked
# before anything is opened (a zip bomb declares gigabytes in a few kilobytes).
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_ZIP_ENTRIES = 2_000
HEADER_SEARCH_ROWS = 10
SNIFF_CHARS = 64 * 1024
DELIMITERS = ",;\t|"

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")


class FileProblemKind(StrEnum):
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    NOT_A_SPREADSHEET = "not_a_spreadsheet"
    OLD_EXCEL = "old_excel"  # .xls, or a password-protected workbook (both are OLE2 files)
    BROKEN_XLSX = "broken_xlsx"
    ZIP_BOMB = "zip_bomb"
    UNKNOWN_ENCODING = "unknown_encoding"
    TOO_MANY_ROWS = "too_many_rows"
    TOO_MANY_COLUMNS = "too_many_columns"
    ROW_TOO_LONG = "row_too_long"
    NO_HEADER = "no_header"
    NO_ROWS = "no_rows"


@dataclass(frozen=True)
class FileProblem:
    kind: FileProblemKind
    row: int | None = None  # spreadsheet row number (1 = first line), when one row is at fault
    found: int | None = None
    limit: int | None = None


class FileRefused(Exception):
    """Internal: carries a FileProblem out of a row iterator."""

    def __init__(self, problem: FileProblem) -> None:
        super().__init__(problem.kind.value)
        self.problem = problem


@dataclass(frozen=True)
class SheetRow:
    number: int  # as the spreadsheet numbers it, so the coach can find it
    cells: tuple[CellValue, ...]


@dataclass
class SheetSource:
    """One table of a file; rows are read on demand (a workbook may hold big sheets)."""

    name: str
    _rows: Any  # a callable returning an iterator of raw rows (tuples of cells)
    capped: bool = False  # rows are cut past the column limit (the true width is unknown)

    def iter_rows(self) -> Iterator[SheetRow]:
        """Non-empty rows, checked against the column and row-length limits."""
        blank = 0
        for number, raw in enumerate(self._rows(), start=1):
            cells = _trim(raw)
            if not cells:
                blank += 1
                if blank > MAX_BLANK_ROWS:
                    raise FileRefused(FileProblem(FileProblemKind.TOO_MANY_ROWS, limit=MAX_ROWS))
                continue
            if len(cells) > MAX_COLUMNS:
                raise FileRefused(
                    FileProblem(
                        FileProblemKind.TOO_MANY_COLUMNS,
                        row=number,
                        found=None if self.capped else len(cells),
                        limit=MAX_COLUMNS,
                    )
                )
            length = sum(len(str(cell)) for cell in cells if cell is not None)
            if length > MAX_ROW_CHARS:
                raise FileRefused(
                    FileProblem(
                        FileProblemKind.ROW_TOO_LONG, row=number, found=length, limit=MAX_ROW_CHARS
                    )
                )
            yield SheetRow(number, cells)


@dataclass
class Spreadsheet:
    format: str  # "csv" or "xlsx"
    sheets: list[SheetSource]
    encoding: str | None = None
    delimiter: str | None = None


def read_rows(source: SheetSource, *, max_rows: int = MAX_ROWS) -> list[SheetRow] | FileProblem:
    """Every non-empty row of a sheet (the header too), or why the sheet can't be taken."""
    rows: list[SheetRow] = []
    try:
        for row in source.iter_rows():
            rows.append(row)
            # One more than the data rows allowed: the header.
            if len(rows) > max_rows + 1:
                return FileProblem(FileProblemKind.TOO_MANY_ROWS, limit=max_rows)
    except FileRefused as refused:
        return refused.problem
    except _READ_ERRORS:
        return FileProblem(FileProblemKind.BROKEN_XLSX)
    return rows


def peek_rows(source: SheetSource, count: int = HEADER_SEARCH_ROWS) -> list[SheetRow] | FileProblem:
    rows: list[SheetRow] = []
    try:
        for row in source.iter_rows():
            rows.append(row)
            if len(rows) >= count:
                break
    except FileRefused as refused:
        return refused.problem
    except _READ_ERRORS:
        return FileProblem(FileProblemKind.BROKEN_XLSX)
    return rows


def open_spreadsheet(data: bytes, *, filename: str = "") -> Spreadsheet | FileProblem:
    """Recognise the file by its bytes and open it; nothing is parsed beyond what is needed."""
    if not data:
        return FileProblem(FileProblemKind.EMPTY)
    if len(data) > MAX_FILE_BYTES:
        return FileProblem(FileProblemKind.TOO_LARGE, found=len(data), limit=MAX_FILE_BYTES)
    if data.startswith(_ZIP):
        return _open_xlsx(data)
    if data.startswith(_OLE2):
        return FileProblem(FileProblemKind.OLD_EXCEL)
    if data.startswith(_BINARY_MAGIC):
        return FileProblem(FileProblemKind.NOT_A_SPREADSHEET)
    text = _decode(data)
    if isinstance(text, FileProblem):
        return text
    if not text.strip():
        return FileProblem(FileProblemKind.EMPTY)
    delimiter = sniff_delimiter(text[:SNIFF_CHARS])
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else _last_encoding(data)

    def rows() -> Iterator[tuple[CellValue, ...]]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        number = 0
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error:
                # The only csv.Error a str source can raise here is a field over the csv
                # module's limit (131,072 characters), far above ours.
                raise FileRefused(
                    FileProblem(FileProblemKind.ROW_TOO_LONG, row=number + 1, limit=MAX_ROW_CHARS)
                ) from None
            number += 1
            yield tuple(record)

    name = filename.rsplit(".", 1)[0] or "sheet"
    return Spreadsheet("csv", [SheetSource(name, rows)], encoding=encoding, delimiter=delimiter)


def sniff_delimiter(sample: str) -> str:
    """Comma, semicolon (Excel in much of Europe), tab or pipe, as the sample shows it."""
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    if len(lines) > 1:
        # Drop a possibly cut last line.
        lines = lines[:-1] if len(sample) >= SNIFF_CHARS else lines
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        pass
    # One column, or a sample the sniffer can't settle: count in the first line.
    first = lines[0] if lines else ""
    counts = {delimiter: first.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _decode(data: bytes) -> str | FileProblem:
    try:
        return _decode_text(data)
    except _NotText:
        return FileProblem(FileProblemKind.NOT_A_SPREADSHEET)


def _decode_text(data: bytes) -> str | FileProblem:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" is UTF-16 with a byte order mark.
        try:
            return _refuse_control(data.decode("utf-16"))
        except UnicodeDecodeError:
            return FileProblem(FileProblemKind.UNKNOWN_ENCODING)
    if b"\x00" in data[:SNIFF_CHARS]:
        return FileProblem(FileProblemKind.NOT_A_SPREADSHEET)
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return _refuse_control(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    return FileProblem(FileProblemKind.UNKNOWN_ENCODING)


def _last_encoding(data: bytes) -> str:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"


def _refuse_control(text: str) -> str:
    """Text full of control characters is a binary file that happened to decode."""
    sample = text[:SNIFF_CHARS]
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\f")
    if "\x00" in sample or control > max(8, len(sample) // 100):
        raise _NotText
    return text


class _NotText(Exception):
    pass


# Read-only openpyxl pads every row to the sheet's declared width, which a hostile file can set
# to 16,384 columns; rows are cut just past our limit so a wide row is seen without the padding.
_XLSX_COLUMN_PROBE = MAX_COLUMNS + 1


def _open_xlsx(data: bytes) -> Spreadsheet | FileProblem:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return FileProblem(FileProblemKind.BROKEN_XLSX)
    if len(infos) > MAX_ZIP_ENTRIES:
        return FileProblem(FileProblemKind.ZIP_BOMB, found=len(infos), limit=MAX_ZIP_ENTRIES)
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        return FileProblem(FileProblemKind.ZIP_BOMB, found=total, limit=MAX_UNCOMPRESSED_BYTES)
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO:
            return FileProblem(FileProblemKind.ZIP_BOMB, found=info.file_size, limit=total)
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        # A .docx, an .ods, a zip of photos...
        return FileProblem(FileProblemKind.NOT_A_SPREADSHEET)
    import openpyxl  # only when a workbook arrives: it is a heavy import

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        worksheets = list(workbook.worksheets)
    except _READ_ERRORS:
        return FileProblem(FileProblemKind.BROKEN_XLSX)
    sheets: list[SheetSource] = []
    for worksheet in worksheets:
        if not hasattr(worksheet, "iter_rows"):
            continue  # a chart sheet

        def rows(worksheet: Any = worksheet) -> Iterator[tuple[CellValue, ...]]:
            for raw in worksheet.iter_rows(max_col=_XLSX_COLUMN_PROBE, values_only=True):
                yield tuple(_xlsx_value(value) for value in raw)

        sheets.append(SheetSource(str(worksheet.title), rows, capped=True))
    if not sheets:
        return FileProblem(FileProblemKind.NO_ROWS)
    return Spreadsheet("xlsx", sheets)


def _xlsx_value(value: Any) -> CellValue:
    if value is None or isinstance(value, str | int | float | bool | date | datetime):
        return value
    if isinstance(value, time | timedelta):
        return str(value)
    return str(value)


def _trim(raw: tuple[CellValue, ...]) -> tuple[CellValue, ...]:
    """Drop trailing empty cells; () when the row has nothing at all."""
    end = len(raw)
    while end and _blank(raw[end - 1]):
        end -= 1
    return tuple(raw[:end])


def _blank(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_READ_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    AttributeError,
    OSError,
    EOFError,
    SyntaxError,  # xml.etree's ParseError derives from it
)
