"""The PR sweep: a partial index on training sessions left open whose coach notice is unsent.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNNOTICED = "finished_at IS NULL AND pr_notice_sent_at IS NULL"


def upgrade() -> None:
    op.create_index(
        "ix_training_sessions_unnoticed",
        "training_sessions",
        ["scheduled_for"],
        sqlite_where=sa.text(UNNOTICED),
        postgresql_where=sa.text(UNNOTICED),
    )


def downgrade() -> None:
    op.drop_index("ix_training_sessions_unnoticed", table_name="training_sessions")
