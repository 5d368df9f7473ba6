"""The coach hears of PRs once per session, through the outbox (sent after the commit, retried,
never twice: the key names the session and the coach).

A session's notice is claimed (training_sessions.pr_notice_sent_at, one conditional UPDATE) when
the athlete finishes it, or, for a session left unfinished, by the scheduler's sweep once the
athlete's day is over on the team's clock: whichever comes first sends it, the other finds it
claimed. The claim and the outbox rows commit together, so a restart loses and repeats nothing.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import SpotterContext
from bot.database import Database
from bot.training import texts
from bot.training.common import Team
from storage.db import transaction
from storage.models import Athlete
from storage.models.training import TrainingSession
from storage.queries.organizations import list_coaches
from storage.queries.outbox import enqueue_message
from storage.queries.training import (
    claim_record_notice,
    exercise_names,
    unfinished_with_records,
)
from storage.training.loads import WeightUnit
from storage.training.schedule import local_today

log = logging.getLogger(__name__)

RECORD_NOTICE = "training.records"
# How far back the sweep looks: an outage shorter than this still delivers every notice.
SWEEP_DAYS = 7


async def enqueue_record_notice(
    session: AsyncSession,
    *,
    organization_id: str,
    unit: WeightUnit,
    athlete_name: str,
    training_session_id: str,
    scheduled_for: date,
    title: str,
    now: datetime,
) -> int:
    """Claim the session's notice and queue one message per coach listing its PRs; returns
    how many were queued (0: claimed before, or no PRs)."""
    rows = await claim_record_notice(
        session, organization_id=organization_id, training_session_id=training_session_id, now=now
    )
    if not rows:
        return 0
    names = await exercise_names(session, ids={row.exercise_id for row in rows})
    text = texts.coach_records(
        athlete_name,
        scheduled_for,
        title or "Off-plan",
        [(names.get(row.exercise_id, "?"), row) for row in rows],
        unit,
    )
    queued = 0
    for coach in await list_coaches(session, organization_id=organization_id):
        if coach.blocked_at is not None:
            continue
        queued += await enqueue_message(
            session,
            organization_id=organization_id,
            chat_id=coach.telegram_user_id,
            kind=RECORD_NOTICE,
            idempotency_key=f"pr:{training_session_id}:{coach.id}",
            text=text,
            due_at=now,  # the app's clock: tests move it
        )
    return queued


async def queue_record_notice(
    context: SpotterContext, *, team: Team, athlete: Athlete, training: TrainingSession
) -> int:
    """The notice of a session just finished (or an off-plan /log)."""
    return await enqueue_record_notice(
        context.session,
        organization_id=team.id,
        unit=team.unit,
        athlete_name=athlete.name,
        training_session_id=training.id,
        scheduled_for=training.scheduled_for,
        title=training.title,
        now=context.now(),
    )


async def sweep_record_notices(database: Database, now: datetime) -> int:
    """PRs of sessions nobody finished: once the session's day is over on its team's clock,
    its coaches get the notice finishing would have sent. One transaction for the claims and
    the outbox rows; returns how many messages were queued."""
    today = now.astimezone(UTC).date()
    queued = 0
    async with transaction(database.sessions) as session:
        candidates = await unfinished_with_records(
            session,
            first=today - timedelta(days=SWEEP_DAYS),
            before=today + timedelta(days=1),  # no team's day is ahead of UTC by more
        )
        for candidate in candidates:
            if candidate.scheduled_for >= local_today(now, candidate.timezone):
                continue  # the athlete's day is not over: they may still finish it
            queued += await enqueue_record_notice(
                session,
                organization_id=candidate.organization_id,
                unit=WeightUnit(candidate.weight_unit),
                athlete_name=candidate.athlete_name,
                training_session_id=candidate.training_session_id,
                scheduled_for=candidate.scheduled_for,
                title=candidate.title,
                now=now,
            )
    if queued:
        log.info("queued %d PR notices of unfinished sessions", queued)
    return queued
