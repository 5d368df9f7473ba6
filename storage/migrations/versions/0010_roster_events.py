"""Roster events: an athlete leaving a team, for the coaches' daily digest.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "roster_events",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("organization_id", sa.String(length=16), nullable=False),
        sa.Column("athlete_id", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["athlete_id"], ["athletes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("roster_events", schema=None) as batch_op:
        batch_op.create_index("ix_roster_events_org_at", ["organization_id", "at"])


def downgrade() -> None:
    with op.batch_alter_table("roster_events", schema=None) as batch_op:
        batch_op.drop_index("ix_roster_events_org_at")
    op.drop_table("roster_events")
