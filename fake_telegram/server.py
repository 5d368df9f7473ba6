"""An in-process fake of the Telegram Bot API, plugged into PTB as its HTTP transport: the
methods (records.py holds its state, faults.py its refusals and injected faults).

``LocalBotAPI`` subclasses ``telegram.request.BaseRequest``: PTB builds the request exactly as it
would for api.telegram.org and hands it to :meth:`LocalBotAPI.do_request`, which answers with
Telegram-shaped JSON (or Telegram's own error texts), so PTB's parsing and exception mapping run
unchanged. All state lives in plain dataclasses so tests can inspect it.

Every handler validates first and mutates last, without awaiting in between, so concurrent
update processing in one event loop never sees half-applied calls.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import re
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, Literal

from telegram import Update
from telegram.error import TimedOut
from telegram.request import BaseRequest, RequestData

from fake_telegram.faults import ApiError, Fault, _bad_request, _error_body, _FaultSlot
from fake_telegram.html import (
    HTMLParseError,
    ParsedText,
    parse_html_entities,
    strip_parsed,
)
from fake_telegram.html import utf16_len as _utf16_len
from fake_telegram.records import (
    ApiEvent,
    BotUser,
    CallbackQueryRecord,
    ChatRecord,
    InlineAnswer,
    InlineQueryRecord,
    JSONDict,
    StoredFile,
    StoredMessage,
    Upload,
    UserRecord,
    WebhookState,
)

__all__ = [
    "ApiEvent",
    "BotUser",
    "CallbackQueryRecord",
    "ChatRecord",
    "Fault",
    "InlineAnswer",
    "InlineQueryRecord",
    "LocalBotAPI",
    "StoredFile",
    "StoredMessage",
    "Upload",
    "UserRecord",
    "WebhookState",
]


_LOGGER = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_RESULTS = 50
# Bot API limits on files: a bot may download (getFile) up to 20 MB and upload up to 50 MB.
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_BUTTON_URL = re.compile(r"(https?|tg)://\S+", re.IGNORECASE)
_START_PARAM = re.compile(r"[A-Za-z0-9_-]{1,64}")
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_UPDATE_TYPES_SKIP = frozenset({"update_id"})


@dataclass
class _Content:
    raw: str
    parse_mode: str | None
    plain: str
    entities: list[JSONDict]


def _read_image_size(data: bytes) -> tuple[int, int] | None:
    """Return (width, height) for PNG/JPEG/GIF/WEBP/BMP bytes, None if not an image."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"BM") and len(data) >= 26:
        width, height = struct.unpack("<ii", data[18:26])
        return abs(int(width)), abs(int(height))
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return 512, 512  # good enough: the exact size needs a VP8 decoder
    if data.startswith(b"\xff\xd8"):
        return _read_jpeg_size(data)
    return None


def _read_jpeg_size(data: bytes) -> tuple[int, int] | None:
    pos = 2
    while pos + 9 < len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return int(width), int(height)
        pos += 2 + length
    return None


