"""Reminders and digests through the real Application with a movable clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from bot.insight.delivery import drain_outbox
from bot.insight.scheduler import enqueue_due_notices
from fake_telegram import LocalUser
from storage.db import transaction
from storage.models import Athlete, Organization, OutboxMessage, OutboxState, ProgramSession
from storage.queries.programs import add_session, assign_program, create_program
from storage.queries.training import finish_training_session, open_training_session
from tests.bot.conftest import Harness
from tests.bot.helpers import add_athlete
from tests.bot.test_invites import athlete_named, invite_from_card
from tests.bot.training.helpers import coach_and_athlete
from tests.insight.clock import MovableClock

BERLIN = "Europe/Berlin"
# Week of Monday 23 March 2026; Berlin moves from UTC+1 to UTC+2 on Sunday 29 March.
MON = date(2026, 3, 23)


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


async def athlete_id(harness: Harness, name: str) -> tuple[str, str]:
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        athlete = (await session.exec(select(Athlete).where(col(Athlete.name) == name))).one()
        return athlete.id, athlete.organization_id


async def program_for(harness: Harness, org: str, athlete_ids: list[str]) -> dict[str, str]:
    """A 4-week program, Mon "Lower A", Wed "Upper A", Fri "Lower B", from Monday 23 March."""
    sessions = harness.app.bot_data["spotter.db"].sessions
    async with transaction(sessions) as session:
        await session.execute(
            sa.update(Organization).where(col(Organization.id) == org).values(timezone=BERLIN)
        )
        program = await create_program(session, organization_id=org, name="Block 1", weeks=4)
        ids = {}
        for weekday, title in ((1, "Lower A"), (3, "Upper A"), (5, "Lower B")):
            for week in range(1, 5):
                created = await add_session(
                    session,
                    organization_id=org,
                    program_id=program.id,
                    week=week,
                    weekday=weekday,
                    title=title,
                )
                if week == 1:
                    ids[title] = created.id
        await assign_program(
            session,
            organization_id=org,
            program_id=program.id,
            athlete_ids=athlete_ids,
            start_date=MON,
        )
    return ids


async def tick(harness: Harness) -> None:
    await enqueue_due_notices(harness.app)
    await drain_outbox(harness.app)


def reminders(user: LocalUser) -> list[str]:
    return [m.display_text for m in user.bot_messages() if m.display_text.startswith("🏋️ Today")]


def digests(user: LocalUser) -> list[str]:
    texts = [m.display_text for m in user.bot_messages()]
    return [text for text in texts if text.startswith("Daily digest ·")]


@pytest.fixture
async def team(harness: Harness) -> tuple[LocalUser, LocalUser, MovableClock]:
    coach, maya = await coach_and_athlete(harness)
    clock = MovableClock(utc(MON - timedelta(days=1), 12))
    clock.attach(harness.app)
    maya_id, org = await athlete_id(harness, "Maya Lopez")
    await program_for(harness, org, [maya_id])
    return coach, maya, clock


async def test_reminders_arrive_at_the_local_time_across_a_dst_change(
    harness: Harness, team: tuple[LocalUser, LocalUser, MovableClock]
) -> None:
    coach, maya, clock = team
    clock.now = utc(MON, 5, 59)  # 06:59 in Berlin (UTC+1)
    await tick(harness)
    assert reminders(maya) == []
    clock.now = utc(MON, 6, 0)  # 07:00 in Berlin
    await tick(harness)
    assert reminders(maya) == [
        "🏋️ Today (Mon 23 Mar): Lower A · Block 1 · Northside Barbell\n"
        "Open it with /today. Before you start: a 4-tap readiness check for your coach."
    ]
    assert maya.buttons() == ["🩺 Readiness check"]
    clock.now = utc(MON, 6, 30)
    await tick(harness)
    assert len(reminders(maya)) == 1
    # Tuesday is a rest day: nothing.
    clock.now = utc(MON + timedelta(days=1), 6, 0)
    await tick(harness)
    assert len(reminders(maya)) == 1
    # Friday, still winter time: 07:00 in Berlin is 06:00 UTC.
    clock.now = utc(MON + timedelta(days=4), 6, 0)
    await tick(harness)
    assert reminders(maya)[-1].startswith("🏋️ Today (Fri 27 Mar): Lower B")
    # Monday 30 March, after the change (UTC+2): 07:00 in Berlin is 05:00 UTC.
    next_monday = MON + timedelta(days=7)
    clock.now = utc(next_monday, 4, 59)
    await tick(harness)
    assert len(reminders(maya)) == 2
    clock.now = utc(next_monday, 5, 0)
    await tick(harness)
    assert reminders(maya)[-1].startswith("🏋️ Today (Mon 30 Mar): Lower A")
    # The coach got no reminders (digests are theirs, and there is nothing to report).
    assert reminders(coach) == []


async def test_reminder_time_and_off_are_the_athletes_choice(
    harness: Harness, team: tuple[LocalUser, LocalUser, MovableClock]
) -> None:
    _, maya, clock = team
    clock.now = utc(MON - timedelta(days=1), 12)
    await maya.send("/notifications")
    await maya.press("🕗 Session reminder · Northside Barbell")
    await maya.press("05:00")
    clock.now = utc(MON, 4, 0)  # 05:00 in Berlin
    await tick(harness)
    assert len(reminders(maya)) == 1
    await maya.send("/notifications")
    await maya.press("🕗 Session reminder · Northside Barbell")
    await maya.press("🔕 Off")
    clock.now = utc(MON + timedelta(days=2), 6, 0)
    await tick(harness)
    assert len(reminders(maya)) == 1


async def test_restart_between_due_and_sent_and_a_blocked_athlete(
    harness: Harness, team: tuple[LocalUser, LocalUser, MovableClock]
) -> None:
    _, maya, clock = team
    clock.now = utc(MON, 6, 0)
    await enqueue_due_notices(harness.app)  # due, in the outbox, not sent yet
    clock.attach(await harness.restart(abrupt=True))
    await enqueue_due_notices(harness.app)  # the new process finds it already scheduled
    await drain_outbox(harness.app)
    await tick(harness)
    assert len(reminders(maya)) == 1
    assert len([c for c in harness.api.calls_of("sendMessage") if "Today" in str(c)]) == 1
    # Maya blocks the bot: Wednesday's reminder is refused once and recorded, then skipped.
    maya.block_bot()
    clock.now = utc(MON + timedelta(days=2), 6, 0)
    await tick(harness)
    clock.now = utc(MON + timedelta(days=4), 6, 0)
    await tick(harness)
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        rows = (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.due_at)))).all()
    assert [(r.kind, r.state) for r in rows if r.kind == "reminder"] == [
        ("reminder", OutboxState.SENT),
        ("reminder", OutboxState.BLOCKED),
    ]
    assert len(reminders(maya)) == 1


async def test_the_digest_lists_exactly_yesterdays_facts(
    harness: Harness, team: tuple[LocalUser, LocalUser, MovableClock]
) -> None:
    coach, maya, clock = team
    maya_id, org = await athlete_id(harness, "Maya Lopez")
    await add_athlete(coach, "Sam Reed")
    sam_id, _ = await athlete_id(harness, "Sam Reed")
    slots = await program_for_more(harness, org, sam_id)
    # Sunday (not yesterday for Tuesday's digest): a baseline squat.
    clock.now = utc(MON - timedelta(days=1), 10)
    await add_athlete(coach, "Eli Stone")
    eli = athlete_named(harness.tg, "eli", "Eli")
    await eli.open_link(await invite_from_card(coach))
    await maya.send("/log Back squat 3x5 @ 100")
    # Monday: Maya does Lower A, sets a PR off-plan, reports low readiness; Sam misses Lower A;
    # Dee joins.
    clock.now = utc(MON, 9)
    sessions = harness.app.bot_data["spotter.db"].sessions
    async with transaction(sessions) as session:
        done = await open_training_session(
            session,
            organization_id=org,
            athlete_id=maya_id,
            program_session_id=slots["Lower A"],
            scheduled_for=MON,
            assignment_id=None,
            title="Lower A",
            now=clock.now,
        )
        await finish_training_session(
            session,
            organization_id=org,
            training_session_id=done.id,
            session_rpe=7,
            minutes=60,
            now=clock.now,
        )
    await maya.send("/log Back squat 110x5")
    await maya.send("/readiness")
    for value in "2212":
        await maya.press(value)
    await add_athlete(coach, "Dee Park")
    dee = athlete_named(harness.tg, "dee", "Dee")
    await dee.open_link(await invite_from_card(coach))
    await eli.send("/leave")
    await eli.press("Yes, leave")
    # Tuesday before the digest: facts of today must not appear.
    clock.now = utc(MON + timedelta(days=1), 6, 0)
    await maya.send("/readiness")
    for value in "1111":
        await maya.press(value)
    clock.now = utc(MON + timedelta(days=1), 6, 59)  # 07:59 in Berlin
    await tick(harness)
    assert digests(coach) == []
    clock.now = utc(MON + timedelta(days=1), 7, 0)
    await tick(harness)
    [digest] = digests(coach)
    assert digest == (
        "Daily digest · Northside Barbell · Mon 23 Mar\n"
        "✅ Done (2): Maya Lopez — Lower A; Maya Lopez — Off-plan\n"
        "❌ Missed (1): Sam Reed — Lower A\n"
        "🏆 PRs (1): Maya Lopez — Back Squat 110 kg × 5\n"
        "🩺 Low readiness (1): Maya Lopez 7/20\n"
        "👋 Joined (1): Dee Park\n"
        "🚪 Left (1): Eli Stone\n"
        "\n/team for everyone's compliance · /notifications to change the time"
    )
    assert coach.buttons() == ["Sam Reed", "Maya Lopez", "Dee Park", "Eli Stone"]
    await coach.press("Sam Reed")
    assert "Sam Reed" in coach.last_text()
    # Once a day only, even with more ticks and a restart.
    clock.attach(await harness.restart())
    clock.now = utc(MON + timedelta(days=1), 7, 30)
    await tick(harness)
    assert len(digests(coach)) == 1
    # Switched off: nothing the next day.
    await coach.send("/notifications")
    await coach.press("🕗 Daily digest · Northside Barbell")
    await coach.press("🔕 Off")
    clock.now = utc(MON + timedelta(days=2), 7, 0)
    await tick(harness)
    assert len(digests(coach)) == 1


async def program_for_more(harness: Harness, org: str, athlete: str) -> dict[str, str]:
    """Put another athlete on the team's program; the week-1 session ids by title."""
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        rows = (
            await session.exec(
                select(ProgramSession).where(col(ProgramSession.organization_id) == org)
            )
        ).all()
    program_id = rows[0].program_id
    async with transaction(harness.app.bot_data["spotter.db"].sessions) as session:
        await assign_program(
            session,
            organization_id=org,
            program_id=program_id,
            athlete_ids=[athlete],
            start_date=MON,
        )
    return {r.title or "": r.id for r in rows if r.week == 1}


