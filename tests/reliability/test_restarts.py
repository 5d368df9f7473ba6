"""Stopping the bot in the middle of any conversation: the next process resumes it.

A clean stop here; a real `kill -9` of a bot process in the middle of a backlog is in
test_kill.py.
"""

from __future__ import annotations

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
