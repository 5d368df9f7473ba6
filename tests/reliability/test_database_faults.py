"""A write failing in the middle of an update leaves nothing half-written, and the user is told."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from storage.models import Membership, Organization
from tests.bot.conftest import Harness
from tests.bot.helpers import athletes_in_db, onboard_coach


class InjectedFault(Exception):
    pass


@contextmanager
def failing_statement(harness: Harness, starts_with: str) -> Iterator[list[str]]:
    """Make the database driver refuse statements beginning with `starts_with` (a real fault
    at the connection, below every function of ours)."""
    engine = harness.app.bot_data["spotter.db"].engine.sync_engine
    seen: list[str] = []

    def refuse(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith(starts_with.upper()):
            seen.append(statement)
            raise OperationalError(statement, {}, InjectedFault("disk I/O error (injected)"))

    event.listen(engine, "before_cursor_execute", refuse)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", refuse)


async def test_failed_insert_on_save_keeps_the_form_and_saves_nothing(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/addathlete")
    await coach.send("Maya")
    for _ in range(5):
        await coach.send("/skip")
    with failing_statement(harness, "INSERT INTO athletes") as seen:
        await coach.press("✅ Save")
    assert seen
    assert "Your saved data is safe" in (coach.last_answer or "")  # an alert on the press
    assert await athletes_in_db(harness) == []
    harness.tg.errors.clear()
    # The form is still at its summary: Save works once the database is back.
    await coach.press("✅ Save")
    assert [a.name for a in await athletes_in_db(harness)] == ["Maya"]


async def test_team_creation_is_all_or_nothing(harness: Harness) -> None:
    coach = harness.tg.user("coach")
    await coach.send("/start")
    with failing_statement(harness, "INSERT INTO memberships"):
        await coach.send("Northside Barbell")
    assert "Your saved data is safe" in coach.last_text()
    harness.tg.errors.clear()
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        assert (await session.execute(select(func.count()).select_from(Organization))).scalar() == 0
        assert (await session.execute(select(func.count()).select_from(Membership))).scalar() == 0
    await coach.send("Northside Barbell")  # still being asked for the team name
    assert "is ready" in coach.last_text()
