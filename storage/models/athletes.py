from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.models.base import enum_type, id_column, new_id, time_column, utcnow
from storage.models.enums import AthleteGender, AthleteStatus
from storage.validation import fold_key


class Athlete(SQLModel, table=True):
    __tablename__ = "athletes"
    __table_args__ = (
        # One athlete record per Telegram account within a team (NULLs, i.e. unlinked, are free).
        sa.UniqueConstraint(
            "organization_id", "linked_user_id", name="uq_athletes_org_linked_user"
        ),
        sa.Index("ix_athletes_org_status_name", "organization_id", "status", "name"),
        sa.Index("ix_athletes_linked_user", "linked_user_id"),
        sa.Index("ix_athletes_org_email", "organization_id", "email"),
        sa.Index("ix_athletes_org_name_key", "organization_id", "name_key"),
    )

    id: str = Field(default_factory=new_id, sa_column=id_column())
    organization_id: str = Field(
        sa_column=sa.Column(
            sa.String(16), sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
        )
    )
    name: str = Field(max_length=100)
    # fold_key(name), kept in step by the mapper events below; the roster filter and sort use it.
    name_key: str = Field(default="", sa_column=sa.Column(sa.String(400), nullable=False))
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=20)
    birthdate: date | None = None
    gender: AthleteGender | None = Field(
        default=None, sa_column=sa.Column(enum_type(AthleteGender, "athlete_gender"))
    )
    notes: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    status: AthleteStatus = Field(
        default=AthleteStatus.ACTIVE,
        sa_column=sa.Column(enum_type(AthleteStatus, "athlete_status"), nullable=False),
    )
    linked_user_id: str | None = Field(
        default=None,
        sa_column=sa.Column(sa.String(16), sa.ForeignKey("users.id", ondelete="SET NULL")),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=time_column(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=time_column(nullable=False))


@sa.event.listens_for(Athlete, "before_insert")
@sa.event.listens_for(Athlete, "before_update")
def _fold_name(mapper: Any, connection: Any, athlete: Athlete) -> None:
    # Every ORM write path (forms, imports, tests) keeps the search key true to the name.
    athlete.name_key = fold_key(athlete.name)
