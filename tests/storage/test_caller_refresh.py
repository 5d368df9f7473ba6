"""Saving the caller's Telegram profile (storage.queries.organizations.refresh_caller).

The saved rows are kept by the caller cache once the update commits, so the next update reads
nothing; they must never be kept when they may be older than the database.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import caller_cache
from storage.db import SessionFactory, transaction
from storage.models import User
from storage.queries.organizations import (
    CoachSeat,
    SavedCaller,
    create_organization,
    get_user_and_seat,
    refresh_caller,
)
from storage.queries.users import mark_user_blocked, upsert_user

TELEGRAM_ID = 777_002


async def read_caller(factory: SessionFactory) -> tuple[User | None, CoachSeat | None, int]:
    """(user, seat, statements run) as the next update would read them."""
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    async with transaction(factory) as session:
        engine = session.bind
        assert isinstance(engine, AsyncEngine)
        sa.event.listen(engine.sync_engine, "before_cursor_execute", count)
        try:
            user, seat = await get_user_and_seat(session, telegram_user_id=TELEGRAM_ID)
        finally:
            sa.event.remove(engine.sync_engine, "before_cursor_execute", count)
    return user, seat, len(seen)


async def refresh(factory: SessionFactory, name: str) -> SavedCaller:
    async with transaction(factory) as session:
        known = await get_user_and_seat(session, telegram_user_id=TELEGRAM_ID)
        return await refresh_caller(
            session,
            telegram_user_id=TELEGRAM_ID,
            display_name=name,
            username="cora",
            language_code="en",
            known=known,
        )


async def test_a_new_caller_is_kept_at_the_commit(session_factory: SessionFactory) -> None:
    saved = await refresh(session_factory, "Cora Lane")
    assert saved.created and saved.seat is None
    user, seat, statements = await read_caller(session_factory)
    assert statements == 0
    assert user is not None and user.id == saved.user.id and user.display_name == "Cora Lane"
    assert seat is None


async def test_a_renamed_coach_keeps_the_team(session_factory: SessionFactory) -> None:
    first = await refresh(session_factory, "Cora Lane")
    async with transaction(session_factory) as session:
        team = await create_organization(session, name="Northside", owner_user_id=first.user.id)
    saved = await refresh(session_factory, "Cora Lane-Smith")
    assert not saved.created
    assert saved.seat is not None and saved.seat.organization_id == team.organization_id
    user, seat, statements = await read_caller(session_factory)
    assert statements == 0
    assert user is not None and user.display_name == "Cora Lane-Smith"
    assert seat is not None and seat.organization_id == team.organization_id


async def test_a_caller_saved_meanwhile_by_another_update_gets_their_team(
    session_factory: SessionFactory,
) -> None:
    # Our read found nobody; another update saved them (and made a team) before our insert.
    async with transaction(session_factory) as session:
        other = await upsert_user(session, telegram_user_id=TELEGRAM_ID, display_name="Cora")
        team = await create_organization(session, name="Northside", owner_user_id=other.id)
    async with transaction(session_factory) as session:
        saved = await refresh_caller(
            session,
            telegram_user_id=TELEGRAM_ID,
            display_name="Cora Lane",
            username=None,
            language_code=None,
            known=(None, None),
        )
    assert not saved.created and saved.user.id == other.id
    assert saved.seat is not None and saved.seat.organization_id == team.organization_id


async def test_a_rolled_back_refresh_keeps_nothing(session_factory: SessionFactory) -> None:
    await refresh(session_factory, "Cora Lane")
    with pytest.raises(RuntimeError):
        async with transaction(session_factory) as session:
            known = await get_user_and_seat(session, telegram_user_id=TELEGRAM_ID)
            await refresh_caller(
                session,
                telegram_user_id=TELEGRAM_ID,
                display_name="Never Saved",
                username=None,
                language_code=None,
                known=known,
            )
            raise RuntimeError("the handler failed")
    user, _, statements = await read_caller(session_factory)
    assert statements == 1  # dropped by the write, not kept: read again
    assert user is not None and user.display_name == "Cora Lane"


async def test_a_refresh_rolled_back_to_a_savepoint_keeps_nothing(
    session_factory: SessionFactory,
) -> None:
    await refresh(session_factory, "Cora Lane")
    async with transaction(session_factory) as session:
        known = await get_user_and_seat(session, telegram_user_id=TELEGRAM_ID)
        savepoint = await session.begin_nested()
        await refresh_caller(
            session,
            telegram_user_id=TELEGRAM_ID,
            display_name="Never Saved",
            username=None,
            language_code=None,
            known=known,
        )
        await savepoint.rollback()
    user, _, _ = await read_caller(session_factory)
    assert user is not None and user.display_name == "Cora Lane"


async def test_a_drop_before_the_commit_keeps_nothing(session_factory: SessionFactory) -> None:
    await refresh(session_factory, "Cora Lane")
    async with transaction(session_factory) as session:
        known = await get_user_and_seat(session, telegram_user_id=TELEGRAM_ID)
        await refresh_caller(
            session,
            telegram_user_id=TELEGRAM_ID,
            display_name="Cora Lane-Smith",
            username=None,
            language_code=None,
            known=known,
        )
        # Another update's write (it could be newer than these rows) before this one commits.
        caller_cache.clear_all()
    user, _, statements = await read_caller(session_factory)
    assert statements == 1
    assert user is not None and user.display_name == "Cora Lane-Smith"


async def test_a_later_write_in_the_same_update_keeps_nothing(
    session_factory: SessionFactory,
) -> None:
    first = await refresh(session_factory, "Cora Lane")
    async with transaction(session_factory) as session:
        known = await get_user_and_seat(session, telegram_user_id=TELEGRAM_ID)
        await refresh_caller(
            session,
            telegram_user_id=TELEGRAM_ID,
            display_name="Cora Lane-Smith",
            username=None,
            language_code=None,
            known=known,
        )
        team = await create_organization(session, name="Northside", owner_user_id=first.user.id)
    _, seat, statements = await read_caller(session_factory)
    assert statements == 1  # the kept entry would say "no team"
    assert seat is not None and seat.organization_id == team.organization_id


async def test_a_block_after_the_refresh_is_seen(session_factory: SessionFactory) -> None:
    await refresh(session_factory, "Cora Lane")
    async with transaction(session_factory) as session:
        await mark_user_blocked(session, telegram_user_id=TELEGRAM_ID)
    user, _, _ = await read_caller(session_factory)
    assert user is not None and user.blocked_at is not None
    await refresh(session_factory, "Cora Lane")  # back: talking again un-blocks
    user, _, statements = await read_caller(session_factory)
    assert statements == 0
    assert user is not None and user.blocked_at is None


async def test_a_read_of_the_old_row_during_the_refresh_is_not_kept(
    session_factory: SessionFactory, db_kind: str
) -> None:
    """PostgreSQL: another transaction reads the old row until the refresh commits."""
    if db_kind != "postgresql":
        pytest.skip("SQLite has one connection: a read can't overlap an open write")
    await refresh(session_factory, "Cora Lane")
    async with transaction(session_factory) as writer:
        known = await get_user_and_seat(writer, telegram_user_id=TELEGRAM_ID)
        await refresh_caller(
            writer,
            telegram_user_id=TELEGRAM_ID,
            display_name="Cora Lane-Smith",
            username=None,
            language_code=None,
            known=known,
        )
        user, _, _ = await read_caller(session_factory)  # another update, before the commit
        assert user is not None and user.display_name == "Cora Lane"
    user, _, _ = await read_caller(session_factory)
    assert user is not None and user.display_name == "Cora Lane-Smith"


async def test_a_team_made_after_the_load_is_not_hidden_by_the_refresh(
    session_factory: SessionFactory,
) -> None:
    first = await refresh(session_factory, "Cora Lane")  # kept: the next load reads nothing
    async with transaction(session_factory) as session:
        known = await get_user_and_seat(session, telegram_user_id=TELEGRAM_ID)
        assert known[1] is None
        # Another update makes them a coach after this one loaded them, before it writes.
        async with transaction(session_factory) as other:
            team = await create_organization(other, name="Northside", owner_user_id=first.user.id)
        await refresh_caller(
            session,
            telegram_user_id=TELEGRAM_ID,
            display_name="Cora Lane-Smith",
            username=None,
            language_code=None,
            known=known,
        )
    _, seat, statements = await read_caller(session_factory)
    assert statements == 1  # "no team" was not kept
    assert seat is not None and seat.organization_id == team.organization_id


async def test_a_drop_elsewhere_does_not_stop_the_keep(session_factory: SessionFactory) -> None:
    """Under load other users' rows change all the time: only drops that touch these rows count."""
    await refresh(session_factory, "Cora Lane")
    async with transaction(session_factory) as session:
        known = await get_user_and_seat(session, telegram_user_id=TELEGRAM_ID)
        async with transaction(session_factory) as other:
            await upsert_user(other, telegram_user_id=TELEGRAM_ID + 1, display_name="Someone")
        await refresh_caller(
            session,
            telegram_user_id=TELEGRAM_ID,
            display_name="Cora Lane-Smith",
            username=None,
            language_code=None,
            known=known,
        )
    user, _, statements = await read_caller(session_factory)
    assert statements == 0
    assert user is not None and user.display_name == "Cora Lane-Smith"
