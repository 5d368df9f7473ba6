"""Every user-facing string, in one place. User content is escaped here, nowhere else.

Messages are HTML (the Application's default parse mode).
"""

from __future__ import annotations

from datetime import date, datetime
from html import escape

from bot.commands import Audience, Command
from storage.models import (
    Athlete,
    AthleteGender,
    AthleteStatus,
    BodyRegion,
    Equipment,
    Exercise,
    MovementPattern,
    MuscleGroup,
    ProgressionDirection,
)
from storage.queries.exercises import ExerciseCard, ExercisePage
from storage.queries.search import Intent, SearchPage
from storage.validation import AmbiguousDate

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


# --- one open form at a time, and private chats only (bot.core) ------------------------------

A_FORM_WHAT = "a form"
FINISH_FORM_BUTTON = "↩️ Finish it first"
DROP_FORM_BUTTON = "🗑 Drop it"
NO_FORM_OPEN = "That question is closed: nothing is open now."
PRIVATE_ONLY = "🔒 I work in private chats only, so nothing here is shared with the group."
OPEN_PRIVATE_CHAT = "💬 Message me privately"


def finish_or_drop(what: str) -> str:
    return (
        f"You're in the middle of {what}. Finish it first, or drop it? "
        "Dropping it saves nothing from it."
    )


def still_in_form(what: str) -> str:
    return f"↩️ You're still in the middle of {what}. Answer below, or send /cancel to stop."


def form_dropped(what: str) -> str:
    return f"Stopped {what}: nothing from it was saved."


def field_error(message: str) -> str:
    return f"⚠️ {escape(message)}"


# --- onboarding ---------------------------------------------------------------------------------

