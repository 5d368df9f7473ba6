"""The button under a card posted inline in another chat."""

from __future__ import annotations

from functools import lru_cache

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.helpers import create_deep_linked_url

from bot.core.deep_links import EXERCISE
from bot.core.keyboards import Keyboard


@lru_cache(maxsize=4096)
def open_in_bot(bot_username: str, exercise_id: str) -> InlineKeyboardMarkup:
    """Under a card posted inline in another chat: opens the card in the bot. Kept (Telegram
    objects are immutable): an inline answer carries up to 50, the same few hundred mostly."""
    url = create_deep_linked_url(bot_username, EXERCISE.payload(exercise_id))
    return Keyboard([[InlineKeyboardButton("Open in Spotter", url=url)]])
