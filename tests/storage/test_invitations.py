from __future__ import annotations

import asyncio
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import SessionFactory, make_engine, make_session_factory, transaction
from storage.errors import Conflict, NotFound
from storage.models import Athlete, AthleteInvitation, DeepLinkFailure
from storage.queries import invitations as inv
from storage.queries.athletes import create_athlete, get_athlete, link_athlete
from storage.schemas import AthleteCreate
from tests.storage.helpers import make_team, make_user
from tests.worded import raises_worded

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
TTL = timedelta(hours=168)


async def new_athlete(session: AsyncSession, organization_id: str, name: str = "Maya") -> Athlete:
    return await create_athlete(
        session, organization_id=organization_id, data=AthleteCreate(name=name)
    )


async def invite(
    session: AsyncSession, athlete: Athlete, *, now: datetime = NOW
) -> inv.IssuedInvitation:
    return await inv.create_invitation(
        session,
        organization_id=athlete.organization_id,
        athlete_id=athlete.id,
        created_by=None,
        now=now,
        ttl=TTL,
    )


async def invitation_rows(session: AsyncSession) -> list[AthleteInvitation]:
    result = await session.exec(
        select(AthleteInvitation)
        .order_by(col(AthleteInvitation.created_at))
        .execution_options(populate_existing=True)
    )
    return list(result.all())


# --- tokens -----------------------------------------------------------------------------------


def test_payload_is_a_valid_deep_link_and_round_trips() -> None:
    tokens = {inv.new_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        payload = inv.make_payload(token)
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", payload)
        assert inv.extract_token(payload) == token
    # 24 random bytes: 192 bits, well over the 128 asked for.
    assert inv.TOKEN_BYTES * 8 >= 128


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "inv_",
        "inv_short",
        "inv_" + "a" * 31,
        "inv_" + "a" * 33,
        "inv_" + "a" * 31 + "!",
        "INV_" + "a" * 32,
        "ex_" + "a" * 32,
        "a" * 36,
        " inv_" + "a" * 32,
    ],
)
def test_malformed_payloads_have_no_token(payload: str) -> None:
    assert inv.extract_token(payload) is None


# --- issuing and revoking ---------------------------------------------------------------------


async def test_invitation_stores_only_a_hash_and_expires_after_the_ttl(
    session: AsyncSession,
) -> None:
    seat = await make_team(session)
    athlete = await new_athlete(session, seat.organization_id)
    issued = await invite(session, athlete)
    [row] = await invitation_rows(session)
    assert row.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
    assert row.expires_at == NOW + TTL
    assert (row.accepted_at, row.revoked_at) == (None, None)
    raw = (await session.execute(sa.text("SELECT * FROM athlete_invitations"))).one()
    assert not any(issued.token in str(value) for value in raw)
    assert issued.token not in repr(issued)  # safe to log by accident
    pending = await inv.get_pending_invitation(
        session, organization_id=seat.organization_id, athlete_id=athlete.id, now=NOW
    )
    assert pending is not None and pending.id == issued.invitation.id
    later = await inv.get_pending_invitation(
        session, organization_id=seat.organization_id, athlete_id=athlete.id, now=NOW + TTL
    )
    assert later is None


async def test_a_new_invitation_revokes_the_earlier_pending_one(session: AsyncSession) -> None:
    seat = await make_team(session)
    athlete = await new_athlete(session, seat.organization_id)
    first = await invite(session, athlete)
    second = await invite(session, athlete, now=NOW + timedelta(minutes=5))
    assert second.revoked_earlier == 1
    old, new = await invitation_rows(session)
    assert old.revoked_at == NOW + timedelta(minutes=5)
    assert new.revoked_at is None
    user = await make_user(session)
    claim = await inv.claim_invitation(session, token=first.token, user_id=user.id, now=NOW)
    assert claim.outcome is inv.ClaimOutcome.REVOKED
    claim = await inv.claim_invitation(session, token=second.token, user_id=user.id, now=NOW)
    assert claim.outcome is inv.ClaimOutcome.CLAIMED


