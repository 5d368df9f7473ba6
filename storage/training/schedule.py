"""Which program session falls on which date, and what "today" is for a team.

Week 1 of an assignment is the Monday-to-Sunday week that holds its start date; a session of week w
on weekday d (1 = Monday) falls on that week's Monday + 7 (w - 1) + (d - 1) days. Sessions of week 1
placed before the start date's weekday are not scheduled (the athlete hadn't started yet).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Generic, Protocol, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class Slot(Protocol):
    """What scheduling needs of a program session."""

    @property
    def week(self) -> int: ...
    @property
    def weekday(self) -> int: ...
    @property
    def position(self) -> int: ...


SlotT = TypeVar("SlotT", bound=Slot)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_dates(day: date) -> list[date]:
    """Monday to Sunday of the week holding `day`."""
    monday = monday_of(day)
    return [monday + timedelta(days=offset) for offset in range(7)]


def program_end(start_date: date, weeks: int) -> date:
    """The last day of the program (the Sunday of its last week)."""
    return monday_of(start_date) + timedelta(days=7 * weeks - 1)


def session_date(start_date: date, week: int, weekday: int) -> date:
    return monday_of(start_date) + timedelta(days=7 * (week - 1) + weekday - 1)


def program_week(start_date: date, day: date) -> int:
    """The program week `day` falls in (1-based; 0 or less before the start)."""
    return (monday_of(day) - monday_of(start_date)).days // 7 + 1


def sessions_on(
    day: date,
    *,
    start_date: date,
    weeks: int,
    sessions: Iterable[SlotT],
    ended_on: date | None = None,
) -> list[SlotT]:
    """The sessions scheduled on `day` (usually none or one), in their order."""
    if day < start_date or day > program_end(start_date, weeks):
        return []
    if ended_on is not None and day > ended_on:
        return []
    week = program_week(start_date, day)
    weekday = day.isoweekday()
    found = [s for s in sessions if s.week == week and s.weekday == weekday]
    return sorted(found, key=lambda s: s.position)


@dataclass(frozen=True)
class Dated(Generic[SlotT]):
    day: date
    slot: SlotT


def schedule(
    *, start_date: date, weeks: int, sessions: Iterable[SlotT], ended_on: date | None = None
) -> list[Dated[SlotT]]:
    """Every scheduled session with its date, in order (dates before start are dropped)."""
    dated = [
        Dated(session_date(start_date, s.week, s.weekday), s)
        for s in sessions
        if 1 <= s.week <= weeks and 1 <= s.weekday <= 7
    ]
    kept = [d for d in dated if d.day >= start_date and (ended_on is None or d.day <= ended_on)]
    return sorted(kept, key=lambda d: (d.day, d.slot.position))


def next_session(
    after: date,
    *,
    start_date: date,
    weeks: int,
    sessions: Sequence[SlotT],
    ended_on: date | None = None,
) -> Dated[SlotT] | None:
    """The first session strictly after `after`, or None when the program is over."""
    for dated in schedule(start_date=start_date, weeks=weeks, sessions=sessions, ended_on=ended_on):
        if dated.day > after:
            return dated
    return None


def zone_or_none(name: str) -> ZoneInfo | None:
    """The IANA zone called `name` ("Europe/Berlin"), or None if there is no such zone."""
    name = name.strip()
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def local_today(now: datetime, timezone: str) -> date:
    """The date on the team's wall clock at the instant `now` (aware); unknown zones read as UTC."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    zone = zone_or_none(timezone) or UTC
    return now.astimezone(zone).date()
