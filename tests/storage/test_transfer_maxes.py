"""Maxes from a spreadsheet: reading, resolving athletes and exercises, recording."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bench.transfer_files import csv_bytes
from storage.models import Exercise
from storage.models.training import Max, MaxSource
from storage.queries import athletes as athlete_queries
from storage.queries import training as training_queries
from storage.schemas import AthleteCreate
from storage.transfer.export import MAXES, export_team
from storage.transfer.maxes import (
    MaxProblemCode,
    ParsedMaxes,
    find_max_sheet,
    import_maxes,
    parse_maxes,
    preview_maxes_import,
)
from storage.transfer.reading import FileProblem, open_spreadsheet
from tests.storage.helpers import make_team

TODAY = date(2026, 11, 30)


def maxes_from(data: bytes, *, unit: str = "kg", name: str = "maxes.csv") -> ParsedMaxes:
    spreadsheet = open_spreadsheet(data, filename=name)
    assert not isinstance(spreadsheet, FileProblem)
    found = find_max_sheet(spreadsheet)
    assert found is not None and not isinstance(found, FileProblem)
    parsed = parse_maxes(spreadsheet, unit=unit, today=TODAY, sheet=found[0], header=found[1])
    assert isinstance(parsed, ParsedMaxes), parsed
    return parsed


def test_values_units_dates_and_problems_are_read() -> None:
    rows = [
        ["Athlete", "E-mail", "Lift", "1RM (lb)", "Tested on"],
        ["Maya", "", "Back Squat", "225", "2026-11-02"],
        ["", "ben@example.com", "Deadlift", "140 kg", "02.11.2026"],
        ["", "", "Deadlift", "140", ""],
        ["Zoë", "", "", "abc", "someday"],
        ["Zoë", "", "Bench Press", "-5", "2099-01-01"],
        ["Maya", "", "back squat", "225", "2026-11-02"],
        ["Ben", "", "Bench Press", "80", ""],
    ]
    parsed = maxes_from(csv_bytes(rows))
    assert parsed.unit == "lb"  # from the header
    maya, ben, ben_bench = parsed.rows
    assert maya.kg == round(225 * 0.45359237, 3) and maya.measured_on == date(2026, 11, 2)
    assert (ben.email, ben.kg, ben.measured_on) == ("ben@example.com", 140.0, date(2026, 11, 2))
    assert ben_bench.measured_on == TODAY and ben_bench.source is MaxSource.COACH
    found = [(p.row, p.code) for p in parsed.problems]
    assert found == [
        (4, MaxProblemCode.NO_ATHLETE),
        (5, MaxProblemCode.NO_EXERCISE),
        (5, MaxProblemCode.BAD_VALUE),
        (5, MaxProblemCode.BAD_DATE),
        (6, MaxProblemCode.BAD_VALUE),
        (6, MaxProblemCode.FUTURE_DATE),
        (7, MaxProblemCode.DUPLICATE),
    ]
    assert parsed.problems[-1].other_row == 2


async def exercise_named(session: AsyncSession, name: str) -> str:
    result = await session.exec(
        select(Exercise.id).where(
            col(Exercise.name) == name, col(Exercise.organization_id).is_(None)
        )
    )
    return result.one()


async def test_preview_resolves_and_lists_what_it_cannot(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    for name, email in [("Maya Lopez", "maya@example.com"), ("Ben", None), ("Ben", "b2@x.io")]:
        await athlete_queries.create_athlete(
            session, organization_id=org, data=AthleteCreate(name=name, email=email)
        )
    rows = [
        ["Athlete", "Email", "Exercise", "kg", "Date"],
        ["Maya Lopez", "", "Back Squat", "140", "2026-11-02"],
        ["", "MAYA@example.com", "RDL", "120", "2026-11-02"],
        ["Nobody", "", "Back Squat", "100", ""],
        ["Ben", "", "Back Squat", "100", ""],
        ["Maya Lopez", "", "Zzxqv Wibble", "50", ""],
    ]
    parsed = maxes_from(csv_bytes(rows))
    preview = await preview_maxes_import(session, organization_id=org, parsed=parsed)
    assert [(m.row.row, m.athlete_name, m.exercise_name) for m in preview.ready] == [
        (2, "Maya Lopez", "Back Squat"),
        (3, "Maya Lopez", "Romanian Deadlift"),
    ]
    assert [(p.row, p.code, p.value) for p in preview.problems] == [
        (4, MaxProblemCode.UNKNOWN_ATHLETE, "Nobody"),
        (5, MaxProblemCode.AMBIGUOUS_ATHLETE, "Ben"),
        (6, MaxProblemCode.UNKNOWN_EXERCISE, "Zzxqv Wibble"),
    ]
    result = await import_maxes(session, organization_id=org, parsed=parsed)
    assert (result.recorded, result.unchanged, result.problem_rows) == (2, 0, 3)
    again = await import_maxes(session, organization_id=org, parsed=parsed)
    assert (again.recorded, again.unchanged) == (0, 2)
    stored = await session.exec(select(Max).where(col(Max.organization_id) == org))
    assert sorted(m.kg for m in stored.all()) == [120.0, 140.0]


async def test_exported_maxes_reimported_into_a_new_team_are_the_same(
    session: AsyncSession, tmp_path: Path
) -> None:
    old, new = await make_team(session, "Old"), await make_team(session, "New")
    squat = await exercise_named(session, "Back Squat")
    bench = await exercise_named(session, "Bench Press")
    for seat in (old, new):
        for name, email in [("Maya Lopez", "maya@example.com"), ("Aiko Tanaka", None)]:
            await athlete_queries.create_athlete(
                session,
                organization_id=seat.organization_id,
                data=AthleteCreate(name=name, email=email),
            )
    old_athletes = await athlete_queries.list_athletes(session, organization_id=old.organization_id)
    entries = [
        (old_athletes.items[0].id, squat, 142.5, date(2026, 10, 1), MaxSource.TESTED),
        (old_athletes.items[0].id, squat, 147.5, date(2026, 11, 1), MaxSource.COACH),
        (old_athletes.items[1].id, bench, 62.25, date(2026, 9, 9), MaxSource.ESTIMATED),
    ]
    for athlete_id, exercise_id, kg, day, source in entries:
        await training_queries.record_max(
            session,
            organization_id=old.organization_id,
            athlete_id=athlete_id,
            exercise_id=exercise_id,
            kg=kg,
            measured_on=day,
            source=source,
        )
    result = await export_team(
        session, organization_id=old.organization_id, directory=tmp_path, tables=[MAXES]
    )
    exported = next(f for f in result.files if f.kind == "csv")
    parsed = maxes_from(exported.path.read_bytes(), unit="lb")  # the header says kg
    assert parsed.unit == "kg" and not parsed.problems
    imported = await import_maxes(session, organization_id=new.organization_id, parsed=parsed)
    assert imported.recorded == 3

    async def facts(organization_id: str) -> list[tuple[object, ...]]:
        rows = await session.exec(
            select(Max, Exercise.name)
            .join(Exercise, col(Exercise.id) == col(Max.exercise_id))
            .where(col(Max.organization_id) == organization_id)
        )
        names = {
            a.id: a.name
            for a in (
                await athlete_queries.list_athletes(session, organization_id=organization_id)
            ).items
        }
        return sorted(
            (names[m.athlete_id], exercise, m.kg, m.measured_on, m.source)
            for m, exercise in rows.all()
        )

    assert await facts(new.organization_id) == await facts(old.organization_id)
