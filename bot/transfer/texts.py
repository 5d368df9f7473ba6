"""What /export, /import and file handling say. User content is escaped here."""

from __future__ import annotations

from html import escape

from bot.core import texts as core_texts
from storage.transfer.export import ExportFile, ExportResult
from storage.transfer.maxes import (
    MaxesImportResult,
    MaxesPreview,
    MaxProblem,
    MaxProblemCode,
    ParsedMaxes,
)
from storage.transfer.programs import (
    ParsedPrograms,
    ProgramProblem,
    ProgramProblemCode,
    ProgramsImportResult,
    ProgramsPreview,
)
from storage.transfer.reading import FileProblem, FileProblemKind
from storage.transfer.roster import RosterField, RowProblem, RowProblemCode
from storage.transfer.roster_import import RosterImportResult, RosterPreview

PROBLEMS_SHOWN = 15
PROBLEM_MAX_CHARS = 160

FORMATS = (
    "<b>Columns</b> (first row; any order, any case): <b>Name</b> (or Full name, or First name "
    "+ Last name), Email, Phone, Birthdate (DOB), Gender (Sex), Notes, Status. Only the name is "
    "required; other columns are ignored.\n"
    "<b>Files</b>: CSV (comma or semicolon; UTF-8 or Windows encoding) or Excel .xlsx, up to "
    "20 MB and 10,000 rows."
)

IMPORT_HELP = (
    "📥 <b>Import athletes (or maxes, or a program) from a spreadsheet</b>\n\n"
    "Send me a CSV or Excel file of your athletes, one per row. I'll show you what I found "
    "(new athletes, ones already in your team, rows with problems) and add nothing until you "
    "press Import.\n\n" + FORMATS + "\n\n"
    "Values follow the same rules as /addathlete: phone numbers with a country code (or your "
    "default region), birthdates as YYYY-MM-DD, DD.MM.YYYY or DD/MM/YYYY. Athletes already in "
    "your team (same email, or same name when there is no email) are left as they are, so "
    "sending the same file twice adds nothing.\n\n"
    "<b>Maxes</b>: a sheet with the columns Athlete (or Email), Exercise, kg (or lb), Date "
    "records 1RMs; exercises are found by name as in the library (RDL, OHP... work too), and "
    "what can't be found is listed.\n\n"
    "<b>Programs</b>: a sheet with Week, Day, Exercise and Prescription in the program "
    "shorthand (5x5 @ 80%, rest 3min), optionally Group, Session, Program and Note, becomes "
    "a program with its sessions.\n\n"
    "The template below shows the athlete layout. /export gives you everything back."
)
TEMPLATE_CAPTION = "Template: fill it in and send it back."

NOT_A_COACH_FILE = (
    "Only coaches can import files. If you coach a team, send /start to set it up; if you're "
    "an athlete, your coach keeps your profile."
)
DOWNLOAD_FAILED = (
    "I couldn't download that file from Telegram just now. Nothing was changed; please send it "
    "again."
)
NO_CHANGES = "Nothing was added."


def mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def file_problem(problem: FileProblem) -> str:
    """Why a file can't be taken, and what to do instead."""
    kind = problem.kind
    limit = problem.limit or 0
    if kind is FileProblemKind.EMPTY:
        body = "That file is empty. Send a CSV or Excel (.xlsx) file with one athlete per row."
    elif kind is FileProblemKind.TOO_LARGE:
        size = f" ({mb(problem.found)})" if problem.found else ""
        body = (
            f"That file is too big{size}: I can take files up to {mb(limit or 20 * 1024 * 1024)}."
            " Split it into smaller files, or save it as CSV (much smaller than .xlsx)."
        )
    elif kind is FileProblemKind.NOT_A_SPREADSHEET:
        body = (
            "That isn't a spreadsheet I can read. Send a CSV file or an Excel workbook (.xlsx): "
            "in Excel use File → Save As → CSV UTF-8 or .xlsx; in Google Sheets File → "
            "Download → CSV or .xlsx."
        )
    elif kind is FileProblemKind.OLD_EXCEL:
        body = (
            "That looks like an old Excel file (.xls) or a password-protected workbook, which I "
            "can't open. Save it as .xlsx (without a password) or as CSV and send it again."
        )
    elif kind is FileProblemKind.BROKEN_XLSX:
        body = (
            "I couldn't open that workbook: it seems damaged. Open it in Excel or Google Sheets, "
            "save it again as .xlsx or CSV, and send it again."
        )
    elif kind is FileProblemKind.ZIP_BOMB:
        body = (
            "That workbook unpacks to far more data than an athlete list holds, so I didn't open "
            "it. Send a smaller workbook or a CSV file."
        )
    elif kind is FileProblemKind.UNKNOWN_ENCODING:
        body = "I couldn't read the text of that file. Save it as “CSV UTF-8” and send it again."
    elif kind is FileProblemKind.TOO_MANY_ROWS:
        body = (
            f"That file has more than {limit:,} rows. Split it into files of up to {limit:,} "
            "athletes and send them one by one."
        )
    elif kind is FileProblemKind.TOO_MANY_COLUMNS:
        found = f"{problem.found:,}" if problem.found else f"more than {limit:,}"
        body = (
            f"Row {problem.row} has {found} columns; I read up to {limit:,}. Delete the extra "
            "columns (or save only the athlete list) and send it again."
        )
    elif kind is FileProblemKind.ROW_TOO_LONG:
        found = f"{problem.found:,} characters" if problem.found else "too long"
        body = (
            f"Row {problem.row} is {found}; a row can hold up to {limit:,}. Check that row (a "
            "cell pasted by mistake?) and send the file again."
        )
    elif kind is FileProblemKind.NO_HEADER:
        body = (
            "I couldn't find the column names. The first row should name the columns: "
            "Name, Email, Phone, Birthdate, Gender, Notes (any order; Full name, E-mail, DOB "
            "and Sex work too). Send /import for a template."
        )
    else:  # NO_ROWS
        body = "The file has the column names but no athletes under them."
    return f"⚠️ {body}\n\n{NO_CHANGES}"


_FIELD_HINTS = {
    RowProblemCode.UNKNOWN_GENDER: "use female, male, non-binary or undisclosed (F, M, X work too)",
    RowProblemCode.UNKNOWN_STATUS: "use active, inactive or archived",
}


def row_problem(problem: RowProblem) -> str:
    if problem.code is RowProblemCode.INVALID:
        reason = core_texts.error_text(problem.cause) if problem.cause else ""
    elif problem.code is RowProblemCode.DUPLICATE_EMAIL:
        reason = f"the same email as row {problem.other_row}"
    elif problem.code is RowProblemCode.DUPLICATE_NAME:
        reason = f"the same name as row {problem.other_row}, and no email to tell them apart"
    else:
        reason = _FIELD_HINTS[problem.code]
    if len(reason) > PROBLEM_MAX_CHARS:
        reason = reason[: PROBLEM_MAX_CHARS - 1] + "…"
    return f"Row {problem.row}, {escape(problem.column)}: {escape(reason)}"


IGNORED_SHOWN = 10
LABEL_MAX_CHARS = 30


def ignored_columns(labels: list[str]) -> str:
    """A few of the columns that were not used, each short: a header row can be 20,000
    characters long, a message only 4,096."""
    shown = [
        escape(label if len(label) <= LABEL_MAX_CHARS else label[: LABEL_MAX_CHARS - 1] + "…")
        for label in labels[:IGNORED_SHOWN]
    ]
    more = len(labels) - IGNORED_SHOWN
    return ", ".join(shown) + (f" and {more:,} more" if more > 0 else "")


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number:,} {one if number == 1 else (many or one + 's')}"


_FIELD_NAMES = {
    RosterField.NAME: "name",
    RosterField.FIRST_NAME: "first name",
    RosterField.LAST_NAME: "last name",
    RosterField.EMAIL: "email",
    RosterField.PHONE: "phone",
    RosterField.BIRTHDATE: "birthdate",
    RosterField.GENDER: "gender",
    RosterField.NOTES: "notes",
    RosterField.STATUS: "status",
}


