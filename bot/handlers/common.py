"""What most handlers need first: who is calling (see bot.core.actions; prefer its decorators)."""

from __future__ import annotations

from bot.core.actions import (
    Caller,
    audiences_of,
    library_organization_id,
    load_caller,
    load_coach,
    today,
)

__all__ = [
    "Caller",
    "audiences_of",
    "library_organization_id",
    "load_caller",
    "load_coach",
    "today",
]
