"""/newexercise: a guided form with a summary (a form of bot.core.forms).

The draft lives in user_data (persisted) and carries the new exercise's id, so pressing Save twice
creates one exercise.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Update

from bot import callbacks as cb
from bot.context import SpotterContext, transactional
from bot.core import texts as core_texts
from bot.core.actions import Coach, button_action, coach_action
from bot.core.forms import END, Form
from bot.exercises import browse, keyboards, texts
from bot.exercises.fields import (
    DRAFT_KEY,
    EQUIPMENT,
    INSTRUCTIONS,
    NAME,
    NEW_CONVERSATION,
    ORDER,
    PATTERN,
    PICK_FIELD,
    PRIMARY,
    SECONDARY,
    SUMMARY,
    Callback,
    clean_instructions,
    clean_name,
    muscle_groups,
    offered,
    pick,
    user_data_of,
)
from bot.replies import answer, send, show
from storage.errors import DomainError
from storage.models import MuscleGroup
from storage.models.base import new_id
from storage.queries import exercises as q
from storage.schemas import ExerciseCreate, build_input


def draft_of(context: SpotterContext) -> dict[str, Any]:
    draft: dict[str, Any] = user_data_of(context).setdefault(
        DRAFT_KEY, {"id": new_id(), PRIMARY: [], SECONDARY: []}
    )
    return draft


async def ask(update: Update, context: SpotterContext, step: str, note: str | None = None) -> str:
    draft = draft_of(context)
    prefix = f"{note}\n\n" if note else ""
    if step == NAME:
        await send(update, context, prefix + texts.ASK_EXERCISE_NAME)
    elif step == PATTERN:
        markup = keyboards.pattern_choices(lambda p: cb.NewPattern(movement=p).pack())
        await send(update, context, prefix + texts.ASK_EXERCISE_PATTERN, markup)
    elif step in (PRIMARY, SECONDARY):
        role: cb.MuscleRole = PRIMARY if step == PRIMARY else SECONDARY
        muscles = await muscle_groups(context)
        await send(
            update,
            context,
            prefix + texts.ask_muscles(step, pick(muscles, draft[step])),
            _new_toggles(muscles, draft, role),
        )
    elif step == EQUIPMENT:
        markup = keyboards.equipment_choices(lambda e: cb.NewEquipment(equipment=e).pack())
        await send(update, context, prefix + texts.ASK_EXERCISE_EQUIPMENT, markup)
    else:
        await send(update, context, prefix + texts.ASK_EXERCISE_INSTRUCTIONS)
    return step


def _new_toggles(
    muscles: dict[str, MuscleGroup], draft: dict[str, Any], role: cb.MuscleRole
) -> InlineKeyboardMarkup:
    return keyboards.muscle_toggles(
        offered(muscles, role, draft[PRIMARY]),
        draft[role],
        toggle=lambda m: cb.NewToggleMuscle(role=role, muscle=m).pack(),
        done=cb.NewMusclesDone(role=role).pack(),
    )


async def show_summary(update: Update, context: SpotterContext, note: str | None = None) -> str:
    draft = draft_of(context)
    draft.pop("editing", None)
    text = texts.exercise_draft_summary(draft, await muscle_groups(context))
    if note:
        text = f"{note}\n\n{text}"
    await send(update, context, text, keyboards.new_exercise_summary())
    return SUMMARY


async def advance(
    update: Update, context: SpotterContext, step: str, note: str | None = None
) -> str:
    """After a valid answer: back to the summary when editing a field, else the next step."""
    if draft_of(context).get("editing") or step == INSTRUCTIONS:
        return await show_summary(update, context, note)
    return await ask(update, context, ORDER[ORDER.index(step) + 1], note)


@coach_action()
async def start_new(update: Update, context: SpotterContext, coach: Coach) -> str:
    user_data_of(context)[DRAFT_KEY] = {"id": new_id(), PRIMARY: [], SECONDARY: []}
    await answer(update, context)
    return await ask(update, context, NAME)


@coach_action()
async def receive_name(update: Update, context: SpotterContext, coach: Coach) -> str:
    assert update.message is not None and update.message.text is not None
    try:
        name = clean_name(update.message.text)
    except ValueError as error:
        await send(update, context, core_texts.field_error(core_texts.error_text(error)))
        return NAME
    existing = await q.find_exercise_by_name(
        context.session, organization_id=coach.team_id, name=name
    )
    if existing is not None and existing.organization_id is not None:
        taken = texts.exercise_name_taken(existing.name, archived=existing.archived_at is not None)
        await send(update, context, taken)
        return NAME
    draft_of(context)[NAME] = name
    note = texts.same_name_as_curated(existing.name) if existing is not None else None
    return await advance(update, context, NAME, note)


@transactional
async def skip_name(update: Update, context: SpotterContext) -> str:
    await send(update, context, texts.EXERCISE_NAME_REQUIRED)
    return NAME


@button_action(cb.NewPattern)
async def choose_pattern(update: Update, context: SpotterContext, data: cb.NewPattern) -> str:
    pattern = data.movement
    draft_of(context)[PATTERN] = pattern.value
    await answer(update, context)
    await show(update, context, texts.pattern_chosen(pattern))
    return await advance(update, context, PATTERN)


def make_toggle(role: cb.MuscleRole) -> Callback:
    async def toggle(update: Update, context: SpotterContext, data: cb.NewToggleMuscle) -> str:
        if data.role != role:
            await answer(update, context, core_texts.BUTTON_FROM_EARLIER_STEP)
            return role
        muscles = await muscle_groups(context)
        muscle = muscles.get(data.muscle)
        if muscle is None:
            raise cb.BadCallback(data.pack())
        draft = draft_of(context)
        if role == SECONDARY and muscle.id in draft[PRIMARY]:
            await answer(update, context, texts.muscle_is_primary(muscle), alert=True)
            return role
        selected: list[str] = draft[role]
        if muscle.id in selected:
            selected.remove(muscle.id)
        else:
            selected.append(muscle.id)
        await answer(update, context)
        await show(
            update,
            context,
            texts.ask_muscles(role, pick(muscles, selected)),
            _new_toggles(muscles, draft, role),
        )
        return role

    toggle.__name__ = f"toggle_{role}"
    return button_action(cb.NewToggleMuscle)(toggle)


def make_muscles_done(role: cb.MuscleRole) -> Callback:
    async def done(update: Update, context: SpotterContext, data: cb.NewMusclesDone) -> str:
        if data.role != role:
            await answer(update, context, core_texts.BUTTON_FROM_EARLIER_STEP)
            return role
        draft = draft_of(context)
        if role == PRIMARY and not draft[PRIMARY]:
            await answer(update, context, texts.NO_PRIMARY_PICKED, alert=True)
            return PRIMARY
        if role == PRIMARY:
            draft[SECONDARY] = [m for m in draft[SECONDARY] if m not in draft[PRIMARY]]
        muscles = await muscle_groups(context)
        await answer(update, context)
        await show(update, context, texts.muscles_chosen(role, pick(muscles, draft[role])))
        return await advance(update, context, role)

    done.__name__ = f"done_{role}"
    return button_action(cb.NewMusclesDone)(done)


@transactional
async def skip_secondary(update: Update, context: SpotterContext) -> str:
    draft_of(context)[SECONDARY] = []
    return await advance(update, context, SECONDARY)


@button_action(cb.NewEquipment)
async def choose_equipment(update: Update, context: SpotterContext, data: cb.NewEquipment) -> str:
    equipment = data.equipment
    draft_of(context)[EQUIPMENT] = equipment.value
    await answer(update, context)
    await show(update, context, texts.equipment_chosen(equipment))
    return await advance(update, context, EQUIPMENT)


@transactional
async def receive_instructions(update: Update, context: SpotterContext) -> str:
    assert update.message is not None and update.message.text is not None
    try:
        value = clean_instructions(update.message.text)
    except ValueError as error:
        await send(update, context, core_texts.field_error(core_texts.error_text(error)))
        return INSTRUCTIONS
    draft_of(context)[INSTRUCTIONS] = value
    return await advance(update, context, INSTRUCTIONS)


@transactional
async def skip_instructions(update: Update, context: SpotterContext) -> str:
    draft_of(context)[INSTRUCTIONS] = None
    return await advance(update, context, INSTRUCTIONS)


@coach_action(cb.NewSave)
async def save(update: Update, context: SpotterContext, coach: Coach, _: cb.NewSave) -> str | int:
    draft = draft_of(context)
    try:
        data = build_input(
            ExerciseCreate,
            name=draft.get(NAME),
            movement_pattern=draft.get(PATTERN),
            equipment=draft.get(EQUIPMENT),
            primary_muscles=draft.get(PRIMARY, []),
            secondary_muscles=draft.get(SECONDARY, []),
            instructions=draft.get(INSTRUCTIONS),
        )
        exercise = await q.create_custom_exercise(
            context.session,
            organization_id=coach.team_id,
            data=data,
            created_by=coach.user.id,
            exercise_id=draft["id"],
        )
    except DomainError as error:
        await answer(update, context, texts.alert(core_texts.error_text(error)), alert=True)
        return SUMMARY
    await browse.show_card(
        update,
        context,
        browse.coach_viewer(coach),
        exercise.id,
        toast=texts.EXERCISE_SAVED,
        new_message=True,
    )
    # The summary loses its buttons last, and the draft is dropped last: if a reply fails,
    # Save is still there, finds the same draft id and the exercise saved, and adds nothing.
    await show(update, context, texts.exercise_saved(exercise.name))
    user_data_of(context).pop(DRAFT_KEY, None)
    return END


@button_action(cb.NewEdit)
async def pick_field(update: Update, context: SpotterContext, data: cb.NewEdit) -> str:
    await answer(update, context)
    await show(update, context, core_texts.PICK_FIELD_TO_EDIT, keyboards.new_exercise_fields())
    return PICK_FIELD


@button_action(cb.NewEditField)
async def edit_field(update: Update, context: SpotterContext, data: cb.NewEditField) -> str:
    field = data.field
    draft_of(context)["editing"] = field
    await answer(update, context)
    await show(update, context, f"✏️ {texts.EXERCISE_FIELD_LABELS[field]}")
    return await ask(update, context, field)


@button_action(cb.NewCancel)
async def cancel_new(update: Update, context: SpotterContext, data: cb.NewCancel) -> int:
    user_data_of(context).pop(DRAFT_KEY, None)
    await answer(update, context)
    await send(update, context, core_texts.CANCELLED)
    return END


async def remind_new(update: Update, context: SpotterContext, step: str, note: str) -> None:
    if step == SUMMARY:
        await show_summary(update, context, note)
    elif step == PICK_FIELD:
        text = f"{note}\n\n{core_texts.PICK_FIELD_TO_EDIT}"
        await send(update, context, text, keyboards.new_exercise_fields())
    else:
        await ask(update, context, step, note)


NEW = Form(
    NEW_CONVERSATION,
    what=texts.NEW_EXERCISE_WHAT,
    ask=ask,
    remind=remind_new,
    buttons=(
        cb.NewPattern,
        cb.NewToggleMuscle,
        cb.NewMusclesDone,
        cb.NewEquipment,
        cb.NewSave,
        cb.NewEdit,
        cb.NewEditField,
        cb.NewCancel,
    ),
    closed=texts.EXERCISE_FORM_CLOSED,
    keys=(DRAFT_KEY,),
)
