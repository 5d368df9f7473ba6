"""A new coach's team (storage.queries.organizations.create_first_team)."""

from __future__ import annotations

import pytest
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.errors import InvalidInput
from storage.models import Membership, MembershipRole, Organization
from storage.queries.athletes import create_athlete, link_athlete
from storage.queries.organizations import create_first_team, get_coach_seat
from storage.schemas import AthleteCreate
from tests.storage.helpers import make_team, make_user


async def teams(session: AsyncSession) -> int:
    return (await session.exec(select(func.count()).select_from(Organization))).one()


async def test_the_team_and_its_owner_seat_are_saved(session: AsyncSession) -> None:
    owner = await make_user(session)
    seat = await create_first_team(session, name="  Northside   Barbell ", owner=owner)
    assert seat is not None and seat.organization.name == "Northside Barbell"
    assert seat.membership.role == MembershipRole.OWNER
    saved = await get_coach_seat(session, user_id=owner.id)
    assert saved is not None and saved.organization_id == seat.organization_id
    row = await session.get(Organization, seat.organization_id)
    assert row is not None
    for field in ("name", "created_at", "timezone", "weight_unit", "rounding_increment"):
        assert getattr(row, field) == getattr(seat.organization, field), field


async def test_someone_bound_to_an_athlete_record_gets_no_team(session: AsyncSession) -> None:
    other = await make_team(session, "Riverside Lifting")
    athlete = await create_athlete(
        session, organization_id=other.organization_id, data=AthleteCreate(name="Maya Lopez")
    )
    maya = await make_user(session, "Maya")
    await link_athlete(
        session, organization_id=other.organization_id, athlete_id=athlete.id, user_id=maya.id
    )
    before = await teams(session)
    assert await create_first_team(session, name="Maya's Team", owner=maya) is None
    assert await teams(session) == before
    memberships = await session.exec(select(Membership).where(col(Membership.user_id) == maya.id))
    assert memberships.all() == []


async def test_a_bad_name_is_refused_before_anything_is_written(session: AsyncSession) -> None:
    owner = await make_user(session)
    before = await teams(session)
    with pytest.raises(InvalidInput):
        await create_first_team(session, name="12345", owner=owner)
    assert await teams(session) == before
