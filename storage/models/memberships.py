from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.models.base import enum_type, id_column, new_id, time_column, utcnow
from storage.models.enums import MembershipRole


class Membership(SQLModel, table=True):
    """A coach's seat in an organization."""

    __tablename__ = "memberships"
    __table_args__ = (
        sa.UniqueConstraint("organization_id", "user_id", name="uq_memberships_org_user"),
        sa.Index("ix_memberships_user", "user_id"),
    )

    id: str = Field(default_factory=new_id, sa_column=id_column())
    organization_id: str = Field(
        sa_column=sa.Column(
            sa.String(16), sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
        )
    )
    user_id: str = Field(
        sa_column=sa.Column(
            sa.String(16), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        )
    )
    role: MembershipRole = Field(
        sa_column=sa.Column(enum_type(MembershipRole, "membership_role"), nullable=False)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=time_column(nullable=False))
