"""Programs, their sessions and entries, and assignments to athletes.

Keyword-only, scoped by organization_id, never commit. Outcomes are data; errors carry a short
code in `message` (see the constants below) that the bot words.

Dates: week 1 of an assignment is the calendar week (Monday..Sunday) holding its start date;
a session on weekday d of week w falls on monday(start) + 7(w-1) + (d-1). Sessions that fall
before the start date (a start mid-week) are skipped, not shifted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import validation
from storage.errors import Conflict, FieldError, InvalidInput, NotFound, Subject
from storage.models import (
    Assignment,
    Athlete,
    AthleteStatus,
    Exercise,
    Organization,
    Program,
    ProgramEntry,
    ProgramSession,
)
from storage.models.base import new_id, utcnow
from storage.models.programs import MAX_WEEKS
from storage.prescriptions import (
    MAX_ENTRIES,
    Prescription,
    Progression,
    Unit,
    progress_prescription,
)
from storage.queries.paging import Page, clamp_offset
from storage.queries.search import MatchKind, SearchHit, SearchPage, search_exercises
from storage.search import ABBREVIATIONS

# Codes carried by NotFound / Conflict / InvalidInput (the bot turns them into sentences).
PROGRAM_NOT_FOUND = "program_not_found"
SESSION_NOT_FOUND = "session_not_found"
ATHLETE_NOT_FOUND = "athlete_not_found"
EXERCISE_NOT_FOUND = "exercise_not_found"
PROGRAM_ARCHIVED = "program_archived"
PROGRAM_ASSIGNED = "program_assigned"
WEEK_OUT_OF_RANGE = "week_out_of_range"
WEEKDAY_OUT_OF_RANGE = "weekday_out_of_range"
TOO_MANY_ENTRIES = "too_many_entries"
TOO_MANY_SESSIONS = "too_many_sessions"
NAME_INVALID = "name_invalid"
WEEKS_INVALID = "weeks_invalid"
NOTHING_TO_COPY = "nothing_to_copy"

MAX_SESSIONS_PER_WEEK = 7
PROGRAM_NAME_MAX = 100
SESSION_TITLE_MAX = 100
DESCRIPTION_MAX = 1000


# --- outcomes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramRow:
    """A line of the program list."""

    program: Program
    session_count: int
    athlete_count: int  # active assignments


@dataclass(frozen=True)
class EntryView:
    entry: ProgramEntry
    exercise_name: str

    @property
    def prescription(self) -> Prescription:
        return self.entry.read_prescription()


@dataclass(frozen=True)
class SessionView:
    session: ProgramSession
    entries: list[EntryView]


@dataclass(frozen=True)
class ProgramView:
    program: Program
    sessions: list[ProgramSession]  # by week, weekday, position
    entry_counts: dict[str, int]  # session id -> entries
    athlete_count: int

    def week(self, week: int) -> list[ProgramSession]:
        return [s for s in self.sessions if s.week == week]


@dataclass(frozen=True)
class EntryInput:
    """One entry to write: what the shorthand gave, with the exercise resolved."""

    exercise_id: str
    prescription: Prescription
    group_label: str | None = None


@dataclass(frozen=True)
class PlannedSession:
    on: date
    week: int
    session: ProgramSession


@dataclass(frozen=True)
class CurrentProgram:
    assignment: Assignment
    program: Program
    next_session: PlannedSession | None  # None: the program is over (or has no sessions)
    first_session: PlannedSession | None


@dataclass(frozen=True)
class AssignOutcome:
    athlete: Athlete
    assignment: Assignment
    replaced: Program | None  # the program that was active before, if another one
    unchanged: bool  # the same program was already active from the same date


# --- pure date rules -----------------------------------------------------------------------


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def session_date(start: date, *, week: int, weekday: int) -> date:
    return monday_of(start) + timedelta(days=7 * (week - 1) + weekday - 1)


def next_monday(today: date) -> date:
    """The Monday after today (a week on when today is a Monday)."""
    return monday_of(today) + timedelta(days=7)


def schedule(
    start: date, sessions: Iterable[ProgramSession], *, weeks: int
) -> list[PlannedSession]:
    """Every session of an assignment with its date, in date order; none before `start`."""
    planned = [
        PlannedSession(session_date(start, week=s.week, weekday=s.weekday), s.week, s)
        for s in sessions
        if s.week <= weeks
    ]
    planned = [p for p in planned if p.on >= start]
    planned.sort(key=lambda p: (p.on, p.session.position, p.session.id))
    return planned


# --- programs ------------------------------------------------------------------------------


def clean_program_name(text: str) -> str:
    try:
        return validation.clean_title(text, subject=Subject.PROGRAM_NAME, limit=PROGRAM_NAME_MAX)
    except FieldError as error:
        raise InvalidInput.from_field_error("name", error) from None


def _name_key(name: str) -> str:
    return validation.fold_key(name)[:PROGRAM_NAME_MAX]


def check_weeks(weeks: int) -> int:
    if not 1 <= weeks <= MAX_WEEKS:
        raise InvalidInput("weeks", WEEKS_INVALID)
    return weeks


async def create_program(
    session: AsyncSession,
    *,
    organization_id: str,
    name: str,
    weeks: int,
    description: str | None = None,
    program_id: str | None = None,
) -> Program:
    """A caller-chosen id makes a repeated Save create nothing new."""
    if program_id is not None:
        existing = await session.get(Program, program_id)
        if existing is not None:
            if existing.organization_id != organization_id:
                raise Conflict("program_id_taken")
            return existing
    clean = clean_program_name(name)
    program = Program(
        organization_id=organization_id,
        name=clean,
        name_key=_name_key(clean),
        weeks=check_weeks(weeks),
        description=(description or "").strip()[:DESCRIPTION_MAX] or None,
    )
    if program_id is not None:
        program.id = program_id
    session.add(program)
    await session.flush()
    return program


async def get_program(session: AsyncSession, *, organization_id: str, program_id: str) -> Program:
    program = await session.get(Program, program_id, populate_existing=True)
    if program is None or program.organization_id != organization_id:
        raise NotFound(PROGRAM_NOT_FOUND)
    return program


def _active_assignments() -> sa.ColumnElement[bool]:
    return col(Assignment.ended_at).is_(None)


async def list_programs(
    session: AsyncSession,
    *,
    organization_id: str,
    archived: bool = False,
    name_filter: str | None = None,
    offset: int = 0,
    limit: int = 10,
) -> Page[ProgramRow]:
    """A page of the team's programs (live or archived) by name."""
    conditions: list[sa.ColumnElement[bool]] = [
        col(Program.organization_id) == organization_id,
        col(Program.archived_at).is_not(None) if archived else col(Program.archived_at).is_(None),
    ]
    if name_filter and name_filter.strip():
        key = validation.fold_key(name_filter)
        conditions.append(col(Program.name_key).contains(key, autoescape=True))
    total = (await session.exec(select(func.count()).select_from(Program).where(*conditions))).one()
    offset = clamp_offset(offset, total=total, limit=limit)
    sessions = (
        select(func.count())
        .select_from(ProgramSession)
        .where(col(ProgramSession.program_id) == col(Program.id))
        .scalar_subquery()
    )
    athletes = (
        select(func.count())
        .select_from(Assignment)
        .where(col(Assignment.program_id) == col(Program.id), _active_assignments())
        .scalar_subquery()
    )
    result = await session.exec(
        select(Program, sessions, athletes)
        .where(*conditions)
        .order_by(col(Program.name_key), col(Program.id))
        .offset(offset)
        .limit(limit)
    )
    rows = [ProgramRow(program, count, assigned) for program, count, assigned in result.all()]
    return Page(items=rows, total=total, offset=offset, limit=limit)


