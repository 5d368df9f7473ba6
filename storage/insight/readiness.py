"""The readiness check: four questions answered 1-5, where 5 is always the good end.

Modelled on common wellness questionnaires (sleep quality, muscle soreness, stress, energy;
e.g. McLean et al. 2010). A low total, or any answer at the worst end, is flagged to the coach.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

LOW_TOTAL = 10  # of 20: on average below "so-so" on every question


class Question(StrEnum):
    SLEEP = "sleep"
    SORENESS = "soreness"
    STRESS = "stress"
    ENERGY = "energy"


QUESTIONS: tuple[Question, ...] = (
    Question.SLEEP,
    Question.SORENESS,
    Question.STRESS,
    Question.ENERGY,
)
SCALE = range(1, 6)


@dataclass(frozen=True)
class Readiness:
    sleep: int
    soreness: int
    stress: int
    energy: int

    def __post_init__(self) -> None:
        for question in QUESTIONS:
            if getattr(self, question.value) not in SCALE:
                raise ValueError(f"{question.value} must be 1-5")

    @property
    def total(self) -> int:
        return self.sleep + self.soreness + self.stress + self.energy

    @property
    def low(self) -> bool:
        return is_low(self.total, min(self.sleep, self.soreness, self.stress, self.energy))


def is_low(total: int, worst: int = 5) -> bool:
    return total <= LOW_TOTAL or worst <= 1


def next_question(answered: dict[str, int]) -> Question | None:
    """The first question not answered yet, or None when all four are."""
    for question in QUESTIONS:
        if question.value not in answered:
            return question
    return None
