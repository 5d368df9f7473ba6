"""Athletes' keyboards: the roster, the card and its menus, the /addathlete form, /leave."""

from __future__ import annotations

from collections.abc import Callable
from typing import get_args

from telegram import InlineKeyboardMarkup

from bot import callbacks as cb
from bot.athletes import texts
from bot.core.keyboards import NEXT, PREV, Keyboard, button, nav_offsets
from bot.insight import keyboards as insight_keyboards
from bot.training import keyboards as training_keyboards
from storage.models import (
    Athlete,
    AthleteGender,
    AthleteStatus,
)
from storage.queries.athletes import AthleteCard, RosterEntry
from storage.queries.paging import Page

ALL_STATUSES: cb.RosterView = "all"
CURRENT_STATUSES: cb.RosterView = "cur"  # active and inactive: the roster's default view


def gender_choices(data: Callable[[AthleteGender], str]) -> InlineKeyboardMarkup:
    """The four genders; `data` makes each button's callback data."""
    rows = [
        [button(texts.GENDER_LABELS[g], data(g)) for g in pair]
        for pair in (
            (AthleteGender.FEMALE, AthleteGender.MALE),
            (AthleteGender.NON_BINARY, AthleteGender.UNDISCLOSED),
        )
    ]
    return Keyboard(rows)


def add_summary() -> InlineKeyboardMarkup:
    return Keyboard(
        [
            [button("✅ Save", cb.AddSave().pack())],
            [
                button("✏️ Edit a field", cb.AddEdit().pack()),
                button("✖️ Cancel", cb.AddCancel().pack()),
            ],
        ]
    )


def athlete_fields() -> list[tuple[cb.AthleteField, str]]:
    return [(name, texts.FIELD_LABELS[name]) for name in get_args(cb.AthleteField)]


def add_pick_field() -> InlineKeyboardMarkup:
    fields = athlete_fields()
    rows = [
        [button(label, cb.AddEditField(field=name).pack()) for name, label in fields[i : i + 2]]
        for i in range(0, len(fields), 2)
    ]
    return Keyboard(rows)


def open_existing(athlete_id: str, name: str) -> InlineKeyboardMarkup:
    return Keyboard([[button(f"Open {name}", cb.AddOpenExisting(athlete=athlete_id).pack())]])


def roster(page: Page[RosterEntry], *, view: cb.RosterView, query: bool) -> InlineKeyboardMarkup:
    """An athlete with a namesake in the team gets a telling detail on their button."""

    def page_at(offset: int, shown: cb.RosterView = view) -> str:
        return cb.RosterPage(view=shown, offset=offset, query=query).pack()

    rows = [
        [
            button(
                texts.roster_button(a, detail=a.has_namesake),
                cb.AthleteCard(athlete=a.id).pack(),
            )
        ]
        for a in page.items
    ]
    if nav := nav_offsets(offset=page.offset, limit=page.limit, total=page.total):
        previous, following = nav
        rows.append([button(PREV, page_at(previous)), button(NEXT, page_at(following))])
    filters = []
    for choice, label in texts.ROSTER_VIEW_LABELS.items():
        mark = "• " if choice == view else ""
        filters.append(button(f"{mark}{label}", page_at(0, choice)))
    rows.append(filters[:2])
    rows.append(filters[2:])
    rows.append([button("➕ Add athlete", cb.Menu(item="addathlete").pack())])
    return Keyboard(rows)


def athlete_card(athlete: Athlete | AthleteCard) -> InlineKeyboardMarkup:
    rows = [
        [
            button("✏️ Edit", cb.AthleteEditMenu(athlete=athlete.id).pack()),
            button("🏷 Set status", cb.AthleteStatusMenu(athlete=athlete.id).pack()),
        ]
    ]
    if athlete.linked_user_id:
        rows.append([button("🔓 Unlink Telegram", cb.AthleteUnlink(athlete=athlete.id).pack())])
    else:
        rows.append([button("📨 Invite", cb.Invite(athlete=athlete.id).pack())])
    rows.append(insight_keyboards.progress_row(athlete.id))
    rows.extend(training_keyboards.athlete_training(athlete.id))
    rows.append([button("⬅️ Back to roster", cb.Menu(item="athletes_back").pack())])
    return Keyboard(rows)


def athlete_edit_menu(athlete: Athlete | AthleteCard) -> InlineKeyboardMarkup:
    fields = athlete_fields()
    rows = [
        [
            button(label, cb.AthleteEditField(athlete=athlete.id, field=name).pack())
            for name, label in fields[i : i + 2]
        ]
        for i in range(0, len(fields), 2)
    ]
    rows.append([button("⬅️ Back", cb.AthleteCard(athlete=athlete.id).pack())])
    return Keyboard(rows)


def athlete_status_menu(athlete: Athlete) -> InlineKeyboardMarkup:
    rows = [
        [
            button(
                f"{'• ' if s is athlete.status else ''}"
                f"{texts.STATUS_ICONS[s]} {texts.STATUS_LABELS[s]}",
                cb.AthleteSetStatus(athlete=athlete.id, status=s).pack(),
            )
        ]
        for s in AthleteStatus
    ]
    rows.append([button("⬅️ Back", cb.AthleteCard(athlete=athlete.id).pack())])
    return Keyboard(rows)


def confirm_unlink(athlete: Athlete) -> InlineKeyboardMarkup:
    return Keyboard(
        [
            [button("Yes, unlink", cb.AthleteUnlinkConfirm(athlete=athlete.id).pack())],
            [button("No, keep it", cb.AthleteCard(athlete=athlete.id).pack())],
        ]
    )


def back_to_card(athlete_id: str) -> InlineKeyboardMarkup:
    return Keyboard([[button("⬅️ Back to card", cb.AthleteCard(athlete=athlete_id).pack())]])


def open_card(athlete_id: str) -> InlineKeyboardMarkup:
    return Keyboard([[button("👤 Open card", cb.AthleteCard(athlete=athlete_id).pack())]])


def leave_pick(teams: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    """One button per (athlete id, team name), then Cancel."""
    rows = [[button(team, cb.LeavePick(athlete=athlete_id).pack())] for athlete_id, team in teams]
    rows.append([button("✖️ Cancel", cb.LeaveCancel().pack())])
    return Keyboard(rows)


def confirm_leave(athlete_id: str) -> InlineKeyboardMarkup:
    return Keyboard(
        [
            [button("Yes, leave", cb.LeaveConfirm(athlete=athlete_id).pack())],
            [button("No, stay", cb.LeaveCancel().pack())],
        ]
    )
