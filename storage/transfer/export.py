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
import json
import zipfile
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlmodel import col, func
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Athlete, Exercise
from storage.models.training import Max, SetLog, TrainingSession
from storage.transfer.cells import is_formula_like, neutralize_text
from storage.transfer.prescribed import describe_prescribed
from storage.transfer.reading import CellValue

# Telegram lets a bot send documents of up to 50 MB; keep a margin for the multipart envelope.
MAX_UPLOAD_BYTES = 49 * 1024 * 1024
XLSX_MAX_ROWS = 1_048_576  # per sheet, the header included
BATCH_ROWS = 2_000

RowSource = Callable[[AsyncSession, str], AsyncIterator[Sequence[CellValue]]]


@dataclass(frozen=True)
class ExportTable:
    key: str  # file names: <stem>-<key>.csv
    title: str  # sheet name (at most 31 characters)
    headers: tuple[str, ...]
    rows: RowSource


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


async def stream_rows(
    session: AsyncSession, statement: sa.Executable
) -> AsyncIterator[tuple[Any, ...]]:
    result = await session.stream(statement.execution_options(yield_per=BATCH_ROWS))
    async for row in result:
        yield tuple(row)


ATHLETE_HEADERS = (
    "Name",
    "Email",
    "Phone",
    "Birthdate",
    "Gender",
    "Status",
    "Notes",
    "Telegram linked",
    "Added (UTC)",
)


async def athlete_rows(
    session: AsyncSession, organization_id: str
) -> AsyncIterator[Sequence[CellValue]]:
    statement = (
        sa.select(
            col(Athlete.name),
            col(Athlete.email),
            col(Athlete.phone),
            col(Athlete.birthdate),
            col(Athlete.gender),
            col(Athlete.status),
            col(Athlete.notes),
            col(Athlete.linked_user_id).is_not(None),
            col(Athlete.created_at),
        )
        .where(col(Athlete.organization_id) == organization_id)
        .order_by(func.lower(col(Athlete.name)), col(Athlete.id))
    )
    async for row in stream_rows(session, statement):
        name, email, phone, birthdate, gender, status, notes, linked, created = row
        yield (
            name,
            email,
            phone,
            birthdate,
            None if gender is None else str(gender),
            str(status),
            notes,
            "yes" if linked else "no",
            created,
        )


ATHLETES = ExportTable("athletes", "Athletes", ATHLETE_HEADERS, athlete_rows)

MAX_HEADERS = ("Athlete", "Athlete email", "Exercise", "kg", "Measured on", "Source", "Added (UTC)")


