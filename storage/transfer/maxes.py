"""Maxes from a spreadsheet: athlete (email or name), exercise, value, date.

The sheet is read and checked without the database (`parse_maxes`); athletes and exercises are
then resolved against the team (`preview_maxes_import`): athletes by email, else by name;
exercises with the same resolver the program builder uses (exact names and abbreviations, then
our search), and what can't be resolved is listed. `import_maxes` records every resolved row in
the caller's transaction; recording the same max again changes nothing (see `record_max`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Athlete
from storage.models.training import Max, MaxSource
from storage.queries.programs import Resolution, resolve_exercise_names
from storage.queries.training import record_max
from storage.training.loads import lb_to_kg
from storage.transfer.cells import restore_text
from storage.transfer.reading import (
    CellValue,
    FileProblem,
    FileProblemKind,
    SheetRow,
    SheetSource,
    Spreadsheet,
    peek_rows,
    read_rows,
)
from storage.transfer.roster import cell_text, fold_label, name_key

MAX_KG = 1_000.0  # above any lift on record; a typo of a digit more, most likely


class MaxField(StrEnum):
    ATHLETE = "athlete"
    EMAIL = "email"
    EXERCISE = "exercise"
    VALUE = "value"
    DATE = "date"
    SOURCE = "source"


_HEADER_WORDS: dict[MaxField, tuple[str, ...]] = {
    MaxField.ATHLETE: ("athlete", "name", "athletename", "fullname", "client", "player"),
    MaxField.EMAIL: ("athleteemail", "email", "emailaddress", "mail"),
    MaxField.EXERCISE: ("exercise", "lift", "movement", "exercisename"),
    MaxField.DATE: ("date", "measuredon", "tested", "testedon", "day", "when", "dateofmax"),
    MaxField.SOURCE: ("source",),
}
_VALUE_WORDS: dict[str, str | None] = {
    **dict.fromkeys(("kg", "kgs", "1rmkg", "maxkg", "weightkg", "loadkg", "rmkg"), "kg"),
    **dict.fromkeys(
        ("lb", "lbs", "1rmlb", "1rmlbs", "maxlb", "maxlbs", "weightlb", "weightlbs"), "lb"
    ),
    # No unit in the header: the team's unit.
    **dict.fromkeys(("1rm", "max", "weight", "value", "load", "rm", "onerepmax"), None),
}
HEADER_WORDS: dict[str, MaxField] = {
    word: max_field for max_field, words in _HEADER_WORDS.items() for word in words
}
_SOURCES = {source.value: source for source in MaxSource}
_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(kg|kgs|lb|lbs)?\s*$", re.IGNORECASE)
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")


@dataclass(frozen=True)
class MaxHeader:
    row: int
    columns: dict[MaxField, int]
    labels: dict[MaxField, str]
    ignored: list[str]
    unit: str | None  # the value column's unit, None: the team's


def match_max_header(row: SheetRow) -> MaxHeader | None:
    columns: dict[MaxField, int] = {}
    labels: dict[MaxField, str] = {}
    ignored: list[str] = []
    unit: str | None = None
    for index, cell in enumerate(row.cells):
        label = "" if cell is None else str(cell).strip()
        if not label:
            continue
        folded = fold_label(label)
        max_field = HEADER_WORDS.get(folded)
        if max_field is None and folded in _VALUE_WORDS:
            max_field = MaxField.VALUE
        if max_field is None or max_field in columns:
            ignored.append(label)
            continue
        columns[max_field] = index
        labels[max_field] = label
        if max_field is MaxField.VALUE:
            unit = _VALUE_WORDS[folded]
    wanted = {MaxField.EXERCISE, MaxField.VALUE}
    if not wanted <= set(columns) or not ({MaxField.ATHLETE, MaxField.EMAIL} & set(columns)):
        return None
    return MaxHeader(row.number, columns, labels, ignored, unit)


class MaxProblemCode(StrEnum):
    NO_ATHLETE = "no_athlete"  # neither a name nor an email
    NO_EXERCISE = "no_exercise"
    BAD_VALUE = "bad_value"
    BAD_DATE = "bad_date"
    FUTURE_DATE = "future_date"
    UNKNOWN_SOURCE = "unknown_source"
    UNKNOWN_ATHLETE = "unknown_athlete"  # not in the team
    AMBIGUOUS_ATHLETE = "ambiguous_athlete"  # several athletes of that name, and no email
    UNKNOWN_EXERCISE = "unknown_exercise"
    AMBIGUOUS_EXERCISE = "ambiguous_exercise"  # `options` lists the candidates
    DUPLICATE = "duplicate"  # the same athlete, exercise, date and source as `other_row`


@dataclass(frozen=True)
class MaxProblem:
    row: int
    column: str
    code: MaxProblemCode
    value: str = ""  # the cell as given
    options: tuple[str, ...] = ()
    other_row: int | None = None


@dataclass(frozen=True)
class MaxRow:
    row: int
    athlete: str | None
    email: str | None
    exercise: str
    kg: float
    measured_on: date
    source: MaxSource


@dataclass
class ParsedMaxes:
    sheet: str
    header: MaxHeader
    unit: str
    rows: list[MaxRow] = field(default_factory=list)
    problems: list[MaxProblem] = field(default_factory=list)


def find_max_sheet(spreadsheet: Spreadsheet) -> tuple[int, MaxHeader] | FileProblem | None:
    """The first sheet that lists maxes (its index and header), or None."""
    for index, source in enumerate(spreadsheet.sheets):
        peeked = peek_rows(source)
        if isinstance(peeked, FileProblem):
            return peeked
        for row in peeked:
            header = match_max_header(row)
            if header is not None:
                return index, header
    return None


def parse_maxes(
    spreadsheet: Spreadsheet, *, unit: str, today: date, sheet: int, header: MaxHeader
) -> ParsedMaxes | FileProblem:
    return parse_max_sheet(spreadsheet.sheets[sheet], header, unit=unit, today=today)


def parse_max_sheet(
    source: SheetSource, header: MaxHeader, *, unit: str, today: date
) -> ParsedMaxes | FileProblem:
    rows = read_rows(source)
    if isinstance(rows, FileProblem):
        return rows
    data = [row for row in rows if row.number > header.row]
    if not data:
        return FileProblem(FileProblemKind.NO_ROWS)
    parsed = ParsedMaxes(sheet=source.name, header=header, unit=header.unit or unit)
    seen: dict[tuple[str, str, date, MaxSource], int] = {}
    for row in data:
        checked = _check_row(row, header, unit=parsed.unit, today=today)
        if isinstance(checked, list):
            parsed.problems.extend(checked)
            continue
        who = (checked.email or "").casefold() or name_key(checked.athlete or "")
        key = (who, fold_label(checked.exercise), checked.measured_on, checked.source)
        if key in seen:
            parsed.problems.append(
                _problem(
                    row,
                    header,
                    MaxField.EXERCISE,
                    MaxProblemCode.DUPLICATE,
                    value=checked.exercise,
                    other_row=seen[key],
                )
            )
            continue
        seen[key] = row.number
        parsed.rows.append(checked)
    return parsed


def _problem(
    row: SheetRow,
    header: MaxHeader,
    max_field: MaxField,
    code: MaxProblemCode,
    *,
    value: str = "",
    other_row: int | None = None,
) -> MaxProblem:
    column = header.labels.get(max_field, max_field.value)
    return MaxProblem(row.number, column, code, value[:100], other_row=other_row)


def _cell(row: SheetRow, header: MaxHeader, max_field: MaxField) -> CellValue:
    index = header.columns.get(max_field)
    if index is None or index >= len(row.cells):
        return None
    value = row.cells[index]
    if isinstance(value, str):
        return restore_text(value).strip() or None
    return value


def _check_row(
    row: SheetRow, header: MaxHeader, *, unit: str, today: date
) -> MaxRow | list[MaxProblem]:
    problems: list[MaxProblem] = []
    athlete = cell_text(_cell(row, header, MaxField.ATHLETE))
    email = cell_text(_cell(row, header, MaxField.EMAIL))
    if not athlete and not email:
        field_ = MaxField.EMAIL if MaxField.ATHLETE not in header.columns else MaxField.ATHLETE
        problems.append(_problem(row, header, field_, MaxProblemCode.NO_ATHLETE))
    exercise = cell_text(_cell(row, header, MaxField.EXERCISE))
    if not exercise:
        problems.append(_problem(row, header, MaxField.EXERCISE, MaxProblemCode.NO_EXERCISE))
    raw_value = _cell(row, header, MaxField.VALUE)
    kg = _read_kg(raw_value, unit)
    if kg is None:
        problems.append(
            _problem(
                row,
                header,
                MaxField.VALUE,
                MaxProblemCode.BAD_VALUE,
                value=cell_text(raw_value) or "",
            )
        )
    raw_date = _cell(row, header, MaxField.DATE)
    measured_on = today if raw_date is None else _read_date(raw_date)
    if measured_on is None:
        problems.append(
            _problem(
                row, header, MaxField.DATE, MaxProblemCode.BAD_DATE, value=cell_text(raw_date) or ""
            )
        )
    elif measured_on > today:
        problems.append(
            _problem(
                row,
                header,
                MaxField.DATE,
                MaxProblemCode.FUTURE_DATE,
                value=measured_on.isoformat(),
            )
        )
    source = MaxSource.COACH
    source_text = cell_text(_cell(row, header, MaxField.SOURCE))
    if source_text:
        found = _SOURCES.get(fold_label(source_text))
        if found is None:
            problems.append(
                _problem(
                    row, header, MaxField.SOURCE, MaxProblemCode.UNKNOWN_SOURCE, value=source_text
                )
            )
        else:
            source = found
    if problems:
        return problems
    assert exercise is not None and kg is not None and measured_on is not None
    return MaxRow(row.number, athlete, email, exercise, kg, measured_on, source)


def _read_kg(value: CellValue, unit: str) -> float | None:
    amount: float
    typed = unit
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        amount = float(value)
    else:
        match = _NUMBER.match(str(value))
        if match is None:
            return None
        amount = float(match.group(1).replace(",", "."))
        if match.group(2):
            typed = "lb" if match.group(2).lower().startswith("lb") else "kg"
    kg = lb_to_kg(amount) if typed == "lb" else amount
    if not 0 < kg <= MAX_KG:
        return None
    return round(kg, 3)


def _read_date(value: CellValue) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = (cell_text(value) or "")[:10]
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


# --- against the team -------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedMax:
    row: MaxRow
    athlete_id: str
    athlete_name: str
    exercise_id: str
    exercise_name: str
    unchanged: bool  # the team has this very max on record already


@dataclass
class MaxesPreview:
    ready: list[ResolvedMax]
    problems: list[MaxProblem]

    @property
    def new(self) -> list[ResolvedMax]:
        return [item for item in self.ready if not item.unchanged]

    @property
    def problem_rows(self) -> int:
        return len({problem.row for problem in self.problems})


@dataclass(frozen=True)
class MaxesImportResult:
    recorded: int
    unchanged: int
    problem_rows: int


async def preview_maxes_import(
    session: AsyncSession, *, organization_id: str, parsed: ParsedMaxes
) -> MaxesPreview:
    problems = list(parsed.problems)
    result = await session.exec(
        select(col(Athlete.id), col(Athlete.name), col(Athlete.email)).where(
            col(Athlete.organization_id) == organization_id
        )
    )
    by_email: dict[str, tuple[str, str]] = {}
    by_name: dict[str, list[tuple[str, str]]] = {}
    for athlete_id, name, email in result.all():
        if email:
            by_email.setdefault(email.casefold(), (athlete_id, name))
        by_name.setdefault(name_key(name), []).append((athlete_id, name))
    names = await resolve_exercise_names(
        session, organization_id=organization_id, names=[row.exercise for row in parsed.rows]
    )
    existing = await _existing_maxes(session, organization_id=organization_id)
    ready: list[ResolvedMax] = []
    header = parsed.header
    for row in parsed.rows:
        athlete: tuple[str, str] | None = None
        if row.email:
            athlete = by_email.get(row.email.casefold())
        if athlete is None and row.athlete:
            matches = by_name.get(name_key(row.athlete), [])
            if len(matches) > 1:
                problems.append(
                    MaxProblem(
                        row.row,
                        header.labels.get(MaxField.ATHLETE, "athlete"),
                        MaxProblemCode.AMBIGUOUS_ATHLETE,
                        row.athlete,
                    )
                )
                continue
            athlete = matches[0] if matches else None
        if athlete is None:
            field_ = MaxField.EMAIL if row.email and not row.athlete else MaxField.ATHLETE
            problems.append(
                MaxProblem(
                    row.row,
                    header.labels.get(field_, field_.value),
                    MaxProblemCode.UNKNOWN_ATHLETE,
                    row.athlete or row.email or "",
                )
            )
            continue
        resolution = names[row.exercise]
        exercise_label = header.labels[MaxField.EXERCISE]
        if resolution.kind is Resolution.UNKNOWN:
            problems.append(
                MaxProblem(row.row, exercise_label, MaxProblemCode.UNKNOWN_EXERCISE, row.exercise)
            )
            continue
        if resolution.kind is Resolution.AMBIGUOUS:
            problems.append(
                MaxProblem(
                    row.row,
                    exercise_label,
                    MaxProblemCode.AMBIGUOUS_EXERCISE,
                    row.exercise,
                    tuple(option.name for option in resolution.options[:3]),
                )
            )
            continue
        option = resolution.options[0]
        key = (athlete[0], option.exercise_id, row.measured_on, row.source)
        ready.append(
            ResolvedMax(
                row,
                athlete[0],
                athlete[1],
                option.exercise_id,
                option.name,
                unchanged=existing.get(key) == row.kg,
            )
        )
    problems.sort(key=lambda problem: problem.row)
    return MaxesPreview(ready=ready, problems=problems)


async def _existing_maxes(
    session: AsyncSession, *, organization_id: str
) -> dict[tuple[str, str, date, MaxSource], float]:
    result = await session.execute(
        sa.select(
            col(Max.athlete_id),
            col(Max.exercise_id),
            col(Max.measured_on),
            col(Max.source),
            col(Max.kg),
        ).where(col(Max.organization_id) == organization_id)
    )
    return {
        (athlete_id, exercise_id, measured_on, MaxSource(source)): round(kg, 3)
        for athlete_id, exercise_id, measured_on, source, kg in result.all()
    }


async def import_maxes(
    session: AsyncSession,
    *,
    organization_id: str,
    parsed: ParsedMaxes,
    created_by: str | None = None,
) -> MaxesImportResult:
    """Record every resolved max the team doesn't have as it is, in the caller's transaction."""
    preview = await preview_maxes_import(session, organization_id=organization_id, parsed=parsed)
    for item in preview.new:
        await record_max(
            session,
            organization_id=organization_id,
            athlete_id=item.athlete_id,
            exercise_id=item.exercise_id,
            kg=item.row.kg,
            measured_on=item.row.measured_on,
            source=item.row.source,
            created_by=created_by,
        )
    return MaxesImportResult(
        recorded=len(preview.new),
        unchanged=len(preview.ready) - len(preview.new),
        problem_rows=preview.problem_rows,
    )
