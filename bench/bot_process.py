"""The bot as a process of its own, for benchmark 4 (start-up time and memory).

    python -m bench.bot_process --database-url URL [--mix quick|full]

Does what `python -m bot run` does (prepare_database: migrate + curated library, then
build_application, initialize, post_init, start polling, start), with Telegram replaced by the
in-process LocalBotAPI. A /start is waiting in the fake's getUpdates queue before polling starts,
as if someone wrote while the bot was down. Prints one JSON line: wall-clock timestamps
(time.time(), so the parent can subtract its own spawn time) and peak RSS. With --mix it then runs
benchmark 1's saturation mix in this process and reports the peak RSS again. Peak RSS is VmHWM
(see peak_rss_mb); getrusage's ru_maxrss is reported too.
"""

from __future__ import annotations

import time

STARTED = time.time()  # before any import of ours or of the libraries

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

TOKEN = "123456789:" + "B" * 35


def status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def peak_rss_mb() -> float:
    """Peak RSS of this process image: VmHWM where there is /proc.

    Linux keeps getrusage's ru_maxrss across execve, so a process spawned by a big parent starts
    with the parent's size as its "peak"; VmHWM belongs to this image alone.
    """
    high_water = status_mb("VmHWM")
    return high_water if high_water is not None else ru_maxrss_mb()


def ru_maxrss_mb() -> float:
    # Kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float | None:
    return status_mb("VmRSS")


async def main(database_url: str, mix: str | None) -> dict[str, Any]:
    from telegram import Update
    from telegram.ext import TypeHandler

    from bot.app import build_application
    from bot.runner import prepare_database
    from bot.settings import Settings
    from fake_telegram import LocalBotAPI, LocalTelegram

    report: dict[str, Any] = {"started": STARTED, "imported": time.time()}
    rss: dict[str, float | None] = {"imports": current_rss_mb()}
    report["rss_mb"] = rss
    settings = Settings(
        _env_file=None,
        bot_token=TOKEN,
        database_url=database_url,
        telegram_api_url="http://127.0.0.1:9/bot",
        telegram_file_url="http://127.0.0.1:9/file/bot",
    )
    await prepare_database(settings)
    report["database_ready"] = time.time()
    rss["prepare_database"] = current_rss_mb()

    api = LocalBotAPI()
    # Update ids as Telegram's: still growing after a restart (the inbox skips an id it has).
    api._last_update_id = int(time.time() * 1000) % 2_000_000_000
    # Without the rate limiter, so that the mix runs at full speed (building it costs nothing
    # measurable; it only delays outgoing messages).
    app = build_application(settings, request=api, rate_limit=False)
    handled = asyncio.Event()

    async def first_handled(update: Update, context: Any) -> None:
        handled.set()

    probe = TypeHandler(Update, first_handled)
    app.add_handler(probe, group=100)
    tg = LocalTelegram(app, api, delivery="polling")
    api.push_update(tg.message_update_data(tg.user("first", first_name="Ada"), "/start"))

    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0)
    await app.start()
    report["app_started"] = time.time()
    rss["app_started"] = current_rss_mb()
    await asyncio.wait_for(handled.wait(), 30)
    report["first_update"] = time.time()
    app.remove_handler(probe, group=100)
    report["peak_rss_after_start_mb"] = peak_rss_mb()
    report["ru_maxrss_after_start_mb"] = ru_maxrss_mb()
    report["rss_after_start_mb"] = rss["first_update"] = current_rss_mb()
    report["first_reply"] = tg.users["first"].last_text()[:60]

    try:
        if mix is not None:
            from dataclasses import replace

            from bench.throughput import FULL, QUICK, drive_mix

            # --quick: a short mix, enough to see whether memory moves at all.
            plan = replace(QUICK, warmup_s=0.3, saturation_s=1.5) if mix == "quick" else FULL
            # The fake Telegram's history is trimmed as it goes: it is not the bot's memory.
            driver, sim, stats, _ = await drive_mix(app, api, database_url, plan)
            report["mix_updates"] = len(driver.samples)
            report["mix_updates_per_s"] = stats.updates_per_s
            report["mix_errors"] = len(driver.errors) + len(sim.script_errors)
            report["peak_rss_after_mix_mb"] = peak_rss_mb()
            report["ru_maxrss_after_mix_mb"] = ru_maxrss_mb()
            report["rss_after_mix_mb"] = current_rss_mb()
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
    return report


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--mix", choices=["quick", "full"])
    arguments = parser.parse_args()
    from bot.runner import new_event_loop  # the bot's own loop (uvloop where installed)

    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        result = runner.run(main(arguments.database_url, arguments.mix))
    print(json.dumps(result))
