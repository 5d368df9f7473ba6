"""/newexercise (a guided form with a summary) and a coach's changes from an exercise card:
edit a field, archive or restore, copy to ours, add or remove progression links.

The form's draft lives in user_data (persisted) and carries the new exercise's id, so pressing
Save twice creates one exercise. Changes that need typed text (a new name or instructions, the
name of an exercise to link) are a second, short conversation, so they can't derail a form in
progress; changes made with buttons need no conversation at all.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from bot import callbacks as cb
from bot import keyboards, texts
from bot.context import SpotterContext, transactional
from bot.core import texts as core_texts
from bot.core.actions import Caller, callback_data, load_caller, load_coach
from bot.core.forms import Form
from bot.handlers import exercises
from bot.replies import answer, send, show
from storage import validation
from storage.errors import DomainError, NotFound
from storage.models import Equipment, Exercise, MovementPattern, MuscleGroup, ProgressionDirection
from storage.models.base import new_id
from storage.queries import exercises as q
from storage.queries.search import search_exercises
from storage.schemas import EXERCISE_NAME_EXAMPLE, ExerciseCreate, ExerciseUpdate, build_input

NEW_CONVERSATION = "new_exercise"
CHANGE_CONVERSATION = "change_exercise"
DRAFT_KEY = "exercise_draft"
EDIT_KEY = "exercise_edit"  # {"exercise", "field"}: a typed change to a saved exercise
LINK_KEY = "exercise_link"  # {"exercise", "direction"}: picking a progression by name
MUSCLES_KEY = "exercise_muscles"  # {"exercise", "role", "selected"}: toggles on a saved one

NAME, PATTERN, PRIMARY, SECONDARY, EQUIPMENT, INSTRUCTIONS = (
    "name",
    "pattern",
    "primary",
    "secondary",
    "equipment",
    "instructions",
)
SUMMARY, PICK_FIELD = "summary", "pick_field"
EDIT_TEXT, LINK_QUERY = "edit_text", "link_query"
ORDER = [NAME, PATTERN, PRIMARY, SECONDARY, EQUIPMENT, INSTRUCTIONS]
TEXT_FIELDS = (NAME, INSTRUCTIONS)
CHOICE_FIELDS = (PATTERN, EQUIPMENT, PRIMARY, SECONDARY)
ROLES = (PRIMARY, SECONDARY)
LINK_RESULTS = 8

Callback = Callable[[Update, SpotterContext], Coroutine[Any, Any, Any]]


def _user_data(context: SpotterContext) -> dict[Any, Any]:
    assert context.user_data is not None
    return context.user_data


def draft_of(context: SpotterContext) -> dict[str, Any]:
    draft: dict[str, Any] = _user_data(context).setdefault(
        DRAFT_KEY, {"id": new_id(), PRIMARY: [], SECONDARY: []}
    )
    return draft


def parse_enum(kind: cb.CallbackKind, field: str, enum: Any, data: str | None) -> Any:
    try:
        return enum(kind.unpack(data)[field])
    except ValueError:
        raise cb.BadCallback(data) from None


def clean_name(text: str) -> str:
    return validation.clean_title(
        text, what="exercise name", limit=validation.NAME_MAX, example=EXERCISE_NAME_EXAMPLE
    )


def clean_instructions(text: str) -> str:
    return validation.clean_long_text(text, what="instructions", limit=validation.INSTRUCTIONS_MAX)


async def muscle_groups(context: SpotterContext) -> dict[str, MuscleGroup]:
    return {m.id: m for m in await q.list_muscle_groups(context.session)}


def pick(muscles: dict[str, MuscleGroup], ids: list[str]) -> list[MuscleGroup]:
    return [muscles[m] for m in ids if m in muscles]


def offered(muscles: dict[str, MuscleGroup], role: str, primary: list[str]) -> list[MuscleGroup]:
    """Secondary toggles leave out the primary muscles: one muscle can't be both."""
    return [m for m in muscles.values() if role == PRIMARY or m.id not in primary]


# --- /newexercise -------------------------------------------------------------------------------


