"""The numbers behind progress charts, computed from logged sets (no plotting here).

- e1RM over time: per day, the best Epley estimate among that day's sets of one exercise
  (sets of 1-10 reps; see storage.training.records).
- Weekly volume: per Monday-to-Sunday week and movement pattern, the sum of reps x kg over
  every logged set (sets x reps x load); sets without a load or reps add nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from storage.training.records import estimate_e1rm


@dataclass(frozen=True)
class LoggedSet:
    day: date
    reps: int | None
    kg: float | None
    pattern: str | None = None  # movement pattern of the exercise (volume chart only)


@dataclass(frozen=True)
class Point:
    day: date
    value: float


@dataclass(frozen=True)
class WeeklyVolume:
    weeks: list[date]  # Mondays, oldest first, consecutive (empty weeks included)
    by_pattern: dict[str, list[float]]  # pattern -> kg per week, aligned with `weeks`

    def total(self, pattern: str) -> float:
        return sum(self.by_pattern.get(pattern, []))


def e1rm_series(sets: Iterable[LoggedSet]) -> list[Point]:
    """Best e1RM of each day with at least one estimable set, oldest first."""
    best: dict[date, float] = {}
    for logged in sets:
        e1rm = estimate_e1rm(logged.kg, logged.reps)
        if e1rm is not None and e1rm > best.get(logged.day, 0.0):
            best[logged.day] = e1rm
    return [Point(day, round(best[day], 1)) for day in sorted(best)]


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_volume(sets: Iterable[LoggedSet], *, weeks: int | None = None) -> WeeklyVolume:
    """Volume per week and pattern; `weeks` keeps only that many weeks up to the newest."""
    totals: dict[tuple[date, str], float] = {}
    for logged in sets:
        if not logged.reps or not logged.kg or logged.kg <= 0 or logged.reps <= 0:
            continue
        key = (monday_of(logged.day), logged.pattern or "other")
        totals[key] = totals.get(key, 0.0) + logged.reps * logged.kg
    if not totals:
        return WeeklyVolume(weeks=[], by_pattern={})
    first = min(monday for monday, _ in totals)
    last = max(monday for monday, _ in totals)
    if weeks is not None:
        first = max(first, last - timedelta(weeks=weeks - 1))
    mondays = [first + timedelta(weeks=index) for index in range((last - first).days // 7 + 1)]
    patterns = sorted({pattern for monday, pattern in totals if monday >= first})
    return WeeklyVolume(
        weeks=mondays,
        by_pattern={
            pattern: [round(totals.get((monday, pattern), 0.0), 1) for monday in mondays]
            for pattern in patterns
        },
    )
