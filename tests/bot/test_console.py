"""The local console: scripted sessions on stdin, checked by the transcript on stdout."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import (
    CopyTextButton,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.ext import (
    BaseHandler,
    CommandHandler,
    InlineQueryHandler,
)
from telegram.warnings import PTBUserWarning

from bot.__main__ import main
from bot.app import routing_table
from bot.console import BOT_USERNAME, Console, run_console
from bot.core.routing import iter_table
from bot.settings import Settings
from storage.db import configured_url
from tests.bot.conftest import Harness

REPO = Path(__file__).resolve().parents[2]
ADD_MAYA = ["/addathlete", "Maya Lopez", "/skip", "/skip", "/skip", "/skip", "/skip", "1"]


def registered_handlers() -> list[BaseHandler[Any, Any, Any]]:
    """Every handler of the routing table, conversation entry points included."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBUserWarning)
        table = routing_table()
    return list(iter_table(table))


def has_invites() -> bool:
    # Being built alongside the console: its test runs once /invite is routed.
    return any(
        isinstance(handler, CommandHandler) and "invite" in handler.commands
        for handler in registered_handlers()
    )


def has_inline_mode() -> bool:
    return any(isinstance(handler, InlineQueryHandler) for handler in registered_handlers())


@pytest.fixture
def database_url(engine: AsyncEngine) -> str:
    # A fresh database (SQLite, and PostgreSQL when configured); the console migrates it
    # again, which finds it up to date. The subprocess test below starts from an empty file.
    return configured_url(engine)


@pytest.fixture
def files_dir(tmp_path: Path) -> Path:
    return tmp_path / "console"


async def chat(database_url: str, files_dir: Path, *lines: str) -> str:
    """Run the console on ``lines`` (then end of input); return what it printed."""
    settings = Settings(_env_file=None, bot_token=None, database_url=database_url)
    stdin = io.StringIO("".join(f"{line}\n" for line in lines))
    stdout = io.StringIO()
    # run_console runs its own event loop, as `python -m bot console` does: give it a thread.
    code = await asyncio.to_thread(
        run_console, settings, stdin=stdin, stdout=stdout, files_dir=files_dir
    )
    assert code == 0
    return stdout.getvalue()


def assert_in_order(transcript: str, *fragments: str) -> None:
    position = 0
    for fragment in fragments:
        found = transcript.find(fragment, position)
        assert found >= 0, f"{fragment!r} not found after position {position} in:\n{transcript}"
        position = found + len(fragment)


async def test_coach_onboards_adds_an_athlete_and_switches_person(
    database_url: str, files_dir: Path
) -> None:
    transcript = await chat(
        database_url,
        files_dir,
        "/start",
        "Northside Barbell",
        *ADD_MAYA,
        ":as Maya Lopez",
        "/start",
        ":as coach",
        "/athletes",
    )
    assert_in_order(
        transcript,
        "Spotter console: the real bot on ",
        "coach> /start",
        "Spotter: 👋 **Welcome to Spotter**, the training assistant for strength coaches.",
        "  Let's set up your team. **What's your team called?**",
        "  _For example: Northside Barbell. Send /cancel to stop._",
        "coach> Northside Barbell",
        "Spotter: ✅ Team **Northside Barbell** is ready",
        "coach> /addathlete",
        "What's the athlete's **full name**?",
        "coach> Maya Lopez",
        "their **gender**?",
        "  [1] Female  [2] Male\n  [3] Non-binary  [4] Prefer not to say",
        "📋 **Check the new athlete**",
        "  **Name:** Maya Lopez",
        "  [1] ✅ Save\n  [2] ✏️ Edit a field  [3] ✖️ Cancel",
        "coach> 1\n  → ✅ Save\n  (toast) Saved ✅\n",
        "Spotter (edited): ✅ **Maya Lopez** is on your roster.",
        "Spotter: 👤 **Maya Lopez**",
        "Maya Lopez> /start",
        # Not linked to the athlete record yet: for the bot she is someone new.
        "Spotter: 👋 **Welcome to Spotter**",
        "  You are now coach (Telegram user ",
        "coach> /athletes",
        "Maya Lopez",
    )
    assert "You are now Maya Lopez (a new person, Telegram user " in transcript
    assert "Stopped. Everything is saved in " in transcript.splitlines()[-1]


async def test_a_second_run_on_the_same_database_remembers_the_coach_and_roster(
    database_url: str, files_dir: Path
) -> None:
    await chat(database_url, files_dir, "/start", "Northside Barbell", *ADD_MAYA)
    transcript = await chat(database_url, files_dir, "/start", "1")
    assert "What's your team called?" not in transcript
    assert_in_order(
        transcript,
        "coach> /start",
        "Spotter: 🏋️ **Northside Barbell**",
        "1 athlete on the roster, 1 active.",
        "  [1] 👥 Athletes\n  [2] ➕ Add athlete",
        "coach> 1\n  → 👥 Athletes",
        "Spotter (edited): ",
        "Maya Lopez",
    )


