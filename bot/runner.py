"""`python -m bot run`: migrate, then receive updates by long polling or by webhook."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlparse

from telegram import Update
from telegram.error import InvalidToken, NetworkError
from telegram.request import BaseRequest

from bot.app import build_application
from bot.context import MODE_KEY
from bot.settings import Settings, SettingsError
from storage.db import describe_database, make_engine
from storage.migrate import migrate_database

log = logging.getLogger("bot")


async def prepare_database(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    try:
        report = await migrate_database(engine)
    finally:
        await engine.dispose()
    log.info(
        "database %s ready: %d curated exercises%s",
        describe_database(settings.database_url),
        report.exercises,
        " (library updated)" if report.changed else "",
    )


def webhook_options(settings: Settings) -> dict[str, Any]:
    """How the webhook listens; the secret token makes requests without it get a 403."""
    if settings.webhook_url is None:
        raise SettingsError("WEBHOOK_URL is required in webhook mode: the public https:// URL")
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        # The operator's public URL path, so a reverse proxy can forward it unchanged.
        "url_path": urlparse(settings.webhook_url).path.lstrip("/"),
        "webhook_url": settings.webhook_url,
        "secret_token": settings.require_webhook_secret(),
        "allowed_updates": Update.ALL_TYPES,
    }


def run_bot(
    settings: Settings, *, webhook: bool = False, request: BaseRequest | None = None
) -> int:
    """Run until SIGINT/SIGTERM. Returns the process exit code."""
    settings.require_token()
    use_webhook = webhook or settings.webhook_url is not None
    options = webhook_options(settings) if use_webhook else {}
    asyncio.run(prepare_database(settings))
    application = build_application(settings, request=request)
    application.bot_data[MODE_KEY] = "webhook" if use_webhook else "polling"
    try:
        if use_webhook:
            application.run_webhook(**options)
        else:
            application.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        raise SettingsError(
            "BOT_TOKEN was rejected by Telegram: check it with @BotFather (/token)"
        ) from None
    except NetworkError as error:
        raise SettingsError(
            f"can't reach the Bot API at {settings.telegram_api_url} ({type(error).__name__}); "
            "check the network or TELEGRAM_API_URL"
        ) from None
    return 0
