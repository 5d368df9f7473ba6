"""The roster page and the athlete card read in one statement each (read_roster, read_card).

The many-query functions they replace on the hot path (list_athletes, count_athletes_by_status,
count_namesakes; get_athlete, get_pending_invitation, the assignment lookup) stay, and are the
oracle here: the one-statement reads must say exactly what they say, on both databases.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection
from datetime import date, timedelta

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.errors import NotFound
from storage.models import Athlete, AthleteInvitation, AthleteStatus
from storage.models.base import utcnow
from storage.queries import athletes as q
from storage.queries import invitations, programs
from storage.queries.users import upsert_user
from storage.schemas import AthleteCreate
from tests.storage.helpers import make_team, make_user

ACTIVE, INACTIVE, ARCHIVED = AthleteStatus.ACTIVE, AthleteStatus.INACTIVE, AthleteStatus.ARCHIVED
CURRENT = (ACTIVE, INACTIVE)


async def add(
    session: AsyncSession, org: str, name: str, status: AthleteStatus = ACTIVE, **fields: object
) -> Athlete:
    athlete = await q.create_athlete(
        session, organization_id=org, data=AthleteCreate(name=name, **fields)
    )
    if status is not ACTIVE:
        athlete = await q.set_athlete_status(
            session, organization_id=org, athlete_id=athlete.id, status=status
        )
    return athlete


async def the_old_way(
    session: AsyncSession,
    org: str,
    *,
    statuses: Collection[AthleteStatus] | None,
    name_filter: str | None,
    offset: int,
    limit: int,
) -> tuple[dict[AthleteStatus, int], int, int, list[tuple[str, bool]]]:
    counts = await q.count_athletes_by_status(session, organization_id=org)
    page = await q.list_athletes(
        session,
        organization_id=org,
        statuses=statuses,
        name_filter=name_filter,
        offset=offset,
        limit=limit,
    )
    shared = await q.count_namesakes(session, organization_id=org, athletes=page.items)
    rows = [(a.id, shared[a.name_key] > 1) for a in page.items]
    return counts, page.total, page.offset, rows


async def the_new_way(
    session: AsyncSession,
    org: str,
    *,
    statuses: Collection[AthleteStatus] | None,
    name_filter: str | None,
    offset: int,
    limit: int,
) -> tuple[dict[AthleteStatus, int], int, int, list[tuple[str, bool]]]:
    roster = await q.read_roster(
        session,
        organization_id=org,
        statuses=statuses,
        name_filter=name_filter,
        offset=offset,
        limit=limit,
    )
    page = roster.page
    assert page.limit == limit
    return roster.counts, page.total, page.offset, [(e.id, e.has_namesake) for e in page.items]


async def test_roster_says_what_the_separate_queries_say(session: AsyncSession) -> None:
    """Every view, filter and offset (stale, unaligned, negative) of a roster with namesakes
    across pages and statuses, and a neighbour team whose namesakes don't count."""
    seat = await make_team(session)
    org = seat.organization_id
    other = (await make_team(session, "Other Team")).organization_id
    statuses = itertools.cycle([ACTIVE, ACTIVE, INACTIVE, ARCHIVED, ACTIVE])
    for n in range(23):
        await add(session, org, f"Athlete {n:02d}", next(statuses))
    await add(session, org, "Zoë Li")  # namesakes on different pages and statuses
    await add(session, org, "zoe li", ARCHIVED)
    await add(session, org, "ZOE LI", INACTIVE, email="zoe@x.io")
    await add(session, org, "Athlete 05")  # a namesake on the same page
    await add(session, org, "Ada 100%_off")
    await add(session, other, "Athlete 07")  # another team's namesake is no namesake
    views: list[tuple[AthleteStatus, ...] | None] = [None, CURRENT, *((s,) for s in AthleteStatus)]
    views += [(), tuple(AthleteStatus), (INACTIVE, ACTIVE, ACTIVE)]
    checked = 0
    for view, name_filter, offset, limit in itertools.product(
        views,
        [None, "", "zoe", "ATHLETE 0", "nobody", "%", "100%_", "   "],
        [0, 10, 20, 30, 13, 90, -5],
        [10, 3],
    ):
        arguments = {
            "statuses": view,
            "name_filter": name_filter,
            "offset": offset,
            "limit": limit,
        }
        expected = await the_old_way(session, org, **arguments)  # type: ignore[arg-type]
        assert await the_new_way(session, org, **arguments) == expected, arguments  # type: ignore[arg-type]
        checked += 1
    assert checked == 8 * 8 * 7 * 2


