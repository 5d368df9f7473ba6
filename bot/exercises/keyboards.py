"""The exercise library's keyboards."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.core.keyboards import button
from bot.exercises import texts
from storage.models import (
    BodyRegion,
    Equipment,
    Exercise,
    MovementPattern,
    MuscleGroup,
    ProgressionDirection,
)
from storage.queries.exercises import ExerciseCard
from storage.search import SearchHit


def back_row() -> list[InlineKeyboardButton]:
    return [button("⬅️ Back", cb.EX_BACK.pack())]


def back_to_exercise(exercise_id: str) -> list[InlineKeyboardButton]:
    return [button("⬅️ Back to card", cb.EX_CARD.pack(exercise_id))]


def page_row(
    kind: cb.CallbackKind, fixed: tuple[object, ...], *, offset: int, limit: int, total: int
) -> list[InlineKeyboardButton]:
    """Prev / Page n of m / Next; empty when everything fits on one page."""
    pages = max(1, -(-total // limit))
    if pages == 1:
        return []
    row = []
    if offset > 0:
        row.append(button("◀️ Prev", kind.pack(*fixed, max(0, offset - limit))))
    row.append(button(f"Page {offset // limit + 1}/{pages}", kind.pack(*fixed, offset)))
    if offset + limit < total:
        row.append(button("Next ▶️", kind.pack(*fixed, offset + limit)))
    return row


def library_menu(*, has_team: bool, is_coach: bool) -> InlineKeyboardMarkup:
    rows = [
        [
            button(
                f"{texts.REGION_ICONS[r]} {texts.REGION_LABELS[r]}",
                cb.EX_REGION.pack(r.value),
            )
            for r in BodyRegion
        ],
        [button("🔀 By movement pattern", cb.EX_PATTERNS.pack())],
    ]
    if has_team:
        rows.append([button("🏷 Our exercises", cb.EX_OURS.pack(0, 0))])
    if is_coach:
        rows.append([button("➕ New exercise", cb.Menu(item="newexercise").pack())])
    return InlineKeyboardMarkup(rows)


def region_muscles(counts: list[tuple[MuscleGroup, int]]) -> InlineKeyboardMarkup:
    rows = [[button(f"{m.name} · {n}", cb.EX_MUSCLE.pack(m.id, 0))] for m, n in counts]
    rows.append(back_row())
    return InlineKeyboardMarkup(rows)


def browse_patterns() -> InlineKeyboardMarkup:
    patterns = list(MovementPattern)
    rows = [
        [
            button(texts.PATTERN_LABELS[p], cb.EX_PATTERN.pack(p.value, 0))
            for p in patterns[i : i + 3]
        ]
        for i in range(0, len(patterns), 3)
    ]
    rows.append(back_row())
    return InlineKeyboardMarkup(rows)


def exercise_list(
    items: list[Exercise], paging: list[InlineKeyboardButton], *extra: list[InlineKeyboardButton]
) -> InlineKeyboardMarkup:
    rows = [[button(texts.exercise_button(e), cb.EX_CARD.pack(e.id))] for e in items]
    if paging:
        rows.append(paging)
    rows.extend(row for row in extra if row)
    rows.append(back_row())
    return InlineKeyboardMarkup(rows)


def search_hit_label(hit: SearchHit) -> str:
    return f"{'🏷 ' if hit.organization_id else ''}{hit.name}"


def search_results(
    hits: list[SearchHit], paging: list[InlineKeyboardButton]
) -> InlineKeyboardMarkup:
    rows = [[button(search_hit_label(h), cb.EX_CARD.pack(h.exercise_id))] for h in hits]
    if paging:
        rows.append(paging)
    rows.append(back_row())
    return InlineKeyboardMarkup(rows)


RELATED_MAX = 30  # per direction: keeps the keyboard under Telegram's 100 buttons


def exercise_card(card: ExerciseCard, *, can_edit: bool) -> InlineKeyboardMarkup:
    rows = [
        [button(texts.related_button(direction, related), cb.EX_CARD.pack(related.id))]
        for direction, group in (
            (ProgressionDirection.EASIER, card.easier),
            (ProgressionDirection.HARDER, card.harder),
        )
        for related in group[:RELATED_MAX]
    ]
    exercise = card.exercise
    if can_edit:
        if card.is_curated:
            rows.append([button("📋 Copy to ours", cb.EX_COPY.pack(exercise.id))])
        else:
            archived = exercise.archived_at is not None
            rows.append(
                [
                    button("✏️ Edit", cb.EX_EDIT_MENU.pack(exercise.id)),
                    button(
                        "♻️ Restore" if archived else "🗄 Archive",
                        cb.EX_ARCHIVE.pack(exercise.id, 0 if archived else 1),
                    ),
                ]
            )
        rows.append(
            [
                button("➕ Add easier", cb.EX_LINK_START.pack(exercise.id, "easier")),
                button("➕ Add harder", cb.EX_LINK_START.pack(exercise.id, "harder")),
            ]
        )
        if card.removable:
            rows.append([button("✂️ Remove a link", cb.EX_UNLINK_MENU.pack(exercise.id))])
    rows.append(back_row())
    return InlineKeyboardMarkup(rows)


def exercise_edit_menu(exercise_id: str) -> InlineKeyboardMarkup:
    def field(name: str) -> InlineKeyboardButton:
        kind = cb.EX_EDIT_TEXT if name in ("name", "instructions") else cb.EX_EDIT_CHOICE
        return button(texts.EXERCISE_FIELD_LABELS[name], kind.pack(exercise_id, name))

    names = list(texts.EXERCISE_FIELD_LABELS)
    rows = [[field(n) for n in names[i : i + 2]] for i in range(0, len(names), 2)]
    rows.append(back_to_exercise(exercise_id))
    return InlineKeyboardMarkup(rows)


def pattern_choices(
    kind: cb.CallbackKind, *prefix: str, back: str | None = None
) -> InlineKeyboardMarkup:
    patterns = list(MovementPattern)
    rows = [
        [button(texts.PATTERN_LABELS[p], kind.pack(*prefix, p.value)) for p in patterns[i : i + 3]]
        for i in range(0, len(patterns), 3)
    ]
    if back:
        rows.append(back_to_exercise(back))
    return InlineKeyboardMarkup(rows)


def equipment_choices(
    kind: cb.CallbackKind, *prefix: str, back: str | None = None
) -> InlineKeyboardMarkup:
    items = list(Equipment)
    rows = [
        [button(texts.EQUIPMENT_LABELS[e], kind.pack(*prefix, e.value)) for e in items[i : i + 2]]
        for i in range(0, len(items), 2)
    ]
    if back:
        rows.append(back_to_exercise(back))
    return InlineKeyboardMarkup(rows)


def muscle_toggles(
    muscles: list[MuscleGroup],
    selected: list[str],
    *,
    toggle: cb.CallbackKind,
    done: cb.CallbackKind,
    prefix: tuple[str, ...],
    role: str,
    back: str | None = None,
) -> InlineKeyboardMarkup:
    """One button per offered muscle group (✅ when selected), then Done."""
    chosen = set(selected)
    buttons = [
        button(f"{'✅ ' if m.id in chosen else ''}{m.name}", toggle.pack(*prefix, role, m.id))
        for m in muscles
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([button("✔️ Done", done.pack(*prefix, role))])
    if back:
        rows.append(back_to_exercise(back))
    return InlineKeyboardMarkup(rows)


def new_exercise_summary() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [button("✅ Save", cb.NEW_SAVE.pack())],
            [
                button("✏️ Edit a field", cb.NEW_EDIT.pack()),
                button("✖️ Cancel", cb.NEW_CANCEL.pack()),
            ],
        ]
    )


def new_exercise_fields() -> InlineKeyboardMarkup:
    names = list(texts.EXERCISE_FIELD_LABELS.items())
    rows = [
        [button(label, cb.NEW_EDIT_FIELD.pack(name)) for name, label in names[i : i + 2]]
        for i in range(0, len(names), 2)
    ]
    return InlineKeyboardMarkup(rows)


def link_results(
    hits: list[SearchHit], exercise_id: str, direction: ProgressionDirection
) -> InlineKeyboardMarkup:
    rows = [
        [
            button(
                search_hit_label(h),
                cb.EX_LINK_PICK.pack(exercise_id, h.exercise_id, direction.value),
            )
        ]
        for h in hits
    ]
    rows.append(back_to_exercise(exercise_id))
    return InlineKeyboardMarkup(rows)


def unlink_choices(card: ExerciseCard) -> InlineKeyboardMarkup:
    exercise_id = card.exercise.id
    rows = [
        [
            button(
                texts.unlink_button(direction, related),
                cb.EX_UNLINK.pack(exercise_id, related.id),
            )
        ]
        for direction, group in (
            (ProgressionDirection.EASIER, card.easier),
            (ProgressionDirection.HARDER, card.harder),
        )
        for related in group
        if related.id in card.removable
    ]
    rows.append(back_to_exercise(exercise_id))
    return InlineKeyboardMarkup(rows)


def back_to_exercise_only(exercise_id: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([back_to_exercise(exercise_id)])