async def test_a_linked_athlete_cant_be_invited(session: AsyncSession) -> None:
    seat = await make_team(session)
    athlete = await new_athlete(session, seat.organization_id)
    user = await make_user(session)
    await link_athlete(
        session, organization_id=seat.organization_id, athlete_id=athlete.id, user_id=user.id
    )
    with raises_worded(Conflict, "already connected"):
        await invite(session, athlete)
    assert await invitation_rows(session) == []


async def test_another_teams_athletes_and_invitations_are_out_of_reach(
    session: AsyncSession,
) -> None:
    ours, theirs = await make_team(session, "Ours"), await make_team(session, "Theirs")
    their_athlete = await new_athlete(session, theirs.organization_id)
    issued = await invite(session, their_athlete)
    with pytest.raises(NotFound):
        await inv.create_invitation(
            session,
            organization_id=ours.organization_id,
            athlete_id=their_athlete.id,
            created_by=None,
            now=NOW,
            ttl=TTL,
        )
    with pytest.raises(NotFound):
        await inv.revoke_invitation(
            session,
            organization_id=ours.organization_id,
            invitation_id=issued.invitation.id,
            now=NOW,
        )
    assert (
        await inv.get_pending_invitation(
            session, organization_id=ours.organization_id, athlete_id=their_athlete.id, now=NOW
        )
        is None
    )
    [row] = await invitation_rows(session)
    assert row.revoked_at is None


async def test_revoke_outcomes(session: AsyncSession) -> None:
    seat = await make_team(session)
    athlete = await new_athlete(session, seat.organization_id)
    issued = await invite(session, athlete)

    async def revoke() -> inv.RevokeOutcome:
        result = await inv.revoke_invitation(
            session,
            organization_id=seat.organization_id,
            invitation_id=issued.invitation.id,
            now=NOW,
        )
        return result.outcome

    assert await revoke() is inv.RevokeOutcome.REVOKED
    assert await revoke() is inv.RevokeOutcome.ALREADY_REVOKED
    used = await invite(session, athlete)
    user = await make_user(session)
    claim = await inv.claim_invitation(session, token=used.token, user_id=user.id, now=NOW)
    assert claim.outcome is inv.ClaimOutcome.CLAIMED
    result = await inv.revoke_invitation(
        session, organization_id=seat.organization_id, invitation_id=used.invitation.id, now=NOW
    )
    assert result.outcome is inv.RevokeOutcome.ALREADY_ACCEPTED
    assert result.invitation.revoked_at is None


# --- claiming ---------------------------------------------------------------------------------


async def test_claim_binds_the_account_and_marks_the_link_used(session: AsyncSession) -> None:
    seat = await make_team(session)
    athlete = await new_athlete(session, seat.organization_id)
    issued = await invite(session, athlete)
    user = await make_user(session, "Maya on Telegram")
    claim = await inv.claim_invitation(session, token=issued.token, user_id=user.id, now=NOW)
    assert claim.outcome is inv.ClaimOutcome.CLAIMED
    assert claim.athlete is not None and claim.athlete.linked_user_id == user.id
    assert claim.organization is not None and claim.organization.name == "Northside Barbell"
    [row] = await invitation_rows(session)
    assert (row.accepted_at, row.accepted_by) == (NOW, user.id)
    again = await inv.claim_invitation(session, token=issued.token, user_id=user.id, now=NOW)
    assert again.outcome is inv.ClaimOutcome.ALREADY_CONNECTED
    other = await make_user(session, "Somebody Else")
    stolen = await inv.claim_invitation(session, token=issued.token, user_id=other.id, now=NOW)
    assert stolen.outcome is inv.ClaimOutcome.USED


async def assert_unchanged(session: AsyncSession, athlete: Athlete) -> None:
    for row in await invitation_rows(session):
        assert row.accepted_at is None and row.accepted_by is None
    fresh = await get_athlete(
        session, organization_id=athlete.organization_id, athlete_id=athlete.id
    )
    assert fresh.linked_user_id == athlete.linked_user_id


