"""Readiness checks and notification settings (athletes' reminders, coaches' digests).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "readiness_checks",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("organization_id", sa.String(length=16), nullable=False),
        sa.Column("athlete_id", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sleep", sa.SmallInteger(), nullable=False),
        sa.Column("soreness", sa.SmallInteger(), nullable=False),
        sa.Column("stress", sa.SmallInteger(), nullable=False),
        sa.Column("energy", sa.SmallInteger(), nullable=False),
        sa.Column("total", sa.SmallInteger(), nullable=False),
        sa.Column("low", sa.Boolean(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["athlete_id"], ["athletes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("athlete_id", "day", name="uq_readiness_checks_athlete_day"),
    )
    with op.batch_alter_table("readiness_checks", schema=None) as batch_op:
        batch_op.create_index("ix_readiness_checks_org_day", ["organization_id", "day"])
    op.create_table(
        "notification_settings",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("organization_id", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=16), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("reminder", "digest", name="notice_kind", create_constraint=True),
            nullable=False,
        ),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("minute", sa.SmallInteger(), nullable=False),
        sa.Column("last_on", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "organization_id", "user_id", "kind", name="uq_notification_settings_org_user_kind"
        ),
    )


def downgrade() -> None:
    op.drop_table("notification_settings")
    with op.batch_alter_table("readiness_checks", schema=None) as batch_op:
        batch_op.drop_index("ix_readiness_checks_org_day")
    op.drop_table("readiness_checks")
    sa.Enum(name="notice_kind").drop(op.get_bind(), checkfirst=True)
