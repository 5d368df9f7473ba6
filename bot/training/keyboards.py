"""The training feature's buttons and their callback data (all prefixes start with "t")."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import CallbackKind
from storage.training.loads import WeightUnit, format_amount

# Athlete: the day
TODAY_TEAM = CallbackKind("tdt", ("athlete",))
WEEK_TEAM = CallbackKind("twk", ("athlete",))
DAY_VIEW = CallbackKind("tdv", ("session",))
ENTRY_OPEN = CallbackKind("teo", ("session", "entry"))
ENTRY_DONE = CallbackKind("ted", ("session", "entry"))
ENTRY_LOG = CallbackKind("tel", ("session", "entry"))
ENTRY_SKIP = CallbackKind("tes", ("session", "entry"))
FINISH = CallbackKind("tfi", ("session",))
FINISH_RPE = CallbackKind("tfr", ("session", "rpe"))
FINISH_MINUTES = CallbackKind("tfm", ("session", "rpe", "minutes"))
# Athlete: maxes and off-plan logs (pending typed text waits in user_data)
MAX_ENTER = CallbackKind("tme", ("athlete", "exercise"))
MAXES_TEAM = CallbackKind("tmt", ("athlete",))
LOG_TEAM = CallbackKind("tlt", ("athlete",))
# Coach: the athlete card's training sections
CARD_PROGRAM = CallbackKind("tcp", ("athlete",))
CARD_HISTORY = CallbackKind("tch", ("athlete", "offset"))
CARD_MAXES = CallbackKind("tcm", ("athlete",))
CARD_MAX_ADD = CallbackKind("tca", ("athlete",))
CARD_PRS = CallbackKind("tcr", ("athlete",))
# Coach: /settings
SETTINGS_TIMEZONE = CallbackKind("tst")
SETTINGS_UNIT = CallbackKind("tsu", ("unit",))
SETTINGS_INCREMENTS = CallbackKind("tsi")
SETTINGS_INCREMENT = CallbackKind("tsv", ("value",))
SETTINGS_BACK = CallbackKind("tsb")

RPE_CHOICES = tuple(range(1, 11))
MINUTE_CHOICES = (20, 30, 45, 60, 75, 90, 120, 150)
INCREMENTS = {WeightUnit.KG: (0.5, 1.0, 1.25, 2.5, 5.0), WeightUnit.LB: (1.0, 2.5, 5.0, 10.0)}


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


def teams(kind: CallbackKind, choices: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    """One button per (athlete id, team name)."""
    return InlineKeyboardMarkup(
        [[button(name, kind.pack(athlete_id))] for athlete_id, name in choices]
    )


def day(
    session_id: str,
    entries: Sequence[tuple[str, str, bool]],
    missing_maxes: Sequence[tuple[str, str]],
    *,
    athlete_id: str,
    finished: bool,
) -> InlineKeyboardMarkup:
    """entries: (entry id, label, logged); missing_maxes: (exercise id, name)."""
    rows: list[list[InlineKeyboardButton]] = []
    if not finished:
        for entry_id, label, logged in entries:
            mark = "✅ " if logged else ""
            rows.append([button(f"{mark}{label}"[:60], ENTRY_OPEN.pack(session_id, entry_id))])
        for exercise_id, name in missing_maxes:
            rows.append(
                [button(f"➕ Enter max: {name}"[:60], MAX_ENTER.pack(athlete_id, exercise_id))]
            )
        rows.append([button("🏁 Finish session", FINISH.pack(session_id))])
    return InlineKeyboardMarkup(rows)


def entry(
    session_id: str,
    entry_id: str,
    *,
    logged: bool,
    enter_max: tuple[str, str, str] | None = None,
) -> InlineKeyboardMarkup:
    """enter_max: (athlete id, exercise id, name) when the loads wait for a max."""
    rows = [
        [button("✅ Done as prescribed", ENTRY_DONE.pack(session_id, entry_id))],
        [
            button("✏️ Change" if logged else "✏️ Log", ENTRY_LOG.pack(session_id, entry_id)),
            button("⏭ Skip", ENTRY_SKIP.pack(session_id, entry_id)),
        ],
    ]
    if enter_max is not None:
        athlete_id, exercise_id, name = enter_max
        rows.append([button(f"➕ Enter max: {name}"[:60], MAX_ENTER.pack(athlete_id, exercise_id))])
    rows.append([button("« Session", DAY_VIEW.pack(session_id))])
    return InlineKeyboardMarkup(rows)


def session_rpe(session_id: str) -> InlineKeyboardMarkup:
    numbers = [button(str(n), FINISH_RPE.pack(session_id, n)) for n in RPE_CHOICES]
    return InlineKeyboardMarkup(
        [numbers[:5], numbers[5:], [button("« Session", DAY_VIEW.pack(session_id))]]
    )


def minutes(session_id: str, rpe: int) -> InlineKeyboardMarkup:
    choices = [button(f"{m} min", FINISH_MINUTES.pack(session_id, rpe, m)) for m in MINUTE_CHOICES]
    return InlineKeyboardMarkup(
        [choices[:4], choices[4:], [button("« Session", DAY_VIEW.pack(session_id))]]
    )


def athlete_training(athlete_id: str) -> list[list[InlineKeyboardButton]]:
    """The rows the coach's athlete card gains."""
    return [
        [
            button("📋 Program", CARD_PROGRAM.pack(athlete_id)),
            button("📒 Log history", CARD_HISTORY.pack(athlete_id, 0)),
        ],
        [
            button("🏋️ Maxes", CARD_MAXES.pack(athlete_id)),
            button("🏆 PRs", CARD_PRS.pack(athlete_id)),
        ],
    ]


