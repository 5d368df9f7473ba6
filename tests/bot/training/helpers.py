"""Shared steps for the training conversations."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import col, select

from bot.context import CLOCK_KEY
from fake_telegram import LocalUser
from storage.models import Athlete
from storage.models.programs import Assignment, Program, ProgramEntry, ProgramSession
from storage.prescriptions import ParsedSession, parse_session
from storage.queries.search import search_exercises
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


LOWER_A = """A1. Back squat 5x5 @ 80%, rest 2min
A2. Pull-up 3x8 @ RPE 8
B. Romanian deadlift 3x8 @ 100kg, tempo 31X1 -- slow eccentric
C. Plank 3x45s"""
UPPER_A = """A. Bench press 5x5 @ 75%
B. Barbell row 3x10 @ 60kg"""


async def assign_program(
    harness: Harness,
    *,
    athlete_name: str = "Maya Lopez",
    start: date = date(2026, 3, 2),
    weeks: int = 3,
    sessions: dict[tuple[int, int], tuple[str, str]] | None = None,
) -> str:
    """A program written straight into the database (the coach's builder is programs' feature):
    by default Mon "Lower A" and Thu "Upper A" every week. Returns the assignment id."""
    if sessions is None:
        sessions = {}
        for week in range(1, weeks + 1):
            sessions[(week, 1)] = ("Lower A", LOWER_A)
            sessions[(week, 4)] = ("Upper A", UPPER_A)
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        athlete = (
            await session.exec(select(Athlete).where(col(Athlete.name) == athlete_name))
        ).one()
        org = athlete.organization_id
        program = Program(
            organization_id=org, name="Spring block", name_key="spring block", weeks=weeks
        )
        session.add(program)
        await session.flush()
        for (week, weekday), (title, text) in sessions.items():
            slot = ProgramSession(
                organization_id=org, program_id=program.id, week=week, weekday=weekday, title=title
            )
            session.add(slot)
            await session.flush()
            parsed = parse_session(text)
            assert isinstance(parsed, ParsedSession), parsed
            for position, entry in enumerate(parsed.entries):
                page = await search_exercises(
                    session, organization_id=org, query=entry.exercise_name, limit=1
                )
                session.add(
                    ProgramEntry(
                        organization_id=org,
                        session_id=slot.id,
                        position=position,
                        group_label=entry.group_label,
                        exercise_id=page.items[0].exercise_id,
                        prescription=entry.prescription.to_json(),
                        note=entry.prescription.note,
                    )
                )
        assignment = Assignment(
            organization_id=org, athlete_id=athlete.id, program_id=program.id, start_date=start
        )
        session.add(assignment)
        await session.commit()
        return assignment.id
