"""A labelled set for exercise search: what a coach types, and what should come first.

An expectation is a curated slug, a tuple of acceptable slugs, or a `Predicate` for queries that
name a muscle, pattern or equipment rather than one exercise ("hamstring": any exercise with the
hamstrings as a primary mover will do). Used by tests/storage/test_search.py and bench/search.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from storage.search import SearchHit


@dataclass(frozen=True)
class Predicate:
    label: str
    muscle: str | None = None  # a primary muscle's display name
    pattern: str | None = None
    equipment: str | None = None

    def accepts(self, hit: SearchHit) -> bool:
        if self.muscle is not None and self.muscle not in hit.primary_muscles:
            return False
        if self.pattern is not None and hit.movement_pattern != self.pattern:
            return False
        return self.equipment is None or hit.equipment == self.equipment


Expected = str | tuple[str, ...] | Predicate


def works(muscle: str) -> Predicate:
    return Predicate(f"works {muscle}", muscle=muscle)


def pattern(name: str) -> Predicate:
    return Predicate(f"{name} pattern", pattern=name)


def uses(equipment: str) -> Predicate:
    return Predicate(f"uses {equipment}", equipment=equipment)


LABELLED: list[tuple[str, Expected]] = [
    # Abbreviations, in both directions.
    ("rdl", "romanian-deadlift"),
    ("ohp", "overhead-press"),
    ("bss", "bulgarian-split-squat"),
    ("sldl", "stiff-leg-deadlift"),
    ("ghr", "glute-ham-raise"),
    ("db bench", "dumbbell-bench-press"),
    ("kb swing", "kettlebell-swing"),
    ("bb row", "barbell-row"),
    ("ez curl", "ez-bar-curl"),
    ("tgu", "turkish-get-up"),
    ("db rdl", "dumbbell-romanian-deadlift"),
    ("dumbbell rdl", "dumbbell-romanian-deadlift"),
    ("sl rdl", "single-leg-romanian-deadlift"),
    ("hspu", "handstand-push-up"),
    ("t2b", "toes-to-bar"),
    ("db row", "dumbbell-row"),
    ("kb goblet squat", "kettlebell-goblet-squat"),
    ("db ohp", "standing-dumbbell-overhead-press"),
    ("lpd", "lat-pulldown"),
    ("cgbp", "close-grip-bench-press"),
    ("hex bar dl", "trap-bar-deadlift"),
    ("kb clean", "kettlebell-clean"),
    ("db curl", "dumbbell-curl"),
    ("db lateral raise", "dumbbell-lateral-raise"),
    ("ssb squat", "safety-bar-squat"),
    ("rfess", "bulgarian-split-squat"),
    ("sl glute bridge", "single-leg-glute-bridge"),
    # Hyphens, spaces and closed-up compounds.
    ("chin-up", "chin-up"),
    ("chin up", "chin-up"),
    ("chinup", "chin-up"),
    ("pull up", "pull-up"),
    ("pullup", "pull-up"),
    ("pushup", "push-up"),
    ("push up", "push-up"),
    ("stepup", "step-up"),
    ("sit-up", "sit-up"),
    ("tbar row", "t-bar-row"),
    ("toes to bar", "toes-to-bar"),
    ("muscleup", "muscle-up"),
    ("deadbug", "dead-bug"),
    ("facepull", "face-pull"),
    ("incline pushup", "incline-push-up"),
    # Plurals.
    ("nordics", "nordic-hamstring-curl"),
    ("squats", "back-squat"),
    ("lunges", "forward-lunge"),
    ("pull ups", "pull-up"),
    ("push-ups", "push-up"),
    ("dips", "dip"),
    ("face pulls", "face-pull"),
    ("hip thrusts", "hip-thrust"),
    ("box jumps", "box-jump"),
    ("deadlifts", "deadlift"),
    ("good mornings", "good-morning"),
    ("kettlebell swings", "kettlebell-swing"),
    # Word order.
    ("press bench", "bench-press"),
    ("squat front", "front-squat"),
    ("deadlift romanian", "romanian-deadlift"),
    ("curl hammer", "hammer-curl"),
    ("split squat bulgarian", "bulgarian-split-squat"),
    ("thrust hip", "hip-thrust"),
    ("pulldown lat", "lat-pulldown"),
    # Misspellings.
    ("bech press", "bench-press"),
    ("deadlfit", "deadlift"),
    ("romainian deadlift", "romanian-deadlift"),
    ("bulgarain split squat", "bulgarian-split-squat"),
    ("squatt", "back-squat"),
    ("hip thurst", "hip-thrust"),
    ("lat pulldwon", "lat-pulldown"),
    ("overhed press", "overhead-press"),
    ("goblet sqaut", "goblet-squat"),
    ("kettlebel swing", "kettlebell-swing"),
    ("dumbell row", "dumbbell-row"),
    ("romanian dedlift", "romanian-deadlift"),
    ("front sqat", "front-squat"),
    ("benchpres", "bench-press"),
    ("pistol sqat", "pistol-squat"),
    ("copenhagan plank", "copenhagen-plank"),
    # Plain names, partial typing, case, accents, apostrophes.
    ("deadlift", "deadlift"),
    ("bench", "bench-press"),
    ("squat", "back-squat"),
    ("front squat", "front-squat"),
    ("bulg", "bulgarian-split-squat"),
    ("overhead pr", "overhead-press"),
    ("nordic ham", "nordic-hamstring-curl"),
    ("pallof", "pallof-press"),
    ("DEADLIFT", "deadlift"),
    ("Bénch Préss", "bench-press"),
    ("Farmer’s carry", "farmers-carry"),
    ("farmers walk", "farmers-carry"),
    ("prowler", "sled-push"),
    # Muscle, pattern and equipment words: any fitting exercise in the top three.
    ("hamstring", works("Hamstrings")),
    ("hamstrings", works("Hamstrings")),
    ("hamstrng", works("Hamstrings")),
    ("glutes", works("Glutes")),
    ("quads", works("Quadriceps")),
    ("lats", works("Latissimus Dorsi")),
    ("chest", works("Chest (Pectorals)")),
    ("biceps", works("Biceps")),
    ("calves", works("Calves")),
    ("obliques", works("Obliques")),
    ("hinge", pattern("hinge")),
    ("carry", pattern("carry")),
    ("pull", pattern("pull")),
    ("kettlebell", uses("kettlebell")),
    ("landmine", uses("landmine")),
]


def accepts(expected: Expected, hits: Sequence[SearchHit]) -> bool:
    """Whether the first of `hits` is what was expected (pass hits[:3] for top-3)."""
    if isinstance(expected, Predicate):
        return any(expected.accepts(hit) for hit in hits)
    slugs = (expected,) if isinstance(expected, str) else expected
    return any(hit.slug in slugs for hit in hits)


def describe(expected: Expected) -> str:
    return expected.label if isinstance(expected, Predicate) else str(expected)
