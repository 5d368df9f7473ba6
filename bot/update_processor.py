"""Updates of different chats run in parallel; updates of one chat run in arrival order.

The processor also brackets each update for the durable inbox (bot.inbox): while it is
handled, the first commit carries its "handled" mark; if nothing committed, it is marked
at the end.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.inbox import CURRENT_UPDATE, Inbox


def chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    # Inline queries have no chat: order them per user.
    return update.effective_user.id if update.effective_user is not None else None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int, inbox: Inbox | None = None) -> None:
        super().__init__(max_concurrent_updates)
        self.inbox = inbox
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            await self._handle(update, coroutine)
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await self._handle(update, coroutine)
        finally:
            self._waiting[key] -= 1
            if self._waiting[key] == 0:  # last one out forgets the chat, so memory stays flat
                del self._waiting[key]
                del self._locks[key]

    async def _handle(self, update: object, coroutine: Awaitable[Any]) -> None:
        mark = self.inbox.claim(update) if self.inbox is not None else None
        if mark is None:
            await coroutine
            return
        token = CURRENT_UPDATE.set(mark)
        try:
            await coroutine
        finally:
            CURRENT_UPDATE.reset(token)
        # Not reached when cancelled: the update stays pending and is replayed at start.
        assert self.inbox is not None
        await self.inbox.finish(mark)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
