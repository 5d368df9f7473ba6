"""Benchmark: read a typed 10-line session (parse the shorthand, resolve the exercise names).

    python -m bench --only programs

What a coach's paste costs before the preview: `parse_session` (pure) and
`resolve_exercise_names` (one indexed query for the team's own exact names, the cached curated
index for the rest) in one database session, as the bot has one per update. The coach's team
holds all 100,000 custom exercises (--quick: 10,000): the worst case, since a team's exercises
are what a name is looked up among. A second figure (no goal) is a session with one misspelt
name, which falls back to a full search over the team's exercises.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

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
from storage.db import make_engine, make_session_factory
from storage.models import Exercise, Organization
from storage.models.base import new_id, utcnow
from storage.prescriptions import ParsedSession, parse_session
from storage.queries.programs import Resolution, resolve_exercise_names

GOAL_P95_MS = 20.0

BASES = ("Squat", "Deadlift", "Press", "Row", "Lunge", "Curl", "Pull", "Carry", "Bridge", "Raise")
MODIFIERS = ("Tempo", "Paused", "Banded", "Deficit", "Chained", "Speed", "Heavy", "Slow")


def custom_name(n: int) -> str:
    """The n-th custom exercise's name (the session below names numbers 7 and 42)."""
    return f"{MODIFIERS[n % len(MODIFIERS)]} Variation {n} {BASES[n % len(BASES)]}"


SESSION = f"""A1. Back squat 5x5 @ 80%
A2. Pull-up 3 x 8-10 @ RPE 8, rest 90s
B1. RDL 3x8 @ 100kg, tempo 31X1 -- slow eccentric
B2. Plank 3x45s
C. Bench press 5/3/1+ @ 75/85/95%
D1. {custom_name(7)} 3x5 @ 60%
D2. Overhead press 3x5 @ 50, 52.5, 55kg
E. Hip thrust 3x10 @ BW+20kg
F. {custom_name(42)} 3x3 @ RIR 2
G. Walking lunge 3x12 @ 16kg"""
# One name misspelt: no exact match, so a search over the team's exercises.
MISSPELT = SESSION.replace("Hip thrust", "Hip thurst")


@dataclass(frozen=True)
class Scale:
    custom: int
    samples: int
    warmup: int


FULL = Scale(custom=100_000, samples=300, warmup=30)
QUICK = Scale(custom=10_000, samples=100, warmup=10)


def exercise_rows(team: str, count: int) -> Iterator[tuple[Any, ...]]:
    now = utcnow()
    patterns = ("squat", "hinge", "push", "pull", "carry", "core")
    for n in range(count):
        pattern = patterns[n % len(patterns)]
        yield (new_id(), team, custom_name(n), "[]", pattern, "barbell", now, now)


async def seed(engine: AsyncEngine, scale: Scale) -> str:
    team = new_id()
    await bulk_insert(
        engine, Organization.__tablename__, ["id", "name", "created_at"], [(team, "Team", utcnow())]
    )
    await bulk_insert(
        engine,
        Exercise.__tablename__,
        [
            "id",
            "organization_id",
            "name",
            "aliases",
            "movement_pattern",
            "equipment",
            "created_at",
            "updated_at",
        ],
        exercise_rows(team, scale.custom),
        batch=20_000,
    )
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            await connection.exec_driver_sql("ANALYZE exercises")
            await connection.commit()
    return team


async def time_reading(
    engine: AsyncEngine, team: str, text: str, scale: Scale
) -> tuple[list[float], dict[str, int]]:
    factory = make_session_factory(engine)
    timings: list[float] = []
    kinds: dict[str, int] = {}
    for n in range(scale.warmup + scale.samples):
        started = time.perf_counter()
        async with factory() as session:
            parsed = parse_session(text)
            assert isinstance(parsed, ParsedSession), parsed
            names = [entry.exercise_name for entry in parsed.entries]
            resolved = await resolve_exercise_names(session, organization_id=team, names=names)
        elapsed = time.perf_counter() - started
        if n >= scale.warmup:
            timings.append(elapsed)
        kinds = {kind.value: 0 for kind in Resolution}
        for resolution in resolved.values():
            kinds[resolution.kind.value] += 1
    return timings, kinds


async def bench_database(kind: DatabaseKind, options: Options, scale: Scale) -> dict[str, Any]:
    async with scratch_database(kind, options) as url:
        engine = make_engine(url)
        try:
            started = time.perf_counter()
            team = await seed(engine, scale)
            seeded = time.perf_counter() - started
            exact, exact_kinds = await time_reading(engine, team, SESSION, scale)
            misspelt, misspelt_kinds = await time_reading(
                engine, team, MISSPELT, Scale(scale.custom, 10, 1)
            )
        finally:
            await engine.dispose()
    return {
        "seed_s": round(seeded, 1),
        "exact": exact,
        "exact_kinds": exact_kinds,
        "misspelt": misspelt,
        "misspelt_kinds": misspelt_kinds,
    }


async def run(options: Options) -> BenchResult:
    scale = QUICK if options.quick else FULL
    result = BenchResult(
        "programs",
        f"Program shorthand: parse + resolve a 10-line session ({scale.custom:,} custom "
        "exercises in the team)",
    )
    random.seed(5)
    for kind in options.kinds:
        figures = await bench_database(kind, options, scale)
        exact, misspelt = figures.pop("exact"), figures.pop("misspelt")
        result.figures += [
            Figure("parse + resolve p50", percentile(exact, 50) * 1000, "ms", kind),
            Figure("parse + resolve p95", percentile(exact, 95) * 1000, "ms", kind, GOAL_P95_MS),
            Figure("one misspelt name p95", percentile(misspelt, 95) * 1000, "ms", kind),
        ]
        result.details[kind] = figures
        result.notes.append(
            f"{kind}: seeded in {format_number(figures['seed_s'])} s; names in the exact session "
            f"{figures['exact_kinds']}, in the misspelt one {figures['misspelt_kinds']}."
        )
    result.notes.append(
        f"{scale.samples} samples, each in its own database session (checkout, BEGIN, queries)."
    )
    return result
