"""A team's roster. Every function is scoped by organization_id."""

from __future__ import annotations

import functools
from collections.abc import Collection
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.errors import Conflict, EmailTaken, ErrorCode, NotFound
from storage.models import Athlete, AthleteStatus, Organization
from storage.models.base import utcnow
from storage.queries.paging import Page, clamp_offset
from storage.schemas import AthleteCreate, AthleteUpdate
from storage.validation import fold_key

AthletePage = Page[Athlete]


async def create_athlete(
    session: AsyncSession,
    *,
    organization_id: str,
    data: AthleteCreate,
    athlete_id: str | None = None,
) -> Athlete:
    """Insert an athlete. A caller-chosen id makes a repeated Save create nothing new.

    Raises EmailTaken when another athlete of the team has the email (the rule edits share).
    """
    if athlete_id is not None:
        existing = await session.get(Athlete, athlete_id)
        if existing is not None:
            if existing.organization_id != organization_id:
                raise Conflict(ErrorCode.ATHLETE_ID_TAKEN)
            return existing
    if data.email is not None:
        await check_email_free(session, organization_id=organization_id, email=data.email)
    athlete = Athlete(organization_id=organization_id, **data.model_dump())
    if athlete_id is not None:
        athlete.id = athlete_id
    session.add(athlete)
    await session.flush()
    return athlete


async def get_athlete(session: AsyncSession, *, organization_id: str, athlete_id: str) -> Athlete:
    athlete = await session.get(Athlete, athlete_id, populate_existing=True)
    if athlete is None or athlete.organization_id != organization_id:
        raise NotFound(ErrorCode.ATHLETE_NOT_FOUND)
    return athlete


async def find_athlete_by_email(
    session: AsyncSession, *, organization_id: str, email: str
) -> Athlete | None:
    result = await session.exec(
        select(Athlete).where(
            col(Athlete.organization_id) == organization_id,
            func.lower(col(Athlete.email)) == email.lower(),
        )
    )
    return result.first()


async def check_email_free(
    session: AsyncSession, *, organization_id: str, email: str, except_id: str | None = None
) -> None:
    """The one email rule, for adding and editing: unique within a team, case-insensitively."""
    holder = await find_athlete_by_email(session, organization_id=organization_id, email=email)
    if holder is not None and holder.id != except_id:
        raise EmailTaken(holder.id, holder.name)


async def find_namesakes(
    session: AsyncSession, *, organization_id: str, name: str, except_id: str | None = None
) -> list[Athlete]:
    """Athletes of the team whose name folds to the same key ("Zoë" and "zoe" are namesakes)."""
    query = select(Athlete).where(
        col(Athlete.organization_id) == organization_id,
        col(Athlete.name_key) == fold_key(name),
    )
    if except_id is not None:
        query = query.where(col(Athlete.id) != except_id)
    result = await session.exec(query.order_by(col(Athlete.created_at), col(Athlete.id)))
    return list(result.all())


async def count_namesakes(
    session: AsyncSession, *, organization_id: str, athletes: list[Athlete]
) -> dict[str, int]:
    """For each of these athletes' name keys, how many athletes of the team share it.

    A list shows a distinguishing detail next to a name only when the count is above one.
    """
    keys = {athlete.name_key for athlete in athletes}
    if not keys:
        return {}
    result = await session.exec(
        _NAMESAKE_COUNTS, params={"organization_id": organization_id, "keys": sorted(keys)}
    )
    return {key: count for key, count in result.all()}


# The roster's statements are built once (building one costs more than running it, bench/);
# what varies is a bound parameter, and which filters apply picks one of four shapes.
_NAMESAKE_COUNTS = (
    select(col(Athlete.name_key), func.count())
    .where(
        col(Athlete.organization_id) == sa.bindparam("organization_id"),
        col(Athlete.name_key).in_(sa.bindparam("keys", expanding=True)),
    )
    .group_by(col(Athlete.name_key))
)
_STATUS_COUNTS = (
    select(col(Athlete.status), func.count())
    .where(col(Athlete.organization_id) == sa.bindparam("organization_id"))
    .group_by(col(Athlete.status))
)


