"""Maxes, training sessions and set logs. Keyword-only, scoped by organization_id, never commit.

Outcomes are data (statuses, records); the bot words them.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Athlete, Exercise, Organization
from storage.models.base import new_id
from storage.models.programs import Assignment, Program, ProgramEntry, ProgramSession
from storage.models.training import Max, MaxSource, SetLog, TrainingSession
from storage.prescriptions import Prescription
from storage.queries.paging import Page, clamp_offset
from storage.training.logparse import LoggedSet
from storage.training.records import Bests, LiftedSet, PersonalRecord, estimate_e1rm, find_records

ENTERED_SOURCES = (MaxSource.TESTED, MaxSource.COACH)


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


@dataclass(frozen=True)
class EnteredMax:
    """One tested or coach-entered max, with its exercise's name."""

    id: str
    exercise_id: str
    exercise_name: str
    kg: float
    source: MaxSource
    measured_on: date


async def entered_max(
    session: AsyncSession,
    *,
    organization_id: str,
    athlete_id: str,
    max_id: str,
    sources: Collection[MaxSource] = ENTERED_SOURCES,
) -> EnteredMax | None:
    """The athlete's entered max `max_id` (of one of `sources`); None for anything else."""
    row = (
        await session.execute(
            sa.select(
                col(Max.id),
                col(Max.exercise_id),
                col(Exercise.name),
                col(Max.kg),
                col(Max.source),
                col(Max.measured_on),
            )
            .join(Exercise, col(Exercise.id) == col(Max.exercise_id))
            .where(
                col(Max.id) == max_id,
                col(Max.organization_id) == organization_id,
                col(Max.athlete_id) == athlete_id,
                col(Max.source).in_(list(sources)),
            )
        )
    ).first()
    return None if row is None else EnteredMax(*row)


async def delete_max(
    session: AsyncSession,
    *,
    organization_id: str,
    athlete_id: str,
    max_id: str,
    sources: Collection[MaxSource] = ENTERED_SOURCES,
) -> EnteredMax | None:
    """Delete one entered max of the athlete (the entry before it, if any, or the estimate from
    logs is current again). What was deleted, or None: no such max of this athlete and team
    (already deleted, or never theirs)."""
    found = await entered_max(
        session,
        organization_id=organization_id,
        athlete_id=athlete_id,
        max_id=max_id,
        sources=sources,
    )
    if found is None:
        return None
    result = await session.exec(
        sa.delete(Max).where(
            col(Max.id) == max_id,
            col(Max.organization_id) == organization_id,
            col(Max.athlete_id) == athlete_id,
        )
    )
    return found if result.rowcount else None


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


@dataclass(frozen=True)
class TrainingDay:
    """A training session with the program session it is for (None: off-plan, or since
    removed from the program) and the program's name."""

    training: TrainingSession
    slot: Slot | None
    program_name: str | None


def _in_session_team(
    model: type[ProgramSession | Assignment | Athlete], key: Any
) -> sa.ColumnElement[bool]:
    """Join condition: the row of `model` that the training session's column `key` names, in the
    training session's own team (an id of another team's row matches nothing)."""
    return sa.and_(
        col(model.id) == col(key),
        col(model.organization_id) == col(TrainingSession.organization_id),
    )


def _training_day_statement() -> Any:
    slot_program = aliased(Program)
    assigned_program = aliased(Program)
    return (
        select(  # type: ignore[call-overload]  # (sqlmodel types select() up to 4 columns)
            TrainingSession,
            col(ProgramSession.id),
            col(ProgramSession.week),
            col(ProgramSession.weekday),
            col(ProgramSession.position),
            col(ProgramSession.title),
            func.coalesce(col(slot_program.name), col(assigned_program.name)),
        )
        .outerjoin(
            ProgramSession, _in_session_team(ProgramSession, TrainingSession.program_session_id)
        )
        .outerjoin(slot_program, col(slot_program.id) == col(ProgramSession.program_id))
        .outerjoin(Assignment, _in_session_team(Assignment, TrainingSession.assignment_id))
        .outerjoin(assigned_program, col(assigned_program.id) == col(Assignment.program_id))
        .where(
            col(TrainingSession.id) == sa.bindparam("training_session_id"),
            col(TrainingSession.organization_id) == sa.bindparam("organization_id"),
        )
        .execution_options(populate_existing=True)
    )


