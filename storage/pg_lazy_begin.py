"""PostgreSQL through asyncpg with BEGIN sent at a transaction's first write, not its first read.

SQLAlchemy's asyncpg adapter opens a server transaction before the first statement of every
transaction, and ends it with a COMMIT or ROLLBACK: two round trips more than the work for
an update that only reads (most do: a roster page, a card, a search), each as dear as the read
itself when the server shares the machine (bench/). This dialect is SQLAlchemy's asyncpg one
whose cursor runs a plain SELECT met before any write on its own (PostgreSQL's implicit
transaction of one statement) and lets the first write, or anything else, send BEGIN as
before. Nothing started, nothing to end: COMMIT and ROLLBACK send nothing.

The same answers, because under READ COMMITTED, PostgreSQL's default, every statement of a
transaction already reads its own fresh snapshot: a SELECT before BEGIN sees what it would
have seen after it. Where that is not so the adapter's own order is kept: a locking read
(`FOR UPDATE`, `FOR SHARE`, ...), a server-side cursor (it lives in a transaction), a
connection or server set to another isolation level, and a SELECT calling a function known to
act on the transaction (advisory locks, sequences, `set_config`).

Selected by storage.db.make_engine for every `postgresql+asyncpg://` URL, so configuration
does not change.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from sqlalchemy.dialects import registry
from sqlalchemy.dialects.postgresql.asyncpg import (
    AsyncAdapt_asyncpg_connection,
    AsyncAdapt_asyncpg_cursor,
    AsyncAdapt_asyncpg_dbapi,
    PGDialect_asyncpg,
)
from sqlalchemy.engine import URL

DRIVER = "spotter_asyncpg"

_LOCKING = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b", re.IGNORECASE)
_ACTING = re.compile(r"advisory|nextval|setval|set_config|txid_|pg_current_xact", re.IGNORECASE)
# The adapter's names for READ COMMITTED (None: the server's default, checked at connect).
_READ_COMMITTED = (None, "read_committed")


@functools.lru_cache(maxsize=1024)
def reads_alone(operation: str) -> bool:
    """Whether a statement is a plain read that may run before its transaction's BEGIN."""
    head = operation.lstrip()[:6].upper()
    return head == "SELECT" and not _LOCKING.search(operation) and not _ACTING.search(operation)


class LazyBeginCursor(AsyncAdapt_asyncpg_cursor):
    __slots__ = ()

    async def _prepare_and_execute(self, operation: Any, parameters: Any) -> None:
        connection = self._adapt_connection
        if (
            connection._transaction is None
            and connection.dbapi.lazy_begin
            and connection.isolation_level in _READ_COMMITTED
            and reads_alone(operation)
        ):
            # The adapter sends no BEGIN in autocommit; only for this statement.
            level = connection.isolation_level
            connection.isolation_level = "autocommit"
            try:
                await super()._prepare_and_execute(operation, parameters)
            finally:
                connection.isolation_level = level
            return
        await super()._prepare_and_execute(operation, parameters)


class LazyBeginConnection(AsyncAdapt_asyncpg_connection):
    __slots__ = ()
    _cursor_cls = LazyBeginCursor


class LazyBeginDBAPI(AsyncAdapt_asyncpg_dbapi):
    # Off until the first connection shows the server's default is READ COMMITTED.
    lazy_begin = False

    def connect(self, *arg: Any, **kw: Any) -> Any:
        connection = super().connect(*arg, **kw)
        # The same object with this module's cursor: the adapter builds its class itself.
        connection.__class__ = LazyBeginConnection
        return connection


class PGDialect_lazy_begin(PGDialect_asyncpg):
    driver = DRIVER
    supports_statement_cache = True

    @classmethod
    def import_dbapi(cls) -> Any:
        return LazyBeginDBAPI(__import__("asyncpg"))

    def initialize(self, connection: Any) -> None:
        super().initialize(connection)
        # A server whose default is stricter keeps BEGIN before every statement.
        dbapi = self.loaded_dbapi
        if isinstance(dbapi, LazyBeginDBAPI):
            dbapi.lazy_begin = self.default_isolation_level == "READ COMMITTED"


registry.register(f"postgresql.{DRIVER}", __name__, "PGDialect_lazy_begin")


def lazy_begin_url(url: URL) -> URL:
    """The same PostgreSQL URL on this dialect."""
    return url.set(drivername=f"postgresql+{DRIVER}")
