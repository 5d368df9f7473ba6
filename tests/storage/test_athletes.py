from __future__ import annotations

from datetime import date

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.core.texts import error_text
from storage.errors import Conflict, EmailTaken, InvalidInput, NotFound
from storage.models import AthleteStatus
from storage.queries import athletes as q
from storage.schemas import AthleteCreate, AthleteUpdate, build_input
from tests.storage.helpers import make_team, make_user
from tests.worded import raises_worded


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
    assert "email" in error_text(caught.value)


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


async def test_roster_filter_finds_names_in_any_script_and_case(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    for name in ["Иван Петров", "Zoë Åkesson", "Maya Lopez", "Ivan Smith"]:
        await q.create_athlete(session, organization_id=org, data=AthleteCreate(name=name))

    async def names(query: str) -> list[str]:
        page = await q.list_athletes(session, organization_id=org, name_filter=query)
        return [athlete.name for athlete in page.items]

    assert await names("Иван") == ["Иван Петров"]
    assert await names("иван") == ["Иван Петров"]
    assert await names("ПЕТР") == ["Иван Петров"]
    assert await names("åkesson") == ["Zoë Åkesson"]
    assert await names("zoe") == ["Zoë Åkesson"]
    assert await names("ZOË") == ["Zoë Åkesson"]
    assert await names("ivan") == ["Ivan Smith"]
    # A rename keeps the search key true.
    ivan = (await q.list_athletes(session, organization_id=org, name_filter="иван")).items[0]
    await q.update_athlete(
        session, organization_id=org, athlete_id=ivan.id, changes=AthleteUpdate(name="Ёлка")
    )
    assert await names("елка") == ["Ёлка"]
    assert await names("иван") == []


async def test_one_email_rule_for_adding_and_editing(session: AsyncSession) -> None:
    seat, other = await make_team(session, "Ours"), await make_team(session, "Theirs")
    org = seat.organization_id
    maya = await q.create_athlete(
        session, organization_id=org, data=AthleteCreate(name="Maya", email="maya@x.io")
    )
    ben = await q.create_athlete(session, organization_id=org, data=AthleteCreate(name="Ben"))
    with pytest.raises(EmailTaken) as caught:
        await q.create_athlete(
            session, organization_id=org, data=AthleteCreate(name="Maya 2", email="MAYA@x.io")
        )
    assert (caught.value.athlete_id, caught.value.athlete_name) == (maya.id, "Maya")
    with pytest.raises(EmailTaken):
        await q.update_athlete(
            session,
            organization_id=org,
            athlete_id=ben.id,
            changes=build_input(AthleteUpdate, email="Maya@x.io"),
        )
    # Saving one's own email again, and the same email in another team, are fine.
    await q.update_athlete(
        session, organization_id=org, athlete_id=maya.id, changes=AthleteUpdate(email="maya@x.io")
    )
    await q.create_athlete(
        session,
        organization_id=other.organization_id,
        data=AthleteCreate(name="Maya", email="maya@x.io"),
    )
    again = await q.get_athlete(session, organization_id=org, athlete_id=ben.id)
    assert again.email is None


async def test_namesakes_are_found_and_counted(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    first = await q.create_athlete(session, organization_id=org, data=AthleteCreate(name="Zoë Li"))
    second = await q.create_athlete(session, organization_id=org, data=AthleteCreate(name="zoe li"))
    alone = await q.create_athlete(session, organization_id=org, data=AthleteCreate(name="Ada"))
    namesakes = await q.find_namesakes(session, organization_id=org, name="ZOE  LI")
    assert [a.id for a in namesakes] == [first.id, second.id]
    others = await q.find_namesakes(session, organization_id=org, name="Zoë Li", except_id=first.id)
    assert [a.id for a in others] == [second.id]
    counts = await q.count_namesakes(session, organization_id=org, athletes=[first, alone])
    assert counts == {first.name_key: 2, alone.name_key: 1}


async def test_several_statuses_at_once(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    for name, status in [("A", "active"), ("B", "inactive"), ("C", "archived")]:
        athlete = await q.create_athlete(
            session, organization_id=org, data=AthleteCreate(name=name)
        )
        await q.set_athlete_status(
            session, organization_id=org, athlete_id=athlete.id, status=AthleteStatus(status)
        )
    current = await q.list_athletes(
        session,
        organization_id=org,
        statuses=[AthleteStatus.ACTIVE, AthleteStatus.INACTIVE],
    )
    assert [a.name for a in current.items] == ["A", "B"]


async def test_control_characters_never_reach_either_database(session: AsyncSession) -> None:
    seat = await make_team(session)
    org = seat.organization_id
    data = build_input(
        AthleteCreate,
        name="Ma\x00ya",
        email="ma\x00ya@x.io",
        phone="+1 415 555\x00 0123",
        notes="left\x00 knee\x1b",
    )
    athlete = await q.create_athlete(session, organization_id=org, data=data)
    await session.commit()
    again = await q.get_athlete(session, organization_id=org, athlete_id=athlete.id)
    assert (again.name, again.email, again.phone, again.notes) == (
        "Maya",
        "maya@x.io",
        "+14155550123",
        "left knee",
    )


async def test_birthdate_rule_uses_the_callers_day() -> None:
    # On 2001-01-01 (the bot's clock), a 2001-05-01 birthdate is in the future.
    with raises_worded(InvalidInput, "future"):
        build_input(AthleteCreate, date(2001, 1, 1), name="Maya", birthdate="2001-05-01")
    with raises_worded(InvalidInput, "future"):
        build_input(AthleteUpdate, date(2001, 1, 1), birthdate="2001-05-01")
    ok = build_input(AthleteCreate, date(2026, 1, 1), name="Maya", birthdate="2001-05-01")
    assert ok.birthdate == date(2001, 5, 1)