def import_preview(
    *,
    file_name: str,
    sheet: str | None,
    preview: RosterPreview,
    columns: dict[RosterField, str],
    ignored: list[str],
    problems_file: bool,
) -> str:
    rows = len(preview.new) + len(preview.existing) + preview.problem_rows
    where = f" (sheet {escape(sheet)})" if sheet else ""
    lines = [f"📄 <b>{escape(file_name)}</b>{where}: {_count(rows, 'athlete row')}", ""]
    lines.append(f"🆕 <b>{_count(len(preview.new), 'new athlete')}</b> to add")
    if preview.existing:
        lines.append(
            f"↩️ {_count(len(preview.existing), 'athlete')} already in your team "
            "(same email, or same name without email): left as they are"
        )
    if preview.problems:
        lines.append(f"⚠️ {_count(preview.problem_rows, 'row')} with problems: skipped")
        lines.extend(f"• {row_problem(p)}" for p in preview.problems[:PROBLEMS_SHOWN])
        hidden = len(preview.problems) - PROBLEMS_SHOWN
        if hidden > 0:
            lines.append(f"… and {_count(hidden, 'more problem')}")
        if problems_file:
            lines.append("Every problem is in the file below; fix them and send the file again.")
    used = ", ".join(f"{escape(label)} → {_FIELD_NAMES[field]}" for field, label in columns.items())
    lines += ["", f"<i>Columns: {used}.</i>"]
    if ignored:
        lines.append(f"<i>Ignored: {ignored_columns(ignored)}.</i>")
    if preview.new:
        lines += ["", "Nothing is saved until you press <b>Import</b>."]
    elif preview.problems:
        lines += ["", "No new athletes to add. Fix the rows above and send the file again."]
    else:
        lines += ["", "Everyone in this file is already in your team. Nothing to import."]
    return "\n".join(lines)


PROBLEMS_CAPTION = "Rows with problems: fix them in your file and send it again."
PROBLEMS_HEADERS = ("Row", "Column", "Problem")


def problem_reason(problem: RowProblem) -> str:
    """The same words as the preview, unescaped, for the problems CSV."""
    if problem.code is RowProblemCode.INVALID:
        return core_texts.error_text(problem.cause) if problem.cause else ""
    if problem.code is RowProblemCode.DUPLICATE_EMAIL:
        return f"the same email as row {problem.other_row}"
    if problem.code is RowProblemCode.DUPLICATE_NAME:
        return f"the same name as row {problem.other_row}, and no email to tell them apart"
    return _FIELD_HINTS[problem.code]


def import_done(result: RosterImportResult) -> str:
    lines = [f"✅ <b>Imported {_count(len(result.added), 'athlete')}.</b>"]
    if result.existing:
        lines.append(
            f"{_count(result.existing, 'athlete')} already in your team: left as they are."
        )
    if result.problem_rows:
        lines.append(f"{_count(result.problem_rows, 'row')} with problems: skipped.")
    lines.append("\n/athletes shows your roster; /invite sends an athlete their link.")
    return "\n".join(lines)


IMPORT_CANCELLED = "Import cancelled. Nothing was added."
IMPORT_EXPIRED = "That preview is no longer open (imported, cancelled or replaced by a newer file)."
IMPORT_FILE_CHANGED = (
    "I couldn't read that file again the same way, so I imported nothing. Please send it again."
)


def export_caption(file: ExportFile, titles: dict[str, str]) -> str:
    if file.kind == "xlsx":
        return f"All tables, a sheet each ({file.rows:,} rows)."
    zipped = " (zipped: too big to send as it is)" if file.kind == "zip" else ""
    return f"{titles.get(file.table, file.table)}: {_count(file.rows, 'row')}{zipped}."


def export_done(team: str, result: ExportResult, titles: dict[str, str]) -> str:
    counts = ", ".join(
        f"{titles.get(key, key).lower()} {count:,}" for key, count in result.counts.items()
    )
    lines = [
        f"✅ <b>Export of {escape(team)}</b>: {counts}.",
        "",
        "The CSV files open in Excel, Numbers and Google Sheets (UTF-8 with accents intact); "
        "the .xlsx workbook has a sheet per table. Text that a spreadsheet could run as a "
        "formula starts with an apostrophe. Send an athletes file back with /import to copy "
        "athletes into another team.",
    ]
    for key, kept in result.workbook_cut.items():
        lines.append(
            f"ℹ️ The workbook's {titles.get(key, key).lower()} sheet holds the first {kept:,} "
            f"of {result.counts[key]:,} rows; the CSV file has them all."
        )
    for file in result.too_large:
        lines.append(
            f"⚠️ {escape(file.filename)} is {mb(file.size)}, over Telegram's 50 MB limit for "
            "bots, so it wasn't sent."
        )
    return "\n".join(lines)


