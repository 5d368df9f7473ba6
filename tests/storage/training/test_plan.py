from __future__ import annotations

from dataclasses import dataclass

import pytest

from storage.training.logparse import LoggedSet
from storage.training.plan import as_prescribed, snapshot, work_out, work_out_set


@dataclass(frozen=True)
class T:
    """Shaped like storage.prescriptions.SetTarget."""

    reps: int | None = None
    reps_max: int | None = None
    amrap: bool = False
    seconds: int | None = None
    meters: int | None = None
    kg: float | None = None
    percent: float | None = None
    bodyweight: bool = False
    rpe: float | None = None
    rir: int | None = None


def test_percent_from_the_max_in_the_team_unit() -> None:
    worked = work_out([T(reps=5, percent=80)] * 3, max_kg=140, unit="kg", increment=2.5)
    assert [w.load.amount if w.load else None for w in worked] == [112.5] * 3
    assert as_prescribed(worked) == [LoggedSet(reps=5, kg=112.5)] * 3
    in_lb = work_out_set(T(reps=5, percent=80), max_kg=140, unit="lb", increment=5)
    assert in_lb.load is not None and in_lb.load.amount == 245  # 246.9 lb -> 245
    assert in_lb.as_logged() == LoggedSet(reps=5, kg=pytest.approx(111.13, abs=0.01))


def test_no_max_means_the_percentage_and_a_hint() -> None:
    worked = work_out_set(T(reps=5, percent=80), max_kg=None, unit="kg", increment=2.5)
    assert worked.load is None and worked.needs_max
    assert worked.as_logged() is None
    assert as_prescribed([worked]) is None


def test_rpe_and_rir_suggest_a_load_from_the_chart() -> None:
    worked = work_out_set(T(reps=5, rpe=8), max_kg=200, unit="kg", increment=2.5)
    assert worked.suggested and worked.load is not None and worked.load.amount == 162.5
    assert worked.as_logged() == LoggedSet(reps=5, kg=162.5, rpe=8)
    rir = work_out_set(T(reps=5, rir=2), max_kg=200, unit="kg", increment=2.5)
    assert rir.load == worked.load and rir.effort == 8
    off_chart = work_out_set(T(reps=15, rpe=8), max_kg=200, unit="kg", increment=2.5)
    assert off_chart.load is None and not off_chart.needs_max
    assert off_chart.as_logged() == LoggedSet(reps=15, rpe=8)
    no_max = work_out_set(T(reps=5, rpe=8), max_kg=None, unit="kg", increment=2.5)
    assert no_max.needs_max


def test_absolute_bodyweight_timed_distance_and_amrap() -> None:
    kg = work_out_set(T(reps=8, kg=100), max_kg=None, unit="kg", increment=2.5)
    assert kg.as_logged() == LoggedSet(reps=8, kg=100)
    bw = work_out_set(T(reps=10, bodyweight=True, kg=10), max_kg=None, unit="kg", increment=2.5)
    assert bw.as_logged() == LoggedSet(reps=10)
    timed = work_out_set(T(seconds=45), max_kg=None, unit="kg", increment=2.5)
    assert timed.as_logged() == LoggedSet(seconds=45)
    meters = work_out_set(T(meters=30), max_kg=None, unit="kg", increment=2.5)
    assert meters.as_logged() == LoggedSet(meters=30)
    assert work_out_set(T(amrap=True), max_kg=None, unit="kg", increment=2.5).as_logged() is None
    five_plus = work_out_set(T(reps=5, amrap=True, kg=60), max_kg=None, unit="kg", increment=2.5)
    assert five_plus.as_logged() == LoggedSet(reps=5, kg=60)
    assert work_out_set(
        T(reps=8, reps_max=10), max_kg=None, unit="kg", increment=2.5
    ).as_logged() == (LoggedSet(reps=8))


def test_snapshot_keeps_the_target_and_the_worked_load() -> None:
    worked = work_out_set(T(reps=5, percent=80), max_kg=140, unit="kg", increment=2.5)
    assert snapshot(worked, tempo="31X1", rest_seconds=120) == {
        "target": {"reps": 5, "percent": 80},
        "kg": 112.5,
        "suggested": False,
        "tempo": "31X1",
        "rest_seconds": 120,
    }