async def test_every_refusal_changes_nothing(session: AsyncSession) -> None:
    seat = await make_team(session)
    athlete = await new_athlete(session, seat.organization_id)
    user = await make_user(session)

    async def claim(token: str, *, user_id: str = user.id, now: datetime = NOW) -> str:
        result = await inv.claim_invitation(session, token=token, user_id=user_id, now=now)
        return result.outcome

    assert await claim(inv.new_token()) == "unknown"
    issued = await invite(session, athlete)
    assert await claim(issued.token, now=NOW + TTL) == "expired"
    assert await claim(issued.token, now=NOW + TTL + timedelta(days=1)) == "expired"
    assert await claim(issued.token, user_id=seat.membership.user_id) == "own_team"
    await assert_unchanged(session, athlete)

    await inv.revoke_invitation(
        session, organization_id=seat.organization_id, invitation_id=issued.invitation.id, now=NOW
    )
    assert await claim(issued.token) == "revoked"
    await assert_unchanged(session, athlete)


async def test_profile_linked_another_way_or_account_already_in_the_team(
    session: AsyncSession,
) -> None:
    seat = await make_team(session)
    maya = await new_athlete(session, seat.organization_id, "Maya")
    theo = await new_athlete(session, seat.organization_id, "Theo")
    issued = await invite(session, maya)
    # Maya's profile gets linked to someone else meanwhile (e.g. by an older code path).
    someone = await make_user(session, "Someone")
    await link_athlete(
        session, organization_id=seat.organization_id, athlete_id=maya.id, user_id=someone.id
    )
    user = await make_user(session, "Maya")
    result = await inv.claim_invitation(session, token=issued.token, user_id=user.id, now=NOW)
    assert result.outcome is inv.ClaimOutcome.ATHLETE_TAKEN
    result = await inv.claim_invitation(session, token=issued.token, user_id=someone.id, now=NOW)
    assert result.outcome is inv.ClaimOutcome.ALREADY_CONNECTED
    # Theo's link opened by an account that is already Maya in this team.
    theo_link = await invite(session, theo)
    result = await inv.claim_invitation(session, token=theo_link.token, user_id=someone.id, now=NOW)
    assert result.outcome is inv.ClaimOutcome.ALREADY_IN_TEAM
    rows = await invitation_rows(session)
    assert all(row.accepted_at is None for row in rows)
    fresh = await get_athlete(session, organization_id=seat.organization_id, athlete_id=theo.id)
    assert fresh.linked_user_id is None


async def test_same_account_may_be_an_athlete_of_two_teams(session: AsyncSession) -> None:
    first, second = await make_team(session, "First"), await make_team(session, "Second")
    user = await make_user(session)
    for seat in (first, second):
        athlete = await new_athlete(session, seat.organization_id)
        issued = await invite(session, athlete)
        result = await inv.claim_invitation(session, token=issued.token, user_id=user.id, now=NOW)
        assert result.outcome is inv.ClaimOutcome.CLAIMED


# --- truly concurrent claims ------------------------------------------------------------------


@dataclass
class RaceSetup:
    token: str
    athlete_id: str
    organization_id: str
    users: list[str]


async def prepare_race(factory: SessionFactory, users: int = 2) -> RaceSetup:
    async with transaction(factory) as session:
        seat = await make_team(session)
        athlete = await new_athlete(session, seat.organization_id)
        issued = await invite(session, athlete)
        people = [(await make_user(session, f"Racer {i}")).id for i in range(users)]
    return RaceSetup(issued.token, athlete.id, seat.organization_id, people)


async def claim_in_own_transaction(
    factory: SessionFactory, token: str, user_id: str
) -> inv.ClaimOutcome:
    async with transaction(factory) as session:
        result = await inv.claim_invitation(session, token=token, user_id=user_id, now=NOW)
        return result.outcome


