"""`python -m bot console`: chat with the real bot in a terminal, Telegram simulated in-process.

The real Application (``build_application``) runs on the configured database with ``LocalBotAPI``
as its transport: the same fake of Telegram the tests use, driven by the same ``LocalTelegram`` /
``LocalUser`` helpers. So what works here works in the tests, and everything is saved in the
database exactly as with a real token.
"""

from __future__ import annotations

import asyncio
import codecs
import hashlib
import io
import json
import os
import re
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from pydantic import SecretStr

from bot import console_render as render
from bot.app import SpotterApp, build_application
from bot.context import CLOCK_KEY
from bot.insight.delivery import drain_outbox
from bot.insight.scheduler import enqueue_due_notices
from bot.runner import prepare_database
from bot.settings import Settings
from fake_telegram import ApiEvent, LocalBotAPI, LocalTelegram, LocalUser, StoredMessage
from storage.db import describe_database

JSONDict = dict[str, Any]

CONSOLE_DIR = Path("data") / "console"
PEOPLE_FILE = "people.json"
# Only ever shown to the in-process fake: a token shape PTB accepts, never sent anywhere.
PLACEHOLDER_TOKEN = "100000:" + "LocalConsoleWithoutTelegramXXXXXXXX"
BOT_USERNAME = "SpotterConsoleBot"
FIRST_PERSON = "coach"
MAX_NAME_LENGTH = 64  # Telegram's limit for a first name
# Handlers get this long to finish before the console says the bot is stuck.
IDLE_TIMEOUT = 60.0

HELP = """\
Type what you would send in Telegram; it goes to the bot as the person in the prompt.
  1, 2, ...        press that button of the last keyboard
  :as <name>       become someone else (created on first use, with their own chat)
  :open <link>     tap a t.me link to the bot, such as an invite link
  :inline <query>  type "@{bot} <query>" and see the numbered results
  :more            the next page of inline results
  :pick <n>        send inline result n into this chat
  :say <text>      send text as it is (a bare number, or text starting with ":")
  :time <when>     set the bot's clock, YYYY-MM-DD HH:MM in UTC (or now): digests and
                   reminders due by then are sent
  :paste           send the next lines as ONE message (a program session); a line with
                   only "." ends it
  :help            this list
  :quit            stop (Ctrl+D does too); everything is kept in the database
Photos and files the bot sends are saved in {files_dir}/."""


def run_console(
    settings: Settings,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    files_dir: Path | None = None,
) -> int:
    """Run the console until :quit or end of input. Returns the process exit code."""
    return asyncio.run(
        run_session(
            settings,
            stdin=stdin if stdin is not None else sys.stdin,
            stdout=stdout if stdout is not None else sys.stdout,
            files_dir=files_dir if files_dir is not None else CONSOLE_DIR,
        )
    )


async def run_session(settings: Settings, *, stdin: TextIO, stdout: TextIO, files_dir: Path) -> int:
    await prepare_database(settings)
    if settings.bot_token is None:
        settings = settings.model_copy(update={"bot_token": SecretStr(PLACEHOLDER_TOKEN)})
    api = LocalBotAPI(username=BOT_USERNAME)
    app = build_application(settings, request=api, rate_limit=False)
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        console = Console(app, api, out=stdout, files_dir=files_dir)
        database = describe_database(settings.database_url)
        console.greet(database)
        await console.chat(LineReader(stdin), interactive=stdin.isatty())
        console.write(f"Stopped. Everything is saved in {database}.")
    finally:
        # A clean stop: PTB flushes persistence (conversations, drafts) in shutdown.
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
    return 0


# --------------------------------------------------------------------------------- people


def person_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def person_id(key: str) -> int:
    """A Telegram user id derived from the name, so a person is the same one in every run."""
    digest = hashlib.sha256(key.encode()).digest()
    return 1_000_000_000 + int.from_bytes(digest[:6], "big") % 4_000_000_000


