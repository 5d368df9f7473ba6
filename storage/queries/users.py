"""Telegram accounts the bot has met."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.caller_cache import CALLER_KEY
from storage.models import User
from storage.models.base import new_id, utcnow


@dataclass(frozen=True)
class SavedUser:
    user: User
    # This statement inserted the row: nothing (a team seat, an athlete record) refers to it yet.
    created: bool


async def save_user(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    display_name: str,
    username: str | None = None,
    language_code: str | None = None,
) -> SavedUser:
    """Create or refresh the user in one statement, so two first updates can't race; the row
    comes back from the same statement (RETURNING), not from a second read."""
    new_user_id = new_id()
    values = {
        "id": new_user_id,
        "telegram_user_id": telegram_user_id,
        "display_name": display_name[:200] or str(telegram_user_id),
        "username": username,
        "language_code": language_code,
        "created_at": utcnow(),
        # Talking to the bot again means it is no longer blocked.
        "blocked_at": None,
    }
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(User).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["telegram_user_id"],
        set_={
            "display_name": statement.excluded.display_name,
            "username": statement.excluded.username,
            "language_code": statement.excluded.language_code,
            "blocked_at": None,
        },
    )
    result = await session.scalars(
        statement.returning(User),
        # populate_existing: a copy this session loaded earlier takes the new values.
        execution_options={"populate_existing": True, CALLER_KEY: telegram_user_id},
    )
    user = result.one()
    return SavedUser(user=user, created=user.id == new_user_id)


async def upsert_user(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    display_name: str,
    username: str | None = None,
    language_code: str | None = None,
) -> User:
    saved = await save_user(
        session,
        telegram_user_id=telegram_user_id,
        display_name=display_name,
        username=username,
        language_code=language_code,
    )
    return saved.user


async def get_user_by_telegram_id(session: AsyncSession, *, telegram_user_id: int) -> User | None:
    result = await session.exec(
        select(User)
        .where(col(User.telegram_user_id) == telegram_user_id)
        .execution_options(populate_existing=True)
    )
    return result.first()


async def get_user(session: AsyncSession, *, user_id: str) -> User | None:
    return await session.get(User, user_id)


async def mark_user_blocked(session: AsyncSession, *, telegram_user_id: int) -> None:
    await session.execute(
        sa.update(User)
        .where(col(User.telegram_user_id) == telegram_user_id)
        .values(blocked_at=utcnow())
        .execution_options(**{CALLER_KEY: telegram_user_id})
    )
