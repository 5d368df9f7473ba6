"""The callback context every handler gets: PTB's, plus the update's database session."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.database import Database
from bot.settings import Settings
from storage.models.base import utcnow

DB_KEY = "spotter.db"
SETTINGS_KEY = "spotter.settings"
CLOCK_KEY = "spotter.clock"
MODE_KEY = "spotter.mode"

ReturnT = TypeVar("ReturnT")


class SpotterContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """`session` is open for the length of one handler; see `transactional`."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self._session: AsyncSession | None = None

    @property
    def db(self) -> Database:
        database: Database = self.application.bot_data[DB_KEY]
        return database

    @property
    def settings(self) -> Settings:
        settings: Settings = self.application.bot_data[SETTINGS_KEY]
        return settings

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("no database session: wrap the handler with @transactional")
        return self._session

    def now(self) -> datetime:
        """The current time; tests put a clock of their own in bot_data to move it."""
        clock: Callable[[], datetime] | None = self.application.bot_data.get(CLOCK_KEY)
        return clock() if clock is not None else utcnow()

    async def commit(self) -> None:
        """Make the update's work durable now (before telling the user it's done)."""
        if self._session is not None and self._session.in_transaction():
            await self._session.commit()


Handler = Callable[[Update, SpotterContext], Coroutine[Any, Any, ReturnT]]


def transactional(callback: Handler[ReturnT]) -> Handler[ReturnT]:
    """One database transaction per handler: committed at the end, rolled back if it raises.

    Replies commit first (see bot.replies), so the write lock is never held over a network
    call and a message never announces something that isn't saved.
    """

    @functools.wraps(callback)
    async def wrapper(update: Update, context: SpotterContext) -> ReturnT:
        async with context.db.sessions() as session:
            context._session = session
            try:
                result = await callback(update, context)
            except BaseException as error:
                await session.rollback()
                # For the error handler's log line (it can't see which handler failed).
                if not hasattr(error, "spotter_handler"):
                    error.spotter_handler = callback.__qualname__  # type: ignore[attr-defined]
                raise
            else:
                await context.commit()
            finally:
                context._session = None
            return result

    return wrapper
