"""Every inline keyboard. Callback data comes only from bot.callbacks."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot import texts
from storage.models import Athlete, AthleteGender, AthleteStatus
from storage.queries.athletes import AthletePage

ALL_STATUSES = "all"


def button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


def coach_menu() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [button("👥 Athletes", cb.MENU.pack("athletes"))],
            [button("➕ Add athlete", cb.MENU.pack("addathlete"))],
        ]
    )


def gender_choices(kind: cb.CallbackKind, *prefix: str) -> InlineKeyboardMarkup:
    rows = [
        [button(texts.GENDER_LABELS[g], kind.pack(*prefix, g.value)) for g in pair]
        for pair in (
            (AthleteGender.FEMALE, AthleteGender.MALE),
            (AthleteGender.NON_BINARY, AthleteGender.UNDISCLOSED),
        )
    ]
    return InlineKeyboardMarkup(rows)


def add_summary() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [button("✅ Save", cb.ADD_SAVE.pack())],
            [
                button("✏️ Edit a field", cb.ADD_EDIT.pack()),
                button("✖️ Cancel", cb.ADD_CANCEL.pack()),
            ],
        ]
    )


def add_pick_field() -> InlineKeyboardMarkup:
    fields = list(texts.FIELD_LABELS.items())
    rows = [
        [button(label, cb.ADD_EDIT_FIELD.pack(name)) for name, label in fields[i : i + 2]]
        for i in range(0, len(fields), 2)
    ]
    return InlineKeyboardMarkup(rows)


def open_existing(athlete: Athlete) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[button(f"Open {athlete.name}", cb.ADD_OPEN_EXISTING.pack(athlete.id))]]
    )


def roster(page: AthletePage, *, status: AthleteStatus | None, query: bool) -> InlineKeyboardMarkup:
    status_key = status.value if status else ALL_STATUSES
    flag = int(query)
    rows = [[button(texts.roster_button(a), cb.ATHLETE_CARD.pack(a.id))] for a in page.items]
    pages = max(1, -(-page.total // page.limit))
    current = page.offset // page.limit + 1
    if pages > 1:
        nav = []
        if page.has_previous:
            nav.append(button("◀️ Prev", cb.ROSTER.pack(status_key, page.offset - page.limit, flag)))
        nav.append(button(f"Page {current}/{pages}", cb.ROSTER.pack(status_key, page.offset, flag)))
        if page.has_next:
            nav.append(button("Next ▶️", cb.ROSTER.pack(status_key, page.offset + page.limit, flag)))
        rows.append(nav)
    filters = []
    for key, label in [
        (ALL_STATUSES, "All"),
        *((s.value, texts.STATUS_LABELS[s]) for s in AthleteStatus),
    ]:
        mark = "• " if key == status_key else ""
        filters.append(button(f"{mark}{label}", cb.ROSTER.pack(key, 0, flag)))
    rows.append(filters[:2])
    rows.append(filters[2:])
    rows.append([button("➕ Add athlete", cb.MENU.pack("addathlete"))])
    return InlineKeyboardMarkup(rows)


def athlete_card(athlete: Athlete) -> InlineKeyboardMarkup:
    rows = [
        [
            button("✏️ Edit", cb.ATHLETE_EDIT_MENU.pack(athlete.id)),
            button("🏷 Set status", cb.ATHLETE_STATUS_MENU.pack(athlete.id)),
        ]
    ]
    if athlete.linked_user_id:
        rows.append([button("🔓 Unlink Telegram", cb.ATHLETE_UNLINK.pack(athlete.id))])
    rows.append([button("⬅️ Back to roster", cb.MENU.pack("athletes_back"))])
    return InlineKeyboardMarkup(rows)


def athlete_edit_menu(athlete: Athlete) -> InlineKeyboardMarkup:
    fields = list(texts.FIELD_LABELS.items())
    rows = [
        [
            button(label, cb.ATHLETE_EDIT_FIELD.pack(athlete.id, name))
            for name, label in fields[i : i + 2]
        ]
        for i in range(0, len(fields), 2)
    ]
    rows.append([button("⬅️ Back", cb.ATHLETE_CARD.pack(athlete.id))])
    return InlineKeyboardMarkup(rows)


def athlete_status_menu(athlete: Athlete) -> InlineKeyboardMarkup:
    rows = [
        [
            button(
                f"{'• ' if s is athlete.status else ''}"
                f"{texts.STATUS_ICONS[s]} {texts.STATUS_LABELS[s]}",
                cb.ATHLETE_SET_STATUS.pack(athlete.id, s.value),
            )
        ]
        for s in AthleteStatus
    ]
    rows.append([button("⬅️ Back", cb.ATHLETE_CARD.pack(athlete.id))])
    return InlineKeyboardMarkup(rows)


def confirm_unlink(athlete: Athlete) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [button("Yes, unlink", cb.ATHLETE_UNLINK_CONFIRM.pack(athlete.id))],
            [button("No, keep it", cb.ATHLETE_CARD.pack(athlete.id))],
        ]
    )


def back_to_card(athlete_id: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button("⬅️ Back to card", cb.ATHLETE_CARD.pack(athlete_id))]])
