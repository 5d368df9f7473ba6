"""Small builders for storage tests (real rows through the real query functions)."""

from __future__ import annotations

import itertools

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import User
from storage.queries.organizations import CoachSeat, create_organization
from storage.queries.users import upsert_user

_ids = itertools.count(50_000)


async def make_user(session: AsyncSession, name: str = "Cora Lane") -> User:
    return await upsert_user(session, telegram_user_id=next(_ids), display_name=name)


async def make_team(session: AsyncSession, name: str = "Northside Barbell") -> CoachSeat:
    owner = await make_user(session, f"Owner of {name}")
    return await create_organization(session, name=name, owner_user_id=owner.id)
