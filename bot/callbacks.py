"""Every button kind of the bot's features: format, pattern and typed fields in one definition.

Kinds are `bot.core.callbacks.CallbackData` subclasses (typed); a new feature may declare its kinds
in its own package instead: the registry catches a prefix used twice wherever it is declared.
Data is `prefix:field:field...`, always within Telegram's 64 bytes (ids are 11 characters).
"""

from __future__ import annotations

from typing import Literal

from bot.core.callbacks import (
    REGISTRY,
    BadCallback,
    CallbackData,
    CallbackKind,
    family_pattern,
)
from storage.models import (
    AthleteGender,
    AthleteStatus,
    BodyRegion,
    Equipment,
    MovementPattern,
    ProgressionDirection,
)

__all__ = ["REGISTRY", "BadCallback", "CallbackData", "CallbackKind", "family_pattern"]

AthleteField = Literal["name", "email", "phone", "birthdate", "gender", "notes"]
# Roster views: "cur" (active and inactive, the default), "all", or one status.
RosterView = Literal["cur", "all", "active", "inactive", "archived"]


# Onboarding and menus
class Menu(CallbackData, prefix="menu"):
    item: Literal["athletes", "athletes_back", "addathlete", "exercises", "newexercise"]


# Roster and athlete card
class RosterPage(CallbackData, prefix="rs"):
    view: RosterView
    offset: int
    query: bool


class AthleteCard(CallbackData, prefix="ac"):
    athlete: str


class AthleteEditMenu(CallbackData, prefix="ae"):
    athlete: str


class AthleteEditField(CallbackData, prefix="aef"):
    athlete: str
    field: AthleteField


class AthleteEditGender(CallbackData, prefix="aeg"):
    athlete: str
    gender: AthleteGender


class AthleteStatusMenu(CallbackData, prefix="as"):
    athlete: str


class AthleteSetStatus(CallbackData, prefix="ass"):
    athlete: str
    status: AthleteStatus


class AthleteUnlink(CallbackData, prefix="au"):
    athlete: str


class AthleteUnlinkConfirm(CallbackData, prefix="auy"):
    athlete: str


# /addathlete form
class AddGender(CallbackData, prefix="adg"):
    gender: AthleteGender


class AddSave(CallbackData, prefix="ads"):
    pass


class AddEdit(CallbackData, prefix="ade"):
    pass


class AddEditField(CallbackData, prefix="adf"):
    field: AthleteField


class AddCancel(CallbackData, prefix="adc"):
    pass


class AddOpenExisting(CallbackData, prefix="ado"):
    athlete: str


# Invitations (coach)
class Invite(CallbackData, prefix="iv"):
    athlete: str


class InviteArchived(CallbackData, prefix="iva"):
    """ "Yes, invite" for an archived athlete."""

    athlete: str


class InviteRevoke(CallbackData, prefix="ivr"):
    invitation: str


# Exercise library: browsing (where Back goes is kept in user_data, see bot.exercises.browse)
MuscleRole = Literal["primary", "secondary"]
ExerciseField = Literal["name", "pattern", "primary", "secondary", "equipment", "instructions"]


class ExRegion(CallbackData, prefix="xr"):
    region: BodyRegion


class ExPatterns(CallbackData, prefix="xq"):
    pass


class ExMuscle(CallbackData, prefix="xu"):
    muscle: str
    offset: int


class ExPattern(CallbackData, prefix="xp"):
    movement: MovementPattern
    offset: int


class ExOurs(CallbackData, prefix="xo"):
    archived: bool
    offset: int


class ExSearch(CallbackData, prefix="xs"):
    offset: int


class ExCard(CallbackData, prefix="xc"):
    exercise: str


class ExBack(CallbackData, prefix="xb"):
    pass


# Exercise card: coach actions
class ExEditMenu(CallbackData, prefix="xe"):
    exercise: str


class ExEditText(CallbackData, prefix="xet"):
    exercise: str
    field: Literal["name", "instructions"]


class ExEditChoice(CallbackData, prefix="xec"):
    exercise: str
    field: Literal["pattern", "equipment", "primary", "secondary"]


class ExSetPattern(CallbackData, prefix="xsp"):
    exercise: str
    movement: MovementPattern


class ExSetEquipment(CallbackData, prefix="xsq"):
    exercise: str
    equipment: Equipment


class ExToggleMuscle(CallbackData, prefix="xtm"):
    exercise: str
    role: MuscleRole
    muscle: str


class ExMusclesDone(CallbackData, prefix="xtd"):
    exercise: str
    role: MuscleRole


class ExArchive(CallbackData, prefix="xa"):
    exercise: str
    archived: bool


class ExCopy(CallbackData, prefix="xcp"):
    exercise: str


class ExLinkStart(CallbackData, prefix="xl"):
    exercise: str
    direction: ProgressionDirection


class ExLinkPick(CallbackData, prefix="xlp"):
    exercise: str
    related: str
    direction: ProgressionDirection


class ExUnlinkMenu(CallbackData, prefix="xd"):
    exercise: str


class ExUnlink(CallbackData, prefix="xdx"):
    exercise: str
    related: str


# /newexercise form
class NewPattern(CallbackData, prefix="nxp"):
    movement: MovementPattern


class NewToggleMuscle(CallbackData, prefix="nxm"):
    role: MuscleRole
    muscle: str


class NewMusclesDone(CallbackData, prefix="nxd"):
    role: MuscleRole


class NewEquipment(CallbackData, prefix="nxq"):
    equipment: Equipment


class NewSave(CallbackData, prefix="nxs"):
    pass


class NewEdit(CallbackData, prefix="nxe"):
    pass


class NewEditField(CallbackData, prefix="nxf"):
    field: ExerciseField


class NewCancel(CallbackData, prefix="nxc"):
    pass


# Leaving a team (athlete)
class LeavePick(CallbackData, prefix="lv"):
    athlete: str


class LeaveConfirm(CallbackData, prefix="lvy"):
    athlete: str


class LeaveCancel(CallbackData, prefix="lvn"):
    pass
