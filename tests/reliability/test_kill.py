"""`kill -9` in the middle of a backlog: the real bot process (`python -m bot run`, polling a
fake Telegram over loopback HTTP) is killed while it works through updates it has already
confirmed to Telegram; the next process finishes them. Nothing is lost, nothing applied twice.

Two rounds per database: a backlog of typed answers (onboarding and an /addathlete form up to
its summary), then a backlog of Save presses. Each round: push the backlog, start the bot,
SIGKILL it as soon as Telegram has forgotten the backlog, start it again, wait for every chat's last
answer, stop it with SIGTERM. The figures are printed (run with -s to see them).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.inbox import MARK_DELAY
from fake_telegram import LocalBotAPI, LocalTelegram, LocalUser
from storage.db import configured_url
from storage.models import Athlete, Membership, Organization, User
from tests.reliability.loopback import LoopbackTelegram

pytestmark = pytest.mark.slow

COACHES = int(os.environ.get("SPOTTER_KILL_COACHES", "30"))
TOKEN = "123456789:" + "K" * 35


def script(index: int) -> list[str]:
    return ["/start", f"Team {index:03d}", "/addathlete", f"Athlete {index:03d}"] + ["/skip"] * 5


class BotProcess:
    def __init__(self, url: str, telegram: LoopbackTelegram, workdir: Path) -> None:
        self.url = url
        self.telegram = telegram
        self.workdir = workdir
        self.runs = 0
        self.process: asyncio.subprocess.Process | None = None
        self.log_path = workdir / "bot.log"

    async def start(self) -> None:
        self.runs += 1
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("BOT_", "DATABASE_", "TELEGRAM_", "WEBHOOK_", "LOG_"))
        }
        env.update(
            BOT_TOKEN=TOKEN,
            DATABASE_URL=self.url,
            TELEGRAM_API_URL=self.telegram.api_url,
            TELEGRAM_FILE_URL=self.telegram.file_url,
            LOG_LEVEL=os.environ.get("SPOTTER_KILL_LOG_LEVEL", "INFO"),
        )
        self.log_path = self.workdir / f"bot-{self.runs}.log"
        log = self.log_path.open("wb")
        # cwd without a .env: the settings come from this environment only.
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=self.workdir, env=env, stdout=log, stderr=log
        )
        log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    async def cleanup(self) -> None:
        """Whatever happened to the test, no bot process outlives it."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(self.process.wait(), 30)
        assert self.process.returncode == 0, self.log()

    async def wait_for(self, what: str, ready: Callable[[], bool], within: float = 90) -> None:
        assert self.process is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not ready():
            if self.process.returncode is not None:
                pytest.fail(
                    f"the bot exited ({self.process.returncode}) before {what}:\n{self.log()}"
                )
            if loop.time() > deadline:
                pytest.fail(f"timed out waiting for {what}:\n{self.log()[-3000:]}")
            await asyncio.sleep(0.01)


async def scalar(engine: AsyncEngine, statement: Any) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(statement)).scalar_one())


async def inbox_ids(engine: AsyncEngine, condition: str) -> set[int]:
    """Update ids in the inbox whose `handled_at` matches (none if there is no inbox)."""
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                sa.text(f"SELECT update_id FROM update_inbox WHERE {condition}")
            )
            return {row[0] for row in rows}
    except sa.exc.DBAPIError:
        return set()


async def kill_round(
    bot: BotProcess,
    api: LocalBotAPI,
    engine: AsyncEngine,
    backlog: list[dict[str, Any]],
    answered: Callable[[], int],
    finished: Callable[[], bool],
) -> dict[str, int]:
    for data in backlog:
        api.push_update(data)
    await bot.start()
    ids = {data["update_id"] for data in backlog}

    def confirmed() -> int:  # forgotten by Telegram: the bot has them, or nobody does
        return len(ids) - sum(1 for u in api.pending_updates if u["update_id"] in ids)

    # As soon as Telegram has forgotten the whole backlog (or half of it is answered).
    half = len(ids) // 2
    await bot.wait_for("the kill", lambda: confirmed() == len(ids) or answered() >= half)
    await bot.kill()
    forgotten = {data["update_id"] for data in backlog} - {
        u["update_id"] for u in api.pending_updates
    }
    handled = await inbox_ids(engine, "handled_at IS NOT NULL") & ids
    pending = await inbox_ids(engine, "handled_at IS NULL") & ids
    # Writes committed, state not: the replay must not apply them again.
    applied = await inbox_ids(engine, "handled_at IS NULL AND applied_at IS NOT NULL") & ids
    await bot.start()
    # The killed process may have answered everything already: stop the new one only once it
    # is up (a SIGTERM during its imports would end it before it can shut down cleanly).
    await bot.wait_for("the restart", lambda: "Spotter started" in bot.log())
    assert "event loop uvloop" in bot.log()  # production's loop; the kill and replay ran on it
    await bot.wait_for("every chat's last answer", finished)
    # ... and every update of the backlog marked handled (some marks come within MARK_DELAY).
    for _ in range(int(MARK_DELAY * 100) + 500):
        if not await inbox_ids(engine, "handled_at IS NULL") & ids:
            break
        await asyncio.sleep(0.01)
    await bot.stop()
    assert not await inbox_ids(engine, "handled_at IS NULL") & ids
    errors = [line for line in bot.log().splitlines() if " ERROR " in line]
    assert not errors, bot.log()
    return {
        "backlog": len(backlog),
        "confirmed_at_kill": len(forgotten),
        "handled_at_kill": len(handled),
        "in_flight_at_kill": len(pending),
        "applied_not_finished_at_kill": len(applied),
        # Confirmed to Telegram, not finished: what a bot without the inbox would have lost.
        "lost_without_inbox": len(forgotten - handled),
    }


