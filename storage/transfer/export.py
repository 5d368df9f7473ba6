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
import csv
import functools
import json
import sqlite3
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlmodel import col, func
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Athlete, Exercise, Program, ProgramEntry, ProgramSession
from storage.models.training import Max, SetLog, TrainingSession
from storage.prescriptions import Prescription, render_prescription
from storage.transfer.cells import is_formula_like, neutralize_text, restore_text
from storage.transfer.prescribed import describe_prescribed
from storage.transfer.reading import CellValue

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
        return tuple(column for column, _ in self._layout())

    @property
    def kinds(self) -> tuple[Kind, ...]:
        return tuple(kind for _, kind in self._layout())

    def _layout(self) -> list[tuple[str, Kind]]:
        layout = [(column.header, column.kind) for column in self.columns]
        for position, header, kind in self.derived_headers:
            layout.insert(position, (header, kind))
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


FORMULA_FIRST_CHARACTERS = ("=", "+", "-", "@", "\t", "\r")


def safe(expression: Any) -> Any:
    """Text with an apostrophe put before a formula character, by the database: a million
    values checked in SQL cost next to nothing, in Python seconds. Stored text never starts
    with a space (every input is stripped), so the first character is all there is to check."""
    text = sa.type_coerce(expression, sa.String)
    first = sa.func.substr(text, 1, 1)
    return sa.case((first.in_(FORMULA_FIRST_CHARACTERS), sa.literal("'") + text), else_=text)


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
    Column("Added (UTC)", Kind.DATETIME, raw(col(Athlete.created_at))),
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
    Column("Added (UTC)", Kind.DATETIME, raw(col(Max.created_at))),
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
    # The snapshot, read as text by `derive` (the JSON itself would double the file and the
    # time it takes to write: a million rows of it are most of an export).
    Column("Prescribed", Kind.TEXT, raw(col(SetLog.prescribed))),
    Column("Logged at (UTC)", Kind.DATETIME, raw(col(SetLog.logged_at))),
)
_PRESCRIBED = 14  # position of the prescription column in LOG_COLUMNS


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


@functools.lru_cache(maxsize=4096)
def _describe_json(text: str) -> str | None:
    # A program's few prescriptions repeat over thousands of sets: each is read once.
    try:
        snapshot = json.loads(text)
    except ValueError:
        return None
    return describe_prescribed(snapshot) if isinstance(snapshot, dict) else None


def _describe_log(row: tuple[Any, ...]) -> tuple[Any, ...]:
    prescribed = row[_PRESCRIBED]
    if isinstance(prescribed, dict):  # a driver that decodes JSON itself
        prescribed = json.dumps(prescribed, separators=(",", ":"), sort_keys=True)
    text = None if prescribed is None else _describe_json(prescribed)
    return (*row[:_PRESCRIBED], text, *row[_PRESCRIBED + 1 :])


TRAINING_LOGS = ExportTable(
    "training-logs",
    "Training logs",
    LOG_COLUMNS,
    logs_query,
    derive=_describe_log,
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


_FORMULA_FIRST = frozenset("=+-@\t\r ")


def _csv_text(value: Any) -> Any:
    if value.__class__ is str:
        # The common case (no formula character first) costs one set lookup.
        return neutralize_text(value) if value and value[0] in _FORMULA_FIRST else value
    return None if value is None else neutralize_text(str(value))


def _csv_number(value: Any) -> Any:
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return value


def _csv_date(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _csv_datetime(value: Any) -> Any:
    if isinstance(value, str):
        return value[:19]  # SQLite's stored "YYYY-MM-DD HH:MM:SS.ffffff", in UTC
    if isinstance(value, datetime):
        return _utc_naive(value).isoformat(sep=" ", timespec="seconds")
    return value


def _csv_yes_no(value: Any) -> Any:
    return "yes" if value else "no" if value is not None else None


def _csv_json(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


# None is written as an empty cell by the csv module itself.
CSV_WRITERS: dict[Kind, Callable[[Any], Any]] = {
    Kind.TEXT: _csv_text,
    Kind.SAFE_TEXT: lambda value: value,
    Kind.NUMBER: _csv_number,
    Kind.DATE: _csv_date,
    Kind.DATETIME: _csv_datetime,
    Kind.YES_NO: _csv_yes_no,
    Kind.JSON: _csv_json,
}


def csv_cell(value: CellValue) -> str:
    """Any one value as the CSV export writes it (for callers outside the tables)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(_csv_number(value))
    if isinstance(value, datetime):
        return str(_csv_datetime(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(_csv_text(value))


def _xlsx_text(worksheet: Any, value: Any) -> Any:
    if value is None:
        return None
    text = ILLEGAL_CHARACTERS_RE.sub("", value if isinstance(value, str) else str(value))
    if is_formula_like(text):
        # An explicit text cell is never evaluated; the quote prefix keeps Excel from
        # turning it into a formula when the coach edits the cell.
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
    # The workbook keeps the text as it is, in a text cell (see _xlsx_text).
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
        self._csv = csv.writer(self._file)
        self._csv.writerow(table.headers)
        # Numbers the csv module writes well itself; the other kinds are converted.
        self._csv_writers = [
            (index, CSV_WRITERS[kind])
            for index, kind in enumerate(table.kinds)
            # The csv module writes these itself (dates as ISO via str()).
            if kind not in (Kind.NUMBER, Kind.SAFE_TEXT, Kind.DATE)
        ]
        self._xlsx_writers = [XLSX_WRITERS[kind] for kind in table.kinds]
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
        derive = self.table.derive
        rows = [derive(tuple(row)) for row in batch] if derive else batch
        writers = self._csv_writers
        out = []
        for row in rows:
            values = list(row)
            for index, convert in writers:
                values[index] = convert(values[index])
            out.append(values)
        self._csv.writerows(out)
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
    book: Any = Workbook(write_only=True) if workbook else None
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


def _copy_from_sqlite(path: str, statement: Any, dialect: Any, writer: _TableWriter) -> int:
    """SQLite: the query on a read-only connection of its own, read and written in this one
    worker thread. No event-loop hop and no SQLAlchemy row per row (half the time of a
    million-row export), and no transaction: in WAL mode the bot's writes go on meanwhile."""
    compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    values = compiled.construct_params()
    arguments = [values[name] for name in compiled.positiontup or ()]
    count = 0
    connection = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        cursor = connection.execute(str(compiled), arguments)
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
