"""Every sentence of the programs feature. User content is escaped here, nowhere else (HTML)."""

from __future__ import annotations

from datetime import date
from html import escape

from storage.prescriptions import ErrorCode, LineError, Unit, format_number
from storage.queries.programs import CurrentProgram, ProgramRow, ProgramView

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_ERRORS_SHOWN = 10

NEW_WHAT = "building a program"
SESSION_WHAT = "typing a session"
COPY_WHAT = "copying a week"
ASSIGN_WHAT = "assigning a program"
DETAILS_WHAT = "changing a program's name or description"
FORM_CLOSED = "That form is closed. Start again from /programs."
NOT_FOUND = "Not found. It may have been removed, or it isn't in your team."
CANCELLED = "Cancelled. Nothing was saved."

ASK_NAME = (
    "📋 <b>New program</b>, step 1 of 4: its <b>name</b>?\n<i>For example: Strength block 1. "
    "/cancel stops; nothing is saved until you confirm.</i>"
)
ASK_WEEKS = "Step 2 of 4: how many <b>weeks</b> (1-52)? Send a number, or tap one."
WEEKS_BAD = "Send the number of weeks as a whole number from 1 to 52, e.g. 4."
ASK_DAYS = (
    "Step 3 of 4: on which <b>weekdays</b> does it train? Tap them, then <b>Done</b>.\n"
    "<i>You type week 1's sessions next; copy week 1 onto later weeks from the program's card.</i>"
)
DAYS_NONE = "Pick at least one weekday, then tap Done."

SHORTHAND_HELP = (
    "One line per exercise, for example:\n"
    "<code>A1. Back squat 5x5 @ 80%\n"
    "A2. Pull-up 3 x 8-10 @ RPE 8, rest 90s\n"
    "B. RDL 3x8 @ 100kg, tempo 31X1 -- slow eccentric\n"
    "C. Plank 3x45s\n"
    "Bench 5/3/1+ @ 75/85/95%</code>\n"
    "A first line ending in a colon is the session's title (<code>Lower A:</code>)."
)


def ask_session(weekday: int, week: int, index: int, total: int, unit: Unit) -> str:
    """The first session's question shows the shorthand; the next ones don't repeat it."""
    how = f"\n\n{SHORTHAND_HELP}\n" if index == 1 else " "
    return (
        f"Step 4 of 4: <b>{WEEKDAY_NAMES[weekday - 1]}</b> of week {week} "
        f"(session {index} of {total}). Type or paste it.{how}"
        f"<i>Loads in {unit}. /skip leaves this session empty for now.</i>"
    )


def session_read(weekday: int, title: str | None, entries: int) -> str:
    """What the last typed session came to, before the next one is asked."""
    what = f"{entries} exercise{'s' if entries != 1 else ''}" if entries else "left empty"
    return f"✅ {escape(session_label(weekday, title))}: {what}."


def ask_session_edit(title: str, unit: Unit, *, empty: bool = False) -> str:
    how = "type it" if empty else "copy the text below, edit it and send it back"
    return (
        f"✏️ Send <b>{escape(title)}</b> again, changed: {how}. It replaces the whole session.\n"
        f"<i>Loads in {unit}. /cancel keeps it as it is.</i>"
    )


def ask_new_session(weekday: int, week: int, unit: Unit) -> str:
    return (
        f"➕ New session on <b>{WEEKDAY_NAMES[weekday - 1]}</b> of week {week}. "
        f"Type or paste it.\n\n{SHORTHAND_HELP}\n"
        f"<i>Loads in {unit}. /cancel stops; nothing is saved.</i>"
    )


# --- shorthand errors ----------------------------------------------------------------------

