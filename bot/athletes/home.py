"""The athlete's side: /me (profile, coach and team, for every team) and /leave."""

from __future__ import annotations

import logging

from telegram import Update

from bot import callbacks as cb
from bot.athletes import keyboards, texts
from bot.command_menus import publish_chat_commands
from bot.context import SpotterContext
from bot.core import texts as core_texts
from bot.core.actions import Member, athlete_action, audiences_of, button_action, today
from bot.core.notices import label_coaches, notify_coaches
from bot.replies import answer, send, show
from storage.models import Athlete, Organization
from storage.queries.athletes import unlink_athlete
from storage.queries.insight import record_athlete_left
from storage.queries.organizations import list_coaches

log = logging.getLogger(__name__)


async def describe_coaches(context: SpotterContext, organization: Organization) -> str:
    return label_coaches(await list_coaches(context.session, organization_id=organization.id))


@athlete_action()
async def me_command(update: Update, context: SpotterContext, member: Member) -> None:
    rows = [
        (athlete, organization.name, await describe_coaches(context, organization))
        for athlete, organization in member.profiles
    ]
    await send(update, context, texts.my_profiles(rows, today(context)))


@athlete_action(refusal=texts.NOTHING_TO_LEAVE)
async def leave_command(update: Update, context: SpotterContext, member: Member) -> None:
    if len(member.profiles) > 1:
        teams = [(athlete.id, organization.name) for athlete, organization in member.profiles]
        await send(update, context, texts.PICK_TEAM_TO_LEAVE, keyboards.leave_pick(teams))
        return
    athlete, organization = member.profiles[0]
    text = texts.confirm_leave(organization.name, await describe_coaches(context, organization))
    await send(update, context, text, keyboards.confirm_leave(athlete.id))


async def own_profile(
    update: Update, context: SpotterContext, member: Member, athlete_id: str
) -> tuple[Athlete, Organization] | None:
    """The caller's own athlete record named by the button; anything else is "not found"."""
    found = member.profile(athlete_id)
    if found is None:
        await answer(update, context, core_texts.NOT_FOUND_ALERT, alert=True)
    return found


@athlete_action(cb.LeavePick, refusal=core_texts.NOT_FOUND_ALERT)
async def pick_team_to_leave(
    update: Update, context: SpotterContext, member: Member, data: cb.LeavePick
) -> None:
    found = await own_profile(update, context, member, data.athlete)
    if found is None:
        return
    athlete, organization = found
    text = texts.confirm_leave(organization.name, await describe_coaches(context, organization))
    await answer(update, context)
    await show(update, context, text, keyboards.confirm_leave(athlete.id))


@athlete_action(cb.LeaveConfirm, refusal=core_texts.NOT_FOUND_ALERT)
async def confirm_leave(
    update: Update, context: SpotterContext, member: Member, data: cb.LeaveConfirm
) -> None:
    found = await own_profile(update, context, member, data.athlete)
    if found is None:
        return
    athlete, organization = found
    coaches = await list_coaches(context.session, organization_id=organization.id)
    await unlink_athlete(context.session, organization_id=organization.id, athlete_id=athlete.id)
    await record_athlete_left(  # for the coaches' daily digest
        context.session, organization_id=organization.id, athlete_id=athlete.id, now=context.now()
    )
    log.info("athlete %s left organization %s", athlete.id, organization.id)
    await answer(update, context)
    await show(update, context, texts.left_team(organization.name))
    assert update.effective_chat is not None
    await publish_chat_commands(
        context.bot, update.effective_chat.id, await audiences_of(context, member)
    )
    await notify_coaches(
        context,
        coaches,
        texts.athlete_left(athlete.name, organization.name),
        keyboards.open_card(athlete.id),
    )


@button_action(cb.LeaveCancel)
async def cancel_leave(update: Update, context: SpotterContext, data: cb.LeaveCancel) -> None:
    await answer(update, context)
    await show(update, context, texts.LEAVE_CANCELLED)
