from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.training.loads import (
    Load,
    WeightUnit,
    format_amount,
    format_kg,
    format_load,
    kg_to_lb,
    lb_to_kg,
    load_from_kg,
    load_from_percent,
    round_to_increment,
)
from storage.training.rpe import RTS_CHART, percent_for, rpe_from_rir, suggest_kg


def test_percent_of_max_rounds_to_the_team_increment() -> None:
    assert load_from_percent(max_kg=140, percent=80, unit="kg", increment=2.5) == Load(
        112.5, WeightUnit.KG, 112.5
    )
    # 72.5 % of 140 = 101.5 -> 102.5 (nearest 2.5)
    assert load_from_percent(max_kg=140, percent=72.5, unit="kg", increment=2.5).amount == 102.5


def test_pounds_are_worked_out_in_pounds_and_stored_in_kg() -> None:
    # 100 kg max = 220.46 lb; 80 % = 176.4 lb -> 175 lb (5 lb increment)
    load = load_from_percent(max_kg=100, percent=80, unit="lb", increment=5)
    assert load.amount == 175 and load.unit is WeightUnit.LB
    assert load.kg == pytest.approx(79.3786, abs=1e-3)
    assert format_load(load) == "175 lb"


def test_rounding_is_exact_for_plate_steps() -> None:
    assert round_to_increment(101.25, 2.5) == 102.5  # half goes up
    assert round_to_increment(101.24, 2.5) == 100.0
    assert round_to_increment(0.1 + 0.2, 0.1) == pytest.approx(0.3)
    assert round_to_increment(47.3, 1.25) == 47.5
    with pytest.raises(ValueError):
        round_to_increment(10, 0)


def test_unit_conversion_round_trips() -> None:
    assert kg_to_lb(1) == pytest.approx(2.20462, abs=1e-5)
    assert lb_to_kg(225) == pytest.approx(102.058, abs=1e-3)


@given(st.floats(min_value=0.0, max_value=2000, allow_nan=False))
def test_kg_lb_round_trip_property(kg: float) -> None:
    assert lb_to_kg(kg_to_lb(kg)) == pytest.approx(kg, abs=1e-9)


@given(
    max_kg=st.floats(min_value=1, max_value=500),
    percent=st.floats(min_value=1, max_value=120),
    unit=st.sampled_from(list(WeightUnit)),
    increment=st.sampled_from([0.5, 1.0, 1.25, 2.5, 5.0, 10.0]),
)
def test_rounded_load_is_a_multiple_within_half_an_increment(
    max_kg: float, percent: float, unit: WeightUnit, increment: float
) -> None:
    load = load_from_percent(max_kg=max_kg, percent=percent, unit=unit, increment=increment)
    exact = max_kg * percent / 100 * (1 if unit is WeightUnit.KG else 1 / 0.45359237)
    steps = load.amount / increment
    assert math.isclose(steps, round(steps), abs_tol=1e-9)
    assert abs(load.amount - exact) <= increment / 2 + 1e-9


def test_formatting() -> None:
    assert format_amount(100.0) == "100"
    assert format_amount(102.5) == "102.5"
    assert format_amount(1e-7) == "0"
    assert format_kg(102.05828325, unit="lb") == "225 lb"
    assert format_kg(100, unit="kg") == "100 kg"
    assert format_load(load_from_kg(61.2, unit="kg", increment=2.5)) == "60 kg"


def test_rts_chart_is_diagonal() -> None:
    # The chart depends only on reps + reps in reserve: r reps @ x == r+1 reps @ x+1.
    for rpe, row in RTS_CHART.items():
        for reps in range(1, 12):
            if rpe + 1 in RTS_CHART:
                assert RTS_CHART[rpe + 1][reps] == row[reps - 1]
    assert RTS_CHART[10.0][0] == 100.0


def test_chart_lookups() -> None:
    assert percent_for(reps=5, rpe=8) == 81.1
    assert percent_for(reps=3, rpe=9.5) == 90.7
    assert percent_for(reps=13, rpe=8) is None  # off the chart: no guess
    assert percent_for(reps=5, rpe=6) is None
    assert percent_for(reps=5, rpe=7.25) is None
    assert rpe_from_rir(2) == 8
    assert suggest_kg(max_kg=200, reps=5, rpe=8) == pytest.approx(162.2)
    assert suggest_kg(max_kg=200, reps=5, rir=2) == pytest.approx(162.2)
    assert suggest_kg(max_kg=200, reps=5) is None
