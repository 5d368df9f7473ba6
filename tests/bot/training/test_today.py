"""The athlete's training day through the real Application."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.insight.delivery import drain_outbox
from storage.models import Athlete, Organization
from tests.bot.conftest import Harness
from tests.bot.helpers import add_athlete, onboard_coach
from tests.bot.test_invites import invite_from_card
from tests.bot.training.helpers import (
    MONDAY_MORNING,
    assign_program,
    coach_and_athlete,
    set_clock,
)


async def test_done_when_today_loads_tap_type_pr_finish(harness: Harness) -> None:
    coach, maya = await coach_and_athlete(harness)
    clock = set_clock(harness, MONDAY_MORNING - timedelta(days=7))
    await maya.send("/log Romanian deadlift 100x8")  # last week: the bar to beat
    await maya.send("/maxes Back squat 140")
    await assign_program(harness)
    clock.now = MONDAY_MORNING
    await maya.send("/today")
    text = maya.last_text()
    assert text.startswith("🏋️ Mon 2 Mar · Lower A · week 1 of Spring block")
    assert "A1. Back Squat: 5 × 5 @ 112.5 kg (80%)" in text
    assert "rest 2:00" in text
    assert "A2. Pull-Up: 3 × 8 @ RPE 8" in text
    assert "⚠️ no max yet: log a set or enter one" in text
    assert "B. Romanian Deadlift: 3 × 8 @ 100 kg" in text
    assert "tempo 31X1" in text and "slow eccentric" in text
    assert "C. Plank: 3 × 45s" in text
    assert maya.buttons() == [
        "A1 Back Squat",
        "A2 Pull-Up",
        "B Romanian Deadlift",
        "C Plank",
        "➕ Enter max: Pull-Up",
        "🩺 Readiness check",
        "🏁 Finish session",
    ]
    session_message = maya.last_message()

    # One tap: every set as prescribed.
    await maya.press("A1 Back Squat", message=session_message)
    assert "Set 1: 5 @ 112.5 kg (80%)" in session_message.display_text
    await maya.press("✅ Done as prescribed", message=session_message)
    assert maya.last_answer == "✅ Logged A1 Back Squat"
    assert "✅ 112.5×5, 112.5×5, 112.5×5, 112.5×5, 112.5×5" in session_message.display_text
    assert "✅ A1 Back Squat" in maya.buttons(session_message)

    # A typed line, heavier than last week: a PR shown at once.
    await maya.press("B Romanian Deadlift", message=session_message)
    await maya.press("✏️ Log", message=session_message)
    assert "What did you do for B Romanian Deadlift" in maya.last_text()
    await maya.send("100x8, 105x8, 110x8")
    texts = [m.display_text for m in maya.bot_messages()[-3:]]
    assert texts[0] == "✅ 100×8, 105×8, 110×8 B Romanian Deadlift"
    assert "✅ 100×8, 105×8, 110×8" in texts[1] and texts[1].startswith("🏋️")
    assert "New PR!" in texts[2] and "Romanian Deadlift 110 kg × 8" in texts[2]

    # Finish with RPE and duration.
    day_message = maya.bot_messages()[-2]
    await maya.press("🏁 Finish session", message=day_message)
    assert "RPE 1-10" in day_message.display_text
    await maya.press("8", message=day_message)
    await maya.press("60 min", message=day_message)
    assert "🏁 Finished: session RPE 8, 60 min." in day_message.display_text
    assert maya.buttons(day_message) == []
    assert maya.last_text() == "🏁 Lower A done: session RPE 8, 60 min. 2 of 4 entries logged."

    # The coach hears of the PR once.
    before = len(coach.bot_messages())
    await drain_outbox(harness.app)
    notices = coach.bot_messages()[before:]
    assert len(notices) == 1
    assert "Maya Lopez set PRs · Mon 2 Mar · Lower A" in notices[0].display_text
    assert "Romanian Deadlift 110 kg × 8" in notices[0].display_text

    # The coach sees it on the athlete card.
    await coach.send("/athletes")
    await coach.press("🟢 Maya Lopez 🔗")
    card = coach.last_message()
    assert "📋 Program" in coach.buttons(card)
    await coach.press("📋 Program", message=card)
    program = card.display_text
    assert "Spring block, started Mon 2 Mar" in program
    assert "Next session: Upper A on Thu 5 Mar" in program
    assert "This week: 1 done, 0 missed, 2 scheduled" in program
    assert "✅ Mon 2 Mar · Lower A" in program and "▫️ Thu 5 Mar · Upper A" in program
    await coach.press("📒 Log history", message=card)
    history = card.display_text
    assert "Mon 2 Mar · Lower A · RPE 8, 60 min" in history
    assert "Back Squat: ✅ 112.5×5, 112.5×5, 112.5×5, 112.5×5, 112.5×5" in history
    assert "(prescribed 112.5×5, 112.5×5, 112.5×5, 112.5×5, 112.5×5)" in history
    assert "Romanian Deadlift: ✅ 100×8, 105×8, 110×8 (prescribed 100×8, 100×8, 100×8)" in history
    assert "Mon 23 Feb · Off-plan" in history
    await coach.press("🏆 PRs", message=card)
    assert "Romanian Deadlift 110 kg × 8 (best e1RM)" in card.display_text
    await coach.press("🏋️ Maxes", message=card)
    assert "Back Squat: 140 kg (tested, 2026-02-23) · e1RM 131.2 kg from logs" in card.display_text
    await coach.press("➕ Add or change a max", message=card)
    await coach.send("Bench 110")
    assert coach.bot_messages()[-2].display_text == "✅ Max saved: Bench Press 110 kg."
    assert "Bench Press: 110 kg (set by coach, 2026-03-02)" in coach.last_text()
    await coach.press("⬅️ Back to card")
    assert "Maya Lopez" in coach.last_text()


async def test_double_taps_log_once_and_finished_sessions_are_closed(harness: Harness) -> None:
    _, maya = await coach_and_athlete(harness)
    set_clock(harness, MONDAY_MORNING)
    await maya.send("/maxes Back squat 140")
    await assign_program(harness)
    await maya.send("/today")
    message = maya.last_message()
    await maya.press("A1 Back Squat", message=message)
    assert message.reply_markup is not None
    done = message.reply_markup["inline_keyboard"][0][0]["callback_data"]
    await maya.press_data(done, message=message)
    # A second tap on the same button (the message already changed): nothing new.
    await maya.press_data(done, message=message)
    assert maya.last_answer == "Already logged, nothing changed."
    assert message.display_text.count("112.5×5") == 5
    await maya.press("🏁 Finish session", message=message)
    await maya.press("7", message=message)
    await maya.press("45 min", message=message)
    await maya.send("/today")
    assert "🏁 Finished: session RPE 7, 45 min." in maya.last_text()
    assert maya.buttons() == []


async def test_rest_day_shows_the_next_session(harness: Harness) -> None:
    _, maya = await coach_and_athlete(harness)
    set_clock(harness, MONDAY_MORNING + timedelta(days=1))
    await maya.send("/today")
    assert "No program yet" in maya.last_text()
    await assign_program(harness)
    await maya.send("/today")
    assert maya.last_text() == ("😴 Rest day (Tue 3 Mar).\nNext session: Upper A on Thu 5 Mar.")


async def test_today_follows_the_team_time_zone_across_midnight(harness: Harness) -> None:
    _, maya = await coach_and_athlete(harness)
    await assign_program(harness)
    # Sunday 23:30 UTC: still Sunday in UTC, already Monday in Berlin.
    clock = set_clock(harness, MONDAY_MORNING.replace(hour=0) - timedelta(minutes=30))
    await maya.send("/today")
    assert maya.last_text().startswith("😴 Rest day (Sun 1 Mar)")
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        team = (await session.exec(select(Organization))).one()
        team.timezone = "Europe/Berlin"
        await session.commit()
    await maya.send("/today")
    assert maya.last_text().startswith("🏋️ Mon 2 Mar · Lower A")
    # 22:30 UTC on Monday is 23:30 in Berlin: still Monday's session, the same message.
    clock.now = MONDAY_MORNING.replace(hour=22, minute=30)
    await maya.send("/today")
    assert maya.last_text().startswith("🏋️ Mon 2 Mar · Lower A")
    clock.now += timedelta(hours=1)  # 00:30 Tuesday in Berlin: a rest day
    await maya.send("/today")
    assert maya.last_text().startswith("😴 Rest day (Tue 3 Mar)")


async def test_week_overview(harness: Harness) -> None:
    _, maya = await coach_and_athlete(harness)
    await assign_program(harness, start=MONDAY_MORNING.date() - timedelta(days=7))
    clock = set_clock(harness, MONDAY_MORNING + timedelta(days=3))  # Thursday of week 2
    await maya.send("/today")
    await maya.press("B Barbell Row")
    await maya.press("✅ Done as prescribed")
    clock.now += timedelta(days=1)
    await maya.send("/log Back squat 3x5 @ 100")
    await maya.send("/week")
    assert maya.last_text().splitlines()[:4] == [
        "🗓 Week of Mon 2 Mar · Northside Barbell",
        "❌ Mon 2 Mar · Lower A",
        "✅ Thu 5 Mar · Upper A",
        "📝 Fri 6 Mar · Off-plan",
    ]


async def test_typed_line_is_one_open_form_with_cancel_and_bad_input(harness: Harness) -> None:
    _, maya = await coach_and_athlete(harness)
    set_clock(harness, MONDAY_MORNING)
    await maya.send("/maxes Back squat 140")
    await assign_program(harness)
    await maya.send("/today")
    message = maya.last_message()
    await maya.press("A1 Back Squat", message=message)
    await maya.press("✏️ Log", message=message)
    for bad, reason in [
        ("100x", "the reps are missing"),
        ("-5x5", "can't be negative"),
        ("1000x1000", "at most 600 kg"),
        ("5,5,4 @", "The load is missing"),
        ("cinq fois cinq", "I couldn't read"),
    ]:
        await maya.send(bad)
        assert reason in maya.last_text(), bad
        assert "Nothing was saved" in maya.last_text()
    await maya.send("/help")  # read-only mid-form: then the question again
    assert "What did you do for A1 Back Squat" in maya.last_text()
    for command, shown in [("/today", "Back Squat"), ("/week", "Lower A")]:
        await maya.send(command)  # shows the day or week, then the question again
        assert shown in maya.bot_messages()[-2].display_text, command
        assert "What did you do for A1 Back Squat" in maya.last_text(), command
    await maya.send("/cancel")
    assert maya.last_text() == "Cancelled. Nothing was saved."
    await maya.send("100x5")  # the question is closed: not a log line any more
    await maya.send("/today")
    assert "✅" not in maya.last_text()


async def test_coach_card_sections_refuse_other_teams(harness: Harness) -> None:
    coach, maya = await coach_and_athlete(harness)
    rival = await onboard_coach(harness.tg, "rival", "Riverside Lifting")
    set_clock(harness, MONDAY_MORNING)
    await maya.send("/log Back squat 3x5 @ 100")
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        athlete = (await session.exec(select(Athlete))).one()
    for data in [
        f"tcp:{athlete.id}",
        f"tch:{athlete.id}:0",
        f"tcm:{athlete.id}",
        f"tcr:{athlete.id}",
    ]:
        await rival.press_data(data)
        assert rival.last_answer == "Not found. It may have been removed, or it isn't yours."
    await maya.press_data(f"tcm:{athlete.id}")
    assert "That's for coaches" in (maya.last_answer or "")
    await coach.press_data(f"tch:{athlete.id}:9999999")  # a stale offset shows the last page
    assert "Off-plan" in coach.last_text()


async def test_athlete_in_two_teams_picks_the_team_for_today_and_week(harness: Harness) -> None:
    _, maya = await coach_and_athlete(harness)
    rival = await onboard_coach(harness.tg, "rival", "Riverside Lifting")
    await add_athlete(rival, "Maya L.", "rival@example.com")
    await maya.open_link(await invite_from_card(rival))
    await assign_program(harness)  # with Northside only
    set_clock(harness, MONDAY_MORNING)
    await maya.send("/today")
    assert maya.buttons() == ["Northside Barbell", "Riverside Lifting"]
    await maya.press("Riverside Lifting")
    assert "No program yet" in maya.last_text()
    await maya.send("/today")
    await maya.press("Northside Barbell")
    assert maya.last_text().startswith("🏋️ Mon 2 Mar · Lower A")
    await maya.send("/week")
    await maya.press("Northside Barbell")
    assert "👉 Mon 2 Mar · Lower A" in maya.last_text()
    await maya.press_data("tdt:someoneelse")
    assert maya.last_answer == "Not found. It may have been removed, or it isn't yours."


async def test_today_across_a_dst_change(harness: Harness) -> None:
    """New York springs forward on Sunday 8 March 2026 (UTC-5 -> UTC-4)."""
    _, maya = await coach_and_athlete(harness)
    await assign_program(harness, start=MONDAY_MORNING.date() + timedelta(days=7))
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        team = (await session.exec(select(Organization))).one()
        team.timezone = "America/New_York"
        await session.commit()
    sunday_night = MONDAY_MORNING.replace(day=9, hour=3, minute=30)  # 23:30 EDT on Sunday
    clock = set_clock(harness, sunday_night)
    await maya.send("/today")
    assert maya.last_text().startswith("😴 Rest day (Sun 8 Mar)")
    clock.now += timedelta(hours=1)  # 00:30 EDT Monday (it would still be Sunday in EST)
    await maya.send("/today")
    assert maya.last_text().startswith("🏋️ Mon 9 Mar · Lower A")


async def test_a_forty_exercise_session_fits_one_message(harness: Harness) -> None:
    _, maya = await coach_and_athlete(harness)
    lines = [
        f"Back squat 5/4/3/2/1 @ 60/65/70/75/80%, tempo 31X1, rest 2min -- note {n} " + "x" * 60
        for n in range(40)
    ]
    await assign_program(harness, weeks=1, sessions={(1, 1): ("Long day", "\n".join(lines))})
    set_clock(harness, MONDAY_MORNING)
    await maya.send("/maxes Back squat 140")
    await maya.send("/today")  # the fake Bot API refuses anything over Telegram's limits
    text = maya.last_text()
    assert text.startswith("🏋️ Mon 2 Mar · Long day")
    assert maya.buttons().count("Back Squat") == 40
    assert maya.buttons()[-1] == "🏁 Finish session"
    await maya.press(maya.buttons()[39])
    assert "Set 5: 1 @ 112.5 kg (80%)" in maya.last_text()


async def test_a_program_not_begun_says_when_it_starts(harness: Harness) -> None:
    coach, _ = await coach_and_athlete(harness)
    set_clock(harness, MONDAY_MORNING - timedelta(days=5))  # Wednesday before the start
    await assign_program(harness)
    await coach.send("/athletes")
    await coach.press("🟢 Maya Lopez 🔗")
    card = coach.last_message()
    await coach.press("📋 Program", message=card)
    program = card.display_text
    assert "Spring block, starts Mon 2 Mar" in program
    assert "First session: Lower A on Mon 2 Mar" in program
    assert "started" not in program and "This week" not in program
