"""The command menu Telegram shows next to the text box, kept equal to /help per audience."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.commands import Audience, commands_for

log = logging.getLogger(__name__)


def bot_commands(*audiences: Audience) -> list[BotCommand]:
    return [BotCommand(c.name, c.description) for c in commands_for(*audiences)]


async def publish_default_commands(bot: Bot) -> None:
    await bot.set_my_commands(bot_commands(Audience.EVERYONE), scope=BotCommandScopeDefault())


async def publish_chat_commands(bot: Bot, chat_id: int, audiences: list[Audience]) -> None:
    """Called when someone becomes a coach or an athlete; a failure here is not the user's."""
    try:
        await bot.set_my_commands(
            bot_commands(*audiences), scope=BotCommandScopeChat(chat_id=chat_id)
        )
    except TelegramError as error:
        log.warning("could not set the command menu for a chat: %s", error)
