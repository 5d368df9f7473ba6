"""The coach's main menu."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot import callbacks as cb
from bot.core.keyboards import Keyboard, button


def coach_menu() -> InlineKeyboardMarkup:
    return Keyboard(
        [
            [button("👥 Athletes", cb.Menu(item="athletes").pack())],
            [button("➕ Add athlete", cb.Menu(item="addathlete").pack())],
            [button("📚 Exercises", cb.Menu(item="exercises").pack())],
        ]
    )
