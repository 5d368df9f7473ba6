"""Benchmark: spreadsheet import and export (storage/transfer), each in a process of its own.

    python -m bench --only transfer

Import: a 5,000-row roster CSV (and the same as XLSX) read, checked and imported into an empty
team in one transaction, as the bot does on Import. Export: one team with 1,000,000 logged sets
(plus 100 athletes and their maxes) written to CSV files and an XLSX workbook. Each runs in a
child process (`python -m bench.transfer --child ...`) so its peak RSS is its own (VmHWM).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import (
    BenchResult,
    DatabaseKind,
    Figure,
    Options,
    bulk_insert,
    format_number,
    scratch_database,
)

ROOT = Path(__file__).resolve().parent.parent
GOAL_SECONDS = 10.0
GOAL_RSS_MB = 200.0
IMPORT_ROWS = {"full": 5_000, "quick": 1_000}
LOG_ROWS = {"full": 1_000_000, "quick": 100_000}
ATHLETES = 100
SETS_PER_SESSION = 20


# --- seeding ----------------------------------------------------------------------------------


def roster_file(rows: int, fmt: str) -> bytes:
    from bench.transfer_files import csv_bytes, roster_rows, xlsx_bytes

    table = roster_rows(rows, bad_every=50)
    return csv_bytes(table) if fmt == "csv" else xlsx_bytes({"Roster": table})


async def seed_team(url: str, log_rows: int) -> str:
    """A team with ATHLETES athletes, a max each, and `log_rows` set logs; its id."""
    from sqlmodel import col, select

    from storage.db import make_engine, make_session_factory, transaction
    from storage.models import Exercise
    from storage.models.base import new_id
    from storage.queries.organizations import create_organization
    from storage.queries.users import upsert_user

    engine = make_engine(url)
    try:
        factory = make_session_factory(engine)
        async with transaction(factory) as session:
            owner = await upsert_user(session, telegram_user_id=77, display_name="Bench Coach")
            seat = await create_organization(session, name="Bench Team", owner_user_id=owner.id)
            found = await session.exec(
                select(col(Exercise.id)).where(col(Exercise.organization_id).is_(None)).limit(20)
            )
            exercises = list(found.all())
        org = seat.organization_id
        now = datetime(2026, 11, 30, 12, tzinfo=UTC)
        athletes = [new_id() for _ in range(ATHLETES)]
        await bulk_insert(
            engine,
            "athletes",
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
            (
                (
                    aid,
                    org,
                    f"Athlete {n:03d}",
                    f"athlete {n:03d}",
                    f"a{n}@example.com",
                    "active",
                    now,
                    now,
                )
                for n, aid in enumerate(athletes)
            ),
        )
        await bulk_insert(
            engine,
            "maxes",
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
            (
                (new_id(), org, aid, exercises[0], 100.0 + n, date(2026, 10, 1), "coach", now, now)
                for n, aid in enumerate(athletes)
            ),
        )
        sessions = log_rows // SETS_PER_SESSION
        session_rows: list[tuple[str, str]] = []

        def training_sessions() -> Iterator[tuple[Any, ...]]:
            for n in range(sessions):
                sid, aid = new_id(), athletes[n % ATHLETES]
                session_rows.append((sid, aid))
                day = date(2020, 1, 1) + timedelta(days=n // ATHLETES)
                yield (sid, org, aid, f"Week {n // 400 + 1} day {n % 4 + 1}", day, now, now)

        await bulk_insert(
            engine,
            "training_sessions",
            [
                "id",
                "organization_id",
                "athlete_id",
                "title",
                "scheduled_for",
                "started_at",
                "finished_at",
            ],
            training_sessions(),
        )
        rng = random.Random(5)
        prescribed = json.dumps(
            {
                "target": {"reps": 5, "percent": 80.0},
                "kg": 100.0,
                "suggested": False,
                "tempo": None,
                "rest_seconds": 180,
            }
        )
        postgres = engine.dialect.name == "postgresql"

        def set_logs() -> Iterator[tuple[Any, ...]]:
            for sid, aid in session_rows:
                for set_no in range(1, SETS_PER_SESSION + 1):
                    kg = 60.0 + rng.randrange(0, 100) * 2.5
                    yield (
                        new_id(),
                        org,
                        aid,
                        sid,
                        exercises[set_no % len(exercises)],
                        None,
                        set_no,
                        5,
                        kg,
                        None,
                        None,
                        8.0,
                        kg * (1 + 5 / 30),  # as logged: Epley, unrounded
                        None,
                        False,
                        prescribed,
                        now,
                    )

        await bulk_insert(
            engine,
            "set_logs",
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
                "seconds",
                "meters",
                "rpe",
                "e1rm",
                "record",
                "skipped",
                "prescribed",
                "logged_at",
            ],
            set_logs(),
        )
        if postgres:
            async with engine.begin() as connection:
                await connection.exec_driver_sql("ANALYZE")
    finally:
        await engine.dispose()
    return org


async def new_team(url: str) -> str:
    from storage.db import make_engine, make_session_factory, transaction
    from storage.queries.organizations import create_organization
    from storage.queries.users import upsert_user

    engine = make_engine(url)
    try:
        async with transaction(make_session_factory(engine)) as session:
            owner = await upsert_user(session, telegram_user_id=78, display_name="Bench Coach")
            seat = await create_organization(session, name="Import Team", owner_user_id=owner.id)
            return seat.organization_id
    finally:
        await engine.dispose()


# --- the child process ------------------------------------------------------------------------


async def child_import(url: str, organization_id: str, path: Path) -> dict[str, Any]:
    from storage.db import make_engine, make_session_factory, transaction
    from storage.transfer.reading import FileProblem, open_spreadsheet
    from storage.transfer.roster import ParsedRoster, parse_roster
    from storage.transfer.roster_import import import_roster, preview_roster_import

    engine = make_engine(url)
    try:
        factory = make_session_factory(engine)
        started, cpu_started = time.perf_counter(), time.process_time()
        data = await asyncio.to_thread(path.read_bytes)
        spreadsheet = open_spreadsheet(data, filename=path.name)
        assert not isinstance(spreadsheet, FileProblem), spreadsheet
        roster = parse_roster(spreadsheet, phone_region="US", today=date(2026, 11, 30))
        assert isinstance(roster, ParsedRoster), roster
        parsed = time.perf_counter()
        async with factory() as session:
            await preview_roster_import(session, organization_id=organization_id, roster=roster)
        previewed = time.perf_counter()
        async with transaction(factory) as session:
            result = await import_roster(session, organization_id=organization_id, roster=roster)
        done = time.perf_counter()
    finally:
        await engine.dispose()
    return {
        "read_and_check_s": parsed - started,
        "preview_s": previewed - parsed,
        "import_s": done - previewed,
        "total_s": done - started,
        "cpu_s": time.process_time() - cpu_started,
        "added": len(result.added),
        "problem_rows": result.problem_rows,
    }


class LoopLag:
    """How late the event loop wakes a task that sleeps 10 ms, sampled while an export runs:
    what another user's update would wait for before the bot could start on it."""

    TICK = 0.01

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(self.TICK)
            self.samples.append(loop.time() - started - self.TICK)

    def __enter__(self) -> LoopLag:
        self.samples = []
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()

    def figures(self) -> dict[str, float]:
        ordered = sorted(self.samples) or [0.0]

        def at(share: float) -> float:
            return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

        return {"p50_ms": at(0.50), "p99_ms": at(0.99), "max_ms": ordered[-1] * 1000}


