"""Deep links (`t.me/<bot>?start=<payload>`): each payload format declared once, routed in app.py.

    EXERCISE = DeepLink("ex_")                 # ex_<exercise id>
    EXERCISE.payload(exercise.id)              # "ex_Xy12..." for a link or an inline button
    on_deep_link(EXERCISE, open_exercise_link) # app.py: CommandHandler for "/start ex_..."

A deep link's handler gets the payload's value (what follows the prefix), runs in one
transaction, and only in a private chat: in a group the link is refused without a word about
what it points to.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CommandHandler, filters

from bot.context import SpotterContext, transactional
from bot.core import texts as core_texts
from bot.replies import send

PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Every declared deep link, by prefix (a meta-test checks each has a route).
REGISTRY: dict[str, DeepLink] = {}
# The handler last made for each link by on_deep_link (what the meta-test looks for).
ROUTES: dict[str, CommandHandler[Any, Any]] = {}

LinkHandler = Callable[[Update, SpotterContext, str], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class DeepLink:
    prefix: str
    # An exact payload ("library") rather than a prefix followed by a value.
    exact: bool = False
    # The catch-all: payloads no other link claims go here (invites say "invalid link").
    fallback: bool = False

    def __post_init__(self) -> None:
        if self.prefix in REGISTRY:
            raise ValueError(f"deep link {self.prefix!r} declared twice")
        REGISTRY[self.prefix] = self

    def payload(self, value: str = "") -> str:
        text = self.prefix if self.exact else f"{self.prefix}{value}"
        if not PAYLOAD.fullmatch(text):
            raise ValueError(f"not a valid deep-link payload: {text!r}")
        return text

    @property
    def filter(self) -> filters.BaseFilter:
        if self.fallback:
            return filters.Regex(r"^/start(@\w+)? \S")
        tail = r"(\s|$)" if self.exact else r"\S*"
        return filters.Regex(rf"^/start(@\w+)? {re.escape(self.prefix)}{tail}")

    def value_of(self, payload: str) -> str:
        return payload if self.fallback else payload.removeprefix(self.prefix)


def on_deep_link(link: DeepLink, callback: LinkHandler) -> CommandHandler[Any, Any]:
    """The route of one deep link: "/start <payload>" in a private chat, in a transaction."""

    async def open_link(update: Update, context: SpotterContext) -> None:
        chat = update.effective_chat
        assert chat is not None
        if chat.type != ChatType.PRIVATE:
            # A team's library or an invite shown to a whole group would reveal too much.
            await send(update, context, core_texts.DEEP_LINK_PRIVATE_ONLY)
            return
        payload = context.args[0] if context.args else ""
        await callback(update, context, link.value_of(payload))

    open_link.__name__ = open_link.__qualname__ = getattr(callback, "__name__", "deep_link")
    handler = CommandHandler("start", transactional(open_link), link.filter)
    ROUTES[link.prefix] = handler
    return handler


# The formats of the links the bot hands out.
INVITE = DeepLink("inv_", fallback=True)  # inv_<token>: binds an athlete (bot.invites)
EXERCISE = DeepLink("ex_")  # ex_<exercise id>: an exercise card (bot.exercises)
# The inline results' "open Spotter" button (also for people who never started the bot).
LIBRARY = DeepLink("library", exact=True)
