from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.models.base import id_column, new_id, time_column, utcnow


class AthleteInvitation(SQLModel, table=True):
    """An invite link; only the SHA-256 of its token is stored."""

    __tablename__ = "athlete_invitations"
    __table_args__ = (sa.Index("ix_athlete_invitations_athlete", "athlete_id"),)

    id: str = Field(default_factory=new_id, sa_column=id_column())
    athlete_id: str = Field(
        sa_column=sa.Column(
            sa.String(16), sa.ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False
        )
    )
    organization_id: str = Field(
        sa_column=sa.Column(
            sa.String(16), sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
        )
    )
    token_hash: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
    created_by: str | None = Field(
        default=None,
        sa_column=sa.Column(sa.String(16), sa.ForeignKey("users.id", ondelete="SET NULL")),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=time_column(nullable=False))
    expires_at: datetime = Field(sa_column=time_column(nullable=False))
    accepted_at: datetime | None = Field(default=None, sa_column=time_column())
    accepted_by: str | None = Field(
        default=None,
        sa_column=sa.Column(sa.String(16), sa.ForeignKey("users.id", ondelete="SET NULL")),
    )
    revoked_at: datetime | None = Field(default=None, sa_column=time_column())


class DeepLinkFailure(SQLModel, table=True):
    """One failed invite attempt, for slowing down someone guessing tokens."""

    __tablename__ = "deep_link_failures"
    __table_args__ = (
        sa.Index("ix_deep_link_failures_user_time", "telegram_user_id", "created_at"),
    )

    id: int | None = Field(default=None, sa_column=sa.Column(sa.Integer, primary_key=True))
    telegram_user_id: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=time_column(nullable=False))
