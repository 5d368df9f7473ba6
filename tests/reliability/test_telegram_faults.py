"""Telegram failing on every kind of call: the bot keeps serving and loses no saved data."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select
from telegram.error import TelegramError

from bot.app import build_application
from bot.logs import quiet_libraries
from fake_telegram import Fault, LocalTelegram
from storage.models import User
from tests.bot.conftest import Harness
from tests.bot.helpers import add_athlete, athletes_in_db, onboard_coach


def take_telegram_errors(tg: LocalTelegram) -> list[BaseException]:
    """The errors a fault caused (handled by our error handler), cleared for the teardown check."""
    errors = list(tg.errors)
    assert all(isinstance(e, TelegramError) for e in errors), errors
    tg.errors.clear()
    return errors


async def fill_form(harness: Harness, name: str = "Maya") -> None:
    coach = harness.tg.user("coach")
    await coach.send("/addathlete")
    await coach.send(name)
    for _ in range(5):
        await coach.send("/skip")


@pytest.mark.parametrize(
    "fault",
    [Fault.timeout(), Fault.timeout(after_delivery=True), Fault.server_error(), Fault.blocked()],
    ids=["timeout", "timeout-after-delivery", "502", "blocked"],
)
async def test_a_failed_reply_after_save_keeps_the_athlete_and_save_stays_single(
    harness: Harness, fault: Fault
) -> None:
    coach = await onboard_coach(harness.tg)
    await fill_form(harness)
    harness.api.fail_next("sendMessage", fault)
    await coach.press("✅ Save")
    take_telegram_errors(harness.tg)
    assert [a.name for a in await athletes_in_db(harness)] == ["Maya"]
    harness.api.unblock(coach.id)
    await coach.send("/athletes")
    assert "Maya" in " ".join(coach.buttons())
    assert len(await athletes_in_db(harness)) == 1


async def test_every_kind_of_call_failing_once_leaves_the_bot_serving(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    for index in range(12):
        await add_athlete(coach, f"A{index:02d}")
    faults = [Fault.timeout(), Fault.server_error(), Fault.retry_after(1), Fault.blocked()]
    for fault in faults:
        harness.api.fail_next("sendMessage", fault)
        await coach.send("/athletes")
        for method in ["editMessageText", "answerCallbackQuery"]:
            await coach.send("/athletes")
            harness.api.fail_next(method, fault)
            await coach.press("Next ▶️")
        take_telegram_errors(harness.tg)
        # Still serving: the next command and press work normally.
        await coach.send("/athletes")
        await coach.press("Next ▶️")
        assert "Showing 11-12 of 12" in coach.last_text(), fault
    assert len(await athletes_in_db(harness)) == 12


async def test_unanswerable_press_still_does_its_work(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await fill_form(harness)
    harness.api.fail_next("answerCallbackQuery", Fault.timeout())
    await coach.press("✅ Save")
    assert "Maya" in coach.last_text()
    assert len(await athletes_in_db(harness)) == 1


async def test_not_modified_and_deleted_messages_are_handled(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await add_athlete(coach, "Maya")
    await coach.send("/athletes")
    harness.api.fail_next(
        "editMessageText",
        Fault.bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        ),
    )
    await coach.press("• Current")
    harness.api.fail_next("editMessageText", Fault.bad_request("message to edit not found"))
    before = len(coach.bot_messages())
    await coach.press("• Current")
    assert len(coach.bot_messages()) == before + 1  # said again in a new message
    assert "Your athletes" in coach.last_text()
    assert harness.tg.errors == []


async def test_blocked_users_are_recorded_without_a_retry_storm(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    harness.api.fail_next("sendMessage", Fault.blocked())
    calls_before = len(harness.api.calls_of("sendMessage"))
    await coach.send("/help")
    take_telegram_errors(harness.tg)
    assert len(harness.api.calls_of("sendMessage")) == calls_before + 1
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        user = (await session.exec(select(User).where(User.telegram_user_id == coach.id))).one()
    assert user.blocked_at is not None
    await coach.send("/help")
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        user = (await session.exec(select(User).where(User.telegram_user_id == coach.id))).one()
    assert user.blocked_at is None  # talking again clears it


async def test_flood_limit_is_retried_by_the_rate_limiter(harness: Harness) -> None:
    app = build_application(harness.settings, request=harness.api, rate_limit=True)
    app.add_error_handler(harness.tg._record_error)  # the harness fails on any of them
    await app.initialize()
    harness.tg.app = app
    try:
        coach = harness.tg.user("coach")
        harness.api.fail_next("sendMessage", Fault.retry_after(1))
        await coach.send("/help")
        assert "Spotter helps strength coaches" in coach.last_text()
        assert len(harness.api.calls_of("sendMessage")) == 2  # refused once, then delivered
    finally:
        await app.shutdown()
        harness.tg.app = harness.app


async def test_error_handler_never_raises_and_logs_no_personal_data(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    quiet_libraries()  # as configure_logging does in production
    caplog.set_level(logging.DEBUG)
    coach = await onboard_coach(harness.tg)
    await coach.send("/addathlete")
    await coach.send("Maya Secretname")
    await coach.send("maya.secret@example.com")
    harness.api.fail_next("sendMessage", Fault.bad_request("some unexpected refusal"))
    await coach.send("+14155550123")
    take_telegram_errors(harness.tg)
    assert "Error while handling the error" not in caplog.text
    assert "No error handlers are registered" not in caplog.text
    for secret in ["Secretname", "maya.secret@example.com", "+14155550123", "4155550123"]:
        assert secret not in caplog.text
    failed = [r for r in caplog.records if r.name == "bot.errors"]
    assert failed and "failed in" in failed[0].getMessage()
    assert "make_step.<locals>.receive" in failed[0].getMessage()
