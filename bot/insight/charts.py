"""Progress charts as PNG photos, drawn with matplotlib (Agg: no display, no pyplot state).

Sized for a phone: 1200 x 800 pixels, large type, thick lines, values in the team's unit.
Drawing takes a fraction of a second of CPU, so handlers run it in a worker thread.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from storage.insight.series import Point, WeeklyVolume
from storage.training.loads import kg_to_unit

WIDTH_IN, HEIGHT_IN, DPI = 7.5, 5.0, 160
COLOURS = {
    "squat": "#1f77b4",
    "hinge": "#d62728",
    "push": "#2ca02c",
    "pull": "#9467bd",
    "carry": "#8c564b",
    "core": "#ff7f0e",
    "other": "#7f7f7f",
}


def _figure() -> Any:
    # Imported here: matplotlib takes a while to import and only charts need it.
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    return figure


def _style(axes: Any, title: str, ylabel: str) -> None:
    axes.set_title(title, fontsize=17, fontweight="bold", loc="left")
    axes.set_ylabel(ylabel, fontsize=14)
    axes.tick_params(labelsize=12)
    axes.grid(axis="y", alpha=0.3)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def draw_e1rm_chart(points: Sequence[Point], *, title: str, unit: str) -> bytes:
    """Best e1RM per training day; the latest value is written at the end of the line."""
    figure = _figure()
    axes = figure.add_subplot()
    days = [point.day for point in points]
    values = [kg_to_unit(point.value, unit) for point in points]
    axes.plot(days, values, marker="o", linewidth=3, markersize=7, color=COLOURS["squat"])
    if points:
        axes.annotate(
            f"{values[-1]:.1f}".removesuffix(".0") + f" {unit}",
            (days[-1], values[-1]),
            textcoords="offset points",
            xytext=(0, 12),
            ha="right",
            fontsize=13,
            fontweight="bold",
        )
        low, high = min(values), max(values)
        margin = max(2.5, (high - low) * 0.15)
        axes.set_ylim(low - margin, high + margin)
    _style(axes, title, f"e1RM ({unit})")
    from matplotlib.dates import AutoDateLocator, DateFormatter

    axes.xaxis.set_major_locator(
        AutoDateLocator(minticks=3, maxticks={"DAILY": 8, "WEEKLY": 8, "MONTHLY": 8, "YEARLY": 8})
    )
    axes.xaxis.set_major_formatter(DateFormatter("%d %b"))
    figure.autofmt_xdate(rotation=30)
    return _png(figure)


def draw_volume_chart(volume: WeeklyVolume, *, title: str, unit: str) -> bytes:
    """Stacked bars: one bar a week, one colour per movement pattern (sets x reps x load)."""
    figure = _figure()
    axes = figure.add_subplot()
    labels = [monday.strftime("%d %b") for monday in volume.weeks]
    positions = list(range(len(labels)))
    bottom = [0.0] * len(labels)
    for pattern, weekly in volume.by_pattern.items():
        values = [kg_to_unit(value, unit) / 1000 for value in weekly]
        axes.bar(
            positions,
            values,
            bottom=bottom,
            label=pattern,
            color=COLOURS.get(pattern, COLOURS["other"]),
            width=0.7,
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set_xticks(positions, labels)
    if volume.by_pattern:
        # Beside the bars, never over them.
        axes.legend(fontsize=12, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    _style(axes, title, f"volume (thousand {unit})")
    figure.autofmt_xdate(rotation=30)
    return _png(figure)
