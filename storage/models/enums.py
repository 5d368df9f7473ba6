"""Enumerations of the domain; their values are what the database stores."""

from __future__ import annotations

from enum import StrEnum


class MembershipRole(StrEnum):
    OWNER = "owner"
    COACH = "coach"


class AthleteGender(StrEnum):
    FEMALE = "female"
    MALE = "male"
    NON_BINARY = "non_binary"
    UNDISCLOSED = "undisclosed"


class AthleteStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    ARCHIVED = "archived"


class BodyRegion(StrEnum):
    UPPER = "upper"
    LOWER = "lower"
    CORE = "core"


class MovementPattern(StrEnum):
    PUSH = "push"
    PULL = "pull"
    HINGE = "hinge"
    SQUAT = "squat"
    CARRY = "carry"
    CORE = "core"


class ProgressionDirection(StrEnum):
    EASIER = "easier"
    HARDER = "harder"

    @property
    def opposite(self) -> ProgressionDirection:
        return ProgressionDirection.HARDER if self is ProgressionDirection.EASIER else self.EASIER


class Equipment(StrEnum):
    """Not a database enum: the list grows with the catalog without a migration."""

    BARBELL = "barbell"
    DUMBBELL = "dumbbell"
    KETTLEBELL = "kettlebell"
    BODYWEIGHT = "bodyweight"
    MACHINE = "machine"
    CABLE = "cable"
    BAND = "band"
    SLED = "sled"
    TRAP_BAR = "trap_bar"
    EZ_BAR = "ez_bar"
    MEDICINE_BALL = "medicine_ball"
    LANDMINE = "landmine"
    SUSPENSION = "suspension"
    OTHER = "other"
