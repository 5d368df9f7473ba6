from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.training.records import (
    Bests,
    LiftedSet,
    RecordKind,
    estimate_e1rm,
    find_records,
)


def test_epley_from_one_to_ten_reps() -> None:
    assert estimate_e1rm(100, 5) == pytest.approx(116.667, abs=1e-3)
    assert estimate_e1rm(100, 10) == pytest.approx(133.333, abs=1e-3)
    assert estimate_e1rm(140, 1) == 140  # a single is the max itself
    assert estimate_e1rm(100, 11) is None  # above ten reps the estimate isn't used
    assert estimate_e1rm(100, 0) is None
    assert estimate_e1rm(None, 5) is None
    assert estimate_e1rm(0, 5) is None


@given(kg=st.floats(min_value=1, max_value=600), reps=st.integers(min_value=1, max_value=9))
def test_e1rm_grows_with_reps_and_is_at_least_the_load(kg: float, reps: int) -> None:
    low, high = estimate_e1rm(kg, reps), estimate_e1rm(kg, reps + 1)
    assert low is not None and high is not None
    assert kg <= low < high


def test_new_best_e1rm_is_one_record_for_the_best_set() -> None:
    records = find_records(
        Bests(e1rm=120.0, kg_by_reps={5: 100.0}),
        [LiftedSet(100, 5), LiftedSet(105, 5), LiftedSet(105, 4)],
    )
    kinds = [(r.kind, r.kg, r.reps) for r in records]
    # 105x5 (e1RM 122.5) beats 120; it is also the heaviest five, announced once.
    assert kinds == [(RecordKind.E1RM, 105, 5)]
    assert records[0].previous == 120.0


def test_heavier_weight_for_same_reps_without_an_e1rm_record() -> None:
    records = find_records(
        Bests(e1rm=150.0, kg_by_reps={8: 90.0, 5: 110.0}),
        [LiftedSet(92.5, 8), LiftedSet(105, 5)],
    )
    assert [(r.kind, r.kg, r.reps, r.previous) for r in records] == [
        (RecordKind.REPS, 92.5, 8, 90.0)
    ]


def test_nothing_to_beat_is_no_record_and_ties_are_not_records() -> None:
    assert find_records(Bests(), [LiftedSet(100, 5)]) == []
    assert find_records(Bests(e1rm=116.6666667, kg_by_reps={5: 100}), [LiftedSet(100, 5)]) == []


def test_sets_without_load_or_reps_are_ignored() -> None:
    assert (
        find_records(Bests(e1rm=10, kg_by_reps={5: 1}), [LiftedSet(None, 5), LiftedSet(50, None)])
        == []
    )


def test_reps_above_ten_can_be_a_weight_record_but_not_an_e1rm_one() -> None:
    records = find_records(Bests(e1rm=50, kg_by_reps={12: 40}), [LiftedSet(45, 12)])
    assert [(r.kind, r.e1rm) for r in records] == [(RecordKind.REPS, None)]


@given(
    best=st.floats(min_value=1, max_value=500),
    sets=st.lists(
        st.builds(
            LiftedSet,
            st.one_of(st.none(), st.floats(min_value=0, max_value=600)),
            st.one_of(st.none(), st.integers(min_value=0, max_value=30)),
        ),
        max_size=10,
    ),
)
def test_every_e1rm_record_beats_the_previous_best(best: float, sets: list[LiftedSet]) -> None:
    records = find_records(Bests(e1rm=best, kg_by_reps={}), sets)
    assert all(r.kind is RecordKind.E1RM for r in records)
    assert len(records) <= 1
    for record in records:
        assert record.e1rm is not None and record.e1rm > best
