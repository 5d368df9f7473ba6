"""Update shapes and lengths (issue 14): edited messages in a conversation, channel posts of
/start <payload>, button presses on messages sent through inline mode, NUL and control
characters, and messages that must fit Telegram's limits as it counts them (UTF-16)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlmodel import select

from bot import callbacks as cb
from fake_telegram import LocalTelegram, LocalUser
from storage.models import Athlete, Exercise
from tests.bot.conftest import Harness
from tests.bot.helpers import add_athlete, athletes_in_db, onboard_coach
from tests.bot.test_exercises import add_custom
from tests.bot.test_registries import ours, sample_data

JSONDict = dict[str, Any]


async def send_then_edit(tg: LocalTelegram, user: LocalUser, text: str, edited: str) -> None:
    """`user` sends `text`, then edits that message to `edited` (Telegram sends both)."""
    data = tg.message_update_data(user, text)
    await tg.deliver(data)
    message: JSONDict = copy.deepcopy(data["message"])
    message["text"] = edited
    message["edit_date"] = message["date"] + 5
    message.pop("entities", None)
    await tg.deliver({"update_id": tg.api.next_update_id(), "edited_message": message})


def said_edits_are_not_read(user: LocalUser) -> bool:
    return "Edits of sent messages aren't read" in user.last_text()


async def test_an_edit_at_a_form_step_is_answered_and_changes_nothing(harness: Harness) -> None:
    tg = harness.tg
    coach = await onboard_coach(tg)
    await coach.send("/addathlete")
    await send_then_edit(tg, coach, "Maya Lopez", "Maya Lopes")
    assert said_edits_are_not_read(coach)
    # Still at the email step, with the name as first sent.
    await coach.send("maya@example.com")
    assert "phone" in coach.last_text()
    await send_then_edit(tg, coach, "+14155550123", "oops")
    assert said_edits_are_not_read(coach)
    for _ in range(3):
        await coach.send("/skip")
    assert "Maya Lopez" in coach.last_text() and "+1 415-555-0123" in coach.last_text()
    await coach.press("✅ Save")
    [athlete] = await athletes_in_db(harness)
    assert (athlete.name, athlete.phone) == ("Maya Lopez", "+14155550123")


async def test_an_edit_of_the_team_name_or_an_exercise_name_is_answered(harness: Harness) -> None:
    tg = harness.tg
    coach = tg.user("coach", first_name="Coach", username="coach_tg")
    await coach.send("/start")
    await send_then_edit(tg, coach, "Northside Barbell", "Northside")
    assert said_edits_are_not_read(coach)
    await coach.send("/newexercise")
    await send_then_edit(tg, coach, "Tempo Goblet Squat", "Tempo Squat")
    assert said_edits_are_not_read(coach)
    await coach.press("Squat")  # the form moved on with the name as first sent
    await coach.send("/cancel")
    await coach.send("/athletes")
    await add_athlete(coach, "Maya")
    await coach.press("✏️ Edit")
    await coach.press("Email")
    await send_then_edit(tg, coach, "maya@example.com", "maya@example.org")
    assert said_edits_are_not_read(coach)
    [athlete] = await athletes_in_db(harness)
    assert athlete.email == "maya@example.com"


async def test_a_channel_post_of_start_with_a_payload_is_left_alone(harness: Harness) -> None:
    tg = harness.tg
    before = len(harness.api.calls) if hasattr(harness.api, "calls") else None
    for text in ["/start inv_abcdefghijklmnopqrstuvwxyz", "/athletes", "hello"]:
        post = {
            "message_id": 7,
            "date": 1_700_000_000,
            "chat": {"id": -1001234567890, "type": "channel", "title": "Team news"},
            "sender_chat": {"id": -1001234567890, "type": "channel", "title": "Team news"},
            "text": text,
        }
        if text.startswith("/"):
            post["entities"] = [{"type": "bot_command", "offset": 0, "length": text.find(" ") % 99}]
        await tg.deliver({"update_id": tg.api.next_update_id(), "channel_post": post})
        edited = {**post, "edit_date": 1_700_000_100}
        await tg.deliver({"update_id": tg.api.next_update_id(), "edited_channel_post": edited})
    if before is not None:
        assert len(harness.api.calls) == before  # nothing was sent to the channel


def inline_press_data(tg: LocalTelegram, user: LocalUser, data: str) -> tuple[JSONDict, Any]:
    record = tg.api.register_callback_query(user.id, None, data)
    payload = {
        "id": record.id,
        "from": user.record.to_api(),
        "inline_message_id": "AgAAAKm5AQBtCLhgbx1I5g",
        "chat_instance": "-7012345678901234567",
        "data": data,
    }
    return {"update_id": tg.api.next_update_id(), "callback_query": payload}, record


@pytest.mark.parametrize(
    "data",
    ["menu:athletes", "menu:athletes_back", "rs:cur:0:0", "xcp:abc", "iv:abc", "ads", "nxs"],
)
async def test_a_press_on_an_inline_mode_message_is_answered(harness: Harness, data: str) -> None:
    tg = harness.tg
    coach = await onboard_coach(tg)
    await add_athlete(coach, "Maya")
    update, record = inline_press_data(tg, coach, data)
    await tg.deliver(update)
    assert record.answered and record.text and "private chat" in record.text
    # Nothing of the team went anywhere: the coach's chat got nothing new either.
    assert coach.last_text().startswith("👤 Maya")


async def test_every_callback_kind_pressed_from_an_inline_message_is_answered(
    harness: Harness,
) -> None:
    tg = harness.tg
    coach = await onboard_coach(tg)
    for kind in cb.REGISTRY.values():
        if not ours(kind):
            continue
        data = sample_data(kind)
        update, record = inline_press_data(tg, coach, data)
        await tg.deliver(update)
        assert record.answered, data


async def test_nul_and_control_characters_are_stripped_on_every_database(
    harness: Harness,
) -> None:
    coach = await onboard_coach(harness.tg, team="North\x00side")
    await coach.send("/addathlete")
    await coach.send("Ma\x00ya Lo\x07pez")
    await coach.send("maya\x00@example.com")
    await coach.send("/skip")
    await coach.send("/skip")
    await coach.send("/skip")
    await coach.send("left\x00 knee\x1b")
    await coach.press("✅ Save")
    [athlete] = await athletes_in_db(harness)
    assert (athlete.name, athlete.email, athlete.notes) == (
        "Maya Lopez",
        "maya@example.com",
        "left knee",
    )
    await coach.send("/athletes ma\x00ya")
    assert "Maya Lopez" in coach.buttons()[0]


async def test_notes_are_counted_as_telegram_counts_them(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/addathlete")
    await coach.send("Maya")
    for _ in range(4):
        await coach.send("/skip")
    await coach.send("💪" * 1001)  # 1001 characters, 2002 UTF-16 units
    assert "2000 or fewer" in coach.last_text() and "emoji" in coach.last_text()
    await coach.send("💪" * 1000)
    await coach.press("✅ Save")
    assert coach.last_text().startswith("👤 Maya")


async def test_a_card_with_oversized_old_text_still_opens(harness: Harness) -> None:
    """Rows saved before lengths were counted in UTF-16 units (2,000 emoji of notes, 2,000 of
    instructions) are shown shortened, and the team's inline lookup still answers."""
    coach = await onboard_coach(harness.tg)
    await add_athlete(coach, "Maya")
    exercise_id = await add_custom(harness, coach, "Tempo Goblet Squat")
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        athlete = (await session.exec(select(Athlete))).one()
        athlete.notes = "🦵" * 2000
        athlete.name = "M" + "🏋" * 49
        session.add(athlete)
        exercise = await session.get(Exercise, exercise_id)
        assert exercise is not None
        exercise.instructions = "🏋" * 2000
        exercise.aliases = ["🏋" * 99 + str(i) for i in range(40)]
        session.add(exercise)
        await session.commit()
    await coach.send("/athletes")
    await coach.press(coach.buttons()[0])
    card = coach.last_text()
    assert card.startswith("👤 M🏋") and "…" in card
    answer = await coach.inline("tempo goblet")
    assert answer.results
    await coach.send(f"/start ex_{exercise_id}")
    assert "…" in coach.last_text()
