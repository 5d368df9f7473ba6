"""A team's roster. Every function is scoped by organization_id."""

from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import SQLModel, col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.errors import Conflict, EmailTaken, ErrorCode, NotFound
from storage.models import (
    Assignment,
    Athlete,
    AthleteGender,
    AthleteInvitation,
    AthleteStatus,
    Organization,
    User,
)
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


# --- the roster page and the athlete card, one statement each ----------------------------------


class RosterEntry(NamedTuple):
    """One athlete's line in the roster: what its button shows (a tuple: cheap to build)."""

    id: str
    name: str
    status: AthleteStatus
    email: str | None
    phone: str | None
    birthdate: date | None
    created_at: datetime
    linked_user_id: str | None
    has_namesake: bool  # another athlete of the team (any status) has the same folded name


@dataclass(frozen=True)
class Roster:
    page: Page[RosterEntry]
    counts: dict[AthleteStatus, int]  # the whole team's athletes by status, whatever is shown


_ORG = sa.bindparam("organization_id", type_=sa.String)
_OFFSET = sa.bindparam("offset", type_=sa.Integer)
_LIMIT = sa.bindparam("limit", type_=sa.Integer)
_ONE = sa.literal_column("1", sa.Integer)
# Core tables: rows of plain values, no ORM loading (a third of a roster page's CPU otherwise).
_ATHLETES_TABLE = SQLModel.metadata.tables[str(Athlete.__tablename__)]
_ATHLETES = _ATHLETES_TABLE.c
_PAGE_COLUMNS = len(AthleteStatus) + 1  # where a roster row's page columns start


@functools.cache
def _view_filter(statuses: int | None, by_name: bool) -> tuple[sa.ColumnElement[bool], ...]:
    """The roster filter with one bound parameter per status (status_0...): no expanding IN."""
    conditions: list[sa.ColumnElement[bool]] = [_ATHLETES.organization_id == _ORG]
    if statuses is not None:
        slots = [sa.bindparam(f"status_{n}", type_=_ATHLETES.status.type) for n in range(statuses)]
        conditions.append(_ATHLETES.status.in_(slots) if slots else sa.false())
    if by_name:
        conditions.append(_ATHLETES.name_key.like(sa.bindparam("name_pattern"), escape="/"))
    return tuple(conditions)


@functools.cache
def _roster_view(statuses: int | None, by_name: bool) -> Any:
    """The team's counts by status, the page's rows and each row's namesake flag, one statement.

    The counts are an aggregate without GROUP BY: exactly one row, even for an empty roster.
    The page (ORDER BY, LIMIT, OFFSET: the name-key index, like list_athletes) is LEFT JOINed to
    it, so no row of the page is one row of NULLs. Its OFFSET is clamp_offset's rule in SQL (a
    stale offset past the end shows the last page); it counts the filtered rows itself, as an
    OFFSET can't see the counts beside it. A namesake is another athlete of the team with the
    same name key, whatever its status or the filter (EXISTS on ix_athletes_org_name_key).
    Window functions did the same in one pass but cost SQLite three times as much.
    """
    conditions = _view_filter(statuses, by_name)
    shown = sa.and_(*conditions[1:]) if len(conditions) > 1 else None
    team = (
        sa.select(
            *(
                func.count()
                .filter(_ATHLETES.status == sa.literal_column(f"'{status.value}'"))
                .label(status.value)
                for status in AthleteStatus
            ),
            (func.count().filter(shown) if shown is not None else func.count()).label("total"),
        )
        .where(_ATHLETES.organization_id == _ORG)
        .subquery("team")
    )
    rows = func.count() - _ONE
    last = rows - rows % _LIMIT  # the last page's offset (0 when there are none)
    offset = (
        sa.select(sa.case((last > _OFFSET, _OFFSET), else_=last))
        .select_from(_ATHLETES_TABLE)
        .where(*conditions)
        .scalar_subquery()
    )
    page = (
        sa.select(
            _ATHLETES.id,
            _ATHLETES.name,
            _ATHLETES.status,
            _ATHLETES.email,
            _ATHLETES.phone,
            _ATHLETES.birthdate,
            _ATHLETES.created_at,
            _ATHLETES.linked_user_id,
            _ATHLETES.name_key,
        )
        .where(*conditions)
        .order_by(_ATHLETES.name_key, _ATHLETES.id)
        .limit(_LIMIT)
        .offset(offset)
        .subquery("page")
    )
    other = _ATHLETES_TABLE.alias("namesake")
    namesake = sa.exists().where(
        other.c.organization_id == _ORG,
        other.c.name_key == page.c.name_key,
        other.c.id != page.c.id,
    )
    return (
        sa.select(*team.c, *page.c[:8], namesake)
        .select_from(team.outerjoin(page, sa.true()))
        .order_by(page.c.name_key, page.c.id)
    )


