"""Benchmark 1: update throughput and latency of the real Application, against PTB's own ceiling.

How updates flow (the way production does it): each simulated user builds a genuine Update (JSON ->
``Update.de_json``, as the Updater does) and puts it on ``app.update_queue`` of a *started*
Application. PTB's fetcher hands it to our ``PerChatUpdateProcessor`` (``concurrent_updates`` from
the settings), which runs the routing table. Latency is measured from just before the Update is
built to the moment a ``TypeHandler`` in group 1000 (after every group of ours, including the
persistence flush in group 99) sees it: queueing, the per-chat lock, every handler and every Bot
API call are inside. A second ``TypeHandler`` in group -1000 marks when processing began, so queue
wait and service time can be told apart. Nothing of ours is wrapped or replaced.

Phases per database (after a warm-up with users of its own):

* saturation: every user acts again as soon as the bot has answered (closed loop, no think time).
  Updates handled per second here is the throughput figure.
* paced: the same users carry on (plus a few newcomers who onboard), but updates arrive at a
  fixed rate with Poisson gaps (open loop): half of the saturated throughput (issue #20).
  Latency percentiles here are held against the goal.
* round trip (full run): saturated again, with every Bot API call taking 50 ms, as over a real
  network; shows whether handlers keep a transaction open across a call to Telegram.

The ceiling: a bare PTB Application (echo text, answer buttons and inline queries; PTB's
``SimpleUpdateProcessor`` with the same concurrency) replays the very same per-user update
sequences through the same harness and the same LocalBotAPI. The rate limiter is off in both:
it models Telegram's outgoing limits (~30 messages/s), not the bot's own speed.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import itertools
import random
import re
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseHandler,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest, RequestData

from bench.common import (
    BENCH_TOKEN,
    BenchResult,
    DatabaseKind,
    Figure,
    Options,
    bench_settings,
    bulk_insert,
    format_number,
    percentile,
    scratch_database,
    summarise_ms,
)
from bench.ladder import RUNGS, rung_reader
from bot.app import build_application
from bot.core.routing import iter_table
from fake_telegram import LocalBotAPI, LocalTelegram, LocalUser, StoredMessage
from fake_telegram.records import UserRecord
from fake_telegram.server import JSONDict
from storage.db import SessionFactory, make_engine, make_session_factory
from storage.models import Athlete, Membership, Organization, User
from storage.models.base import new_id, utcnow
from storage.validation import fold_key

AnyApp = Application[Any, Any, Any, Any, Any, Any]
ActionKind = Literal["text", "button", "inline"]
UPDATE_TIMEOUT = 30.0
FIRST_GROUP, LAST_GROUP = -1000, 1000
# The kind of update being handled, for counting its SQL and Bot API calls (--profile).
CURRENT_KIND: contextvars.ContextVar[str] = contextvars.ContextVar("bench_kind", default="other")
# Issue #20's goals, as ratios within one run (the machine is shared): CPU per update within 3x
# of the "PTB + one indexed SELECT on the raw driver" rung, saturated throughput at least 0.25 of
# the echo ceiling, p99 under 25 ms when paced at half of the saturated throughput.
GOAL_CPU_X_RAW_DRIVER = 3.0
GOAL_RATIO = 0.25
GOAL_P99_MS = 25.0


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "Maya Liam Noah Emma Olivia Ava Mia Lucas Ethan Zoe Aria Leo Nora Kai Ivy Owen Ruby Eli "
    "Jade Finn Luna Theo Isla Hugo Ella Max Iris Jonas Sara Omar Lena Ravi Yuki Ana Tomas"
)
LAST_NAMES = _words(
    "Lopez Smith Chen Okafor Novak Rossi Tanaka Silva Muller Kowalski Haddad Nguyen Brown "
    "Garcia Ivanova Jensen Costa Fischer Moreau Patel Kim Larsen Dubois Sato Alvarez Reyes"
)
INLINE_QUERIES = ("squat", "bench", "deadlift", "row", "lunge", "press", "pull up", "rdl")


def random_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


# --- plan -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    users: int  # simulated people per measured phase
    new_coach_share: float  # the rest are coaches whose teams exist already
    seeded_athletes: int  # roster size of an existing team
    warmup_s: float
    saturation_s: float
    paced_s: float
    round_trip_s: float  # length of the saturation phase with a modelled network (0: skip)
    one_query_reference: bool = False  # also run PTB + one SELECT per update, per database
    round_trip: float = 0.05  # seconds per Bot API call, as from a server in Europe


QUICK = Plan(
    users=64,
    new_coach_share=0.25,
    seeded_athletes=45,
    warmup_s=0.3,
    saturation_s=2.0,
    paced_s=1.5,
    round_trip_s=0.0,
)
FULL = Plan(
    users=128,
    new_coach_share=0.25,
    seeded_athletes=45,
    warmup_s=3.0,
    saturation_s=20.0,
    paced_s=20.0,
    round_trip_s=15.0,
    one_query_reference=True,
)


# --- measuring --------------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    enqueued: float
    started: float
    finished: float

    @property
    def latency(self) -> float:
        return self.finished - self.enqueued

    @property
    def service(self) -> float:
        return self.finished - self.started


@dataclass
class _Pending:
    kind: str
    enqueued: float
    done: asyncio.Future[Sample]
    started: float = 0.0


# The fake Telegram's history (every call, every message) is Telegram's memory, not the bot's:
# kept in this process it grew by ~100 objects an update that survived into the collector's
# older generations, and the collections over them (35-45 ms each) made the p99 at half load.
TRIM_EVERY = 500


class Driver:
    """Delivers updates through ``app.update_queue`` and times each one until fully handled."""

    def __init__(self, app: AnyApp, api: LocalBotAPI, *, trim_every: int = TRIM_EVERY) -> None:
        self.app = app
        self.api = api
        self.tg = LocalTelegram(app, api, delivery="queue")
        self.samples: list[Sample] = []
        self.errors: list[BaseException] = []
        self.trim_every = trim_every
        self._pending: dict[int, _Pending] = {}
        self._delivered = 0
        # Outside every group of ours (the routing table uses 0 and 99).
        app.add_handler(TypeHandler(Update, self._on_first), group=FIRST_GROUP)
        app.add_handler(TypeHandler(Update, self._on_last), group=LAST_GROUP)
        app.add_error_handler(self._on_error)

    async def deliver(self, kind: str, data: JSONDict) -> Sample:
        loop = asyncio.get_running_loop()
        pending = _Pending(kind, time.perf_counter(), loop.create_future())
        update = self.tg.to_update(data)
        self._pending[update.update_id] = pending
        # `put`, as PTB's webhook does: Spotter's queue writes the update to its durable inbox
        # here (bot.inbox), so that cost is in the figures; for the echo app it is a plain put.
        await self.app.update_queue.put(update)
        try:
            sample = await asyncio.wait_for(pending.done, UPDATE_TIMEOUT)
        finally:
            self._pending.pop(update.update_id, None)
        self._delivered += 1
        if self.trim_every and self._delivered % self.trim_every == 0:
            trim_fake_telegram(self.api)
        return sample

    async def _on_first(self, update: Update, context: CallbackContext[Any, Any, Any, Any]) -> None:
        pending = self._pending.get(update.update_id)
        if pending is not None:
            pending.started = time.perf_counter()
            # Set in the update's own task: its handlers and the SQL they run see it.
            CURRENT_KIND.set(pending.kind)

    async def _on_last(self, update: Update, context: CallbackContext[Any, Any, Any, Any]) -> None:
        finished = time.perf_counter()
        pending = self._pending.get(update.update_id)
        if pending is None or pending.done.done():
            return
        sample = Sample(pending.kind, pending.enqueued, pending.started or finished, finished)
        self.samples.append(sample)
        pending.done.set_result(sample)

    async def _on_error(self, update: object, context: CallbackContext[Any, Any, Any, Any]) -> None:
        if context.error is not None:
            self.errors.append(context.error)


class RoundTripBotAPI(LocalBotAPI):
    """LocalBotAPI plus a network round trip per call (half before the call, half after), as
    to api.telegram.org. 0 (the default) is the plain in-process fake."""

    round_trip = 0.0
    calls_by_kind: collections.Counter[str] | None = None  # counted only when set
    # CPU this process spent being Telegram (reading the call, checking it, storing the message,
    # answering): in production that is Telegram's, not the bot's.
    telegram_cpu_s = 0.0

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
        if self.calls_by_kind is not None:
            self.calls_by_kind[CURRENT_KIND.get()] += 1
        if self.round_trip:
            await asyncio.sleep(self.round_trip / 2)
        # LocalBotAPI answers every call but getUpdates (unused here) without awaiting, so this
        # thread's CPU time across the call is the fake's alone.
        started = time.thread_time()
        answer = await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        self.telegram_cpu_s += time.thread_time() - started
        if self.round_trip:
            await asyncio.sleep(self.round_trip / 2)
        return answer


def trim_fake_telegram(api: LocalBotAPI, keep: int = 20) -> None:
    """Forget what the fake Telegram remembers (call log, old messages, answered queries).

    The fake's history is not the bot's memory (every Driver trims it every TRIM_EVERY
    updates). Every chat keeps its last messages, so buttons on them still work.
    """
    api.calls.clear()
    api.chat_actions.clear()
    for query_id in [q for q, r in api.callback_queries.items() if r.answered]:
        del api.callback_queries[query_id]
    for query_id in [q for q, r in api.inline_queries.items() if r.answer is not None]:
        del api.inline_queries[query_id]
    for chat in api.chats.values():
        if len(chat.messages) > keep:
            for old in chat.messages[:-keep]:
                chat.by_id.pop(old.message_id, None)
            del chat.messages[:-keep]


@dataclass
class PhaseStats:
    label: str
    seconds: float
    handled: int
    samples: list[Sample]
    offered_rate: float | None = None
    cpu_seconds: float = 0.0  # of the whole process (bot, fake Telegram, harness), all threads
    telegram_cpu_seconds: float = 0.0  # of that, the in-process Telegram's (RoundTripBotAPI)

    @property
    def updates_per_s(self) -> float:
        return self.handled / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_update(self) -> float:
        return self.cpu_seconds / self.handled * 1000 if self.handled else 0.0

    @property
    def own_cpu_ms_per_update(self) -> float:
        """CPU per update less what the in-process Telegram spent (Telegram's, in production)."""
        own = self.cpu_seconds - self.telegram_cpu_seconds
        return own / self.handled * 1000 if self.handled else 0.0

    def latencies(self, kind: str | None = None) -> list[float]:
        return [s.latency for s in self.samples if kind is None or s.kind == kind]

    def by_kind(self) -> dict[str, list[Sample]]:
        groups: dict[str, list[Sample]] = collections.defaultdict(list)
        for sample in self.samples:
            groups[sample.kind].append(sample)
        return dict(groups)

    def summary(self) -> dict[str, Any]:
        return {
            "seconds": round(self.seconds, 2),
            "handled": self.handled,
            "updates_per_s": round(self.updates_per_s, 1),
            "offered_rate": self.offered_rate,
            "cpu_ms_per_update": round(self.cpu_ms_per_update, 3),
            "own_cpu_ms_per_update": round(self.own_cpu_ms_per_update, 3),
            "latency": summarise_ms(self.latencies()),
            "service": summarise_ms([s.service for s in self.samples]),
            "queue_wait": summarise_ms([s.started - s.enqueued for s in self.samples]),
            "by_kind": {
                kind: summarise_ms([s.latency for s in samples])
                for kind, samples in sorted(self.by_kind().items())
            },
        }


# --- load -------------------------------------------------------------------------------------


class Gate:
    """When a simulated user may take its next step: at once (closed loop) or on an arrival."""

    def __init__(self, rate: float | None, rng: random.Random) -> None:
        self.rate = rate
        self.rng = rng
        self.stopping = False
        self._arrivals: asyncio.Queue[float] = asyncio.Queue()
        self._producer: asyncio.Task[None] | None = None
        self.late: list[float] = []  # how long arrivals waited for an idle user

    def start(self) -> None:
        if self.rate:
            self._producer = asyncio.create_task(self._produce(self.rate))

    async def _produce(self, rate: float) -> None:
        loop = asyncio.get_running_loop()
        due = loop.time()
        while not self.stopping:
            due += self.rng.expovariate(rate)
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self._arrivals.put_nowait(time.perf_counter())

    async def wait(self) -> None:
        if not self.rate or self.stopping:
            return
        arrived = await self._arrivals.get()
        if arrived:  # 0.0 is the wake-up call at the end of a phase
            self.late.append(time.perf_counter() - arrived)

    async def stop(self, waiting_users: int) -> None:
        self.stopping = True
        if self._producer is not None:
            self._producer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._producer
        for _ in range(waiting_users):
            self._arrivals.put_nowait(0.0)


@dataclass
class Action:
    kind: str
    how: ActionKind
    payload: str


class ScriptError(Exception):
    """The bot did not show what a person would have needed for the next step."""


class SimUser:
    """One person in a private chat with the bot, taking steps through the harness."""

    def __init__(self, sim: Simulation, local: LocalUser, rng: random.Random) -> None:
        self.sim = sim
        self.local = local
        self.rng = rng
        self.trace: list[Action] = []
        self.team: str | None = None
        # Whose trace this user's steps go into (an invited athlete acts inside the coach's turn).
        self.recorder: SimUser = self
        self.started = False

    async def send(self, kind: str, text: str) -> Sample:
        data = self.sim.driver.tg.message_update_data(self.local, text)
        return await self.sim.step(self, Action(kind, "text", text), data)

    async def press_data(self, kind: str, message: StoredMessage, callback_data: str) -> Sample:
        data, _ = self.sim.driver.tg.callback_update_data(self.local, message, callback_data)
        return await self.sim.step(self, Action(kind, "button", callback_data), data)

    async def press(self, kind: str, label: str) -> Sample:
        message, button = self.find_button(lambda text, data: text == label)
        return await self.press_data(kind, message, button)

    async def inline(self, kind: str, query: str) -> Sample:
        data, _ = self.sim.driver.tg.inline_update_data(self.local, query)
        return await self.sim.step(self, Action(kind, "inline", query), data)

    def last_text(self) -> str:
        for message in reversed(self.local.messages()):
            if message.from_bot:
                return message.display_text
        return ""

    def buttons(self) -> tuple[StoredMessage, list[tuple[str, str]]] | None:
        """The last bot message with an inline keyboard, and its (text, callback_data) pairs."""
        for message in reversed(self.local.messages()):
            if message.from_bot and message.has_inline_keyboard:
                pairs = [
                    (str(b.get("text", "")), str(b["callback_data"]))
                    for row in message.inline_keyboard
                    for b in row
                    if "callback_data" in b
                ]
                return message, pairs
        return None

    def find_button(
        self, wanted: Callable[[str, str], bool], *, pick_random: bool = False
    ) -> tuple[StoredMessage, str]:
        found = self.buttons()
        if found is None:
            raise ScriptError(f"no keyboard; last text: {self.last_text()[:80]!r}")
        message, pairs = found
        matches = [data for text, data in pairs if wanted(text, data)]
        if not matches:
            labels = [text for text, _ in pairs]
            raise ScriptError(f"no such button among {labels}; text: {self.last_text()[:80]!r}")
        return message, self.rng.choice(matches) if pick_random else matches[0]

    def has_button(self, wanted: Callable[[str, str], bool]) -> bool:
        found = self.buttons()
        return found is not None and any(wanted(text, data) for text, data in found[1])


# --- what people do ---------------------------------------------------------------------------


Activity = Callable[[SimUser], Awaitable[None]]


async def onboard_new_coach(user: SimUser) -> None:
    await user.send("/start (new coach)", "/start")
    if "team" not in user.last_text().lower():
        raise ScriptError(f"expected the team question, got {user.last_text()[:80]!r}")
    user.team = f"{random_name(user.rng).split()[1]} Strength {user.local.id}"
    await user.send("team name", user.team)
    if "is ready" not in user.last_text():
        raise ScriptError(f"team not created: {user.last_text()[:80]!r}")


async def open_coach_menu(user: SimUser) -> None:
    await user.send("/start (coach menu)", "/start")


async def add_athlete(user: SimUser) -> None:
    rng = user.rng
    name = random_name(rng)
    await user.send("/addathlete", "/addathlete")
    await user.send("form step (text)", name)
    unique = f"{name.split()[0].lower()}.{user.local.id}.{rng.randrange(10**9)}@example.com"
    await user.send("form step (text)", unique if rng.random() < 0.7 else "/skip")
    phone = f"(415) 555-{rng.randrange(100, 200):04d}"
    await user.send("form step (text)", phone if rng.random() < 0.5 else "/skip")
    birth = f"{rng.randrange(1990, 2010)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
    await user.send("form step (text)", birth if rng.random() < 0.6 else "/skip")
    await user.press("form gender (button)", rng.choice(["Female", "Male", "Non-binary"]))
    await user.send("form step (text)", "Back squat 3x5 @ RPE 7; mind the left knee.")
    await user.press("form save (button)", "✅ Save")
    if "is on your roster" not in " ".join(m.display_text for m in user.local.bot_messages()[-2:]):
        raise ScriptError(f"athlete not saved: {user.last_text()[:80]!r}")


def _is_card(text: str, data: str) -> bool:
    return data.startswith("ac:")


async def browse_roster(user: SimUser) -> None:
    await user.send("/athletes", "/athletes")
    for _ in range(user.rng.randrange(0, 4)):
        if not user.has_button(lambda text, data: text.startswith("Next")):
            break
        await user.press("roster next page", "Next ▶️")
    for _ in range(user.rng.randrange(1, 3)):
        if not user.has_button(_is_card):
            return
        message, data = user.find_button(_is_card, pick_random=True)
        await user.press_data("open card", message, data)
        await user.press("back to roster", "⬅️ Back to roster")


async def search_roster(user: SimUser) -> None:
    fragment = user.rng.choice(FIRST_NAMES + LAST_NAMES)[:4].lower()
    await user.send("/athletes <name>", f"/athletes {fragment}")
    if user.has_button(_is_card):
        message, data = user.find_button(_is_card, pick_random=True)
        await user.press_data("open card", message, data)


# Buttons that only look at the library (region, patterns, muscle, pattern, ours, search pages,
# card, back): never one that adds, edits, archives or copies.
EXERCISE_BROWSING = ("xr", "xq", "xu", "xp", "xo", "xs", "xc", "xb")
EXERCISE_QUERIES = ("squat", "rdl", "bench press", "row", "split squat", "hip thrust", "carry")


def _browses_library(text: str, data: str) -> bool:
    return data.split(":", 1)[0] in EXERCISE_BROWSING or data == "menu:exercises"


async def browse_exercises(user: SimUser) -> None:
    """/exercises, then a random walk over the library's browsing buttons."""
    if user.rng.random() < 0.3:
        await user.send("/exercises <query>", f"/exercises {user.rng.choice(EXERCISE_QUERIES)}")
    else:
        await user.send("/exercises", "/exercises")
    for _ in range(user.rng.randrange(2, 5)):
        if not user.has_button(_browses_library):
            return
        message, data = user.find_button(_browses_library, pick_random=True)
        await user.press_data("exercise browse (button)", message, data)


INVITE_LINK = re.compile(r"https://t\.me/\w+\?start=([A-Za-z0-9_-]+)")


async def invite_athlete(user: SimUser) -> None:
    """The coach invites an athlete from the card; the athlete opens the link and looks at /me."""
    await user.send("/athletes", "/athletes")
    if not user.has_button(_is_card):
        return
    message, data = user.find_button(_is_card, pick_random=True)
    await user.press_data("open card", message, data)
    if not user.has_button(lambda text, data: data.startswith("iv:")):
        return  # linked already
    message, data = user.find_button(lambda text, data: data.startswith("iv:"))
    await user.press_data("invite (button, QR photo)", message, data)
    link = INVITE_LINK.search(user.last_text())
    if link is None:
        raise ScriptError(f"no invite link in {user.last_text()[:80]!r}")
    athlete = user.sim.make_users(f"{user.local.name}-a", 1, suffix=user.rng.randrange(10**9))[0]
    athlete.recorder = user
    await athlete.send("/start <invite> (athlete joins)", f"/start {link.group(1)}")
    await athlete.send("/me (athlete)", "/me")


async def inline_lookup(user: SimUser) -> None:
    word = user.rng.choice(INLINE_QUERIES)
    # Telegram sends a query per keystroke pause: a prefix, then the word.
    for query in (word[:3], word):
        await user.inline("inline query", query)


@dataclass(frozen=True)
class Features:
    exercises: bool
    inline: bool
    invites: bool

    def names(self) -> list[str]:
        return [name for name in ("exercises", "inline", "invites") if getattr(self, name)]


def walk_handlers(app: AnyApp) -> Iterator[BaseHandler[Any, Any, Any]]:
    return iter_table(app.handlers)


def detect_features(app: AnyApp) -> Features:
    """Which features have landed: read from the routing table the app was built with."""
    commands: set[str] = set()
    inline = False
    for handler in walk_handlers(app):
        if isinstance(handler, CommandHandler):
            commands |= set(handler.commands)
        inline = inline or isinstance(handler, InlineQueryHandler)
    return Features(exercises="exercises" in commands, inline=inline, invites="invite" in commands)


def activity_mix(features: Features) -> list[tuple[Activity, float]]:
    mix: list[tuple[Activity, float]] = [
        (browse_roster, 0.40),
        (add_athlete, 0.15),
        (search_roster, 0.10),
        (open_coach_menu, 0.05),
    ]
    if features.exercises:
        mix.append((browse_exercises, 0.15))
    if features.invites:
        mix.append((invite_athlete, 0.05))
    if features.inline:
        mix.append((inline_lookup, 0.15))
    return mix


# --- simulation -------------------------------------------------------------------------------


class Simulation:
    def __init__(self, driver: Driver, rng: random.Random) -> None:
        self.driver = driver
        self.rng = rng
        self.gate = Gate(None, rng)
        self.script_errors: list[str] = []
        self.recording = False
        self.users_made: list[SimUser] = []

    async def step(self, user: SimUser, action: Action, data: JSONDict) -> Sample:
        await self.gate.wait()
        if self.recording:
            user.recorder.trace.append(action)
        return await self.driver.deliver(action.kind, data)

    def make_users(self, prefix: str, count: int, suffix: int | None = None) -> list[SimUser]:
        users = []
        for n in range(count):
            first = self.rng.choice(FIRST_NAMES)
            name = f"{prefix}{n}" if suffix is None else f"{prefix}{n}-{suffix}"
            username = f"{first.lower()}_{self.rng.randrange(10**8)}"
            local = self.driver.tg.user(
                name, first_name=first, username=username if self.rng.random() < 0.6 else None
            )
            users.append(SimUser(self, local, random.Random(self.rng.random())))
        self.users_made.extend(users)
        return users

    async def run_phase(
        self,
        label: str,
        users: list[SimUser],
        script: Callable[[SimUser], Awaitable[None]],
        *,
        seconds: float,
        rate: float | None = None,
    ) -> PhaseStats:
        """Run every user's script for ``seconds``; the rest of the activity in hand is finished
        but only updates enqueued and handled inside the window count."""
        self.gate = Gate(rate, self.rng)
        first = len(self.driver.samples)
        tasks = [asyncio.create_task(self._guarded(user, script)) for user in users]
        self.gate.start()
        api = self.driver.api
        telegram_started = api.telegram_cpu_s if isinstance(api, RoundTripBotAPI) else 0.0
        started, cpu_started = time.perf_counter(), time.process_time()
        await asyncio.sleep(seconds)
        ended, cpu_ended = time.perf_counter(), time.process_time()
        telegram = (api.telegram_cpu_s if isinstance(api, RoundTripBotAPI) else 0.0) - (
            telegram_started
        )
        await self.gate.stop(len(users))
        await asyncio.gather(*tasks)
        inside = [
            s for s in self.driver.samples[first:] if started <= s.enqueued and s.finished <= ended
        ]
        handled = sum(1 for s in self.driver.samples[first:] if started <= s.finished <= ended)
        return PhaseStats(
            label,
            ended - started,
            handled,
            inside,
            rate,
            cpu_seconds=cpu_ended - cpu_started,
            telegram_cpu_seconds=telegram,
        )

    async def _guarded(self, user: SimUser, script: Callable[[SimUser], Awaitable[None]]) -> None:
        try:
            await script(user)
        except ScriptError as error:
            self.script_errors.append(f"{user.local.name}: {error}")

    def coach_script(
        self, features: Features, *, new: bool
    ) -> Callable[[SimUser], Awaitable[None]]:
        mix = activity_mix(features)
        activities = [activity for activity, _ in mix]
        weights = [weight for _, weight in mix]

        async def script(user: SimUser) -> None:
            # Someone who was here in an earlier phase just carries on.
            if not user.started:
                user.started = True
                if new:
                    await onboard_new_coach(user)
                else:
                    await open_coach_menu(user)
            while not self.gate.stopping:
                activity = user.rng.choices(activities, weights)[0]
                try:
                    await activity(user)
                except ScriptError as error:
                    # Say what went wrong, get back to a known state, go on.
                    self.script_errors.append(f"{user.local.name}: {error}")
                    if len(self.script_errors) > 50:
                        raise
                    await user.send("/cancel (recovery)", "/cancel")

        return script


async def replay(user: SimUser, trace: list[Action], sim: Simulation) -> None:
    """Send the same updates again (for the echo bot: buttons are pressed on its last message)."""
    if not trace:
        return
    for action in itertools.cycle(trace):
        if sim.gate.stopping:
            return
        if action.how == "text":
            await user.send(action.kind, action.payload)
        elif action.how == "inline":
            await user.inline(action.kind, action.payload)
        else:
            messages = user.local.messages()
            if not messages:
                await user.send(action.kind, "/start")
                continue
            await user.press_data(action.kind, messages[-1], action.payload)


# --- applications -----------------------------------------------------------------------------


async def start_spotter(app: AnyApp) -> None:
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()


async def stop_app(app: AnyApp) -> None:
    if app.running:
        await app.stop()
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)


