"""Onboarding: /start for new and returning people, team creation, the coach menu, /help."""

from __future__ import annotations

from html import escape

from bot.commands import Audience, Command

ASK_TEAM_NAME = (
    "👋 <b>Welcome to Spotter</b>, the training assistant for strength coaches.\n\n"
    "Let's set up your team. <b>What's your team called?</b>\n"
    "<i>For example: Northside Barbell. Send /cancel to stop.</i>\n\n"
    "Athlete? You don't need a team: tap the invite link your coach sent you. "
    "/exercises opens the exercise library."
)


def team_created(team: str) -> str:
    return (
        f"✅ Team <b>{escape(team)}</b> is ready, and you're its coach.\n\n"
        "Here's what you can do:\n"
        "• /addathlete to add athletes to your roster (or /import a spreadsheet)\n"
        "• /athletes to see and edit your roster\n"
        "• /newprogram to type a program in the shorthand you already use\n"
        "• /team to see who needs attention\n"
        "• /settings for your time zone, kg or lb, and rounding\n"
        "• /help for everything else"
    )


def coach_menu(team: str, active: int, total: int) -> str:
    return (
        f"🏋️ <b>{escape(team)}</b>\n"
        f"{total} athlete{'s' if total != 1 else ''} on the roster, {active} active.\n\n"
        "What would you like to do?"
    )


def athlete_home(name: str, teams: list[str]) -> str:
    joined = ", ".join(f"<b>{escape(team)}</b>" for team in teams)
    return (
        f"👋 Hi {escape(name)}! You're an athlete of {joined}.\n\n"
        "Send /help to see what you can do."
    )


WHO_ARE_YOU_NEW = (
    "If you're an athlete, ask your coach for your invite link and tap it.\n"
    "If you're a coach, send /start to set up your team."
)


INTRO = (
    "<b>Spotter</b> helps strength coaches program training and follow it: programs typed in "
    "shorthand and assigned to athletes, who see their loads and log their sessions here; PRs, "
    "readiness and compliance in the coach's team view; the roster and the exercise library."
)


def help_text(audiences: list[Audience], commands: list[Command]) -> str:
    role = (
        "a <b>coach</b>"
        if Audience.COACH in audiences
        else "an <b>athlete</b>"
        if Audience.ATHLETE in audiences
        else None
    )
    lines = [INTRO, ""]
    if role:
        lines.append(f"You're signed in as {role}. Commands:")
    else:
        lines.append("Commands:")
    for command in commands:
        usage = escape(command.usage or f"/{command.name}")
        lines.append(f"{usage} - {escape(command.description)}")
    if role is None:
        lines += ["", WHO_ARE_YOU_NEW]
    return "\n".join(lines)


ONBOARDING_WHAT = "setting up your team"
