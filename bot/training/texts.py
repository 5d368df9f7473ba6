"""What the training feature says. User content is escaped here, nowhere else (HTML)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from html import escape
from typing import Any, Protocol

from storage.models.training import MaxSource, SetLog
from storage.training.loads import WeightUnit, format_amount, format_kg, format_load, kg_to_unit
from storage.training.logparse import (
    MAX_KG,
    MAX_REPS,
    MAX_SETS,
    DateError,
    DateErrorKind,
    LogError,
    LogErrorKind,
)
from storage.training.plan import WorkedSet
from storage.training.records import PersonalRecord, RecordKind


class LoggedSet(Protocol):
    """A logged set as shown: a set_logs row (storage.queries.training.LogRow or SetLog)."""

    @property
    def reps(self) -> int | None: ...
    @property
    def kg(self) -> float | None: ...
    @property
    def seconds(self) -> int | None: ...
    @property
    def meters(self) -> float | None: ...
    @property
    def rpe(self) -> float | None: ...
    @property
    def skipped(self) -> bool: ...


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

NOT_AN_ATHLETE = (
    "Training is for athletes on a team. Tap the invite link your coach sent you first."
)
NOT_FOUND = "Not found. It may have been removed, or it isn't yours."
PICK_TEAM = "You train with several teams. Which one?"
NO_PROGRAM = (
    "No program yet: your coach hasn't assigned you one. You can still log training: "
    "<code>/log Squat 3x5 @ 100</code>"
)
PROGRAM_OVER = "Your program has ended. Your coach can assign the next one."
SESSION_CLOSED = "This session is finished: it can't be changed any more."
ALREADY_FINISHED = "Already finished."
UNCHANGED = "Already logged, nothing changed."
NEEDS_NUMBERS = (
    "This one needs your numbers: no max yet to work out the load, or an AMRAP. Tap ✏️ Log "
    "and type what you did."
)
NO_MAX_HINT = "no max yet: log a set or enter one"
ASK_RPE = "How hard was the whole session? <b>RPE 1-10</b> (10 = couldn't have done more)."
LOG_EXAMPLES = (
    "Examples: <code>100x5, 100x5, 105x4</code> · <code>5,5,4 @ 100</code> · "
    "<code>3x5 @ 102.5 @8</code> (RPE 8) · <code>45s</code> · <code>skip</code>"
)
LOG_USAGE = (
    "Log training no program asked for, one exercise a line:\n"
    "<code>/log Squat 3x5 @ 100</code>\n<code>/log Bench 100x5, 100x5, 105x4</code>\n"
    "<code>/log Plank 3x45s</code>\n"
    "Another day first: <code>/log yesterday Bench 5x5 @ 80</code>, "
    "<code>/log 2026-03-01 Squat 3x5 @ 100</code>"
)
MAX_ASK = (
    "Send your max like <code>Back squat 140</code> (exercise, then the weight). /cancel to stop."
)
SETTINGS_ASK_TIMEZONE = (
    "Send the team's time zone as an IANA name, e.g. <code>Europe/Berlin</code>, "
    "<code>America/New_York</code>, <code>Asia/Tokyo</code>, <code>UTC</code>. /cancel to stop."
)
TEXT_PLEASE = "Please answer with a text message, or /cancel."
EDIT_NOT_READ = (
    "✏️ Edits of sent messages aren't read (that could log something twice). Send it again as a "
    "new message. Nothing was saved."
)


# --- prescriptions ---------------------------------------------------------------------------


def _duration(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds}s"
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}:{rest:02d}"


def reps_text(target: Any) -> str:
    if target.seconds is not None:
        return _duration(target.seconds)
    if target.meters is not None:
        return f"{target.meters} m"
    if target.reps is None:
        return "AMRAP"
    text = str(target.reps)
    if target.reps_max is not None:
        text += f"-{target.reps_max}"
    if target.amrap:
        text += "+"
    return text


def load_text(worked: WorkedSet, unit: WeightUnit) -> str:
    target = worked.target
    parts: list[str] = []
    if target.bodyweight:
        parts.append("BW" if worked.load is None else f"BW + {format_load(worked.load)}")
    elif target.percent is not None:
        pct = f"{format_amount(target.percent)}%"
        parts.append(f"{format_load(worked.load)} ({pct})" if worked.load else pct)
    elif worked.load is not None and not worked.suggested:
        parts.append(format_load(worked.load))
    if target.rpe is not None or target.rir is not None:
        effort = (
            f"RPE {format_amount(target.rpe)}" if target.rpe is not None else f"RIR {target.rir}"
        )
        if worked.suggested and worked.load is not None:
            effort += f" (~{format_load(worked.load)})"
        parts.append(effort)
    return " @ ".join(parts)


def sets_text(worked: Sequence[WorkedSet], unit: WeightUnit) -> str:
    """Consecutive equal sets grouped: `3 x 5 @ 112.5 kg (80%)`, then `1 x 3+ @ ...`."""
    groups: list[tuple[int, str]] = []
    for item in worked:
        reps, load = reps_text(item.target), load_text(item, unit)
        text = f"{reps} @ {load}" if load else reps
        if groups and groups[-1][1] == text:
            groups[-1] = (groups[-1][0] + 1, text)
        else:
            groups.append((1, text))
    return ", ".join(f"{count} × {text}" for count, text in groups)


def logged_set_text(row: LoggedSet, unit: WeightUnit) -> str:
    if row.seconds is not None:
        text = _duration(row.seconds)
    elif row.meters is not None:
        text = f"{format_amount(row.meters)} m"
    else:
        text = str(row.reps)
    if row.kg is not None:
        amount = format_amount(round(kg_to_unit(row.kg, unit), 1))
        text = f"{amount}×{text}" if row.reps is not None else f"{text} @ {amount}"
    if row.rpe is not None:
        text += f" @{format_amount(row.rpe)}"
    return text


def logged_text(rows: Sequence[LoggedSet], unit: WeightUnit) -> str:
    if any(row.skipped for row in rows):
        return "⏭ skipped"
    return "✅ " + ", ".join(logged_set_text(row, unit) for row in rows)


def entry_block(
    *,
    label: str | None,
    name: str,
    worked: Sequence[WorkedSet],
    tempo: str | None,
    rest_seconds: int | None,
    note: str | None,
    logs: Sequence[LoggedSet],
    unit: WeightUnit,
) -> str:
    head = f"<b>{escape(label)}.</b> " if label else "• "
    lines = [f"{head}<b>{escape(name)}</b>: {sets_text(worked, unit)}"]
    details = []
    if tempo:
        details.append(f"tempo {escape(tempo)}")
    if rest_seconds:
        details.append(f"rest {_duration(rest_seconds)}")
    if details:
        lines.append("   " + " · ".join(details))
    if note:
        lines.append(f"   <i>{escape(note)}</i>")
    if any(item.needs_max for item in worked):
        lines.append(f"   ⚠️ {NO_MAX_HINT}")
    if logs:
        lines.append("   " + logged_text(logs, unit))
    return "\n".join(lines)


def day_header(day: date, title: str, *, week: int | None, program: str | None) -> str:
    where = f" · week {week} of {escape(program)}" if program and week else ""
    return f"🏋️ <b>{day_label(day)} · {escape(title)}</b>{where}"


def day_label(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day.day} {day.strftime('%b')}"


def finished_line(session_rpe: int | None, minutes: int | None) -> str:
    if session_rpe is None:
        return "🏁 Finished."
    return f"🏁 Finished: session RPE {session_rpe}, {minutes} min."


def rest_day(day: date, next_day: date | None, next_title: str | None) -> str:
    text = f"😴 <b>Rest day</b> ({day_label(day)})."
    if next_day is not None and next_title is not None:
        text += f"\nNext session: <b>{escape(next_title)}</b> on {day_label(next_day)}."
    else:
        text += "\nNo more sessions in your program."
    return text


# --- logging ---------------------------------------------------------------------------------


def ask_log_line(name: str, prescribed: str) -> str:
    return (
        f"✏️ What did you do for <b>{escape(name)}</b>?\nPrescribed: {prescribed}\n\n"
        f"{LOG_EXAMPLES}\n/cancel to stop."
    )


_LOG_ERRORS = {
    LogErrorKind.EMPTY: "That's empty.",
    LogErrorKind.TOO_LONG: "That's too long for one entry.",
    LogErrorKind.UNREADABLE: "I couldn't read <code>{f}</code>.",
    LogErrorKind.NEGATIVE: "<code>{f}</code>: numbers can't be negative.",
    LogErrorKind.REPS_MISSING: "<code>{f}</code>: the reps are missing (e.g. <code>100x5</code>).",
    LogErrorKind.LOAD_MISSING: (
        "The load is missing after <code>@</code> (e.g. <code>@ 100</code>)."
    ),
    LogErrorKind.RPE_MISSING: "The RPE is missing (e.g. <code>@8</code> or <code>rpe 8</code>).",
    LogErrorKind.LOAD_TWICE: "<code>{f}</code>: the load is given twice.",
    LogErrorKind.REPS_RANGE: f"<code>{{f}}</code>: reps must be 1-{MAX_REPS}.",
    LogErrorKind.LOAD_RANGE: (
        f"<code>{{f}}</code>: a load must be above 0 and at most {MAX_KG:.0f} kg."
    ),
    LogErrorKind.SETS_RANGE: (
        f"<code>{{f}}</code>: sets must be 1-{MAX_SETS}. For an RPE after a load, write "
        "<code>100x5 rpe 8</code>."
    ),
    LogErrorKind.RPE_RANGE: "<code>{f}</code>: RPE must be 1-10 in half steps (e.g. 8 or 8.5).",
    LogErrorKind.TIME_RANGE: "<code>{f}</code>: a time must be 1 second to 3 hours.",
    LogErrorKind.DISTANCE_RANGE: "<code>{f}</code>: a distance must be above 0 and at most 10 km.",
    LogErrorKind.TOO_MANY_SETS: f"That's more than {MAX_SETS} sets for one entry.",
}


def log_error(error: LogError, *, examples: str = LOG_EXAMPLES) -> str:
    reason = _LOG_ERRORS[error.kind].format(f=escape(error.fragment[:60]))
    return f"⚠️ {reason} Nothing was saved.\n{examples}"


def logged(name: str, rows: Sequence[LoggedSet], unit: WeightUnit) -> str:
    return f"{logged_text(rows, unit)} <b>{escape(name)}</b>"


def record_line(name: str, record: PersonalRecord, unit: WeightUnit) -> str:
    lift = f"{format_kg(record.kg, unit=unit)} × {record.reps}"
    if record.kind is RecordKind.E1RM:
        best, was = format_kg(record.e1rm or 0, unit=unit), format_kg(record.previous, unit=unit)
        return f"🏆 <b>{escape(name)}</b> {lift}: new best e1RM {best} (was {was})"
    return (
        f"🏆 <b>{escape(name)}</b> {lift}: heaviest for {record.reps} "
        f"(was {format_kg(record.previous, unit=unit)})"
    )


def records_message(lines: Iterable[str]) -> str:
    return "🎉 <b>New PR!</b>\n" + "\n".join(lines)


def coach_records(
    athlete: str, day: date, title: str, rows: Sequence[tuple[str, SetLog]], unit: WeightUnit
) -> str:
    lines = [f"🏆 <b>{escape(athlete)}</b> set PRs · {day_label(day)} · {escape(title)}"]
    for name, row in rows:
        what = "best e1RM" if row.record == RecordKind.E1RM else f"heaviest {row.reps}"
        lines.append(
            f"• {escape(name)} {format_kg(row.kg or 0, unit=unit)} × {row.reps} ({what}"
            + (f", e1RM {format_kg(row.e1rm, unit=unit)})" if row.e1rm else ")")
        )
    return "\n".join(lines)


def finished(
    title: str, session_rpe: int, minutes: int, logged_count: int, skipped: int, total: int
) -> str:
    return (
        f"🏁 <b>{escape(title)}</b> done: session RPE {session_rpe}, {minutes} min. "
        f"{logged_count} of {total} entries logged" + (f", {skipped} skipped." if skipped else ".")
    )


def off_plan_logged(
    name: str, rows: Sequence[LoggedSet], unit: WeightUnit, day: date | None = None
) -> str:
    when = f" for {day_label(day)}" if day is not None else ""
    return f"📝 Off-plan session logged{when}: {logged(name, rows, unit)}"


_DATE_ERRORS = {
    DateErrorKind.NO_SUCH_DAY: "<code>{f}</code> is not a day on the calendar.",
    DateErrorKind.FUTURE: "<code>{f}</code> is in the future: log what was done.",
    DateErrorKind.TOO_OLD: "<code>{f}</code> is more than a year back.",
}


def date_error(error: DateError) -> str:
    reason = _DATE_ERRORS[error.kind].format(f=escape(error.fragment))
    return (
        f"⚠️ {reason} Nothing was saved.\nA date goes first: "
        "<code>/log 2026-03-01 Squat 3x5 @ 100</code> or <code>/log yesterday Squat 3x5</code>."
    )


def unknown_exercise(name: str, suggestions: Sequence[str]) -> str:
    text = f"⚠️ I don't know an exercise called <b>{escape(name[:80])}</b>."
    if suggestions:
        text += " Did you mean: " + ", ".join(f"<b>{escape(s)}</b>" for s in suggestions) + "?"
    return text + " Send it again with the exercise's name. Nothing was saved."


NAME_MISSING = (
    "⚠️ Start with the exercise's name, e.g. <code>Squat 3x5 @ 100</code>. Nothing was saved."
)
MAX_VALUE_MISSING = (
    "⚠️ Put the weight after the name, e.g. <code>Back squat 140</code>. Nothing was saved."
)


# --- maxes -----------------------------------------------------------------------------------

SOURCE_LABELS = {
    MaxSource.TESTED: "tested",
    MaxSource.COACH: "set by coach",
    MaxSource.ESTIMATED: "estimated",
}


def maxes_list(who: str, lines: Sequence[Any], unit: WeightUnit, *, for_coach: bool) -> str:
    """`lines`: storage MaxLine rows."""
    title = f"🏋️ <b>Maxes · {escape(who)}</b>"
    if not lines:
        body = "No maxes yet."
    else:
        rows = []
        for line in lines:
            parts = []
            if line.entered is not None:
                entered = line.entered
                source = SOURCE_LABELS[entered.source]
                when = entered.measured_on.isoformat()
                parts.append(f"{format_kg(entered.kg, unit=unit)} ({source}, {when})")
            if line.estimated_kg is not None:
                parts.append(f"e1RM {format_kg(line.estimated_kg, unit=unit)} from logs")
            rows.append(f"• <b>{escape(line.exercise_name)}</b>: " + " · ".join(parts))
        body = "\n".join(rows)
    how = (
        "To add or change one, send it like <code>Bench 110</code>."
        if for_coach
        else "To enter one, send it like <code>Back squat 140</code>."
    )
    return f"{title}\n{body}\n\n{how}"


DELETE_WHICH = "🗑 Which max should go? The one before it (or the estimate from logs) counts again."
NOTHING_TO_DELETE = "No maxes to delete."
MAX_GONE = "That max is not there any more."
KEEP_IT = "« Keep it"
BACK_TO_MAXES = "« Maxes"


def max_label(name: str, kg: float, source: MaxSource, measured_on: date, unit: WeightUnit) -> str:
    """A button's words for one entered max (not HTML)."""
    return f"{name} {format_kg(kg, unit=unit)} ({SOURCE_LABELS[source]}, {measured_on.isoformat()})"


