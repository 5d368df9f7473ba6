"""Athletes: the /addathlete form, the roster and the card, and the athlete's /me and /leave."""

from __future__ import annotations

from datetime import date, datetime
from html import escape

from bot.callbacks import RosterView
from bot.core.texts import format_time, page_of
from storage import validation
from storage.models import (
    Athlete,
    AthleteGender,
    AthleteStatus,
)
from storage.queries.athletes import AthleteCard, RosterEntry
from storage.validation import AmbiguousDate, format_phone

# What a line of the roster or a namesake notice is drawn from: an athlete record, or the roster's
# own row (storage.queries.athletes.read_roster).
Listed = Athlete | RosterEntry

ADD_WHAT = "adding an athlete"

ASK_NAME = (
    "➕ <b>New athlete</b> (step 1 of 6)\n\nWhat's the athlete's <b>full name</b>?\n"
    "<i>Send /cancel at any step to stop without saving.</i>"
)

ASK_EMAIL = "Step 2 of 6: their <b>email</b> address?\n<i>Or /skip.</i>"

ASK_PHONE = (
    "Step 3 of 6: their <b>phone</b> number?\n"
    "<i>With the country code, e.g. +1 415 555 0123. Or /skip.</i>"
)

ASK_BIRTHDATE = (
    "Step 4 of 6: their <b>birthdate</b>?\n<i>YYYY-MM-DD, DD.MM.YYYY or DD/MM/YYYY. Or /skip.</i>"
)

ASK_GENDER = "Step 5 of 6: their <b>gender</b>?\n<i>Tap one, or /skip.</i>"

ASK_NOTES = (
    "Step 6 of 6: any <b>notes</b>? Injuries, goals, training history...\n"
    "<i>Up to 2000 characters. Or /skip.</i>"
)

NAME_REQUIRED = "The name is required, so it can't be skipped. Send the athlete's full name."

FORM_CLOSED = "That form is closed. Start a new one with /addathlete."

USE_GENDER_BUTTONS = "Please use the buttons above, or send /skip to leave it out, or /cancel."


def email_taken(name: str) -> str:
    return (
        f"ℹ️ <b>{escape(name)}</b> already has this email in your team.\n"
        "Open that athlete instead, send a different email, or /skip."
    )


def email_taken_on_edit(name: str) -> str:
    return (
        f"ℹ️ <b>{escape(name)}</b> already has this email in your team.\n"
        "Send a different email, /skip to clear it, or /cancel to keep it as it was."
    )


SAVED = "Saved ✅"


