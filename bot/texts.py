"""Every user-facing string, in one place. User content is escaped here, nowhere else.

Messages are HTML (the Application's default parse mode).
"""

from __future__ import annotations

from datetime import date, datetime
from html import escape

from bot.commands import Audience, Command
from storage.models import Athlete, AthleteGender, AthleteStatus

# --- shared -----------------------------------------------------------------------------------

NOT_A_COACH = (
    "That's for coaches. Send /start to set up your team, or ask your coach for an invite link."
)
NOTHING_TO_CANCEL = "There's nothing to cancel. Send /help to see what I can do."
CANCELLED = "Cancelled. Nothing was saved."
BUTTON_EXPIRED = "That button has expired. Send /start for a fresh menu."
NOT_FOUND_ALERT = "Not found. It may have been removed, or it isn't in your team."
TEXT_PLEASE = "Please answer with a text message."
SKIP_HINT = "/skip"
ERROR_APOLOGY = (
    "Sorry, something went wrong on my side. Your saved data is safe; please try that again."
)


def mid_conversation_hint(what: str) -> str:
    return (
        f"You're in the middle of {what}. Answer the question above, or send /cancel to stop first."
    )


def field_error(message: str) -> str:
    return f"⚠️ {escape(message)}"


# --- onboarding ---------------------------------------------------------------------------------

ASK_TEAM_NAME = (
    "👋 <b>Welcome to Spotter</b>, the training assistant for strength coaches.\n\n"
    "Let's set up your team. <b>What's your team called?</b>\n"
    "<i>For example: Northside Barbell. Send /cancel to stop.</i>"
)


def team_created(team: str) -> str:
    return (
        f"✅ Team <b>{escape(team)}</b> is ready, and you're its coach.\n\n"
        "Here's what you can do:\n"
        "• /addathlete to add athletes to your roster\n"
        "• /athletes to see and edit your roster\n"
        "• /help for everything else"
    )


def coach_menu(team: str, active: int, total: int) -> str:
    return (
        f"🏋️ <b>{escape(team)}</b>\n"
        f"{total} athlete{'s' if total != 1 else ''} on the roster, {active} active.\n\n"
        "What would you like to do?"
    )


def athlete_home(name: str, teams: list[str]) -> str:
    joined = ", ".join(f"<b>{escape(team)}</b>" for team in teams)
    return (
        f"👋 Hi {escape(name)}! You're an athlete of {joined}.\n\n"
        "Send /help to see what you can do."
    )


WHO_ARE_YOU_NEW = (
    "If you're an athlete, ask your coach for your invite link and tap it.\n"
    "If you're a coach, send /start to set up your team."
)


def help_text(audiences: list[Audience], commands: list[Command]) -> str:
    role = (
        "coach"
        if Audience.COACH in audiences
        else "athlete"
        if Audience.ATHLETE in audiences
        else None
    )
    lines = ["<b>Spotter</b> helps strength coaches run their roster and exercise library.", ""]
    if role:
        lines.append(f"You're signed in as a <b>{role}</b>. Commands:")
    else:
        lines.append("Commands:")
    for command in commands:
        usage = escape(command.usage or f"/{command.name}")
        lines.append(f"{usage} - {escape(command.description)}")
    if role is None:
        lines += ["", WHO_ARE_YOU_NEW]
    return "\n".join(lines)


# --- add athlete --------------------------------------------------------------------------------

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
PICK_FIELD_TO_EDIT = "Which field do you want to change?"
NAME_REQUIRED = "The name is required, so it can't be skipped. Send the athlete's full name."
FORM_CLOSED = "That form is closed. Start a new one with /addathlete."
BUTTON_FROM_EARLIER_STEP = "That button belongs to an earlier step."


def email_taken(name: str) -> str:
    return (
        f"ℹ️ <b>{escape(name)}</b> already has this email in your team.\n"
        "Open that athlete instead, send a different email, or /skip."
    )


SAVED = "Saved ✅"


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


# --- roster -------------------------------------------------------------------------------------


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


def format_time(moment: datetime) -> str:
    return moment.strftime("%d %b %Y, %H:%M UTC")


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
    return f"{escape(name)} is now {STATUS_LABELS[status].lower()}."


def confirm_unlink(name: str) -> str:
    return (
        f"Unlink the Telegram account of <b>{escape(name)}</b>?\n"
        "They'll stop seeing their profile here until you invite them again."
    )


UNLINKED = "Telegram account unlinked."
NOT_LINKED = "This athlete has no Telegram account linked."
ALREADY_THAT_STATUS = "That's already the status."

UNKNOWN_COMMAND = "I don't know that command. Send /help to see what I can do."
UNKNOWN_TEXT = "I'm not sure what to do with that. Send /help to see what I can do."
ONBOARDING_WHAT = "setting up your team"
