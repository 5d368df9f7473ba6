"""Sending and editing messages. Every reply commits the update's database work first."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.context import SpotterContext
from storage.db import transaction
from storage.queries.users import mark_user_blocked

log = logging.getLogger(__name__)

# Set on the context while a press is replayed as another (see bot.core.forms): its screens go
# to new messages, the pressed one already says what happened.
REPLAYING_ATTR = "spotter_replaying"


async def send(
    update: Update,
    context: SpotterContext,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> Message:
    """A new message in the update's chat."""
    await context.commit()
    chat = update.effective_chat
    assert chat is not None
    return await context.bot.send_message(chat.id, text, reply_markup=markup)


async def show(
    update: Update,
    context: SpotterContext,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Edit the message whose button was pressed, or send a new one for a typed command."""
    query = update.callback_query
    if query is None or query.message is None or getattr(context, REPLAYING_ATTR, False):
        await send(update, context, text, markup)
        return
    await context.commit()
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:
        reason = error.message.lower()
        # Pressing the button for the view already shown: nothing to change, nothing wrong.
        if "message is not modified" in reason:
            return
        # The message is gone (deleted, or too old to edit): say it in a new one instead.
        if "message to edit not found" in reason or "message can't be edited" in reason:
            await send(update, context, text, markup)
            return
        raise


async def answer(
    update: Update, context: SpotterContext, text: str | None = None, *, alert: bool = False
) -> None:
    """Answer the pressed button (Telegram shows a spinner until then)."""
    query = update.callback_query
    if query is None:
        return
    await context.commit()
    try:
        await query.answer(text, show_alert=alert)
    except TelegramError as error:
        # An unanswered press only keeps a spinner turning for a while; the action itself
        # must go on (the answer can be too late, or the network can fail).
        log.warning("could not answer a button press: %s", type(error).__name__)


async def notify(
    update: Update, context: SpotterContext, text: str, *, alert: bool = False
) -> None:
    """A short notice: a toast for a button press, a message for typed input."""
    if update.callback_query is not None:
        await answer(update, context, text, alert=alert)
    else:
        await send(update, context, text)


async def record_blocked(context: SpotterContext, telegram_user_id: int) -> None:
    """Remember a 403 so that notifications skip this user until they write again."""
    async with transaction(context.db.sessions) as session:
        await mark_user_blocked(session, telegram_user_id=telegram_user_id)


@asynccontextmanager
async def best_effort(update: Update, context: SpotterContext) -> AsyncIterator[None]:
    """For the replies after a form's data is saved: if Telegram fails, the form still ends.

    Otherwise the conversation would stay on its last step with nothing left to press.
    """
    try:
        yield
    except Forbidden:
        if update.effective_user is not None:
            await record_blocked(context, update.effective_user.id)
    except TelegramError as error:
        log.warning(
            "update %s: reply after saving failed: %s", update.update_id, type(error).__name__
        )
