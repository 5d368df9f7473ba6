"""Telegram's refusals and the faults a test can inject (429, 403, timeouts, 5xx)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from fake_telegram.records import JSONDict


class ApiError(Exception):
    """An error answer of the Bot API (raised inside handlers, turned into an HTTP response)."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> bytes:
        return _error_body(self.status, self.description, self.parameters)


def _error_body(status: int, description: str, parameters: JSONDict | None = None) -> bytes:
    payload: JSONDict = {"ok": False, "error_code": status, "description": description}
    if parameters:
        payload["parameters"] = parameters
    return json.dumps(payload).encode()


def _bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


@dataclass(frozen=True)
class Fault:
    """A canned failure for :meth:`LocalBotAPI.fail_next` / :meth:`LocalBotAPI.fail_all`."""

    status: int = 0
    description: str = ""
    parameters: JSONDict | None = None
    raises_timeout: bool = False
    # For timeouts: apply the call first, as when Telegram got the request but the answer was lost.
    after_delivery: bool = False

    @classmethod
    def retry_after(cls, seconds: int) -> Fault:
        return cls(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})

    @classmethod
    def blocked(cls) -> Fault:
        return cls(403, "Forbidden: bot was blocked by the user")

    @classmethod
    def forbidden(cls, description: str) -> Fault:
        return cls(
            403, description if description.startswith("Forbidden") else f"Forbidden: {description}"
        )

    @classmethod
    def timeout(cls, *, after_delivery: bool = False) -> Fault:
        return cls(raises_timeout=True, after_delivery=after_delivery)

    @classmethod
    def bad_request(cls, description: str) -> Fault:
        prefix = "Bad Request: "
        return cls(400, description if description.startswith(prefix) else prefix + description)

    @classmethod
    def server_error(cls) -> Fault:
        return cls(502, "Bad Gateway")

    def body(self) -> bytes:
        return _error_body(self.status, self.description, self.parameters)


@dataclass
class _FaultSlot:
    fault: Fault
    remaining: int | None  # None: forever
