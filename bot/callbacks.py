"""Callback data: one definition per button kind owns both its format and its handler pattern.

Data is `prefix:field:field...`, always within Telegram's 64 bytes (ids are 11 characters).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64
SEPARATOR = ":"
REGISTRY: dict[str, CallbackKind] = {}


class BadCallback(ValueError):
    """Data that no button of ours could have produced (forged, or from an old version)."""


@dataclass(frozen=True)
class CallbackKind:
    prefix: str
    fields: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.prefix in REGISTRY:
            raise ValueError(f"callback prefix {self.prefix!r} defined twice")
        REGISTRY[self.prefix] = self

    @property
    def pattern(self) -> re.Pattern[str]:
        tail = "".join(rf"{SEPARATOR}[^{SEPARATOR}]*" for _ in self.fields)
        return re.compile(rf"^{re.escape(self.prefix)}{tail}$")

    def pack(self, *values: object) -> str:
        if len(values) != len(self.fields):
            raise ValueError(f"{self.prefix} takes {self.fields}, got {values!r}")
        parts = [self.prefix, *(str(value) for value in values)]
        if any(SEPARATOR in part for part in parts[1:]):
            raise ValueError(f"{SEPARATOR!r} inside callback field: {values!r}")
        data = SEPARATOR.join(parts)
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data

    def unpack(self, data: str | None) -> dict[str, str]:
        if data is None or not self.pattern.match(data):
            raise BadCallback(data)
        values = data.split(SEPARATOR)[1:]
        return dict(zip(self.fields, values, strict=True))

    def int_field(self, data: str | None, name: str, *, minimum: int = 0) -> int:
        raw = self.unpack(data)[name]
        if not raw.isdigit() or int(raw) < minimum or len(raw) > 7:
            raise BadCallback(data)
        return int(raw)


# Onboarding and menus
MENU = CallbackKind("menu", ("item",))

# Roster and athlete card
ROSTER = CallbackKind("rs", ("status", "offset", "query"))
ATHLETE_CARD = CallbackKind("ac", ("athlete",))
ATHLETE_EDIT_MENU = CallbackKind("ae", ("athlete",))
ATHLETE_EDIT_FIELD = CallbackKind("aef", ("athlete", "field"))
ATHLETE_EDIT_GENDER = CallbackKind("aeg", ("athlete", "gender"))
ATHLETE_STATUS_MENU = CallbackKind("as", ("athlete",))
ATHLETE_SET_STATUS = CallbackKind("ass", ("athlete", "status"))
ATHLETE_UNLINK = CallbackKind("au", ("athlete",))
ATHLETE_UNLINK_CONFIRM = CallbackKind("auy", ("athlete",))

# /addathlete form
ADD_GENDER = CallbackKind("adg", ("gender",))
ADD_SAVE = CallbackKind("ads")
ADD_EDIT = CallbackKind("ade")
ADD_EDIT_FIELD = CallbackKind("adf", ("field",))
ADD_CANCEL = CallbackKind("adc")
ADD_OPEN_EXISTING = CallbackKind("ado", ("athlete",))

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

# Invitations (coach) and leaving a team (athlete)
INVITE = CallbackKind("iv", ("athlete",))
INVITE_REVOKE = CallbackKind("ivr", ("invitation",))
LEAVE_PICK = CallbackKind("lv", ("athlete",))
LEAVE_CONFIRM = CallbackKind("lvy", ("athlete",))
LEAVE_CANCEL = CallbackKind("lvn")