def build_echo_application(
    api: LocalBotAPI,
    concurrent_updates: int,
    sessions: SessionFactory | None = None,
    reader: Callable[[int], Awaitable[None]] | None = None,
) -> AnyApp:
    """The framework alone: what PTB does on this machine with handlers that do nothing else.

    With ``sessions``, every handler first runs one transaction with one indexed SELECT through
    our engine setup (storage.db): the floor for a bot that reads its database per update.
    """

    async def touch_database(update: Update) -> None:
        if update.effective_user is None:
            return
        if reader is not None:  # a rung of the ladder (bench.ladder)
            await reader(update.effective_user.id)
            return
        if sessions is None:
            return
        async with sessions() as session:
            found = await session.exec(
                select(col(User.id)).where(col(User.telegram_user_id) == update.effective_user.id)
            )
            found.first()

    async def echo(update: Update, context: CallbackContext[Any, Any, Any, Any]) -> None:
        assert update.effective_message is not None and update.effective_message.text
        await touch_database(update)
        await update.effective_message.reply_text(update.effective_message.text)

    async def answer(update: Update, context: CallbackContext[Any, Any, Any, Any]) -> None:
        assert update.callback_query is not None
        await touch_database(update)
        await update.callback_query.answer()

    async def answer_inline(update: Update, context: CallbackContext[Any, Any, Any, Any]) -> None:
        assert update.inline_query is not None
        await touch_database(update)
        await update.inline_query.answer([])

    app: AnyApp = (
        ApplicationBuilder()
        .token(BENCH_TOKEN)
        .base_url("http://127.0.0.1:9/bot")
        .request(api)
        .get_updates_request(api)
        .concurrent_updates(concurrent_updates)
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(answer))
    app.add_handler(InlineQueryHandler(answer_inline))
    return app


