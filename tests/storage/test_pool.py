"""PostgreSQL's pool: connections that sat idle are tested before use, busy ones are not."""

from __future__ import annotations

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import db


async def kill_other_connections(engine: AsyncEngine) -> None:
    """A database restart, as the pooled connections see it (from outside the pool)."""
    url = make_url(db.configured_url(engine)).set(drivername="postgresql")
    admin = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()


async def select_one(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(sa.text("SELECT 1"))).scalar_one())


@pytest.fixture
def postgres_only(db_kind: str) -> None:
    if db_kind != "postgresql":
        pytest.skip("SQLite has no server connection to lose")


async def test_an_idle_connection_lost_meanwhile_is_replaced_unnoticed(
    engine: AsyncEngine, postgres_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert await select_one(engine) == 1
    await kill_other_connections(engine)
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)  # it has sat idle long enough
    assert await select_one(engine) == 1


async def test_only_a_connection_idle_for_a_while_is_tested(
    engine: AsyncEngine, postgres_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings: list[object] = []
    adapter = type(await raw_connection(engine))
    real_ping = adapter.ping

    def counting_ping(self: object) -> None:  # a spy on the driver adapter: calls through
        pings.append(self)
        real_ping(self)

    monkeypatch.setattr(adapter, "ping", counting_ping)
    for _ in range(5):
        assert await select_one(engine) == 1
    assert pings == []  # in use all along: no round trip spent on testing it
    monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)
    assert await select_one(engine) == 1
    assert len(pings) == 1


async def raw_connection(engine: AsyncEngine) -> object:
    async with engine.connect() as connection:
        return (await connection.get_raw_connection()).dbapi_connection
