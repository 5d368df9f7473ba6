"""Pure input rules shared by the storage models and the bot's conversation steps.

Each function takes what a person typed and returns the clean value, or raises FieldError (a
ValueError) whose code and params say what was wrong; `bot/` words it and says what to type.

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

from storage.errors import ErrorCode, FieldError, Subject

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
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


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
        raise FieldError(ErrorCode.NAME_EMPTY)
    if utf16_len(name) > NAME_MAX:
        raise FieldError(ErrorCode.NAME_TOO_LONG, **_counted(name), limit=NAME_MAX)
    if not has_letter(name):
        raise FieldError(ErrorCode.NAME_NO_LETTER)
    return name


def clean_title(text: str, *, subject: Subject, limit: int) -> str:
    """Team and exercise names: 1..limit characters with at least one letter."""
    title = collapse_spaces(text)
    if not title:
        raise FieldError(ErrorCode.TITLE_EMPTY, subject=subject)
    if utf16_len(title) > limit:
        raise FieldError(ErrorCode.TITLE_TOO_LONG, subject=subject, **_counted(title), limit=limit)
    if not has_letter(title):
        raise FieldError(ErrorCode.TITLE_NO_LETTER, subject=subject)
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
        raise FieldError(ErrorCode.EMAIL_INVALID, reason=reason) from None
    return result.normalized


def clean_phone(text: str, *, region: str | None = None) -> str:
    """Any common notation in, E.164 out (+14155550123)."""
    candidate = strip_controls(text).strip()
    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        raise FieldError(ErrorCode.PHONE_UNREADABLE) from None
    if not phonenumbers.is_valid_number(number):
        raise FieldError(ErrorCode.PHONE_INVALID)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True)
class AmbiguousDate:
    """A slashed date both of whose readings are valid (03/04/2001): ask which one was meant."""

    day_first: date
    month_first: date


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")  # always day first (21.07.2004)
_SLASHED_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")  # day or month first


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
        raise FieldError(ErrorCode.DATE_UNREADABLE)
    real = list(dict.fromkeys(value for value in readings if value is not None))
    if not real:
        raise FieldError(ErrorCode.DATE_UNREADABLE)
    in_range: list[date] = []
    first_error: FieldError | None = None
    for value in real:
        try:
            in_range.append(check_birthdate(value, today=today))
        except FieldError as error:
            first_error = first_error or error
    if not in_range:
        assert first_error is not None
        raise first_error
    if len(in_range) == 2:
        return AmbiguousDate(day_first=in_range[0], month_first=in_range[1])
    return in_range[0]


def check_birthdate(value: date, *, today: date) -> date:
    if value > today:
        raise FieldError(ErrorCode.BIRTHDATE_FUTURE)
    try:
        oldest = today.replace(year=today.year - MAX_AGE_YEARS)
    except ValueError:  # 29 February
        oldest = today.replace(year=today.year - MAX_AGE_YEARS, day=28)
    if value < oldest:
        raise FieldError(ErrorCode.BIRTHDATE_TOO_OLD, years=MAX_AGE_YEARS)
    return value


def clean_long_text(text: str, *, subject: Subject, limit: int) -> str:
    value = strip_controls(text, keep_newlines=True).strip()
    if not value:
        raise FieldError(ErrorCode.TEXT_EMPTY, subject=subject)
    if utf16_len(value) > limit:
        raise FieldError(ErrorCode.TEXT_TOO_LONG, subject=subject, **_counted(value), limit=limit)
    return value


def _counted(text: str) -> dict[str, object]:
    """The length as Telegram counts it, and whether emoji made it differ from what one sees."""
    length = utf16_len(text)
    return {"length": length, "emoji": length != len(text)}


def format_phone(e164: str) -> str:
    """A stored +14155550123 as people write it (+1 415-555-0123); unparsable input unchanged."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