_TRAINING_DAY = _training_day_statement()


async def find_training_day(
    session: AsyncSession, *, organization_id: str, training_session_id: str
) -> TrainingDay | None:
    """The team's training session (read afresh) with its program session and program name,
    in one statement. The name is the program session's program, else the assignment's."""
    row = (
        await session.exec(
            _TRAINING_DAY,
            params={"organization_id": organization_id, "training_session_id": training_session_id},
        )
    ).first()
    if row is None:
        return None
    training, slot_id, week, weekday, position, title, program_name = row
    slot = None if slot_id is None else Slot(slot_id, week, weekday, position, title)
    return TrainingDay(training, slot, program_name)


_FIND_TRAINING = select(TrainingSession).where(
    col(TrainingSession.organization_id) == sa.bindparam("organization_id"),
    col(TrainingSession.athlete_id) == sa.bindparam("athlete_id"),
    col(TrainingSession.program_session_id) == sa.bindparam("program_session_id"),
    col(TrainingSession.scheduled_for) == sa.bindparam("scheduled_for", type_=sa.Date),
)


async def find_training_session(
    session: AsyncSession,
    *,
    organization_id: str,
    athlete_id: str,
    program_session_id: str,
    scheduled_for: date,
) -> TrainingSession | None:
    result = await session.exec(
        _FIND_TRAINING,
        params={
            "organization_id": organization_id,
            "athlete_id": athlete_id,
            "program_session_id": program_session_id,
            "scheduled_for": scheduled_for,
        },
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
#
# The tap path ("Done as prescribed") is a handful of prebuilt Core statements: the day in one
# read (day_entries), the bests a PR is judged against in one read (_bests), one INSERT of the
# sets (one DELETE first when an entry is logged again). Rows come back as plain LogRow values,
# not ORM objects: nothing on this path is changed through the ORM.

_ENTRIES: sa.Table = ProgramEntry.__table__  # type: ignore[attr-defined]
_EXERCISES: sa.Table = Exercise.__table__  # type: ignore[attr-defined]
_MAXES: sa.Table = Max.__table__  # type: ignore[attr-defined]
_LOGS: sa.Table = SetLog.__table__  # type: ignore[attr-defined]

_LOG_COLUMNS = (
    "id",
    "entry_id",
    "set_no",
    "reps",
    "kg",
    "seconds",
    "meters",
    "rpe",
    "e1rm",
    "record",
    "skipped",
)


@dataclass(frozen=True, slots=True)
class LogRow:
    """A logged set as the athlete's day shows it (a row of set_logs without its snapshot)."""

    id: str
    entry_id: str | None
    set_no: int
    reps: int | None
    kg: float | None
    seconds: int | None
    meters: float | None
    rpe: float | None
    e1rm: float | None
    record: str | None
    skipped: bool


class LogStatus(StrEnum):
    LOGGED = "logged"
    UNCHANGED = "unchanged"  # the same as already logged: a double tap
    CLOSED = "closed"  # the session was finished
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class LogOutcome:
    status: LogStatus
    records: list[PersonalRecord] = field(default_factory=list)
    sets: list[LogRow] = field(default_factory=list)


def _signature(rows: Sequence[Any]) -> list[tuple[Any, ...]]:
    return [
        (row.reps, None if row.kg is None else round(row.kg, 4), row.seconds, row.meters, row.rpe)
        for row in rows
    ]


def _newest_entered(column: str, exercise_id: Any) -> Any:
    """`column` of the athlete's newest tested or coach-entered max of an exercise."""
    maxes = _MAXES.alias("newest")
    return (
        sa.select(maxes.c[column])
        .where(
            maxes.c.organization_id == sa.bindparam("organization_id"),
            maxes.c.athlete_id == sa.bindparam("athlete_id"),
            maxes.c.exercise_id == exercise_id,
            maxes.c.source.in_(ENTERED_SOURCES),
        )
        .order_by(maxes.c.measured_on.desc(), maxes.c.updated_at.desc(), maxes.c.id.desc())
        .limit(1)
    )


def _log_conditions(logs: Any, exercise_id: Any, *, exclude: bool) -> list[Any]:
    conditions = [
        logs.c.organization_id == sa.bindparam("organization_id"),
        logs.c.athlete_id == sa.bindparam("athlete_id"),
        logs.c.exercise_id == exercise_id,
        logs.c.skipped.is_(False),
    ]
    if exclude:
        conditions.append(
            sa.not_(
                sa.and_(
                    logs.c.training_session_id == sa.bindparam("exclude_session_id"),
                    logs.c.entry_id == sa.bindparam("exclude_entry_id"),
                )
            )
        )
    return conditions


@functools.cache
def _bests_statement(rep_counts: int, *, exclude: bool) -> Any:
    """One row: the best logged e1RM, the max on record, and the heaviest load for each of
    `rep_counts` rep counts (bound as reps_0, reps_1 ...). Each is a MAX over an index
    (athlete, exercise, e1rm) or (athlete, exercise, reps, kg): one index probe, however long
    the athlete's history."""
    exercise_id: Any = sa.bindparam("exercise_id")
    best = _LOGS.alias("best")
    columns = [
        sa.select(sa.func.max(best.c.e1rm))
        .where(*_log_conditions(best, exercise_id, exclude=exclude))
        .scalar_subquery()
        .label("e1rm"),
        _newest_entered("kg", exercise_id).scalar_subquery().label("max_kg"),
    ]
    for n in range(rep_counts):
        heaviest = _LOGS.alias(f"heaviest_{n}")
        columns.append(
            sa.select(sa.func.max(heaviest.c.kg))
            .where(
                *_log_conditions(heaviest, exercise_id, exclude=exclude),
                heaviest.c.reps == sa.bindparam(f"reps_{n}"),
            )
            .scalar_subquery()
            .label(f"kg_{n}")
        )
    return sa.select(*columns)


async def _bests(
    session: AsyncSession,
    *,
    organization_id: str,
    athlete_id: str,
    exercise_id: str,
    exclude_session_id: str,
    exclude_entry_id: str | None,
    reps: Collection[int],
) -> Bests:
    """What the athlete had done on this exercise (the entry being logged again left out), in
    one statement: the best of logged e1RMs and the max on record, and the heaviest load for
    each rep count of `reps` (the only ones a new set can beat)."""
    rep_counts = sorted(set(reps))
    exclude = exclude_entry_id is not None
    params: dict[str, Any] = {
        "organization_id": organization_id,
        "athlete_id": athlete_id,
        "exercise_id": exercise_id,
        **{f"reps_{n}": count for n, count in enumerate(rep_counts)},
    }
    if exclude:
        params |= {"exclude_session_id": exclude_session_id, "exclude_entry_id": exclude_entry_id}
    connection = await session.connection()
    row = (
        await connection.execute(_bests_statement(len(rep_counts), exclude=exclude), params)
    ).one()
    logged_e1rm, max_on_record, *heaviest = row
    candidates = [float(value) for value in (logged_e1rm, max_on_record) if value is not None]
    return Bests(
        e1rm=max(candidates) if candidates else None,
        kg_by_reps={
            count: float(kg)
            for count, kg in zip(rep_counts, heaviest, strict=True)
            if kg is not None
        },
    )


_SELECT_ENTRY_LOGS = (
    sa.select(*(_LOGS.c[name] for name in _LOG_COLUMNS))
    .where(
        _LOGS.c.organization_id == sa.bindparam("organization_id"),
        _LOGS.c.training_session_id == sa.bindparam("training_session_id"),
        _LOGS.c.entry_id == sa.bindparam("entry_id"),
    )
    .order_by(_LOGS.c.set_no)
)
_DELETE_ENTRY_LOGS = sa.delete(_LOGS).where(
    _LOGS.c.organization_id == sa.bindparam("organization_id"),
    _LOGS.c.training_session_id == sa.bindparam("training_session_id"),
    _LOGS.c.entry_id == sa.bindparam("entry_id"),
)
_INSERT_LOGS = sa.insert(_LOGS)


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
) -> LogOutcome:
    records: list[PersonalRecord] = []
    lifted = [LiftedSet(s.kg, s.reps) for s in sets]
    # Only a loaded set of 1+ reps can be a PR: bodyweight and timed sets need no bests.
    weighed = [s.reps for s in lifted if s.kg is not None and s.kg > 0 and s.reps]
    if not skipped and weighed:
        bests = await _bests(
            session,
            organization_id=training.organization_id,
            athlete_id=training.athlete_id,
            exercise_id=exercise_id,
            exclude_session_id=training.id,
            exclude_entry_id=entry_id,
            reps=[reps for reps in weighed if reps is not None],
        )
        records = find_records(bests, lifted)
    pending: dict[tuple[float | None, int | None], str] = {
        (record.kg, record.reps): record.kind.value for record in records
    }
    if skipped:
        sets = [LoggedSet()]
    rows: list[LogRow] = []
    values: list[dict[str, Any]] = []
    for index, logged in enumerate(sets):
        record = None if skipped else pending.pop((logged.kg, logged.reps), None)
        row = LogRow(
            id=new_id(),
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
        )
        rows.append(row)
        values.append(
            {
                **{name: getattr(row, name) for name in _LOG_COLUMNS},
                "organization_id": training.organization_id,
                "athlete_id": training.athlete_id,
                "training_session_id": training.id,
                "exercise_id": exercise_id,
                "prescribed": prescribed[index] if index < len(prescribed) else None,
                "logged_at": now,
            }
        )
    connection = await session.connection()
    await connection.execute(_INSERT_LOGS, values)
    return LogOutcome(LogStatus.LOGGED, records, rows)