def delete_max_question(
    name: str, kg: float, source: MaxSource, measured_on: date, unit: WeightUnit
) -> str:
    when = measured_on.isoformat()
    return (
        f"🗑 Delete <b>{escape(name)}</b> {format_kg(kg, unit=unit)} "
        f"({SOURCE_LABELS[source]}, {when})?\n"
        "Loads will come from the max entered before it, or else the estimate from logs."
    )


def max_deleted(name: str, kg: float, unit: WeightUnit) -> str:
    return f"Deleted: {name} {format_kg(kg, unit=unit)}"


def max_saved(name: str, kg: float, unit: WeightUnit) -> str:
    return f"✅ Max saved: <b>{escape(name)}</b> {format_kg(kg, unit=unit)}."


def max_error(error: LogError) -> str:
    return log_error(error, examples="Example: <code>Back squat 140</code>")


# --- week, history, records ------------------------------------------------------------------

WEEK_MARKS = {"done": "✅", "missed": "❌", "today": "👉", "upcoming": "▫️", "off": "📝"}


def week_view(title: str, rows: Sequence[tuple[date, str, str]]) -> str:
    """rows: (day, session title, state in WEEK_MARKS)."""
    lines = [f"🗓 <b>{escape(title)}</b>"]
    if not rows:
        lines.append("No sessions this week.")
    for day, name, state in rows:
        lines.append(f"{WEEK_MARKS[state]} {day_label(day)} · {escape(name)}")
    lines.append("\n✅ done  ❌ missed  👉 today  ▫️ upcoming  📝 off-plan")
    return "\n".join(lines)


