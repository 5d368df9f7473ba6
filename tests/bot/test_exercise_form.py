"""/newexercise, and a coach's changes from an exercise card: edit, archive/restore, copy."""

from __future__ import annotations

import pytest
from sqlmodel import col, select
from telegram.error import TelegramError

from fake_telegram import Fault, LocalTelegram, LocalUser
from storage.models import Exercise, MovementPattern
from storage.queries import exercises as q
from tests.bot.conftest import Harness
from tests.bot.helpers import onboard_coach
from tests.bot.test_exercises import (
    add_custom,
    count_exercises,
    db,
    exercise_id,
    load_exercise,
    press,
    press_data,
)


async def custom_rows(harness: Harness) -> list[Exercise]:
    async with db(harness) as session:
        rows = await session.exec(
            select(Exercise)
            .where(col(Exercise.organization_id).is_not(None))
            .order_by(col(Exercise.name))
        )
        return list(rows.all())


async def muscles_of(harness: Harness, exercise: str) -> tuple[list[str], list[str]]:
    async with db(harness) as session:
        card = await q.get_exercise_card(
            session,
            organization_id=(await load_exercise(harness, exercise)).organization_id,
            exercise_id=exercise,
        )
        return [m.id for m in card.primary], [m.id for m in card.secondary]


async def fill_until_summary(coach: LocalUser, name: str = "Tempo Goblet Squat") -> None:
    await coach.send("/newexercise")
    await coach.send(name)
    await press(coach, "Squat")
    await press(coach, "Quadriceps")
    await press(coach, "✔️ Done")
    await press(coach, "Glutes")
    await press(coach, "✔️ Done")
    await press(coach, "Kettlebell")
    await coach.send("Three seconds down, pause, drive up.")
    assert "Check the new exercise" in coach.last_text()


# --- /newexercise -------------------------------------------------------------------------------