async def test_unknown_input_gets_hints_and_numbers_without_a_button_are_text(
    database_url: str, files_dir: Path
) -> None:
    transcript = await chat(
        database_url,
        files_dir,
        "7",
        ":frobnicate",
        ":pick 1",
        ":open https://example.com/start",
        ":open https://t.me/SomeOtherBot?start=abc",
        ":open",
        ":say",
        "/start",
        ":say 1",
        "/cancel",
        "5",
        ":as",
        ":help",
        ":quit",
        "/start",
    )
    assert_in_order(
        transcript,
        # No keyboard yet: a number is just text, and the bot says it doesn't follow.
        "coach> 7\nSpotter: ",
        "/help",
        "coach> :frobnicate\n  Unknown console command :frobnicate. :help lists them",
        "coach> :pick 1\n  No inline results to pick from",
        "coach> :open https://example.com/start\n  Can't open that here: not a Telegram bot link",
        "coach> :open https://t.me/SomeOtherBot?start=abc\n  Can't open that here: link "
        f"'https://t.me/SomeOtherBot?start=abc' is for @SomeOtherBot, not for @{BOT_USERNAME}",
        "coach> :open\n  :open needs a link",
        "coach> :say\n  :say needs the text",
        "coach> /start",
        "What's your team called?",
        # :say sends a bare number as the answer.
        "coach> :say 1\nSpotter: ⚠️ ",
        "coach> /cancel\nSpotter: Cancelled. Nothing was saved.",
        "coach> 5\nSpotter: ",
        "coach> :as\n  You are coach. People so far: coach.",
        "coach> :help\n",
        "  :as <name>       become someone else",
        "coach> :quit\nStopped.",
    )
    # Nothing after :quit was read.
    assert transcript.count("coach> /start") == 1


@pytest.mark.skipif(not has_invites(), reason="the /invite feature is not built yet")
async def test_invite_then_the_athlete_opens_the_link_and_sees_their_profile(
    database_url: str, files_dir: Path
) -> None:
    first = await chat(
        database_url,
        files_dir,
        "/start",
        "Northside Barbell",
        *ADD_MAYA,
        "/invite Maya Lopez",
    )
    link = re.search(rf"https://t\.me/{BOT_USERNAME}\?start=[A-Za-z0-9_-]+", first)
    assert link is not None, first
    note = re.search(r"\[photo saved to (\S+)\]", first)
    assert note is not None, first
    saved = Path(note.group(1))
    assert saved.parent == files_dir
    assert (await asyncio.to_thread(saved.read_bytes)).startswith(b"\x89PNG")
    # The athlete taps the link in a later session: the link and the binding live in the DB.
    second = await chat(database_url, files_dir, ":as Maya Lopez", f":open {link.group(0)}", "/me")
    assert_in_order(
        second,
        "Maya Lopez> :open",
        "Spotter: ",
        "Northside Barbell",
        # The coach talked to the bot in the earlier run, so the bot can tell them now.
        "[to coach] Spotter: ",
        "Maya Lopez> /me",
        "Spotter: ",
        "Northside Barbell",
        "Maya Lopez",
    )
    assert "What's your team called?" not in second


@pytest.mark.skipif(not has_inline_mode(), reason="inline mode is not built yet")
async def test_inline_results_are_numbered_and_picking_one_sends_it(
    database_url: str, files_dir: Path
) -> None:
    transcript = await chat(
        database_url,
        files_dir,
        ":pick 1",
        ":more",
        ":inline squat",
        ":pick 1",
        ":more",
        ":pick 999",
        ":as athlete",
        ":pick 1",
    )
    assert_in_order(
        transcript,
        "coach> :pick 1\n  No inline results to pick from",
        "coach> :more\n  No more inline results",
        "coach> :inline squat",
        f"@{BOT_USERNAME} squat: ",
        "  [1] ",
        "coach> :pick 1",
        f"coach via @{BOT_USERNAME}: ",
        "coach> :more\n",
        "coach> :pick 999\n  :pick takes a result number from 1 to ",
        # Results belong to the person who asked.
        "athlete> :pick 1\n  No inline results to pick from",
    )
    picked = transcript.split("coach> :pick 1", 2)[2].split("coach> :more", 1)[0]
    assert re.search(r"(?i)squat", picked)


