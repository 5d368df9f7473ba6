"""The athlete card: finding a team's athlete, and the card's text with what other features add
(the current program). Not a handler module: other features show the card through it."""

from __future__ import annotations

from telegram import Update

from bot.athletes import keyboards, texts
from bot.context import SpotterContext
from bot.core import texts as core_texts
from bot.core.actions import Coach, today
from bot.programs import texts as program_texts
from bot.programs.handlers import athlete_program_text
from bot.replies import answer, notify, show
from storage.errors import NotFound
from storage.models import Athlete, Organization
from storage.queries import athletes as q


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


async def read_card(
    context: SpotterContext, *, organization_id: str, athlete_id: str
) -> q.AthleteCard:
    return await q.read_card(
        context.session, organization_id=organization_id, athlete_id=athlete_id, now=context.now()
    )


async def describe(
    context: SpotterContext, card: q.AthleteCard, team: Organization | None = None
) -> str:
    """The card's text. Its program lines are read only for an athlete who has a program
    (`team`, the coach's, saves reading the team for its time zone)."""
    telegram = None
    if card.account is not None:
        username = card.account.username
        telegram = f"@{username}" if username else card.account.display_name
    text = texts.athlete_card(
        card,
        today=today(context),
        telegram=telegram,
        invitation_expires=card.invitation_expires,
    )
    if card.has_program:
        program = await athlete_program_text(
            context, organization_id=card.organization_id, athlete_id=card.id, team=team
        )
    else:
        program = program_texts.athlete_program_line(None)
    return f"{text}\n{program}" if program else text


async def card_text(
    context: SpotterContext, athlete: Athlete, team: Organization | None = None
) -> str:
    """The card's text of an athlete the caller holds (its row as the database has it now);
    `team`, the coach's when at hand, saves reading it again (see describe)."""
    card = await read_card(context, organization_id=athlete.organization_id, athlete_id=athlete.id)
    return await describe(context, card, team)


async def render_card(update: Update, context: SpotterContext, athlete: Athlete) -> None:
    text = await card_text(context, athlete)  # read before answering: one transaction
    await answer(update, context)
    await show(update, context, text, keyboards.athlete_card(athlete))


async def load_card(
    update: Update, context: SpotterContext, coach: Coach, athlete_id: str
) -> q.AthleteCard | None:
    """The card's facts if the athlete is in the coach's team; otherwise a "not found" answer."""
    try:
        return await read_card(context, organization_id=coach.team_id, athlete_id=athlete_id)
    except NotFound:
        await notify(update, context, core_texts.NOT_FOUND_ALERT, alert=True)
        return None


async def open_card(update: Update, context: SpotterContext, coach: Coach, athlete_id: str) -> None:
    """The card of a team's athlete, from one statement (more when it has a program to show)."""
    card = await load_card(update, context, coach, athlete_id)
    if card is None:
        return
    text = await describe(context, card, coach.team)  # read before answering: one transaction
    await answer(update, context)
    await show(update, context, text, keyboards.athlete_card(card))