def like_escape(text: str) -> str:
    """Text for a LIKE pattern with ESCAPE '/': its own % and _ match only themselves."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


@functools.cache
def _roster_filter(by_status: bool, by_name: bool) -> tuple[sa.ColumnElement[bool], ...]:
    conditions: list[sa.ColumnElement[bool]] = [
        col(Athlete.organization_id) == sa.bindparam("organization_id")
    ]
    if by_status:
        conditions.append(col(Athlete.status).in_(sa.bindparam("statuses", expanding=True)))
    if by_name:
        conditions.append(col(Athlete.name_key).like(sa.bindparam("name_pattern"), escape="/"))
    return tuple(conditions)


@functools.cache
def _roster_count(by_status: bool, by_name: bool) -> Any:
    return select(func.count()).select_from(Athlete).where(*_roster_filter(by_status, by_name))


@functools.cache
def _roster_page(by_status: bool, by_name: bool) -> Any:
    return (
        select(Athlete)
        .where(*_roster_filter(by_status, by_name))
        .order_by(col(Athlete.name_key), col(Athlete.id))
        .offset(sa.bindparam("offset"))
        .limit(sa.bindparam("limit"))
    )


async def list_athletes(
    session: AsyncSession,
    *,
    organization_id: str,
    status: AthleteStatus | None = None,
    statuses: Collection[AthleteStatus] | None = None,
    name_filter: str | None = None,
    offset: int = 0,
    limit: int = 10,
    total: int | None = None,
) -> AthletePage:
    """A page of the roster sorted by name; a stale offset past the end shows the last page.

    `status` or `statuses` keep only those statuses (neither: everyone); the name filter
    matches folded names (case and accents ignored). `total` may be given when the caller
    already knows it (from count_athletes_by_status).
    """
    if status is not None:
        statuses = [status]
    params: dict[str, Any] = {"organization_id": organization_id}
    if statuses is not None:
        params["statuses"] = [AthleteStatus(value) for value in statuses]
    if name_filter and (key := fold_key(name_filter)):
        params["name_pattern"] = f"%{like_escape(key)}%"
    shape = (statuses is not None, "name_pattern" in params)
    if total is None:
        total = (await session.exec(_roster_count(*shape), params=params)).one()
    offset = clamp_offset(offset, total=total, limit=limit)
    result = await session.exec(
        _roster_page(*shape), params={**params, "offset": offset, "limit": limit}
    )
    return AthletePage(items=list(result.all()), total=total, offset=offset, limit=limit)


async def count_athletes_by_status(
    session: AsyncSession, *, organization_id: str
) -> dict[AthleteStatus, int]:
    result = await session.exec(_STATUS_COUNTS, params={"organization_id": organization_id})
    counts = dict.fromkeys(AthleteStatus, 0)
    for status, count in result.all():
        counts[AthleteStatus(status)] = count
    return counts


async def update_athlete(
    session: AsyncSession, *, organization_id: str, athlete_id: str, changes: AthleteUpdate
) -> Athlete:
    athlete = await get_athlete(session, organization_id=organization_id, athlete_id=athlete_id)
    values = changes.model_dump(exclude_unset=True)
    if values.get("email") is not None:
        await check_email_free(
            session, organization_id=organization_id, email=values["email"], except_id=athlete_id
        )
    for key, value in values.items():
        setattr(athlete, key, value)
    athlete.updated_at = utcnow()
    session.add(athlete)
    await session.flush()
    return athlete


async def set_athlete_status(
    session: AsyncSession, *, organization_id: str, athlete_id: str, status: AthleteStatus
) -> Athlete:
    return await update_athlete(
        session,
        organization_id=organization_id,
        athlete_id=athlete_id,
        changes=AthleteUpdate(status=status),
    )


async def link_athlete(
    session: AsyncSession, *, organization_id: str, athlete_id: str, user_id: str
) -> Athlete:
    athlete = await get_athlete(session, organization_id=organization_id, athlete_id=athlete_id)
    if athlete.linked_user_id not in (None, user_id):
        raise Conflict(ErrorCode.ATHLETE_LINKED_ELSEWHERE)
    other = await session.exec(
        select(col(Athlete.id)).where(
            col(Athlete.organization_id) == organization_id,
            col(Athlete.linked_user_id) == user_id,
            col(Athlete.id) != athlete_id,
        )
    )
    if other.first() is not None:
        # The unique constraint would refuse it too; say it in words first.
        raise Conflict(ErrorCode.ACCOUNT_ALREADY_ATHLETE)
    athlete.linked_user_id = user_id
    athlete.updated_at = utcnow()
    session.add(athlete)
    await session.flush()
    return athlete


async def unlink_athlete(
    session: AsyncSession, *, organization_id: str, athlete_id: str
) -> Athlete:
    athlete = await get_athlete(session, organization_id=organization_id, athlete_id=athlete_id)
    athlete.linked_user_id = None
    athlete.updated_at = utcnow()
    session.add(athlete)
    await session.flush()
    return athlete


_PROFILES = (
    select(Athlete, Organization)
    .join(Organization, col(Organization.id) == col(Athlete.organization_id))
    .where(col(Athlete.linked_user_id) == sa.bindparam("user_id"))
    .order_by(col(Organization.name))
)


async def list_athlete_profiles(
    session: AsyncSession, *, user_id: str
) -> list[tuple[Athlete, Organization]]:
    """Every athlete record bound to this Telegram account, across teams (for /me)."""
    result = await session.exec(_PROFILES, params={"user_id": user_id})
    return [(athlete, organization) for athlete, organization in result.all()]
