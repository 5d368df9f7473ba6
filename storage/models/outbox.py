"""The outbox: every message the bot sends on its own (reminders, digests, notifications)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.models.base import enum_type, id_column, new_id, time_column, utcnow


class OutboxState(StrEnum):
    PENDING = "pending"  # waiting for due_at / next_attempt_at (also while a sender holds it)
    SENT = "sent"
    FAILED = "failed"  # Telegram refused it for good, or transient errors ran out of attempts
    BLOCKED = "blocked"  # 403: the recipient blocked the bot; never retried


class OutboxMessage(SQLModel, table=True):
    """One message to send once. `idempotency_key` makes enqueueing it twice a no-op.

    A sender claims a due row by moving `next_attempt_at` past a lease and bumping
    `attempts` in one conditional UPDATE; `attempts` then fences the claim (marking it
    sent or failed only succeeds for the claim that still owns it).
    """

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_state_next_attempt", "state", "next_attempt_at"),)

    id: str = Field(default_factory=new_id, sa_column=id_column())
    organization_id: str = Field(
        sa_column=sa.Column(
            sa.String(16), sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
        )
    )
    chat_id: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    kind: str = Field(sa_column=sa.Column(sa.String(32), nullable=False))
    idempotency_key: str = Field(sa_column=sa.Column(sa.String(200), nullable=False, unique=True))
    payload: dict[str, Any] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    due_at: datetime = Field(sa_column=time_column(nullable=False))
    state: OutboxState = Field(
        default=OutboxState.PENDING,
        sa_column=sa.Column(enum_type(OutboxState, "outbox_state"), nullable=False),
    )
    attempts: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False))
    next_attempt_at: datetime = Field(sa_column=time_column(nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=time_column())
    last_error: str | None = Field(default=None, sa_column=sa.Column(sa.String(200)))
    created_at: datetime = Field(default_factory=utcnow, sa_column=time_column(nullable=False))