ASK_TEAM_NAME = (
    "👋 <b>Welcome to Spotter</b>, the training assistant for strength coaches.\n\n"
    "Let's set up your team. <b>What's your team called?</b>\n"
    "<i>For example: Northside Barbell. Send /cancel to stop.</i>\n\n"
    "Athlete? You don't need a team: tap the invite link your coach sent you. "
    "/exercises opens the exercise library."
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

UNKNOWN_COMMAND = "I don't know that command. Send /help to see what I can do."
UNKNOWN_TEXT = "I'm not sure what to do with that. Send /help to see what I can do."
ONBOARDING_WHAT = "setting up your team"


# --- exercise library ---------------------------------------------------------------------------

ALERT_MAX = 200  # Telegram's limit for a button answer


def alert(text: str) -> str:
    """A button answer cut to Telegram's limit (storage messages quote exercise names)."""
    return text if len(text) <= ALERT_MAX else text[: ALERT_MAX - 1] + "…"


REGION_LABELS = {
    BodyRegion.UPPER: "Upper body",
    BodyRegion.LOWER: "Lower body",
    BodyRegion.CORE: "Core",
}
REGION_ICONS = {BodyRegion.UPPER: "💪", BodyRegion.LOWER: "🦵", BodyRegion.CORE: "🧱"}
PATTERN_LABELS = {
    MovementPattern.PUSH: "Push",
    MovementPattern.PULL: "Pull",
    MovementPattern.HINGE: "Hinge",
    MovementPattern.SQUAT: "Squat",
    MovementPattern.CARRY: "Carry",
    MovementPattern.CORE: "Core",
}
EQUIPMENT_LABELS = {
    Equipment.BARBELL: "Barbell",
    Equipment.DUMBBELL: "Dumbbell",
    Equipment.KETTLEBELL: "Kettlebell",
    Equipment.BODYWEIGHT: "Bodyweight",
    Equipment.MACHINE: "Machine",
    Equipment.CABLE: "Cable",
    Equipment.BAND: "Band",
    Equipment.SLED: "Sled",
    Equipment.TRAP_BAR: "Trap bar",
    Equipment.EZ_BAR: "EZ bar",
    Equipment.MEDICINE_BALL: "Medicine ball",
    Equipment.LANDMINE: "Landmine",
    Equipment.SUSPENSION: "Suspension trainer",
    Equipment.OTHER: "Other",
}
DIRECTION_LABELS = {ProgressionDirection.EASIER: "Easier", ProgressionDirection.HARDER: "Harder"}
DIRECTION_ICONS = {ProgressionDirection.EASIER: "⬇️", ProgressionDirection.HARDER: "⬆️"}
EXERCISE_FIELD_LABELS = {
    "name": "Name",
    "pattern": "Movement pattern",
    "primary": "Primary muscles",
    "secondary": "Secondary muscles",
    "equipment": "Equipment",
    "instructions": "Instructions",
}


def equipment_label(value: str) -> str:
    try:
        return EQUIPMENT_LABELS[Equipment(value)]
    except ValueError:  # a catalog value newer than the enum
        return value.replace("_", " ").capitalize()


def _muscle_names(muscles: list[MuscleGroup]) -> str:
    return ", ".join(escape(m.name) for m in muscles) if muscles else "<i>none</i>"


def library_menu(*, team: str | None) -> str:
    lines = [
        "📚 <b>Exercise library</b>",
        "",
        "Browse by body region or by movement pattern"
        + (f", open the exercises of <b>{escape(team)}</b>" if team else "")
        + ", or search by name: <code>/exercises goblet squat</code>",
    ]
    return "\n".join(lines)


def region_muscles(region: BodyRegion) -> str:
    return (
        f"{REGION_ICONS[region]} <b>{REGION_LABELS[region]}</b>\n\n"
        "Pick a muscle group. The number is how many exercises work it."
    )


PICK_PATTERN_TO_BROWSE = "🔀 <b>Movement patterns</b>\n\nPick one to see its exercises."


def _showing(page: ExercisePage) -> str:
    return f"Showing {page.offset + 1}-{page.offset + len(page.items)} of {page.total}."


def muscle_list(muscle: MuscleGroup, page: ExercisePage) -> str:
    head = f"🎯 <b>{escape(muscle.name)}</b>"
    if page.total == 0:
        return f"{head}\n\nNo exercises work this muscle group yet."
    return (
        f"{head}\n\nPrimary movers first, then exercises where it's a secondary muscle. "
        f"{_showing(page)} Tap one to open its card."
    )


def pattern_list(pattern: MovementPattern, page: ExercisePage) -> str:
    head = f"🔀 <b>{PATTERN_LABELS[pattern]}</b>"
    if page.total == 0:
        return f"{head}\n\nNo exercises with this movement pattern yet."
    return f"{head}\n\n{_showing(page)} Tap one to open its card."


def ours_list(team: str, page: ExercisePage, *, archived: bool, is_coach: bool) -> str:
    head = f"🏷 <b>{escape(team)}</b>: {'archived exercises' if archived else 'our exercises'}"
    if page.total == 0:
        if archived:
            return f"{head}\n\nNothing is archived."
        hint = " Create one with /newexercise." if is_coach else ""
        return f"{head}\n\nYour team has no exercises of its own yet.{hint}"
    note = " Archived exercises are hidden from lists and search." if archived else ""
    return f"{head}\n\n{_showing(page)}{note} Tap one to open its card."


def search_results(
    query: str,
    *,
    total: int,
    offset: int,
    shown: int,
    is_coach: bool,
    outcome: SearchPage | None = None,
) -> str:
    head = f"🔎 <b>Exercises matching “{escape(query)}”</b>"
    if total == 0:
        create = " or create it with /newexercise" if is_coach else ""
        return f"{head}\n\nNothing matches. Try another name, browse with /exercises{create}."
    said = search_outcome(query, outcome) if outcome is not None else None
    note = f"\n\n{escape(said)}" if said else ""
    return f"{head}{note}\n\nShowing {offset + 1}-{offset + shown} of {total}, best first."


_INTENT_LINES = {
    Intent.EASIER: "Easier than {name} first.",
    Intent.HARDER: "Harder than {name} first.",
    Intent.CHAIN: "The {name} progression, easiest first.",
    Intent.BEGINNER: "Where to start on the way to {name}: the easiest steps first.",
}


def search_outcome(query: str, page: SearchPage) -> str | None:
    """How sure a search's answer is, in one plain sentence (escape it for HTML), or None when
    it simply found what was typed."""
    if page.intent is not None and page.anchor is not None:
        return _INTENT_LINES[page.intent].format(name=page.anchor.name)
    if page.suggestion is not None:
        return f"No exact match. Did you mean {page.suggestion.name}?"
    if page.set_aside:
        aside = set(page.set_aside)
        rest = " ".join(token for token in query.split() if token not in aside)
        quoted = ", ".join(f"“{token}”" for token in page.set_aside)
        return f"No exact match for {quoted}; showing results for “{rest}”."
    return None


SEARCH_EXPIRED = "That search has expired. Send /exercises and what you're looking for again."
NO_TEAM_LIBRARY = "Your team's own exercises are for its coaches and athletes."
EXERCISE_LINK_NOT_FOUND = (
    "That exercise wasn't found. It may have been removed, or it belongs to a team you're not "
    "in. Browse the library with /exercises."
)


def exercise_button(exercise: Exercise) -> str:
    """Button text (plain, never parsed as HTML)."""
    mark = "🏷 " if exercise.organization_id else ""
    archived = " (archived)" if exercise.archived_at else ""
    return f"{mark}{exercise.name}{archived}"


def related_button(direction: ProgressionDirection, exercise: Exercise) -> str:
    archived = " 🗄 (archived)" if exercise.archived_at else ""
    return f"{DIRECTION_ICONS[direction]} {DIRECTION_LABELS[direction]}: {exercise.name}{archived}"


def exercise_card(card: ExerciseCard) -> str:
    exercise = card.exercise
    kind = "📚 Curated" if card.is_curated else "🏷 Our exercise"
    if exercise.archived_at:
        kind += " · 🗄 <b>archived</b> (hidden from lists and search)"
    lines = [
        f"🏋️ <b>{escape(exercise.name)}</b>",
        kind,
        "",
        f"<b>Pattern:</b> {PATTERN_LABELS[exercise.movement_pattern]}",
        f"<b>Equipment:</b> {escape(equipment_label(exercise.equipment))}",
        f"<b>Primary:</b> {_muscle_names(card.primary)}",
        f"<b>Secondary:</b> {_muscle_names(card.secondary)}",
    ]
    if exercise.aliases:
        lines.append(f"<b>Also called:</b> {escape(', '.join(exercise.aliases))}")
    if exercise.instructions:
        lines += ["", escape(exercise.instructions)]
    if card.easier or card.harder:
        lines += ["", "<i>Progressions are below: tap one to open it.</i>"]
    return "\n".join(lines)


# /newexercise and editing a custom exercise

NEW_EXERCISE_WHAT = "creating an exercise"
EDIT_EXERCISE_WHAT = "changing an exercise"
ASK_EXERCISE_NAME = (
    "➕ <b>New exercise</b> (step 1 of 6)\n\nWhat's it <b>called</b>?\n"
    "<i>For example: Tempo Goblet Squat. Send /cancel at any step to stop without saving.</i>"
)
ASK_EXERCISE_PATTERN = "Step 2 of 6: its <b>movement pattern</b>?\n<i>Tap one.</i>"
ASK_EXERCISE_EQUIPMENT = "Step 5 of 6: the main <b>equipment</b>?\n<i>Tap one.</i>"
ASK_EXERCISE_INSTRUCTIONS = (
    "Step 6 of 6: <b>instructions</b> or coaching cues?\n<i>Up to 2000 characters. Or /skip.</i>"
)
EXERCISE_NAME_REQUIRED = "The name is required, so it can't be skipped. Send the exercise's name."
NO_PRIMARY_PICKED = "Pick at least one primary muscle group first, then press Done."
USE_THE_BUTTONS = "Please answer with the buttons above, or send /cancel to stop."
EXERCISE_FORM_CLOSED = "That form is closed. Start a new one with /newexercise."
EXERCISE_SAVED = "Saved ✅"


def ask_muscles(role: str, selected: list[MuscleGroup], *, exercise: str | None = None) -> str:
    """The toggle question; `exercise` is set when changing a saved exercise."""
    if role == "primary":
        question = "the <b>primary</b> muscle groups (the prime movers)"
        rule = "Pick at least one."
        step = "Step 3 of 6"
    else:
        question = "the <b>secondary</b> muscle groups (optional)"
        rule = "Primary ones aren't offered. Done with none selected means none."
        step = "Step 4 of 6"
    head = f"✏️ <b>{escape(exercise)}</b>: {question}" if exercise else f"{step}: {question}"
    return (
        f"{head}.\n<i>Tap to select, tap again to deselect, then ✔️ Done. {rule}</i>\n\n"
        f"<b>Selected:</b> {_muscle_names(selected)}"
    )


def muscles_chosen(role: str, selected: list[MuscleGroup]) -> str:
    return f"✅ {role.capitalize()} muscles: {_muscle_names(selected)}"


def pattern_chosen(pattern: MovementPattern) -> str:
    return f"✅ Movement pattern: {PATTERN_LABELS[pattern]}"


def equipment_chosen(equipment: Equipment) -> str:
    return f"✅ Equipment: {EQUIPMENT_LABELS[equipment]}"


def muscle_is_primary(muscle: MuscleGroup) -> str:
    return alert(f"{muscle.name} is a primary muscle here, so it can't be secondary too.")


def exercise_name_taken(name: str, *, archived: bool) -> str:
    where = (
        " It's archived: restore it from /exercises → Our exercises → Archived, or pick another "
        "name."
        if archived
        else " Pick another name."
    )
    return f"⚠️ Your team already has an exercise called <b>{escape(name)}</b>.{where}"


def same_name_as_curated(name: str) -> str:
    return (
        f"ℹ️ The curated library also has <b>{escape(name)}</b>. That's fine: yours will be a "
        "separate exercise of your team. (To adapt the curated one instead, open its card and "
        "tap Copy to ours.)"
    )


def exercise_draft_summary(draft: dict[str, object], muscles: dict[str, MuscleGroup]) -> str:
    def names(key: str) -> str:
        ids = draft.get(key) or []
        assert isinstance(ids, list)
        return _muscle_names([muscles[m] for m in ids if m in muscles])

    pattern = draft.get("pattern")
    equipment = draft.get("equipment")
    instructions = draft.get("instructions")
    return (
        "📋 <b>Check the new exercise</b>\n\n"
        f"<b>Name:</b> {escape(str(draft.get('name') or ''))}\n"
        f"<b>Pattern:</b> {PATTERN_LABELS[MovementPattern(str(pattern))]}\n"
        f"<b>Primary:</b> {names('primary')}\n"
        f"<b>Secondary:</b> {names('secondary')}\n"
        f"<b>Equipment:</b> {EQUIPMENT_LABELS[Equipment(str(equipment))]}\n"
        f"<b>Instructions:</b> {escape(str(instructions)) if instructions else '<i>none</i>'}\n\n"
        "Save this exercise?"
    )


def exercise_saved(name: str) -> str:
    return f"✅ <b>{escape(name)}</b> is in your team's library."


def ask_exercise_text(field: str, name: str) -> str:
    if field == "name":
        question, options = "New <b>name</b>", "Send /cancel to keep it as it is."
    else:
        question = "New <b>instructions</b> (up to 2000 characters)"
        options = "Send /skip to clear them, or /cancel to keep them as they are."
    return f"✏️ {question} for <b>{escape(name)}</b>?\n<i>{options}</i>"


def ask_exercise_choice(field: str, name: str) -> str:
    what = "movement pattern" if field == "pattern" else "equipment"
    return f"✏️ Pick the new <b>{what}</b> for <b>{escape(name)}</b>:"


def pick_exercise_field(card_text: str) -> str:
    return f"{card_text}\n\n✏️ <b>Which field do you want to change?</b>"


def exercise_field_updated(field: str) -> str:
    return f"✅ {EXERCISE_FIELD_LABELS[field]} updated."


def exercise_archived(archived: bool) -> str:
    if archived:
        return "Archived. It's hidden from lists and search; progression links still show it."
    return "Restored. It's back in lists and search."


def exercise_copied(name: str) -> str:
    return alert(f"Copied to your exercises as “{name}”. Edit it to adjust cues or equipment.")


# Progression links

LINK_WHAT = "linking a progression"


def ask_link_query(name: str, direction: ProgressionDirection) -> str:
    return (
        f"➕ Which exercise is <b>{direction.value}</b> than <b>{escape(name)}</b>?\n"
        "Send part of its name, e.g. <i>split squat</i>. <i>/cancel to stop.</i>"
    )


def pick_link(name: str, direction: ProgressionDirection, query: str) -> str:
    return (
        f"Exercises matching “{escape(query)}”: tap the one that is <b>{direction.value}</b> "
        f"than <b>{escape(name)}</b>, or send another name. <i>/cancel to stop.</i>"
    )


def no_link_match(query: str) -> str:
    return (
        f"Nothing matches “{escape(query)}”. Send another name, or /cancel to stop. "
        "<i>Only curated exercises and your team's own (not archived) can be linked.</i>"
    )


def linked(related: str, direction: ProgressionDirection, name: str) -> str:
    return alert(f"Linked ✅ “{related}” is now {direction.value} than “{name}”.")


LINK_REMOVED = "Link removed."
NO_REMOVABLE_LINKS = "This card has no links your team made. Curated links can't be removed."


def pick_link_to_remove(card_text: str) -> str:
    return (
        f"{card_text}\n\n✂️ <b>Which link do you want to remove?</b>\n"
        "<i>Only links your team made are listed; curated ones stay.</i>"
    )


def unlink_button(direction: ProgressionDirection, exercise: Exercise) -> str:
    return f"✂️ {DIRECTION_LABELS[direction]}: {exercise.name}"


# --- invitations (coach side) -------------------------------------------------------------------
# Callback answers (toasts, alerts) are plain text, not HTML: they are not escaped.

INVITE_USAGE = (
    "Who should I invite? Send <code>/invite name</code>, or open the athlete's card "
    "in /athletes and tap <b>Invite</b>."
)
INVITE_CREATED = "Invite link created."
INVITE_REVOKED = "Link revoked: it no longer works."
INVITE_ALREADY_REVOKED = "That link was already revoked or replaced by a newer one."


def no_athlete_matches(query: str) -> str:
    return (
        f"No athlete in your team matches “{escape(query)}”. "
        "Check the spelling, or see everyone with /athletes."
    )


def pick_athlete_to_invite(query: str, *, total: int, shown: int) -> str:
    text = f"{total} athletes match “{escape(query)}”. Who should I invite?"
    if total > shown:
        text += f"\n<i>Showing the first {shown}; type more of the name to narrow it down.</i>"
    return text


def invite_caption(name: str, link: str, expires: datetime) -> str:
    return (
        f"📨 <b>Invite link for {escape(name)}</b>\n\n"
        f"{escape(link)}\n\n"
        f"Send it to {escape(name)}, or let them scan the QR code. "
        f"It works once and expires {format_time(expires)}. "
        "A new invite for the same athlete replaces this link."
    )


def invite_share_text(team: str) -> str:
    return f"Your invite to {team} on Spotter"  # plain text: a share URL parameter


def invite_revoked_caption(name: str) -> str:
    return (
        f"🚫 <b>Invite link for {escape(name)} revoked.</b> It no longer works.\n"
        "Send a new one from their card or with /invite."
    )


def invite_used_caption(name: str) -> str:
    return f"✅ <b>{escape(name)}</b> joined with this link."


def invite_already_used(name: str) -> str:
    return f"{name} already joined with this link. To disconnect them, unlink them on their card."


def cant_invite_linked(name: str) -> str:
    return (
        f"🔗 <b>{escape(name)}</b> is already connected to Telegram. "
        "To send a new link, unlink them on their card first."
    )


def cant_invite_linked_alert(name: str) -> str:
    return f"{name} is already connected to Telegram. Unlink them first to send a new link."


def athlete_joined(name: str, team: str, telegram: str) -> str:
    return (
        f"🔗 <b>{escape(name)}</b> joined <b>{escape(team)}</b> as {escape(telegram)} on Telegram."
    )


def athlete_left(name: str, team: str) -> str:
    return (
        f"👋 <b>{escape(name)}</b> left <b>{escape(team)}</b>: their Telegram account is no "
        "longer connected. Invite them again from their card if that was a mistake."
    )


# --- invitations (athlete side: /start <payload>) -----------------------------------------------

INVITE_INVALID = (
    "🤔 That invite link isn't valid. Make sure you opened the whole link, "
    "or ask your coach to send you a new one."
)
INVITE_EXPIRED = "⌛ That invite link has expired. Ask your coach for a new one."
INVITE_WAS_REVOKED = (
    "🚫 That invite link was cancelled by your coach. Ask them for a new one if you need it."
)
INVITE_USED = (
    "🔒 That invite link has already been used by someone else. "
    "If it was meant for you, ask your coach for a new one."
)
INVITE_ATHLETE_TAKEN = (
    "🔒 That athlete profile is already connected to a different Telegram account. "
    "If that's wrong, ask your coach to unlink it and send you a new link."
)
DEEP_LINK_PRIVATE_ONLY = "Please open that link in a private chat with me."
EXERCISE_LINK_INVALID = "That exercise link isn't valid. Send /exercises to browse the library."


def coach_names(coaches: list[tuple[str, str | None]]) -> str:
    """Cora (@cora) and Theo, from (display name, username) pairs; the result is escaped."""
    names = [
        f"{escape(name)} (@{escape(username)})" if username else escape(name)
        for name, username in coaches
    ]
    if not names:
        return "your coach"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def invite_welcome(name: str, team: str, coaches: str, bot_username: str) -> str:
    return (
        f"🎉 Welcome, <b>{escape(name)}</b>! You're now connected to <b>{escape(team)}</b>, "
        f"coached by {coaches}.\n\n"
        "Here's what you can do:\n"
        "• /me to see your profile and your coach\n"
        "• /exercises to browse the exercise library\n"
        f"• In any chat, type <code>@{escape(bot_username)} squat</code> to look an exercise up"
    )


def already_connected(name: str, team: str) -> str:
    return (
        f"✅ You're already connected to <b>{escape(team)}</b> as <b>{escape(name)}</b>. "
        "Send /me to see your profile."
    )


def already_in_team(team: str) -> str:
    return (
        f"ℹ️ Your Telegram account is already connected to another athlete of "
        f"<b>{escape(team)}</b>, so this link can't be used by you. "
        "Ask your coach if it was meant for someone else."
    )


def own_team_link(name: str, team: str) -> str:
    return (
        f"ℹ️ This is the invite link for <b>{escape(name)}</b> in your team "
        f"<b>{escape(team)}</b>. Send it to them, or let them scan the QR code: when they open "
        "it, their Telegram account is connected to their profile.\n"
        "Opening it yourself changes nothing, and the link still works for them."
    )


def too_many_attempts(retry_at: datetime, minutes: int) -> str:
    return (
        "⏳ Too many links that didn't work in a short time. Please try again after "
        f"{format_time(retry_at)} (in about {minutes} minute{'s' if minutes != 1 else ''})."
    )


# --- /me and /leave ---------------------------------------------------------------------------

NOT_AN_ATHLETE = (
    "You're not connected to a team yet. Ask your coach for your invite link and tap it."
)
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


# --- inline lookup ------------------------------------------------------------------------------

INLINE_NO_MATCH = "No match: search or add it in Spotter"
INLINE_START = "Open Spotter to browse the full library"


def inline_title(name: str, *, curated: bool) -> str:
    """Plain text (Telegram shows result titles as typed)."""
    return name if curated else f"🏷 {name}"


def inline_description(pattern: MovementPattern, muscles: tuple[str, ...], equipment: str) -> str:
    parts = [PATTERN_LABELS[pattern], ", ".join(muscles), equipment_label(equipment)]
    return " · ".join(part for part in parts if part)
