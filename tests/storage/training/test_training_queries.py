"""Maxes, sessions and set logs on a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Exercise, MaxSource, SetLog
from storage.queries import training as q
from storage.queries.athletes import create_athlete
from storage.schemas import AthleteCreate
from storage.training.logparse import LoggedSet, LogLine, parse_log_line
from storage.training.records import RecordKind
from tests.storage.helpers import make_team

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DAY = date(2026, 3, 2)


async def _exercise(session: AsyncSession, name: str = "Back Squat") -> str:
    row = (
        await session.exec(
            select(Exercise)
            .where(col(Exercise.organization_id).is_(None))
            .order_by(col(Exercise.name))
        )
    ).all()
    by_name = {exercise.name: exercise.id for exercise in row}
    return by_name.get(name) or row[0].id


async def _setup(session: AsyncSession) -> tuple[str, str, str]:
    seat = await make_team(session)
    athlete = await create_athlete(
        session, organization_id=seat.organization_id, data=AthleteCreate(name="Maya Lopez")
    )
    return seat.organization_id, athlete.id, await _exercise(session)


def _sets(text: str) -> list[LoggedSet]:
    line = parse_log_line(text)
    assert isinstance(line, LogLine)
    return list(line.sets)


async def _open(session: AsyncSession, org: str, athlete: str, slot: str = "ps-1", day: date = DAY):
    return await q.open_training_session(
        session,
        organization_id=org,
        athlete_id=athlete,
        program_session_id=slot,
        scheduled_for=day,
        assignment_id="as-1",
        title="Lower A",
        now=NOW,
    )


async def test_maxes_entered_first_then_estimates(session: AsyncSession) -> None:
    org, athlete, squat = await _setup(session)
    assert (
        await q.maxes_for(session, organization_id=org, athlete_id=athlete, exercise_ids=[squat])
        == {}
    )
    training, _ = await q.log_off_plan(
        session,
        organization_id=org,
        athlete_id=athlete,
        exercise_id=squat,
        day=DAY,
        sets=_sets("100x5, 110x3"),
        title="Off-plan",
        now=NOW,
    )
    values = await q.maxes_for(
        session, organization_id=org, athlete_id=athlete, exercise_ids=[squat]
    )
    assert values[squat].source is MaxSource.ESTIMATED
    assert values[squat].kg == pytest.approx(121.0)  # 110 x 3: 110 * 1.1
    await q.record_max(
        session,
        organization_id=org,
        athlete_id=athlete,
        exercise_id=squat,
        kg=140,
        measured_on=DAY,
        source=MaxSource.TESTED,
    )
    # Same day and source again changes the entry instead of adding one.
    await q.record_max(
        session,
        organization_id=org,
        athlete_id=athlete,
        exercise_id=squat,
        kg=142.5,
        measured_on=DAY,
        source=MaxSource.TESTED,
    )
    values = await q.maxes_for(
        session, organization_id=org, athlete_id=athlete, exercise_ids=[squat]
    )
    assert (values[squat].kg, values[squat].source) == (142.5, MaxSource.TESTED)
    lines = await q.list_maxes(session, organization_id=org, athlete_id=athlete)
    assert len(lines) == 1
    assert lines[0].entered is not None and lines[0].entered.kg == 142.5
    assert lines[0].estimated_kg == pytest.approx(121.0)
    # Another team sees nothing.
    other = await make_team(session, "Other Team")
    assert (
        await q.list_maxes(session, organization_id=other.organization_id, athlete_id=athlete) == []
    )
    assert training.finished_at is not None


async def test_logging_an_entry_twice_logs_once(session: AsyncSession) -> None:
    org, athlete, squat = await _setup(session)
    training = await _open(session, org, athlete)
    again = await _open(session, org, athlete)
    assert again.id == training.id
    prescribed = [{"target": {"reps": 5, "percent": 80}, "kg": 100.0}] * 3
    first = await q.log_entry(
        session,
        organization_id=org,
        training_session_id=training.id,
        exercise_id=squat,
        entry_id="en-1",
        sets=_sets("3x5 @ 100"),
        prescribed=prescribed,
        now=NOW,
    )
    second = await q.log_entry(
        session,
        organization_id=org,
        training_session_id=training.id,
        exercise_id=squat,
        entry_id="en-1",
        sets=_sets("3x5 @ 100"),
        prescribed=prescribed,
        now=NOW,
    )
    assert (first.status, second.status) == (q.LogStatus.LOGGED, q.LogStatus.UNCHANGED)
    logs = await q.session_logs(session, organization_id=org, training_session_id=training.id)
    assert [(r.set_no, r.reps, r.kg) for r in logs] == [(1, 5, 100.0), (2, 5, 100.0), (3, 5, 100.0)]
    assert logs[0].prescribed == prescribed[0]

    # A change replaces the sets.
    changed = await q.log_entry(
        session,
        organization_id=org,
        training_session_id=training.id,
        exercise_id=squat,
        entry_id="en-1",
        sets=_sets("100x5, 100x5, 105x4"),
        prescribed=prescribed,
        now=NOW,
    )
    assert changed.status is q.LogStatus.LOGGED
    logs = await q.session_logs(session, organization_id=org, training_session_id=training.id)
    assert [(r.reps, r.kg) for r in logs] == [(5, 100), (5, 100), (4, 105)]

    # Skip replaces them too; skipping twice is unchanged.
    skipped = await q.log_entry(
        session,
        organization_id=org,
        training_session_id=training.id,
        exercise_id=squat,
        entry_id="en-1",
        sets=[],
        prescribed=prescribed,
        now=NOW,
        skipped=True,
    )
    assert skipped.status is q.LogStatus.LOGGED
    again_skipped = await q.log_entry(
        session,
        organization_id=org,
        training_session_id=training.id,
        exercise_id=squat,
        entry_id="en-1",
        sets=[],
        prescribed=prescribed,
        now=NOW,
        skipped=True,
    )
    assert again_skipped.status is q.LogStatus.UNCHANGED
    logs = await q.session_logs(session, organization_id=org, training_session_id=training.id)
    assert [(r.skipped, r.reps) for r in logs] == [(True, None)]
    logged = await q.logged_entry_ids(
        session, organization_id=org, training_session_ids=[training.id]
    )
    assert logged == {training.id: {"en-1"}}


async def test_prs_against_logs_and_the_max_on_record(session: AsyncSession) -> None:
    org, athlete, squat = await _setup(session)
    first = await _open(session, org, athlete, "ps-1", DAY)
    outcome = await q.log_entry(
        session,
        organization_id=org,
        training_session_id=first.id,
        exercise_id=squat,
        entry_id="en-1",
        sets=_sets("100x5, 100x5"),
        prescribed=[],
        now=NOW,
    )
    assert outcome.records == []  # nothing to beat yet
    second = await _open(session, org, athlete, "ps-2", DAY + timedelta(days=2))
    outcome = await q.log_entry(
        session,
        organization_id=org,
        training_session_id=second.id,
        exercise_id=squat,
        entry_id="en-2",
        sets=_sets("102.5x5, 90x8"),
        prescribed=[],
        now=NOW + timedelta(days=2),
    )
    assert [(r.kind, r.kg, r.reps) for r in outcome.records] == [(RecordKind.E1RM, 102.5, 5)]
    # Changing the same entry again re-judges against the other sessions only: still a PR.
    outcome = await q.log_entry(
        session,
        organization_id=org,
        training_session_id=second.id,
        exercise_id=squat,
        entry_id="en-2",
        sets=_sets("102.5x5"),
        prescribed=[],
        now=NOW + timedelta(days=2),
    )
    assert [r.kind for r in outcome.records] == [RecordKind.E1RM]
    # A max on record raises the bar for e1RM records.
    await q.record_max(
        session,
        organization_id=org,
        athlete_id=athlete,
        exercise_id=squat,
        kg=150,
        measured_on=DAY,
        source=MaxSource.COACH,
    )
    third = await _open(session, org, athlete, "ps-3", DAY + timedelta(days=4))
    outcome = await q.log_entry(
        session,
        organization_id=org,
        training_session_id=third.id,
        exercise_id=squat,
        entry_id="en-3",
        sets=_sets("105x5"),
        prescribed=[],
        now=NOW + timedelta(days=4),
    )
    assert [(r.kind, r.kg) for r in outcome.records] == [(RecordKind.REPS, 105)]
    records = await q.list_records(session, organization_id=org, athlete_id=athlete)
    assert [(v.log.kg, v.log.record) for v in records] == [(105, "reps"), (102.5, "e1rm")]


async def test_finish_once_and_closed_afterwards(session: AsyncSession) -> None:
    org, athlete, squat = await _setup(session)
    training = await _open(session, org, athlete)
    status = await q.finish_training_session(
        session,
        organization_id=org,
        training_session_id=training.id,
        session_rpe=8,
        minutes=55,
        now=NOW,
    )
    again = await q.finish_training_session(
        session,
        organization_id=org,
        training_session_id=training.id,
        session_rpe=9,
        minutes=10,
        now=NOW,
    )
    assert (status, again) == (q.FinishStatus.FINISHED, q.FinishStatus.ALREADY)
    row = await q.get_training_session(
        session, organization_id=org, training_session_id=training.id
    )
    assert row is not None and (row.session_rpe, row.minutes) == (8, 55)
    outcome = await q.log_entry(
        session,
        organization_id=org,
        training_session_id=training.id,
        exercise_id=squat,
        entry_id="en-1",
        sets=_sets("100x5"),
        prescribed=[],
        now=NOW,
    )
    assert outcome.status is q.LogStatus.CLOSED
    other = await make_team(session, "Other Team")
    assert (
        await q.finish_training_session(
            session,
            organization_id=other.organization_id,
            training_session_id=training.id,
            session_rpe=5,
            minutes=5,
            now=NOW,
        )
        is q.FinishStatus.NOT_FOUND
    )
    forged = await q.log_entry(
        session,
        organization_id=other.organization_id,
        training_session_id=training.id,
        exercise_id=squat,
        entry_id="en-1",
        sets=_sets("100x5"),
        prescribed=[],
        now=NOW,
    )
    assert forged.status is q.LogStatus.NOT_FOUND


async def test_record_notice_is_claimed_once(session: AsyncSession) -> None:
    org, athlete, squat = await _setup(session)
    await q.log_off_plan(
        session,
        organization_id=org,
        athlete_id=athlete,
        exercise_id=squat,
        day=DAY,
        sets=_sets("100x5"),
        title="Off-plan",
        now=NOW,
    )
    training, outcome = await q.log_off_plan(
        session,
        organization_id=org,
        athlete_id=athlete,
        exercise_id=squat,
        day=DAY,
        sets=_sets("110x5"),
        title="Off-plan",
        now=NOW + timedelta(hours=1),
    )
    assert outcome.records
    first = await q.claim_record_notice(
        session, organization_id=org, training_session_id=training.id, now=NOW
    )
    second = await q.claim_record_notice(
        session, organization_id=org, training_session_id=training.id, now=NOW
    )
    assert first is not None and [r.kg for r in first] == [110]
    assert second is None


async def test_history_pages_newest_first(session: AsyncSession) -> None:
    org, athlete, squat = await _setup(session)
    for offset in range(7):
        await q.log_off_plan(
            session,
            organization_id=org,
            athlete_id=athlete,
            exercise_id=squat,
            day=DAY + timedelta(days=offset),
            sets=_sets(f"{100 + offset}x5"),
            title="Off-plan",
            now=NOW + timedelta(days=offset),
        )
    await _open(session, org, athlete, "ps-empty", DAY)  # opened, nothing logged: not history
    page = await q.log_history(session, organization_id=org, athlete_id=athlete, offset=0, limit=5)
    assert page.total == 7 and page.has_next
    assert page.items[0].training.scheduled_for == DAY + timedelta(days=6)
    assert page.items[0].sets[0].log.kg == 106
    last = await q.log_history(session, organization_id=org, athlete_id=athlete, offset=50, limit=5)
    assert last.offset == 5 and len(last.items) == 2
    count = (await session.exec(select(func.count()).select_from(SetLog))).one()
    assert count == 7


async def test_a_max_can_be_deleted_by_its_team_only(session: AsyncSession) -> None:
    org, athlete, squat = await _setup(session)
    row = await q.record_max(
        session,
        organization_id=org,
        athlete_id=athlete,
        exercise_id=squat,
        kg=140,
        measured_on=DAY,
        source=MaxSource.TESTED,
    )
    other = await make_team(session, "Other Team")
    assert not await q.delete_max(
        session, organization_id=other.organization_id, athlete_id=athlete, max_id=row.id
    )
    teammate = await create_athlete(
        session, organization_id=org, data=AthleteCreate(name="Ada Strong")
    )
    assert not await q.delete_max(
        session, organization_id=org, athlete_id=teammate.id, max_id=row.id
    )
    # Only the sources asked for: an athlete deletes their own tested maxes, not the coach's.
    assert not await q.delete_max(
        session, organization_id=org, athlete_id=athlete, max_id=row.id, sources=[MaxSource.COACH]
    )
    deleted = await q.delete_max(session, organization_id=org, athlete_id=athlete, max_id=row.id)
    assert deleted is not None and (deleted.exercise_name, deleted.kg) == ("Back Squat", 140)
    assert await q.list_maxes(session, organization_id=org, athlete_id=athlete) == []
    assert not await q.delete_max(session, organization_id=org, athlete_id=athlete, max_id=row.id)