@pytest.fixture
def restore_logging() -> Iterator[None]:
    # main() configures logging for a process; give the test process its own back.
    # configure_logging also sets the level of library loggers ("telegram", "httpx"...).
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {
        name: logger.level
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, logger in logging.root.manager.loggerDict.items():
        if isinstance(logger, logging.Logger):
            logger.setLevel(levels.get(name, logging.NOTSET))


async def test_make_run_without_a_token_says_so_and_opens_the_console(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    restore_logging: None,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setattr(sys, "stdin", io.StringIO("/start\n"))
    assert await asyncio.to_thread(main, ["run", "--console-without-token"]) == 0
    captured = capsys.readouterr()
    assert "BOT_TOKEN is not set, so Spotter starts in the local console" in captured.err
    assert "What's your team called?" in captured.out


def test_the_real_entry_point_reads_piped_stdin_and_exits_cleanly(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("BOT_TOKEN", "DATABASE_URL", "TEST_DATABASE_URL")
    }
    env["PYTHONPATH"] = str(REPO)
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'spotter.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "console"],
        input="/start\nNorthside Barbell\n/start\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert_in_order(
        result.stdout,
        "coach> Northside Barbell",
        "Spotter: ✅ Team **Northside Barbell** is ready",
        "coach> /start",
        "  [1] 👥 Athletes\n  [2] ➕ Add athlete",
        "Stopped. Everything is saved in sqlite",
    )
    assert (tmp_path / "data" / "console" / "people.json").exists()


# --- the Console on the test harness: step by step, reading the output as it comes -------------


class Session:
    """A Console on the harness's Application and fake Telegram, typed into line by line."""

    def __init__(self, harness: Harness, files_dir: Path) -> None:
        self.out = io.StringIO()
        self.console = Console(harness.app, harness.api, out=self.out, files_dir=files_dir)
        self.read_up_to = 0

    async def type(self, line: str) -> str:
        """Type ``line``; return what the console printed for it."""
        assert await self.console.handle(line)
        printed = self.out.getvalue()[self.read_up_to :]
        self.read_up_to = len(self.out.getvalue())
        return printed

    def chat_id(self) -> int:
        return self.console.current.chat_id


PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


async def test_buttons_of_every_kind_and_photos_edits_and_deletions(
    harness: Harness, tmp_path: Path
) -> None:
    session = Session(harness, tmp_path / "console")
    bot = harness.app.bot
    await session.type("/start")
    chat_id = session.chat_id()
    # The bot's own Bot object sends these, through the same fake Telegram.
    links = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Docs", url="https://example.com/docs")],
            [InlineKeyboardButton("Search", switch_inline_query_current_chat="squat")],
            [InlineKeyboardButton("Copy", copy_text=CopyTextButton("SPOT-42"))],
        ]
    )
    await bot.send_message(
        chat_id, "See <a href='https://example.com'>the site</a>", reply_markup=links
    )
    printed = session.out.getvalue()[session.read_up_to :]
    assert "Spotter: See the site (https://example.com)\n" in printed
    assert "  [1] Docs ↗\n  [2] Search\n  [3] Copy" in printed
    session.read_up_to = len(session.out.getvalue())
    assert "  → Docs\n  opens https://example.com/docs" in await session.type("1")
    searched = await session.type("2")
    assert "  → Search" in searched and f"@{harness.api.bot.username} squat" in searched
    assert "  copied: SPOT-42" in await session.type("3")
    assert "Unknown" not in await session.type("4")  # out of range: sent as text

    await bot.send_message(chat_id, "Which?", reply_markup=ReplyKeyboardMarkup([["Yes", "No"]]))
    assert "  keyboard: [1] Yes  [2] No" in session.out.getvalue()
    session.read_up_to = len(session.out.getvalue())
    assert (await session.type("2")).startswith("  → No\nSpotter: ")
    assert harness.api.chats[chat_id].messages[-2].text == "No"
    await bot.send_message(chat_id, "Done.", reply_markup=ReplyKeyboardRemove())
    assert "  (keyboard removed)" in session.out.getvalue()

    photo = await bot.send_photo(chat_id, PNG_1x1, caption="<b>QR</b> code")
    saved = tmp_path / "console" / f"chat{chat_id}-message{photo.message_id}.png"
    assert f"Spotter: [photo saved to {saved}]\n  **QR** code\n" in session.out.getvalue()
    assert saved.read_bytes() == PNG_1x1
    await bot.edit_message_caption(chat_id, photo.message_id, caption="<i>Scan me</i>")
    assert f"Spotter (edited): [photo saved to {saved}]\n  _Scan me_\n" in session.out.getvalue()
    await bot.delete_message(chat_id, photo.message_id)
    assert session.out.getvalue().endswith("Spotter deleted its message “Scan me”\n")


@pytest.mark.skipif(not has_invites(), reason="the /invite feature is not built yet")
async def test_one_session_invite_open_the_link_as_the_athlete_and_see_me(
    harness: Harness, tmp_path: Path
) -> None:
    session = Session(harness, tmp_path / "console")
    for line in ["/start", "Northside Barbell", *ADD_MAYA]:
        await session.type(line)
    invite = await session.type("/invite Maya Lopez")
    link = re.search(rf"https://t\.me/{harness.api.bot.username}\?start=[\w-]+", invite)
    assert link is not None, invite
    assert "[photo saved to " in invite
    share = re.search(r"\[(\d+)\] [^\[\n]*↗", invite)
    if share is not None:  # a link button: the console shows where it goes
        assert "  opens https://" in await session.type(share.group(1))
    assert "(a new person, Telegram user " in await session.type(":as Maya Lopez")
    joined = await session.type(f":open {link.group(0)}")
    assert_in_order(joined, "Spotter: ", "Northside Barbell", "[to coach] Spotter: ")
    me = await session.type("/me")
    assert me.startswith("Spotter: ") and "Maya Lopez" in me
    assert session.console.prompt == "Maya Lopez> "
