"""Athletes: the /addathlete form, the roster and the card, and the athlete's /me and /leave."""

from __future__ import annotations

from datetime import date, datetime
from html import escape

from bot.core.texts import format_time
from storage.models import (
    Athlete,
    AthleteGender,
    AthleteStatus,
)
from storage.validation import AmbiguousDate

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


def email_taken(name: str) -> str:
    return (
        f"ℹ️ <b>{escape(name)}</b> already has this email in your team.\n"
        "Open that athlete instead, send a different email, or /skip."
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


def _value(value: str | None) -> str:
    return escape(value) if value else "<i>not given</i>"


def age_on(birthdate: date, today: date) -> int:
    before_birthday = (today.month, today.day) < (birthdate.month, birthdate.day)
    return today.year - birthdate.year - before_birthday


def draft_summary(draft: dict[str, str | None], today: date) -> str:
    birthdate = draft.get("birthdate")
    born = "<i>not given</i>"
    if birthdate:
        parsed = date.fromisoformat(birthdate)
        born = f"{parsed.isoformat()} ({age_on(parsed, today)} years)"
    gender = draft.get("gender")
    return (
        "📋 <b>Check the new athlete</b>\n\n"
        f"<b>Name:</b> {_value(draft.get('name'))}\n"
        f"<b>Email:</b> {_value(draft.get('email'))}\n"
        f"<b>Phone:</b> {_value(draft.get('phone'))}\n"
        f"<b>Birthdate:</b> {born}\n"
        f"<b>Gender:</b> {GENDER_LABELS[AthleteGender(gender)] if gender else '<i>not given</i>'}\n"
        f"<b>Notes:</b> {_value(draft.get('notes'))}\n\n"
        "Save this athlete?"
    )


def roster(
    *,
    total: int,
    offset: int,
    shown: int,
    status: AthleteStatus | None,
    counts: dict[AthleteStatus, int],
    query: str | None,
) -> str:
    scope = STATUS_LABELS[status].lower() + " " if status else ""
    head = f"👥 <b>Your {scope}athletes</b>"
    if query:
        head += f" matching “{escape(query)}”"
    summary = " · ".join(f"{STATUS_LABELS[s]} {counts[s]}" for s in AthleteStatus)
    if total == 0:
        empty = (
            "No athletes match. Try another name, or /athletes to see everyone."
            if query
            else "No athletes here yet. Add one with /addathlete."
        )
        return f"{head}\n{summary}\n\n{empty}"
    return (
        f"{head}\n{summary}\n\nShowing {offset + 1}-{offset + shown} of {total}, sorted by name. "
        "Tap an athlete to open their card."
    )


def roster_button(athlete: Athlete) -> str:
    linked = " 🔗" if athlete.linked_user_id else ""
    return f"{STATUS_ICONS[athlete.status]} {athlete.name}{linked}"


def athlete_card(
    athlete: Athlete,
    *,
    today: date,
    telegram: str | None,
    invitation_expires: datetime | None,
) -> str:
    born = "<i>not given</i>"
    if athlete.birthdate:
        born = f"{athlete.birthdate.isoformat()} ({age_on(athlete.birthdate, today)} years)"
    gender = GENDER_LABELS[athlete.gender] if athlete.gender else "<i>not given</i>"
    link = f"linked to {escape(telegram)}" if telegram else "<i>not linked</i>"
    lines = [
        f"👤 <b>{escape(athlete.name)}</b> · {STATUS_ICONS[athlete.status]} "
        f"{STATUS_LABELS[athlete.status]}",
        "",
        f"<b>Email:</b> {_value(athlete.email)}",
        f"<b>Phone:</b> {_value(athlete.phone)}",
        f"<b>Birthdate:</b> {born}",
        f"<b>Gender:</b> {gender}",
        f"<b>Notes:</b> {_value(athlete.notes)}",
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
            born = f"{athlete.birthdate.isoformat()} ({age_on(athlete.birthdate, today)} years)"
        gender = GENDER_LABELS[athlete.gender] if athlete.gender else "<i>not given</i>"
        lines += [
            "",
            f"🏋️ <b>{escape(team)}</b> · coach: {coaches}",
            f"<b>Name:</b> {escape(athlete.name)}",
            f"<b>Status:</b> {STATUS_ICONS[athlete.status]} {STATUS_LABELS[athlete.status]}",
            f"<b>Email:</b> {_value(athlete.email)}",
            f"<b>Phone:</b> {_value(athlete.phone)}",
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
