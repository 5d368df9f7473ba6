"""Folded athlete name keys for the roster filter; exercise copies remember their source.

athletes.name_key holds the name casefolded with accents removed (storage.validation.fold_key),
computed in Python: SQLite's lower() folds only ASCII, so "Иван" was not found by "иван".
exercises.copied_from_id lets a second "Copy to ours" open the team's existing copy. Existing
custom exercises named exactly like a curated one (same pattern and equipment) count as its copy.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.validation import fold_key

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 500


def _fill_name_keys() -> None:
    connection = op.get_bind()
    athletes = sa.table("athletes", sa.column("id"), sa.column("name"), sa.column("name_key"))
    rows = connection.execute(sa.select(athletes.c.id, athletes.c.name)).all()
    for start in range(0, len(rows), _BATCH):
        chunk = rows[start : start + _BATCH]
        connection.execute(
            athletes.update()
            .where(athletes.c.id == sa.bindparam("athlete_id"))
            .values(name_key=sa.bindparam("key")),
            [{"athlete_id": row.id, "key": fold_key(row.name)} for row in chunk],
        )


def _restore_lower_name_index() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite's batch copy of the table drops the expression index; put it back.
        op.create_index(
            "uq_exercises_org_lower_name",
            "exercises",
            ["organization_id", sa.text("lower(name)")],
            unique=True,
            if_not_exists=True,
        )


def upgrade() -> None:
    with op.batch_alter_table("athletes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(400), nullable=True))
    _fill_name_keys()
    with op.batch_alter_table("athletes", schema=None) as batch_op:
        batch_op.alter_column("name_key", existing_type=sa.String(400), nullable=False)
        batch_op.create_index("ix_athletes_org_name_key", ["organization_id", "name_key"])

    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.add_column(sa.Column("copied_from_id", sa.String(16), nullable=True))
        batch_op.create_foreign_key(
            "fk_exercises_copied_from_id",
            "exercises",
            ["copied_from_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index("ix_exercises_org_copied_from", ["organization_id", "copied_from_id"])
    _restore_lower_name_index()
    op.execute(
        """
        UPDATE exercises SET copied_from_id = (
            SELECT curated.id FROM exercises AS curated
            WHERE curated.organization_id IS NULL
              AND lower(curated.name) = lower(exercises.name)
              AND curated.movement_pattern = exercises.movement_pattern
              AND curated.equipment = exercises.equipment
            LIMIT 1
        )
        WHERE organization_id IS NOT NULL
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.drop_index("ix_exercises_org_copied_from")
        batch_op.drop_constraint("fk_exercises_copied_from_id", type_="foreignkey")
        batch_op.drop_column("copied_from_id")
    _restore_lower_name_index()
    with op.batch_alter_table("athletes", schema=None) as batch_op:
        batch_op.drop_index("ix_athletes_org_name_key")
        batch_op.drop_column("name_key")