async def get_program_view(
    session: AsyncSession, *, organization_id: str, program_id: str
) -> ProgramView:
    program = await get_program(session, organization_id=organization_id, program_id=program_id)
    sessions = await _program_sessions(session, program.id)
    counts_result = await session.exec(
        select(col(ProgramEntry.session_id), func.count())
        .join(ProgramSession, col(ProgramSession.id) == col(ProgramEntry.session_id))
        .where(col(ProgramSession.program_id) == program.id)
        .group_by(col(ProgramEntry.session_id))
    )
    athletes = (
        await session.exec(
            select(func.count())
            .select_from(Assignment)
            .where(col(Assignment.program_id) == program.id, _active_assignments())
        )
    ).one()
    return ProgramView(
        program=program,
        sessions=sessions,
        entry_counts={session_id: count for session_id, count in counts_result.all()},
        athlete_count=athletes,
    )


async def _program_sessions(session: AsyncSession, program_id: str) -> list[ProgramSession]:
    result = await session.exec(
        select(ProgramSession)
        .where(col(ProgramSession.program_id) == program_id)
        .order_by(
            col(ProgramSession.week),
            col(ProgramSession.weekday),
            col(ProgramSession.position),
            col(ProgramSession.id),
        )
    )
    return list(result.all())


async def rename_program(
    session: AsyncSession, *, organization_id: str, program_id: str, name: str
) -> Program:
    program = await get_program(session, organization_id=organization_id, program_id=program_id)
    program.name = clean_program_name(name)
    program.name_key = _name_key(program.name)
    program.updated_at = utcnow()
    session.add(program)
    await session.flush()
    return program


