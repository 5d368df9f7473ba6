from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.models.base import id_column, new_id, time_column, utcnow


class User(SQLModel, table=True):
    """A Telegram account that has talked to the bot."""

    __tablename__ = "users"

    id: str = Field(default_factory=new_id, sa_column=id_column())
    telegram_user_id: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False, unique=True))
    username: str | None = Field(default=None, max_length=64)
    display_name: str = Field(max_length=200)
    language_code: str | None = Field(default=None, max_length=16)
    # Set when Telegram answers 403 (blocked); notifications skip such users until they return.
    blocked_at: datetime | None = Field(default=None, sa_column=time_column())
    created_at: datetime = Field(default_factory=utcnow, sa_column=time_column(nullable=False))
