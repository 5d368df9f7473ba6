"""Invite links: issuing, revoking and claiming them, and slowing down anyone guessing tokens.

Only the SHA-256 of a token is stored. The raw token exists in the coach's message and nowhere
else: these functions never log it, and callers log the invitation id instead.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.errors import Conflict, ErrorCode, NotFound
from storage.models import (
    Athlete,
    AthleteInvitation,
    DeepLinkFailure,
    Membership,
    Organization,
)
from storage.queries.athletes import get_athlete, link_athlete

TOKEN_BYTES = 24  # 192 bits; token_urlsafe gives 32 characters
TOKEN_LENGTH = 32
PAYLOAD_PREFIX = "inv_"
_PAYLOAD = re.compile(rf"{PAYLOAD_PREFIX}([A-Za-z0-9_-]{{{TOKEN_LENGTH}}})")

FAILURE_LIMIT = 5
FAILURE_WINDOW = timedelta(minutes=15)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_payload(token: str) -> str:
    """The deep-link payload: within Telegram's 64 characters of A-Z a-z 0-9 _ -."""
    return PAYLOAD_PREFIX + token


def extract_token(payload: str) -> str | None:
    """The token of a well-formed invite payload, or None."""
    match = _PAYLOAD.fullmatch(payload)
    return match.group(1) if match else None


def _pending_conditions(now: datetime) -> list[sa.ColumnElement[bool]]:
    return [
        col(AthleteInvitation.accepted_at).is_(None),
        col(AthleteInvitation.revoked_at).is_(None),
        col(AthleteInvitation.expires_at) > now,
    ]


