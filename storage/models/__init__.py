"""Every table, imported here so that SQLModel.metadata is complete for Alembic."""

from storage.models.athletes import Athlete
from storage.models.bot_state import ChatData, ConversationState, UserData
from storage.models.enums import (
    AthleteGender,
    AthleteStatus,
    BodyRegion,
    Equipment,
    MembershipRole,
    MovementPattern,
    ProgressionDirection,
)
from storage.models.exercises import Exercise, ExerciseProgression
from storage.models.inbox import InboxUpdate
from storage.models.insight import NoticeKind, NotificationSetting, ReadinessCheck, RosterEvent
from storage.models.invitations import AthleteInvitation, DeepLinkFailure
from storage.models.memberships import Membership
from storage.models.muscles import ExerciseMuscle, MuscleGroup
from storage.models.organizations import Organization
from storage.models.outbox import OutboxMessage, OutboxState
from storage.models.programs import Assignment, Program, ProgramEntry, ProgramSession
from storage.models.training import Max, MaxSource, SetLog, TrainingSession
from storage.models.users import User

__all__ = [
    "Assignment",
    "Athlete",
    "AthleteGender",
    "AthleteInvitation",
    "AthleteStatus",
    "BodyRegion",
    "ChatData",
    "ConversationState",
    "DeepLinkFailure",
    "Equipment",
    "Exercise",
    "ExerciseMuscle",
    "ExerciseProgression",
    "InboxUpdate",
    "Max",
    "MaxSource",
    "Membership",
    "MembershipRole",
    "MovementPattern",
    "MuscleGroup",
    "NoticeKind",
    "NotificationSetting",
    "Organization",
    "OutboxMessage",
    "OutboxState",
    "Program",
    "ProgramEntry",
    "ProgramSession",
    "ProgressionDirection",
    "ReadinessCheck",
    "RosterEvent",
    "SetLog",
    "TrainingSession",
    "User",
    "UserData",
]
