"""Progression links are unique per team: two teams may link the same pair of exercises.

0001 made (exercise_id, related_exercise_id) unique across all teams, so a second team linking
two curated exercises that another team had already linked failed with an integrity error.
Curated links (no team) still count as one team of their own.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("exercise_progressions", schema=None) as batch_op:
        batch_op.drop_constraint("uq_exercise_progressions_edge", type_="unique")
    # Outside the batch: SQLite's table copy can't carry an expression index.
    op.create_index(
        "uq_exercise_progressions_team_edge",
        "exercise_progressions",
        ["exercise_id", "related_exercise_id", sa.text("coalesce(organization_id, '')")],
        unique=True,
    )


def downgrade() -> None:
    # Fails if two teams have linked the same pair meanwhile: remove one of the links first.
    op.drop_index("uq_exercise_progressions_team_edge", table_name="exercise_progressions")
    with op.batch_alter_table("exercise_progressions", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            "uq_exercise_progressions_edge", ["exercise_id", "related_exercise_id"]
        )
