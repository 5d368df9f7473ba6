"""A team's data as files: one CSV per table and one XLSX workbook with a sheet per table.

Rows are streamed from the database in batches and written straight to files on disk (CSV, and
openpyxl's write-only workbook, which keeps each sheet in a temporary file), so a team with a
million log rows is exported without holding them in memory. Writing happens in a worker thread,
batch by batch, so the bot keeps answering others meanwhile.

CSV files are UTF-8 with a byte order mark (Excel reads accents and non-Latin scripts right only
with it). Text that a spreadsheet could run as a formula is neutralised (see `cells`).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import functools
import json
import re
import sqlite3
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from itertools import repeat
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.ext.compiler import compiles
from sqlmodel import col, func
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Athlete, Exercise, Program, ProgramEntry, ProgramSession
from storage.models.training import Max, SetLog, TrainingSession
from storage.prescriptions import Prescription, render_prescription
from storage.transfer.cells import is_formula_like, neutralize_text, restore_text
from storage.transfer.prescribed import describe_prescribed

# Telegram lets a bot send documents of up to 50 MB; keep a margin for the multipart envelope.
MAX_UPLOAD_BYTES = 49 * 1024 * 1024
XLSX_MAX_ROWS = 1_048_576  # per sheet, the header included
BATCH_ROWS = 5_000


class Kind(StrEnum):
    """How a column is written. Dates, times, enums and JSON are read raw from the database
    (no per-value conversion in SQLAlchemy: a million rows are mostly that cost)."""

    TEXT = "text"
    SAFE_TEXT = "safe_text"  # text neutralised by the query itself (see `safe`)
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"  # UTC
    YES_NO = "yes_no"
    JSON = "json"


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind
    expression: Any  # what is selected
    # The selected value -> the value written (kept per distinct value: a cache, see _CellTexts)
    convert: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class ExportTable:
    key: str  # file names: <stem>-<key>.csv
    title: str  # sheet name (at most 31 characters)
    columns: tuple[Column, ...]
    # organization_id -> the statement (the columns in order), scoped to that team
    query: Callable[[Any, str], Any]
    # A row as selected -> a row as written, with derived columns (runs in the worker thread)
    derive: Callable[[tuple[Any, ...]], tuple[Any, ...]] | None = None
    derived_headers: tuple[tuple[int, str, Kind], ...] = ()  # (position, header, kind)
    # Rows in the workbook's sheet at most (the CSV has them all): openpyxl writes about
    # 100,000 cells a second, so a million-row sheet would take minutes.
    workbook_rows: int | None = None

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(header for header, _, _ in self._layout())

    @property
    def kinds(self) -> tuple[Kind, ...]:
        return tuple(kind for _, kind, _ in self._layout())

    @property
    def converts(self) -> tuple[Callable[[Any], Any] | None, ...]:
        return tuple(convert for _, _, convert in self._layout())

    def _layout(self) -> list[tuple[str, Kind, Callable[[Any], Any] | None]]:
        layout = [(column.header, column.kind, column.convert) for column in self.columns]
        for position, header, kind in self.derived_headers:
            layout.insert(position, (header, kind, None))
        return layout

    def statement(self, organization_id: str) -> Any:
        return self.query(self.columns, organization_id)


@dataclass(frozen=True)
class ExportFile:
    path: Path
    filename: str
    kind: str  # "csv", "zip" (a CSV too big to send as it is) or "xlsx"
    rows: int
    size: int
    table: str = ""  # the table's key; "" for the workbook (every table)


@dataclass
class ExportResult:
    files: list[ExportFile] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # rows per table key
    too_large: list[ExportFile] = field(default_factory=list)  # over the upload limit, zipped
    # Tables whose sheet holds only their first rows: key -> rows in the sheet
    workbook_cut: dict[str, int] = field(default_factory=dict)


def raw(expression: Any) -> Any:
    """The column's value as the driver returns it, without SQLAlchemy's result processing."""
    return sa.type_coerce(expression, sa.String)


FORMULA_FIRST_CHARACTERS = frozenset(("=", "+", "-", "@", "\t", "\r"))


def safe(expression: Any) -> Any:
    """Text to be neutralised (Kind.SAFE_TEXT): selected raw, an apostrophe put before a
    formula character by `_neutralised`, once per distinct value. Stored text never starts
    with a space (every input is stripped), so the first character is all there is to check."""
    return sa.type_coerce(expression, sa.String)


def _neutralised(value: Any) -> Any:
    if value.__class__ is str and value[:1] in FORMULA_FIRST_CHARACTERS:
        return "'" + value
    return value


class utc_seconds(sa.sql.expression.FunctionElement[str]):
    """A UTC time as the text the files show, `YYYY-MM-DD HH:MM:SS`, made by the database
    (a million times in Python is most of a second)."""

    type = sa.String()
    inherit_cache = True


@compiles(utc_seconds, "sqlite")
def _utc_seconds_sqlite(element: Any, compiler: Any, **kw: Any) -> str:
    # Stored as "YYYY-MM-DD HH:MM:SS.ffffff", in UTC (storage.models.base.UTCDateTime).
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 19)"


@compiles(utc_seconds, "postgresql")
def _utc_seconds_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    argument = compiler.process(element.clauses, **kw)
    return f"to_char(({argument}) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"


class json_text(sa.sql.expression.FunctionElement[str]):
    """A JSON column as its text (PostgreSQL's driver would decode it: a dict can't be kept
    in a cache, and decoding a million is a second)."""

    type = sa.String()
    inherit_cache = True


@compiles(json_text)
def _json_text(element: Any, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(json_text, "postgresql")
def _json_text_postgresql(element: Any, compiler: Any, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS TEXT)"


def _select(columns: tuple[Column, ...]) -> Any:
    return sa.select(*(column.expression for column in columns))


# --- the tables -------------------------------------------------------------------------------

ATHLETE_COLUMNS = (
    Column("Name", Kind.SAFE_TEXT, safe(col(Athlete.name))),
    Column("Email", Kind.SAFE_TEXT, safe(col(Athlete.email))),
    Column("Phone", Kind.SAFE_TEXT, safe(col(Athlete.phone))),
    Column("Birthdate", Kind.DATE, raw(col(Athlete.birthdate))),
    Column("Gender", Kind.TEXT, raw(col(Athlete.gender))),
    Column("Status", Kind.TEXT, raw(col(Athlete.status))),
    Column("Notes", Kind.SAFE_TEXT, safe(col(Athlete.notes))),
    Column("Telegram linked", Kind.YES_NO, col(Athlete.linked_user_id).is_not(None)),
    Column("Added (UTC)", Kind.DATETIME, utc_seconds(col(Athlete.created_at))),
)


def athletes_query(columns: tuple[Column, ...], organization_id: str) -> Any:
    return (
        _select(columns)
        .where(col(Athlete.organization_id) == organization_id)
        .order_by(func.lower(col(Athlete.name)), col(Athlete.id))
    )


ATHLETES = ExportTable("athletes", "Athletes", ATHLETE_COLUMNS, athletes_query)

MAX_COLUMNS = (
    Column("Athlete", Kind.SAFE_TEXT, safe(col(Athlete.name))),
    Column("Athlete email", Kind.SAFE_TEXT, safe(col(Athlete.email))),
    Column("Exercise", Kind.SAFE_TEXT, safe(col(Exercise.name))),
    Column("kg", Kind.NUMBER, col(Max.kg)),
    Column("Measured on", Kind.DATE, raw(col(Max.measured_on))),
    Column("Source", Kind.TEXT, raw(col(Max.source))),
    Column("Added (UTC)", Kind.DATETIME, utc_seconds(col(Max.created_at))),
)


def maxes_query(columns: tuple[Column, ...], organization_id: str) -> Any:
    return (
        _select(columns)
        .select_from(Max)
        .join(Athlete, col(Athlete.id) == col(Max.athlete_id))
        .join(Exercise, col(Exercise.id) == col(Max.exercise_id))
        .where(col(Max.organization_id) == organization_id)
        .order_by(
            func.lower(col(Athlete.name)),
            col(Athlete.id),
            func.lower(col(Exercise.name)),
            col(Max.measured_on),
            col(Max.id),
        )
    )


MAXES = ExportTable("maxes", "Maxes", MAX_COLUMNS, maxes_query)
MAX_HEADERS = MAXES.headers


def _describe_json(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        snapshot = json.loads(text)
    except ValueError:
        return None
    return describe_prescribed(snapshot) if isinstance(snapshot, dict) else None


LOG_COLUMNS = (
    Column("Date", Kind.DATE, raw(col(TrainingSession.scheduled_for))),
    Column("Athlete", Kind.SAFE_TEXT, safe(col(Athlete.name))),
    Column("Athlete email", Kind.SAFE_TEXT, safe(col(Athlete.email))),
    Column("Session", Kind.SAFE_TEXT, safe(col(TrainingSession.title))),
    Column("Exercise", Kind.SAFE_TEXT, safe(col(Exercise.name))),
    Column("Set", Kind.NUMBER, col(SetLog.set_no)),
    Column("Reps", Kind.NUMBER, col(SetLog.reps)),
    Column("kg", Kind.NUMBER, col(SetLog.kg)),
    Column("Seconds", Kind.NUMBER, col(SetLog.seconds)),
    Column("Meters", Kind.NUMBER, col(SetLog.meters)),
    Column("RPE", Kind.NUMBER, col(SetLog.rpe)),
    Column("e1RM kg", Kind.NUMBER, col(SetLog.e1rm)),
    Column("Skipped", Kind.YES_NO, col(SetLog.skipped)),
    Column("Record", Kind.SAFE_TEXT, safe(col(SetLog.record))),
    # The snapshot as a short text (see describe_prescribed), worked out once per distinct
    # snapshot: the JSON itself would double the file and the time it takes to write.
    Column("Prescribed", Kind.TEXT, json_text(col(SetLog.prescribed)), convert=_describe_json),
    Column("Logged at (UTC)", Kind.DATETIME, utc_seconds(col(SetLog.logged_at))),
)


def logs_query(columns: tuple[Column, ...], organization_id: str) -> Any:
    return (
        _select(columns)
        .select_from(SetLog)
        .join(TrainingSession, col(TrainingSession.id) == col(SetLog.training_session_id))
        .join(Athlete, col(Athlete.id) == col(SetLog.athlete_id))
        .join(Exercise, col(Exercise.id) == col(SetLog.exercise_id))
        # Through the team's sessions (indexed by organization), then each session's sets
        # (indexed by session): set_logs has no index of its own on the organization.
        .where(
            col(TrainingSession.organization_id) == organization_id,
            col(SetLog.organization_id) == organization_id,
        )
        .order_by(
            col(TrainingSession.scheduled_for),
            col(TrainingSession.id),
            col(SetLog.logged_at),
            col(SetLog.set_no),
            col(SetLog.id),
        )
    )


TRAINING_LOGS = ExportTable(
    "training-logs",
    "Training logs",
    LOG_COLUMNS,
    logs_query,
    workbook_rows=50_000,
)
LOG_HEADERS = TRAINING_LOGS.headers
ATHLETE_HEADERS = ATHLETES.headers

PROGRAM_COLUMNS = (
    Column("Program", Kind.SAFE_TEXT, safe(col(Program.name))),
    Column("Weeks", Kind.NUMBER, col(Program.weeks)),
    Column("Archived", Kind.YES_NO, col(Program.archived_at).is_not(None)),
    Column("Week", Kind.NUMBER, col(ProgramSession.week)),
    Column("Day", Kind.TEXT, col(ProgramSession.weekday)),  # a name after `derive`
    Column("Session", Kind.SAFE_TEXT, safe(col(ProgramSession.title))),
    Column("Group", Kind.SAFE_TEXT, safe(col(ProgramEntry.group_label))),
    Column("Exercise", Kind.SAFE_TEXT, safe(col(Exercise.name))),
    Column("Prescription (JSON, kg)", Kind.JSON, raw(col(ProgramEntry.prescription))),
    Column("Note", Kind.SAFE_TEXT, safe(col(ProgramEntry.note))),
)
_PROGRAM_JSON = 8
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def programs_query(columns: tuple[Column, ...], organization_id: str) -> Any:
    return (
        _select(columns)
        .select_from(ProgramEntry)
        .join(ProgramSession, col(ProgramSession.id) == col(ProgramEntry.session_id))
        .join(Program, col(Program.id) == col(ProgramSession.program_id))
        .join(Exercise, col(Exercise.id) == col(ProgramEntry.exercise_id))
        .where(col(Program.organization_id) == organization_id)
        .order_by(
            func.lower(col(Program.name)),
            col(Program.id),
            col(ProgramSession.week),
            col(ProgramSession.weekday),
            col(ProgramSession.position),
            col(ProgramSession.id),
            col(ProgramEntry.position),
            col(ProgramEntry.id),
        )
    )


@functools.lru_cache(maxsize=4096)
def _render_prescription(text: str) -> str | None:
    try:
        data = json.loads(text)
        return render_prescription(Prescription.from_json(data))
    except (ValueError, TypeError):
        return None


def _describe_entry(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The day as a name, and the entry in the shorthand the program builder reads."""
    values = list(row)
    weekday = values[4]
    if isinstance(weekday, int) and 1 <= weekday <= 7:
        values[4] = WEEKDAYS[weekday - 1]
    prescription = values[_PROGRAM_JSON]
    if isinstance(prescription, dict):
        prescription = json.dumps(prescription, separators=(",", ":"), sort_keys=True)
        values[_PROGRAM_JSON] = prescription
    elif prescription is not None and not isinstance(prescription, str):
        prescription = values[_PROGRAM_JSON] = _csv_json(prescription)  # text, as cells need
    rendered = None if prescription is None else _render_prescription(prescription)
    label = f"{values[6]}. " if values[6] else ""
    shorthand = f"{label}{values[7]} {rendered}" if rendered else None
    return (*values[:_PROGRAM_JSON], shorthand, *values[_PROGRAM_JSON:])