def clean_program_description(text: str) -> str:
    try:
        return validation.clean_long_text(text, subject=Subject.DESCRIPTION, limit=DESCRIPTION_MAX)
    except FieldError as error:
        raise InvalidInput.from_field_error("description", error) from None


async def set_program_description(
    session: AsyncSession, *, organization_id: str, program_id: str, description: str | None
) -> Program:
    """The program's description, or none (``None``)."""
    program = await get_program(session, organization_id=organization_id, program_id=program_id)
    program.description = None if description is None else clean_program_description(description)
    program.updated_at = utcnow()
    session.add(program)
    await session.flush()
    return program


async def set_program_archived(
    session: AsyncSession, *, organization_id: str, program_id: str, archived: bool
) -> Program:
    """Archive (soft delete) or restore. A program athletes are on can't be archived."""
    program = await get_program(session, organization_id=organization_id, program_id=program_id)
    if archived and program.archived_at is None:
        if await _count_active(session, program.id):
            raise Conflict(PROGRAM_ASSIGNED)
        program.archived_at = utcnow()
    elif not archived:
        program.archived_at = None
    program.updated_at = utcnow()
    session.add(program)
    await session.flush()
    return program


async def _count_active(session: AsyncSession, program_id: str) -> int:
    return (
        await session.exec(
            select(func.count())
            .select_from(Assignment)
            .where(col(Assignment.program_id) == program_id, _active_assignments())
        )
    ).one()


async def copy_program(
    session: AsyncSession,
    *,
    organization_id: str,
    program_id: str,
    name: str,
    new_program_id: str | None = None,
) -> Program:
    """A new program with the same weeks, sessions and entries (no assignments)."""
    source = await get_program(session, organization_id=organization_id, program_id=program_id)
    copy = await create_program(
        session,
        organization_id=organization_id,
        name=name,
        weeks=source.weeks,
        description=source.description,
        program_id=new_program_id,
    )
    if new_program_id is not None and await _program_sessions(session, copy.id):
        return copy  # a repeated tap: already copied
    sources = await _program_sessions(session, source.id)
    await _clone_sessions(session, program=copy, plan=[(s, s.week, 0) for s in sources])
    return copy


