"""/team: every athlete on a program, who needs attention first, paged; tap through to cards."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import Update

from bot import callbacks as cb
from bot.athletes.card import card_text
from bot.athletes.keyboards import athlete_card
from bot.context import SpotterContext
from bot.core import texts as common_texts
from bot.core.actions import Coach, coach_action
from bot.core.keyboards import Keyboard
from bot.insight import keyboards as kb
from bot.insight import texts
from bot.replies import answer, notify, send, show
from storage.insight.timing import local_clock
from storage.models import Athlete
from storage.queries.insight import team_statuses
from storage.training.schedule import zone_or_none

PAGE = 10


async def render_team(update: Update, context: SpotterContext, coach: Coach, offset: int) -> None:
    organization = coach.seat.organization
    zone = zone_or_none(organization.timezone or "UTC") or ZoneInfo("UTC")
    today = local_clock(context.now(), zone.key).day
    statuses = await team_statuses(
        context.session, organization_id=organization.id, today=today, zone=zone
    )
    await answer(update, context)
    if not statuses:
        await show(update, context, texts.TEAM_EMPTY)
        return
    offset = min(max(0, offset), (len(statuses) - 1) // PAGE * PAGE)
    shown = statuses[offset : offset + PAGE]
    rows = [
        [
            kb.button(
                ("⚠️ " if s.flags else "") + s.name[:40], cb.AthleteCard(athlete=s.athlete_id).pack()
            )
        ]
        for s in shown
    ]
    pager = []
    if offset > 0:
        pager.append(kb.button("◀️ Previous", kb.TEAM_PAGE.pack(max(0, offset - PAGE))))
    if offset + PAGE < len(statuses):
        pager.append(kb.button("Next ▶️", kb.TEAM_PAGE.pack(offset + PAGE)))
    if pager:
        rows.append(pager)
    text = texts.team_page(organization.name, statuses, shown, offset, today)
    await show(update, context, text, Keyboard(rows))


@coach_action()
async def open_card_below(update: Update, context: SpotterContext, coach: Coach) -> None:
    """A card from a digest's button, as a new message under the digest."""
    data = update.callback_query.data if update.callback_query else None
    athlete_id = kb.OPEN_CARD.unpack(data)["athlete"]
    athlete = await context.session.get(Athlete, athlete_id)
    if athlete is None or athlete.organization_id != coach.seat.organization_id:
        await notify(update, context, common_texts.NOT_FOUND_ALERT, alert=True)
        return
    await answer(update, context)
    await send(update, context, await card_text(context, athlete), athlete_card(athlete))


@coach_action()
async def team_command(update: Update, context: SpotterContext, coach: Coach) -> None:
    await render_team(update, context, coach, 0)


@coach_action()
async def team_page(update: Update, context: SpotterContext, coach: Coach) -> None:
    data = update.callback_query.data if update.callback_query else None
    offset = kb.TEAM_PAGE.int_field(data, "offset")
    await render_team(update, context, coach, offset)
