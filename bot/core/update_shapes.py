"""Updates of a shape the feature handlers don't take, answered (or dropped) before them.

Registered in group -2 of the routing table (before even the private-chat rule), so that every
handler after it may rely on:
- a message handler's update has `update.message` (never an edit, a channel post or a business
  message), with `effective_chat` and `effective_user`;
- a button press has `callback_query.message` (a chat to answer in), never a message sent
  through inline mode, which carries only `inline_message_id`.
That is what the `assert update.message ...` / `assert update.effective_chat ...` lines in the
handlers state; each case that would break them is handled here, once.
"""

from __future__ import annotations

from contextlib import suppress

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.context import SpotterContext
from bot.core import texts


async def edited_message(update: Update, context: SpotterContext) -> None:
    """An edit is not an answer: the step it answered may be long gone. Say so in words; the
    conversation stays where it was and nothing is saved."""
    message = update.edited_message
    if message is not None and message.chat.type == ChatType.PRIVATE:
        await context.bot.send_message(message.chat_id, texts.EDITS_NOT_READ)
    # Elsewhere (groups) the private-chat rule applies: say nothing there.
    raise ApplicationHandlerStop


async def not_for_us(update: Update, context: SpotterContext) -> None:
    """Channel posts (and their edits) and business messages: a reply would go to a channel's
    subscribers or to someone's customer, and there is no private chat to point to. Dropped."""
    raise ApplicationHandlerStop


async def inline_message_button(update: Update, context: SpotterContext) -> None:
    """A press on a message sent through inline mode (no chat of ours, no `message`): our inline
    results carry only URL buttons, so this is stale or forged. Answer, show nothing there."""
    query = update.callback_query
    if query is None or query.message is not None:
        return  # an ordinary press: the feature handlers take it
    with suppress(TelegramError):  # too late to answer: nothing else to do with it
        await query.answer(texts.INLINE_BUTTON_ELSEWHERE, show_alert=True)
    raise ApplicationHandlerStop