async def test_team_view_ranks_who_needs_attention_first(
    harness: Harness, team: tuple[LocalUser, LocalUser, MovableClock]
) -> None:
    coach, maya, clock = team
    maya_id, org = await athlete_id(harness, "Maya Lopez")
    await add_athlete(coach, "Sam Reed")
    sam_id, _ = await athlete_id(harness, "Sam Reed")
    await add_athlete(coach, "Ann Off Program")
    slots = await program_for_more(harness, org, sam_id)
    sessions = harness.app.bot_data["spotter.db"].sessions
    week = ((MON, "Lower A"), (MON + timedelta(days=2), "Upper A"), (MON + timedelta(4), "Lower B"))
    for day, title in week:
        clock.now = utc(day, 9)
        async with transaction(sessions) as session:
            done = await open_training_session(
                session,
                organization_id=org,
                athlete_id=maya_id,
                program_session_id=slots[title],
                scheduled_for=day,
                assignment_id=None,
                title=title,
                now=clock.now,
            )
            await finish_training_session(
                session,
                organization_id=org,
                training_session_id=done.id,
                session_rpe=7,
                minutes=60,
                now=clock.now,
            )
    clock.now = utc(MON + timedelta(days=5), 9)  # Saturday: Mon, Wed, Fri planned
    await maya.send("/log Back squat 3x5 @ 100")
    await coach.send("/team")
    text = coach.last_text()
    assert "2 on a program · 1 need attention" in text
    assert text.index("Sam Reed") < text.index("Maya Lopez")
    assert "Ann Off Program" not in text
    assert "Sam Reed\n    7d 0% · 28d 0% · nothing logged · under 80% · quiet 5+ days" in text
    assert "Maya Lopez\n    7d 100% · 28d 100% · last today\n" in text
    assert coach.buttons() == ["⚠️ Sam Reed", "Maya Lopez"]
    await coach.press("⚠️ Sam Reed")
    assert "Sam Reed" in coach.last_text()
    await maya.send("/team")
    assert "coach" in maya.last_text().lower()