async def _clone_sessions(
    session: AsyncSession,
    *,
    program: Program,
    plan: Sequence[tuple[ProgramSession, int, int]],
    progression: Progression | None = None,
    unit: Unit = "kg",
    increment: float = 2.5,
) -> int:
    """Copy sessions into `program`: each (source, week, progression steps). Rows are written
    in two bulk INSERTs (a 52-week program holds up to 14,560 entries)."""
    sources = {source.id: source for source, _, _ in plan}
    entries: dict[str, list[ProgramEntry]] = {source_id: [] for source_id in sources}
    if sources:
        found = await session.exec(
            select(ProgramEntry)
            .where(col(ProgramEntry.session_id).in_(list(sources)))
            .order_by(col(ProgramEntry.position), col(ProgramEntry.id))
        )
        for entry in found.all():
            entries[entry.session_id].append(entry)
    session_rows: list[dict[str, object]] = []
    entry_rows: list[dict[str, object]] = []
    for source, week, steps in plan:
        clone_id = new_id()
        session_rows.append(
            {
                "id": clone_id,
                "organization_id": program.organization_id,
                "program_id": program.id,
                "week": week,
                "weekday": source.weekday,
                "title": source.title,
                "position": source.position,
            }
        )
        for entry in entries[source.id]:
            prescription = entry.read_prescription()
            if progression is not None and steps:
                prescription = progress_prescription(
                    prescription, progression, steps=steps, unit=unit, increment=increment
                )
            entry_rows.append(
                {
                    "id": new_id(),
                    "organization_id": program.organization_id,
                    "session_id": clone_id,
                    "position": entry.position,
                    "group_label": entry.group_label,
                    "exercise_id": entry.exercise_id,
                    "prescription": prescription.to_json(),
                    "note": prescription.note,
                }
            )
    if session_rows:
        await session.execute(sa.insert(ProgramSession), session_rows)
    if entry_rows:
        await session.execute(sa.insert(ProgramEntry), entry_rows)
    return len(session_rows)


async def _session_entries(session: AsyncSession, session_id: str) -> list[ProgramEntry]:
    result = await session.exec(
        select(ProgramEntry)
        .where(col(ProgramEntry.session_id) == session_id)
        .order_by(col(ProgramEntry.position), col(ProgramEntry.id))
    )
    return list(result.all())


# --- sessions ------------------------------------------------------------------------------


def _check_day(program: Program, week: int, weekday: int) -> None:
    if not 1 <= week <= program.weeks:
        raise InvalidInput("week", WEEK_OUT_OF_RANGE)
    if not 1 <= weekday <= 7:
        raise InvalidInput("weekday", WEEKDAY_OUT_OF_RANGE)


def clean_session_title(text: str | None) -> str | None:
    title = validation.collapse_spaces(text or "")
    return title[:SESSION_TITLE_MAX] or None


async def add_session(
    session: AsyncSession,
    *,
    organization_id: str,
    program_id: str,
    week: int,
    weekday: int,
    title: str | None = None,
) -> ProgramSession:
    """A new, empty session on a day of a week (after any others on that day)."""
    program = await get_program(session, organization_id=organization_id, program_id=program_id)
    _check_day(program, week, weekday)
    same_week = [s for s in await _program_sessions(session, program.id) if s.week == week]
    if len(same_week) >= MAX_SESSIONS_PER_WEEK:
        raise Conflict(TOO_MANY_SESSIONS)
    position = 1 + max((s.position for s in same_week if s.weekday == weekday), default=0)
    created = ProgramSession(
        organization_id=organization_id,
        program_id=program.id,
        week=week,
        weekday=weekday,
        title=clean_session_title(title),
        position=position,
    )
    session.add(created)
    _touch(session, program)
    await session.flush()
    return created


def _touch(session: AsyncSession, program: Program) -> None:
    program.updated_at = utcnow()
    session.add(program)


async def get_program_session(
    session: AsyncSession, *, organization_id: str, session_id: str
) -> ProgramSession:
    found = await session.get(ProgramSession, session_id, populate_existing=True)
    if found is None or found.organization_id != organization_id:
        raise NotFound(SESSION_NOT_FOUND)
    return found


async def get_session_view(
    session: AsyncSession, *, organization_id: str, session_id: str
) -> SessionView:
    found = await get_program_session(
        session, organization_id=organization_id, session_id=session_id
    )
    return SessionView(found, await _entry_views(session, [found.id]))