async def test_create_a_custom_exercise_step_by_step(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/newexercise")
    assert "step 1 of 6" in coach.last_text()
    await coach.send("  Tempo   Goblet Squat ")
    assert "Step 2 of 6" in coach.last_text()
    await press(coach, "Squat")
    assert "✅ Movement pattern: Squat" in coach.bot_messages()[-2].display_text
    assert "Step 3 of 6" in coach.last_text()
    await press(coach, "Quadriceps")
    await press(coach, "Glutes")
    assert "Selected: Quadriceps, Glutes" in coach.last_text()
    await press(coach, "✔️ Done")
    assert "Step 4 of 6" in coach.last_text()
    await press(coach, "Adductors")
    await press(coach, "✔️ Done")
    assert "Step 5 of 6" in coach.last_text()
    await press(coach, "Kettlebell")
    assert "Step 6 of 6" in coach.last_text()
    await coach.send("Three seconds down, pause, drive up.")
    summary = coach.last_text()
    for expected in [
        "Name: Tempo Goblet Squat",
        "Pattern: Squat",
        "Primary: Quadriceps, Glutes",
        "Secondary: Adductors",
        "Equipment: Kettlebell",
        "Instructions: Three seconds down",
    ]:
        assert expected in summary, expected
    await press(coach, "✅ Save")
    assert coach.last_answer == "Saved ✅"
    assert "is in your team's library" in coach.bot_messages()[-2].display_text
    card = coach.last_text()
    assert card.startswith("🏋️ Tempo Goblet Squat")
    assert "🏷 Our exercise" in card and "Equipment: Kettlebell" in card
    [row] = await custom_rows(harness)
    assert row.name == "Tempo Goblet Squat" and row.movement_pattern is MovementPattern.SQUAT
    assert row.instructions == "Three seconds down, pause, drive up."
    assert await muscles_of(harness, row.id) == (["quads", "glutes"], ["adductors"])


async def test_name_step_refuses_bad_names_and_keeps_asking(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await add_custom(harness, coach, "Tempo Goblet Squat")
    archived = await add_custom(harness, coach, "Old Squat")
    async with db(harness) as session:
        await q.set_exercise_archived(
            session,
            organization_id=(await load_exercise(harness, archived)).organization_id or "",
            exercise_id=archived,
            archived=True,
        )
        await session.commit()
    await coach.send("/newexercise")
    for bad, expected in [
        ("12345", "at least one letter"),
        ("x" * 101, "100 or fewer"),
        ("TEMPO goblet squat", "already has an exercise called"),
        ("old squat", "It's archived"),
        ("/skip", "name is required"),
        ("/exercises", "middle of creating an exercise"),
    ]:
        await coach.send(bad)
        assert expected in coach.last_text(), bad
    # The same name as a curated exercise is allowed; the coach is told.
    await coach.send("goblet squat")
    assert "The curated library also has Goblet Squat" in coach.last_text()
    assert "Step 2 of 6" in coach.last_text()


async def test_button_steps_refuse_text_and_forged_buttons(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/newexercise")
    await coach.send("Tempo Goblet Squat")
    await coach.send("squat")
    assert "answer with the buttons" in coach.last_text()
    await press_data(coach, "nxp:sideways")
    assert "expired" in (coach.last_answer or "")
    await press_data(coach, "nxq:band")  # a button of another step
    assert "belongs to an earlier step" in (coach.last_answer or "")
    await press(coach, "Hinge")
    # Toggles: select, deselect, and Done with none selected is refused.
    await press(coach, "✔️ Done")
    assert coach.last_answer is not None and "at least one primary" in coach.last_answer
    assert coach.last_callback is not None and coach.last_callback.show_alert
    assert "Step 3 of 6" in coach.last_text()
    await press(coach, "Hamstrings")
    assert "✅ Hamstrings" in coach.buttons()
    await press(coach, "✅ Hamstrings")
    assert "Hamstrings" in coach.buttons() and "✅ Hamstrings" not in coach.buttons()
    assert "Selected: none" in coach.last_text()
    await press(coach, "✔️ Done")
    assert "at least one primary" in (coach.last_answer or "")
    await press_data(coach, "nxm:primary:nosuchmuscle")
    assert "expired" in (coach.last_answer or "")
    await press_data(coach, "nxm:secondary:glutes")
    assert "earlier step" in (coach.last_answer or "")
    await press(coach, "Hamstrings")
    await press(coach, "Glutes")
    await press(coach, "✔️ Done")
    # Secondary: the primary ones aren't offered, and a forged one is refused.
    assert "Hamstrings" not in coach.buttons() and "Glutes" not in coach.buttons()
    await press_data(coach, "nxm:secondary:glutes")
    assert "can't be secondary too" in (coach.last_answer or "")
    await press(coach, "Spinal Erectors (Lower Back)")
    await press(coach, "✔️ Done")
    await press(coach, "Trap bar")
    await coach.send("x" * 2001)
    assert "2000 or fewer" in coach.last_text()
    await coach.send("/skip")
    assert "Instructions: none" in coach.last_text()
    assert "Secondary: Spinal Erectors (Lower Back)" in coach.last_text()
    await press(coach, "✅ Save")
    [row] = await custom_rows(harness)
    assert row.equipment == "trap_bar" and row.instructions is None
    assert await muscles_of(harness, row.id) == (["hamstrings", "glutes"], ["erectors"])


async def test_secondary_is_optional(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/newexercise")
    await coach.send("Sled Push")
    await press(coach, "Push")
    await press(coach, "Quadriceps")
    await press(coach, "✔️ Done")
    await press(coach, "✔️ Done")  # none selected: fine for secondary
    assert "Step 5 of 6" in coach.last_text()
    await press(coach, "Sled")
    await coach.send("/skip")
    assert "Secondary: none" in coach.last_text()
    await press(coach, "✅ Save")
    [row] = await custom_rows(harness)
    assert await muscles_of(harness, row.id) == (["quads"], [])


async def test_edit_fields_from_the_summary(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await fill_until_summary(coach)
    await press(coach, "✏️ Edit a field")
    await press(coach, "Name")
    await coach.send("Tempo Goblet Squat 3-1-1")
    assert "Name: Tempo Goblet Squat 3-1-1" in coach.last_text()
    await press(coach, "✏️ Edit a field")
    await press(coach, "Primary muscles")
    assert "✅ Quadriceps" in coach.buttons()
    await press(coach, "Glutes")  # secondary until now: becomes primary only
    await press(coach, "✔️ Done")
    assert "Primary: Quadriceps, Glutes" in coach.last_text()
    assert "Secondary: none" in coach.last_text()
    await press(coach, "✏️ Edit a field")
    await press(coach, "Movement pattern")
    await press(coach, "Push")
    assert "Pattern: Push" in coach.last_text()
    await press(coach, "✏️ Edit a field")
    await press(coach, "Instructions")
    await coach.send("/skip")
    assert "Instructions: none" in coach.last_text()
    await press(coach, "✅ Save")
    [row] = await custom_rows(harness)
    assert row.name == "Tempo Goblet Squat 3-1-1" and row.movement_pattern is MovementPattern.PUSH
    assert await muscles_of(harness, row.id) == (["quads", "glutes"], [])


@pytest.mark.parametrize("steps_done", range(8))
async def test_cancel_at_any_step_saves_nothing(harness: Harness, steps_done: int) -> None:
    coach = await onboard_coach(harness.tg)
    before = await count_exercises(harness)
    await coach.send("/newexercise")
    steps = [
        lambda: coach.send("Tempo Goblet Squat"),
        lambda: press(coach, "Squat"),
        lambda: press(coach, "Quadriceps"),
        lambda: press(coach, "✔️ Done"),
        lambda: press(coach, "✔️ Done"),
        lambda: press(coach, "Kettlebell"),
        lambda: coach.send("/skip"),
        lambda: press(coach, "✏️ Edit a field"),
    ]
    for step in steps[:steps_done]:
        await step()
    form_message = coach.last_message()
    await coach.send("/cancel")
    assert "Nothing was saved" in coach.last_text()
    assert await count_exercises(harness) == before
    if form_message.has_inline_keyboard:
        await coach.press(form_message.inline_keyboard[0][0]["text"], message=form_message)
        assert "form is closed" in (coach.last_answer or "")
    await coach.send("/cancel")
    assert "nothing to cancel" in coach.last_text()
    assert await count_exercises(harness) == before


async def test_cancel_button_on_the_summary(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    before = await count_exercises(harness)
    await fill_until_summary(coach)
    await press(coach, "✖️ Cancel")
    assert "Nothing was saved" in coach.last_text()
    assert await count_exercises(harness) == before


async def test_save_twice_creates_one(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await fill_until_summary(coach)
    summary = coach.last_message()
    await press(coach, "✅ Save")
    await press_data(coach, "nxs", message=summary)
    assert "form is closed" in (coach.last_answer or "")
    assert len(await custom_rows(harness)) == 1


async def test_a_failed_reply_after_save_keeps_save_single(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await fill_until_summary(coach)
    # Failing past the transport's retries (bot.transport retries a 5xx twice).
    harness.api.fail_next("sendMessage", Fault.server_error(), times=3)
    await coach.press("✅ Save")
    assert all(isinstance(error, TelegramError) for error in harness.tg.errors)
    harness.tg.errors.clear()
    assert len(await custom_rows(harness)) == 1
    await coach.press("✅ Save")  # the summary is still there: Save again
    assert coach.last_text().startswith("🏋️ Tempo Goblet Squat")
    assert len(await custom_rows(harness)) == 1


async def test_a_name_taken_meanwhile_is_refused_at_save(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await fill_until_summary(coach)
    await add_custom(harness, coach, "tempo goblet squat")  # another coach's window
    await press(coach, "✅ Save")
    assert "already has an exercise called" in (coach.last_answer or "")
    assert "Check the new exercise" in coach.last_text()
    await press(coach, "✏️ Edit a field")
    await press(coach, "Name")
    await coach.send("Tempo Goblet Squat B")
    await press(coach, "✅ Save")
    assert [r.name for r in await custom_rows(harness)] == [
        "Tempo Goblet Squat B",
        "tempo goblet squat",
    ]


async def test_html_in_the_form_is_escaped(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await fill_until_summary(coach, name="<b>Fat</b> & Squat")
    assert "Name: <b>Fat</b> & Squat" in coach.last_text()
    await press(coach, "✅ Save")
    assert coach.last_text().startswith("🏋️ <b>Fat</b> & Squat")


# --- changes from a custom exercise's card ------------------------------------------------------


async def open_our(coach: LocalUser, name: str) -> None:
    await coach.send("/exercises")
    await press(coach, "🏷 Our exercises")
    await press(coach, f"🏷 {name}")


async def test_edit_name_and_instructions_from_the_card(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    mine = await add_custom(harness, coach, "Tempo Goblet Squat", instructions="Slow down")
    await add_custom(harness, coach, "Box Step Up")
    await open_our(coach, "Tempo Goblet Squat")
    await press(coach, "✏️ Edit")
    assert "Which field do you want to change?" in coach.last_text()
    await press(coach, "Name")
    assert "New name for Tempo Goblet Squat" in coach.last_text()
    for bad, expected in [
        ("!!!", "at least one letter"),
        ("BOX STEP UP", "already has an exercise called"),
        ("/skip", "name is required"),
        # /exercises would work here (read-only), and start a new library path; /leave is refused.
        ("/leave", "middle of changing an exercise"),
    ]:
        await coach.send(bad)
        assert expected in coach.last_text(), bad
    await coach.send("Goblet Squat")
    assert "Name updated" in coach.bot_messages()[-2].display_text
    assert "curated library also has" in coach.bot_messages()[-2].display_text
    assert coach.last_text().startswith("🏋️ Goblet Squat\n🏷 Our exercise")
    # Back from the new card continues the path: the list of our exercises.
    await press(coach, "⬅️ Back")
    assert "our exercises" in coach.last_text()
    await press(coach, "🏷 Goblet Squat")
    await press(coach, "✏️ Edit")
    await press(coach, "Instructions")
    await coach.send("y" * 2001)
    assert "2000 or fewer" in coach.last_text()
    await coach.send("/skip")
    assert (await load_exercise(harness, mine)).instructions is None
    await press(coach, "✏️ Edit")
    await press(coach, "Instructions")
    await coach.send("Elbows <inside> knees & tall")
    assert "Elbows <inside> knees & tall" in coach.last_text()
    assert (await load_exercise(harness, mine)).instructions == "Elbows <inside> knees & tall"


async def test_cancel_or_back_during_an_edit_changes_nothing(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    mine = await add_custom(harness, coach, "Tempo Goblet Squat")
    await open_our(coach, "Tempo Goblet Squat")
    await press(coach, "✏️ Edit")
    await press(coach, "Name")
    await coach.send("/cancel")
    assert "Nothing was saved" in coach.bot_messages()[-2].display_text
    assert coach.last_text().startswith("🏋️ Tempo Goblet Squat")
    await press(coach, "✏️ Edit")
    await press(coach, "Name")
    await press(coach, "⬅️ Back to card")
    assert coach.last_text().startswith("🏋️ Tempo Goblet Squat")
    await coach.send("Renamed by accident")  # the question is closed
    assert "not sure what to do" in coach.last_text()
    assert (await load_exercise(harness, mine)).name == "Tempo Goblet Squat"


async def test_an_edit_from_a_card_mid_form_asks_to_finish_or_drop_it(harness: Harness) -> None:
    """One open form at a time: a typed change from a card would be a second one."""
    coach = await onboard_coach(harness.tg)
    mine = await add_custom(harness, coach, "Tempo Goblet Squat")
    await open_our(coach, "Tempo Goblet Squat")
    card = coach.last_message()
    await coach.send("/newexercise")
    await coach.send("Sled Push Intervals")
    # Mid-form, the library message still works for browsing...
    await coach.press("✏️ Edit", message=card)
    # ...but a change that asks a question would open a second form.
    await coach.press("Name", message=card)
    assert "middle of creating an exercise" in coach.last_text()
    await coach.press("↩️ Finish it first")
    assert "Step 2 of 6" in coach.last_text()
    await coach.send("Tempo Goblet Squat 2")  # not taken as the exercise's new name
    assert "Please answer with the buttons above" in coach.last_text()
    assert (await load_exercise(harness, mine)).name == "Tempo Goblet Squat"
    # The form is still at its step: the pattern buttons of its question still work.
    form_question = next(m for m in coach.bot_messages() if "Step 2 of 6" in m.display_text)
    await coach.press("Push", message=form_question)
    assert "Step 3 of 6" in coach.last_text()
    # Dropping the form instead starts the change that was asked for.
    await coach.press("Name", message=card)
    await coach.press("🗑 Drop it")
    assert "Stopped creating an exercise" in coach.bot_messages()[-2].display_text
    assert coach.last_answer is None  # answered, without a toast
    assert "New name for Tempo Goblet Squat" in coach.last_text()
    await coach.send("Tempo Goblet Squat 2")
    assert (await load_exercise(harness, mine)).name == "Tempo Goblet Squat 2"
    await coach.press_data("nxp:push", message=form_question)
    assert coach.last_answer == "That form is closed. Start a new one with /newexercise."


async def test_edit_pattern_equipment_and_muscles_with_buttons(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    mine = await add_custom(harness, coach, "Tempo Goblet Squat", primary=("quads", "glutes"))
    await open_our(coach, "Tempo Goblet Squat")
    card = coach.last_message()
    await press(coach, "✏️ Edit")
    await press(coach, "Movement pattern")
    await press(coach, "Hinge")
    assert coach.last_answer == "✅ Movement pattern updated."
    assert "Pattern: Hinge" in coach.last_text()
    await press(coach, "✏️ Edit")
    await press(coach, "Equipment")
    await press(coach, "Band")
    assert "Equipment: Band" in coach.last_text()
    await press(coach, "✏️ Edit")
    await press(coach, "Primary muscles")
    assert "✅ Quadriceps" in coach.buttons() and "✅ Glutes" in coach.buttons()
    await press(coach, "✅ Quadriceps")
    await press(coach, "✅ Glutes")
    await press(coach, "✔️ Done")
    assert "at least one primary" in (coach.last_answer or "")
    await press(coach, "Hamstrings")
    await press(coach, "✔️ Done")
    assert "Primary: Hamstrings" in coach.last_text()
    await press(coach, "✏️ Edit")
    await press(coach, "Secondary muscles")
    assert "Hamstrings" not in coach.buttons()
    await press_data(coach, f"xtm:{mine}:secondary:hamstrings")
    assert "can't be secondary too" in (coach.last_answer or "")
    await press(coach, "Glutes")
    await press(coach, "Adductors")
    await press(coach, "✅ Adductors")
    await press(coach, "✔️ Done")
    assert "Secondary: Glutes" in coach.last_text()
    row = await load_exercise(harness, mine)
    assert row.movement_pattern is MovementPattern.HINGE and row.equipment == "band"
    assert await muscles_of(harness, mine) == (["hamstrings"], ["glutes"])
    # All of it on the one card message.
    assert coach.last_message().message_id == card.message_id
    for forged in [f"xec:{mine}:colour", f"xsp:{mine}:sideways", f"xtm:{mine}:tertiary:abs"]:
        await press_data(coach, forged)
        assert "expired" in (coach.last_answer or "")


async def test_curated_exercises_cannot_be_edited_or_archived(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    goblet = await exercise_id(harness, "Goblet Squat")
    await coach.send(f"/start ex_{goblet}")
    assert "✏️ Edit" not in coach.buttons() and "🗄 Archive" not in coach.buttons()
    for forged in [f"xe:{goblet}", f"xa:{goblet}:1", f"xet:{goblet}:name", f"xsp:{goblet}:push"]:
        await press_data(coach, forged)
        assert "Curated exercises can't be changed" in (coach.last_answer or ""), forged
    row = await load_exercise(harness, goblet)
    assert row.archived_at is None and row.movement_pattern is MovementPattern.SQUAT


async def test_archive_and_restore(harness: Harness) -> None:
    tg = harness.tg
    coach = await onboard_coach(tg)
    mine = await add_custom(harness, coach, "Tempo Goblet Squat", primary=("quads",))
    await coach.send("/exercises goblet squat")
    await press(coach, "Goblet Squat")
    await press(coach, "➕ Add harder")
    await coach.send("tempo goblet")
    await press(coach, "🏷 Tempo Goblet Squat")

    await open_our(coach, "Tempo Goblet Squat")
    await press(coach, "🗄 Archive")
    assert "hidden from lists and search" in (coach.last_answer or "")
    assert "archived" in coach.last_text()
    assert "♻️ Restore" in coach.buttons()
    assert (await load_exercise(harness, mine)).archived_at is not None

    # Hidden from lists and search...
    await coach.send("/exercises")
    await press(coach, "🏷 Our exercises")
    assert "🏷 Tempo Goblet Squat" not in coach.buttons()
    await press(coach, "🗄 Archived (1)")
    assert coach.buttons()[0] == "🏷 Tempo Goblet Squat (archived)"
    await coach.send("/exercises tempo goblet")
    assert "Tempo Goblet Squat" not in " ".join(coach.buttons())
    await coach.send("/exercises")
    await press(coach, "🦵 Lower body")
    quads = next(b for b in coach.buttons() if b.startswith("Quadriceps"))
    await press(coach, quads)
    first_page = coach.last_text()
    while True:  # Next wraps around to the first page after the last
        assert "🏷 Tempo Goblet Squat" not in coach.buttons()
        await press(coach, "Next ▶️")
        if coach.last_text() == first_page:
            break
    # ... but a progression pointing at it shows it as archived, and it still opens.
    await coach.send("/exercises goblet squat")
    await press(coach, "Goblet Squat")
    label = "⬆️ Harder: Tempo Goblet Squat 🗄 (archived)"
    assert label in coach.buttons()
    await press(coach, label)
    assert "archived" in coach.last_text()

    await press(coach, "♻️ Restore")
    assert "back in lists and search" in (coach.last_answer or "")
    assert (await load_exercise(harness, mine)).archived_at is None
    await coach.send("/exercises tempo goblet")
    assert "🏷 Tempo Goblet Squat" in coach.buttons()
    # Archiving what is already archived (an old card) is harmless.
    await press_data(coach, f"xa:{mine}:0")
    assert (await load_exercise(harness, mine)).archived_at is None


async def test_copy_to_ours_keeps_the_curated_one(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    goblet = await exercise_id(harness, "Goblet Squat")
    before = await load_exercise(harness, goblet)
    await coach.send(f"/start ex_{goblet}")
    curated_card = coach.last_text()
    await press(coach, "📋 Copy to ours")
    assert "Copied to your exercises as “Goblet Squat”" in (coach.last_answer or "")
    assert coach.last_text().startswith("🏋️ Goblet Squat\n🏷 Our exercise")
    assert "Primary: Quadriceps, Glutes" in coach.last_text()
    assert "Hold one dumbbell" in coach.last_text()
    await press(coach, "✏️ Edit")
    await press(coach, "Equipment")
    await press(coach, "Kettlebell")
    assert "Equipment: Kettlebell" in coach.last_text()
    # Back goes to the curated card, unchanged.
    await press(coach, "⬅️ Back")
    assert coach.last_text() == curated_card
    after = await load_exercise(harness, goblet)
    assert (after.name, after.equipment, after.instructions) == (
        before.name,
        before.equipment,
        before.instructions,
    )
    # A second copy opens the team's existing one (renamed or not) and makes nothing new.
    await press(coach, "📋 Copy to ours")
    assert "already has a copy: “Goblet Squat”" in (coach.last_answer or "")
    assert coach.last_text().startswith("🏋️ Goblet Squat\n🏷 Our exercise")
    assert "Equipment: Kettlebell" in coach.last_text()
    assert [r.name for r in await custom_rows(harness)] == ["Goblet Squat"]


async def test_new_exercise_button_from_our_exercises(tg: LocalTelegram) -> None:
    coach = await onboard_coach(tg)
    await coach.send("/exercises")
    await press(coach, "🏷 Our exercises")
    await press(coach, "➕ New exercise")
    assert "step 1 of 6" in coach.last_text()


async def test_a_restart_keeps_the_form_and_back_still_answers(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/exercises")
    await press(coach, "🦵 Lower body")
    await press(coach, next(b for b in coach.buttons() if b.startswith("Glutes")))
    await press(coach, "Next ▶️")
    await press(coach, coach.buttons()[0])
    library = coach.last_message()
    await coach.send("/newexercise")
    await coach.send("Tempo Goblet Squat")
    await press(coach, "Squat")
    await press(coach, "Quadriceps")
    await harness.restart(abrupt=True)
    await press(coach, "Glutes")
    assert "Selected: Quadriceps, Glutes" in coach.last_text()
    await press(coach, "✔️ Done")
    assert "Step 4 of 6" in coach.last_text()
    # Where Back leads is view state, kept in memory (bot.core.views): after a restart the
    # library's Back goes up to the menu instead of the page the coach came from.
    await coach.press("⬅️ Back", message=library)
    refreshed = next(m for m in coach.messages() if m.message_id == library.message_id)
    assert "Browse by body region" in refreshed.display_text