PROGRAMS = ExportTable(
    "programs",
    "Programs",
    PROGRAM_COLUMNS,
    programs_query,
    derive=_describe_entry,
    derived_headers=((_PROGRAM_JSON, "Shorthand (kg)", Kind.TEXT),),
)

EXPORT_TABLES: list[ExportTable] = [ATHLETES, MAXES, PROGRAMS, TRAINING_LOGS]


# --- cells ------------------------------------------------------------------------------------
#
# The CSV is written a batch at a time without the csv module: each column has a dict from its
# values to their cells' texts, filled as values come (a name, title, date, weight or
# prescription repeats thousands of times, so each distinct value is neutralised, converted and
# quoted once), and a row is `",".join(map(dict.__getitem__, the column dicts, row))`: no Python
# function runs per cell once a value has been seen, about five times faster than csv.writer on
# the same rows. The texts are exactly what csv.writer (excel dialect) writes for the same
# values: tests/storage/test_transfer_export_bytes.py pins the bytes.

_FORMULA_FIRST = frozenset("=+-@\t\r ")
_NEEDS_QUOTES = re.compile(r'[,"\r\n]')
# Distinct values remembered per column and table: past this, new values are converted each
# time (memory stays bounded whatever the data).
CELL_CACHE_SIZE = 50_000