def date_in_words(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def ambiguous_date(typed: str, value: AmbiguousDate) -> str:
    # Plain text: it goes through field_error, which escapes it.
    day_first, month_first = value.day_first, value.month_first
    return (
        f"{typed} could be {date_in_words(day_first)} or {date_in_words(month_first)}. "
        f"Send it year first to be sure: {day_first.isoformat()} or {month_first.isoformat()}."
    )


def born_on(birthdate: date, today: date) -> str:
    """The date in words, so 03/04 can't be misread: "3 April 2001 (25 years)"."""
    return f"{date_in_words(birthdate)} ({age_on(birthdate, today)} years)"


def birthdate_read_back(birthdate: date, today: date) -> str:
    return f"🗓 Born <b>{born_on(birthdate, today)}</b>."


def athlete_saved(name: str) -> str:
    return f"✅ <b>{escape(name)}</b> is on your roster."


GENDER_LABELS = {
    AthleteGender.FEMALE: "Female",
    AthleteGender.MALE: "Male",
    AthleteGender.NON_BINARY: "Non-binary",
    AthleteGender.UNDISCLOSED: "Prefer not to say",
}

STATUS_LABELS = {
    AthleteStatus.ACTIVE: "Active",
    AthleteStatus.INACTIVE: "Inactive",
    AthleteStatus.ARCHIVED: "Archived",
}

STATUS_ICONS = {
    AthleteStatus.ACTIVE: "🟢",
    AthleteStatus.INACTIVE: "⚪",
    AthleteStatus.ARCHIVED: "🗄",
}

FIELD_LABELS = {
    "name": "Name",
    "email": "Email",
    "phone": "Phone",
    "birthdate": "Birthdate",
    "gender": "Gender",
    "notes": "Notes",
}


# What a message shows of a user's text, in UTF-16 units (as Telegram counts): with the stored
# limits every card fits in one message by construction, rows saved under older rules too.
NAME_SHOWN = 2 * validation.NAME_MAX
_clip = validation.clip_utf16


def _phone(value: str | None) -> str:
    return _value(format_phone(value) if value else None)


def _value(value: str | None) -> str:
    return escape(value) if value else "<i>not given</i>"


def age_on(birthdate: date, today: date) -> int:
    before_birthday = (today.month, today.day) < (birthdate.month, birthdate.day)
    return today.year - birthdate.year - before_birthday


def draft_summary(draft: dict[str, str | None], today: date) -> str:
    birthdate = draft.get("birthdate")
    born = "<i>not given</i>"
    if birthdate:
        born = born_on(date.fromisoformat(birthdate), today)
    gender = draft.get("gender")
    return (
        "📋 <b>Check the new athlete</b>\n\n"
        f"<b>Name:</b> {_value(draft.get('name'))}\n"
        f"<b>Email:</b> {_value(draft.get('email'))}\n"
        f"<b>Phone:</b> {_phone(draft.get('phone'))}\n"
        f"<b>Birthdate:</b> {born}\n"
        f"<b>Gender:</b> {GENDER_LABELS[AthleteGender(gender)] if gender else '<i>not given</i>'}\n"
        f"<b>Notes:</b> {_value(draft.get('notes'))}\n\n"
        "Save this athlete?"
    )


# Roster views (bot.callbacks.RosterView) and their button labels, in button order.
ROSTER_VIEW_LABELS: dict[RosterView, str] = {
    "cur": "Current",
    "all": "All",
    "active": "Active",
    "inactive": "Inactive",
    "archived": "Archived",
}
ROSTER_HEADS = {
    "cur": "👥 <b>Your athletes</b> (active and inactive)",
    "all": "👥 <b>All your athletes</b> (archived too)",
    **{s.value: f"👥 <b>Your {label.lower()} athletes</b>" for s, label in STATUS_LABELS.items()},
}


def roster(
    *,
    total: int,
    offset: int,
    shown: int,
    limit: int,
    view: str,
    counts: dict[AthleteStatus, int],
    query: str | None,
) -> str:
    head = ROSTER_HEADS.get(view, ROSTER_HEADS["all"])
    if query:
        head += f" matching “{escape(query)}”"
    summary = " · ".join(f"{STATUS_LABELS[s]} {counts[s]}" for s in AthleteStatus)
    if total == 0:
        empty = (
            "No athletes match. Try another name, or /athletes to see everyone."
            if query
            else "No athletes here yet. Add one with /addathlete."
            if view in ("cur", "all")
            else "No athletes with this status."
        )
        return f"{head}\n{summary}\n\n{empty}"
    return (
        f"{head}\n{summary}\n\nShowing {offset + 1}-{offset + shown} of {total}, sorted by name."
        f"{page_of(offset, limit, total)} Tap an athlete to open their card."
    )


def athlete_detail(athlete: Listed) -> str:
    """What tells two athletes of the same name apart: email, else birth year, else phone."""
    if athlete.email:
        return athlete.email
    if athlete.birthdate:
        return f"born {athlete.birthdate.year}"
    if athlete.phone:
        return format_phone(athlete.phone)
    return f"added {athlete.created_at:%d %b %Y}"


def roster_button(athlete: Listed, *, detail: bool = False) -> str:
    linked = " 🔗" if athlete.linked_user_id else ""
    extra = f" · {athlete_detail(athlete)}" if detail else ""
    return f"{STATUS_ICONS[athlete.status]} {athlete.name}{extra}{linked}"


def namesakes_exist(name: str, others: list[Athlete]) -> str:
    listed = ", ".join(escape(athlete_detail(athlete)) for athlete in others[:3])
    return (
        f"ℹ️ Your team already has <b>{escape(name)}</b> ({listed}). Carry on to add another "
        "athlete of that name, or open the one you have."
    )


def athlete_card(
    athlete: Athlete | AthleteCard,
    *,
    today: date,
    telegram: str | None,
    invitation_expires: datetime | None,
) -> str:
    born = "<i>not given</i>"
    if athlete.birthdate:
        born = born_on(athlete.birthdate, today)
    gender = GENDER_LABELS[athlete.gender] if athlete.gender else "<i>not given</i>"
    link = f"linked to {escape(telegram)}" if telegram else "<i>not linked</i>"
    notes = _clip(athlete.notes, validation.NOTES_MAX) if athlete.notes else None
    lines = [
        f"👤 <b>{escape(_clip(athlete.name, NAME_SHOWN))}</b> · {STATUS_ICONS[athlete.status]} "
        f"{STATUS_LABELS[athlete.status]}",
        "",
        f"<b>Email:</b> {_value(athlete.email)}",
        f"<b>Phone:</b> {_phone(athlete.phone)}",
        f"<b>Birthdate:</b> {born}",
        f"<b>Gender:</b> {gender}",
        f"<b>Notes:</b> {_value(notes)}",
        f"<b>Telegram:</b> {link}",
    ]
    if invitation_expires is not None:
        lines.append(f"<b>Invitation:</b> pending, expires {format_time(invitation_expires)}")
    return "\n".join(lines)


def ask_new_value(field: str, athlete_name: str, optional: bool) -> str:
    hints = {
        "name": "",
        "email": " e.g. name@example.com.",
        "phone": " With the country code, e.g. +1 415 555 0123.",
        "birthdate": " As YYYY-MM-DD, DD.MM.YYYY or DD/MM/YYYY.",
        "notes": " Up to 2000 characters.",
        "gender": "",
    }
    options = (
        "Send /skip to clear it, or /cancel to keep it as it is."
        if optional
        else "Send /cancel to keep it as it is."
    )
    return (
        f"✏️ New <b>{FIELD_LABELS[field].lower()}</b> for {escape(athlete_name)}?{hints[field]}\n"
        f"<i>{options}</i>"
    )


EDIT_WHAT = "editing an athlete"


def field_updated(field: str) -> str:
    return f"✅ {FIELD_LABELS[field]} updated."


def pick_status(name: str) -> str:
    return f"Set the status of <b>{escape(name)}</b>:"


def status_set(name: str, status: AthleteStatus) -> str:
    # A button-press toast: plain text, so the name is not escaped.
    return f"{name} is now {STATUS_LABELS[status].lower()}."


def confirm_unlink(name: str) -> str:
    return (
        f"Unlink the Telegram account of <b>{escape(name)}</b>?\n"
        "They'll stop seeing their profile here until you invite them again."
    )


UNLINKED = "Telegram account unlinked."

NOT_LINKED = "This athlete has no Telegram account linked."

ALREADY_THAT_STATUS = "That's already the status."

NOTHING_TO_LEAVE = "You're not connected to any team, so there's nothing to leave."

PICK_TEAM_TO_LEAVE = "Which team do you want to leave?"

LEAVE_CANCELLED = "OK, nothing changed: you're still on your team."


def my_profiles(profiles: list[tuple[Athlete, str, str]], today: date) -> str:
    """(athlete, team name, coach names already escaped) per team."""
    lines = ["👤 <b>Your profile</b>" + (" in each team" if len(profiles) > 1 else "")]
    for athlete, team, coaches in profiles:
        born = "<i>not given</i>"
        if athlete.birthdate:
            born = born_on(athlete.birthdate, today)
        gender = GENDER_LABELS[athlete.gender] if athlete.gender else "<i>not given</i>"
        lines += [
            "",
            f"🏋️ <b>{escape(team)}</b> · coach: {coaches}",
            f"<b>Name:</b> {escape(athlete.name)}",
            f"<b>Status:</b> {STATUS_ICONS[athlete.status]} {STATUS_LABELS[athlete.status]}",
            f"<b>Email:</b> {_value(athlete.email)}",
            f"<b>Phone:</b> {_phone(athlete.phone)}",
            f"<b>Birthdate:</b> {born}",
            f"<b>Gender:</b> {gender}",
        ]
    lines += ["", "<i>Something wrong? Ask your coach to correct it. /leave to leave a team.</i>"]
    return "\n".join(lines)


def confirm_leave(team: str, coaches: str) -> str:
    return (
        f"Leave <b>{escape(team)}</b>?\n"
        f"Your Telegram account will be disconnected from your profile there, and {coaches} "
        "will be told. Your coach can invite you again later."
    )


def left_team(team: str) -> str:
    return f"👋 You've left <b>{escape(team)}</b>. Your coach has been told."


def athlete_left(name: str, team: str) -> str:
    return (
        f"👋 <b>{escape(name)}</b> left <b>{escape(team)}</b>: their Telegram account is no "
        "longer connected. Invite them again from their card if that was a mistake."
    )