async def read_roster(
    session: AsyncSession,
    *,
    organization_id: str,
    statuses: Collection[AthleteStatus] | None = None,
    name_filter: str | None = None,
    offset: int = 0,
    limit: int = 10,
) -> Roster:
    """A roster page sorted by name with the team's counts by status, in one statement.

    Same rules as list_athletes (a stale offset past the end shows the last page; `statuses`
    None is everyone; the name filter matches folded names) and count_athletes_by_status.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    params: dict[str, Any] = {
        "organization_id": organization_id,
        "offset": max(0, offset),
        "limit": limit,
    }
    shown: int | None = None
    if statuses is not None:
        distinct = sorted({AthleteStatus(value) for value in statuses})
        if len(distinct) < len(AthleteStatus):  # every status is no filter at all
            shown = len(distinct)
            params.update((f"status_{n}", status) for n, status in enumerate(distinct))
    if name_filter and (key := fold_key(name_filter)):
        params["name_pattern"] = f"%{like_escape(key)}%"
    result = await session.exec(_roster_view(shown, "name_pattern" in params), params=params)
    rows = result.all()
    head = rows[0]  # the counts by status, the filtered total, then the page's columns
    counts = dict(zip(AthleteStatus, head[: _PAGE_COLUMNS - 1], strict=True))
    total = head[_PAGE_COLUMNS - 1]
    items = [RosterEntry(*row[_PAGE_COLUMNS:]) for row in rows if row[_PAGE_COLUMNS] is not None]
    offset = clamp_offset(offset, total=total, limit=limit)  # what the SQL above picked
    return Roster(Page(items=items, total=total, offset=offset, limit=limit), counts)


@dataclass(frozen=True)
class LinkedAccount:
    username: str | None
    display_name: str


@dataclass(frozen=True)
class AthleteCard:
    """What the athlete card shows, read in one statement."""

    id: str
    organization_id: str
    name: str
    status: AthleteStatus
    email: str | None
    phone: str | None
    birthdate: date | None
    gender: AthleteGender | None
    notes: str | None
    linked_user_id: str | None
    account: LinkedAccount | None  # the bound Telegram account, when there is one
    invitation_expires: datetime | None  # of the newest live invite link, if any
    has_program: bool  # an active assignment (the card's program lines are read separately)


def _card_statement() -> Any:
    tables = SQLModel.metadata.tables
    athletes = _ATHLETES
    invitations = tables[str(AthleteInvitation.__tablename__)].c
    assignments = tables[str(Assignment.__tablename__)].c
    user_table = tables[str(User.__tablename__)]
    users = user_table.c
    invitation = (  # get_pending_invitation's rule: the newest live link
        sa.select(invitations.expires_at)
        .where(
            invitations.organization_id == _ORG,
            invitations.athlete_id == athletes.id,
            invitations.accepted_at.is_(None),
            invitations.revoked_at.is_(None),
            invitations.expires_at > sa.bindparam("now", type_=invitations.expires_at.type),
        )
        .order_by(invitations.created_at.desc(), invitations.id)
        .limit(_ONE)
        .scalar_subquery()
    )
    program = sa.exists().where(  # an active assignment (uq_assignments_active_athlete)
        assignments.organization_id == _ORG,
        assignments.athlete_id == athletes.id,
        assignments.ended_at.is_(None),
    )
    return (
        sa.select(
            athletes.id,
            athletes.organization_id,
            athletes.name,
            athletes.status,
            athletes.email,
            athletes.phone,
            athletes.birthdate,
            athletes.gender,
            athletes.notes,
            athletes.linked_user_id,
            users.id,
            users.username,
            users.display_name,
            invitation,
            program,
        )
        .select_from(_ATHLETES_TABLE.outerjoin(user_table, users.id == athletes.linked_user_id))
        .where(
            athletes.id == sa.bindparam("athlete_id", type_=sa.String),
            athletes.organization_id == _ORG,
        )
    )


_CARD = _card_statement()


async def read_card(
    session: AsyncSession, *, organization_id: str, athlete_id: str, now: datetime
) -> AthleteCard:
    """The athlete card's facts: the athlete, its Telegram account, live invite, program or not.

    Raises NotFound when the athlete is not the team's.
    """
    result = await session.exec(
        _CARD, params={"organization_id": organization_id, "athlete_id": athlete_id, "now": now}
    )
    row = result.first()
    if row is None:
        raise NotFound(ErrorCode.ATHLETE_NOT_FOUND)
    (id_, team, name, status, email, phone, birthdate, gender, notes, linked_user_id) = row[:10]
    account_id, username, display_name, invitation_expires, has_program = row[10:]
    return AthleteCard(
        id=id_,
        organization_id=team,
        name=name,
        status=status,
        email=email,
        phone=phone,
        birthdate=birthdate,
        gender=gender,
        notes=notes,
        linked_user_id=linked_user_id,
        account=None if account_id is None else LinkedAccount(username, display_name),
        invitation_expires=invitation_expires,
        has_program=has_program,
    )


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
