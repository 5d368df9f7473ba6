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
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.errors import Conflict, ErrorCode, NotFound
from storage.models import (
    Athlete,
    AthleteInvitation,
    DeepLinkFailure,
    Membership,
    Organization,
    User,
)
from storage.models.base import utcnow
from storage.queries.athletes import get_athlete

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


async def lock_athlete(session: AsyncSession, *, organization_id: str, athlete_id: str) -> Athlete:
    """The athlete, row-locked on PostgreSQL so that invites and claims of one athlete queue;
    NotFound if the team has no such athlete. A caller that reads the athlete before inviting
    reads it here and hands it to create_invitation, which then needn't read it again.

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
    locked: Athlete | None = None,
) -> IssuedInvitation:
    """A new link for an unlinked athlete; their earlier pending links stop working.

    `locked`: the athlete as lock_athlete returned it earlier in this transaction.
    """
    if locked is None:
        athlete = await lock_athlete(
            session, organization_id=organization_id, athlete_id=athlete_id
        )
    elif (locked.id, locked.organization_id) != (athlete_id, organization_id):
        raise ValueError("locked is another athlete")
    else:
        athlete = locked
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
    # The team's coaches, oldest membership first (whom a claim is announced to).
    coaches: tuple[User, ...] = ()


class _LostRace(Exception):
    """A conditional UPDATE matched nothing: the link or the profile changed since we read it."""


@dataclass(frozen=True)
class _ClaimState:
    invitation: AthleteInvitation
    athlete: Athlete
    organization: Organization
    coaches: tuple[User, ...]
    in_team_already: bool  # the account is another athlete of the team

    def result(self, outcome: ClaimOutcome) -> ClaimResult:
        return ClaimResult(outcome, self.invitation, self.athlete, self.organization, self.coaches)


_OtherAthlete = aliased(Athlete)

# The link, its athlete and team, the team's coaches (one row each; one row with none if the
# team has none) and whether the account is another athlete of the team: everything a claim
# decides on, in one statement, so one snapshot even under READ COMMITTED. Built once.
_CLAIM_STATE = (
    sa.select(
        AthleteInvitation,
        Athlete,
        Organization,
        User,
        sa.exists()
        .where(
            col(_OtherAthlete.organization_id) == col(AthleteInvitation.organization_id),
            col(_OtherAthlete.linked_user_id) == sa.bindparam("user_id"),
            col(_OtherAthlete.id) != col(AthleteInvitation.athlete_id),
        )
        .label("in_team_already"),
    )
    .join(
        Athlete,
        sa.and_(
            col(Athlete.id) == col(AthleteInvitation.athlete_id),
            col(Athlete.organization_id) == col(AthleteInvitation.organization_id),
        ),
    )
    .join(Organization, col(Organization.id) == col(AthleteInvitation.organization_id))
    .outerjoin(
        Membership, col(Membership.organization_id) == col(AthleteInvitation.organization_id)
    )
    .outerjoin(User, col(User.id) == col(Membership.user_id))
    .where(col(AthleteInvitation.token_hash) == sa.bindparam("token_hash"))
    .order_by(col(Membership.created_at))
    # The session may hold these rows from earlier in the transaction: read them as they are now.
    .execution_options(populate_existing=True)
)


async def _read_claim_state(
    session: AsyncSession, *, token_hash: str, user_id: str
) -> _ClaimState | None:
    result = await session.execute(_CLAIM_STATE, {"token_hash": token_hash, "user_id": user_id})
    rows = result.all()
    if not rows:
        return None
    invitation, athlete, organization, _, in_team_already = rows[0]
    coaches = tuple(row[3] for row in rows if row[3] is not None)
    return _ClaimState(invitation, athlete, organization, coaches, bool(in_team_already))


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


async def _bind(session: AsyncSession, state: _ClaimState, *, user_id: str, now: datetime) -> None:
    """The claim's two conditional writes; _LostRace if either matched nothing.

    The athlete first, as create_invitation locks it first: the two queue instead of
    deadlocking. Its condition is link_athlete's rule (free, or already this account's); the
    unique (team, account) constraint refuses a second profile in the team that raced us.
    """
    athlete, invitation = state.athlete, state.invitation
    updated_at = utcnow()
    linked = await session.execute(
        sa.update(Athlete)
        .where(
            col(Athlete.id) == athlete.id,
            col(Athlete.organization_id) == athlete.organization_id,
            sa.or_(col(Athlete.linked_user_id).is_(None), col(Athlete.linked_user_id) == user_id),
        )
        .values(linked_user_id=user_id, updated_at=updated_at)
        .execution_options(synchronize_session=False)
    )
    if linked.rowcount != 1:  # type: ignore[attr-defined]
        raise _LostRace
    claimed = await session.execute(
        sa.update(AthleteInvitation)
        .where(
            col(AthleteInvitation.id) == invitation.id,
            *_pending_conditions(now),
        )
        .values(accepted_at=now, accepted_by=user_id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise _LostRace
    # What the rows now hold, without reading them back.
    set_committed_value(athlete, "linked_user_id", user_id)
    set_committed_value(athlete, "updated_at", updated_at)
    set_committed_value(invitation, "accepted_at", now)
    set_committed_value(invitation, "accepted_by", user_id)


async def claim_invitation(
    session: AsyncSession, *, token: str, user_id: str, now: datetime
) -> ClaimResult:
    """Bind the account to the invited athlete, or say why not; a refusal changes nothing.

    One read decides; the claim itself is two conditional UPDATEs (the link pending, the
    profile free) whose row counts decide the winner when two people tap the same link at once.
    """
    token_hash = hash_token(token)
    state = await _read_claim_state(session, token_hash=token_hash, user_id=user_id)
    if state is None:
        return ClaimResult(ClaimOutcome.UNKNOWN)
    if any(coach.id == user_id for coach in state.coaches):
        return state.result(ClaimOutcome.OWN_TEAM)
    refusal = _find_refusal(state.invitation, state.athlete, user_id=user_id, now=now)
    if refusal is not None:
        return state.result(refusal)
    if state.in_team_already:
        return state.result(ClaimOutcome.ALREADY_IN_TEAM)
    try:
        # A savepoint: if the second write fails, the first is undone.
        async with session.begin_nested():
            await _bind(session, state, user_id=user_id, now=now)
    except (_LostRace, IntegrityError):
        # Someone else was faster (or linked the profile another way): say what happened.
        fresh = await _read_claim_state(session, token_hash=token_hash, user_id=user_id)
        if fresh is None:  # the athlete, and with it the link, was deleted meanwhile
            return ClaimResult(ClaimOutcome.UNKNOWN)
        refusal = _find_refusal(fresh.invitation, fresh.athlete, user_id=user_id, now=now)
        return fresh.result(refusal or ClaimOutcome.ALREADY_IN_TEAM)
    return state.result(ClaimOutcome.CLAIMED)


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
