"""A set log's prescription snapshot (see storage.training.plan.snapshot) as a short text."""

from __future__ import annotations

from typing import Any


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def describe_prescribed(snapshot: dict[str, Any] | None) -> str | None:
    """{"target": {"reps": 5, "percent": 80}, "kg": 100} -> "5 reps @ 80% (100 kg)"."""
    if not snapshot:
        return None
    target: dict[str, Any] = snapshot.get("target") or {}
    parts: list[str] = []
    reps, reps_max = target.get("reps"), target.get("reps_max")
    if reps is not None:
        amount = f"{reps}-{reps_max}" if reps_max else str(reps)
        parts.append(f"{amount}{'+' if target.get('amrap') else ''} reps")
    elif target.get("amrap"):
        parts.append("AMRAP")
    if target.get("seconds") is not None:
        parts.append(f"{target['seconds']} s")
    if target.get("meters") is not None:
        parts.append(f"{target['meters']} m")
    loads: list[str] = []
    if target.get("percent") is not None:
        loads.append(f"{_number(target['percent'])}%")
    if target.get("bodyweight"):
        loads.append("bodyweight")
    kg = snapshot.get("kg")
    if kg is not None:
        worked = f"{_number(kg)} kg{' suggested' if snapshot.get('suggested') else ''}"
        loads.append(f"({worked})" if loads else worked)
    elif target.get("kg") is not None:
        loads.append(f"{_number(target['kg'])} kg")
    if loads:
        at = "@ " + " ".join(loads)
        if parts:
            parts[-1] = f"{parts[-1]} {at}"
        else:
            parts.append(at)
    if target.get("rpe") is not None:
        parts.append(f"RPE {_number(target['rpe'])}")
    if target.get("rir") is not None:
        parts.append(f"{target['rir']} RIR")
    if snapshot.get("tempo"):
        parts.append(f"tempo {snapshot['tempo']}")
    if snapshot.get("rest_seconds"):
        parts.append(f"rest {snapshot['rest_seconds']} s")
    return ", ".join(parts) or None
