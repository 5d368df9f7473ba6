"""The durable inbox: every update Telegram hands over, written before Telegram is told.

A row is pending until the update is finished: `applied_at` is set in the transaction that
commits the handler's own writes, `handled_at` in the one that writes the conversation state
that follows (or alone, when nothing changed). Unfinished rows are replayed at start; for one
already applied, the handler's writes are not committed again (see bot.inbox). Finished rows
keep only their id, so that an update Telegram delivers again is recognised and skipped, and
are pruned after two days (Telegram forgets updates after one).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.models.base import time_column, utcnow


class InboxUpdate(SQLModel, table=True):
    __tablename__ = "update_inbox"
    # Start-up replays `WHERE handled_at IS NULL ORDER BY update_id`; pruning reads old ones.
    __table_args__ = (sa.Index("ix_update_inbox_handled", "handled_at"),)

    update_id: int = Field(
        sa_column=sa.Column(sa.BigInteger, primary_key=True, autoincrement=False)
    )
    # The update as Telegram sent it (JSON text); cleared once handled: it holds what users typed.
    payload: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    received_at: datetime = Field(default_factory=utcnow, sa_column=time_column(nullable=False))
    applied_at: datetime | None = Field(default=None, sa_column=time_column())
    handled_at: datetime | None = Field(default=None, sa_column=time_column())