async def linked_user(factory: SessionFactory, race: RaceSetup) -> str | None:
    async with factory() as session:
        athlete = await get_athlete(
            session, organization_id=race.organization_id, athlete_id=race.athlete_id
        )
        rows = [r for r in await invitation_rows(session) if r.athlete_id == race.athlete_id]
        assert len(rows) == 1
        assert rows[0].accepted_by == athlete.linked_user_id
        return athlete.linked_user_id


@pytest.mark.parametrize("rounds", [5])
async def test_two_people_tapping_at_once_exactly_one_wins(
    session_factory: SessionFactory, rounds: int
) -> None:
    for _ in range(rounds):
        race = await prepare_race(session_factory)
        outcomes = await asyncio.gather(
            *(claim_in_own_transaction(session_factory, race.token, u) for u in race.users)
        )
        assert sorted(outcomes) == ["claimed", "used"]
        winner = race.users[outcomes.index(inv.ClaimOutcome.CLAIMED)]
        assert await linked_user(session_factory, race) == winner


async def test_race_across_separate_engines(engine: AsyncEngine) -> None:
    url = engine.url.render_as_string(hide_password=False)
    engines = [make_engine(url) for _ in range(3)]
    try:
        factories = [make_session_factory(e) for e in engines]
        race = await prepare_race(factories[0], users=3)
        outcomes = await asyncio.gather(
            *(
                claim_in_own_transaction(f, race.token, u)
                for f, u in zip(factories, race.users, strict=True)
            )
        )
        assert sorted(outcomes) == ["claimed", "used", "used"]
        winner = race.users[outcomes.index(inv.ClaimOutcome.CLAIMED)]
        assert await linked_user(factories[1], race) == winner
    finally:
        for e in engines:
            await e.dispose()


async def test_repeated_taps_by_the_same_person_bind_once(session_factory: SessionFactory) -> None:
    # The loser must read the link and the profile consistently ("already connected", not
    # "used by someone else"), whichever way the reads fall around the winner's commit.
    for _ in range(5):
        race = await prepare_race(session_factory, users=1)
        user = race.users[0]
        outcomes = await asyncio.gather(
            *(claim_in_own_transaction(session_factory, race.token, user) for _ in range(3))
        )
        assert sorted(outcomes) == ["already_connected", "already_connected", "claimed"]
        assert await linked_user(session_factory, race) == user


# --- attempt limiter --------------------------------------------------------------------------


async def test_five_failures_in_fifteen_minutes_block_until_the_oldest_leaves(
    session: AsyncSession,
) -> None:
    who = 777

    async def retry_at(now: datetime) -> datetime | None:
        return await inv.deep_link_retry_at(session, telegram_user_id=who, now=now)

    for minute in range(4):
        await inv.record_deep_link_failure(
            session, telegram_user_id=who, now=NOW + timedelta(minutes=minute)
        )
        assert await retry_at(NOW + timedelta(minutes=minute)) is None
    await inv.record_deep_link_failure(
        session, telegram_user_id=who, now=NOW + timedelta(minutes=4)
    )
    assert await retry_at(NOW + timedelta(minutes=4)) == NOW + inv.FAILURE_WINDOW
    assert await retry_at(NOW + timedelta(minutes=14, seconds=59)) == NOW + inv.FAILURE_WINDOW
    assert await retry_at(NOW + inv.FAILURE_WINDOW) is None
    # Someone else is not affected.
    assert await inv.deep_link_retry_at(session, telegram_user_id=778, now=NOW) is None


async def test_old_failures_are_pruned(session: AsyncSession) -> None:
    for minute in range(5):
        await inv.record_deep_link_failure(
            session, telegram_user_id=1, now=NOW + timedelta(minutes=minute)
        )
    await inv.record_deep_link_failure(session, telegram_user_id=1, now=NOW + timedelta(hours=1))
    rows = (await session.exec(select(DeepLinkFailure))).all()
    assert [r.created_at for r in rows] == [NOW + timedelta(hours=1)]