async def test_roster_rows_carry_what_the_buttons_show(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    user = await make_user(session, "Maya's phone")
    maya = await add(
        session, org, "Maya", email="maya@x.io", phone="+14155550123", birthdate=date(2001, 5, 1)
    )
    await q.link_athlete(session, organization_id=org, athlete_id=maya.id, user_id=user.id)
    roster = await q.read_roster(session, organization_id=org)
    (entry,) = roster.page.items
    assert entry == q.RosterEntry(
        id=maya.id,
        name="Maya",
        status=ACTIVE,
        email="maya@x.io",
        phone="+14155550123",
        birthdate=date(2001, 5, 1),
        created_at=maya.created_at,
        linked_user_id=user.id,
        has_namesake=False,
    )
    assert entry.has_namesake is False  # a bool on both databases, not SQLite's 0


async def test_namesake_on_another_page_or_in_the_archive(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    first = await add(session, org, "Aaron Ames")
    for n in range(12):
        await add(session, org, f"Bea {n:02d}")
    await add(session, org, "AARON  AMES", ARCHIVED)  # not in the current view
    last = await add(session, org, "Zed")
    await add(session, org, "zed", INACTIVE)
    one = await q.read_roster(session, organization_id=org, statuses=[ACTIVE], limit=10)
    assert [(e.name, e.has_namesake) for e in one.page.items][:2] == [
        ("Aaron Ames", True),
        ("Bea 00", False),
    ]
    two = await q.read_roster(session, organization_id=org, statuses=[ACTIVE], offset=10)
    assert [(e.id, e.has_namesake) for e in two.page.items][-1] == (last.id, True)
    assert first.id not in {e.id for e in two.page.items}
    assert (one.page.total, two.page.total, two.page.offset) == (14, 14, 10)


async def test_counts_include_the_archived_whatever_the_view(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    for name, status in [("A", ACTIVE), ("B", INACTIVE), ("C", ARCHIVED), ("D", ARCHIVED)]:
        await add(session, org, name, status)
    roster = await q.read_roster(session, organization_id=org, statuses=CURRENT)
    assert roster.counts == {ACTIVE: 1, INACTIVE: 1, ARCHIVED: 2}
    assert [e.name for e in roster.page.items] == ["A", "B"]
    assert roster.page.total == 2
    archived = await q.read_roster(session, organization_id=org, statuses=[ARCHIVED])
    assert archived.counts == roster.counts
    assert [e.name for e in archived.page.items] == ["C", "D"]
    nobody = await q.read_roster(session, organization_id=org, name_filter="nobody")
    assert nobody.counts == roster.counts  # the team's counts survive an empty page
    assert (nobody.page.items, nobody.page.total, nobody.page.offset) == ([], 0, 0)


async def test_empty_roster(session: AsyncSession) -> None:
    seat = await make_team(session)
    other = (await make_team(session, "Other Team")).organization_id
    await add(session, other, "Someone Else")
    for view in (None, CURRENT, [ARCHIVED]):
        roster = await q.read_roster(
            session, organization_id=seat.organization_id, statuses=view, offset=20
        )
        assert roster.counts == {ACTIVE: 0, INACTIVE: 0, ARCHIVED: 0}
        assert (roster.page.items, roster.page.total, roster.page.offset) == ([], 0, 0)


async def test_stale_offset_shows_the_last_page(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    for n in range(25):
        await add(session, org, f"Athlete {n:02d}")
    roster = await q.read_roster(session, organization_id=org, offset=40)
    assert roster.page.offset == 20
    assert [e.name for e in roster.page.items] == [f"Athlete {n}" for n in range(20, 25)]


# SQLAlchemy autoflushes before Core statements too (its issue #9809); these two keep it so.
async def test_roster_sees_unflushed_changes(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    athlete = await add(session, org, "Maya")
    athlete.status = ARCHIVED  # not flushed: an ORM query would autoflush it first
    session.add(athlete)
    roster = await q.read_roster(session, organization_id=org, statuses=CURRENT)
    assert roster.page.items == []
    assert roster.counts[ARCHIVED] == 1


async def test_card_says_what_the_separate_queries_say(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    now = utcnow()
    plain = await add(session, org, "Plain")
    full = await add(
        session,
        org,
        "Full",
        INACTIVE,
        email="full@x.io",
        phone="+14155550123",
        birthdate=date(1999, 12, 31),
        gender="female",
        notes="left knee",
    )
    card = await q.read_card(session, organization_id=org, athlete_id=full.id, now=now)
    assert card == q.AthleteCard(
        id=full.id,
        organization_id=org,
        name="Full",
        status=INACTIVE,
        email="full@x.io",
        phone="+14155550123",
        birthdate=date(1999, 12, 31),
        gender=full.gender,
        notes="left knee",
        linked_user_id=None,
        account=None,
        invitation_expires=None,
        has_program=False,
    )
    assert full.gender is not None
    plain_card = await q.read_card(session, organization_id=org, athlete_id=plain.id, now=now)
    assert (plain_card.email, plain_card.gender, plain_card.has_program) == (None, None, False)


async def test_card_shows_the_newest_live_invitation(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    now = utcnow()
    athlete = await add(session, org, "Maya")
    card = await q.read_card(session, organization_id=org, athlete_id=athlete.id, now=now)
    assert card.invitation_expires is None
    for hours in (1, 48, 2):  # each new link revokes the one before it
        issued = await invitations.create_invitation(
            session,
            organization_id=org,
            athlete_id=athlete.id,
            created_by=seat.membership.user_id,
            now=now + timedelta(minutes=hours),
            ttl=timedelta(hours=hours),
        )
    pending = await invitations.get_pending_invitation(
        session, organization_id=org, athlete_id=athlete.id, now=now
    )
    assert pending is not None
    assert pending.id == issued.invitation.id
    card = await q.read_card(session, organization_id=org, athlete_id=athlete.id, now=now)
    assert card.invitation_expires == pending.expires_at
    later = now + timedelta(hours=3)  # it has expired by then
    card = await q.read_card(session, organization_id=org, athlete_id=athlete.id, now=later)
    assert card.invitation_expires is None
    await invitations.revoke_invitation(
        session, organization_id=org, invitation_id=issued.invitation.id, now=now
    )
    card = await q.read_card(session, organization_id=org, athlete_id=athlete.id, now=now)
    assert card.invitation_expires is None


async def test_card_picks_the_newest_of_two_live_links(session: AsyncSession) -> None:
    # create_invitation revokes the earlier link, so two live ones only come from elsewhere
    # (an import, a race of old versions); get_pending_invitation shows the newest.
    seat = await make_team(session)
    org = seat.organization_id
    now = utcnow()
    athlete = await add(session, org, "Maya")
    for minutes, hours in ((1, 48), (2, 5), (0, 24)):
        session.add(
            AthleteInvitation(
                athlete_id=athlete.id,
                organization_id=org,
                token_hash=f"hash-{minutes}",
                created_at=now + timedelta(minutes=minutes),
                expires_at=now + timedelta(hours=hours),
            )
        )
    await session.flush()
    card = await q.read_card(session, organization_id=org, athlete_id=athlete.id, now=now)
    pending = await invitations.get_pending_invitation(
        session, organization_id=org, athlete_id=athlete.id, now=now
    )
    assert pending is not None
    assert card.invitation_expires == pending.expires_at == now + timedelta(hours=5)


async def test_card_says_whether_a_program_is_active(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    other = (await make_team(session, "Other Team")).organization_id
    athlete = await add(session, org, "Maya")
    program = await programs.create_program(session, organization_id=org, name="Base", weeks=4)
    await programs.assign_program(
        session,
        organization_id=org,
        program_id=program.id,
        athlete_ids=[athlete.id],
        start_date=date(2026, 1, 5),
    )
    now = utcnow()
    card = await q.read_card(session, organization_id=org, athlete_id=athlete.id, now=now)
    assert card.has_program is True
    await programs.unassign_athlete(session, organization_id=org, athlete_id=athlete.id)
    card = await q.read_card(session, organization_id=org, athlete_id=athlete.id, now=now)
    assert card.has_program is False
    with pytest.raises(NotFound):
        await q.read_card(session, organization_id=other, athlete_id=athlete.id, now=now)
    with pytest.raises(NotFound):
        await q.read_card(session, organization_id=org, athlete_id="no-such-id", now=now)


async def test_card_shows_the_linked_account(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    now = utcnow()
    named = await upsert_user(session, telegram_user_id=7001, username="maya_l", display_name="M")
    unnamed = await upsert_user(session, telegram_user_id=7002, display_name="Ben B")
    maya = await add(session, org, "Maya")
    ben = await add(session, org, "Ben")
    await q.link_athlete(session, organization_id=org, athlete_id=maya.id, user_id=named.id)
    await q.link_athlete(session, organization_id=org, athlete_id=ben.id, user_id=unnamed.id)
    card = await q.read_card(session, organization_id=org, athlete_id=maya.id, now=now)
    assert (card.linked_user_id, card.account) == (named.id, q.LinkedAccount("maya_l", "M"))
    card = await q.read_card(session, organization_id=org, athlete_id=ben.id, now=now)
    assert card.account == q.LinkedAccount(None, "Ben B")


async def test_card_sees_unflushed_changes(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    athlete = await add(session, org, "Maya")
    athlete.notes = "new notes"  # not flushed: an ORM query would autoflush it first
    session.add(athlete)
    card = await q.read_card(session, organization_id=org, athlete_id=athlete.id, now=utcnow())
    assert card.notes == "new notes"
