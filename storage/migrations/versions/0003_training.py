"""Training: maxes, training sessions (planned or off-plan) and set logs.

No foreign keys into program tables: coaches replace sessions and entries freely, and a log keeps
its own copy of the title and prescription.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "maxes",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("organization_id", sa.String(length=16), nullable=False),
        sa.Column("athlete_id", sa.String(length=16), nullable=False),
        sa.Column("exercise_id", sa.String(length=16), nullable=False),
        sa.Column("kg", sa.Float(), nullable=False),
        sa.Column("measured_on", sa.Date(), nullable=False),
        sa.Column(
            "source",
            sa.Enum("tested", "coach", "estimated", name="max_source", create_constraint=True),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["athlete_id"], ["athletes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["exercise_id"], ["exercises.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("maxes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_maxes_athlete_exercise", ["athlete_id", "exercise_id", "measured_on"], unique=False
        )
        batch_op.create_index("ix_maxes_org", ["organization_id"], unique=False)

    op.create_table(
        "training_sessions",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("organization_id", sa.String(length=16), nullable=False),
        sa.Column("athlete_id", sa.String(length=16), nullable=False),
        sa.Column("assignment_id", sa.String(length=16), nullable=True),
        sa.Column("program_session_id", sa.String(length=16), nullable=True),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("scheduled_for", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("session_rpe", sa.Integer(), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("readiness", sa.Integer(), nullable=True),
        sa.Column("pr_notice_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["athlete_id"], ["athletes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "athlete_id",
            "program_session_id",
            "scheduled_for",
            name="uq_training_sessions_athlete_slot_day",
        ),
    )
    with op.batch_alter_table("training_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_training_sessions_athlete_day", ["athlete_id", "scheduled_for"], unique=False
        )
        batch_op.create_index(
            "ix_training_sessions_org_finished", ["organization_id", "finished_at"], unique=False
        )

    op.create_table(
        "set_logs",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("organization_id", sa.String(length=16), nullable=False),
        sa.Column("athlete_id", sa.String(length=16), nullable=False),
        sa.Column("training_session_id", sa.String(length=16), nullable=False),
        sa.Column("exercise_id", sa.String(length=16), nullable=False),
        sa.Column("entry_id", sa.String(length=16), nullable=True),
        sa.Column("set_no", sa.Integer(), nullable=False),
        sa.Column("reps", sa.Integer(), nullable=True),
        sa.Column("kg", sa.Float(), nullable=True),
        sa.Column("seconds", sa.Integer(), nullable=True),
        sa.Column("meters", sa.Float(), nullable=True),
        sa.Column("rpe", sa.Float(), nullable=True),
        sa.Column("e1rm", sa.Float(), nullable=True),
        sa.Column("record", sa.String(length=8), nullable=True),
        sa.Column("skipped", sa.Boolean(), nullable=False),
        sa.Column("prescribed", sa.JSON(), nullable=True),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["athlete_id"], ["athletes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["exercise_id"], ["exercises.id"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["training_session_id"], ["training_sessions.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "training_session_id", "entry_id", "set_no", name="uq_set_logs_session_entry_set"
        ),
    )
    with op.batch_alter_table("set_logs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_set_logs_athlete_exercise_e1rm", ["athlete_id", "exercise_id", "e1rm"], unique=False
        )
        batch_op.create_index(
            "ix_set_logs_athlete_exercise_reps",
            ["athlete_id", "exercise_id", "reps", "kg"],
            unique=False,
        )
        batch_op.create_index("ix_set_logs_session", ["training_session_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("set_logs", schema=None) as batch_op:
        batch_op.drop_index("ix_set_logs_session")
        batch_op.drop_index("ix_set_logs_athlete_exercise_reps")
        batch_op.drop_index("ix_set_logs_athlete_exercise_e1rm")

    op.drop_table("set_logs")
    with op.batch_alter_table("training_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_training_sessions_org_finished")
        batch_op.drop_index("ix_training_sessions_athlete_day")

    op.drop_table("training_sessions")
    with op.batch_alter_table("maxes", schema=None) as batch_op:
        batch_op.drop_index("ix_maxes_org")
        batch_op.drop_index("ix_maxes_athlete_exercise")

    op.drop_table("maxes")
