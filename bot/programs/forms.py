"""The programs feature's guided forms (one open form per user, see bot.core.forms):

- /newprogram: name, weeks, weekdays, then week 1's sessions typed or pasted; a preview; Save.
- a session typed from a program's card (Edit, or Add session): preview, Save.
- copy a week onto later weeks with a progression.
- assign a program to athletes (multi-select from the roster) from a start date.

Nothing is written before the last step's confirmation; bad input of any kind is answered and
the step stays where it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from datetime import date, datetime, timedelta
from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup, Update

from bot.context import SpotterContext
from bot.core import texts as core_texts
from bot.core.actions import Coach, coach_action
from bot.core.forms import END, SUMMARY, Form
from bot.programs import handlers, sessions, texts
from bot.programs import keyboards as kb
from bot.replies import answer, best_effort, notify, send, show
from storage.errors import Conflict, InvalidInput, NotFound
from storage.models import AthleteStatus, User
from storage.prescriptions import (
    LineError,
    ParsedEntry,
    Progression,
    ProgressionKind,
    Unit,
    parse_line,
    parse_progression,
)
from storage.prescriptions import render_progression as progression_text
from storage.queries import programs as q
from storage.queries.outbox import enqueue_message
from storage.validation import utf16_len

NAME, WEEKS, DAYS, SESSION, RESOLVE, PATTERN = (
    "name",
    "weeks",
    "days",
    "session",
    "resolve",
    "pattern",
)
TARGETS, PROGRESSION = "targets", "progression"
PICK, START = "pick", "start"
ASSIGNED_NOTICE = "programs.assigned"
ASSIGN_PAGE = 8
# Sets x reps or a load: not an exercise name (`5x5`, `3 X 8`, `@ 80%`).
SETS_OR_LOAD = re.compile(r"\d\s*[x×X*]\s*(\d|amrap)|@", re.IGNORECASE)


def _unit(draft: dict[str, Any]) -> Unit:
    return "lb" if draft.get("unit") == "lb" else "kg"


async def say(
    update: Update,
    context: SpotterContext,
    note: str | None,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """A step's question, after the kit's note (why it is asked again) in the same message."""
    await send(update, context, f"{note}\n\n{text}" if note else text, markup)


async def refuse_edit(update: Update, context: SpotterContext) -> bool:
    """An edited message is not a new answer (it may be an earlier step's): say so, stay."""
    if update.edited_message is None:
        return False
    await send(update, context, texts.EDIT_NOT_READ)
    return True


def _message_text(update: Update) -> str:
    message = update.effective_message
    return message.text or "" if message is not None else ""


# --- the session steps, shared by /newprogram and the card's session form ---------------------


class SessionSteps:
    """Typing a session: text, then settling each unsure exercise name, then `finish`."""

    def __init__(
        self,
        form: Form,
        finish: Callable[[Update, SpotterContext, Coach], Coroutine[Any, Any, str | None]],
    ) -> None:
        self.form = form
        self.finish = finish

    async def ask(
        self, update: Update, context: SpotterContext, step: str, note: str | None
    ) -> bool:
        """Repeat a session step's question; False for steps it doesn't own."""
        draft = self.form.draft(context)
        pending = draft.get("pending")
        if step == RESOLVE and pending is not None:
            index = draft.get("resolving", 0)
            if draft.get("retyping"):
                line = pending["entries"][index]["line"]
                await say(update, context, note, texts.ask_retype(line))
            else:
                await sessions.ask_resolution(update, context, pending, index, note=note)
            return True
        if step == PATTERN and pending is not None:
            entry = pending["entries"][draft.get("resolving", 0)]
            await say(update, context, note, texts.ask_pattern(entry["name"]), kb.pattern_choices())
            return True
        return False

    async def receive_text(
        self, update: Update, context: SpotterContext, coach: Coach
    ) -> str | None:
        if await refuse_edit(update, context):
            return None
        draft = self.form.draft(context)
        result = await sessions.read_session(
            context, organization_id=coach.team_id, text=_message_text(update), unit=_unit(draft)
        )
        if isinstance(result, str):
            await send(update, context, result)
            return None
        draft["pending"] = result
        return await self.settle_next(update, context, coach)

    async def settle_next(
        self, update: Update, context: SpotterContext, coach: Coach
    ) -> str | None:
        draft = self.form.draft(context)
        draft.pop("retyping", None)
        index = sessions.first_unsettled(draft["pending"])
        if index is None:
            return await self.finish(update, context, coach)
        draft["resolving"] = index
        await sessions.ask_resolution(update, context, draft["pending"], index)
        return RESOLVE

    def _pending(self, context: SpotterContext) -> tuple[dict[str, Any], int] | None:
        draft = self.form.draft(context)
        pending = draft.get("pending")
        if not pending:
            return None
        index = int(draft.get("resolving", 0))
        if not 0 <= index < len(pending["entries"]):
            return None
        return pending, index

    async def pick(
        self, update: Update, context: SpotterContext, coach: Coach, data: kb.ResolvePick
    ) -> str | None:
        found = self._pending(context)
        if found is None or not sessions.pick_option(found[0], found[1], data.option):
            await answer(update, context, texts.BUTTON_STALE, alert=True)
            return None
        await answer(update, context)
        return await self.settle_next(update, context, coach)

    async def create(
        self, update: Update, context: SpotterContext, coach: Coach, data: kb.ResolveCreate
    ) -> str | None:
        found = self._pending(context)
        if found is None:
            await answer(update, context, texts.BUTTON_STALE, alert=True)
            return None
        entry = found[0]["entries"][found[1]]
        await answer(update, context)
        await send(update, context, texts.ask_pattern(entry["name"]), kb.pattern_choices())
        return PATTERN

    async def pattern(
        self, update: Update, context: SpotterContext, coach: Coach, data: kb.ResolvePattern
    ) -> str | None:
        found = self._pending(context)
        if found is None:
            await answer(update, context, texts.BUTTON_STALE, alert=True)
            return None
        sessions.choose_create(found[0], found[1], data.move)
        await answer(update, context)
        return await self.settle_next(update, context, coach)

    async def retype(
        self, update: Update, context: SpotterContext, coach: Coach, data: kb.ResolveRetype
    ) -> str | None:
        found = self._pending(context)
        if found is None:
            await answer(update, context, texts.BUTTON_STALE, alert=True)
            return None
        self.form.draft(context)["retyping"] = True
        await answer(update, context)
        await send(update, context, texts.ask_retype(found[0]["entries"][found[1]]["line"]))
        return RESOLVE

    async def receive_name(
        self, update: Update, context: SpotterContext, coach: Coach
    ) -> str | None:
        """A name typed at a resolve (or pattern) step: that line's exercise, looked up again.
        Several lines, or a line with sets and reps, is the session sent again (corrected)."""
        if await refuse_edit(update, context):
            return None
        found = self._pending(context)
        if found is None:
            return None
        text = _message_text(update).strip()
        if "\n" in text or SETS_OR_LOAD.search(text) or isinstance(parse_line(text), ParsedEntry):
            return await self.receive_text(update, context, coach)
        problem = await sessions.retype_name(
            context,
            organization_id=coach.team_id,
            draft=found[0],
            index=found[1],
            text=_message_text(update),
        )
        if problem is not None:
            await send(update, context, problem)
            return None
        return await self.settle_next(update, context, coach)


# --- /newprogram -----------------------------------------------------------------------------


async def ask_new(update: Update, context: SpotterContext, step: str, note: str | None) -> None:
    draft = NEW.draft(context)
    if step == NAME:
        await say(update, context, note, texts.ASK_NAME)
    elif step == WEEKS:
        await say(update, context, note, texts.ASK_WEEKS, kb.weeks_choices())
    elif step == DAYS:
        await say(update, context, note, texts.ASK_DAYS, kb.day_choices(draft.get("days", [])))
    elif step == SESSION:
        days: list[int] = draft["days"]
        index = len(draft.get("sessions", []))
        question = texts.ask_session(days[index], 1, index + 1, len(days), _unit(draft))
        if index and not note:
            last = draft["sessions"][-1]
            done = texts.session_read(days[index - 1], last.get("title"), len(last["entries"]))
            question = f"{done}\n\n{question}"
        await say(update, context, note, question)
    elif step == SUMMARY:
        await new_summary(update, context, note)
    else:
        await NEW_SESSION_STEPS.ask(update, context, step, note)


async def new_summary(update: Update, context: SpotterContext, note: str | None) -> None:
    draft = NEW.draft(context)
    unit = _unit(draft)
    days: list[int] = draft["days"]
    parts = [texts.program_preview_heading(draft["name"], draft["weeks"], days)]
    created = sorted({e["name"] for s in draft["sessions"] for e in s["entries"] if e["create"]})
    if created:
        parts[0] += "\n" + texts.new_exercises_note(created)
    for weekday, session in zip(days, draft["sessions"], strict=True):
        # the title is the block's first line
        heading = f"<b>{texts.WEEKDAY_NAMES[weekday - 1]}</b>"
        parts += sessions.session_messages(heading, session, unit)
    messages = sessions.pack(parts, tail=note or "")
    await sessions.send_messages(update, context, messages, kb.draft_summary())


NEW = Form(
    "new_program",
    what=texts.NEW_WHAT,
    ask=ask_new,
    order=[NAME, WEEKS, DAYS, SESSION],
    summary=new_summary,
    buttons=kb.NEW_FORM_BUTTONS,
    closed=texts.FORM_CLOSED,
    on_cancel=None,
)


async def _start_new(update: Update, context: SpotterContext, coach: Coach) -> str:
    draft = NEW.start(context)
    draft.update(unit=sessions.team_unit(coach.team), days=[], sessions=[])
    await answer(update, context)
    return await NEW.ask_step(update, context, NAME)


@coach_action()
async def start_new(update: Update, context: SpotterContext, coach: Coach) -> str:
    return await _start_new(update, context, coach)


@coach_action(kb.ProgramNew)
async def start_new_button(
    update: Update, context: SpotterContext, coach: Coach, data: kb.ProgramNew
) -> str:
    return await _start_new(update, context, coach)


@coach_action()
async def receive_program_name(update: Update, context: SpotterContext, coach: Coach) -> str | None:
    if await refuse_edit(update, context):
        return None
    try:
        name = q.clean_program_name(_message_text(update))
    except InvalidInput as error:
        await send(update, context, f"⚠️ {core_texts.error_text(error)}")
        return None
    NEW.draft(context)["name"] = name
    return await NEW.ask_step(update, context, WEEKS)


async def _set_weeks(update: Update, context: SpotterContext, weeks: int) -> str:
    NEW.draft(context)["weeks"] = weeks
    return await NEW.ask_step(update, context, DAYS)


@coach_action()
async def receive_weeks(update: Update, context: SpotterContext, coach: Coach) -> str | None:
    if await refuse_edit(update, context):
        return None
    text = _message_text(update).strip()
    if not re.fullmatch(r"\d{1,2}", text) or not 1 <= int(text) <= 52:
        await send(update, context, texts.WEEKS_BAD, kb.weeks_choices())
        return None
    return await _set_weeks(update, context, int(text))


@coach_action(kb.NewWeeks)
async def choose_weeks(
    update: Update, context: SpotterContext, coach: Coach, data: kb.NewWeeks
) -> str:
    await answer(update, context)
    return await _set_weeks(update, context, data.weeks)


@coach_action(kb.NewDay)
async def toggle_day(update: Update, context: SpotterContext, coach: Coach, data: kb.NewDay) -> str:
    draft = NEW.draft(context)
    days: list[int] = draft.setdefault("days", [])
    if data.weekday in days:
        days.remove(data.weekday)
    else:
        days.append(data.weekday)
        days.sort()
    await answer(update, context)
    await show(update, context, texts.ASK_DAYS, kb.day_choices(days))
    return DAYS


@coach_action(kb.NewDaysDone)
async def days_done(
    update: Update, context: SpotterContext, coach: Coach, data: kb.NewDaysDone
) -> str | None:
    draft = NEW.draft(context)
    if not draft.get("days"):
        await answer(update, context, texts.DAYS_NONE, alert=True)
        return None
    draft["sessions"] = []
    await answer(update, context)
    return await NEW.ask_step(update, context, SESSION)


async def _next_new_session(
    update: Update, context: SpotterContext, session: dict[str, Any]
) -> str:
    draft = NEW.draft(context)
    draft["sessions"].append(session)
    draft.pop("pending", None)
    draft.pop("resolving", None)
    if len(draft["sessions"]) < len(draft["days"]):
        return await NEW.ask_step(update, context, SESSION)
    return await NEW.show_summary(update, context)


async def _finish_new_session(update: Update, context: SpotterContext, coach: Coach) -> str:
    return await _next_new_session(update, context, NEW.draft(context)["pending"])


NEW_SESSION_STEPS = SessionSteps(NEW, _finish_new_session)


@coach_action()
async def new_session_text(update: Update, context: SpotterContext, coach: Coach) -> str | None:
    return await NEW_SESSION_STEPS.receive_text(update, context, coach)


@coach_action()
async def skip_new_session(update: Update, context: SpotterContext, coach: Coach) -> str:
    return await _next_new_session(update, context, {"title": None, "entries": []})


async def _write_program(context: SpotterContext, coach: Coach, draft: dict[str, Any]) -> Any:
    program = await q.create_program(
        context.session,
        organization_id=coach.team_id,
        name=draft["name"],
        weeks=draft["weeks"],
        program_id=draft["id"],
    )
    view = await q.get_program_view(
        context.session, organization_id=coach.team_id, program_id=program.id
    )
    if view.sessions:
        return program  # a second Save of the same draft
    for weekday, session in zip(draft["days"], draft["sessions"], strict=True):
        slot = await q.add_session(
            context.session,
            organization_id=coach.team_id,
            program_id=program.id,
            week=1,
            weekday=weekday,
            title=session.get("title"),
        )
        inputs = await sessions.entry_inputs(
            context, organization_id=coach.team_id, user_id=coach.user.id, draft=session
        )
        await q.set_session_entries(
            context.session, organization_id=coach.team_id, session_id=slot.id, entries=inputs
        )
    return program


@coach_action(kb.DraftSave)
async def save_new(
    update: Update, context: SpotterContext, coach: Coach, data: kb.DraftSave
) -> object:
    draft = NEW.draft(context)
    try:
        program = await _write_program(context, coach, draft)
    except (NotFound, Conflict, InvalidInput):
        # An exercise removed or renamed meanwhile: write nothing, keep the preview.
        await context.session.rollback()
        await answer(update, context, texts.SAVE_FAILED, alert=True)
        return END
    async with best_effort(update, context):
        await show(update, context, texts.saved_program(program.name, len(draft["days"])))
        await handlers.render_card(
            update, context, coach, program.id, 1, toast=texts.PROGRAM_SAVED, new_message=True
        )
    return END


@coach_action(kb.DraftCancel)
async def cancel_draft(
    update: Update, context: SpotterContext, coach: Coach, data: kb.DraftCancel
) -> object:
    await answer(update, context)
    await show(update, context, texts.CANCELLED)
    return END


# --- a session typed from a card -------------------------------------------------------------


async def ask_session_form(
    update: Update, context: SpotterContext, step: str, note: str | None
) -> None:
    draft = SESSION_FORM.draft(context)
    if step == SESSION:
        unit = _unit(draft)
        if draft.get("session_id"):
            current = str(draft.get("current") or "")
            question = texts.ask_session_edit(draft.get("label", ""), unit, empty=not current)
            if note:
                question = f"{note}\n\n{question}"
            # The session to copy in the same message as the question (split only if long).
            lines = [escape(line) for line in current.split("\n")] if current else []
            blocks = sessions.chunk(
                lines, wrap=("<pre>", "</pre>"), reserve=utf16_len(question) + 1
            )
            messages = [f"{question}\n{blocks[0]}", *blocks[1:]] if blocks else [question]
            for text in messages:
                await send(update, context, text)
            return
        else:
            question = texts.ask_new_session(draft["weekday"], draft["week"], unit)
        await say(update, context, note, question)
    elif step == SUMMARY:
        await session_preview(update, context, note)
    else:
        await SESSION_STEPS.ask(update, context, step, note)


async def session_preview(update: Update, context: SpotterContext, note: str | None) -> None:
    draft = SESSION_FORM.draft(context)
    pending = draft["pending"]
    heading = "👀 <b>Preview</b> · " + texts.session_heading(
        draft["program_name"],
        draft["week"],
        draft["weekday"],
        None,  # the title: in the block
    )
    created = sorted({e["name"] for e in pending["entries"] if e["create"]})
    if created:
        heading += "\n" + texts.new_exercises_note(created)
    messages = sessions.session_messages(heading, pending, _unit(draft))
    tail = f"{note}\n\nSave it?" if note else "Save it?"
    messages = sessions.pack(messages, tail=tail)
    await sessions.send_messages(update, context, messages, kb.draft_summary())


SESSION_FORM = Form(
    "program_session",
    what=texts.SESSION_WHAT,
    ask=ask_session_form,
    summary=session_preview,
    buttons=kb.NEW_FORM_BUTTONS,
    closed=texts.FORM_CLOSED,
)


async def _finish_session(update: Update, context: SpotterContext, coach: Coach) -> str:
    return await SESSION_FORM.show_summary(update, context)


SESSION_STEPS = SessionSteps(SESSION_FORM, _finish_session)


@coach_action(kb.SessionEdit)
async def start_session_edit(
    update: Update, context: SpotterContext, coach: Coach, data: kb.SessionEdit
) -> str | None:
    try:
        view = await q.get_session_view(
            context.session, organization_id=coach.team_id, session_id=data.session
        )
        program = await q.get_program(
            context.session, organization_id=coach.team_id, program_id=view.session.program_id
        )
    except NotFound:
        await notify(update, context, texts.NOT_FOUND, alert=True)
        return None
    if program.archived_at is not None:
        await notify(update, context, texts.PROGRAM_ARCHIVED, alert=True)
        return None
    slot = view.session
    unit = sessions.team_unit(coach.team)
    draft = SESSION_FORM.start(context)
    label = texts.session_label(slot.weekday, slot.title)
    draft.update(
        unit=unit,
        session_id=slot.id,
        program_id=program.id,
        program_name=program.name,
        week=slot.week,
        weekday=slot.weekday,
        label=f"week {slot.week}, {label}",
    )
    saved = sessions.draft_from_saved(
        slot.title, [(e.entry, e.exercise_name) for e in view.entries], unit
    )
    draft["current"] = sessions.shorthand_text(saved, unit) if saved["entries"] else ""
    await answer(update, context)
    return await SESSION_FORM.ask_step(update, context, SESSION)


@coach_action(kb.SessionAdd)
async def start_session_add(
    update: Update, context: SpotterContext, coach: Coach, data: kb.SessionAdd
) -> str | None:
    try:
        program = await q.get_program(
            context.session, organization_id=coach.team_id, program_id=data.program
        )
    except NotFound:
        await notify(update, context, texts.NOT_FOUND, alert=True)
        return None
    if program.archived_at is not None or data.week > program.weeks:
        await notify(
            update,
            context,
            texts.PROGRAM_ARCHIVED if program.archived_at else texts.NOT_FOUND,
            alert=True,
        )
        return None
    draft = SESSION_FORM.start(context)
    draft.update(
        unit=sessions.team_unit(coach.team),
        session_id=None,
        program_id=program.id,
        program_name=program.name,
        week=data.week,
        weekday=data.weekday,
    )
    await answer(update, context)
    return await SESSION_FORM.ask_step(update, context, SESSION)


@coach_action()
async def session_text(update: Update, context: SpotterContext, coach: Coach) -> str | None:
    return await SESSION_STEPS.receive_text(update, context, coach)


@coach_action(kb.DraftSave)
async def save_session(
    update: Update, context: SpotterContext, coach: Coach, data: kb.DraftSave
) -> object:
    draft = SESSION_FORM.draft(context)
    pending = draft.get("pending")
    if not pending:
        await answer(update, context, texts.BUTTON_STALE, alert=True)
        return None
    try:
        session_id = draft.get("session_id")
        if session_id:
            await q.set_session_title(
                context.session,
                organization_id=coach.team_id,
                session_id=session_id,
                title=pending.get("title"),
            )
        else:
            slot = await q.add_session(
                context.session,
                organization_id=coach.team_id,
                program_id=draft["program_id"],
                week=draft["week"],
                weekday=draft["weekday"],
                title=pending.get("title"),
            )
            session_id = draft["session_id"] = slot.id  # a second Save edits, not adds
        inputs = await sessions.entry_inputs(
            context, organization_id=coach.team_id, user_id=coach.user.id, draft=pending
        )
        await q.set_session_entries(
            context.session, organization_id=coach.team_id, session_id=session_id, entries=inputs
        )
    except NotFound:
        await context.session.rollback()
        await notify(update, context, texts.SAVE_FAILED, alert=True)
        return END
    except (Conflict, InvalidInput):
        await context.session.rollback()
        await notify(update, context, texts.WEEK_FULL, alert=True)
        return END
    async with best_effort(update, context):
        await handlers.show_session(
            update, context, coach, session_id, edit=False, toast=texts.SESSION_SAVED
        )
        # The preview stays as the record of what was sent, without buttons that now do nothing.
        if update.callback_query is not None and update.callback_query.message is not None:
            await update.callback_query.edit_message_reply_markup(None)
    return END


# --- copy a week -----------------------------------------------------------------------------


async def ask_copy(update: Update, context: SpotterContext, step: str, note: str | None) -> None:
    draft = COPY_FORM.draft(context)
    unit = _unit(draft)
    if step == TARGETS:
        question = texts.ask_copy_targets(draft["week"], draft["weeks"])
        await say(update, context, note, question, kb.copy_targets(draft["week"], draft["weeks"]))
    else:
        question = texts.ask_progression(unit, draft["week"], draft["targets"])
        await say(update, context, note, question, kb.progression_choices(unit))


COPY_FORM = Form(
    "copy_week",
    what=texts.COPY_WHAT,
    ask=ask_copy,
    buttons=kb.COPY_FORM_BUTTONS,
    closed=texts.FORM_CLOSED,
)


@coach_action(kb.CopyWeekStart)
async def start_copy(
    update: Update, context: SpotterContext, coach: Coach, data: kb.CopyWeekStart
) -> str | None:
    try:
        program = await q.get_program(
            context.session, organization_id=coach.team_id, program_id=data.program
        )
    except NotFound:
        await notify(update, context, texts.NOT_FOUND, alert=True)
        return None
    if program.archived_at is not None or not data.week < program.weeks:
        await notify(update, context, texts.NOT_FOUND, alert=True)
        return None
    draft = COPY_FORM.start(context)
    draft.update(
        program_id=program.id,
        week=data.week,
        weeks=program.weeks,
        unit=sessions.team_unit(coach.team),
        increment=coach.team.rounding_increment,
    )
    await answer(update, context)
    return await COPY_FORM.ask_step(update, context, TARGETS)


def parse_weeks(text: str, *, weeks: int, source: int) -> list[int] | None:
    """`2-4`, `2, 4`, `3`: the weeks to copy onto (never the source itself)."""
    chosen: set[int] = set()
    for part in re.split(r"[,\s]+", text.strip()):
        if not part:
            continue
        match = re.fullmatch(r"(\d{1,2})(?:[-–](\d{1,2}))?", part)
        if match is None:
            return None
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if not 1 <= low <= high <= weeks:
            return None
        chosen.update(range(low, high + 1))
    chosen.discard(source)
    return sorted(chosen) or None


async def _set_targets(update: Update, context: SpotterContext, targets: list[int]) -> str:
    COPY_FORM.draft(context)["targets"] = targets
    return await COPY_FORM.ask_step(update, context, PROGRESSION)


@coach_action()
async def receive_targets(update: Update, context: SpotterContext, coach: Coach) -> str | None:
    if await refuse_edit(update, context):
        return None
    draft = COPY_FORM.draft(context)
    targets = parse_weeks(_message_text(update), weeks=draft["weeks"], source=draft["week"])
    if targets is None:
        await send(update, context, texts.copy_targets_bad(draft["week"], draft["weeks"]))
        return None
    return await _set_targets(update, context, targets)


@coach_action(kb.CopyTargets)
async def choose_targets(
    update: Update, context: SpotterContext, coach: Coach, data: kb.CopyTargets
) -> str | None:
    draft = COPY_FORM.draft(context)
    targets = [w for w in range(data.first, data.last + 1) if w != draft["week"]]
    if not targets or data.last > draft["weeks"]:
        await answer(update, context, texts.BUTTON_STALE, alert=True)
        return None
    await answer(update, context)
    return await _set_targets(update, context, targets)


async def _copy(
    update: Update, context: SpotterContext, coach: Coach, progression: Progression | None
) -> object:
    draft = COPY_FORM.draft(context)
    unit = _unit(draft)
    try:
        written = await q.copy_week(
            context.session,
            organization_id=coach.team_id,
            program_id=draft["program_id"],
            source_week=draft["week"],
            target_weeks=draft["targets"],
            progression=progression,
            unit=unit,
            increment=float(draft.get("increment") or 2.5),
        )
    except (NotFound, Conflict, InvalidInput):
        await notify(update, context, texts.NOT_FOUND, alert=True)
        return END
    change = progression_text(progression, unit=unit) if progression else None
    await answer(update, context)
    async with best_effort(update, context):
        await send(
            update, context, texts.copied_week(draft["week"], draft["targets"], written, change)
        )
        await handlers.render_card(
            update,
            context,
            coach,
            draft["program_id"],
            draft["targets"][0],
            new_message=True,
            answered=True,
        )
    return END


@coach_action()
async def receive_progression(update: Update, context: SpotterContext, coach: Coach) -> object:
    if await refuse_edit(update, context):
        return None
    draft = COPY_FORM.draft(context)
    text = _message_text(update)
    if text.strip().lower() in ("none", "no", "0", "no change"):
        return await _copy(update, context, coach, None)
    parsed = parse_progression(text, unit=_unit(draft))
    if isinstance(parsed, LineError):
        await send(
            update, context, texts.progression_error(parsed), kb.progression_choices(_unit(draft))
        )
        return None
    return await _copy(update, context, coach, parsed)


@coach_action(kb.CopyProgression)
async def choose_progression(
    update: Update, context: SpotterContext, coach: Coach, data: kb.CopyProgression
) -> object:
    draft = COPY_FORM.draft(context)
    unit = _unit(draft)
    choices: dict[str, Progression | None] = {
        "kg": Progression(ProgressionKind.KG, 2.5),
        "lb": Progression(ProgressionKind.KG, 5 * 0.45359237),
        "pct": Progression(ProgressionKind.PERCENT, 5.0),
        "rep": Progression(ProgressionKind.REPS, 1.0),
        "none": None,
    }
    if data.choice in ("kg", "lb") and data.choice != unit:
        await answer(update, context, texts.BUTTON_STALE, alert=True)
        return None
    return await _copy(update, context, coach, choices[data.choice])


# --- rename, description --------------------------------------------------------------------

RENAME, DESCRIBE = "rename", "describe"


async def ask_details(update: Update, context: SpotterContext, step: str, note: str | None) -> None:
    draft = DETAILS_FORM.draft(context)
    if step == RENAME:
        await say(update, context, note, texts.ask_rename(draft["program_name"]))
    else:
        question = texts.ask_description(draft["program_name"], draft.get("description"))
        await say(update, context, note, question)


DETAILS_FORM = Form(
    "program_details",
    what=texts.DETAILS_WHAT,
    ask=ask_details,
    closed=texts.FORM_CLOSED,
    restarts=True,
)


async def _start_details(
    update: Update, context: SpotterContext, coach: Coach, program_id: str, step: str
) -> str | None:
    program = await handlers.find_program(update, context, coach, program_id, editable=True)
    if program is None:
        return None
    draft = DETAILS_FORM.start(context)
    draft.update(program_id=program.id, program_name=program.name, description=program.description)
    await answer(update, context)
    return await DETAILS_FORM.ask_step(update, context, step)


@coach_action(kb.ProgramRename)
async def start_rename(
    update: Update, context: SpotterContext, coach: Coach, data: kb.ProgramRename
) -> str | None:
    return await _start_details(update, context, coach, data.program, RENAME)


@coach_action(kb.ProgramDescribe)
async def start_describe(
    update: Update, context: SpotterContext, coach: Coach, data: kb.ProgramDescribe
) -> str | None:
    return await _start_details(update, context, coach, data.program, DESCRIBE)


async def _details_done(
    update: Update, context: SpotterContext, coach: Coach, notice: str
) -> object:
    """The notice stays in the chat; the card comes under it, as a new message."""
    async with best_effort(update, context):
        await send(update, context, notice)
        await handlers.render_card(
            update, context, coach, DETAILS_FORM.draft(context)["program_id"], 1, new_message=True
        )
    return END


@coach_action()
async def receive_new_name(update: Update, context: SpotterContext, coach: Coach) -> object:
    if await refuse_edit(update, context):
        return None
    try:
        program = await q.rename_program(
            context.session,
            organization_id=coach.team_id,
            program_id=DETAILS_FORM.draft(context)["program_id"],
            name=_message_text(update),
        )
    except InvalidInput as error:
        await send(update, context, f"⚠️ {core_texts.error_text(error)}")
        return None
    except NotFound:
        await send(update, context, texts.NOT_FOUND)
        return END
    return await _details_done(update, context, coach, texts.renamed(program.name))


async def _describe(
    update: Update, context: SpotterContext, coach: Coach, description: str | None
) -> object:
    try:
        await q.set_program_description(
            context.session,
            organization_id=coach.team_id,
            program_id=DETAILS_FORM.draft(context)["program_id"],
            description=description,
        )
    except InvalidInput as error:
        await send(update, context, f"⚠️ {core_texts.error_text(error)}")
        return None
    except NotFound:
        await send(update, context, texts.NOT_FOUND)
        return END
    notice = texts.DESCRIPTION_SAVED if description is not None else texts.DESCRIPTION_REMOVED
    return await _details_done(update, context, coach, notice)


@coach_action()
async def receive_description(update: Update, context: SpotterContext, coach: Coach) -> object:
    if await refuse_edit(update, context):
        return None
    return await _describe(update, context, coach, _message_text(update))


@coach_action()
async def skip_description(update: Update, context: SpotterContext, coach: Coach) -> object:
    return await _describe(update, context, coach, None)


# --- assign ----------------------------------------------------------------------------------


def _status(draft: dict[str, Any]) -> AthleteStatus | None:
    value = draft.get("status")
    return AthleteStatus(value) if value else None


async def _render_picker(
    update: Update,
    context: SpotterContext,
    *,
    organization_id: str,
    edit: bool,
    note: str | None = None,
) -> None:
    draft = ASSIGN_FORM.draft(context)
    status = _status(draft)
    page = await q.list_assignable_athletes(
        context.session,
        organization_id=organization_id,
        status=status,
        offset=int(draft.get("offset", 0)),
        limit=ASSIGN_PAGE,
    )
    draft["offset"] = page.offset
    label = next(name for value, name in kb.STATUS_FILTERS if value == status).lower()
    text = texts.assign_picker(draft["program_name"], len(draft["chosen"]), page.total, label)
    markup = kb.assign_picker(page, draft["chosen"], status)
    if edit:
        await answer(update, context)
        await show(update, context, text, markup)
    else:
        await say(update, context, note, text, markup)


async def ask_assign(update: Update, context: SpotterContext, step: str, note: str | None) -> None:
    draft = ASSIGN_FORM.draft(context)
    if step == PICK:
        await _render_picker(
            update, context, organization_id=draft["organization_id"], edit=False, note=note
        )
    else:
        today = date.fromisoformat(draft["today"])
        monday = q.next_monday(today)
        await say(
            update,
            context,
            note,
            texts.ask_start(draft["program_name"], today, monday),
            kb.start_choices(texts.day_text(monday)),
        )


ASSIGN_FORM = Form(
    "assign_program",
    what=texts.ASSIGN_WHAT,
    ask=ask_assign,
    buttons=kb.ASSIGN_FORM_BUTTONS,
    closed=texts.FORM_CLOSED,
    button_hint=texts.ASSIGN_BUTTON_HINT,
)


@coach_action(kb.AssignStart)
async def start_assign(
    update: Update, context: SpotterContext, coach: Coach, data: kb.AssignStart
) -> str | None:
    program = await handlers.find_program(update, context, coach, data.program, editable=True)
    if program is None:
        return None
    draft = ASSIGN_FORM.start(context)
    draft.update(
        organization_id=coach.team_id,
        program_id=program.id,
        program_name=program.name,
        chosen=[],
        status=AthleteStatus.ACTIVE.value,
        offset=0,
        today=handlers.team_today(context, coach.team).isoformat(),
    )
    await answer(update, context)
    return await ASSIGN_FORM.ask_step(update, context, PICK)


@coach_action(kb.AssignToggle)
async def toggle_athlete(
    update: Update, context: SpotterContext, coach: Coach, data: kb.AssignToggle
) -> str:
    chosen: list[str] = ASSIGN_FORM.draft(context)["chosen"]
    if data.athlete in chosen:
        chosen.remove(data.athlete)
    elif len(chosen) < 200:
        chosen.append(data.athlete)
    await _render_picker(update, context, organization_id=coach.team_id, edit=True)
    return PICK


@coach_action(kb.AssignFilter)
async def filter_athletes(
    update: Update, context: SpotterContext, coach: Coach, data: kb.AssignFilter
) -> str:
    draft = ASSIGN_FORM.draft(context)
    draft.update(status=data.status.value if data.status else None, offset=0)
    await _render_picker(update, context, organization_id=coach.team_id, edit=True)
    return PICK


@coach_action(kb.AssignPage)
async def page_athletes(
    update: Update, context: SpotterContext, coach: Coach, data: kb.AssignPage
) -> str:
    ASSIGN_FORM.draft(context)["offset"] = data.offset
    await _render_picker(update, context, organization_id=coach.team_id, edit=True)
    return PICK


@coach_action(kb.AssignNext)
async def athletes_chosen(
    update: Update, context: SpotterContext, coach: Coach, data: kb.AssignNext
) -> str | None:
    if not ASSIGN_FORM.draft(context)["chosen"]:
        await answer(update, context, texts.ASSIGN_NONE_CHOSEN, alert=True)
        return None
    await answer(update, context)
    return await ASSIGN_FORM.ask_step(update, context, START)


def parse_start(text: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


async def _assign(update: Update, context: SpotterContext, coach: Coach, start: date) -> object:
    draft = ASSIGN_FORM.draft(context)
    try:
        outcomes = await q.assign_program(
            context.session,
            organization_id=coach.team_id,
            program_id=draft["program_id"],
            athlete_ids=draft["chosen"],
            start_date=start,
            now=context.now(),
        )
    except NotFound:
        await notify(update, context, texts.NOT_FOUND, alert=True)
        return END
    except Conflict:
        await notify(update, context, texts.PROGRAM_ARCHIVED, alert=True)
        return END
    lines = []
    for outcome in outcomes:
        current = await q.get_current_program(
            context.session,
            organization_id=coach.team_id,
            athlete_id=outcome.athlete.id,
            today=start,
        )
        first = current.first_session.on if current and current.first_session else None
        lines.append(
            texts.assigned_line(
                outcome.athlete.name,
                first,
                outcome.replaced.name if outcome.replaced else None,
                outcome.unchanged,
            )
        )
        if outcome.unchanged or outcome.athlete.linked_user_id is None:
            continue
        user = await context.session.get(User, outcome.athlete.linked_user_id)
        if user is None or user.blocked_at is not None:
            continue
        await enqueue_message(
            context.session,
            organization_id=coach.team_id,
            chat_id=user.telegram_user_id,
            kind=ASSIGNED_NOTICE,
            idempotency_key=f"assigned:{outcome.assignment.id}",
            text=texts.athlete_told(draft["program_name"], first, coach.team.name),
            due_at=context.now(),
        )
    await answer(update, context)
    async with best_effort(update, context):
        await send(
            update,
            context,
            texts.assigned(draft["program_name"], lines, start),
            kb.back_to_program(draft["program_id"]),
        )
    return END


@coach_action(kb.AssignWhen)
async def choose_start(
    update: Update, context: SpotterContext, coach: Coach, data: kb.AssignWhen
) -> object:
    today = handlers.team_today(context, coach.team)
    start = today if data.choice == "today" else q.next_monday(today)
    return await _assign(update, context, coach, start)


@coach_action()
async def receive_start(update: Update, context: SpotterContext, coach: Coach) -> object:
    if await refuse_edit(update, context):
        return None
    start = parse_start(_message_text(update))
    if start is None:
        await send(update, context, texts.START_BAD)
        return None
    today = handlers.team_today(context, coach.team)
    if not today - timedelta(days=7) <= start <= today + timedelta(days=365):
        await send(update, context, texts.START_TOO_FAR)
        return None
    return await _assign(update, context, coach, start)
