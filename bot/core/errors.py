"""The error handler: the user gets a short apology, the log gets what an operator needs."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.callbacks import BadCallback
from bot.context import SpotterContext
from bot.core import texts as core_texts
from bot.persistence import StateNotLoaded
from bot.replies import record_blocked

log = logging.getLogger("bot.errors")


def handler_name(error: BaseException) -> str:
    return getattr(error, "spotter_handler", "?")


async def handle_error(update: object, context: SpotterContext) -> None:
    error = context.error
    if error is None:
        return
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, BadCallback):
        # Forged or stale button data: same answer as for anything we can't find.
        await _tell(update, context, core_texts.BUTTON_EXPIRED, alert=True)
        return
    if isinstance(error, Forbidden) and isinstance(update, Update) and update.effective_user:
        log.info("update %s: user blocked the bot; marked, no retry", update_id)
        await record_blocked(context, update.effective_user.id)
        return
    # Type and handler only: exception texts may quote what the user typed.
    log.error(
        "update %s failed in %s: %s",
        update_id,
        handler_name(error),
        type(error).__name__,
        exc_info=(type(error), error, error.__traceback__),
    )
    if isinstance(error, TelegramError) and not isinstance(error, BadRequest):
        return  # network trouble: telling the user would fail the same way
    await _tell(update, context, core_texts.ERROR_APOLOGY, alert=True)
    if isinstance(error, StateNotLoaded):
        raise ApplicationHandlerStop  # PTB: no later handler group sees this update


async def _tell(update: object, context: SpotterContext, text: str, *, alert: bool) -> None:
    if not isinstance(update, Update):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=alert)
            return
        if update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, text)
    except TelegramError as error:
        log.warning(
            "update %s: could not tell the user about the error: %s",
            update.update_id,
            type(error).__name__,
        )
