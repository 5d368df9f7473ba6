"""The athlete's side: /me (profile, coach and team, for every team) and /leave."""

from __future__ import annotations

import logging

from telegram import Update

from bot import callbacks as cb
from bot import keyboards, texts
from bot.command_menus import publish_chat_commands
from bot.context import SpotterContext, transactional
from bot.handlers.common import Caller, audiences_of, load_caller, today
from bot.handlers.deep_links import label_coaches, notify_coaches
from bot.replies import answer, send, show
from storage.models import Athlete, Organization
from storage.queries.athletes import list_athlete_profiles, unlink_athlete
from storage.queries.organizations import list_coaches

log = logging.getLogger(__name__)


async def load_profiles(
    context: SpotterContext, caller: Caller
) -> list[tuple[Athlete, Organization]]:
    return await list_athlete_profiles(context.session, user_id=caller.user.id)


async def describe_coaches(context: SpotterContext, organization: Organization) -> str:
    return label_coaches(await list_coaches(context.session, organization_id=organization.id))


@transactional
async def me_command(update: Update, context: SpotterContext) -> None:
    caller = await load_caller(update, context)
    profiles = await load_profiles(context, caller)
    if not profiles:
        await send(update, context, texts.NOT_AN_ATHLETE)
        return
    rows = [
        (athlete, organization.name, await describe_coaches(context, organization))
        for athlete, organization in profiles
    ]
    await send(update, context, texts.my_profiles(rows, today(context)))


@transactional
async def leave_command(update: Update, context: SpotterContext) -> None:
    caller = await load_caller(update, context)
    profiles = await load_profiles(context, caller)
    if not profiles:
        await send(update, context, texts.NOTHING_TO_LEAVE)
        return
    if len(profiles) > 1:
        teams = [(athlete.id, organization.name) for athlete, organization in profiles]
        await send(update, context, texts.PICK_TEAM_TO_LEAVE, keyboards.leave_pick(teams))
        return
    athlete, organization = profiles[0]
    text = texts.confirm_leave(organization.name, await describe_coaches(context, organization))
    await send(update, context, text, keyboards.confirm_leave(athlete.id))


async def load_profile_from_button(
    update: Update, context: SpotterContext, kind: cb.CallbackKind
) -> tuple[Caller, Athlete, Organization] | None:
    """The caller's own athlete record named by the button; anything else is "not found"."""
    caller = await load_caller(update, context)
    data = update.callback_query.data if update.callback_query else None
    athlete_id = kind.unpack(data)["athlete"]
    for athlete, organization in await load_profiles(context, caller):
        if athlete.id == athlete_id:
            return caller, athlete, organization
    await answer(update, context, texts.NOT_FOUND_ALERT, alert=True)
    return None


@transactional
async def pick_team_to_leave(update: Update, context: SpotterContext) -> None:
    found = await load_profile_from_button(update, context, cb.LEAVE_PICK)
    if found is None:
        return
    _, athlete, organization = found
    text = texts.confirm_leave(organization.name, await describe_coaches(context, organization))
    await answer(update, context)
    await show(update, context, text, keyboards.confirm_leave(athlete.id))


@transactional
async def confirm_leave(update: Update, context: SpotterContext) -> None:
    found = await load_profile_from_button(update, context, cb.LEAVE_CONFIRM)
    if found is None:
        return
    caller, athlete, organization = found
    coaches = await list_coaches(context.session, organization_id=organization.id)
    await unlink_athlete(context.session, organization_id=organization.id, athlete_id=athlete.id)
    log.info("athlete %s left organization %s", athlete.id, organization.id)
    await answer(update, context)
    await show(update, context, texts.left_team(organization.name))
    assert update.effective_chat is not None
    await publish_chat_commands(
        context.bot, update.effective_chat.id, await audiences_of(context, caller)
    )
    await notify_coaches(
        context,
        coaches,
        texts.athlete_left(athlete.name, organization.name),
        keyboards.open_card(athlete.id),
    )


async def cancel_leave(update: Update, context: SpotterContext) -> None:
    cb.LEAVE_CANCEL.unpack(update.callback_query.data if update.callback_query else None)
    await answer(update, context)
    await show(update, context, texts.LEAVE_CANCELLED)
