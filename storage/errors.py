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


class EmailTaken(Conflict):
    """Another athlete of the same team already has this email (adding and editing alike)."""

    def __init__(self, athlete_id: str, athlete_name: str) -> None:
        super().__init__("Another athlete in your team already has that email.")
        self.athlete_id = athlete_id
        self.athlete_name = athlete_name


class InvalidInput(DomainError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
