"""/start for new and returning people, team creation, /help, /cancel outside conversations."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler

from bot.command_menus import publish_chat_commands
from bot.commands import Audience, commands_for
from bot.context import Handler, SpotterContext, transactional
from bot.core import texts as core_texts
from bot.core.actions import Caller, audiences_of, load_caller
from bot.onboarding import keyboards, texts
from bot.replies import send, show
from storage.errors import InvalidInput
from storage.models import AthleteStatus
from storage.queries.athletes import count_athletes_by_status, list_athlete_profiles
from storage.queries.organizations import create_first_team

TEAM_NAME = "team_name"
CONVERSATION = "onboarding"


@transactional
async def start(update: Update, context: SpotterContext) -> str | int:
    caller = await load_caller(update, context)
    if caller.seat is not None:
        await show_coach_menu(update, context, caller)
        return ConversationHandler.END
    # A user this update created has no athlete record yet: nothing to look up.
    if not caller.new and await show_athlete_home(update, context, caller):
        return ConversationHandler.END
    await send(update, context, texts.ASK_TEAM_NAME)
    return TEAM_NAME


async def show_coach_menu(update: Update, context: SpotterContext, caller: Caller) -> None:
    assert caller.seat is not None
    counts = await count_athletes_by_status(
        context.session, organization_id=caller.seat.organization_id
    )
    text = texts.coach_menu(
        caller.seat.organization.name, counts[AthleteStatus.ACTIVE], sum(counts.values())
    )
    await show(update, context, text, keyboards.coach_menu())


async def show_athlete_home(update: Update, context: SpotterContext, caller: Caller) -> bool:
    """Tell someone bound to an athlete record where they train; False if they are not."""
    profiles = await list_athlete_profiles(context.session, user_id=caller.user.id)
    if not profiles:
        return False
    teams = [organization.name for _, organization in profiles]
    await send(update, context, texts.athlete_home(profiles[0][0].name, teams))
    return True


@transactional
async def receive_team_name(update: Update, context: SpotterContext) -> str | int:
    assert update.message is not None and update.message.text is not None
    caller = await load_caller(update, context)
    if caller.seat is not None:  # set up in another window meanwhile
        await show_coach_menu(update, context, caller)
        return ConversationHandler.END
    try:
        # None if an athlete record was bound to them meanwhile (an invite tapped).
        seat = await create_first_team(context.session, name=update.message.text, owner=caller.user)
    except InvalidInput as error:
        if await show_athlete_home(update, context, caller):  # an athlete now: no team asked
            return ConversationHandler.END
        await send(update, context, core_texts.field_error(core_texts.error_text(error)))
        return TEAM_NAME
    if seat is None:
        if await show_athlete_home(update, context, caller):
            return ConversationHandler.END
        # Unbound again in between (a coach unlinked them): still no team, so ask again.
        await send(update, context, texts.ASK_TEAM_NAME)
        return TEAM_NAME
    await send(update, context, texts.team_created(seat.organization.name))
    assert update.effective_chat is not None
    # Not an athlete anywhere (the team's insert checked), so a coach only.
    await publish_chat_commands(context.bot, update.effective_chat.id, [Audience.COACH])
    return ConversationHandler.END


@transactional
async def help_command(update: Update, context: SpotterContext) -> None:
    caller = await load_caller(update, context)
    audiences = await audiences_of(context, caller)
    await send(update, context, texts.help_text(audiences, commands_for(*audiences)))


def ending(callback: Handler[object]) -> Handler[int]:
    """Run a command while being asked for a team name, and stop asking: someone who wants
    /help or the library first may not be a coach at all."""

    async def run_and_end(update: Update, context: SpotterContext) -> int:
        await callback(update, context)
        return ConversationHandler.END

    run_and_end.__name__ = f"{getattr(callback, '__name__', 'command')}_ending_onboarding"
    return run_and_end


async def cancel_onboarding(update: Update, context: SpotterContext) -> int:
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, core_texts.CANCELLED)
    return ConversationHandler.END


async def stray_command(update: Update, context: SpotterContext) -> None:
    assert update.effective_chat is not None
    await context.bot.send_message(
        update.effective_chat.id, core_texts.mid_conversation_hint(texts.ONBOARDING_WHAT)
    )