async def entry_log_rows(
    session: AsyncSession, *, organization_id: str, training_session_id: str, entry_id: str
) -> list[LogRow]:
    """What is logged for one program entry of a training session, by set number."""
    connection = await session.connection()
    result = await connection.execute(
        _SELECT_ENTRY_LOGS,
        {
            "organization_id": organization_id,
            "training_session_id": training_session_id,
            "entry_id": entry_id,
        },
    )
    return [LogRow(*row) for row in result]


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
    existing: Sequence[LogRow] | None = None,
) -> LogOutcome:
    """Log (or change) a program entry: its sets replace what was logged for it before.
    `existing`: what is logged for the entry, when the caller read it in this transaction
    (the day's read has it), so it is not read again.

    The same sets again are UNCHANGED (a double tap logs nothing twice and announces no PR twice).
    """
    # The identity map's row will do: a handler read it earlier in this same transaction.
    training = await session.get(TrainingSession, training_session_id)
    if training is None or training.organization_id != organization_id:
        return LogOutcome(LogStatus.NOT_FOUND)
    if training.finished_at is not None:
        return LogOutcome(LogStatus.CLOSED)
    if existing is None:
        existing = await entry_log_rows(
            session,
            organization_id=organization_id,
            training_session_id=training.id,
            entry_id=entry_id,
        )
    if existing:
        was_skipped = any(row.skipped for row in existing)
        if was_skipped == skipped and (skipped or _signature(existing) == _signature(sets)):
            return LogOutcome(LogStatus.UNCHANGED, sets=list(existing))
        connection = await session.connection()
        await connection.execute(
            _DELETE_ENTRY_LOGS,
            {
                "organization_id": organization_id,
                "training_session_id": training.id,
                "entry_id": entry_id,
            },
        )
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


