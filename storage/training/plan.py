"""A prescription worked out for one athlete: loads from their max, what "as prescribed" logs.

Works on any set target shaped like `storage.prescriptions.SetTarget` (reps, reps_max, amrap,
seconds, meters, kg, percent, bodyweight, rpe, rir), so this module depends on no storage layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, is_dataclass
from typing import Any, Protocol

from storage.training.loads import Load, WeightUnit, load_from_kg, load_from_percent
from storage.training.logparse import LoggedSet
from storage.training.rpe import rpe_from_rir, suggest_kg


class Target(Protocol):
    @property
    def reps(self) -> int | None: ...
    @property
    def reps_max(self) -> int | None: ...
    @property
    def amrap(self) -> bool: ...
    @property
    def seconds(self) -> int | None: ...
    @property
    def meters(self) -> int | None: ...
    @property
    def kg(self) -> float | None: ...
    @property
    def percent(self) -> float | None: ...
    @property
    def bodyweight(self) -> bool: ...
    @property
    def rpe(self) -> float | None: ...
    @property
    def rir(self) -> int | None: ...


@dataclass(frozen=True)
class WorkedSet:
    target: Any  # a Target
    load: Load | None  # what goes on the bar, in the team's unit and rounded; None: no load
    suggested: bool = False  # the load comes from the RPE chart, not from the coach
    needs_max: bool = False  # a % or RPE target and no max to work it out from

    @property
    def effort(self) -> float | None:
        """The target RPE (an RIR target read as 10 - RIR)."""
        if self.target.rpe is not None:
            return float(self.target.rpe)
        if self.target.rir is not None:
            return rpe_from_rir(self.target.rir)
        return None

    def as_logged(self) -> LoggedSet | None:
        """The set logged "as prescribed", or None when the athlete must say what they did
        (an open AMRAP, or a load nobody could work out)."""
        target = self.target
        if self.needs_max or (target.amrap and target.reps is None):
            return None
        kg = None if target.bodyweight or self.load is None else self.load.kg
        if target.seconds is not None:
            return LoggedSet(seconds=target.seconds, kg=kg)
        if target.meters is not None:
            return LoggedSet(meters=float(target.meters), kg=kg)
        if target.reps is None:
            return None
        return LoggedSet(reps=target.reps, kg=kg, rpe=self.effort)


def work_out_set(
    target: Target, *, max_kg: float | None, unit: WeightUnit | str, increment: float
) -> WorkedSet:
    if target.percent is not None:
        if max_kg is None:
            return WorkedSet(target, None, needs_max=True)
        load = load_from_percent(
            max_kg=max_kg, percent=target.percent, unit=unit, increment=increment
        )
        return WorkedSet(target, load)
    if target.kg is not None:
        return WorkedSet(target, load_from_kg(target.kg, unit=unit, increment=increment))
    if target.bodyweight:
        return WorkedSet(target, None)
    if target.rpe is not None or target.rir is not None:
        reps = target.reps
        if reps is None or target.seconds is not None or target.meters is not None:
            return WorkedSet(target, None)  # RPE on a timed set: the target alone
        if max_kg is None:
            return WorkedSet(target, None, needs_max=True)
        kg = suggest_kg(
            max_kg=max_kg,
            reps=reps,
            rpe=None if target.rpe is None else float(target.rpe),
            rir=None if target.rir is None else float(target.rir),
        )
        if kg is None:
            return WorkedSet(target, None)  # off the chart: the target alone
        return WorkedSet(target, load_from_kg(kg, unit=unit, increment=increment), suggested=True)
    return WorkedSet(target, None)


def work_out(
    targets: Sequence[Target], *, max_kg: float | None, unit: WeightUnit | str, increment: float
) -> list[WorkedSet]:
    return [
        work_out_set(target, max_kg=max_kg, unit=unit, increment=increment) for target in targets
    ]


def as_prescribed(worked: Sequence[WorkedSet]) -> list[LoggedSet] | None:
    """Every set as prescribed, or None if any set needs the athlete's own numbers."""
    logged = [item.as_logged() for item in worked]
    if not logged or any(item is None for item in logged):
        return None
    return [item for item in logged if item is not None]


def snapshot(
    worked: WorkedSet, *, tempo: str | None = None, rest_seconds: int | None = None
) -> dict[str, Any]:
    """What a set log keeps of its prescription (a later program edit can't rewrite it)."""
    target = worked.target
    raw = asdict(target) if is_dataclass(target) and not isinstance(target, type) else {}
    return {
        "target": {key: value for key, value in raw.items() if value not in (None, False)},
        "kg": None if worked.load is None else round(worked.load.kg, 3),
        "suggested": worked.suggested,
        "tempo": tempo,
        "rest_seconds": rest_seconds,
    }
