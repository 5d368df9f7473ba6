"""/maxes and /log through the real Application."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import func, select

from bot.insight.delivery import drain_outbox
from storage.models import Max, SetLog, TrainingSession
from tests.bot.conftest import Harness
from tests.bot.helpers import add_athlete, onboard_coach
from tests.bot.test_invites import invite_from_card
from tests.bot.training.helpers import MONDAY_MORNING, coach_and_athlete, set_clock


async def count(harness: Harness, model: type) -> int:
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        return int((await session.exec(select(func.count()).select_from(model))).one())


async def test_athlete_lists_and_enters_maxes(harness: Harness) -> None:
    _, maya = await coach_and_athlete(harness)
    set_clock(harness, MONDAY_MORNING)
    await maya.send("/maxes")
    assert "No maxes yet" in maya.last_text()
    assert "Back squat 140" in maya.last_text()
    await maya.send("Back squat 140")
    assert maya.last_text() == "✅ Max saved: Back Squat 140 kg."
    await maya.send("/maxes Bench press 92,5")
    assert maya.last_text() == "✅ Max saved: Bench Press 92.5 kg."
    await maya.send("/maxes")
    text = maya.last_text()
    assert "Back Squat: 140 kg (tested, 2026-03-02)" in text
    assert "Bench Press: 92.5 kg (tested, 2026-03-02)" in text
    # Bad input: a clear answer, the step stays open, nothing saved.
    for bad, reason in [
        ("Back squat", "Put the weight after the name"),
        ("140", "Start with the exercise's name"),
        ("Back squat -140", "can't be negative"),
        ("Back squat 1000", "at most 600 kg"),
        ("Flibbertigibbet 100", "I don't know an exercise called"),
        ("Back squat heavy", "Put the weight after the name"),
    ]:
        await maya.send(bad)
        assert reason in maya.last_text(), (bad, maya.last_text())
    assert await count(harness, Max) == 2
    await maya.send("/cancel")
    assert "Cancelled" in maya.last_text()
    await maya.send("Back squat 150")  # the step is closed: not a max any more
    assert await count(harness, Max) == 2


async def test_non_athlete_gets_told(harness: Harness) -> None:
    someone = harness.tg.user("someone")
    await someone.send("/maxes")
    assert "Tap the invite link" in someone.last_text()
    await someone.send("/log Squat 3x5 @ 100")
    assert "Tap the invite link" in someone.last_text()


async def test_off_plan_log_and_a_pr_reaches_the_coach_once(harness: Harness) -> None:
    coach, maya = await coach_and_athlete(harness)
    clock = set_clock(harness, MONDAY_MORNING)
    await maya.send("/log")
    assert "/log Squat 3x5 @ 100" in maya.last_text()
    await maya.send("/log Back squat 3x5 @ 100")
    assert maya.last_text() == "📝 Off-plan session logged: ✅ 100×5, 100×5, 100×5 Back Squat"
    clock.now += timedelta(days=2)
    await maya.send("/log Back squat 105x5, 100x5 @8")
    messages = [m.display_text for m in maya.bot_messages()[-2:]]
    assert messages[0] == "📝 Off-plan session logged: ✅ 105×5 @8, 100×5 @8 Back Squat"
    assert "New PR!" in messages[1]
    assert "Back Squat 105 kg × 5: new best e1RM 122.5 kg (was 116.7 kg)" in messages[1]
    before = len(coach.bot_messages())
    await drain_outbox(harness.app)
    await drain_outbox(harness.app)
    notices = coach.bot_messages()[before:]
    assert len(notices) == 1
    assert "Maya Lopez set PRs" in notices[0].display_text
    assert "Back Squat 105 kg × 5 (best e1RM, e1RM 122.5 kg)" in notices[0].display_text
    assert await count(harness, TrainingSession) == 2


async def test_bad_log_lines_change_nothing(harness: Harness) -> None:
    _, maya = await coach_and_athlete(harness)
    set_clock(harness, MONDAY_MORNING)
    for bad, reason in [
        ("/log Back squat 100x", "the reps are missing"),
        ("/log Back squat -5x5", "can't be negative"),
        ("/log Back squat 1000x1000", "at most 600 kg"),
        ("/log Back squat 5,5,4 @", "The load is missing"),
        ("/log Back squat пять по пять", "the reps are missing"),
        ("/log Flibbertigibbet 5x5", "I don't know an exercise called"),
        ("/log 3x5 @ 100", "Start with the exercise's name"),
        ("/log Back squat", "the reps are missing"),
        ("/log Back squat skip", "I couldn't read"),
    ]:
        await maya.send(bad)
        assert reason in maya.last_text(), (bad, maya.last_text())
        assert "Nothing was saved" in maya.last_text()
    assert await count(harness, SetLog) == 0
    assert await count(harness, TrainingSession) == 0


async def test_athlete_in_two_teams_picks_one(harness: Harness) -> None:
    _, maya = await coach_and_athlete(harness)
    rival = await onboard_coach(harness.tg, "rival", "Riverside Lifting")
    await add_athlete(rival, "Maya L.", "rival@example.com")
    await maya.open_link(await invite_from_card(rival))
    set_clock(harness, MONDAY_MORNING)
    await maya.send("/log Back squat 3x5 @ 100")
    assert maya.last_text() == "You train with several teams. Which one?"
    assert maya.buttons() == ["Northside Barbell", "Riverside Lifting"]
    await maya.press("Riverside Lifting")
    assert "Off-plan session logged" in maya.last_text()
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        rows = (await session.exec(select(TrainingSession))).all()
    assert len(rows) == 1
    await maya.send("/maxes")
    await maya.press("Northside Barbell")
    assert "Maxes · Northside Barbell" in maya.last_text()
    await maya.send("Back squat 140")
    assert "Max saved" in maya.last_text()
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        entered = (await session.exec(select(Max))).one()
        org_of_row = entered.organization_id
        athletes = (await session.exec(select(TrainingSession.organization_id))).all()
    assert org_of_row != athletes[0]


async def test_off_plan_log_on_another_day(harness: Harness) -> None:
    _, maya = await coach_and_athlete(harness)
    set_clock(harness, MONDAY_MORNING)
    await maya.send("/log yesterday Back squat 3x5 @ 100")
    assert maya.last_text().startswith("📝 Off-plan session logged for Sun 1 Mar:")
    await maya.send("/log 2026-02-20 Back squat 3x5 @ 100")
    assert maya.last_text().startswith("📝 Off-plan session logged for Fri 20 Feb:")
    for bad, reason in [
        ("/log 2026-02-30 Back squat 3x5 @ 100", "is not a day on the calendar"),
        ("/log 31.04.2026 Back squat 3x5 @ 100", "is not a day on the calendar"),
        ("/log 2026-03-03 Back squat 3x5 @ 100", "is in the future"),
        ("/log 2024-01-01 Back squat 3x5 @ 100", "more than a year back"),
    ]:
        await maya.send(bad)
        assert reason in maya.last_text(), bad
        assert "Nothing was saved" in maya.last_text()
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        days = sorted(
            t.scheduled_for.isoformat() for t in (await session.exec(select(TrainingSession))).all()
        )
    assert days == ["2026-02-20", "2026-03-01"]


async def edit_message(harness: Harness, user: object, text: str) -> None:
    """The user edits a message they sent, so that it reads `text`."""
    data = harness.tg.message_update_data(user, text)  # type: ignore[arg-type]
    message = data.pop("message")
    data["edited_message"] = {**message, "edit_date": message["date"] + 5}
    await harness.tg.deliver(data)


async def test_edited_messages_log_nothing(harness: Harness) -> None:
    _, maya = await coach_and_athlete(harness)
    set_clock(harness, MONDAY_MORNING)
    await maya.send("/log Back squat 3x5 @ 100")
    await edit_message(harness, maya, "/log Back squat 3x5 @ 105")
    assert "Edits of sent messages aren't read" in maya.last_text()
    await maya.send("/maxes")
    await edit_message(harness, maya, "Back squat 150")
    assert "Edits of sent messages aren't read" in maya.last_text()
    await maya.send("Back squat 140")
    assert maya.last_text() == "✅ Max saved: Back Squat 140 kg."
    assert await count(harness, SetLog) == 3
    assert await count(harness, Max) == 1
