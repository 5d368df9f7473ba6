"""Keyboard pieces every feature uses."""

from __future__ import annotations

from telegram import InlineKeyboardButton


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)
