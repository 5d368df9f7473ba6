"""Benchmark 4: start-up time and memory of the bot process (see bench/bot_process.py).

For each database: a first start on an empty database (migrate + curated library load), then
starts with the library already loaded (the usual restart), then one start that goes on to run
benchmark 1's mix, for the peak RSS after it. Times run from just before the parent spawns the
process to the moment the first update has been handled, so interpreter start-up and imports
are inside.
"""

from __future__ import annotations

import asyncio
import compileall
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.common import (
    BenchResult,
    DatabaseKind,
    Figure,
    Options,
    format_number,
    scratch_database,
)

ROOT = Path(__file__).resolve().parent.parent
GOAL_START_S = 2.0
GOAL_RSS_MB = 150.0
ABANDONED = 50_000
ABANDONED_BASE = 7_000_000_000  # Telegram user ids of the abandoned crowd
GOAL_ABANDONED_RSS_MB = 5.0  # state is read per user when they return: growth is noise


def compile_sources() -> None:
    """Bytecode for our packages, as an install leaves it (this shell may forbid writing it)."""
    for package in ("bot", "storage", "bench"):
        compileall.compile_dir(ROOT / package, quiet=1)


async def spawn(database_url: str, *, mix: str | None = None) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.bot_process", "--database-url", database_url]
    if mix:
        command += ["--mix", mix]
    spawned = time.time()
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 300)
    if process.returncode != 0:
        tail = stderr.decode(errors="replace").strip().splitlines()[-5:]
        raise RuntimeError(f"bot process failed ({process.returncode}): {' / '.join(tail)}")
    report: dict[str, Any] = json.loads(stdout.decode().strip().splitlines()[-1])
    report["spawned"] = spawned
    report["to_first_update_s"] = report["first_update"] - spawned
    report["phases_s"] = {
        "interpreter": round(report["started"] - spawned, 3),
        "imports": round(report["imported"] - report["started"], 3),
        "prepare_database": round(report["database_ready"] - report["imported"], 3),
        "build_and_start": round(report["app_started"] - report["database_ready"], 3),
        "first_update": round(report["first_update"] - report["app_started"], 3),
    }
    return report


async def bench_database(kind: DatabaseKind, options: Options, warm_runs: int) -> dict[str, Any]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="spotter-bench-") as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'spotter.sqlite3'}"
            return await starts(url, warm_runs, options)
    async with scratch_database(kind, options, migrated=False) as url:
        return await starts(url, warm_runs, options)


async def abandon_forms(url: str, count: int, *, age: timedelta) -> None:
    """`count` users who stopped in the middle of a form `age` ago: a conversation row and a
    user-data row (a half-filled draft) each, as the bot leaves them."""
    from storage.db import make_engine
    from storage.models import ConversationState, UserData

    engine = make_engine(url)
    at = datetime.now(UTC) - age
    draft = {"form": {"name": "athlete", "values": {"name": "Abandoned Athlete", "email": None}}}
    try:
        async with engine.begin() as connection:
            for start in range(0, count, 5000):
                ids = range(ABANDONED_BASE + start, ABANDONED_BASE + min(count, start + 5000))
                await connection.execute(
                    sa.insert(ConversationState.__table__),  # type: ignore[attr-defined]
                    [
                        {"name": "forms", "key": f"[{i},{i}]", "state": "email", "updated_at": at}
                        for i in ids
                    ],
                )
                await connection.execute(
                    sa.insert(UserData.__table__),  # type: ignore[attr-defined]
                    [{"telegram_user_id": i, "data": draft, "updated_at": at} for i in ids],
                )
    finally:
        await engine.dispose()


async def starts(url: str, warm_runs: int, options: Options) -> dict[str, Any]:
    fresh = await spawn(url)
    warm = [await spawn(url) for _ in range(warm_runs - 1)]
    # The last restart goes on to run benchmark 1's mix, for memory.
    mixed = await spawn(url, mix="quick" if options.quick else "full")
    # Memory and start-up must not grow with everyone who ever left a form half-filled.
    crowd = 5_000 if options.quick else ABANDONED
    await abandon_forms(url, crowd, age=timedelta(days=2))
    old = await spawn(url)
    await abandon_forms(url, crowd, age=timedelta(hours=1))
    recent = await spawn(url)
    return {
        "fresh": fresh,
        "warm": [*warm, mixed],
        "mix": mixed,
        "abandoned": {"count": crowd, "older": old, "recent": recent},
    }


