"""Fresh databases for tests: a migrated template made once per run, copied for every test.

SQLite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). Each run uses its own
template and databases (names carry a random run id), so runs don't collide.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_engine
from storage.migrate import migrate_database

RUN_ID = secrets.token_hex(4)
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
DB_KINDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


def _admin_dsn() -> str:
    url = make_url(POSTGRES_URL)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class DatabaseMaker:
    """Hands out fresh database URLs of one kind, migrated (with the catalog) or empty."""

    def __init__(self, kind: str, workdir: Path) -> None:
        self.kind = kind
        self.workdir = workdir
        self._template: str | None = None
        self._lock = asyncio.Lock()
        self._created: list[str] = []

    async def _build_template(self) -> str:
        name = f"spotter_tpl_{RUN_ID}"
        if self.kind == "sqlite":
            path = self.workdir / f"{name}.sqlite3"
            url = f"sqlite+aiosqlite:///{path}"
        else:
            await self._admin(f'CREATE DATABASE "{name}"')
            self._created.append(name)
            url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        engine = make_engine(url)
        try:
            await migrate_database(engine)
        finally:
            await engine.dispose()
        return name

    async def _admin(self, statement: str) -> None:
        connection = await asyncpg.connect(_admin_dsn())
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    async def new_url(self, *, migrated: bool = True) -> str:
        name = f"spotter_t_{RUN_ID}_{secrets.token_hex(4)}"
        if migrated:
            async with self._lock:
                if self._template is None:
                    self._template = await self._build_template()
        if self.kind == "sqlite":
            path = self.workdir / f"{name}.sqlite3"
            if migrated:
                shutil.copyfile(self.workdir / f"{self._template}.sqlite3", path)
            return f"sqlite+aiosqlite:///{path}"
        template = f' TEMPLATE "{self._template}"' if migrated else ""
        await self._admin(f'CREATE DATABASE "{name}"{template}')
        self._created.append(name)
        return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)

    async def drop_url(self, url: str) -> None:
        if self.kind == "postgresql":
            name = make_url(url).database
            await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if name in self._created:
                self._created.remove(name)

    async def close(self) -> None:
        if self.kind == "postgresql":
            for name in list(self._created):
                await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self._created.clear()

    @asynccontextmanager
    async def engine(self, *, migrated: bool = True) -> AsyncIterator[AsyncEngine]:
        url = await self.new_url(migrated=migrated)
        engine = make_engine(url)
        try:
            yield engine
        finally:
            await engine.dispose()
            await self.drop_url(url)