async def _lock_athlete(session: AsyncSession, *, organization_id: str, athlete_id: str) -> Athlete:
    """The athlete, row-locked on PostgreSQL so that invites and claims of one athlete queue.

    (SQLite has no row locks; its BEGIN IMMEDIATE already serialises every writer.)
    """
    result = await session.exec(
        select(Athlete)
        .where(
            col(Athlete.id) == athlete_id,
            col(Athlete.organization_id) == organization_id,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    athlete = result.first()
    if athlete is None:
        raise NotFound(ErrorCode.ATHLETE_NOT_FOUND)
    return athlete


# --- coach side -----------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: AthleteInvitation
    athlete: Athlete
    revoked_earlier: int
    token: str = field(repr=False)  # for the coach's message only: never stored or logged

    @property
    def payload(self) -> str:
        return make_payload(self.token)


async def create_invitation(
    session: AsyncSession,
    *,
    organization_id: str,
    athlete_id: str,
    created_by: str | None,
    now: datetime,
    ttl: timedelta,
) -> IssuedInvitation:
    """A new link for an unlinked athlete; their earlier pending links stop working."""
    athlete = await _lock_athlete(session, organization_id=organization_id, athlete_id=athlete_id)
    if athlete.linked_user_id is not None:
        raise Conflict(ErrorCode.ATHLETE_ALREADY_LINKED)
    revoked = await session.execute(
        sa.update(AthleteInvitation)
        .where(
            col(AthleteInvitation.organization_id) == organization_id,
            col(AthleteInvitation.athlete_id) == athlete_id,
            col(AthleteInvitation.accepted_at).is_(None),
            col(AthleteInvitation.revoked_at).is_(None),
        )
        .values(revoked_at=now)
    )
    token = new_token()
    invitation = AthleteInvitation(
        athlete_id=athlete_id,
        organization_id=organization_id,
        token_hash=hash_token(token),
        created_by=created_by,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(invitation)
    await session.flush()
    return IssuedInvitation(
        invitation=invitation,
        athlete=athlete,
        token=token,
        revoked_earlier=revoked.rowcount,  # type: ignore[attr-defined]
    )


async def get_pending_invitation(
    session: AsyncSession, *, organization_id: str, athlete_id: str, now: datetime
) -> AthleteInvitation | None:
    """The athlete's live link (unused, unrevoked, unexpired), newest first."""
    result = await session.exec(
        select(AthleteInvitation)
        .where(
            col(AthleteInvitation.organization_id) == organization_id,
            col(AthleteInvitation.athlete_id) == athlete_id,
            *_pending_conditions(now),
        )
        .order_by(col(AthleteInvitation.created_at).desc(), col(AthleteInvitation.id))
        .limit(1)
    )
    return result.first()


class RevokeOutcome(StrEnum):
    REVOKED = "revoked"
    ALREADY_REVOKED = "already_revoked"
    ALREADY_ACCEPTED = "already_accepted"


@dataclass(frozen=True)
class RevokeResult:
    outcome: RevokeOutcome
    invitation: AthleteInvitation
    athlete: Athlete


async def _get_invitation(
    session: AsyncSession, *, organization_id: str, invitation_id: str
) -> AthleteInvitation:
    invitation = await session.get(AthleteInvitation, invitation_id, populate_existing=True)
    if invitation is None or invitation.organization_id != organization_id:
        raise NotFound(ErrorCode.INVITATION_NOT_FOUND)
    return invitation


async def revoke_invitation(
    session: AsyncSession, *, organization_id: str, invitation_id: str, now: datetime
) -> RevokeResult:
    """Kill a link at once. A used link can't be revoked (unlink the athlete instead)."""
    await _get_invitation(session, organization_id=organization_id, invitation_id=invitation_id)
    result = await session.execute(
        sa.update(AthleteInvitation)
        .where(
            col(AthleteInvitation.id) == invitation_id,
            col(AthleteInvitation.organization_id) == organization_id,
            col(AthleteInvitation.accepted_at).is_(None),
            col(AthleteInvitation.revoked_at).is_(None),
        )
        .values(revoked_at=now)
    )
    invitation = await _get_invitation(
        session, organization_id=organization_id, invitation_id=invitation_id
    )
    athlete = await get_athlete(
        session, organization_id=organization_id, athlete_id=invitation.athlete_id
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        outcome = RevokeOutcome.REVOKED
    elif invitation.accepted_at is not None:
        outcome = RevokeOutcome.ALREADY_ACCEPTED
    else:
        outcome = RevokeOutcome.ALREADY_REVOKED
    return RevokeResult(outcome=outcome, invitation=invitation, athlete=athlete)


# --- athlete side -----------------------------------------------------------------------------


class ClaimOutcome(StrEnum):
    CLAIMED = "claimed"
    UNKNOWN = "unknown"  # malformed, or no such token
    EXPIRED = "expired"
    REVOKED = "revoked"
    USED = "used"  # by someone else (or by this account for a profile since unlinked)
    ALREADY_CONNECTED = "already_connected"  # this account already holds the profile
    ATHLETE_TAKEN = "athlete_taken"  # the profile is linked to another account
    ALREADY_IN_TEAM = "already_in_team"  # this account is another athlete of that team
    OWN_TEAM = "own_team"  # the caller coaches the team: the link is for someone else

    @property
    def is_failure(self) -> bool:
        """Counts towards the attempt limit (the harmless taps don't)."""
        return self not in _HARMLESS


_HARMLESS = frozenset({ClaimOutcome.CLAIMED, ClaimOutcome.ALREADY_CONNECTED, ClaimOutcome.OWN_TEAM})


@dataclass(frozen=True)
class ClaimResult:
    outcome: ClaimOutcome
    invitation: AthleteInvitation | None = None
    athlete: Athlete | None = None
    organization: Organization | None = None


class _LostRace(Exception):
    """The conditional UPDATE matched nothing: the link changed since we read it."""


async def _is_coach_of(session: AsyncSession, *, organization_id: str, user_id: str) -> bool:
    result = await session.exec(
        select(col(Membership.id)).where(
            col(Membership.organization_id) == organization_id,
            col(Membership.user_id) == user_id,
        )
    )
    return result.first() is not None


async def _is_other_athlete(
    session: AsyncSession, *, organization_id: str, user_id: str, athlete_id: str
) -> bool:
    result = await session.exec(
        select(col(Athlete.id)).where(
            col(Athlete.organization_id) == organization_id,
            col(Athlete.linked_user_id) == user_id,
            col(Athlete.id) != athlete_id,
        )
    )
    return result.first() is not None


def _find_refusal(
    invitation: AthleteInvitation, athlete: Athlete, *, user_id: str, now: datetime
) -> ClaimOutcome | None:
    """Why this link can't bind this account now, or None if it can."""
    if invitation.accepted_at is not None:
        mine = invitation.accepted_by == user_id and athlete.linked_user_id == user_id
        return ClaimOutcome.ALREADY_CONNECTED if mine else ClaimOutcome.USED
    if invitation.revoked_at is not None:
        return ClaimOutcome.REVOKED
    if invitation.expires_at <= now:
        return ClaimOutcome.EXPIRED
    if athlete.linked_user_id == user_id:
        return ClaimOutcome.ALREADY_CONNECTED
    if athlete.linked_user_id is not None:
        return ClaimOutcome.ATHLETE_TAKEN
    return None


async def _read_state(
    session: AsyncSession, *, organization_id: str, invitation_id: str, athlete_id: str
) -> tuple[AthleteInvitation, Athlete]:
    """The link and its athlete as one consistent picture, even under READ COMMITTED.

    A claim writes both in one transaction. The athlete is read first: if the link then reads
    as pending, no claim had committed when the athlete was read. If the link reads as used,
    the athlete is read again, so that it shows that claim (or what happened since).
    """
    athlete = await get_athlete(session, organization_id=organization_id, athlete_id=athlete_id)
    invitation = await _get_invitation(
        session, organization_id=organization_id, invitation_id=invitation_id
    )
    if invitation.accepted_at is not None:
        athlete = await get_athlete(session, organization_id=organization_id, athlete_id=athlete_id)
    return invitation, athlete


async def claim_invitation(
    session: AsyncSession, *, token: str, user_id: str, now: datetime
) -> ClaimResult:
    """Bind the account to the invited athlete, or say why not; a refusal changes nothing.

    The claim itself is one conditional UPDATE (pending, unrevoked, unexpired) whose row count
    decides the winner when two people tap the same link at once.
    """
    token_hash = hash_token(token)
    found = await session.exec(
        select(
            col(AthleteInvitation.id),
            col(AthleteInvitation.organization_id),
            col(AthleteInvitation.athlete_id),
        ).where(col(AthleteInvitation.token_hash) == token_hash)
    )
    row = found.first()
    if row is None:
        return ClaimResult(ClaimOutcome.UNKNOWN)
    invitation_id, organization_id, athlete_id = row
    organization = await session.get(Organization, organization_id)
    invitation, athlete = await _read_state(
        session, organization_id=organization_id, invitation_id=invitation_id, athlete_id=athlete_id
    )

    def result(outcome: ClaimOutcome) -> ClaimResult:
        return ClaimResult(outcome, invitation, athlete, organization)

    if await _is_coach_of(session, organization_id=organization_id, user_id=user_id):
        return result(ClaimOutcome.OWN_TEAM)
    refusal = _find_refusal(invitation, athlete, user_id=user_id, now=now)
    if refusal is not None:
        return result(refusal)
    if await _is_other_athlete(
        session, organization_id=organization_id, user_id=user_id, athlete_id=athlete_id
    ):
        return result(ClaimOutcome.ALREADY_IN_TEAM)
    try:
        # A savepoint: if linking fails after the UPDATE, the link stays unused.
        async with session.begin_nested():
            claimed = await session.execute(
                sa.update(AthleteInvitation)
                .where(col(AthleteInvitation.token_hash) == token_hash, *_pending_conditions(now))
                .values(accepted_at=now, accepted_by=user_id)
                # Leave loaded objects alone: they are read again below.
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                raise _LostRace
            await _lock_athlete(session, organization_id=organization_id, athlete_id=athlete_id)
            await link_athlete(
                session, organization_id=organization_id, athlete_id=athlete_id, user_id=user_id
            )
    except (_LostRace, Conflict, IntegrityError):
        # Someone else was faster (or linked the profile another way): say what happened.
        invitation, athlete = await _read_state(
            session,
            organization_id=organization_id,
            invitation_id=invitation_id,
            athlete_id=athlete_id,
        )
        refusal = _find_refusal(invitation, athlete, user_id=user_id, now=now)
        return result(refusal or ClaimOutcome.ALREADY_IN_TEAM)
    invitation, athlete = await _read_state(
        session, organization_id=organization_id, invitation_id=invitation_id, athlete_id=athlete_id
    )
    return result(ClaimOutcome.CLAIMED)


# --- attempt limiter --------------------------------------------------------------------------


async def deep_link_retry_at(
    session: AsyncSession, *, telegram_user_id: int, now: datetime
) -> datetime | None:
    """When this Telegram user may try again, if they failed too often lately; else None."""
    result = await session.exec(
        select(col(DeepLinkFailure.created_at))
        .where(
            col(DeepLinkFailure.telegram_user_id) == telegram_user_id,
            col(DeepLinkFailure.created_at) > now - FAILURE_WINDOW,
        )
        .order_by(col(DeepLinkFailure.created_at).desc())
        .limit(FAILURE_LIMIT)
    )
    recent = list(result.all())
    if len(recent) < FAILURE_LIMIT:
        return None
    # Allowed again once the oldest of the last five leaves the window.
    return recent[-1] + FAILURE_WINDOW


async def record_deep_link_failure(
    session: AsyncSession, *, telegram_user_id: int, now: datetime
) -> None:
    # Rows outside the window no longer matter; dropping them keeps the table small.
    await session.execute(
        sa.delete(DeepLinkFailure).where(
            col(DeepLinkFailure.telegram_user_id) == telegram_user_id,
            col(DeepLinkFailure.created_at) <= now - FAILURE_WINDOW,
        )
    )
    session.add(DeepLinkFailure(telegram_user_id=telegram_user_id, created_at=now))
    await session.flush()
