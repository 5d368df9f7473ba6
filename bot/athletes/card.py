"""The athlete card: finding a team's athlete, and the card's text with what other features add
(the current program). Not a handler module: other features show the card through it."""

from __future__ import annotations

from telegram import Update

from bot.athletes import keyboards, texts
from bot.context import SpotterContext
from bot.core import texts as core_texts
from bot.core.actions import Coach, today
from bot.programs.handlers import athlete_program_text
from bot.replies import answer, notify, show
from storage.errors import NotFound
from storage.models import Athlete
from storage.queries import athletes as q
from storage.queries.invitations import get_pending_invitation
from storage.queries.users import get_user


async def load_athlete(
    update: Update, context: SpotterContext, coach: Coach, athlete_id: str
) -> Athlete | None:
    """The athlete if it is in the coach's team; otherwise a "not found" answer."""
    try:
        return await q.get_athlete(
            context.session, organization_id=coach.team_id, athlete_id=athlete_id
        )
    except NotFound:
        await notify(update, context, core_texts.NOT_FOUND_ALERT, alert=True)
        return None


async def card_text(context: SpotterContext, athlete: Athlete) -> str:
    telegram = None
    if athlete.linked_user_id:
        user = await get_user(context.session, user_id=athlete.linked_user_id)
        if user is not None:
            telegram = f"@{user.username}" if user.username else user.display_name
    invitation = await get_pending_invitation(
        context.session,
        organization_id=athlete.organization_id,
        athlete_id=athlete.id,
        now=context.now(),
    )
    card = texts.athlete_card(
        athlete,
        today=today(context),
        telegram=telegram,
        invitation_expires=invitation.expires_at if invitation else None,
    )
    program = await athlete_program_text(
        context, organization_id=athlete.organization_id, athlete_id=athlete.id
    )
    return f"{card}\n{program}" if program else card


async def render_card(update: Update, context: SpotterContext, athlete: Athlete) -> None:
    text = await card_text(context, athlete)  # read before answering: one transaction
    await answer(update, context)
    await show(update, context, text, keyboards.athlete_card(athlete))
