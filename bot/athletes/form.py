"""/addathlete (a guided form with a summary) and editing one field of an athlete's card.

Both are forms of the form kit (bot.core.forms): the draft lives in user_data (persisted), so a
restart resumes at the same step with the answers given so far, and it carries the new athlete's
id, so pressing Save twice creates one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from telegram import Update

from bot import callbacks as cb
from bot.athletes import keyboards, texts
from bot.athletes.card import card_text, load_athlete
from bot.context import Handler, SpotterContext
from bot.core import texts as core_texts
from bot.core.actions import Coach, button_action, coach_action, today
from bot.core.forms import END, PICK_FIELD, SUMMARY, Form
from bot.replies import answer, best_effort, send, show
from storage import validation
from storage.errors import DomainError, EmailTaken, NotFound, Subject
from storage.queries import athletes as q
from storage.schemas import AthleteCreate, AthleteUpdate, build_input

EDIT_KEY = "athlete_edit"

NAME, EMAIL, PHONE, BIRTHDATE, GENDER, NOTES = (
    "name",
    "email",
    "phone",
    "birthdate",
    "gender",
    "notes",
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
            value, subject=Subject.NOTES, limit=validation.NOTES_MAX
        ),
    }
    if field == GENDER:
        raise ValueError(texts.USE_GENDER_BUTTONS)
    if field not in cleaners:
        raise ValueError(core_texts.TEXT_PLEASE)
    return str(cleaners[field](text))


def with_note(note: str | None, text: str) -> str:
    return f"{note}\n\n{text}" if note else text


# --- /addathlete --------------------------------------------------------------------------------


async def ask(update: Update, context: SpotterContext, step: str, note: str | None) -> None:
    if step == PICK_FIELD:
        await send(
            update,
            context,
            with_note(note, core_texts.PICK_FIELD_TO_EDIT),
            keyboards.add_pick_field(),
        )
        return
    markup = (
        keyboards.gender_choices(lambda g: cb.AddGender(gender=g).pack())
        if step == GENDER
        else None
    )
    await send(update, context, with_note(note, PROMPTS[step]), markup)


async def summary(update: Update, context: SpotterContext, note: str | None) -> None:
    text = texts.draft_summary(ADD.draft(context), today(context))
    await send(update, context, with_note(note, text), keyboards.add_summary())


ADD = Form(
    "add_athlete",
    what=texts.ADD_WHAT,
    order=ORDER,
    ask=ask,
    summary=summary,
    buttons=(
        cb.AddGender,
        cb.AddSave,
        cb.AddEdit,
        cb.AddEditField,
        cb.AddCancel,
        cb.AddOpenExisting,
    ),
    closed=texts.FORM_CLOSED,
)


@coach_action()
async def start_add(update: Update, context: SpotterContext, coach: Coach) -> str:
    ADD.start(context)
    await answer(update, context)
    return await ADD.ask_step(update, context, NAME)


def make_step(step: str) -> Handler[str | None]:
    async def receive(update: Update, context: SpotterContext, coach: Coach) -> str:
        assert update.message is not None and update.message.text is not None
        try:
            value = clean_field(
                step,
                update.message.text,
                region=context.settings.default_phone_region,
                today=today(context),
            )
        except ValueError as error:
            await send(update, context, core_texts.field_error(core_texts.error_text(error)))
            return step
        if step == EMAIL and (taken := await _email_taken(context, coach, value)):
            await send(
                update,
                context,
                texts.email_taken(taken.athlete_name),
                keyboards.open_existing(taken.athlete_id, taken.athlete_name),
            )
            return step
        ADD.draft(context)[step] = value
        if step == NAME:
            await warn_namesakes(update, context, coach, value)
        if step == BIRTHDATE:
            # Read the date back in words: "3 April 2001", never a bare 03/04.
            born = texts.birthdate_read_back(date.fromisoformat(value), today(context))
            await send(update, context, born)
        return await ADD.advance(update, context, step)

    receive.__name__ = f"receive_{step}"
    return coach_action()(receive)


async def _email_taken(context: SpotterContext, coach: Coach, email: str) -> EmailTaken | None:
    """Storage's one email rule, asked at the step so the coach can open the other athlete."""
    try:
        await q.check_email_free(context.session, organization_id=coach.team_id, email=email)
    except EmailTaken as taken:
        return taken
    return None


async def warn_namesakes(update: Update, context: SpotterContext, coach: Coach, name: str) -> None:
    """Adding a name the team already has: say so (with a way to open theirs), then go on."""
    draft_id = ADD.draft(context).get("id")
    others = await q.find_namesakes(context.session, organization_id=coach.team_id, name=name)
    others = [athlete for athlete in others if athlete.id != draft_id]
    if others:
        first = others[0]
        await send(
            update,
            context,
            texts.namesakes_exist(name, others),
            keyboards.open_existing(first.id, first.name),
        )


def make_skip(step: str) -> Handler[str | None]:
    async def skip(update: Update, context: SpotterContext, coach: Coach) -> str:
        if step not in OPTIONAL:
            await send(update, context, texts.NAME_REQUIRED)
            return step
        ADD.draft(context)[step] = None
        return await ADD.advance(update, context, step)

    skip.__name__ = f"skip_{step}"
    return coach_action()(skip)


@button_action(cb.AddGender)
async def choose_gender(update: Update, context: SpotterContext, data: cb.AddGender) -> str:
    ADD.draft(context)[GENDER] = data.gender.value
    label = texts.GENDER_LABELS[data.gender]
    await answer(update, context, label)
    await show(update, context, texts.ASK_GENDER + f"\n\n✅ {label}")
    return await ADD.advance(update, context, GENDER)


