"""Abandoned forms expire: a form untouched for FORM_TIMEOUT_HOURS is closed when its user
returns (they are told, nothing from it is saved), and its stored state is pruned at start."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import col, select

from bot.core import forms
from fake_telegram import LocalUser
from storage.models import ConversationState, UserData
from storage.models.base import utcnow
from tests.bot.conftest import Harness
from tests.bot.helpers import athletes_in_db, onboard_coach
from tests.insight.clock import MovableClock

EXPIRED = "Your unfinished form (adding an athlete) was closed after 24 hours without an answer"


def _attach(harness: Harness) -> MovableClock:
    clock = MovableClock(utcnow())
    clock.attach(harness.app)
    return clock


async def start_athlete_form(coach: LocalUser, name: str = "Maya") -> None:
    await coach.send("/addathlete")
    await coach.send(name)  # now at the email step


async def stored_state(harness: Harness, coach: LocalUser) -> tuple[list[str], dict | None]:
    """The coach's conversation rows (keys) and user_data row, as in the database."""
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        states = (
            await session.exec(
                select(ConversationState).where(col(ConversationState.key).contains(str(coach.id)))
            )
        ).all()
        data = await session.get(UserData, coach.id)
        return [row.name for row in states], (dict(data.data) if data is not None else None)


async def test_form_left_25_hours_is_closed_with_a_word(harness: Harness) -> None:
    clock = _attach(harness)
    coach = await onboard_coach(harness.tg)
    await start_athlete_form(coach)
    clock.advance(timedelta(hours=25))
    await coach.send("maya@example.com")
    texts = [m.display_text for m in coach.bot_messages()[-2:]]
    assert EXPIRED in texts[0] and "nothing from it was saved" in texts[0]
    # The message is then handled as if no form were open.
    assert "not sure what to do with that" in texts[1]
    assert await athletes_in_db(harness) == []
    names, data = await stored_state(harness, coach)
    assert forms.CONVERSATION not in names
    assert data is None or forms.OPEN_KEY not in data
    # A new form starts straight away (no "finish or drop" question about the old one).
    await coach.send("/addathlete")
    assert "still" not in coach.last_text() and "Drop" not in str(coach.keyboard())


async def test_button_of_an_expired_form_is_answered(harness: Harness) -> None:
    clock = _attach(harness)
    coach = await onboard_coach(harness.tg)
    await start_athlete_form(coach)
    for _ in range(5):
        await coach.send("/skip")
    assert "Save" in str(coach.keyboard())
    clock.advance(timedelta(hours=25))
    await coach.press("✅ Save")
    assert EXPIRED in coach.last_text()
    assert await athletes_in_db(harness) == []


async def test_form_left_23_hours_continues(harness: Harness) -> None:
    clock = _attach(harness)
    coach = await onboard_coach(harness.tg)
    await start_athlete_form(coach)
    # Each answer is a touch: 23 h between every two of them never expires the form.
    for _ in range(5):
        clock.advance(timedelta(hours=23))
        await coach.send("/skip")
        assert EXPIRED not in coach.last_text()
    clock.advance(timedelta(hours=23))
    await coach.press("✅ Save")
    assert "is on your roster" in coach.bot_messages()[-2].display_text
    [athlete] = await athletes_in_db(harness)
    assert athlete.name == "Maya"


async def test_restart_prunes_expired_rows_and_keeps_fresh_ones(harness: Harness) -> None:
    stale = await onboard_coach(harness.tg, "stale", team="Stale Barbell")
    fresh = await onboard_coach(harness.tg, "fresh", team="Fresh Barbell")
    await start_athlete_form(stale, "Old")
    await start_athlete_form(fresh, "New")
    # The stale coach's rows were last written 25 hours ago.
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        old = utcnow() - timedelta(hours=25)
        await session.execute(
            sa.update(ConversationState)
            .where(col(ConversationState.key).contains(str(stale.id)))
            .values(updated_at=old)
        )
        await session.execute(
            sa.update(UserData)
            .where(col(UserData.telegram_user_id) == stale.id)
            .values(updated_at=old)
        )
        await session.commit()
    await harness.restart()
    names, data = await stored_state(harness, stale)
    assert names == [] and data is None
    assert harness.app.user_data.get(stale.id, {}) == {}
    names, data = await stored_state(harness, fresh)
    assert forms.CONVERSATION in names and data is not None and forms.OPEN_KEY in data
    # The fresh form goes on where it was; the stale coach's text meets no form.
    await fresh.send("new@example.com")
    assert "Phone" in fresh.last_text() or "phone" in fresh.last_text()
    await stale.send("old@example.com")
    assert "not sure what to do with that" in stale.last_text()


async def test_read_only_command_touches_the_form(harness: Harness) -> None:
    """/help mid-form keeps the form alive (it is a touch), without a write every time."""
    clock = _attach(harness)
    coach = await onboard_coach(harness.tg)
    await start_athlete_form(coach)
    clock.advance(timedelta(hours=20))
    await coach.send("/help")
    _, touched = await stored_state(harness, coach)
    clock.advance(timedelta(seconds=30))
    await coach.send("/help")
    _, again = await stored_state(harness, coach)
    assert touched == again  # under a minute later: nothing written
    clock.advance(timedelta(hours=20))
    await coach.send("maya@example.com")
    assert EXPIRED not in coach.bot_messages()[-2].display_text
    assert EXPIRED not in coach.last_text()
