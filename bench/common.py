"""What the benchmarks share: figures against goals, scratch databases, settings, the machine."""

from __future__ import annotations

import asyncio
import math
import os
import platform
import secrets
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import AsyncIterator, Coroutine, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

import asyncpg
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.runner import new_event_loop
from bot.settings import Settings
from storage.db import make_engine
from storage.migrate import migrate_database

T = TypeVar("T")

BENCH_TOKEN = "123456789:" + "B" * 35
DatabaseKind = Literal["sqlite", "postgresql"]


@dataclass(frozen=True)
class Options:
    quick: bool = False
    postgres_url: str | None = None  # a server to create scratch databases on
    timeout: float | None = None  # seconds one benchmark may run (None: the default below)

    @property
    def timeout_s(self) -> float:
        if self.timeout is not None:
            return self.timeout
        return 5 * 60 if self.quick else 45 * 60

    @property
    def kinds(self) -> list[DatabaseKind]:
        return ["sqlite", "postgresql"] if self.postgres_url else ["sqlite"]


@dataclass
class Figure:
    """One measured value, and the goal it is held against (if it has one)."""

    name: str
    value: float | None
    unit: str
    database: str = ""
    goal: float | None = None
    better: Literal["higher", "lower"] = "lower"
    note: str = ""

    @property
    def measured(self) -> bool:
        return self.value is not None and not math.isnan(self.value)

    @property
    def status(self) -> str:
        if self.goal is None:
            return ""
        if self.value is None or not self.measured:
            return "miss"
        ok = self.value >= self.goal if self.better == "higher" else self.value < self.goal
        return "pass" if ok else "miss"

    @property
    def goal_text(self) -> str:
        if self.goal is None:
            return ""
        sign = ">=" if self.better == "higher" else "<"
        return f"{sign} {format_number(self.goal)} {self.unit}".rstrip()

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "status": self.status or None}


@dataclass
class BenchResult:
    name: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    # Extra tables without goals: (title, header, rows).
    tables: list[tuple[str, list[str], list[list[str]]]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "seconds": round(self.seconds, 1),
            "figures": [f.as_dict() for f in self.figures],
            "notes": self.notes,
            "details": self.details,
        }


