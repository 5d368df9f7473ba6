from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.models.base import enum_type, id_column, new_id, time_column, utcnow
from storage.models.enums import MovementPattern, ProgressionDirection


class Exercise(SQLModel, table=True):
    """Curated when organization_id is NULL, else a team's custom exercise."""

    __tablename__ = "exercises"
    __table_args__ = (
        # Case-insensitive name per team; NULL (curated) rows are covered by the unique slug.
        sa.Index(
            "uq_exercises_org_lower_name", "organization_id", sa.text("lower(name)"), unique=True
        ),
        sa.Index("ix_exercises_org_pattern", "organization_id", "movement_pattern"),
        sa.Index("ix_exercises_org_copied_from", "organization_id", "copied_from_id"),
        # Search's fingerprint of a team's custom exercises: the latest change, one index seek.
        sa.Index("ix_exercises_org_updated", "organization_id", "updated_at"),
    )

    id: str = Field(default_factory=new_id, sa_column=id_column())
    organization_id: str | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.String(16), sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=True
        ),
    )
    slug: str | None = Field(default=None, sa_column=sa.Column(sa.String(80), unique=True))
    name: str = Field(max_length=100)
    aliases: list[str] = Field(
        default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False, default=list)
    )
    movement_pattern: MovementPattern = Field(
        sa_column=sa.Column(enum_type(MovementPattern, "movement_pattern"), nullable=False)
    )
    equipment: str = Field(max_length=40)
    instructions: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    created_by: str | None = Field(
        default=None,
        sa_column=sa.Column(sa.String(16), sa.ForeignKey("users.id", ondelete="SET NULL")),
    )
    # Set on a team's "Copy to ours" copy: the exercise it was copied from (so a second copy
    # opens this one instead of making "(copy)").
    copied_from_id: str | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.String(16), sa.ForeignKey("exercises.id", ondelete="SET NULL"), nullable=True
        ),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=time_column(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=time_column(nullable=False))
    archived_at: datetime | None = Field(default=None, sa_column=time_column())


class ExerciseProgression(SQLModel, table=True):
    """One directed edge; every link is stored as a pair (A harder->B, B easier->A)."""

    __tablename__ = "exercise_progressions"
    __table_args__ = (
        # One edge per pair and team (curated edges, with no team, count as one team), so
        # two teams may each link the same pair.
        sa.Index(
            "uq_exercise_progressions_team_edge",
            "exercise_id",
            "related_exercise_id",
            sa.text("coalesce(organization_id, '')"),
            unique=True,
        ),
        sa.CheckConstraint(
            "exercise_id <> related_exercise_id", name="ck_exercise_progressions_not_self"
        ),
        sa.Index("ix_exercise_progressions_related", "related_exercise_id"),
        sa.Index("ix_exercise_progressions_org", "organization_id"),
    )

    id: str = Field(default_factory=new_id, sa_column=id_column())
    exercise_id: str = Field(
        sa_column=sa.Column(
            sa.String(16), sa.ForeignKey("exercises.id", ondelete="CASCADE"), nullable=False
        )
    )
    related_exercise_id: str = Field(
        sa_column=sa.Column(
            sa.String(16), sa.ForeignKey("exercises.id", ondelete="CASCADE"), nullable=False
        )
    )
    direction: ProgressionDirection = Field(
        sa_column=sa.Column(
            enum_type(ProgressionDirection, "progression_direction"), nullable=False
        )
    )
    # NULL: curated (from the catalog, not removable); set: the team that created the link.
    organization_id: str | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.String(16), sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=True
        ),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=time_column(nullable=False))
