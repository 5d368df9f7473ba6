"""Readiness checks and notification settings (reminders for athletes, digests for coaches)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.models.base import enum_type, id_column, new_id, time_column, utcnow


class ReadinessCheck(SQLModel, table=True):
    """An athlete's answers (1-5, 5 the good end) on one day of the team's calendar."""

    __tablename__ = "readiness_checks"
    __table_args__ = (
        sa.UniqueConstraint("athlete_id", "day", name="uq_readiness_checks_athlete_day"),
        sa.Index("ix_readiness_checks_org_day", "organization_id", "day"),
    )

    id: str = Field(default_factory=new_id, sa_column=id_column())
    organization_id: str = Field(
        sa_column=sa.Column(
            sa.String(16), sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
        )
    )
    athlete_id: str = Field(
        sa_column=sa.Column(
            sa.String(16), sa.ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False
        )
    )
    day: date = Field(sa_column=sa.Column(sa.Date, nullable=False))
    sleep: int = Field(sa_column=sa.Column(sa.SmallInteger, nullable=False))
    soreness: int = Field(sa_column=sa.Column(sa.SmallInteger, nullable=False))
    stress: int = Field(sa_column=sa.Column(sa.SmallInteger, nullable=False))
    energy: int = Field(sa_column=sa.Column(sa.SmallInteger, nullable=False))
    total: int = Field(sa_column=sa.Column(sa.SmallInteger, nullable=False))
    low: bool = Field(sa_column=sa.Column(sa.Boolean, nullable=False))
    answered_at: datetime = Field(default_factory=utcnow, sa_column=time_column(nullable=False))


class NoticeKind(StrEnum):
    REMINDER = "reminder"  # an athlete's reminder of the day's session
    DIGEST = "digest"  # a coach's daily digest


class NotificationSetting(SQLModel, table=True):
    """One person's choice for one kind of scheduled message in one team.

    No row means the default (on, at the kind's default time). `last_on` is the team-local
    date the scheduler last handled it, so each day is considered once.
    """

    __tablename__ = "notification_settings"
    __table_args__ = (
        sa.UniqueConstraint(
            "organization_id", "user_id", "kind", name="uq_notification_settings_org_user_kind"
        ),
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
    kind: NoticeKind = Field(
        sa_column=sa.Column(enum_type(NoticeKind, "notice_kind"), nullable=False)
    )
    enabled: bool = Field(sa_column=sa.Column(sa.Boolean, nullable=False))
    minute: int = Field(sa_column=sa.Column(sa.SmallInteger, nullable=False))  # of the local day
    last_on: date | None = Field(default=None, sa_column=sa.Column(sa.Date))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=time_column(nullable=False))


class RosterEvent(SQLModel, table=True):
    """An athlete leaving a team (for the coaches' digest): the athlete record stays."""

    __tablename__ = "roster_events"
    __table_args__ = (sa.Index("ix_roster_events_org_at", "organization_id", "at"),)

    id: str = Field(default_factory=new_id, sa_column=id_column())
    organization_id: str = Field(
        sa_column=sa.Column(
            sa.String(16), sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
        )
    )
    athlete_id: str = Field(
        sa_column=sa.Column(
            sa.String(16), sa.ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False
        )
    )
    kind: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))  # "left"
    at: datetime = Field(default_factory=utcnow, sa_column=time_column(nullable=False))
