"""The program builder as a demanding coach finds it: names never replaced silently, every
press answered once, a compact preview, notices that stay visible, renaming from the card."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Exercise, ProgramEntry
from tests.bot.conftest import Harness
from tests.bot.helpers import onboard_coach
from tests.bot.programs.test_program_input import count, to_session_step


async def test_a_name_search_is_unsure_of_is_asked_never_replaced(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await to_session_step(coach)
    before = await count(harness, Exercise)
    await coach.send("Zercher deadlift 3x5 @ 100kg")
    asked = coach.last_text()
    assert "Line 1" in asked and "Zercher deadlift" in asked, asked
    assert "➕ Create as our exercise" in coach.buttons()
    await coach.press("➕ Create as our exercise")
    await coach.press("Hinge")
    preview = "\n".join(m.display_text for m in coach.bot_messages()[-3:])
    assert "Zercher deadlift 🆕" in preview, preview
    await coach.press("✅ Save")
    assert await count(harness, Exercise) == before + 1
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        entry = (await session.exec(select(ProgramEntry))).one()
        exercise = await session.get(Exercise, entry.exercise_id)
        assert exercise is not None and exercise.name == "Zercher deadlift"