async def _entry_views(session: AsyncSession, session_ids: Sequence[str]) -> list[EntryView]:
    if not session_ids:
        return []
    result = await session.exec(
        select(ProgramEntry, col(Exercise.name))
        .join(Exercise, col(Exercise.id) == col(ProgramEntry.exercise_id))
        .where(col(ProgramEntry.session_id).in_(session_ids))
        .order_by(col(ProgramEntry.session_id), col(ProgramEntry.position), col(ProgramEntry.id))
    )
    return [EntryView(entry, name) for entry, name in result.all()]


async def list_session_views(
    session: AsyncSession, *, organization_id: str, session_ids: Sequence[str]
) -> list[SessionView]:
    """Several sessions with their entries, in the order asked (unknown ids left out)."""
    found = (
        await session.exec(
            select(ProgramSession).where(
                col(ProgramSession.id).in_(list(session_ids)),
                col(ProgramSession.organization_id) == organization_id,
            )
        )
    ).all()
    by_id = {s.id: s for s in found}
    entries = await _entry_views(session, list(by_id))
    grouped: dict[str, list[EntryView]] = {}
    for view in entries:
        grouped.setdefault(view.entry.session_id, []).append(view)
    return [SessionView(by_id[i], grouped.get(i, [])) for i in session_ids if i in by_id]


async def remove_session(session: AsyncSession, *, organization_id: str, session_id: str) -> None:
    found = await get_program_session(
        session, organization_id=organization_id, session_id=session_id
    )
    program = await get_program(
        session, organization_id=organization_id, program_id=found.program_id
    )
    await session.delete(found)  # entries go with it (ON DELETE CASCADE, and below for SQLite)
    for entry in await _session_entries(session, session_id):
        await session.delete(entry)
    _touch(session, program)
    await session.flush()


async def set_session_title(
    session: AsyncSession, *, organization_id: str, session_id: str, title: str | None
) -> ProgramSession:
    found = await get_program_session(
        session, organization_id=organization_id, session_id=session_id
    )
    found.title = clean_session_title(title)
    session.add(found)
    await session.flush()
    return found


async def _check_exercises(
    session: AsyncSession, organization_id: str, exercise_ids: Iterable[str]
) -> None:
    wanted = set(exercise_ids)
    if not wanted:
        return
    result = await session.exec(
        select(col(Exercise.id)).where(
            col(Exercise.id).in_(wanted),
            sa.or_(
                col(Exercise.organization_id).is_(None),
                col(Exercise.organization_id) == organization_id,
            ),
        )
    )
    if set(result.all()) != wanted:
        raise NotFound(EXERCISE_NOT_FOUND)


async def set_session_entries(
    session: AsyncSession,
    *,
    organization_id: str,
    session_id: str,
    entries: Sequence[EntryInput],
) -> list[ProgramEntry]:
    """Replace a session's entries. Rows are updated in place by position, so an entry keeps
    its id when a coach changes a number (logs that point at it keep pointing at it)."""
    if len(entries) > MAX_ENTRIES:
        raise InvalidInput("entries", TOO_MANY_ENTRIES)
    found = await get_program_session(
        session, organization_id=organization_id, session_id=session_id
    )
    await _check_exercises(session, organization_id, (e.exercise_id for e in entries))
    existing = await _session_entries(session, found.id)
    written: list[ProgramEntry] = []
    for position, (new, old) in enumerate(_pad(entries, existing), 1):
        if new is None:
            assert old is not None
            await session.delete(old)
            continue
        row = old or ProgramEntry(
            organization_id=organization_id,
            session_id=found.id,
            position=position,
            exercise_id=new.exercise_id,
            prescription={},
        )
        row.position = position
        row.group_label = new.group_label
        row.exercise_id = new.exercise_id
        row.prescription = new.prescription.to_json()
        row.note = new.prescription.note
        session.add(row)
        written.append(row)
    program = await get_program(
        session, organization_id=organization_id, program_id=found.program_id
    )
    _touch(session, program)
    await session.flush()
    return written


def _pad(
    new: Sequence[EntryInput], old: Sequence[ProgramEntry]
) -> list[tuple[EntryInput | None, ProgramEntry | None]]:
    length = max(len(new), len(old))
    return [
        (new[i] if i < len(new) else None, old[i] if i < len(old) else None) for i in range(length)
    ]


