"""The outbox: enqueue a message once, claim due ones, record how sending went.

Enqueueing is organization-scoped like every other query. Claiming and marking are the
sender's: it serves every team at once, so those take the row id the claim returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models.base import new_id, utcnow
from storage.models.outbox import OutboxMessage, OutboxState

# A claimed row comes due again after this long if its sender never reports back (it died
# between claiming and marking). It must be far longer than one send can take.
CLAIM_LEASE = timedelta(minutes=5)
ERROR_LENGTH = 200

Buttons = list[list[tuple[str, str]]]


@dataclass(frozen=True)
class ClaimedMessage:
    id: str
    organization_id: str
    chat_id: int
    kind: str
    idempotency_key: str
    payload: dict[str, Any]
    attempt: int  # fences the claim: marks only apply while attempts still equals this


def make_payload(text: str, buttons: Buttons | None = None) -> dict[str, Any]:
    """A message as the outbox stores it: HTML text and rows of (label, callback data)."""
    payload: dict[str, Any] = {"text": text}
    if buttons:
        payload["buttons"] = [[list(button) for button in row] for row in buttons]
    return payload


async def enqueue_message(
    session: AsyncSession,
    *,
    organization_id: str,
    chat_id: int,
    kind: str,
    idempotency_key: str,
    text: str,
    buttons: Buttons | None = None,
    due_at: datetime | None = None,
) -> bool:
    """Add a message to send at `due_at` (now if None). False if the key was already used.

    The key names the fact the message is about (`reminder:<athlete>:<date>`,
    `pr:<training_session>`), so enqueueing the same fact twice, in two processes or two
    retries of one update, sends one message.
    """
    when = due_at or utcnow()
    values = {
        "id": new_id(),
        "organization_id": organization_id,
        "chat_id": chat_id,
        "kind": kind,
        "idempotency_key": idempotency_key,
        "payload": make_payload(text, buttons),
        "due_at": when,
        "state": OutboxState.PENDING,
        "attempts": 0,
        "next_attempt_at": when,
        "created_at": utcnow(),
    }
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(col(OutboxMessage.id))
    )
    result = await session.execute(statement)
    return result.first() is not None


@dataclass(frozen=True)
class NewMessage:
    organization_id: str
    chat_id: int
    kind: str
    idempotency_key: str
    text: str
    buttons: Buttons | None = None


async def enqueue_messages(
    session: AsyncSession, *, messages: list[NewMessage], due_at: datetime | None = None
) -> int:
    """enqueue_message for many at once (one statement); returns how many were new."""
    if not messages:
        return 0
    when = due_at or utcnow()
    created = utcnow()
    rows = [
        {
            "id": new_id(),
            "organization_id": m.organization_id,
            "chat_id": m.chat_id,
            "kind": m.kind,
            "idempotency_key": m.idempotency_key,
            "payload": make_payload(m.text, m.buttons),
            "due_at": when,
            "state": OutboxState.PENDING,
            "attempts": 0,
            "next_attempt_at": when,
            "created_at": created,
        }
        for m in messages
    ]
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # One cached statement, executed for many rows (SQLAlchemy batches them into few INSERTs).
    statement = (
        insert(OutboxMessage)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(col(OutboxMessage.id))
    )
    return len((await session.execute(statement, rows)).all())


async def claim_due_messages(
    session: AsyncSession, *, now: datetime, limit: int, lease: timedelta = CLAIM_LEASE
) -> list[ClaimedMessage]:
    """Take up to `limit` due rows for this sender, oldest due first, in one UPDATE.

    Two senders never get the same row: on PostgreSQL the candidates are locked with
    FOR UPDATE SKIP LOCKED (a second sender skips them instead of waiting); SQLite has
    one writer at a time (BEGIN IMMEDIATE), and the UPDATE re-checks the row is still due.
    """
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    candidates = (
        sa.select(table.c.id)
        .where(table.c.state == OutboxState.PENDING.value, table.c.next_attempt_at <= now)
        .order_by(table.c.next_attempt_at, table.c.created_at, table.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        # PostgreSQL may run an IN (subquery ... LIMIT) again for each row it updates and
        # so claim more than `limit`; a materialised CTE is run once.
        .cte("due")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    statement = (
        sa.update(table)
        .where(
            table.c.id.in_(sa.select(candidates.c.id)),
            table.c.state == OutboxState.PENDING.value,
            table.c.next_attempt_at <= now,
        )
        .values(attempts=table.c.attempts + 1, next_attempt_at=now + lease)
        .returning(
            table.c.id,
            table.c.organization_id,
            table.c.chat_id,
            table.c.kind,
            table.c.idempotency_key,
            table.c.payload,
            table.c.attempts,
            table.c.due_at,
            table.c.created_at,
        )
    )
    rows = (await session.execute(statement)).all()
    rows = sorted(rows, key=lambda row: (row.due_at, row.created_at, row.id))
    return [
        ClaimedMessage(
            id=row.id,
            organization_id=row.organization_id,
            chat_id=row.chat_id,
            kind=row.kind,
            idempotency_key=row.idempotency_key,
            payload=row.payload,
            attempt=row.attempts,
        )
        for row in rows
    ]


async def _finish(
    session: AsyncSession, *, message_id: str, attempt: int, values: dict[str, Any]
) -> bool:
    result = await session.execute(
        sa.update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == message_id,
            col(OutboxMessage.attempts) == attempt,
            col(OutboxMessage.state) == OutboxState.PENDING,
        )
        .values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def mark_message_sent(
    session: AsyncSession, *, message_id: str, attempt: int, now: datetime
) -> bool:
    """Record a delivered message. False if the claim had been lost (see CLAIM_LEASE)."""
    return await _finish(
        session,
        message_id=message_id,
        attempt=attempt,
        values={"state": OutboxState.SENT, "sent_at": now, "last_error": None},
    )


async def retry_message_later(
    session: AsyncSession, *, message_id: str, attempt: int, at: datetime, error: str
) -> bool:
    """A transient failure: due again at `at`."""
    return await _finish(
        session,
        message_id=message_id,
        attempt=attempt,
        values={"next_attempt_at": at, "last_error": error[:ERROR_LENGTH]},
    )


async def give_up_message(
    session: AsyncSession, *, message_id: str, attempt: int, blocked: bool, error: str
) -> bool:
    """A permanent failure: never sent; `blocked` when the recipient blocked the bot."""
    state = OutboxState.BLOCKED if blocked else OutboxState.FAILED
    return await _finish(
        session,
        message_id=message_id,
        attempt=attempt,
        values={"state": state, "last_error": error[:ERROR_LENGTH]},
    )


async def get_outbox_message(
    session: AsyncSession, *, organization_id: str, idempotency_key: str
) -> OutboxMessage | None:
    result = await session.exec(
        select(OutboxMessage)
        .where(
            col(OutboxMessage.organization_id) == organization_id,
            col(OutboxMessage.idempotency_key) == idempotency_key,
        )
        .execution_options(populate_existing=True)
    )
    return result.first()


async def prune_outbox(session: AsyncSession, *, before: datetime, limit: int = 5000) -> int:
    """Forget finished rows (sent, failed, blocked) created before `before`; pending stay.

    Keys name a dated fact (`reminder:<athlete>:<day>`), so once the day is long past nobody
    enqueues it again and its row is only history.
    """
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    old = (
        sa.select(table.c.id)
        .where(table.c.state != OutboxState.PENDING.value, table.c.created_at < before)
        .limit(limit)
        .scalar_subquery()
    )
    result = await session.execute(sa.delete(table).where(table.c.id.in_(old)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
