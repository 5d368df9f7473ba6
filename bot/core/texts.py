"""Sentences every feature shares: refusals, hints, the one-open-form and private-chat rules."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from html import escape

from storage.errors import DomainError, ErrorCode, FieldError, Subject

NOT_A_COACH = (
    "That's for coaches. Send /start to set up your team, or ask your coach for an invite link."
)
COACH_ONLY = "That's for coaches. Send /help to see what you can do as an athlete."

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


def form_expired(what: str, hours: int) -> str:
    return (
        f"⌛ Your unfinished form ({what}) was closed after {hours} hours without an answer; "
        "nothing from it was saved."
    )


def still_in_form(what: str) -> str:
    return f"↩️ You're still in the middle of {what}. Answer below, or send /cancel to stop."


def form_dropped(what: str) -> str:
    return f"Stopped {what}: nothing from it was saved."


def field_error(message: str) -> str:
    return f"⚠️ {escape(message)}"


PICK_FIELD_TO_EDIT = "Which field do you want to change?"

BUTTON_FROM_EARLIER_STEP = "That button belongs to an earlier step."

UNKNOWN_COMMAND = "I don't know that command. Send /help to see what I can do."

UNKNOWN_TEXT = "I'm not sure what to do with that. Send /help to see what I can do."


def coach_names(coaches: list[tuple[str, str | None]]) -> str:
    """Cora (@cora) and Theo, from (display name, username) pairs; the result is escaped."""
    names = [
        f"{escape(name)} (@{escape(username)})" if username else escape(name)
        for name, username in coaches
    ]
    if not names:
        return "your coach"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


NOT_AN_ATHLETE = (
    "You're not connected to a team yet. Ask your coach for your invite link and tap it."
)


def format_time(moment: datetime) -> str:
    return moment.strftime("%d %b %Y, %H:%M UTC")


USE_THE_BUTTONS = "Please answer with the buttons above, or send /cancel to stop."

FORM_CLOSED = "That form is closed."


DEEP_LINK_PRIVATE_ONLY = "Please open that link in a private chat with me."


# --- storage's error codes, worded (storage returns codes; these are the sentences people read) ---

SUBJECT_NAMES = {
    Subject.TEAM_NAME: "team name",
    Subject.EXERCISE_NAME: "exercise name",
    Subject.PROGRAM_NAME: "program name",
    Subject.NOTES: "notes",
    Subject.INSTRUCTIONS: "instructions",
    Subject.DESCRIPTION: "description",
}
SUBJECT_EXAMPLES = {
    Subject.TEAM_NAME: "Northside Barbell",
    Subject.EXERCISE_NAME: "Tempo Goblet Squat",
    Subject.PROGRAM_NAME: "Strength block 1",
}
DATE_FORMAT_HELP = (
    "I couldn't read that date. Use YYYY-MM-DD, DD.MM.YYYY or DD/MM/YYYY, e.g. 2004-07-21."
)
ERROR_SENTENCES: dict[str, str] = {
    ErrorCode.ATHLETE_ID_TAKEN: "That athlete id is taken.",
    ErrorCode.ATHLETE_NOT_FOUND: (
        "That athlete wasn't found in your team. It may have been removed."
    ),
    ErrorCode.EMAIL_TAKEN: "Another athlete in your team already has that email.",
    ErrorCode.ATHLETE_LINKED_ELSEWHERE: (
        "That athlete is already connected to another Telegram account."
    ),
    ErrorCode.ACCOUNT_ALREADY_ATHLETE: "This Telegram account is already an athlete of that team.",
    ErrorCode.INVITATION_NOT_FOUND: "That invitation wasn't found in your team.",
    ErrorCode.ATHLETE_ALREADY_LINKED: (
        "This athlete is already connected to a Telegram account. Unlink it on their card first "
        "if they need a new link."
    ),
    ErrorCode.MUSCLE_GROUP_NOT_FOUND: "That muscle group doesn't exist.",
    ErrorCode.EXERCISE_NOT_FOUND: (
        "That exercise wasn't found. It may be another team's or no longer exist."
    ),
    ErrorCode.CURATED_READ_ONLY: (
        "Curated exercises can't be changed. Use Copy to ours to adapt one."
    ),
    ErrorCode.UNKNOWN_MUSCLES: "Unknown muscle group: {names}.",
    ErrorCode.EXERCISE_NAME_TAKEN: (
        "Your team already has an exercise called “{name}”. Pick another name."
    ),
    ErrorCode.LINK_TO_ITSELF: "An exercise can't be easier or harder than itself.",
    ErrorCode.LINK_EXISTS: "“{name}” is already linked as {direction} than this.",
    ErrorCode.LINK_EXISTS_OTHER_WAY: (
        "“{name}” is already linked as {direction} than this; remove that link first."
    ),
    ErrorCode.LINK_LOOP: (
        "That would make a loop: “{easier}” is already harder than “{harder}” through other links."
    ),
    ErrorCode.LINK_NOT_FOUND: "Those exercises aren't linked.",
    ErrorCode.LINK_CURATED: "That link is part of the curated library and can't be removed.",
    ErrorCode.NAME_EMPTY: "The name can't be empty. Send the athlete's full name, e.g. Maya Lopez.",
    ErrorCode.NAME_TOO_LONG: "That name is {counted}; keep it to {limit} or fewer.",
    ErrorCode.NAME_NO_LETTER: (
        "A name needs at least one letter. Send the full name, e.g. Maya Lopez."
    ),
    ErrorCode.TITLE_EMPTY: "The {what} can't be empty. Send it as text, e.g. {example}.",
    ErrorCode.TITLE_TOO_LONG: "That {what} is {counted}; keep it to {limit} or fewer.",
    ErrorCode.TITLE_NO_LETTER: "The {what} needs at least one letter, e.g. {example}.",
    ErrorCode.EMAIL_INVALID: (
        "That doesn't look like an email address. {reason} Send it like name@example.com."
    ),
    ErrorCode.PHONE_UNREADABLE: (
        "That doesn't look like a phone number. Send it with the country code, "
        "e.g. +1 415 555 0123."
    ),
    ErrorCode.PHONE_INVALID: (
        "That phone number isn't valid for its country. Check the digits and send it with "
        "the country code, e.g. +44 20 7946 0958."
    ),
    ErrorCode.DATE_UNREADABLE: DATE_FORMAT_HELP,
    ErrorCode.BIRTHDATE_FUTURE: (
        "That birthdate is in the future. Send the date the athlete was born."
    ),
    ErrorCode.BIRTHDATE_TOO_OLD: (
        "That birthdate is more than {years} years ago. Check the year and try again."
    ),
    ErrorCode.TEXT_EMPTY: "The {what} can't be empty. Send some text, or /skip.",
    ErrorCode.NAME_CLEARED: "An athlete always has a name.",
    ErrorCode.NO_PRIMARY_MUSCLE: "Pick at least one primary muscle group.",
    ErrorCode.MUSCLE_PRIMARY_AND_SECONDARY: "A muscle group can't be both primary and secondary.",
    ErrorCode.INPUT_INVALID: "{detail}",
}


def _counted(params: dict[str, object]) -> str:
    if params.get("emoji"):
        return f"{params['length']} characters (most emoji count as two)"
    return f"{params['length']} characters"


def error_text(error: Exception) -> str:
    """The sentence for an error storage raised with a code (FieldError, DomainError); any other
    ValueError raised in bot/ already carries its sentence."""
    if not isinstance(error, DomainError | FieldError):
        return str(error)
    params = dict(error.params)
    subject = params.get("subject")
    if isinstance(subject, Subject):
        params["what"] = SUBJECT_NAMES[subject]
        params["example"] = SUBJECT_EXAMPLES.get(subject, "")
    if "length" in params:
        params["counted"] = _counted(params)
    names = params.get("names")
    if isinstance(names, tuple):
        params["names"] = ", ".join(str(name) for name in names)
    direction = params.get("direction")
    if isinstance(direction, Enum):
        params["direction"] = direction.value
    if error.code == ErrorCode.TEXT_TOO_LONG:
        plural = str(params["what"]).endswith("s")
        template = (
            "The {what} are {counted}; keep them to {limit} or fewer."
            if plural
            else "The {what} is {counted}; keep it to {limit} or fewer."
        )
        return template.format(**params)
    sentence = ERROR_SENTENCES.get(error.code)
    if sentence is None:  # a feature's own code (programs words those itself)
        return str(error.code)
    return sentence.format(**params)


# One answer to every edited message (the features' own wording kept: tests read it).
EDITS_NOT_READ = (
    "✏️ Edits of sent messages aren't read (I read new messages only, not edits of sent ones), "
    "so that edit changed nothing. Send it again as a new message; in a form, answers already "
    "given can be changed on its summary."
)
INLINE_BUTTON_ELSEWHERE = "That button works in my private chat: open it and send /start."


def page_of(offset: int, limit: int, total: int) -> str:
    """ " Page 2 of 5." for a paged list's text (empty on a single page)."""
    pages = max(1, -(-total // limit))
    return f" Page {offset // limit + 1} of {pages}." if pages > 1 else ""
