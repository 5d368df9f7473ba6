"""Private chats only: in a group the bot reveals nothing and points to the private chat.

One handler, in a group of its own before every other (see app.py), so new features get the
rule without doing anything. Inline queries (they have no chat) and deep links (`/start <payload>`,
which check the chat themselves where it matters) go through.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.context import SpotterContext
from bot.core import texts as core_texts
from bot.core.keyboards import Keyboard

log = logging.getLogger(__name__)

# A group is told at most once a minute: the rule needs saying once, not to every command
# (and groups get only 20 messages a minute from a bot).
REMINDER_EVERY = timedelta(minutes=1)
TOLD_KEY = "spotter.groups_told"

DEEP_LINK = re.compile(r"^/start(@\w+)? \S")
COMMAND = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@(\w+))?(?:\s|$)")


def open_private_chat(bot_username: str) -> InlineKeyboardMarkup:
    url = f"https://t.me/{bot_username}"
    return Keyboard([[InlineKeyboardButton(core_texts.OPEN_PRIVATE_CHAT, url=url)]])


def recently_told(context: SpotterContext, chat_id: int) -> bool:
    """Whether this group was pointed to the private chat within the last minute (and if not,
    remember that it is now)."""
    told: dict[int, datetime] = context.bot_data.setdefault(TOLD_KEY, {})
    now = context.now()
    last = told.get(chat_id)
    if last is not None and now - last < REMINDER_EVERY:
        return True
    if len(told) > 10_000:  # bounded: forget the oldest half
        for key in sorted(told, key=told.__getitem__)[: len(told) // 2]:
            del told[key]
    told[chat_id] = now
    return False


async def keep_private(update: Update, context: SpotterContext) -> None:
    """Let private-chat updates, inline queries and deep links through; stop everything else."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    message = update.message
    text = message.text if message is not None and message.text else ""
    if DEEP_LINK.match(text):
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(core_texts.PRIVATE_ONLY, show_alert=True)
        elif message is not None and (command := COMMAND.match(text)) is not None:
            addressed_to = command.group(1)
            # "/help@OtherBot" is not for us; "/help" and "/help@us" are.
            ours = addressed_to is None or addressed_to.lower() == context.bot.username.lower()
            if ours and not recently_told(context, chat.id):
                await context.bot.send_message(
                    chat.id,
                    core_texts.PRIVATE_ONLY,
                    reply_markup=open_private_chat(context.bot.username),
                )
        # Anything else in a group (chatter, edits, service messages) is not for the bot.
    except TelegramError as error:
        # Nothing private was at stake; the update is done either way.
        log.warning("could not point a group to the private chat: %s", type(error).__name__)
    raise ApplicationHandlerStop
