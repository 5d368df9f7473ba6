"""In-process fake of the Telegram Bot API for tests and the local console.

Typical use::

    api = LocalBotAPI()
    app = ApplicationBuilder().token("123:TEST").request(api).get_updates_request(api).build()
    await app.initialize()
    tg = LocalTelegram(app, api)
    coach = tg.user("coach", first_name="Cora")
    await coach.send("/start")
    assert "Welcome" in coach.last_text()
"""

from fake_telegram.chat import Delivery, LocalGroup, LocalTelegram, LocalUser
from fake_telegram.html import HTMLParseError, parse_html, render_console
from fake_telegram.server import (
    ApiEvent,
    BotUser,
    CallbackQueryRecord,
    ChatRecord,
    Fault,
    InlineAnswer,
    InlineQueryRecord,
    LocalBotAPI,
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
    "Delivery",
    "Fault",
    "HTMLParseError",
    "InlineAnswer",
    "InlineQueryRecord",
    "LocalBotAPI",
    "LocalGroup",
    "LocalTelegram",
    "LocalUser",
    "StoredFile",
    "StoredMessage",
    "Upload",
    "UserRecord",
    "WebhookState",
    "parse_html",
    "render_console",
]
