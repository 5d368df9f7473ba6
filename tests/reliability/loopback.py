"""The fake Bot API served over loopback HTTP, so a real bot process (`python -m bot run`) can
talk to it with its real HTTP transport, and can be killed while "Telegram" lives on.

Requests arrive as PTB sends them to api.telegram.org: form fields whose non-string values are
JSON-encoded, or multipart for uploads. They are turned back into the parameters
`LocalBotAPI` reads and answered by it.
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass, field
from typing import Any

import tornado.httpserver
import tornado.netutil
import tornado.web

from fake_telegram import LocalBotAPI

# Parameters Telegram reads as strings: never JSON-decoded (a text "42" stays a string).
STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_query_id",
        "inline_message_id",
        "url",
        "secret_token",
        "next_offset",
        "language_code",
        "file_id",
        "photo",
        "document",
        "action",
        "query",
        "description",
        "short_description",
        "name",
        "title",
        "emoji",
    }
)


def decode_field(name: str, raw: str) -> Any:
    if name in STRING_FIELDS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


@dataclass
class FormRequestData:
    """What `LocalBotAPI._read_params` reads from PTB's RequestData."""

    parameters: dict[str, Any]
    multipart_data: dict[str, tuple[str, bytes, str]] = field(default_factory=dict)


class BotAPIHandler(tornado.web.RequestHandler):
    def initialize(self, api: LocalBotAPI) -> None:
        self.api = api

    def check_xsrf_cookie(self) -> None:  # an API, not a browser form
        return None

    async def post(self, token: str, method: str) -> None:
        parameters: dict[str, Any] = {}
        for name, values in self.request.body_arguments.items():
            parameters[name] = decode_field(name, values[-1].decode())
        content_type = self.request.headers.get("Content-Type", "")
        if content_type.startswith("application/json") and self.request.body:
            parameters.update(json.loads(self.request.body))
        uploads = {
            name: (files[-1].filename, files[-1].body, files[-1].content_type)
            for name, files in self.request.files.items()
        }
        status, body = await self.api.do_request(
            f"http://loopback/bot{token}/{method}",
            "POST",
            FormRequestData(parameters, uploads),  # type: ignore[arg-type]
        )
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(body)


class LoopbackTelegram:
    """`async with LoopbackTelegram(api) as telegram:` then point TELEGRAM_API_URL at
    `telegram.api_url`."""

    def __init__(self, api: LocalBotAPI) -> None:
        self.api = api
        app = tornado.web.Application([(r"/bot([^/]+)/(\w+)", BotAPIHandler, {"api": api})])
        self.server = tornado.httpserver.HTTPServer(app)
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1", family=socket.AF_INET)
        self.port = sockets[0].getsockname()[1]
        self.server.add_sockets(sockets)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def __aenter__(self) -> LoopbackTelegram:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.server.stop()
        await self.server.close_all_connections()