@dataclass(frozen=True)
class UnsentRecords:
    """A training session left unfinished, with PR sets its coaches have not heard of."""

    training_session_id: str
    organization_id: str
    timezone: str
    weight_unit: str
    athlete_name: str
    scheduled_for: date
    title: str


async def unfinished_with_records(
    session: AsyncSession, *, first: date, before: date, limit: int = 500
) -> list[UnsentRecords]:
    """Every team's unfinished training sessions scheduled from `first` to before `before` that
    hold a PR set and whose notice was never claimed, oldest first (for the scheduler, which
    works across teams; each row names its team, and claiming it is scoped by that team). A
    short range scan of the partial index ix_training_sessions_unnoticed."""
    has_records = (
        sa.select(col(SetLog.id))
        .where(
            col(SetLog.training_session_id) == col(TrainingSession.id),
            col(SetLog.organization_id) == col(TrainingSession.organization_id),
            col(SetLog.record).is_not(None),
        )
        .exists()
    )
    rows = (
        await session.execute(
            sa.select(
                col(TrainingSession.id),
                col(TrainingSession.organization_id),
                col(Organization.timezone),
                col(Organization.weight_unit),
                col(Athlete.name),
                col(TrainingSession.scheduled_for),
                col(TrainingSession.title),
            )
            .join(Organization, col(Organization.id) == col(TrainingSession.organization_id))
            .join(Athlete, _in_session_team(Athlete, TrainingSession.athlete_id))
            .where(
                # The partial index's condition (storage.models.training.UNNOTICED).
                col(TrainingSession.finished_at).is_(None),
                col(TrainingSession.pr_notice_sent_at).is_(None),
                col(TrainingSession.scheduled_for) >= first,
                col(TrainingSession.scheduled_for) < before,
                has_records,
            )
            .order_by(col(TrainingSession.scheduled_for), col(TrainingSession.id))
            .limit(limit)
        )
    ).all()
    return [
        UnsentRecords(
            training_session_id=row[0],
            organization_id=row[1],
            timezone=row[2] or "UTC",
            weight_unit=row[3] or "kg",
            athlete_name=row[4],
            scheduled_for=row[5],
            title=row[6] or "",
        )
        for row in rows
    ]


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


