"""Chat-level driver: simulated users talking to the real ``telegram.ext.Application``.

``LocalTelegram`` builds genuine ``telegram.Update`` objects (JSON -> ``Update.de_json`` with the
application's bot, exactly like updates from Telegram), records what the user "typed" in
:class:`~fake_telegram.server.LocalBotAPI`, and feeds the updates to the application.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from telegram import Update
from telegram.ext import Application, ExtBot

from fake_telegram.server import (
    CallbackQueryRecord,
    ChatRecord,
    InlineAnswer,
    JSONDict,
    LocalBotAPI,
    StoredMessage,
    UserRecord,
)

__all__ = ["Delivery", "LocalGroup", "LocalTelegram", "LocalUser"]

Delivery = Literal["direct", "queue", "polling"]
AnyApplication = Application[Any, Any, Any, Any, Any, Any]
MessageRef = StoredMessage | int | None

_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_START_PARAM = re.compile(r"[A-Za-z0-9_-]{1,64}")
_LINK_HOSTS = frozenset({"t.me", "www.t.me", "telegram.me", "www.telegram.me", "telegram.dog"})


class LocalTelegram:
    """Drives ``app`` (built with ``.request(api).get_updates_request(api)``) through ``api``.

    ``delivery`` picks how updates reach the application:

    * ``"direct"`` (default): ``await app.process_update(update)``; needs only
      ``await app.initialize()``.
    * ``"queue"``: put on ``app.update_queue``; needs ``await app.start()``.
    * ``"polling"``: queued in ``api`` for getUpdates; needs ``app.updater.start_polling()``.

    In every mode the user helpers return once the bot is idle again, so replies are in the chat.
    """

    def __init__(
        self,
        app: AnyApplication,
        api: LocalBotAPI,
        *,
        delivery: Delivery = "direct",
        idle_timeout: float = 5.0,
        capture_errors: bool = False,
    ) -> None:
        self.app = app
        self.api = api
        self.delivery: Delivery = delivery
        self.idle_timeout = idle_timeout
        self.users: dict[str, LocalUser] = {}
        # Exceptions raised by handlers (only with capture_errors=True).
        self.errors: list[BaseException] = []
        self._idle_watcher: asyncio.Future[None] | None = None
        if capture_errors:
            app.add_error_handler(self._record_error)

    # ----------------------------------------------------------------- users

    def user(
        self,
        name: str,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> LocalUser:
        """Return the user called ``name``, creating them (ids increase from 1001) if new."""
        existing = self.users.get(name)
        if existing is not None:
            return existing
        record = self.api.add_user(
            first_name or name.capitalize(),
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        created = LocalUser(self, name, record)
        self.users[name] = created
        return created

    def group(
        self,
        title: str,
        members: list[LocalUser],
        *,
        supergroup: bool = False,
        privacy: bool = True,
    ) -> LocalGroup:
        """A group chat of ``members`` and the bot (privacy mode: the bot sees only commands,
        replies to it and mentions of it)."""
        record = self.api.add_group(
            title, [m.id for m in members], supergroup=supergroup, privacy=privacy
        )
        return LocalGroup(self, record)

    # ----------------------------------------------------------------- update building blocks

    def message_update_data(
        self, user: LocalUser | UserRecord, text: str, *, reply_to: MessageRef = None
    ) -> JSONDict:
        """Record ``text`` as sent by ``user`` and return the Update JSON Telegram would send."""
        message = self._record_text(user, text, reply_to, chat_id=None)
        return {"update_id": self.api.next_update_id(), "message": self.api.message_to_api(message)}

    def group_message_update_data(
        self, user: LocalUser | UserRecord, group: LocalGroup, text: str, *, reply_to: MessageRef
    ) -> JSONDict | None:
        """Record ``text`` as written by ``user`` in ``group``: the Update JSON, or None if the
        bot doesn't get it (privacy mode)."""
        message = self._record_text(user, text, reply_to, chat_id=group.id)
        if not self.api.bot_receives(group.record, message):
            return None
        return {"update_id": self.api.next_update_id(), "message": self.api.message_to_api(message)}

    def _record_text(
        self, user: LocalUser | UserRecord, text: str, reply_to: MessageRef, chat_id: int | None
    ) -> StoredMessage:
        record = _record_of(user)
        entities: list[JSONDict] = []
        command = _COMMAND.match(text)
        if command:
            entities.append({"type": "bot_command", "offset": 0, "length": command.end()})
        reply_id = reply_to.message_id if isinstance(reply_to, StoredMessage) else reply_to
        return self.api.record_user_message(
            record.id, text, entities=entities, reply_to_message_id=reply_id, chat_id=chat_id
        )

    def document_update_data(
        self,
        user: LocalUser | UserRecord,
        content: bytes,
        file_name: str | None,
        *,
        mime_type: str | None = None,
        caption: str | None = None,
        group: LocalGroup | None = None,
    ) -> JSONDict | None:
        """Record a file sent by ``user`` (privately, or in ``group``) and return the Update JSON
        Telegram would send, or None if the bot doesn't get it (a group in privacy mode)."""
        message = self.api.record_user_document(
            _record_of(user).id,
            content,
            file_name=file_name,
            mime_type=mime_type,
            caption=caption,
            chat_id=None if group is None else group.id,
        )
        if group is not None and not self.api.bot_receives(group.record, message):
            return None
        return {"update_id": self.api.next_update_id(), "message": self.api.message_to_api(message)}

    def callback_update_data(
        self, user: LocalUser | UserRecord, message: StoredMessage, data: str
    ) -> tuple[JSONDict, CallbackQueryRecord]:
        """Register a button press on ``message`` and return its Update JSON and record."""
        record = _record_of(user)
        query = self.api.register_callback_query(record.id, message, data)
        payload: JSONDict = {
            "id": query.id,
            "from": record.to_api(),
            "message": self.api.message_to_api(message),
            "chat_instance": _chat_instance(message.chat_id),
            "data": data,
        }
        return {"update_id": self.api.next_update_id(), "callback_query": payload}, query

    def inline_update_data(
        self, user: LocalUser | UserRecord, query: str, offset: str = ""
    ) -> tuple[JSONDict, str]:
        """Register an inline query and return its Update JSON and the inline query id."""
        record = _record_of(user)
        inline = self.api.register_inline_query(record.id, query, offset)
        payload: JSONDict = {
            "id": inline.id,
            "from": record.to_api(),
            "query": query,
            "offset": offset,
            "chat_type": "sender",
        }
        return {"update_id": self.api.next_update_id(), "inline_query": payload}, inline.id

    def to_update(self, data: JSONDict) -> Update:
        """Turn Update JSON into a ``telegram.Update`` bound to the application's bot."""
        update = Update.de_json(data, self.app.bot)
        if isinstance(self.app.bot, ExtBot):
            # Polling and webhooks do this too: resolves arbitrary callback_data, if enabled.
            self.app.bot.insert_callback_data(update)
        return update

    def make_message_update(
        self, user: LocalUser | UserRecord, text: str, *, reply_to: MessageRef = None
    ) -> Update:
        return self.to_update(self.message_update_data(user, text, reply_to=reply_to))

    def make_callback_update(
        self, user: LocalUser | UserRecord, message: StoredMessage, data: str
    ) -> Update:
        return self.to_update(self.callback_update_data(user, message, data)[0])

    def make_inline_update(
        self, user: LocalUser | UserRecord, query: str, offset: str = ""
    ) -> Update:
        return self.to_update(self.inline_update_data(user, query, offset)[0])

    # ----------------------------------------------------------------- delivery

    def enqueue(self, update: Update) -> None:
        """Put ``update`` on ``app.update_queue`` (processed once the app is started)."""
        self.app.update_queue.put_nowait(update)

    async def deliver(self, data: JSONDict) -> Update:
        """Feed Update JSON to the application per ``delivery``, then wait until idle."""
        if self.delivery == "polling":
            self.api.push_update(data)
            await self.wait_idle()
            return Update.de_json(data, self.app.bot)
        update = self.to_update(data)
        if self.delivery == "queue":
            self.enqueue(update)
            await self.wait_idle()
        else:
            await self.app.process_update(update)
            await self._wait_tasks(self._deadline(None))
        return update

    # One deadline spans several waits, so asyncio.timeout() would not fit.
    async def wait_idle(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Wait until no update is queued (in api or app) and no handler task is running.

        Raises TimeoutError after ``timeout`` (default ``idle_timeout``) seconds. Callers
        waiting at the same time share one watcher: with hundreds of simulated users, one
        scan of the running tasks per loop turn instead of one per user.
        """
        watcher = self._idle_watcher
        if watcher is None or watcher.done():
            watcher = asyncio.ensure_future(self._watch_idle(timeout))
            self._idle_watcher = watcher
        await asyncio.shield(watcher)

    async def _watch_idle(self, timeout: float | None) -> None:  # noqa: ASYNC109
        deadline = self._deadline(timeout)
        loop = asyncio.get_running_loop()
        queue = self.app.update_queue
        while True:
            busy = False
            while self.api.undelivered_updates():
                busy = True
                if loop.time() >= deadline:
                    raise TimeoutError(
                        "updates are waiting in LocalBotAPI but nobody called getUpdates; "
                        "is app.updater polling?"
                    )
                await asyncio.sleep(0.005)
            # PTB calls task_done() only after an update was fully processed.
            if getattr(queue, "_unfinished_tasks", 0) or not queue.empty():
                busy = True
                try:
                    await asyncio.wait_for(queue.join(), max(deadline - loop.time(), 0))
                except TimeoutError:
                    raise TimeoutError(
                        "app.update_queue was not drained in time; is the application started?"
                    ) from None
            busy = await self._wait_tasks(deadline) or busy
            if not busy:
                return

    async def _wait_tasks(self, deadline: float) -> bool:
        """Wait for the application's non-blocking handler tasks; True if there were any."""
        loop = asyncio.get_running_loop()
        waited = False
        while True:
            tasks = self._handler_tasks()
            if not tasks:
                return waited
            waited = True
            _, pending = await asyncio.wait(tasks, timeout=max(deadline - loop.time(), 0))
            if pending:
                names = ", ".join(sorted(task.get_name() for task in pending))
                raise TimeoutError(f"handler tasks still running: {names}")

    def _handler_tasks(self) -> list[asyncio.Task[Any]]:
        # Tasks PTB names for concurrent updates, block=False handlers and error handlers.
        prefixes = (f"Application:{self.app.bot.id}:process_", "ConversationHandler:")
        current = asyncio.current_task()
        return [
            task
            for task in asyncio.all_tasks()
            if task is not current and not task.done() and task.get_name().startswith(prefixes)
        ]

    def _deadline(self, timeout: float | None) -> float:
        limit = self.idle_timeout if timeout is None else timeout
        return asyncio.get_running_loop().time() + limit

    async def _record_error(self, update: object, context: Any) -> None:
        self.errors.append(context.error)

    def assert_no_errors(self) -> None:
        """Fail if a handler raised (needs capture_errors=True)."""
        if self.errors:
            raise AssertionError(f"handlers raised: {self.errors!r}") from self.errors[0]


class LocalUser:
    """A simulated Telegram user in a private chat with the bot."""

    def __init__(self, tg: LocalTelegram, name: str, record: UserRecord) -> None:
        self.tg = tg
        self.name = name
        self.record = record
        self.last_callback: CallbackQueryRecord | None = None

    def __repr__(self) -> str:
        return f"LocalUser({self.name!r}, id={self.id})"

    @property
    def id(self) -> int:
        return self.record.id

    @property
    def chat_id(self) -> int:
        return self.record.id

    @property
    def last_answer(self) -> str | None:
        """Text the bot answered the last press with (None if no text or not answered)."""
        return self.last_callback.text if self.last_callback else None

    # ----------------------------------------------------------------- actions

    async def send(self, text: str, *, reply_to: MessageRef = None) -> Update:
        """Send ``text`` to the bot; returns once the bot has handled it."""
        return await self.tg.deliver(self.tg.message_update_data(self, text, reply_to=reply_to))

    async def send_document(
        self,
        content: bytes,
        file_name: str | None,
        *,
        mime_type: str | None = None,
        caption: str | None = None,
        group: LocalGroup | None = None,
    ) -> Update | None:
        """Send a file (as Telegram's "File" attachment) to the bot or in ``group``; returns
        once the bot has handled it (None if the bot doesn't get it: privacy mode)."""
        data = self.tg.document_update_data(
            self, content, file_name, mime_type=mime_type, caption=caption, group=group
        )
        return None if data is None else await self.tg.deliver(data)

    def documents(self) -> list[StoredMessage]:
        """Files the bot sent in this chat, oldest first (bytes in ``document_bytes``)."""
        return [m for m in self.bot_messages() if m.document is not None]

    async def say(
        self, group: LocalGroup, text: str, *, reply_to: MessageRef = None
    ) -> Update | None:
        """Write ``text`` in ``group``; None if the bot doesn't receive it (privacy mode)."""
        data = self.tg.group_message_update_data(self, group, text, reply_to=reply_to)
        return None if data is None else await self.tg.deliver(data)

    async def press_in(self, group: LocalGroup, text: str) -> Update:
        """Press the button labelled ``text`` on the bot's last keyboard message in ``group``."""
        target = group.keyboard_message()
        button = _find_button(target, text)
        return await self._press(target, str(button["callback_data"]))

    async def press(self, text: str, *, message: MessageRef = None) -> Update:
        """Press the button labelled ``text`` (or with that callback_data)."""
        target = self._keyboard_message(message)
        button = _find_button(target, text)
        if "callback_data" not in button:
            kind = next((k for k in button if k != "text"), "unknown")
            raise ValueError(
                f"button {button['text']!r} is a {kind} button ({button.get(kind)!r}); "
                "pressing it sends nothing to the bot"
            )
        return await self._press(target, str(button["callback_data"]))

    async def press_data(self, data: str, *, message: MessageRef = None) -> Update:
        """Send forged callback ``data`` from the last keyboard (or given) message."""
        if message is None:
            keyboards = [m for m in self.bot_messages() if m.has_inline_keyboard]
            target = keyboards[-1] if keyboards else self.last_message()
        else:
            target = self._resolve(message)
        return await self._press(target, data)

    async def inline(self, query: str, *, offset: str = "") -> InlineAnswer:
        """Type ``@bot query``; returns the bot's answer (raises LookupError if none)."""
        data, query_id = self.tg.inline_update_data(self, query, offset)
        await self.tg.deliver(data)
        answer = self.tg.api.inline_queries[query_id].answer
        if answer is None:
            raise LookupError(f"the bot did not answer inline query {query!r} (offset {offset!r})")
        return answer

    async def open_link(self, url: str) -> Update | None:
        """Open a t.me deep link to the bot: sends "/start <param>" like the Telegram app.

        Without a start parameter the app only sends "/start" for a chat never opened before;
        otherwise nothing is sent and None is returned.
        """
        username, query = _parse_bot_link(url)
        expected = self.tg.api.bot.username
        if username.lower() != expected.lower():
            raise ValueError(f"link {url!r} is for @{username}, not for @{expected}")
        params = parse_qs(query, keep_blank_values=True)
        unsupported = set(params) - {"start"}
        if unsupported:
            raise ValueError(f"unsupported deep link parameters {sorted(unsupported)} in {url!r}")
        if "start" in params:
            start = params["start"][0]
            if not _START_PARAM.fullmatch(start):
                raise ValueError(
                    f"invalid start parameter {start!r}: Telegram allows 1-64 of A-Za-z0-9_-"
                )
            return await self.send(f"/start {start}")
        if self.messages():
            return None
        return await self.send("/start")

    def block_bot(self) -> None:
        self.tg.api.block(self.id)

    def unblock_bot(self) -> None:
        self.tg.api.unblock(self.id)

    # ----------------------------------------------------------------- reading the chat

    def messages(self, *, include_deleted: bool = False) -> list[StoredMessage]:
        """All messages of the private chat (user's and bot's), oldest first."""
        chat = self.tg.api.chats[self.chat_id]
        return [m for m in chat.messages if include_deleted or not m.deleted]

    def bot_messages(self) -> list[StoredMessage]:
        return [m for m in self.messages() if m.from_bot]

    def last_message(self) -> StoredMessage:
        """The bot's last (not deleted) message, with edits applied."""
        messages = self.bot_messages()
        if not messages:
            raise LookupError(f"the bot has sent no message to {self.name}")
        return messages[-1]

    def last_text(self) -> str:
        """Text (or caption) of the bot's last message as the user sees it."""
        return self.last_message().display_text

    def last_html(self) -> str:
        """Text (or caption) of the bot's last message exactly as the bot sent it."""
        return self.last_message().raw_text

    def keyboard(self, message: MessageRef = None) -> list[list[str]]:
        """Button texts of the message (default: last with an inline keyboard), row by row."""
        try:
            target = self._keyboard_message(message)
        except LookupError:
            return []
        return [[str(button.get("text", "")) for button in row] for row in target.inline_keyboard]

    def buttons(self, message: MessageRef = None) -> list[str]:
        return [text for row in self.keyboard(message) for text in row]

    def reply_keyboard(self) -> list[list[str]]:
        """The custom (reply) keyboard currently shown under the input field, row by row."""
        for message in reversed(self.bot_messages()):
            markup = message.reply_markup or {}
            if markup.get("remove_keyboard"):
                return []
            rows = markup.get("keyboard")
            if isinstance(rows, list):
                return [
                    [b if isinstance(b, str) else str(b.get("text", "")) for b in row]
                    for row in rows
                ]
        return []

    # ----------------------------------------------------------------- internals

    async def _press(self, message: StoredMessage, data: str) -> Update:
        payload, record = self.tg.callback_update_data(self, message, data)
        self.last_callback = record
        update = await self.tg.deliver(payload)
        self.tg.api.check_answered(record)
        return update

    def _resolve(self, message: StoredMessage | int) -> StoredMessage:
        message_id = message.message_id if isinstance(message, StoredMessage) else message
        found = self.tg.api.chats[self.chat_id].find(message_id)
        if found is None:
            raise LookupError(f"message {message_id} is not in {self.name}'s chat (deleted?)")
        return found

    def _keyboard_message(self, message: MessageRef) -> StoredMessage:
        if message is not None:
            return self._resolve(message)
        for candidate in reversed(self.bot_messages()):
            if candidate.has_inline_keyboard:
                return candidate
        raise LookupError(f"no bot message with an inline keyboard in {self.name}'s chat")


class LocalGroup:
    """A group or supergroup chat with several users and the bot."""

    def __init__(self, tg: LocalTelegram, record: ChatRecord) -> None:
        self.tg = tg
        self.record = record

    def __repr__(self) -> str:
        return f"LocalGroup({self.record.title!r}, id={self.id})"

    @property
    def id(self) -> int:
        return self.record.id

    def messages(self) -> list[StoredMessage]:
        return [m for m in self.record.messages if not m.deleted]

    def bot_messages(self) -> list[StoredMessage]:
        return [m for m in self.messages() if m.from_bot]

    def last_text(self) -> str:
        messages = self.bot_messages()
        if not messages:
            raise LookupError(f"the bot has sent nothing to {self.record.title}")
        return messages[-1].display_text

    def keyboard_message(self) -> StoredMessage:
        for candidate in reversed(self.bot_messages()):
            if candidate.has_inline_keyboard:
                return candidate
        raise LookupError(f"no bot message with an inline keyboard in {self.record.title}")

    def buttons(self) -> list[JSONDict]:
        """The buttons of the bot's last keyboard message, as Telegram sends them."""
        return [button for row in self.keyboard_message().inline_keyboard for button in row]


def _record_of(user: LocalUser | UserRecord) -> UserRecord:
    return user.record if isinstance(user, LocalUser) else user


def _chat_instance(chat_id: int) -> str:
    # Stable per chat, opaque like Telegram's.
    return str(-((chat_id * 2654435761) % (2**63)))


def _find_button(message: StoredMessage, text: str) -> JSONDict:
    buttons = [button for row in message.inline_keyboard for button in row]
    for key in ("text", "callback_data"):
        for button in buttons:
            if button.get(key) == text:
                return button
    available = ", ".join(repr(b.get("text")) for b in buttons)
    raise LookupError(f"no button {text!r} on message {message.message_id}; available: {available}")


def _parse_bot_link(url: str) -> tuple[str, str]:
    """Return (username, query string) of a t.me / telegram.me / tg://resolve link."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    scheme, host = parts.scheme.lower(), parts.netloc.lower()
    if scheme in ("http", "https") and host in _LINK_HOSTS:
        username = parts.path.strip("/").split("/")[0]
        if username:
            return username, parts.query
    if scheme == "tg" and host == "resolve":
        query = parse_qs(parts.query, keep_blank_values=True)
        domain = query.pop("domain", [""])[0]
        if domain:
            rest = "&".join(f"{key}={values[0]}" for key, values in query.items())
            return domain, rest
    raise ValueError(f"not a Telegram bot link: {url!r}")