_ERRORS: dict[ErrorCode, str] = {
    ErrorCode.EMPTY: "That session is empty. Send at least one exercise line.",
    ErrorCode.TOO_MANY_ENTRIES: (
        "A session holds at most {limit} exercises; that text has {fragment} lines."
    ),
    ErrorCode.LINE_TOO_LONG: "that line is too long (over {limit} characters).",
    ErrorCode.NO_SETS_REPS: "I can't find the sets and reps in “{fragment}”.",
    ErrorCode.NO_NAME: "the exercise name is missing before “{fragment}”.",
    ErrorCode.NAME_CHARACTERS: "an exercise name can't hold “{fragment}” (emoji and symbols).",
    ErrorCode.NAME_TOO_LONG: "the exercise name is longer than {limit} characters.",
    ErrorCode.REPS_NOT_WHOLE: "reps are whole numbers, and “{fragment}” isn't one.",
    ErrorCode.SETS_RANGE: "“{fragment}”: sets go from 1 to {limit}.",
    ErrorCode.REPS_RANGE: "“{fragment}”: reps go from 1 to {limit} (a range low-high).",
    ErrorCode.TIME_RANGE: "“{fragment}”: a time goes from 1 second to an hour.",
    ErrorCode.DISTANCE_RANGE: "“{fragment}”: a distance goes from 1 to {limit} metres.",
    ErrorCode.LOAD_RANGE: "“{fragment}”: a load goes up to {limit}.",
    ErrorCode.PERCENT_RANGE: "“{fragment}”: a percentage of 1RM goes up to {limit}%.",
    ErrorCode.RPE_RANGE: "“{fragment}”: RPE goes from 1 to 10.",
    ErrorCode.RIR_RANGE: "“{fragment}”: reps in reserve is a whole number from 0 to {limit}.",
    ErrorCode.LOAD_UNIT_MISSING: "“{fragment}” needs a unit: kilograms/pounds or a percentage.",
    ErrorCode.WRONG_UNIT: "“{fragment}” isn't in your team's unit.",
    ErrorCode.LOAD_COUNT: (
        "“{fragment}” doesn't match the {limit} sets: give one value, or one per set."
    ),
    ErrorCode.TWO_LOADS: "“{fragment}” is a second load; give one per line.",
    ErrorCode.TWO_EFFORTS: "“{fragment}” is a second effort; give RPE or RIR, not both.",
    ErrorCode.BAD_TEMPO: "“{fragment}”: a tempo is four digits or X.",
    ErrorCode.BAD_REST: "“{fragment}”: a rest is a time in seconds or minutes.",
    ErrorCode.REPEATED: "“{fragment}” is given twice.",
    ErrorCode.NOTE_TOO_LONG: "the note is longer than {limit} characters.",
    ErrorCode.NOT_UNDERSTOOD: "I don't understand “{fragment}”.",
}


def line_error(error: LineError) -> str:
    limit = "" if error.limit is None else format_number(error.limit)
    what = _ERRORS[error.code].format(fragment=escape(error.fragment), limit=limit)
    example = f" Write it like <code>{escape(error.example)}</code>."
    if error.line_no == 0:
        return f"{what}{example}"
    return f"<b>Line {error.line_no}</b>: {what}{example}"


def shorthand_errors(errors: tuple[LineError, ...]) -> str:
    shown = [f"• {line_error(error)}" for error in errors[:MAX_ERRORS_SHOWN]]
    more = len(errors) - MAX_ERRORS_SHOWN
    if more > 0:
        shown.append(f"… and {more} more.")
    return (
        "⚠️ I couldn't read all of it, so nothing was saved:\n\n"
        + "\n".join(shown)
        + "\n\nFix those lines and send the whole session again."
    )


def progression_error(error: LineError) -> str:
    return (
        f"⚠️ I can't use “{escape(error.fragment)}” as a progression. Send something like "
        f"<code>{escape(error.example)}</code>, or tap one."
    )


# --- names -----------------------------------------------------------------------------------


def ambiguous_name(line_no: int, name: str) -> str:
    return (
        f"Line {line_no}: “{escape(name)}” could be several exercises. Which one?\n"
        "<i>Or create it as your team's own exercise, or type the name again.</i>"
    )


def unsure_name(line_no: int, name: str, option: str) -> str:
    return (
        f"Line {line_no}: I'm not sure “{escape(name)}” is {escape(option)}. Is it?\n"
        "<i>Or create it as your team's own exercise, or type the name again.</i>"
    )


def unknown_name(line_no: int, name: str) -> str:
    return (
        f"Line {line_no}: I don't know an exercise called “{escape(name)}”. Create it as your "
        "team's own exercise, or type the name again."
    )


def ask_retype(line_no: int) -> str:
    return f"Send the exercise name for line {line_no}."


def ask_pattern(name: str) -> str:
    return (
        f"“{escape(name)}” will be your team's own exercise, created when you save. Its movement "
        "pattern? (You can add muscles and instructions later from its card in /exercises.)"
    )


# --- views -----------------------------------------------------------------------------------


def program_list(
    total: int, offset: int, shown: int, archived: bool, query: str | None = None
) -> str:
    title = "🗄 <b>Archived programs</b>" if archived else "📋 <b>Programs</b>"
    if query:
        title += f" matching “{escape(query)}”"
    if total == 0:
        if query:
            return f"{title}\n\nNone. Send /programs to see them all."
        if archived:
            return f"{title}\n\nNone."
        return f"{title}\n\nNo programs yet. Build one with /newprogram."
    return f"{title} ({offset + 1}-{offset + shown} of {total})\n\nTap one to open it."


def program_button(row: ProgramRow) -> str:
    athletes = f" · {row.athlete_count} 👤" if row.athlete_count else ""
    return f"{row.program.name} · {row.program.weeks} wk{athletes}"


def session_label(weekday: int, title: str | None) -> str:
    return f"{WEEKDAYS[weekday - 1]}" + (f" · {title}" if title else "")


