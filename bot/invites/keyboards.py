"""Invitations' keyboards: /invite's matches, Revoke and Share under the invite photo."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.athletes import texts as athlete_texts
from bot.core.keyboards import Keyboard, button
from storage.models import (
    Athlete,
)


def invite_matches(athletes: list[Athlete], namesakes: set[str]) -> InlineKeyboardMarkup:
    """`namesakes`: name keys several athletes of the team share (their buttons add a detail)."""
    return Keyboard(
        [
            [
                button(
                    athlete_texts.roster_button(a, detail=a.name_key in namesakes),
                    cb.Invite(athlete=a.id).pack(),
                )
            ]
            for a in athletes
        ]
    )


def confirm_invite_archived(athlete_id: str) -> InlineKeyboardMarkup:
    return Keyboard(
        [
            [button("📨 Yes, invite", cb.InviteArchived(athlete=athlete_id).pack())],
            [button("No, open the card", cb.AthleteCard(athlete=athlete_id).pack())],
        ]
    )


def invite_actions(invitation_id: str, share_url: str) -> InlineKeyboardMarkup:
    return Keyboard(
        [
            [
                button("🚫 Revoke", cb.InviteRevoke(invitation=invitation_id).pack()),
                InlineKeyboardButton("📤 Share", url=share_url),
            ]
        ]
    )
