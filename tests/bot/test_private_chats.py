"""Private chats only: in a group the bot reveals nothing and points to the private chat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.context import CLOCK_KEY
from fake_telegram import LocalGroup, LocalTelegram, LocalUser
from tests.bot.conftest import Harness
from tests.bot.helpers import add_athlete, athletes_in_db, onboard_coach

PRIVATE_ONLY = "I work in private chats only"


async def coach_with_group(
    tg: LocalTelegram, *, supergroup: bool = False, privacy: bool = True
) -> tuple[LocalUser, LocalUser, LocalGroup]:
    coach = await onboard_coach(tg)
    await add_athlete(coach, "Maya Lopez", "maya@example.com")
    maya = tg.user("maya")
    group = tg.group("Northside lifters", [coach, maya], supergroup=supergroup, privacy=privacy)
    return coach, maya, group


def assert_points_to_private_chat(group: LocalGroup, harness: Harness) -> None:
    text = group.last_text()
    assert PRIVATE_ONLY in text
    [button] = group.buttons()
    assert button["url"] == f"https://t.me/{harness.api.bot.username}"


@pytest.mark.parametrize("supergroup", [False, True], ids=["group", "supergroup"])
@pytest.mark.parametrize("command", ["/athletes", "/invite Maya", "/addathlete", "/help", "/me"])
async def test_commands_in_a_group_reveal_nothing(
    harness: Harness, supergroup: bool, command: str
) -> None:
    coach, _, group = await coach_with_group(harness.tg, supergroup=supergroup)
    private_before = len(coach.bot_messages())
    await coach.say(group, command)
    assert len(group.bot_messages()) == 1
    assert_points_to_private_chat(group, harness)
    text = group.last_text()
    for secret in ("Maya", "maya@example.com", "t.me/" + harness.api.bot.username + "?start"):
        assert secret not in text
    assert not harness.api.calls_of("sendPhoto")  # no invite QR code anywhere
    assert len(coach.bot_messages()) == private_before  # nothing sent privately either
    # No form was opened by /addathlete: the next private message is not an athlete's name.
    await coach.send("hello")
    assert "not sure what to do" in coach.last_text()
    assert [a.name for a in await athletes_in_db(harness)] == ["Maya Lopez"]


async def test_privacy_mode_group_sees_only_commands(harness: Harness) -> None:
    coach, maya, group = await coach_with_group(harness.tg)
    assert await maya.say(group, "squats at 6?") is None  # Telegram doesn't deliver it
    await coach.say(group, "/athletes@" + harness.api.bot.username)
    assert_points_to_private_chat(group, harness)
    await coach.say(group, "/help@SomeOtherBot")  # another bot's command: not ours to answer
    assert len(group.bot_messages()) == 1


async def test_a_group_is_told_once_a_minute(harness: Harness) -> None:
    coach, maya, group = await coach_with_group(harness.tg, supergroup=True)
    clock = [datetime(2026, 3, 2, 9, 0, tzinfo=UTC)]
    harness.app.bot_data[CLOCK_KEY] = lambda: clock[0]
    await coach.say(group, "/athletes")
    await maya.say(group, "/me")
    await coach.say(group, "/help")
    assert len(group.bot_messages()) == 1
    clock[0] += timedelta(minutes=1)
    await maya.say(group, "/start")
    assert len(group.bot_messages()) == 2
    assert_points_to_private_chat(group, harness)


async def test_chatter_in_a_group_without_privacy_mode_is_ignored(harness: Harness) -> None:
    _, maya, group = await coach_with_group(harness.tg, privacy=False)
    assert await maya.say(group, "squats at 6?") is not None
    assert group.bot_messages() == []


async def test_buttons_in_a_group_answer_with_the_private_chat_rule(harness: Harness) -> None:
    coach, _, group = await coach_with_group(harness.tg)
    await coach.say(group, "/start")
    # A button press reaching the bot from a group message (forged, or an old card).
    payload, record = harness.tg.callback_update_data(coach, group.bot_messages()[-1], "ac:x")
    await harness.tg.deliver(payload)
    assert record.answered and record.show_alert and PRIVATE_ONLY in (record.text or "")
    assert len(group.bot_messages()) == 1


async def test_deep_links_and_private_chat_still_work(harness: Harness) -> None:
    coach, _, group = await coach_with_group(harness.tg)
    for link in ("/start library", "/start ex_abc", "/start inv_" + "x" * 43):
        await coach.say(group, link)
        assert group.last_text() == "Please open that link in a private chat with me."
    assert "Northside" not in " ".join(m.display_text for m in group.bot_messages())
    await coach.send("/athletes")
    assert "🟢 Maya Lopez" in coach.buttons()
