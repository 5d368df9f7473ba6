"""`python -m bot run`: migrate, then receive updates by long polling or by webhook."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlparse

import sqlalchemy.exc
from telegram import Bot, Update
from telegram.error import InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.request import BaseRequest

from bot.app import build_application
from bot.context import MODE_KEY
from bot.settings import Settings, SettingsError
from storage.db import check_writable, describe_database, make_engine
from storage.migrate import migrate_database

log = logging.getLogger("bot")


GETME_ATTEMPTS = 5


def new_event_loop(choice: str = "auto") -> asyncio.AbstractEventLoop:
    """The loop the bot runs on (EVENT_LOOP): uvloop where installed, else asyncio's.

    uvloop took about 6% off the CPU of an update in the throughput benchmark (bench/).
    """
    if choice != "asyncio":
        try:
            import uvloop
        except ImportError:
            if choice == "uvloop":
                raise SettingsError(
                    "EVENT_LOOP=uvloop, but uvloop is not installed (it has no Windows build); "
                    "use EVENT_LOOP=auto or asyncio"
                ) from None
        else:
            return uvloop.new_event_loop()
    return asyncio.new_event_loop()


def database_error(settings: Settings, error: Exception) -> SettingsError:
    """One line for what stops the database at start: locked, unreachable, read-only."""
    where = describe_database(settings.database_url)
    text = str(getattr(error, "orig", None) or error).splitlines()[0][:160] or type(error).__name__
    lowered = text.lower()
    if "locked" in lowered:
        hint = "another process holds it (is Spotter already running?)"
    elif "readonly" in lowered or "read-only" in lowered or "read only" in lowered:
        hint = "it is read-only: check the file's and its folder's permissions"
    elif isinstance(error, OSError) or "connect" in lowered or "refused" in lowered:
        hint = "can't connect: is the server running, and is DATABASE_URL right?"
    else:
        hint = "check DATABASE_URL"
    return SettingsError(f"database {where}: {hint} ({text})")


async def prepare_database(settings: Settings) -> None:
    # A SQLite file locked by another process is reported after 5 s, not the usual 30.
    options: dict[str, Any] = (
        {"connect_args": {"timeout": 5}} if settings.database_kind == "sqlite" else {}
    )
    engine = make_engine(settings.database_url, **options)
    try:
        report = await migrate_database(engine)
        await check_writable(engine)
    except (sqlalchemy.exc.SQLAlchemyError, OSError) as error:
        raise database_error(settings, error) from None
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


async def check_telegram(settings: Settings, request: BaseRequest | None = None) -> str:
    """Ask Telegram who we are before starting: a bad token, no network or a flood wait end
    in one line (exit 2) here, not in a library's tracebacks. A 429 is waited out."""
    bot = Bot(
        settings.require_token(),
        base_url=settings.telegram_api_url,
        base_file_url=settings.telegram_file_url,
        request=request,
    )
    for attempt in range(1, GETME_ATTEMPTS + 1):
        try:
            async with bot:  # initialize() calls getMe
                return bot.username
        except InvalidToken:
            raise SettingsError(
                "BOT_TOKEN was rejected by Telegram: check it with @BotFather (/token)"
            ) from None
        except RetryAfter as error:
            wait = error.retry_after
            seconds = wait if isinstance(wait, int | float) else wait.total_seconds()
            if attempt == GETME_ATTEMPTS:
                raise SettingsError(
                    f"Telegram keeps asking to wait (429, retry after {seconds:.0f}s); "
                    "try again later"
                ) from None
            log.warning("Telegram asks to wait %.0fs before starting (429); waiting", seconds)
            await asyncio.sleep(seconds)
        except NetworkError as error:
            raise SettingsError(
                f"can't reach the Bot API at {settings.telegram_api_url} "
                f"({type(error).__name__}); check the network or TELEGRAM_API_URL"
            ) from None
        except TelegramError as error:
            raise SettingsError(f"Telegram refused getMe: {error.message}") from None
    raise AssertionError("unreachable")


def run_bot(
    settings: Settings, *, webhook: bool = False, request: BaseRequest | None = None
) -> int:
    """Run until SIGINT/SIGTERM. Returns the process exit code."""
    settings.require_token()
    use_webhook = webhook or settings.webhook_url is not None
    options = webhook_options(settings) if use_webhook else {}
    loop = new_event_loop(settings.event_loop)  # before anything: a missing uvloop stops here
    try:
        loop.run_until_complete(prepare_database(settings))
        loop.run_until_complete(check_telegram(settings, request))
        application = build_application(settings, request=request)
        application.bot_data[MODE_KEY] = "webhook" if use_webhook else "polling"
        asyncio.set_event_loop(loop)  # PTB runs on the current loop, and closes it when done
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
    finally:
        asyncio.set_event_loop(None)
        if not loop.is_closed():
            loop.close()
    return 0
