"""The session message's buttons: changes, refusals, forged data."""

from __future__ import annotations

from sqlmodel import func, select

from storage.models import SetLog, TrainingSession
from tests.bot.conftest import Harness
from tests.bot.helpers import add_athlete
from tests.bot.test_invites import athlete_named, invite_from_card
from tests.bot.training.helpers import MONDAY_MORNING, assign_program, coach_and_athlete, set_clock

EXPIRED = "That button has expired. Send /start for a fresh menu."
NOT_FOUND = "Not found. It may have been removed, or it isn't yours."


async def count_logs(harness: Harness) -> int:
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        return int((await session.exec(select(func.count()).select_from(SetLog))).one())


async def training_id(harness: Harness) -> str:
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        return (await session.exec(select(TrainingSession))).one().id


async def test_change_a_logged_entry_and_no_max_needs_numbers(harness: Harness) -> None:
    _, maya = await coach_and_athlete(harness)
    set_clock(harness, MONDAY_MORNING)
    await assign_program(harness)
    await maya.send("/today")
    message = maya.last_message()
    assert "⚠️ no max yet: log a set or enter one" in message.display_text
    assert "A1. Back Squat: 5 × 5 @ 80%" in message.display_text
    await maya.press("A1 Back Squat", message=message)
    await maya.press("✅ Done as prescribed", message=message)
    assert "needs your numbers" in (maya.last_answer or "")
    assert await count_logs(harness) == 0
    # Enter the max from the session's button: the loads appear.
    await maya.press("➕ Enter max: Back Squat", message=message)
    await maya.send("heavy")
    assert "I couldn't read" in maya.last_text()
    await maya.send("140")
    assert maya.last_text() == "✅ Max saved: Back Squat 140 kg."
    await maya.send("/today")
    message = maya.last_message()
    assert "A1. Back Squat: 5 × 5 @ 112.5 kg (80%)" in message.display_text
    await maya.press("B Romanian Deadlift", message=message)
    await maya.press("✅ Done as prescribed", message=message)
    assert "✅ 100×8, 100×8, 100×8" in message.display_text
    await maya.press("✅ B Romanian Deadlift", message=message)
    await maya.press("✏️ Change", message=message)
    await maya.send("100x8, 100x8, 100x6")
    assert maya.bot_messages()[-2].display_text == "✅ 100×8, 100×8, 100×6 B Romanian Deadlift"
    await maya.send("/today")
    assert "✅ 100×8, 100×8, 100×6" in maya.last_text()
    assert await count_logs(harness) == 3
    await maya.press("✅ B Romanian Deadlift")
    await maya.press("⏭ Skip")
    assert maya.last_answer == "⏭ Skipped B Romanian Deadlift"
    assert "⏭ skipped" in maya.last_text()
    assert await count_logs(harness) == 1


async def test_forged_and_other_athletes_buttons_are_refused(harness: Harness) -> None:
    coach, maya = await coach_and_athlete(harness)
    set_clock(harness, MONDAY_MORNING)
    await assign_program(harness)
    await maya.send("/today")
    ts = await training_id(harness)
    # Another athlete of the same team presses Maya's buttons: not found, nothing logged.
    await add_athlete(coach, "Leo Park", "leo@example.com")
    leo = athlete_named(harness.tg, "leo", "Leo")
    await leo.open_link(await invite_from_card(coach))
    for data in [f"tdv:{ts}", f"tfi:{ts}", f"tfr:{ts}:8", f"tfm:{ts}:8:60", f"ted:{ts}:x"]:
        await leo.press_data(data)
        assert leo.last_answer == NOT_FOUND, data
    # Maya's own session with data no button makes.
    for data in [f"tfr:{ts}:11", f"tfr:{ts}:0", f"tfm:{ts}:8:99999", f"tfm:{ts}:x:60", "ted:"]:
        await maya.press_data(data)
        assert maya.last_answer == EXPIRED, data
    await maya.press_data(f"ted:{ts}:nosuchentry")
    assert maya.last_answer == NOT_FOUND
    assert await count_logs(harness) == 0
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        row = (await session.exec(select(TrainingSession))).one()
    assert row.finished_at is None


async def test_finishing_twice_and_logging_after_finishing(harness: Harness) -> None:
    _, maya = await coach_and_athlete(harness)
    set_clock(harness, MONDAY_MORNING)
    await maya.send("/maxes Back squat 140")
    await assign_program(harness)
    await maya.send("/today")
    message = maya.last_message()
    await maya.press("A1 Back Squat", message=message)
    assert message.reply_markup is not None
    done = message.reply_markup["inline_keyboard"][0][0]["callback_data"]
    log = message.reply_markup["inline_keyboard"][1][0]["callback_data"]
    await maya.press("« Session", message=message)
    ts = await training_id(harness)
    await maya.press_data(f"tfm:{ts}:9:45", message=message)
    assert "🏁 Finished: session RPE 9, 45 min." in message.display_text
    await maya.press_data(f"tfm:{ts}:5:20", message=message)
    assert maya.last_answer == "Already finished."
    await maya.press_data(f"tfi:{ts}", message=message)
    assert maya.last_answer == "Already finished."
    await maya.press_data(done, message=message)
    assert maya.last_answer == "This session is finished: it can't be changed any more."
    await maya.press_data(log, message=message)
    assert maya.last_answer == "This session is finished: it can't be changed any more."
    assert await count_logs(harness) == 0
