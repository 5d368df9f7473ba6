"""Insight queries: readiness, notification settings, progress series, the day's facts.

Keyword-only, organization-scoped, never commit. Outcomes only; `bot/insight` words them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.insight.compliance import (
    AthleteStatus,
    measure_compliance,
    rank_by_attention,
    with_flags,
)
from storage.insight.readiness import Readiness
from storage.insight.series import LoggedSet
from storage.models import (
    Assignment,
    Athlete,
    AthleteInvitation,
    Exercise,
    Membership,
    NoticeKind,
    NotificationSetting,
    Program,
    ProgramSession,
    ReadinessCheck,
    RosterEvent,
    SetLog,
    TrainingSession,
    User,
)
from storage.models.base import new_id, utcnow
from storage.training.schedule import schedule

DEFAULT_MINUTE = {NoticeKind.REMINDER: 7 * 60, NoticeKind.DIGEST: 8 * 60}


def _insert_for(session: AsyncSession) -> Any:
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


# ---------------------------------------------------------------- readiness


async def save_readiness(
    session: AsyncSession,
    *,
    organization_id: str,
    athlete_id: str,
    day: date,
    answers: Readiness,
    now: datetime | None = None,
) -> None:
    """Record the day's answers; answering again the same day replaces them."""
    values = {
        "id": new_id(),
        "organization_id": organization_id,
        "athlete_id": athlete_id,
        "day": day,
        "sleep": answers.sleep,
        "soreness": answers.soreness,
        "stress": answers.stress,
        "energy": answers.energy,
        "total": answers.total,
        "low": answers.low,
        "answered_at": now or utcnow(),
    }
    insert = _insert_for(session)
    statement = insert(ReadinessCheck).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["athlete_id", "day"],
        set_={name: statement.excluded[name] for name in values if name not in ("id", "day")},
    )
    await session.execute(statement)


async def readiness_on(
    session: AsyncSession, *, organization_id: str, days: Collection[date]
) -> list[ReadinessCheck]:
    """The team's checks on `days`, lowest total first."""
    result = await session.exec(
        select(ReadinessCheck)
        .where(
            col(ReadinessCheck.organization_id) == organization_id,
            col(ReadinessCheck.day).in_(list(days)),
        )
        .order_by(col(ReadinessCheck.total), col(ReadinessCheck.day))
    )
    return list(result.all())


async def get_readiness(
    session: AsyncSession, *, organization_id: str, athlete_id: str, day: date
) -> ReadinessCheck | None:
    result = await session.exec(
        select(ReadinessCheck).where(
            col(ReadinessCheck.organization_id) == organization_id,
            col(ReadinessCheck.athlete_id) == athlete_id,
            col(ReadinessCheck.day) == day,
        )
    )
    return result.first()


# ---------------------------------------------------------------- notification settings


@dataclass(frozen=True)
class NoticeSetting:
    kind: NoticeKind
    enabled: bool
    minute: int  # of the team-local day

    @property
    def at(self) -> time:
        return time(self.minute // 60, self.minute % 60)


async def get_notice_setting(
    session: AsyncSession, *, organization_id: str, user_id: str, kind: NoticeKind
) -> NoticeSetting:
    row = (
        await session.exec(
            select(NotificationSetting).where(
                col(NotificationSetting.organization_id) == organization_id,
                col(NotificationSetting.user_id) == user_id,
                col(NotificationSetting.kind) == kind,
            )
        )
    ).first()
    if row is None:
        return NoticeSetting(kind, True, DEFAULT_MINUTE[kind])
    return NoticeSetting(kind, row.enabled, row.minute)


async def set_notice_setting(
    session: AsyncSession,
    *,
    organization_id: str,
    user_id: str,
    kind: NoticeKind,
    enabled: bool,
    minute: int | None = None,
) -> NoticeSetting:
    """Switch a scheduled message on or off, or move it (minute of the team's day)."""
    current = await get_notice_setting(
        session, organization_id=organization_id, user_id=user_id, kind=kind
    )
    chosen = current.minute if minute is None else minute
    if not 0 <= chosen < 24 * 60:
        raise ValueError("minute of the day out of range")
    values = {
        "id": new_id(),
        "organization_id": organization_id,
        "user_id": user_id,
        "kind": kind,
        "enabled": enabled,
        "minute": chosen,
        "updated_at": utcnow(),
    }
    insert = _insert_for(session)
    statement = insert(NotificationSetting).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["organization_id", "user_id", "kind"],
        set_={"enabled": enabled, "minute": chosen, "updated_at": values["updated_at"]},
    )
    await session.execute(statement)
    return NoticeSetting(kind, enabled, chosen)