async def copy_week(
    session: AsyncSession,
    *,
    organization_id: str,
    program_id: str,
    source_week: int,
    target_weeks: Sequence[int],
    progression: Progression | None = None,
    unit: Unit = "kg",
    increment: float = 2.5,
) -> int:
    """Copy week `source_week` onto each target week, replacing what those weeks held. With a
    progression, week w gets it (w - source_week) times: +2.5kg from week 1 makes week 3
    +5kg. Returns the number of sessions written."""
    program = await get_program(session, organization_id=organization_id, program_id=program_id)
    targets = sorted(set(target_weeks) - {source_week})
    for week in [source_week, *targets]:
        _check_day(program, week, 1)
    sessions = await _program_sessions(session, program.id)
    source = [s for s in sessions if s.week == source_week]
    if not source or not targets:
        raise Conflict(NOTHING_TO_COPY)
    replaced = [old.id for old in sessions if old.week in targets]
    if replaced:
        # In bulk, below the ORM: the rows loaded above are not used again.
        await session.execute(
            sa.delete(ProgramEntry)
            .where(col(ProgramEntry.session_id).in_(replaced))
            .execution_options(synchronize_session=False)
        )
        await session.execute(
            sa.delete(ProgramSession)
            .where(col(ProgramSession.id).in_(replaced))
            .execution_options(synchronize_session=False)
        )
    written = await _clone_sessions(
        session,
        program=program,
        plan=[(src, week, week - source_week) for week in targets for src in source],
        progression=progression,
        unit=unit,
        increment=increment,
    )
    _touch(session, program)
    await session.flush()
    return written


# --- assignments ---------------------------------------------------------------------------


async def _get_athlete(session: AsyncSession, organization_id: str, athlete_id: str) -> Athlete:
    athlete = await session.get(Athlete, athlete_id)
    if athlete is None or athlete.organization_id != organization_id:
        raise NotFound(ATHLETE_NOT_FOUND)
    return athlete


async def _active_assignment(
    session: AsyncSession, organization_id: str, athlete_id: str
) -> Assignment | None:
    result = await session.exec(
        select(Assignment).where(
            col(Assignment.organization_id) == organization_id,
            col(Assignment.athlete_id) == athlete_id,
            _active_assignments(),
        )
    )
    return result.first()


async def assign_program(
    session: AsyncSession,
    *,
    organization_id: str,
    program_id: str,
    athlete_ids: Sequence[str],
    start_date: date,
    now: datetime | None = None,
) -> list[AssignOutcome]:
    """Put each athlete on the program from start_date. Another active program is ended (kept
    as history); the same program from the same date is left as it is (a repeated tap)."""
    program = await get_program(session, organization_id=organization_id, program_id=program_id)
    if program.archived_at is not None:
        raise Conflict(PROGRAM_ARCHIVED)
    ended_at = now or utcnow()
    outcomes: list[AssignOutcome] = []
    for athlete_id in dict.fromkeys(athlete_ids):
        athlete = await _get_athlete(session, organization_id, athlete_id)
        current = await _active_assignment(session, organization_id, athlete_id)
        replaced: Program | None = None
        if current is not None:
            if current.program_id == program.id and current.start_date == start_date:
                outcomes.append(AssignOutcome(athlete, current, None, unchanged=True))
                continue
            current.ended_at = ended_at
            session.add(current)
            await session.flush()  # the partial unique index sees one active row at a time
            if current.program_id != program.id:
                replaced = await session.get(Program, current.program_id)
        assignment = Assignment(
            organization_id=organization_id,
            athlete_id=athlete_id,
            program_id=program.id,
            start_date=start_date,
        )
        session.add(assignment)
        await session.flush()
        outcomes.append(AssignOutcome(athlete, assignment, replaced, unchanged=False))
    return outcomes