# --- seeding ----------------------------------------------------------------------------------


def full_name(record: UserRecord) -> str:
    """What telegram.User.full_name gives the bot for this user."""
    return f"{record.first_name} {record.last_name}" if record.last_name else record.first_name


async def seed_coaches(
    engine: AsyncEngine, users: list[SimUser], athletes_each: int, rng: random.Random
) -> None:
    """Teams that exist already: a user, a team, an owner seat and a roster, per coach."""
    now = utcnow()
    user_rows, org_rows, seat_rows, athlete_rows = [], [], [], []
    for user in users:
        user_id, org_id = new_id(), new_id()
        user.team = f"{rng.choice(LAST_NAMES)} Barbell {user.local.id}"
        record = user.local.record
        # As the bot would have saved them: a returning coach's first update writes nothing.
        user_rows.append(
            (user_id, record.id, record.username, full_name(record), record.language_code, now)
        )
        org_rows.append((org_id, user.team, now))
        seat_rows.append((new_id(), org_id, user_id, "owner", now))
        for _ in range(athletes_each):
            status = "active" if rng.random() < 0.8 else rng.choice(["inactive", "archived"])
            name = random_name(rng)
            athlete_rows.append((new_id(), org_id, name, fold_key(name), status, now, now))
    await bulk_insert(
        engine,
        User.__tablename__,
        ["id", "telegram_user_id", "username", "display_name", "language_code", "created_at"],
        user_rows,
    )
    await bulk_insert(
        engine,
        Organization.__tablename__,
        ["id", "name", "created_at"],
        org_rows,
    )
    await bulk_insert(
        engine,
        Membership.__tablename__,
        ["id", "organization_id", "user_id", "role", "created_at"],
        seat_rows,
    )
    await bulk_insert(
        engine,
        Athlete.__tablename__,
        ["id", "organization_id", "name", "name_key", "status", "created_at", "updated_at"],
        athlete_rows,
    )


