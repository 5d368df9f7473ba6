"""Domain errors: each carries a message a coach or athlete can read and act on."""

from __future__ import annotations


class DomainError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The row does not exist, or belongs to another organization (the two look the same)."""


class Conflict(DomainError):
    """The change would break a rule the data must keep (duplicate, loop, already linked...)."""


class InvalidInput(DomainError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
