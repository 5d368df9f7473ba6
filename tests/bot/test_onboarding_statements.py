"""SQL statements and transactions of /start, the team name and /me (issue #20).

On PostgreSQL every statement is a network round trip, and these are among the heaviest updates
the bot handles. The updates go through the real update queue, so the durable inbox and its marks
are counted as in production; the bounds fail the test if a change adds a round trip.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import event

from bot import inbox
from bot.app import SpotterApp, build_application
from bot.context import DB_KEY
from fake_telegram import LocalTelegram, LocalUser
from storage import caller_cache
from storage.models import User
from storage.queries.organizations import get_user_and_seat
from tests.bot.conftest import Harness
from tests.bot.helpers import add_athlete
from tests.bot.test_invites import invite_from_card

# Written before the update is handled, whatever it is: not the handler's cost.
RECORD = "INSERT INTO update_inbox"


@dataclass
class Counted:
    statements: list[str] = field(default_factory=list)
    begun: int = 0
    records: int = 0  # the inbox's own transactions, one per update sent

    @property
    def transactions(self) -> int:
        return self.begun - self.records

    def report(self) -> str:
        lines = [" ".join(s.split())[:100] for s in self.statements]
        return f"{self.transactions} transactions, {len(lines)} statements:\n" + "\n".join(lines)


@dataclass
class Queued:
    app: SpotterApp
    tg: LocalTelegram

    async def send(self, user: LocalUser, text: str) -> None:
        """As the poller does: `put` writes the update to the inbox (`put_nowait` would not)."""
        await self.app.update_queue.put(self.tg.make_message_update(user, text))
        await self.tg.wait_idle()

    @contextmanager
    def counting(self) -> Iterator[Counted]:
        counted = Counted()
        engine = self.app.bot_data[DB_KEY].engine.sync_engine

        def statement(*arguments: Any) -> None:
            text = str(arguments[2])
            if text.lstrip().startswith(RECORD):
                counted.records += 1
            else:
                counted.statements.append(text)

        def begin(*_: Any) -> None:
            counted.begun += 1

        event.listen(engine, "before_cursor_execute", statement)
        event.listen(engine, "begin", begin)
        try:
            yield counted
        finally:
            event.remove(engine, "before_cursor_execute", statement)
            event.remove(engine, "begin", begin)


@pytest.fixture
async def queued(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Queued]:
    """A started app fed through its update queue (and so the inbox), as in production."""
    # Updates that wrote nothing are marked together later: not inside a counted window.
    monkeypatch.setattr(inbox, "MARK_DELAY", 3600.0)
    app = build_application(harness.settings, request=harness.api, rate_limit=False)
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    tg = LocalTelegram(app, harness.api, delivery="queue", capture_errors=True)
    try:
        yield Queued(app, tg)
    finally:
        await app.stop()
        await app.shutdown()
    tg.assert_no_errors()


async def new_coach(queued: Queued, name: str = "coach") -> LocalUser:
    coach = queued.tg.user(name, first_name=name.capitalize(), username=f"{name}_tg")
    await queued.send(coach, "/start")
    await queued.send(coach, f"{name.capitalize()} Barbell")
    assert "is ready" in coach.last_text()
    return coach


async def test_a_new_coachs_start_and_team_name(queued: Queued) -> None:
    coach = queued.tg.user("coach", first_name="Cora", username="cora_tg")
    with queued.counting() as start:
        await queued.send(coach, "/start")
    assert "What's your team called?" in coach.last_text()
    with queued.counting() as team:
        await queued.send(coach, "Northside Barbell")
    assert "Team Northside Barbell is ready" in coach.last_text()
    # /start: the state loads (user data, conversations); the caller read; the new user, its row
    # RETURNING (new: no team seat or athlete record to look up); the inbox mark with the write;
    # the state write and its "handled" mark. Was 10 statements.
    assert len(start.statements) <= 7, start.report()
    assert start.transactions <= 4, start.report()
    # Team name: the caller is kept from /start's write; the team (its INSERT checks that no
    # invite was claimed meanwhile) and its seat; the marks and the state write. Was 7.
    assert len(team.statements) <= 5, team.report()
    assert team.transactions <= 2, team.report()


async def test_a_known_coachs_start_reads_the_counts_only(queued: Queued) -> None:
    coach = await new_coach(queued)
    with queued.counting() as again:  # the new seat was kept when the team was saved
        for _ in range(3):
            await queued.send(coach, "/start")
            assert "Coach Barbell" in coach.last_text()
    # Per /start: the menu's counts; nothing written, so no inbox mark of its own.
    assert len(again.statements) <= 3, again.report()
    assert again.transactions <= 3, again.report()


async def test_a_returning_coach_is_read_once_and_written_only_when_renamed(
    queued: Queued,
) -> None:
    coach = await new_coach(queued)
    caller_cache.clear_all()  # as at a fresh start: nobody is cached
    with queued.counting() as cold:
        await queued.send(coach, "/start")
    assert "Coach Barbell" in coach.last_text()
    # The caller read and the counts; the same name, so nothing written and no mark.
    assert len(cold.statements) <= 2, cold.report()
    assert cold.transactions <= 1, cold.report()
    coach.record.username = "cora_renamed"
    with queued.counting() as renamed:
        await queued.send(coach, "/start")
    assert "Coach Barbell" in coach.last_text()
    # The user's refresh, its row RETURNING; the counts; the inbox mark with the write. Was 4.
    assert len(renamed.statements) <= 3, renamed.report()
    assert renamed.transactions <= 1, renamed.report()
    with queued.counting() as after:
        await queued.send(coach, "/start")
    # The refreshed row was kept at the commit: the counts only.
    assert len(after.statements) <= 1, after.report()
    async with queued.app.bot_data[DB_KEY].sessions() as session:
        user, _ = await get_user_and_seat(session, telegram_user_id=coach.id)
        row = await session.get(User, user.id) if user is not None else None
    assert user is not None and user.username == "cora_renamed"
    assert row is not None and row.username == "cora_renamed"


async def test_an_athletes_me(queued: Queued) -> None:
    coach = await new_coach(queued)
    await add_athlete(coach, "Maya Lopez", "maya@example.com")
    maya = queued.tg.user("maya", first_name="Maya", username="maya_tg")
    await maya.open_link(await invite_from_card(coach))
    assert "Welcome" in maya.last_text()
    with queued.counting() as me:  # the first update after joining, as most /me are
        await queued.send(maya, "/me")
    assert "Maya Lopez" in maya.last_text() and "Coach (@coach_tg)" in maya.last_text()
    # The athlete profiles and the team's coaches (named in the answer); the caller was kept
    # when the invite's update saved them. Was 3 (the caller read again).
    assert len(me.statements) <= 2, me.report()
    assert me.transactions <= 1, me.report()
