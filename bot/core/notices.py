"""Telling a team's coaches about an athlete (joined, left), and naming people in texts."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup
from telegram.error import Forbidden, TelegramError

from bot.context import SpotterContext
from bot.core import texts as core_texts
from storage.models import User
from storage.queries.users import mark_user_blocked

log = logging.getLogger(__name__)


def label_coaches(coaches: list[User]) -> str:
    return core_texts.coach_names([(coach.display_name, coach.username) for coach in coaches])


def label_account(user: User) -> str:
    return f"@{user.username}" if user.username else user.display_name


async def notify_coaches(
    context: SpotterContext,
    coaches: list[User],
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Tell every coach of a team; one coach having blocked the bot stops nobody else."""
    for coach in coaches:
        if coach.blocked_at is not None:
            continue
        await context.commit()
        try:
            await context.bot.send_message(coach.telegram_user_id, text, reply_markup=markup)
        except Forbidden:
            log.info("coach %s blocked the bot; marked, not notified", coach.id)
            await mark_user_blocked(context.session, telegram_user_id=coach.telegram_user_id)
        except TelegramError as error:
            # The athlete's change is saved; a coach missing one notice is not worth failing it.
            log.warning("could not notify coach %s: %s", coach.id, type(error).__name__)
