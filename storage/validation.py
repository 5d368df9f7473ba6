"""Pure input rules shared by the storage models and the bot's conversation steps.

Each function takes what a person typed and returns the clean value, or raises ValueError with a
message that says what was wrong and what to type instead.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

import phonenumbers
from email_validator import EmailNotValidError, validate_email

NAME_MAX = 100
NOTES_MAX = 2000
INSTRUCTIONS_MAX = 2000
TEAM_NAME_MAX = 100
BIRTHDATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")
MAX_AGE_YEARS = 100
_SPACES = re.compile(r"\s+")


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def has_letter(text: str) -> bool:
    return any(unicodedata.category(ch).startswith("L") for ch in text)


def clean_person_name(text: str) -> str:
    name = collapse_spaces(text)
    if not name:
        raise ValueError("The name can't be empty. Send the athlete's full name, e.g. Maya Lopez.")
    if len(name) > NAME_MAX:
        raise ValueError(f"That name is {len(name)} characters; keep it to {NAME_MAX} or fewer.")
    if not has_letter(name):
        raise ValueError("A name needs at least one letter. Send the full name, e.g. Maya Lopez.")
    return name


def clean_title(text: str, *, what: str, limit: int, example: str) -> str:
    """Team and exercise names: 1..limit characters with at least one letter."""
    title = collapse_spaces(text)
    if not title:
        raise ValueError(f"The {what} can't be empty. Send it as text, e.g. {example}.")
    if len(title) > limit:
        raise ValueError(f"That {what} is {len(title)} characters; keep it to {limit} or fewer.")
    if not has_letter(title):
        raise ValueError(f"The {what} needs at least one letter, e.g. {example}.")
    return title


def clean_email(text: str) -> str:
    candidate = text.strip()
    try:
        result = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValueError(
            f"That doesn't look like an email address ({error}). Send it like name@example.com."
        ) from None
    return result.normalized


def clean_phone(text: str, *, region: str | None = None) -> str:
    """Any common notation in, E.164 out (+14155550123)."""
    candidate = text.strip()
    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        raise ValueError(
            "That doesn't look like a phone number. Send it with the country code, "
            "e.g. +1 415 555 0123."
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(
            "That phone number isn't valid for its country. Check the digits and send it with "
            "the country code, e.g. +44 20 7946 0958."
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_birthdate(text: str, *, today: date | None = None) -> date:
    candidate = text.strip()
    today = today or date.today()
    for fmt in BIRTHDATE_FORMATS:
        try:
            value = datetime.strptime(candidate, fmt).date()
        except ValueError:
            continue
        return check_birthdate(value, today=today)
    raise ValueError(
        "I couldn't read that date. Use YYYY-MM-DD, DD.MM.YYYY or DD/MM/YYYY, e.g. 2004-07-21."
    )


def check_birthdate(value: date, *, today: date | None = None) -> date:
    today = today or date.today()
    if value > today:
        raise ValueError("That birthdate is in the future. Send the date the athlete was born.")
    try:
        oldest = today.replace(year=today.year - MAX_AGE_YEARS)
    except ValueError:  # 29 February
        oldest = today.replace(year=today.year - MAX_AGE_YEARS, day=28)
    if value < oldest:
        raise ValueError(
            f"That birthdate is more than {MAX_AGE_YEARS} years ago. Check the year and try again."
        )
    return value


def clean_long_text(text: str, *, what: str, limit: int) -> str:
    value = text.strip()
    if not value:
        raise ValueError(f"The {what} can't be empty. Send some text, or /skip.")
    if len(value) > limit:
        raise ValueError(
            f"The {what} are {len(value)} characters; keep them to {limit} or fewer."
            if what.endswith("s")
            else f"The {what} is {len(value)} characters; keep it to {limit} or fewer."
        )
    return value
