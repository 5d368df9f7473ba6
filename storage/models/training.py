"""What athletes did: their maxes, training sessions (planned or off-plan) and logged sets.

Loads are kilograms. A set log keeps the prescription it was logged against (`prescribed`), so a
program edited later does not rewrite history. `athlete_id` and `e1rm` on set_logs are copies
(of the session's athlete, of Epley on kg and reps) so bests and PRs are one indexed lookup.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.models.base import enum_type, id_column, new_id, time_column, utcnow


class MaxSource(StrEnum):
    TESTED = "tested"  # the athlete lifted it (entered by the athlete)
    COACH = "coach"  # entered by the coach
    ESTIMATED = "estimated"  # from logged sets (Epley)


def _fk(target: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> Any:
    return sa.Column(sa.String(16), sa.ForeignKey(target, ondelete=ondelete), nullable=nullable)


class Max(SQLModel, table=True):
    """A 1RM on record. Each entry is kept (history); the newest tested/coach row is current."""

    __tablename__ = "maxes"
    __table_args__ = (
        sa.Index("ix_maxes_athlete_exercise", "athlete_id", "exercise_id", "measured_on"),
        sa.Index("ix_maxes_org", "organization_id"),
    )

    id: str = Field(default_factory=new_id, sa_column=id_column())
    organization_id: str = Field(sa_column=_fk("organizations.id"))
    athlete_id: str = Field(sa_column=_fk("athletes.id"))
    exercise_id: str = Field(sa_column=_fk("exercises.id", ondelete="RESTRICT"))
    kg: float = Field(sa_column=sa.Column(sa.Float, nullable=False))
    measured_on: date = Field(sa_column=sa.Column(sa.Date, nullable=False))
    source: MaxSource = Field(
        sa_column=sa.Column(enum_type(MaxSource, "max_source"), nullable=False)
    )
    created_by: str | None = Field(
        default=None, sa_column=_fk("users.id", nullable=True, ondelete="SET NULL")
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=time_column(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=time_column(nullable=False))


UNNOTICED = "finished_at IS NULL AND pr_notice_sent_at IS NULL"


class TrainingSession(SQLModel, table=True):
    """One day's training of one athlete: a program session, or off-plan (no program session)."""

    __tablename__ = "training_sessions"
    __table_args__ = (
        # Opening the day's session twice (double tap, replay) finds the same row.
        sa.UniqueConstraint(
            "athlete_id",
            "program_session_id",
            "scheduled_for",
            name="uq_training_sessions_athlete_slot_day",
        ),
        sa.Index("ix_training_sessions_athlete_day", "athlete_id", "scheduled_for"),
        sa.Index("ix_training_sessions_org_finished", "organization_id", "finished_at"),
        # The PR sweep's candidates: sessions left open whose coach notice is not sent yet.
        sa.Index(
            "ix_training_sessions_unnoticed",
            "scheduled_for",
            sqlite_where=sa.text(UNNOTICED),
            postgresql_where=sa.text(UNNOTICED),
        ),
    )

    id: str = Field(default_factory=new_id, sa_column=id_column())
    organization_id: str = Field(sa_column=_fk("organizations.id"))
    athlete_id: str = Field(sa_column=_fk("athletes.id"))
    # No foreign keys into the program: coaches edit and replace sessions and entries freely,
    # and a log stands on its own (title and prescription are copied into it).
    assignment_id: str | None = Field(default=None, max_length=16)
    program_session_id: str | None = Field(default=None, max_length=16)
    title: str = Field(default="", max_length=100)  # a copy: the program may change later
    scheduled_for: date = Field(sa_column=sa.Column(sa.Date, nullable=False))
    started_at: datetime = Field(default_factory=utcnow, sa_column=time_column(nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=time_column())
    session_rpe: int | None = None
    minutes: int | None = None
    readiness: int | None = None
    pr_notice_sent_at: datetime | None = Field(default=None, sa_column=time_column())


class SetLog(SQLModel, table=True):
    """One logged set (or, with `skipped`, one skipped entry) against its prescription."""

    __tablename__ = "set_logs"
    __table_args__ = (
        # Logging an entry replaces its sets: a double tap can't add a second copy.
        sa.UniqueConstraint(
            "training_session_id", "entry_id", "set_no", name="uq_set_logs_session_entry_set"
        ),
        sa.Index("ix_set_logs_session", "training_session_id"),
        sa.Index("ix_set_logs_athlete_exercise_e1rm", "athlete_id", "exercise_id", "e1rm"),
        sa.Index("ix_set_logs_athlete_exercise_reps", "athlete_id", "exercise_id", "reps", "kg"),
    )

    id: str = Field(default_factory=new_id, sa_column=id_column())
    organization_id: str = Field(sa_column=_fk("organizations.id"))
    athlete_id: str = Field(sa_column=_fk("athletes.id"))
    training_session_id: str = Field(sa_column=_fk("training_sessions.id"))
    exercise_id: str = Field(sa_column=_fk("exercises.id", ondelete="RESTRICT"))
    entry_id: str | None = Field(default=None, max_length=16)
    set_no: int = 0
    reps: int | None = None
    kg: float | None = None
    seconds: int | None = None
    meters: float | None = None
    rpe: float | None = None
    e1rm: float | None = None
    record: str | None = Field(default=None, max_length=8)  # RecordKind when this set was a PR
    skipped: bool = Field(
        default=False, sa_column=sa.Column(sa.Boolean, nullable=False, default=False)
    )
    prescribed: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(sa.JSON))
    logged_at: datetime = Field(default_factory=utcnow, sa_column=time_column(nullable=False))
