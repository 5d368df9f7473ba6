"""What most handlers need first: who is calling, and in which team they coach."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from telegram import Update

from bot import texts
from bot.commands import Audience
from bot.context import SpotterContext
from bot.replies import notify
from storage.models import User
from storage.queries.athletes import list_athlete_profiles
from storage.queries.organizations import CoachSeat, get_coach_seat, get_user_and_seat
from storage.queries.users import upsert_user


@dataclass(frozen=True)
class Caller:
    user: User
    seat: CoachSeat | None

    @property
    def organization_id(self) -> str | None:
        return self.seat.organization_id if self.seat else None


async def load_caller(update: Update, context: SpotterContext) -> Caller:
    tg_user = update.effective_user
    assert tg_user is not None
    user, seat = await get_user_and_seat(context.session, telegram_user_id=tg_user.id)
    fresh = (tg_user.full_name[:200], tg_user.username, tg_user.language_code)
    if (
        user is None
        or user.blocked_at is not None
        or fresh
        != (
            user.display_name,
            user.username,
            user.language_code,
        )
    ):
        # New, renamed, or back after blocking the bot: write; otherwise reading is enough.
        user = await upsert_user(
            context.session,
            telegram_user_id=tg_user.id,
            display_name=tg_user.full_name,
            username=tg_user.username,
            language_code=tg_user.language_code,
        )
        if seat is None:
            seat = await get_coach_seat(context.session, user_id=user.id)
    return Caller(user=user, seat=seat)


async def load_coach(update: Update, context: SpotterContext) -> Caller | None:
    """The caller if they coach a team; otherwise they are told so and None is returned."""
    caller = await load_caller(update, context)
    if caller.seat is None:
        await notify(update, context, texts.NOT_A_COACH, alert=True)
        return None
    return caller


async def library_organization_id(context: SpotterContext, caller: Caller) -> str | None:
    """Whose custom exercises the caller sees: their coaching team, else the team of their first
    athlete profile, else none (curated only)."""
    if caller.seat is not None:
        return caller.seat.organization_id
    profiles = await list_athlete_profiles(context.session, user_id=caller.user.id)
    return profiles[0][1].id if profiles else None


async def audiences_of(context: SpotterContext, caller: Caller) -> list[Audience]:
    audiences = []
    if caller.seat is not None:
        audiences.append(Audience.COACH)
    if await list_athlete_profiles(context.session, user_id=caller.user.id):
        audiences.append(Audience.ATHLETE)
    return audiences or [Audience.EVERYONE]


def today(context: SpotterContext) -> date:
    return context.now().date()
