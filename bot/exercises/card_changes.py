"""Typed changes from an exercise card: a new name or instructions, a progression linked by name.

Each is a one-question form of bot.core.forms, so it can't run beside another form.
"""

from __future__ import annotations

import contextlib

from telegram import Update

from bot import callbacks as cb
from bot.context import SpotterContext, transactional
from bot.core import texts as core_texts
from bot.core.actions import Coach, coach_action, load_caller
from bot.core.forms import END, Form
from bot.exercises import browse, keyboards, texts
from bot.exercises.fields import (
    EDIT_KEY,
    EDIT_TEXT,
    INSTRUCTIONS,
    LINK_KEY,
    LINK_QUERY,
    LINK_RESULTS,
    NAME,
    clean_instructions,
    clean_name,
    load_custom,
    user_data_of,
)
from bot.replies import answer, send, show
from storage.errors import DomainError, NotFound
from storage.models import ProgressionDirection
from storage.queries import exercises as q
from storage.queries.search import search_exercises
from storage.schemas import ExerciseUpdate, build_input


@coach_action(cb.ExEditText)
async def start_edit_text(
    update: Update, context: SpotterContext, coach: Coach, data: cb.ExEditText
) -> str | None:
    exercise = await load_custom(update, context, coach, data.exercise)
    if exercise is None:
        return None
    user_data = user_data_of(context)
    user_data.pop(LINK_KEY, None)
    user_data[EDIT_KEY] = {"exercise": exercise.id, "field": data.field}
    await answer(update, context)
    await show(
        update,
        context,
        texts.ask_exercise_text(data.field, exercise.name),
        keyboards.back_to_exercise_only(exercise.id),
    )
    return EDIT_TEXT


async def apply_text(
    update: Update, context: SpotterContext, coach: Coach, value: str | None
) -> str | int:
    edit = user_data_of(context).get(EDIT_KEY)
    if not edit:
        return END
    field = edit["field"]
    note = None
    try:
        changes = build_input(ExerciseUpdate, **{field: value})
        if field == NAME and value is not None:
            same = await q.find_exercise_by_name(context.session, organization_id=None, name=value)
            note = texts.same_name_as_curated(same.name) if same is not None else None
        await q.update_custom_exercise(
            context.session,
            organization_id=coach.team_id,
            exercise_id=edit["exercise"],
            changes=changes,
        )
    except DomainError as error:
        await send(update, context, core_texts.field_error(core_texts.error_text(error)))
        if isinstance(error, NotFound):
            user_data_of(context).pop(EDIT_KEY, None)
            return END
        return EDIT_TEXT
    user_data_of(context).pop(EDIT_KEY, None)
    done = texts.exercise_field_updated(field)
    await send(update, context, f"{done}\n{note}" if note else done)
    await browse.show_card(
        update, context, browse.coach_viewer(coach), edit["exercise"], new_message=True
    )
    return END


@coach_action()
async def receive_text(update: Update, context: SpotterContext, coach: Coach) -> str | int:
    assert update.message is not None and update.message.text is not None
    edit = user_data_of(context).get(EDIT_KEY) or {}
    cleaner = clean_name if edit.get("field") == NAME else clean_instructions
    try:
        value = cleaner(update.message.text)
    except ValueError as error:
        await send(update, context, core_texts.field_error(core_texts.error_text(error)))
        return EDIT_TEXT
    return await apply_text(update, context, coach, value)


@coach_action()
async def skip_text(update: Update, context: SpotterContext, coach: Coach) -> str | int:
    edit = user_data_of(context).get(EDIT_KEY) or {}
    if edit.get("field") != INSTRUCTIONS:
        await send(update, context, texts.EXERCISE_NAME_REQUIRED)
        return EDIT_TEXT
    return await apply_text(update, context, coach, None)


@coach_action(cb.ExLinkStart)
async def start_link(
    update: Update, context: SpotterContext, coach: Coach, data: cb.ExLinkStart
) -> str | None:
    direction = data.direction
    try:
        exercise = await q.get_exercise(
            context.session, organization_id=coach.team_id, exercise_id=data.exercise
        )
    except DomainError as error:
        await answer(update, context, texts.alert(core_texts.error_text(error)), alert=True)
        return None
    user_data = user_data_of(context)
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


@coach_action()
async def receive_link_query(update: Update, context: SpotterContext, coach: Coach) -> str | int:
    assert update.message is not None and update.message.text is not None
    link = user_data_of(context).get(LINK_KEY)
    if not link:
        return END
    try:
        exercise = await q.get_exercise(
            context.session, organization_id=coach.team_id, exercise_id=link["exercise"]
        )
    except NotFound as error:
        user_data_of(context).pop(LINK_KEY, None)
        await send(update, context, core_texts.field_error(core_texts.error_text(error)))
        return END
    query = update.message.text.strip()[: browse.QUERY_MAX]
    direction = ProgressionDirection(link["direction"])
    page = await search_exercises(
        context.session, organization_id=coach.team_id, query=query, limit=LINK_RESULTS
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
    browse.save_stack(context, browse.message_key(sent), browse.latest_stack(context))
    return LINK_QUERY


@coach_action(cb.ExLinkPick)
async def pick_link(
    update: Update, context: SpotterContext, coach: Coach, data: cb.ExLinkPick
) -> int | None:
    """A search result was tapped: link it (also from an older results message)."""
    direction = data.direction
    org = coach.team_id
    try:
        await q.add_progression(
            context.session,
            organization_id=org,
            exercise_id=data.exercise,
            related_exercise_id=data.related,
            direction=direction,
        )
        exercise = await q.get_exercise(
            context.session, organization_id=org, exercise_id=data.exercise
        )
        related = await q.get_exercise(
            context.session, organization_id=org, exercise_id=data.related
        )
    except DomainError as error:
        # Stay in the conversation: the coach can tap another result or send another name.
        await answer(update, context, texts.alert(core_texts.error_text(error)), alert=True)
        return None
    user_data_of(context).pop(LINK_KEY, None)
    await browse.show_card(
        update,
        context,
        browse.coach_viewer(coach),
        exercise.id,
        toast=texts.linked(related.name, direction, exercise.name),
    )
    return END


@transactional
async def leave_to_card(update: Update, context: SpotterContext) -> int:
    """Back to card from a question: the change is dropped, the card shown again."""
    user_data = user_data_of(context)
    user_data.pop(EDIT_KEY, None)
    user_data.pop(LINK_KEY, None)
    await browse.open_card_from_button(update, context)
    return END


async def cancel_change(update: Update, context: SpotterContext) -> None:
    """/cancel of a typed change: the card (turned into the question) comes back."""
    user_data = user_data_of(context)
    pending = user_data.pop(EDIT_KEY, None) or user_data.pop(LINK_KEY, None) or {}
    user_data.pop(LINK_KEY, None)
    await send(update, context, core_texts.CANCELLED)
    exercise_id = pending.get("exercise")
    if exercise_id:
        # The card was turned into the question: bring it back.
        viewer = await browse.load_viewer(update, context)
        with contextlib.suppress(NotFound):  # gone meanwhile: "Cancelled" says enough
            await browse.show_card(update, context, viewer, exercise_id, new_message=True)


async def remind_change(
    update: Update, context: SpotterContext, step: str, note: str | None
) -> None:
    """The open question about a saved exercise, asked again (after /help, say)."""
    user_data = user_data_of(context)
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
