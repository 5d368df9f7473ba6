"""Stopping the bot in the middle of any conversation: the next process resumes it.

A clean stop here; a real `kill -9` of a bot process in the middle of a backlog is in
test_kill.py.
"""

from __future__ import annotations

from telegram.ext import ConversationHandler

from tests.bot.conftest import Harness
from tests.bot.helpers import add_athlete, athletes_in_db, onboard_coach


async def test_athlete_field_edit_resumes(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await add_athlete(coach, "Maya")
    await coach.press("✏️ Edit")
    await coach.press("Email")
    await harness.restart()
    await coach.send("maya@example.com")
    assert "Email updated" in coach.bot_messages()[-2].display_text
    [athlete] = await athletes_in_db(harness)
    assert athlete.email == "maya@example.com"


async def test_new_exercise_resumes_with_its_answers(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/newexercise")
    await coach.send("Tempo Goblet Squat")
    await coach.press("Squat")
    await coach.press("Quadriceps")
    await harness.restart()
    await coach.press("Glutes")
    await coach.press("✔️ Done")
    await coach.press("✔️ Done")
    await harness.restart()
    await coach.press("Kettlebell")
    await coach.send("/skip")
    summary = coach.last_text()
    assert "Tempo Goblet Squat" in summary and "Quadriceps, Glutes" in summary
    await coach.press("✅ Save")
    assert "Tempo Goblet Squat" in coach.last_text()


async def test_state_is_read_when_its_user_returns_not_at_start(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    other = await onboard_coach(harness.tg, "other")
    await coach.send("/addathlete")
    await coach.send("Maya")
    await other.send("/addathlete")
    app = await harness.restart()
    # Nothing in memory after a start: however many left a form, restarts stay small and fast.
    conversations = [
        h for hs in app.handlers.values() for h in hs if isinstance(h, ConversationHandler)
    ]
    assert all(not h._conversations for h in conversations)
    assert not any(app.user_data.values())
    # The coach's next answer finds the form where it was, with the name typed before.
    await coach.send("maya@example.com")
    assert "phone" in coach.last_text()
    await coach.send("/skip")
    await coach.send("/skip")
    await coach.press("Female")
    await coach.send("/skip")
    assert "Maya" in coach.last_text() and "maya@example.com" in coach.last_text()
    # The other coach's form was read only now, and is still theirs.
    assert not any(app.user_data.get(other.id, {}).values())
    await other.send("Ana")
    assert "email" in other.last_text()