def program_card(view: ProgramView, week: int) -> str:
    program = view.program
    lines = [f"📋 <b>{escape(program.name)}</b>"]
    if program.archived_at is not None:
        lines[0] += " · 🗄 archived"
    per_week = len(view.week(1))
    lines.append(
        f"{program.weeks} week{'s' if program.weeks != 1 else ''} · "
        f"{len(view.sessions)} session{'s' if len(view.sessions) != 1 else ''} in all · "
        f"{view.athlete_count} athlete{'s' if view.athlete_count != 1 else ''} on it"
    )
    if program.description:
        lines.append(f"<i>{escape(program.description)}</i>")
    lines.append("")
    lines.append(f"<b>Week {week}</b>")
    sessions = view.week(week)
    if not sessions:
        lines.append("<i>No sessions this week.</i>")
    for session in sessions:
        count = view.entry_counts.get(session.id, 0)
        lines.append(
            f"• {escape(session_label(session.weekday, session.title))}: "
            f"{count} exercise{'s' if count != 1 else ''}"
        )
    if per_week and week == 1 and program.weeks > 1:
        lines.append("\n<i>Tip: 📑 Copy week puts week 1 on the weeks after it.</i>")
    return "\n".join(lines)


def session_heading(program_name: str, week: int, weekday: int, title: str | None) -> str:
    return (
        f"📋 {escape(program_name)} · week {week} · <b>{escape(session_label(weekday, title))}</b>"
    )


EMPTY_SESSION = "<i>No exercises yet. Tap ✏️ Edit to type them.</i>"


def saved_program(name: str, sessions: int) -> str:
    return f"✅ <b>{escape(name)}</b> saved with {sessions} session{'s' if sessions != 1 else ''}."


def program_preview_heading(name: str, weeks: int, days: list[int]) -> str:
    day_names = ", ".join(WEEKDAYS[d - 1] for d in days)
    return (
        f"👀 <b>Preview: {escape(name)}</b>\n{weeks} week{'s' if weeks != 1 else ''} · "
        f"{day_names} · week 1 below. Nothing is saved until you tap Save."
    )


def new_exercises_note(names: list[str]) -> str:
    return "➕ New team exercises on save: " + ", ".join(escape(n) for n in names)


SESSION_SAVED = "Session saved ✅"
PROGRAM_SAVED = "Program saved ✅"
SESSION_REMOVED = "Session removed."
ARCHIVED = "Archived. Restore it from 🗄 Archived in /programs."
RESTORED = "Restored."
ASSIGNED_CANT_ARCHIVE = "Athletes are on this program. Unassign them first, then archive it."
PROGRAM_ARCHIVED = "That program is archived. Restore it first."
WEEK_FULL = "That week already has 7 sessions."
COPIED_PROGRAM = "Copied ✅"


def confirm_remove_session(label: str) -> str:
    return f"Remove <b>{escape(label)}</b> and its exercises? This can't be undone."


def pick_weekday(week: int) -> str:
    return f"➕ Add a session to week {week}: which day?"


# --- copy week -------------------------------------------------------------------------------


def ask_rename(name: str) -> str:
    return (
        f"✏️ New name for <b>{escape(name)}</b>? Send it (up to 100 characters).\n"
        "<i>/cancel keeps the name it has.</i>"
    )


def ask_description(name: str, current: str | None) -> str:
    now = f"\nNow: <i>{escape(current)}</i>\n" if current else ""
    return (
        f"📝 Description of <b>{escape(name)}</b>: what the block is for, who it suits, how to "
        f"run it (up to 1,000 characters).{now}\nSend it, or /skip to have none. "
        "<i>/cancel keeps it as it is.</i>"
    )


def renamed(name: str) -> str:
    return f"✅ Renamed to <b>{escape(name)}</b>."


DESCRIPTION_SAVED = "✅ Description saved."
DESCRIPTION_REMOVED = "✅ Description removed."


def weeks_example(week: int, weeks: int) -> str:
    """How to type target weeks, with this program's own numbers (the weeks after ``week``)."""
    first, last = min(week + 1, weeks), weeks
    if last - first >= 2:
        return f"<code>{first}-{last}</code> or <code>{first}, {last}</code>"
    if last > first:
        return f"<code>{first}-{last}</code> or <code>{last}</code>"
    return f"<code>{first}</code>"


def ask_copy_targets(week: int, weeks: int) -> str:
    return (
        f"📑 Copy week {week} onto which weeks? Tap one, or type them like "
        f"{weeks_example(week, weeks)} (the program has {weeks} weeks). What they hold now is "
        "replaced."
    )


def copy_targets_bad(week: int, weeks: int) -> str:
    return (
        f"Send week numbers from 1 to {weeks}, other than week {week}, like "
        f"{weeks_example(week, weeks)}."
    )


