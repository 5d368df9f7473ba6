"""Benchmark: 10,000 athletes due at the same minute (--quick: 1,000).

    python -m bench --only delivery

Every athlete of a team is on a program with a session today and wants their reminder at 07:00;
the bot's clock reads 07:00. One scheduler tick puts every reminder in the outbox, then the real
sender drains it through the real Application with PTB's AIORateLimiter on (the fake Bot API
answers in-process). Meanwhile a coach sends /help every 200 ms: the time from sending to the
bot's answer is the interactive latency during the drain. Telegram allows about 30 messages a
second per bot; the busiest second of the drain is reported against that (a "429 storm" would
need more), and every athlete must get exactly one reminder.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.common import (
    BenchResult,
    DatabaseKind,
    Figure,
    Options,
    bench_settings,
    bulk_insert,
    format_number,
    percentile,
    scratch_database,
)
from bot.app import build_application
from bot.context import CLOCK_KEY
from bot.insight.delivery import SEND_RATE, drain_outbox
from bot.insight.scheduler import enqueue_due_notices
from fake_telegram import ApiEvent, LocalBotAPI, LocalTelegram
from storage.db import make_engine
from storage.models.base import new_id, utcnow

TELEGRAM_PER_SECOND = 30
GOAL_INTERACTIVE_P99_MS = 1000.0
PROBE_EVERY_S = 0.2
FIRST_ATHLETE_ID = 7_000_000_000


@dataclass(frozen=True)
class Scale:
    athletes: int


FULL = Scale(athletes=10_000)
QUICK = Scale(athletes=1_000)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


async def seed(url: str, scale: Scale, today: date) -> None:
    """One team (UTC), a one-week program with a session every day, every athlete on it."""
    engine = make_engine(url)
    now = utcnow()
    team, program = new_id(), new_id()
    try:
        await bulk_insert(
            engine,
            "organizations",
            ["id", "name", "created_at", "timezone", "weight_unit", "rounding_increment"],
            [(team, "Bench Barbell", now, "UTC", "kg", 2.5)],
        )
        await bulk_insert(
            engine,
            "programs",
            ["id", "organization_id", "name", "name_key", "weeks", "created_at", "updated_at"],
            [(program, team, "Block", "block", 1, now, now)],
        )
        await bulk_insert(
            engine,
            "program_sessions",
            ["id", "organization_id", "program_id", "week", "weekday", "title", "position"],
            [(new_id(), team, program, 1, day, f"Day {day}", 1) for day in range(1, 8)],
        )
        users = [(new_id(), FIRST_ATHLETE_ID + n) for n in range(scale.athletes)]

        def user_rows() -> Iterator[tuple[Any, ...]]:
            for n, (user_id, telegram_id) in enumerate(users):
                yield (user_id, telegram_id, f"athlete{n}", f"Athlete {n}", now)

        def athlete_rows() -> Iterator[tuple[Any, ...]]:
            for n, (user_id, _) in enumerate(users):
                name = f"Athlete {n:05d}"
                yield (new_id(), team, name, name.casefold(), "active", user_id, now, now)

        await bulk_insert(
            engine,
            "users",
            ["id", "telegram_user_id", "username", "display_name", "created_at"],
            user_rows(),
        )
        await bulk_insert(
            engine,
            "athletes",
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
            athlete_rows(),
        )
        async with engine.connect() as connection:
            athlete_ids = [
                row[0]
                for row in (await connection.exec_driver_sql("SELECT id FROM athletes")).all()
            ]
        await bulk_insert(
            engine,
            "assignments",
            ["id", "organization_id", "athlete_id", "program_id", "start_date", "created_at"],
            ((new_id(), team, a, program, monday_of(today), now) for a in athlete_ids),
        )
        if engine.dialect.name == "postgresql":
            async with engine.connect() as connection:
                await connection.exec_driver_sql("ANALYZE")
                await connection.commit()
    finally:
        await engine.dispose()


async def bench_database(kind: DatabaseKind, options: Options, scale: Scale) -> dict[str, Any]:
    due = datetime.now(UTC).replace(hour=7, minute=0, second=0, microsecond=0)
    async with scratch_database(kind, options) as url:
        started = time.perf_counter()
        await seed(url, scale, due.date())
        seeded = time.perf_counter() - started
        api = LocalBotAPI()
        for n in range(scale.athletes):
            user = api.add_user(f"Athlete {n}", user_id=FIRST_ATHLETE_ID + n)
            user.seen = user.started = True  # they have started the bot before
        app = build_application(bench_settings(url), request=api, rate_limit=True)
        app.bot_data[CLOCK_KEY] = lambda: due
        await app.initialize()
        if app.post_init is not None:
            await app.post_init(app)
        tg = LocalTelegram(app, api, idle_timeout=120)
        coach = tg.user("coach")
        sends: list[float] = []
        recipients: Counter[int] = Counter()

        def on_event(event: ApiEvent) -> None:
            message = event.message
            if event.kind == "sent" and message is not None and message.chat_id != coach.chat_id:
                sends.append(time.perf_counter())
                recipients[message.chat_id] += 1

        api.add_listener(on_event)
        try:
            await coach.send("/start")  # a first answer before the clock starts
            started = time.perf_counter()
            schedule = await enqueue_due_notices(app)
            scheduled = time.perf_counter() - started
            drained = asyncio.Event()
            latencies: list[float] = []

            async def probe() -> None:
                while not drained.is_set():
                    before = time.perf_counter()
                    await coach.send("/help")
                    latencies.append(time.perf_counter() - before)
                    await asyncio.sleep(PROBE_EVERY_S)

            probing = asyncio.create_task(probe())
            started = time.perf_counter()
            report = await drain_outbox(app)
            drain_s = time.perf_counter() - started
            drained.set()
            await probing
        finally:
            await app.shutdown()
            if app.post_shutdown is not None:
                await app.post_shutdown(app)
    busiest, first = 0, 0
    for last, at in enumerate(sends):  # the most sends inside any sliding 1-second window
        while at - sends[first] >= 1.0:
            first += 1
        busiest = max(busiest, last - first + 1)
    return {
        "seed_s": round(seeded, 1),
        "schedule_s": scheduled,
        "scheduled": schedule.reminders,
        "drain_s": drain_s,
        "sent": report.sent,
        "delivered": len(recipients),
        "duplicates": sum(count - 1 for count in recipients.values() if count > 1),
        "busiest_second": busiest,
        "rate": report.sent / drain_s if drain_s else 0.0,
        "interactive": latencies,
    }


async def run(options: Options) -> BenchResult:
    scale = QUICK if options.quick else FULL
    result = BenchResult(
        "delivery",
        f"Reminders: {scale.athletes:,} athletes due at the same minute, drained at the rate "
        "limit while a coach uses the bot (bench/delivery.py)",
    )
    for kind in options.kinds:
        figures = await bench_database(kind, options, scale)
        latencies = figures.pop("interactive")
        result.figures += [
            Figure("scheduler tick (all due)", figures["schedule_s"], "s", kind),
            Figure("time to drain", figures["drain_s"], "s", kind),
            Figure("send rate", figures["rate"], "msg/s", kind, float(SEND_RATE) * 0.9, "higher"),
            Figure(
                "busiest 1-second window",
                float(figures["busiest_second"]),
                "msgs",
                kind,
                TELEGRAM_PER_SECOND + 1,
            ),
            Figure(
                "reminders delivered once",
                float(figures["delivered"] - figures["duplicates"]),
                "",
                kind,
                float(scale.athletes),
                "higher",
            ),
            Figure("interactive p50", percentile(latencies, 50) * 1000, "ms", kind),
            Figure(
                "interactive p99",
                percentile(latencies, 99) * 1000,
                "ms",
                kind,
                GOAL_INTERACTIVE_P99_MS,
            ),
        ]
        result.details[kind] = {k: v for k, v in figures.items()}
        result.notes.append(
            f"{kind}: seeded in {format_number(figures['seed_s'])} s; "
            f"{figures['scheduled']:,} reminders scheduled, {figures['sent']:,} sent, "
            f"{figures['duplicates']} duplicates; {len(latencies)} /help probes during the drain."
        )
    return result