# --- runs -------------------------------------------------------------------------------------


@dataclass
class SpotterRun:
    database: DatabaseKind
    features: Features
    saturation: PhaseStats
    paced: PhaseStats
    traces: list[list[Action]]
    round_trip: PhaseStats | None = None
    errors: list[str] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)


async def population(
    sim: Simulation, database_url: str, prefix: str, count: int, plan: Plan
) -> tuple[list[SimUser], list[SimUser]]:
    """(new coaches, existing coaches) for one phase."""
    new_count = max(1, round(count * plan.new_coach_share))
    new = sim.make_users(f"{prefix}new", new_count)
    existing = sim.make_users(f"{prefix}old", count - new_count)
    engine = make_engine(database_url)
    try:
        await seed_coaches(engine, existing, plan.seeded_athletes, sim.rng)
    finally:
        await engine.dispose()
    return new, existing


async def run_coaches(
    sim: Simulation,
    features: Features,
    label: str,
    users: tuple[list[SimUser], list[SimUser]],
    *,
    seconds: float,
    rate: float | None = None,
) -> PhaseStats:
    new, existing = users
    scripts = {id(u): sim.coach_script(features, new=True) for u in new}
    scripts.update({id(u): sim.coach_script(features, new=False) for u in existing})

    async def script(user: SimUser) -> None:
        await scripts[id(user)](user)

    return await sim.run_phase(label, [*new, *existing], script, seconds=seconds, rate=rate)


