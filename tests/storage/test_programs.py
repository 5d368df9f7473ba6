"""Programs, sessions, entries, week copies, assignments and name resolution (both databases)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.errors import Conflict, InvalidInput, NotFound
from storage.models import Assignment, Exercise, MovementPattern, ProgramEntry
from storage.prescriptions import (
    ParsedSession,
    Progression,
    ProgressionKind,
    parse_session,
    render_prescription,
)
from storage.queries import programs as q
from storage.queries.athletes import create_athlete
from storage.queries.exercises import create_custom_exercise
from storage.schemas import AthleteCreate, ExerciseCreate
from tests.storage.helpers import make_team

MONDAY = date(2026, 12, 7)


async def curated_id(session: AsyncSession, slug: str) -> str:
    result = await session.exec(select(col(Exercise.id)).where(col(Exercise.slug) == slug))
    return result.one()


async def entries_from(session: AsyncSession, text: str) -> list[q.EntryInput]:
    parsed = parse_session(text)
    assert isinstance(parsed, ParsedSession), parsed
    squat = await curated_id(session, "back-squat")
    bench = await curated_id(session, "bench-press")
    ids = {"Back squat": squat, "Bench press": bench}
    return [
        q.EntryInput(ids[e.exercise_name], e.prescription, e.group_label) for e in parsed.entries
    ]


async def make_athlete(session: AsyncSession, organization_id: str, name: str) -> str:
    athlete = await create_athlete(
        session, organization_id=organization_id, data=AthleteCreate(name=name)
    )
    return athlete.id


async def test_create_list_filter_and_page(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    for name in ["Zoë block", "Hypertrophy", "Strength Block", "Peaking"]:
        await q.create_program(session, organization_id=org, name=name, weeks=4)
    page = await q.list_programs(session, organization_id=org, limit=3)
    assert [row.program.name for row in page.items] == ["Hypertrophy", "Peaking", "Strength Block"]
    assert (page.total, page.has_next) == (4, True)
    second = await q.list_programs(session, organization_id=org, offset=3, limit=3)
    assert [row.program.name for row in second.items] == ["Zoë block"]
    # Folded names: accents and case don't matter.
    found = await q.list_programs(session, organization_id=org, name_filter="ZOE")
    assert [row.program.name for row in found.items] == ["Zoë block"]
    other = await make_team(session, "Other team")
    assert (await q.list_programs(session, organization_id=other.organization_id)).total == 0


async def test_bad_names_and_weeks_are_refused(session: AsyncSession) -> None:
    seat = await make_team(session)
    for name, weeks in [("", 4), ("123", 4), ("x" * 101, 4), ("Block", 0), ("Block", 53)]:
        with pytest.raises(InvalidInput):
            await q.create_program(
                session, organization_id=seat.organization_id, name=name, weeks=weeks
            )


async def test_other_teams_rows_are_not_found(session: AsyncSession) -> None:
    mine = await make_team(session)
    theirs = await make_team(session, "Rivals")
    program = await q.create_program(
        session, organization_id=mine.organization_id, name="Block", weeks=3
    )
    slot = await q.add_session(
        session, organization_id=mine.organization_id, program_id=program.id, week=1, weekday=1
    )
    org = theirs.organization_id
    with pytest.raises(NotFound):
        await q.get_program(session, organization_id=org, program_id=program.id)
    with pytest.raises(NotFound):
        await q.get_session_view(session, organization_id=org, session_id=slot.id)
    with pytest.raises(NotFound):
        await q.set_program_archived(
            session, organization_id=org, program_id=program.id, archived=True
        )
    with pytest.raises(NotFound):
        await q.remove_session(session, organization_id=org, session_id=slot.id)
    athlete = await make_athlete(session, org, "Their athlete")
    with pytest.raises(NotFound):
        await q.assign_program(
            session,
            organization_id=mine.organization_id,
            program_id=program.id,
            athlete_ids=[athlete],
            start_date=MONDAY,
        )
    # Another team's custom exercise can't go into our session.
    theirs_exercise = await create_custom_exercise(
        session,
        organization_id=org,
        data=ExerciseCreate(
            name="Secret lift",
            movement_pattern=MovementPattern.SQUAT,
            equipment="barbell",
            primary_muscles=["quads"],
        ),
    )
    parsed = parse_session("Secret lift 3x5")
    assert isinstance(parsed, ParsedSession)
    with pytest.raises(NotFound):
        await q.set_session_entries(
            session,
            organization_id=mine.organization_id,
            session_id=slot.id,
            entries=[q.EntryInput(theirs_exercise.id, parsed.entries[0].prescription)],
        )


async def test_session_entries_round_trip_and_keep_ids_in_place(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    program = await q.create_program(session, organization_id=org, name="Block", weeks=3)
    slot = await q.add_session(
        session, organization_id=org, program_id=program.id, week=1, weekday=1, title="Lower A"
    )
    text = "A1. Back squat 5x5 @ 80%, rest 2min -- belt\nB. Bench press 5/3/1+ @ 75/85/95%"
    first = await q.set_session_entries(
        session, organization_id=org, session_id=slot.id, entries=await entries_from(session, text)
    )
    view = await q.get_session_view(session, organization_id=org, session_id=slot.id)
    assert [e.exercise_name for e in view.entries] == ["Back Squat", "Bench Press"]
    assert [render_prescription(e.prescription) for e in view.entries] == [
        "5x5 @ 80%, rest 2min -- belt",
        "5/3/1+ @ 75/85/95%",
    ]
    assert view.entries[0].entry.group_label == "A1"
    # Changing a number keeps the row (and its id); a shorter list removes the rest.
    changed = await q.set_session_entries(
        session,
        organization_id=org,
        session_id=slot.id,
        entries=await entries_from(session, "Back squat 5x5 @ 82.5%"),
    )
    assert changed[0].id == first[0].id
    view = await q.get_session_view(session, organization_id=org, session_id=slot.id)
    assert [render_prescription(e.prescription) for e in view.entries] == ["5x5 @ 82.5%"]
    assert view.entries[0].entry.group_label is None


async def test_add_remove_sessions_and_program_view(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    program = await q.create_program(session, organization_id=org, name="Block", weeks=2)
    for weekday in (5, 1, 3):
        await q.add_session(
            session, organization_id=org, program_id=program.id, week=1, weekday=weekday
        )
    with pytest.raises(InvalidInput):
        await q.add_session(session, organization_id=org, program_id=program.id, week=3, weekday=1)
    with pytest.raises(InvalidInput):
        await q.add_session(session, organization_id=org, program_id=program.id, week=1, weekday=8)
    view = await q.get_program_view(session, organization_id=org, program_id=program.id)
    assert [s.weekday for s in view.week(1)] == [1, 3, 5]
    slot = view.week(1)[0]
    await q.set_session_entries(
        session,
        organization_id=org,
        session_id=slot.id,
        entries=await entries_from(session, "Back squat 5x5"),
    )
    await q.remove_session(session, organization_id=org, session_id=slot.id)
    view = await q.get_program_view(session, organization_id=org, program_id=program.id)
    assert [s.weekday for s in view.week(1)] == [3, 5]
    remaining = await session.exec(select(ProgramEntry))
    assert remaining.all() == []


async def test_copy_week_with_progression(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    program = await q.create_program(session, organization_id=org, name="Block", weeks=3)
    for weekday, text in [(1, "Back squat 5x5 @ 100kg"), (3, "Bench press 3x8-10 @ 60kg")]:
        slot = await q.add_session(
            session, organization_id=org, program_id=program.id, week=1, weekday=weekday
        )
        await q.set_session_entries(
            session,
            organization_id=org,
            session_id=slot.id,
            entries=await entries_from(session, text),
        )
    # Something already in week 2 is replaced.
    await q.add_session(session, organization_id=org, program_id=program.id, week=2, weekday=7)
    written = await q.copy_week(
        session,
        organization_id=org,
        program_id=program.id,
        source_week=1,
        target_weeks=[2, 3],
        progression=Progression(ProgressionKind.KG, 2.5),
    )
    assert written == 4
    view = await q.get_program_view(session, organization_id=org, program_id=program.id)
    assert [(s.week, s.weekday) for s in view.sessions] == [
        (1, 1), (1, 3), (2, 1), (2, 3), (3, 1), (3, 3),
    ]  # fmt: skip
    sessions = await q.list_session_views(
        session, organization_id=org, session_ids=[s.id for s in view.sessions]
    )
    loads = [[render_prescription(e.prescription) for e in s.entries] for s in sessions]
    assert loads == [
        ["5x5 @ 100kg"], ["3x8-10 @ 60kg"],
        ["5x5 @ 102.5kg"], ["3x8-10 @ 62.5kg"],
        ["5x5 @ 105kg"], ["3x8-10 @ 65kg"],
    ]  # fmt: skip
    with pytest.raises(Conflict):
        await q.copy_week(
            session, organization_id=org, program_id=program.id, source_week=2, target_weeks=[2]
        )
    with pytest.raises(InvalidInput):
        await q.copy_week(
            session, organization_id=org, program_id=program.id, source_week=1, target_weeks=[4]
        )


async def test_copy_program_and_archive_restore(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    program = await q.create_program(session, organization_id=org, name="Block", weeks=2)
    slot = await q.add_session(
        session, organization_id=org, program_id=program.id, week=1, weekday=2, title="Upper"
    )
    await q.set_session_entries(
        session,
        organization_id=org,
        session_id=slot.id,
        entries=await entries_from(session, "Bench press 3x5 @ RPE 8"),
    )
    copy = await q.copy_program(
        session,
        organization_id=org,
        program_id=program.id,
        name="Block (copy)",
        new_program_id="c1",
    )
    again = await q.copy_program(
        session,
        organization_id=org,
        program_id=program.id,
        name="Block (copy)",
        new_program_id="c1",
    )
    assert copy.id == again.id == "c1"
    view = await q.get_program_view(session, organization_id=org, program_id=copy.id)
    assert [(s.week, s.weekday, s.title) for s in view.sessions] == [(1, 2, "Upper")]
    assert view.entry_counts == {view.sessions[0].id: 1}

    athlete = await make_athlete(session, org, "Maya")
    await q.assign_program(
        session,
        organization_id=org,
        program_id=program.id,
        athlete_ids=[athlete],
        start_date=MONDAY,
    )
    with pytest.raises(Conflict):
        await q.set_program_archived(
            session, organization_id=org, program_id=program.id, archived=True
        )
    await q.set_program_archived(session, organization_id=org, program_id=copy.id, archived=True)
    live = await q.list_programs(session, organization_id=org)
    archived = await q.list_programs(session, organization_id=org, archived=True)
    assert [r.program.id for r in live.items] == [program.id]
    assert [(r.program.id, r.athlete_count) for r in archived.items] == [(copy.id, 0)]
    assert live.items[0].athlete_count == 1 and live.items[0].session_count == 1
    with pytest.raises(Conflict):
        await q.assign_program(
            session,
            organization_id=org,
            program_id=copy.id,
            athlete_ids=[athlete],
            start_date=MONDAY,
        )
    await q.set_program_archived(session, organization_id=org, program_id=copy.id, archived=False)
    assert (await q.list_programs(session, organization_id=org)).total == 2


async def test_one_active_assignment_per_athlete(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    first = await q.create_program(session, organization_id=org, name="First", weeks=2)
    second = await q.create_program(session, organization_id=org, name="Second", weeks=2)
    maya = await make_athlete(session, org, "Maya")
    leo = await make_athlete(session, org, "Leo")
    outcomes = await q.assign_program(
        session,
        organization_id=org,
        program_id=first.id,
        athlete_ids=[maya, leo, maya],
        start_date=MONDAY,
    )
    assert [o.athlete.name for o in outcomes] == ["Maya", "Leo"]
    repeat = await q.assign_program(
        session, organization_id=org, program_id=first.id, athlete_ids=[maya], start_date=MONDAY
    )
    assert repeat[0].unchanged
    moved = await q.assign_program(
        session, organization_id=org, program_id=second.id, athlete_ids=[maya], start_date=MONDAY
    )
    assert moved[0].replaced is not None and moved[0].replaced.id == first.id
    rows = (await session.exec(select(Assignment).where(col(Assignment.athlete_id) == maya))).all()
    assert sorted((a.program_id, a.ended_at is None) for a in rows) == sorted(
        [(first.id, False), (second.id, True)]
    )
    on_first = await q.list_program_athletes(session, organization_id=org, program_id=first.id)
    assert [a.name for a, _ in on_first] == ["Leo"]
    ended = await q.unassign_athlete(session, organization_id=org, athlete_id=maya)
    assert ended is not None and ended.ended_at is not None
    assert await q.unassign_athlete(session, organization_id=org, athlete_id=maya) is None
    picker = await q.list_assignable_athletes(session, organization_id=org)
    assert [(a.name, program) for a, program in picker.items] == [("Leo", "First"), ("Maya", None)]


async def test_the_database_refuses_two_active_assignments(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    program = await q.create_program(session, organization_id=org, name="Block", weeks=2)
    maya = await make_athlete(session, org, "Maya")
    for _ in range(2):
        session.add(
            Assignment(
                organization_id=org, athlete_id=maya, program_id=program.id, start_date=MONDAY
            )
        )
    with pytest.raises(sa.exc.IntegrityError):
        await session.flush()


async def test_current_program_and_next_session_dates(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    program = await q.create_program(session, organization_id=org, name="Block", weeks=2)
    for week in (1, 2):
        for weekday in (1, 3, 5):
            await q.add_session(
                session, organization_id=org, program_id=program.id, week=week, weekday=weekday
            )
    maya = await make_athlete(session, org, "Maya")
    assert (
        await q.get_current_program(session, organization_id=org, athlete_id=maya, today=MONDAY)
        is None
    )
    # Starting on a Wednesday: Monday of week 1 is skipped, not shifted.
    wednesday = date(2026, 12, 9)
    await q.assign_program(
        session,
        organization_id=org,
        program_id=program.id,
        athlete_ids=[maya],
        start_date=wednesday,
    )
    current = await q.get_current_program(
        session, organization_id=org, athlete_id=maya, today=date(2026, 12, 8)
    )
    assert current is not None and current.program.id == program.id
    assert current.first_session is not None and current.first_session.on == wednesday
    assert current.next_session is not None and current.next_session.on == wednesday
    later = await q.get_current_program(
        session, organization_id=org, athlete_id=maya, today=date(2026, 12, 12)
    )
    assert later is not None and later.next_session is not None
    assert (later.next_session.on, later.next_session.week) == (date(2026, 12, 14), 2)
    over = await q.get_current_program(
        session, organization_id=org, athlete_id=maya, today=date(2026, 12, 19)
    )
    assert over is not None and over.next_session is None
    week_two = await q.list_planned_sessions(
        session,
        organization_id=org,
        athlete_id=maya,
        start=date(2026, 12, 14),
        end=date(2026, 12, 20),
    )
    assert [p.on.day for p in week_two] == [14, 16, 18]


def test_next_monday() -> None:
    assert q.next_monday(date(2026, 12, 9)) == date(2026, 12, 14)
    assert q.next_monday(date(2026, 12, 7)) == date(2026, 12, 14)
    assert q.next_monday(date(2026, 12, 13)) == date(2026, 12, 14)


async def test_resolve_exercise_names(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    mine = await create_custom_exercise(
        session,
        organization_id=org,
        data=ExerciseCreate(
            name="Zercher Squat Pause",
            movement_pattern=MovementPattern.SQUAT,
            equipment="barbell",
            primary_muscles=["quads"],
        ),
    )
    for variant in ("Quokka Press Pause", "Quokka Press Tempo"):
        await create_custom_exercise(
            session,
            organization_id=org,
            data=ExerciseCreate(
                name=variant,
                movement_pattern=MovementPattern.PUSH,
                equipment="barbell",
                primary_muscles=["chest"],
            ),
        )
    resolved = await q.resolve_exercise_names(
        session,
        organization_id=org,
        names=["Back squat", "RDL", "zercher squat pause", "Quokka press", "Qwxyzzy", "Back squat"],
    )
    assert list(resolved) == ["Back squat", "RDL", "zercher squat pause", "Quokka press", "Qwxyzzy"]
    squat = resolved["Back squat"].exercise
    assert squat is not None and squat.name == "Back Squat" and not squat.is_custom
    rdl = resolved["RDL"].exercise
    assert rdl is not None and rdl.name == "Romanian Deadlift"
    spelt = await q.resolve_exercise_names(session, organization_id=org, names=["DB  bench press"])
    db_bench = spelt["DB  bench press"].exercise
    assert db_bench is not None and db_bench.name == "Dumbbell Bench Press"
    own = resolved["zercher squat pause"].exercise
    assert own is not None and (own.exercise_id, own.is_custom) == (mine.id, True)
    quokka = resolved["Quokka press"]
    assert quokka.kind is q.Resolution.AMBIGUOUS
    assert {o.name for o in quokka.options} == {"Quokka Press Pause", "Quokka Press Tempo"}
    assert resolved["Qwxyzzy"].kind is q.Resolution.UNKNOWN
    # Another team's exercise is not a candidate.
    other = await make_team(session, "Rivals")
    theirs = await q.resolve_exercise_names(
        session, organization_id=other.organization_id, names=["Zercher Squat Pause"]
    )
    assert all(o.exercise_id != mine.id for o in theirs["Zercher Squat Pause"].options)


async def test_team_unit_defaults(session: AsyncSession) -> None:
    seat = await make_team(session)
    assert await q.get_team_unit(session, organization_id=seat.organization_id) == ("kg", 2.5)
    seat.organization.weight_unit = "lb"
    seat.organization.rounding_increment = 5.0
    session.add(seat.organization)
    await session.flush()
    assert await q.get_team_unit(session, organization_id=seat.organization_id) == ("lb", 5.0)


async def test_ended_at_is_set_from_the_given_clock(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    program = await q.create_program(session, organization_id=org, name="Block", weeks=1)
    maya = await make_athlete(session, org, "Maya")
    await q.assign_program(
        session, organization_id=org, program_id=program.id, athlete_ids=[maya], start_date=MONDAY
    )
    now = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    ended = await q.unassign_athlete(session, organization_id=org, athlete_id=maya, now=now)
    assert ended is not None and ended.ended_at == now


async def test_a_name_that_folds_longer_still_fits(session: AsyncSession) -> None:
    seat = await make_team(session)
    program = await q.create_program(
        session, organization_id=seat.organization_id, name="Straße " + "ß" * 90, weeks=1
    )
    assert len(program.name_key) == 100
    found = await q.list_programs(
        session, organization_id=seat.organization_id, name_filter="STRASSE"
    )
    assert [row.program.id for row in found.items] == [program.id]


async def test_a_full_year_copies_in_bulk(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    program = await q.create_program(session, organization_id=org, name="Year", weeks=52)
    for weekday in range(1, 8):
        slot = await q.add_session(
            session, organization_id=org, program_id=program.id, week=1, weekday=weekday
        )
        await q.set_session_entries(
            session,
            organization_id=org,
            session_id=slot.id,
            entries=await entries_from(session, "Back squat 5x5 @ 100kg\nBench press 3x8 @ 70%"),
        )
    written = await q.copy_week(
        session,
        organization_id=org,
        program_id=program.id,
        source_week=1,
        target_weeks=range(1, 53),
        progression=Progression(ProgressionKind.PERCENT, 1.0),
    )
    assert written == 51 * 7
    view = await q.get_program_view(session, organization_id=org, program_id=program.id)
    assert len(view.sessions) == 52 * 7 and set(view.entry_counts.values()) == {2}
    last = await q.list_session_views(
        session, organization_id=org, session_ids=[view.week(52)[0].id]
    )
    assert [render_prescription(e.prescription) for e in last[0].entries] == [
        "5x5 @ 150kg",  # +1% a week, rounded to 2.5kg: 100 -> 150 over 51 weeks
        "3x8 @ 121%",
    ]
    copy = await q.copy_program(session, organization_id=org, program_id=program.id, name="Y2")
    copied = await q.get_program_view(session, organization_id=org, program_id=copy.id)
    assert len(copied.sessions) == 52 * 7
