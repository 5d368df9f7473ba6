"""Compliance and who needs the coach's attention.

Compliance over N days = planned sessions done / planned sessions, counting the N days that
end today. Today's session counts only once it is done: it isn't missed before the day ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

LOW_COMPLIANCE = 0.8
QUIET_DAYS = 5

Slot = tuple[date, str]  # (day, program session id)


@dataclass(frozen=True)
class Compliance:
    done: int
    planned: int

    @property
    def ratio(self) -> float | None:
        return self.done / self.planned if self.planned else None

    @property
    def percent(self) -> int | None:
        ratio = self.ratio
        return None if ratio is None else round(ratio * 100)


def measure_compliance(
    *, planned: Iterable[Slot], done: Iterable[Slot], today: date, days: int
) -> Compliance:
    first = today - timedelta(days=days - 1)
    done_set = {slot for slot in done if first <= slot[0] <= today}
    counted = {
        slot
        for slot in planned
        if first <= slot[0] < today or (slot[0] == today and slot in done_set)
    }
    return Compliance(done=len(counted & done_set), planned=len(counted))


class Flag(StrEnum):
    LOW_COMPLIANCE = "low_compliance"
    QUIET = "quiet"  # nothing logged for QUIET_DAYS days or more
    LOW_READINESS = "low_readiness"


@dataclass(frozen=True)
class AthleteStatus:
    athlete_id: str
    name: str
    week: Compliance
    month: Compliance
    last_session: date | None
    program_start: date | None
    prs_this_week: int = 0
    low_readiness: bool = False
    flags: tuple[Flag, ...] = field(default=())


def flags_for(
    *,
    week: Compliance,
    last_session: date | None,
    program_start: date | None,
    low_readiness: bool,
    today: date,
) -> tuple[Flag, ...]:
    flags: list[Flag] = []
    ratio = week.ratio
    if ratio is not None and ratio < LOW_COMPLIANCE:
        flags.append(Flag.LOW_COMPLIANCE)
    # Quiet since the last session, or since the program started if nothing was ever logged.
    since = last_session or program_start
    if since is not None and (today - since).days >= QUIET_DAYS:
        flags.append(Flag.QUIET)
    if low_readiness:
        flags.append(Flag.LOW_READINESS)
    return tuple(flags)


def with_flags(status: AthleteStatus, *, today: date) -> AthleteStatus:
    flags = flags_for(
        week=status.week,
        last_session=status.last_session,
        program_start=status.program_start,
        low_readiness=status.low_readiness,
        today=today,
    )
    return AthleteStatus(
        athlete_id=status.athlete_id,
        name=status.name,
        week=status.week,
        month=status.month,
        last_session=status.last_session,
        program_start=status.program_start,
        prs_this_week=status.prs_this_week,
        low_readiness=status.low_readiness,
        flags=flags,
    )


def rank_by_attention(statuses: Sequence[AthleteStatus]) -> list[AthleteStatus]:
    """Who needs attention first: more flags, then lower compliance, then quieter, then name."""

    def key(status: AthleteStatus) -> tuple[int, float, date, str]:
        ratio = status.week.ratio
        return (
            -len(status.flags),
            ratio if ratio is not None else 2.0,
            status.last_session or date.min,
            status.name.casefold(),
        )

    return sorted(statuses, key=key)