async def drive_mix(
    app: AnyApp,
    api: LocalBotAPI,
    database_url: str,
    plan: Plan,
    *,
    seed: int = 1,
    trim_every: int = TRIM_EVERY,
) -> tuple[Driver, Simulation, PhaseStats, tuple[list[SimUser], list[SimUser]]]:
    """Benchmark 1's saturation mix on a started Spotter app (also used by the memory run).

    Returns the users too: later phases carry on with them."""
    driver = Driver(app, api, trim_every=trim_every)
    sim = Simulation(driver, random.Random(seed))
    features = detect_features(app)
    warm = await population(sim, database_url, "w", 8, plan)
    await run_coaches(sim, features, "warm-up", warm, seconds=plan.warmup_s)
    users = await population(sim, database_url, "s", plan.users, plan)
    sim.recording = True
    stats = await run_coaches(sim, features, "saturation", users, seconds=plan.saturation_s)
    sim.recording = False
    return driver, sim, stats, users


def carry_on(
    sim: Simulation, users: tuple[list[SimUser], list[SimUser]], prefix: str, plan: Plan
) -> tuple[list[SimUser], list[SimUser]]:
    """The same people in their steady state, plus a few newcomers who onboard meanwhile."""
    newcomers = sim.make_users(f"{prefix}new", max(2, round(plan.users * plan.new_coach_share / 4)))
    return [*users[0], *newcomers], users[1]


def paced_rate(saturation: PhaseStats) -> float:
    """Half of what we can sustain, as issue #20's latency goal says (above capacity a queue only
    grows, and latency says nothing but how long the phase ran)."""
    return max(1.0, round(saturation.updates_per_s / 2))