def history_page(athlete: str, items: Sequence[Any], unit: WeightUnit, total: int) -> str:
    lines = [f"📒 <b>Log history · {escape(athlete)}</b> ({total} sessions)"]
    if not items:
        lines.append("Nothing logged yet.")
    for item in items:
        training = item.training
        head = (
            f"\n<b>{day_label(training.scheduled_for)} · {escape(training.title or 'Off-plan')}</b>"
        )
        if training.session_rpe is not None:
            head += f" · RPE {training.session_rpe}, {training.minutes} min"
        lines.append(head)
        by_entry: dict[tuple[str | None, str], list[Any]] = {}
        for view in item.sets:
            key = (view.log.entry_id or view.log.exercise_id, view.exercise_name)
            by_entry.setdefault(key, []).append(view.log)
        for (_, name), rows in by_entry.items():
            line = f"• {escape(name)}: {logged_text(rows, unit)}"
            prescribed = _prescribed_text(rows, unit)
            if prescribed:
                line += f" <i>(prescribed {prescribed})</i>"
            lines.append(line)
    return "\n".join(lines)


def _prescribed_text(rows: Sequence[SetLog], unit: WeightUnit) -> str:
    parts: list[str] = []
    for row in rows:
        snapshot = row.prescribed or {}
        target = snapshot.get("target") or {}
        if not target:
            continue
        reps = target.get("reps")
        seconds, meters = target.get("seconds"), target.get("meters")
        text = _duration(seconds) if seconds else f"{meters} m" if meters else str(reps or "AMRAP")
        if snapshot.get("kg"):
            text = f"{format_amount(round(kg_to_unit(snapshot['kg'], unit), 1))}×{text}"
        elif target.get("percent"):
            text += f" @ {format_amount(target['percent'])}%"
        parts.append(text)
    return ", ".join(parts)


