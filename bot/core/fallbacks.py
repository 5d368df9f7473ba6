"""Answers shared by every feature: nothing left without a reply, no press without an answer."""

from __future__ import annotations

from telegram import Update

from bot.context import SpotterContext
from bot.core import texts as core_texts
from bot.replies import answer


async def cancel_outside(update: Update, context: SpotterContext) -> None:
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, core_texts.NOTHING_TO_CANCEL)


async def text_please(update: Update, context: SpotterContext) -> None:
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, core_texts.TEXT_PLEASE)


async def expired_button(update: Update, context: SpotterContext) -> None:
    """Last in the routing table: every press gets an answer, even forged or stale data."""
    await answer(update, context, core_texts.BUTTON_EXPIRED, alert=True)


async def unknown_command(update: Update, context: SpotterContext) -> None:
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, core_texts.UNKNOWN_COMMAND)


async def unknown_text(update: Update, context: SpotterContext) -> None:
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, core_texts.UNKNOWN_TEXT)
