"""The fake's state: plain dataclasses tests and the console inspect (users, chats, messages,
files, callback and inline queries, webhook, the event log)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from fake_telegram.html import (
    render_console,
)

JSONDict = dict[str, Any]


@dataclass(frozen=True)
class Upload:
    """A file uploaded with multipart/form-data, as it appears in ``api.calls`` params."""

    filename: str
    content: bytes
    mime_type: str


@dataclass
class BotUser:
    id: int = 6000000001
    first_name: str = "Spotter"
    username: str = "SpotterTestBot"
    can_join_groups: bool = True
    can_read_all_group_messages: bool = False
    supports_inline_queries: bool = True

    def to_api(self) -> JSONDict:
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def get_me(self) -> JSONDict:
        return {
            **self.to_api(),
            "can_join_groups": self.can_join_groups,
            "can_read_all_group_messages": self.can_read_all_group_messages,
            "supports_inline_queries": self.supports_inline_queries,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }


@dataclass
class UserRecord:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    # The bot "knows" a user once they interacted (message, button, inline query).
    seen: bool = False
    # Only a user who opened the private chat (sent a message) can be messaged.
    started: bool = False
    blocked: bool = False

    def to_api(self) -> JSONDict:
        data: JSONDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def chat_api(self) -> JSONDict:
        data: JSONDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: Literal["photo", "document"]
    content: bytes | None = None
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    url: str | None = None  # set when sent by HTTP URL (nothing downloaded)
    file_path: str | None = None

    @property
    def file_size(self) -> int | None:
        return len(self.content) if self.content is not None else None


@dataclass
class StoredMessage:
    """One message of a chat, in its current state (edits applied)."""

    chat_id: int
    message_id: int
    from_bot: bool
    sender_id: int
    date: int
    text: str | None = None  # raw, as sent (HTML source when parse_mode is HTML)
    parse_mode: str | None = None  # of text, or of caption for media messages
    plain_text: str | None = None  # what the user sees
    entities: list[JSONDict] = field(default_factory=list)
    caption: str | None = None  # raw
    caption_plain: str | None = None
    caption_entities: list[JSONDict] = field(default_factory=list)
    reply_markup: JSONDict | None = None  # as sent
    photo: bytes | None = None
    photo_file_id: str | None = None
    photo_sizes: list[JSONDict] = field(default_factory=list)
    document: JSONDict | None = None
    document_bytes: bytes | None = None
    reply_to_message_id: int | None = None
    edit_count: int = 0
    edit_date: int | None = None
    deleted: bool = False
    params: JSONDict = field(default_factory=dict)  # of the call that sent or last edited it

    @property
    def edited(self) -> bool:
        return self.edit_count > 0

    @property
    def is_media(self) -> bool:
        return self.text is None

    @property
    def display_text(self) -> str:
        """Text or caption as the user sees it (entities resolved)."""
        if self.text is not None:
            return self.plain_text or ""
        return self.caption_plain or ""

    @property
    def raw_text(self) -> str:
        """Text or caption exactly as the bot sent it."""
        if self.text is not None:
            return self.text
        return self.caption or ""

    def console_text(self) -> str:
        """Text or caption for a terminal: **bold**, _italic_, `code`, links as "text (url)"."""
        if (self.parse_mode or "").lower() == "html":
            return render_console(self.raw_text)
        return self.display_text

    @property
    def inline_keyboard(self) -> list[list[JSONDict]]:
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard")
        return rows if isinstance(rows, list) else []

    @property
    def has_inline_keyboard(self) -> bool:
        return any(self.inline_keyboard)


@dataclass
class ChatRecord:
    """A private chat with one user (``id == user_id``), or a group / supergroup whose
    ``user_id`` is the member who created it."""

    id: int
    user_id: int
    type: str = "private"
    messages: list[StoredMessage] = field(default_factory=list)
    last_message_id: int = 0
    by_id: dict[int, StoredMessage] = field(default_factory=dict, repr=False)
    title: str | None = None
    members: set[int] = field(default_factory=set)
    # Privacy mode (Telegram's default for bots): in a group the bot receives only commands,
    # replies to its own messages and messages that mention it.
    privacy: bool = True

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")

    def chat_api(self) -> JSONDict:
        return {"id": self.id, "type": self.type, "title": self.title or ""}

    def find(self, message_id: int) -> StoredMessage | None:
        """Return the message, or None if unknown or deleted."""
        message = self.by_id.get(message_id)
        return None if message is None or message.deleted else message


@dataclass
class CallbackQueryRecord:
    id: str
    user_id: int
    chat_id: int | None
    message_id: int | None
    data: str | None
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None
    cache_time: int | None = None


@dataclass
class InlineAnswer:
    inline_query_id: str
    results: list[JSONDict]
    next_offset: str
    cache_time: int
    is_personal: bool
    button: JSONDict | None


@dataclass
class InlineQueryRecord:
    id: str
    user_id: int
    query: str
    offset: str
    answer: InlineAnswer | None = None


@dataclass
class WebhookState:
    url: str = ""
    secret_token: str | None = None
    allowed_updates: list[str] | None = None
    max_connections: int | None = None
    ip_address: str | None = None
    has_custom_certificate: bool = False


@dataclass(frozen=True)
class ApiEvent:
    """Something the bot did, for listeners such as the console."""

    kind: Literal["sent", "edited", "deleted", "callback_answer", "inline_answer"]
    message: StoredMessage | None = None
    callback: CallbackQueryRecord | None = None
    inline: InlineQueryRecord | None = None
