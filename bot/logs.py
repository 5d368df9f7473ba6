"""Plain log lines to stderr, with the bot token and webhook secret redacted from every record.

Personal data stays out at every level: the libraries that log it (SQL parameters, PTB's
updates and Bot API parameters at DEBUG) are held at a level where they don't, see
`quiet_libraries`.
"""

from __future__ import annotations

import logging
import re
import sys

from telegram.error import NetworkError

from bot.settings import Settings

# Any bot token shape, wherever it appears (URLs logged by httpx and by PTB at DEBUG).
TOKEN_SHAPE = re.compile(r"\d{5,16}:[A-Za-z0-9_-]{30,64}")
# Invite payloads (storage.queries.invitations): PTB logs API parameters and updates at DEBUG,
# and the raw invite token must not outlive the coach's message.
INVITE_SHAPE = re.compile(r"inv_[A-Za-z0-9_-]{16,}")


class RedactTokens(logging.Filter):
    def __init__(self, secrets: list[str] | None = None) -> None:
        super().__init__()
        self.secrets = [s for s in (secrets or []) if s]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        text = INVITE_SHAPE.sub("inv_[redacted]", text)
        return TOKEN_SHAPE.sub("[redacted]", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            # Exception texts can quote the request URL; render and redact them here.
            formatted = logging.Formatter().formatException(record.exc_info)
            cleaned = f"{cleaned}\n{self.redact(formatted)}"
            record.exc_info = None
            record.exc_text = None
        if cleaned != message or record.args:
            record.msg = cleaned
            record.args = None
        return True


class NetworkTracebacksAtDebug(logging.Filter):
    """PTB logs every failed network attempt with a 30-line traceback (a start without network
    printed ~110 lines before our one-line error). Above DEBUG, keep the line and name the
    error; the traceback stays for DEBUG."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        if self.level <= logging.DEBUG or not record.exc_info or record.exc_info[1] is None:
            return True
        error = record.exc_info[1]
        if record.name.startswith("telegram") and isinstance(error, NetworkError):
            record.msg = f"{record.getMessage()} ({type(error).__name__})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    secrets = [settings.bot_token.get_secret_value()] if settings.bot_token else []
    if settings.webhook_secret is not None:
        secrets.append(settings.webhook_secret.get_secret_value())
    handler.addFilter(NetworkTracebacksAtDebug(logging.getLevelName(settings.log_level)))
    handler.addFilter(RedactTokens(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    quiet_libraries()


def quiet_libraries() -> None:
    """Loggers that would write tokens or personal data even at our DEBUG: held higher.

    httpx logs request URLs (with the token) at INFO; aiosqlite and SQLAlchemy log every
    statement's parameters (names, emails, phone numbers) at DEBUG; apscheduler logs each
    outbox tick at INFO. PTB logs whole updates ("Processing update ...", the webhook's
    "received data") and every Bot API call's parameters and result (the texts we send) at
    DEBUG, so all of `telegram` is held at INFO: LOG_LEVEL=DEBUG is for Spotter's own lines.
    """
    for name in ("httpx", "httpcore", "aiosqlite", "sqlalchemy.engine", "asyncpg", "apscheduler"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("telegram").setLevel(logging.INFO)