def _quoted(text: str) -> str:
    """A text as csv.writer's excel dialect writes it: in double quotes (doubled inside) when
    it holds a comma, a double quote or a line break."""
    if _NEEDS_QUOTES.search(text) is None:
        return text
    return '"' + text.replace('"', '""') + '"'


def _csv_text(value: Any) -> Any:
    if value.__class__ is str:
        # The common case (no formula character first) costs one set lookup.
        return neutralize_text(value) if value and value[0] in _FORMULA_FIRST else value
    return None if value is None else neutralize_text(str(value))


def _csv_yes_no(value: Any) -> Any:
    return "yes" if value else "no" if value is not None else None


def _csv_json(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


class _CellTexts(dict[Any, str]):
    """One column's values -> their cells' texts, each made once (None -> an empty cell).

    Values are dict keys, so equal values must have equal texts: a column holds values of one
    type (a REAL column floats, an INTEGER column ints), and a float zero is never kept (0.0
    and -0.0 are equal but written differently)."""

    def __init__(self, make: Callable[[Any], str], *, keep: bool = True) -> None:
        super().__init__({None: ""})
        self._make = make
        self._keep = keep

    def __missing__(self, value: Any) -> str:
        text = self._make(value)
        if self._keep and len(self) < CELL_CACHE_SIZE and (value or value.__class__ is not float):
            self[value] = text
        return text


def _text_cell(value: Any) -> str:
    return _quoted(_csv_text(value))


def _safe_text_cell(value: Any) -> str:
    return _quoted(_neutralised(str(value)))


def _plain_cell(value: Any) -> str:
    # What csv.writer writes for a number, a date or any other value: str(), quoted if need be.
    return _quoted(str(value))


def _yes_no_cell(value: Any) -> str:
    return _csv_yes_no(value) or ""


def _json_cell(value: Any) -> str:
    return _quoted(_csv_json(value))


def _utc_seconds_cell(value: Any) -> str:
    # Already the file's text, made by the query (see utc_seconds); all but unique per row.
    return value if value.__class__ is str else _plain_cell(value)


_CELL_MAKERS: dict[Kind, Callable[[Any], str]] = {
    Kind.TEXT: _text_cell,
    Kind.SAFE_TEXT: _safe_text_cell,
    Kind.NUMBER: _plain_cell,
    Kind.DATE: _plain_cell,
    Kind.DATETIME: _utc_seconds_cell,
    Kind.YES_NO: _yes_no_cell,
    Kind.JSON: _json_cell,  # text by then (see _describe_entry)
}


def _csv_cells(kind: Kind, convert: Callable[[Any], Any] | None) -> _CellTexts:
    make = _CELL_MAKERS[kind]
    if convert is not None:
        make = functools.partial(_converted, convert, make)
    return _CellTexts(make, keep=kind is not Kind.DATETIME)


def _converted(convert: Callable[[Any], Any], make: Callable[[Any], str], value: Any) -> str:
    converted = convert(value)
    return "" if converted is None else make(converted)


# openpyxl's ILLEGAL_CHARACTERS_RE: control characters a worksheet can't hold. openpyxl itself is
# imported only when a workbook is written: importing it (and numpy with it) costs every bot
# process about 30 MB and 90 ms at start, for a command a coach runs now and then.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def _xlsx_text(worksheet: Any, value: Any) -> Any:
    if value is None:
        return None
    text = ILLEGAL_CHARACTERS_RE.sub("", value if isinstance(value, str) else str(value))
    if is_formula_like(text):
        # An explicit text cell is never evaluated; the quote prefix keeps Excel from
        # turning it into a formula when the coach edits the cell.
        from openpyxl.cell import WriteOnlyCell  # rare: only cells that look like formulas

        cell = WriteOnlyCell(worksheet, text)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    return text


def _xlsx_date(worksheet: Any, value: Any) -> Any:
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _xlsx_datetime(worksheet: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        return datetime.fromisoformat(value[:19])
    return _utc_naive(value)


def _xlsx_safe_text(worksheet: Any, value: Any) -> Any:
    # The workbook keeps the text as it is, in a text cell (see _xlsx_text): neutralised as in
    # the CSV, and that undone (so a stored "'=x" is written "=x", as it always was).
    value = _neutralised(value)
    if value.__class__ is str and value[:1] == "'":
        value = restore_text(value)
    return _xlsx_text(worksheet, value)


XLSX_WRITERS: dict[Kind, Callable[[Any, Any], Any]] = {
    Kind.TEXT: _xlsx_text,
    Kind.SAFE_TEXT: _xlsx_safe_text,
    Kind.NUMBER: lambda worksheet, value: value,
    Kind.DATE: _xlsx_date,
    Kind.DATETIME: _xlsx_datetime,
    Kind.YES_NO: lambda worksheet, value: None if value is None else ("yes" if value else "no"),
    Kind.JSON: lambda worksheet, value: _xlsx_text(worksheet, _csv_json(value)),
}


def _utc_naive(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


# --- writing ----------------------------------------------------------------------------------


class _TableWriter:
    """One table's CSV file and its sheet(s) in the workbook; runs in a worker thread."""

    def __init__(self, table: ExportTable, directory: Path, stem: str, workbook: Any) -> None:
        self.table = table
        self.filename = f"{stem}-{table.key}.csv"
        self.path = directory / self.filename
        self._file = self.path.open("w", encoding="utf-8-sig", newline="")
        csv.writer(self._file).writerow(table.headers)
        self._csv_cells = [
            _csv_cells(kind, convert)
            for kind, convert in zip(table.kinds, table.converts, strict=True)
        ]
        self._xlsx_writers = [
            _xlsx_writer(kind, convert)
            for kind, convert in zip(table.kinds, table.converts, strict=True)
        ]
        self._workbook = workbook
        self._sheets = 0
        self._sheet: Any = None
        self._sheet_rows = 0
        self.in_workbook = 0
        self.cut = False
        if workbook is not None:
            self._new_sheet()

    def _new_sheet(self) -> None:
        self._sheets += 1
        suffix = "" if self._sheets == 1 else f" ({self._sheets})"
        self._sheet = self._workbook.create_sheet(self.table.title[: 31 - len(suffix)] + suffix)
        self._sheet.append(self.table.headers)
        self._sheet_rows = 1

    def write(self, batch: Sequence[Sequence[Any]]) -> None:
        if not batch:
            return
        derive = self.table.derive
        rows = [derive(tuple(row)) for row in batch] if derive else batch
        # Per row, map(dict.__getitem__, cells, row): the cells' texts, all in C (see _CellTexts).
        lines = map(map, repeat(dict.__getitem__), repeat(self._csv_cells), rows)
        self._file.write("\r\n".join(map(",".join, lines)) + "\r\n")
        if self._workbook is None:
            return
        cells = self._xlsx_writers
        limit = self.table.workbook_rows
        for row in rows:
            if limit is not None and self.in_workbook >= limit:
                self.cut = True
                return
            if self._sheet_rows >= XLSX_MAX_ROWS:
                self._new_sheet()
            sheet = self._sheet
            sheet.append([w(sheet, v) for w, v in zip(cells, row, strict=True)])
            self._sheet_rows += 1
            self.in_workbook += 1

    def close(self) -> None:
        self._file.close()


def _xlsx_writer(kind: Kind, convert: Callable[[Any], Any] | None) -> Callable[[Any, Any], Any]:
    write = XLSX_WRITERS[kind]
    if convert is None:
        return write
    cached = functools.lru_cache(maxsize=4096)(convert)
    return lambda worksheet, value: write(worksheet, cached(value))


async def export_team(
    session: AsyncSession,
    *,
    organization_id: str,
    directory: Path,
    stem: str = "spotter",
    tables: Sequence[ExportTable] | None = None,
    workbook: bool = True,
    max_file_bytes: int = MAX_UPLOAD_BYTES,
    sqlite_file: str | None = None,
) -> ExportResult:
    """Write the team's tables under `directory` (the caller removes it after sending).

    With `sqlite_file` (the session's own database file), rows are read from a read-only
    connection of their own in a worker thread: only what is committed, about twice as fast,
    and without holding the bot's one pooled SQLite connection for the length of the export.
    """
    result = ExportResult()
    if workbook:
        from openpyxl import Workbook  # see ILLEGAL_CHARACTERS_RE

        book: Any = Workbook(write_only=True)
    else:
        book = None
    bind = session.bind
    for table in EXPORT_TABLES if tables is None else tables:
        writer = await asyncio.to_thread(_TableWriter, table, directory, stem, book)
        count = 0
        try:
            statement = table.statement(organization_id)
            if sqlite_file is not None and bind is not None and bind.dialect.name == "sqlite":
                count = await asyncio.to_thread(
                    _copy_from_sqlite, sqlite_file, statement, bind.dialect, writer
                )
            # asyncpg under any dialect built on it (storage.pg_lazy_begin's is a subclass).
            elif bind is not None and isinstance(bind.dialect, PGDialect_asyncpg):
                count = await _copy_from_asyncpg(session, statement, writer)
            else:
                count = await _copy_streamed(session, statement, writer)
        finally:
            await asyncio.to_thread(writer.close)
        result.counts[table.key] = count
        if writer.cut:
            result.workbook_cut[table.key] = writer.in_workbook
        await asyncio.to_thread(
            _add_file, result, writer.path, writer.filename, "csv", count, max_file_bytes, table.key
        )
    if book is not None:
        path = directory / f"{stem}.xlsx"
        await asyncio.to_thread(book.save, path)
        rows = sum(result.counts.values()) - sum(
            result.counts[key] - kept for key, kept in result.workbook_cut.items()
        )
        await asyncio.to_thread(_add_file, result, path, path.name, "xlsx", rows, max_file_bytes)
    return result


async def _copy_streamed(session: AsyncSession, statement: Any, writer: _TableWriter) -> int:
    """Core rows, a batch at a time (one await per few thousand rows, not one per row)."""
    count = 0
    connection = await session.connection()
    stream = await connection.stream(statement.execution_options(yield_per=BATCH_ROWS))
    async for batch in stream.partitions(BATCH_ROWS):
        await asyncio.to_thread(writer.write, batch)
        count += len(batch)
    return count


async def _copy_from_asyncpg(session: AsyncSession, statement: Any, writer: _TableWriter) -> int:
    """PostgreSQL: the query through asyncpg's own cursor on the session's connection (in its
    transaction), a batch of records at a time. asyncpg makes its records in C; SQLAlchemy's
    rows, made in the event loop's thread, cost more than the writing and held up every other
    update meanwhile."""
    connection = await session.connection()
    compiled = _compiled(statement, connection.dialect)
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection
    count = 0
    async with contextlib.AsyncExitStack() as stack:
        if not driver.is_in_transaction():
            # SQLAlchemy begins lazily, at its first statement; a cursor needs a transaction.
            await stack.enter_async_context(driver.transaction(readonly=True))
        cursor = await driver.cursor(compiled.text, *compiled.arguments)
        while batch := await cursor.fetch(BATCH_ROWS):
            await asyncio.to_thread(writer.write, batch)
            count += len(batch)
    return count


@dataclass(frozen=True)
class _Compiled:
    text: str
    arguments: list[Any]


def _compiled(statement: Any, dialect: Any) -> _Compiled:
    """The statement as the driver takes it: its SQL text and positional arguments."""
    compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    values = compiled.construct_params()
    return _Compiled(str(compiled), [values[name] for name in compiled.positiontup or ()])


def _copy_from_sqlite(path: str, statement: Any, dialect: Any, writer: _TableWriter) -> int:
    """SQLite: the query on a read-only connection of its own, read and written in this one
    worker thread. No event-loop hop and no SQLAlchemy row per row (half the time of a
    million-row export), and no transaction: in WAL mode the bot's writes go on meanwhile."""
    compiled = _compiled(statement, dialect)
    count = 0
    connection = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        cursor = connection.execute(compiled.text, compiled.arguments)
        while batch := cursor.fetchmany(BATCH_ROWS):
            writer.write(batch)
            count += len(batch)
    finally:
        connection.close()
    return count


def _add_file(
    result: ExportResult,
    path: Path,
    filename: str,
    kind: str,
    rows: int,
    limit: int,
    table: str = "",
) -> None:
    size = path.stat().st_size
    if size > limit and kind == "csv":
        # CSV compresses about tenfold; a zip of it is what goes out instead.
        zipped = path.with_name(filename + ".zip")
        # The fastest deflate level: about 30 to 1 on a CSV all the same, in a third of the time.
        with zipfile.ZipFile(
            zipped, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1
        ) as archive:
            archive.write(path, arcname=filename)
        path.unlink()
        path, filename, kind, size = zipped, zipped.name, "zip", zipped.stat().st_size
    exported = ExportFile(
        path=path, filename=filename, kind=kind, rows=rows, size=size, table=table
    )
    (result.too_large if size > limit else result.files).append(exported)
