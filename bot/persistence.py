"""Conversation states and per-user drafts kept in the database (no pickle files).

A restart, even an abrupt one, resumes every conversation at the step it was on: the routing
table flushes state after each update (one transaction, only what changed), and the
Application flushes again on shutdown.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from bot.database import Database
from storage.db import transaction, upsert
from storage.models import ConversationState, UserData
from storage.models.base import utcnow


def encode_key(key: ConversationKey) -> str:
    return json.dumps(list(key), separators=(",", ":"))


def decode_key(text: str) -> ConversationKey:
    return tuple(json.loads(text))


def dump(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str)


NOTHING = dump(None)  # no row


async def write_state(session: AsyncSession, name: str, key: str, state: object | None) -> None:
    if state is None:
        await session.execute(
            sa.delete(ConversationState).where(
                col(ConversationState.name) == name, col(ConversationState.key) == key
            )
        )
        return
    values = {"name": name, "key": key, "state": state, "updated_at": utcnow()}
    await upsert(session, ConversationState, values, keys=["name", "key"])


async def write_user_data(
    session: AsyncSession, user_id: int, payload: dict[Any, Any] | None
) -> None:
    if payload is None:
        await session.execute(sa.delete(UserData).where(col(UserData.telegram_user_id) == user_id))
        return
    values = {"telegram_user_id": user_id, "data": payload, "updated_at": utcnow()}
    await upsert(session, UserData, values, keys=["telegram_user_id"])


class DatabasePersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(self, database: Database, *, update_interval: float = 60) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.database = database
        # What the database holds, as JSON text, and what PTB handed over since the last flush.
        self._saved_users: dict[int, str] = {}
        self._saved_states: dict[tuple[str, str], str] = {}
        self._pending_users: dict[int, dict[Any, Any] | None] = {}
        self._pending_states: dict[tuple[str, str], object | None] = {}

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        async with transaction(self.database.sessions) as session:
            rows = (await session.exec(select(UserData))).all()
            self._saved_users = {row.telegram_user_id: dump(row.data) for row in rows}
            return {row.telegram_user_id: dict(row.data) for row in rows}

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        async with transaction(self.database.sessions) as session:
            rows = (
                await session.exec(
                    select(ConversationState).where(col(ConversationState.name) == name)
                )
            ).all()
            for row in rows:
                self._saved_states[(name, row.key)] = dump(row.state)
            return {decode_key(row.key): row.state for row in rows}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        self._pending_states[(name, encode_key(key))] = new_state

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        self._pending_users[user_id] = json.loads(json.dumps(data, default=str)) or None

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        await self.update_user_data(user_id, {})

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        return None

    async def flush(self) -> None:
        """Write what changed since the last flush, in one transaction.

        PTB hands over every touched conversation and user; most are unchanged (a command, a
        page turn), so comparing with what was last written spares most updates any write.
        """
        states = {
            key: value
            for key, value in self._pending_states.items()
            if self._saved_states.get(key, NOTHING) != dump(value)
        }
        users = {
            key: value
            for key, value in self._pending_users.items()
            if self._saved_users.get(key, NOTHING) != dump(value)
        }
        self._pending_states, self._pending_users = {}, {}
        if not states and not users:
            return
        async with transaction(self.database.sessions) as session:
            for (name, key), state in states.items():
                await write_state(session, name, key, state)
            for user_id, payload in users.items():
                await write_user_data(session, user_id, payload)
        self._saved_states.update((key, dump(value)) for key, value in states.items())
        self._saved_users.update((key, dump(value)) for key, value in users.items())
