"""Who is due now: coaches' daily digests and athletes' session reminders, into the outbox.

Computed from the database on every tick (PTB's JobQueue ticks it), never from in-memory
jobs a restart would forget. A message is due from its local time (the team's time zone)
for GRACE_MINUTES, so a tick missed while the bot was down still finds it. Each person's day
is claimed with one conditional UPDATE (`last_on`) in the same transaction as the outbox row,
and the outbox key names the day, so nothing is enqueued twice, whatever overlaps.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import DB_KEY, SpotterContext
from bot.database import Database
from bot.insight import keyboards as kb
from bot.insight import texts
from bot.insight.delivery import AnyApp, app_now
from bot.training.notices import sweep_record_notices
from storage.db import transaction
from storage.insight.timing import LocalClock, is_due, local_clock
from storage.models import NoticeKind, Organization
from storage.queries.insight import (
    NoticeTarget,
    active_athletes,
    athlete_plans,
    athletes_joined,
    athletes_left,
    claim_notice_days,
    digest_targets,
    local_day_bounds,
    mark_notice_considered,
    planned_between,
    readiness_on,
    records_between,
    reminder_targets,
    sessions_done,
)
from storage.queries.outbox import (
    Buttons,
    NewMessage,
    enqueue_message,
    enqueue_messages,
    prune_outbox,
)
from storage.training.loads import format_kg
from storage.training.schedule import zone_or_none

log = logging.getLogger(__name__)

GRACE_MINUTES = 120
SCHEDULE_SECONDS = 30.0
CHUNK = 200  # people handled per transaction
DIGEST_BUTTONS = 8
SCHEDULE_JOB = "spotter.schedule"
OUTBOX_KEEP = timedelta(days=30)  # finished outbox rows are history after this


@dataclass(frozen=True)
class TeamClock:
    id: str
    name: str
    zone: ZoneInfo
    unit: str
    clock: LocalClock


@dataclass
class ScheduleReport:
    digests: int = 0
    reminders: int = 0
    rest_days: int = 0
    quiet_digests: int = 0


async def team_clocks(session: AsyncSession, now: datetime) -> dict[str, TeamClock]:
    rows = (
        await session.execute(
            sa.select(
                col(Organization.id),
                col(Organization.name),
                col(Organization.timezone),
                col(Organization.weight_unit),
            )
        )
    ).all()
    clocks = {}
    for org_id, name, timezone, unit in rows:
        zone = zone_or_none(timezone or "UTC") or ZoneInfo("UTC")
        clocks[org_id] = TeamClock(org_id, name, zone, unit or "kg", local_clock(now, zone.key))
    return clocks


def due_targets(targets: Sequence[NoticeTarget], teams: dict[str, TeamClock]) -> list[NoticeTarget]:
    due = []
    for target in targets:
        team = teams.get(target.organization_id)
        if team is None or not target.enabled:
            continue
        if not is_due(team.clock, target.minute, grace=GRACE_MINUTES):
            continue
        if target.last_on is not None and target.last_on >= team.clock.day:
            continue
        due.append(target)
    return due


def chunks(items: Sequence[NoticeTarget]) -> list[Sequence[NoticeTarget]]:
    return [items[index : index + CHUNK] for index in range(0, len(items), CHUNK)]


# --- the digest ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Digest:
    text: str
    buttons: Buttons


async def build_digest(session: AsyncSession, team: TeamClock, day: date) -> Digest | None:
    """Yesterday's facts for one team (`day` is the team-local day reported on)."""
    roster = {a.athlete_id: a.name for a in await active_athletes(session, organization_id=team.id)}
    done = await sessions_done(session, organization_id=team.id, first=day, last=day)
    done_slots = {(d.athlete_id, d.program_session_id) for d in done}
    start, end = local_day_bounds(day, team.zone)
    plans = (
        await athlete_plans(
            session, organization_id=team.id, athlete_ids=list(roster), ended_since=start
        )
        if roster
        else {}
    )
    missed: list[tuple[str, str]] = []
    for athlete_id, athlete_plans_ in plans.items():
        for _day, slot, _plan in planned_between(
            athlete_plans_, first=day, last=day, zone=team.zone
        ):
            if (athlete_id, slot.id) not in done_slots:
                missed.append((athlete_id, slot.title or "session"))
    records = await records_between(session, organization_id=team.id, first=day, last=day)
    low = [c for c in await readiness_on(session, organization_id=team.id, days=[day]) if c.low]
    joined = await athletes_joined(session, organization_id=team.id, start=start, end=end)
    left = await athletes_left(session, organization_id=team.id, start=start, end=end)
    if not (done or missed or records or low or joined or left or plans):
        return None  # no one on a program and nothing happened: no message
    missed.sort(key=lambda item: roster.get(item[0], ""))

    def name(athlete_id: str) -> str:
        return roster.get(athlete_id, "?")

    text = texts.digest(
        team.name,
        day,
        done=[f"{d.athlete_name} — {d.title or 'off-plan'}" for d in done],
        missed=[f"{name(a)} — {title}" for a, title in missed],
        records=[
            f"{r.athlete_name} — {r.exercise_name} {format_kg(r.kg, unit=team.unit)} × {r.reps}"
            for r in records
        ],
        low_readiness=[f"{name(c.athlete_id)} {c.total}/20" for c in low],
        joined=[j.athlete_name for j in joined],
        left=[x.athlete_name for x in left],
    )
    # Buttons to the athletes it names, who needs a look first.
    named: list[tuple[str, str]] = []
    for athlete_id, athlete_name in (
        *((a, name(a)) for a, _ in missed),
        *((c.athlete_id, name(c.athlete_id)) for c in low),
        *((r.athlete_id, r.athlete_name) for r in records),
        *((d.athlete_id, d.athlete_name) for d in done),
        *((j.athlete_id, j.athlete_name) for j in joined),
        *((x.athlete_id, x.athlete_name) for x in left),
    ):
        if athlete_id not in {a for a, _ in named}:
            named.append((athlete_id, athlete_name))
    buttons = [
        (label[:32], kb.OPEN_CARD.pack(athlete_id)) for athlete_id, label in named[:DIGEST_BUTTONS]
    ]
    rows = [buttons[index : index + 2] for index in range(0, len(buttons), 2)]
    return Digest(text, rows)