def records_list(athlete: str, rows: Sequence[Any], unit: WeightUnit) -> str:
    lines = [f"🏆 <b>PRs · {escape(athlete)}</b>"]
    if not rows:
        lines.append("No PRs yet.")
    for view in rows:
        row = view.log
        what = "best e1RM" if row.record == RecordKind.E1RM else f"heaviest {row.reps}"
        lines.append(
            f"• {row.logged_at.date().isoformat()} {escape(view.exercise_name)} "
            f"{format_kg(row.kg or 0, unit=unit)} × {row.reps} ({what})"
        )
    return "\n".join(lines)


def program_summary(
    athlete: str,
    program: str | None,
    start: date | None,
    next_session: tuple[date, str] | None,
    week: Sequence[tuple[date, str, str]],
    today: date,
) -> str:
    lines = [f"📋 <b>Program · {escape(athlete)}</b>"]
    if program is None:
        lines.append("No program assigned.")
        return "\n".join(lines)
    if start is not None and start > today:
        # Not begun yet: no "started", and no week of zeros before the first day.
        lines.append(f"<b>{escape(program)}</b>, starts {day_label(start)}")
        if next_session is not None:
            lines.append(
                f"First session: {escape(next_session[1])} on {day_label(next_session[0])}"
            )
        return "\n".join(lines)
    lines.append(f"<b>{escape(program)}</b>" + (f", started {day_label(start)}" if start else ""))
    if next_session is not None:
        lines.append(f"Next session: {escape(next_session[1])} on {day_label(next_session[0])}")
    done = sum(1 for _, _, state in week if state == "done")
    missed = sum(1 for _, _, state in week if state == "missed")
    lines.append(f"This week: {done} done, {missed} missed, {len(week)} scheduled")
    for day, name, state in week:
        lines.append(f"{WEEK_MARKS[state]} {day_label(day)} · {escape(name)}")
    return "\n".join(lines)


