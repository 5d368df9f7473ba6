"""The training feature's handlers, in the order app.py's routing table should try them."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import SpotterContext, transactional
from bot.replies import send
from bot.training import day, maxes, team_settings, texts
from bot.training import keyboards as kb
from bot.training.common import own_profile
from storage.models.training import MaxSource

TEXT = filters.TEXT & ~filters.COMMAND & ~filters.VIA_BOT
NOT_TEXT = ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL & ~filters.VIA_BOT
CONVERSATION = "training_typing"
END = ConversationHandler.END


def on(kind: kb.CallbackKind, callback: Any) -> CallbackQueryHandler[Any, Any]:
    return CallbackQueryHandler(callback, pattern=kind.pattern)


@transactional
async def receive_typed(update: Update, context: SpotterContext) -> object:
    """A typed line for whatever the open step is about; bad input keeps the step."""
    pending = maxes.pending_of(context)
    message = update.effective_message
    if pending is None or message is None or message.text is None:
        return END
    kind = pending.get("kind")
    caller, profiles = await maxes.caller_profiles(update, context)
    profile = own_profile(profiles, str(pending.get("athlete", "")))
    if kind in ("max", "max_for") and profile is not None:
        saved = await maxes.save_typed_max(
            update,
            context,
            profile,
            message.text,
            source=MaxSource.TESTED,
            exercise_id=pending.get("exercise") if kind == "max_for" else None,
            user_id=caller.user.id,
        )
        if saved:
            maxes.clear_pending(context)
            return END
        return maxes.TYPING
    if kind == "timezone":
        if await team_settings.receive_timezone(update, context, message.text):
            maxes.clear_pending(context)
            return END
        return maxes.TYPING
    if kind == "log_line":
        if await day.receive_log_line(update, context, pending, message.text):
            maxes.clear_pending(context)
            return END
        return maxes.TYPING
    maxes.clear_pending(context)
    await send(update, context, texts.STEP_EXPIRED)
    return END


@transactional
async def cancel_typing(update: Update, context: SpotterContext) -> object:
    maxes.clear_pending(context)
    await send(update, context, texts.TYPING_CANCELLED)
    return END


async def stray_command(update: Update, context: SpotterContext) -> object:
    await send(update, context, texts.TYPING_HINT)
    return maxes.TYPING


async def text_please(update: Update, context: SpotterContext) -> object:
    await send(update, context, texts.TEXT_PLEASE)
    return maxes.TYPING


def typing_conversation() -> ConversationHandler[Any]:
    """One typed answer at a time: a max, a log line, a coach's max, a time zone."""
    return ConversationHandler(
        entry_points=[
            CommandHandler("maxes", transactional(maxes.maxes_command)),
            on(kb.MAXES_TEAM, transactional(maxes.pick_maxes_team)),
            on(kb.MAX_ENTER, transactional(maxes.enter_max_for)),
            on(kb.ENTRY_LOG, transactional(day.ask_log_line)),
            on(kb.SETTINGS_TIMEZONE, transactional(team_settings.ask_timezone)),
        ],
        states={maxes.TYPING: [MessageHandler(TEXT, receive_typed)]},
        fallbacks=[
            CommandHandler("cancel", cancel_typing),
            MessageHandler(filters.COMMAND, stray_command),
            MessageHandler(NOT_TEXT, text_please),
        ],
        name=CONVERSATION,
        persistent=True,
        allow_reentry=True,
    )


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    """Registered in app.py's group 0, after the other conversations."""
    return [
        typing_conversation(),
        CommandHandler("log", transactional(maxes.log_command)),
        on(kb.LOG_TEAM, transactional(maxes.pick_log_team)),
        CommandHandler("today", transactional(day.today_command)),
        on(kb.TODAY_TEAM, transactional(day.pick_today_team)),
        CommandHandler("week", transactional(day.week_command)),
        on(kb.WEEK_TEAM, transactional(day.pick_week_team)),
        on(kb.DAY_VIEW, transactional(day.open_day)),
        on(kb.ENTRY_OPEN, transactional(day.open_entry)),
        on(kb.ENTRY_DONE, transactional(day.done_as_prescribed)),
        on(kb.ENTRY_SKIP, transactional(day.skip_entry)),
        on(kb.FINISH, transactional(day.ask_finish)),
        on(kb.FINISH_RPE, transactional(day.choose_rpe)),
        on(kb.FINISH_MINUTES, transactional(day.choose_minutes)),
        CommandHandler("settings", transactional(team_settings.settings_command)),
        on(kb.SETTINGS_UNIT, transactional(team_settings.set_unit)),
        on(kb.SETTINGS_INCREMENTS, transactional(team_settings.pick_increment)),
        on(kb.SETTINGS_INCREMENT, transactional(team_settings.set_increment)),
        on(kb.SETTINGS_BACK, transactional(team_settings.back_to_settings)),
    ]
