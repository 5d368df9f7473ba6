"""/settings for coaches: time zone, unit, rounding; loads follow them."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Organization
from tests.bot.conftest import Harness
from tests.bot.training.helpers import MONDAY_MORNING, assign_program, coach_and_athlete, set_clock


async def team(harness: Harness) -> Organization:
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        return (await session.exec(select(Organization))).one()


async def test_settings_change_time_zone_unit_and_rounding(harness: Harness) -> None:
    coach, maya = await coach_and_athlete(harness)
    set_clock(harness, MONDAY_MORNING)
    await coach.send("/settings")
    assert "Time zone: UTC" in coach.last_text()
    assert "Unit: kg" in coach.last_text() and "Rounding: 2.5 kg" in coach.last_text()
    await coach.press("🌍 Time zone")
    assert "IANA name" in coach.last_text()
    for bad in ["Mars/Olympus", "Berlin", "../../etc/passwd", "Europe/Berlin; DROP TABLE"]:
        await coach.send(bad)
        assert "isn't a time zone I know" in coach.last_text(), bad
        assert (await team(harness)).timezone == "UTC"
    await coach.send("Europe/Berlin")
    assert coach.bot_messages()[-2].display_text == "✅ Time zone set to Europe/Berlin."
    assert "Time zone: Europe/Berlin" in coach.last_text()
    await coach.press("⚖️ Use lb")
    assert "Unit: lb" in coach.last_text() and "Rounding: 5 lb" in coach.last_text()
    await coach.press("🔢 Rounding")
    await coach.press("10 lb")
    assert "Rounding: 10 lb" in coach.last_text()
    saved = await team(harness)
    assert (saved.timezone, saved.weight_unit, saved.rounding_increment) == (
        "Europe/Berlin",
        "lb",
        10,
    )

    # The athlete's loads follow: 140 kg max = 308.6 lb; 80 % = 246.9 -> 250 lb (10 lb steps).
    await maya.send("/maxes Back squat 140kg")
    assert maya.last_text() == "✅ Max saved: Back Squat 308.6 lb."
    await assign_program(harness)
    await maya.send("/today")
    assert "A1. Back Squat: 5 × 5 @ 250 lb (80%)" in maya.last_text()
    await maya.send("/log Back squat 3x5 @ 225")
    assert "225×5" in maya.last_text()


async def test_settings_are_for_coaches(harness: Harness) -> None:
    _, maya = await coach_and_athlete(harness)
    await maya.send("/settings")
    assert "That's for coaches" in maya.last_text()


async def test_forged_settings_buttons_are_refused(harness: Harness) -> None:
    coach, _ = await coach_and_athlete(harness)
    await coach.send("/settings")
    await coach.press_data("tsu:stone")
    assert coach.last_answer == "That button has expired. Send /start for a fresh menu."
    await coach.press_data("tsv:3.14")
    assert coach.last_answer == "That button has expired. Send /start for a fresh menu."
    await coach.press_data("tsv:10")  # a pound step, from before the team went back to kg
    assert "out of date" in (coach.last_answer or "")
    saved = await team(harness)
    assert (saved.weight_unit, saved.rounding_increment) == ("kg", 2.5)