def coach_section(athlete_id: str, back: InlineKeyboardButton | None) -> InlineKeyboardMarkup:
    rows = athlete_training(athlete_id)
    if back is not None:
        rows.append([back])
    return InlineKeyboardMarkup(rows)


def coach_maxes(athlete_id: str, back: InlineKeyboardButton | None) -> InlineKeyboardMarkup:
    rows = [[button("➕ Add or change a max", CARD_MAX_ADD.pack(athlete_id))]]
    rows += athlete_training(athlete_id)
    if back is not None:
        rows.append([back])
    return InlineKeyboardMarkup(rows)


def history(
    athlete_id: str,
    offset: int,
    limit: int,
    *,
    has_previous: bool,
    has_next: bool,
    back: InlineKeyboardButton | None,
) -> InlineKeyboardMarkup:
    nav = []
    if has_previous:
        nav.append(button("‹ Newer", CARD_HISTORY.pack(athlete_id, max(0, offset - limit))))
    if has_next:
        nav.append(button("Older ›", CARD_HISTORY.pack(athlete_id, offset + limit)))
    rows = [nav] if nav else []
    rows += athlete_training(athlete_id)
    if back is not None:
        rows.append([back])
    return InlineKeyboardMarkup(rows)


def settings(unit: WeightUnit) -> InlineKeyboardMarkup:
    other = WeightUnit.LB if unit is WeightUnit.KG else WeightUnit.KG
    return InlineKeyboardMarkup(
        [
            [button("🌍 Time zone", SETTINGS_TIMEZONE.pack())],
            [button(f"⚖️ Use {other.value}", SETTINGS_UNIT.pack(other.value))],
            [button("🔢 Rounding", SETTINGS_INCREMENTS.pack())],
        ]
    )


def increments(unit: WeightUnit, current: float) -> InlineKeyboardMarkup:
    choices = [
        button(
            ("● " if value == current else "") + f"{format_amount(value)} {unit.value}",
            SETTINGS_INCREMENT.pack(format_amount(value)),
        )
        for value in INCREMENTS[unit]
    ]
    return InlineKeyboardMarkup([choices, [button("« Settings", SETTINGS_BACK.pack())]])
