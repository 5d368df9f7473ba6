"""e1RM (Epley) and personal records.

Epley: e1RM = kg * (1 + reps / 30), from sets of 1-10 reps only: estimates drift apart and
overshoot beyond about ten reps. A single is not estimated: the weight lifted once is the 1RM
(Epley would add 3.3 % to it, so a tested 140 would show as 144.7).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

E1RM_MAX_REPS = 10
# Equal within a gram: floats from unit conversion must not make "the same" look heavier.
_EPSILON = 1e-3


def estimate_e1rm(kg: float | None, reps: int | None) -> float | None:
    if kg is None or reps is None or kg <= 0 or not 1 <= reps <= E1RM_MAX_REPS:
        return None
    if reps == 1:
        return float(kg)
    return kg * (1 + reps / 30)


class RecordKind(StrEnum):
    E1RM = "e1rm"  # a new best estimated 1RM
    REPS = "reps"  # a heavier weight than ever for this number of reps


@dataclass(frozen=True)
class LiftedSet:
    kg: float | None
    reps: int | None


@dataclass(frozen=True)
class PersonalRecord:
    kind: RecordKind
    kg: float
    reps: int
    e1rm: float | None
    previous: float  # the best it beat (e1RM in kg, or the heaviest kg for these reps)


@dataclass(frozen=True)
class Bests:
    """What an athlete had done on one exercise before the new sets."""

    e1rm: float | None = None  # best of logged e1RMs and the max on record
    kg_by_reps: Mapping[int, float] | None = None


def find_records(bests: Bests, new_sets: Iterable[LiftedSet]) -> list[PersonalRecord]:
    """PRs among `new_sets`: at most one e1RM record (the best set) and one per rep count.

    Nothing to beat is not a record: a first log sets the baseline and tells nobody.
    """
    records: list[PersonalRecord] = []
    best_set: tuple[float, LiftedSet] | None = None
    heaviest: dict[int, LiftedSet] = {}
    for lifted in new_sets:
        if lifted.kg is None or lifted.reps is None or lifted.kg <= 0 or lifted.reps < 1:
            continue
        e1rm = estimate_e1rm(lifted.kg, lifted.reps)
        if e1rm is not None and (best_set is None or e1rm > best_set[0] + _EPSILON):
            best_set = (e1rm, lifted)
        current = heaviest.get(lifted.reps)
        if current is None or lifted.kg > (current.kg or 0) + _EPSILON:
            heaviest[lifted.reps] = lifted
    if best_set is not None and bests.e1rm is not None and best_set[0] > bests.e1rm + _EPSILON:
        e1rm, lifted = best_set
        assert lifted.kg is not None and lifted.reps is not None
        records.append(
            PersonalRecord(RecordKind.E1RM, lifted.kg, lifted.reps, e1rm, previous=bests.e1rm)
        )
    previous_by_reps = bests.kg_by_reps or {}
    for reps in sorted(heaviest):
        lifted = heaviest[reps]
        before = previous_by_reps.get(reps)
        assert lifted.kg is not None
        same_as_e1rm = bool(records) and (records[0].kg, records[0].reps) == (lifted.kg, reps)
        if before is not None and lifted.kg > before + _EPSILON and not same_as_e1rm:
            # (A set that already made the e1RM record isn't announced twice.)
            records.append(
                PersonalRecord(
                    RecordKind.REPS,
                    lifted.kg,
                    reps,
                    estimate_e1rm(lifted.kg, reps),
                    previous=before,
                )
            )
    return records
