"""Who is due at this minute, on their own wall clock (zoneinfo; DST-safe).

A message set for a local time is due from that minute for `grace` minutes, on the local
date of that moment. Why a window rather than one exact minute: a minute with the bot down
(restart, deploy) or a minute skipped by a DST change (02:30 on a spring-forward night does
not exist) still gets its message, at the first tick that sees the window. A minute lived
twice (autumn) is caught by the idempotency key, which holds the local date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo

from storage.training.schedule import zone_or_none

MINUTES_A_DAY = 24 * 60


@dataclass(frozen=True)
class LocalClock:
    day: date
    minute: int  # minutes since local midnight, 0-1439


def local_clock(now: datetime, timezone: str) -> LocalClock:
    """The wall clock of `timezone` at the instant `now` (aware); unknown zones read as UTC."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    zone: tzinfo = zone_or_none(timezone) or UTC
    local = now.astimezone(zone)
    return LocalClock(day=local.date(), minute=local.hour * 60 + local.minute)


def minute_of(at: time) -> int:
    return at.hour * 60 + at.minute


def due_window(clock: LocalClock, *, grace: int) -> tuple[int, int]:
    """The set times (minutes of day, inclusive) that are due on `clock`'s minute.

    The window never reaches back over midnight: yesterday's late messages are not sent
    today.
    """
    return max(0, clock.minute - grace + 1), clock.minute


def is_due(clock: LocalClock, at_minute: int, *, grace: int) -> bool:
    low, high = due_window(clock, grace=grace)
    return low <= at_minute <= high
