"""A program from a sheet: week, day, exercise and the prescription in the shorthand.

One row per entry. Either a `Prescription` column ("5x5 @ 80%, rest 3min") beside `Exercise`
(and an optional `Group`: A1, B...), or a `Shorthand` column with whole lines
("A1. Back squat 5x5 @ 80%") as /export writes them. `Program` names the program (several in one
sheet are fine; without the column the file name does), `Session` titles the day's session,
`Note` adds a note. Lines are read by `storage.prescriptions` (the program builder's parser),
exercises resolved like the program builder does; a program whose name the team already has is
left alone, so importing a file twice adds nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import PurePath

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import validation
from storage.errors import InvalidInput
from storage.models import Program
from storage.prescriptions import MAX_ENTRIES, LineError, ParsedEntry, Unit, parse_line
from storage.queries import programs as program_queries
from storage.queries.programs import Resolution, resolve_exercise_names
from storage.transfer.cells import restore_text
from storage.transfer.reading import (
    CellValue,
    FileProblem,
    FileProblemKind,
    SheetRow,
    SheetSource,
    read_rows,
)
from storage.transfer.roster import cell_text, fold_label


class ProgramField:
    PROGRAM = "program"
    WEEKS = "weeks"  # the program's length (else its last week with a session)
    WEEK = "week"
    DAY = "day"
    SESSION = "session"
    GROUP = "group"
    EXERCISE = "exercise"
    PRESCRIPTION = "prescription"
    SHORTHAND = "shorthand"
    NOTE = "note"


_HEADER_WORDS = {
    ProgramField.PROGRAM: ("program", "programme", "programname", "block", "plan"),
    ProgramField.WEEKS: ("weeks", "programweeks", "lengthweeks", "length"),
    ProgramField.WEEK: ("week", "wk", "weekno", "weeknumber"),
    ProgramField.DAY: ("day", "weekday", "dayofweek"),
    ProgramField.SESSION: ("session", "sessiontitle", "workout", "title"),
    ProgramField.GROUP: ("group", "label", "superset"),
    ProgramField.EXERCISE: ("exercise", "lift", "movement"),
    ProgramField.PRESCRIPTION: (
        "prescription",
        "sets",
        "setsreps",
        "setsxreps",
        "scheme",
        "prescriptionkg",
        "prescriptionlb",
    ),
    ProgramField.SHORTHAND: ("shorthand", "shorthandkg", "shorthandlb", "line", "entry"),
    ProgramField.NOTE: ("note", "notes", "comment", "comments"),
}
HEADER_WORDS = {word: name for name, words in _HEADER_WORDS.items() for word in words}
_DAY_NAMES = (
    ("mon", "monday"),
    ("tue", "tues", "tuesday"),
    ("wed", "weds", "wednesday"),
    ("thu", "thur", "thurs", "thursday"),
    ("fri", "friday"),
    ("sat", "saturday"),
    ("sun", "sunday"),
)
DAY_WORDS = {word: n for n, words in enumerate(_DAY_NAMES, 1) for word in (*words, str(n))}
_GROUP = re.compile(r"^[A-Za-z]\d{0,2}$")


@dataclass(frozen=True)
class ProgramHeader:
    row: int
    columns: dict[str, int]
    labels: dict[str, str]
    ignored: list[str]
    unit: str | None  # from "(kg)"/"(lb)" in the prescription or shorthand header


def match_program_header(row: SheetRow) -> ProgramHeader | None:
    columns: dict[str, int] = {}
    labels: dict[str, str] = {}
    ignored: list[str] = []
    unit: str | None = None
    for index, cell in enumerate(row.cells):
        label = "" if cell is None else str(cell).strip()
        if not label:
            continue
        name = HEADER_WORDS.get(fold_label(label))
        if name is None or name in columns:
            ignored.append(label)
            continue
        columns[name] = index
        labels[name] = label
        if name in (ProgramField.PRESCRIPTION, ProgramField.SHORTHAND):
            folded = fold_label(label)
            unit = "kg" if folded.endswith("kg") else "lb" if folded.endswith("lb") else unit
    has_lines = ProgramField.SHORTHAND in columns or (
        ProgramField.EXERCISE in columns and ProgramField.PRESCRIPTION in columns
    )
    if not has_lines or ProgramField.WEEK not in columns or ProgramField.DAY not in columns:
        return None
    return ProgramHeader(row.number, columns, labels, ignored, unit)


class ProgramProblemCode:
    BAD_NAME = "bad_name"  # `cause` says why (the program builder's code)
    BAD_WEEK = "bad_week"  # not 1-52
    BAD_DAY = "bad_day"
    NO_LINE = "no_line"  # no exercise or prescription
    BAD_LINE = "bad_line"  # `error` says what the shorthand parser found
    UNKNOWN_EXERCISE = "unknown_exercise"
    AMBIGUOUS_EXERCISE = "ambiguous_exercise"
    EXISTS = "exists"  # the team has a program of that name: left alone
    TOO_MANY_ENTRIES = "too_many_entries"  # in one session
    TOO_MANY_SESSIONS = "too_many_sessions"  # in one week


@dataclass(frozen=True)
class ProgramProblem:
    row: int
    column: str
    code: str
    value: str = ""
    error: LineError | None = None
    options: tuple[str, ...] = ()
    cause: InvalidInput | None = None


@dataclass(frozen=True)
class ProgramLine:
    row: int
    program: str
    week: int
    weekday: int
    session: str | None
    entry: ParsedEntry
    weeks: int | None = None  # the program's length, when the sheet gives it


@dataclass
class ParsedPrograms:
    sheet: str
    header: ProgramHeader
    unit: str
    lines: list[ProgramLine] = field(default_factory=list)
    problems: list[ProgramProblem] = field(default_factory=list)


def parse_program_sheet(
    source: SheetSource, header: ProgramHeader, *, unit: str, default_name: str
) -> ParsedPrograms | FileProblem:
    rows = read_rows(source)
    if isinstance(rows, FileProblem):
        return rows
    data = [row for row in rows if row.number > header.row]
    if not data:
        return FileProblem(FileProblemKind.NO_ROWS)
    typed_unit: Unit = "lb" if (header.unit or unit) == "lb" else "kg"
    parsed = ParsedPrograms(sheet=source.name, header=header, unit=typed_unit)
    name = validation.collapse_spaces(PurePath(default_name).stem.replace("_", " ")) or "Program"
    for row in data:
        checked = _check_row(row, header, unit=typed_unit, default_name=name)
        if isinstance(checked, ProgramProblem):
            parsed.problems.append(checked)
        else:
            parsed.lines.append(checked)
    return parsed


def _text(row: SheetRow, header: ProgramHeader, name: str) -> str | None:
    index = header.columns.get(name)
    if index is None or index >= len(row.cells):
        return None
    value: CellValue = row.cells[index]
    if isinstance(value, str):
        value = restore_text(value)
    return cell_text(value)


def _check_row(
    row: SheetRow, header: ProgramHeader, *, unit: Unit, default_name: str
) -> ProgramLine | ProgramProblem:
    def problem(name: str, code: str, value: str = "", **extra: object) -> ProgramProblem:
        column = header.labels.get(name, name)
        return ProgramProblem(row.number, column, code, value[:100], **extra)  # type: ignore[arg-type]

    week_text = _text(row, header, ProgramField.WEEK) or ""
    week_digits = re.sub(r"^(?:week|wk|w)\s*", "", week_text.strip(), flags=re.IGNORECASE)
    if not week_digits.isdigit() or not 1 <= int(week_digits) <= program_queries.MAX_WEEKS:
        return problem(ProgramField.WEEK, ProgramProblemCode.BAD_WEEK, week_text)
    day_text = _text(row, header, ProgramField.DAY) or ""
    weekday = DAY_WORDS.get(fold_label(day_text))
    if weekday is None:
        return problem(ProgramField.DAY, ProgramProblemCode.BAD_DAY, day_text)
    shorthand = _text(row, header, ProgramField.SHORTHAND)
    if shorthand is None:
        exercise = _text(row, header, ProgramField.EXERCISE)
        prescription = _text(row, header, ProgramField.PRESCRIPTION)
        if not exercise or not prescription:
            field_ = ProgramField.EXERCISE if not exercise else ProgramField.PRESCRIPTION
            return problem(field_, ProgramProblemCode.NO_LINE)
        group = _text(row, header, ProgramField.GROUP)
        label = f"{group}. " if group and _GROUP.match(group) else ""
        shorthand = f"{label}{exercise} {prescription}"
    note = _text(row, header, ProgramField.NOTE)
    if note and "--" not in shorthand:
        shorthand = f"{shorthand} -- {note}"
    column = (
        ProgramField.SHORTHAND
        if ProgramField.SHORTHAND in header.columns
        else (ProgramField.PRESCRIPTION)
    )
    entry = parse_line(shorthand, line_no=row.number, unit=unit)
    if isinstance(entry, LineError):
        return problem(column, ProgramProblemCode.BAD_LINE, shorthand, error=entry)
    program = _text(row, header, ProgramField.PROGRAM) or default_name
    try:
        program = program_queries.clean_program_name(program)
    except InvalidInput as error:
        return problem(ProgramField.PROGRAM, ProgramProblemCode.BAD_NAME, program, cause=error)
    session = _text(row, header, ProgramField.SESSION)
    weeks_text = _text(row, header, ProgramField.WEEKS) or ""
    weeks = int(weeks_text) if weeks_text.isdigit() else None
    if weeks is not None and not int(week_digits) <= weeks <= program_queries.MAX_WEEKS:
        weeks = None
    return ProgramLine(row.number, program, int(week_digits), weekday, session, entry, weeks)


# --- against the team -------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramPlan:
    name: str
    weeks: int
    # (week, weekday, title) -> entries as (row, entry, exercise_id)
    sessions: dict[tuple[int, int, str | None], list[tuple[int, ParsedEntry, str]]]

    @property
    def entries(self) -> int:
        return sum(len(entries) for entries in self.sessions.values())


@dataclass
class ProgramsPreview:
    programs: list[ProgramPlan]
    problems: list[ProgramProblem]

    @property
    def problem_rows(self) -> int:
        return len({problem.row for problem in self.problems})


async def preview_programs_import(
    session: AsyncSession, *, organization_id: str, parsed: ParsedPrograms
) -> ProgramsPreview:
    problems = list(parsed.problems)
    names = await resolve_exercise_names(
        session,
        organization_id=organization_id,
        names=[line.entry.exercise_name for line in parsed.lines],
    )
    taken = await _program_keys(session, organization_id=organization_id)
    column = parsed.header.labels.get(
        ProgramField.EXERCISE, parsed.header.labels.get(ProgramField.SHORTHAND, "exercise")
    )
    by_program: dict[str, list[tuple[ProgramLine, str]]] = defaultdict(list)
    first_name: dict[str, str] = {}
    for line in parsed.lines:
        resolution = names[line.entry.exercise_name]
        if resolution.kind is Resolution.UNKNOWN:
            problems.append(
                ProgramProblem(
                    line.row, column, ProgramProblemCode.UNKNOWN_EXERCISE, line.entry.exercise_name
                )
            )
            continue
        if resolution.kind is Resolution.AMBIGUOUS:
            options = tuple(option.name for option in resolution.options[:3])
            problems.append(
                ProgramProblem(
                    line.row,
                    column,
                    ProgramProblemCode.AMBIGUOUS_EXERCISE,
                    line.entry.exercise_name,
                    options=options,
                )
            )
            continue
        key = validation.fold_key(line.program)
        first_name.setdefault(key, line.program)
        by_program[key].append((line, resolution.options[0].exercise_id))
    plans: list[ProgramPlan] = []
    program_label = parsed.header.labels.get(ProgramField.PROGRAM, "program")
    for key, lines in by_program.items():
        if key in taken:
            problems.extend(
                ProgramProblem(line.row, program_label, ProgramProblemCode.EXISTS, line.program)
                for line, _ in lines
            )
            continue
        sessions: dict[tuple[int, int, str | None], list[tuple[int, ParsedEntry, str]]] = {}
        for line, exercise_id in lines:
            slot = (line.week, line.weekday, line.session)
            sessions.setdefault(slot, []).append((line.row, line.entry, exercise_id))
        plan_problems = _check_sizes(sessions, parsed.header)
        if plan_problems:
            problems.extend(plan_problems)
            continue
        weeks = max(
            [week for week, _, _ in sessions] + [line.weeks for line, _ in lines if line.weeks]
        )
        plans.append(ProgramPlan(first_name[key], weeks, sessions))
    problems.sort(key=lambda problem: problem.row)
    return ProgramsPreview(programs=plans, problems=problems)


def _check_sizes(
    sessions: dict[tuple[int, int, str | None], list[tuple[int, ParsedEntry, str]]],
    header: ProgramHeader,
) -> list[ProgramProblem]:
    problems: list[ProgramProblem] = []
    per_week: dict[int, int] = defaultdict(int)
    for (week, _, _), entries in sessions.items():
        per_week[week] += 1
        if len(entries) > MAX_ENTRIES:
            problems.append(
                ProgramProblem(
                    entries[MAX_ENTRIES][0],
                    header.labels.get(ProgramField.DAY, "day"),
                    ProgramProblemCode.TOO_MANY_ENTRIES,
                    str(MAX_ENTRIES),
                )
            )
    for (week, _, _), entries in sessions.items():
        if per_week[week] > program_queries.MAX_SESSIONS_PER_WEEK:
            problems.append(
                ProgramProblem(
                    entries[0][0],
                    header.labels.get(ProgramField.WEEK, "week"),
                    ProgramProblemCode.TOO_MANY_SESSIONS,
                    str(program_queries.MAX_SESSIONS_PER_WEEK),
                )
            )
    return problems


async def _program_keys(session: AsyncSession, *, organization_id: str) -> set[str]:
    result = await session.exec(
        select(col(Program.name)).where(col(Program.organization_id) == organization_id)
    )
    return {validation.fold_key(name) for name in result.all()}


@dataclass(frozen=True)
class ProgramsImportResult:
    programs: list[str]  # ids of the programs created
    entries: int
    problem_rows: int


async def import_programs(
    session: AsyncSession, *, organization_id: str, parsed: ParsedPrograms
) -> ProgramsImportResult:
    """Create every program of the preview with its sessions and entries, in one transaction."""
    preview = await preview_programs_import(session, organization_id=organization_id, parsed=parsed)
    created: list[str] = []
    for plan in preview.programs:
        program = await program_queries.create_program(
            session, organization_id=organization_id, name=plan.name, weeks=plan.weeks
        )
        for (week, weekday, title), entries in sorted(
            plan.sessions.items(),
            key=lambda item: (item[0][0], item[0][1], min(e[0] for e in item[1])),
        ):
            day = await program_queries.add_session(
                session,
                organization_id=organization_id,
                program_id=program.id,
                week=week,
                weekday=weekday,
                title=title,
            )
            await program_queries.set_session_entries(
                session,
                organization_id=organization_id,
                session_id=day.id,
                entries=[
                    program_queries.EntryInput(
                        exercise_id=exercise_id,
                        prescription=entry.prescription,
                        group_label=entry.group_label,
                    )
                    for _, entry, exercise_id in entries
                ],
            )
        created.append(program.id)
    return ProgramsImportResult(
        programs=created,
        entries=sum(plan.entries for plan in preview.programs),
        problem_rows=preview.problem_rows,
    )
