"""The athlete's day: /today (the session with loads worked out), /week, logging from the
session message (done as prescribed, a typed line, skip), and finishing with RPE and minutes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardMarkup, Update

from bot.context import SpotterContext
from bot.replies import answer, send, show
from bot.training import keyboards, texts
from bot.training.common import Profile, Team, own_profile, team_today
from bot.training.maxes import TYPING, caller_profiles, set_pending
from bot.training.notices import queue_record_notice
from storage.models.programs import ProgramSession
from storage.models.training import TrainingSession
from storage.prescriptions import Prescription
from storage.queries import training as q
from storage.training.logparse import LogError, LoggedSet, parse_log_line
from storage.training.plan import WorkedSet, as_prescribed, snapshot, work_out
from storage.training.records import PersonalRecord
from storage.training.schedule import next_session, sessions_on, week_dates

MESSAGE_LIMIT = 4000  # Telegram allows 4096 UTF-16 units; leave room for the emoji


@dataclass(frozen=True)
class EntryView:
    entry: q.DayEntry
    name: str
    prescription: Prescription
    worked: list[WorkedSet]
    logs: list[q.LogRow]
    max: q.MaxValue | None = None

    @property
    def label(self) -> str:
        group = f"{self.entry.group_label} " if self.entry.group_label else ""
        return f"{group}{self.name}"


@dataclass(frozen=True)
class DayView:
    profile: Profile
    training: TrainingSession
    program_session: q.Slot | None
    entries: list[EntryView]
    week: int | None
    program_name: str | None


def session_title(program_session: ProgramSession | q.Slot) -> str:
    return (
        program_session.title
        or f"Week {program_session.week} · {texts.WEEKDAYS[program_session.weekday - 1]}"
    )


def ended_on(ended_at: datetime | None, team: Team) -> date | None:
    if ended_at is None:
        return None
    return ended_at.astimezone(ZoneInfo(team.timezone)).date()


# --- building the day ------------------------------------------------------------------------


async def load_day(
    session: AsyncSession,
    profile: Profile,
    training: TrainingSession,
    slot: q.Slot | None,
    program_name: str | None,
) -> DayView:
    """The day with loads worked out: one read (entries, maxes, what is logged), for the
    program session `slot` the caller already has (q.find_training_day, or today's plan)."""
    team = profile.team
    entries: list[EntryView] = []
    if slot is not None:
        planned = await q.day_entries(
            session,
            organization_id=team.id,
            athlete_id=profile.athlete.id,
            program_session_id=slot.id,
            training_session_id=training.id,
        )
        for item in planned:
            prescription = item.read_prescription()
            worked = work_out(
                prescription.sets,
                max_kg=item.max.kg if item.max else None,
                unit=team.unit,
                increment=team.increment,
            )
            entries.append(
                EntryView(item, item.exercise_name, prescription, worked, item.logs, item.max)
            )
    week = slot.week if slot is not None else None
    return DayView(profile, training, slot, entries, week, program_name)


async def load_pressed_day(session: AsyncSession, pressed: Pressed) -> DayView:
    return await load_day(
        session, pressed.profile, pressed.training, pressed.slot, pressed.program_name
    )


def render_entry(view: EntryView, unit: Any, *, details: bool = True) -> str:
    prescription = view.prescription
    return texts.entry_block(
        label=view.entry.group_label,
        name=view.name,
        worked=view.worked,
        tempo=prescription.tempo if details else None,
        rest_seconds=prescription.rest_seconds if details else None,
        note=prescription.note if details else None,
        logs=view.logs,
        unit=unit,
    )


def render_day(view: DayView) -> tuple[str, InlineKeyboardMarkup]:
    team = view.profile.team
    training = view.training
    header = texts.day_header(
        training.scheduled_for,
        training.title or "Session",
        week=view.week,
        program=view.program_name,
    )
    footer = (
        texts.finished_line(training.session_rpe, training.minutes)
        if training.finished_at is not None
        else texts.DAY_FOOTER
    )
    text = ""
    # Full, then without tempo/rest/notes, then names only: never over Telegram's limit.
    for details in (True, False):
        blocks = [render_entry(entry, team.unit, details=details) for entry in view.entries]
        text = "\n\n".join([header, *blocks, footer])
        if len(text) <= MESSAGE_LIMIT:
            break
    else:
        names = [f"• {entry.label}" + (" ✅" if entry.logs else "") for entry in view.entries]
        text = "\n".join([header, *names, "", texts.OPEN_ENTRIES, footer])[:MESSAGE_LIMIT]
    missing: dict[str, str] = {}
    for entry in view.entries:
        if any(w.needs_max for w in entry.worked):
            missing.setdefault(entry.entry.exercise_id, entry.name)
    markup = keyboards.day(
        training.id,
        [(e.entry.id, e.label, bool(e.logs)) for e in view.entries],
        list(missing.items())[:5],
        athlete_id=view.profile.athlete.id,
        finished=training.finished_at is not None,
        day=training.scheduled_for,
    )
    return text, markup


def render_entry_view(view: DayView, entry: EntryView) -> tuple[str, InlineKeyboardMarkup]:
    team = view.profile.team
    header = texts.day_header(
        view.training.scheduled_for,
        view.training.title or "Session",
        week=view.week,
        program=view.program_name,
    )
    sets = [
        f"Set {n}: {texts.sets_text([w], team.unit).removeprefix('1 × ')}"
        for n, w in enumerate(entry.worked, start=1)
    ]
    text = "\n\n".join(
        [header, render_entry(entry, team.unit), "\n".join(sets), texts.ENTRY_FOOTER]
    )
    enter_max = None
    if any(w.needs_max for w in entry.worked):
        enter_max = (view.profile.athlete.id, entry.entry.exercise_id, entry.name)
    markup = keyboards.entry(
        view.training.id, entry.entry.id, logged=bool(entry.logs), enter_max=enter_max
    )
    return text[:MESSAGE_LIMIT], markup


# --- /today ----------------------------------------------------------------------------------


async def today_command(update: Update, context: SpotterContext) -> None:
    _, profiles = await caller_profiles(update, context)
    if not profiles:
        await send(update, context, texts.NOT_AN_ATHLETE)
        return
    if len(profiles) > 1:
        choices = [(p.athlete.id, p.team.name) for p in profiles]
        await send(update, context, texts.PICK_TEAM, keyboards.teams(keyboards.TodayTeam, choices))
        return
    await show_today(update, context, profiles[0])


async def pick_today_team(update: Update, context: SpotterContext) -> None:
    profile = await profile_from_button(update, context, keyboards.TodayTeam)
    if profile is not None:
        await answer(update, context)
        await show_today(update, context, profile)


async def profile_from_button(
    update: Update, context: SpotterContext, kind: keyboards.AthleteChoice
) -> Profile | None:
    data = update.callback_query.data if update.callback_query else None
    athlete_id = kind.unpack(data).athlete
    _, profiles = await caller_profiles(update, context)
    profile = own_profile(profiles, athlete_id)
    if profile is None:
        await answer(update, context, texts.NOT_FOUND, alert=True)
    return profile


async def today_messages(
    session: AsyncSession, profile: Profile, today: date, now: datetime
) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    """What /today shows: a message per session scheduled today (opened on first view), or the
    rest day with the next session, or why there is nothing."""
    team = profile.team
    plan = await q.active_plan(session, organization_id=team.id, athlete_id=profile.athlete.id)
    if plan is None:
        return [(texts.NO_PROGRAM, None)]
    schedule_args: dict[str, Any] = {
        "start_date": plan.assignment.start_date,
        "weeks": plan.program.weeks,
        "sessions": plan.sessions,
        "ended_on": ended_on(plan.assignment.ended_at, team),
    }
    slots = sessions_on(today, **schedule_args)
    if not slots:
        upcoming = next_session(today, **schedule_args)
        if upcoming is None and today > plan.assignment.start_date:
            return [(texts.PROGRAM_OVER, None)]
        text = texts.rest_day(
            today,
            upcoming.day if upcoming else None,
            session_title(upcoming.slot) if upcoming else None,
        )
        return [(text, None)]
    messages: list[tuple[str, InlineKeyboardMarkup | None]] = []
    for slot in slots:
        training = await q.open_training_session(
            session,
            organization_id=team.id,
            athlete_id=profile.athlete.id,
            program_session_id=slot.id,
            scheduled_for=today,
            assignment_id=plan.assignment.id,
            title=session_title(slot),
            now=now,
        )
        view = await load_day(session, profile, training, slot, plan.program.name)
        messages.append(render_day(view))
    return messages


async def show_today(update: Update, context: SpotterContext, profile: Profile) -> None:
    today = team_today(context, profile.team)
    for text, markup in await today_messages(context.session, profile, today, context.now()):
        await send(update, context, text, markup)


# --- buttons on the session message ----------------------------------------------------------


SessionButton = (
    keyboards.DayOpen
    | keyboards.EntryOpen
    | keyboards.EntryDone
    | keyboards.EntryLog
    | keyboards.EntrySkip
    | keyboards.Finish
    | keyboards.FinishRpe
    | keyboards.FinishMinutes
)


@dataclass(frozen=True)
class Pressed:
    profile: Profile
    training: TrainingSession
    entry_id: str | None
    slot: q.Slot | None = None  # the program session the training is for
    program_name: str | None = None

    @classmethod
    def of(cls, profile: Profile, found: q.TrainingDay, entry_id: str | None) -> Pressed:
        return cls(profile, found.training, entry_id, found.slot, found.program_name)


async def load_pressed(
    update: Update, context: SpotterContext, kind: type[SessionButton]
) -> tuple[Pressed, SessionButton] | None:
    """The caller's own training session named by the button; anything else is "not found"."""
    data = update.callback_query.data if update.callback_query else None
    values = kind.unpack(data)
    _, profiles = await caller_profiles(update, context)
    for profile in profiles:
        found = await q.find_training_day(
            context.session, organization_id=profile.team.id, training_session_id=values.session
        )
        if found is not None and found.training.athlete_id == profile.athlete.id:
            return Pressed.of(profile, found, getattr(values, "entry", None)), values
    await answer(update, context, texts.NOT_FOUND, alert=True)
    return None


def find_entry(view: DayView, entry_id: str | None) -> EntryView | None:
    return next((e for e in view.entries if e.entry.id == entry_id), None)


async def open_day(update: Update, context: SpotterContext) -> None:
    found = await load_pressed(update, context, keyboards.DayOpen)
    if found is None:
        return
    pressed, _ = found
    await answer(update, context)
    text, markup = render_day(await load_pressed_day(context.session, pressed))
    await show(update, context, text, markup)


async def open_entry(update: Update, context: SpotterContext) -> None:
    found = await load_pressed(update, context, keyboards.EntryOpen)
    if found is None:
        return
    pressed, _ = found
    view = await load_pressed_day(context.session, pressed)
    entry = find_entry(view, pressed.entry_id)
    if entry is None:
        await answer(update, context, texts.NOT_FOUND, alert=True)
        return
    await answer(update, context)
    if pressed.training.finished_at is not None:
        text, markup = render_day(view)
        await show(update, context, text, markup)
        return
    text, markup = render_entry_view(view, entry)
    await show(update, context, text, markup)


def snapshots(entry: EntryView) -> list[dict[str, Any]]:
    prescription = entry.prescription
    return [
        snapshot(w, tempo=prescription.tempo, rest_seconds=prescription.rest_seconds)
        for w in entry.worked
    ]


async def record_entry(
    session: AsyncSession,
    pressed: Pressed,
    entry: EntryView,
    *,
    sets: Sequence[LoggedSet],
    skipped: bool,
    now: datetime,
) -> q.LogOutcome:
    return await q.log_entry(
        session,
        organization_id=pressed.profile.team.id,
        training_session_id=pressed.training.id,
        exercise_id=entry.entry.exercise_id,
        entry_id=entry.entry.id,
        sets=sets,
        prescribed=snapshots(entry),
        now=now,
        skipped=skipped,
        existing=entry.logs,  # read with the day, in this transaction
    )


async def tell_records(
    update: Update, context: SpotterContext, team: Team, name: str, records: list[PersonalRecord]
) -> None:
    if records:
        lines = [texts.record_line(name, record, team.unit) for record in records]
        await send(update, context, texts.records_message(lines))


def with_logged(view: DayView, entry_id: str, outcome: q.LogOutcome) -> DayView:
    """The day as it is after logging one entry (no second trip to the database)."""
    if outcome.status not in (q.LogStatus.LOGGED, q.LogStatus.UNCHANGED):
        return view
    entries = [
        replace(e, logs=list(outcome.sets)) if e.entry.id == entry_id else e for e in view.entries
    ]
    return replace(view, entries=entries)


async def after_logging(
    update: Update,
    context: SpotterContext,
    view: DayView,
    entry: EntryView,
    outcome: q.LogOutcome,
    done_text: str,
) -> None:
    if outcome.status is q.LogStatus.CLOSED:
        await answer(update, context, texts.SESSION_CLOSED, alert=True)
    elif outcome.status is q.LogStatus.NOT_FOUND:
        await answer(update, context, texts.NOT_FOUND, alert=True)
        return
    elif outcome.status is q.LogStatus.UNCHANGED:
        await answer(update, context, texts.UNCHANGED)
    else:
        await answer(update, context, done_text)
    text, markup = render_day(view)
    await show(update, context, text, markup)
    await tell_records(update, context, view.profile.team, entry.name, outcome.records)


@dataclass(frozen=True)
class Tapped:
    """What a tap on an entry did: `entry` None means no such entry; `outcome` None means the
    entry needs the athlete's own numbers; `view` is the day afterwards."""

    view: DayView
    entry: EntryView | None = None
    outcome: q.LogOutcome | None = None


async def log_as_prescribed(session: AsyncSession, pressed: Pressed, now: datetime) -> Tapped:
    """One tap: every set of the entry as prescribed."""
    view = await load_pressed_day(session, pressed)
    entry = find_entry(view, pressed.entry_id)
    if entry is None:
        return Tapped(view)
    sets = as_prescribed(entry.worked)
    if sets is None:
        return Tapped(view, entry)
    outcome = await record_entry(session, pressed, entry, sets=sets, skipped=False, now=now)
    return Tapped(with_logged(view, entry.entry.id, outcome), entry, outcome)


async def done_as_prescribed(update: Update, context: SpotterContext) -> None:
    found = await load_pressed(update, context, keyboards.EntryDone)
    if found is None:
        return
    pressed, _ = found
    tapped = await log_as_prescribed(context.session, pressed, context.now())
    if tapped.entry is None:
        await answer(update, context, texts.NOT_FOUND, alert=True)
        return
    if tapped.outcome is None:
        await answer(update, context, texts.NEEDS_NUMBERS, alert=True)
        return
    toast = texts.logged_toast(tapped.entry.label)
    await after_logging(update, context, tapped.view, tapped.entry, tapped.outcome, toast)


async def skip_entry(update: Update, context: SpotterContext) -> None:
    found = await load_pressed(update, context, keyboards.EntrySkip)
    if found is None:
        return
    pressed, _ = found
    view = await load_pressed_day(context.session, pressed)
    entry = find_entry(view, pressed.entry_id)
    if entry is None:
        await answer(update, context, texts.NOT_FOUND, alert=True)
        return
    outcome = await record_entry(
        context.session, pressed, entry, sets=[], skipped=True, now=context.now()
    )
    view = with_logged(view, entry.entry.id, outcome)
    await after_logging(update, context, view, entry, outcome, texts.skipped_toast(entry.label))


async def ask_log_line(update: Update, context: SpotterContext) -> str | None:
    found = await load_pressed(update, context, keyboards.EntryLog)
    if found is None:
        return None
    pressed, _ = found
    if pressed.training.finished_at is not None:
        await answer(update, context, texts.SESSION_CLOSED, alert=True)
        return None
    view = await load_pressed_day(context.session, pressed)
    entry = find_entry(view, pressed.entry_id)
    if entry is None:
        await answer(update, context, texts.NOT_FOUND, alert=True)
        return None
    await answer(update, context)
    unit = pressed.profile.team.unit
    prompt = texts.ask_log_line(entry.label, texts.sets_text(entry.worked, unit))
    set_pending(
        context,
        kind="log_line",
        athlete=pressed.profile.athlete.id,
        session=pressed.training.id,
        entry=entry.entry.id,
        prompt=prompt,
    )
    await send(update, context, prompt)
    return TYPING


async def receive_log_line(
    update: Update, context: SpotterContext, pending: dict[str, Any], typed: str
) -> bool:
    """The typed line for an entry. True when the step is over (logged, or nothing to log)."""
    _, profiles = await caller_profiles(update, context)
    profile = own_profile(profiles, str(pending.get("athlete", "")))
    found = None
    if profile is not None:
        found = await q.find_training_day(
            context.session,
            organization_id=profile.team.id,
            training_session_id=str(pending.get("session")),
        )
    if profile is None or found is None or found.training.athlete_id != profile.athlete.id:
        await send(update, context, texts.NOT_FOUND)
        return True
    pressed = Pressed.of(profile, found, str(pending.get("entry")))
    view = await load_pressed_day(context.session, pressed)
    entry = find_entry(view, pressed.entry_id)
    if entry is None:
        await send(update, context, texts.NOT_FOUND)
        return True
    line = parse_log_line(typed, unit=profile.team.unit)
    if isinstance(line, LogError):
        await send(update, context, texts.log_error(line))
        return False
    outcome = await record_entry(
        context.session, pressed, entry, sets=line.sets, skipped=line.skipped, now=context.now()
    )
    if outcome.status is q.LogStatus.CLOSED:
        await send(update, context, texts.SESSION_CLOSED)
        return True
    # What is logged now, and the day with it, are what log_entry returned: nothing is re-read.
    await send(update, context, texts.logged(entry.label, outcome.sets, profile.team.unit))
    text, markup = render_day(with_logged(view, entry.entry.id, outcome))
    await send(update, context, text, markup)
    await tell_records(update, context, profile.team, entry.name, outcome.records)
    return True


# --- finishing -------------------------------------------------------------------------------


async def ask_finish(update: Update, context: SpotterContext) -> None:
    found = await load_pressed(update, context, keyboards.Finish)
    if found is None:
        return
    pressed, _ = found
    if pressed.training.finished_at is not None:
        await answer(update, context, texts.ALREADY_FINISHED, alert=True)
        return
    await answer(update, context)
    await show(update, context, texts.ASK_RPE, keyboards.session_rpe(pressed.training.id))


async def choose_rpe(update: Update, context: SpotterContext) -> None:
    found = await load_pressed(update, context, keyboards.FinishRpe)
    if found is None:
        return
    pressed, values = found
    assert isinstance(values, keyboards.FinishRpe)
    rpe = values.rpe
    if pressed.training.finished_at is not None:
        await answer(update, context, texts.ALREADY_FINISHED, alert=True)
        return
    await answer(update, context)
    await show(update, context, texts.ask_minutes(rpe), keyboards.minutes(pressed.training.id, rpe))


async def choose_minutes(update: Update, context: SpotterContext) -> None:
    found = await load_pressed(update, context, keyboards.FinishMinutes)
    if found is None:
        return
    pressed, values = found
    assert isinstance(values, keyboards.FinishMinutes)
    rpe, minutes = values.rpe, values.minutes
    team = pressed.profile.team
    status = await q.finish_training_session(
        context.session,
        organization_id=team.id,
        training_session_id=pressed.training.id,
        session_rpe=rpe,
        minutes=minutes,
        now=context.now(),
    )
    if status is not q.FinishStatus.FINISHED:
        await answer(update, context, texts.ALREADY_FINISHED, alert=True)
        return
    training = await q.get_training_session(
        context.session, organization_id=team.id, training_session_id=pressed.training.id
    )
    assert training is not None
    await queue_record_notice(
        context, team=team, athlete=pressed.profile.athlete, training=training
    )
    view = await load_day(
        context.session, pressed.profile, training, pressed.slot, pressed.program_name
    )
    logged = sum(1 for e in view.entries if e.logs and not e.logs[0].skipped)
    skipped = sum(1 for e in view.entries if e.logs and e.logs[0].skipped)
    await answer(update, context)
    text, markup = render_day(view)
    await show(update, context, text, markup)
    await send(
        update,
        context,
        texts.finished(training.title, rpe, minutes, logged, skipped, len(view.entries)),
    )


# --- /week -----------------------------------------------------------------------------------


async def week_command(update: Update, context: SpotterContext) -> None:
    _, profiles = await caller_profiles(update, context)
    if not profiles:
        await send(update, context, texts.NOT_AN_ATHLETE)
        return
    if len(profiles) > 1:
        choices = [(p.athlete.id, p.team.name) for p in profiles]
        await send(update, context, texts.PICK_TEAM, keyboards.teams(keyboards.WeekTeam, choices))
        return
    await show_week(update, context, profiles[0])


async def pick_week_team(update: Update, context: SpotterContext) -> None:
    profile = await profile_from_button(update, context, keyboards.WeekTeam)
    if profile is not None:
        await answer(update, context)
        await show_week(update, context, profile)


async def week_rows(
    context: SpotterContext, profile: Profile, today: date
) -> list[tuple[date, str, str]]:
    """(day, title, state) for this week: program sessions and off-plan ones."""
    team = profile.team
    days = week_dates(today)
    trainings = await q.sessions_between(
        context.session,
        organization_id=team.id,
        athlete_id=profile.athlete.id,
        first=days[0],
        last=days[-1],
    )
    logged = await q.logged_entry_ids(
        context.session, organization_id=team.id, training_session_ids=[t.id for t in trainings]
    )
    done = {
        (t.program_session_id, t.scheduled_for)
        for t in trainings
        if t.finished_at is not None or t.id in logged
    }
    rows: list[tuple[date, str, str]] = []
    plan = await q.active_plan(
        context.session, organization_id=team.id, athlete_id=profile.athlete.id
    )
    if plan is not None:
        for day in days:
            for slot in sessions_on(
                day,
                start_date=plan.assignment.start_date,
                weeks=plan.program.weeks,
                sessions=plan.sessions,
                ended_on=ended_on(plan.assignment.ended_at, team),
            ):
                if (slot.id, day) in done:
                    state = "done"
                elif day < today:
                    state = "missed"
                elif day == today:
                    state = "today"
                else:
                    state = "upcoming"
                rows.append((day, session_title(slot), state))
    for training in trainings:
        if training.program_session_id is None:
            rows.append((training.scheduled_for, training.title or "Off-plan", "off"))
    return sorted(rows, key=lambda row: row[0])


async def show_week(update: Update, context: SpotterContext, profile: Profile) -> None:
    today = team_today(context, profile.team)
    rows = await week_rows(context, profile, today)
    title = f"Week of {texts.day_label(week_dates(today)[0])} · {profile.team.name}"
    await send(update, context, texts.week_view(title, rows))