async def child_export(url: str, organization_id: str, folder: Path) -> dict[str, Any]:
    from sqlalchemy.engine import make_url

    from storage.db import make_engine, make_session_factory
    from storage.transfer.export import export_team

    # As /export does: a SQLite file is read on a connection of its own.
    parsed_url = make_url(url)
    sqlite_file = parsed_url.database if parsed_url.get_backend_name() == "sqlite" else None
    engine = make_engine(url)
    try:
        factory = make_session_factory(engine)
        started, cpu_started = time.perf_counter(), time.process_time()
        with LoopLag() as csv_lag:
            async with factory() as session:
                csv_only = await export_team(
                    session,
                    organization_id=organization_id,
                    directory=folder,
                    workbook=False,
                    sqlite_file=sqlite_file,
                )
        csv_done, csv_cpu = time.perf_counter(), time.process_time()
        (folder / "book").mkdir()
        with LoopLag() as full_lag:
            async with factory() as session:
                full = await export_team(
                    session,
                    organization_id=organization_id,
                    directory=folder / "book",
                    sqlite_file=sqlite_file,
                )
        full_done, full_cpu = time.perf_counter(), time.process_time()
    finally:
        await engine.dispose()
    return {
        "csv_s": csv_done - started,
        "csv_cpu_s": csv_cpu - cpu_started,
        "csv_and_xlsx_s": full_done - csv_done,
        "csv_and_xlsx_cpu_s": full_cpu - csv_cpu,
        "loop_lag_csv": csv_lag.figures(),
        "loop_lag_csv_and_xlsx": full_lag.figures(),
        "workbook_cut": full.workbook_cut,
        "counts": csv_only.counts,
        "files": {f.filename: f.size for f in [*csv_only.files, *full.files, *full.too_large]},
        "too_large": [f.filename for f in full.too_large],
    }