EXPORT_SEND_FAILED = "⚠️ Sending the export failed part way. Send /export again."


# --- maxes ------------------------------------------------------------------------------------


def max_problem_reason(problem: MaxProblem) -> str:
    """What is wrong with a maxes row, unescaped (the preview escapes it)."""
    value = problem.value
    code = problem.code
    if code is MaxProblemCode.NO_ATHLETE:
        return "no athlete: give a name or an email"
    if code is MaxProblemCode.NO_EXERCISE:
        return "no exercise"
    if code is MaxProblemCode.BAD_VALUE:
        shown = f"“{value}” " if value else ""
        return f"{shown}isn't a weight: write a number like 142.5 (kg or lb, up to 1000 kg)"
    if code is MaxProblemCode.BAD_DATE:
        return f"“{value}” isn't a date: use YYYY-MM-DD, DD.MM.YYYY or DD/MM/YYYY"
    if code is MaxProblemCode.FUTURE_DATE:
        return f"{value} is in the future"
    if code is MaxProblemCode.UNKNOWN_SOURCE:
        return f"“{value}”: use tested, coach or estimated"
    if code is MaxProblemCode.UNKNOWN_ATHLETE:
        return f"no athlete “{value}” in your team: add them first, or fix the name or email"
    if code is MaxProblemCode.AMBIGUOUS_ATHLETE:
        return f"several athletes are called “{value}”: add their email to tell them apart"
    if code is MaxProblemCode.UNKNOWN_EXERCISE:
        return f"“{value}” isn't in the exercise library: fix the name, or add it with /newexercise"
    if code is MaxProblemCode.AMBIGUOUS_EXERCISE:
        options = ", ".join(problem.options)
        return f"“{value}” could be {options}: write the exact name"
    return f"the same athlete, exercise, date and source as row {problem.other_row}"


def maxes_preview(
    *,
    file_name: str,
    sheet: str | None,
    preview: MaxesPreview,
    parsed: ParsedMaxes,
    problems_file: bool,
) -> str:
    rows = len(preview.ready) + preview.problem_rows
    where = f" (sheet {escape(sheet)})" if sheet else ""
    lines = [f"📄 <b>{escape(file_name)}</b>{where}: {_count(rows, 'max row')}", ""]
    lines.append(f"🏋️ <b>{_count(len(preview.new), 'max', 'maxes')}</b> to record")
    unchanged = len(preview.ready) - len(preview.new)
    if unchanged:
        lines.append(f"↩️ {_count(unchanged, 'max', 'maxes')} already on record: unchanged")
    if preview.problems:
        lines.append(f"⚠️ {_count(preview.problem_rows, 'row')} with problems: skipped")
        for problem in preview.problems[:PROBLEMS_SHOWN]:
            reason = max_problem_reason(problem)
            if len(reason) > PROBLEM_MAX_CHARS:
                reason = reason[: PROBLEM_MAX_CHARS - 1] + "…"
            lines.append(f"• Row {problem.row}, {escape(problem.column)}: {escape(reason)}")
        hidden = len(preview.problems) - PROBLEMS_SHOWN
        if hidden > 0:
            lines.append(f"… and {_count(hidden, 'more problem')}")
        if problems_file:
            lines.append("Every problem is in the file below; fix them and send the file again.")
    unit = parsed.unit
    how = "from the column name" if parsed.header.unit else "your team's unit"
    lines += ["", f"<i>Weights read in {unit} ({how}); stored in kg.</i>"]
    if parsed.header.ignored:
        lines.append(f"<i>Ignored: {ignored_columns(parsed.header.ignored)}.</i>")
    if preview.new:
        lines += ["", "Nothing is saved until you press <b>Record</b>."]
    elif preview.problems:
        lines += ["", "Nothing new to record. Fix the rows above and send the file again."]
    else:
        lines += ["", "Every max in this file is already on record. Nothing to import."]
    return "\n".join(lines)


