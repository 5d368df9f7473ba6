"""RPE/RIR targets to a suggested load, from Mike Tuchscherer's RPE chart.

Source: M. Tuchscherer, "The Reactive Training Manual" (Reactive Training Systems, 2008), the RTS
RPE chart, as reproduced by RTS and most RPE calculators: % of 1RM for 1-12 reps at RPE 6.5-10.
The chart is diagonal: a set of r reps at RPE x is the same % as r + 0.5 reps at RPE x + 0.5... in
other words, it depends only on reps + reps in reserve. RIR n is read as RPE 10 - n.
"""

from __future__ import annotations

# % of 1RM, keyed by RPE; the list index is reps - 1 (1..12 reps).
RTS_CHART: dict[float, tuple[float, ...]] = {
    10.0: (100.0, 95.5, 92.2, 89.2, 86.3, 83.7, 81.1, 78.6, 76.2, 73.9, 70.7, 68.0),
    9.5: (97.8, 93.9, 90.7, 87.8, 85.0, 82.4, 79.9, 77.4, 75.1, 72.3, 69.4, 66.7),
    9.0: (95.5, 92.2, 89.2, 86.3, 83.7, 81.1, 78.6, 76.2, 73.9, 70.7, 68.0, 65.3),
    8.5: (93.9, 90.7, 87.8, 85.0, 82.4, 79.9, 77.4, 75.1, 72.3, 69.4, 66.7, 64.0),
    8.0: (92.2, 89.2, 86.3, 83.7, 81.1, 78.6, 76.2, 73.9, 70.7, 68.0, 65.3, 62.6),
    7.5: (90.7, 87.8, 85.0, 82.4, 79.9, 77.4, 75.1, 72.3, 69.4, 66.7, 64.0, 61.3),
    7.0: (89.2, 86.3, 83.7, 81.1, 78.6, 76.2, 73.9, 70.7, 68.0, 65.3, 62.6, 59.9),
    6.5: (87.8, 85.0, 82.4, 79.9, 77.4, 75.1, 72.3, 69.4, 66.7, 64.0, 61.3, 58.6),
}
CHART_MAX_REPS = 12
CHART_MIN_RPE = 6.5


def rpe_from_rir(rir: float) -> float:
    return 10.0 - rir


def percent_for(*, reps: int, rpe: float) -> float | None:
    """% of 1RM for `reps` at `rpe`, or None when the chart doesn't cover it (no guessing)."""
    row = RTS_CHART.get(float(rpe))
    if row is None or not 1 <= reps <= CHART_MAX_REPS:
        return None
    return row[reps - 1]


def suggest_kg(
    *, max_kg: float, reps: int, rpe: float | None = None, rir: float | None = None
) -> float | None:
    """The unrounded load in kg for a target RPE (or RIR) from a 1RM; None off the chart."""
    if rpe is None and rir is None:
        return None
    target = rpe if rpe is not None else rpe_from_rir(rir or 0.0)
    percent = percent_for(reps=reps, rpe=target)
    if percent is None or max_kg <= 0:
        return None
    return max_kg * percent / 100
