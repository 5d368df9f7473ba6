"""The database itself refuses bad rows, whatever code writes them."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    Athlete,
    AthleteInvitation,
    Exercise,
    ExerciseProgression,
    MovementPattern,
    ProgressionDirection,
    User,
)
from storage.models.base import utcnow
from tests.storage.helpers import make_team, make_user


async def _refused(session: AsyncSession, *rows: object) -> None:
    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            session.add_all(rows)
            await session.flush()


async def test_telegram_user_id_is_unique(session: AsyncSession) -> None:
    await _refused(
        session,
        User(telegram_user_id=7, display_name="A"),
        User(telegram_user_id=7, display_name="B"),
    )


async def test_foreign_keys_are_enforced(session: AsyncSession) -> None:
    await _refused(session, Athlete(organization_id="no-such-team", name="Ghost"))


async def test_one_athlete_per_telegram_user_within_a_team(session: AsyncSession) -> None:
    seat = await make_team(session)
    user = await make_user(session)
    session.add(Athlete(organization_id=seat.organization_id, name="A", linked_user_id=user.id))
    await session.flush()
    await _refused(
        session, Athlete(organization_id=seat.organization_id, name="B", linked_user_id=user.id)
    )
    # ...while another team may have the same person as its athlete.
    other = await make_team(session, "Other")
    session.add(Athlete(organization_id=other.organization_id, name="A", linked_user_id=user.id))
    await session.flush()


async def test_custom_exercise_name_unique_in_team_ignoring_case(session: AsyncSession) -> None:
    seat = await make_team(session)

    def exercise(name: str, organization_id: str | None) -> Exercise:
        return Exercise(
            organization_id=organization_id,
            name=name,
            movement_pattern=MovementPattern.SQUAT,
            equipment="barbell",
        )

    session.add(exercise("Tempo Squat", seat.organization_id))
    await session.flush()
    await _refused(session, exercise("TEMPO squat", seat.organization_id))
    other = await make_team(session, "Other")
    session.add(exercise("Tempo Squat", other.organization_id))
    # The name of a curated exercise is allowed for a custom one.
    session.add(exercise("Back Squat", seat.organization_id))
    await session.flush()


async def test_no_self_progression_and_no_duplicate_edge(session: AsyncSession) -> None:
    seat = await make_team(session)
    first, second = (
        Exercise(
            organization_id=seat.organization_id,
            name=name,
            movement_pattern=MovementPattern.PUSH,
            equipment="band",
        )
        for name in ("First", "Second")
    )
    session.add_all([first, second])
    await session.flush()
    await _refused(
        session,
        ExerciseProgression(
            exercise_id=first.id,
            related_exercise_id=first.id,
            direction=ProgressionDirection.HARDER,
        ),
    )
    session.add(
        ExerciseProgression(
            exercise_id=first.id,
            related_exercise_id=second.id,
            direction=ProgressionDirection.HARDER,
        )
    )
    await session.flush()
    await _refused(
        session,
        ExerciseProgression(
            exercise_id=first.id,
            related_exercise_id=second.id,
            direction=ProgressionDirection.EASIER,
        ),
    )


async def test_invitation_token_hash_is_unique(session: AsyncSession) -> None:
    seat = await make_team(session)
    athlete = Athlete(organization_id=seat.organization_id, name="A")
    session.add(athlete)
    await session.flush()

    def invitation() -> AthleteInvitation:
        return AthleteInvitation(
            athlete_id=athlete.id,
            organization_id=seat.organization_id,
            token_hash="a" * 64,
            expires_at=utcnow() + timedelta(days=1),
        )

    session.add(invitation())
    await session.flush()
    await _refused(session, invitation())


async def test_enum_columns_refuse_unknown_values(session: AsyncSession) -> None:
    seat = await make_team(session)
    # Raw SQL, so that the database (not SQLAlchemy's Python-side check) is what refuses.
    with pytest.raises(DBAPIError):
        async with session.begin_nested():
            await session.execute(
                sa.text(
                    "INSERT INTO athletes"
                    " (id, organization_id, name, status, created_at, updated_at) VALUES"
                    " ('x1', :org, 'A', 'retired', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"org": seat.organization_id},
            )
