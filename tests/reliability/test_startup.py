"""Start-up faults end in one line and exit 2; logs keep secrets and personal data out."""

from __future__ import annotations

import asyncio
import gc
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.app import GC_THRESHOLDS
from bot.logs import configure_logging
from bot.runner import check_telegram
from bot.settings import Settings
from fake_telegram import Fault, LocalBotAPI
from tests.bot.conftest import Harness

TOKEN = "123456789:" + "S" * 35


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)  # no .env
    for key in ["WEBHOOK_URL", "WEBHOOK_SECRET", "TELEGRAM_API_URL", "LOG_LEVEL"]:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/spotter.sqlite3")
    # Nothing listens on port 9: no network.
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:9/bot")
    yield tmp_path
    logging.getLogger().handlers[:] = []


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    code = main(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    return code, [line for line in err.splitlines() if line.startswith("spotter:")]


def test_no_network_is_one_line_without_tracebacks(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines = run_main(capsys, "run")
    assert code == 2
    assert lines == [
        "spotter: can't reach the Bot API at http://127.0.0.1:9/bot (NetworkError); "
        "check the network or TELEGRAM_API_URL"
    ]


def test_postgresql_unreachable_is_one_line(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://spotter:pw@127.0.0.1:9/spotter")
    code, lines = run_main(capsys, "run")
    assert code == 2
    assert len(lines) == 1 and "postgresql (127.0.0.1:9/spotter): can't connect" in lines[0]
    assert "pw" not in lines[0]


def test_sqlite_locked_by_another_process_is_one_line(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    holder = sqlite3.connect(env / "spotter.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, lines = run_main(capsys, "run")
    finally:
        holder.close()
    assert code == 2
    assert len(lines) == 1 and "another process holds it" in lines[0]


def test_read_only_sqlite_is_refused_at_start(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["migrate"]) == 0
    capsys.readouterr()
    # (Tests run as root, whom file permissions don't stop: open it read-only instead.)
    read_only = f"sqlite+aiosqlite:///file:{env}/spotter.sqlite3?mode=ro&uri=true"
    monkeypatch.setenv("DATABASE_URL", read_only)
    code, lines = run_main(capsys, "run")
    assert code == 2
    assert len(lines) == 1 and "read-only" in lines[0]


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("WEBHOOK_URL", "http://bot.example.com/hook", "WEBHOOK_URL: must be an https:// URL"),
        ("WEBHOOK_SECRET", "short_secret", "WEBHOOK_SECRET: must be 16-256 characters"),
    ],
)
def test_unsafe_webhook_settings_are_refused(
    env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    key: str,
    value: str,
    expected: str,
) -> None:
    monkeypatch.setenv(key, value)
    code, lines = run_main(capsys, "run", "--webhook")
    assert code == 2
    assert len(lines) == 1 and lines[0].startswith(f"spotter: {expected}")
    assert value not in lines[0] or key == "WEBHOOK_URL"


async def test_a_429_on_getme_is_waited_out() -> None:
    api = LocalBotAPI()
    api.fail_next("getMe", Fault.retry_after(1))
    settings = Settings(_env_file=None, bot_token=TOKEN)
    started = asyncio.get_running_loop().time()
    assert await check_telegram(settings, api) == api.bot.username
    assert asyncio.get_running_loop().time() - started >= 1
    assert len(api.calls_of("getMe")) == 2


async def test_a_502_on_a_reply_is_retried(harness: Harness) -> None:
    coach = harness.tg.user("coach")
    harness.api.fail_next("sendMessage", Fault.server_error())
    await coach.send("/help")
    assert "Spotter helps strength coaches" in coach.last_text()
    assert len(harness.api.calls_of("sendMessage")) == 2  # refused once, then delivered


async def test_debug_logs_carry_no_personal_data_or_secrets(
    harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "webhook_secret_0123456789"
    settings = harness.settings.model_copy(update={"log_level": "DEBUG", "webhook_secret": secret})
    configure_logging(Settings.model_validate(settings.model_dump()))
    try:
        coach = harness.tg.user("coach")
        await coach.send("/start")
        await coach.send("Northside Barbell")
        await coach.send("/addathlete")
        await coach.send("Maya Secretname")
        await coach.send("maya.secret@example.com")
        await coach.send("+14155550123")
        await coach.send("2001-02-03")
        await coach.send("/skip")
        await coach.send("Knee surgery in March")
        await coach.press("✅ Save")
        assert "is on your roster" in coach.bot_messages()[-2].display_text
        logging.getLogger("telegram.ext.ExtBot").info("setWebhook secret_token=%s", secret)
        assert logging.getLogger().level == logging.DEBUG
        err = capsys.readouterr().err
    finally:
        logging.getLogger().handlers[:] = []
    assert "secret_token=[redacted]" in err
    for private in [
        "Secretname",
        "maya.secret@example.com",
        "4155550123",
        "2001",
        "Knee surgery",
        "Northside",
        secret,
        TOKEN,
    ]:
        assert private not in err, private


async def test_start_up_freezes_what_it_built_and_sets_the_collector(harness: Harness) -> None:
    gc.set_threshold(700, 10, 10)  # Python's defaults, as before any start
    await harness.restart()
    # The defaults' full collections paused the loop for up to 0.9 s (bench/): not after start.
    assert gc.get_threshold() == GC_THRESHOLDS
    assert gc.get_freeze_count() > 0
    coach = harness.tg.user("coach")
    await coach.send("/start")
    assert "What's your team called?" in coach.last_text()
