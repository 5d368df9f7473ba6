"""The reference ladder: where Spotter sits between a bare PTB echo and PTB + one SELECT.

Each rung is the echo app of benchmark 1 replaying Spotter's own traces, with one indexed SELECT
per update done a different way: the raw driver (aiosqlite / asyncpg), SQLAlchemy Core (a
prebuilt statement on a pooled connection), the ORM session (what storage.db hands handlers).
Same harness, same run, so the rungs are ratios of one another, not absolute figures.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import aiosqlite
import asyncpg
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from storage.db import make_engine, make_session_factory
from storage.models import User

Reader = Callable[[int], Awaitable[None]]
RUNGS = ("raw driver SELECT", "SQLAlchemy Core", "SQLAlchemy ORM")


@asynccontextmanager
async def rung_reader(rung: str, url: str) -> AsyncIterator[Reader]:
    """A per-update read (the caller's user row by Telegram id) done the rung's way."""
    if rung == "raw driver SELECT":
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            connection = await aiosqlite.connect(str(parsed.database))
            try:

                async def read_sqlite(telegram_id: int) -> None:
                    await connection.execute_fetchall(
                        "SELECT id FROM users WHERE telegram_user_id = ?", (telegram_id,)
                    )

                yield read_sqlite
            finally:
                await connection.close()
            return
        dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        pool = await asyncpg.create_pool(dsn, min_size=1, max_size=10)
        try:

            async def read_postgres(telegram_id: int) -> None:
                await pool.fetchrow("SELECT id FROM users WHERE telegram_user_id = $1", telegram_id)

            yield read_postgres
        finally:
            await pool.close()
        return
    engine = make_engine(url)
    try:
        if rung == "SQLAlchemy Core":
            statement = sa.select(User.__table__.c.id).where(  # type: ignore[attr-defined]
                User.__table__.c.telegram_user_id == sa.bindparam("telegram_id")  # type: ignore[attr-defined]
            )

            async def read_core(telegram_id: int) -> None:
                async with engine.connect() as connection:
                    (await connection.execute(statement, {"telegram_id": telegram_id})).first()

            yield read_core
        else:
            sessions = make_session_factory(engine)

            async def read_orm(telegram_id: int) -> None:
                async with sessions() as session:
                    found = await session.exec(
                        select(col(User.id)).where(col(User.telegram_user_id) == telegram_id)
                    )
                    found.first()

            yield read_orm
    finally:
        await engine.dispose()
