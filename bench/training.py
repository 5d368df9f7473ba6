"""Benchmark: the athlete's training day at scale.

    python -m bench --only training

1,000 athletes (10 teams of 100; --quick: 100 athletes) each on a 52-week program (3 sessions a
week, 4 exercises a session) started 51 weeks ago, with every past session logged: about 2.3
million set logs. Timed, each in its own database session as the bot has one per update, with the
caller's profiles loaded first as every handler does:

- `/today`: the day's session opened (created on first view) and rendered with loads worked out
  from the athlete's maxes (`bot.training.day.today_messages`), then committed;
- a log tap: "Done as prescribed" on one exercise (`log_as_prescribed`: the day loaded, the sets
  logged with PR detection against a year of logs, the session message rendered again), committed.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select

from bench.common import (
    BenchResult,
    DatabaseKind,
    Figure,
    Options,
    bulk_insert,
    format_number,
    percentile,
    scratch_database,
)
from bot.training.common import Profile, team_of
from bot.training.day import (
    Pressed,
    load_pressed_day,
    log_as_prescribed,
    render_day,
    today_messages,
)
from storage.db import SessionFactory, make_engine, make_session_factory
from storage.models import Athlete, Exercise, Organization, User
from storage.models.base import new_id
from storage.models.programs import Assignment, Program, ProgramEntry, ProgramSession
from storage.models.training import Max, SetLog, TrainingSession
from storage.prescriptions import ParsedSession, parse_session
from storage.queries.athletes import list_athlete_profiles
from storage.queries.training import find_training_day
from storage.training.records import estimate_e1rm

GOAL_P95_MS = 15.0
TODAY = date(2026, 3, 2)  # a Monday: week 52's first session
NOW = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
WEEKS = 52
WEEKDAYS = (1, 3, 5)
SESSION = """A. Back squat 5x5 @ 80%
B. Bench press 4x6 @ RPE 8
C. Romanian deadlift 3x8 @ 100kg
D. Pull-up 3x8"""
NAMES = ("Back Squat", "Bench Press", "Romanian Deadlift", "Pull-Up")


@dataclass(frozen=True)
class Scale:
    teams: int
    per_team: int
    samples: int
    warmup: int


FULL = Scale(teams=10, per_team=100, samples=300, warmup=30)
QUICK = Scale(teams=2, per_team=50, samples=60, warmup=10)


@dataclass
class Seeded:
    athletes: list[tuple[str, str]]  # (athlete id, linked user id)
    set_logs: int
    seconds: float


async def exercise_ids(engine: AsyncEngine) -> list[str]:
    factory = make_session_factory(engine)
    async with factory() as session:
        rows = await session.exec(
            select(Exercise).where(
                col(Exercise.organization_id).is_(None), col(Exercise.name).in_(NAMES)
            )
        )
        by_name = {row.name: row.id for row in rows.all()}
    return [by_name[name] for name in NAMES]


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


async def seed(engine: AsyncEngine, scale: Scale, rng: random.Random) -> Seeded:
    started = time.perf_counter()
    now = NOW
    exercises = await exercise_ids(engine)
    parsed = parse_session(SESSION)
    assert isinstance(parsed, ParsedSession), parsed
    prescriptions = [entry.prescription for entry in parsed.entries]
    start = TODAY - timedelta(weeks=WEEKS - 1)
    teams = [new_id() for _ in range(scale.teams)]
    await bulk_insert(
        engine,
        Organization.__tablename__,
        ["id", "name", "created_at", "timezone", "weight_unit", "rounding_increment"],
        [(team, f"Team {n}", now, "UTC", "kg", 2.5) for n, team in enumerate(teams)],
    )
    programs = {team: new_id() for team in teams}
    await bulk_insert(
        engine,
        Program.__tablename__,
        ["id", "organization_id", "name", "name_key", "weeks", "created_at", "updated_at"],
        [(programs[t], t, "Year plan", "year plan", WEEKS, now, now) for t in teams],
    )
    # slots[team] = [(session id, week, weekday, [entry ids])]
    slots: dict[str, list[tuple[str, int, int, list[str]]]] = {}
    session_rows, entry_rows = [], []
    for team in teams:
        slots[team] = []
        for week in range(1, WEEKS + 1):
            for weekday in WEEKDAYS:
                slot_id = new_id()
                entries = [new_id() for _ in prescriptions]
                slots[team].append((slot_id, week, weekday, entries))
                session_rows.append((slot_id, team, programs[team], week, weekday, "Full body", 0))
                for position, (entry_id, prescription) in enumerate(
                    zip(entries, prescriptions, strict=True)
                ):
                    entry_rows.append(
                        (
                            entry_id,
                            team,
                            slot_id,
                            position,
                            "ABCD"[position],
                            exercises[position],
                            dumps(prescription.to_json()),
                        )
                    )
    await bulk_insert(
        engine,
        ProgramSession.__tablename__,
        ["id", "organization_id", "program_id", "week", "weekday", "title", "position"],
        session_rows,
    )
    await bulk_insert(
        engine,
        ProgramEntry.__tablename__,
        [
            "id",
            "organization_id",
            "session_id",
            "position",
            "group_label",
            "exercise_id",
            "prescription",
        ],
        entry_rows,
    )
    athletes: list[tuple[str, str, str]] = []  # (athlete, user, team)
    for team in teams:
        for _ in range(scale.per_team):
            athletes.append((new_id(), new_id(), team))
    await bulk_insert(
        engine,
        User.__tablename__,
        ["id", "telegram_user_id", "display_name", "created_at"],
        [(user, 7_000_000 + n, f"Athlete {n}", now) for n, (_, user, _) in enumerate(athletes)],
    )
    await bulk_insert(
        engine,
        Athlete.__tablename__,
        [
            "id",
            "organization_id",
            "name",
            "name_key",
            "status",
            "linked_user_id",
            "created_at",
            "updated_at",
        ],
        [
            (a, t, f"Athlete {n}", f"athlete {n}", "active", u, now, now)
            for n, (a, u, t) in enumerate(athletes)
        ],
    )
    await bulk_insert(
        engine,
        Assignment.__tablename__,
        ["id", "organization_id", "athlete_id", "program_id", "start_date", "created_at"],
        [(new_id(), t, a, programs[t], start, now) for a, _, t in athletes],
    )
    await bulk_insert(
        engine,
        Max.__tablename__,
        [
            "id",
            "organization_id",
            "athlete_id",
            "exercise_id",
            "kg",
            "measured_on",
            "source",
            "created_at",
            "updated_at",
        ],
        [
            (new_id(), t, a, exercises[0], float(rng.randrange(100, 200)), start, "coach", now, now)
            for a, _, t in athletes
        ],
    )

    def past_slots(team: str) -> Iterator[tuple[int, str, date, list[str]]]:
        for n, (slot_id, week, weekday, entries) in enumerate(slots[team]):
            day = start + timedelta(days=7 * (week - 1) + weekday - 1)
            if day < TODAY:
                yield n, slot_id, day, entries

    def training_id(athlete_n: int, slot_n: int) -> str:
        return f"t{athlete_n:05d}s{slot_n:04d}"  # known to both passes below

    def training_rows() -> Iterator[tuple[Any, ...]]:
        for athlete_n, (athlete, _, team) in enumerate(athletes):
            for slot_n, slot_id, day, _ in past_slots(team):
                at = datetime(day.year, day.month, day.day, 18, tzinfo=UTC)
                yield (
                    training_id(athlete_n, slot_n),
                    team,
                    athlete,
                    slot_id,
                    "Full body",
                    day,
                    at,
                    at,
                    7,
                    60,
                )

    def log_rows() -> Iterator[tuple[Any, ...]]:
        for athlete_n, (athlete, _, team) in enumerate(athletes):
            squat = random.Random(athlete_n).randrange(80, 160)
            for slot_n, _, day, entries in past_slots(team):
                at = datetime(day.year, day.month, day.day, 18, tzinfo=UTC)
                week = (day - start).days // 7 + 1
                loads = (squat + week * 0.5, squat * 0.7, 100.0, None)
                for position, (entry_id, prescription) in enumerate(
                    zip(entries, prescriptions, strict=True)
                ):
                    kg = loads[position]
                    for set_no, target in enumerate(prescription.sets, start=1):
                        reps = target.reps
                        yield (
                            new_id(),
                            team,
                            athlete,
                            training_id(athlete_n, slot_n),
                            exercises[position],
                            entry_id,
                            set_no,
                            reps,
                            kg,
                            None if kg is None else estimate_e1rm(kg, reps),
                            False,
                            dumps({"target": {"reps": reps}, "kg": kg}),
                            at,
                        )

    await bulk_insert(
        engine,
        TrainingSession.__tablename__,
        [
            "id",
            "organization_id",
            "athlete_id",
            "program_session_id",
            "title",
            "scheduled_for",
            "started_at",
            "finished_at",
            "session_rpe",
            "minutes",
        ],
        training_rows(),
        batch=50_000,
    )
    count = await bulk_insert(
        engine,
        SetLog.__tablename__,
        [
            "id",
            "organization_id",
            "athlete_id",
            "training_session_id",
            "exercise_id",
            "entry_id",
            "set_no",
            "reps",
            "kg",
            "e1rm",
            "skipped",
            "prescribed",
            "logged_at",
        ],
        log_rows(),
        batch=50_000,
    )
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            await connection.execute(sa.text("ANALYZE"))
            await connection.commit()
    return Seeded([(a, u) for a, u, _ in athletes], count, time.perf_counter() - started)


async def profile_of(session: Any, user_id: str) -> Profile:
    athlete, organization = (await list_athlete_profiles(session, user_id=user_id))[0]
    return Profile(athlete, team_of(organization))


async def time_today(
    factory: SessionFactory, order: list[tuple[str, str]], cpu: list[float]
) -> list[float]:
    timings = []
    for _, user_id in order:
        started, cpu_started = time.perf_counter(), time.process_time()
        async with factory() as session:
            profile = await profile_of(session, user_id)
            messages = await today_messages(session, profile, TODAY, NOW)
            await session.commit()
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        assert messages and messages[0][1] is not None, messages
    return timings


async def time_taps(
    factory: SessionFactory, order: list[tuple[str, str]], rng: random.Random, cpu: list[float]
) -> list[float]:
    """One tap per athlete (squat, deadlift or pull-ups: those need no typed numbers)."""
    targets: list[tuple[str, str, str]] = []  # (user, training session, entry)
    async with factory() as session:
        for _, user_id in order:
            profile = await profile_of(session, user_id)
            await today_messages(session, profile, TODAY, NOW)
            found = (
                await session.exec(
                    select(TrainingSession).where(
                        col(TrainingSession.athlete_id) == profile.athlete.id,
                        col(TrainingSession.scheduled_for) == TODAY,
                    )
                )
            ).one()
            day = await find_training_day(
                session, organization_id=profile.team.id, training_session_id=found.id
            )
            assert day is not None
            view = await load_pressed_day(session, Pressed.of(profile, day, None))
            entry_id = view.entries[rng.choice((0, 2, 3))].entry.id
            targets.append((user_id, found.id, entry_id))
        await session.commit()
    timings = []
    for user_id, training_id, entry_id in targets:
        started, cpu_started = time.perf_counter(), time.process_time()
        async with factory() as session:
            profile = await profile_of(session, user_id)
            # As the bot's button handler: the caller's training session (with its program
            # session, one statement), then the tap.
            day = await find_training_day(
                session, organization_id=profile.team.id, training_session_id=training_id
            )
            assert day is not None
            tapped = await log_as_prescribed(session, Pressed.of(profile, day, entry_id), NOW)
            assert tapped.outcome is not None, tapped
            render_day(tapped.view)
            await session.commit()
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    return timings


async def bench_database(kind: DatabaseKind, options: Options, scale: Scale) -> dict[str, Any]:
    rng = random.Random(16)
    async with scratch_database(kind, options) as url:
        engine = make_engine(url)
        try:
            seeded = await seed(engine, scale, rng)
            factory = make_session_factory(engine)
            order = list(seeded.athletes)
            rng.shuffle(order)
            needed = scale.warmup + scale.samples
            today_cpu: list[float] = []
            tap_cpu: list[float] = []
            today = await time_today(factory, order[:needed], today_cpu)
            tapping = order[needed : 2 * needed] or order[:needed]
            taps = await time_taps(factory, tapping, rng, tap_cpu)
        finally:
            await engine.dispose()
    return {
        "seed_s": round(seeded.seconds, 1),
        "set_logs": seeded.set_logs,
        "today": today[scale.warmup :],
        "tap": taps[scale.warmup :],
        "today_cpu": today_cpu[scale.warmup :],
        "tap_cpu": tap_cpu[scale.warmup :],
    }


async def run(options: Options) -> BenchResult:
    scale = QUICK if options.quick else FULL
    athletes = scale.teams * scale.per_team
    result = BenchResult(
        "training",
        f"Training day: /today and a log tap ({athletes:,} athletes, a year of logs each)",
    )
    for kind in options.kinds:
        figures = await bench_database(kind, options, scale)
        today, tap = figures.pop("today"), figures.pop("tap")
        today_cpu, tap_cpu = figures.pop("today_cpu"), figures.pop("tap_cpu")
        result.figures += [
            Figure("/today p50", percentile(today, 50) * 1000, "ms", kind),
            Figure("/today p95", percentile(today, 95) * 1000, "ms", kind, GOAL_P95_MS),
            Figure("/today CPU p50", percentile(today_cpu, 50) * 1000, "ms", kind),
            Figure("/today CPU p95", percentile(today_cpu, 95) * 1000, "ms", kind),
            Figure("log tap p50", percentile(tap, 50) * 1000, "ms", kind),
            Figure("log tap p95", percentile(tap, 95) * 1000, "ms", kind, GOAL_P95_MS),
            Figure("log tap CPU p50", percentile(tap_cpu, 50) * 1000, "ms", kind),
            Figure("log tap CPU p95", percentile(tap_cpu, 95) * 1000, "ms", kind),
        ]
        result.details[kind] = figures
        result.notes.append(
            f"{kind}: {figures['set_logs']:,} set logs seeded in "
            f"{format_number(figures['seed_s'])} s."
        )
    result.notes.append(
        f"{scale.samples} samples of each (after {scale.warmup} warm-up), a different athlete "
        "each time, each in its own database session with a commit; /today is the athlete's "
        "first view of the day (the training session is created), a tap logs one exercise. "
        "CPU is the process's (both threads) for the same operations: wall time minus waiting "
        "for a CPU when other work shares the machine."
    )
    return result
