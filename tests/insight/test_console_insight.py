"""The console shows a progress chart and a daily digest (the clock moved with :time)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from tests.bot.conftest import Harness
from tests.bot.test_console import ADD_MAYA, Session


async def test_console_chart_photo_and_digest(harness: Harness, tmp_path: Path) -> None:
    session = Session(harness, tmp_path / "console")
    assert "2026-03-02 10:00 UTC" in await session.type(":time 2026-03-02 10:00")
    for line in ["/start", "Northside Barbell", *ADD_MAYA]:
        await session.type(line)
    invite = await session.type("/invite Maya Lopez")
    link = re.search(rf"https://t\.me/{harness.api.bot.username}\?start=[\w-]+", invite)
    assert link is not None, invite
    await session.type(":as Maya Lopez")
    await session.type(f":open {link.group(0)}")
    await session.type("/log Back squat 3x5 @ 100")
    menu = await session.type("/progress")
    assert "Back Squat" in menu
    chart = await session.type("1")
    assert "[photo saved to " in chart and "Best e1RM per day" in chart
    saved = re.search(r"\[photo saved to ([^\]]+)\]", chart)
    assert saved is not None
    png = await asyncio.to_thread(Path(saved.group(1)).read_bytes)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Daily digest" not in await session.type(":time 2026-03-03 07:59")
    digest = await session.type(":time 2026-03-03 08:00")
    assert "[to coach] Spotter: " in digest and "Daily digest" in digest
    assert "Maya Lopez — Off-plan" in digest and "Joined (1): Maya Lopez" in digest
    assert "Invalid" not in await session.type(":time now")
    assert ":time needs" in await session.type(":time tomorrow")
