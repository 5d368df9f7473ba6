"""The program builder as a demanding coach finds it: names never replaced silently, every
press answered once, a compact preview, notices that stay visible, renaming from the card."""

from __future__ import annotations

import pytest
from sqlmodel import select
from telegram.error import BadRequest

from storage.models import Exercise, Program, ProgramEntry
from storage.validation import utf16_len
from tests.bot.conftest import Harness
from tests.bot.helpers import onboard_coach
from tests.bot.programs.test_program_input import count, to_session_step
from tests.bot.programs.test_programs import FULL, LOWER, UPPER, build_block


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
    preview = coach.last_text()
    assert "New team exercises on save: Zercher deadlift" in preview, preview
    assert "Zercher deadlift 3x5 @ 100kg" in preview, preview
    await coach.press("✅ Save")
    assert await count(harness, Exercise) == before + 1
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        entry = (await session.exec(select(ProgramEntry))).one()
        exercise = await session.get(Exercise, entry.exercise_id)
        assert exercise is not None and exercise.name == "Zercher deadlift"


async def test_copy_week_with_a_progression_answers_the_press_once(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await build_block(coach)
    await coach.press("📑 Copy week")
    await coach.press("Weeks 2-3")
    await coach.press("+2.5kg")
    assert "Week 2" in coach.last_text()
    # The harness fails a test whose presses were answered twice (or never): see conftest.
    assert not harness.api.answered_twice, harness.api.answered_twice


async def test_a_week_preview_is_one_message_with_the_shorthand_to_copy(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await to_session_step(coach, days=("Mon", "Wed", "Fri"))
    await coach.send(LOWER)
    await coach.send(UPPER)
    first = len(coach.bot_messages())
    await coach.send(FULL)
    preview = coach.bot_messages()[first:]
    assert len(preview) == 1, [m.display_text for m in preview]
    text = preview[0].display_text
    assert "Preview: Block" in text and "Monday\nLower A:" in text and "Friday" in text
    assert "A1. Back Squat 5x5 @ 100kg, rest 2min" in text, text
    assert "Farmer's Carry 4x30m @ 32kg" in text, text
    assert any(e["type"] == "pre" for e in preview[0].entities), "the shorthand is a block"
    assert coach.buttons() == ["✅ Save", "✖️ Cancel"]


async def test_a_week_too_long_for_one_message_is_split_between_sessions(
    harness: Harness,
) -> None:
    coach = await onboard_coach(harness.tg)
    await to_session_step(coach, days=("Mon", "Wed", "Fri"))
    note = "keep the bar path over mid-foot and brace before every single rep " * 2
    long_session = "\n".join(
        f"Back squat {n % 9 + 1}x5 @ {60 + n}kg, rest 2min -- {note}" for n in range(20)
    )
    await coach.send(long_session)
    await coach.send(long_session)
    first = len(coach.bot_messages())
    await coach.send(long_session)
    preview = coach.bot_messages()[first:]
    assert 1 < len(preview) <= 3, len(preview)
    assert all(utf16_len(m.text or "") <= 4096 for m in preview)
    joined = "\n".join(m.display_text for m in preview)
    assert joined.count("@ 79kg") == 3  # every session's last line, none cut


async def test_copy_weeks_example_fits_the_program(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await build_block(coach)  # 3 weeks
    await coach.press("📑 Copy week")
    asked = coach.last_text()
    assert "like 2-3 or 3" in asked and "4" not in asked, asked
    await coach.send("7")
    assert "from 1 to 3, other than week 1, like 2-3 or 3" in coach.last_text()
    await coach.press("Weeks 2-3")
    asked = coach.last_text()
    assert asked.startswith("📑 Week 1 onto weeks 2, 3. A progression per week?"), asked
    assert "Week 3 gets it 2 times over week 1." in asked, asked
    await coach.press("No change")
    assert "Week 2" in coach.last_text()  # the card, on the first week copied onto
    await coach.press("📑 Copy week")
    asked = coach.last_text()
    assert "Copy week 2" in asked and "like 3 (the program has 3 weeks)" in asked, asked
    await coach.send("/cancel")


async def test_help_says_what_spotter_does_now(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/help")
    first = coach.last_text().split("\n")[0]
    assert "program" in first and "log" in first, first


async def test_rename_and_describe_a_program_from_its_card(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await build_block(coach)
    await coach.press("✏️ Rename")
    assert "New name for Spring block" in coach.last_text()
    await coach.send("   ")
    assert "⚠️" in coach.last_text()  # refused, still asking
    await coach.send("Summer block")
    notice, card = coach.bot_messages()[-2:]
    assert "Renamed to Summer block" in notice.display_text
    assert card.display_text.startswith("📋 Summer block"), card.display_text
    await coach.press("📝 Description")
    await coach.send("x" * 1001)
    assert "keep it to 1000 or fewer" in coach.last_text()
    await coach.send("Three weeks of volume before the meet.")
    notice, card = coach.bot_messages()[-2:]
    assert "Description saved" in notice.display_text
    assert "Three weeks of volume before the meet." in card.display_text
    await coach.press("📝 Description")
    assert "Now: Three weeks of volume" in coach.last_text()
    await coach.send("/skip")
    assert "Description removed" in coach.bot_messages()[-2].display_text
    assert "Three weeks" not in coach.last_text()
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        program = (await session.exec(select(Program))).one()
        assert program.name == "Summer block" and program.description is None
        assert program.name_key == "summer block"


async def test_later_sessions_are_asked_briefly_after_what_was_read(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await to_session_step(coach, days=("Mon", "Wed", "Fri"))
    assert "One line per exercise" in coach.last_text()  # the shorthand, once
    await coach.send(LOWER)
    asked = coach.last_text()
    assert asked.startswith("✅ Mon · Lower A: 4 exercises."), asked
    assert "Wednesday" in asked and "One line per exercise" not in asked, asked
    await coach.send("/skip")
    assert coach.last_text().startswith("✅ Wed: left empty."), coach.last_text()


async def test_the_saved_notice_stays_with_the_card_under_it(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await build_block(coach)
    notice, card = coach.bot_messages()[-2:]
    assert "Spring block saved with 3 sessions" in notice.display_text, notice.display_text
    assert card.display_text.startswith("📋 Spring block") and notice.message_id < card.message_id
    assert coach.last_answer == "Program saved ✅"
    await coach.press("Mon · Lower A")
    await coach.press("✏️ Edit")
    await coach.send("Back squat 5x5 @ 105kg")
    preview = coach.last_message()
    await coach.press("✅ Save")
    assert coach.last_answer == "Session saved ✅"
    assert "Back Squat 5x5 @ 105kg" in coach.last_text()
    assert coach.last_message().message_id != preview.message_id  # the preview stays as it was
    assert coach.buttons(preview) == []  # without its Save and Cancel


async def test_the_session_sent_again_at_a_name_question_is_read_as_the_session(
    harness: Harness,
) -> None:
    coach = await onboard_coach(harness.tg)
    await to_session_step(coach)
    await coach.send("Lower A:\nBack squat 5x5 @ 100kg\nZercher deadlift 3x5 @ 80kg")
    assert "Line 3" in coach.last_text()
    # The coach fixes the typo in their notes and pastes the whole session again.
    await coach.send("Lower A:\nBack squat 5x5 @ 100kg\nDeadlift 3x5 @ 80kg")
    preview = coach.last_text()
    assert "Preview: Block" in preview, preview
    assert "Back Squat 5x5 @ 100kg\nDeadlift 3x5 @ 80kg" in preview, preview
    await coach.press("✅ Save")
    assert await count(harness, ProgramEntry) == 2


async def test_the_fake_bot_api_tells_presses_answered_twice_or_never(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    api = harness.api
    message = coach.bot_messages()[-1]
    never = api.register_callback_query(coach.id, message, "pgc:x:1")
    api.check_answered(never)
    twice = api.register_callback_query(coach.id, message, "pgc:y:1")
    await harness.app.bot.answer_callback_query(twice.id)
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await harness.app.bot.answer_callback_query(twice.id, text="again")
    api.check_answered(twice)
    with pytest.raises(AssertionError) as failure:
        api.assert_callbacks_answered_once()
    assert "answered twice: 'pgc:y:1'" in str(failure.value)
    assert "never answered: 'pgc:x:1'" in str(failure.value)
    api.answered_twice.clear()
    api.unanswered.clear()


async def test_a_sessions_title_is_shown_once(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await build_block(coach)
    await coach.press("Mon · Lower A")
    shown = coach.last_text()
    assert shown.count("Lower A") == 1 and "week 1 · Mon\nLower A:" in shown, shown