def child_main(argv: list[str]) -> None:
    from bench.bot_process import peak_rss_mb

    parser = argparse.ArgumentParser()
    parser.add_argument("--child", choices=["import", "export"], required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--organization", required=True)
    parser.add_argument("--path", required=True)
    args = parser.parse_args(argv)
    if args.child == "import":
        report = asyncio.run(child_import(args.database_url, args.organization, Path(args.path)))
    else:
        report = asyncio.run(child_export(args.database_url, args.organization, Path(args.path)))
    report["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(report))


async def spawn(*arguments: str) -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.transfer",
        *arguments,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 900)
    if process.returncode != 0:
        tail = stderr.decode(errors="replace").strip().splitlines()[-5:]
        raise RuntimeError(f"transfer child failed ({process.returncode}): {' / '.join(tail)}")
    report: dict[str, Any] = json.loads(stdout.decode().strip().splitlines()[-1])
    return report


# --- the benchmark ----------------------------------------------------------------------------


async def bench_database(kind: DatabaseKind, options: Options) -> dict[str, Any]:
    size = "quick" if options.quick else "full"
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="spotter-bench-transfer-") as folder:
        for fmt in ("csv", "xlsx"):
            path = Path(folder) / f"roster.{fmt}"
            path.write_bytes(roster_file(IMPORT_ROWS[size], fmt))
            async with scratch_database(kind, options) as url:
                org = await new_team(url)
                figures[f"import_{fmt}"] = await spawn(
                    "--child",
                    "import",
                    "--database-url",
                    url,
                    f"--organization={org}",
                    "--path",
                    str(path),
                )
        async with scratch_database(kind, options) as url:
            started = time.perf_counter()
            org = await seed_team(url, LOG_ROWS[size])
            figures["seed_s"] = time.perf_counter() - started
            out = Path(folder) / "export"
            out.mkdir()
            figures["export"] = await spawn(
                "--child",
                "export",
                "--database-url",
                url,
                f"--organization={org}",
                "--path",
                str(out),
            )
    return figures


async def run(options: Options) -> BenchResult:
    size = "quick" if options.quick else "full"
    result = BenchResult(
        "transfer",
        f"Spreadsheets: import of {IMPORT_ROWS[size]:,} rows, export of "
        f"{LOG_ROWS[size]:,} log rows",
    )
    for kind in options.kinds:
        figures = await bench_database(kind, options)
        result.details[kind] = figures
        for fmt in ("csv", "xlsx"):
            measured = figures[f"import_{fmt}"]
            result.figures += [
                Figure(
                    f"import {fmt}: read, check, import",
                    measured["total_s"],
                    "s",
                    kind,
                    GOAL_SECONDS,
                ),
                Figure(f"import {fmt}: CPU", measured["cpu_s"], "s", kind),
                Figure(f"import {fmt}: peak RSS", measured["peak_rss_mb"], "MB", kind, GOAL_RSS_MB),
            ]
        export = figures["export"]
        result.figures += [
            Figure("export CSV only", export["csv_s"], "s", kind, GOAL_SECONDS),
            Figure("export CSV only, CPU", export["csv_cpu_s"], "s", kind),
            Figure("export CSV + XLSX", export["csv_and_xlsx_s"], "s", kind),
            Figure("export CSV + XLSX, CPU", export["csv_and_xlsx_cpu_s"], "s", kind),
            Figure("export peak RSS", export["peak_rss_mb"], "MB", kind, GOAL_RSS_MB),
            Figure(
                "event loop lag during export, p99",
                export["loop_lag_csv_and_xlsx"]["p99_ms"],
                "ms",
                kind,
            ),
            Figure(
                "event loop lag during export, max",
                export["loop_lag_csv_and_xlsx"]["max_ms"],
                "ms",
                kind,
            ),
        ]
        sizes = ", ".join(
            f"{name.split('-', 3)[-1]} {size_ / 1e6:.1f} MB"
            for name, size_ in export["files"].items()
        )
        result.notes.append(
            f"{kind}: seeded in {format_number(figures['seed_s'])} s; import csv "
            f"{figures['import_csv']['added']:,} added, "
            f"{figures['import_csv']['problem_rows']} problem rows (read and check "
            f"{figures['import_csv']['read_and_check_s']:.2f} s, import "
            f"{figures['import_csv']['import_s']:.2f} s); files: {sizes}; workbook sheets cut "
            f"at: {export['workbook_cut'] or 'none'}"
        )
    result.notes.append(
        "Each measurement runs in its own process; peak RSS is that process's VmHWM "
        "(interpreter and libraries included)."
    )
    return result


if __name__ == "__main__":
    child_main(sys.argv[1:])
