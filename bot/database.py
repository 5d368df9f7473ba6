"""The database as the bot sees it: opened in post_init, disposed in post_shutdown."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.inbox import InboxSession
from storage.db import SessionFactory, make_engine, make_session_factory


class Database:
    """Holds the engine; created unopened so that building the Application touches nothing."""

    def __init__(self, url: str, *, connections: int | None = None) -> None:
        self.url = url
        # PostgreSQL: pooled connections, one per update handled at once (storage.db).
        self.connections = connections
        self._engine: AsyncEngine | None = None
        self._factory: SessionFactory | None = None

    def open(self) -> None:
        if self._engine is None:
            self._engine = make_engine(self.url, connections=self.connections)
            # Its sessions carry the inbox's "handled" mark in their first commit (bot.inbox).
            self._factory = make_session_factory(self._engine, sync_session_class=InboxSession)

    @property
    def engine(self) -> AsyncEngine:
        self.open()
        assert self._engine is not None
        return self._engine

    @property
    def sessions(self) -> SessionFactory:
        self.open()
        assert self._factory is not None
        return self._factory

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
        self._engine = None
        self._factory = None
