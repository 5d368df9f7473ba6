"""The coach hears of PRs once per session, through the outbox (sent after the commit, retried,
never twice: the key names the session and the coach)."""

from __future__ import annotations

from bot.context import SpotterContext
from bot.training import texts
from bot.training.common import Team
from storage.models import Athlete
from storage.models.training import TrainingSession
from storage.queries.organizations import list_coaches
from storage.queries.outbox import enqueue_message
from storage.queries.training import claim_record_notice, exercise_names

RECORD_NOTICE = "training.records"


async def queue_record_notice(
    context: SpotterContext, *, team: Team, athlete: Athlete, training: TrainingSession
) -> int:
    """One message per coach listing the session's PRs; returns how many were queued."""
    rows = await claim_record_notice(
        context.session,
        organization_id=team.id,
        training_session_id=training.id,
        now=context.now(),
    )
    if not rows:
        return 0
    names = await exercise_names(context.session, ids={row.exercise_id for row in rows})
    text = texts.coach_records(
        athlete.name,
        training.scheduled_for,
        training.title or "Off-plan",
        [(names.get(row.exercise_id, "?"), row) for row in rows],
        team.unit,
    )
    queued = 0
    for coach in await list_coaches(context.session, organization_id=team.id):
        if coach.blocked_at is not None:
            continue
        queued += await enqueue_message(
            context.session,
            organization_id=team.id,
            chat_id=coach.telegram_user_id,
            kind=RECORD_NOTICE,
            idempotency_key=f"pr:{training.id}:{coach.id}",
            text=text,
            due_at=context.now(),  # the app's clock: tests move it
        )
    return queued