async def test_readiness_is_offered_with_the_reminder_and_on_the_session(
    harness: Harness, team: tuple[LocalUser, LocalUser, MovableClock]
) -> None:
    _, maya, clock = team
    clock.now = utc(MON, 6, 0)
    await tick(harness)
    reminder = maya.last_message()
    await maya.press("🩺 Readiness check", message=reminder)
    assert "Question 1 of 4" in maya.last_text()
    assert reminder.display_text.startswith("🏋️ Today")  # the reminder stays as it was
    for value in "4444":
        await maya.press(value)
    assert "Readiness 16/20 saved" in maya.last_text()
    await maya.send("/today")
    session_message = maya.last_message()
    assert "🩺 Readiness check" in maya.buttons(session_message)
    await maya.press("🩺 Readiness check", message=session_message)
    assert "Question 1 of 4" in maya.last_text()
    assert session_message.display_text.startswith("🏋️ Mon 23 Mar")


async def test_two_schedulers_at_once_enqueue_each_reminder_once(
    harness: Harness, team: tuple[LocalUser, LocalUser, MovableClock]
) -> None:
    from bot.app import build_application

    coach, maya, clock = team
    clock.now = utc(MON, 7, 0)  # 08:00 Berlin: the coach's digest and Maya's reminder
    second = clock.attach(
        build_application(harness.settings, request=harness.api, rate_limit=False)
    )
    await second.initialize()
    try:
        reports = await asyncio.gather(
            enqueue_due_notices(harness.app), enqueue_due_notices(second)
        )
        await asyncio.gather(drain_outbox(harness.app), drain_outbox(second))
    finally:
        await second.shutdown()
        await second.bot_data["spotter.db"].close()
    assert sum(r.reminders for r in reports) == 1
    assert sum(r.digests for r in reports) == 1
    assert len(reminders(maya)) == 1 and len(digests(coach)) == 1
