"""The Bot API transport for everything but getUpdates: transient 5xx answers are retried.

A 502/503/504 from Telegram (or a proxy in front of it) means the call did not go through
this time; without a retry the user's reply is simply lost. getUpdates has its own retry loop
in PTB, and a 429 is the rate limiter's business (it waits retry_after).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.request import BaseRequest, RequestData

log = logging.getLogger("bot.transport")

TRANSIENT = frozenset({500, 502, 503, 504})
RETRY_DELAYS = (0.25, 1.0)  # seconds before the 2nd and 3rd attempts


class WrappingRequest(BaseRequest):
    """A transport that hands every call to another one; subclasses act around `forward`."""

    def __init__(self, inner: BaseRequest) -> None:
        self.inner = inner

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

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
        timeouts = {
            "read_timeout": read_timeout,
            "write_timeout": write_timeout,
            "connect_timeout": connect_timeout,
            "pool_timeout": pool_timeout,
        }
        return await self.forward(url, method, request_data, timeouts)

    async def forward(
        self, url: str, method: str, request_data: RequestData | None, timeouts: dict[str, Any]
    ) -> tuple[int, bytes]:
        return await self.inner.do_request(url, method, request_data, **timeouts)


class RetryingRequest(WrappingRequest):
    def __init__(self, inner: BaseRequest, delays: tuple[float, ...] = RETRY_DELAYS) -> None:
        super().__init__(inner)
        self.delays = delays

    async def forward(
        self, url: str, method: str, request_data: RequestData | None, timeouts: dict[str, Any]
    ) -> tuple[int, bytes]:
        for delay in (*self.delays, None):
            status, body = await super().forward(url, method, request_data, timeouts)
            if status not in TRANSIENT or delay is None:
                return status, body
            endpoint = url.rstrip("/").rsplit("/", 1)[-1]  # never the URL: it holds the token
            log.info("%s answered %s; retrying in %.2fs", endpoint, status, delay)
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")


# What Telegram echoes of a message the bot sent that the bot wrote itself and never reads back.
ECHOED = ("reply_markup", "entities", "caption_entities", "link_preview_options")


class RepliesRequest(RetryingRequest):
    """The transport of the bot's own calls: retried (above), and the Message Telegram returns
    for a sent or edited message comes back without the keyboard and formatting the bot wrote.

    Handlers read only a sent message's ids; parsing its keyboard back into objects was a
    twentieth of an update's CPU (bench/). Users' messages come through getUpdates, untouched.
    """

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        # PTB's documented hook for how answers are parsed.
        data = BaseRequest.parse_json_payload(payload)
        result = data.get("result")
        if isinstance(result, dict) and "message_id" in result:
            for key in ECHOED:
                result.pop(key, None)
        return data