def format_number(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def grid(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "") -> list[str]:
    """Columns padded to width; numbers (anything starting with a digit) right-aligned."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for n, row in enumerate([header, *rows]):
        cells = []
        for i, cell in enumerate(row):
            text = str(cell)
            numeric = n > 0 and text[:1].isdigit()
            cells.append(text.rjust(widths[i]) if numeric else text.ljust(widths[i]))
        lines.append((indent + "  ".join(cells)).rstrip())
        if n == 0:
            lines.append(indent + "  ".join("-" * w for w in widths))
    return lines


def render_table(result: BenchResult) -> str:
    header = ("database", "figure", "value", "goal", "")
    rows = [
        (
            f.database,
            f.name,
            f"{format_number(f.value)} {f.unit}".rstrip(),
            f.goal_text,
            f.status,
        )
        for f in result.figures
    ]
    lines = [f"== {result.title} ({result.seconds:.1f} s)", *grid(header, rows)]
    for title, table_header, table_rows in result.tables:
        lines.extend(["", f"  {title}", *grid(table_header, table_rows, indent="  ")])
    if result.notes:
        lines.append("")
    lines.extend(f"  * {note}" for note in result.notes)
    return "\n".join(lines)


def percentile(values: Sequence[float], pct: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarise_ms(values: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/max of timings given in seconds, in milliseconds."""
    return {
        "count": len(values),
        "p50_ms": round(percentile(values, 50) * 1000, 3),
        "p95_ms": round(percentile(values, 95) * 1000, 3),
        "p99_ms": round(percentile(values, 99) * 1000, 3),
        "max_ms": round(max(values) * 1000, 3) if values else math.nan,
    }


# --- databases --------------------------------------------------------------------------------


def admin_dsn(server_url: str) -> str:
    return make_url(server_url).set(drivername="postgresql").render_as_string(hide_password=False)


class _Templates:
    """One migrated database per kind and run, copied for every scratch database."""

    def __init__(self) -> None:
        self.folder: tempfile.TemporaryDirectory[str] | None = None
        self.sqlite: Path | None = None
        self.postgres: tuple[str, str] | None = None  # (server url, database name)

    async def sqlite_copy(self, target: Path) -> None:
        if self.sqlite is None:
            self.folder = tempfile.TemporaryDirectory(prefix="spotter-bench-template-")
            path = Path(self.folder.name) / "template.sqlite3"
            await migrate(f"sqlite+aiosqlite:///{path}")
            self.sqlite = path
        shutil.copyfile(self.sqlite, target)

    async def postgres_template(self, server_url: str, admin: asyncpg.Connection) -> str:
        if self.postgres is None or self.postgres[0] != server_url:
            name = f"spotter_bench_tpl_{secrets.token_hex(4)}"
            await admin.execute(f'CREATE DATABASE "{name}"')
            self.postgres = (server_url, name)
            await migrate(
                make_url(server_url).set(database=name).render_as_string(hide_password=False)
            )
        return self.postgres[1]

    async def drop(self) -> None:
        if self.folder is not None:
            self.folder.cleanup()
            self.folder = self.sqlite = None
        if self.postgres is not None:
            server_url, name = self.postgres
            self.postgres = None
            admin = await asyncpg.connect(admin_dsn(server_url))
            try:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await admin.close()


TEMPLATES = _Templates()


@asynccontextmanager
async def scratch_database(
    kind: DatabaseKind, options: Options, *, migrated: bool = True
) -> AsyncIterator[str]:
    """A fresh database URL (a temporary SQLite file, or a new PostgreSQL database dropped after),
    at the newest schema with the curated library unless ``migrated=False``."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="spotter-bench-") as folder:
            path = Path(folder) / "bench.sqlite3"
            if migrated:
                await TEMPLATES.sqlite_copy(path)
            yield f"sqlite+aiosqlite:///{path}"
        return
    assert options.postgres_url, "PostgreSQL needs --postgres URL or TEST_DATABASE_URL"
    name = f"spotter_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(admin_dsn(options.postgres_url))
    try:
        template = ""
        if migrated:
            template = (
                f' TEMPLATE "{await TEMPLATES.postgres_template(options.postgres_url, admin)}"'
            )
        await admin.execute(f'CREATE DATABASE "{name}"{template}')
        try:
            yield (
                make_url(options.postgres_url)
                .set(database=name)
                .render_as_string(hide_password=False)
            )
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        await migrate_database(engine)
    finally:
        await engine.dispose()


def bench_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": BENCH_TOKEN,
        "database_url": database_url,
        # Never reached: LocalBotAPI answers every call in-process.
        "telegram_api_url": "http://127.0.0.1:9/bot",
        "telegram_file_url": "http://127.0.0.1:9/file/bot",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


def _sqlite_value(value: Any) -> Any:
    # What SQLAlchemy's SQLite types store: naive UTC text timestamps, ISO dates.
    if isinstance(value, datetime):
        naive = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        return naive.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


async def bulk_insert(
    engine: AsyncEngine,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    batch: int = 20_000,
) -> int:
    """Load rows fast, below the ORM: COPY on PostgreSQL, executemany on SQLite.

    Datetimes must be UTC (aware or naive). Returns the number of rows.
    """
    count = 0
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            raw = await connection.get_raw_connection()
            driver: Any = raw.driver_connection
            chunk: list[tuple[Any, ...]] = []
            for row in rows:
                chunk.append(tuple(row))
                if len(chunk) >= batch:
                    await driver.copy_records_to_table(table, records=chunk, columns=list(columns))
                    count += len(chunk)
                    chunk = []
            if chunk:
                await driver.copy_records_to_table(table, records=chunk, columns=list(columns))
                count += len(chunk)
            return count
        marks = ", ".join("?" for _ in columns)
        statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        chunk_sqlite: list[tuple[Any, ...]] = []
        for row in rows:
            chunk_sqlite.append(tuple(_sqlite_value(v) for v in row))
            if len(chunk_sqlite) >= batch:
                await connection.exec_driver_sql(statement, chunk_sqlite)
                count += len(chunk_sqlite)
                chunk_sqlite = []
        if chunk_sqlite:
            await connection.exec_driver_sql(statement, chunk_sqlite)
            count += len(chunk_sqlite)
    return count


# --- the machine ------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


async def postgres_version(server_url: str) -> str | None:
    try:
        connection = await asyncpg.connect(admin_dsn(server_url))
    except (OSError, asyncpg.PostgresError) as error:
        return f"unreachable ({type(error).__name__})"
    try:
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()


def run_like_the_bot(main: Coroutine[Any, Any, T]) -> T:
    """asyncio.run on the event loop the bot runs on (uvloop where installed; bot.runner)."""
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        return runner.run(main)


async def machine_info(options: Options) -> dict[str, Any]:
    import telegram

    return {
        "event_loop": type(asyncio.get_running_loop()).__module__.partition(".")[0],
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "python_implementation": sys.implementation.name,
        "python_telegram_bot": telegram.__version__,
        "sqlalchemy": sa.__version__,
        "sqlite": sqlite3.sqlite_version,
        "postgresql": await postgres_version(options.postgres_url)
        if options.postgres_url
        else None,
    }