async def enqueue_digests(
    database: Database, teams: dict[str, TeamClock], report: ScheduleReport, now: datetime
) -> None:
    async with transaction(database.sessions) as session:
        targets = await digest_targets(session, organization_ids=list(teams))
    built: dict[str, Digest | None] = {}
    for chunk in chunks(due_targets(targets, teams)):
        async with transaction(database.sessions) as session:
            for target in chunk:
                team = teams[target.organization_id]
                today = team.clock.day
                claimed = await mark_notice_considered(
                    session,
                    organization_id=team.id,
                    user_id=target.user_id,
                    kind=NoticeKind.DIGEST,
                    day=today,
                )
                if not claimed:
                    continue
                if team.id not in built:
                    built[team.id] = await build_digest(session, team, today - timedelta(days=1))
                digest = built[team.id]
                if digest is None:
                    report.quiet_digests += 1
                    continue
                await enqueue_message(
                    session,
                    organization_id=team.id,
                    chat_id=target.telegram_user_id,
                    kind="digest",
                    idempotency_key=f"digest:{team.id}:{target.user_id}:{today.isoformat()}",
                    text=digest.text,
                    buttons=digest.buttons,
                    due_at=now,
                )
                report.digests += 1


# --- the athlete's reminder ------------------------------------------------------------------


async def enqueue_reminders(
    database: Database, teams: dict[str, TeamClock], report: ScheduleReport, now: datetime
) -> None:
    async with transaction(database.sessions) as session:
        targets = await reminder_targets(session, organization_ids=list(teams))
    for chunk in chunks(due_targets(targets, teams)):
        # Two statements a chunk (claim the days, enqueue the messages), whatever its size.
        async with transaction(database.sessions) as session:
            claimed = await claim_notice_days(
                session,
                kind=NoticeKind.REMINDER,
                claims=[
                    (t.organization_id, t.user_id, teams[t.organization_id].clock.day)
                    for t in chunk
                ],
            )
            by_team: dict[str, list[NoticeTarget]] = {}
            for target in chunk:
                if (target.organization_id, target.user_id) in claimed:
                    by_team.setdefault(target.organization_id, []).append(target)
            messages: list[NewMessage] = []
            for team_id, members in by_team.items():
                team = teams[team_id]
                today = team.clock.day
                plans = await athlete_plans(
                    session,
                    organization_id=team_id,
                    athlete_ids=[m.athlete_id for m in members if m.athlete_id],
                )
                for target in members:
                    assert target.athlete_id is not None
                    planned = planned_between(
                        [p for p in plans.get(target.athlete_id, []) if p.ended_at is None],
                        first=today,
                        last=today,
                        zone=team.zone,
                    )
                    if not planned:
                        report.rest_days += 1  # a rest day sends nothing
                        continue
                    text = texts.reminder(
                        team.name,
                        today,
                        [slot.title or "Session" for _, slot, _ in planned],
                        planned[0][2].program_name,
                    )
                    start = kb.readiness_start(target.athlete_id, today)[0]
                    messages.append(
                        NewMessage(
                            organization_id=team_id,
                            chat_id=target.telegram_user_id,
                            kind="reminder",
                            idempotency_key=f"reminder:{target.athlete_id}:{today.isoformat()}",
                            text=text,
                            buttons=[[(start.text, str(start.callback_data))]],
                        )
                    )
            report.reminders += await enqueue_messages(session, messages=messages, due_at=now)


async def enqueue_due_notices(application: AnyApp) -> ScheduleReport:
    """One scheduler tick: every digest and reminder due at this minute goes to the outbox."""
    database: Database = application.bot_data[DB_KEY]
    now = app_now(application)
    report = ScheduleReport()
    # Training's sweep: PRs of sessions left unfinished reach the coach once their day is over.
    await sweep_record_notices(database, now)
    async with transaction(database.sessions) as session:
        teams = await team_clocks(session, now)
    if not teams:
        return report
    await enqueue_digests(database, teams, report, now)
    await enqueue_reminders(database, teams, report, now)
    async with transaction(database.sessions) as session:
        await prune_outbox(session, before=now - OUTBOX_KEEP)
    if report.digests or report.reminders:
        log.info("scheduled %d digests, %d reminders", report.digests, report.reminders)
    return report


async def schedule_job(context: SpotterContext) -> None:
    application = context.application
    try:
        await enqueue_due_notices(application)
    finally:
        if application.running:
            schedule_notices(application)


def schedule_notices(application: AnyApp, *, first: float = 5.0) -> None:
    """Tick the scheduler every SCHEDULE_SECONDS once the application runs."""
    if application.job_queue is not None:
        application.job_queue.run_once(
            schedule_job,
            when=first if not application.running else SCHEDULE_SECONDS,
            name=SCHEDULE_JOB,
            job_kwargs={"misfire_grace_time": None},
        )
