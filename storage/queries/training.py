"""Maxes, training sessions and set logs. Keyword-only, scoped by organization_id, never commit.

Outcomes are data (statuses, records); the bot words them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Athlete, Exercise, Organization
from storage.models.programs import Assignment, Program, ProgramEntry, ProgramSession
from storage.models.training import Max, MaxSource, SetLog, TrainingSession
from storage.queries.paging import Page, clamp_offset
from storage.training.logparse import LoggedSet
from storage.training.records import Bests, LiftedSet, PersonalRecord, estimate_e1rm, find_records

ENTERED_SOURCES = (MaxSource.TESTED, MaxSource.COACH)


class Unknown:
    """Not read yet (as opposed to None: read, and there is none)."""


UNKNOWN = Unknown()


# --- maxes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MaxValue:
    """The 1RM loads are worked out from: entered (tested/coach) first, else the best estimate."""

    kg: float
    source: MaxSource
    measured_on: date | None = None


@dataclass(frozen=True)
class MaxLine:
    exercise_id: str
    exercise_name: str
    entered: Max | None
    estimated_kg: float | None

    @property
    def current(self) -> MaxValue | None:
        if self.entered is not None:
            return MaxValue(self.entered.kg, self.entered.source, self.entered.measured_on)
        if self.estimated_kg is not None:
            return MaxValue(self.estimated_kg, MaxSource.ESTIMATED)
        return None


async def athlete_in_team(
    session: AsyncSession, *, organization_id: str, athlete_id: str
) -> Athlete | None:
    athlete = await session.get(Athlete, athlete_id)
    if athlete is None or athlete.organization_id != organization_id:
        return None
    return athlete


async def record_max(
    session: AsyncSession,
    *,
    organization_id: str,
    athlete_id: str,
    exercise_id: str,
    kg: float,
    measured_on: date,
    source: MaxSource,
    created_by: str | None = None,
    now: datetime | None = None,
) -> Max:
    """Enter a 1RM. The same exercise, day and source again changes that entry (no duplicate)."""
    result = await session.exec(
        select(Max).where(
            col(Max.organization_id) == organization_id,
            col(Max.athlete_id) == athlete_id,
            col(Max.exercise_id) == exercise_id,
            col(Max.measured_on) == measured_on,
            col(Max.source) == source,
        )
    )
    row = result.first()
    if row is None:
        row = Max(
            organization_id=organization_id,
            athlete_id=athlete_id,
            exercise_id=exercise_id,
            kg=kg,
            measured_on=measured_on,
            source=source,
            created_by=created_by,
        )
        if now is not None:
            row.created_at = row.updated_at = now
    else:
        row.kg = kg
        row.created_by = created_by or row.created_by
        if now is not None:
            row.updated_at = now
    session.add(row)
    await session.flush()
    return row


async def delete_max(session: AsyncSession, *, organization_id: str, max_id: str) -> bool:
    result = await session.exec(
        sa.delete(Max).where(col(Max.id) == max_id, col(Max.organization_id) == organization_id)
    )
    return bool(result.rowcount)


async def entered_maxes(
    session: AsyncSession,
    *,
    organization_id: str,
    athlete_id: str,
    exercise_ids: Collection[str] | None = None,
) -> dict[str, Max]:
    """The newest tested or coach-entered max per exercise."""
    query = select(Max).where(
        col(Max.organization_id) == organization_id,
        col(Max.athlete_id) == athlete_id,
        col(Max.source).in_(ENTERED_SOURCES),
    )
    if exercise_ids is not None:
        query = query.where(col(Max.exercise_id).in_(list(exercise_ids)))
    query = query.order_by(
        col(Max.measured_on).desc(), col(Max.updated_at).desc(), col(Max.id).desc()
    )
    newest: dict[str, Max] = {}
    for row in (await session.exec(query)).all():
        newest.setdefault(row.exercise_id, row)
    return newest


async def best_e1rms(
    session: AsyncSession,
    *,
    organization_id: str,
    athlete_id: str,
    exercise_ids: Collection[str] | None = None,
) -> dict[str, float]:
    """The best Epley estimate per exercise from every logged set of 1-10 reps."""
    query = (
        select(col(SetLog.exercise_id), func.max(col(SetLog.e1rm)))
        .where(
            col(SetLog.organization_id) == organization_id,
            col(SetLog.athlete_id) == athlete_id,
            col(SetLog.e1rm).is_not(None),
        )
        .group_by(col(SetLog.exercise_id))
    )
    if exercise_ids is not None:
        query = query.where(col(SetLog.exercise_id).in_(list(exercise_ids)))
    rows = (await session.exec(query)).all()
    return {exercise_id: float(best) for exercise_id, best in rows if best is not None}


async def maxes_for(
    session: AsyncSession, *, organization_id: str, athlete_id: str, exercise_ids: Collection[str]
) -> dict[str, MaxValue]:
    """The max each exercise's loads come from: entered first, else the best estimate."""
    if not exercise_ids:
        return {}
    entered = await entered_maxes(
        session, organization_id=organization_id, athlete_id=athlete_id, exercise_ids=exercise_ids
    )
    values = {
        exercise_id: MaxValue(row.kg, row.source, row.measured_on)
        for exercise_id, row in entered.items()
    }
    missing = [exercise_id for exercise_id in exercise_ids if exercise_id not in values]
    if missing:
        estimates = await best_e1rms(
            session, organization_id=organization_id, athlete_id=athlete_id, exercise_ids=missing
        )
        for exercise_id, kg in estimates.items():
            values[exercise_id] = MaxValue(kg, MaxSource.ESTIMATED)
    return values


