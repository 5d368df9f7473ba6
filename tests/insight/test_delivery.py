"""The outbox sender through the real Application and the fake Bot API's record."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from bot.app import build_application
from bot.insight.delivery import drain_outbox
from fake_telegram import LocalUser
from fake_telegram.server import Fault
from storage.db import transaction
from storage.models import Membership, OutboxMessage, OutboxState, User
from storage.queries.outbox import CLAIM_LEASE, claim_due_messages, enqueue_message
from tests.bot.conftest import Harness
from tests.bot.helpers import onboard_coach
from tests.insight.clock import MovableClock

T0 = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


async def team_of(harness: Harness, user: LocalUser) -> str:
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        membership = (
            await session.exec(
                select(Membership)
                .join(User, col(User.id) == col(Membership.user_id))
                .where(col(User.telegram_user_id) == user.id)
            )
        ).one()
        return membership.organization_id


async def enqueue(
    harness: Harness, org: str, user: LocalUser, key: str, *, due: datetime = T0
) -> bool:
    async with transaction(harness.app.bot_data["spotter.db"].sessions) as session:
        return await enqueue_message(
            session,
            organization_id=org,
            chat_id=user.chat_id,
            kind="test",
            idempotency_key=key,
            text=f"Notice <b>{key}</b>",
            buttons=[[("Open", "menu:athletes")]],
            due_at=due,
        )


async def outbox_rows(harness: Harness) -> dict[str, OutboxMessage]:
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        rows = (await session.exec(select(OutboxMessage))).all()
        return {row.idempotency_key: row for row in rows}


def notices(user: LocalUser) -> list[str]:
    return [m.display_text for m in user.bot_messages() if m.display_text.startswith("Notice")]


@pytest.fixture
def clock(harness: Harness) -> MovableClock:
    clock = MovableClock(T0)
    clock.attach(harness.app)
    return clock


async def test_due_messages_are_sent_once_with_their_buttons(
    harness: Harness, clock: MovableClock
) -> None:
    coach = await onboard_coach(harness.tg)
    org = await team_of(harness, coach)
    assert await enqueue(harness, org, coach, "now")
    assert not await enqueue(harness, org, coach, "now")  # the same fact twice: one message
    assert await enqueue(harness, org, coach, "later", due=T0 + timedelta(hours=1))
    report = await drain_outbox(harness.app)
    assert (report.sent, report.handled) == (1, 1)
    assert notices(coach) == ["Notice now"]
    assert coach.buttons() == ["Open"]
    await drain_outbox(harness.app)
    assert notices(coach) == ["Notice now"]
    clock.advance(timedelta(hours=1))
    await drain_outbox(harness.app)
    assert notices(coach) == ["Notice now", "Notice later"]
    rows = await outbox_rows(harness)
    assert rows["now"].state == OutboxState.SENT and rows["now"].sent_at == T0
    assert rows["later"].sent_at == T0 + timedelta(hours=1)
    await coach.press("Open")  # the button leads somewhere
    assert "athlete" in coach.last_text().lower()


@pytest.mark.parametrize("abrupt", [False, True], ids=["clean", "abrupt"])
async def test_a_restart_between_due_and_sent_neither_loses_nor_repeats(
    harness: Harness, clock: MovableClock, abrupt: bool
) -> None:
    coach = await onboard_coach(harness.tg)
    org = await team_of(harness, coach)
    for key in ("a", "b", "c"):
        await enqueue(harness, org, coach, key)
    # The first process claims "a" and "b" (its sender's first step), then stops before
    # sending them; "c" was due but never claimed.
    async with transaction(harness.app.bot_data["spotter.db"].sessions) as session:
        claimed = await claim_due_messages(session, now=clock(), limit=2)
    assert [m.idempotency_key for m in claimed] == ["a", "b"]
    clock.attach(await harness.restart(abrupt=abrupt))
    await drain_outbox(harness.app)
    assert notices(coach) == ["Notice c"]  # the dead sender's claims are still held
    clock.advance(CLAIM_LEASE)
    await drain_outbox(harness.app)
    assert sorted(notices(coach)) == ["Notice a", "Notice b", "Notice c"]
    # Sent and recorded: another restart sends nothing again, however late.
    clock.attach(await harness.restart(abrupt=abrupt))
    clock.advance(timedelta(days=2))
    await drain_outbox(harness.app)
    assert len(harness.api.calls_of("sendMessage")) == len(coach.bot_messages())
    assert sorted(notices(coach)) == ["Notice a", "Notice b", "Notice c"]
    assert {row.state for row in (await outbox_rows(harness)).values()} == {OutboxState.SENT}


async def test_a_blocked_recipient_is_skipped_and_recorded(
    harness: Harness, clock: MovableClock
) -> None:
    coach = await onboard_coach(harness.tg)
    other = await onboard_coach(harness.tg, "other", "Southside Strength")
    org = await team_of(harness, coach)
    other_org = await team_of(harness, other)
    await enqueue(harness, org, coach, "to-blocked")
    await enqueue(harness, other_org, other, "to-other")
    coach.block_bot()
    report = await drain_outbox(harness.app)
    assert (report.sent, report.blocked) == (1, 1)
    assert notices(other) == ["Notice to-other"]
    assert notices(coach) == []
    rows = await outbox_rows(harness)
    assert rows["to-blocked"].state == OutboxState.BLOCKED
    assert "blocked" in (rows["to-blocked"].last_error or "")
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        user = (
            await session.exec(select(User).where(col(User.telegram_user_id) == coach.id))
        ).one()
    assert user.blocked_at is not None
    # Never retried, even when the user comes back.
    coach.unblock_bot()
    clock.advance(timedelta(days=1))
    await drain_outbox(harness.app)
    assert notices(coach) == []


async def test_transient_failures_are_retried_with_backoff_then_sent_once(
    harness: Harness, clock: MovableClock
) -> None:
    coach = await onboard_coach(harness.tg)
    org = await team_of(harness, coach)
    await enqueue(harness, org, coach, "flaky")
    harness.api.fail_next("sendMessage", Fault.timeout())  # (5xx are retried by the transport)
    report = await drain_outbox(harness.app)
    assert report.retried == 1 and notices(coach) == []
    row = (await outbox_rows(harness))["flaky"]
    assert row.state == OutboxState.PENDING and row.next_attempt_at == T0 + timedelta(seconds=30)
    harness.api.fail_next("sendMessage", Fault.retry_after(600))
    clock.advance(timedelta(seconds=30))
    await drain_outbox(harness.app)
    row = (await outbox_rows(harness))["flaky"]
    # Telegram's own pause wins over the shorter backoff.
    assert row.next_attempt_at == clock() + timedelta(seconds=600)
    clock.advance(timedelta(seconds=599))
    await drain_outbox(harness.app)
    assert notices(coach) == []
    clock.advance(timedelta(seconds=1))
    await drain_outbox(harness.app)
    assert notices(coach) == ["Notice flaky"]
    row = (await outbox_rows(harness))["flaky"]
    assert (row.state, row.attempts) == (OutboxState.SENT, 3)


async def test_a_message_telegram_refuses_fails_without_retries(
    harness: Harness, clock: MovableClock
) -> None:
    coach = await onboard_coach(harness.tg)
    org = await team_of(harness, coach)
    async with transaction(harness.app.bot_data["spotter.db"].sessions) as session:
        await enqueue_message(
            session,
            organization_id=org,
            chat_id=coach.chat_id,
            kind="test",
            idempotency_key="bad-html",
            text="<b>unclosed",
            due_at=T0,
        )
    report = await drain_outbox(harness.app)
    assert report.failed == 1
    clock.advance(timedelta(days=1))
    assert (await drain_outbox(harness.app)).handled == 0
    assert (await outbox_rows(harness))["bad-html"].state == OutboxState.FAILED


async def test_two_senders_at_once_send_every_message_once(
    harness: Harness, clock: MovableClock
) -> None:
    coaches = [await onboard_coach(harness.tg, f"coach{i}", f"Team {i}") for i in range(6)]
    orgs = [await team_of(harness, coach) for coach in coaches]
    for index in range(60):
        coach = coaches[index % 6]
        await enqueue(harness, orgs[index % 6], coach, f"m{index:02d}")
    second = clock.attach(
        build_application(harness.settings, request=harness.api, rate_limit=False)
    )
    await second.initialize()
    try:
        reports = await asyncio.gather(
            drain_outbox(harness.app, rate=500, batch=7), drain_outbox(second, rate=500, batch=7)
        )
    finally:
        await second.shutdown()
        await second.bot_data["spotter.db"].close()
    assert sum(report.sent for report in reports) == 60
    assert all(report.sent for report in reports)  # both took part
    sent = [text for coach in coaches for text in notices(coach)]
    assert sorted(sent) == sorted(f"Notice m{index:02d}" for index in range(60))


async def test_the_running_application_drains_the_outbox_by_itself(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    org = await team_of(harness, coach)
    await enqueue(harness, org, coach, "by-the-job", due=datetime.now(UTC))
    app = build_application(harness.settings, request=harness.api, rate_limit=True)
    await app.initialize()
    await app.start()  # starts the JobQueue, which ticks the sender
    try:
        for _ in range(100):
            if notices(coach):
                break
            await asyncio.sleep(0.05)
    finally:
        await app.stop()
        await app.shutdown()
        await app.bot_data["spotter.db"].close()
    assert notices(coach) == ["Notice by-the-job"]
