"""The training feature's handlers, in the order app.py's routing table should try them."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import SpotterContext, transactional
from bot.core.forms import Form, FormRoutes
from bot.core.routing import on_button
from bot.replies import send
from bot.training import coach, day, maxes, team_settings, texts
from bot.training import keyboards as kb
from bot.training.common import PENDING_KEY, own_profile
from storage.models.training import MaxSource

TEXT = filters.TEXT & ~filters.COMMAND & ~filters.VIA_BOT
CONVERSATION = "training_typing"
END = ConversationHandler.END


@transactional
async def receive_typed(update: Update, context: SpotterContext) -> object:
    """A typed line for whatever the open step is about; bad input keeps the step."""
    if await maxes.refuse_edit(update, context):
        return maxes.TYPING
    pending = maxes.pending_of(context)
    message = update.effective_message
    if pending is None or message is None or message.text is None:
        return END
    kind = pending.get("kind")
    if kind == "coach_max":
        if await coach.receive_max(update, context, str(pending.get("athlete", "")), message.text):
            maxes.clear_pending(context)
            return END
        return maxes.TYPING
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


async def ask_again(update: Update, context: SpotterContext, step: str, note: str | None) -> None:
    """The open question again (after /help, a stray command, "finish it first")."""
    pending = maxes.pending_of(context) or {}
    prompt = str(pending.get("prompt") or texts.TYPING_HINT)
    await send(update, context, f"{note}\n\n{prompt}" if note else prompt)


async def cancel_typing(update: Update, context: SpotterContext) -> None:
    await send(update, context, texts.TYPING_CANCELLED)


TYPING_FORM = Form(
    CONVERSATION,
    what="typing an answer",
    ask=ask_again,
    keys=(PENDING_KEY,),
    on_cancel=cancel_typing,
    button_hint=texts.TYPING_HINT,
    restarts=True,  # one question: entering it again loses nothing
)


def typing_form() -> FormRoutes:
    """One typed answer at a time (a max, a log line, a time zone), as a form of the kit: so it
    is the user's one open form, /cancel ends it, read-only commands work in the middle."""
    return FormRoutes(
        TYPING_FORM,
        entries=[
            CommandHandler("maxes", transactional(maxes.maxes_command)),
            on_button(kb.MaxesTeam, transactional(maxes.pick_maxes_team)),
            on_button(kb.MaxEnter, transactional(maxes.enter_max_for)),
            on_button(kb.EntryLog, transactional(day.ask_log_line)),
            on_button(kb.SettingsTimezone, team_settings.ask_timezone),
            on_button(kb.CardMaxAdd, coach.ask_max),
        ],
        states={maxes.TYPING: [MessageHandler(TEXT, receive_typed)]},
    )


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    """Registered in app.py's group 0, after the forms' conversation."""
    return [
        CommandHandler("log", transactional(maxes.log_command)),
        on_button(kb.LogTeam, transactional(maxes.pick_log_team)),
        CommandHandler("today", transactional(day.today_command)),
        on_button(kb.TodayTeam, transactional(day.pick_today_team)),
        CommandHandler("week", transactional(day.week_command)),
        on_button(kb.WeekTeam, transactional(day.pick_week_team)),
        on_button(kb.DayOpen, transactional(day.open_day)),
        on_button(kb.EntryOpen, transactional(day.open_entry)),
        on_button(kb.EntryDone, transactional(day.done_as_prescribed)),
        on_button(kb.EntrySkip, transactional(day.skip_entry)),
        on_button(kb.Finish, transactional(day.ask_finish)),
        on_button(kb.FinishRpe, transactional(day.choose_rpe)),
        on_button(kb.FinishMinutes, transactional(day.choose_minutes)),
        on_button(kb.CardProgram, coach.show_program),
        on_button(kb.CardHistory, coach.show_history),
        on_button(kb.CardMaxes, coach.show_maxes),
        on_button(kb.CardRecords, coach.show_records),
        on_button(kb.MaxesShow, transactional(maxes.athlete_maxes_again)),
        on_button(kb.MaxDeletePick, transactional(maxes.athlete_delete_pick)),
        on_button(kb.MaxDeleteAsk, transactional(maxes.athlete_delete_ask)),
        on_button(kb.MaxDelete, transactional(maxes.athlete_delete)),
        on_button(kb.CardMaxDeletePick, coach.pick_max_to_delete),
        on_button(kb.CardMaxDeleteAsk, coach.ask_to_delete_max),
        on_button(kb.CardMaxDelete, coach.delete_max),
        CommandHandler("settings", team_settings.settings_command),
        on_button(kb.SettingsUnit, team_settings.set_unit),
        on_button(kb.SettingsIncrements, team_settings.pick_increment),
        on_button(kb.SettingsIncrement, team_settings.set_increment),
        on_button(kb.SettingsBack, team_settings.back_to_settings),
    ]
