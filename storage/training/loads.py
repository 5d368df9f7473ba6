"""Loads: kilograms are what we store; the team's unit and rounding increment are for people.

A percentage of a 1RM becomes a load the athlete can put on the bar: worked out in the team's
unit, then rounded to the team's increment (2.5 kg or 5 lb plates-worth by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

KG_PER_LB = 0.45359237  # exact, by definition of the international pound
DEFAULT_INCREMENT = {"kg": 2.5, "lb": 5.0}


class WeightUnit(StrEnum):
    KG = "kg"
    LB = "lb"


def kg_to_lb(kg: float) -> float:
    return kg / KG_PER_LB


def lb_to_kg(lb: float) -> float:
    return lb * KG_PER_LB


def kg_to_unit(kg: float, unit: WeightUnit | str) -> float:
    return kg if WeightUnit(unit) is WeightUnit.KG else kg_to_lb(kg)


def unit_to_kg(value: float, unit: WeightUnit | str) -> float:
    return value if WeightUnit(unit) is WeightUnit.KG else lb_to_kg(value)


def round_to_increment(value: float, increment: float) -> float:
    """Nearest multiple of `increment`, halves up; Decimal so 102.5 doesn't come out 102.49999."""
    if increment <= 0:
        raise ValueError("increment must be positive")
    step = Decimal(str(increment))
    steps = (Decimal(repr(value)) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return float(steps * step)


@dataclass(frozen=True)
class Load:
    """A load as shown (`amount` in `unit`, already rounded) and as stored (`kg`)."""

    amount: float
    unit: WeightUnit
    kg: float


def load_from_kg(kg: float, *, unit: WeightUnit | str, increment: float) -> Load:
    unit = WeightUnit(unit)
    amount = round_to_increment(kg_to_unit(kg, unit), increment)
    return Load(amount=amount, unit=unit, kg=unit_to_kg(amount, unit))


def load_from_percent(
    *, max_kg: float, percent: float, unit: WeightUnit | str, increment: float
) -> Load:
    """`percent` of a 1RM given in kg (80 means 80 %), rounded to the team's increment."""
    if max_kg <= 0 or percent <= 0:
        raise ValueError("max and percent must be positive")
    return load_from_kg(max_kg * percent / 100, unit=unit, increment=increment)


def format_amount(amount: float) -> str:
    """102.5 -> '102.5', 100.0 -> '100', 0.125 -> '0.13' (never scientific notation)."""
    text = f"{amount:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def format_load(load: Load) -> str:
    return f"{format_amount(load.amount)} {load.unit.value}"


def format_kg(kg: float, *, unit: WeightUnit | str, increment: float | None = None) -> str:
    """A stored kg value in the team's unit; logged loads are shown to 0.1, not re-rounded."""
    unit = WeightUnit(unit)
    amount = kg_to_unit(kg, unit)
    # Logged loads are shown to 0.1, not re-rounded to the increment.
    amount = round_to_increment(amount, increment) if increment is not None else round(amount, 1)
    return f"{format_amount(amount)} {unit.value}"
