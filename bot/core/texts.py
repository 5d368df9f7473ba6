"""Sentences every feature shares: refusals, hints, the one-open-form and private-chat rules."""

from __future__ import annotations

from datetime import datetime
from html import escape

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
