"""Benchmark 3: the roster at scale (1,000 teams x 1,000 athletes; --quick: 100 x 1,000).

Times exactly what the bot runs, one session per operation as the bot has one per handler:
opening a page of /athletes (read_roster: the page, the counts by status and the namesake flags
in one statement) at the start, the middle and the end of a roster, opening a card (read_card),
and a name filter (read_roster with name_filter). Teams are picked at random for every sample.
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from bench.common import (
    BenchResult,
    DatabaseKind,
    Figure,
    Options,
    bulk_insert,
    format_number,
    percentile,
    scratch_database,
    summarise_ms,
)
from bench.throughput import FIRST_NAMES, LAST_NAMES
from storage.db import SessionFactory, make_engine, make_session_factory
from storage.models import Athlete, Organization
from storage.models.base import new_id, utcnow
from storage.queries.athletes import read_card, read_roster
from storage.validation import fold_key

GOAL_P95_MS = 10.0
PAGE = 10  # bot.athletes.roster.PAGE_SIZE


@dataclass(frozen=True)
class Scale:
    teams: int
    per_team: int
    samples: int  # timed operations of each kind
    warmup: int


FULL = Scale(teams=1_000, per_team=1_000, samples=300, warmup=30)
QUICK = Scale(teams=100, per_team=1_000, samples=60, warmup=10)


@dataclass
class Seeded:
    teams: list[str]
    # Athlete ids of a few teams (keeping all million would only cost memory).
    ids: dict[str, list[str]]
    seconds: float
    rows: int


def athlete_rows(
    teams: list[str], per_team: int, keep: set[str], ids: dict[str, list[str]], rng: random.Random
) -> Iterator[tuple[Any, ...]]:
    now = utcnow()
    for team in teams:
        for n in range(per_team):
            athlete_id = new_id()
            if team in keep:
                ids[team].append(athlete_id)
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            roll = rng.random()
            status = "active" if roll < 0.8 else "inactive" if roll < 0.95 else "archived"
            email = f"{first.lower()}.{last.lower()}{n}@example.com" if roll < 0.6 else None
            name = f"{first} {last}"
            yield (athlete_id, team, name, fold_key(name), email, status, now, now)


async def seed(engine: AsyncEngine, scale: Scale, rng: random.Random) -> Seeded:
    started = time.perf_counter()
    now = utcnow()
    teams = [new_id() for _ in range(scale.teams)]
    await bulk_insert(
        engine,
        Organization.__tablename__,
        ["id", "name", "created_at"],
        [(team, f"Team {n}", now) for n, team in enumerate(teams)],
    )
    keep = set(rng.sample(teams, min(len(teams), 50)))
    ids: dict[str, list[str]] = {team: [] for team in keep}
    rows = await bulk_insert(
        engine,
        Athlete.__tablename__,
        [
            "id",
            "organization_id",
            "name",
            "name_key",
            "email",
            "status",
            "created_at",
            "updated_at",
        ],
        athlete_rows(teams, scale.per_team, keep, ids, rng),
        batch=50_000,
    )
    if engine.dialect.name == "postgresql":
        # What autovacuum does soon after a bulk load; without it plans are guesses.
        async with engine.connect() as connection:
            await connection.execute(sa.text("ANALYZE athletes"))
            await connection.commit()
    return Seeded(teams, ids, time.perf_counter() - started, rows)


Operation = Callable[[AsyncSession, random.Random], Awaitable[object]]


def operations(seeded: Seeded, per_team: int) -> dict[str, Operation]:
    sampled = list(seeded.ids)
    last_page = (per_team - 1) // PAGE * PAGE
    middle = per_team // 2 // PAGE * PAGE

    async def page_at(session: AsyncSession, rng: random.Random, offset: int) -> object:
        team = rng.choice(seeded.teams)
        return await read_roster(session, organization_id=team, offset=offset, limit=PAGE)

    async def first_page(session: AsyncSession, rng: random.Random) -> object:
        return await page_at(session, rng, 0)

    async def middle_page(session: AsyncSession, rng: random.Random) -> object:
        return await page_at(session, rng, middle)

    async def last(session: AsyncSession, rng: random.Random) -> object:
        return await page_at(session, rng, last_page)

    async def card(session: AsyncSession, rng: random.Random) -> object:
        team = rng.choice(sampled)
        athlete_id = rng.choice(seeded.ids[team])
        return await read_card(session, organization_id=team, athlete_id=athlete_id, now=utcnow())

    async def name_filter(session: AsyncSession, rng: random.Random) -> object:
        team = rng.choice(seeded.teams)
        fragment = rng.choice(FIRST_NAMES + LAST_NAMES)[: rng.choice([3, 4, 6])].lower()
        return await read_roster(session, organization_id=team, name_filter=fragment, limit=PAGE)

    return {
        "page 1 (offset 0)": first_page,
        f"middle page (offset {middle})": middle_page,
        f"last page (offset {last_page})": last,
        "card (read_card)": card,
        "name filter": name_filter,
    }


async def time_operations(
    factory: SessionFactory, ops: dict[str, Operation], scale: Scale, rng: random.Random
) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {name: [] for name in ops}
    for n in range(scale.warmup + scale.samples):
        for name, operation in ops.items():
            started = time.perf_counter()
            # One session per operation, as the bot has one transaction per handler.
            async with factory() as session:
                await operation(session, rng)
            elapsed = time.perf_counter() - started
            if n >= scale.warmup:
                timings[name].append(elapsed)
    return timings


async def query_plans(engine: AsyncEngine, team: str, offset: int) -> dict[str, str]:
    """The plans of the roster statement's parts (page, name filter, counts), to say which
    index each uses."""
    page = (
        "SELECT id FROM athletes WHERE organization_id = :team "
        "ORDER BY name_key, id LIMIT 10 OFFSET :offset"
    )
    filtered = (
        "SELECT count(*) FROM athletes WHERE organization_id = :team "
        "AND lower(name) LIKE '%lope%' ESCAPE '/'"
    )
    counts = "SELECT status, count(*) FROM athletes WHERE organization_id = :team GROUP BY status"
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    plans = {}
    async with engine.connect() as connection:
        for name, sql in (("page", page), ("name filter", filtered), ("counts", counts)):
            rows = await connection.execute(sa.text(prefix + sql), {"team": team, "offset": offset})
            plans[name] = " | ".join(str(row[-1]).strip() for row in rows)
    return plans


async def bench_database(kind: DatabaseKind, options: Options, scale: Scale) -> dict[str, Any]:
    rng = random.Random(11)
    async with scratch_database(kind, options) as url:
        engine = make_engine(url)
        try:
            seeded = await seed(engine, scale, rng)
            factory = make_session_factory(engine)
            ops = operations(seeded, scale.per_team)
            timings = await time_operations(factory, ops, scale, rng)
            plans = await query_plans(engine, seeded.teams[0], scale.per_team - PAGE)
        finally:
            await engine.dispose()
    return {
        "seed_s": round(seeded.seconds, 1),
        "rows": seeded.rows,
        "timings": timings,
        "plans": plans,
    }


async def run(options: Options) -> BenchResult:
    scale = QUICK if options.quick else FULL
    result = BenchResult(
        "roster",
        f"3. Roster at scale ({scale.teams:,} teams x {scale.per_team:,} athletes)",
    )
    for kind in options.kinds:
        figures = await bench_database(kind, options, scale)
        timings: dict[str, list[float]] = figures.pop("timings")
        for name, values in timings.items():
            result.figures.append(
                Figure(f"{name} p50", percentile(values, 50) * 1000, "ms", kind),
            )
            result.figures.append(
                Figure(f"{name} p95", percentile(values, 95) * 1000, "ms", kind, GOAL_P95_MS)
            )
        figures["by_operation"] = {name: summarise_ms(v) for name, v in timings.items()}
        result.details[kind] = figures
        result.notes.append(
            f"{kind}: {figures['rows']:,} athletes loaded in {format_number(figures['seed_s'])} s; "
            f"page query plan: {figures['plans']['page']}"
        )
    result.notes.append(
        f"{scale.samples} samples per operation and database, each in its own session "
        "(connection checkout, BEGIN, queries, close), random team each time."
    )
    if "postgresql" in options.kinds:
        result.notes.append("PostgreSQL: ANALYZE after the bulk load (autovacuum would do it).")
    result.details["scale"] = {
        "teams": scale.teams,
        "per_team": scale.per_team,
        "samples": scale.samples,
    }
    return result
