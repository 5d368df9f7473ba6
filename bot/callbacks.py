"""Every button kind of the bot's features: format, pattern and typed fields in one definition.

Kinds are `bot.core.callbacks.CallbackData` subclasses (typed); a new feature may declare its kinds
in its own package instead: the registry catches a prefix used twice wherever it is declared.
Data is `prefix:field:field...`, always within Telegram's 64 bytes (ids are 11 characters).
"""

from __future__ import annotations

from typing import Annotated, Literal

from bot.core.callbacks import (
    REGISTRY,
    BadCallback,
    CallbackData,
    CallbackKind,
    NoneAs,
    family_pattern,
)
from storage.models import AthleteGender, AthleteStatus

__all__ = ["REGISTRY", "BadCallback", "CallbackData", "CallbackKind", "family_pattern"]

AthleteField = Literal["name", "email", "phone", "birthdate", "gender", "notes"]


# Onboarding and menus
class Menu(CallbackData, prefix="menu"):
    item: Literal["athletes", "athletes_back", "addathlete", "exercises", "newexercise"]


# Roster and athlete card
class RosterPage(CallbackData, prefix="rs"):
    status: Annotated[AthleteStatus | None, NoneAs("all")]
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


class InviteRevoke(CallbackData, prefix="ivr"):
    invitation: str


# Exercise library: browsing (where Back goes is kept in user_data, see handlers.exercises)
EX_REGION = CallbackKind("xr", ("region",))
EX_PATTERNS = CallbackKind("xq")
EX_MUSCLE = CallbackKind("xu", ("muscle", "offset"))
EX_PATTERN = CallbackKind("xp", ("pattern", "offset"))
EX_OURS = CallbackKind("xo", ("archived", "offset"))
EX_SEARCH = CallbackKind("xs", ("offset",))
EX_CARD = CallbackKind("xc", ("exercise",))
EX_BACK = CallbackKind("xb")

# Exercise card: coach actions
EX_EDIT_MENU = CallbackKind("xe", ("exercise",))
EX_EDIT_TEXT = CallbackKind("xet", ("exercise", "field"))
EX_EDIT_CHOICE = CallbackKind("xec", ("exercise", "field"))
EX_SET_PATTERN = CallbackKind("xsp", ("exercise", "pattern"))
EX_SET_EQUIPMENT = CallbackKind("xsq", ("exercise", "equipment"))
EX_TOGGLE_MUSCLE = CallbackKind("xtm", ("exercise", "role", "muscle"))
EX_MUSCLES_DONE = CallbackKind("xtd", ("exercise", "role"))
EX_ARCHIVE = CallbackKind("xa", ("exercise", "archived"))
EX_COPY = CallbackKind("xcp", ("exercise",))
EX_LINK_START = CallbackKind("xl", ("exercise", "direction"))
EX_LINK_PICK = CallbackKind("xlp", ("exercise", "related", "direction"))
EX_UNLINK_MENU = CallbackKind("xd", ("exercise",))
EX_UNLINK = CallbackKind("xdx", ("exercise", "related"))

# /newexercise form
NEW_PATTERN = CallbackKind("nxp", ("pattern",))
NEW_TOGGLE_MUSCLE = CallbackKind("nxm", ("role", "muscle"))
NEW_MUSCLES_DONE = CallbackKind("nxd", ("role",))
NEW_EQUIPMENT = CallbackKind("nxq", ("equipment",))
NEW_SAVE = CallbackKind("nxs")
NEW_EDIT = CallbackKind("nxe")
NEW_EDIT_FIELD = CallbackKind("nxf", ("field",))
NEW_CANCEL = CallbackKind("nxc")


# Leaving a team (athlete)
class LeavePick(CallbackData, prefix="lv"):
    athlete: str


class LeaveConfirm(CallbackData, prefix="lvy"):
    athlete: str


class LeaveCancel(CallbackData, prefix="lvn"):
    pass