async def mark_notice_considered(
    session: AsyncSession,
    *,
    organization_id: str,
    user_id: str,
    kind: NoticeKind,
    day: date,
) -> bool:
    """Claim `day` for this person's scheduled message: False if it was already claimed.

    One conditional statement, so two schedulers (or two ticks) never both go ahead.
    """
    insert = _insert_for(session)
    statement = insert(NotificationSetting).values(
        id=new_id(),
        organization_id=organization_id,
        user_id=user_id,
        kind=kind,
        enabled=True,
        minute=DEFAULT_MINUTE[kind],
        last_on=day,
        updated_at=utcnow(),
    )
    table = NotificationSetting.__table__  # type: ignore[attr-defined]
    statement = statement.on_conflict_do_update(
        index_elements=["organization_id", "user_id", "kind"],
        set_={"last_on": day},
        where=sa.or_(table.c.last_on.is_(None), table.c.last_on < day),
    ).returning(table.c.id)
    return (await session.execute(statement)).first() is not None


async def claim_notice_days(
    session: AsyncSession, *, kind: NoticeKind, claims: list[tuple[str, str, date]]
) -> set[tuple[str, str]]:
    """mark_notice_considered for many (organization, user, day) at once, in one statement;
    returns the (organization, user) pairs whose day this call claimed."""
    if not claims:
        return set()
    now = utcnow()
    rows = [
        {
            "id": new_id(),
            "organization_id": organization_id,
            "user_id": user_id,
            "kind": kind,
            "enabled": True,
            "minute": DEFAULT_MINUTE[kind],
            "last_on": day,
            "updated_at": now,
        }
        for organization_id, user_id, day in claims
    ]
    insert = _insert_for(session)
    table = NotificationSetting.__table__  # type: ignore[attr-defined]
    # One cached statement, executed for many rows (SQLAlchemy batches them into few INSERTs).
    statement = insert(NotificationSetting)
    statement = statement.on_conflict_do_update(
        index_elements=["organization_id", "user_id", "kind"],
        set_={"last_on": statement.excluded.last_on},
        where=sa.or_(table.c.last_on.is_(None), table.c.last_on < statement.excluded.last_on),
    ).returning(table.c.organization_id, table.c.user_id)
    return {(row[0], row[1]) for row in (await session.execute(statement, rows)).all()}


@dataclass(frozen=True)
class NoticeTarget:
    """Someone whose scheduled message may be due: settings resolved to their defaults."""

    organization_id: str
    user_id: str
    telegram_user_id: int
    athlete_id: str | None  # for reminders
    name: str
    enabled: bool
    minute: int
    last_on: date | None


async def reminder_targets(
    session: AsyncSession, *, organization_ids: Collection[str]
) -> list[NoticeTarget]:
    """Active athletes linked to a Telegram account that hasn't blocked the bot."""
    setting = NotificationSetting.__table__.alias("setting")  # type: ignore[attr-defined]
    rows = (
        await session.execute(
            sa.select(
                col(Athlete.organization_id),
                col(Athlete.linked_user_id),
                col(User.telegram_user_id),
                col(Athlete.id),
                col(Athlete.name),
                setting.c.enabled,
                setting.c.minute,
                setting.c.last_on,
            )
            .join(User, col(User.id) == col(Athlete.linked_user_id))
            .outerjoin(
                setting,
                sa.and_(
                    setting.c.organization_id == col(Athlete.organization_id),
                    setting.c.user_id == col(Athlete.linked_user_id),
                    setting.c.kind == NoticeKind.REMINDER.value,
                ),
            )
            .where(
                col(Athlete.organization_id).in_(list(organization_ids)),
                col(Athlete.status) == "active",
                col(User.blocked_at).is_(None),
            )
        )
    ).all()
    return [
        NoticeTarget(
            organization_id=row[0],
            user_id=row[1],
            telegram_user_id=row[2],
            athlete_id=row[3],
            name=row[4],
            enabled=True if row[5] is None else bool(row[5]),
            minute=DEFAULT_MINUTE[NoticeKind.REMINDER] if row[6] is None else row[6],
            last_on=row[7],
        )
        for row in rows
    ]


