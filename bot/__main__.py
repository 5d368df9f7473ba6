"""Command line: `python -m bot run | migrate | console`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.logs import configure_logging
from bot.settings import Settings, SettingsError, load_settings
from storage.catalog.loader import CatalogError
from storage.db import describe_database, make_engine
from storage.migrate import migrate_database

log = logging.getLogger("bot")


async def run_migrate(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    try:
        report = await migrate_database(engine)
    finally:
        await engine.dispose()
    print(
        f"Database {describe_database(settings.database_url)} is at the newest schema. "
        f"Curated library: {report.exercises} exercises, {report.muscles} muscle groups, "
        f"{report.edges} progression links"
        + (
            f" ({report.created} created, {report.updated} updated, {report.archived} archived)."
            if report.changed
            else " (already up to date)."
        )
    )


def texts_no_token() -> str:
    return (
        "BOT_TOKEN is not set, so Spotter starts in the local console: the real bot, with an "
        "in-process Telegram. To run on Telegram, get a token from @BotFather and put "
        "BOT_TOKEN=... in .env (see .env.example)."
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Spotter Telegram bot")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="migrate the database and run the bot")
    run.add_argument("--webhook", action="store_true", help="receive updates by webhook")
    run.add_argument(
        "--console-without-token",
        action="store_true",
        help="open the local console when BOT_TOKEN is not set (what `make run` does)",
    )
    commands.add_parser("migrate", help="upgrade the database and load the curated library")
    commands.add_parser("console", help="chat with the bot in this terminal, no Telegram needed")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings)
        if args.command == "migrate":
            asyncio.run(run_migrate(settings))
            return 0
        if args.command == "console":
            from bot.console import run_console

            return run_console(settings)
        if settings.bot_token is None and args.console_without_token:
            from bot.console import run_console

            print(texts_no_token(), file=sys.stderr)
            return run_console(settings)
        from bot.runner import run_bot

        return run_bot(settings, webhook=args.webhook)
    except (SettingsError, CatalogError) as error:
        print(f"spotter: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