async def max_rows(
    session: AsyncSession, organization_id: str
) -> AsyncIterator[Sequence[CellValue]]:
    statement = (
        sa.select(
            col(Athlete.name),
            col(Athlete.email),
            col(Exercise.name),
            col(Max.kg),
            col(Max.measured_on),
            col(Max.source),
            col(Max.created_at),
        )
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
    async for row in stream_rows(session, statement):
        athlete, email, exercise, kg, measured_on, source, created = row
        yield (athlete, email, exercise, kg, measured_on, str(source), created)


MAXES = ExportTable("maxes", "Maxes", MAX_HEADERS, max_rows)

LOG_HEADERS = (
    "Date",
    "Athlete",
    "Athlete email",
    "Session",
    "Exercise",
    "Set",
    "Reps",
    "kg",
    "Seconds",
    "Meters",
    "RPE",
    "e1RM kg",
    "Skipped",
    "Record",
    "Prescribed",
    "Prescribed (JSON)",
    "Logged at (UTC)",
)


async def log_rows(
    session: AsyncSession, organization_id: str
) -> AsyncIterator[Sequence[CellValue]]:
    statement = (
        sa.select(
            col(TrainingSession.scheduled_for),
            col(Athlete.name),
            col(Athlete.email),
            col(TrainingSession.title),
            col(Exercise.name),
            col(SetLog.set_no),
            col(SetLog.reps),
            col(SetLog.kg),
            col(SetLog.seconds),
            col(SetLog.meters),
            col(SetLog.rpe),
            col(SetLog.e1rm),
            col(SetLog.skipped),
            col(SetLog.record),
            col(SetLog.prescribed),
            col(SetLog.logged_at),
        )
        .join(TrainingSession, col(TrainingSession.id) == col(SetLog.training_session_id))
        .join(Athlete, col(Athlete.id) == col(SetLog.athlete_id))
        .join(Exercise, col(Exercise.id) == col(SetLog.exercise_id))
        .where(col(SetLog.organization_id) == organization_id)
        .order_by(
            col(TrainingSession.scheduled_for),
            col(TrainingSession.id),
            col(SetLog.logged_at),
            col(SetLog.set_no),
            col(SetLog.id),
        )
    )
    async for row in stream_rows(session, statement):
        *head, skipped, record, prescribed, logged_at = row
        yield (
            *head,
            "yes" if skipped else "",
            record,
            describe_prescribed(prescribed),
            None if prescribed is None else json.dumps(prescribed, separators=(",", ":")),
            logged_at,
        )


TRAINING_LOGS = ExportTable("training-logs", "Training logs", LOG_HEADERS, log_rows)

# Tables join here as their features land (programs next).
EXPORT_TABLES: list[ExportTable] = [ATHLETES, MAXES, TRAINING_LOGS]


def csv_cell(value: CellValue) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralize_text(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return _utc_naive(value).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return format(value, "g") if abs(value) < 1e15 else repr(value)
    return str(value)


def xlsx_cell(worksheet: Any, value: CellValue) -> Any:
    """A value openpyxl writes as it is: text stays text (never a formula), times lose tz."""
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        if is_formula_like(text):
            # An explicit text cell is never evaluated; the quote prefix keeps Excel from
            # turning it into a formula when the coach edits the cell.
            cell = WriteOnlyCell(worksheet, text)
            cell.data_type = "s"
            cell.quotePrefix = True
            return cell
        return text
    if isinstance(value, datetime):
        return _utc_naive(value)
    return value


def _utc_naive(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


class _TableWriter:
    """One table's CSV file and its sheet(s) in the workbook; runs in a worker thread."""

    def __init__(self, table: ExportTable, directory: Path, stem: str, workbook: Any) -> None:
        self.table = table
        self.filename = f"{stem}-{table.key}.csv"
        self.path = directory / self.filename
        self._file = self.path.open("w", encoding="utf-8-sig", newline="")
        self._csv = csv.writer(self._file)
        self._csv.writerow(table.headers)
        self._workbook = workbook
        self._sheets = 0
        self._sheet: Any = None
        self._sheet_rows = 0
        if workbook is not None:
            self._new_sheet()

    def _new_sheet(self) -> None:
        self._sheets += 1
        suffix = "" if self._sheets == 1 else f" ({self._sheets})"
        self._sheet = self._workbook.create_sheet(self.table.title[: 31 - len(suffix)] + suffix)
        self._sheet.append(self.table.headers)
        self._sheet_rows = 1

    def write(self, batch: list[Sequence[CellValue]]) -> None:
        self._csv.writerows([csv_cell(value) for value in row] for row in batch)
        if self._workbook is None:
            return
        for row in batch:
            if self._sheet_rows >= XLSX_MAX_ROWS:
                self._new_sheet()
            self._sheet.append([xlsx_cell(self._sheet, value) for value in row])
            self._sheet_rows += 1

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
) -> ExportResult:
    """Write the team's tables under `directory` (the caller removes it after sending)."""
    result = ExportResult()
    book: Any = Workbook(write_only=True) if workbook else None
    for table in EXPORT_TABLES if tables is None else tables:
        writer = await asyncio.to_thread(_TableWriter, table, directory, stem, book)
        count = 0
        try:
            batch: list[Sequence[CellValue]] = []
            async for row in table.rows(session, organization_id):
                batch.append(row)
                if len(batch) >= BATCH_ROWS:
                    await asyncio.to_thread(writer.write, batch)
                    count += len(batch)
                    batch = []
            if batch:
                await asyncio.to_thread(writer.write, batch)
                count += len(batch)
        finally:
            await asyncio.to_thread(writer.close)
        result.counts[table.key] = count
        await asyncio.to_thread(
            _add_file, result, writer.path, writer.filename, "csv", count, max_file_bytes, table.key
        )
    if book is not None:
        path = directory / f"{stem}.xlsx"
        await asyncio.to_thread(book.save, path)
        rows = sum(result.counts.values())
        await asyncio.to_thread(_add_file, result, path, path.name, "xlsx", rows, max_file_bytes)
    return result


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
        with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.write(path, arcname=filename)
        path.unlink()
        path, filename, kind, size = zipped, zipped.name, "zip", zipped.stat().st_size
    exported = ExportFile(
        path=path, filename=filename, kind=kind, rows=rows, size=size, table=table
    )
    (result.too_large if size > limit else result.files).append(exported)