async def run(options: Options) -> BenchResult:
    compile_sources()
    warm_runs = 1 if options.quick else 6
    result = BenchResult("startup", "4. Memory and start-up (the bot as its own process)")
    rows = []
    for kind in options.kinds:
        runs = await bench_database(kind, options, warm_runs)
        warm_times = [r["to_first_update_s"] for r in runs["warm"]]
        warm_s = statistics.median(warm_times)
        fresh_s = runs["fresh"]["to_first_update_s"]
        mixed = runs["mix"]
        after_start = max(r["peak_rss_after_start_mb"] for r in [runs["fresh"], *runs["warm"]])
        abandoned = runs["abandoned"]
        crowd = f"{abandoned['count'] // 1000}k"
        baseline_rss = statistics.median(r["rss_after_start_mb"] for r in runs["warm"])
        result.figures += [
            Figure("start -> first update (library loaded)", warm_s, "s", kind, GOAL_START_S),
            Figure(
                f"start, {crowd} forms abandoned 2 days ago",
                abandoned["older"]["to_first_update_s"],
                "s",
                kind,
                GOAL_START_S,
            ),
            Figure(
                "  RSS after start, vs no abandoned forms",
                abandoned["older"]["rss_after_start_mb"] - baseline_rss,
                "MB",
                kind,
                GOAL_ABANDONED_RSS_MB,
            ),
            Figure(
                f"start, {crowd} forms abandoned 1 hour ago",
                abandoned["recent"]["to_first_update_s"],
                "s",
                kind,
                GOAL_START_S,
            ),
            Figure(
                "  RSS after start, vs none (1 hour ago)",
                abandoned["recent"]["rss_after_start_mb"] - baseline_rss,
                "MB",
                kind,
                GOAL_ABANDONED_RSS_MB,
            ),
            Figure("first start on empty db", fresh_s, "s", kind),
            Figure("  extra for migrate + library", fresh_s - warm_s, "s", kind),
            Figure("peak RSS after start", after_start, "MB", kind, GOAL_RSS_MB),
            Figure(
                "peak RSS after benchmark 1 mix",
                mixed.get("peak_rss_after_mix_mb"),
                "MB",
                kind,
                GOAL_RSS_MB,
            ),
        ]
        for label, report in [("fresh", runs["fresh"]), *(("warm", r) for r in runs["warm"])]:
            phases = report["phases_s"]
            rows.append(
                [
                    kind,
                    label,
                    *(format_number(phases[p] * 1000) for p in phases),
                    format_number(report["to_first_update_s"] * 1000),
                ]
            )
        result.details[kind] = {
            "fresh": runs["fresh"],
            "warm": runs["warm"],
            "mix": mixed,
            "abandoned": abandoned,
        }
        result.notes.append(
            f"{kind}: the mix process handled {mixed.get('mix_updates')} updates "
            f"({format_number(mixed.get('mix_updates_per_s'))}/s, "
            f"{mixed.get('mix_errors')} errors); RSS at its end "
            f"{format_number(mixed.get('rss_after_mix_mb'))} MB."
        )
    result.tables.append(
        (
            "start-up phases (ms from spawn; each phase's own length)",
            [
                "database",
                "start",
                "interpreter",
                "imports",
                "prepare_database",
                "build+start",
                "first update",
                "total",
            ],
            rows,
        )
    )
    result.notes += [
        f"Restarts with the library loaded: median of {warm_runs} (the last one then runs the "
        "mix); bytecode of bot/ and storage/ compiled first, as an install leaves it. Rate "
        "limiter off in these processes (it only delays sends).",
        "Peak RSS is VmHWM of the bot process (/proc/self/status): getrusage's ru_maxrss is "
        "kept across execve on Linux and would report the benchmark's own size. It includes the "
        "in-process fake Telegram (whose history is trimmed during the mix).",
    ]
    return result