# --- settings --------------------------------------------------------------------------------


def settings_view(team: str, timezone: str, unit: WeightUnit, increment: float) -> str:
    return (
        f"⚙️ <b>Team settings · {escape(team)}</b>\n"
        f'Time zone: <b>{escape(timezone)}</b> (when "today" starts for your athletes)\n'
        f"Unit: <b>{unit.value}</b> (loads are shown and typed in it)\n"
        f"Rounding: <b>{format_amount(increment)} {unit.value}</b> (worked-out loads round to it)"
    )


def bad_timezone(text: str) -> str:
    return (
        f"⚠️ <code>{escape(text[:64])}</code> isn't a time zone I know. Use an IANA name like "
        "<code>Europe/Berlin</code> or <code>America/New_York</code>. Nothing was changed."
    )


def timezone_saved(name: str) -> str:
    return f"✅ Time zone set to <b>{escape(name)}</b>."


NAME_MISSING_MAX = (
    "⚠️ Start with the exercise's name, e.g. <code>Back squat 140</code>. Nothing was saved."
)
PICK_EXPIRED = "That choice has expired. Send the command again."


def ask_max_for(name: str, unit: WeightUnit) -> str:
    return (
        f"🏋️ Send your 1RM for <b>{escape(name)}</b> in {unit.value}, e.g. <code>140</code>. "
        "/cancel to stop."
    )


