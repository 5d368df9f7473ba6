"""SQLite for the async engine without a thread per connection.

aiosqlite runs each connection in a thread of its own and hands every call over to it and back
(a queue put, a future, a wake-up of the event loop): measured in bench/, that hand-off cost
more CPU than SQLite's own work, which for this bot's statements is a few microseconds to a
fraction of a millisecond. This dialect is the plain pysqlite one marked usable by
SQLAlchemy's asyncio extension: statements run on the event loop's thread, inside the greenlet
SQLAlchemy already runs them in, and the pool hands the connection out with asyncio waits.

The price: a statement blocks the event loop while it runs. That is fine for short statements
(every handler's), and it is why long reads (a spreadsheet export of a million rows) must not
run as one statement on this engine but in batches. Another process holding the write lock
(a migration, a backup) makes a writer wait up to the busy timeout with the loop blocked.

Selected by storage.db.make_engine for every `sqlite+aiosqlite://` URL, so configuration
does not change.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import pool
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.base import SQLiteExecutionContext
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL
from sqlalchemy.util.concurrency import await_, in_greenlet

DRIVER = "spotter_inline"


async def _ready() -> None:
    return None


class InlineCursor(sqlite3.Cursor):
    def execute(self, sql: str, parameters: Any = (), /) -> InlineCursor:
        # AsyncConnection.execute insists that the driver awaited something. An awaitable that
        # is already done satisfies it for a greenlet switch, without a trip to the loop.
        if in_greenlet():
            await_(_ready())
        return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> InlineCursor:
        if in_greenlet():
            await_(_ready())
        return super().executemany(sql, parameters)

    async def _async_soft_close(self) -> None:
        """Called by the asyncio extension on every result; rows stay readable, as in sqlite3."""


class InlineConnection(sqlite3.Connection):
    def cursor(self, factory: Any = InlineCursor) -> Any:
        return super().cursor(factory)


class InlineExecutionContext(SQLiteExecutionContext):
    def create_server_side_cursor(self) -> Any:
        # A sqlite3 cursor already reads its rows one step at a time.
        return self._dbapi_connection.cursor()


class SQLiteDialect_inline(SQLiteDialect_pysqlite):
    driver = DRIVER
    supports_statement_cache = True
    supports_server_side_cursors = True
    execution_ctx_cls = InlineExecutionContext
    # Not truly asynchronous, but it never awaits: each call returns before the next line.
    is_async = True

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        # The asyncio-aware queue pool: tasks wait for the connection without blocking.
        if cls._is_url_file_db(url):
            return pool.AsyncAdaptedQueuePool
        return pool.StaticPool

    def get_driver_connection(self, connection: Any) -> Any:
        return connection

    def create_connect_args(self, url: URL) -> Any:
        arguments, options = super().create_connect_args(url)
        options.setdefault("factory", InlineConnection)
        return arguments, options


registry.register(f"sqlite.{DRIVER}", __name__, "SQLiteDialect_inline")


def inline_url(url: URL) -> URL:
    """The same SQLite URL on this dialect."""
    return url.set(drivername=f"sqlite+{DRIVER}")


def public_url(url: URL) -> URL:
    """The URL as configured (`sqlite+aiosqlite://`, `postgresql+asyncpg://`, not the dialects
    storage.db puts in their place): what settings accept and logs name."""
    configured = {
        f"sqlite+{DRIVER}": "sqlite+aiosqlite",
        "postgresql+spotter_asyncpg": "postgresql+asyncpg",
    }
    return url.set(drivername=configured.get(url.drivername, url.drivername))
