"""Engine and sessions from a URL. Nothing is created at import time."""

from __future__ import annotations

import functools
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import pg_lazy_begin
from storage.sqlite_inline import inline_url, public_url

SQLITE_BUSY_TIMEOUT_MS = 5000

SessionFactory = async_sessionmaker[AsyncSession]


def ensure_sqlite_directory(url: str) -> None:
    """Create the folder of a SQLite file so that a fresh checkout just works."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    # Take the write lock at BEGIN, so that two writers queue on busy_timeout instead of one
    # failing with "database is locked" when it upgrades a read transaction. Straight to the
    # driver (storage.sqlite_inline: no await needed): SQLAlchemy's execution path for this
    # one fixed statement cost more than the rest of a short transaction.
    connection.connection.dbapi_connection.execute("BEGIN IMMEDIATE")


def configured_url(engine: AsyncEngine) -> str:
    """The URL an engine was made from, as a setting would give it (with its password)."""
    return public_url(engine.url).render_as_string(hide_password=False)


def make_engine(url: str, *, connections: int | None = None, **kwargs: Any) -> AsyncEngine:
    """`connections`: PostgreSQL's pool size, the number of updates handled at once (SQLite
    has one connection: one writer at a time)."""
    parsed = make_url(url)
    # Error texts must not quote row values: they can hold emails and phone numbers.
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "sqlite":
        ensure_sqlite_directory(url)
        # SQLite has one writer at a time. One pooled connection makes concurrent updates
        # queue in asyncio for it, instead of polling the file lock with SQLite's busy
        # handler (which sleeps up to 100 ms a try and collapses throughput under load).
        kwargs.setdefault("pool_size", 1)
        kwargs.setdefault("max_overflow", 0)
        kwargs.setdefault("pool_timeout", 60)
        connect_args = kwargs.pop("connect_args", {"timeout": 30})
        # Statements on the event loop's thread, not aiosqlite's (see storage.sqlite_inline).
        engine = create_async_engine(inline_url(parsed), connect_args=connect_args, **kwargs)
        # pysqlite's own transaction handling is switched off so that BEGIN IMMEDIATE is ours.
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
        event.listen(engine.sync_engine, "connect", _disable_pysqlite_begin)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
        return engine
    # As many pooled connections as updates handled at once (settings.concurrent_updates):
    # a connection opened for a burst and closed after it re-prepares every statement it meets.
    kwargs.setdefault("pool_size", connections or 32)
    kwargs.setdefault("max_overflow", 8)
    if parsed.drivername == "postgresql+asyncpg":
        # BEGIN at a transaction's first write: a read-only update saves two round trips.
        parsed = pg_lazy_begin.lazy_begin_url(parsed)
    engine = create_async_engine(parsed, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        event.listen(engine.sync_engine.pool, "checkin", _note_idle)
        event.listen(engine.sync_engine.pool, "checkout", _ping_if_idle)
    return engine


# PostgreSQL: a pooled connection is tested with a round trip (three, on asyncpg: BEGIN, ping,
# ROLLBACK) only after it sat unused this long. pool_pre_ping tested every checkout, which cost
# a quarter of the driver's time; a connection lost while in use fails one update (the inbox
# and the error handler cover it) and the pool then replaces every connection of its age.
IDLE_PING_SECONDS = 10.0
_IDLE_SINCE = "spotter.idle_since"


def _note_idle(_dbapi_connection: Any, record: Any) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    idle_since = record.info.get(_IDLE_SINCE)
    if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
        return
    try:
        dbapi_connection.ping()
    except Exception as error:
        # The pool discards this connection and checks out another (SQLAlchemy's contract).
        raise sa.exc.DisconnectionError("idle connection is gone") from error


def _disable_pysqlite_begin(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def make_session_factory(
    engine: AsyncEngine, *, sync_session_class: type[Session] = Session
) -> SessionFactory:
    return async_sessionmaker(
        engine,
        class_=AsyncSession,
        expire_on_commit=False,
        sync_session_class=sync_session_class,
    )


@asynccontextmanager
async def transaction(factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit when the block ends, roll back if it raises."""
    # An explicit commit (not session.begin()'s), so a session class can veto it (bot.inbox).
    async with factory() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        await session.commit()


@asynccontextmanager
async def single_statement(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection for ONE statement that is atomic by itself (an INSERT of a few hundred
    rows, an UPDATE): on PostgreSQL it commits as it runs, without the BEGIN and COMMIT round
    trips around it; SQLite, in the process, takes its usual transaction. Keep a statement
    under insertmanyvalues' page (1,000 rows): past it, SQLAlchemy sends several."""
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            yield await connection.execution_options(isolation_level="AUTOCOMMIT")
    else:
        async with engine.begin() as connection:
            yield connection


@functools.cache
def upsert_statement(
    dialect: str, table: sa.Table, columns: tuple[str, ...], keys: tuple[str, ...]
) -> Any:
    """INSERT .. ON CONFLICT (keys) DO UPDATE of the other columns; values come at execution.

    Built once per table and shape: building it cost more than running it (bench/).
    """
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: statement.excluded[name] for name in columns if name not in keys},
    )


async def check_writable(engine: AsyncEngine) -> None:
    """Fail now if the database can't take a write (a read-only file, a read-only replica),
    instead of starting "healthy" and failing every update. Nothing is kept."""
    async with engine.connect() as connection, connection.begin() as outer:
        await connection.exec_driver_sql(
            "INSERT INTO update_inbox (update_id, received_at) VALUES (-1, CURRENT_TIMESTAMP)"
        )
        await outer.rollback()


def describe_database(url: str) -> str:
    """The kind and place of a database without its password, for logs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite ({parsed.database})"
    return f"postgresql ({parsed.host}:{parsed.port or 5432}/{parsed.database})"
