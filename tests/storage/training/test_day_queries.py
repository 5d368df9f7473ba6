"""The reads and writes behind /today and a tap, on a real database (SQLite, and PostgreSQL when
configured): the day in one read, the training session with its program session, the active
plan, and PRs judged against bests read in one statement."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Exercise, MaxSource, SetLog
from storage.models.programs import Assignment, Program, ProgramEntry, ProgramSession
from storage.prescriptions import ParsedSession, parse_session
from storage.queries import training as q
from storage.queries.athletes import create_athlete
from storage.schemas import AthleteCreate
from storage.training.logparse import LoggedSet, LogLine, parse_log_line
from storage.training.records import RecordKind
from tests.storage.helpers import make_team

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = date(2026, 3, 2)
SESSION = """A. Back squat 5x5 @ 80%
B. Bench press 3x5 @ 75%
C. Pull-up 3x8"""


def _sets(text: str) -> list[LoggedSet]:
    line = parse_log_line(text)
    assert isinstance(line, LogLine)
    return list(line.sets)


async def _exercises(session: AsyncSession) -> dict[str, str]:
    rows = (
        await session.exec(
            select(Exercise).where(
                col(Exercise.organization_id).is_(None),
                col(Exercise.name).in_(["Back Squat", "Bench Press", "Pull-Up"]),
            )
        )
    ).all()
    return {row.name: row.id for row in rows}


class Team:
    def __init__(self, org: str, athlete: str, slot: str, assignment: str, entries: list[str]):
        self.org, self.athlete, self.slot = org, athlete, slot
        self.assignment, self.entries = assignment, entries


async def _team_on_a_program(session: AsyncSession, name: str = "Northside Barbell") -> Team:
    seat = await make_team(session, name)
    org = seat.organization_id
    athlete = await create_athlete(
        session, organization_id=org, data=AthleteCreate(name="Maya Lopez")
    )
    ids = await _exercises(session)
    program = Program(organization_id=org, name="Spring block", name_key="spring block", weeks=2)
    session.add(program)
    await session.flush()
    slots = []
    for week in (1, 2):
        slot = ProgramSession(
            organization_id=org, program_id=program.id, week=week, weekday=1, title="Lower A"
        )
        session.add(slot)
        slots.append(slot)
    await session.flush()
    parsed = parse_session(SESSION)
    assert isinstance(parsed, ParsedSession)
    names = ["Back Squat", "Bench Press", "Pull-Up"]
    entries = []
    for position, (entry, name) in enumerate(zip(parsed.entries, names, strict=True)):
        row = ProgramEntry(
            organization_id=org,
            session_id=slots[0].id,
            position=position,
            group_label=entry.group_label,
            exercise_id=ids[name],
            prescription=entry.prescription.to_json(),
        )
        session.add(row)
        entries.append(row)
    assignment = Assignment(
        organization_id=org, athlete_id=athlete.id, program_id=program.id, start_date=DAY
    )
    session.add(assignment)
    await session.flush()
    return Team(org, athlete.id, slots[0].id, assignment.id, [e.id for e in entries])


async def _open(session: AsyncSession, team: Team, day: date = DAY) -> str:
    training = await q.open_training_session(
        session,
        organization_id=team.org,
        athlete_id=team.athlete,
        program_session_id=team.slot,
        scheduled_for=day,
        assignment_id=team.assignment,
        title="Lower A",
        now=NOW,
    )
    return training.id


async def _day(session: AsyncSession, team: Team, training_id: str) -> list[q.DayEntry]:
    return await q.day_entries(
        session,
        organization_id=team.org,
        athlete_id=team.athlete,
        program_session_id=team.slot,
        training_session_id=training_id,
    )


async def test_the_day_in_one_read(session: AsyncSession) -> None:
    team = await _team_on_a_program(session)
    ids = await _exercises(session)
    squat, bench = ids["Back Squat"], ids["Bench Press"]
    # Bench: an estimate from an earlier off-plan log; squat: an entered max beats the estimate.
    await q.log_off_plan(
        session,
        organization_id=team.org,
        athlete_id=team.athlete,
        exercise_id=bench,
        day=DAY - timedelta(days=7),
        sets=_sets("100x3"),
        title="Off-plan",
        now=NOW - timedelta(days=7),
    )
    await q.log_off_plan(
        session,
        organization_id=team.org,
        athlete_id=team.athlete,
        exercise_id=squat,
        day=DAY - timedelta(days=7),
        sets=_sets("150x5"),
        title="Off-plan",
        now=NOW - timedelta(days=7),
    )
    for kg, on in ((130, DAY - timedelta(days=30)), (140, DAY - timedelta(days=3))):
        await q.record_max(
            session,
            organization_id=team.org,
            athlete_id=team.athlete,
            exercise_id=squat,
            kg=kg,
            measured_on=on,
            source=MaxSource.TESTED,
        )
    training = await _open(session, team)
    await q.log_entry(
        session,
        organization_id=team.org,
        training_session_id=training,
        exercise_id=squat,
        entry_id=team.entries[0],
        sets=_sets("110x5, 112.5x5"),
        prescribed=[],
        now=NOW,
    )
    day = await _day(session, team, training)
    assert [(e.id, e.exercise_name, e.group_label) for e in day] == [
        (team.entries[0], "Back Squat", "A"),
        (team.entries[1], "Bench Press", "B"),
        (team.entries[2], "Pull-Up", "C"),
    ]
    squat_day, bench_day, pullup_day = day
    assert squat_day.max == q.MaxValue(140.0, MaxSource.TESTED, DAY - timedelta(days=3))
    assert bench_day.max is not None and bench_day.max.source is MaxSource.ESTIMATED
    assert bench_day.max.kg == pytest.approx(110.0)  # 100 x 3: 100 * 1.1
    assert pullup_day.max is None
    assert [(log.set_no, log.reps, log.kg) for log in squat_day.logs] == [
        (1, 5, 110.0),
        (2, 5, 112.5),
    ]
    assert bench_day.logs == [] and pullup_day.logs == []
    assert squat_day.read_prescription().sets[0].percent == 80

    # Another day's training session of the same program session shows none of these logs.
    other_day = await _open(session, team, DAY + timedelta(days=7))
    assert all(entry.logs == [] for entry in await _day(session, team, other_day))

    # Another team reads nothing: not the entries, not the maxes, not the logs.
    other = await make_team(session, "Other Team")
    assert (
        await q.day_entries(
            session,
            organization_id=other.organization_id,
            athlete_id=team.athlete,
            program_session_id=team.slot,
            training_session_id=training,
        )
        == []
    )


async def test_training_day_comes_with_its_program_session_and_team_only(
    session: AsyncSession,
) -> None:
    team = await _team_on_a_program(session)
    training = await _open(session, team)
    found = await q.find_training_day(
        session, organization_id=team.org, training_session_id=training
    )
    assert found is not None and found.training.id == training
    assert found.slot is not None and (found.slot.id, found.slot.week) == (team.slot, 1)
    assert found.program_name == "Spring block"

    other = await make_team(session, "Other Team")
    assert (
        await q.find_training_day(
            session, organization_id=other.organization_id, training_session_id=training
        )
        is None
    )
    assert (
        await q.find_training_day(session, organization_id=team.org, training_session_id="nope")
        is None
    )

    # The coach removed the program session since: no slot, the program named by the assignment.
    await session.exec(delete(ProgramSession).where(col(ProgramSession.id) == team.slot))
    found = await q.find_training_day(
        session, organization_id=team.org, training_session_id=training
    )
    assert found is not None and found.slot is None and found.program_name == "Spring block"

    # Off-plan: neither.
    off_plan, _ = await q.log_off_plan(
        session,
        organization_id=team.org,
        athlete_id=team.athlete,
        exercise_id=(await _exercises(session))["Back Squat"],
        day=DAY,
        sets=_sets("100x5"),
        title="Off-plan",
        now=NOW,
    )
    found = await q.find_training_day(
        session, organization_id=team.org, training_session_id=off_plan.id
    )
    assert found is not None and (found.slot, found.program_name) == (None, None)


async def test_active_plan_is_the_newest_open_assignment_with_its_sessions(
    session: AsyncSession,
) -> None:
    team = await _team_on_a_program(session)
    plan = await q.active_plan(session, organization_id=team.org, athlete_id=team.athlete)
    assert plan is not None
    assert (plan.assignment.id, plan.assignment.start_date) == (team.assignment, DAY)
    assert plan.assignment.ended_at is None
    assert (plan.program.name, plan.program.weeks) == ("Spring block", 2)
    assert [(slot.week, slot.weekday, slot.title) for slot in plan.sessions] == [
        (1, 1, "Lower A"),
        (2, 1, "Lower A"),
    ]
    other = await make_team(session, "Other Team")
    assert (
        await q.active_plan(session, organization_id=other.organization_id, athlete_id=team.athlete)
        is None
    )
    # A program with no sessions yet is still the plan (with none).
    await session.exec(
        sa.update(Assignment)
        .where(col(Assignment.id) == team.assignment)
        .values(ended_at=NOW - timedelta(days=1))
    )
    empty = Program(organization_id=team.org, name="Empty", name_key="empty", weeks=1)
    session.add(empty)
    await session.flush()
    session.add(
        Assignment(
            organization_id=team.org, athlete_id=team.athlete, program_id=empty.id, start_date=DAY
        )
    )
    await session.flush()
    plan = await q.active_plan(session, organization_id=team.org, athlete_id=team.athlete)
    assert plan is not None and plan.program.name == "Empty" and plan.sessions == []


async def _log(
    session: AsyncSession, team: Team, training: str, entry: int, text: str, **kwargs: object
) -> q.LogOutcome:
    ids = await _exercises(session)
    exercise = [ids["Back Squat"], ids["Bench Press"], ids["Pull-Up"]][entry]
    return await q.log_entry(
        session,
        organization_id=team.org,
        training_session_id=training,
        exercise_id=exercise,
        entry_id=team.entries[entry],
        sets=_sets(text),
        prescribed=[],
        now=NOW,
        **kwargs,  # type: ignore[arg-type]
    )


async def test_prs_are_judged_per_rep_count_of_the_new_sets(session: AsyncSession) -> None:
    team = await _team_on_a_program(session)
    first = await _open(session, team, DAY - timedelta(days=7))
    assert (await _log(session, team, first, 0, "150x1, 120x5")).records == []
    today = await _open(session, team)
    # 125x5 beats the heaviest 5 (120) but not the best e1RM (150, a single); the heavier
    # single of the past does not hide the 5-rep record.
    outcome = await _log(session, team, today, 0, "125x5, 125x5")
    assert [(r.kind, r.kg, r.reps, r.previous) for r in outcome.records] == [
        (RecordKind.REPS, 125, 5, 120)
    ]
    assert [row.record for row in outcome.sets] == ["reps", None]
    # Logged again differently, the entry is judged without its own earlier sets.
    outcome = await _log(session, team, today, 0, "122.5x5")
    assert [(r.kind, r.kg, r.previous) for r in outcome.records] == [(RecordKind.REPS, 122.5, 120)]
    # A rep count never done before is a baseline, not a record; a heavier single is.
    outcome = await _log(session, team, today, 0, "100x3, 155x1")
    assert [(r.kind, r.kg, r.reps) for r in outcome.records] == [(RecordKind.E1RM, 155, 1)]
    # Bodyweight sets are never records (and need no bests).
    assert (await _log(session, team, today, 2, "8, 8, 8")).records == []


async def test_existing_logs_read_with_the_day_are_not_read_again(session: AsyncSession) -> None:
    team = await _team_on_a_program(session)
    training = await _open(session, team)
    logged = await _log(session, team, training, 0, "100x5, 100x5")
    assert logged.status is q.LogStatus.LOGGED
    day = await _day(session, team, training)
    existing = day[0].logs
    assert [(row.id, row.kg) for row in existing] == [(row.id, row.kg) for row in logged.sets]

    # As in a tap: the pressed training session is held (so in the session's identity map).
    found = await q.find_training_day(
        session, organization_id=team.org, training_session_id=training
    )
    assert found is not None
    squat = (await _exercises(session))["Back Squat"]
    statements: list[str] = []

    def count(_conn: Connection, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    engine = session.bind
    assert engine is not None
    sync_engine = engine.sync_engine if hasattr(engine, "sync_engine") else engine
    sa.event.listen(sync_engine, "before_cursor_execute", count)
    try:
        again = await q.log_entry(
            session,
            organization_id=team.org,
            training_session_id=found.training.id,
            exercise_id=squat,
            entry_id=team.entries[0],
            sets=_sets("100x5, 100x5"),
            prescribed=[],
            now=NOW,
            existing=existing,
        )
    finally:
        sa.event.remove(sync_engine, "before_cursor_execute", count)
    assert again.status is q.LogStatus.UNCHANGED  # a double tap
    assert statements == []  # the day's read was enough
    changed = await _log(session, team, training, 0, "105x5", existing=existing)
    assert changed.status is q.LogStatus.LOGGED
    rows = (
        await session.exec(
            select(SetLog.kg).where(
                col(SetLog.training_session_id) == training,
                col(SetLog.entry_id) == team.entries[0],
            )
        )
    ).all()
    assert rows == [105]
