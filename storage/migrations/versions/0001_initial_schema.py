"""Initial schema: organizations, users, athletes, invitations, exercise library, bot state.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "bot_chat_data",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id"),
    )
    op.create_table(
        "bot_conversations",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", "key"),
    )
    op.create_table(
        "bot_user_data",
        sa.Column("telegram_user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("telegram_user_id"),
    )
    op.create_table(
        "deep_link_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("deep_link_failures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deep_link_failures_user_time", ["telegram_user_id", "created_at"], unique=False
        )

    op.create_table(
        "muscle_groups",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column(
            "body_region",
            sa.Enum("upper", "lower", "core", name="body_region", create_constraint=True),
            nullable=False,
        ),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "organizations",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("language_code", sa.String(length=16), nullable=True),
        sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("telegram_user_id"),
    )
    op.create_table(
        "athletes",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("organization_id", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("birthdate", sa.Date(), nullable=True),
        sa.Column(
            "gender",
            sa.Enum(
                "female",
                "male",
                "non_binary",
                "undisclosed",
                name="athlete_gender",
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "active", "inactive", "archived", name="athlete_status", create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("linked_user_id", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["linked_user_id"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "organization_id", "linked_user_id", name="uq_athletes_org_linked_user"
        ),
    )
    with op.batch_alter_table("athletes", schema=None) as batch_op:
        batch_op.create_index("ix_athletes_linked_user", ["linked_user_id"], unique=False)
        batch_op.create_index("ix_athletes_org_email", ["organization_id", "email"], unique=False)
        batch_op.create_index(
            "ix_athletes_org_status_name", ["organization_id", "status", "name"], unique=False
        )

    op.create_table(
        "exercises",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("organization_id", sa.String(length=16), nullable=True),
        sa.Column("slug", sa.String(length=80), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column(
            "movement_pattern",
            sa.Enum(
                "push",
                "pull",
                "hinge",
                "squat",
                "carry",
                "core",
                name="movement_pattern",
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("equipment", sa.String(length=40), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.create_index(
            "ix_exercises_org_pattern", ["organization_id", "movement_pattern"], unique=False
        )
        # A team's custom exercise names are unique regardless of case.
        batch_op.create_index(
            "uq_exercises_org_lower_name", ["organization_id", sa.text("lower(name)")], unique=True
        )

    op.create_table(
        "memberships",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("organization_id", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=16), nullable=False),
        sa.Column(
            "role",
            sa.Enum("owner", "coach", name="membership_role", create_constraint=True),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organization_id", "user_id", name="uq_memberships_org_user"),
    )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.create_index("ix_memberships_user", ["user_id"], unique=False)

    op.create_table(
        "athlete_invitations",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("athlete_id", sa.String(length=16), nullable=False),
        sa.Column("organization_id", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_by", sa.String(length=16), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["accepted_by"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["athlete_id"], ["athletes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("athlete_invitations", schema=None) as batch_op:
        batch_op.create_index("ix_athlete_invitations_athlete", ["athlete_id"], unique=False)

    op.create_table(
        "exercise_muscles",
        sa.Column("exercise_id", sa.String(length=16), nullable=False),
        sa.Column("muscle_group_id", sa.String(length=40), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["exercise_id"], ["exercises.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["muscle_group_id"],
            ["muscle_groups.id"],
        ),
        sa.PrimaryKeyConstraint("exercise_id", "muscle_group_id"),
    )
    with op.batch_alter_table("exercise_muscles", schema=None) as batch_op:
        batch_op.create_index(
            "ix_exercise_muscles_muscle", ["muscle_group_id", "is_primary"], unique=False
        )

    op.create_table(
        "exercise_progressions",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("exercise_id", sa.String(length=16), nullable=False),
        sa.Column("related_exercise_id", sa.String(length=16), nullable=False),
        sa.Column(
            "direction",
            sa.Enum("easier", "harder", name="progression_direction", create_constraint=True),
            nullable=False,
        ),
        sa.Column("organization_id", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "exercise_id <> related_exercise_id", name="ck_exercise_progressions_not_self"
        ),
        sa.ForeignKeyConstraint(["exercise_id"], ["exercises.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["related_exercise_id"], ["exercises.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "exercise_id", "related_exercise_id", name="uq_exercise_progressions_edge"
        ),
    )
    with op.batch_alter_table("exercise_progressions", schema=None) as batch_op:
        batch_op.create_index("ix_exercise_progressions_org", ["organization_id"], unique=False)
        batch_op.create_index(
            "ix_exercise_progressions_related", ["related_exercise_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("exercise_progressions", schema=None) as batch_op:
        batch_op.drop_index("ix_exercise_progressions_related")
        batch_op.drop_index("ix_exercise_progressions_org")

    op.drop_table("exercise_progressions")
    with op.batch_alter_table("exercise_muscles", schema=None) as batch_op:
        batch_op.drop_index("ix_exercise_muscles_muscle")

    op.drop_table("exercise_muscles")
    with op.batch_alter_table("athlete_invitations", schema=None) as batch_op:
        batch_op.drop_index("ix_athlete_invitations_athlete")

    op.drop_table("athlete_invitations")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index("ix_memberships_user")

    op.drop_table("memberships")
    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.drop_index("uq_exercises_org_lower_name")
        batch_op.drop_index("ix_exercises_org_pattern")

    op.drop_table("exercises")
    with op.batch_alter_table("athletes", schema=None) as batch_op:
        batch_op.drop_index("ix_athletes_org_status_name")
        batch_op.drop_index("ix_athletes_org_email")
        batch_op.drop_index("ix_athletes_linked_user")

    op.drop_table("athletes")
    op.drop_table("users")
    op.drop_table("organizations")
    op.drop_table("muscle_groups")
    with op.batch_alter_table("deep_link_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_deep_link_failures_user_time")

    op.drop_table("deep_link_failures")
    op.drop_table("bot_user_data")
    op.drop_table("bot_conversations")
    op.drop_table("bot_chat_data")
    for enum_name in (
        "athlete_gender",
        "athlete_status",
        "body_region",
        "membership_role",
        "movement_pattern",
        "progression_direction",
    ):
        sa.Enum(name=enum_name).drop(op.get_bind(), checkfirst=True)