async def digest_targets(
    session: AsyncSession, *, organization_ids: Collection[str]
) -> list[NoticeTarget]:
    """Coaches (owners and coaches) of the teams, unless they blocked the bot."""
    setting = NotificationSetting.__table__.alias("setting")  # type: ignore[attr-defined]
    rows = (
        await session.execute(
            sa.select(
                col(Membership.organization_id),
                col(Membership.user_id),
                col(User.telegram_user_id),
                col(User.display_name),
                setting.c.enabled,
                setting.c.minute,
                setting.c.last_on,
            )
            .join(User, col(User.id) == col(Membership.user_id))
            .outerjoin(
                setting,
                sa.and_(
                    setting.c.organization_id == col(Membership.organization_id),
                    setting.c.user_id == col(Membership.user_id),
                    setting.c.kind == NoticeKind.DIGEST.value,
                ),
            )
            .where(
                col(Membership.organization_id).in_(list(organization_ids)),
                col(User.blocked_at).is_(None),
            )
        )
    ).all()
    return [
        NoticeTarget(
            organization_id=row[0],
            user_id=row[1],
            telegram_user_id=row[2],
            athlete_id=None,
            name=row[3],
            enabled=True if row[4] is None else bool(row[4]),
            minute=DEFAULT_MINUTE[NoticeKind.DIGEST] if row[5] is None else row[5],
            last_on=row[6],
        )
        for row in rows
    ]


# ---------------------------------------------------------------- progress series


@dataclass(frozen=True)
class LoggedExercise:
    exercise_id: str
    name: str
    sets: int


async def logged_exercises(
    session: AsyncSession, *, organization_id: str, athlete_id: str, limit: int = 12
) -> list[LoggedExercise]:
    """Exercises the athlete logged loaded sets of, most logged first (chart choices)."""
    count = func.count(col(SetLog.id))
    rows = (
        await session.exec(
            select(col(SetLog.exercise_id), col(Exercise.name), count)
            .join(Exercise, col(Exercise.id) == col(SetLog.exercise_id))
            .where(
                col(SetLog.organization_id) == organization_id,
                col(SetLog.athlete_id) == athlete_id,
                col(SetLog.kg).is_not(None),
                col(SetLog.reps).is_not(None),
                col(SetLog.skipped).is_(False),
            )
            .group_by(col(SetLog.exercise_id), col(Exercise.name))
            .order_by(count.desc(), col(Exercise.name))
            .limit(limit)
        )
    ).all()
    return [LoggedExercise(exercise_id, name, sets) for exercise_id, name, sets in rows]


async def logged_sets(
    session: AsyncSession,
    *,
    organization_id: str,
    athlete_id: str,
    exercise_id: str | None = None,
    since: date | None = None,
) -> list[LoggedSet]:
    """Every logged set of the athlete (of one exercise, or with its movement pattern)."""
    statement = (
        select(
            col(TrainingSession.scheduled_for),
            col(SetLog.reps),
            col(SetLog.kg),
            col(Exercise.movement_pattern),
        )
        .join(TrainingSession, col(TrainingSession.id) == col(SetLog.training_session_id))
        .join(Exercise, col(Exercise.id) == col(SetLog.exercise_id))
        .where(
            col(SetLog.organization_id) == organization_id,
            col(SetLog.athlete_id) == athlete_id,
            col(SetLog.skipped).is_(False),
        )
        .order_by(col(TrainingSession.scheduled_for), col(SetLog.set_no))
    )
    if exercise_id is not None:
        statement = statement.where(col(SetLog.exercise_id) == exercise_id)
    if since is not None:
        statement = statement.where(col(TrainingSession.scheduled_for) >= since)
    rows = (await session.exec(statement)).all()
    return [
        LoggedSet(day=day, reps=reps, kg=kg, pattern=str(pattern) if pattern else None)
        for day, reps, kg, pattern in rows
    ]


# ---------------------------------------------------------------- the day's facts


