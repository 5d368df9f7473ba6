"""Readiness checks, progress charts and notification settings."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from telegram import InlineKeyboardButton, Update

from bot import callbacks as cb
from bot.callbacks import BadCallback
from bot.context import SpotterContext, transactional
from bot.core import texts as common_texts
from bot.core.actions import Caller, load_caller
from bot.insight import charts, texts
from bot.insight import keyboards as kb
from bot.replies import answer, notify, send, show
from bot.training.common import Profile, Team, load_profiles, own_profile, team_of, team_today
from storage.insight.readiness import QUESTIONS, Readiness, next_question
from storage.insight.series import e1rm_series, weekly_volume
from storage.models import Athlete, NoticeKind
from storage.queries.insight import (
    get_notice_setting,
    logged_exercises,
    logged_sets,
    save_readiness,
    set_notice_setting,
)
from storage.training.loads import kg_to_unit

VOLUME_WEEKS = 12
CHART_EXERCISES = 8


def button_data(update: Update) -> str | None:
    return update.callback_query.data if update.callback_query else None


# --- readiness -------------------------------------------------------------------------------


def parse_day(raw: str, data: str | None) -> date:
    try:
        return datetime.strptime(raw, "%Y%m%d").date()
    except ValueError as error:
        raise BadCallback(data) from error


def parse_answers(raw: str, data: str | None) -> dict[str, int]:
    digits = "" if raw == "-" else raw
    if len(digits) > len(QUESTIONS) or any(d not in "12345" for d in digits):
        raise BadCallback(data)
    return {question.value: int(d) for question, d in zip(QUESTIONS, digits, strict=False)}


@transactional
async def readiness_command(update: Update, context: SpotterContext) -> None:
    caller = await load_caller(update, context)
    profiles = await load_profiles(context, caller.user.id)
    if not profiles:
        await send(update, context, texts.READINESS_NO_PROFILE)
        return
    if len(profiles) > 1:
        choices = [(p.athlete.id, team_today(context, p.team), p.team.name) for p in profiles]
        await send(update, context, texts.PICK_TEAM, kb.readiness_teams(choices))
        return
    await ask_question(update, context, profiles[0], team_today(context, profiles[0].team), {})


async def ask_question(
    update: Update,
    context: SpotterContext,
    profile: Profile,
    day: date,
    answered: dict[str, int],
    *,
    new_message: bool = True,
) -> None:
    question = next_question(answered)
    assert question is not None
    text = texts.readiness_question(profile.team.name, day, len(answered) + 1, question)
    digits = "".join(str(answered[q.value]) for q in QUESTIONS if q.value in answered)
    markup = kb.readiness_scale(profile.athlete.id, day, digits or "-")
    if new_message:
        await send(update, context, text, markup)
    else:
        await show(update, context, text, markup)


@transactional
async def readiness_button(update: Update, context: SpotterContext) -> None:
    data = button_data(update)
    fields = kb.READINESS.unpack(data)
    day = parse_day(fields["day"], data)
    answered = parse_answers(fields["answers"], data)
    caller = await load_caller(update, context)
    profile = own_profile(await load_profiles(context, caller.user.id), fields["athlete"])
    if profile is None:
        await notify(update, context, common_texts.NOT_FOUND_ALERT, alert=True)
        return
    today = team_today(context, profile.team)
    if day > today:
        raise BadCallback(data)
    if day < today - timedelta(days=1):
        await notify(update, context, texts.READINESS_STALE, alert=True)
        return
    await answer(update, context)
    if next_question(answered) is not None:
        # The first press (from a reminder or the session) opens the check in a new message.
        await ask_question(update, context, profile, day, answered, new_message=not answered)
        return
    readiness = Readiness(**answered)
    await save_readiness(
        context.session,
        organization_id=profile.team.id,
        athlete_id=profile.athlete.id,
        day=day,
        answers=readiness,
        now=context.now(),
    )
    await show(update, context, texts.readiness_saved(readiness.total, readiness.low))


# --- progress charts -------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewed:
    athlete: Athlete
    team: Team
    own: bool  # the caller's own record (athlete) rather than one they coach

    def back(self) -> InlineKeyboardButton | None:
        if self.own:
            return None
        return kb.button(texts.BACK_TO_CARD, cb.AthleteCard(athlete=self.athlete.id).pack())


async def viewable_athlete(
    update: Update, context: SpotterContext, caller: Caller, athlete_id: str
) -> Viewed | None:
    """The athlete if the caller coaches their team or is them; otherwise "not found"."""
    if caller.seat is not None:
        athlete = await context.session.get(Athlete, athlete_id)
        if athlete is not None and athlete.organization_id == caller.seat.organization_id:
            return Viewed(athlete, team_of(caller.seat.organization), own=False)
    profile = own_profile(await load_profiles(context, caller.user.id), athlete_id)
    if profile is not None:
        return Viewed(profile.athlete, profile.team, own=True)
    await notify(update, context, common_texts.NOT_FOUND_ALERT, alert=True)
    return None


async def show_progress(update: Update, context: SpotterContext, viewed: Viewed) -> None:
    exercises = await logged_exercises(
        context.session,
        organization_id=viewed.team.id,
        athlete_id=viewed.athlete.id,
        limit=CHART_EXERCISES,
    )
    await answer(update, context)
    await show(
        update,
        context,
        texts.progress_menu(viewed.athlete.name, bool(exercises), own=viewed.own),
        kb.progress_menu(
            viewed.athlete.id, [(e.exercise_id, e.name) for e in exercises], viewed.back()
        ),
    )


@transactional
async def progress_command(update: Update, context: SpotterContext) -> None:
    caller = await load_caller(update, context)
    profiles = await load_profiles(context, caller.user.id)
    if not profiles:
        await send(update, context, texts.PROGRESS_NO_PROFILE)
        return
    if len(profiles) > 1:
        choices = [(p.athlete.id, p.team.name) for p in profiles]
        await send(update, context, texts.PICK_TEAM, kb.teams(kb.PROGRESS, choices))
        return
    profile = profiles[0]
    await show_progress(update, context, Viewed(profile.athlete, profile.team, own=True))


@transactional
async def progress_button(update: Update, context: SpotterContext) -> None:
    fields = kb.PROGRESS.unpack(button_data(update))
    caller = await load_caller(update, context)
    viewed = await viewable_athlete(update, context, caller, fields["athlete"])
    if viewed is not None:
        await show_progress(update, context, viewed)


async def send_chart(update: Update, context: SpotterContext, png: bytes, caption: str) -> None:
    await context.commit()
    chat = update.effective_chat
    assert chat is not None
    # No buttons on the photo: the menu above it stays, and a photo can't become a text card.
    await context.bot.send_photo(chat.id, photo=png, caption=caption)


@transactional
async def e1rm_chart_button(update: Update, context: SpotterContext) -> None:
    fields = kb.PROGRESS_E1RM.unpack(button_data(update))
    caller = await load_caller(update, context)
    viewed = await viewable_athlete(update, context, caller, fields["athlete"])
    if viewed is None:
        return
    sets = await logged_sets(
        context.session,
        organization_id=viewed.team.id,
        athlete_id=viewed.athlete.id,
        exercise_id=fields["exercise"],
    )
    points = e1rm_series(sets)
    if not points:
        await notify(update, context, texts.NOTHING_TO_CHART, alert=True)
        return
    names = {
        e.exercise_id: e.name
        for e in await logged_exercises(
            context.session, organization_id=viewed.team.id, athlete_id=viewed.athlete.id, limit=50
        )
    }
    exercise = names.get(fields["exercise"], "e1RM")
    unit = viewed.team.unit.value
    await answer(update, context)
    png = await asyncio.to_thread(charts.draw_e1rm_chart, points, title=exercise, unit=unit)
    shown = round(kg_to_unit(max(point.value for point in points), unit), 1)
    caption = texts.e1rm_caption(viewed.athlete.name, exercise, len(points), shown, unit)
    await send_chart(update, context, png, caption)


@transactional
async def volume_chart_button(update: Update, context: SpotterContext) -> None:
    fields = kb.PROGRESS_VOLUME.unpack(button_data(update))
    caller = await load_caller(update, context)
    viewed = await viewable_athlete(update, context, caller, fields["athlete"])
    if viewed is None:
        return
    since = team_today(context, viewed.team) - timedelta(weeks=VOLUME_WEEKS)
    sets = await logged_sets(
        context.session, organization_id=viewed.team.id, athlete_id=viewed.athlete.id, since=since
    )
    volume = weekly_volume(sets, weeks=VOLUME_WEEKS)
    if not volume.weeks:
        await notify(update, context, texts.NOTHING_TO_CHART, alert=True)
        return
    unit = viewed.team.unit.value
    await answer(update, context)
    png = await asyncio.to_thread(
        charts.draw_volume_chart, volume, title="Weekly volume", unit=unit
    )
    caption = texts.volume_caption(viewed.athlete.name, len(volume.weeks), unit)
    await send_chart(update, context, png, caption)


# --- notification settings -------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeItem:
    kind: NoticeKind
    team: Team


async def notice_items(context: SpotterContext, caller: Caller) -> list[NoticeItem]:
    items: list[NoticeItem] = []
    if caller.seat is not None:
        items.append(NoticeItem(NoticeKind.DIGEST, team_of(caller.seat.organization)))
    for profile in await load_profiles(context, caller.user.id):
        items.append(NoticeItem(NoticeKind.REMINDER, profile.team))
    return items


async def render_notifications(update: Update, context: SpotterContext, caller: Caller) -> None:
    items = await notice_items(context, caller)
    if not items:
        await notify(update, context, texts.NOTIFICATIONS_NONE)
        return
    lines = []
    buttons = []
    for item in items:
        setting = await get_notice_setting(
            context.session, organization_id=item.team.id, user_id=caller.user.id, kind=item.kind
        )
        lines.append(
            (item.kind, item.team.name, setting.enabled, setting.minute, item.team.timezone)
        )
        label = f"{texts.KIND_LABEL[item.kind]} · {item.team.name}"
        buttons.append((item.kind, item.team.id, label[:50]))
    await show(update, context, texts.notifications_overview(lines), kb.notifications(buttons))


@transactional
async def notifications_command(update: Update, context: SpotterContext) -> None:
    await render_notifications(update, context, await load_caller(update, context))


@transactional
async def notifications_back(update: Update, context: SpotterContext) -> None:
    kb.NOTICE_BACK.unpack(button_data(update))
    await answer(update, context)
    await render_notifications(update, context, await load_caller(update, context))


async def own_item(
    update: Update, context: SpotterContext, caller: Caller, code: str, team_id: str
) -> NoticeItem | None:
    kind = kb.CODE_KIND.get(code)
    if kind is None:
        raise BadCallback(button_data(update))
    for item in await notice_items(context, caller):
        if item.kind is kind and item.team.id == team_id:
            return item
    await notify(update, context, common_texts.NOT_FOUND_ALERT, alert=True)
    return None


@transactional
async def notification_menu(update: Update, context: SpotterContext) -> None:
    fields = kb.NOTICE_MENU.unpack(button_data(update))
    caller = await load_caller(update, context)
    item = await own_item(update, context, caller, fields["kind"], fields["team"])
    if item is None:
        return
    await answer(update, context)
    await show(
        update,
        context,
        texts.pick_time(item.kind, item.team.name),
        kb.time_picker(item.kind, item.team.id),
    )


def parse_time_value(raw: str, data: str | None) -> int | None:
    """ "off" -> None; "HHMM" -> minute of the day."""
    if raw == "off":
        return None
    if len(raw) != 4 or not raw.isdigit() or int(raw[:2]) > 23 or int(raw[2:]) > 59:
        raise BadCallback(data)
    return int(raw[:2]) * 60 + int(raw[2:])


@transactional
async def notification_set(update: Update, context: SpotterContext) -> None:
    data = button_data(update)
    fields = kb.NOTICE_SET.unpack(data)
    minute = parse_time_value(fields["value"], data)
    caller = await load_caller(update, context)
    item = await own_item(update, context, caller, fields["kind"], fields["team"])
    if item is None:
        return
    saved = await set_notice_setting(
        context.session,
        organization_id=item.team.id,
        user_id=caller.user.id,
        kind=item.kind,
        enabled=minute is not None,
        minute=minute,
    )
    await answer(update, context, texts.notification_saved(item.kind, saved.enabled, saved.minute))
    await render_notifications(update, context, caller)