async def ask(update: Update, context: SpotterContext, step: str, note: str | None = None) -> str:
    draft = draft_of(context)
    prefix = f"{note}\n\n" if note else ""
    if step == NAME:
        await send(update, context, prefix + texts.ASK_EXERCISE_NAME)
    elif step == PATTERN:
        markup = keyboards.pattern_choices(cb.NEW_PATTERN)
        await send(update, context, prefix + texts.ASK_EXERCISE_PATTERN, markup)
    elif step in ROLES:
        muscles = await muscle_groups(context)
        await send(
            update,
            context,
            prefix + texts.ask_muscles(step, pick(muscles, draft[step])),
            _new_toggles(muscles, draft, step),
        )
    elif step == EQUIPMENT:
        markup = keyboards.equipment_choices(cb.NEW_EQUIPMENT)
        await send(update, context, prefix + texts.ASK_EXERCISE_EQUIPMENT, markup)
    else:
        await send(update, context, prefix + texts.ASK_EXERCISE_INSTRUCTIONS)
    return step


def _new_toggles(
    muscles: dict[str, MuscleGroup], draft: dict[str, Any], role: str
) -> keyboards.InlineKeyboardMarkup:
    return keyboards.muscle_toggles(
        offered(muscles, role, draft[PRIMARY]),
        draft[role],
        toggle=cb.NEW_TOGGLE_MUSCLE,
        done=cb.NEW_MUSCLES_DONE,
        prefix=(),
        role=role,
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


@transactional
async def start_new(update: Update, context: SpotterContext) -> str | int:
    caller = await load_coach(update, context)
    if caller is None:
        return ConversationHandler.END
    _user_data(context)[DRAFT_KEY] = {"id": new_id(), PRIMARY: [], SECONDARY: []}
    await answer(update, context)
    return await ask(update, context, NAME)


@transactional
async def receive_name(update: Update, context: SpotterContext) -> str:
    assert update.message is not None and update.message.text is not None
    try:
        name = clean_name(update.message.text)
    except ValueError as error:
        await send(update, context, core_texts.field_error(str(error)))
        return NAME
    caller = await load_coach(update, context)
    if caller is None:
        return NAME
    existing = await q.find_exercise_by_name(
        context.session, organization_id=caller.organization_id, name=name
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


@transactional
async def choose_pattern(update: Update, context: SpotterContext) -> str:
    pattern = parse_enum(cb.NEW_PATTERN, "pattern", MovementPattern, callback_data(update, context))
    draft_of(context)[PATTERN] = pattern.value
    await answer(update, context)
    await show(update, context, texts.pattern_chosen(pattern))
    return await advance(update, context, PATTERN)


def make_toggle(role: str) -> Callback:
    @transactional
    async def toggle(update: Update, context: SpotterContext) -> str:
        data = callback_data(update, context)
        fields = cb.NEW_TOGGLE_MUSCLE.unpack(data)
        if fields["role"] != role:
            await answer(update, context, core_texts.BUTTON_FROM_EARLIER_STEP)
            return role
        muscles = await muscle_groups(context)
        muscle = muscles.get(fields["muscle"])
        if muscle is None:
            raise cb.BadCallback(data)
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
    return toggle


def make_muscles_done(role: str) -> Callback:
    @transactional
    async def done(update: Update, context: SpotterContext) -> str:
        if cb.NEW_MUSCLES_DONE.unpack(callback_data(update, context))["role"] != role:
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
    return done


@transactional
async def skip_secondary(update: Update, context: SpotterContext) -> str:
    draft_of(context)[SECONDARY] = []
    return await advance(update, context, SECONDARY)


@transactional
async def choose_equipment(update: Update, context: SpotterContext) -> str:
    equipment = parse_enum(cb.NEW_EQUIPMENT, "equipment", Equipment, callback_data(update, context))
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
        await send(update, context, core_texts.field_error(str(error)))
        return INSTRUCTIONS
    draft_of(context)[INSTRUCTIONS] = value
    return await advance(update, context, INSTRUCTIONS)


@transactional
async def skip_instructions(update: Update, context: SpotterContext) -> str:
    draft_of(context)[INSTRUCTIONS] = None
    return await advance(update, context, INSTRUCTIONS)


@transactional
async def save(update: Update, context: SpotterContext) -> str | int:
    caller = await load_coach(update, context)
    if caller is None:
        return SUMMARY
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
        assert caller.organization_id is not None
        exercise = await q.create_custom_exercise(
            context.session,
            organization_id=caller.organization_id,
            data=data,
            created_by=caller.user.id,
            exercise_id=draft["id"],
        )
    except DomainError as error:
        await answer(update, context, texts.alert(error.message), alert=True)
        return SUMMARY
    await exercises.show_card(
        update,
        context,
        exercises.coach_viewer(caller),
        exercise.id,
        toast=texts.EXERCISE_SAVED,
        new_message=True,
    )
    # The summary loses its buttons last, and the draft is dropped last: if a reply fails,
    # Save is still there, finds the same draft id and the exercise saved, and adds nothing.
    await show(update, context, texts.exercise_saved(exercise.name))
    _user_data(context).pop(DRAFT_KEY, None)
    return ConversationHandler.END


@transactional
async def pick_field(update: Update, context: SpotterContext) -> str:
    await answer(update, context)
    await show(update, context, core_texts.PICK_FIELD_TO_EDIT, keyboards.new_exercise_fields())
    return PICK_FIELD


@transactional
async def edit_field(update: Update, context: SpotterContext) -> str:
    data = callback_data(update, context)
    field = cb.NEW_EDIT_FIELD.unpack(data)["field"]
    if field not in ORDER:
        raise cb.BadCallback(data)
    draft_of(context)["editing"] = field
    await answer(update, context)
    await show(update, context, f"✏️ {texts.EXERCISE_FIELD_LABELS[field]}")
    return await ask(update, context, field)


@transactional
async def cancel_new(update: Update, context: SpotterContext) -> int:
    _user_data(context).pop(DRAFT_KEY, None)
    await answer(update, context)
    await send(update, context, core_texts.CANCELLED)
    return ConversationHandler.END


# --- typed changes to a saved exercise: a new name or instructions, a link by name -----------


async def _load_custom(
    update: Update, context: SpotterContext, exercise_id: str
) -> tuple[Caller, Exercise] | None:
    """The caller (a coach) and their team's exercise; otherwise a refusal and None."""
    caller = await load_coach(update, context)
    if caller is None:
        return None
    assert caller.organization_id is not None
    try:
        exercise = await q.get_custom_exercise(
            context.session, organization_id=caller.organization_id, exercise_id=exercise_id
        )
    except DomainError as error:
        await answer(update, context, texts.alert(error.message), alert=True)
        return None
    return caller, exercise


@transactional
async def start_edit_text(update: Update, context: SpotterContext) -> str | int:
    data = callback_data(update, context)
    fields = cb.EX_EDIT_TEXT.unpack(data)
    if fields["field"] not in TEXT_FIELDS:
        raise cb.BadCallback(data)
    found = await _load_custom(update, context, fields["exercise"])
    if found is None:
        return ConversationHandler.END
    _, exercise = found
    user_data = _user_data(context)
    user_data.pop(LINK_KEY, None)
    user_data[EDIT_KEY] = {"exercise": exercise.id, "field": fields["field"]}
    await answer(update, context)
    await show(
        update,
        context,
        texts.ask_exercise_text(fields["field"], exercise.name),
        keyboards.back_to_exercise_only(exercise.id),
    )
    return EDIT_TEXT


async def apply_text(update: Update, context: SpotterContext, value: str | None) -> str | int:
    edit = _user_data(context).get(EDIT_KEY)
    caller = await load_coach(update, context)
    if caller is None or not edit:
        return ConversationHandler.END
    assert caller.organization_id is not None
    field = edit["field"]
    note = None
    try:
        changes = build_input(ExerciseUpdate, **{field: value})
        if field == NAME and value is not None:
            same = await q.find_exercise_by_name(context.session, organization_id=None, name=value)
            note = texts.same_name_as_curated(same.name) if same is not None else None
        await q.update_custom_exercise(
            context.session,
            organization_id=caller.organization_id,
            exercise_id=edit["exercise"],
            changes=changes,
        )
    except DomainError as error:
        await send(update, context, core_texts.field_error(error.message))
        if isinstance(error, NotFound):
            _user_data(context).pop(EDIT_KEY, None)
            return ConversationHandler.END
        return EDIT_TEXT
    _user_data(context).pop(EDIT_KEY, None)
    done = texts.exercise_field_updated(field)
    await send(update, context, f"{done}\n{note}" if note else done)
    await exercises.show_card(
        update, context, exercises.coach_viewer(caller), edit["exercise"], new_message=True
    )
    return ConversationHandler.END


@transactional
async def receive_text(update: Update, context: SpotterContext) -> str | int:
    assert update.message is not None and update.message.text is not None
    edit = _user_data(context).get(EDIT_KEY) or {}
    cleaner = clean_name if edit.get("field") == NAME else clean_instructions
    try:
        value = cleaner(update.message.text)
    except ValueError as error:
        await send(update, context, core_texts.field_error(str(error)))
        return EDIT_TEXT
    return await apply_text(update, context, value)


@transactional
async def skip_text(update: Update, context: SpotterContext) -> str | int:
    edit = _user_data(context).get(EDIT_KEY) or {}
    if edit.get("field") != INSTRUCTIONS:
        await send(update, context, texts.EXERCISE_NAME_REQUIRED)
        return EDIT_TEXT
    return await apply_text(update, context, None)


@transactional
async def start_link(update: Update, context: SpotterContext) -> str | int:
    data = callback_data(update, context)
    fields = cb.EX_LINK_START.unpack(data)
    direction = parse_enum(cb.EX_LINK_START, "direction", ProgressionDirection, data)
    caller = await load_coach(update, context)
    if caller is None:
        return ConversationHandler.END
    try:
        exercise = await q.get_exercise(
            context.session,
            organization_id=caller.organization_id,
            exercise_id=fields["exercise"],
        )
    except DomainError as error:
        await answer(update, context, texts.alert(error.message), alert=True)
        return ConversationHandler.END
    user_data = _user_data(context)
    user_data.pop(EDIT_KEY, None)
    user_data[LINK_KEY] = {"exercise": exercise.id, "direction": direction.value}
    await answer(update, context)
    await show(
        update,
        context,
        texts.ask_link_query(exercise.name, direction),
        keyboards.back_to_exercise_only(exercise.id),
    )
    return LINK_QUERY


@transactional
async def receive_link_query(update: Update, context: SpotterContext) -> str | int:
    assert update.message is not None and update.message.text is not None
    link = _user_data(context).get(LINK_KEY)
    caller = await load_coach(update, context)
    if caller is None or not link:
        return ConversationHandler.END
    try:
        exercise = await q.get_exercise(
            context.session, organization_id=caller.organization_id, exercise_id=link["exercise"]
        )
    except NotFound as error:
        _user_data(context).pop(LINK_KEY, None)
        await send(update, context, core_texts.field_error(error.message))
        return ConversationHandler.END
    query = update.message.text.strip()[: exercises.QUERY_MAX]
    direction = ProgressionDirection(link["direction"])
    page = await search_exercises(
        context.session, organization_id=caller.organization_id, query=query, limit=LINK_RESULTS
    )
    if not page.items:
        await send(update, context, texts.no_link_match(query))
        return LINK_QUERY
    sent = await send(
        update,
        context,
        texts.pick_link(exercise.name, direction, query),
        keyboards.link_results(page.items, exercise.id, direction),
    )
    # The pick turns this message into the card: Back from there continues the same path.
    exercises.save_stack(context, exercises.message_key(sent), exercises.latest_stack(context))
    return LINK_QUERY


@transactional
async def pick_link(update: Update, context: SpotterContext) -> str | int | None:
    """A search result was tapped: link it (also from an older results message)."""
    data = callback_data(update, context)
    fields = cb.EX_LINK_PICK.unpack(data)
    direction = parse_enum(cb.EX_LINK_PICK, "direction", ProgressionDirection, data)
    caller = await load_coach(update, context)
    if caller is None:
        return None
    assert caller.organization_id is not None
    org = caller.organization_id
    try:
        await q.add_progression(
            context.session,
            organization_id=org,
            exercise_id=fields["exercise"],
            related_exercise_id=fields["related"],
            direction=direction,
        )
        exercise = await q.get_exercise(
            context.session, organization_id=org, exercise_id=fields["exercise"]
        )
        related = await q.get_exercise(
            context.session, organization_id=org, exercise_id=fields["related"]
        )
    except DomainError as error:
        # Stay in the conversation: the coach can tap another result or send another name.
        await answer(update, context, texts.alert(error.message), alert=True)
        return None
    _user_data(context).pop(LINK_KEY, None)
    await exercises.show_card(
        update,
        context,
        exercises.coach_viewer(caller),
        exercise.id,
        toast=texts.linked(related.name, direction, exercise.name),
    )
    return ConversationHandler.END


@transactional
async def leave_to_card(update: Update, context: SpotterContext) -> int:
    """Back to card from a question: the change is dropped, the card shown again."""
    user_data = _user_data(context)
    user_data.pop(EDIT_KEY, None)
    user_data.pop(LINK_KEY, None)
    await exercises.open_card_from_button(update, context)
    return ConversationHandler.END


async def cancel_change(update: Update, context: SpotterContext) -> None:
    """/cancel of a typed change: the card (turned into the question) comes back."""
    user_data = _user_data(context)
    pending = user_data.pop(EDIT_KEY, None) or user_data.pop(LINK_KEY, None) or {}
    user_data.pop(LINK_KEY, None)
    await send(update, context, core_texts.CANCELLED)
    exercise_id = pending.get("exercise")
    if exercise_id:
        # The card was turned into the question: bring it back.
        viewer = await exercises.load_viewer(update, context)
        with contextlib.suppress(NotFound):  # gone meanwhile: "Cancelled" says enough
            await exercises.show_card(update, context, viewer, exercise_id, new_message=True)


async def remind_change(
    update: Update, context: SpotterContext, step: str, note: str | None
) -> None:
    """The open question about a saved exercise, asked again (after /help, say)."""
    user_data = _user_data(context)
    pending = user_data.get(EDIT_KEY) if step == EDIT_TEXT else user_data.get(LINK_KEY)
    caller = await load_caller(update, context)
    try:
        exercise = await q.get_exercise(
            context.session,
            organization_id=caller.organization_id,
            exercise_id=str((pending or {}).get("exercise", "")),
        )
    except NotFound:
        await send(update, context, note or core_texts.CANCELLED)
        return
    assert pending is not None
    if step == EDIT_TEXT:
        question = texts.ask_exercise_text(pending["field"], exercise.name)
    else:
        question = texts.ask_link_query(exercise.name, ProgressionDirection(pending["direction"]))
    text = f"{note}\n\n{question}" if note else question
    await send(update, context, text, keyboards.back_to_exercise_only(exercise.id))


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
        cb.NEW_PATTERN,
        cb.NEW_TOGGLE_MUSCLE,
        cb.NEW_MUSCLES_DONE,
        cb.NEW_EQUIPMENT,
        cb.NEW_SAVE,
        cb.NEW_EDIT,
        cb.NEW_EDIT_FIELD,
        cb.NEW_CANCEL,
    ),
    closed=texts.EXERCISE_FORM_CLOSED,
    keys=(DRAFT_KEY,),
)
EDIT_TEXT_FORM = Form(
    "edit_exercise_text",
    what=texts.EDIT_EXERCISE_WHAT,
    ask=remind_change,
    keys=(EDIT_KEY,),
    on_cancel=cancel_change,
    restarts=True,
)
LINK_FORM = Form(
    "link_exercise",
    what=texts.LINK_WHAT,
    ask=remind_change,
    keys=(LINK_KEY,),
    on_cancel=cancel_change,
    restarts=True,
)


