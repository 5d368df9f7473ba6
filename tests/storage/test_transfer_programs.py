"""Programs from a sheet: week, day, exercise and the shorthand (both databases)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from bench.transfer_files import csv_bytes
from storage.transfer.detect import read_import
from storage.transfer.export import PROGRAMS, export_team
from storage.transfer.programs import (
    ParsedPrograms,
    ProgramProblemCode,
    import_programs,
    preview_programs_import,
)
from tests.storage.helpers import make_team

TODAY = date(2026, 11, 30)


def programs_from(data: bytes, name: str = "Strength block.csv") -> ParsedPrograms:
    parsed = read_import(data, filename=name, phone_region="US", unit="kg", today=TODAY)
    assert isinstance(parsed, ParsedPrograms), parsed
    return parsed


SHEET = [
    ["Week", "Day", "Session", "Group", "Exercise", "Prescription", "Note"],
    ["1", "Mon", "Lower", "A1", "Back Squat", "5x5 @ 80%, rest 3min", "belt on top sets"],
    ["1", "Mon", "Lower", "A2", "RDL", "3x8 @ RPE 7", ""],
    ["1", "Thursday", "Upper", "A", "Bench Press", "4x6 @ 75%", ""],
    ["2", "Mon", "Lower", "A1", "Back Squat", "5x4 @ 82.5%", ""],
    ["3", "Funday", "", "", "Back Squat", "5x3", ""],
    ["3", "Mon", "", "", "Back Squat", "five by five", ""],
    ["3", "Mon", "", "", "Zzxqv Wibble", "3x5", ""],
    ["60", "Mon", "", "", "Back Squat", "3x5", ""],
]


async def test_a_program_sheet_previews_and_imports_once(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    parsed = programs_from(csv_bytes(SHEET))
    preview = await preview_programs_import(session, organization_id=org, parsed=parsed)
    [plan] = preview.programs
    assert (plan.name, plan.weeks, plan.entries) == ("Strength block", 2, 4)
    assert sorted(plan.sessions) == [(1, 1, "Lower"), (1, 4, "Upper"), (2, 1, "Lower")]
    assert [(p.row, p.code) for p in preview.problems] == [
        (6, ProgramProblemCode.BAD_DAY),
        (7, ProgramProblemCode.BAD_LINE),
        (8, ProgramProblemCode.UNKNOWN_EXERCISE),
        (9, ProgramProblemCode.BAD_WEEK),
    ]
    result = await import_programs(session, organization_id=org, parsed=parsed)
    assert (len(result.programs), result.entries, result.problem_rows) == (1, 4, 4)
    again = await preview_programs_import(session, organization_id=org, parsed=parsed)
    assert again.programs == []
    assert {p.code for p in again.problems} >= {ProgramProblemCode.EXISTS}


async def test_an_exported_program_reimported_is_the_same(
    session: AsyncSession, tmp_path: Path
) -> None:
    old, new = await make_team(session, "Old"), await make_team(session, "New")
    await import_programs(
        session, organization_id=old.organization_id, parsed=programs_from(csv_bytes(SHEET))
    )
    # Four weeks long, the last two still empty: the length comes back too.
    four_weeks = [[*row, "Weeks" if n == 0 else "4"] for n, row in enumerate(SHEET[:5])]
    four = programs_from(csv_bytes(four_weeks), "Four weeks.csv")
    await import_programs(session, organization_id=old.organization_id, parsed=four)

    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()

    async def exported(organization_id: str, folder: Path) -> list[list[str]]:
        result = await export_team(
            session, organization_id=organization_id, directory=folder, tables=[PROGRAMS]
        )
        return list(csv.reader(io.StringIO(result.files[0].path.read_text("utf-8-sig"))))

    first = await exported(old.organization_id, tmp_path / "old")
    data = (tmp_path / "old" / "spotter-programs.csv").read_bytes()
    parsed = programs_from(data, "spotter-programs.csv")
    assert not parsed.problems
    result = await import_programs(session, organization_id=new.organization_id, parsed=parsed)
    assert result.entries == 8
    assert await exported(new.organization_id, tmp_path / "new") == first


async def test_the_weeks_column_sets_the_length(session: AsyncSession) -> None:
    seat = await make_team(session)
    sheet = [
        ["Week", "Day", "Exercise", "Prescription", "Weeks"],
        ["1", "1", "Deadlift", "3x3", "6"],
    ]
    parsed = programs_from(csv_bytes(sheet))
    preview = await preview_programs_import(
        session, organization_id=seat.organization_id, parsed=parsed
    )
    assert [plan.weeks for plan in preview.programs] == [6]
