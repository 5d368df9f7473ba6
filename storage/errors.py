"""Domain errors: each carries a code and the data needed to word it; `bot/` words it.

Storage never holds a sentence a person reads (see `bot/core/texts.py`, `error_text`).
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    # athletes and invitations
    ATHLETE_ID_TAKEN = "athlete_id_taken"
    ATHLETE_NOT_FOUND = "athlete_not_found"
    EMAIL_TAKEN = "email_taken"
    ATHLETE_LINKED_ELSEWHERE = "athlete_linked_elsewhere"
    ACCOUNT_ALREADY_ATHLETE = "account_already_athlete"
    INVITATION_NOT_FOUND = "invitation_not_found"
    ATHLETE_ALREADY_LINKED = "athlete_already_linked"
    # exercises and progressions
    MUSCLE_GROUP_NOT_FOUND = "muscle_group_not_found"
    EXERCISE_NOT_FOUND = "exercise_not_found"
    CURATED_READ_ONLY = "curated_read_only"
    UNKNOWN_MUSCLES = "unknown_muscles"  # names
    EXERCISE_NAME_TAKEN = "exercise_name_taken"  # name
    LINK_TO_ITSELF = "link_to_itself"
    LINK_EXISTS = "link_exists"  # name, direction
    LINK_EXISTS_OTHER_WAY = "link_exists_other_way"  # name, direction
    LINK_LOOP = "link_loop"  # easier, harder
    LINK_NOT_FOUND = "link_not_found"
    LINK_CURATED = "link_curated"
    # field rules (storage/validation.py, storage/schemas.py)
    NAME_EMPTY = "name_empty"
    NAME_TOO_LONG = "name_too_long"  # length, emoji, limit
    NAME_NO_LETTER = "name_no_letter"
    TITLE_EMPTY = "title_empty"  # subject
    TITLE_TOO_LONG = "title_too_long"  # subject, length, emoji, limit
    TITLE_NO_LETTER = "title_no_letter"  # subject
    EMAIL_INVALID = "email_invalid"  # reason (the email library's own sentence)
    PHONE_UNREADABLE = "phone_unreadable"
    PHONE_INVALID = "phone_invalid"
    DATE_UNREADABLE = "date_unreadable"
    BIRTHDATE_FUTURE = "birthdate_future"
    BIRTHDATE_TOO_OLD = "birthdate_too_old"  # years
    TEXT_EMPTY = "text_empty"  # subject
    TEXT_TOO_LONG = "text_too_long"  # subject, length, emoji, limit
    NAME_CLEARED = "name_cleared"
    NO_PRIMARY_MUSCLE = "no_primary_muscle"
    MUSCLE_PRIMARY_AND_SECONDARY = "muscle_primary_and_secondary"
    INPUT_INVALID = "input_invalid"  # detail: pydantic's own description (wrong type, not a choice)


class Subject(StrEnum):
    """Which titled or free-text field a rule was checked for (bot/ names it and gives examples)."""

    TEAM_NAME = "team_name"
    EXERCISE_NAME = "exercise_name"
    PROGRAM_NAME = "program_name"
    NOTES = "notes"
    INSTRUCTIONS = "instructions"
    DESCRIPTION = "description"


class FieldError(ValueError):
    """A typed value broke a field rule: `code` says which, `params` hold what the wording needs."""

    def __init__(self, code: ErrorCode, **params: object) -> None:
        super().__init__(code.value)
        self.code = code
        self.params = params


class DomainError(Exception):
    """`code` is an ErrorCode, or a feature's own code string (storage/queries/programs.py)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class NotFound(DomainError):
    """The row does not exist, or belongs to another organization (the two look the same)."""


class Conflict(DomainError):
    """The change would break a rule the data must keep (duplicate, loop, already linked...)."""


class EmailTaken(Conflict):
    """Another athlete of the same team already has this email (adding and editing alike)."""

    def __init__(self, athlete_id: str, athlete_name: str) -> None:
        super().__init__(ErrorCode.EMAIL_TAKEN)
        self.athlete_id = athlete_id
        self.athlete_name = athlete_name


class InvalidInput(DomainError):
    def __init__(self, field: str, code: str, **params: object) -> None:
        super().__init__(code, **params)
        self.field = field

    @classmethod
    def from_field_error(cls, field: str, error: FieldError) -> InvalidInput:
        return cls(field, error.code, **error.params)