def answers_to(coaches: list[LocalUser], method: str, api: LocalBotAPI) -> Callable[[], int]:
    return lambda: len(api.calls_of(method))


async def test_sigkill_mid_backlog_loses_nothing_and_repeats_nothing(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    url = configured_url(engine)
    api = LocalBotAPI(long_poll_cap=0.1)
    tg = LocalTelegram(None, api)  # type: ignore[arg-type]  # builds updates only
    coaches = [tg.user(f"coach{index:03d}") for index in range(COACHES)]
    async with LoopbackTelegram(api) as telegram:
        bot = BotProcess(url, telegram, tmp_path)
        try:
            # Round 1: typed answers, step by step across all chats (each chat's own order kept).
            steps = [script(index) for index in range(COACHES)]
            backlog = [
                tg.message_update_data(coach, steps[index][step])
                for step in range(len(steps[0]))
                for index, coach in enumerate(coaches)
            ]
            sent_before = len(api.calls_of("sendMessage"))
            typed = await kill_round(
                bot,
                api,
                engine,
                backlog,
                lambda: len(api.calls_of("sendMessage")) - sent_before,
                lambda: all(
                    "Check the new athlete" in c.last_text() for c in coaches if c.bot_messages()
                ),
            )
            for index, coach in enumerate(coaches):
                assert "Check the new athlete" in coach.last_text(), index
                assert f"Athlete {index:03d}" in coach.last_text()
            teams = await scalar(engine, sa.select(sa.func.count()).select_from(Organization))
            assert teams == COACHES  # one team per coach: no "Team" answer lost or applied twice

            # Round 2: a Save press in every chat.
            presses = []
            for coach in coaches:
                summary = coach.last_message()
                [save] = [
                    b["callback_data"]
                    for row in summary.inline_keyboard
                    for b in row
                    if b.get("text") == "✅ Save"
                ]
                presses.append(tg.callback_update_data(coach, summary, save)[0])
            answered_before = len(api.calls_of("answerCallbackQuery"))
            saves = await kill_round(
                bot,
                api,
                engine,
                presses,
                lambda: len(api.calls_of("answerCallbackQuery")) - answered_before,
                lambda: all(
                    any("is on your roster" in m.display_text for m in c.bot_messages())
                    for c in coaches
                ),
            )
        finally:
            await bot.cleanup()

    async with engine.connect() as connection:
        rows = (
            await connection.execute(
                sa.select(Athlete.name, User.telegram_user_id)  # type: ignore[call-overload]
                .join(Membership, Membership.organization_id == Athlete.organization_id)
                .join(User, User.id == Membership.user_id)
            )
        ).all()
    by_coach = {telegram_id: [] for telegram_id in (c.id for c in coaches)}
    for name, telegram_id in rows:
        by_coach[telegram_id].append(name)
    for index, coach in enumerate(coaches):
        assert by_coach[coach.id] == [f"Athlete {index:03d}"]  # exactly once, in its own team
    replies = [len(c.bot_messages()) for c in coaches]
    figures = {
        "database": engine.dialect.name,
        "typed": typed,
        "saves": saves,
        "lost": 0,
        "applied_twice": 0,
        "repeated_replies": sum(count - min(replies) for count in replies),
    }
    print(f"\nSIGKILL figures: {figures}")
    # The kills did interrupt work that Telegram had already forgotten.
    assert typed["lost_without_inbox"] + saves["lost_without_inbox"] > 0, figures
