"""Start-up: configuration errors and a rejected token end with one clear line and exit 2."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.logs import RedactTokens, configure_logging
from bot.runner import new_event_loop, run_bot
from bot.settings import Settings, SettingsError, load_settings
from fake_telegram import Fault, LocalBotAPI

GOOD_TOKEN = "123456789:" + "B" * 35


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    for key in [
        "BOT_TOKEN",
        "DATABASE_URL",
        "INVITE_TTL_HOURS",
        "LOG_LEVEL",
        "WEBHOOK_URL",
        "WEBHOOK_SECRET",
        "TELEGRAM_API_URL",
        "DEFAULT_PHONE_REGION",
        "EVENT_LOOP",
    ]:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/spotter.sqlite3")
    return tmp_path


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


def test_missing_token_is_one_clear_line(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run_main(capsys, "run")
    assert code == 2
    assert err.strip().splitlines() == [
        "spotter: BOT_TOKEN is not set: get one from @BotFather and put it in .env "
        "(see .env.example)"
    ]


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("BOT_TOKEN", "not-a-token-at-all", "BOT_TOKEN: does not look like a bot token"),
        ("INVITE_TTL_HOURS", "soon", "INVITE_TTL_HOURS: "),
        ("INVITE_TTL_HOURS", "0", "INVITE_TTL_HOURS: "),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL: must start with"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL: "),
        ("DEFAULT_PHONE_REGION", "XX", "DEFAULT_PHONE_REGION: "),
        ("TELEGRAM_API_URL", "ftp://x", "TELEGRAM_API_URL: must be an http"),
        ("EVENT_LOOP", "fast", "EVENT_LOOP: "),
    ],
)
def test_bad_values_name_the_key(
    clean_env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    key: str,
    value: str,
    expected: str,
) -> None:
    monkeypatch.setenv(key, value)
    code, err = run_main(capsys, "migrate")
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"spotter: {expected}")
    assert "Traceback" not in err
    if key == "BOT_TOKEN":
        assert value not in err


def test_the_event_loop_is_uvloop_unless_asked_otherwise() -> None:
    import uvloop

    for choice, expected in [("auto", uvloop.Loop), ("uvloop", uvloop.Loop)]:
        loop = new_event_loop(choice)
        try:
            assert isinstance(loop, expected)
        finally:
            loop.close()
    loop = new_event_loop("asyncio")
    try:
        assert not isinstance(loop, uvloop.Loop)
        assert type(loop).__module__.startswith("asyncio")
    finally:
        loop.close()


def test_without_uvloop_auto_falls_back_and_uvloop_is_one_clear_line(
    clean_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # as on Windows: the import fails
    loop = new_event_loop("auto")
    try:
        assert type(loop).__module__.startswith("asyncio")
    finally:
        loop.close()
    monkeypatch.setenv("BOT_TOKEN", GOOD_TOKEN)
    monkeypatch.setenv("EVENT_LOOP", "uvloop")
    code, err = run_main(capsys, "run")
    assert code == 2
    assert err.strip().splitlines() == [
        "spotter: EVENT_LOOP=uvloop, but uvloop is not installed (it has no Windows build); "
        "use EVENT_LOOP=auto or asyncio"
    ]
    # It stopped before touching anything: no database file was created.
    assert not (clean_env / "spotter.sqlite3").exists()


def test_env_file_blank_values_mean_unset(clean_env: Path) -> None:
    (clean_env / ".env").write_text("BOT_TOKEN=\nWEBHOOK_URL=\nWEBHOOK_SECRET=\n")
    settings = load_settings()
    assert settings.bot_token is None and settings.webhook_url is None


def test_migrate_creates_the_sqlite_file_and_reports_counts(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["migrate"])
    out = capsys.readouterr().out
    assert code == 0
    assert (clean_env / "spotter.sqlite3").exists()
    assert "Curated library:" in out and "exercises" in out
    main(["migrate"])
    assert "already up to date" in capsys.readouterr().out


def test_webhook_mode_needs_a_secret(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", GOOD_TOKEN)
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.com/telegram")
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET is required"):
        run_bot(load_settings(), webhook=True)


def test_a_token_telegram_rejects_ends_cleanly(clean_env: Path) -> None:
    api = LocalBotAPI()
    api.fail_all("getMe", Fault(401, "Unauthorized"))
    settings = Settings(
        _env_file=None,
        bot_token=GOOD_TOKEN,
        database_url=f"sqlite+aiosqlite:///{clean_env}/x.sqlite3",
    )
    with pytest.raises(SettingsError, match="rejected by Telegram"):
        run_bot(settings, request=api)


def test_the_token_never_reaches_the_log(capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(_env_file=None, bot_token=GOOD_TOKEN, log_level="DEBUG")
    configure_logging(settings)
    try:
        url = f"https://api.telegram.org/bot{GOOD_TOKEN}/getMe"
        logging.getLogger("httpx").warning("HTTP Request: POST %s", url)
        logging.getLogger("telegram.ext.ExtBot").info("Calling Bot API endpoint %s", url)
        try:
            raise RuntimeError(f"failed {url}")
        except RuntimeError:
            logging.getLogger("bot").exception("boom")
        other = "987654:" + "C" * 40  # any token shape, not only ours
        logging.getLogger("x").info("token %s", other)
        err = capsys.readouterr().err
        assert GOOD_TOKEN not in err and other not in err
        assert err.count("[redacted]") >= 4
    finally:
        logging.getLogger().handlers[:] = []


def test_redaction_filter_keeps_other_text() -> None:
    redact = RedactTokens([GOOD_TOKEN])
    assert redact.redact("nothing secret here") == "nothing secret here"


def test_application_builds_with_a_local_bot_api_url() -> None:
    # The base URL is configurable so a local Bot API server can be used.
    settings = Settings(
        _env_file=None, bot_token=GOOD_TOKEN, telegram_api_url="http://127.0.0.1:8081/bot"
    )
    from bot.app import build_application

    app = build_application(settings, request=LocalBotAPI())
    assert app.bot.base_url.startswith("http://127.0.0.1:8081/bot")
