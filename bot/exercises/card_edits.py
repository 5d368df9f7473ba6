"""A coach's button-only changes from an exercise card: a field chosen with buttons (pattern,
equipment, muscles), archive or restore, copy to ours, remove a progression link."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardMarkup, Update

from bot import callbacks as cb
from bot.context import SpotterContext, transactional
from bot.core.actions import Caller, callback_data, load_coach
from bot.exercises import browse, keyboards, texts
from bot.exercises.fields import (
    CHOICE_FIELDS,
    EQUIPMENT,
    MUSCLES_KEY,
    PATTERN,
    PRIMARY,
    ROLES,
    SECONDARY,
    load_custom,
    muscle_groups,
    offered,
    parse_enum,
    pick,
    user_data_of,
)
from bot.replies import answer, show
from storage.errors import DomainError
from storage.models import Equipment, Exercise, MovementPattern
from storage.queries import exercises as q
from storage.schemas import ExerciseUpdate, build_input

# --- /newexercise -------------------------------------------------------------------------------


# --- typed changes to a saved exercise: a new name or instructions, a link by name -----------


# --- button-only changes to a saved exercise --------------------------------------------------


@transactional
async def edit_menu(update: Update, context: SpotterContext) -> None:
    found = await load_custom(
        update, context, cb.EX_EDIT_MENU.unpack(callback_data(update, context))["exercise"]
    )
    if found is None:
        return
    caller, exercise = found
    screen = await browse.build_screen(
        context, browse.coach_viewer(caller), browse.card_view(exercise.id)
    )
    await answer(update, context)
    await show(
        update,
        context,
        texts.pick_exercise_field(screen.text),
        keyboards.exercise_edit_menu(exercise.id),
    )


@transactional
async def edit_choice(update: Update, context: SpotterContext) -> None:
    data = callback_data(update, context)
    fields = cb.EX_EDIT_CHOICE.unpack(data)
    field = fields["field"]
    if field not in CHOICE_FIELDS:
        raise cb.BadCallback(data)
    found = await load_custom(update, context, fields["exercise"])
    if found is None:
        return
    caller, exercise = found
    if field == PATTERN:
        text = texts.ask_exercise_choice(field, exercise.name)
        markup = keyboards.pattern_choices(cb.EX_SET_PATTERN, exercise.id, back=exercise.id)
    elif field == EQUIPMENT:
        text = texts.ask_exercise_choice(field, exercise.name)
        markup = keyboards.equipment_choices(cb.EX_SET_EQUIPMENT, exercise.id, back=exercise.id)
    else:
        saved_primary, selected = await load_selection(context, caller, exercise, field, fresh=True)
        text, markup = await toggles_screen(context, exercise, field, saved_primary, selected)
    await answer(update, context)
    await show(update, context, text, markup)


async def load_selection(
    context: SpotterContext, caller: Caller, exercise: Exercise, role: str, *, fresh: bool
) -> tuple[list[str], list[str]]:
    """The saved primary muscles and the selection in progress for `role` (from the card when
    none is in progress for this exercise and role, or when starting afresh)."""
    card = await q.get_exercise_card(
        context.session, organization_id=caller.organization_id, exercise_id=exercise.id
    )
    saved = {PRIMARY: [m.id for m in card.primary], SECONDARY: [m.id for m in card.secondary]}
    working = user_data_of(context).get(MUSCLES_KEY)
    if (
        fresh
        or not isinstance(working, dict)
        or working.get("exercise") != exercise.id
        or working.get("role") != role
    ):
        working = {"exercise": exercise.id, "role": role, "selected": saved[role]}
        user_data_of(context)[MUSCLES_KEY] = working
    return saved[PRIMARY], list(working["selected"])


async def toggles_screen(
    context: SpotterContext,
    exercise: Exercise,
    role: str,
    saved_primary: list[str],
    selected: list[str],
) -> tuple[str, InlineKeyboardMarkup]:
    muscles = await muscle_groups(context)
    text = texts.ask_muscles(role, pick(muscles, selected), exercise=exercise.name)
    markup = keyboards.muscle_toggles(
        offered(muscles, role, saved_primary),
        selected,
        toggle=cb.EX_TOGGLE_MUSCLE,
        done=cb.EX_MUSCLES_DONE,
        prefix=(exercise.id,),
        role=role,
        back=exercise.id,
    )
    return text, markup


@transactional
async def toggle_saved_muscle(update: Update, context: SpotterContext) -> None:
    data = callback_data(update, context)
    fields = cb.EX_TOGGLE_MUSCLE.unpack(data)
    role = fields["role"]
    if role not in ROLES:
        raise cb.BadCallback(data)
    found = await load_custom(update, context, fields["exercise"])
    if found is None:
        return
    caller, exercise = found
    muscles = await muscle_groups(context)
    muscle = muscles.get(fields["muscle"])
    if muscle is None:
        raise cb.BadCallback(data)
    saved_primary, selected = await load_selection(context, caller, exercise, role, fresh=False)
    if role == SECONDARY and muscle.id in saved_primary:
        await answer(update, context, texts.muscle_is_primary(muscle), alert=True)
        return
    if muscle.id in selected:
        selected.remove(muscle.id)
    else:
        selected.append(muscle.id)
    user_data_of(context)[MUSCLES_KEY] = {
        "exercise": exercise.id,
        "role": role,
        "selected": selected,
    }
    text, markup = await toggles_screen(context, exercise, role, saved_primary, selected)
    await answer(update, context)
    await show(update, context, text, markup)


@transactional
async def save_muscles(update: Update, context: SpotterContext) -> None:
    data = callback_data(update, context)
    fields = cb.EX_MUSCLES_DONE.unpack(data)
    role = fields["role"]
    if role not in ROLES:
        raise cb.BadCallback(data)
    found = await load_custom(update, context, fields["exercise"])
    if found is None:
        return
    caller, exercise = found
    _, selected = await load_selection(context, caller, exercise, role, fresh=False)
    if role == PRIMARY and not selected:
        await answer(update, context, texts.NO_PRIMARY_PICKED, alert=True)
        return
    key = "primary_muscles" if role == PRIMARY else "secondary_muscles"
    await _apply_change(update, context, caller, exercise, role, {key: selected})
    user_data_of(context).pop(MUSCLES_KEY, None)


async def change_then_show(
    update: Update,
    context: SpotterContext,
    caller: Caller,
    change: Coroutine[Any, Any, Exercise | None],
    *,
    exercise_id: str | None = None,
    toast: Callable[[Exercise | None], str],
) -> None:
    """Apply a coach's change and show the card (of `exercise_id`, else of the exercise the change
    returned) with a toast; a refused change is explained in an alert and shows nothing new."""
    try:
        result = await change
    except DomainError as error:
        await answer(update, context, texts.alert(error.message), alert=True)
        return
    shown = exercise_id or (result.id if result is not None else None)
    assert shown is not None
    await browse.show_card(update, context, browse.coach_viewer(caller), shown, toast=toast(result))


async def _apply_change(
    update: Update,
    context: SpotterContext,
    caller: Caller,
    exercise: Exercise,
    field: str,
    values: dict[str, Any],
) -> None:
    assert caller.organization_id is not None
    try:
        changes = build_input(ExerciseUpdate, **values)
    except DomainError as error:
        await answer(update, context, texts.alert(error.message), alert=True)
        return
    await change_then_show(
        update,
        context,
        caller,
        q.update_custom_exercise(
            context.session,
            organization_id=caller.organization_id,
            exercise_id=exercise.id,
            changes=changes,
        ),
        exercise_id=exercise.id,
        toast=lambda _: texts.exercise_field_updated(field),
    )


@transactional
async def set_pattern(update: Update, context: SpotterContext) -> None:
    data = callback_data(update, context)
    pattern = parse_enum(cb.EX_SET_PATTERN, "pattern", MovementPattern, data)
    found = await load_custom(update, context, cb.EX_SET_PATTERN.unpack(data)["exercise"])
    if found is not None:
        await _apply_change(update, context, *found, PATTERN, {"movement_pattern": pattern})


@transactional
async def set_equipment(update: Update, context: SpotterContext) -> None:
    data = callback_data(update, context)
    equipment = parse_enum(cb.EX_SET_EQUIPMENT, "equipment", Equipment, data)
    found = await load_custom(update, context, cb.EX_SET_EQUIPMENT.unpack(data)["exercise"])
    if found is not None:
        await _apply_change(update, context, *found, EQUIPMENT, {"equipment": equipment})


@transactional
async def set_archived(update: Update, context: SpotterContext) -> None:
    data = callback_data(update, context)
    fields = cb.EX_ARCHIVE.unpack(data)
    if fields["archived"] not in ("0", "1"):
        raise cb.BadCallback(data)
    archived = fields["archived"] == "1"
    caller = await load_coach(update, context)
    if caller is None:
        return
    assert caller.organization_id is not None
    await change_then_show(
        update,
        context,
        caller,
        q.set_exercise_archived(
            context.session,
            organization_id=caller.organization_id,
            exercise_id=fields["exercise"],
            archived=archived,
        ),
        toast=lambda _: texts.exercise_archived(archived),
    )


@transactional
async def copy_to_ours(update: Update, context: SpotterContext) -> None:
    exercise_id = cb.EX_COPY.unpack(callback_data(update, context))["exercise"]
    caller = await load_coach(update, context)
    if caller is None:
        return
    assert caller.organization_id is not None
    await change_then_show(
        update,
        context,
        caller,
        q.copy_exercise_to_team(
            context.session,
            organization_id=caller.organization_id,
            exercise_id=exercise_id,
            created_by=caller.user.id,
        ),
        toast=lambda copy: texts.exercise_copied(copy.name if copy else ""),
    )


@transactional
async def unlink_menu(update: Update, context: SpotterContext) -> None:
    exercise_id = cb.EX_UNLINK_MENU.unpack(callback_data(update, context))["exercise"]
    caller = await load_coach(update, context)
    if caller is None:
        return
    try:
        card = await q.get_exercise_card(
            context.session, organization_id=caller.organization_id, exercise_id=exercise_id
        )
    except DomainError as error:
        await answer(update, context, texts.alert(error.message), alert=True)
        return
    if not card.removable:
        await answer(update, context, texts.NO_REMOVABLE_LINKS, alert=True)
        return
    await answer(update, context)
    await show(
        update,
        context,
        texts.pick_link_to_remove(texts.exercise_card(card)),
        keyboards.unlink_choices(card),
    )


@transactional
async def unlink(update: Update, context: SpotterContext) -> None:
    fields = cb.EX_UNLINK.unpack(callback_data(update, context))
    caller = await load_coach(update, context)
    if caller is None:
        return
    assert caller.organization_id is not None
    await change_then_show(
        update,
        context,
        caller,
        q.remove_progression(
            context.session,
            organization_id=caller.organization_id,
            exercise_id=fields["exercise"],
            related_exercise_id=fields["related"],
        ),
        exercise_id=fields["exercise"],
        toast=lambda _: texts.LINK_REMOVED,
    )
