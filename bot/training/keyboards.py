"""The training feature's buttons and their callback data (all prefixes start with "t")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.callbacks import CallbackData, Range
from bot.core.keyboards import Keyboard
from bot.insight.keyboards import readiness_start
from storage.training.loads import WeightUnit, format_amount

Minutes = Annotated[int, Range(1, 24 * 60)]
Rpe = Annotated[int, Range(1, 10)]
IncrementValue = Literal["0.5", "1", "1.25", "2.5", "5", "10"]


# Athlete: the day
class TodayTeam(CallbackData, prefix="tdt"):
    athlete: str


class WeekTeam(CallbackData, prefix="twk"):
    athlete: str


class DayOpen(CallbackData, prefix="tdv"):
    session: str


class EntryOpen(CallbackData, prefix="teo"):
    session: str
    entry: str


class EntryDone(CallbackData, prefix="ted"):
    session: str
    entry: str


class EntryLog(CallbackData, prefix="tel"):
    session: str
    entry: str


class EntrySkip(CallbackData, prefix="tes"):
    session: str
    entry: str


class Finish(CallbackData, prefix="tfi"):
    session: str


class FinishRpe(CallbackData, prefix="tfr"):
    session: str
    rpe: Rpe


class FinishMinutes(CallbackData, prefix="tfm"):
    session: str
    rpe: Rpe
    minutes: Minutes


# Athlete: maxes and off-plan logs (pending typed text waits in user_data)
class MaxEnter(CallbackData, prefix="tme"):
    athlete: str
    exercise: str


class MaxesTeam(CallbackData, prefix="tmt"):
    athlete: str


class LogTeam(CallbackData, prefix="tlt"):
    athlete: str


# Deleting a max: which one, are you sure, delete; back to the list. The athlete's own (tested)
# maxes from /maxes, any entered max from the coach's card.
class MaxesShow(CallbackData, prefix="tms"):
    athlete: str


class MaxDeletePick(CallbackData, prefix="tmd"):
    athlete: str


class MaxDeleteAsk(CallbackData, prefix="tmq"):
    athlete: str
    row: str


class MaxDelete(CallbackData, prefix="tmx"):
    athlete: str
    row: str


# Coach: the athlete card's training sections
class CardProgram(CallbackData, prefix="tcp"):
    athlete: str


class CardHistory(CallbackData, prefix="tch"):
    athlete: str
    offset: int


class CardMaxes(CallbackData, prefix="tcm"):
    athlete: str


class CardMaxAdd(CallbackData, prefix="tca"):
    athlete: str


class CardRecords(CallbackData, prefix="tcr"):
    athlete: str


class CardMaxDeletePick(CallbackData, prefix="tcd"):
    athlete: str


class CardMaxDeleteAsk(CallbackData, prefix="tcq"):
    athlete: str
    row: str


class CardMaxDelete(CallbackData, prefix="tcx"):
    athlete: str
    row: str


# Coach: /settings
class SettingsTimezone(CallbackData, prefix="tst"):
    pass


class SettingsUnit(CallbackData, prefix="tsu"):
    unit: WeightUnit


class SettingsIncrements(CallbackData, prefix="tsi"):
    pass


class SettingsIncrement(CallbackData, prefix="tsv"):
    value: IncrementValue


class SettingsBack(CallbackData, prefix="tsb"):
    pass


AthleteChoice = type[TodayTeam] | type[WeekTeam] | type[MaxesTeam] | type[LogTeam]

RPE_CHOICES = tuple(range(1, 11))
MINUTE_CHOICES = (20, 30, 45, 60, 75, 90, 120, 150)
INCREMENTS = {WeightUnit.KG: (0.5, 1.0, 1.25, 2.5, 5.0), WeightUnit.LB: (1.0, 2.5, 5.0, 10.0)}


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


def teams(kind: AthleteChoice, choices: Sequence[tuple[str, str]]) -> InlineKeyboardMarkup:
    """One button per (athlete id, team name)."""
    return Keyboard(
        [[button(name, kind(athlete=athlete_id).pack())] for athlete_id, name in choices]
    )


def day(
    session_id: str,
    entries: Sequence[tuple[str, str, bool]],
    missing_maxes: Sequence[tuple[str, str]],
    *,
    athlete_id: str,
    finished: bool,
    day: date | None = None,
) -> InlineKeyboardMarkup:
    """entries: (entry id, label, logged); missing_maxes: (exercise id, name)."""
    rows: list[list[InlineKeyboardButton]] = []
    if not finished:
        for entry_id, label, logged in entries:
            mark = "✅ " if logged else ""
            rows.append(
                [
                    button(
                        f"{mark}{label}"[:60], EntryOpen(session=session_id, entry=entry_id).pack()
                    )
                ]
            )
        for exercise_id, name in missing_maxes:
            rows.append(
                [
                    button(
                        f"➕ Enter max: {name}"[:60],
                        MaxEnter(athlete=athlete_id, exercise=exercise_id).pack(),
                    )
                ]
            )
        if day is not None:  # the readiness check (bot/insight), before the session
            rows.append(readiness_start(athlete_id, day))
        rows.append([button("🏁 Finish session", Finish(session=session_id).pack())])
    return Keyboard(rows)


def entry(
    session_id: str,
    entry_id: str,
    *,
    logged: bool,
    enter_max: tuple[str, str, str] | None = None,
) -> InlineKeyboardMarkup:
    """enter_max: (athlete id, exercise id, name) when the loads wait for a max."""
    rows = [
        [button("✅ Done as prescribed", EntryDone(session=session_id, entry=entry_id).pack())],
        [
            button(
                "✏️ Change" if logged else "✏️ Log",
                EntryLog(session=session_id, entry=entry_id).pack(),
            ),
            button("⏭ Skip", EntrySkip(session=session_id, entry=entry_id).pack()),
        ],
    ]
    if enter_max is not None:
        athlete_id, exercise_id, name = enter_max
        rows.append(
            [
                button(
                    f"➕ Enter max: {name}"[:60],
                    MaxEnter(athlete=athlete_id, exercise=exercise_id).pack(),
                )
            ]
        )
    rows.append([button("« Session", DayOpen(session=session_id).pack())])
    return Keyboard(rows)


def session_rpe(session_id: str) -> InlineKeyboardMarkup:
    numbers = [button(str(n), FinishRpe(session=session_id, rpe=n).pack()) for n in RPE_CHOICES]
    return Keyboard(
        [numbers[:5], numbers[5:], [button("« Session", DayOpen(session=session_id).pack())]]
    )


def minutes(session_id: str, rpe: int) -> InlineKeyboardMarkup:
    choices = [
        button(f"{m} min", FinishMinutes(session=session_id, rpe=rpe, minutes=m).pack())
        for m in MINUTE_CHOICES
    ]
    return Keyboard(
        [choices[:4], choices[4:], [button("« Session", DayOpen(session=session_id).pack())]]
    )


def athlete_training(athlete_id: str) -> list[list[InlineKeyboardButton]]:
    """The rows the coach's athlete card gains."""
    return [
        [
            button("📋 Program", CardProgram(athlete=athlete_id).pack()),
            button("📒 Log history", CardHistory(athlete=athlete_id, offset=0).pack()),
        ],
        [
            button("🏋️ Maxes", CardMaxes(athlete=athlete_id).pack()),
            button("🏆 PRs", CardRecords(athlete=athlete_id).pack()),
        ],
    ]


