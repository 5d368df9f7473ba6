"""An index for search's fingerprint of a team's custom exercises (latest updated_at).

Search keeps each team's custom index cached while the team's latest change stays the same; with
this index that check is one index seek instead of a pass over the team's rows.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_exercises_org_updated", "exercises", ["organization_id", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_exercises_org_updated", table_name="exercises")
