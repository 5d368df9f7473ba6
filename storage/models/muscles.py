from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.models.base import enum_type
from storage.models.enums import BodyRegion


class MuscleGroup(SQLModel, table=True):
    """Curated only; the id is the catalog slug ("quads"), stable across loads."""

    __tablename__ = "muscle_groups"

    id: str = Field(sa_column=sa.Column(sa.String(40), primary_key=True))
    name: str = Field(max_length=60)
    body_region: BodyRegion = Field(
        sa_column=sa.Column(enum_type(BodyRegion, "body_region"), nullable=False)
    )
    sort_order: int = 0


class ExerciseMuscle(SQLModel, table=True):
    __tablename__ = "exercise_muscles"
    __table_args__ = (sa.Index("ix_exercise_muscles_muscle", "muscle_group_id", "is_primary"),)

    exercise_id: str = Field(
        sa_column=sa.Column(
            sa.String(16),
            sa.ForeignKey("exercises.id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    muscle_group_id: str = Field(
        sa_column=sa.Column(sa.String(40), sa.ForeignKey("muscle_groups.id"), primary_key=True)
    )
    is_primary: bool = Field(sa_column=sa.Column(sa.Boolean, nullable=False))
