# ruff: noqa: E501 (the pinned lines are long)
"""The export's CSV files, byte for byte, for a small team with every awkward value we know of.

The bytes were taken from the export as it was before it was made faster (2026-12-01), so any
change of what a coach gets (quoting, numbers, dates, neutralisation, order) fails here. The
same bytes are expected from SQLite (read through the session and on a connection of its own)
and from PostgreSQL.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Athlete, AthleteGender, Exercise, MovementPattern, ProgramEntry
from storage.models.training import Max, MaxSource, SetLog, TrainingSession
from storage.prescriptions import ParseErrors, parse_session
from storage.queries import athletes as athlete_queries
from storage.queries import programs as program_queries
from storage.schemas import AthleteCreate
from storage.transfer.export import EXPORT_TABLES, export_team
from tests.storage.helpers import make_team, make_user

ADDED = datetime(2026, 11, 2, 9, 30, 15, 123456, tzinfo=UTC)

ATHLETES = [
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
    AthleteCreate(name="Ω 佐藤 花子", gender=AthleteGender.NON_BINARY, notes="@coach check"),
    AthleteCreate(
        name="Zoë Smirnova", birthdate=date(1999, 1, 2), gender=AthleteGender.UNDISCLOSED
    ),
]

SNAPSHOT = {
    "target": {"reps": 5, "percent": 80.0, "rpe": 8.0},
    "kg": 100.0,
    "suggested": False,
    "tempo": "31X0",
    "rest_seconds": 120,
}


async def exercise_named(session: AsyncSession, name: str) -> str:
    found = await session.exec(
        select(Exercise.id).where(
            col(Exercise.name) == name, col(Exercise.organization_id).is_(None)
        )
    )
    return found.one()


async def awkward_team(session: AsyncSession) -> str:
    seat = await make_team(session)
    org = seat.organization_id
    ids = []
    for data in ATHLETES:
        athlete = await athlete_queries.create_athlete(session, organization_id=org, data=data)
        ids.append(athlete.id)
    evil, jose, sato, zoe = ids
    linked = await make_user(session, "Linked Athlete")
    await session.exec(
        sa.update(Athlete)
        .where(col(Athlete.organization_id) == org)
        .values(created_at=ADDED, updated_at=ADDED)
    )
    await session.exec(
        sa.update(Athlete).where(col(Athlete.id) == jose).values(linked_user_id=linked.id)
    )
    squat = await exercise_named(session, "Back Squat")
    deadlift = await exercise_named(session, "Deadlift")
    sled = Exercise(
        organization_id=org,
        name="=Sled push, heavy",
        movement_pattern=MovementPattern.CARRY,
        equipment="sled",
    )
    session.add(sled)
    await session.flush()
    for athlete_id, exercise_id, kg, day, source in [
        (jose, squat, 142.5, date(2026, 11, 2), MaxSource.COACH),
        (jose, deadlift, 180.0, date(2026, 10, 1), MaxSource.TESTED),
        (evil, squat, 116.66666666666667, date(2026, 9, 30), MaxSource.ESTIMATED),
    ]:
        session.add(
            Max(
                organization_id=org,
                athlete_id=athlete_id,
                exercise_id=exercise_id,
                kg=kg,
                measured_on=day,
                source=source,
                created_at=ADDED,
                updated_at=ADDED,
            )
        )
    program = await program_queries.create_program(
        session, organization_id=org, name="=Strength block", weeks=4
    )
    program_day = await program_queries.add_session(
        session, organization_id=org, program_id=program.id, week=1, weekday=3, title="Lower"
    )
    parsed = parse_session(
        "A1. Back Squat 5x5 @ 80%, rest 3min\n"
        "A2. Deadlift 3x3 @ 140kg\n"
        "Romanian Deadlift 3x8-10 @ RPE 7.5"
    )
    assert not isinstance(parsed, ParseErrors)
    entries = [
        program_queries.EntryInput(
            exercise_id=await exercise_named(session, entry.exercise_name),
            prescription=entry.prescription,
            group_label=entry.group_label,
        )
        for entry in parsed.entries
    ]
    await program_queries.set_session_entries(
        session, organization_id=org, session_id=program_day.id, entries=entries
    )
    await session.exec(
        sa.update(ProgramEntry)
        .where(col(ProgramEntry.group_label) == "A2")
        .values(note="-keep the bar close")
    )
    monday = TrainingSession(
        organization_id=org,
        athlete_id=jose,
        title='-Heavy, "top" day',
        scheduled_for=date(2026, 11, 30),
        started_at=ADDED,
    )
    tuesday = TrainingSession(
        organization_id=org,
        athlete_id=zoe,
        title="",
        scheduled_for=date(2026, 12, 1),
        started_at=ADDED,
    )
    session.add_all([monday, tuesday])
    await session.flush()
    sets: list[dict[str, Any]] = [
        dict(set_no=1, reps=5, kg=100.0, rpe=8.0, e1rm=116.7, prescribed=SNAPSHOT),
        dict(set_no=2, reps=5, kg=102.5, rpe=8.5, e1rm=119.58333333333333, record="e1rm"),
        dict(set_no=3, reps=None, kg=None, skipped=True, prescribed={"target": {"reps": 3}}),
    ]
    for n, values in enumerate(sets):
        session.add(
            SetLog(
                organization_id=org,
                athlete_id=jose,
                training_session_id=monday.id,
                exercise_id=squat,
                logged_at=datetime(2026, 11, 30, 17, 5, n, 999999, tzinfo=UTC),
                **values,
            )
        )
    session.add(
        SetLog(
            organization_id=org,
            athlete_id=zoe,
            training_session_id=tuesday.id,
            exercise_id=sled.id,
            set_no=1,
            seconds=45,
            meters=20.5,
            prescribed={"target": {"seconds": 45, "bodyweight": True}},
            logged_at=datetime(2026, 12, 1, 7, 0, tzinfo=UTC),
        )
    )
    session.add(
        SetLog(
            organization_id=org,
            athlete_id=sato,
            training_session_id=tuesday.id,
            exercise_id=deadlift,
            set_no=1,
            reps=1,
            kg=0.1 + 0.2,
            logged_at=datetime(2026, 12, 1, 7, 1, tzinfo=UTC),
        )
    )
    for n, (kg, meters) in enumerate([(0.0, -0.0), (-0.0, 0.0), (0.0, 0.0)]):
        session.add(
            SetLog(
                organization_id=org,
                athlete_id=sato,
                training_session_id=tuesday.id,
                exercise_id=deadlift,
                set_no=2 + n,
                reps=0,
                kg=kg,
                meters=meters,
                logged_at=datetime(2026, 12, 1, 7, 2 + n, tzinfo=UTC),
            )
        )
    await session.commit()
    return org


EXPECTED: dict[str, bytes] = {
    "athletes": (
        b"\xef\xbb\xbfName,Email,Phone,Birthdate,Gender,Status,Notes,Telegram linked,Added (UTC)\r\n"
        b'"\'=HYPERLINK(""http://evil.example"",""click"")",evil@example.com,,,,active,\'+cmd|\' /C calc\'!A0,no,2026-11-02 09:30:15\r\n'
        b'Jos\xc3\xa9 M\xc3\xbcller,jose@example.com,\'+34612345678,2004-07-21,male,active,"\'-5 kg since May\nsecond line; with, commas ""and quotes""",yes,2026-11-02 09:30:15\r\n'
        b"Zo\xc3\xab Smirnova,,,1999-01-02,undisclosed,active,,no,2026-11-02 09:30:15\r\n"
        b"\xce\xa9 \xe4\xbd\x90\xe8\x97\xa4 \xe8\x8a\xb1\xe5\xad\x90,,,,non_binary,active,'@coach check,no,2026-11-02 09:30:15\r\n"
    ),
    "maxes": (
        b"\xef\xbb\xbfAthlete,Athlete email,Exercise,kg,Measured on,Source,Added (UTC)\r\n"
        b'"\'=HYPERLINK(""http://evil.example"",""click"")",evil@example.com,Back Squat,116.66666666666667,2026-09-30,estimated,2026-11-02 09:30:15\r\n'
        b"Jos\xc3\xa9 M\xc3\xbcller,jose@example.com,Back Squat,142.5,2026-11-02,coach,2026-11-02 09:30:15\r\n"
        b"Jos\xc3\xa9 M\xc3\xbcller,jose@example.com,Deadlift,180.0,2026-10-01,tested,2026-11-02 09:30:15\r\n"
    ),
    "programs": (
        b'\xef\xbb\xbfProgram,Weeks,Archived,Week,Day,Session,Group,Exercise,Shorthand (kg),"Prescription (JSON, kg)",Note\r\n'
        b'\'=Strength block,4,no,1,Wed,Lower,A1,Back Squat,"A1. Back Squat 5x5 @ 80%, rest 3min","{""v"": 1, ""sets"": [{""reps"": 5, ""percent"": 80.0}, {""reps"": 5, ""percent"": 80.0}, {""reps"": 5, ""percent"": 80.0}, {""reps"": 5, ""percent"": 80.0}, {""reps"": 5, ""percent"": 80.0}], ""tempo"": null, ""rest_seconds"": 180}",\r\n'
        b'\'=Strength block,4,no,1,Wed,Lower,A2,Deadlift,A2. Deadlift 3x3 @ 140kg,"{""v"": 1, ""sets"": [{""reps"": 3, ""kg"": 140.0}, {""reps"": 3, ""kg"": 140.0}, {""reps"": 3, ""kg"": 140.0}], ""tempo"": null, ""rest_seconds"": null}",\'-keep the bar close\r\n'
        b'\'=Strength block,4,no,1,Wed,Lower,,Romanian Deadlift,Romanian Deadlift 3x8-10 @ RPE 7.5,"{""v"": 1, ""sets"": [{""reps"": 8, ""reps_max"": 10, ""rpe"": 7.5}, {""reps"": 8, ""reps_max"": 10, ""rpe"": 7.5}, {""reps"": 8, ""reps_max"": 10, ""rpe"": 7.5}], ""tempo"": null, ""rest_seconds"": null}",\r\n'
    ),
    "training-logs": (
        b"\xef\xbb\xbfDate,Athlete,Athlete email,Session,Exercise,Set,Reps,kg,Seconds,Meters,RPE,e1RM kg,Skipped,Record,Prescribed,Logged at (UTC)\r\n"
        b'2026-11-30,Jos\xc3\xa9 M\xc3\xbcller,jose@example.com,"\'-Heavy, ""top"" day",Back Squat,1,5,100.0,,,8.0,116.7,no,,"5 reps @ 80% (100 kg), RPE 8, tempo 31X0, rest 120 s",2026-11-30 17:05:00\r\n'
        b'2026-11-30,Jos\xc3\xa9 M\xc3\xbcller,jose@example.com,"\'-Heavy, ""top"" day",Back Squat,2,5,102.5,,,8.5,119.58333333333333,no,e1rm,,2026-11-30 17:05:01\r\n'
        b'2026-11-30,Jos\xc3\xa9 M\xc3\xbcller,jose@example.com,"\'-Heavy, ""top"" day",Back Squat,3,,,,,,,yes,,3 reps,2026-11-30 17:05:02\r\n'
        b'2026-12-01,Zo\xc3\xab Smirnova,,,"\'=Sled push, heavy",1,,,45,20.5,,,no,,45 s @ bodyweight,2026-12-01 07:00:00\r\n'
        b"2026-12-01,\xce\xa9 \xe4\xbd\x90\xe8\x97\xa4 \xe8\x8a\xb1\xe5\xad\x90,,,Deadlift,1,1,0.30000000000000004,,,,,no,,,2026-12-01 07:01:00\r\n"
        b"2026-12-01,\xce\xa9 \xe4\xbd\x90\xe8\x97\xa4 \xe8\x8a\xb1\xe5\xad\x90,,,Deadlift,2,0,0.0,,0.0,,,no,,,2026-12-01 07:02:00\r\n"
        b"2026-12-01,\xce\xa9 \xe4\xbd\x90\xe8\x97\xa4 \xe8\x8a\xb1\xe5\xad\x90,,,Deadlift,3,0,0.0,,0.0,,,no,,,2026-12-01 07:03:00\r\n"
        b"2026-12-01,\xce\xa9 \xe4\xbd\x90\xe8\x97\xa4 \xe8\x8a\xb1\xe5\xad\x90,,,Deadlift,4,0,0.0,,0.0,,,no,,,2026-12-01 07:04:00\r\n"
    ),
}
# PostgreSQL's driver hands the prescription JSON over decoded; it is written again compactly
# with sorted keys (SQLite's is the stored text as it is). PostgreSQL keeps the sign of -0.0,
# which SQLite stores as the integer 0.
EXPECTED_POSTGRESQL = {
    **EXPECTED,
    "training-logs": EXPECTED["training-logs"]
    .replace(b"2,0,0.0,,0.0,,,no,,,2026-12-01 07:02", b"2,0,0.0,,-0.0,,,no,,,2026-12-01 07:02")
    .replace(b"3,0,0.0,,0.0,,,no,,,2026-12-01 07:03", b"3,0,-0.0,,0.0,,,no,,,2026-12-01 07:03"),
    "programs": (
        b'\xef\xbb\xbfProgram,Weeks,Archived,Week,Day,Session,Group,Exercise,Shorthand (kg),"Prescription (JSON, kg)",Note\r\n'
        b'\'=Strength block,4,no,1,Wed,Lower,A1,Back Squat,"A1. Back Squat 5x5 @ 80%, rest 3min","{""rest_seconds"":180,""sets"":[{""percent"":80.0,""reps"":5},{""percent"":80.0,""reps"":5},{""percent"":80.0,""reps"":5},{""percent"":80.0,""reps"":5},{""percent"":80.0,""reps"":5}],""tempo"":null,""v"":1}",\r\n'
        b'\'=Strength block,4,no,1,Wed,Lower,A2,Deadlift,A2. Deadlift 3x3 @ 140kg,"{""rest_seconds"":null,""sets"":[{""kg"":140.0,""reps"":3},{""kg"":140.0,""reps"":3},{""kg"":140.0,""reps"":3}],""tempo"":null,""v"":1}",\'-keep the bar close\r\n'
        b'\'=Strength block,4,no,1,Wed,Lower,,Romanian Deadlift,Romanian Deadlift 3x8-10 @ RPE 7.5,"{""rest_seconds"":null,""sets"":[{""reps"":8,""reps_max"":10,""rpe"":7.5},{""reps"":8,""reps_max"":10,""rpe"":7.5},{""reps"":8,""reps_max"":10,""rpe"":7.5}],""tempo"":null,""v"":1}",\r\n'
    ),
}


async def export_bytes(
    session: AsyncSession, org: str, directory: Path, sqlite_file: str | None = None
) -> dict[str, bytes]:
    await asyncio.to_thread(directory.mkdir)
    result = await export_team(
        session,
        organization_id=org,
        directory=directory,
        stem="pinned",
        sqlite_file=sqlite_file,
    )
    assert not result.too_large
    return {f.table: f.path.read_bytes() for f in result.files if f.kind == "csv"}


async def test_the_csv_files_are_byte_for_byte_what_they_were(
    session: AsyncSession, tmp_path: Path, db_kind: str
) -> None:
    org = await awkward_team(session)
    exported = await export_bytes(session, org, tmp_path / "session")
    assert list(exported) == [table.key for table in EXPORT_TABLES]
    expected = EXPECTED_POSTGRESQL if db_kind == "postgresql" else EXPECTED
    for key, data in exported.items():
        assert data == expected[key], key
    if db_kind == "sqlite":
        bind = session.bind
        assert isinstance(bind, AsyncEngine)
        direct = await export_bytes(session, org, tmp_path / "direct", bind.url.database)
        assert direct == exported