async def list_maxes(
    session: AsyncSession, *, organization_id: str, athlete_id: str
) -> list[MaxLine]:
    """Every exercise with an entered max or a logged estimate, by exercise name."""
    entered = await entered_maxes(session, organization_id=organization_id, athlete_id=athlete_id)
    estimates = await best_e1rms(session, organization_id=organization_id, athlete_id=athlete_id)
    ids = set(entered) | set(estimates)
    if not ids:
        return []
    names = await exercise_names(session, ids=ids)
    lines = [
        MaxLine(
            exercise_id,
            names.get(exercise_id, "?"),
            entered.get(exercise_id),
            estimates.get(exercise_id),
        )
        for exercise_id in ids
    ]
    return sorted(lines, key=lambda line: (line.exercise_name.casefold(), line.exercise_id))


async def exercise_names(session: AsyncSession, *, ids: Collection[str]) -> dict[str, str]:
    """Names of exercises by id (ids come from rows already scoped to the team)."""
    if not ids:
        return {}
    rows = (
        await session.exec(
            select(col(Exercise.id), col(Exercise.name)).where(col(Exercise.id).in_(list(ids)))
        )
    ).all()
    return dict(rows)


# --- training sessions ---------------------------------------------------------------------


async def get_training_session(
    session: AsyncSession, *, organization_id: str, training_session_id: str
) -> TrainingSession | None:
    row = await session.get(TrainingSession, training_session_id, populate_existing=True)
    if row is None or row.organization_id != organization_id:
        return None
    return row


async def find_training_session(
    session: AsyncSession,
    *,
    organization_id: str,
    athlete_id: str,
    program_session_id: str,
    scheduled_for: date,
) -> TrainingSession | None:
    result = await session.exec(
        select(TrainingSession).where(
            col(TrainingSession.organization_id) == organization_id,
            col(TrainingSession.athlete_id) == athlete_id,
            col(TrainingSession.program_session_id) == program_session_id,
            col(TrainingSession.scheduled_for) == scheduled_for,
        )
    )
    return result.first()


