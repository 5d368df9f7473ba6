"""Inline lookup: result titles and descriptions, and the buttons that open the bot."""

from __future__ import annotations

from bot.exercises.texts import PATTERN_LABELS, equipment_label
from storage.models import (
    MovementPattern,
)

INLINE_NO_MATCH = "No match: search or add it in Spotter"

INLINE_START = "Open Spotter to browse the full library"


def inline_title(name: str, *, curated: bool) -> str:
    """Plain text (Telegram shows result titles as typed)."""
    return name if curated else f"🏷 {name}"


def inline_description(pattern: MovementPattern, muscles: tuple[str, ...], equipment: str) -> str:
    parts = [PATTERN_LABELS[pattern], ", ".join(muscles), equipment_label(equipment)]
    return " · ".join(part for part in parts if part)