async def bench_spotter(kind: DatabaseKind, options: Options, plan: Plan) -> SpotterRun:
    async with scratch_database(kind, options) as url:
        api = RoundTripBotAPI()
        app = build_application(bench_settings(url), request=api, rate_limit=False)
        await start_spotter(app)
        try:
            driver, sim, saturation, users = await drive_mix(app, api, url, plan)
            features = detect_features(app)
            traces = [user.trace for user in sim.users_made if user.trace]
            rate = paced_rate(saturation)
            paced = await run_coaches(
                sim,
                features,
                "paced",
                carry_on(sim, users, "p", plan),
                seconds=plan.paced_s,
                rate=rate,
            )
            round_trip = None
            if plan.round_trip_s:
                users = carry_on(sim, users, "r", plan)
                api.round_trip = plan.round_trip
                round_trip = await run_coaches(
                    sim, features, "round trip", users, seconds=plan.round_trip_s
                )
        finally:
            await stop_app(app)
        api.assert_no_unknown_calls()
    return SpotterRun(
        database=kind,
        features=features,
        saturation=saturation,
        paced=paced,
        traces=traces,
        round_trip=round_trip,
        errors=[f"{type(e).__name__}: {e}" for e in driver.errors],
        script_errors=sim.script_errors,
    )


def _replayer(
    traces: dict[int, list[Action]], sim: Simulation
) -> Callable[[SimUser], Awaitable[None]]:
    async def script(user: SimUser) -> None:
        await replay(user, traces.get(id(user), []), sim)

    return script


async def bench_ceiling(
    traces: list[list[Action]],
    plan: Plan,
    concurrent: int,
    *,
    sessions: SessionFactory | None = None,
    reader: Callable[[int], Awaitable[None]] | None = None,
    with_round_trip: bool = True,
) -> tuple[PhaseStats, PhaseStats | None]:
    """The echo app replaying the traces: saturated, then (full run) with the round trip."""
    api = RoundTripBotAPI()
    app = build_echo_application(api, concurrent, sessions, reader)
    driver = Driver(app, api)
    sim = Simulation(driver, random.Random(2))
    await app.initialize()
    await app.start()

    async def replay_all(label: str, prefix: str, seconds: float) -> PhaseStats:
        users = sim.make_users(prefix, len(traces))
        by_user = dict(zip(map(id, users), traces, strict=True))
        return await sim.run_phase(label, users, _replayer(by_user, sim), seconds=seconds)

    try:
        await replay_all("echo warm-up", "ew", plan.warmup_s)
        saturated = await replay_all("echo saturation", "e", plan.saturation_s)
        round_trip = None
        if plan.round_trip_s and with_round_trip:
            api.round_trip = plan.round_trip
            round_trip = await replay_all("echo round trip", "er", plan.round_trip_s)
    finally:
        await stop_app(app)
    return saturated, round_trip


def _ms(value: float) -> str:
    return format_number(value * 1000)


def kind_rows(saturated: PhaseStats, paced: PhaseStats) -> list[list[str]]:
    rows = []
    paced_kinds = paced.by_kind()
    for kind, samples in sorted(saturated.by_kind().items(), key=lambda kv: -len(kv[1])):
        latency = [s.latency for s in paced_kinds.get(kind, [])]
        service = [s.service for s in samples]
        rows.append(
            [
                kind,
                str(len(samples)),
                str(len(latency)),
                _ms(percentile(latency, 50)),
                _ms(percentile(latency, 95)),
                _ms(percentile(latency, 99)),
                _ms(percentile(service, 50)),
                _ms(percentile(service, 99)),
            ]
        )
    return rows


