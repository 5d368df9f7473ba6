from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.training.schedule import (
    local_today,
    next_session,
    program_end,
    program_week,
    schedule,
    sessions_on,
    week_dates,
    zone_or_none,
)


@dataclass(frozen=True)
class S:
    week: int
    weekday: int
    position: int = 0
    title: str = ""


# 3 weeks, Mon/Wed/Fri
BLOCK = [S(w, d, 0, f"W{w}D{d}") for w in (1, 2, 3) for d in (1, 3, 5)]
MONDAY = date(2026, 3, 2)


def on(day: date, start: date = MONDAY, **kw: object) -> list[str]:
    return [s.title for s in sessions_on(day, start_date=start, weeks=3, sessions=BLOCK, **kw)]  # type: ignore[arg-type]


def test_sessions_fall_on_their_weekdays() -> None:
    assert on(MONDAY) == ["W1D1"]
    assert on(MONDAY + timedelta(days=1)) == []
    assert on(MONDAY + timedelta(days=9)) == ["W2D3"]
    assert on(MONDAY + timedelta(days=18)) == ["W3D5"]
    assert on(MONDAY + timedelta(days=21)) == []  # after the program
    assert on(MONDAY - timedelta(days=7)) == []


def test_start_mid_week_skips_earlier_days_of_week_one() -> None:
    wednesday = MONDAY + timedelta(days=2)
    assert on(MONDAY, start=wednesday) == []
    assert on(wednesday, start=wednesday) == ["W1D3"]
    assert program_week(wednesday, MONDAY + timedelta(days=7)) == 2
    assert program_end(wednesday, 3) == MONDAY + timedelta(days=20)


def test_ended_assignment_schedules_nothing_after() -> None:
    assert on(MONDAY + timedelta(days=2), ended_on=MONDAY) == []


def test_next_session_after_a_rest_day() -> None:
    tuesday = MONDAY + timedelta(days=1)
    found = next_session(tuesday, start_date=MONDAY, weeks=3, sessions=BLOCK)
    assert found is not None and found.day == MONDAY + timedelta(days=2)
    assert found.slot.title == "W1D3"
    last = MONDAY + timedelta(days=18)
    assert next_session(last, start_date=MONDAY, weeks=3, sessions=BLOCK) is None


def test_two_sessions_on_one_day_keep_their_order() -> None:
    sessions = [S(1, 1, 2, "PM"), S(1, 1, 1, "AM")]
    assert [
        s.title for s in sessions_on(MONDAY, start_date=MONDAY, weeks=1, sessions=sessions)
    ] == [
        "AM",
        "PM",
    ]


def test_week_dates() -> None:
    assert week_dates(MONDAY + timedelta(days=4)) == [MONDAY + timedelta(days=i) for i in range(7)]


@given(start=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 1, 1)))
def test_schedule_agrees_with_sessions_on(start: date) -> None:
    dated = schedule(start_date=start, weeks=3, sessions=BLOCK)
    for item in dated:
        assert item.day >= start
        assert item.slot in sessions_on(item.day, start_date=start, weeks=3, sessions=BLOCK)
    days = {item.day for item in dated}
    for offset in range(-3, 25):
        day = start + timedelta(days=offset)
        assert bool(sessions_on(day, start_date=start, weeks=3, sessions=BLOCK)) == (day in days)


def test_today_is_the_team_wall_clock_across_midnight() -> None:
    # 23:30 UTC on Sunday is already Monday in Berlin and still Sunday in New York.
    now = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    assert local_today(now, "UTC") == date(2026, 3, 1)
    assert local_today(now, "Europe/Berlin") == date(2026, 3, 2)
    assert local_today(now, "America/New_York") == date(2026, 3, 1)
    assert local_today(now, "Pacific/Kiritimati") == date(2026, 3, 2)


def test_today_across_dst_changes() -> None:
    # New York springs forward 2026-03-08 (UTC-5 -> UTC-4); 04:30 UTC is 23:30 on the 7th
    # before the change and 00:30 on the 9th after it.
    assert local_today(datetime(2026, 3, 8, 4, 30, tzinfo=UTC), "America/New_York") == date(
        2026, 3, 7
    )
    assert local_today(datetime(2026, 3, 9, 4, 30, tzinfo=UTC), "America/New_York") == date(
        2026, 3, 9
    )
    # Berlin falls back 2026-10-25: 22:30 UTC is 00:30 on the 25th before, 23:30 on the 25th after.
    assert local_today(datetime(2026, 10, 24, 22, 30, tzinfo=UTC), "Europe/Berlin") == date(
        2026, 10, 25
    )
    assert local_today(datetime(2026, 10, 25, 22, 30, tzinfo=UTC), "Europe/Berlin") == date(
        2026, 10, 25
    )


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        local_today(datetime(2026, 1, 1), "UTC")


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("Europe/Berlin", True),
        ("America/Argentina/Buenos_Aires", True),
        ("UTC", True),
        ("Mars/Olympus", False),
        ("", False),
        ("../../etc/passwd", False),
        ("/etc/localtime", False),
        ("Europe/Berlin\x00", False),
        ("x" * 100, False),
    ],
)
def test_zone_names_are_validated(name: str, ok: bool) -> None:
    assert (zone_or_none(name) is not None) is ok