def local_day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where the team-local `day` starts and the next one starts."""
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start, end


@dataclass(frozen=True)
class DoneSession:
    athlete_id: str
    athlete_name: str
    training_session_id: str
    program_session_id: str | None
    title: str
    day: date
    finished: bool


async def sessions_done(
    session: AsyncSession,
    *,
    organization_id: str,
    first: date,
    last: date,
    athlete_ids: Collection[str] | None = None,
) -> list[DoneSession]:
    """Training sessions dated first..last with something logged or marked finished."""
    has_sets = (
        sa.select(sa.literal(1))
        .where(
            col(SetLog.training_session_id) == col(TrainingSession.id),
            col(SetLog.skipped).is_(False),
        )
        .exists()
    )
    statement = (
        sa.select(
            col(TrainingSession.athlete_id),
            col(Athlete.name),
            col(TrainingSession.id),
            col(TrainingSession.program_session_id),
            col(TrainingSession.title),
            col(TrainingSession.scheduled_for),
            col(TrainingSession.finished_at),
        )
        .join(Athlete, col(Athlete.id) == col(TrainingSession.athlete_id))
        .where(
            col(TrainingSession.organization_id) == organization_id,
            col(TrainingSession.scheduled_for) >= first,
            col(TrainingSession.scheduled_for) <= last,
            sa.or_(col(TrainingSession.finished_at).is_not(None), has_sets),
        )
        .order_by(col(Athlete.name), col(TrainingSession.scheduled_for))
    )
    if athlete_ids is not None:
        statement = statement.where(col(TrainingSession.athlete_id).in_(list(athlete_ids)))
    rows = (await session.execute(statement)).all()
    return [
        DoneSession(a, name, t, p, title or "", day, finished is not None)
        for a, name, t, p, title, day, finished in rows
    ]


@dataclass(frozen=True)
class RecordSet:
    athlete_id: str
    athlete_name: str
    exercise_name: str
    kg: float
    reps: int
    kind: str
    day: date


async def records_between(
    session: AsyncSession,
    *,
    organization_id: str,
    first: date,
    last: date,
    athlete_ids: Collection[str] | None = None,
) -> list[RecordSet]:
    """PR sets logged on training days first..last, per athlete, heaviest first."""
    statement = (
        sa.select(
            col(SetLog.athlete_id),
            col(Athlete.name),
            col(Exercise.name),
            col(SetLog.kg),
            col(SetLog.reps),
            col(SetLog.record),
            col(TrainingSession.scheduled_for),
        )
        .join(TrainingSession, col(TrainingSession.id) == col(SetLog.training_session_id))
        .join(Athlete, col(Athlete.id) == col(SetLog.athlete_id))
        .join(Exercise, col(Exercise.id) == col(SetLog.exercise_id))
        .where(
            col(SetLog.organization_id) == organization_id,
            col(SetLog.record).is_not(None),
            col(TrainingSession.scheduled_for) >= first,
            col(TrainingSession.scheduled_for) <= last,
        )
        .order_by(col(Athlete.name), col(SetLog.kg).desc())
    )
    if athlete_ids is not None:
        statement = statement.where(col(SetLog.athlete_id).in_(list(athlete_ids)))
    rows = (await session.execute(statement)).all()
    return [
        RecordSet(a, name, exercise, kg or 0.0, reps or 0, kind or "", day)
        for a, name, exercise, kg, reps, kind, day in rows
    ]


@dataclass(frozen=True)
class Joined:
    athlete_id: str
    athlete_name: str


async def athletes_joined(
    session: AsyncSession, *, organization_id: str, start: datetime, end: datetime
) -> list[Joined]:
    """Athletes who accepted an invitation in [start, end)."""
    rows = (
        await session.exec(
            select(col(Athlete.id), col(Athlete.name))
            .join(AthleteInvitation, col(AthleteInvitation.athlete_id) == col(Athlete.id))
            .where(
                col(AthleteInvitation.organization_id) == organization_id,
                col(AthleteInvitation.accepted_at) >= start,
                col(AthleteInvitation.accepted_at) < end,
            )
            .order_by(col(Athlete.name))
            .distinct()
        )
    ).all()
    return [Joined(athlete_id, name) for athlete_id, name in rows]


# ---------------------------------------------------------------- programs as planned


@dataclass(frozen=True)
class PlannedSlot:
    """A program session as scheduling sees it (satisfies storage.training.schedule.Slot)."""

    id: str
    week: int
    weekday: int
    position: int
    title: str


@dataclass(frozen=True)
class Plan:
    athlete_id: str
    program_name: str
    start_date: date
    weeks: int
    ended_at: datetime | None
    sessions: tuple[PlannedSlot, ...]

    def ended_on(self, zone: ZoneInfo) -> date | None:
        """The last team-local day the plan counted: the day before it was ended."""
        if self.ended_at is None:
            return None
        return self.ended_at.astimezone(zone).date() - timedelta(days=1)


async def athlete_plans(
    session: AsyncSession,
    *,
    organization_id: str,
    athlete_ids: Collection[str] | None = None,
    ended_since: datetime | None = None,
) -> dict[str, list[Plan]]:
    """Each athlete's active assignment, plus ones ended since `ended_since` (for windows)."""
    active = col(Assignment.ended_at).is_(None)
    still_counts = (
        active if ended_since is None else sa.or_(active, col(Assignment.ended_at) >= ended_since)
    )
    statement = (
        sa.select(
            col(Assignment.athlete_id),
            col(Assignment.program_id),
            col(Program.name),
            col(Assignment.start_date),
            col(Program.weeks),
            col(Assignment.ended_at),
        )
        .join(Program, col(Program.id) == col(Assignment.program_id))
        .where(col(Assignment.organization_id) == organization_id, still_counts)
        .order_by(col(Assignment.start_date))
    )
    if athlete_ids is not None:
        statement = statement.where(col(Assignment.athlete_id).in_(list(athlete_ids)))
    assignments = (await session.execute(statement)).all()
    program_ids = {row[1] for row in assignments}
    slots: dict[str, list[PlannedSlot]] = {program_id: [] for program_id in program_ids}
    if program_ids:
        rows = (
            await session.execute(
                sa.select(
                    col(ProgramSession.program_id),
                    col(ProgramSession.id),
                    col(ProgramSession.week),
                    col(ProgramSession.weekday),
                    col(ProgramSession.position),
                    col(ProgramSession.title),
                ).where(
                    col(ProgramSession.organization_id) == organization_id,
                    col(ProgramSession.program_id).in_(list(program_ids)),
                )
            )
        ).all()
        for program_id, slot_id, week, weekday, position, title in rows:
            slots[program_id].append(PlannedSlot(slot_id, week, weekday, position, title or ""))
    plans: dict[str, list[Plan]] = {}
    for athlete_id, program_id, name, start, weeks, ended_at in assignments:
        plans.setdefault(athlete_id, []).append(
            Plan(athlete_id, name, start, weeks, ended_at, tuple(slots[program_id]))
        )
    return plans


