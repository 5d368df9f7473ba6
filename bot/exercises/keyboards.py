"""The exercise library's keyboards."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import get_args

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks as cb
from bot.core.keyboards import NEXT, PREV, Keyboard, button, nav_offsets
from bot.exercises import texts
from storage.models import (
    BodyRegion,
    Equipment,
    Exercise,
    MovementPattern,
    MuscleGroup,
    ProgressionDirection,
)
from storage.queries.exercises import ExerciseCard, ExerciseInfo, MuscleInfo
from storage.search import SearchHit


def back_row() -> list[InlineKeyboardButton]:
    return [button("⬅️ Back", cb.ExBack().pack())]


def back_to_exercise(exercise_id: str) -> list[InlineKeyboardButton]:
    return [button("⬅️ Back to card", cb.ExCard(exercise=exercise_id).pack())]


def page_row(
    page_at: Callable[[int], str], *, offset: int, limit: int, total: int
) -> list[InlineKeyboardButton]:
    """◀️ Prev / Next ▶️ in a fixed place (the page number is in the text); empty on one page."""
    nav = nav_offsets(offset=offset, limit=limit, total=total)
    if nav is None:
        return []
    previous, following = nav
    return [button(PREV, page_at(previous)), button(NEXT, page_at(following))]


def library_menu(*, has_team: bool, is_coach: bool) -> InlineKeyboardMarkup:
    rows = [
        [
            button(
                f"{texts.REGION_ICONS[r]} {texts.REGION_LABELS[r]}",
                cb.ExRegion(region=r).pack(),
            )
            for r in BodyRegion
        ],
        [button("🔀 By movement pattern", cb.ExPatterns().pack())],
    ]
    if has_team:
        rows.append([button("🏷 Our exercises", cb.ExOurs(archived=False, offset=0).pack())])
    if is_coach:
        rows.append([button("➕ New exercise", cb.Menu(item="newexercise").pack())])
    return Keyboard(rows)


def region_muscles(counts: list[tuple[MuscleInfo, int]]) -> InlineKeyboardMarkup:
    rows = [
        [button(f"{m.name} · {n}", cb.ExMuscle(muscle=m.id, offset=0).pack())] for m, n in counts
    ]
    rows.append(back_row())
    return Keyboard(rows)


def browse_patterns() -> InlineKeyboardMarkup:
    patterns = list(MovementPattern)
    rows = [
        [
            button(texts.PATTERN_LABELS[p], cb.ExPattern(movement=p, offset=0).pack())
            for p in patterns[i : i + 3]
        ]
        for i in range(0, len(patterns), 3)
    ]
    rows.append(back_row())
    return Keyboard(rows)


def exercise_list(
    items: Sequence[Exercise | ExerciseInfo],
    paging: list[InlineKeyboardButton],
    *extra: list[InlineKeyboardButton],
) -> InlineKeyboardMarkup:
    rows = [[button(texts.exercise_button(e), cb.ExCard(exercise=e.id).pack())] for e in items]
    if paging:
        rows.append(paging)
    rows.extend(row for row in extra if row)
    rows.append(back_row())
    return Keyboard(rows)


def search_hit_label(hit: SearchHit) -> str:
    return f"{'🏷 ' if hit.organization_id else ''}{hit.name}"


def search_results(
    hits: list[SearchHit], paging: list[InlineKeyboardButton]
) -> InlineKeyboardMarkup:
    rows = [[button(search_hit_label(h), cb.ExCard(exercise=h.exercise_id).pack())] for h in hits]
    if paging:
        rows.append(paging)
    rows.append(back_row())
    return Keyboard(rows)


RELATED_MAX = 30  # per direction: keeps the keyboard under Telegram's 100 buttons


def exercise_card(card: ExerciseCard, *, can_edit: bool) -> InlineKeyboardMarkup:
    rows = [
        [button(texts.related_button(direction, related), cb.ExCard(exercise=related.id).pack())]
        for direction, group in (
            (ProgressionDirection.EASIER, card.easier),
            (ProgressionDirection.HARDER, card.harder),
        )
        for related in group[:RELATED_MAX]
    ]
    exercise = card.exercise
    if can_edit:
        if card.is_curated:
            rows.append([button("📋 Copy to ours", cb.ExCopy(exercise=exercise.id).pack())])
        else:
            archived = exercise.archived_at is not None
            rows.append(
                [
                    button("✏️ Edit", cb.ExEditMenu(exercise=exercise.id).pack()),
                    button(
                        "♻️ Restore" if archived else "🗄 Archive",
                        cb.ExArchive(exercise=exercise.id, archived=not archived).pack(),
                    ),
                ]
            )
        rows.append(
            [
                button(
                    "➕ Add easier",
                    cb.ExLinkStart(
                        exercise=exercise.id, direction=ProgressionDirection.EASIER
                    ).pack(),
                ),
                button(
                    "➕ Add harder",
                    cb.ExLinkStart(
                        exercise=exercise.id, direction=ProgressionDirection.HARDER
                    ).pack(),
                ),
            ]
        )
        if card.removable:
            rows.append([button("✂️ Remove a link", cb.ExUnlinkMenu(exercise=exercise.id).pack())])
    rows.append(back_row())
    return Keyboard(rows)


def exercise_edit_menu(exercise_id: str) -> InlineKeyboardMarkup:
    def field(name: cb.ExerciseField) -> InlineKeyboardButton:
        label = texts.EXERCISE_FIELD_LABELS[name]
        if name == "name" or name == "instructions":
            return button(label, cb.ExEditText(exercise=exercise_id, field=name).pack())
        return button(label, cb.ExEditChoice(exercise=exercise_id, field=name).pack())

    names: tuple[cb.ExerciseField, ...] = get_args(cb.ExerciseField)
    rows = [[field(n) for n in names[i : i + 2]] for i in range(0, len(names), 2)]
    rows.append(back_to_exercise(exercise_id))
    return Keyboard(rows)


def pattern_choices(
    data: Callable[[MovementPattern], str], *, back: str | None = None
) -> InlineKeyboardMarkup:
    patterns = list(MovementPattern)
    rows = [
        [button(texts.PATTERN_LABELS[p], data(p)) for p in patterns[i : i + 3]]
        for i in range(0, len(patterns), 3)
    ]
    if back:
        rows.append(back_to_exercise(back))
    return Keyboard(rows)


def equipment_choices(
    data: Callable[[Equipment], str], *, back: str | None = None
) -> InlineKeyboardMarkup:
    items = list(Equipment)
    rows = [
        [button(texts.EQUIPMENT_LABELS[e], data(e)) for e in items[i : i + 2]]
        for i in range(0, len(items), 2)
    ]
    if back:
        rows.append(back_to_exercise(back))
    return Keyboard(rows)


def muscle_toggles(
    muscles: list[MuscleGroup],
    selected: list[str],
    *,
    toggle: Callable[[str], str],
    done: str,
    back: str | None = None,
) -> InlineKeyboardMarkup:
    """One button per offered muscle group (✅ when selected), then Done."""
    chosen = set(selected)
    buttons = [button(f"{'✅ ' if m.id in chosen else ''}{m.name}", toggle(m.id)) for m in muscles]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([button("✔️ Done", done)])
    if back:
        rows.append(back_to_exercise(back))
    return Keyboard(rows)


def new_exercise_summary() -> InlineKeyboardMarkup:
    return Keyboard(
        [
            [button("✅ Save", cb.NewSave().pack())],
            [
                button("✏️ Edit a field", cb.NewEdit().pack()),
                button("✖️ Cancel", cb.NewCancel().pack()),
            ],
        ]
    )


def new_exercise_fields() -> InlineKeyboardMarkup:
    names = [(name, texts.EXERCISE_FIELD_LABELS[name]) for name in get_args(cb.ExerciseField)]
    rows = [
        [button(label, cb.NewEditField(field=name).pack()) for name, label in names[i : i + 2]]
        for i in range(0, len(names), 2)
    ]
    return Keyboard(rows)


def link_results(
    hits: list[SearchHit], exercise_id: str, direction: ProgressionDirection
) -> InlineKeyboardMarkup:
    rows = [
        [
            button(
                search_hit_label(h),
                cb.ExLinkPick(
                    exercise=exercise_id, related=h.exercise_id, direction=direction
                ).pack(),
            )
        ]
        for h in hits
    ]
    rows.append(back_to_exercise(exercise_id))
    return Keyboard(rows)


def unlink_choices(card: ExerciseCard) -> InlineKeyboardMarkup:
    exercise_id = card.exercise.id
    rows = [
        [
            button(
                texts.unlink_button(direction, related),
                cb.ExUnlink(exercise=exercise_id, related=related.id).pack(),
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
    return Keyboard(rows)


def back_to_exercise_only(exercise_id: str) -> InlineKeyboardMarkup:
    return Keyboard([back_to_exercise(exercise_id)])
