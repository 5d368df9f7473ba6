"""`python -m bench` exits 1 when a benchmark fails (raises, or measures nothing), says which one
and why without leaking secrets, still runs the others and writes the JSON; a missed goal is not a
failure. No real benchmark runs here: the registry is replaced by tiny stand-ins."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

import bench.__main__ as runner
from bench.common import BenchResult, Figure, Options

SECRET = "s3cr3t-pw"


async def crashes(options: Options) -> BenchResult:
    raise ConnectionError(f"could not reach postgresql://bench:{SECRET}@db.example:5432/x")


async def measures_nothing(options: Options) -> BenchResult:
    return BenchResult("hollow", "hollow", figures=[Figure("p95", None, "ms", "sqlite", 5.0)])


async def hangs(options: Options) -> BenchResult:
    await asyncio.Event().wait()  # a wake-up that never comes
    raise AssertionError("unreachable")


async def misses_its_goal(options: Options) -> BenchResult:
    return BenchResult("slow", "slow", figures=[Figure("p95", 9.0, "ms", "sqlite", 5.0)])


async def fake_machine(options: Options) -> dict[str, Any]:
    return {
        "cpu_count": 2,
        "cpu_model": "test",
        "python": "3",
        "python_telegram_bot": "22",
        "sqlite": "3",
        "postgresql": None,
        "event_loop": "uvloop",
    }


@pytest.fixture
def results(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    path = tmp_path / "latest.json"
    monkeypatch.setattr(runner, "RESULTS", path)
    monkeypatch.setattr(runner, "machine_info", fake_machine)
    monkeypatch.setattr(
        runner,
        "BENCHMARKS",
        {"crash": crashes, "hollow": measures_nothing, "slow": misses_its_goal, "hang": hangs},
    )
    return path


def run(
    capsys: pytest.CaptureFixture[str], *names: str, options: tuple[str, ...] = ()
) -> tuple[int, str, str]:
    """Exit status, everything printed, and the last line of standard output."""
    code = runner.main(["--only", ",".join(names), *options])
    captured = capsys.readouterr()
    return code, captured.out + captured.err, captured.out.strip().splitlines()[-1]


def test_a_crash_fails_the_run_after_the_others_ran(
    results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output, last = run(capsys, "crash", "slow")
    assert code == 1
    assert "crash: FAILED (ConnectionError: could not reach postgresql://bench:***@" in output
    assert SECRET not in output
    assert last == "1 benchmark FAILED: crash"
    report = json.loads(results.read_text())
    assert report["failed"] == ["crash"]
    assert report["benchmarks"]["crash"]["error"].startswith("ConnectionError: ")
    assert SECRET not in results.read_text()
    # The benchmark after the crash still ran and was reported.
    assert report["benchmarks"]["slow"]["figures"][0]["status"] == "miss"


def test_a_benchmark_without_figures_fails_the_run(
    results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output, last = run(capsys, "hollow")
    assert code == 1
    assert "hollow: FAILED (no figures measured)" in output
    assert last == "1 benchmark FAILED: hollow"
    assert json.loads(results.read_text())["failed"] == ["hollow"]


def test_a_missed_goal_is_not_a_failure(results: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output, last = run(capsys, "slow")
    assert code == 0
    assert "FAILED" not in output
    assert last.startswith("0 goals met, 1 missed")
    assert json.loads(results.read_text())["failed"] == []


def test_a_hanging_benchmark_times_out_and_the_others_still_run(
    results: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output, last = run(capsys, "hang", "slow", options=("--timeout", "0.2"))
    assert code == 1
    assert "hang: FAILED (timed out after 0.2 s (--timeout))" in output
    assert last == "1 benchmark FAILED: hang"
    report = json.loads(results.read_text())
    assert report["failed"] == ["hang"]
    assert report["benchmarks"]["slow"]["figures"][0]["status"] == "miss"
