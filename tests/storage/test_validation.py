from __future__ import annotations

from datetime import date

import pytest

from storage import validation


@pytest.mark.parametrize(
    ("text", "expected"),
    [("  Maya   Lopez ", "Maya Lopez"), ("Zoë O'Neil-Ávila", "Zoë O'Neil-Ávila"), ("李娜", "李娜")],
)
def test_person_name_is_cleaned(text: str, expected: str) -> None:
    assert validation.clean_person_name(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "12345", "!!! ???", "x" * 101, "🏋️"])
def test_person_name_refusals(text: str) -> None:
    with pytest.raises(ValueError, match=r"name|characters"):
        validation.clean_person_name(text)


def test_email_is_normalised_and_bad_ones_refused() -> None:
    assert validation.clean_email(" Maya@Example.COM ") == "Maya@example.com"
    for bad in ["maya", "maya@", "@example.com", "maya@@example.com", "maya@example"]:
        with pytest.raises(ValueError, match="email"):
            validation.clean_email(bad)


def test_phone_is_stored_as_e164() -> None:
    assert validation.clean_phone("(415) 555-0123", region="US") == "+14155550123"
    assert validation.clean_phone("+44 20 7946 0958") == "+442079460958"
    assert validation.clean_phone("030 901820", region="DE") == "+4930901820"
    for bad in ["call me", "123", "+1 555"]:
        with pytest.raises(ValueError, match="phone"):
            validation.clean_phone(bad, region="US")


def test_birthdate_formats_and_bounds() -> None:
    today = date(2026, 11, 23)
    for text in ["2004-07-21", "21.07.2004", "21/07/2004"]:
        assert validation.parse_birthdate(text, today=today) == date(2004, 7, 21)
    with pytest.raises(ValueError, match="future"):
        validation.parse_birthdate("2027-01-01", today=today)
    with pytest.raises(ValueError, match="100 years"):
        validation.parse_birthdate("1900-01-01", today=today)
    for bad in ["21-07-2004", "2004/07/21", "tomorrow", "31.02.2004"]:
        with pytest.raises(ValueError, match="YYYY-MM-DD"):
            validation.parse_birthdate(bad, today=today)


def test_notes_limit() -> None:
    assert validation.clean_long_text(" ok ", what="notes", limit=10) == "ok"
    with pytest.raises(ValueError, match="2000"):
        validation.clean_long_text("x" * 2001, what="notes", limit=2000)