STEP_EXPIRED = "That question has expired. Send the command again."
TYPING_CANCELLED = "Cancelled. Nothing was saved."
TYPING_HINT = "Type your answer to the question above, or send /cancel to stop first."

DAY_FOOTER = "Tap an exercise to log it; 🏁 Finish session when you're done."
ENTRY_FOOTER = "✅ logs every set as prescribed · ✏️ type what you did · ⏭ skip it."
OPEN_ENTRIES = "(A long session: tap an exercise for its sets.)"


def logged_toast(label: str) -> str:
    return f"✅ Logged {label[:150]}"


def skipped_toast(label: str) -> str:
    return f"⏭ Skipped {label[:150]}"


def ask_minutes(rpe: int) -> str:
    return f"Session RPE {rpe}. How long did it take?"


PICK_INCREMENT = "Round worked-out loads to:"
INCREMENT_STALE = "That choice is out of date (the unit changed). Pick again."


def unit_saved(unit: WeightUnit) -> str:
    return f"Loads now shown in {unit.value}."


def increment_saved(value: float, unit: WeightUnit) -> str:
    return f"Loads now round to {format_amount(value)} {unit.value}."


def coach_max_prompt(athlete: str) -> str:
    return (
        f"Send {escape(athlete)}'s max like <code>Bench 110</code> (exercise, then the weight). "
        "/cancel to stop."
    )
