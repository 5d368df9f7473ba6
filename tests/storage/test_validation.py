from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.texts import error_text
from storage import validation
from storage.errors import Subject
from tests.worded import raises_worded


@pytest.mark.parametrize(
    ("text", "expected"),
    [("  Maya   Lopez ", "Maya Lopez"), ("Zoë O'Neil-Ávila", "Zoë O'Neil-Ávila"), ("李娜", "李娜")],
)
def test_person_name_is_cleaned(text: str, expected: str) -> None:
    assert validation.clean_person_name(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "12345", "!!! ???", "x" * 101, "🏋️"])
def test_person_name_refusals(text: str) -> None:
    with raises_worded(ValueError, r"name|characters"):
        validation.clean_person_name(text)


def test_email_is_normalised_and_bad_ones_refused() -> None:
    assert validation.clean_email(" Maya@Example.COM ") == "Maya@example.com"
    for bad in ["maya", "maya@", "@example.com", "maya@@example.com", "maya@example"]:
        with raises_worded(ValueError, "email"):
            validation.clean_email(bad)


def test_phone_is_stored_as_e164() -> None:
    assert validation.clean_phone("(415) 555-0123", region="US") == "+14155550123"
    assert validation.clean_phone("+44 20 7946 0958") == "+442079460958"
    assert validation.clean_phone("030 901820", region="DE") == "+4930901820"
    for bad in ["call me", "123", "+1 555"]:
        with raises_worded(ValueError, "phone"):
            validation.clean_phone(bad, region="US")


def test_birthdate_formats_and_bounds() -> None:
    today = date(2026, 11, 23)
    for text in ["2004-07-21", "21.07.2004", "21/07/2004"]:
        assert validation.parse_birthdate(text, today=today) == date(2004, 7, 21)
    with raises_worded(ValueError, "future"):
        validation.parse_birthdate("2027-01-01", today=today)
    with raises_worded(ValueError, "100 years"):
        validation.parse_birthdate("1900-01-01", today=today)
    for bad in ["21-07-2004", "2004/07/21", "tomorrow", "31.02.2004"]:
        with raises_worded(ValueError, "YYYY-MM-DD"):
            validation.parse_birthdate(bad, today=today)


def test_notes_limit() -> None:
    assert validation.clean_long_text(" ok ", subject=Subject.NOTES, limit=10) == "ok"
    with raises_worded(ValueError, "2000"):
        validation.clean_long_text("x" * 2001, subject=Subject.NOTES, limit=2000)


def test_fold_key_ignores_case_and_accents_in_any_script() -> None:
    assert validation.fold_key("Иван Петров") == validation.fold_key("иван петров")
    assert validation.fold_key("Zoë Åkesson") == "zoe akesson"
    assert validation.fold_key("  STRAßE\u00a0 Müller ") == "strasse muller"
    assert validation.fold_key("Ана\x00") == "ана"


def test_control_characters_are_removed_everywhere() -> None:
    assert validation.clean_person_name("Maya\x00 Lo\x1bpez") == "Maya Lopez"
    assert validation.clean_title("Front\x00 Squat", subject=Subject.EXERCISE_NAME, limit=100) == (
        "Front Squat"
    )
    assert validation.clean_long_text(
        "knee\x00\r\nhip\tok\x07", subject=Subject.NOTES, limit=50
    ) == ("knee\nhip\tok")
    assert validation.clean_email("maya@exam\x00ple.com") == "maya@example.com"
    assert validation.clean_phone("+1 415\x00 555 0123") == "+14155550123"
    assert validation.collapse_spaces("a\x00\ud800 b") == "a b"
    with raises_worded(ValueError, "empty"):
        validation.clean_long_text("\x00\x01", subject=Subject.NOTES, limit=10)


def test_lengths_are_counted_in_utf16_units_as_telegram_counts() -> None:
    assert validation.utf16_len("💪") == 2
    assert validation.utf16_len("a💪é") == 4


@given(st.text())
def test_utf16_length_is_what_the_text_occupies_in_utf16(text: str) -> None:
    units = sum(2 if ord(character) > 0xFFFF else 1 for character in text)
    assert validation.utf16_len(text) == units
    with raises_worded(ValueError, "emoji"):
        validation.clean_long_text("💪" * 1001, subject=Subject.NOTES, limit=2000)
    assert validation.clean_long_text("💪" * 1000, subject=Subject.NOTES, limit=2000) == "💪" * 1000
    with raises_worded(ValueError, "emoji"):
        validation.clean_person_name("Maya " + "💪" * 48)


def test_clip_keeps_within_the_limit_and_never_splits_an_emoji() -> None:
    assert validation.clip_utf16("short", 10) == "short"
    clipped = validation.clip_utf16("💪" * 10, 7)
    assert clipped == "💪💪💪…"
    assert validation.utf16_len(clipped) <= 7
    assert validation.clip_utf16("abc def", 6) == "abc d…"


def test_ambiguous_slashed_dates_are_an_outcome_not_a_guess() -> None:
    today = date(2026, 11, 23)
    outcome = validation.parse_birthdate("03/04/2001", today=today)
    assert outcome == validation.AmbiguousDate(
        day_first=date(2001, 4, 3), month_first=date(2001, 3, 4)
    )
    # Only one reading is a real date: no question.
    assert validation.parse_birthdate("21/07/2004", today=today) == date(2004, 7, 21)
    assert validation.parse_birthdate("07/21/2004", today=today) == date(2004, 7, 21)
    # Same day and month, and dotted dates (always day first): no question either.
    assert validation.parse_birthdate("04/04/2001", today=today) == date(2001, 4, 4)
    assert validation.parse_birthdate("03.04.2001", today=today) == date(2001, 4, 3)
    # One reading lies in the future: the other is meant.
    assert validation.parse_birthdate("11/12/2026", today=today) == date(2026, 11, 12)


def test_birthdate_rules_use_the_given_day_not_the_machine_clock() -> None:
    past = date(2001, 1, 1)
    with raises_worded(ValueError, "future"):
        validation.parse_birthdate("2001-05-01", today=past)
    with raises_worded(ValueError, "future"):
        validation.check_birthdate(date(2001, 5, 1), today=past)


def test_email_errors_read_as_plain_sentences() -> None:
    for bad in ["maya", "maya@", "maya@example", "maya@@example.com"]:
        with pytest.raises(ValueError) as caught:
            validation.clean_email(bad)
        message = error_text(caught.value)
        assert "(" not in message and ".)" not in message and ".." not in message
        assert message.endswith("Send it like name@example.com.")


def test_phones_are_shown_the_way_people_write_them() -> None:
    assert validation.format_phone("+14155550123") == "+1 415-555-0123"
    assert validation.format_phone("+442079460958") == "+44 20 7946 0958"
    assert validation.format_phone("not a number") == "not a number"
