from __future__ import annotations

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.errors import Conflict, InvalidInput, NotFound
from storage.models import AthleteStatus
from storage.queries import athletes as q
from storage.schemas import AthleteCreate, AthleteUpdate, build_input
from tests.storage.helpers import make_team, make_user


async def test_create_and_read_back(session: AsyncSession) -> None:
    seat = await make_team(session)
    data = build_input(
        AthleteCreate, name="Maya Lopez", email="maya@example.com", phone="+14155550123"
    )
    athlete = await q.create_athlete(session, organization_id=seat.organization_id, data=data)
    again = await q.get_athlete(
        session, organization_id=seat.organization_id, athlete_id=athlete.id
    )
    assert (again.name, again.email, again.phone) == (
        "Maya Lopez",
        "maya@example.com",
        "+14155550123",
    )
    assert again.status is AthleteStatus.ACTIVE


async def test_same_chosen_id_twice_creates_one_athlete(session: AsyncSession) -> None:
    seat = await make_team(session)
    data = AthleteCreate(name="Maya")
    first = await q.create_athlete(
        session, organization_id=seat.organization_id, data=data, athlete_id="draft-1"
    )
    second = await q.create_athlete(
        session, organization_id=seat.organization_id, data=data, athlete_id="draft-1"
    )
    assert first.id == second.id
    page = await q.list_athletes(session, organization_id=seat.organization_id)
    assert page.total == 1


async def test_invalid_input_names_the_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        build_input(AthleteCreate, name="Maya", email="not-an-email")
    assert caught.value.field == "email"
    assert "email" in caught.value.message


async def test_another_teams_athletes_are_invisible_through_every_query(
    session: AsyncSession,
) -> None:
    ours, theirs = await make_team(session, "Ours"), await make_team(session, "Theirs")
    mine = await q.create_athlete(
        session,
        organization_id=ours.organization_id,
        data=AthleteCreate(name="Mine", email="m@x.io"),
    )
    hidden = await q.create_athlete(
        session,
        organization_id=theirs.organization_id,
        data=AthleteCreate(name="Hidden", email="h@x.io"),
    )
    org = ours.organization_id
    for call in (
        q.get_athlete(session, organization_id=org, athlete_id=hidden.id),
        q.update_athlete(
            session, organization_id=org, athlete_id=hidden.id, changes=AthleteUpdate(name="X")
        ),
        q.set_athlete_status(
            session, organization_id=org, athlete_id=hidden.id, status=AthleteStatus.ARCHIVED
        ),
        q.unlink_athlete(session, organization_id=org, athlete_id=hidden.id),
    ):
        with pytest.raises(NotFound):
            await call
    page = await q.list_athletes(session, organization_id=org)
    assert [a.id for a in page.items] == [mine.id]
    assert await q.find_athlete_by_email(session, organization_id=org, email="h@x.io") is None
    counts = await q.count_athletes_by_status(session, organization_id=org)
    assert counts[AthleteStatus.ACTIVE] == 1
    hidden_again = await q.get_athlete(
        session, organization_id=theirs.organization_id, athlete_id=hidden.id
    )
    assert hidden_again.name == "Hidden"


async def test_paging_filters_and_counts(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    for index in range(25):
        athlete = await q.create_athlete(
            session, organization_id=org, data=AthleteCreate(name=f"Athlete {index:02d}")
        )
        if index % 5 == 0:
            await q.set_athlete_status(
                session, organization_id=org, athlete_id=athlete.id, status=AthleteStatus.INACTIVE
            )
    first = await q.list_athletes(session, organization_id=org, limit=10)
    assert (first.total, len(first.items), first.has_next, first.has_previous) == (
        25,
        10,
        True,
        False,
    )
    last = await q.list_athletes(session, organization_id=org, offset=20, limit=10)
    assert [a.name for a in last.items] == [f"Athlete {i}" for i in range(20, 25)]
    beyond = await q.list_athletes(session, organization_id=org, offset=90, limit=10)
    assert beyond.offset == 20
    inactive = await q.list_athletes(session, organization_id=org, status=AthleteStatus.INACTIVE)
    assert inactive.total == 5
    named = await q.list_athletes(session, organization_id=org, name_filter="ete 1")
    assert named.total == 10
    # LIKE wildcards typed by a user are taken literally.
    assert (await q.list_athletes(session, organization_id=org, name_filter="%")).total == 0
    assert (await q.list_athletes(session, organization_id=org, name_filter="_")).total == 0
    counts = await q.count_athletes_by_status(session, organization_id=org)
    assert counts == {
        AthleteStatus.ACTIVE: 20,
        AthleteStatus.INACTIVE: 5,
        AthleteStatus.ARCHIVED: 0,
    }


async def test_link_refuses_a_second_account_and_a_second_record(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    first = await q.create_athlete(session, organization_id=org, data=AthleteCreate(name="One"))
    second = await q.create_athlete(session, organization_id=org, data=AthleteCreate(name="Two"))
    user, other = await make_user(session), await make_user(session)
    await q.link_athlete(session, organization_id=org, athlete_id=first.id, user_id=user.id)
    with pytest.raises(Conflict):
        await q.link_athlete(session, organization_id=org, athlete_id=first.id, user_id=other.id)
    with pytest.raises(Conflict):
        await q.link_athlete(session, organization_id=org, athlete_id=second.id, user_id=user.id)
    profiles = await q.list_athlete_profiles(session, user_id=user.id)
    assert [a.id for a, _ in profiles] == [first.id]
