"""Which page a list shows is view state: kept in memory, never written to the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from bot.context import DB_KEY
from tests.bot.conftest import Harness
from tests.bot.helpers import add_athlete, onboard_coach


@contextmanager
def state_writes(harness: Harness) -> Iterator[list[str]]:
    """Statements that write conversation state or user data while the block runs."""
    written: list[str] = []
    engine = harness.app.bot_data[DB_KEY].engine.sync_engine

    def record(*arguments: Any) -> None:
        statement = str(arguments[2])
        if ("bot_user_data" in statement or "bot_conversations" in statement) and not (
            statement.lstrip().upper().startswith("SELECT")
        ):
            written.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield written
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_paging_browsing_and_back_write_no_state(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    for index in range(12):
        await add_athlete(coach, f"Athlete {index:02d}")
    with state_writes(harness) as written:
        await coach.send("/athletes")
        await coach.press("Next ▶️")
        assert "Showing 11-12 of 12" in coach.last_text()
        await coach.press(next(b for b in coach.buttons() if b.endswith("Athlete 11")))
        await coach.press("⬅️ Back to roster")
        assert "Showing 11-12 of 12" in coach.last_text()  # back where the coach was
        await coach.send("/athletes 1")
        assert "matching “1”" in coach.last_text()
        await coach.send("/exercises")
        await coach.press(coach.buttons()[0])
        await coach.press(coach.buttons()[0])
        await coach.send("/programs")
    assert written == []


async def test_after_a_restart_back_goes_to_the_first_page(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    for index in range(12):
        await add_athlete(coach, f"Athlete {index:02d}")
    await coach.send("/athletes")
    await coach.press("Next ▶️")
    await coach.press(next(b for b in coach.buttons() if b.endswith("Athlete 11")))
    await harness.restart()
    await coach.press("⬅️ Back to roster")
    assert "Showing 1-10 of 12" in coach.last_text()
