"""/maxes for athletes (list, enter `Back squat 140`) and typed maxes; /log off-plan sessions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import SpotterContext
from bot.core.actions import Caller, load_caller
from bot.replies import answer, send, show
from bot.training import keyboards, texts
from bot.training.common import (
    PENDING_KEY,
    Profile,
    command_text,
    load_profiles,
    own_profile,
    resolve_exercise,
    team_today,
)
from bot.training.notices import queue_record_notice
from storage.errors import NotFound
from storage.models.training import Max, MaxSource
from storage.queries.exercises import get_exercise
from storage.queries.training import (
    MaxLine,
    delete_max,
    entered_max,
    list_maxes,
    log_off_plan,
    record_max,
)
from storage.training.logparse import (
    DateError,
    LogError,
    LogErrorKind,
    LogLine,
    parse_log_line,
    parse_max,
    split_date,
    split_name,
)

TYPING = "typing"  # the one conversation state: a typed line for what PENDING_KEY says


async def refuse_edit(update: Update, context: SpotterContext) -> bool:
    """An edited message is not new input: saying so beats logging a set twice."""
    if update.edited_message is None:
        return False
    await send(update, context, texts.EDIT_NOT_READ)
    return True


def set_pending(context: SpotterContext, **pending: Any) -> None:
    assert context.user_data is not None
    context.user_data[PENDING_KEY] = pending


def pending_of(context: SpotterContext) -> dict[str, Any] | None:
    if context.user_data is None:
        return None
    value = context.user_data.get(PENDING_KEY)
    return value if isinstance(value, dict) else None


def clear_pending(context: SpotterContext) -> None:
    if context.user_data is not None:
        context.user_data.pop(PENDING_KEY, None)


async def caller_profiles(update: Update, context: SpotterContext) -> tuple[Caller, list[Profile]]:
    caller = await load_caller(update, context)
    return caller, await load_profiles(context, caller.user.id)


# --- /maxes ----------------------------------------------------------------------------------


# Whose entries each side may delete: an athlete their own tested maxes, a coach any.
ATHLETE_DELETES = (MaxSource.TESTED,)
COACH_DELETES = (MaxSource.TESTED, MaxSource.COACH)


def deletable(lines: Sequence[MaxLine], sources: Sequence[MaxSource]) -> list[Max]:
    return [
        line.entered
        for line in lines
        if line.entered is not None and line.entered.source in sources
    ]


async def athlete_maxes_view(
    context: SpotterContext, profile: Profile
) -> tuple[str, InlineKeyboardMarkup | None]:
    lines = await list_maxes(
        context.session, organization_id=profile.team.id, athlete_id=profile.athlete.id
    )
    text = texts.maxes_list(profile.team.name, lines, profile.team.unit, for_coach=False)
    markup = keyboards.athlete_maxes(
        profile.athlete.id, deletable=bool(deletable(lines, ATHLETE_DELETES))
    )
    return text, markup


async def show_maxes(update: Update, context: SpotterContext, profile: Profile) -> str:
    text, markup = await athlete_maxes_view(context, profile)
    set_pending(context, kind="max", athlete=profile.athlete.id, prompt=texts.MAX_ASK)
    await send(update, context, text, markup)
    return TYPING


async def maxes_command(update: Update, context: SpotterContext) -> str | None:
    if await refuse_edit(update, context):
        return None
    _, profiles = await caller_profiles(update, context)
    if not profiles:
        await send(update, context, texts.NOT_AN_ATHLETE)
        return None
    typed = command_text(update.effective_message.text if update.effective_message else None)
    if len(profiles) > 1:
        set_pending(context, kind="pick_max", text=typed)
        choices = [(p.athlete.id, p.team.name) for p in profiles]
        await send(update, context, texts.PICK_TEAM, keyboards.teams(keyboards.MaxesTeam, choices))
        return None
    if typed:
        await save_typed_max(update, context, profiles[0], typed, source=MaxSource.TESTED)
        return None
    return await show_maxes(update, context, profiles[0])


async def pick_maxes_team(update: Update, context: SpotterContext) -> str | None:
    data = update.callback_query.data if update.callback_query else None
    athlete_id = keyboards.MaxesTeam.unpack(data).athlete
    _, profiles = await caller_profiles(update, context)
    profile = own_profile(profiles, athlete_id)
    if profile is None:
        await answer(update, context, texts.NOT_FOUND, alert=True)
        return None
    await answer(update, context)
    pending = pending_of(context) or {}
    typed = pending.get("text") if pending.get("kind") == "pick_max" else None
    if typed:
        clear_pending(context)
        await save_typed_max(update, context, profile, str(typed), source=MaxSource.TESTED)
        return None
    return await show_maxes(update, context, profile)


async def save_typed_max(
    update: Update,
    context: SpotterContext,
    profile: Profile,
    typed: str,
    *,
    source: MaxSource,
    exercise_id: str | None = None,
    user_id: str | None = None,
) -> bool:
    """`Back squat 140` (or just `140` when the exercise is known). True when saved."""
    team = profile.team
    if exercise_id is None:
        name, value = split_name(typed)
        if not name:
            await send(update, context, texts.NAME_MISSING_MAX)
            return False
        if not value:
            await send(update, context, texts.MAX_VALUE_MISSING)
            return False
    else:
        name, value = "", typed
    kg = parse_max(value, unit=team.unit)
    if isinstance(kg, LogError):
        await send(update, context, texts.max_error(kg))
        return False
    if exercise_id is None:
        resolved = await resolve_exercise(context, organization_id=team.id, name=name)
        if resolved.exercise_id is None:
            await send(update, context, texts.unknown_exercise(name, resolved.suggestions))
            return False
        exercise_id, name = resolved.exercise_id, resolved.name
    else:
        try:
            exercise = await get_exercise(
                context.session, organization_id=team.id, exercise_id=exercise_id
            )
        except NotFound:
            await send(update, context, texts.NOT_FOUND)
            return True
        name = exercise.name
    await record_max(
        context.session,
        organization_id=team.id,
        athlete_id=profile.athlete.id,
        exercise_id=exercise_id,
        kg=kg,
        measured_on=team_today(context, team),
        source=source,
        created_by=user_id,
        now=context.now(),
    )
    await send(update, context, texts.max_saved(name, kg, team.unit))
    return True


async def enter_max_for(update: Update, context: SpotterContext) -> str | None:
    """From a "no max yet" hint on the session: type the number for that exercise."""
    data = update.callback_query.data if update.callback_query else None
    values = keyboards.MaxEnter.unpack(data)
    _, profiles = await caller_profiles(update, context)
    profile = own_profile(profiles, values.athlete)
    if profile is None:
        await answer(update, context, texts.NOT_FOUND, alert=True)
        return None
    try:
        exercise = await get_exercise(
            context.session, organization_id=profile.team.id, exercise_id=values.exercise
        )
    except NotFound:
        await answer(update, context, texts.NOT_FOUND, alert=True)
        return None
    await answer(update, context)
    prompt = texts.ask_max_for(exercise.name, profile.team.unit)
    set_pending(
        context, kind="max_for", athlete=profile.athlete.id, exercise=exercise.id, prompt=prompt
    )
    await send(update, context, prompt)
    return TYPING


# --- /log (off-plan) -------------------------------------------------------------------------


async def log_command(update: Update, context: SpotterContext) -> None:
    if await refuse_edit(update, context):
        return
    _, profiles = await caller_profiles(update, context)
    if not profiles:
        await send(update, context, texts.NOT_AN_ATHLETE)
        return
    typed = command_text(update.effective_message.text if update.effective_message else None)
    if not typed:
        await send(update, context, texts.LOG_USAGE)
        return
    if len(profiles) > 1:
        set_pending(context, kind="pick_log", text=typed)
        choices = [(p.athlete.id, p.team.name) for p in profiles]
        await send(update, context, texts.PICK_TEAM, keyboards.teams(keyboards.LogTeam, choices))
        return
    await log_off_plan_line(update, context, profiles[0], typed)


async def pick_log_team(update: Update, context: SpotterContext) -> None:
    data = update.callback_query.data if update.callback_query else None
    athlete_id = keyboards.LogTeam.unpack(data).athlete
    _, profiles = await caller_profiles(update, context)
    profile = own_profile(profiles, athlete_id)
    pending = pending_of(context) or {}
    if profile is None or pending.get("kind") != "pick_log":
        await answer(
            update, context, texts.NOT_FOUND if profile is None else texts.PICK_EXPIRED, alert=True
        )
        return
    clear_pending(context)
    await answer(update, context)
    await log_off_plan_line(update, context, profile, str(pending.get("text", "")))


async def log_off_plan_line(
    update: Update, context: SpotterContext, profile: Profile, typed: str
) -> None:
    team = profile.team
    today = team_today(context, team)
    day, typed = split_date(typed, today=today)
    if isinstance(day, DateError):
        await send(update, context, texts.date_error(day))
        return
    name, rest = split_name(typed)
    if not name:
        await send(update, context, texts.NAME_MISSING)
        return
    line = parse_log_line(rest, unit=team.unit)
    if isinstance(line, LogLine) and line.skipped:
        line = LogError(LogErrorKind.UNREADABLE, rest)
    if isinstance(line, LogError):
        if line.kind is LogErrorKind.EMPTY:
            line = LogError(LogErrorKind.REPS_MISSING, typed)
        await send(update, context, texts.log_error(line, examples=texts.LOG_USAGE))
        return
    resolved = await resolve_exercise(context, organization_id=team.id, name=name)
    if resolved.exercise_id is None:
        await send(update, context, texts.unknown_exercise(name, resolved.suggestions))
        return
    training, outcome = await log_off_plan(
        context.session,
        organization_id=team.id,
        athlete_id=profile.athlete.id,
        exercise_id=resolved.exercise_id,
        day=day or today,
        sets=line.sets,
        title="Off-plan",
        now=context.now(),
    )
    await queue_record_notice(context, team=team, athlete=profile.athlete, training=training)
    await send(
        update,
        context,
        texts.off_plan_logged(
            resolved.name, outcome.sets, team.unit, None if day in (None, today) else day
        ),
    )
    if outcome.records:
        lines = [texts.record_line(resolved.name, r, team.unit) for r in outcome.records]
        await send(update, context, texts.records_message(lines))


# --- deleting a max (athlete: /maxes; the coach's card uses the same steps) -----------------

MaxesView = Callable[[SpotterContext, Profile], Awaitable[tuple[str, InlineKeyboardMarkup | None]]]


@dataclass(frozen=True)
class DeleteSteps:
    """What differs between the athlete's way through deleting a max (/maxes) and the coach's
    (the athlete card): which entries it may delete, its buttons, and the maxes list it returns to
    (``maxes`` opens it, ``view`` draws it)."""

    sources: Sequence[MaxSource]
    ask: keyboards.DeleteAsk
    delete: keyboards.DeleteDo
    maxes: keyboards.MaxesList
    view: MaxesView

    def back(self, athlete_id: str, text: str = texts.KEEP_IT) -> InlineKeyboardButton:
        return keyboards.button(text, self.maxes(athlete=athlete_id).pack())


async def pick_max_to_delete(
    update: Update, context: SpotterContext, profile: Profile, steps: DeleteSteps
) -> None:
    lines = await list_maxes(
        context.session, organization_id=profile.team.id, athlete_id=profile.athlete.id
    )
    unit = profile.team.unit
    names = {line.exercise_id: line.exercise_name for line in lines}
    choices = [
        (row.id, texts.max_label(names[row.exercise_id], row.kg, row.source, row.measured_on, unit))
        for row in deletable(lines, steps.sources)
    ]
    if not choices:
        await answer(update, context, texts.NOTHING_TO_DELETE, alert=True)
        return
    await answer(update, context)
    back = steps.back(profile.athlete.id, texts.BACK_TO_MAXES)
    markup = keyboards.delete_picker(steps.ask, profile.athlete.id, choices, back)
    await show(update, context, texts.DELETE_WHICH, markup)


async def ask_to_delete_max(
    update: Update, context: SpotterContext, profile: Profile, max_id: str, steps: DeleteSteps
) -> None:
    found = await entered_max(
        context.session,
        organization_id=profile.team.id,
        athlete_id=profile.athlete.id,
        max_id=max_id,
        sources=steps.sources,
    )
    if found is None:  # deleted meanwhile, or never this athlete's: nothing to show
        await answer(update, context, texts.MAX_GONE, alert=True)
        return
    await answer(update, context)
    question = texts.delete_max_question(
        found.exercise_name, found.kg, found.source, found.measured_on, profile.team.unit
    )
    await show(
        update,
        context,
        question,
        keyboards.delete_confirm(
            steps.delete, profile.athlete.id, found.id, steps.back(profile.athlete.id)
        ),
    )


async def delete_chosen_max(
    update: Update, context: SpotterContext, profile: Profile, max_id: str, steps: DeleteSteps
) -> None:
    """Delete it, say so (a toast) and show the list again; a second tap finds it gone and
    deletes nothing."""
    deleted = await delete_max(
        context.session,
        organization_id=profile.team.id,
        athlete_id=profile.athlete.id,
        max_id=max_id,
        sources=steps.sources,
    )
    if deleted is None:
        await answer(update, context, texts.MAX_GONE)
    else:
        unit = profile.team.unit
        await answer(update, context, texts.max_deleted(deleted.exercise_name, deleted.kg, unit))
    text, markup = await steps.view(context, profile)
    await show(update, context, text, markup)


ATHLETE_STEPS = DeleteSteps(
    sources=ATHLETE_DELETES,
    ask=keyboards.MaxDeleteAsk,
    delete=keyboards.MaxDelete,
    maxes=keyboards.MaxesShow,
    view=athlete_maxes_view,
)


async def own_profile_from(
    update: Update, context: SpotterContext, athlete_id: str
) -> Profile | None:
    _, profiles = await caller_profiles(update, context)
    profile = own_profile(profiles, athlete_id)
    if profile is None:
        await answer(update, context, texts.NOT_FOUND, alert=True)
    return profile


async def athlete_delete_pick(update: Update, context: SpotterContext) -> None:
    data = update.callback_query.data if update.callback_query else None
    values = keyboards.MaxDeletePick.unpack(data)
    profile = await own_profile_from(update, context, values.athlete)
    if profile is not None:
        await pick_max_to_delete(update, context, profile, ATHLETE_STEPS)


async def athlete_delete_ask(update: Update, context: SpotterContext) -> None:
    data = update.callback_query.data if update.callback_query else None
    values = keyboards.MaxDeleteAsk.unpack(data)
    profile = await own_profile_from(update, context, values.athlete)
    if profile is not None:
        await ask_to_delete_max(update, context, profile, values.row, ATHLETE_STEPS)


async def athlete_delete(update: Update, context: SpotterContext) -> None:
    data = update.callback_query.data if update.callback_query else None
    values = keyboards.MaxDelete.unpack(data)
    profile = await own_profile_from(update, context, values.athlete)
    if profile is not None:
        await delete_chosen_max(update, context, profile, values.row, ATHLETE_STEPS)


async def athlete_maxes_again(update: Update, context: SpotterContext) -> None:
    data = update.callback_query.data if update.callback_query else None
    values = keyboards.MaxesShow.unpack(data)
    profile = await own_profile_from(update, context, values.athlete)
    if profile is None:
        return
    await answer(update, context)
    text, markup = await athlete_maxes_view(context, profile)
    await show(update, context, text, markup)
