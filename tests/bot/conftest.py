"""The real Application on a fresh database, with Telegram replaced by the local Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import SpotterApp, build_application
from bot.callbacks import BadCallback
from bot.settings import Settings
from fake_telegram import LocalBotAPI, LocalTelegram
from storage.db import configured_url

TEST_TOKEN = "123456789:" + "A" * 35


def make_settings(engine: AsyncEngine, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": TEST_TOKEN,
        "database_url": configured_url(engine),
        "telegram_api_url": "http://127.0.0.1:9/bot",
        "default_phone_region": "US",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@dataclass
class Harness:
    settings: Settings
    api: LocalBotAPI
    tg: LocalTelegram
    apps: list[SpotterApp] = field(default_factory=list)

    @property
    def app(self) -> SpotterApp:
        return self.apps[-1]

    async def start_app(self) -> SpotterApp:
        app = build_application(self.settings, request=self.api, rate_limit=False)
        await app.initialize()
        if app.post_init is not None:
            await app.post_init(app)
        self.apps.append(app)
        self.tg.app = app
        app.add_error_handler(self.tg._record_error)
        return app

    async def stop_app(self, *, abrupt: bool = False) -> None:
        """A clean stop runs PTB's shutdown (persistence flush); an abrupt one runs nothing."""
        app = self.apps[-1]
        if abrupt:
            await app.bot_data["spotter.db"].close()
            return
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)

    async def restart(self, *, abrupt: bool = False) -> SpotterApp:
        await self.stop_app(abrupt=abrupt)
        return await self.start_app()


@pytest.fixture
async def harness(engine: AsyncEngine) -> AsyncIterator[Harness]:
    api = LocalBotAPI()
    settings = make_settings(engine)
    app = build_application(settings, request=api, rate_limit=False)
    tg = LocalTelegram(app, api)
    harness = Harness(settings=settings, api=api, tg=tg)
    await harness.start_app()
    try:
        yield harness
    finally:
        await harness.stop_app()
    api.assert_no_unknown_calls()
    # Forged or stale buttons are expected to raise BadCallback (answered by the error
    # handler); anything else a handler raised is a bug.
    unexpected = [e for e in tg.errors if not isinstance(e, BadCallback)]
    assert not unexpected, unexpected
    # Every press answered exactly once: twice is refused by Telegram ("query is too old"),
    # never leaves the user's spinner turning.
    api.assert_callbacks_answered_once()


@pytest.fixture
def tg(harness: Harness) -> LocalTelegram:
    return harness.tg
