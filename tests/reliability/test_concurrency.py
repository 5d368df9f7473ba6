"""Many chats at once through the real update queue (and so the inbox), concurrent updates on.

Every error the error handler sees fails the test: a deadlock in one coach's state write is a
failure even when that coach's flow looks finished. CI runs 1,000 coaches
(SPOTTER_TEST_COACHES); the default run 200.
"""

from __future__ import annotations

import asyncio
import os

import pytest
from sqlmodel import col, select

from bot.app import build_application
from fake_telegram import LocalTelegram, LocalUser
from storage.models import Athlete, Membership, User
from tests.bot.conftest import Harness

COACHES = int(os.environ.get("SPOTTER_TEST_COACHES", "200"))


async def onboard_and_add(coach: LocalUser, index: int) -> None:
    await coach.send("/start")
    await coach.send(f"Team {index:03d}")
    await coach.send("/addathlete")
    await coach.send(f"Athlete of coach {index:03d}")
    await coach.send(f"athlete{index}@example.com")
    for _ in range(4):
        await coach.send("/skip")
    await coach.press("✅ Save")


@pytest.mark.slow
async def test_two_hundred_coaches_add_athletes_at_the_same_time(harness: Harness) -> None:
    app = build_application(harness.settings, request=harness.api, rate_limit=False)
    await app.initialize()
    await app.start()
    tg = LocalTelegram(app, harness.api, delivery="queue", idle_timeout=300, capture_errors=True)
    try:
        coaches = [tg.user(f"coach{index:03d}") for index in range(COACHES)]
        await asyncio.gather(*(onboard_and_add(c, i) for i, c in enumerate(coaches)))
    finally:
        await app.stop()
        await app.shutdown()
    tg.assert_no_errors()
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        rows = (
            await session.exec(
                select(Athlete, User)
                .join(Membership, col(Membership.organization_id) == col(Athlete.organization_id))
                .join(User, col(User.id) == col(Membership.user_id))
            )
        ).all()
    assert len(rows) == COACHES
    for athlete, owner in rows:
        # Each athlete sits in the team of the coach who typed it.
        index = int(athlete.name.rsplit(" ", 1)[1])
        assert owner.telegram_user_id == coaches[index].id
    for index, coach in enumerate(coaches):
        texts = [m.display_text for m in coach.bot_messages()]
        assert any(f"Athlete of coach {index:03d}" in t for t in texts)
        # No answer meant for another chat arrived here.
        assert not any("Athlete of coach" in t and f"{index:03d}" not in t for t in texts)


async def test_one_chats_updates_are_handled_in_order(harness: Harness) -> None:
    app = build_application(harness.settings, request=harness.api, rate_limit=False)
    await app.initialize()
    await app.start()
    tg = LocalTelegram(app, harness.api, delivery="queue", idle_timeout=30, capture_errors=True)
    try:
        coach = tg.user("fast")
        await coach.send("/start")
        await coach.send("Fast Team")
        await coach.send("/addathlete")
        # Typed faster than the bot answers: enqueued back to back, without waiting.
        for text in ["Quick Athlete", "quick@example.com", "/skip", "/skip", "/skip", "/skip"]:
            tg.enqueue(tg.make_message_update(coach, text))
        await tg.wait_idle()
        assert "quick@example.com" in coach.last_text()
        assert "Check the new athlete" in coach.last_text()
    finally:
        await app.stop()
        await app.shutdown()
    tg.assert_no_errors()