@coach_action(cb.AddSave)
async def save(
    update: Update, context: SpotterContext, coach: Coach, data: cb.AddSave
) -> str | int:
    draft = ADD.draft(context)
    try:
        values = build_input(
            AthleteCreate, today(context), **{field: draft.get(field) for field in ORDER}
        )
    except DomainError as error:
        await answer(update, context, core_texts.error_text(error), alert=True)
        return SUMMARY
    athlete = await q.create_athlete(
        context.session, organization_id=coach.team_id, data=values, athlete_id=draft["id"]
    )
    ADD.close(context)
    card = await card_text(context, athlete)
    async with best_effort(update, context):
        await answer(update, context, texts.SAVED)
        await show(update, context, texts.athlete_saved(athlete.name))
        await send(update, context, card, keyboards.athlete_card(athlete))
    return END


@button_action(cb.AddEdit)
async def pick_field(update: Update, context: SpotterContext, data: cb.AddEdit) -> str:
    await answer(update, context)
    await show(update, context, core_texts.PICK_FIELD_TO_EDIT, keyboards.add_pick_field())
    return PICK_FIELD


@button_action(cb.AddEditField)
async def edit_field(update: Update, context: SpotterContext, data: cb.AddEditField) -> str:
    ADD.edit(context, data.field)
    await answer(update, context)
    return await ADD.ask_step(update, context, data.field)


@button_action(cb.AddCancel)
async def cancel_add(update: Update, context: SpotterContext, data: cb.AddCancel) -> int:
    await answer(update, context)
    await send(update, context, core_texts.CANCELLED)
    return END


@coach_action(cb.AddOpenExisting)
async def open_existing(
    update: Update, context: SpotterContext, coach: Coach, data: cb.AddOpenExisting
) -> int | None:
    """The coach chose the athlete who already has this email or name: drop the draft, open the
    card."""
    athlete = await load_athlete(update, context, coach, data.athlete)
    if athlete is None:
        return None
    await answer(update, context)
    await send(update, context, await card_text(context, athlete), keyboards.athlete_card(athlete))
    return END


# --- edit one field of an existing athlete -------------------------------------------------------


async def ask_edit(update: Update, context: SpotterContext, step: str, note: str | None) -> None:
    assert context.user_data is not None
    edit = context.user_data.get(EDIT_KEY) or {}
    field, athlete_id = edit.get("field", NAME), edit.get("athlete", "")
    markup = (
        keyboards.gender_choices(
            lambda g: cb.AthleteEditGender(athlete=athlete_id, gender=g).pack()
        )
        if field == GENDER
        else None
    )
    prompt = texts.ask_new_value(field, edit.get("name", ""), field in OPTIONAL)
    await send(update, context, with_note(note, prompt), markup)


EDIT = Form(
    "edit_athlete",
    what=texts.EDIT_WHAT,
    ask=ask_edit,
    buttons=(cb.AthleteEditGender,),
    closed=texts.FORM_CLOSED,
    keys=(EDIT_KEY,),
)


@coach_action(cb.AthleteEditField)
async def start_edit(
    update: Update, context: SpotterContext, coach: Coach, data: cb.AthleteEditField
) -> str | None:
    athlete = await load_athlete(update, context, coach, data.athlete)
    if athlete is None:
        return None
    assert context.user_data is not None
    context.user_data[EDIT_KEY] = {"athlete": athlete.id, "field": data.field, "name": athlete.name}
    await answer(update, context)
    return await EDIT.ask_step(update, context, EDIT_VALUE)


async def apply_edit(
    update: Update, context: SpotterContext, coach: Coach, value: str | None
) -> str | int:
    assert context.user_data is not None
    edit = context.user_data.get(EDIT_KEY)
    if not edit:
        return END
    field = edit["field"]
    try:
        athlete = await q.update_athlete(
            context.session,
            organization_id=coach.team_id,
            athlete_id=edit["athlete"],
            changes=build_input(AthleteUpdate, today(context), **{field: value}),
        )
    except EmailTaken as taken:
        await send(update, context, texts.email_taken_on_edit(taken.athlete_name))
        return EDIT_VALUE
    except DomainError as error:
        await send(update, context, core_texts.field_error(core_texts.error_text(error)))
        return END if isinstance(error, NotFound) else EDIT_VALUE
    await answer(update, context, texts.field_updated(field))
    await send(update, context, texts.field_updated(field))
    await send(update, context, await card_text(context, athlete), keyboards.athlete_card(athlete))
    return END


@coach_action()
async def receive_edit(update: Update, context: SpotterContext, coach: Coach) -> str | int:
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
        await send(update, context, core_texts.field_error(core_texts.error_text(error)))
        return EDIT_VALUE
    return await apply_edit(update, context, coach, value)


@coach_action()
async def skip_edit(update: Update, context: SpotterContext, coach: Coach) -> str | int:
    assert context.user_data is not None
    edit = context.user_data.get(EDIT_KEY) or {}
    if edit.get("field") not in OPTIONAL:
        await send(update, context, texts.NAME_REQUIRED)
        return EDIT_VALUE
    return await apply_edit(update, context, coach, None)


@coach_action(cb.AthleteEditGender)
async def choose_edit_gender(
    update: Update, context: SpotterContext, coach: Coach, data: cb.AthleteEditGender
) -> str | int:
    return await apply_edit(update, context, coach, data.gender.value)
