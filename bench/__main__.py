"""Spotter's benchmark suite.

    python -m bench [--quick] [--postgres URL] [--only NAME[,NAME]]

Runs the benchmarks, prints one table per benchmark with every figure against its goal, and writes
bench/results/latest.json (figures plus the machine). PostgreSQL figures come when --postgres or
TEST_DATABASE_URL names a server: each benchmark creates a fresh database there and drops it.
Exits 1 when a benchmark fails (raises, times out, or measures no figure), after running the others;
a missed goal is reported, not a failure.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import inspect
import io
import json
import logging
import os
import re
import sys
import time
import traceback
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bench import delivery, programs, roster, startup, throughput, training, transfer
from bench.common import (
    TEMPLATES,
    BenchResult,
    Figure,
    Options,
    format_number,
    machine_info,
    render_table,
    run_like_the_bot,
)

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
SEARCH_GOAL_P95_MS = 5.0
# Figures without a goal that still belong in the README's table.
README_EXTRAS = (
    # Issue #20's throughput goal is a ratio to the echo ceiling ("ours / ceiling"); updates a
    # second stay in the table as a figure.
    "throughput, saturated",
    "ceiling: bare PTB echo",
    "CPU per update",
    "ceiling CPU per update",
    "reference: PTB + 1 SELECT",
    "throughput, 50 ms",
    "first start on empty db",
    "extra for migrate",
    "naive baseline p95",
)
SEARCH_GOAL_SPEEDUP = 10.0


def redact(text: str, options: Options) -> str:
    """Text fit to print or store: without the password a database URL may carry."""
    text = re.sub(r"(://[^:/@\s]+):[^@\s]+@", r"\1:***@", text)
    try:
        password = make_url(options.postgres_url).password if options.postgres_url else None
    except ArgumentError:  # not a URL: nothing to take out of it
        password = None
    return text.replace(password, "***") if password else text


async def run_search(options: Options) -> BenchResult:
    """Benchmark 2 lives in bench/search.py; its figures are put into the common table here."""
    from bench import search

    result = BenchResult("search", "2. Exercise search at scale (bench/search.py)")
    arguments: list[Any] = [options.quick]
    if len(inspect.signature(search.run).parameters) > 1:
        arguments.append(options.postgres_url)
    own_report = io.StringIO()
    with contextlib.redirect_stdout(own_report):
        figures: dict[str, Any] = await search.run(*arguments)
    result.details = figures
    scale = figures.get("scale", {})
    if scale:
        result.notes.append(
            f"{scale.get('custom_exercises', '?'):,} custom exercises over "
            f"{scale.get('teams', '?'):,} teams + the curated library; "
            f"{scale.get('searches', '?')} timed searches per engine, interleaved."
        )
    for kind in ("sqlite", "postgresql"):
        measured = figures.get(kind)
        if not isinstance(measured, dict):
            continue
        ours, baseline = measured.get("ours", {}), measured.get("baseline", {})
        speedup = (
            baseline["p95_ms"] / ours["p95_ms"]
            if ours.get("p95_ms") and baseline.get("p95_ms")
            else None
        )
        result.figures += [
            Figure("ours p50", ours.get("p50_ms"), "ms", kind),
            Figure("ours p95", ours.get("p95_ms"), "ms", kind, SEARCH_GOAL_P95_MS),
            Figure("naive baseline p95", baseline.get("p95_ms"), "ms", kind),
            Figure("baseline / ours at p95", speedup, "x", kind, SEARCH_GOAL_SPEEDUP, "higher"),
        ]
        top1 = measured.get("top1", {})
        if top1:
            result.figures.append(
                Figure("top-1 on labelled queries", top1.get("ours", 0) * 100, "%", kind)
            )
            result.notes.append(
                f"{kind}: top-1 ours {top1.get('ours', 0):.0%}, baseline "
                f"{top1.get('baseline', 0):.0%}; seeded in {measured.get('seed_s', '?')} s; "
                f"first search {measured.get('cold_first_search_ms', '?')} ms."
            )
    return result


BENCHMARKS: dict[str, Callable[[Options], Awaitable[BenchResult]]] = {
    "throughput": throughput.run,
    "search": run_search,
    "roster": roster.run,
    "startup": startup.run,
    "transfer": transfer.run,
    "programs": programs.run,
    "training": training.run,
    "delivery": delivery.run,
}


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller scale, under 30 s")
    parser.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="fail a benchmark that runs longer (default: 45 minutes; 5 with --quick)",
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=os.environ.get("TEST_DATABASE_URL") or None,
        help="PostgreSQL server for scratch databases (default: $TEST_DATABASE_URL)",
    )
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="instead: print bench/results/latest.json as the README's Markdown table",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="instead: profile benchmark 1 (cProfile; SQL and Bot API calls per update kind)",
    )
    parser.add_argument(
        "--only",
        metavar="NAME",
        help=f"comma-separated subset of: {', '.join(BENCHMARKS)}",
    )
    arguments = parser.parse_args(argv)
    if arguments.only:
        wanted = [name.strip() for name in arguments.only.split(",") if name.strip()]
        unknown = [name for name in wanted if name not in BENCHMARKS]
        if unknown:
            parser.error(
                f"unknown benchmark {', '.join(unknown)}; pick from {', '.join(BENCHMARKS)}"
            )
        arguments.only = wanted
    return arguments


async def run_all(options: Options, names: list[str]) -> dict[str, Any]:
    machine = await machine_info(options)
    machine["load_average_at_start"] = [round(x, 2) for x in os.getloadavg()]
    machine["niceness"] = os.nice(0)
    busy = machine["load_average_at_start"][0] > 0.5 * (os.cpu_count() or 1)
    print(
        f"Spotter benchmarks{' (quick)' if options.quick else ''}: {machine['cpu_count']} CPUs "
        f"({machine['cpu_model']}), Python {machine['python']}, PTB "
        f"{machine['python_telegram_bot']}, SQLite {machine['sqlite']}"
        + (f", PostgreSQL {machine['postgresql']}" if machine["postgresql"] else "")
        + f", event loop {machine['event_loop']}"
    )
    if busy:
        print(
            f"warning: load average {machine['load_average_at_start'][0]} on "
            f"{machine['cpu_count']} CPUs (niceness {machine['niceness']}): other work is "
            "running, figures will be noisy"
        )
    report: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": redact(" ".join(["python -m bench", *sys.argv[1:]]), options),
        "quick": options.quick,
        "machine": machine,
        "benchmarks": {},
    }
    failed: list[str] = []

    def fail(name: str, reason: str) -> None:
        failed.append(name)
        report["benchmarks"].setdefault(name, {})["error"] = reason
        print(f"== {name}: FAILED ({reason})", flush=True)

    try:
        for name in names:
            print()
            started = time.perf_counter()
            try:
                # A benchmark that hangs (a lost wake-up, a server that stopped answering) fails
                # alone instead of holding the run until someone kills it.
                async with asyncio.timeout(options.timeout_s):
                    result = await BENCHMARKS[name](options)
            except TimeoutError:
                fail(name, f"timed out after {options.timeout_s:g} s (--timeout)")
                continue
            except (Exception, asyncio.CancelledError) as error:
                # One broken benchmark must not hide the others; a real cancellation (Ctrl-C)
                # still ends the run.
                current = asyncio.current_task()
                if isinstance(error, asyncio.CancelledError) and current and current.cancelling():
                    raise
                details = "".join(traceback.format_exception(error))
                print(redact(details, options), end="", file=sys.stderr, flush=True)
                fail(name, redact(f"{type(error).__name__}: {error}", options))
                continue
            result.seconds = time.perf_counter() - started
            print(render_table(result), flush=True)
            report["benchmarks"][name] = result.as_dict()
            if not any(figure.measured for figure in result.figures):
                fail(name, "no figures measured")
    finally:
        await TEMPLATES.drop()
    machine["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    statuses = [
        figure["status"]
        for bench in report["benchmarks"].values()
        for figure in bench.get("figures", [])
        if figure["status"]
    ]
    report["summary"] = {
        "pass": statuses.count("pass"),
        "miss": statuses.count("miss"),
        "failed": len(failed),
    }
    report["failed"] = failed
    return report


def markdown(report: dict[str, Any]) -> str:
    """The figures of a results file as the README's table."""
    machine = report["machine"]
    pg = f", PostgreSQL {machine['postgresql']}" if machine.get("postgresql") else ""
    lines = [
        f"Measured {report['generated_at'][:10]} with `{report['command']}` on "
        f"{machine['cpu_count']} CPUs ({machine['cpu_model']}), Python {machine['python']}, PTB "
        f"{machine['python_telegram_bot']}, SQLite {machine['sqlite']}{pg}; load average at "
        f"start {machine.get('load_average_at_start', ['?'])[0]}.",
        "",
        "| benchmark | figure | SQLite | PostgreSQL | goal |",
        "|---|---|---|---|---|",
    ]
    for bench in report["benchmarks"].values():
        if "figures" not in bench:
            continue
        title = bench["title"].split(" (")[0]
        rows: dict[str, dict[str, Any]] = {}
        for figure in bench["figures"]:
            if not figure["status"] and not figure["name"].strip().startswith(README_EXTRAS):
                continue
            name = figure["name"].strip()
            value = f"{format_number(figure['value'])} {figure['unit']}".rstrip()
            paced = re.fullmatch(r"(.*) at (\d+/s)", name)
            if paced:  # the rate differs per database: show it with the value
                name, value = f"{paced.group(1)}, paced", f"{value} at {paced.group(2)}"
            row = rows.setdefault(name, {"goal": "", "values": {}})
            if figure["status"]:
                value += " ✅" if figure["status"] == "pass" else " ❌"
                row["goal"] = Figure(**{k: v for k, v in figure.items() if k != "status"}).goal_text
            row["values"][figure["database"]] = value
        for name, row in rows.items():
            values = row["values"]
            sqlite = values.get("sqlite", values.get("-", values.get("none", "")))
            lines.append(
                f"| {title} | {name} | {sqlite} | {values.get('postgresql', '')} | {row['goal']} |"
            )
            title = ""
    return "\n".join(lines)


async def run_profiles(options: Options) -> None:
    try:
        for kind in options.kinds:
            started = time.perf_counter()
            result = await throughput.profile(kind, options)
            result.seconds = time.perf_counter() - started
            print(render_table(result), flush=True)
    finally:
        await TEMPLATES.drop()


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    options = Options(
        quick=arguments.quick, postgres_url=arguments.postgres, timeout=arguments.timeout
    )
    names = arguments.only or list(BENCHMARKS)
    if arguments.markdown:
        print(markdown(json.loads(RESULTS.read_text())))
        return 0
    if arguments.profile:
        run_like_the_bot(run_profiles(options))
        return 0
    started = time.perf_counter()
    report = run_like_the_bot(run_all(options, names))
    report["seconds"] = round(time.perf_counter() - started, 1)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, default=str) + "\n")
    summary = report["summary"]
    where = RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS
    print(
        f"\n{summary['pass']} goals met, {summary['miss']} missed, in {report['seconds']} s; "
        f"figures in {where}"
    )
    failed = report["failed"]
    if failed:
        print(f"{len(failed)} benchmark{'s' * (len(failed) > 1)} FAILED: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