def planned_between(
    plans: list[Plan], *, first: date, last: date, zone: ZoneInfo
) -> list[tuple[date, PlannedSlot, Plan]]:
    """Every planned session dated first..last across the athlete's plans, in date order."""
    found: list[tuple[date, PlannedSlot, Plan]] = []
    for plan in plans:
        for dated in schedule(
            start_date=plan.start_date,
            weeks=plan.weeks,
            sessions=plan.sessions,
            ended_on=plan.ended_on(zone),
        ):
            if first <= dated.day <= last:
                found.append((dated.day, dated.slot, plan))
    return sorted(found, key=lambda item: (item[0], item[1].position))


@dataclass(frozen=True)
class RosterAthlete:
    athlete_id: str
    name: str


async def active_athletes(session: AsyncSession, *, organization_id: str) -> list[RosterAthlete]:
    rows = (
        await session.execute(
            sa.select(col(Athlete.id), col(Athlete.name))
            .where(
                col(Athlete.organization_id) == organization_id,
                col(Athlete.status) == "active",
            )
            .order_by(col(Athlete.name))
        )
    ).all()
    return [RosterAthlete(athlete_id, name) for athlete_id, name in rows]


async def last_session_days(
    session: AsyncSession, *, organization_id: str, athlete_ids: Collection[str]
) -> dict[str, date]:
    """The latest training day with something logged, per athlete (planned or off-plan)."""
    if not athlete_ids:
        return {}
    has_sets = (
        sa.select(sa.literal(1))
        .where(
            col(SetLog.training_session_id) == col(TrainingSession.id),
            col(SetLog.skipped).is_(False),
        )
        .exists()
    )
    rows = (
        await session.execute(
            sa.select(col(TrainingSession.athlete_id), func.max(col(TrainingSession.scheduled_for)))
            .where(
                col(TrainingSession.organization_id) == organization_id,
                col(TrainingSession.athlete_id).in_(list(athlete_ids)),
                sa.or_(col(TrainingSession.finished_at).is_not(None), has_sets),
            )
            .group_by(col(TrainingSession.athlete_id))
        )
    ).all()
    return {athlete_id: day for athlete_id, day in rows if day is not None}


