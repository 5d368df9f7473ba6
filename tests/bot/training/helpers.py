"""Shared steps for the training conversations."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.context import CLOCK_KEY
from fake_telegram import LocalUser
from tests.bot.conftest import Harness
from tests.bot.helpers import add_athlete, onboard_coach
from tests.bot.test_invites import athlete_named, invite_from_card


class Clock:
    """A clock the test moves; the Application reads it through bot_data[CLOCK_KEY]."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def set_clock(harness: Harness, when: datetime) -> Clock:
    clock = Clock(when)
    harness.app.bot_data[CLOCK_KEY] = clock
    return clock


MONDAY_MORNING = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


async def coach_and_athlete(
    harness: Harness, athlete: str = "Maya Lopez"
) -> tuple[LocalUser, LocalUser]:
    coach = await onboard_coach(harness.tg)
    await add_athlete(coach, athlete, "maya@example.com")
    maya = athlete_named(harness.tg)
    await maya.open_link(await invite_from_card(coach))
    assert "Welcome" in maya.last_text()
    return coach, maya
