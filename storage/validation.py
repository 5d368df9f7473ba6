"""Pure input rules shared by the storage models and the bot's conversation steps.

Each function takes what a person typed and returns the clean value, or raises ValueError with a
message that says what was wrong and what to type instead.

Lengths are counted in UTF-16 code units, as Telegram counts message text (an emoji is two), so
a value that passes here also fits in the messages that show it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import phonenumbers
from email_validator import EmailNotValidError, validate_email

NAME_MAX = 100
NOTES_MAX = 2000
INSTRUCTIONS_MAX = 2000
TEAM_NAME_MAX = 100
MAX_AGE_YEARS = 100
ELLIPSIS = "…"
_SPACES = re.compile(r"\s+")
# Kept in multi-line text; every other control character (NUL included) is removed.
_KEPT_CONTROLS = frozenset("\n\t")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: characters outside the BMP (most emoji) count twice."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def clip_utf16(text: str, limit: int) -> str:
    """`text` if it fits in `limit` UTF-16 units, else cut (never inside a pair) with "…"."""
    if utf16_len(text) <= limit:
        return text
    budget = limit - utf16_len(ELLIPSIS)
    kept: list[str] = []
    for ch in text:
        budget -= 2 if ord(ch) > 0xFFFF else 1
        if budget < 0:
            break
        kept.append(ch)
    return "".join(kept).rstrip() + ELLIPSIS


def strip_controls(text: str, *, keep_newlines: bool = False) -> str:
    """Remove control characters and lone surrogates: PostgreSQL refuses NUL, SQLite would keep
    it, and neither belongs in a name or a note. CR LF becomes LF."""
    text = text.replace("\r\n", "\n")
    kept = _KEPT_CONTROLS if keep_newlines else frozenset()
    return "".join(ch for ch in text if ch in kept or unicodedata.category(ch) not in ("Cc", "Cs"))


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", strip_controls(text)).strip()


def fold_key(text: str) -> str:
    """The search form of a name: casefolded, accents removed, spaces collapsed.

    Computed in Python and stored, because SQLite's lower() folds only ASCII ("Иван" stays
    "Иван"), so the same filter finds the same rows on both databases.
    """
    decomposed = unicodedata.normalize("NFKD", collapse_spaces(text).casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).casefold()


def has_letter(text: str) -> bool:
    return any(unicodedata.category(ch).startswith("L") for ch in text)


def clean_person_name(text: str) -> str:
    name = collapse_spaces(text)
    if not name:
        raise ValueError("The name can't be empty. Send the athlete's full name, e.g. Maya Lopez.")
    if utf16_len(name) > NAME_MAX:
        raise ValueError(f"That name is {_counted(name)}; keep it to {NAME_MAX} or fewer.")
    if not has_letter(name):
        raise ValueError("A name needs at least one letter. Send the full name, e.g. Maya Lopez.")
    return name


def clean_title(text: str, *, what: str, limit: int, example: str) -> str:
    """Team and exercise names: 1..limit characters with at least one letter."""
    title = collapse_spaces(text)
    if not title:
        raise ValueError(f"The {what} can't be empty. Send it as text, e.g. {example}.")
    if utf16_len(title) > limit:
        raise ValueError(f"That {what} is {_counted(title)}; keep it to {limit} or fewer.")
    if not has_letter(title):
        raise ValueError(f"The {what} needs at least one letter, e.g. {example}.")
    return title


def clean_email(text: str) -> str:
    candidate = strip_controls(text).strip()
    try:
        result = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError as error:
        # The library's reason is one or two whole sentences; keep them whole.
        reason = str(error).strip()
        if reason and not reason.endswith((".", "!", "?")):
            reason += "."
        raise ValueError(
            f"That doesn't look like an email address. {reason} Send it like name@example.com."
        ) from None
    return result.normalized


def clean_phone(text: str, *, region: str | None = None) -> str:
    """Any common notation in, E.164 out (+14155550123)."""
    candidate = strip_controls(text).strip()
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


@dataclass(frozen=True)
class AmbiguousDate:
    """A slashed date both of whose readings are valid (03/04/2001): ask which one was meant."""

    day_first: date
    month_first: date


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")  # always day first (21.07.2004)
_SLASHED_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")  # day or month first
DATE_FORMAT_HELP = (
    "I couldn't read that date. Use YYYY-MM-DD, DD.MM.YYYY or DD/MM/YYYY, e.g. 2004-07-21."
)


def _make_date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_birthdate(text: str, *, today: date) -> date | AmbiguousDate:
    """A birthdate from what was typed, checked against `today` (the caller's clock).

    Slashed dates are read day first (21/07/2004) or month first (07/21/2004) when only one
    reading is a real date in range; when both are, the outcome is AmbiguousDate.
    """
    candidate = strip_controls(text).strip()
    if match := _ISO_DATE.fullmatch(candidate):
        readings = [_make_date(match[1], match[2], match[3])]
    elif match := _DOTTED_DATE.fullmatch(candidate):
        readings = [_make_date(match[3], match[2], match[1])]
    elif match := _SLASHED_DATE.fullmatch(candidate):
        readings = [
            _make_date(match[3], match[2], match[1]),
            _make_date(match[3], match[1], match[2]),
        ]
    else:
        raise ValueError(DATE_FORMAT_HELP)
    real = list(dict.fromkeys(value for value in readings if value is not None))
    if not real:
        raise ValueError(DATE_FORMAT_HELP)
    in_range: list[date] = []
    first_error: ValueError | None = None
    for value in real:
        try:
            in_range.append(check_birthdate(value, today=today))
        except ValueError as error:
            first_error = first_error or error
    if not in_range:
        assert first_error is not None
        raise first_error
    if len(in_range) == 2:
        return AmbiguousDate(day_first=in_range[0], month_first=in_range[1])
    return in_range[0]


def check_birthdate(value: date, *, today: date) -> date:
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
    value = strip_controls(text, keep_newlines=True).strip()
    if not value:
        raise ValueError(f"The {what} can't be empty. Send some text, or /skip.")
    length = utf16_len(value)
    if length > limit:
        counted = _counted(value)
        raise ValueError(
            f"The {what} are {counted}; keep them to {limit} or fewer."
            if what.endswith("s")
            else f"The {what} is {counted}; keep it to {limit} or fewer."
        )
    return value


def _counted(text: str) -> str:
    length = utf16_len(text)
    if length == len(text):
        return f"{length} characters"
    return f"{length} characters (most emoji count as two)"


def format_phone(e164: str) -> str:
    """A stored +14155550123 as people write it (+1 415-555-0123); unparsable input unchanged."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