async def unassign_athlete(
    session: AsyncSession, *, organization_id: str, athlete_id: str, now: datetime | None = None
) -> Assignment | None:
    """End the athlete's active program; None when there was none."""
    await _get_athlete(session, organization_id, athlete_id)
    current = await _active_assignment(session, organization_id, athlete_id)
    if current is None:
        return None
    current.ended_at = now or utcnow()
    session.add(current)
    await session.flush()
    return current


async def list_program_athletes(
    session: AsyncSession, *, organization_id: str, program_id: str
) -> list[tuple[Athlete, Assignment]]:
    """Athletes on the program now, by name."""
    result = await session.exec(
        select(Athlete, Assignment)
        .join(Assignment, col(Assignment.athlete_id) == col(Athlete.id))
        .where(
            col(Assignment.organization_id) == organization_id,
            col(Assignment.program_id) == program_id,
            _active_assignments(),
        )
        .order_by(col(Athlete.name_key), col(Athlete.id))
    )
    return [(athlete, assignment) for athlete, assignment in result.all()]


async def list_assignable_athletes(
    session: AsyncSession,
    *,
    organization_id: str,
    status: AthleteStatus | None = AthleteStatus.ACTIVE,
    offset: int = 0,
    limit: int = 10,
) -> Page[tuple[Athlete, str | None]]:
    """A page of the roster for picking, each with the name of their active program."""
    conditions: list[sa.ColumnElement[bool]] = [col(Athlete.organization_id) == organization_id]
    if status is not None:
        conditions.append(col(Athlete.status) == status)
    total = (await session.exec(select(func.count()).select_from(Athlete).where(*conditions))).one()
    offset = clamp_offset(offset, total=total, limit=limit)
    result = await session.exec(
        select(Athlete, col(Program.name))
        .outerjoin(
            Assignment,
            sa.and_(col(Assignment.athlete_id) == col(Athlete.id), _active_assignments()),
        )
        .outerjoin(Program, col(Program.id) == col(Assignment.program_id))
        .where(*conditions)
        .order_by(col(Athlete.name_key), col(Athlete.id))
        .offset(offset)
        .limit(limit)
    )
    items: list[tuple[Athlete, str | None]] = [(athlete, name) for athlete, name in result.all()]
    return Page(items=items, total=total, offset=offset, limit=limit)


async def get_current_program(
    session: AsyncSession, *, organization_id: str, athlete_id: str, today: date
) -> CurrentProgram | None:
    """The athlete's active program with its first session and the next one from today."""
    current = await _active_assignment(session, organization_id, athlete_id)
    if current is None:
        return None
    program = await session.get(Program, current.program_id)
    if program is None:
        return None
    planned = schedule(
        current.start_date, await _program_sessions(session, program.id), weeks=program.weeks
    )
    upcoming = next((p for p in planned if p.on >= today), None)
    return CurrentProgram(current, program, upcoming, planned[0] if planned else None)


async def list_planned_sessions(
    session: AsyncSession, *, organization_id: str, athlete_id: str, start: date, end: date
) -> list[PlannedSession]:
    """The athlete's program sessions dated start..end (inclusive), in date order."""
    current = await _active_assignment(session, organization_id, athlete_id)
    if current is None:
        return []
    program = await session.get(Program, current.program_id)
    if program is None:
        return []
    planned = schedule(
        current.start_date, await _program_sessions(session, program.id), weeks=program.weeks
    )
    return [p for p in planned if start <= p.on <= end]


async def get_team_unit(session: AsyncSession, *, organization_id: str) -> tuple[Unit, float]:
    """The team's weight unit and rounding increment (in that unit)."""
    organization = await session.get(Organization, organization_id)
    if organization is None:
        return "kg", 2.5
    unit: Unit = "lb" if organization.weight_unit == "lb" else "kg"
    return unit, organization.rounding_increment


# --- exercise names ------------------------------------------------------------------------


class Resolution(StrEnum):
    FOUND = "found"
    AMBIGUOUS = "ambiguous"  # several candidates: the coach picks
    UNKNOWN = "unknown"  # nothing like it: create it as the team's own, or type again


@dataclass(frozen=True)
class ExerciseOption:
    exercise_id: str
    name: str
    is_custom: bool


