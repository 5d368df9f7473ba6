"""The caller cache (storage.caller_cache): kept between updates, never older than the database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import caller_cache
from storage.db import SessionFactory, make_session_factory, transaction
from storage.models import User
from storage.queries.organizations import create_organization, get_user_and_seat
from storage.queries.training import update_team_settings
from storage.queries.users import mark_user_blocked, upsert_user
from tests.databases import DatabaseMaker

TELEGRAM_ID = 777_001


async def caller(factory: SessionFactory) -> tuple[User | None, str | None, str | None]:
    """(user, team id, team time zone) as the next update would see them."""
    async with transaction(factory) as session:
        user, seat = await get_user_and_seat(session, telegram_user_id=TELEGRAM_ID)
    if seat is None:
        return user, None, None
    return user, seat.organization_id, seat.organization.timezone


async def statements_of(engine: AsyncEngine, factory: SessionFactory) -> int:
    """How many statements reading the caller runs."""
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    sa.event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        await caller(factory)
    finally:
        sa.event.remove(engine.sync_engine, "before_cursor_execute", count)
    return len(seen)


async def new_user(factory: SessionFactory, name: str = "Cora Lane") -> User:
    async with transaction(factory) as session:
        return await upsert_user(session, telegram_user_id=TELEGRAM_ID, display_name=name)


async def test_a_second_read_runs_no_statement(
    engine: AsyncEngine, session_factory: SessionFactory
) -> None:
    await new_user(session_factory)
    assert await statements_of(engine, session_factory) == 1
    assert await statements_of(engine, session_factory) == 0


async def test_a_new_team_makes_the_user_a_coach_at_once(session_factory: SessionFactory) -> None:
    user = await new_user(session_factory)
    assert (await caller(session_factory))[1] is None  # cached: no team yet
    async with transaction(session_factory) as session:
        seat = await create_organization(session, name="Northside", owner_user_id=user.id)
    assert (await caller(session_factory))[1] == seat.organization_id


async def test_changed_team_settings_are_seen_by_the_next_update(
    session_factory: SessionFactory,
) -> None:
    user = await new_user(session_factory)
    async with transaction(session_factory) as session:
        seat = await create_organization(session, name="Northside", owner_user_id=user.id)
    assert (await caller(session_factory))[2] == "UTC"
    async with transaction(session_factory) as session:
        await update_team_settings(
            session, organization_id=seat.organization_id, timezone="Europe/Madrid"
        )
    assert (await caller(session_factory))[2] == "Europe/Madrid"


async def test_a_rename_and_a_block_are_seen_by_the_next_update(
    session_factory: SessionFactory,
) -> None:
    await new_user(session_factory, "Cora Lane")
    assert (await caller(session_factory))[0].display_name == "Cora Lane"  # type: ignore[union-attr]
    await new_user(session_factory, "Cora Lane-Smith")
    user = (await caller(session_factory))[0]
    assert user is not None and user.display_name == "Cora Lane-Smith"
    assert user.blocked_at is None
    async with transaction(session_factory) as session:
        await mark_user_blocked(session, telegram_user_id=TELEGRAM_ID)
    user = (await caller(session_factory))[0]
    assert user is not None and user.blocked_at is not None


async def test_a_write_that_names_no_user_drops_every_entry(
    engine: AsyncEngine, session_factory: SessionFactory
) -> None:
    await new_user(session_factory, "Cora Lane")
    await caller(session_factory)
    async with transaction(session_factory) as session:
        await session.execute(sa.text("UPDATE users SET display_name = 'Renamed by SQL'"))
    user = (await caller(session_factory))[0]
    assert user is not None and user.display_name == "Renamed by SQL"


async def test_a_rolled_back_update_leaves_the_cached_rows_readable(
    session_factory: SessionFactory,
) -> None:
    await new_user(session_factory)
    with pytest.raises(RuntimeError):
        async with transaction(session_factory) as session:
            user, _ = await get_user_and_seat(session, telegram_user_id=TELEGRAM_ID)
            raise RuntimeError("the handler failed")
    # A rollback expires what its session holds; the cached row was detached, so it still reads.
    again, _ = (await caller(session_factory))[:2]
    assert again is user and again is not None and again.display_name == "Cora Lane"


async def test_each_database_has_its_own_entries(
    session_factory: SessionFactory, databases: DatabaseMaker
) -> None:
    await new_user(session_factory, "In the first database")
    await caller(session_factory)
    async with databases.engine() as other_engine:
        other = make_session_factory(other_engine)
        assert (await caller(other))[0] is None


async def test_a_write_committed_after_a_concurrent_read_drops_what_that_read_kept(
    session_factory: SessionFactory, db_kind: str
) -> None:
    """PostgreSQL: another transaction reads the old rows until the write commits."""
    if db_kind != "postgresql":
        pytest.skip("SQLite has one connection: a read can't overlap an open write")
    user = await new_user(session_factory)
    async with transaction(session_factory) as session:
        seat = await create_organization(session, name="Northside", owner_user_id=user.id)
    async with transaction(session_factory) as writer:
        await update_team_settings(
            writer, organization_id=seat.organization_id, timezone="Asia/Tokyo"
        )
        # Before the commit another update reads, and keeps, the old settings.
        assert (await caller(session_factory))[2] == "UTC"
    assert (await caller(session_factory))[2] == "Asia/Tokyo"


async def test_a_read_overlapping_a_write_is_not_kept(
    engine: AsyncEngine, session_factory: SessionFactory
) -> None:
    await new_user(session_factory)

    def meanwhile(*_args: object) -> None:
        caller_cache.clear_all()  # another update's write commits while this read runs

    sa.event.listen(engine.sync_engine, "before_cursor_execute", meanwhile)
    try:
        await caller(session_factory)
    finally:
        sa.event.remove(engine.sync_engine, "before_cursor_execute", meanwhile)
    assert await statements_of(engine, session_factory) == 1  # read again: it was not kept


def test_entries_expire_and_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = caller_cache.CallerCache()
    clock = [1000.0]
    monkeypatch.setattr(caller_cache.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(caller_cache, "CAPACITY", 3)
    for telegram_user_id in range(4):
        cache.put(telegram_user_id, User(display_name="x", telegram_user_id=1), None)
    assert cache.get(0) is None  # the least recently used went
    assert cache.get(1) is not None
    clock[0] += caller_cache.TTL_SECONDS + 1
    assert cache.get(1) is None
