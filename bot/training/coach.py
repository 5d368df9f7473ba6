"""The coach's view of an athlete's training, from the athlete card: Program (current, next
session, this week), Log history (paged by session, logged against prescribed), Maxes (view, add,
change), PRs."""

from __future__ import annotations

from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.callbacks import AthleteCard
from bot.context import SpotterContext
from bot.core.actions import Coach, coach_action, coach_step
from bot.replies import answer, send, show
from bot.training import keyboards, maxes, texts
from bot.training.common import Profile, team_of, team_today
from bot.training.day import ended_on, session_title, week_rows
from bot.training.maxes import COACH_DELETES, TYPING, deletable, save_typed_max, set_pending
from storage.models.training import MaxSource
from storage.queries import training as q
from storage.training.schedule import next_session

HISTORY_PAGE = 5
MESSAGE_LIMIT = 4000


def back_to_card(athlete_id: str) -> InlineKeyboardButton:
    return keyboards.button("⬅️ Back to card", AthleteCard(athlete=athlete_id).pack())


async def coach_profile(
    update: Update, context: SpotterContext, coach: Coach, athlete_id: str
) -> Profile | None:
    """The athlete in the coach's team; anything else is "not found"."""
    athlete = await q.athlete_in_team(
        context.session, organization_id=coach.team_id, athlete_id=athlete_id
    )
    if athlete is None:
        await answer(update, context, texts.NOT_FOUND, alert=True)
        return None
    return Profile(athlete, team_of(coach.team))


@coach_action(keyboards.CardProgram)
async def show_program(
    update: Update, context: SpotterContext, coach: Coach, data: keyboards.CardProgram
) -> None:
    profile = await coach_profile(update, context, coach, data.athlete)
    if profile is None:
        return
    team = profile.team
    plan = await q.active_plan(
        context.session, organization_id=team.id, athlete_id=profile.athlete.id
    )
    today = team_today(context, team)
    rows = await week_rows(context, profile, today)
    upcoming = None
    if plan is not None:
        done_today = any(day == today and state == "done" for day, _, state in rows)
        found_next = next_session(
            # Today's session is the next one until it is done.
            today if done_today else today - timedelta(days=1),
            start_date=plan.assignment.start_date,
            weeks=plan.program.weeks,
            sessions=plan.sessions,
            ended_on=ended_on(plan.assignment.ended_at, team),
        )
        if found_next is not None:
            upcoming = (found_next.day, session_title(found_next.slot))
    text = texts.program_summary(
        profile.athlete.name,
        plan.program.name if plan else None,
        plan.assignment.start_date if plan else None,
        upcoming,
        [row for row in rows if row[2] != "off"],
        today,
    )
    await answer(update, context)
    await show(
        update,
        context,
        text,
        keyboards.coach_section(profile.athlete.id, back_to_card(profile.athlete.id)),
    )


@coach_action(keyboards.CardHistory)
async def show_history(
    update: Update, context: SpotterContext, coach: Coach, data: keyboards.CardHistory
) -> None:
    offset = data.offset
    profile = await coach_profile(update, context, coach, data.athlete)
    if profile is None:
        return
    page = await q.log_history(
        context.session,
        organization_id=profile.team.id,
        athlete_id=profile.athlete.id,
        offset=offset,
        limit=HISTORY_PAGE,
    )
    text = texts.history_page(profile.athlete.name, page.items, profile.team.unit, page.total)
    if len(text) > MESSAGE_LIMIT:
        text = text[: MESSAGE_LIMIT - 1] + "…"
    await answer(update, context)
    await show(
        update,
        context,
        text,
        keyboards.history(
            profile.athlete.id,
            page.offset,
            HISTORY_PAGE,
            has_previous=page.has_previous,
            has_next=page.has_next,
            back=back_to_card(profile.athlete.id),
        ),
    )