class PlanAssignment(NamedTuple):
    id: str
    start_date: date
    ended_at: datetime | None


class PlanProgram(NamedTuple):
    id: str
    name: str
    weeks: int


@dataclass(frozen=True)
class ActivePlan:
    assignment: PlanAssignment
    program: PlanProgram
    sessions: list[Slot]


def _active_plan_statement() -> Any:
    assignments: sa.Table = Assignment.__table__  # type: ignore[attr-defined]
    programs: sa.Table = Program.__table__  # type: ignore[attr-defined]
    slots: sa.Table = ProgramSession.__table__  # type: ignore[attr-defined]
    organization_id: Any = sa.bindparam("organization_id")
    newest = (
        sa.select(assignments.c.id)
        .where(
            assignments.c.organization_id == organization_id,
            assignments.c.athlete_id == sa.bindparam("athlete_id"),
            assignments.c.ended_at.is_(None),
        )
        .order_by(assignments.c.created_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    return (
        sa.select(
            assignments.c.id,
            assignments.c.start_date,
            assignments.c.ended_at,
            programs.c.id,
            programs.c.name,
            programs.c.weeks,
            slots.c.id,
            slots.c.week,
            slots.c.weekday,
            slots.c.position,
            slots.c.title,
        )
        .select_from(
            assignments.join(programs, programs.c.id == assignments.c.program_id).outerjoin(
                slots,
                sa.and_(
                    slots.c.program_id == programs.c.id,
                    slots.c.organization_id == organization_id,
                ),
            )
        )
        .where(assignments.c.id == newest)
        .order_by(slots.c.week, slots.c.weekday, slots.c.position)
    )


_ACTIVE_PLAN = _active_plan_statement()


async def active_plan(
    session: AsyncSession, *, organization_id: str, athlete_id: str
) -> ActivePlan | None:
    """The athlete's current assignment with its program and every session of it (one
    statement, plain rows: a year's program is 156 sessions)."""
    connection = await session.connection()
    rows = (
        await connection.execute(
            _ACTIVE_PLAN, {"organization_id": organization_id, "athlete_id": athlete_id}
        )
    ).all()
    if not rows:
        return None
    first = rows[0]
    return ActivePlan(
        PlanAssignment(*first[0:3]),
        PlanProgram(*first[3:6]),
        [Slot(*row[6:]) for row in rows if row[6] is not None],
    )


@dataclass(frozen=True, slots=True)
class DayEntry:
    """A program entry as the athlete's day needs it: what to do, the max its loads come from
    (entered first, else the best estimate from logs) and what is logged for it."""

    id: str
    group_label: str | None
    exercise_id: str
    exercise_name: str
    prescription: dict[str, Any]
    note: str | None
    max: MaxValue | None
    logs: list[LogRow]

    def read_prescription(self) -> Prescription:
        return Prescription.from_json(self.prescription, note=self.note)


def _day_statement() -> Any:
    entries, exercises = _ENTRIES, _EXERCISES
    best = _LOGS.alias("best")
    logged = _LOGS.alias("logged")
    organization_id: Any = sa.bindparam("organization_id")
    estimate = (
        sa.select(sa.func.max(best.c.e1rm))
        .where(
            best.c.organization_id == organization_id,
            best.c.athlete_id == sa.bindparam("athlete_id"),
            best.c.exercise_id == entries.c.exercise_id,
        )
        .scalar_subquery()
    )
    # The newest entered max, a column at a time: each an index probe on either database
    # (a join on "id = (subquery)" may be planned as a scan of every max).
    entered = [
        _newest_entered(column, entries.c.exercise_id).scalar_subquery().label(f"max_{column}")
        for column in ("kg", "source", "measured_on")
    ]
    return (
        sa.select(
            entries.c.id,
            entries.c.group_label,
            entries.c.exercise_id,
            exercises.c.name,
            entries.c.prescription,
            entries.c.note,
            *entered,
            estimate.label("estimate"),
            *(logged.c[name].label(f"log_{name}") for name in _LOG_COLUMNS),
        )
        .select_from(
            entries.join(exercises, exercises.c.id == entries.c.exercise_id).outerjoin(
                logged,
                sa.and_(
                    logged.c.organization_id == organization_id,
                    logged.c.training_session_id == sa.bindparam("training_session_id"),
                    logged.c.entry_id == entries.c.id,
                ),
            )
        )
        .where(
            entries.c.organization_id == organization_id,
            entries.c.session_id == sa.bindparam("program_session_id"),
        )
        .order_by(entries.c.position, entries.c.id, logged.c.logged_at, logged.c.set_no)
    )


_DAY = _day_statement()


async def day_entries(
    session: AsyncSession,
    *,
    organization_id: str,
    athlete_id: str,
    program_session_id: str,
    training_session_id: str,
) -> list[DayEntry]:
    """A program session's entries in order, each with its exercise's name, the athlete's max
    for it and what the training session has logged for it: one statement (a row per logged
    set, the max and the best estimate are index probes)."""
    connection = await session.connection()
    result = await connection.execute(
        _DAY,
        {
            "organization_id": organization_id,
            "athlete_id": athlete_id,
            "program_session_id": program_session_id,
            "training_session_id": training_session_id,
        },
    )
    days: list[DayEntry] = []
    for row in result:
        entry_id, label, exercise_id, name, prescription, note, kg, source, on, estimate = row[:10]
        if not days or days[-1].id != entry_id:
            if kg is not None:
                found: MaxValue | None = MaxValue(float(kg), MaxSource(source), on)
            elif estimate is not None:
                found = MaxValue(float(estimate), MaxSource.ESTIMATED)
            else:
                found = None
            days.append(DayEntry(entry_id, label, exercise_id, name, prescription, note, found, []))
        if row[10] is not None:
            days[-1].logs.append(LogRow(*row[10:]))
    return days


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
