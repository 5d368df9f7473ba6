"""Input models (non-table): building one validates what will be written."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError, ValidationInfo, field_validator, model_validator
from sqlmodel import SQLModel

from storage import validation
from storage.errors import ErrorCode, FieldError, InvalidInput, Subject
from storage.models.base import utcnow
from storage.models.enums import AthleteGender, AthleteStatus, Equipment, MovementPattern

ModelT = TypeVar("ModelT", bound=BaseModel)


def build_input(model: type[ModelT], today: date | None = None, /, **data: Any) -> ModelT:
    """Validate `data` into `model`, turning the first problem into an InvalidInput.

    `today` is the caller's date (the bot's injected clock), for the rules that depend on it.
    """
    try:
        return model.model_validate(data, context={"today": today})
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "input"
        cause = first.get("ctx", {}).get("error")
        if isinstance(cause, FieldError):
            raise InvalidInput.from_field_error(field, cause) from None
        raise InvalidInput(field, ErrorCode.INPUT_INVALID, detail=first["msg"]) from None


def _today(info: ValidationInfo) -> date:
    given = (info.context or {}).get("today")
    return given if isinstance(given, date) else utcnow().date()


def _checked_birthdate(value: date | None, info: ValidationInfo) -> date | None:
    return None if value is None else validation.check_birthdate(value, today=_today(info))


class AthleteFields(SQLModel):
    name: str
    email: str | None = None
    phone: str | None = None
    birthdate: date | None = None
    gender: AthleteGender | None = None
    notes: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return validation.clean_person_name(value)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return None if value is None else validation.clean_email(value)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        # The bot normalises with the team's default region first; here only E.164 passes.
        return None if value is None else validation.clean_phone(value)

    @field_validator("birthdate")
    @classmethod
    def _birthdate(cls, value: date | None, info: ValidationInfo) -> date | None:
        return _checked_birthdate(value, info)

    @field_validator("notes")
    @classmethod
    def _notes(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return validation.clean_long_text(value, subject=Subject.NOTES, limit=validation.NOTES_MAX)


class AthleteCreate(AthleteFields):
    pass


class AthleteUpdate(SQLModel):
    """Partial update: only the fields given are changed; None clears an optional field."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    birthdate: date | None = None
    gender: AthleteGender | None = None
    notes: str | None = None
    status: AthleteStatus | None = None

    _name = field_validator("name")(
        lambda cls, v: None if v is None else validation.clean_person_name(v)
    )
    _email = field_validator("email")(
        lambda cls, v: None if v is None else validation.clean_email(v)
    )
    _phone = field_validator("phone")(
        lambda cls, v: None if v is None else validation.clean_phone(v)
    )
    _birthdate = field_validator("birthdate")(lambda cls, v, info: _checked_birthdate(v, info))
    _notes = field_validator("notes")(
        lambda cls, v: (
            None
            if v is None
            else validation.clean_long_text(v, subject=Subject.NOTES, limit=validation.NOTES_MAX)
        )
    )

    @model_validator(mode="after")
    def _name_not_cleared(self) -> AthleteUpdate:
        if "name" in self.model_fields_set and self.name is None:
            raise FieldError(ErrorCode.NAME_CLEARED)
        return self


class ExerciseCreate(SQLModel):
    name: str
    movement_pattern: MovementPattern
    equipment: Equipment
    primary_muscles: list[str]
    secondary_muscles: list[str] = []
    aliases: list[str] = []
    instructions: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return validation.clean_title(
            value, subject=Subject.EXERCISE_NAME, limit=validation.NAME_MAX
        )

    @field_validator("instructions")
    @classmethod
    def _instructions(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return validation.clean_long_text(
            value, subject=Subject.INSTRUCTIONS, limit=validation.INSTRUCTIONS_MAX
        )

    @field_validator("aliases")
    @classmethod
    def _aliases(cls, value: list[str]) -> list[str]:
        cleaned = [validation.collapse_spaces(alias) for alias in value]
        return list(dict.fromkeys(alias for alias in cleaned if alias))

    @model_validator(mode="after")
    def _muscles(self) -> ExerciseCreate:
        if not self.primary_muscles:
            raise FieldError(ErrorCode.NO_PRIMARY_MUSCLE)
        if set(self.primary_muscles) & set(self.secondary_muscles):
            raise FieldError(ErrorCode.MUSCLE_PRIMARY_AND_SECONDARY)
        return self


class ExerciseUpdate(SQLModel):
    name: str | None = None
    movement_pattern: MovementPattern | None = None
    equipment: Equipment | None = None
    primary_muscles: list[str] | None = None
    secondary_muscles: list[str] | None = None
    instructions: str | None = None

    _name = field_validator("name")(
        lambda cls, v: (
            None
            if v is None
            else validation.clean_title(v, subject=Subject.EXERCISE_NAME, limit=validation.NAME_MAX)
        )
    )
    _instructions = field_validator("instructions")(
        lambda cls, v: (
            None
            if v is None
            else validation.clean_long_text(
                v, subject=Subject.INSTRUCTIONS, limit=validation.INSTRUCTIONS_MAX
            )
        )
    )

    @model_validator(mode="after")
    def _primary_not_empty(self) -> ExerciseUpdate:
        if self.primary_muscles is not None and not self.primary_muscles:
            raise FieldError(ErrorCode.NO_PRIMARY_MUSCLE)
        return self
