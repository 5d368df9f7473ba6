"""The insight feature's buttons and their callback data (all prefixes start with "i")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import CallbackKind
from bot.core.keyboards import Keyboard
from bot.insight import texts
from storage.insight.readiness import SCALE
from storage.models import NoticeKind

# Readiness: answers so far travel in the button (a restart loses nothing, no stored state).
READINESS = CallbackKind("ir", ("athlete", "day", "answers"))
# Progress charts (coach from the athlete card, athlete with /progress)
PROGRESS = CallbackKind("ipg", ("athlete",))
PROGRESS_E1RM = CallbackKind("ipe", ("athlete", "exercise"))
PROGRESS_VOLUME = CallbackKind("ipv", ("athlete",))
# Notification settings
NOTICE_MENU = CallbackKind("inm", ("kind", "team"))
NOTICE_SET = CallbackKind("ins", ("kind", "team", "value"))
NOTICE_BACK = CallbackKind("inb")
# Team view
TEAM_PAGE = CallbackKind("itp", ("offset",))
# A card opened from a digest or reminder: a new message, so the digest stays readable
OPEN_CARD = CallbackKind("ioc", ("athlete",))

KIND_CODE = {NoticeKind.DIGEST: "d", NoticeKind.REMINDER: "r"}
CODE_KIND = {code: kind for kind, code in KIND_CODE.items()}
HOURS = tuple(range(5, 23))


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


def day_code(day: date) -> str:
    return day.strftime("%Y%m%d")


def readiness_start(athlete_id: str, day: date) -> list[InlineKeyboardButton]:
    return [button("🩺 Readiness check", READINESS.pack(athlete_id, day_code(day), "-"))]


def readiness_teams(choices: Sequence[tuple[str, date, str]]) -> InlineKeyboardMarkup:
    """One "start the check" button per (athlete id, team-local today, team name)."""
    return Keyboard(
        [
            [button(name, READINESS.pack(athlete_id, day_code(day), "-"))]
            for athlete_id, day, name in choices
        ]
    )


def readiness_scale(athlete_id: str, day: date, answers: str) -> InlineKeyboardMarkup:
    so_far = answers.strip("-")
    return Keyboard(
        [
            [
                button(str(value), READINESS.pack(athlete_id, day_code(day), f"{so_far}{value}"))
                for value in SCALE
            ]
        ]
    )


def progress_row(athlete_id: str) -> list[InlineKeyboardButton]:
    """For the athlete card."""
    return [button(texts.PROGRESS_BUTTON, PROGRESS.pack(athlete_id))]


def progress_menu(
    athlete_id: str,
    exercises: Sequence[tuple[str, str]],
    back: InlineKeyboardButton | None,
) -> InlineKeyboardMarkup:
    rows = [
        [button(f"📈 {name}"[:60], PROGRESS_E1RM.pack(athlete_id, exercise_id))]
        for exercise_id, name in exercises
    ]
    if exercises:
        rows.append([button(texts.VOLUME_BUTTON, PROGRESS_VOLUME.pack(athlete_id))])
    if back is not None:
        rows.append([back])
    return Keyboard(rows)


def teams(kind: CallbackKind, choices: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    return Keyboard([[button(name, kind.pack(athlete_id))] for athlete_id, name in choices])


def notifications(items: Sequence[tuple[NoticeKind, str, str]]) -> InlineKeyboardMarkup:
    """items: (kind, team id, label)."""
    return Keyboard(
        [
            [button(f"🕗 {label}", NOTICE_MENU.pack(KIND_CODE[kind], team))]
            for kind, team, label in items
        ]
    )


def time_picker(kind: NoticeKind, team: str) -> InlineKeyboardMarkup:
    code = KIND_CODE[kind]
    hours = [
        button(f"{hour:02d}:00", NOTICE_SET.pack(code, team, f"{hour:02d}00")) for hour in HOURS
    ]
    rows = [hours[index : index + 6] for index in range(0, len(hours), 6)]
    rows.append(
        [
            button("🔕 Off", NOTICE_SET.pack(code, team, "off")),
            button("⬅️ Back", NOTICE_BACK.pack()),
        ]
    )
    return Keyboard(rows)
