"""Invitations: the coach's /invite and its photo, and what the athlete's tap on the link says."""

from __future__ import annotations

from datetime import datetime
from html import escape

from bot.core.texts import format_time

INVITE_USAGE = (
    "Who should I invite? Send <code>/invite name</code>, or open the athlete's card "
    "in /athletes and tap <b>Invite</b>."
)

INVITE_CREATED = "Invite link created."

INVITE_REVOKED = "Link revoked: it no longer works."

INVITE_ALREADY_REVOKED = "That link was already revoked or replaced by a newer one."


def confirm_invite_archived(name: str) -> str:
    return (
        f"🗄 <b>{escape(name)}</b> is archived. Invite them anyway?\n"
        "<i>The link lets them see their profile and your team's exercises.</i>"
    )


def no_athlete_matches(query: str) -> str:
    return (
        f"No athlete in your team matches “{escape(query)}”. "
        "Check the spelling, or see everyone with /athletes."
    )


def pick_athlete_to_invite(query: str, *, total: int, shown: int) -> str:
    text = f"{total} athletes match “{escape(query)}”. Who should I invite?"
    if total > shown:
        text += f"\n<i>Showing the first {shown}; type more of the name to narrow it down.</i>"
    return text


def invite_caption(name: str, link: str, expires: datetime) -> str:
    return (
        f"📨 <b>Invite link for {escape(name)}</b>\n\n"
        f"{escape(link)}\n\n"
        f"Send it to {escape(name)}, or let them scan the QR code. "
        f"It works once and expires {format_time(expires)}. "
        "A new invite for the same athlete replaces this link."
    )


def invite_share_text(team: str) -> str:
    return f"Your invite to {team} on Spotter"  # plain text: a share URL parameter


def invite_revoked_caption(name: str) -> str:
    return (
        f"🚫 <b>Invite link for {escape(name)} revoked.</b> It no longer works.\n"
        "Send a new one from their card or with /invite."
    )


def invite_used_caption(name: str) -> str:
    return f"✅ <b>{escape(name)}</b> joined with this link."


def invite_already_used(name: str) -> str:
    return f"{name} already joined with this link. To disconnect them, unlink them on their card."


def cant_invite_linked(name: str) -> str:
    return (
        f"🔗 <b>{escape(name)}</b> is already connected to Telegram. "
        "To send a new link, unlink them on their card first."
    )


def cant_invite_linked_alert(name: str) -> str:
    return f"{name} is already connected to Telegram. Unlink them first to send a new link."


def athlete_joined(name: str, team: str, telegram: str) -> str:
    return (
        f"🔗 <b>{escape(name)}</b> joined <b>{escape(team)}</b> as {escape(telegram)} on Telegram."
    )


INVITE_INVALID = (
    "🤔 That invite link isn't valid. Make sure you opened the whole link, "
    "or ask your coach to send you a new one."
)

INVITE_EXPIRED = "⌛ That invite link has expired. Ask your coach for a new one."

INVITE_WAS_REVOKED = (
    "🚫 That invite link was cancelled by your coach. Ask them for a new one if you need it."
)

INVITE_USED = (
    "🔒 That invite link has already been used by someone else. "
    "If it was meant for you, ask your coach for a new one."
)

INVITE_ATHLETE_TAKEN = (
    "🔒 That athlete profile is already connected to a different Telegram account. "
    "If that's wrong, ask your coach to unlink it and send you a new link."
)


def invite_welcome(name: str, team: str, coaches: str, bot_username: str) -> str:
    return (
        f"🎉 Welcome, <b>{escape(name)}</b>! You're now connected to <b>{escape(team)}</b>, "
        f"coached by {coaches}.\n\n"
        "Here's what you can do:\n"
        "• /today for today's session, with your loads worked out\n"
        "• /week for the week at a glance, /maxes for your 1RMs\n"
        "• /log to record training nobody planned (<code>/log Squat 3x5 @ 100</code>)\n"
        "• /me to see your profile and your coach\n"
        "• /exercises to browse the exercise library\n"
        f"• In any chat, type <code>@{escape(bot_username)} squat</code> to look an exercise up"
    )


def already_connected(name: str, team: str) -> str:
    return (
        f"✅ You're already connected to <b>{escape(team)}</b> as <b>{escape(name)}</b>. "
        "Send /me to see your profile."
    )


def already_in_team(team: str) -> str:
    return (
        f"ℹ️ Your Telegram account is already connected to another athlete of "
        f"<b>{escape(team)}</b>, so this link can't be used by you. "
        "Ask your coach if it was meant for someone else."
    )


def own_team_link(name: str, team: str) -> str:
    return (
        f"ℹ️ This is the invite link for <b>{escape(name)}</b> in your team "
        f"<b>{escape(team)}</b>. Send it to them, or let them scan the QR code: when they open "
        "it, their Telegram account is connected to their profile.\n"
        "Opening it yourself changes nothing, and the link still works for them."
    )


def too_many_attempts(retry_at: datetime, minutes: int) -> str:
    return (
        "⏳ Too many links that didn't work in a short time. Please try again after "
        f"{format_time(retry_at)} (in about {minutes} minute{'s' if minutes != 1 else ''})."
    )
