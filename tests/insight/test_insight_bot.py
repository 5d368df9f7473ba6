"""Readiness checks, progress charts and notification settings through the real Application."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from storage.insight.series import e1rm_series, weekly_volume
from storage.models import Athlete, NoticeKind, NotificationSetting, ReadinessCheck
from storage.queries.insight import logged_sets
from tests.bot.conftest import Harness
from tests.bot.training.helpers import MONDAY_MORNING, coach_and_athlete, set_clock
from tests.insight.test_charts import png_size


async def rows(harness: Harness, model: type) -> list:  # type: ignore[type-arg]
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        return list((await session.exec(select(model))).all())


async def test_readiness_check_four_taps_saved_and_low_flagged(harness: Harness) -> None:
    _, maya = await coach_and_athlete(harness)
    set_clock(harness, MONDAY_MORNING)
    await maya.send("/readiness")
    assert "Question 1 of 4" in maya.last_text() and "sleep" in maya.last_text()
    assert maya.buttons() == ["1", "2", "3", "4", "5"]
    for value, next_words in (("2", "sore"), ("1", "stressed"), ("3", "energy")):
        await maya.press(value)
        assert next_words in maya.last_text()
    await maya.press("2")
    assert "Readiness 8/20 saved" in maya.last_text() and "low" in maya.last_text()
    [check] = await rows(harness, ReadinessCheck)
    assert (check.sleep, check.soreness, check.stress, check.energy) == (2, 1, 3, 2)
    assert (check.day, check.total, check.low) == (date(2026, 3, 2), 8, True)
    # Answering again the same day replaces the answers.
    await maya.send("/readiness")
    for value in "5454":
        await maya.press(value)
    assert "Readiness 18/20 saved" in maya.last_text() and "low" not in maya.last_text()
    [check] = await rows(harness, ReadinessCheck)
    assert (check.total, check.low) == (18, False)


async def test_readiness_buttons_refuse_forgery_and_other_athletes(harness: Harness) -> None:
    coach, maya = await coach_and_athlete(harness)
    set_clock(harness, MONDAY_MORNING)
    [athlete] = await rows(harness, Athlete)
    await maya.send("/readiness")
    await maya.press_data(f"ir:{athlete.id}:20260302:9")  # not on the scale
    await maya.press_data(f"ir:{athlete.id}:20260399:1")  # no such day
    await maya.press_data(f"ir:{athlete.id}:20260310:1")  # a future day
    await maya.press_data(f"ir:{athlete.id}:20260201:1234")  # long past
    assert "earlier day" in (maya.last_answer or "")
    await coach.send("/start")
    await coach.press_data(f"ir:{athlete.id}:20260302:1234")  # not the coach's own record
    assert "Not found" in (coach.last_answer or "")
    assert await rows(harness, ReadinessCheck) == []
    harness.tg.errors.clear()  # the forged ones were answered by the error handler
    await maya.send("/readiness")
    assert "Question 1 of 4" in maya.last_text()


async def test_progress_charts_for_athlete_and_coach_plot_what_was_logged(
    harness: Harness,
) -> None:
    coach, maya = await coach_and_athlete(harness)
    clock = set_clock(harness, MONDAY_MORNING)
    await maya.send("/progress")
    assert "Nothing logged yet" in maya.last_text()
    for line in ("Back squat 3x5 @ 100", "Bench press 5x5 @ 70", "Back squat 105x5, 100x5"):
        await maya.send(f"/log {line}")
        clock.now += timedelta(days=3)
    await maya.send("/log Back squat 1x1 @ 130")
    await maya.send("/progress")
    assert maya.buttons() == ["📈 Back Squat", "📈 Bench Press", "📊 Weekly volume"]
    await maya.press("📈 Back Squat")
    photo = maya.last_message()
    assert photo.photo is not None and "Back Squat" in photo.display_text
    png_size(photo.photo)
    assert "3 days, top 130 kg" in photo.display_text
    [athlete] = await rows(harness, Athlete)
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        squat_sets = await logged_sets(
            session,
            organization_id=athlete.organization_id,
            athlete_id=athlete.id,
            exercise_id=None,
        )
    squats = [s for s in squat_sets if s.pattern == "squat"]
    assert [(p.day, p.value) for p in e1rm_series(squats)] == [
        (date(2026, 3, 2), 116.7),
        (date(2026, 3, 8), 122.5),
        (date(2026, 3, 11), 130.0),
    ]
    volume = weekly_volume(squat_sets)
    assert volume.weeks == [date(2026, 3, 2), date(2026, 3, 9)]
    assert volume.by_pattern["squat"] == [1500.0 + 1025.0, 130.0]
    assert volume.by_pattern["push"] == [1750.0, 0.0]
    await maya.send("/progress")
    await maya.press("📊 Weekly volume")
    assert maya.last_message().photo is not None
    assert "Weekly volume" in maya.last_text()
    # The coach, from the athlete's card
    await coach.send("/athletes")
    await coach.press("🟢 Maya Lopez 🔗")
    await coach.press("📈 Progress")
    assert "Maya Lopez" in coach.last_text()
    await coach.press("📈 Bench Press")
    assert coach.last_message().photo is not None
    assert "top 81.7 kg" in coach.last_text()
    await coach.press("⬅️ Back to card")  # on the menu above the photo
    assert "Maya Lopez" in coach.last_text() and "📈 Progress" in coach.buttons()


async def test_progress_of_another_team_is_not_found(harness: Harness) -> None:
    await coach_and_athlete(harness)
    [athlete] = await rows(harness, Athlete)
    rival = harness.tg.user("rival")
    await rival.send("/start")
    await rival.send("Riverside Lifting")
    for data in (f"ipg:{athlete.id}", f"ipv:{athlete.id}", f"ipe:{athlete.id}:nothing"):
        await rival.press_data(data)
        assert "Not found" in (rival.last_answer or "")


async def test_notification_settings_for_coach_and_athlete(harness: Harness) -> None:
    coach, maya = await coach_and_athlete(harness)
    await coach.send("/notifications")
    assert "Daily digest · Northside Barbell: 08:00 (UTC)" in coach.last_text()
    await coach.press("🕗 Daily digest · Northside Barbell")
    await coach.press("18:00")
    assert coach.last_answer == "Daily digest at 18:00."
    assert "Daily digest · Northside Barbell: 18:00" in coach.last_text()
    await coach.press("🕗 Daily digest · Northside Barbell")
    await coach.press("🔕 Off")
    assert "Daily digest · Northside Barbell: off" in coach.last_text()
    await maya.send("/notifications")
    assert "Session reminder · Northside Barbell: 07:00" in maya.last_text()
    await maya.press("🕗 Session reminder · Northside Barbell")
    await maya.press("06:00")
    assert "Session reminder · Northside Barbell: 06:00" in maya.last_text()
    settings = {s.kind: s for s in await rows(harness, NotificationSetting)}
    assert (settings[NoticeKind.DIGEST].enabled, settings[NoticeKind.DIGEST].minute) == (
        False,
        18 * 60,
    )
    assert (settings[NoticeKind.REMINDER].enabled, settings[NoticeKind.REMINDER].minute) == (
        True,
        6 * 60,
    )
    # Someone else's team, or a forged time: refused, nothing changes.
    [athlete] = await rows(harness, Athlete)
    await maya.press_data(f"ins:d:{athlete.organization_id}:0900")
    assert "Not found" in (maya.last_answer or "")
    await maya.press_data(f"ins:r:{athlete.organization_id}:2561")
    harness.tg.errors.clear()
    assert {s.kind: s.minute for s in await rows(harness, NotificationSetting)} == {
        NoticeKind.DIGEST: 18 * 60,
        NoticeKind.REMINDER: 6 * 60,
    }
    stranger = harness.tg.user("stranger")
    await stranger.send("/notifications")
    assert "daily digest" in stranger.last_text()