async def run(options: Options) -> BenchResult:
    plan = QUICK if options.quick else FULL
    result = BenchResult(
        "throughput", "1. Update throughput and latency (real Application + LocalBotAPI)"
    )
    runs = [await bench_spotter(kind, options, plan) for kind in options.kinds]
    concurrency = bench_settings("sqlite+aiosqlite:///unused").concurrent_updates
    ceiling, ceiling_round_trip = await bench_ceiling(runs[0].traces, plan, concurrency)
    one_query: dict[str, PhaseStats] = {}
    if plan.one_query_reference:
        for spotter in runs:
            async with scratch_database(spotter.database, options) as url:
                engine = make_engine(url)
                try:
                    one_query[spotter.database], _ = await bench_ceiling(
                        runs[0].traces,
                        plan,
                        concurrency,
                        sessions=make_session_factory(engine),
                        with_round_trip=False,
                    )
                finally:
                    await engine.dispose()
    ladders: dict[str, list[tuple[str, PhaseStats]]] = {}
    for spotter in runs:
        rungs: list[tuple[str, PhaseStats]] = [("PTB echo", ceiling)]
        # A fresh database: the indexed lookup of an unknown user, the cost of the read path.
        async with scratch_database(spotter.database, options) as url:
            for rung in RUNGS:
                async with rung_reader(rung, url) as reader:
                    stats, _ = await bench_ceiling(
                        runs[0].traces, plan, concurrency, reader=reader, with_round_trip=False
                    )
                rungs.append((f"PTB + 1 {rung}", stats))
        rungs.append(("Spotter (realistic mix)", spotter.saturation))
        ladders[spotter.database] = rungs
    for spotter in runs:
        db = spotter.database
        sat, paced = spotter.saturation, spotter.paced
        rate = f"{paced.offered_rate or 0:.0f}/s"
        ratio = sat.updates_per_s / ceiling.updates_per_s if ceiling.updates_per_s else 0.0
        paced_all = paced.latencies()
        result.figures += [
            Figure("throughput, saturated", sat.updates_per_s, "updates/s", db),
            Figure("ours / ceiling", ratio, "", db, GOAL_RATIO, "higher"),
            Figure(f"latency p50 at {rate}", percentile(paced_all, 50) * 1000, "ms", db),
            Figure(f"latency p95 at {rate}", percentile(paced_all, 95) * 1000, "ms", db),
            Figure(
                f"latency p99 at {rate}", percentile(paced_all, 99) * 1000, "ms", db, GOAL_P99_MS
            ),
            Figure("latency p99, saturated", percentile(sat.latencies(), 99) * 1000, "ms", db),
            Figure("CPU per update, saturated", sat.cpu_ms_per_update, "ms", db),
            Figure("  less the in-process Telegram", sat.own_cpu_ms_per_update, "ms", db),
        ]
        if spotter.round_trip is not None and ceiling_round_trip is not None:
            trip = spotter.round_trip
            result.figures += [
                Figure(
                    f"throughput, {plan.round_trip * 1000:.0f} ms Bot API round trip",
                    trip.updates_per_s,
                    "updates/s",
                    db,
                ),
                Figure(
                    "  ours / ceiling, same round trip",
                    trip.updates_per_s / ceiling_round_trip.updates_per_s,
                    "",
                    db,
                ),
            ]
        if db in one_query:
            reference = one_query[db]
            result.figures += [
                Figure(
                    "reference: PTB + 1 SELECT/update", reference.updates_per_s, "updates/s", db
                ),
                Figure(
                    "  reference / ceiling",
                    reference.updates_per_s / ceiling.updates_per_s,
                    "",
                    db,
                ),
            ]
            result.details[f"{db}_one_query_reference"] = reference.summary()
        echo_cpu = ceiling.cpu_ms_per_update or 1.0
        raw_cpu = ladders[db][1][1].cpu_ms_per_update or 1.0
        raw_own_cpu = ladders[db][1][1].own_cpu_ms_per_update or 1.0
        result.tables.append(
            (
                f"{db}: the ladder (one run, same harness and traces). Spotter's goal: CPU within "
                f"{GOAL_CPU_X_RAW_DRIVER:g}x of the raw-driver rung, throughput at least "
                f"{GOAL_RATIO:g} of the echo. 'Own': less the in-process Telegram's CPU",
                [
                    "rung",
                    "CPU ms/update",
                    "own CPU ms",
                    "x raw driver",
                    "own x raw",
                    "updates/s",
                    "throughput / echo",
                ],
                [
                    [
                        name,
                        f"{stats.cpu_ms_per_update:.2f}",
                        f"{stats.own_cpu_ms_per_update:.2f}",
                        f"{stats.cpu_ms_per_update / raw_cpu:.1f}",
                        f"{stats.own_cpu_ms_per_update / raw_own_cpu:.1f}",
                        f"{stats.updates_per_s:.0f}",
                        f"{stats.updates_per_s / ceiling.updates_per_s:.2f}"
                        if ceiling.updates_per_s
                        else "-",
                    ]
                    for name, stats in ladders[db]
                ],
            )
        )
        result.figures += [
            Figure(
                "Spotter CPU / raw-driver rung",
                sat.cpu_ms_per_update / raw_cpu,
                "x",
                db,
                GOAL_CPU_X_RAW_DRIVER,
                "lower",
            ),
            Figure(
                "  the same, less the in-process Telegram",
                sat.own_cpu_ms_per_update / raw_own_cpu,
                "x",
                db,
            ),
        ]
        result.details[f"{db}_ladder"] = {
            name: {
                "cpu_ms_per_update": round(stats.cpu_ms_per_update, 3),
                "own_cpu_ms_per_update": round(stats.own_cpu_ms_per_update, 3),
                "updates_per_s": round(stats.updates_per_s, 1),
                "cpu_x_echo": round(stats.cpu_ms_per_update / echo_cpu, 2),
            }
            for name, stats in ladders[db]
        }
        result.tables.append(
            (
                f"{db}: per update kind. Latency (ms) at {rate} offered; service (ms) = first to "
                "last handler group, saturated",
                ["kind", "n sat", "n paced", "p50", "p95", "p99", "svc p50", "svc p99"],
                kind_rows(sat, paced),
            )
        )
        result.details[db] = {
            "saturation": sat.summary(),
            "paced": paced.summary(),
            "round_trip": spotter.round_trip.summary() if spotter.round_trip else None,
            "ratio": round(ratio, 3),
            "handler_errors": spotter.errors[:20],
            "script_errors": spotter.script_errors[:20],
        }
        problems = spotter.errors + spotter.script_errors
        if problems:
            result.notes.append(
                f"{db}: {len(spotter.errors)} handler errors, {len(spotter.script_errors)} "
                f"script errors (first: {problems[0]})"
            )
    result.figures += [
        Figure("ceiling: bare PTB echo, saturated", ceiling.updates_per_s, "updates/s", "-"),
        Figure(
            "ceiling latency p99, saturated", percentile(ceiling.latencies(), 99) * 1000, "ms", "-"
        ),
        Figure("ceiling CPU per update", ceiling.cpu_ms_per_update, "ms", "-"),
    ]
    if ceiling_round_trip is not None:
        result.figures.append(
            Figure(
                f"ceiling, {plan.round_trip * 1000:.0f} ms round trip",
                ceiling_round_trip.updates_per_s,
                "updates/s",
                "-",
            )
        )
    result.details["ceiling"] = ceiling.summary()
    if ceiling_round_trip is not None:
        result.details["ceiling_round_trip"] = ceiling_round_trip.summary()
    features = runs[0].features
    result.details["features"] = features.names()
    result.details["plan"] = {**plan.__dict__, "concurrent_updates": concurrency}
    included = ", ".join(features.names()) or "none yet"
    result.notes += [
        f"{plan.users} simulated users per phase ({plan.new_coach_share:.0%} new coaches who "
        f"onboard, the rest with {plan.seeded_athletes}-athlete rosters); concurrent_updates="
        f"{concurrency}. Mix: /start, /addathlete (whole form), /athletes paging, cards, "
        f"/athletes <name>; landed features in the mix: {included}.",
        f"Throughput: closed loop, no think time, {plan.saturation_s:g} s. Latency: open loop, "
        f"Poisson arrivals for {plan.paced_s:g} s at half the saturated throughput (above "
        "capacity the queue only grows); measured from building the Update "
        "(de_json) to a TypeHandler in group 1000: update_queue, per-chat lock, every handler "
        "group and the Bot API calls are inside.",
        "Ceiling: a bare PTB app (echo text, answer buttons, empty inline answers; PTB's "
        "SimpleUpdateProcessor, same concurrency) replaying the same per-user update sequences "
        "through the same harness and LocalBotAPI.",
        "Rate limiter off (build_application(rate_limit=False)): AIORateLimiter models "
        "Telegram's outgoing limits (~30 messages/s), not our speed.",
        f"The fake Telegram forgets its history every {TRIM_EVERY} updates (each chat keeps its "
        "last 20 messages): kept, Telegram's memory grew inside the bot's process and the "
        "collector's passes over it showed as pauses at p99.",
        "CPU per update: process CPU time (all threads: bot, fake Telegram, harness) over updates "
        "handled; steadier than wall time when the machine is shared. 'Less the in-process "
        "Telegram' subtracts the CPU LocalBotAPI spent answering the bot's calls (checking "
        "HTML, storing messages: Telegram's work in production), measured around each call.",
    ]
    if plan.one_query_reference:
        result.notes.append(
            "Reference: the echo app whose handlers first run one transaction with one indexed "
            "SELECT through storage.db's engine (same replay): the floor for any bot that reads "
            "its database on every update."
        )
    if plan.round_trip_s:
        result.notes.append(
            f"Round trip: {plan.round_trip_s:.0f} s saturated with every Bot API call taking "
            f"{plan.round_trip * 1000:.0f} ms (as from a server far from Telegram's); shows "
            "whether handlers hold a database transaction (on SQLite: the write lock) across "
            "a network call."
        )
    return result


# --- profile ----------------------------------------------------------------------------------


