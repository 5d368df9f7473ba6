"""A page of a list: what every paged screen (roster, exercise lists) needs to draw itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

ItemT = TypeVar("ItemT")


@dataclass(frozen=True)
class Page(Generic[ItemT]):
    items: list[ItemT]
    total: int
    offset: int
    limit: int

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def has_next(self) -> bool:
        return self.offset + self.limit < self.total


def clamp_offset(offset: int, *, total: int, limit: int) -> int:
    """A stale offset past the end (rows removed meanwhile) shows the last page instead."""
    last_page = ((total - 1) // limit) * limit if total else 0
    return max(0, min(offset, last_page))