def person_names(name: str) -> tuple[str, str | None, str | None]:
    """(first name, last name, username) for a console person called ``name``."""
    parts = name.split()
    first = parts[0][:1].upper() + parts[0][1:]
    last = " ".join(parts[1:]) or None
    slug = re.sub(r"[^a-z0-9]+", "_", person_key(name)).strip("_")
    username = slug if re.fullmatch(r"[a-z][a-z0-9_]{4,31}", slug) else None
    return first, last, username


@dataclass
class Keyboard:
    """The keyboard a bare number presses: inline (on ``message``) or the reply keyboard."""

    message: StoredMessage | None
    buttons: list[JSONDict]


class Console:
    """People taking turns to type to the bot; prints what the bot does as it does it."""

    def __init__(self, app: SpotterApp, api: LocalBotAPI, *, out: TextIO, files_dir: Path) -> None:
        self.app = app
        self.api = api
        self.out = out
        self.files_dir = files_dir
        self.tg = LocalTelegram(app, api, idle_timeout=IDLE_TIMEOUT)
        self.people: dict[str, LocalUser] = {}
        self.inline_results: list[JSONDict] = []
        # The query and next_offset of the last inline answer, for :more.
        self.inline_query = ""
        self.inline_offset = ""
        for name in self.load_people():
            # They talked to the bot in an earlier run, so the bot may message them first.
            person = self.add_person(name)
            person.record.seen = person.record.started = True
        self.current = self.person(FIRST_PERSON)
        api.add_listener(self.show_event)

    # ----------------------------------------------------------------- output

    def write(self, *lines: str) -> None:
        for line in lines:
            self.out.write(line + "\n")
        self.out.flush()

    def greet(self, database: str) -> None:
        self.write(
            f"Spotter console: the real bot on {database}, with Telegram simulated in-process.",
            "Type messages as you would in Telegram; a number presses a button; "
            ":help lists the console commands.",
        )

    @property
    def prompt(self) -> str:
        return f"{self.current.name}> "

    def show_event(self, event: ApiEvent) -> None:
        """Print what the bot just did (called by LocalBotAPI during the bot's API call)."""
        if event.kind == "callback_answer" and event.callback is not None:
            self.write(*render.render_callback_answer(event.callback))
            return
        message = event.message
        if message is None:
            return  # inline answers are printed by :inline
        bot_name = self.api.bot.first_name
        recipient = self.recipient_name(message.chat_id)
        if event.kind == "deleted":
            self.write(*render.render_deleted(message, bot_name=bot_name, recipient=recipient))
            return
        lines = render.render_message(
            message,
            bot_name=bot_name,
            recipient=recipient,
            edited=event.kind == "edited",
            note=self.media_note(message),
        )
        self.write(*lines)

    def recipient_name(self, chat_id: int) -> str | None:
        """None for the current person's chat, else whose chat it is."""
        if chat_id == self.current.chat_id:
            return None
        for person in self.people.values():
            if person.chat_id == chat_id:
                return person.name
        return f"user {chat_id}"

    def media_note(self, message: StoredMessage) -> str | None:
        file_id = message.photo_file_id or (message.document or {}).get("file_id")
        if file_id is None:
            return None
        stored = self.api.files.get(str(file_id))
        content = message.photo or message.document_bytes or (stored.content if stored else None)
        try:
            saved = render.save_media(message, content, self.files_dir)
        except OSError as error:
            return f"[could not save the file in {self.files_dir}: {error.strerror}]"
        return render.media_note(message, saved, stored.url if stored else None)

    # ----------------------------------------------------------------- people

    def load_people(self) -> list[str]:
        try:
            data = json.loads((self.files_dir / PEOPLE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        names = data.get("people") if isinstance(data, dict) else None
        return [n for n in names if isinstance(n, str) and n.strip()] if names else []

    def save_people(self) -> None:
        names = [person.name for person in self.people.values()]
        try:
            self.files_dir.mkdir(parents=True, exist_ok=True)
            (self.files_dir / PEOPLE_FILE).write_text(
                json.dumps({"people": names}, ensure_ascii=False, indent=1), encoding="utf-8"
            )
        except OSError:
            pass  # only a convenience for the next run

    def add_person(self, name: str) -> LocalUser:
        display = " ".join(name.split())[:MAX_NAME_LENGTH]
        key = person_key(display)
        existing = self.people.get(key)
        if existing is not None:
            return existing
        first, last, username = person_names(display)
        user_id = person_id(key)
        while user_id in self.api.users or user_id == self.api.bot.id:
            user_id += 1  # a hash collision: practically never
        record = self.api.add_user(
            first, last_name=last, username=username, language_code="en", user_id=user_id
        )
        person = LocalUser(self.tg, display, record)
        self.tg.users[display] = person
        self.people[key] = person
        return person

    def person(self, name: str) -> LocalUser:
        """The person called ``name``, created (and remembered for next time) if new."""
        known = person_key(name) in self.people
        person = self.add_person(name)
        if not known:
            self.save_people()
        return person

    # ----------------------------------------------------------------- the loop

    async def chat(self, reader: LineReader, *, interactive: bool) -> None:
        while True:
            if interactive:
                self.out.write(self.prompt)
                self.out.flush()
            line = await reader.readline()
            if line is None:
                if interactive:
                    self.write("")
                return
            if not interactive:
                # Piped input is not echoed by a terminal: show it, so the transcript reads
                # like the conversation.
                self.write(f"{self.prompt}{line}".rstrip())
            try:
                if line.strip().lower() == ":paste":
                    pasted = await self.read_paste(reader, interactive=interactive)
                    if pasted:
                        await self.current.send(pasted)
                        await enqueue_due_notices(self.app)
                        await drain_outbox(self.app)
                    continue
                if not await self.handle(line):
                    return
            except TimeoutError as error:
                self.write(f"  (the bot is still busy after {IDLE_TIMEOUT:.0f}s: {error})")

    async def read_paste(self, reader: LineReader, *, interactive: bool) -> str | None:
        """:paste: the lines up to one holding only ".", as one message (as a paste is in
        Telegram: a program session is one message of several lines)."""
        if interactive:
            self.write('  Paste or type the lines; a line with only "." sends them as one message.')
        lines: list[str] = []
        while True:
            if interactive:
                self.out.write("... ")
                self.out.flush()
            line = await reader.readline()
            if line is None or line.strip() == ".":
                break
            if not interactive:
                self.write(f"... {line}".rstrip())
            lines.append(line)
        return "\n".join(lines).strip("\n") or None

    async def handle(self, line: str) -> bool:
        """Act on one input line; False to stop. Then what came due is sent (digests,
        reminders, notices), as the running bot's JobQueue would."""
        going_on = await self.handle_line(line)
        if going_on:
            await enqueue_due_notices(self.app)
            await drain_outbox(self.app)
        return going_on

    async def handle_line(self, line: str) -> bool:
        text = line.strip()
        if not text:
            return True
        if text.startswith(":"):
            return await self.run_command(text)
        if re.fullmatch(r"[0-9]{1,3}", text):
            keyboard = self.active_keyboard()
            if keyboard is not None and 1 <= int(text) <= len(keyboard.buttons):
                await self.press(keyboard, int(text))
                return True
        await self.current.send(text)
        return True

    async def run_command(self, text: str) -> bool:
        name, _, argument = text[1:].partition(" ")
        name, argument = name.lower(), argument.strip()
        if name in ("quit", "q", "exit"):
            return False
        commands: dict[str, Callable[[str], Awaitable[None]]] = {
            "help": self.show_help,
            "as": self.switch_person,
            "open": self.open_link,
            "inline": self.inline,
            "pick": self.pick,
            "more": self.more,
            "say": self.say,
            "time": self.set_time,
        }
        command = commands.get(name)
        if command is None:
            self.write(
                f"  Unknown console command :{name}. :help lists them; "
                "to send text that starts with ':', use :say."
            )
            return True
        await command(argument)
        return True

    # ----------------------------------------------------------------- commands

    async def show_help(self, argument: str) -> None:
        self.write(*HELP.format(bot=self.api.bot.username, files_dir=self.files_dir).split("\n"))

    async def set_time(self, argument: str) -> None:
        """Move the bot's clock (UTC), to see reminders and digests come due."""
        if argument.lower() in ("", "now"):
            self.app.bot_data.pop(CLOCK_KEY, None)
            self.write("  The bot's clock is the real time again.")
            return
        try:
            moment = datetime.strptime(argument, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
        except ValueError:
            self.write("  :time needs YYYY-MM-DD HH:MM (UTC), or now.")
            return
        self.app.bot_data[CLOCK_KEY] = lambda: moment
        self.write(f"  The bot's clock now reads {moment:%Y-%m-%d %H:%M} UTC.")

    async def say(self, argument: str) -> None:
        if not argument:
            self.write("  :say needs the text to send.")
            return
        await self.current.send(argument)

    async def switch_person(self, argument: str) -> None:
        if not argument:
            names = ", ".join(person.name for person in self.people.values())
            self.write(f"  You are {self.current.name}. People so far: {names}.")
            self.write("  :as <name> switches; a new name is a new person with their own chat.")
            return
        is_new = person_key(argument) not in self.people
        self.current = self.person(argument)
        self.inline_results, self.inline_offset = [], ""
        what = "a new person, " if is_new else ""
        self.write(f"  You are now {self.current.name} ({what}Telegram user {self.current.id}).")

    async def open_link(self, argument: str) -> None:
        if not argument:
            self.write(
                f"  :open needs a link, such as https://t.me/{self.api.bot.username}?start=..."
            )
            return
        try:
            update = await self.current.open_link(argument)
        except ValueError as error:
            self.write(f"  Can't open that here: {error}")
            return
        if update is None:
            self.write("  (The chat is already open: Telegram sends nothing for this link.)")

    async def inline(self, query: str, offset: str = "") -> None:
        if not offset:
            self.inline_results = []
        self.inline_query, self.inline_offset = query, ""
        try:
            answer = await self.current.inline(query, offset=offset)
        except LookupError:
            head = f"@{self.api.bot.username} {query}".rstrip()
            self.write(f"{head}: the bot did not answer")
            return
        first = len(self.inline_results) + 1
        self.inline_results += answer.results
        self.inline_offset = answer.next_offset
        self.write(
            *render.render_inline_results(
                self.api.bot.username,
                query,
                answer.results,
                first=first,
                more=bool(answer.next_offset),
            )
        )
        if answer.button and answer.button.get("start_parameter"):
            link = f"https://t.me/{self.api.bot.username}?start={answer.button['start_parameter']}"
            self.write(f"  [button] {answer.button.get('text', '')}: :open {link}")

    async def more(self, argument: str) -> None:
        if not self.inline_offset:
            self.write("  No more inline results: try :inline <query>.")
            return
        await self.inline(self.inline_query, self.inline_offset)

    async def pick(self, argument: str) -> None:
        if not self.inline_results:
            self.write("  No inline results to pick from: try :inline <query> first.")
            return
        if not argument.isdigit() or not 1 <= int(argument) <= len(self.inline_results):
            self.write(f"  :pick takes a result number from 1 to {len(self.inline_results)}.")
            return
        result = self.inline_results[int(argument) - 1]
        content = result.get("input_message_content")
        parsed = render.picked_content(content) if isinstance(content, dict) else None
        if parsed is None or not parsed.text:
            self.write("  That result has no text message the console can send.")
            return
        username = self.api.bot.username
        self.write(*render.render_picked(self.current.name, username, parsed))
        # In Telegram the message lands in the chat and, in the bot's own chat, reaches the bot
        # like any message, marked as sent via the bot.
        message = self.api.record_user_message(
            self.current.id, parsed.text, entities=parsed.api_entities()
        )
        payload = {**self.api.message_to_api(message), "via_bot": self.api.bot.to_api()}
        await self.tg.deliver({"update_id": self.api.next_update_id(), "message": payload})

    # ----------------------------------------------------------------- buttons

    def active_keyboard(self) -> Keyboard | None:
        """The newest keyboard in the current chat: an inline one or the reply keyboard."""
        inline: StoredMessage | None = None
        reply: tuple[int, list[JSONDict]] | None = None
        for message in reversed(self.current.bot_messages()):
            if inline is None and message.has_inline_keyboard:
                inline = message
            markup = message.reply_markup or {}
            if reply is None and ("keyboard" in markup or markup.get("remove_keyboard")):
                rows = markup.get("keyboard") or []
                buttons = [
                    b if isinstance(b, dict) else {"text": str(b)} for row in rows for b in row
                ]
                reply = (message.message_id, buttons)
            if inline is not None and reply is not None:
                break
        if reply is not None and reply[1] and (inline is None or reply[0] > inline.message_id):
            return Keyboard(None, reply[1])
        if inline is not None:
            return Keyboard(inline, [b for row in inline.inline_keyboard for b in row])
        return None

    async def press(self, keyboard: Keyboard, number: int) -> None:
        button = keyboard.buttons[number - 1]
        label = str(button.get("text", ""))
        if keyboard.message is None:
            # A reply keyboard button just sends its text.
            self.write(f"  → {label}")
            await self.current.send(label)
            return
        self.write(f"  → {label}")
        if "callback_data" in button:
            await self.current.press_data(str(button["callback_data"]), message=keyboard.message)
            record = self.current.last_callback
            if record is not None and not record.answered:
                self.write("  (The bot did not answer the press: Telegram keeps a spinner on it.)")
            return
        await self.press_other(button)

    async def press_other(self, button: JSONDict) -> None:
        """Buttons that send nothing to the bot: links, inline switches, copy buttons."""
        url = button.get("url") or (button.get("login_url") or {}).get("url")
        url = url or (button.get("web_app") or {}).get("url")
        if url:
            self.write(f"  opens {url}")
            if re.search(rf"(t\.me|telegram\.me)/{self.api.bot.username}\b", str(url), re.I):
                self.write(f"  (to tap it here: :open {url})")
            return
        if "switch_inline_query_current_chat" in button:
            await self.inline(str(button["switch_inline_query_current_chat"]))
            return
        if "switch_inline_query" in button:
            self.write("  (Telegram would ask which chat first; showing the results here.)")
            await self.inline(str(button["switch_inline_query"]))
            return
        if "copy_text" in button:
            self.write(f"  copied: {(button['copy_text'] or {}).get('text', '')}")
            return
        self.write("  That kind of button can't be pressed in the console.")


# --------------------------------------------------------------------------------- input


class LineReader:
    """Lines from stdin without blocking the event loop.

    Pipes and terminals are watched with ``loop.add_reader`` and read with ``os.read`` (no
    thread that could hold stdin at exit, and Ctrl+C stops at once). In-memory streams and
    regular files can't be watched, but reading them never waits, so they are read directly.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.fd = _watchable_fd(stream)
        encoding = getattr(stream, "encoding", None) or "utf-8"
        self.decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self.buffer = ""
        self.eof = False

    async def readline(self) -> str | None:
        """The next line without its line break; None at end of input."""
        if self.fd is None:
            line = self.stream.readline()
            return line.rstrip("\r\n") if line else None
        while "\n" not in self.buffer and not self.eof:
            chunk = await self.read_chunk(self.fd)
            self.eof = chunk == b""
            self.buffer += self.decoder.decode(chunk, final=self.eof)
        if "\n" in self.buffer:
            line, self.buffer = self.buffer.split("\n", 1)
            return line.rstrip("\r")
        line, self.buffer = self.buffer, ""
        return line or None

    @staticmethod
    async def read_chunk(fd: int) -> bytes:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            # Called on every loop turn while readable; the first call wakes readline().
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(fd, wake)
        try:
            await ready
        finally:
            loop.remove_reader(fd)
        return os.read(fd, 65536)


def _watchable_fd(stream: TextIO) -> int | None:
    """The file descriptor if the event loop can watch it (a pipe or a terminal), else None."""
    try:
        fd = stream.fileno()
    except (OSError, ValueError, io.UnsupportedOperation):
        return None
    loop = asyncio.get_running_loop()
    try:
        loop.add_reader(fd, lambda: None)
    except (OSError, ValueError, NotImplementedError):
        return None  # a regular file (epoll refuses those) or a loop without add_reader
    loop.remove_reader(fd)
    return fd
