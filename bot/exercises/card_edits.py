"""A coach's button-only changes from an exercise card: a field chosen with buttons (pattern,
equipment, muscles), archive or restore, copy to ours, remove a progression link."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardMarkup, Update

from bot import callbacks as cb
from bot.context import SpotterContext
from bot.core import texts as core_texts
from bot.core.actions import Coach, coach_action
from bot.exercises import browse, keyboards, texts
from bot.exercises.fields import (
    EQUIPMENT,
    MUSCLES_KEY,
    PATTERN,
    PRIMARY,
    SECONDARY,
    load_custom,
    muscle_groups,
    offered,
    pick,
    user_data_of,
)
from bot.replies import answer, show
from storage.errors import DomainError
from storage.models import Exercise
from storage.queries import exercises as q
from storage.schemas import ExerciseUpdate, build_input


@coach_action(cb.ExEditMenu)
async def edit_menu(
    update: Update, context: SpotterContext, coach: Coach, data: cb.ExEditMenu
) -> None:
    exercise = await load_custom(update, context, coach, data.exercise)
    if exercise is None:
        return
    screen = await browse.build_screen(
        context, browse.coach_viewer(coach), browse.card_view(exercise.id)
    )
    await answer(update, context)
    await show(
        update,
        context,
        texts.pick_exercise_field(screen.text),
        keyboards.exercise_edit_menu(exercise.id),
    )


@coach_action(cb.ExEditChoice)
async def edit_choice(
    update: Update, context: SpotterContext, coach: Coach, data: cb.ExEditChoice
) -> None:
    exercise = await load_custom(update, context, coach, data.exercise)
    if exercise is None:
        return
    field = data.field
    if field == "pattern":
        text = texts.ask_exercise_choice(field, exercise.name)
        markup = keyboards.pattern_choices(
            lambda p: cb.ExSetPattern(exercise=exercise.id, movement=p).pack(), back=exercise.id
        )
    elif field == "equipment":
        text = texts.ask_exercise_choice(field, exercise.name)
        markup = keyboards.equipment_choices(
            lambda e: cb.ExSetEquipment(exercise=exercise.id, equipment=e).pack(),
            back=exercise.id,
        )
    else:
        saved_primary, selected = await load_selection(context, coach, exercise, field, fresh=True)
        text, markup = await toggles_screen(context, exercise, field, saved_primary, selected)
    await answer(update, context)
    await show(update, context, text, markup)


async def load_selection(
    context: SpotterContext, coach: Coach, exercise: Exercise, role: str, *, fresh: bool
) -> tuple[list[str], list[str]]:
    """The saved primary muscles and the selection in progress for `role` (from the card when
    none is in progress for this exercise and role, or when starting afresh)."""
    card = await q.get_exercise_card(
        context.session, organization_id=coach.team_id, exercise_id=exercise.id
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
    role: cb.MuscleRole,
    saved_primary: list[str],
    selected: list[str],
) -> tuple[str, InlineKeyboardMarkup]:
    muscles = await muscle_groups(context)
    text = texts.ask_muscles(role, pick(muscles, selected), exercise=exercise.name)
    markup = keyboards.muscle_toggles(
        offered(muscles, role, saved_primary),
        selected,
        toggle=lambda m: cb.ExToggleMuscle(exercise=exercise.id, role=role, muscle=m).pack(),
        done=cb.ExMusclesDone(exercise=exercise.id, role=role).pack(),
        back=exercise.id,
    )
    return text, markup


@coach_action(cb.ExToggleMuscle)
async def toggle_saved_muscle(
    update: Update, context: SpotterContext, coach: Coach, data: cb.ExToggleMuscle
) -> None:
    exercise = await load_custom(update, context, coach, data.exercise)
    if exercise is None:
        return
    role = data.role
    muscles = await muscle_groups(context)
    muscle = muscles.get(data.muscle)
    if muscle is None:
        raise cb.BadCallback(data.pack())
    saved_primary, selected = await load_selection(context, coach, exercise, role, fresh=False)
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


@coach_action(cb.ExMusclesDone)
async def save_muscles(
    update: Update, context: SpotterContext, coach: Coach, data: cb.ExMusclesDone
) -> None:
    exercise = await load_custom(update, context, coach, data.exercise)
    if exercise is None:
        return
    role = data.role
    _, selected = await load_selection(context, coach, exercise, role, fresh=False)
    if role == PRIMARY and not selected:
        await answer(update, context, texts.NO_PRIMARY_PICKED, alert=True)
        return
    key = "primary_muscles" if role == PRIMARY else "secondary_muscles"
    await apply_change(update, context, coach, exercise, role, {key: selected})
    user_data_of(context).pop(MUSCLES_KEY, None)


async def change_then_show(
    update: Update,
    context: SpotterContext,
    coach: Coach,
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
        await answer(update, context, texts.alert(core_texts.error_text(error)), alert=True)
        return
    shown = exercise_id or (result.id if result is not None else None)
    assert shown is not None
    await browse.show_card(update, context, browse.coach_viewer(coach), shown, toast=toast(result))


async def apply_change(
    update: Update,
    context: SpotterContext,
    coach: Coach,
    exercise: Exercise,
    field: str,
    values: dict[str, Any],
) -> None:
    try:
        changes = build_input(ExerciseUpdate, **values)
    except DomainError as error:
        await answer(update, context, texts.alert(core_texts.error_text(error)), alert=True)
        return
    await change_then_show(
        update,
        context,
        coach,
        q.update_custom_exercise(
            context.session,
            organization_id=coach.team_id,
            exercise_id=exercise.id,
            changes=changes,
        ),
        exercise_id=exercise.id,
        toast=lambda _: texts.exercise_field_updated(field),
    )


@coach_action(cb.ExSetPattern)
async def set_pattern(
    update: Update, context: SpotterContext, coach: Coach, data: cb.ExSetPattern
) -> None:
    exercise = await load_custom(update, context, coach, data.exercise)
    if exercise is not None:
        values = {"movement_pattern": data.movement}
        await apply_change(update, context, coach, exercise, PATTERN, values)


@coach_action(cb.ExSetEquipment)
async def set_equipment(
    update: Update, context: SpotterContext, coach: Coach, data: cb.ExSetEquipment
) -> None:
    exercise = await load_custom(update, context, coach, data.exercise)
    if exercise is not None:
        values = {"equipment": data.equipment}
        await apply_change(update, context, coach, exercise, EQUIPMENT, values)


@coach_action(cb.ExArchive)
async def set_archived(
    update: Update, context: SpotterContext, coach: Coach, data: cb.ExArchive
) -> None:
    await change_then_show(
        update,
        context,
        coach,
        q.set_exercise_archived(
            context.session,
            organization_id=coach.team_id,
            exercise_id=data.exercise,
            archived=data.archived,
        ),
        toast=lambda _: texts.exercise_archived(data.archived),
    )


@coach_action(cb.ExCopy)
async def copy_to_ours(
    update: Update, context: SpotterContext, coach: Coach, data: cb.ExCopy
) -> None:
    existing = await q.find_team_copy(
        context.session, organization_id=coach.team_id, exercise_id=data.exercise
    )
    if existing is not None:
        # A second press opens the team's copy instead of making "(copy)".
        await browse.show_card(
            update,
            context,
            browse.coach_viewer(coach),
            existing.id,
            toast=texts.already_copied(existing.name),
        )
        return
    await change_then_show(
        update,
        context,
        coach,
        q.copy_exercise_to_team(
            context.session,
            organization_id=coach.team_id,
            exercise_id=data.exercise,
            created_by=coach.user.id,
        ),
        toast=lambda copy: texts.exercise_copied(copy.name if copy else ""),
    )


@coach_action(cb.ExUnlinkMenu)
async def unlink_menu(
    update: Update, context: SpotterContext, coach: Coach, data: cb.ExUnlinkMenu
) -> None:
    try:
        card = await q.get_exercise_card(
            context.session, organization_id=coach.team_id, exercise_id=data.exercise
        )
    except DomainError as error:
        await answer(update, context, texts.alert(core_texts.error_text(error)), alert=True)
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


@coach_action(cb.ExUnlink)
async def unlink(update: Update, context: SpotterContext, coach: Coach, data: cb.ExUnlink) -> None:
    await change_then_show(
        update,
        context,
        coach,
        q.remove_progression(
            context.session,
            organization_id=coach.team_id,
            exercise_id=data.exercise,
            related_exercise_id=data.related,
        ),
        exercise_id=data.exercise,
        toast=lambda _: texts.LINK_REMOVED,
    )
