"""Programs: programs, their sessions and entries, assignments; team settings on organizations.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("timezone", sa.String(length=64), nullable=False, server_default="UTC")
        )
        batch_op.add_column(
            sa.Column("weight_unit", sa.String(length=2), nullable=False, server_default="kg")
        )
        batch_op.add_column(
            sa.Column("rounding_increment", sa.Float(), nullable=False, server_default="2.5")
        )
        batch_op.create_check_constraint(
            "ck_organizations_weight_unit", "weight_unit IN ('kg', 'lb')"
        )
        batch_op.create_check_constraint(
            "ck_organizations_rounding_increment",
            "rounding_increment > 0 AND rounding_increment <= 50",
        )

    op.create_table(
        "programs",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("organization_id", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_key", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("weeks", sa.Integer(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("weeks >= 1 AND weeks <= 52", name="ck_programs_weeks"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_programs_org_archived_key",
        "programs",
        ["organization_id", "archived_at", "name_key"],
    )

    op.create_table(
        "program_sessions",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("organization_id", sa.String(length=16), nullable=False),
        sa.Column("program_id", sa.String(length=16), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("weekday >= 1 AND weekday <= 7", name="ck_program_sessions_weekday"),
        sa.CheckConstraint("week >= 1 AND week <= 52", name="ck_program_sessions_week"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_program_sessions_program_day",
        "program_sessions",
        ["program_id", "week", "weekday", "position"],
    )

    op.create_table(
        "program_entries",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("organization_id", sa.String(length=16), nullable=False),
        sa.Column("session_id", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("group_label", sa.String(length=8), nullable=True),
        sa.Column("exercise_id", sa.String(length=16), nullable=False),
        sa.Column("prescription", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["program_sessions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["exercise_id"], ["exercises.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_program_entries_session_position", "program_entries", ["session_id", "position"]
    )
    op.create_index("ix_program_entries_exercise", "program_entries", ["exercise_id"])

    op.create_table(
        "assignments",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("organization_id", sa.String(length=16), nullable=False),
        sa.Column("athlete_id", sa.String(length=16), nullable=False),
        sa.Column("program_id", sa.String(length=16), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["athlete_id"], ["athletes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "uq_assignments_active_athlete",
        "assignments",
        ["athlete_id"],
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_index("ix_assignments_org_program", "assignments", ["organization_id", "program_id"])


def downgrade() -> None:
    op.drop_index("ix_assignments_org_program", table_name="assignments")
    op.drop_index("uq_assignments_active_athlete", table_name="assignments")
    op.drop_table("assignments")
    op.drop_index("ix_program_entries_exercise", table_name="program_entries")
    op.drop_index("ix_program_entries_session_position", table_name="program_entries")
    op.drop_table("program_entries")
    op.drop_index("ix_program_sessions_program_day", table_name="program_sessions")
    op.drop_table("program_sessions")
    op.drop_index("ix_programs_org_archived_key", table_name="programs")
    op.drop_table("programs")
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_constraint("ck_organizations_rounding_increment", type_="check")
        batch_op.drop_constraint("ck_organizations_weight_unit", type_="check")
        batch_op.drop_column("rounding_increment")
        batch_op.drop_column("weight_unit")
        batch_op.drop_column("timezone")