async def team_statuses(
    session: AsyncSession, *, organization_id: str, today: date, zone: ZoneInfo
) -> list[AthleteStatus]:
    """Every active athlete on a program: compliance 7/28 days, last session, PRs this week,
    low readiness (today or yesterday), flags; ranked so who needs attention comes first."""
    month_start = today - timedelta(days=27)
    window_start, _ = local_day_bounds(month_start, zone)
    plans = await athlete_plans(session, organization_id=organization_id, ended_since=window_start)
    roster = {
        a.athlete_id: a.name
        for a in await active_athletes(session, organization_id=organization_id)
        if any(plan.ended_at is None for plan in plans.get(a.athlete_id, []))
    }
    if not roster:
        return []
    done = await sessions_done(
        session,
        organization_id=organization_id,
        first=month_start,
        last=today,
        athlete_ids=roster,
    )
    done_slots: dict[str, set[tuple[date, str]]] = {}
    for item in done:
        if item.program_session_id is not None:
            done_slots.setdefault(item.athlete_id, set()).add((item.day, item.program_session_id))
    last_days = await last_session_days(
        session, organization_id=organization_id, athlete_ids=roster
    )
    week_start = today - timedelta(days=today.weekday())
    prs: dict[str, int] = {}
    for record in await records_between(
        session, organization_id=organization_id, first=week_start, last=today, athlete_ids=roster
    ):
        prs[record.athlete_id] = prs.get(record.athlete_id, 0) + 1
    low = {
        check.athlete_id
        for check in await readiness_on(
            session, organization_id=organization_id, days=[today, today - timedelta(days=1)]
        )
        if check.low
    }
    statuses = []
    for athlete_id, name in roster.items():
        athlete_plans_ = plans.get(athlete_id, [])
        planned = [
            (day, slot.id)
            for day, slot, _ in planned_between(
                athlete_plans_, first=month_start, last=today, zone=zone
            )
        ]
        slots_done = done_slots.get(athlete_id, set())
        active = next(plan for plan in athlete_plans_ if plan.ended_at is None)
        status = AthleteStatus(
            athlete_id=athlete_id,
            name=name,
            week=measure_compliance(planned=planned, done=slots_done, today=today, days=7),
            month=measure_compliance(planned=planned, done=slots_done, today=today, days=28),
            last_session=last_days.get(athlete_id),
            program_start=active.start_date,
            prs_this_week=prs.get(athlete_id, 0),
            low_readiness=athlete_id in low,
        )
        statuses.append(with_flags(status, today=today))
    return rank_by_attention(statuses)


async def record_athlete_left(
    session: AsyncSession, *, organization_id: str, athlete_id: str, now: datetime
) -> None:
    """Remember that an athlete left the team (their record stays), for the digest."""
    session.add(
        RosterEvent(organization_id=organization_id, athlete_id=athlete_id, kind="left", at=now)
    )
    await session.flush()


async def athletes_left(
    session: AsyncSession, *, organization_id: str, start: datetime, end: datetime
) -> list[Joined]:
    """Athletes who left the team in [start, end)."""
    rows = (
        await session.execute(
            sa.select(col(Athlete.id), col(Athlete.name))
            .join(RosterEvent, col(RosterEvent.athlete_id) == col(Athlete.id))
            .where(
                col(RosterEvent.organization_id) == organization_id,
                col(RosterEvent.kind) == "left",
                col(RosterEvent.at) >= start,
                col(RosterEvent.at) < end,
            )
            .order_by(col(Athlete.name))
            .distinct()
        )
    ).all()
    return [Joined(athlete_id, name) for athlete_id, name in rows]
