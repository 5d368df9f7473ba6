"""Roster import and team export against a real database (SQLite, and PostgreSQL when set)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bench.transfer_files import csv_bytes, roster_rows
from storage.models import Athlete, AthleteGender, AthleteStatus, Exercise
from storage.models.training import MaxSource
from storage.prescriptions import ParseErrors, parse_session
from storage.queries import athletes as athlete_queries
from storage.queries import programs as program_queries
from storage.queries import training as training_queries
from storage.schemas import AthleteCreate
from storage.training.logparse import LoggedSet
from storage.transfer.export import (
    ATHLETE_HEADERS,
    ATHLETES,
    LOG_HEADERS,
    MAX_HEADERS,
    PROGRAMS,
    export_team,
)
from storage.transfer.prescribed import describe_prescribed
from storage.transfer.reading import FileProblem, open_spreadsheet
from storage.transfer.roster import ParsedRoster, parse_roster
from storage.transfer.roster_import import import_roster, preview_roster_import
from tests.storage.helpers import make_team

TODAY = date(2026, 11, 30)


def roster_from(data: bytes, filename: str = "roster.csv") -> ParsedRoster:
    spreadsheet = open_spreadsheet(data, filename=filename)
    assert not isinstance(spreadsheet, FileProblem), spreadsheet
    roster = parse_roster(spreadsheet, phone_region="US", today=TODAY)
    assert isinstance(roster, ParsedRoster), roster
    return roster


async def count_athletes(session: AsyncSession, organization_id: str) -> int:
    result = await session.exec(
        select(func.count())
        .select_from(Athlete)
        .where(col(Athlete.organization_id) == organization_id)
    )
    return result.one()


async def test_preview_counts_new_existing_and_problems(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    await athlete_queries.create_athlete(
        session,
        organization_id=org,
        data=AthleteCreate(name="Maya Lopez", email="maya@example.com"),
    )
    await athlete_queries.create_athlete(
        session, organization_id=org, data=AthleteCreate(name="Ben Okafor")
    )
    rows = [
        ["Name", "Email"],
        ["Maya L.", "MAYA@EXAMPLE.COM"],  # the same person by email, another spelling
        ["ben  okafor", ""],  # no email: the same person by name
        ["Zoë New", "zoe@example.com"],
        ["Broken", "nope"],
    ]
    roster = roster_from(csv_bytes(rows))
    preview = await preview_roster_import(session, organization_id=org, roster=roster)
    assert [row.athlete.name for row in preview.new] == ["Zoë New"]
    assert [(row.row, row.name) for row in preview.existing] == [
        (2, "Maya Lopez"),
        (3, "Ben Okafor"),
    ]
    assert preview.problem_rows == 1 and preview.problems[0].row == 5
    # A preview writes nothing.
    assert await count_athletes(session, org) == 2


async def test_import_adds_the_valid_rows_once(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    roster = roster_from(csv_bytes(roster_rows(500, bad_every=25)))
    assert len(roster.rows) == 480 and roster.problem_rows == 20
    result = await import_roster(session, organization_id=org, roster=roster)
    assert (len(result.added), result.existing, result.problem_rows) == (480, 0, 20)
    assert await count_athletes(session, org) == 480
    again = await import_roster(session, organization_id=org, roster=roster)
    assert (len(again.added), again.existing) == (0, 480)
    assert await count_athletes(session, org) == 480


async def test_import_reads_the_team_again_at_confirm(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    roster = roster_from(csv_bytes([["Name", "Email"], ["Maya", "maya@example.com"], ["Ben", ""]]))
    preview = await preview_roster_import(session, organization_id=org, roster=roster)
    assert len(preview.new) == 2
    # Between the preview and Confirm the coach adds Maya by hand.
    await athlete_queries.create_athlete(
        session, organization_id=org, data=AthleteCreate(name="Maya", email="maya@example.com")
    )
    result = await import_roster(session, organization_id=org, roster=roster)
    assert (len(result.added), result.existing) == (1, 1)


async def test_another_teams_athletes_dont_match(session: AsyncSession) -> None:
    ours, theirs = await make_team(session, "Ours"), await make_team(session, "Theirs")
    await athlete_queries.create_athlete(
        session,
        organization_id=theirs.organization_id,
        data=AthleteCreate(name="Maya", email="maya@example.com"),
    )
    roster = roster_from(csv_bytes([["Name", "Email"], ["Maya", "maya@example.com"]]))
    result = await import_roster(session, organization_id=ours.organization_id, roster=roster)
    assert len(result.added) == 1


async def test_status_column_is_imported(session: AsyncSession) -> None:
    seat = await make_team(session)
    roster = roster_from(csv_bytes([["Name", "Status"], ["Maya", "Archived"], ["Ben", ""]]))
    result = await import_roster(session, organization_id=seat.organization_id, roster=roster)
    maya = await athlete_queries.get_athlete(
        session, organization_id=seat.organization_id, athlete_id=result.added[0]
    )
    ben = await athlete_queries.get_athlete(
        session, organization_id=seat.organization_id, athlete_id=result.added[1]
    )
    assert maya.status is AthleteStatus.ARCHIVED and ben.status is AthleteStatus.ACTIVE


TRICKY = [
    AthleteCreate(
        name='=HYPERLINK("http://evil.example","click")',
        email="evil@example.com",
        notes="+cmd|' /C calc'!A0",
    ),
    AthleteCreate(
        name="José Müller",
        email="jose@example.com",
        phone="+34612345678",
        birthdate=date(2004, 7, 21),
        gender=AthleteGender.MALE,
        notes='-5 kg since May\nsecond line; with, commas "and quotes"',
    ),
    AthleteCreate(name="佐藤 花子", gender=AthleteGender.NON_BINARY, notes="@coach check"),
    AthleteCreate(
        name="Алексей Смирнов", birthdate=date(1999, 1, 2), gender=AthleteGender.UNDISCLOSED
    ),
]


async def add_tricky_team(session: AsyncSession) -> str:
    seat = await make_team(session)
    for data in TRICKY:
        await athlete_queries.create_athlete(
            session, organization_id=seat.organization_id, data=data
        )
    first = await athlete_queries.list_athletes(session, organization_id=seat.organization_id)
    await athlete_queries.set_athlete_status(
        session,
        organization_id=seat.organization_id,
        athlete_id=first.items[0].id,
        status=AthleteStatus.INACTIVE,
    )
    return seat.organization_id


def athlete_facts(athletes: list[Athlete]) -> list[tuple[object, ...]]:
    return sorted(
        (a.name, a.email, a.phone, a.birthdate, a.gender, a.notes, a.status) for a in athletes
    )


async def team_athletes(session: AsyncSession, organization_id: str) -> list[Athlete]:
    result = await session.exec(
        select(Athlete).where(col(Athlete.organization_id) == organization_id)
    )
    return list(result.all())


async def test_export_csv_is_excel_friendly_and_neutralised(
    session: AsyncSession, tmp_path: Path
) -> None:
    org = await add_tricky_team(session)
    other = await make_team(session, "Other")
    await athlete_queries.create_athlete(
        session, organization_id=other.organization_id, data=AthleteCreate(name="Not Ours")
    )
    result = await export_team(session, organization_id=org, directory=tmp_path)
    assert result.counts == {"athletes": 4, "maxes": 0, "programs": 0, "training-logs": 0}
    csv_file = next(f for f in result.files if f.kind == "csv")
    raw = csv_file.path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == ATHLETE_HEADERS
    names = [row[0] for row in rows[1:]]
    assert "Not Ours" not in names
    assert '\'=HYPERLINK("http://evil.example","click")' in names
    every_cell = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in every_cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'+34612345678" in every_cell and "'@coach check" in every_cell
    assert "佐藤 花子" in names and "Алексей Смирнов" in names


async def test_export_workbook_cells_are_text_never_formulas(
    session: AsyncSession, tmp_path: Path
) -> None:
    org = await add_tricky_team(session)
    result = await export_team(session, organization_id=org, directory=tmp_path)
    workbook_file = next(f for f in result.files if f.kind == "xlsx")
    with zipfile.ZipFile(workbook_file.path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    workbook = load_workbook(workbook_file.path)
    sheet = workbook["Athletes"]
    cells = {cell.value: cell for row in sheet.iter_rows(min_row=2) for cell in row}
    evil = cells[TRICKY[0].name]
    assert evil.data_type == "s" and evil.quotePrefix
    jose = next(
        row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] == "José Müller"
    )
    assert jose[3].date() == date(2004, 7, 21)  # a real date cell


async def test_export_reimported_into_a_new_team_reproduces_the_athletes(
    session: AsyncSession, tmp_path: Path
) -> None:
    org = await add_tricky_team(session)
    result = await export_team(session, organization_id=org, directory=tmp_path)
    for kind in ("csv", "xlsx"):
        exported = next(f for f in result.files if f.kind == kind)
        roster = roster_from(exported.path.read_bytes(), exported.filename)
        assert not roster.problems
        new_team = await make_team(session, f"Copy {kind}")
        await import_roster(session, organization_id=new_team.organization_id, roster=roster)
        copied = await team_athletes(session, new_team.organization_id)
        assert athlete_facts(copied) == athlete_facts(await team_athletes(session, org))


async def test_a_csv_over_the_upload_limit_goes_out_zipped(
    session: AsyncSession, tmp_path: Path
) -> None:
    seat = await make_team(session)
    roster = roster_from(csv_bytes(roster_rows(300)))
    await import_roster(session, organization_id=seat.organization_id, roster=roster)
    result = await export_team(
        session,
        organization_id=seat.organization_id,
        directory=tmp_path,
        tables=[ATHLETES],
        workbook=False,
        max_file_bytes=8_000,
    )
    (zipped,) = result.files
    assert zipped.kind == "zip" and zipped.filename == "spotter-athletes.csv.zip"
    with zipfile.ZipFile(zipped.path) as archive:
        text = archive.read("spotter-athletes.csv").decode("utf-8-sig")
    assert text.count("\n") == 301
    tiny = await export_team(
        session,
        organization_id=seat.organization_id,
        directory=tmp_path / "..",
        stem="tiny",
        tables=[ATHLETES],
        max_file_bytes=100,
    )
    assert [f.kind for f in tiny.too_large] == ["zip", "xlsx"]


async def test_empty_team_exports_headers_only(session: AsyncSession, tmp_path: Path) -> None:
    seat = await make_team(session)
    result = await export_team(session, organization_id=seat.organization_id, directory=tmp_path)
    assert result.counts == {"athletes": 0, "maxes": 0, "programs": 0, "training-logs": 0}
    csv_file = next(f for f in result.files if f.table == "athletes")
    assert csv_file.path.read_text(encoding="utf-8-sig").strip() == ",".join(ATHLETE_HEADERS)


async def test_export_reads_its_tables_around_sqlalchemy(
    engine: AsyncEngine, session: AsyncSession, tmp_path: Path
) -> None:
    """The tables are read by the driver's own cursor on PostgreSQL and by a connection of its
    own on SQLite: through SQLAlchemy's rows a million-row export took 40% more CPU, with the
    event loop held up meanwhile (bench/transfer.py)."""
    seat = await make_team(session)
    await session.commit()
    through_sqlalchemy: list[str] = []

    def note(_connection: object, _cursor: object, statement: str, *_: object) -> None:
        through_sqlalchemy.append(statement)

    sqlite_file = engine.url.database if engine.dialect.name == "sqlite" else None
    event.listen(engine.sync_engine, "before_cursor_execute", note)
    try:
        result = await export_team(
            session,
            organization_id=seat.organization_id,
            directory=tmp_path,
            workbook=False,
            sqlite_file=sqlite_file,
        )
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", note)
    assert result.counts == {"athletes": 0, "maxes": 0, "programs": 0, "training-logs": 0}
    assert through_sqlalchemy == []


async def exercise_id_named(session: AsyncSession, name: str) -> str:
    result = await session.exec(
        select(Exercise.id).where(
            col(Exercise.name) == name, col(Exercise.organization_id).is_(None)
        )
    )
    return result.one()


async def test_maxes_and_training_logs_are_exported(session: AsyncSession, tmp_path: Path) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    athlete = await athlete_queries.create_athlete(
        session, organization_id=org, data=AthleteCreate(name="Maya Lopez", email="m@x.io")
    )
    squat = await exercise_id_named(session, "Back Squat")
    await training_queries.record_max(
        session,
        organization_id=org,
        athlete_id=athlete.id,
        exercise_id=squat,
        kg=142.5,
        measured_on=date(2026, 11, 2),
        source=MaxSource.COACH,
    )
    now = datetime(2026, 11, 30, 17, 5, tzinfo=UTC)
    await training_queries.log_off_plan(
        session,
        organization_id=org,
        athlete_id=athlete.id,
        exercise_id=squat,
        day=date(2026, 11, 30),
        sets=[LoggedSet(reps=5, kg=100.0, rpe=8.0), LoggedSet(reps=5, kg=102.5)],
        title="Extra work",
        now=now,
    )
    result = await export_team(session, organization_id=org, directory=tmp_path)
    assert result.counts == {"athletes": 1, "maxes": 1, "programs": 0, "training-logs": 2}
    by_table = {f.table: f for f in result.files if f.kind == "csv"}
    maxes = list(csv.reader(io.StringIO(by_table["maxes"].path.read_text("utf-8-sig"))))
    assert maxes == [
        list(MAX_HEADERS),
        ["Maya Lopez", "m@x.io", "Back Squat", "142.5", "2026-11-02", "coach", maxes[1][6]],
    ]
    logs = list(csv.reader(io.StringIO(by_table["training-logs"].path.read_text("utf-8-sig"))))
    assert logs[0] == list(LOG_HEADERS)
    first = dict(zip(LOG_HEADERS, logs[1], strict=True))
    assert (first["Date"], first["Athlete"], first["Exercise"], first["Reps"], first["kg"]) == (
        "2026-11-30",
        "Maya Lopez",
        "Back Squat",
        "5",
        "100.0",
    )
    assert first["RPE"] == "8.0" and first["Logged at (UTC)"] == "2026-11-30 17:05:00"
    workbook = load_workbook(next(f for f in result.files if f.kind == "xlsx").path)
    assert workbook.sheetnames == ["Athletes", "Maxes", "Programs", "Training logs"]
    assert workbook["Training logs"].max_row == 3


def test_a_prescription_snapshot_reads_as_text() -> None:
    assert describe_prescribed(None) is None
    snapshot = {
        "target": {"reps": 5, "percent": 80.0, "rpe": 8.0},
        "kg": 100.0,
        "suggested": False,
        "tempo": "31X0",
        "rest_seconds": 120,
    }
    assert describe_prescribed(snapshot) == "5 reps @ 80% (100 kg), RPE 8, tempo 31X0, rest 120 s"
    amrap = {"target": {"reps": 8, "amrap": True, "rir": 2}, "kg": 60.0, "suggested": True}
    assert describe_prescribed(amrap) == "8+ reps @ 60 kg suggested, 2 RIR"


async def test_a_big_table_is_cut_in_the_workbook_but_whole_in_the_csv(
    session: AsyncSession, tmp_path: Path
) -> None:
    org = await add_tricky_team(session)
    table = dataclasses.replace(ATHLETES, workbook_rows=2)
    result = await export_team(session, organization_id=org, directory=tmp_path, tables=[table])
    assert result.counts == {"athletes": 4} and result.workbook_cut == {"athletes": 2}
    workbook_file = next(f for f in result.files if f.kind == "xlsx")
    assert workbook_file.rows == 2
    assert load_workbook(workbook_file.path)["Athletes"].max_row == 3
    csv_file = next(f for f in result.files if f.kind == "csv")
    assert len(list(csv.reader(io.StringIO(csv_file.path.read_text("utf-8-sig"))))) == 5


async def test_programs_are_exported_an_entry_a_row_with_the_shorthand(
    session: AsyncSession, tmp_path: Path
) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    program = await program_queries.create_program(
        session, organization_id=org, name="=Strength block", weeks=4
    )
    day = await program_queries.add_session(
        session, organization_id=org, program_id=program.id, week=1, weekday=3, title="Lower"
    )
    parsed = parse_session("A1. Back Squat 5x5 @ 80%, rest 3min\nA2. Deadlift 3x3 @ 140kg")
    assert not isinstance(parsed, ParseErrors)
    entries = [
        program_queries.EntryInput(
            exercise_id=await exercise_id_named(session, entry.exercise_name),
            prescription=entry.prescription,
            group_label=entry.group_label,
        )
        for entry in parsed.entries
    ]
    await program_queries.set_session_entries(
        session, organization_id=org, session_id=day.id, entries=entries
    )
    result = await export_team(session, organization_id=org, directory=tmp_path, tables=[PROGRAMS])
    assert result.counts == {"programs": 2}
    rows = list(csv.reader(io.StringIO(result.files[0].path.read_text("utf-8-sig"))))
    assert rows[0] == list(PROGRAMS.headers)
    first = dict(zip(PROGRAMS.headers, rows[1], strict=True))
    assert first["Program"] == "'=Strength block"  # neutralised
    assert (first["Week"], first["Day"], first["Session"], first["Group"]) == (
        "1",
        "Wed",
        "Lower",
        "A1",
    )
    assert first["Shorthand (kg)"] == "A1. Back Squat 5x5 @ 80%, rest 3min"
    second = dict(zip(PROGRAMS.headers, rows[2], strict=True))
    assert second["Shorthand (kg)"].startswith("A2. Deadlift 3x3 @ 140")
    assert json.loads(second["Prescription (JSON, kg)"])["sets"][0]["kg"] == 140
    # The shorthand reads back as the same prescription.
    again = parse_session(first["Shorthand (kg)"] + "\n" + second["Shorthand (kg)"])
    assert not isinstance(again, ParseErrors)
    assert [e.prescription for e in again.entries] == [e.prescription for e in parsed.entries]


async def test_reading_sqlite_on_its_own_connection_writes_the_same_files(
    session: AsyncSession, tmp_path: Path, db_kind: str
) -> None:
    if db_kind != "sqlite":
        pytest.skip("a SQLite file read on its own connection")
    org = await add_tricky_team(session)
    await session.commit()  # the reader sees what is committed
    bind = session.bind
    assert bind is not None
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    streamed = await export_team(session, organization_id=org, directory=tmp_path / "a")
    direct = await export_team(
        session,
        organization_id=org,
        directory=tmp_path / "b",
        sqlite_file=bind.url.database,
    )
    assert (
        direct.counts
        == streamed.counts
        == {
            "athletes": 4,
            "maxes": 0,
            "programs": 0,
            "training-logs": 0,
        }
    )
    for a, b in zip(streamed.files, direct.files, strict=True):
        if a.kind == "csv":
            assert a.path.read_bytes() == b.path.read_bytes()
