"""Stopping the bot in the middle of any conversation: the next process resumes it."""

from __future__ import annotations

import pytest

from tests.bot.conftest import Harness
from tests.bot.helpers import add_athlete, athletes_in_db, onboard_coach


@pytest.mark.parametrize("abrupt", [False, True], ids=["clean", "abrupt"])
async def test_athlete_field_edit_resumes(harness: Harness, abrupt: bool) -> None:
    coach = await onboard_coach(harness.tg)
    await add_athlete(coach, "Maya")
    await coach.press("✏️ Edit")
    await coach.press("Email")
    await harness.restart(abrupt=abrupt)
    await coach.send("maya@example.com")
    assert "Email updated" in coach.bot_messages()[-2].display_text
    [athlete] = await athletes_in_db(harness)
    assert athlete.email == "maya@example.com"


@pytest.mark.parametrize("abrupt", [False, True], ids=["clean", "abrupt"])
async def test_new_exercise_resumes_with_its_answers(harness: Harness, abrupt: bool) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/newexercise")
    await coach.send("Tempo Goblet Squat")
    await coach.press("Squat")
    await coach.press("Quadriceps")
    await harness.restart(abrupt=abrupt)
    await coach.press("Glutes")
    await coach.press("✔️ Done")
    await coach.press("✔️ Done")
    await harness.restart(abrupt=abrupt)
    await coach.press("Kettlebell")
    await coach.send("/skip")
    summary = coach.last_text()
    assert "Tempo Goblet Squat" in summary and "Quadriceps, Glutes" in summary
    await coach.press("✅ Save")
    assert "Tempo Goblet Squat" in coach.last_text()


async def test_an_abrupt_stop_never_loses_a_saved_athlete(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await add_athlete(coach, "Saved Before The Crash")
    await coach.send("/addathlete")
    await coach.send("Typed Just Before The Crash")
    await harness.restart(abrupt=True)
    assert [a.name for a in await athletes_in_db(harness)] == ["Saved Before The Crash"]
    await coach.send("/skip")  # the form goes on at the email step
    assert "phone" in coach.last_text()
