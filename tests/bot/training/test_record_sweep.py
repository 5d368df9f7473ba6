"""PRs of a session the athlete never finished still reach the coach, once, after the athlete's
day is over (the scheduler's sweep), through the real Application and the outbox."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bot.context import CLOCK_KEY
from bot.insight.delivery import drain_outbox
from bot.insight.scheduler import enqueue_due_notices
from fake_telegram import LocalUser
from storage.db import transaction
from storage.models import Organization
from tests.bot.conftest import Harness
from tests.bot.training.helpers import (
    MONDAY_MORNING,
    Clock,
    assign_program,
    coach_and_athlete,
    set_clock,
)


def pr_notices(coach: LocalUser) -> list[str]:
    return [m.display_text for m in coach.bot_messages() if "set PRs" in m.display_text]


async def tick(harness: Harness) -> None:
    """One scheduler tick, then the outbox sender, as the running bot does."""
    await enqueue_due_notices(harness.app)
    await drain_outbox(harness.app)


async def a_pr_left_unfinished(harness: Harness, maya: LocalUser) -> Clock:
    """Last week a 100 kg squat for 5; today 5 x 5 @ 112.5 kg in one tap: a PR, and the session
    is not finished."""
    clock = set_clock(harness, MONDAY_MORNING - timedelta(days=7))
    await maya.send("/log Back squat 100x5")
    await maya.send("/maxes Back squat 140")
    await assign_program(harness)
    clock.now = MONDAY_MORNING
    await maya.send("/today")
    session_message = maya.last_message()
    await maya.press("A1 Back Squat", message=session_message)
    await maya.press("✅ Done as prescribed", message=session_message)
    assert "New PR!" in maya.last_text()
    assert "Back Squat 112.5 kg × 5: heaviest for 5 (was 100 kg)" in maya.last_text()
    return clock


async def test_prs_of_an_unfinished_session_reach_the_coach_once_after_the_day(
    harness: Harness,
) -> None:
    coach, maya = await coach_and_athlete(harness)
    clock = await a_pr_left_unfinished(harness, maya)
    session_message = [m for m in maya.bot_messages() if m.display_text.startswith("🏋️")][-1]

    # The day is not over: the athlete may still finish, so the coach hears nothing yet.
    await drain_outbox(harness.app)
    clock.now = datetime(2026, 3, 2, 23, 59, tzinfo=UTC)
    await tick(harness)
    assert pr_notices(coach) == []

    # Past midnight on the team's clock (UTC): one message listing the session's PRs.
    clock.now = datetime(2026, 3, 3, 0, 1, tzinfo=UTC)
    await tick(harness)
    notices = pr_notices(coach)
    assert len(notices) == 1
    assert "Maya Lopez set PRs · Mon 2 Mar · Lower A" in notices[0]
    assert "Back Squat 112.5 kg × 5 (heaviest 5, e1RM 131.2 kg)" in notices[0]

    # More ticks, a restart, and finishing the session late send nothing more.
    clock.now += timedelta(minutes=1)
    await tick(harness)
    await harness.restart()
    clock = set_clock(harness, clock.now)
    await tick(harness)
    await maya.press("🏁 Finish session", message=session_message)
    await maya.press("8", message=session_message)
    await maya.press("60 min", message=session_message)
    assert "🏁 Finished: session RPE 8, 60 min." in session_message.display_text
    await tick(harness)
    assert len(pr_notices(coach)) == 1


async def test_finishing_sends_the_notice_and_the_sweep_adds_nothing(harness: Harness) -> None:
    coach, maya = await coach_and_athlete(harness)
    clock = await a_pr_left_unfinished(harness, maya)
    session_message = [m for m in maya.bot_messages() if m.display_text.startswith("🏋️")][-1]
    await maya.press("🏁 Finish session", message=session_message)
    await maya.press("7", message=session_message)
    await maya.press("45 min", message=session_message)
    await drain_outbox(harness.app)
    assert len(pr_notices(coach)) == 1
    clock.now = datetime(2026, 3, 3, 0, 1, tzinfo=UTC)
    await tick(harness)
    clock.now += timedelta(days=1)
    await tick(harness)
    assert len(pr_notices(coach)) == 1


async def test_the_sweep_waits_for_the_end_of_the_day_in_the_teams_zone(
    harness: Harness,
) -> None:
    coach, maya = await coach_and_athlete(harness)
    async with transaction(harness.app.bot_data["spotter.db"].sessions) as session:
        await session.execute(
            sa.update(Organization).values(timezone="America/New_York")  # UTC-5 in March 2026
        )
    # Monday in New York from 05:00 UTC: MONDAY_MORNING (08:00 UTC) is 03:00 there.
    clock = await a_pr_left_unfinished(harness, maya)
    clock.now = datetime(2026, 3, 3, 4, 30, tzinfo=UTC)  # Monday 23:30 in New York
    await tick(harness)
    assert pr_notices(coach) == []

    # 00:30 in New York: queued; the process dies before sending; the next one sends it once.
    clock.now = datetime(2026, 3, 3, 5, 30, tzinfo=UTC)
    await enqueue_due_notices(harness.app)
    assert pr_notices(coach) == []
    await harness.restart(abrupt=True)
    clock = set_clock(harness, clock.now)
    await tick(harness)
    await tick(harness)
    notices = pr_notices(coach)
    assert len(notices) == 1 and "Maya Lopez set PRs · Mon 2 Mar" in notices[0]


async def test_a_pr_taken_back_before_the_day_ends_is_not_sent(harness: Harness) -> None:
    coach, maya = await coach_and_athlete(harness)
    clock = await a_pr_left_unfinished(harness, maya)
    session_message = [m for m in maya.bot_messages() if m.display_text.startswith("🏋️")][-1]
    # The athlete corrects the entry: lighter than last week's 5, no PR any more.
    await maya.press("✅ A1 Back Squat", message=session_message)
    await maya.press("✏️ Change", message=session_message)
    await maya.send("90x5, 90x5")
    assert "New PR!" not in maya.last_text()
    clock.now = datetime(2026, 3, 3, 0, 1, tzinfo=UTC)
    await tick(harness)
    assert pr_notices(coach) == []


async def test_two_schedulers_at_once_send_the_notice_once(harness: Harness) -> None:
    from bot.app import build_application

    coach, maya = await coach_and_athlete(harness)
    clock = await a_pr_left_unfinished(harness, maya)
    clock.now = datetime(2026, 3, 3, 0, 1, tzinfo=UTC)
    second = build_application(harness.settings, request=harness.api, rate_limit=False)
    second.bot_data[CLOCK_KEY] = clock
    await second.initialize()
    try:
        await asyncio.gather(enqueue_due_notices(harness.app), enqueue_due_notices(second))
        await asyncio.gather(drain_outbox(harness.app), drain_outbox(second))
    finally:
        await second.shutdown()
        await second.bot_data["spotter.db"].close()
    assert len(pr_notices(coach)) == 1
