"""The outbox's queries on a real database: enqueue once, claim once, fenced outcomes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, func, select

from storage.db import SessionFactory, make_engine, make_session_factory, transaction
from storage.models import OutboxMessage, OutboxState
from storage.queries.outbox import (
    CLAIM_LEASE,
    claim_due_messages,
    enqueue_message,
    get_outbox_message,
    give_up_message,
    mark_message_sent,
    retry_message_later,
)
from tests.storage.helpers import make_team

T0 = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


async def new_team(factory: SessionFactory) -> str:
    async with transaction(factory) as session:
        seat = await make_team(session)
        return seat.organization.id


async def enqueue(factory: SessionFactory, org: str, key: str, due: datetime) -> bool:
    async with transaction(factory) as session:
        return await enqueue_message(
            session,
            organization_id=org,
            chat_id=1000 + len(key),
            kind="test",
            idempotency_key=key,
            text=f"<b>{key}</b>",
            buttons=[[("Open", f"x:{key}")]],
            due_at=due,
        )


async def test_the_same_key_enqueues_one_message(session_factory: SessionFactory) -> None:
    org = await new_team(session_factory)
    assert await enqueue(session_factory, org, "reminder:a:2026-03-02", T0)
    assert not await enqueue(session_factory, org, "reminder:a:2026-03-02", T0 + timedelta(1))
    async with transaction(session_factory) as session:
        count = (await session.exec(select(func.count()).select_from(OutboxMessage))).one()
        row = await get_outbox_message(
            session, organization_id=org, idempotency_key="reminder:a:2026-03-02"
        )
        other_team = await get_outbox_message(
            session, organization_id="someone-else", idempotency_key="reminder:a:2026-03-02"
        )
    assert count == 1
    assert row is not None and row.due_at == T0 and row.state == OutboxState.PENDING
    assert row.payload == {
        "text": "<b>reminder:a:2026-03-02</b>",
        "buttons": [[["Open", "x:reminder:a:2026-03-02"]]],
    }
    assert other_team is None


async def test_claims_take_due_rows_oldest_first_and_only_once(
    session_factory: SessionFactory,
) -> None:
    org = await new_team(session_factory)
    await enqueue(session_factory, org, "late", T0 + timedelta(minutes=1))
    await enqueue(session_factory, org, "second", T0 - timedelta(minutes=1))
    await enqueue(session_factory, org, "first", T0 - timedelta(minutes=2))
    await enqueue(session_factory, org, "third", T0)
    async with transaction(session_factory) as session:
        batch = await claim_due_messages(session, now=T0, limit=2)
    assert [m.idempotency_key for m in batch] == ["first", "second"]
    assert all(m.attempt == 1 for m in batch)
    async with transaction(session_factory) as session:
        rest = await claim_due_messages(session, now=T0, limit=10)
        again = await claim_due_messages(session, now=T0, limit=10)
    assert [m.idempotency_key for m in rest] == ["third"]
    assert again == []


async def test_an_abandoned_claim_comes_back_after_the_lease_and_the_old_one_is_fenced(
    session_factory: SessionFactory,
) -> None:
    org = await new_team(session_factory)
    await enqueue(session_factory, org, "k", T0)
    async with transaction(session_factory) as session:
        [first] = await claim_due_messages(session, now=T0, limit=5)
    async with transaction(session_factory) as session:
        assert await claim_due_messages(session, now=T0 + CLAIM_LEASE / 2, limit=5) == []
        [second] = await claim_due_messages(session, now=T0 + CLAIM_LEASE, limit=5)
    assert (first.id, first.attempt, second.attempt) == (second.id, 1, 2)
    async with transaction(session_factory) as session:
        assert not await mark_message_sent(
            session, message_id=first.id, attempt=first.attempt, now=T0
        )
        assert await mark_message_sent(
            session, message_id=second.id, attempt=second.attempt, now=T0 + CLAIM_LEASE
        )
        assert await claim_due_messages(session, now=T0 + 10 * CLAIM_LEASE, limit=5) == []
        row = await get_outbox_message(session, organization_id=org, idempotency_key="k")
    assert row is not None and row.state == OutboxState.SENT and row.sent_at == T0 + CLAIM_LEASE


async def test_retry_and_give_up(session_factory: SessionFactory) -> None:
    org = await new_team(session_factory)
    await enqueue(session_factory, org, "retry", T0)
    await enqueue(session_factory, org, "blocked", T0)
    async with transaction(session_factory) as session:
        claimed = {m.idempotency_key: m for m in await claim_due_messages(session, now=T0, limit=5)}
        retry, blocked = claimed["retry"], claimed["blocked"]
        assert await retry_message_later(
            session,
            message_id=retry.id,
            attempt=retry.attempt,
            at=T0 + timedelta(seconds=30),
            error="TimedOut: " + "x" * 500,
        )
        assert await give_up_message(
            session,
            message_id=blocked.id,
            attempt=blocked.attempt,
            blocked=True,
            error="Forbidden: bot was blocked by the user",
        )
    async with transaction(session_factory) as session:
        assert await claim_due_messages(session, now=T0 + timedelta(seconds=29), limit=5) == []
        [again] = await claim_due_messages(session, now=T0 + timedelta(seconds=30), limit=5)
        row = await get_outbox_message(session, organization_id=org, idempotency_key="blocked")
        retried = await get_outbox_message(session, organization_id=org, idempotency_key="retry")
    assert again.idempotency_key == "retry" and again.attempt == 2
    assert row is not None and row.state == OutboxState.BLOCKED and row.sent_at is None
    assert retried is not None and len(retried.last_error or "") == 200


async def test_two_senders_claiming_at_once_never_share_a_row(engine: AsyncEngine) -> None:
    factory = make_session_factory(engine)
    org = await new_team(factory)
    keys = [f"m{index:03d}" for index in range(120)]
    async with transaction(factory) as session:
        for key in keys:
            await enqueue_message(
                session,
                organization_id=org,
                chat_id=1,
                kind="test",
                idempotency_key=key,
                text=key,
                due_at=T0,
            )
    # A second engine is a second process: its own connections, its own transactions.
    other = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        factories = [factory, make_session_factory(other)]

        async def claim_all(index: int) -> list[str]:
            taken: list[str] = []
            while True:
                async with transaction(factories[index % 2]) as session:
                    batch = await claim_due_messages(session, now=T0, limit=7)
                if not batch:
                    return taken
                taken.extend(m.idempotency_key for m in batch)
                await asyncio.sleep(0)

        results = await asyncio.gather(*(claim_all(i) for i in range(4)))
    finally:
        await other.dispose()
    taken = [key for result in results for key in result]
    assert sorted(taken) == keys  # every row once, none twice
    assert sum(1 for result in results if result) >= 2  # both engines really took part
    async with transaction(factory) as session:
        attempts = (await session.exec(select(col(OutboxMessage.attempts)).distinct())).all()
    assert list(attempts) == [1]


async def test_bulk_enqueue_and_day_claims_are_once_only(session_factory: SessionFactory) -> None:
    from storage.models import NoticeKind
    from storage.queries.insight import claim_notice_days
    from storage.queries.outbox import NewMessage, enqueue_messages
    from tests.storage.helpers import make_user

    org = await new_team(session_factory)
    async with transaction(session_factory) as session:
        users = [(await make_user(session, f"U{i}")).id for i in range(3)]
    day = T0.date()
    claims = [(org, user, day) for user in users]
    async with transaction(session_factory) as session:
        first = await claim_notice_days(session, kind=NoticeKind.REMINDER, claims=claims)
        again = await claim_notice_days(session, kind=NoticeKind.REMINDER, claims=claims)
        digest = await claim_notice_days(session, kind=NoticeKind.DIGEST, claims=claims[:1])
        tomorrow = [(org, users[0], day + timedelta(days=1))]
        later = await claim_notice_days(session, kind=NoticeKind.REMINDER, claims=tomorrow)
        older = await claim_notice_days(session, kind=NoticeKind.REMINDER, claims=claims[:1])
    assert first == {(org, user) for user in users}
    assert again == set() and older == set()
    assert digest == {(org, users[0])} and later == {(org, users[0])}
    messages = [NewMessage(org, 1000 + i, "test", f"bulk:{i % 4}", f"m{i}") for i in range(6)]
    async with transaction(session_factory) as session:
        assert await enqueue_messages(session, messages=messages, due_at=T0) == 4
        assert await enqueue_messages(session, messages=messages, due_at=T0) == 0
        claimed = await claim_due_messages(session, now=T0, limit=10)
    assert sorted(m.idempotency_key for m in claimed) == [f"bulk:{i}" for i in range(4)]


async def test_finished_rows_are_pruned_pending_ones_stay(session_factory: SessionFactory) -> None:
    from storage.queries.outbox import prune_outbox

    org = await new_team(session_factory)
    for key in ("sent", "pending"):
        await enqueue(session_factory, org, key, T0)
    async with transaction(session_factory) as session:
        [sent] = await claim_due_messages(session, now=T0, limit=1)
        await mark_message_sent(session, message_id=sent.id, attempt=sent.attempt, now=T0)
    async with transaction(session_factory) as session:
        # created_at is the real time of the enqueue: prune what was created before tomorrow.
        later = datetime.now(UTC) + timedelta(days=1)
        assert await prune_outbox(session, before=later) == 1
        assert await prune_outbox(session, before=later) == 0
        keys = (await session.exec(select(col(OutboxMessage.idempotency_key)))).all()
    assert list(keys) == ["pending"]
