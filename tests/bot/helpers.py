"""Conversations the bot tests share, spoken through the chat harness."""

from __future__ import annotations

from sqlmodel import col, select

from fake_telegram import LocalTelegram, LocalUser
from storage.models import Athlete
from tests.bot.conftest import Harness


async def onboard_coach(
    tg: LocalTelegram, name: str = "coach", team: str = "Northside Barbell"
) -> LocalUser:
    coach = tg.user(name, first_name=name.capitalize(), username=f"{name}_tg")
    await coach.send("/start")
    await coach.send(team)
    assert "is ready" in coach.last_text()
    return coach


async def add_athlete(coach: LocalUser, name: str, email: str | None = None) -> None:
    """The shortest /addathlete: a name, every optional step skipped, Save."""
    await coach.send("/addathlete")
    await coach.send(name)
    await coach.send(email or "/skip")
    for _ in range(4):
        await coach.send("/skip")
    await coach.press("✅ Save")
    assert "is on your roster" in coach.bot_messages()[-2].display_text


async def athletes_in_db(harness: Harness) -> list[Athlete]:
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        rows = await session.exec(select(Athlete).order_by(col(Athlete.name)))
        return list(rows.all())