@coach_action(keyboards.CardMaxes)
async def show_maxes(
    update: Update, context: SpotterContext, coach: Coach, data: keyboards.CardMaxes
) -> None:
    profile = await coach_profile(update, context, coach, data.athlete)
    if profile is None:
        return
    await answer(update, context)
    text, markup = await coach_maxes_view(context, profile)
    await show(update, context, text, markup)


async def coach_maxes_view(
    context: SpotterContext, profile: Profile
) -> tuple[str, InlineKeyboardMarkup]:
    lines = await q.list_maxes(
        context.session, organization_id=profile.team.id, athlete_id=profile.athlete.id
    )
    text = texts.maxes_list(profile.athlete.name, lines, profile.team.unit, for_coach=True)
    markup = keyboards.coach_maxes(
        profile.athlete.id,
        back_to_card(profile.athlete.id),
        deletable=bool(deletable(lines, COACH_DELETES)),
    )
    return text, markup


@coach_action(keyboards.CardMaxAdd)
async def ask_max(
    update: Update, context: SpotterContext, coach: Coach, data: keyboards.CardMaxAdd
) -> str | None:
    profile = await coach_profile(update, context, coach, data.athlete)
    if profile is None:
        return None
    await answer(update, context)
    prompt = texts.coach_max_prompt(profile.athlete.name)
    set_pending(context, kind="coach_max", athlete=profile.athlete.id, prompt=prompt)
    await send(update, context, prompt)
    return TYPING


@coach_step(refused=True)
async def receive_max(
    update: Update, context: SpotterContext, coach: Coach, athlete_id: str, typed: str
) -> bool:
    """True when the step is over."""
    profile = await coach_profile(update, context, coach, athlete_id)
    if profile is None:
        return True
    saved = await save_typed_max(
        update, context, profile, typed, source=MaxSource.COACH, user_id=coach.user.id
    )
    if saved:
        text, markup = await coach_maxes_view(context, profile)
        await send(update, context, text, markup)
    return saved


COACH_STEPS = maxes.DeleteSteps(
    sources=COACH_DELETES,
    ask=keyboards.CardMaxDeleteAsk,
    delete=keyboards.CardMaxDelete,
    maxes=keyboards.CardMaxes,
    view=coach_maxes_view,
)


@coach_action(keyboards.CardMaxDeletePick)
async def pick_max_to_delete(
    update: Update, context: SpotterContext, coach: Coach, data: keyboards.CardMaxDeletePick
) -> None:
    profile = await coach_profile(update, context, coach, data.athlete)
    if profile is not None:
        await maxes.pick_max_to_delete(update, context, profile, COACH_STEPS)


@coach_action(keyboards.CardMaxDeleteAsk)
async def ask_to_delete_max(
    update: Update, context: SpotterContext, coach: Coach, data: keyboards.CardMaxDeleteAsk
) -> None:
    profile = await coach_profile(update, context, coach, data.athlete)
    if profile is not None:
        await maxes.ask_to_delete_max(update, context, profile, data.row, COACH_STEPS)


@coach_action(keyboards.CardMaxDelete)
async def delete_max(
    update: Update, context: SpotterContext, coach: Coach, data: keyboards.CardMaxDelete
) -> None:
    profile = await coach_profile(update, context, coach, data.athlete)
    if profile is not None:
        await maxes.delete_chosen_max(update, context, profile, data.row, COACH_STEPS)


@coach_action(keyboards.CardRecords)
async def show_records(
    update: Update, context: SpotterContext, coach: Coach, data: keyboards.CardRecords
) -> None:
    profile = await coach_profile(update, context, coach, data.athlete)
    if profile is None:
        return
    rows = await q.list_records(
        context.session, organization_id=profile.team.id, athlete_id=profile.athlete.id
    )
    await answer(update, context)
    await show(
        update,
        context,
        texts.records_list(profile.athlete.name, rows, profile.team.unit),
        keyboards.coach_section(profile.athlete.id, back_to_card(profile.athlete.id)),
    )
