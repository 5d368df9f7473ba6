"""A clock tests can move; the Application reads it through bot_data[CLOCK_KEY]."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.app import SpotterApp
from bot.context import CLOCK_KEY


class MovableClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta

    def attach(self, app: SpotterApp) -> SpotterApp:
        app.bot_data[CLOCK_KEY] = self
        return app