@dataclass(frozen=True)
class NameResolution:
    name: str
    kind: Resolution
    options: tuple[ExerciseOption, ...] = ()

    @property
    def exercise(self) -> ExerciseOption | None:
        return self.options[0] if self.kind is Resolution.FOUND else None


MAX_OPTIONS = 6


async def resolve_exercise_names(
    session: AsyncSession, *, organization_id: str, names: Iterable[str]
) -> dict[str, NameResolution]:
    """Each distinct name to one exercise, several candidates, or none.

    Exact names first and cheaply, in one query on the (organization_id, lower(name)) index,
    as typed and with coaches' abbreviations spelt out ("RDL", "DB bench press"); then the
    curated library's cached search index (exact alias, plural...). Only names left over pay
    for a full search over the team's exercises. The team's own exercise wins over a curated
    one of the same name (it is usually their copy of it).
    """
    wanted = list(dict.fromkeys(name for name in names if name.strip()))
    resolved: dict[str, NameResolution] = {}
    forms: dict[str, list[str]] = {}  # lowercase name as typed, or with abbreviations spelt out
    for name in wanted:
        typed = " ".join(name.lower().split())
        spelt = " ".join(ABBREVIATIONS.get(word, word) for word in typed.split())
        for form in dict.fromkeys((typed, spelt)):
            forms.setdefault(form, []).append(name)
    if forms:
        rows = await session.exec(
            select(col(Exercise.id), col(Exercise.name), col(Exercise.organization_id))
            .where(
                sa.or_(
                    col(Exercise.organization_id) == organization_id,
                    col(Exercise.organization_id).is_(None),
                ),
                col(Exercise.archived_at).is_(None),
                func.lower(col(Exercise.name)).in_(list(forms)),
            )
            # the team's own first, so it wins over a curated namesake
            .order_by(col(Exercise.organization_id).is_(None))
        )
        for exercise_id, exercise_name, owner in rows.all():
            for name in forms.get(" ".join(exercise_name.lower().split()), []):
                if name in resolved:
                    continue
                option = ExerciseOption(exercise_id, exercise_name, is_custom=owner is not None)
                resolved[name] = NameResolution(name, Resolution.FOUND, (option,))
    for name in wanted:
        if name in resolved:
            continue
        curated = await search_exercises(session, organization_id=None, query=name, limit=10)
        exact = _sure(curated)
        if len(exact) == 1:
            resolved[name] = NameResolution(name, Resolution.FOUND, tuple(exact))
            continue
        if exact:
            resolved[name] = NameResolution(name, Resolution.AMBIGUOUS, tuple(exact[:MAX_OPTIONS]))
            continue
        found = await search_exercises(
            session, organization_id=organization_id, query=name, limit=MAX_OPTIONS
        )
        exact = _sure(found)
        if len(exact) == 1:
            resolved[name] = NameResolution(name, Resolution.FOUND, tuple(exact))
        elif options := _candidates(found):
            resolved[name] = NameResolution(name, Resolution.AMBIGUOUS, options)
        else:
            resolved[name] = NameResolution(name, Resolution.UNKNOWN)
    return {name: resolved[name] for name in wanted}


def _sure(page: SearchPage) -> list[ExerciseOption]:
    """Exact matches of a search that is sure of them. An unsure one ("Zercher deadlift" read
    as Deadlift once "Zercher" is set aside) is only a candidate: the coach settles it."""
    if not page.confident or page.set_aside:
        return []
    return [_option(hit) for hit in page.items if hit.match is MatchKind.EXACT]


def _candidates(page: SearchPage) -> tuple[ExerciseOption, ...]:
    """What to offer when nothing is sure: the hits, and a "did you mean" first."""
    hits = [page.suggestion, *page.items] if page.suggestion is not None else page.items
    options = {hit.exercise_id: _option(hit) for hit in hits}
    return tuple(options.values())[:MAX_OPTIONS]


def _option(hit: SearchHit) -> ExerciseOption:
    return ExerciseOption(hit.exercise_id, hit.name, is_custom=not hit.is_curated)