def coach_section(athlete_id: str, back: InlineKeyboardButton | None) -> InlineKeyboardMarkup:
    rows = athlete_training(athlete_id)
    if back is not None:
        rows.append([back])
    return Keyboard(rows)


DELETE_A_MAX = "🗑 Delete a max"


def coach_maxes(
    athlete_id: str, back: InlineKeyboardButton | None, *, deletable: bool = False
) -> InlineKeyboardMarkup:
    rows = [[button("➕ Add or change a max", CardMaxAdd(athlete=athlete_id).pack())]]
    if deletable:
        rows.append([button(DELETE_A_MAX, CardMaxDeletePick(athlete=athlete_id).pack())])
    rows += athlete_training(athlete_id)
    if back is not None:
        rows.append([back])
    return Keyboard(rows)


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
        nav.append(
            button("‹ Newer", CardHistory(athlete=athlete_id, offset=max(0, offset - limit)).pack())
        )
    if has_next:
        nav.append(button("Older ›", CardHistory(athlete=athlete_id, offset=offset + limit).pack()))
    rows = [nav] if nav else []
    rows += athlete_training(athlete_id)
    if back is not None:
        rows.append([back])
    return Keyboard(rows)


def settings(unit: WeightUnit) -> InlineKeyboardMarkup:
    other = WeightUnit.LB if unit is WeightUnit.KG else WeightUnit.KG
    return Keyboard(
        [
            [button("🌍 Time zone", SettingsTimezone().pack())],
            [button(f"⚖️ Use {other.value}", SettingsUnit(unit=other).pack())],
            [button("🔢 Rounding", SettingsIncrements().pack())],
        ]
    )


def increment_value(value: float) -> IncrementValue:
    text = format_amount(value)
    assert text in ("0.5", "1", "1.25", "2.5", "5", "10"), text
    return text  # type: ignore[return-value]


def increments(unit: WeightUnit, current: float) -> InlineKeyboardMarkup:
    choices = [
        button(
            ("● " if value == current else "") + f"{format_amount(value)} {unit.value}",
            SettingsIncrement(value=increment_value(value)).pack(),
        )
        for value in INCREMENTS[unit]
    ]
    return Keyboard([choices, [button("« Settings", SettingsBack().pack())]])


# --- deleting a max (the athlete's /maxes and the coach's card share the steps) -------------

DeletePick = type[MaxDeletePick] | type[CardMaxDeletePick]
DeleteAsk = type[MaxDeleteAsk] | type[CardMaxDeleteAsk]
DeleteDo = type[MaxDelete] | type[CardMaxDelete]
MaxesList = type[MaxesShow] | type[CardMaxes]


def athlete_maxes(athlete_id: str, *, deletable: bool) -> InlineKeyboardMarkup | None:
    if not deletable:
        return None
    return Keyboard([[button(DELETE_A_MAX, MaxDeletePick(athlete=athlete_id).pack())]])


def delete_picker(
    kind: DeleteAsk,
    athlete_id: str,
    choices: Sequence[tuple[str, str]],
    back: InlineKeyboardButton,
) -> InlineKeyboardMarkup:
    """choices: (max id, label)."""
    rows = [
        [button(f"🗑 {label}"[:60], kind(athlete=athlete_id, row=max_id).pack())]
        for max_id, label in choices
    ]
    return Keyboard([*rows, [back]])


def delete_confirm(
    kind: DeleteDo, athlete_id: str, max_id: str, back: InlineKeyboardButton
) -> InlineKeyboardMarkup:
    return Keyboard(
        [
            [button("🗑 Yes, delete it", kind(athlete=athlete_id, row=max_id).pack())],
            [back],
        ]
    )
