"""/addathlete (a guided form with a summary) and editing one field of an athlete's card.

The draft lives in user_data (persisted), so a restart resumes at the same step with the
answers given so far. The draft carries the new athlete's id: pressing Save twice creates one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from bot import callbacks as cb
from bot import keyboards, texts
from bot.context import SpotterContext, transactional
from bot.handlers.common import Caller, load_coach, today
from bot.handlers.roster import card_text, load_athlete
from bot.replies import answer, best_effort, send, show
from storage import validation
from storage.errors import DomainError, NotFound
from storage.models import AthleteGender
from storage.models.base import new_id
from storage.queries import athletes as q
from storage.schemas import AthleteCreate, AthleteUpdate, build_input

ADD_CONVERSATION = "add_athlete"
EDIT_CONVERSATION = "edit_athlete"
DRAFT_KEY = "athlete_draft"
EDIT_KEY = "athlete_edit"

NAME, EMAIL, PHONE, BIRTHDATE, GENDER, NOTES, SUMMARY, PICK_FIELD = (
    "name",
    "email",
    "phone",
    "birthdate",
    "gender",
    "notes",
    "summary",
    "pick_field",
)
EDIT_VALUE = "edit_value"
ORDER = [NAME, EMAIL, PHONE, BIRTHDATE, GENDER, NOTES]
OPTIONAL = {EMAIL, PHONE, BIRTHDATE, GENDER, NOTES}
PROMPTS = {
    NAME: texts.ASK_NAME,
    EMAIL: texts.ASK_EMAIL,
    PHONE: texts.ASK_PHONE,
    BIRTHDATE: texts.ASK_BIRTHDATE,
    GENDER: texts.ASK_GENDER,
    NOTES: texts.ASK_NOTES,
}


def _birthdate(text: str, today: date) -> str:
    value = validation.parse_birthdate(text, today=today)
    if isinstance(value, validation.AmbiguousDate):
        raise ValueError(texts.ambiguous_date(text.strip(), value))
    return value.isoformat()


def clean_field(field: str, text: str, *, region: str, today: date) -> str:
    """The stored form of a typed answer, or ValueError with what to type instead."""
    cleaners: dict[str, Callable[[str], Any]] = {
        NAME: validation.clean_person_name,
        EMAIL: validation.clean_email,
        PHONE: lambda value: validation.clean_phone(value, region=region),
        BIRTHDATE: lambda value: _birthdate(value, today),
        NOTES: lambda value: validation.clean_long_text(
            value, what="notes", limit=validation.NOTES_MAX
        ),
    }
    if field not in cleaners:
        raise ValueError(texts.TEXT_PLEASE)
    return str(cleaners[field](text))


def draft_of(context: SpotterContext) -> dict[str, Any]:
    assert context.user_data is not None
    draft: dict[str, Any] = context.user_data.setdefault(DRAFT_KEY, {"id": new_id()})
    return draft


async def ask(update: Update, context: SpotterContext, step: str) -> str:
    markup = keyboards.gender_choices(cb.ADD_GENDER) if step == GENDER else None
    await send(update, context, PROMPTS[step], markup)
    return step


async def show_summary(update: Update, context: SpotterContext) -> str:
    draft = draft_of(context)
    draft.pop("editing", None)
    await send(update, context, texts.draft_summary(draft, today(context)), keyboards.add_summary())
    return SUMMARY


async def advance(update: Update, context: SpotterContext, step: str) -> str:
    """After a valid answer: back to the summary when editing, else the next step."""
    draft = draft_of(context)
    if draft.get("editing") or step == NOTES:
        return await show_summary(update, context)
    return await ask(update, context, ORDER[ORDER.index(step) + 1])


# --- /addathlete --------------------------------------------------------------------------------


@transactional
async def start_add(update: Update, context: SpotterContext) -> str | int:
    caller = await load_coach(update, context)
    if caller is None:
        return ConversationHandler.END
    assert context.user_data is not None
    context.user_data[DRAFT_KEY] = {"id": new_id()}
    await answer(update, context)
    return await ask(update, context, NAME)


def make_step(step: str) -> Callable[[Update, SpotterContext], Any]:
    @transactional
    async def receive(update: Update, context: SpotterContext) -> str:
        assert update.message is not None and update.message.text is not None
        try:
            value = clean_field(
                step,
                update.message.text,
                region=context.settings.default_phone_region,
                today=today(context),
            )
        except ValueError as error:
            await send(update, context, texts.field_error(str(error)))
            return step
        caller = await load_coach(update, context)
        if caller is None:
            return step
        if step == EMAIL and (duplicate := await _same_email(context, caller, value)):
            await send(
                update,
                context,
                texts.email_taken(duplicate.name),
                keyboards.open_existing(duplicate),
            )
            return step
        draft_of(context)[step] = value
        return await advance(update, context, step)

    receive.__name__ = f"receive_{step}"
    return receive


async def _same_email(context: SpotterContext, caller: Caller, email: str) -> Any:
    assert caller.seat is not None
    return await q.find_athlete_by_email(
        context.session, organization_id=caller.seat.organization_id, email=email
    )


def make_skip(step: str) -> Callable[[Update, SpotterContext], Any]:
    async def skip(update: Update, context: SpotterContext) -> str:
        if step not in OPTIONAL:
            await send_plain(update, context, texts.NAME_REQUIRED)
            return step
        draft_of(context)[step] = None
        return await advance(update, context, step)

    skip.__name__ = f"skip_{step}"
    return transactional(skip)


async def send_plain(update: Update, context: SpotterContext, text: str) -> None:
    await send(update, context, text)


@transactional
async def choose_gender(update: Update, context: SpotterContext) -> str:
    data = update.callback_query.data if update.callback_query else None
    try:
        gender = AthleteGender(cb.ADD_GENDER.unpack(data)["gender"])
    except ValueError:
        raise cb.BadCallback(data) from None
    draft_of(context)[GENDER] = gender.value
    await answer(update, context, texts.GENDER_LABELS[gender])
    await show(update, context, texts.ASK_GENDER + f"\n\n✅ {texts.GENDER_LABELS[gender]}")
    return await advance(update, context, GENDER)


@transactional
async def save(update: Update, context: SpotterContext) -> str | int:
    caller = await load_coach(update, context)
    if caller is None:
        return SUMMARY
    assert caller.seat is not None and context.user_data is not None
    draft = draft_of(context)
    try:
        data = build_input(
            AthleteCreate,
            today(context),
            **{field: draft.get(field) for field in ORDER},
        )
    except DomainError as error:
        await answer(update, context, error.message, alert=True)
        return SUMMARY
    athlete = await q.create_athlete(
        context.session,
        organization_id=caller.seat.organization_id,
        data=data,
        athlete_id=draft["id"],
    )
    context.user_data.pop(DRAFT_KEY, None)
    card = await card_text(context, athlete)
    async with best_effort(update, context):
        await answer(update, context, texts.SAVED)
        await show(update, context, texts.athlete_saved(athlete.name))
        await send(update, context, card, keyboards.athlete_card(athlete))
    return ConversationHandler.END


@transactional
async def pick_field(update: Update, context: SpotterContext) -> str:
    await answer(update, context)
    await show(update, context, texts.PICK_FIELD_TO_EDIT, keyboards.add_pick_field())
    return PICK_FIELD


@transactional
async def edit_field(update: Update, context: SpotterContext) -> str:
    data = update.callback_query.data if update.callback_query else None
    field = cb.ADD_EDIT_FIELD.unpack(data)["field"]
    if field not in ORDER:
        raise cb.BadCallback(data)
    draft_of(context)["editing"] = field
    await answer(update, context)
    return await ask(update, context, field)


@transactional
async def cancel_add(update: Update, context: SpotterContext) -> int:
    assert context.user_data is not None
    context.user_data.pop(DRAFT_KEY, None)
    await answer(update, context)
    await send(update, context, texts.CANCELLED)
    return ConversationHandler.END


@transactional
async def open_existing(update: Update, context: SpotterContext) -> str | int:
    """The coach chose the athlete who already has this email: drop the draft, open the card."""
    caller = await load_coach(update, context)
    if caller is None:
        return EMAIL
    data = update.callback_query.data if update.callback_query else None
    athlete = await load_athlete(
        update, context, caller, cb.ADD_OPEN_EXISTING.unpack(data)["athlete"]
    )
    if athlete is None:
        return EMAIL
    assert context.user_data is not None
    context.user_data.pop(DRAFT_KEY, None)
    await answer(update, context)
    await send(update, context, await card_text(context, athlete), keyboards.athlete_card(athlete))
    return ConversationHandler.END


async def stray_command(update: Update, context: SpotterContext) -> None:
    await send_hint(update, context, texts.mid_conversation_hint(texts.ADD_WHAT))


async def send_hint(update: Update, context: SpotterContext, text: str) -> None:
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, text)


async def stale_button(update: Update, context: SpotterContext) -> None:
    await answer(update, context, texts.BUTTON_FROM_EARLIER_STEP)


async def closed_form_button(update: Update, context: SpotterContext) -> None:
    """A Save/Edit/Cancel press on a summary whose form has ended (e.g. a second Save)."""
    await answer(update, context, texts.FORM_CLOSED, alert=True)


# --- edit one field of an existing athlete -------------------------------------------------------


@transactional
async def start_edit(update: Update, context: SpotterContext) -> str | int:
    caller = await load_coach(update, context)
    if caller is None:
        return ConversationHandler.END
    data = update.callback_query.data if update.callback_query else None
    fields = cb.ATHLETE_EDIT_FIELD.unpack(data)
    if fields["field"] not in ORDER:
        raise cb.BadCallback(data)
    athlete = await load_athlete(update, context, caller, fields["athlete"])
    if athlete is None:
        return ConversationHandler.END
    assert context.user_data is not None
    context.user_data[EDIT_KEY] = {"athlete": athlete.id, "field": fields["field"]}
    await answer(update, context)
    markup = (
        keyboards.gender_choices(cb.ATHLETE_EDIT_GENDER, athlete.id)
        if fields["field"] == GENDER
        else None
    )
    prompt = texts.ask_new_value(fields["field"], athlete.name, fields["field"] in OPTIONAL)
    await send(update, context, prompt, markup)
    return EDIT_VALUE


async def apply_edit(update: Update, context: SpotterContext, value: str | None) -> str | int:
    caller = await load_coach(update, context)
    assert context.user_data is not None
    edit = context.user_data.get(EDIT_KEY)
    if caller is None or not edit:
        return ConversationHandler.END
    assert caller.seat is not None
    field = edit["field"]
    try:
        athlete = await q.update_athlete(
            context.session,
            organization_id=caller.seat.organization_id,
            athlete_id=edit["athlete"],
            changes=build_input(AthleteUpdate, today(context), **{field: value}),
        )
    except DomainError as error:
        await send(update, context, texts.field_error(error.message))
        if isinstance(error, NotFound):
            context.user_data.pop(EDIT_KEY, None)
            return ConversationHandler.END
        return EDIT_VALUE
    context.user_data.pop(EDIT_KEY, None)
    await answer(update, context, texts.field_updated(field))
    await send(update, context, texts.field_updated(field))
    await send(update, context, await card_text(context, athlete), keyboards.athlete_card(athlete))
    return ConversationHandler.END


@transactional
async def receive_edit(update: Update, context: SpotterContext) -> str | int:
    assert update.message is not None and update.message.text is not None
    assert context.user_data is not None
    edit = context.user_data.get(EDIT_KEY) or {}
    field = edit.get("field", NAME)
    try:
        value = clean_field(
            field,
            update.message.text,
            region=context.settings.default_phone_region,
            today=today(context),
        )
    except ValueError as error:
        await send(update, context, texts.field_error(str(error)))
        return EDIT_VALUE
    return await apply_edit(update, context, value)


@transactional
async def skip_edit(update: Update, context: SpotterContext) -> str | int:
    assert context.user_data is not None
    edit = context.user_data.get(EDIT_KEY) or {}
    if edit.get("field") not in OPTIONAL:
        await send(update, context, texts.NAME_REQUIRED)
        return EDIT_VALUE
    return await apply_edit(update, context, None)


@transactional
async def choose_edit_gender(update: Update, context: SpotterContext) -> str | int:
    data = update.callback_query.data if update.callback_query else None
    try:
        gender = AthleteGender(cb.ATHLETE_EDIT_GENDER.unpack(data)["gender"])
    except ValueError:
        raise cb.BadCallback(data) from None
    return await apply_edit(update, context, gender.value)


@transactional
async def cancel_edit(update: Update, context: SpotterContext) -> int:
    assert context.user_data is not None
    context.user_data.pop(EDIT_KEY, None)
    await send(update, context, texts.CANCELLED)
    return ConversationHandler.END


async def stray_command_in_edit(update: Update, context: SpotterContext) -> None:
    await send_hint(update, context, texts.mid_conversation_hint(texts.EDIT_WHAT))
