"""Keyboard pieces every feature uses."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot.core.serialize import Keyboard

__all__ = ["Keyboard", "button", "nav_offsets"]


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


PREV, NEXT = "◀️ Prev", "Next ▶️"


def nav_offsets(*, offset: int, limit: int, total: int) -> tuple[int, int] | None:
    """Where Prev and Next go in a paged list: they wrap around at the ends, so both are always
    there, in the same place on every page (the page number goes in the message text, see
    bot.core.texts.page_of). None when everything fits on one page."""
    pages = max(1, -(-total // limit))
    if pages == 1:
        return None
    previous = offset - limit if offset > 0 else (pages - 1) * limit
    following = offset + limit if offset + limit < total else 0
    return max(0, previous), following