def maxes_done(result: MaxesImportResult) -> str:
    lines = [f"✅ <b>Recorded {_count(result.recorded, 'max', 'maxes')}.</b>"]
    if result.unchanged:
        lines.append(f"{_count(result.unchanged, 'max', 'maxes')} already on record: unchanged.")
    if result.problem_rows:
        lines.append(f"{_count(result.problem_rows, 'row')} with problems: skipped.")
    lines.append("\n/maxes shows an athlete's maxes.")
    return "\n".join(lines)


# --- programs ---------------------------------------------------------------------------------

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def program_problem_reason(problem: ProgramProblem) -> str:
    value, code = problem.value, problem.code
    if code == ProgramProblemCode.BAD_NAME:
        return core_texts.error_text(problem.cause) if problem.cause else value
    if code == ProgramProblemCode.BAD_WEEK:
        return f"“{value}” isn't a week: write 1 to 52"
    if code == ProgramProblemCode.BAD_DAY:
        return f"“{value}” isn't a day: write Mon to Sun (or 1-7)"
    if code == ProgramProblemCode.NO_LINE:
        return "no exercise or no prescription"
    if code == ProgramProblemCode.BAD_LINE and problem.error is not None:
        error = problem.error
        fragment = f"“{error.fragment}”" if error.fragment else "that line"
        return f"I couldn't read {fragment}: write it like {error.example}"
    if code == ProgramProblemCode.UNKNOWN_EXERCISE:
        return f"“{value}” isn't in the exercise library: fix the name, or add it with /newexercise"
    if code == ProgramProblemCode.AMBIGUOUS_EXERCISE:
        return f"“{value}” could be {', '.join(problem.options)}: write the exact name"
    if code == ProgramProblemCode.EXISTS:
        return f"your team already has a program “{value}”: it was left as it is"
    if code == ProgramProblemCode.TOO_MANY_ENTRIES:
        return f"a session holds up to {value} exercises"
    return f"a week holds up to {value} sessions"


def programs_preview(
    *,
    file_name: str,
    sheet: str | None,
    preview: ProgramsPreview,
    parsed: ParsedPrograms,
    problems_file: bool,
) -> str:
    rows = sum(plan.entries for plan in preview.programs) + preview.problem_rows
    where = f" (sheet {escape(sheet)})" if sheet else ""
    lines = [f"📄 <b>{escape(file_name)}</b>{where}: {_count(rows, 'program row')}", ""]
    lines.append(f"📋 <b>{_count(len(preview.programs), 'program')}</b> to create")
    for plan in preview.programs[:10]:
        lines.append(
            f"• {escape(plan.name)}: {_count(plan.weeks, 'week')}, "
            f"{_count(len(plan.sessions), 'session')}, {_count(plan.entries, 'exercise')}"
        )
    if preview.problems:
        lines.append(f"⚠️ {_count(preview.problem_rows, 'row')} with problems: skipped")
        for problem in preview.problems[:PROBLEMS_SHOWN]:
            reason = program_problem_reason(problem)
            if len(reason) > PROBLEM_MAX_CHARS:
                reason = reason[: PROBLEM_MAX_CHARS - 1] + "…"
            lines.append(f"• Row {problem.row}, {escape(problem.column)}: {escape(reason)}")
        hidden = len(preview.problems) - PROBLEMS_SHOWN
        if hidden > 0:
            lines.append(f"… and {_count(hidden, 'more problem')}")
        if problems_file:
            lines.append("Every problem is in the file below; fix them and send the file again.")
    lines += ["", f"<i>Loads read in {parsed.unit}.</i>"]
    if preview.programs:
        lines += ["", "Nothing is saved until you press <b>Create</b>. /programs shows them after."]
    else:
        lines += ["", "No program to create. Fix the rows above and send the file again."]
    return "\n".join(lines)


def programs_done(result: ProgramsImportResult) -> str:
    lines = [
        f"✅ <b>Created {_count(len(result.programs), 'program')}</b> "
        f"with {_count(result.entries, 'exercise')}."
    ]
    if result.problem_rows:
        lines.append(f"{_count(result.problem_rows, 'row')} with problems: skipped.")
    lines.append("\n/programs shows them; assign one from its card.")
    return "\n".join(lines)


def other_sheets(names: list[str]) -> str:
    if not names:
        return ""
    listed = ", ".join(escape(name) for name in names)
    return (
        f"\n\nℹ️ This workbook also has {listed}. I read one sheet a file: send those as "
        "files of their own (the CSV files of /export are), after this one."
    )