def _as_json(value: Any) -> Any:
    """Parameters passed via api_kwargs may arrive JSON-encoded."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("true", "1")
    return bool(value)


def _as_int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _bad_request(f"invalid {name} specified") from None


def _inline_part(markup: JSONDict | None) -> JSONDict | None:
    """The part of reply_markup a message keeps: only inline keyboards are attached."""
    if markup and markup.get("inline_keyboard"):
        return markup
    return None


class LocalBotAPI(BaseRequest):
    """In-process Telegram Bot API. Pass it as both ``request`` and ``get_updates_request``."""

    def __init__(
        self,
        *,
        bot_id: int = 6000000001,
        first_name: str = "Spotter",
        username: str = "SpotterTestBot",
        can_join_groups: bool = True,
        supports_inline_queries: bool = True,
        first_user_id: int = 1001,
        clock: Callable[[], float] = time.time,
        long_poll_cap: float = 0.2,
    ) -> None:
        self.bot = BotUser(
            id=bot_id,
            first_name=first_name,
            username=username,
            can_join_groups=can_join_groups,
            supports_inline_queries=supports_inline_queries,
        )
        self.clock = clock
        self.long_poll_cap = long_poll_cap
        self.users: dict[int, UserRecord] = {}
        self.chats: dict[int, ChatRecord] = {}
        self.files: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        # Presses the bot answered more than once (Telegram refuses the second answer), and
        # presses it never tried to answer (the user's spinner keeps turning): both are bugs.
        self.answered_twice: list[CallbackQueryRecord] = []
        self.unanswered: list[CallbackQueryRecord] = []
        self.inline_queries: dict[str, InlineQueryRecord] = {}
        # (scope as canonical JSON, language_code) -> list of BotCommand dicts
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}
        # chat id (None: the default button) -> MenuButton dict
        self.menu_buttons: dict[int | None, JSONDict] = {}
        self.webhook = WebhookState()
        self.pending_updates: list[JSONDict] = []
        self.chat_actions: list[tuple[int, str]] = []
        self.calls: list[tuple[str, JSONDict]] = []
        self.unknown_calls: list[tuple[str, JSONDict]] = []
        self.listeners: list[Callable[[ApiEvent], None]] = []
        self._faults: dict[str, list[_FaultSlot]] = {}
        self._delivered_update_ids: set[int] = set()
        self._next_user_id = itertools.count(first_user_id)
        self._groups_made = 0
        self._last_update_id = 0
        self._query_ids = itertools.count(4_000_000_000_000_000_001)
        self._file_numbers = itertools.count(1)
        self._handlers: dict[str, Callable[[JSONDict], Any]] = {
            name.lower(): handler
            for name, handler in {
                "getMe": self._get_me,
                "logOut": self._true,
                "close": self._true,
                "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "editMessageCaption": self._edit_message_caption,
                "deleteMessage": self._delete_message,
                "deleteMessages": self._delete_messages,
                "answerCallbackQuery": self._answer_callback_query,
                "answerInlineQuery": self._answer_inline_query,
                "sendPhoto": self._send_photo,
                "sendDocument": self._send_document,
                "sendChatAction": self._send_chat_action,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "setChatMenuButton": self._set_chat_menu_button,
                "getChatMenuButton": self._get_chat_menu_button,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "getChat": self._get_chat,
                "getFile": self._get_file,
            }.items()
        }

    # ----------------------------------------------------------------- BaseRequest interface

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        """Nothing to open; safe to call any number of times."""

    async def shutdown(self) -> None:
        """Nothing to close; state survives so tests can inspect it after app.shutdown()."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if method.upper() == "GET":
            return self._download_file(url)
        endpoint = url.rstrip("/").rsplit("/", 1)[-1]
        params = self._read_params(request_data)
        self.calls.append((endpoint, params))
        fault = self._take_fault(endpoint)
        if fault is not None and not fault.after_delivery:
            if fault.raises_timeout:
                raise TimedOut("Timed out (injected by LocalBotAPI)")
            return fault.status, fault.body()
        key = endpoint.lower()
        if key == "getupdates":
            return await self._get_updates(params)
        handler = self._handlers.get(key)
        if handler is None:
            self.unknown_calls.append((endpoint, params))
            return 404, _error_body(404, "Not Found")
        try:
            result = handler(params)
        except ApiError as exc:
            return exc.status, exc.body()
        if fault is not None:
            raise TimedOut("Timed out (injected by LocalBotAPI after applying the call)")
        return 200, json.dumps({"ok": True, "result": result}).encode()

    # ----------------------------------------------------------------- test/console helpers

    def add_user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        user_id: int | None = None,
    ) -> UserRecord:
        """Register a Telegram user (and their private chat with the bot)."""
        uid = user_id if user_id is not None else next(self._next_user_id)
        if uid in self.users:
            raise ValueError(f"user {uid} already exists")
        user = UserRecord(
            id=uid,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self.users[uid] = user
        self.chats[uid] = ChatRecord(id=uid, user_id=uid)
        return user

    def add_group(
        self,
        title: str,
        member_ids: list[int],
        *,
        supergroup: bool = False,
        privacy: bool = True,
    ) -> ChatRecord:
        """A group (or supergroup) with these users and the bot in it; the first user created it."""
        if not member_ids:
            raise ValueError("a group needs at least one member besides the bot")
        for member in member_ids:
            self._user(member)
        self._groups_made += 1
        chat_id = (
            -1001000000000 - self._groups_made if supergroup else -4000000000 - self._groups_made
        )
        chat = ChatRecord(
            id=chat_id,
            user_id=member_ids[0],
            type="supergroup" if supergroup else "group",
            title=title,
            members=set(member_ids),
            privacy=privacy,
        )
        self.chats[chat_id] = chat
        return chat

    def bot_receives(self, chat: ChatRecord, message: StoredMessage) -> bool:
        """Whether Telegram hands this message to the bot (privacy mode filters group chatter)."""
        if not chat.is_group or not chat.privacy:
            return True
        # A file's caption counts as its text (a mention in it reaches the bot).
        text = message.plain_text or message.caption_plain or ""
        if text.startswith("/"):
            return True
        if f"@{self.bot.username}".lower() in text.lower():
            return True
        replied = chat.by_id.get(message.reply_to_message_id or 0)
        return replied is not None and replied.from_bot

    def block(self, user_id: int) -> None:
        """The user blocks the bot: sends to them fail with 403."""
        self._user(user_id).blocked = True

    def unblock(self, user_id: int) -> None:
        self._user(user_id).blocked = False

    def next_update_id(self) -> int:
        self._last_update_id += 1
        return self._last_update_id

    def next_query_id(self) -> str:
        return str(next(self._query_ids))

    def record_user_message(
        self,
        user_id: int,
        text: str,
        *,
        entities: list[JSONDict] | None = None,
        reply_to_message_id: int | None = None,
        chat_id: int | None = None,
    ) -> StoredMessage:
        """Store a message the user sent in their private chat with the bot (or in a group)."""
        user = self._user(user_id)
        if chat_id is not None and chat_id != user_id:
            chat = self.chats[chat_id]
            if user_id not in chat.members:
                raise ValueError(f"user {user_id} is not a member of chat {chat_id}")
            # Writing in a group neither starts nor unblocks the private chat.
            user.seen = True
        else:
            # Writing to the bot again restarts it: Telegram unblocks the bot for that user.
            user.seen = user.started = True
            user.blocked = False
            chat = self.chats[user_id]
        return self._append_message(
            chat,
            from_bot=False,
            sender_id=user_id,
            text=text,
            plain_text=text,
            entities=list(entities or []),
            reply_to_message_id=reply_to_message_id,
        )

    def record_user_document(
        self,
        user_id: int,
        content: bytes,
        *,
        file_name: str | None,
        mime_type: str | None = None,
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> StoredMessage:
        """Store a file the user sent to the bot (or in a group); getFile and the download URL
        then serve it."""
        user = self._user(user_id)
        if chat_id is not None and chat_id != user_id:
            chat = self.chats[chat_id]
            if user_id not in chat.members:
                raise ValueError(f"user {user_id} is not a member of chat {chat_id}")
            user.seen = True
        else:
            user.seen = user.started = True
            user.blocked = False
            chat = self.chats[user_id]
        stored = self._new_file("document", content, file_name=file_name, mime_type=mime_type)
        self.files[stored.file_id] = stored
        return self._append_message(
            chat,
            from_bot=False,
            sender_id=user_id,
            caption=caption,
            caption_plain=caption,
            document=_document_dict(stored),
            document_bytes=content,
        )

    def register_callback_query(
        self, user_id: int, message: StoredMessage | None, data: str | None
    ) -> CallbackQueryRecord:
        """Create a callback query the bot must answer (once)."""
        self._user(user_id).seen = True
        record = CallbackQueryRecord(
            id=self.next_query_id(),
            user_id=user_id,
            chat_id=message.chat_id if message else None,
            message_id=message.message_id if message else None,
            data=data,
        )
        self.callback_queries[record.id] = record
        return record

    def check_answered(self, record: CallbackQueryRecord) -> None:
        """After the bot handled a press: remember it if the bot never tried to answer it (an
        attempt that failed on an injected fault counts as tried)."""
        tried = any(
            name.lower() == "answercallbackquery"
            and str(params.get("callback_query_id")) == record.id
            for name, params in self.calls
        )
        if not tried:
            self.unanswered.append(record)

    def assert_callbacks_answered_once(self) -> None:
        """Fail if a press was answered twice, or never (see ``check_answered``)."""
        problems = [f"answered twice: {r.data!r} (toast {r.text!r})" for r in self.answered_twice]
        problems += [f"never answered: {r.data!r}" for r in self.unanswered]
        if problems:
            raise AssertionError("button presses: " + "; ".join(problems))

    def register_inline_query(
        self, user_id: int, query: str, offset: str = ""
    ) -> InlineQueryRecord:
        """Create an inline query the bot may answer (once)."""
        self._user(user_id).seen = True
        record = InlineQueryRecord(
            id=self.next_query_id(), user_id=user_id, query=query, offset=offset
        )
        self.inline_queries[record.id] = record
        return record

    def push_update(self, update: Update | JSONDict) -> int:
        """Queue an update for getUpdates (polling); returns its update_id."""
        data = update.to_dict() if isinstance(update, Update) else dict(update)
        if "update_id" not in data:
            data["update_id"] = self.next_update_id()
        self._last_update_id = max(self._last_update_id, int(data["update_id"]))
        self.pending_updates.append(data)
        return int(data["update_id"])

    def undelivered_updates(self) -> int:
        """How many queued updates getUpdates has not returned yet."""
        return sum(
            1 for u in self.pending_updates if u["update_id"] not in self._delivered_update_ids
        )

    def fail_next(self, method: str, fault: Fault, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` ("*" for any) fail with ``fault``."""
        if times < 1:
            raise ValueError("times must be >= 1")
        self._faults.setdefault(method.lower(), []).append(_FaultSlot(fault, times))

    def fail_all(self, method: str, fault: Fault) -> None:
        """Make every call of ``method`` ("*" for any) fail until clear_faults()."""
        self._faults.setdefault(method.lower(), []).append(_FaultSlot(fault, None))

    def clear_faults(self) -> None:
        self._faults.clear()

    def calls_of(self, method: str) -> list[JSONDict]:
        """Params of every call of ``method`` (case-insensitive), in order."""
        wanted = method.lower()
        return [params for name, params in self.calls if name.lower() == wanted]

    def assert_no_unknown_calls(self) -> None:
        if self.unknown_calls:
            names = ", ".join(sorted({name for name, _ in self.unknown_calls}))
            raise AssertionError(f"bot called Bot API methods LocalBotAPI does not know: {names}")

    @property
    def inline_answers(self) -> dict[str, InlineAnswer]:
        """Answers given so far, by inline_query_id."""
        return {
            query_id: record.answer
            for query_id, record in self.inline_queries.items()
            if record.answer is not None
        }

    def commands_for(
        self, scope: JSONDict | None = None, language_code: str = ""
    ) -> list[JSONDict]:
        """Commands set with setMyCommands for ``scope`` (default scope if None) and language."""
        return self._get_my_commands({"scope": scope, "language_code": language_code})

    def add_listener(self, listener: Callable[[ApiEvent], None]) -> None:
        """Call ``listener`` for every message the bot sends/edits/deletes and every answer."""
        self.listeners.append(listener)

    def chat(self, chat_id: int) -> ChatRecord:
        try:
            return self.chats[chat_id]
        except KeyError:
            raise LookupError(f"no chat {chat_id}") from None

    def message_to_api(self, message: StoredMessage, *, with_reply: bool = True) -> JSONDict:
        """The Message object Telegram would send for ``message`` in its current state."""
        chat = self.chats[message.chat_id]
        sender = self.bot.to_api() if message.from_bot else self._user(message.sender_id).to_api()
        data: JSONDict = {
            "message_id": message.message_id,
            "from": sender,
            "chat": chat.chat_api() if chat.is_group else self._user(chat.user_id).chat_api(),
            "date": message.date,
        }
        if message.text is not None:
            data["text"] = message.plain_text or ""
            if message.entities:
                data["entities"] = message.entities
        if message.caption_plain:
            data["caption"] = message.caption_plain
            if message.caption_entities:
                data["caption_entities"] = message.caption_entities
        if message.photo_sizes:
            data["photo"] = message.photo_sizes
        if message.document is not None:
            data["document"] = message.document
        markup = _inline_part(message.reply_markup)
        if markup is not None:
            data["reply_markup"] = markup
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if with_reply and message.reply_to_message_id is not None:
            replied = chat.by_id.get(message.reply_to_message_id)
            if replied is not None and not replied.deleted:
                data["reply_to_message"] = self.message_to_api(replied, with_reply=False)
        return data

    # ----------------------------------------------------------------- plumbing

    def _now(self) -> int:
        return int(self.clock())

    def _user(self, user_id: int) -> UserRecord:
        try:
            return self.users[user_id]
        except KeyError:
            raise LookupError(f"unknown user {user_id}") from None

    def _emit(self, event: ApiEvent) -> None:
        for listener in list(self.listeners):
            try:
                listener(event)
            except Exception:  # a broken console must not break the bot's API call
                _LOGGER.exception("LocalBotAPI listener failed")

    @staticmethod
    def _read_params(request_data: RequestData | None) -> JSONDict:
        if request_data is None:
            return {}
        params: JSONDict = dict(request_data.parameters)
        for name, (filename, content, mime_type) in request_data.multipart_data.items():
            raw = content if isinstance(content, bytes) else _read_handle(content)
            params[name] = Upload(filename=filename, content=raw, mime_type=mime_type)
        return params

    def _take_fault(self, endpoint: str) -> Fault | None:
        for key in (endpoint.lower(), "*"):
            slots = self._faults.get(key)
            if not slots:
                continue
            slot = slots[0]
            if slot.remaining is not None:
                slot.remaining -= 1
                if slot.remaining <= 0:
                    slots.pop(0)
            return slot.fault
        return None

    def _append_message(self, chat: ChatRecord, **fields: Any) -> StoredMessage:
        chat.last_message_id += 1
        message = StoredMessage(
            chat_id=chat.id, message_id=chat.last_message_id, date=self._now(), **fields
        )
        chat.messages.append(message)
        chat.by_id[message.message_id] = message
        return message

    def _lookup_chat(self, raw: Any) -> ChatRecord:
        if raw is None or raw == "":
            raise _bad_request("chat_id is empty")
        chat_id: int | None = None
        if isinstance(raw, int):
            chat_id = raw
        elif isinstance(raw, str) and re.fullmatch(r"-?\d+", raw):
            chat_id = int(raw)
        chat = self.chats.get(chat_id) if chat_id is not None else None
        # A bot only knows users who interacted with it (and the groups it is in).
        if chat is None or not (chat.is_group or self.users[chat.user_id].seen):
            raise _bad_request("chat not found")
        return chat

    def _chat_for_send(self, params: JSONDict) -> ChatRecord:
        chat = self._lookup_chat(params.get("chat_id"))
        if chat.is_group:
            return chat
        user = self.users[chat.user_id]
        if user.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if not user.started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat

    def _message_to_edit(self, params: JSONDict) -> StoredMessage:
        if params.get("inline_message_id"):
            # Inline messages are not simulated.
            raise _bad_request("MESSAGE_ID_INVALID")
        chat = self._lookup_chat(params.get("chat_id"))
        if params.get("message_id") is None:
            raise _bad_request("message identifier is not specified")
        message = chat.find(_as_int(params["message_id"], "message_id"))
        if message is None:
            raise _bad_request("message to edit not found")
        if not message.from_bot:
            raise _bad_request("message can't be edited")
        return message

    def _parse_content(
        self, raw: Any, parse_mode: Any, entities: Any, *, trim: bool = True
    ) -> _Content:
        text = "" if raw is None else str(raw)
        mode = str(parse_mode) if parse_mode else None
        if mode is not None and mode.lower() == "html":
            try:
                parsed = parse_html_entities(text)
            except HTMLParseError as exc:
                raise _bad_request(str(exc)) from None
            if trim:
                parsed = strip_parsed(parsed)
            return _Content(text, mode, parsed.text, parsed.api_entities())
        if mode is not None and mode.lower() not in ("markdown", "markdownv2"):
            raise _bad_request(f"unsupported parse_mode {mode!r}")
        # Markdown is stored verbatim (not rendered); explicit entities are kept as given.
        given = _as_json(entities) if entities else []
        api_entities = [dict(e) for e in given] if isinstance(given, list) else []
        plain = text
        if trim and not api_entities:
            plain = strip_parsed(ParsedText(text)).text
        return _Content(text, mode, plain, api_entities)

    def _check_text(self, params: JSONDict, *, too_long: str) -> _Content:
        content = self._parse_content(
            params.get("text"), params.get("parse_mode"), params.get("entities")
        )
        if not content.plain:
            raise _bad_request("message text is empty")
        if _utf16_len(content.plain) > MAX_TEXT_LENGTH:
            raise _bad_request(too_long)
        return content

    def _check_caption(self, params: JSONDict) -> _Content | None:
        if params.get("caption") is None:
            return None
        content = self._parse_content(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities")
        )
        if _utf16_len(content.plain) > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        return content

    def _check_markup(self, raw: Any) -> JSONDict | None:
        if raw is None:
            return None
        markup = _as_json(raw)
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            _check_inline_keyboard(markup["inline_keyboard"])
        return markup

    def _reply_target(self, chat: ChatRecord, params: JSONDict) -> int | None:
        reply = _as_json(params.get("reply_parameters"))
        if not isinstance(reply, dict):
            if params.get("reply_to_message_id") is None:
                return None
            reply = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": params.get("allow_sending_without_reply"),
            }
        message_id = _as_int(reply.get("message_id"), "message_id")
        if chat.find(message_id) is not None:
            return message_id
        if _as_bool(reply.get("allow_sending_without_reply")):
            return None
        raise _bad_request("message to be replied not found")

    # ----------------------------------------------------------------- method handlers

    def _true(self, params: JSONDict) -> bool:
        return True

    def _get_me(self, params: JSONDict) -> JSONDict:
        return self.bot.get_me()

    def _send_message(self, params: JSONDict) -> JSONDict:
        content = self._check_text(params, too_long="message is too long")
        markup = self._check_markup(params.get("reply_markup"))
        chat = self._chat_for_send(params)
        reply_to = self._reply_target(chat, params)
        message = self._append_message(
            chat,
            from_bot=True,
            sender_id=self.bot.id,
            text=content.raw,
            parse_mode=content.parse_mode,
            plain_text=content.plain,
            entities=content.entities,
            reply_markup=markup,
            reply_to_message_id=reply_to,
            params=params,
        )
        self._emit(ApiEvent("sent", message=message))
        return self.message_to_api(message)

    def _edit_message_text(self, params: JSONDict) -> JSONDict:
        content = self._check_text(params, too_long="MESSAGE_TOO_LONG")
        markup = self._check_markup(params.get("reply_markup"))
        message = self._message_to_edit(params)
        if message.text is None:
            raise _bad_request("there is no text in the message to edit")
        if (
            content.plain == message.plain_text
            and content.entities == message.entities
            and _inline_part(markup) == _inline_part(message.reply_markup)
        ):
            raise _bad_request(NOT_MODIFIED)
        message.text = content.raw
        message.parse_mode = content.parse_mode
        message.plain_text = content.plain
        message.entities = content.entities
        # Telegram drops the inline keyboard when an edit does not repeat it.
        message.reply_markup = markup
        self._mark_edited(message, params)
        return self.message_to_api(message)

    def _edit_message_caption(self, params: JSONDict) -> JSONDict:
        content = self._check_caption(params)
        markup = self._check_markup(params.get("reply_markup"))
        message = self._message_to_edit(params)
        if message.text is not None:
            raise _bad_request("there is no caption in the message to edit")
        plain = content.plain if content else None
        entities = content.entities if content else []
        if (
            (plain or None) == (message.caption_plain or None)
            and entities == message.caption_entities
            and _inline_part(markup) == _inline_part(message.reply_markup)
        ):
            raise _bad_request(NOT_MODIFIED)
        message.caption = content.raw if content else None
        message.parse_mode = content.parse_mode if content else None
        message.caption_plain = plain
        message.caption_entities = entities
        message.reply_markup = markup
        self._mark_edited(message, params)
        return self.message_to_api(message)

    def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict:
        markup = self._check_markup(params.get("reply_markup"))
        message = self._message_to_edit(params)
        if _inline_part(markup) == _inline_part(message.reply_markup):
            raise _bad_request(NOT_MODIFIED)
        message.reply_markup = markup
        self._mark_edited(message, params)
        return self.message_to_api(message)

    def _mark_edited(self, message: StoredMessage, params: JSONDict) -> None:
        message.edit_count += 1
        message.edit_date = self._now()
        message.params = params
        self._emit(ApiEvent("edited", message=message))

    def _delete_message(self, params: JSONDict) -> bool:
        chat = self._lookup_chat(params.get("chat_id"))
        message = chat.find(_as_int(params.get("message_id"), "message_id"))
        if message is None:
            raise _bad_request("message to delete not found")
        message.deleted = True
        self._emit(ApiEvent("deleted", message=message))
        return True

    def _delete_messages(self, params: JSONDict) -> bool:
        chat = self._lookup_chat(params.get("chat_id"))
        ids = _as_json(params.get("message_ids"))
        if not isinstance(ids, list) or not ids:
            raise _bad_request("message identifiers are not specified")
        if len(ids) > 100:
            raise _bad_request("too many message identifiers specified")
        # Telegram skips messages it can't find.
        found = [m for m in (chat.find(_as_int(i, "message_id")) for i in ids) if m is not None]
        for message in found:
            message.deleted = True
        for message in found:
            self._emit(ApiEvent("deleted", message=message))
        return True

    def _answer_callback_query(self, params: JSONDict) -> bool:
        text = params.get("text")
        if text is not None and _utf16_len(str(text)) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad_request("MESSAGE_TOO_LONG")
        record = self.callback_queries.get(str(params.get("callback_query_id", "")))
        if record is not None and record.answered:
            self.answered_twice.append(record)
        if record is None or record.answered:
            raise _bad_request(QUERY_TOO_OLD)
        record.answered = True
        record.text = str(text) if text else None
        record.show_alert = _as_bool(params.get("show_alert", False))
        record.url = params.get("url")
        record.cache_time = params.get("cache_time")
        self._emit(ApiEvent("callback_answer", callback=record))
        return True

    def _answer_inline_query(self, params: JSONDict) -> bool:
        results = _as_json(params.get("results"))
        if not isinstance(results, list):
            raise _bad_request("can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise _bad_request("RESULTS_TOO_MUCH")
        seen_ids: set[str] = set()
        for result in results:
            self._check_inline_result(result, seen_ids)
        next_offset = str(params.get("next_offset") or "")
        if len(next_offset.encode()) > 64:
            raise _bad_request("NEXT_OFFSET_INVALID")
        button = _as_json(params.get("button"))
        if button is not None:
            _check_inline_button(button)
        record = self.inline_queries.get(str(params.get("inline_query_id", "")))
        if record is None or record.answer is not None:
            raise _bad_request(QUERY_TOO_OLD)
        record.answer = InlineAnswer(
            inline_query_id=record.id,
            results=results,
            next_offset=next_offset,
            cache_time=int(params.get("cache_time", 300)),
            is_personal=_as_bool(params.get("is_personal", False)),
            button=button,
        )
        self._emit(ApiEvent("inline_answer", inline=record))
        return True

    def _check_inline_result(self, result: Any, seen_ids: set[str]) -> None:
        if not isinstance(result, dict):
            raise _bad_request("can't parse inline query result: expected an Object")
        result_id = result.get("id")
        if not isinstance(result_id, str) or not 1 <= len(result_id.encode()) <= 64:
            raise _bad_request("RESULT_ID_INVALID")
        if result_id in seen_ids:
            raise _bad_request("RESULT_ID_DUPLICATE")
        seen_ids.add(result_id)
        kind = result.get("type")
        if kind == "article":
            if not result.get("title"):
                raise _bad_request(
                    'can\'t parse inline query result: Field "title" must be of type String'
                )
            if not isinstance(result.get("input_message_content"), dict):
                raise _bad_request(
                    'can\'t parse inline query result: Field "input_message_content" must be '
                    "of type Object"
                )
        content = result.get("input_message_content")
        if isinstance(content, dict) and "message_text" in content:
            text = self._parse_content(
                content.get("message_text"), content.get("parse_mode"), content.get("entities")
            )
            if not text.plain:
                raise _bad_request("message text is empty")
            if _utf16_len(text.plain) > MAX_TEXT_LENGTH:
                raise _bad_request("MESSAGE_TOO_LONG")
        if result.get("caption") is not None:
            self._check_caption(result)
        self._check_markup(result.get("reply_markup"))

    def _send_photo(self, params: JSONDict) -> JSONDict:
        caption = self._check_caption(params)
        markup = self._check_markup(params.get("reply_markup"))
        chat = self._chat_for_send(params)
        stored = self._resolve_photo(params.get("photo"))
        reply_to = self._reply_target(chat, params)
        self.files.setdefault(stored.file_id, stored)
        thumb = self._thumbnail_of(stored)
        sizes = [_photo_size(thumb), _photo_size(stored)] if thumb else [_photo_size(stored)]
        message = self._append_message(
            chat,
            from_bot=True,
            sender_id=self.bot.id,
            caption=caption.raw if caption else None,
            caption_plain=caption.plain if caption else None,
            caption_entities=caption.entities if caption else [],
            parse_mode=caption.parse_mode if caption else None,
            reply_markup=markup,
            photo=stored.content,
            photo_file_id=stored.file_id,
            photo_sizes=sizes,
            reply_to_message_id=reply_to,
            params=params,
        )
        self._emit(ApiEvent("sent", message=message))
        return self.message_to_api(message)

    def _resolve_photo(self, photo: Any) -> StoredFile:
        if isinstance(photo, Upload):
            size = _read_image_size(photo.content)
            if size is None:
                raise _bad_request("IMAGE_PROCESS_FAILED")
            width, height = size
            if width + height > 10000 or max(width, height) > 20 * max(min(width, height), 1):
                raise _bad_request("PHOTO_INVALID_DIMENSIONS")
            return self._new_file("photo", photo.content, width=width, height=height)
        if isinstance(photo, str) and photo:
            known = self.files.get(photo)
            if known is not None and known.kind == "photo":
                return known
            if re.match(r"https?://", photo, re.IGNORECASE):
                return self._new_file("photo", None, width=800, height=600, url=photo)
            raise _bad_request("wrong file identifier/HTTP URL specified")
        raise _bad_request("there is no photo in the request")

    def _thumbnail_of(self, photo: StoredFile) -> StoredFile | None:
        width, height = photo.width or 0, photo.height or 0
        if max(width, height) <= 90:
            return None
        scale = 90 / max(width, height)
        thumb_id = photo.file_id + "-thumb"
        thumb = self.files.get(thumb_id)
        if thumb is None:
            # The thumbnail shares the original bytes: resizing is beyond what tests need.
            thumb = StoredFile(
                file_id=thumb_id,
                file_unique_id=photo.file_unique_id + "t",
                kind="photo",
                content=photo.content,
                width=max(1, round(width * scale)),
                height=max(1, round(height * scale)),
                url=photo.url,
            )
            self.files[thumb_id] = thumb
        return thumb

    def _send_document(self, params: JSONDict) -> JSONDict:
        caption = self._check_caption(params)
        markup = self._check_markup(params.get("reply_markup"))
        chat = self._chat_for_send(params)
        document = params.get("document")
        if isinstance(document, Upload):
            if not document.content:
                raise _bad_request("file must be non-empty")
            if len(document.content) > MAX_UPLOAD_BYTES:
                # What api.telegram.org answers to a multipart body over its limit.
                raise ApiError(413, "Request Entity Too Large")
            stored = self._new_file(
                "document",
                document.content,
                file_name=document.filename,
                mime_type=document.mime_type,
            )
        elif isinstance(document, str) and document in self.files:
            stored = self.files[document]
        elif isinstance(document, str) and re.match(r"https?://", document, re.IGNORECASE):
            stored = self._new_file(
                "document", None, file_name=document.rsplit("/", 1)[-1], url=document
            )
        elif document:
            raise _bad_request("wrong file identifier/HTTP URL specified")
        else:
            raise _bad_request("there is no document in the request")
        reply_to = self._reply_target(chat, params)
        self.files.setdefault(stored.file_id, stored)
        message = self._append_message(
            chat,
            from_bot=True,
            sender_id=self.bot.id,
            caption=caption.raw if caption else None,
            caption_plain=caption.plain if caption else None,
            caption_entities=caption.entities if caption else [],
            parse_mode=caption.parse_mode if caption else None,
            reply_markup=markup,
            document=_document_dict(stored),
            document_bytes=stored.content,
            reply_to_message_id=reply_to,
            params=params,
        )
        self._emit(ApiEvent("sent", message=message))
        return self.message_to_api(message)

    def _new_file(
        self, kind: Literal["photo", "document"], content: bytes | None, **fields: Any
    ) -> StoredFile:
        number = next(self._file_numbers)
        prefix = "AgACAgQAAxkDAAI" if kind == "photo" else "BQACAgQAAxkDAAI"
        return StoredFile(
            file_id=f"{prefix}{number:06d}Local",
            file_unique_id=f"AQAD{number:06d}",
            kind=kind,
            content=content,
            **fields,
        )

    def _send_chat_action(self, params: JSONDict) -> bool:
        action = str(params.get("action", ""))
        if action not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        chat = self._chat_for_send(params)
        self.chat_actions.append((chat.id, action))
        return True

    def _commands_key(self, params: JSONDict) -> tuple[str, str]:
        scope = _as_json(params.get("scope")) or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _set_my_commands(self, params: JSONDict) -> bool:
        commands = _as_json(params.get("commands"))
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad_request("BOT_COMMANDS_TOO_MUCH")
        cleaned: list[JSONDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad_request("can't parse BotCommand: expected an Object")
            name = str(command.get("command", "")).removeprefix("/")
            description = str(command.get("description", "")).strip()
            if not _COMMAND_NAME.fullmatch(name):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        key = self._commands_key(params)
        if cleaned:
            self.commands[key] = cleaned
        else:
            self.commands.pop(key, None)
        return True

    def _get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        return list(self.commands.get(self._commands_key(params), []))

    def _delete_my_commands(self, params: JSONDict) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _set_chat_menu_button(self, params: JSONDict) -> bool:
        chat_id = self._lookup_chat(params["chat_id"]).id if params.get("chat_id") else None
        button = _as_json(params.get("menu_button")) or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "default",
            "commands",
            "web_app",
        ):
            raise _bad_request("can't parse menu button: unsupported type")
        if button["type"] == "web_app":
            url = str((button.get("web_app") or {}).get("url", ""))
            if not button.get("text") or not url.lower().startswith("https://"):
                raise _bad_request("BUTTON_URL_INVALID")
        self.menu_buttons[chat_id] = button
        return True

    def _get_chat_menu_button(self, params: JSONDict) -> JSONDict:
        chat_id = self._lookup_chat(params["chat_id"]).id if params.get("chat_id") else None
        if chat_id in self.menu_buttons:
            return self.menu_buttons[chat_id]
        return self.menu_buttons.get(None, {"type": "default"})

    def _set_webhook(self, params: JSONDict) -> bool:
        url = str(params.get("url") or "")
        if url and not url.lower().startswith("https://"):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(str(secret)):
            raise _bad_request("secret token contains unallowed characters")
        if _as_bool(params.get("drop_pending_updates", False)):
            self.pending_updates.clear()
        if not url:
            self.webhook = WebhookState()
            return True
        allowed = _as_json(params.get("allowed_updates"))
        self.webhook = WebhookState(
            url=url,
            secret_token=str(secret) if secret is not None else None,
            allowed_updates=list(allowed) if isinstance(allowed, list) else None,
            max_connections=params.get("max_connections"),
            ip_address=params.get("ip_address"),
            has_custom_certificate=isinstance(params.get("certificate"), Upload),
        )
        return True

    def _delete_webhook(self, params: JSONDict) -> bool:
        if _as_bool(params.get("drop_pending_updates", False)):
            self.pending_updates.clear()
        self.webhook = WebhookState()
        return True

    def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        info: JSONDict = {
            "url": self.webhook.url,
            "has_custom_certificate": self.webhook.has_custom_certificate,
            "pending_update_count": len(self.pending_updates),
        }
        if self.webhook.url:
            info["max_connections"] = self.webhook.max_connections or 40
            if self.webhook.ip_address:
                info["ip_address"] = self.webhook.ip_address
            if self.webhook.allowed_updates is not None:
                info["allowed_updates"] = self.webhook.allowed_updates
        return info

    async def _get_updates(self, params: JSONDict) -> tuple[int, bytes]:
        if self.webhook.url:
            description = (
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first"
            )
            return 409, _error_body(409, description)
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = float(params.get("timeout") or 0)
        allowed = _as_json(params.get("allowed_updates"))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(timeout, self.long_poll_cap)
        while True:
            # An offset confirms (forgets) every earlier update; negative keeps the last -offset.
            if offset > 0:
                self.pending_updates[:] = [
                    u for u in self.pending_updates if u["update_id"] >= offset
                ]
            elif offset < 0:
                self.pending_updates[:] = self.pending_updates[offset:]
            batch = [u for u in self.pending_updates if _update_allowed(u, allowed)][:limit]
            if batch or loop.time() >= deadline:
                break
            await asyncio.sleep(0.01)
        self._delivered_update_ids.update(u["update_id"] for u in batch)
        return 200, json.dumps({"ok": True, "result": batch}).encode()

    def _get_chat(self, params: JSONDict) -> JSONDict:
        chat = self._lookup_chat(params.get("chat_id"))
        return {
            **(chat.chat_api() if chat.is_group else self.users[chat.user_id].chat_api()),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _get_file(self, params: JSONDict) -> JSONDict:
        stored = self.files.get(str(params.get("file_id", "")))
        if stored is None:
            raise _bad_request("invalid file_id")
        if stored.file_size is not None and stored.file_size > MAX_DOWNLOAD_BYTES:
            raise _bad_request("file is too big")
        if stored.file_path is None:
            extension = "jpg" if stored.kind == "photo" else "bin"
            if stored.file_name and "." in stored.file_name:
                extension = stored.file_name.rsplit(".", 1)[-1]
            folder = "photos" if stored.kind == "photo" else "documents"
            stored.file_path = f"{folder}/file_{stored.file_unique_id}.{extension}"
        data: JSONDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_path": stored.file_path,
        }
        if stored.file_size is not None:
            data["file_size"] = stored.file_size
        return data

    def _download_file(self, url: str) -> tuple[int, bytes]:
        for stored in self.files.values():
            if stored.file_path and url.endswith("/" + stored.file_path):
                if stored.content is None:
                    break
                return 200, stored.content
        return 404, _error_body(404, "Not Found")


def _read_handle(handle: IO[bytes]) -> bytes:
    data = handle.read()
    return data if isinstance(data, bytes) else bytes(data)


def _update_allowed(update: JSONDict, allowed: Any) -> bool:
    if not isinstance(allowed, list) or not allowed:
        return True
    return any(key in allowed for key in update if key not in _UPDATE_TYPES_SKIP)


def _photo_size(stored: StoredFile) -> JSONDict:
    data: JSONDict = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "width": stored.width or 0,
        "height": stored.height or 0,
    }
    if stored.file_size is not None:
        data["file_size"] = stored.file_size
    return data


def _document_dict(stored: StoredFile) -> JSONDict:
    data: JSONDict = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    if stored.file_name:
        data["file_name"] = stored.file_name
    if stored.mime_type:
        data["mime_type"] = stored.mime_type
    if stored.file_size is not None:
        data["file_size"] = stored.file_size
    return data


def _check_inline_keyboard(rows: Any) -> None:
    prefix = "can't parse inline keyboard button: "
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad_request("can't parse inline keyboard: expected an Array of Arrays")
    if sum(len(row) for row in rows) > 100:
        raise _bad_request("REPLY_MARKUP_TOO_LONG")
    for row in rows:
        for button in row:
            if not isinstance(button, dict):
                raise _bad_request(prefix + "InlineKeyboardButton must be an Object")
            text = button.get("text")
            if not isinstance(text, str):
                raise _bad_request(prefix + 'Field "text" must be of type String')
            if not text.strip():
                raise _bad_request("BUTTON_TEXT_INVALID")
            actions = [name for name in _BUTTON_ACTIONS if name in button]
            if not actions:
                raise _bad_request(prefix + "Text buttons are unallowed in the inline keyboard")
            if len(actions) > 1:
                # Telegram silently picks one; being strict catches ambiguous buttons.
                raise _bad_request(prefix + "exactly one of " + ", ".join(actions) + " is allowed")
            if "callback_data" in button:
                data = button["callback_data"]
                if (
                    not isinstance(data, str)
                    or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES
                ):
                    raise _bad_request("BUTTON_DATA_INVALID")
            if "url" in button and not _BUTTON_URL.fullmatch(str(button["url"])):
                raise _bad_request("BUTTON_URL_INVALID")


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not button.get("text"):
        raise _bad_request("can't parse InlineQueryResultsButton: expected an Object with text")
    if "start_parameter" in button:
        if not _START_PARAM.fullmatch(str(button["start_parameter"])):
            raise _bad_request("START_PARAM_INVALID")
    elif "web_app" not in button:
        raise _bad_request(
            "can't parse InlineQueryResultsButton: web_app or start_parameter expected"
        )
