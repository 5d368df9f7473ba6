"""Conversation states and per-user drafts kept in the database (no pickle files).

Nothing is loaded at start: a user's data and their chat's conversation states are read the
first time an update of theirs arrives (`load_update_state`, the routing table's first group,
and `refresh_user_data`), so memory and the restart time don't grow with everyone who ever left
a form half-filled.

A restart, even an abrupt one, resumes every conversation at the step it was on: after each
update (the last group of the routing table), `save_update_state` writes that update's own
state, and nobody else's: its chat's conversation keys and its user's data, only what changed,
in one transaction, in a fixed order (conversations by name, then the user), so concurrent
updates never wait on each other's rows (no deadlocks on PostgreSQL). If that write fails, the
bot's idea of the conversation goes back to what the database holds and the update fails (the
user is told), so the two never disagree. The Application flushes anything else on shutdown.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col
from telegram import Update
from telegram.ext import (
    Application,
    BasePersistence,
    CallbackContext,
    ConversationHandler,
    PersistenceInput,
)
from telegram.ext._handlers.conversationhandler import PendingState
from telegram.ext._utils.trackingdict import TrackingDict
from telegram.ext._utils.types import ConversationDict, ConversationKey

from bot.database import Database
from bot.inbox import ending_write
from storage.db import transaction, upsert_statement
from storage.models import ConversationState, UserData
from storage.models.base import utcnow


def encode_key(key: ConversationKey) -> str:
    return json.dumps(list(key), separators=(",", ":"))


def decode_key(text: str) -> ConversationKey:
    return tuple(json.loads(text))


def dump(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str)


NOTHING = dump(None)  # no row

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
StateKey = tuple[str, str]  # (conversation name, encoded key)


_USER_DATA = sa.select(col(UserData.data)).where(
    col(UserData.telegram_user_id) == sa.bindparam("user_id")
)
_CONVERSATION_STATES = sa.select(
    col(ConversationState.name), col(ConversationState.key), col(ConversationState.state)
).where(col(ConversationState.key).in_(sa.bindparam("state_keys", expanding=True)))


class StateNotSaved(Exception):
    """The update's conversation state could not be written; it was not changed."""


class StateNotLoaded(Exception):
    """The update's conversation state could not be read; the update must go no further
    (every later handler would take the user for someone with no form open)."""


def plain(data: dict[Any, Any]) -> dict[Any, Any] | None:
    """user_data as it is stored (JSON); an empty dict is no row."""
    loaded: dict[Any, Any] = json.loads(json.dumps(data, default=str))
    return loaded or None


_DELETE_STATE = sa.delete(ConversationState).where(
    col(ConversationState.name) == sa.bindparam("state_name"),
    col(ConversationState.key) == sa.bindparam("state_key"),
)
_DELETE_USER_DATA = sa.delete(UserData).where(
    col(UserData.telegram_user_id) == sa.bindparam("user_id")
)


async def write_state(connection: AsyncConnection, name: str, key: str, state: object) -> None:
    if state is None:
        await connection.execute(_DELETE_STATE, {"state_name": name, "state_key": key})
        return
    values = {"name": name, "key": key, "state": state, "updated_at": utcnow()}
    statement = _upsert(connection, ConversationState, values, ("name", "key"))
    await connection.execute(statement, values)


async def write_user_data(
    connection: AsyncConnection, user_id: int, payload: dict[Any, Any] | None
) -> None:
    if payload is None:
        await connection.execute(_DELETE_USER_DATA, {"user_id": user_id})
        return
    values = {"telegram_user_id": user_id, "data": payload, "updated_at": utcnow()}
    await connection.execute(_upsert(connection, UserData, values, ("telegram_user_id",)), values)


def _upsert(
    connection: AsyncConnection, model: Any, values: dict[str, Any], keys: tuple[str, ...]
) -> Any:
    return upsert_statement(connection.dialect.name, model.__table__, tuple(values), keys)


class DatabasePersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(
        self,
        database: Database,
        *,
        update_interval: float = 60,
        form_timeout: timedelta = timedelta(hours=24),
    ) -> None:
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
        self.form_timeout = form_timeout
        self._pruned = False
        # What has been read from the database since start (read once, then kept in memory),
        # and reads under way, so that two updates of one user don't read (and apply) twice.
        self._loaded_users: set[int] = set()
        self._loaded_states: set[StateKey] = set()
        self._loading: dict[object, asyncio.Future[None]] = {}
        self._handlers_shape: tuple[tuple[int, int], ...] = ()
        self._persistent_handlers: list[ConversationHandler[Any]] = []

    async def prune_abandoned(self) -> None:
        """Once, before anything is loaded: delete conversation and user-data rows untouched
        for longer than the form timeout.

        Why: PTB loads every stored row into memory at start, so without this the memory and
        the restart time grow with every user who ever abandoned a form (about 0.6 KB and
        40 us each). Such a form is closed anyway when its user returns (bot.core.forms), and
        user_data holds only drafts and view state, none of it worth keeping that long. The
        cost: a user who returns after a restart is not told that their form expired.
        """
        if self._pruned:
            return
        self._pruned = True
        cutoff = utcnow() - self.form_timeout
        async with transaction(self.database.sessions) as session:
            await session.execute(
                sa.delete(ConversationState).where(col(ConversationState.updated_at) < cutoff)
            )
            await session.execute(sa.delete(UserData).where(col(UserData.updated_at) < cutoff))

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        await self.prune_abandoned()
        return {}  # read per user when they are next heard from (refresh_user_data)

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        await self.prune_abandoned()
        return {}  # read per chat when an update of theirs arrives (load_update_state)

    async def _once(self, what: object, read: Callable[[], Awaitable[None]]) -> None:
        """Run `read` once for `what`; a second caller meanwhile waits for the first."""
        pending = self._loading.get(what)
        if pending is not None:
            await asyncio.shield(pending)
            return
        future = self._loading[what] = asyncio.get_running_loop().create_future()
        try:
            await read()
            future.set_result(None)
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: the waiters get it, nobody logs it as lost
            raise
        finally:
            del self._loading[what]

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        """Before a handler runs: the user's data, read from the database the first time."""
        if user_id in self._loaded_users:
            return

        async def read() -> None:
            if user_id in self._loaded_users:
                return
            async with self.database.engine.connect() as connection:
                data = (
                    await connection.execute(_USER_DATA, {"user_id": user_id})
                ).scalar_one_or_none()
            if data is not None:
                self._saved_users[user_id] = dump(data)
                # What PTB may have put there meanwhile is newer than the database.
                user_data.update({**data, **user_data})
            self._loaded_users.add(user_id)

        await self._once(("user", user_id), read)

    async def load_update_state(self, update: Update, application: AnyApplication) -> None:
        """The conversation states of the update's chat and user, read the first time."""
        wanted: dict[StateKey, tuple[ConversationHandler[Any], ConversationKey]] = {}
        for handler in self._conversation_handlers(application):
            try:
                key = handler._get_key(update)
            except RuntimeError:  # this update type has no key for that conversation
                continue
            state_key = (str(handler.name), encode_key(key))
            if state_key not in self._loaded_states:
                wanted[state_key] = (handler, key)
        if not wanted:
            return

        async def read() -> None:
            missing = [k for k in wanted if k not in self._loaded_states]
            if not missing:
                return
            async with self.database.engine.connect() as connection:
                rows = (
                    await connection.execute(
                        _CONVERSATION_STATES, {"state_keys": sorted({k for _, k in missing})}
                    )
                ).all()
            found = {(name, key): state for name, key, state in rows}
            for state_key in missing:
                handler, key = wanted[state_key]
                state = found.get(state_key)
                # A state set since start (in memory) is newer than the database's.
                if state is not None and key not in handler._conversations:
                    # Untracked: PTB must not write back what was just read.
                    cast(TrackingDict[Any, Any], handler._conversations).update_no_track(
                        {key: state}
                    )
                    self._saved_states[state_key] = dump(state)
                self._loaded_states.add(state_key)

        await self._once(tuple(sorted(wanted)), read)

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        self._pending_states[(name, encode_key(key))] = new_state

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        self._pending_users[user_id] = plain(data)

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

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        return None

    async def flush(self) -> None:
        """Write what changed since the last flush, in one transaction.

        PTB hands over every touched conversation and user; most are unchanged (a command, a
        page turn), so comparing with what was last written spares most updates any write.
        """
        states, users = self._pending_states, self._pending_users
        self._pending_states, self._pending_users = {}, {}
        try:
            await self._write(states, users)
        except Exception:
            # Kept for the next flush: nothing handed over is dropped before it is written.
            self._pending_states = {**states, **self._pending_states}
            self._pending_users = {**users, **self._pending_users}
            raise

    def _changed(
        self, states: dict[StateKey, object | None], users: dict[int, dict[Any, Any] | None]
    ) -> tuple[dict[StateKey, object | None], dict[int, dict[Any, Any] | None]]:
        return (
            {k: v for k, v in states.items() if self._saved_states.get(k, NOTHING) != dump(v)},
            {k: v for k, v in users.items() if self._saved_users.get(k, NOTHING) != dump(v)},
        )

    async def _write(
        self, states: dict[StateKey, object | None], users: dict[int, dict[Any, Any] | None]
    ) -> bool:
        """Write what differs from the database, in key order; False if nothing did."""
        states, users = self._changed(states, users)
        if not states and not users:
            return False
        async with ending_write(self.database.engine) as connection:  # marks the update handled
            for name, key in sorted(states):
                await write_state(connection, name, key, states[(name, key)])
            for user_id in sorted(users):
                await write_user_data(connection, user_id, users[user_id])
        self._saved_states.update((key, dump(value)) for key, value in states.items())
        self._saved_users.update((key, dump(value)) for key, value in users.items())
        return True

    # ------------------------------------------------------------ one update's own state

    def _conversation_handlers(self, application: AnyApplication) -> list[ConversationHandler[Any]]:
        # Found again only when the handlers change (they are added at start): scanning every
        # handler on every update cost 2% of an update's CPU (bench/).
        shape = tuple((group, len(handlers)) for group, handlers in application.handlers.items())
        if self._handlers_shape != shape:
            self._handlers_shape = shape
            self._persistent_handlers = [
                handler
                for handlers in application.handlers.values()
                for handler in handlers
                if isinstance(handler, ConversationHandler) and handler.persistent and handler.name
            ]
        return self._persistent_handlers

    def own_state(
        self, update: Update, application: AnyApplication
    ) -> tuple[dict[StateKey, object | None], dict[int, dict[Any, Any] | None]]:
        """The conversation states of the update's chat and user, and the user's data."""
        states: dict[StateKey, object | None] = {}
        for handler in self._conversation_handlers(application):
            try:
                key = handler._get_key(update)
            except RuntimeError:  # this update type has no key for that conversation
                continue
            state = handler._conversations.get(key)
            if isinstance(state, PendingState):  # a non-blocking step still running
                continue
            states[(str(handler.name), encode_key(key))] = state
        users: dict[int, dict[Any, Any] | None] = {}
        user = update.effective_user
        if user is not None and user.id in application.user_data:
            users[user.id] = plain(application.user_data[user.id])
        return states, users

    def _restore(
        self,
        application: AnyApplication,
        states: dict[StateKey, object | None],
        users: dict[int, dict[Any, Any] | None],
    ) -> None:
        """Put the bot's memory back to what the database holds for these keys."""
        handlers = {str(h.name): h for h in self._conversation_handlers(application)}
        for name, key in states:
            saved = json.loads(self._saved_states.get((name, key), NOTHING))
            conversations = handlers[name]._conversations
            if saved is None:
                conversations.pop(decode_key(key), None)
            else:
                conversations[decode_key(key)] = saved
        for user_id in users:
            saved_data = json.loads(self._saved_users.get(user_id, NOTHING)) or {}
            data = application.user_data.get(user_id)
            if data is not None:
                data.clear()
                data.update(saved_data)

    async def save_update_state(self, update: Update, application: AnyApplication) -> None:
        """Write this update's own state now (see the module's docstring)."""
        states, users = self.own_state(update, application)
        for key in states:
            self._pending_states.pop(key, None)  # what is written now is newer
        for user_id in users:
            self._pending_users.pop(user_id, None)
        try:
            await self._write(states, users)
        except Exception as error:
            self._restore(application, *self._changed(states, users))
            raise StateNotSaved(type(error).__name__) from error


async def load_update_state(update: object, context: CallbackContext[Any, Any, Any, Any]) -> None:
    """The routing table's first group: the update's conversation states, before anyone looks."""
    persistence = context.application.persistence
    if isinstance(update, Update) and isinstance(persistence, DatabasePersistence):
        try:
            await persistence.load_update_state(update, context.application)
        except Exception as error:
            raise StateNotLoaded(type(error).__name__) from error


async def flush_state(update: object, context: CallbackContext[Any, Any, Any, Any]) -> None:
    """The routing table's last group: every update's own state, written as it ends."""
    persistence = context.application.persistence
    if isinstance(update, Update) and isinstance(persistence, DatabasePersistence):
        await persistence.save_update_state(update, context.application)
