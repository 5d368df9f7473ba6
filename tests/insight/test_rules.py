"""Pure rules of coach insight: series, compliance, attention, readiness, timing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from storage.insight.compliance import (
    AthleteStatus,
    Compliance,
    Flag,
    measure_compliance,
    rank_by_attention,
    with_flags,
)
from storage.insight.readiness import Question, Readiness, is_low, next_question
from storage.insight.series import LoggedSet, Point, e1rm_series, weekly_volume
from storage.insight.timing import is_due, local_clock

MON = date(2026, 3, 2)


def test_e1rm_series_takes_each_days_best_estimable_set() -> None:
    sets = [
        LoggedSet(MON, 5, 100),  # 116.67
        LoggedSet(MON, 3, 105),  # 115.5
        LoggedSet(MON, 12, 80),  # over 10 reps: not estimated
        LoggedSet(MON + timedelta(2), 1, 120),  # a single is its own 1RM
        LoggedSet(MON + timedelta(2), None, None),
        LoggedSet(MON + timedelta(4), 12, 90),  # nothing estimable that day
        LoggedSet(MON - timedelta(7), 8, 90),  # 114.0, older, given out of order
    ]
    assert e1rm_series(sets) == [
        Point(MON - timedelta(7), 114.0),
        Point(MON, 116.7),
        Point(MON + timedelta(2), 120.0),
    ]
    assert e1rm_series([]) == []


def test_weekly_volume_sums_reps_times_load_per_week_and_pattern() -> None:
    sets = [
        LoggedSet(MON, 5, 100, "squat"),
        LoggedSet(MON + timedelta(6), 5, 100, "squat"),  # Sunday: same week
        LoggedSet(MON + timedelta(1), 8, 60, "push"),
        LoggedSet(MON + timedelta(1), 8, None, "pull"),  # bodyweight: no load, no volume
        LoggedSet(MON + timedelta(21), 3, 140, "hinge"),  # two empty weeks in between
    ]
    volume = weekly_volume(sets)
    assert volume.weeks == [MON + timedelta(weeks=i) for i in range(4)]
    assert volume.by_pattern == {
        "hinge": [0.0, 0.0, 0.0, 420.0],
        "push": [480.0, 0.0, 0.0, 0.0],
        "squat": [1000.0, 0.0, 0.0, 0.0],
    }
    assert volume.total("squat") == 1000.0
    last_two = weekly_volume(sets, weeks=2)
    assert last_two.weeks == [MON + timedelta(weeks=2), MON + timedelta(weeks=3)]
    assert last_two.by_pattern == {"hinge": [0.0, 420.0]}
    assert weekly_volume([]).weeks == []


def test_compliance_counts_the_window_and_today_only_once_done() -> None:
    today = MON + timedelta(days=13)
    planned = [(MON + timedelta(days=d), f"s{d}") for d in (0, 2, 4, 7, 9, 11, 13)]
    done = [(MON + timedelta(days=d), f"s{d}") for d in (0, 2, 9, 11)]
    week = measure_compliance(planned=planned, done=done, today=today, days=7)
    assert (week.done, week.planned, week.percent) == (2, 3, 67)  # days 7..12: 7, 9, 11
    assert measure_compliance(
        planned=planned, done=[*done, (today, "s13")], today=today, days=7
    ) == Compliance(3, 4)
    month = measure_compliance(planned=planned, done=done, today=today, days=28)
    assert (month.done, month.planned) == (4, 6)
    assert Compliance(0, 0).ratio is None and Compliance(0, 0).percent is None


def status(name: str, done: int, planned: int, last: date | None, **kw: object) -> AthleteStatus:
    return AthleteStatus(
        athlete_id=name,
        name=name,
        week=Compliance(done, planned),
        month=Compliance(done, planned),
        last_session=last,
        program_start=kw.pop("start", MON - timedelta(days=30)),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def test_attention_flags_and_ranking() -> None:
    today = MON + timedelta(days=10)
    statuses = [
        with_flags(s, today=today)
        for s in (
            status("Ann", 3, 3, today - timedelta(days=1)),
            status("Bea", 3, 4, today - timedelta(days=2)),  # 75 %
            status("Cy", 1, 3, today - timedelta(days=6), low_readiness=True),
            status("Dee", 0, 0, None, start=today - timedelta(days=2)),  # just started
            status("Eve", 0, 0, None, start=today - timedelta(days=9)),
            status("Fay", 3, 3, today, low_readiness=True),
        )
    ]
    flags = {s.name: s.flags for s in statuses}
    assert flags == {
        "Ann": (),
        "Bea": (Flag.LOW_COMPLIANCE,),
        "Cy": (Flag.LOW_COMPLIANCE, Flag.QUIET, Flag.LOW_READINESS),
        "Dee": (),
        "Eve": (Flag.QUIET,),
        "Fay": (Flag.LOW_READINESS,),
    }
    assert [s.name for s in rank_by_attention(statuses)] == [
        "Cy",
        "Bea",
        "Fay",
        "Eve",
        "Ann",
        "Dee",
    ]


def test_readiness_scores_and_flags_low() -> None:
    good = Readiness(sleep=4, soreness=4, stress=3, energy=4)
    assert (good.total, good.low) == (15, False)
    assert Readiness(sleep=3, soreness=2, stress=3, energy=2).low  # 10 of 20
    assert Readiness(sleep=5, soreness=1, stress=5, energy=5).low  # one answer at the worst
    assert not is_low(11)
    with pytest.raises(ValueError, match="sleep"):
        Readiness(sleep=0, soreness=3, stress=3, energy=3)
    assert next_question({}) is Question.SLEEP
    assert next_question({"sleep": 3, "soreness": 2}) is Question.STRESS
    assert next_question({q.value: 3 for q in Question}) is None


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_local_clock_and_due_window_across_dst_changes() -> None:
    berlin = "Europe/Berlin"
    # Winter: UTC+1. 06:00 UTC is 07:00 in Berlin.
    assert local_clock(utc(2026, 3, 28, 6, 0), berlin).minute == 7 * 60
    # After the spring change (29 March 2026, 02:00 -> 03:00): UTC+2, 05:00 UTC is 07:00.
    clock = local_clock(utc(2026, 3, 29, 5, 0), berlin)
    assert (clock.day, clock.minute) == (date(2026, 3, 29), 7 * 60)
    assert is_due(clock, 7 * 60, grace=120)
    assert not is_due(local_clock(utc(2026, 3, 29, 4, 59), berlin), 7 * 60, grace=120)
    # 02:30 does not exist that night: due at 03:00, the first minute after the gap.
    assert is_due(local_clock(utc(2026, 3, 29, 1, 0), berlin), 150, grace=120)
    assert not is_due(local_clock(utc(2026, 3, 29, 0, 59), berlin), 150, grace=120)
    # Autumn (25 October 2026): 02:30 happens twice, on the same local date.
    first = local_clock(utc(2026, 10, 25, 0, 30), berlin)
    second = local_clock(utc(2026, 10, 25, 1, 30), berlin)
    assert first == second and first.minute == 150
    # The window does not reach back over midnight, and ends after `grace` minutes.
    assert not is_due(local_clock(utc(2026, 3, 2, 0, 10), "UTC"), 23 * 60 + 50, grace=120)
    assert not is_due(local_clock(utc(2026, 3, 2, 9, 0), "UTC"), 7 * 60, grace=120)
    assert is_due(local_clock(utc(2026, 3, 2, 8, 59), "UTC"), 7 * 60, grace=120)
    # An unknown zone reads as UTC; a naive time is refused.
    assert local_clock(utc(2026, 3, 2, 7, 0), "Mars/Olympus").minute == 7 * 60
    with pytest.raises(ValueError):
        local_clock(datetime(2026, 3, 2, 7, 0), "UTC")