async def open_training_session(
    session: AsyncSession,
    *,
    organization_id: str,
    athlete_id: str,
    program_session_id: str,
    scheduled_for: date,
    assignment_id: str | None,
    title: str,
    now: datetime,
) -> TrainingSession:
    """The athlete's session for a program session on a day, created on first use."""
    found = await find_training_session(
        session,
        organization_id=organization_id,
        athlete_id=athlete_id,
        program_session_id=program_session_id,
        scheduled_for=scheduled_for,
    )
    if found is not None:
        return found
    row = TrainingSession(
        organization_id=organization_id,
        athlete_id=athlete_id,
        assignment_id=assignment_id,
        program_session_id=program_session_id,
        title=title[:100],
        scheduled_for=scheduled_for,
        started_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def sessions_between(
    session: AsyncSession, *, organization_id: str, athlete_id: str, first: date, last: date
) -> list[TrainingSession]:
    result = await session.exec(
        select(TrainingSession)
        .where(
            col(TrainingSession.organization_id) == organization_id,
            col(TrainingSession.athlete_id) == athlete_id,
            col(TrainingSession.scheduled_for) >= first,
            col(TrainingSession.scheduled_for) <= last,
        )
        .order_by(col(TrainingSession.scheduled_for), col(TrainingSession.started_at))
    )
    return list(result.all())


async def logged_entry_ids(
    session: AsyncSession, *, organization_id: str, training_session_ids: Collection[str]
) -> dict[str, set[str]]:
    """Per training session, the program entries that have something logged (or skipped)."""
    if not training_session_ids:
        return {}
    rows = (
        await session.exec(
            select(col(SetLog.training_session_id), col(SetLog.entry_id))
            .where(
                col(SetLog.organization_id) == organization_id,
                col(SetLog.training_session_id).in_(list(training_session_ids)),
            )
            .distinct()
        )
    ).all()
    logged: dict[str, set[str]] = {}
    for training_session_id, entry_id in rows:
        entries = logged.setdefault(training_session_id, set())
        if entry_id is not None:
            entries.add(entry_id)
    return logged


async def session_logs(
    session: AsyncSession, *, organization_id: str, training_session_id: str
) -> list[SetLog]:
    result = await session.exec(
        select(SetLog)
        .where(
            col(SetLog.organization_id) == organization_id,
            col(SetLog.training_session_id) == training_session_id,
        )
        .order_by(col(SetLog.logged_at), col(SetLog.entry_id), col(SetLog.set_no))
    )
    return list(result.all())


# --- logging -------------------------------------------------------------------------------


class LogStatus(StrEnum):
    LOGGED = "logged"
    UNCHANGED = "unchanged"  # the same as already logged: a double tap
    CLOSED = "closed"  # the session was finished
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class LogOutcome:
    status: LogStatus
    records: list[PersonalRecord] = field(default_factory=list)
    sets: list[SetLog] = field(default_factory=list)


def _signature(rows: Sequence[Any]) -> list[tuple[Any, ...]]:
    return [
        (row.reps, None if row.kg is None else round(row.kg, 4), row.seconds, row.meters, row.rpe)
        for row in rows
    ]


async def _bests(
    session: AsyncSession,
    *,
    organization_id: str,
    athlete_id: str,
    exercise_id: str,
    exclude_session_id: str,
    exclude_entry_id: str | None,
    max_on_record: float | Unknown | None = UNKNOWN,
) -> Bests:
    """What the athlete had done on this exercise, leaving out the entry being (re)logged."""
    conditions: list[Any] = [
        col(SetLog.organization_id) == organization_id,
        col(SetLog.athlete_id) == athlete_id,
        col(SetLog.exercise_id) == exercise_id,
        col(SetLog.skipped).is_(False),
    ]
    if exclude_entry_id is not None:
        conditions.append(
            sa.not_(
                sa.and_(
                    col(SetLog.training_session_id) == exclude_session_id,
                    col(SetLog.entry_id) == exclude_entry_id,
                )
            )
        )
    # One pass: the heaviest load and the best e1RM for every rep count (e1RM needs both).
    by_reps = (
        await session.exec(
            select(col(SetLog.reps), func.max(col(SetLog.kg)), func.max(col(SetLog.e1rm)))
            .where(*conditions, col(SetLog.reps).is_not(None), col(SetLog.kg).is_not(None))
            .group_by(col(SetLog.reps))
        )
    ).all()
    logged_e1rms = [float(e1rm) for _, _, e1rm in by_reps if e1rm is not None]
    best_logged = max(logged_e1rms) if logged_e1rms else None
    if isinstance(max_on_record, Unknown):
        entered = await entered_maxes(
            session,
            organization_id=organization_id,
            athlete_id=athlete_id,
            exercise_ids=[exercise_id],
        )
        max_on_record = entered[exercise_id].kg if exercise_id in entered else None
    candidates = [float(best_logged)] if best_logged is not None else []
    if max_on_record is not None:
        candidates.append(max_on_record)
    return Bests(
        e1rm=max(candidates) if candidates else None,
        kg_by_reps={
            int(reps): float(kg) for reps, kg, _ in by_reps if reps is not None and kg is not None
        },
    )


async def _write_sets(
    session: AsyncSession,
    training: TrainingSession,
    *,
    exercise_id: str,
    entry_id: str | None,
    sets: Sequence[LoggedSet],
    skipped: bool,
    prescribed: Sequence[dict[str, Any] | None],
    now: datetime,
    first_set_no: int = 1,
    max_on_record: float | Unknown | None = UNKNOWN,
) -> LogOutcome:
    records: list[PersonalRecord] = []
    if not skipped:
        bests = await _bests(
            session,
            organization_id=training.organization_id,
            athlete_id=training.athlete_id,
            exercise_id=exercise_id,
            exclude_session_id=training.id,
            exclude_entry_id=entry_id,
            max_on_record=max_on_record,
        )
        records = find_records(bests, [LiftedSet(s.kg, s.reps) for s in sets])
    rows: list[SetLog] = []
    pending: dict[tuple[float | None, int | None], str] = {
        (record.kg, record.reps): record.kind.value for record in records
    }
    if skipped:
        sets = [LoggedSet()]
    for index, logged in enumerate(sets):
        snapshot = prescribed[index] if index < len(prescribed) else None
        record = None if skipped else pending.pop((logged.kg, logged.reps), None)
        rows.append(
            SetLog(
                organization_id=training.organization_id,
                athlete_id=training.athlete_id,
                training_session_id=training.id,
                exercise_id=exercise_id,
                entry_id=entry_id,
                set_no=(0 if skipped else first_set_no + index),
                reps=logged.reps,
                kg=logged.kg,
                seconds=logged.seconds,
                meters=logged.meters,
                rpe=logged.rpe,
                e1rm=None if skipped else estimate_e1rm(logged.kg, logged.reps),
                record=record,
                skipped=skipped,
                prescribed=snapshot,
                logged_at=now,
            )
        )
    session.add_all(rows)
    await session.flush()
    return LogOutcome(LogStatus.LOGGED, records, rows)


async def log_entry(
    session: AsyncSession,
    *,
    organization_id: str,
    training_session_id: str,
    exercise_id: str,
    entry_id: str,
    sets: Sequence[LoggedSet],
    prescribed: Sequence[dict[str, Any] | None],
    now: datetime,
    skipped: bool = False,
    max_on_record: float | Unknown | None = UNKNOWN,
) -> LogOutcome:
    """Log (or change) a program entry: its sets replace what was logged for it before.
    `max_on_record` (the entered max the caller already read, or None) saves reading it again.

    The same sets again are UNCHANGED (a double tap logs nothing twice and announces no PR twice).
    """
    # The identity map's row will do: a handler read it earlier in this same transaction.
    training = await session.get(TrainingSession, training_session_id)
    if training is None or training.organization_id != organization_id:
        return LogOutcome(LogStatus.NOT_FOUND)
    if training.finished_at is not None:
        return LogOutcome(LogStatus.CLOSED)
    existing = list(
        (
            await session.exec(
                select(SetLog)
                .where(
                    col(SetLog.training_session_id) == training.id,
                    col(SetLog.entry_id) == entry_id,
                )
                .order_by(col(SetLog.set_no))
            )
        ).all()
    )
    if existing:
        was_skipped = any(row.skipped for row in existing)
        if was_skipped == skipped and (skipped or _signature(existing) == _signature(sets)):
            return LogOutcome(LogStatus.UNCHANGED, sets=existing)
        for row in existing:
            await session.delete(row)
        await session.flush()
    if not skipped and not sets:
        return LogOutcome(LogStatus.LOGGED)
    return await _write_sets(
        session,
        training,
        exercise_id=exercise_id,
        entry_id=entry_id,
        sets=sets,
        skipped=skipped,
        prescribed=prescribed,
        now=now,
        max_on_record=max_on_record,
    )


async def log_off_plan(
    session: AsyncSession,
    *,
    organization_id: str,
    athlete_id: str,
    exercise_id: str,
    day: date,
    sets: Sequence[LoggedSet],
    title: str,
    now: datetime,
) -> tuple[TrainingSession, LogOutcome]:
    """A session no program asked for: one `/log` line, recorded as a finished session."""
    training = TrainingSession(
        organization_id=organization_id,
        athlete_id=athlete_id,
        title=title[:100],
        scheduled_for=day,
        started_at=now,
        finished_at=now,
    )
    session.add(training)
    await session.flush()
    outcome = await _write_sets(
        session,
        training,
        exercise_id=exercise_id,
        entry_id=None,
        sets=sets,
        skipped=False,
        prescribed=[],
        now=now,
    )
    return training, outcome


class FinishStatus(StrEnum):
    FINISHED = "finished"
    ALREADY = "already"
    NOT_FOUND = "not_found"


async def finish_training_session(
    session: AsyncSession,
    *,
    organization_id: str,
    training_session_id: str,
    session_rpe: int,
    minutes: int,
    now: datetime,
) -> FinishStatus:
    """Close the day with session RPE and duration; one conditional UPDATE, so twice is once."""
    if not 1 <= session_rpe <= 10 or not 1 <= minutes <= 24 * 60:
        raise ValueError("session RPE 1-10 and 1-1440 minutes")
    result = await session.exec(
        sa.update(TrainingSession)
        .where(
            col(TrainingSession.id) == training_session_id,
            col(TrainingSession.organization_id) == organization_id,
            col(TrainingSession.finished_at).is_(None),
        )
        .values(finished_at=now, session_rpe=session_rpe, minutes=minutes)
    )
    if result.rowcount:
        return FinishStatus.FINISHED
    found = await get_training_session(
        session, organization_id=organization_id, training_session_id=training_session_id
    )
    return FinishStatus.NOT_FOUND if found is None else FinishStatus.ALREADY


async def claim_record_notice(
    session: AsyncSession, *, organization_id: str, training_session_id: str, now: datetime
) -> list[SetLog] | None:
    """The session's PR sets, once: None if the notice was claimed before or there are none."""
    records = [
        row
        for row in await session_logs(
            session, organization_id=organization_id, training_session_id=training_session_id
        )
        if row.record is not None
    ]
    if not records:
        return None
    result = await session.exec(
        sa.update(TrainingSession)
        .where(
            col(TrainingSession.id) == training_session_id,
            col(TrainingSession.organization_id) == organization_id,
            col(TrainingSession.pr_notice_sent_at).is_(None),
        )
        .values(pr_notice_sent_at=now)
    )
    return records if result.rowcount else None


# --- history -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoggedSetView:
    log: SetLog
    exercise_name: str


@dataclass(frozen=True)
class SessionHistory:
    training: TrainingSession
    sets: list[LoggedSetView]


async def log_history(
    session: AsyncSession,
    *,
    organization_id: str,
    athlete_id: str,
    offset: int = 0,
    limit: int = 5,
) -> Page[SessionHistory]:
    """Sessions with something logged (or finished), newest first, with their sets."""
    has_logs = (
        select(col(SetLog.id)).where(col(SetLog.training_session_id) == col(TrainingSession.id))
    ).exists()
    conditions = [
        col(TrainingSession.organization_id) == organization_id,
        col(TrainingSession.athlete_id) == athlete_id,
        sa.or_(col(TrainingSession.finished_at).is_not(None), has_logs),
    ]
    total = (
        await session.exec(select(func.count()).select_from(TrainingSession).where(*conditions))
    ).one()
    offset = clamp_offset(offset, total=total, limit=limit)
    trainings = list(
        (
            await session.exec(
                select(TrainingSession)
                .where(*conditions)
                .order_by(
                    col(TrainingSession.scheduled_for).desc(),
                    col(TrainingSession.started_at).desc(),
                    col(TrainingSession.id),
                )
                .offset(offset)
                .limit(limit)
            )
        ).all()
    )
    ids = [training.id for training in trainings]
    logs: list[tuple[SetLog, str]] = []
    if ids:
        logs = list(
            (
                await session.exec(
                    select(SetLog, col(Exercise.name))
                    .join(Exercise, col(Exercise.id) == col(SetLog.exercise_id))
                    # In the program's order (entries removed since, and off-plan sets, after),
                    # then as logged.
                    .outerjoin(ProgramEntry, col(ProgramEntry.id) == col(SetLog.entry_id))
                    .where(
                        col(SetLog.organization_id) == organization_id,
                        col(SetLog.training_session_id).in_(ids),
                    )
                    .order_by(
                        func.coalesce(col(ProgramEntry.position), 1_000_000),
                        col(SetLog.logged_at),
                        col(SetLog.entry_id),
                        col(SetLog.set_no),
                    )
                )
            ).all()
        )
    by_session: dict[str, list[LoggedSetView]] = {training_id: [] for training_id in ids}
    for row, name in logs:
        by_session[row.training_session_id].append(LoggedSetView(row, name))
    items = [SessionHistory(training, by_session[training.id]) for training in trainings]
    return Page(items=items, total=total, offset=offset, limit=limit)


async def list_records(
    session: AsyncSession, *, organization_id: str, athlete_id: str, limit: int = 20
) -> list[LoggedSetView]:
    """The athlete's PR sets, newest first."""
    rows = (
        await session.exec(
            select(SetLog, col(Exercise.name))
            .join(Exercise, col(Exercise.id) == col(SetLog.exercise_id))
            .where(
                col(SetLog.organization_id) == organization_id,
                col(SetLog.athlete_id) == athlete_id,
                col(SetLog.record).is_not(None),
            )
            .order_by(col(SetLog.logged_at).desc(), col(SetLog.set_no))
            .limit(limit)
        )
    ).all()
    return [LoggedSetView(row, name) for row, name in rows]


# --- the program side, as the athlete's day needs it ----------------------------------------


class Slot(NamedTuple):
    """A program session as scheduling needs it (cheaper than 156 ORM rows a year)."""

    id: str
    week: int
    weekday: int
    position: int
    title: str | None


@dataclass(frozen=True)
class ActivePlan:
    assignment: Assignment
    program: Program
    sessions: list[Slot]


@dataclass(frozen=True)
class PlannedEntry:
    entry: ProgramEntry
    exercise_name: str


async def active_plan(
    session: AsyncSession, *, organization_id: str, athlete_id: str
) -> ActivePlan | None:
    """The athlete's current assignment with its program and every session of it."""
    row = (
        await session.exec(
            select(Assignment, Program)
            .join(Program, col(Program.id) == col(Assignment.program_id))
            .where(
                col(Assignment.organization_id) == organization_id,
                col(Assignment.athlete_id) == athlete_id,
                col(Assignment.ended_at).is_(None),
            )
            .order_by(col(Assignment.created_at).desc())
            .limit(1)
        )
    ).first()
    if row is None:
        return None
    assignment, program = row
    rows = (
        await session.exec(
            select(  # type: ignore[call-overload]  # (sqlmodel types select() up to 4 columns)
                col(ProgramSession.id),
                col(ProgramSession.week),
                col(ProgramSession.weekday),
                col(ProgramSession.position),
                col(ProgramSession.title),
            )
            .where(
                col(ProgramSession.organization_id) == organization_id,
                col(ProgramSession.program_id) == program.id,
            )
            .order_by(
                col(ProgramSession.week),
                col(ProgramSession.weekday),
                col(ProgramSession.position),
            )
        )
    ).all()
    sessions = [Slot(*row) for row in rows]
    return ActivePlan(assignment, program, sessions)


async def program_slot(
    session: AsyncSession, *, organization_id: str, program_session_id: str
) -> tuple[Slot, str] | None:
    """A program session as a slot, with its program's name (one query)."""
    row = (
        await session.exec(
            select(  # type: ignore[call-overload]  # (sqlmodel types select() up to 4 columns)
                col(ProgramSession.id),
                col(ProgramSession.week),
                col(ProgramSession.weekday),
                col(ProgramSession.position),
                col(ProgramSession.title),
                col(Program.name),
            )
            .join(Program, col(Program.id) == col(ProgramSession.program_id))
            .where(
                col(ProgramSession.id) == program_session_id,
                col(ProgramSession.organization_id) == organization_id,
            )
        )
    ).first()
    if row is None:
        return None
    *slot, name = row
    return Slot(*slot), name


async def planned_entries(
    session: AsyncSession, *, organization_id: str, program_session_id: str
) -> list[PlannedEntry]:
    rows = (
        await session.exec(
            select(ProgramEntry, col(Exercise.name))
            .join(Exercise, col(Exercise.id) == col(ProgramEntry.exercise_id))
            .where(
                col(ProgramEntry.organization_id) == organization_id,
                col(ProgramEntry.session_id) == program_session_id,
            )
            .order_by(col(ProgramEntry.position), col(ProgramEntry.id))
        )
    ).all()
    return [PlannedEntry(entry, name) for entry, name in rows]


async def entry_logs(
    session: AsyncSession, *, organization_id: str, training_session_id: str, entry_id: str
) -> list[SetLog]:
    rows = await session.exec(
        select(SetLog)
        .where(
            col(SetLog.organization_id) == organization_id,
            col(SetLog.training_session_id) == training_session_id,
            col(SetLog.entry_id) == entry_id,
        )
        .order_by(col(SetLog.set_no))
    )
    return list(rows.all())


# --- team settings ---------------------------------------------------------------------------


async def update_team_settings(
    session: AsyncSession,
    *,
    organization_id: str,
    timezone: str | None = None,
    weight_unit: str | None = None,
    rounding_increment: float | None = None,
) -> Organization | None:
    """Change the team's time zone, unit or rounding (already validated by the caller)."""
    organization = await session.get(Organization, organization_id, populate_existing=True)
    if organization is None:
        return None
    if timezone is not None:
        organization.timezone = timezone
    if weight_unit is not None:
        organization.weight_unit = weight_unit
    if rounding_increment is not None:
        organization.rounding_increment = rounding_increment
    session.add(organization)
    await session.flush()
    return organization


async def program_name(
    session: AsyncSession, *, organization_id: str, assignment_id: str
) -> str | None:
    """The name of the program an assignment is for (the day's header)."""
    return (
        await session.exec(
            select(col(Program.name))
            .join(Assignment, col(Assignment.program_id) == col(Program.id))
            .where(
                col(Assignment.id) == assignment_id,
                col(Assignment.organization_id) == organization_id,
            )
        )
    ).first()
