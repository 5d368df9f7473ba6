"""Training programs: a program has weeks, each week sessions on weekdays, each session entries.

An entry's prescription is the parsed shorthand (`storage.prescriptions.Prescription.to_json`),
loads in kg. Programs are archived, never deleted while anything refers to them; an athlete has
at most one active assignment (ended_at IS NULL), enforced by a partial unique index.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from storage.models.base import id_column, new_id, time_column, utcnow
from storage.prescriptions import Prescription

MAX_WEEKS = 52


def _org_column() -> Any:
    return sa.Column(
        sa.String(16), sa.ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False
    )


class Program(SQLModel, table=True):
    __tablename__ = "programs"
    __table_args__ = (
        sa.CheckConstraint(f"weeks >= 1 AND weeks <= {MAX_WEEKS}", name="ck_programs_weeks"),
        sa.Index("ix_programs_org_archived_key", "organization_id", "archived_at", "name_key"),
    )

    id: str = Field(default_factory=new_id, sa_column=id_column())
    organization_id: str = Field(sa_column=_org_column())
    name: str = Field(max_length=100)
    # casefolded, accents removed, cut to 100 (folding can lengthen: ß -> ss): what name
    # filters and sorting compare
    name_key: str = Field(max_length=100)
    description: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    weeks: int
    archived_at: datetime | None = Field(default=None, sa_column=time_column())
    created_at: datetime = Field(default_factory=utcnow, sa_column=time_column(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=time_column(nullable=False))


class ProgramSession(SQLModel, table=True):
    __tablename__ = "program_sessions"
    __table_args__ = (
        sa.CheckConstraint("weekday >= 1 AND weekday <= 7", name="ck_program_sessions_weekday"),
        sa.CheckConstraint(f"week >= 1 AND week <= {MAX_WEEKS}", name="ck_program_sessions_week"),
        sa.Index("ix_program_sessions_program_day", "program_id", "week", "weekday", "position"),
    )

    id: str = Field(default_factory=new_id, sa_column=id_column())
    organization_id: str = Field(sa_column=_org_column())
    program_id: str = Field(
        sa_column=sa.Column(
            sa.String(16), sa.ForeignKey("programs.id", ondelete="CASCADE"), nullable=False
        )
    )
    week: int
    weekday: int  # 1 = Monday .. 7 = Sunday
    title: str | None = Field(default=None, max_length=100)
    position: int = 0  # order of sessions on the same day


class ProgramEntry(SQLModel, table=True):
    __tablename__ = "program_entries"
    __table_args__ = (
        sa.Index("ix_program_entries_session_position", "session_id", "position"),
        sa.Index("ix_program_entries_exercise", "exercise_id"),
    )

    id: str = Field(default_factory=new_id, sa_column=id_column())
    organization_id: str = Field(sa_column=_org_column())
    session_id: str = Field(
        sa_column=sa.Column(
            sa.String(16), sa.ForeignKey("program_sessions.id", ondelete="CASCADE"), nullable=False
        )
    )
    position: int
    group_label: str | None = Field(default=None, max_length=8)
    exercise_id: str = Field(
        sa_column=sa.Column(
            sa.String(16), sa.ForeignKey("exercises.id", ondelete="RESTRICT"), nullable=False
        )
    )
    prescription: dict[str, Any] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    note: str | None = Field(default=None, sa_column=sa.Column(sa.Text))

    def read_prescription(self) -> Prescription:
        return Prescription.from_json(self.prescription, note=self.note)


class Assignment(SQLModel, table=True):
    __tablename__ = "assignments"
    __table_args__ = (
        # One active program per athlete; ended ones are history.
        sa.Index(
            "uq_assignments_active_athlete",
            "athlete_id",
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        ),
        sa.Index("ix_assignments_org_program", "organization_id", "program_id"),
    )

    id: str = Field(default_factory=new_id, sa_column=id_column())
    organization_id: str = Field(sa_column=_org_column())
    athlete_id: str = Field(
        sa_column=sa.Column(
            sa.String(16), sa.ForeignKey("athletes.id", ondelete="CASCADE"), nullable=False
        )
    )
    program_id: str = Field(
        sa_column=sa.Column(
            sa.String(16), sa.ForeignKey("programs.id", ondelete="CASCADE"), nullable=False
        )
    )
    start_date: date
    ended_at: datetime | None = Field(default=None, sa_column=time_column())
    created_at: datetime = Field(default_factory=utcnow, sa_column=time_column(nullable=False))
