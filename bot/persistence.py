"""Conversation states and per-user drafts kept in the database (no pickle files).

A restart, even an abrupt one, resumes every conversation at the step it was on: the routing
table flushes state after each update, and the Application flushes again on shutdown.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import ConversationDict, ConversationKey

from bot.database import Database
from storage.db import transaction
from storage.models import ConversationState, UserData
from storage.models.base import utcnow


def encode_key(key: ConversationKey) -> str:
    return json.dumps(list(key), separators=(",", ":"))


def decode_key(text: str) -> ConversationKey:
    return tuple(json.loads(text))


class DatabasePersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(self, database: Database, *, update_interval: float = 60) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.database = database

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        async with transaction(self.database.sessions) as session:
            rows = (await session.exec(select(UserData))).all()
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
            return {decode_key(row.key): row.state for row in rows}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        async with transaction(self.database.sessions) as session:
            encoded = encode_key(key)
            if new_state is None:
                await session.execute(
                    sa.delete(ConversationState).where(
                        col(ConversationState.name) == name, col(ConversationState.key) == encoded
                    )
                )
                return
            row = await session.get(ConversationState, (name, encoded))
            if row is None:
                session.add(ConversationState(name=name, key=encoded, state=new_state))
            else:
                row.state = new_state
                row.updated_at = utcnow()

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        async with transaction(self.database.sessions) as session:
            row = await session.get(UserData, user_id)
            if not data:
                if row is not None:
                    await session.delete(row)
                return
            payload = json.loads(json.dumps(data, default=str))
            if row is None:
                session.add(UserData(telegram_user_id=user_id, data=payload))
            elif row.data != payload:
                row.data = payload
                row.updated_at = utcnow()

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        return None

    async def update_callback_data(self, data: Any) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        async with transaction(self.database.sessions) as session:
            row = await session.get(UserData, user_id)
            if row is not None:
                await session.delete(row)

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        return None

    async def flush(self) -> None:
        # Every update_* call above writes through; nothing is buffered here.
        return None