# --- button-only changes to a saved exercise --------------------------------------------------


@transactional
async def edit_menu(update: Update, context: SpotterContext) -> None:
    found = await _load_custom(
        update, context, cb.EX_EDIT_MENU.unpack(callback_data(update, context))["exercise"]
    )
    if found is None:
        return
    caller, exercise = found
    screen = await exercises.build_screen(
        context, exercises.coach_viewer(caller), exercises.card_view(exercise.id)
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
    found = await _load_custom(update, context, fields["exercise"])
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
    working = _user_data(context).get(MUSCLES_KEY)
    if (
        fresh
        or not isinstance(working, dict)
        or working.get("exercise") != exercise.id
        or working.get("role") != role
    ):
        working = {"exercise": exercise.id, "role": role, "selected": saved[role]}
        _user_data(context)[MUSCLES_KEY] = working
    return saved[PRIMARY], list(working["selected"])


async def toggles_screen(
    context: SpotterContext,
    exercise: Exercise,
    role: str,
    saved_primary: list[str],
    selected: list[str],
) -> tuple[str, keyboards.InlineKeyboardMarkup]:
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
    found = await _load_custom(update, context, fields["exercise"])
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
    _user_data(context)[MUSCLES_KEY] = {"exercise": exercise.id, "role": role, "selected": selected}
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
    found = await _load_custom(update, context, fields["exercise"])
    if found is None:
        return
    caller, exercise = found
    _, selected = await load_selection(context, caller, exercise, role, fresh=False)
    if role == PRIMARY and not selected:
        await answer(update, context, texts.NO_PRIMARY_PICKED, alert=True)
        return
    key = "primary_muscles" if role == PRIMARY else "secondary_muscles"
    await _apply_change(update, context, caller, exercise, role, {key: selected})
    _user_data(context).pop(MUSCLES_KEY, None)


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
    await exercises.show_card(
        update, context, exercises.coach_viewer(caller), shown, toast=toast(result)
    )


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
    found = await _load_custom(update, context, cb.EX_SET_PATTERN.unpack(data)["exercise"])
    if found is not None:
        await _apply_change(update, context, *found, PATTERN, {"movement_pattern": pattern})


@transactional
async def set_equipment(update: Update, context: SpotterContext) -> None:
    data = callback_data(update, context)
    equipment = parse_enum(cb.EX_SET_EQUIPMENT, "equipment", Equipment, data)
    found = await _load_custom(update, context, cb.EX_SET_EQUIPMENT.unpack(data)["exercise"])
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
