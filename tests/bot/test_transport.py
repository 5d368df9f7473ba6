"""The bot's own Bot API transport (bot.transport.RepliesRequest)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from fake_telegram import LocalTelegram


async def test_a_sent_message_comes_back_without_what_the_bot_wrote(tg: LocalTelegram) -> None:
    coach = tg.user("coach")
    await coach.send("/start")  # a chat with the bot exists
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Open", callback_data="x")]])
    sent = await tg.app.bot.send_message(coach.chat_id, "<b>Hi</b> there", reply_markup=keyboard)
    # Only the ids are read back; the keyboard and formatting were ours, and are not parsed.
    assert (sent.message_id, sent.chat.id, sent.text) == (
        coach.bot_messages()[-1].message_id,
        coach.chat_id,
        "Hi there",
    )
    assert sent.reply_markup is None and sent.entities == ()
    # Telegram has them: the user sees the button and the bold text.
    assert coach.buttons() == ["Open"]
    edited = await tg.app.bot.edit_message_text(
        "Bye", chat_id=coach.chat_id, message_id=sent.message_id, reply_markup=keyboard
    )
    assert not isinstance(edited, bool) and edited.reply_markup is None
    assert coach.last_text() == "Bye" and coach.buttons() == ["Open"]


async def test_users_messages_keep_their_entities(tg: LocalTelegram) -> None:
    # A command is recognised by its bot_command entity: trimmed, /start would go unanswered.
    coach = tg.user("coach")
    await coach.send("/start")
    assert "What's your team called?" in coach.last_text()
