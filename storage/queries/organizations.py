"""Teams and the coaches who run them."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import caller_cache, validation
from storage.errors import FieldError, InvalidInput, Subject
from storage.models import Athlete, Membership, MembershipRole, Organization, User
from storage.queries.users import save_user


@dataclass(frozen=True)
class CoachSeat:
    """A coach's organization and role: what most handlers need to know about the caller."""

    organization: Organization
    membership: Membership

    @property
    def organization_id(self) -> str:
        return self.organization.id


def clean_team_name(text: str) -> str:
    try:
        return validation.clean_title(
            text, subject=Subject.TEAM_NAME, limit=validation.TEAM_NAME_MAX
        )
    except FieldError as error:
        raise InvalidInput.from_field_error("name", error) from None


async def create_organization(session: AsyncSession, *, name: str, owner_user_id: str) -> CoachSeat:
    organization = Organization(name=clean_team_name(name))
    session.add(organization)
    await session.flush()
    membership = Membership(
        organization_id=organization.id, user_id=owner_user_id, role=MembershipRole.OWNER
    )
    session.add(membership)
    await session.flush()
    return CoachSeat(organization=organization, membership=membership)


_ORGANIZATIONS: sa.Table = Organization.__table__  # type: ignore[attr-defined]


async def create_first_team(session: AsyncSession, *, name: str, owner: User) -> CoachSeat | None:
    """A new coach's team and owner seat, unless an athlete record was bound to the owner
    meanwhile (an invite tapped while asked for the team name): then None, nothing written.

    The check rides in the team's INSERT (.. SELECT .. WHERE NOT EXISTS), not in a read of its
    own: one round trip fewer. Once the update commits, the caller cache keeps the new seat.
    """
    organization = Organization(name=clean_team_name(name))
    row = {column.name: getattr(organization, column.name) for column in _ORGANIZATIONS.columns}
    bound = select(
        *(sa.literal(row[column.name], column.type) for column in _ORGANIZATIONS.columns)
    ).where(~sa.exists().where(col(Athlete.linked_user_id) == owner.id))
    inserted = await session.execute(
        sa.insert(_ORGANIZATIONS).from_select(list(row), bound).returning(_ORGANIZATIONS.c.id),
        # A team nobody has seen yet: only its owner's cached entry changes.
        execution_options={caller_cache.CALLER_KEY: owner.telegram_user_id},
    )
    if inserted.first() is None:
        return None
    make_transient_to_detached(organization)  # as if loaded: it is in the database now
    membership = Membership(
        organization_id=organization.id, user_id=owner.id, role=MembershipRole.OWNER
    )
    session.add(membership)
    await session.flush()
    seat = CoachSeat(organization=organization, membership=membership)
    assert session.bind is not None
    caller_cache.keep_when_committed(
        session.sync_session,
        caller_cache.cache_for(session.bind.sync_engine),
        owner.telegram_user_id,
        owner,
        seat,
    )
    return seat


async def get_coach_seat(session: AsyncSession, *, user_id: str) -> CoachSeat | None:
    """The team the user coaches (the oldest seat if, one day, there are several)."""
    result = await session.exec(
        select(Membership, Organization)
        .join(Organization, col(Organization.id) == col(Membership.organization_id))
        .where(col(Membership.user_id) == user_id)
        .order_by(col(Membership.created_at), col(Membership.id))
        .limit(1)
    )
    row = result.first()
    if row is None:
        return None
    membership, organization = row
    return CoachSeat(organization=organization, membership=membership)


async def get_organization(session: AsyncSession, *, organization_id: str) -> Organization | None:
    return await session.get(Organization, organization_id)


async def list_coaches(session: AsyncSession, *, organization_id: str) -> list[User]:
    result = await session.exec(
        select(User)
        .join(Membership, col(Membership.user_id) == col(User.id))
        .where(col(Membership.organization_id) == organization_id)
        .order_by(col(Membership.created_at))
    )
    return list(result.all())


# Built once: building a statement of three entities costs more than running it (bench/).
_USER_AND_SEAT = (
    select(User, Membership, Organization)
    .outerjoin(Membership, col(Membership.user_id) == col(User.id))
    .outerjoin(Organization, col(Organization.id) == col(Membership.organization_id))
    .where(col(User.telegram_user_id) == sa.bindparam("telegram_user_id"))
    .order_by(col(Membership.created_at), col(Membership.id))
    .limit(1)
)


async def get_user_and_seat(
    session: AsyncSession, *, telegram_user_id: int
) -> tuple[User | None, CoachSeat | None]:
    """The user and the team they coach, in one query: most updates need nothing more.

    Kept between updates (storage.caller_cache): most updates then read nothing here. The rows
    returned are detached and shared: read them, never change them.
    """
    assert session.bind is not None
    caller_cache.note_loaded(session.sync_session, telegram_user_id)
    cache = caller_cache.cache_for(session.bind.sync_engine)
    entry = cache.get(telegram_user_id)
    if entry is not None:
        return entry.user, entry.seat
    epoch = caller_cache.epoch()
    result = await session.exec(_USER_AND_SEAT, params={"telegram_user_id": telegram_user_id})
    row = result.first()
    if row is None:
        return None, None
    user, membership, organization = row
    seat = None
    if membership is not None and organization is not None:
        seat = CoachSeat(organization=organization, membership=membership)
    if caller_cache.epoch() == epoch:
        # Detached, so that this session's rollback can't expire rows other updates read.
        for loaded in (user, membership, organization):
            if loaded is not None:
                session.expunge(loaded)
        cache.put(telegram_user_id, user, seat)
    return user, seat


@dataclass(frozen=True)
class SavedCaller:
    user: User
    seat: CoachSeat | None
    # A new user: no team seat or athlete record can refer to them yet.
    created: bool


async def refresh_caller(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    display_name: str,
    username: str | None,
    language_code: str | None,
    known: tuple[User | None, CoachSeat | None],
) -> SavedCaller:
    """Save a new caller, or a known one's new Telegram profile (or return after blocking the
    bot): one statement. `known` is what `get_user_and_seat` returned for them.

    Once the update commits, the caller cache keeps the saved rows, so the next update reads
    nothing either.
    """
    known_user, seat = known
    saved = await save_user(
        session,
        telegram_user_id=telegram_user_id,
        display_name=display_name,
        username=username,
        language_code=language_code,
    )
    if known_user is None and not saved.created:
        # Created by another update since our read: it may have a team already.
        seat = await get_coach_seat(session, user_id=saved.user.id)
    assert session.bind is not None
    caller_cache.keep_when_committed(
        session.sync_session,
        caller_cache.cache_for(session.bind.sync_engine),
        telegram_user_id,
        saved.user,
        seat,
    )
    return SavedCaller(user=saved.user, seat=seat, created=saved.created)