def layer_of(path: str, function: str) -> str:
    """Which layer a profiled function belongs to, for the CPU breakdown."""
    if "select.epoll" in function or "selectors.py" in path:
        return "idle: waiting in the event loop"
    if "SimpleQueue" in function or "put_nowait" in function:
        return "aiosqlite: hand-off to its thread (GIL, scheduling)"
    if "/site-packages/" in path:
        package = path.split("/site-packages/")[1].split("/")[0]
        return {
            "telegram": "PTB",
            "sqlalchemy": "SQLAlchemy",
            "sqlmodel": "SQLAlchemy",
            "greenlet": "SQLAlchemy",
            "aiosqlite": "aiosqlite",
            "asyncpg": "asyncpg",
            "segno": "segno (QR codes)",
            "pydantic": "pydantic",
            "pydantic_core": "pydantic",
        }.get(package, f"other library: {package}")
    for folder, layer in (
        ("/fake_telegram/", "fake Telegram (LocalBotAPI)"),
        ("/bench/", "benchmark harness"),
        ("/bot/", "ours: bot/"),
        ("/storage/", "ours: storage/"),
    ):
        if folder in path:
            return layer
    if "asyncio" in path:
        return "asyncio"
    if path.startswith("~") or path == "":
        return f"builtins ({function.split(' of ')[0].strip('<>')[:30]})"
    return "stdlib"


def sql_shape(statement: str) -> str:
    """A statement cut to what tells it apart: its verb, then its table and the start of WHERE."""
    words = " ".join(statement.split())
    verb, _, rest = words.partition(" ")
    for marker in ("FROM ", "INTO "):
        at = rest.find(marker)
        if at >= 0:
            return f"{verb} {rest[at : at + 70]}"
    return words[:80]


async def profile(kind: DatabaseKind, options: Options) -> BenchResult:
    """The saturated mix under cProfile, with SQL, transactions and Bot API calls per update."""
    import cProfile
    import pstats

    from sqlalchemy import event

    from bot.context import DB_KEY

    plan = QUICK if options.quick else FULL
    result = BenchResult("profile", f"Profile of benchmark 1, saturated, on {kind}")
    statements: collections.Counter[str] = collections.Counter()
    transactions: collections.Counter[str] = collections.Counter()
    # Which statements each kind runs: the first words of the SQL, per kind.
    shapes: collections.Counter[tuple[str, str]] = collections.Counter()
    async with scratch_database(kind, options) as url:
        api = RoundTripBotAPI()
        api.calls_by_kind = collections.Counter()
        app = build_application(bench_settings(url), request=api, rate_limit=False)
        await start_spotter(app)
        engine = app.bot_data[DB_KEY].engine.sync_engine

        def count_statement(*arguments: Any) -> None:
            statements[CURRENT_KIND.get()] += 1
            shapes[(CURRENT_KIND.get(), sql_shape(str(arguments[2])))] += 1

        def count_begin(*_: Any) -> None:
            transactions[CURRENT_KIND.get()] += 1

        event.listen(engine, "before_cursor_execute", count_statement)
        event.listen(engine, "begin", count_begin)
        profiler = cProfile.Profile()
        try:
            driver = Driver(app, api)
            sim = Simulation(driver, random.Random(1))
            features = detect_features(app)
            warm = await population(sim, url, "w", 8, plan)
            await run_coaches(sim, features, "warm-up", warm, seconds=plan.warmup_s)
            users = await population(sim, url, "s", plan.users, plan)
            statements.clear()
            transactions.clear()
            shapes.clear()
            api.calls_by_kind.clear()
            first = len(driver.samples)
            profiler.enable()
            stats = await run_coaches(sim, features, "saturation", users, seconds=plan.saturation_s)
            profiler.disable()
        finally:
            await stop_app(app)
    # Every update handled since the counters were cleared (the window and its tail).
    counted = collections.Counter(s.kind for s in driver.samples[first:])
    profiled_samples = driver.samples[first:]
    rows = []
    for name, count in counted.most_common():
        service = [s.service for s in profiled_samples if s.kind == name]
        rows.append(
            [
                name,
                str(count),
                format_number(transactions[name] / count),
                format_number(statements[name] / count),
                format_number(api.calls_by_kind[name] / count),
                _ms(percentile(service, 50)),
            ]
        )
    total = sum(counted.values())
    rows.append(
        [
            "all",
            str(total),
            format_number(sum(transactions.values()) / total),
            format_number(sum(statements.values()) / total),
            format_number(sum(api.calls_by_kind.values()) / total),
            _ms(percentile([s.service for s in profiled_samples], 50)),
        ]
    )
    result.tables.append(
        (
            "per update (counted from the first handler group to the end of the update, "
            "persistence flush included)",
            ["kind", "updates", "transactions", "SQL statements", "Bot API calls", "svc p50 ms"],
            rows,
        )
    )
    shape_rows = []
    for name, count in counted.most_common():
        for (shape_kind, shape), n in sorted(shapes.items(), key=lambda item: -item[1]):
            if shape_kind == name:
                shape_rows.append([name, format_number(n / count), shape])
    result.tables.append(
        ("SQL statements per update, by kind", ["kind", "per update", "statement"], shape_rows)
    )
    measured = pstats.Stats(profiler)
    layers: collections.Counter[str] = collections.Counter()
    ours: list[tuple[float, str]] = []
    raw: dict[tuple[str, int, str], tuple[Any, ...]] = measured.stats  # type: ignore[attr-defined]
    for (path, line, function), (_, _, own, cumulative, _) in raw.items():
        layers[layer_of(path, function)] += own
        if (
            "/work/" in path
            and ("/bot/" in path or "/storage/" in path)
            and "fake_telegram" not in path
        ):
            short = path.split("/bot/")[-1] if "/bot/" in path else path.split("/storage/")[-1]
            folder = "bot" if "/bot/" in path else "storage"
            ours.append((cumulative, f"{folder}/{short}:{line} {function}"))
    profiled = sum(layers.values())
    result.tables.append(
        (
            f"main thread time by layer (cProfile 'own' time over {total} updates)",
            ["layer", "ms per update", "share"],
            [
                [layer, format_number(seconds / total * 1000), f"{seconds / profiled:.0%}"]
                for layer, seconds in layers.most_common(14)
            ],
        )
    )
    result.tables.append(
        (
            "our functions by cumulative time (coroutines: includes their awaits)",
            ["ms per update", "function"],
            [
                [format_number(seconds / total * 1000), name]
                for seconds, name in sorted(ours, reverse=True)[:25]
            ],
        )
    )
    target = Path(tempfile.gettempdir()) / f"spotter-bench-profile-{kind}.prof"
    measured.dump_stats(str(target))
    result.figures += [
        Figure("throughput under cProfile", stats.updates_per_s, "updates/s", kind),
        Figure("CPU per update under cProfile", stats.cpu_ms_per_update, "ms", kind),
    ]
    result.notes.append(
        f"Full profile: {target} (python -m pstats, or snakeviz). cProfile slows Python code "
        "down, so shares matter here, not absolute times."
    )
    return result
