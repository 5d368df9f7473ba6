"""Every inline keyboard. Callback data comes only from bot.callbacks."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.helpers import create_deep_linked_url

from bot import callbacks as cb
from bot.athletes import texts as athlete_texts
from bot.core.keyboards import button
from storage.models import (
    Athlete,
)

# --- exercise library ---------------------------------------------------------------------------


# --- invitations and leaving a team -------------------------------------------------------------


def invite_matches(athletes: list[Athlete]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button(athlete_texts.roster_button(a), cb.Invite(athlete=a.id).pack())] for a in athletes]
    )


def invite_actions(invitation_id: str, share_url: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                button("🚫 Revoke", cb.InviteRevoke(invitation=invitation_id).pack()),
                InlineKeyboardButton("📤 Share", url=share_url),
            ]
        ]
    )


def open_in_bot(bot_username: str, exercise_id: str) -> InlineKeyboardMarkup:
    """Under a card posted inline in another chat: opens the card in the bot."""
    url = create_deep_linked_url(bot_username, f"ex_{exercise_id}")
    return InlineKeyboardMarkup([[InlineKeyboardButton("Open in Spotter", url=url)]])
