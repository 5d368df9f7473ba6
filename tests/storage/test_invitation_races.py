"""A claim racing the coach's new link for the same athlete: they queue, never deadlock.

Both write the athlete and its links, and each takes the athlete's row first (on PostgreSQL a
row lock, on SQLite the database's write lock), so one waits for the other and then sees what
it did. The claim is paused after its first write for the new link to start meanwhile: when
the claim locked the link first and the athlete second, the opposite of create_invitation,
PostgreSQL found a deadlock here and failed one of the two.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only

from storage.db import make_session_factory, transaction
from storage.errors import Conflict
from storage.queries import invitations as inv
from storage.queries.athletes import create_athlete
from storage.schemas import AthleteCreate
from tests.storage.helpers import make_team, make_user

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
TTL = timedelta(hours=168)
# Set in the claim's task: its first write pauses there.
PAUSED_CLAIM: contextvars.ContextVar[asyncio.Event | None] = contextvars.ContextVar(
    "paused_claim", default=None
)


@contextmanager
def pause_after_first_write(engine: AsyncEngine) -> Iterator[None]:
    def after(*arguments: Any) -> None:
        wrote = PAUSED_CLAIM.get()
        if wrote is None or wrote.is_set() or not str(arguments[2]).startswith("UPDATE"):
            return
        wrote.set()
        # In SQLAlchemy's greenlet: lets the event loop run the other transaction meanwhile.
        await_only(asyncio.sleep(0.3))

    sa.event.listen(engine.sync_engine, "after_cursor_execute", after)
    try:
        yield
    finally:
        sa.event.remove(engine.sync_engine, "after_cursor_execute", after)


async def test_a_claim_and_a_new_link_for_the_same_athlete_queue(engine: AsyncEngine) -> None:
    factory = make_session_factory(engine)
    async with transaction(factory) as session:
        seat = await make_team(session)
        athlete = await create_athlete(
            session, organization_id=seat.organization_id, data=AthleteCreate(name="Maya")
        )
        issued = await inv.create_invitation(
            session,
            organization_id=seat.organization_id,
            athlete_id=athlete.id,
            created_by=None,
            now=NOW,
            ttl=TTL,
        )
        user = await make_user(session)
    wrote = asyncio.Event()

    async def claim() -> str:
        PAUSED_CLAIM.set(wrote)
        async with transaction(factory) as session:
            result = await inv.claim_invitation(
                session, token=issued.token, user_id=user.id, now=NOW
            )
            return result.outcome.value

    async def reinvite() -> str:
        await wrote.wait()
        try:
            async with transaction(factory) as session:
                await inv.create_invitation(
                    session,
                    organization_id=seat.organization_id,
                    athlete_id=athlete.id,
                    created_by=None,
                    now=NOW,
                    ttl=TTL,
                )
        except Conflict:
            return "refused"
        return "issued"

    with pause_after_first_write(engine):
        outcomes = await asyncio.wait_for(asyncio.gather(claim(), reinvite()), timeout=30)
    # The claim wrote first, so it wins; the coach is told the athlete is linked already.
    assert outcomes == ["claimed", "refused"]