def ask_progression(unit: Unit, week: int, targets: list[int]) -> str:
    where = ", ".join(str(t) for t in targets)
    step = "5" if unit == "lb" else "2.5"
    hints = [f"+5% adds 5 points to %1RM loads and 5% to loads in {unit}."]
    if targets[-1] - week > 1:
        hints.insert(0, f"Week {targets[-1]} gets it {targets[-1] - week} times over week {week}.")
    return (
        f"📑 Week {week} onto week{'s' if len(targets) > 1 else ''} {where}. A "
        f"<b>progression</b> per week? Tap one or type it (<code>+{step}{unit}</code>, "
        "<code>+5%</code>, <code>+1 rep</code>, <code>-10%</code>), or tap No change.\n"
        f"<i>{' '.join(hints)}</i>"
    )


def copied_week(week: int, targets: list[int], sessions: int, progression: str | None) -> str:
    where = ", ".join(str(t) for t in targets)
    change = f", {escape(progression)} per week" if progression else ""
    plural = "s" if len(targets) > 1 else ""
    return f"✅ Week {week} copied to week{plural} {where}{change} ({sessions} sessions)."


# --- assignment ------------------------------------------------------------------------------


def assign_picker(program: str, chosen: int, total: int, status: str) -> str:
    return (
        f"👥 Assign <b>{escape(program)}</b>: tap athletes to choose them ({chosen} chosen), "
        f"then Next.\n<i>Showing: {status}, {total} athlete{'s' if total != 1 else ''}. An "
        "athlete on another program is moved to this one (the old one is kept as history).</i>"
    )


ASSIGN_NONE_CHOSEN = "Choose at least one athlete, then tap Next."
ASSIGN_NO_ATHLETES = "There's nobody to assign yet. Add athletes with /addathlete."


def ask_start(program: str, today: date, monday: date) -> str:
    return (
        f"When does <b>{escape(program)}</b> start? Today is {day_text(today)}.\n"
        "Tap one, or type a date (YYYY-MM-DD or DD.MM.YYYY). Week 1 is the week of that date."
    )


START_BAD = "Send the start date as YYYY-MM-DD or DD.MM.YYYY, e.g. 2026-12-07, or tap one."
START_TOO_FAR = "Pick a start date within a year from today (and not before last week)."


def day_text(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]} {day.day} {day.strftime('%b %Y')}"


def assigned(program: str, lines: list[str], start: date) -> str:
    return f"✅ <b>{escape(program)}</b> from {day_text(start)}:\n" + "\n".join(lines)


def assigned_line(name: str, first: date | None, replaced: str | None, unchanged: bool) -> str:
    text = f"• {escape(name)}"
    if unchanged:
        return text + ": already on it from that date."
    text += f": first session {day_text(first)}" if first else ": no sessions scheduled"
    if replaced:
        text += f" (was on {escape(replaced)})"
    return text + "."


def athlete_told(program: str, first: date | None, coach_team: str) -> str:
    when = f" Your first session is on <b>{day_text(first)}</b>." if first else ""
    return (
        f"📋 Your coach at {escape(coach_team)} put you on <b>{escape(program)}</b>.{when}\n"
        "Send /today on a training day to see your session."
    )


def program_athletes(program: str, names: list[str]) -> str:
    if not names:
        return f"👥 <b>{escape(program)}</b>\n\nNobody is on it. Tap 👥 Assign to add athletes."
    return f"👥 <b>{escape(program)}</b>: {len(names)} on it. Tap ✖️ to unassign."


def unassigned(name: str) -> str:
    return f"{name} is off the program."


NOT_ON_PROGRAM = "That athlete isn't on this program any more."


# --- athlete card ----------------------------------------------------------------------------


def athlete_program_line(current: CurrentProgram | None) -> str:
    if current is None:
        return "<b>Program:</b> <i>none</i>"
    start = day_text(current.assignment.start_date)
    text = f"<b>Program:</b> {escape(current.program.name)}, from {start}"
    upcoming = current.next_session
    if upcoming is None:
        return text + " · <i>finished</i>"
    label = session_label(upcoming.session.weekday, upcoming.session.title)
    return (
        f"{text}\n<b>Next session:</b> {day_text(upcoming.on)}, week {upcoming.week} "
        f"({escape(label)})"
    )


def weeks_word(value: int) -> str:
    return f"{value} week{'s' if value != 1 else ''}"


BUTTON_STALE = "That button is from an earlier step."
ASSIGN_BUTTON_HINT = "Tap athletes to choose them, then Next (or /cancel)."
EDIT_NOT_READ = (
    "I read new messages only, not edits of sent ones. Send the changed text again as a new "
    "message."
)
SAVE_FAILED = (
    "Nothing was saved: something in it (the program, the session or an exercise) was removed "
    "meanwhile. Start again from /programs."
)
