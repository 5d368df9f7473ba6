"""Who is calling, and the decorators that open every handler the same way.

    @coach_action()                          # a command: /athletes
    async def roster_command(update, context, coach: Coach) -> None: ...

    @coach_action(AthleteCard)               # a button: typed data, or BadCallback
    async def open_card(update, context, coach: Coach, data: AthleteCard) -> None: ...

A decorated handler runs in one transaction (see `transactional`), gets the caller loaded, and
runs only for a coach (`coach.team_id` is never None) or, with `athlete_action`, for someone with
at least one athlete profile; anyone else is told so and the handler returns None (in a
conversation: stay where you are; as an entry point: don't start).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import date
from typing import Any, Concatenate, ParamSpec, TypeVar, overload

from telegram import Update

from bot.commands import Audience
from bot.context import Handler, SpotterContext, transactional
from bot.core import texts as core_texts
from bot.core.callbacks import CallbackData
from bot.replies import notify
from storage.models import Athlete, Organization, User
from storage.queries.athletes import list_athlete_profiles
from storage.queries.organizations import CoachSeat, get_user_and_seat, refresh_caller

R = TypeVar("R")
D = TypeVar("D", bound=CallbackData)
P = ParamSpec("P")

REPLAY_ATTR = "spotter_replayed_data"


@dataclass(frozen=True)
class Caller:
    user: User
    seat: CoachSeat | None
    # First seen in this update: nobody's coach or athlete yet (nothing to look up).
    new: bool = False

    @property
    def organization_id(self) -> str | None:
        return self.seat.organization_id if self.seat else None


@dataclass(frozen=True)
class Coach(Caller):
    """A caller who coaches a team."""

    seat: CoachSeat

    @property
    def team_id(self) -> str:
        return self.seat.organization_id

    @property
    def organization_id(self) -> str:
        return self.seat.organization_id

    @property
    def team(self) -> Organization:
        return self.seat.organization


@dataclass(frozen=True)
class Member(Caller):
    """A caller with at least one athlete profile: (athlete record, its team), oldest first."""

    profiles: tuple[tuple[Athlete, Organization], ...] = ()

    def profile(self, athlete_id: str) -> tuple[Athlete, Organization] | None:
        return next((p for p in self.profiles if p[0].id == athlete_id), None)


async def load_caller(update: Update, context: SpotterContext) -> Caller:
    tg_user = update.effective_user
    assert tg_user is not None
    user, seat = await get_user_and_seat(context.session, telegram_user_id=tg_user.id)
    fresh = (tg_user.full_name[:200], tg_user.username, tg_user.language_code)
    if (
        user is None
        or user.blocked_at is not None
        or fresh != (user.display_name, user.username, user.language_code)
    ):
        # New, renamed, or back after blocking the bot: write; otherwise reading is enough.
        saved = await refresh_caller(
            context.session,
            telegram_user_id=tg_user.id,
            display_name=tg_user.full_name,
            username=tg_user.username,
            language_code=tg_user.language_code,
            known=(user, seat),
        )
        return Caller(user=saved.user, seat=saved.seat, new=saved.created)
    return Caller(user=user, seat=seat)


async def load_coach(update: Update, context: SpotterContext) -> Coach | None:
    """The caller if they coach a team; otherwise they are told so and None is returned."""
    caller = await load_caller(update, context)
    if caller.seat is None:
        # A linked athlete's /start shows their profile, not team set-up: no /start advice.
        is_athlete = bool(await list_athlete_profiles(context.session, user_id=caller.user.id))
        text = core_texts.COACH_ONLY if is_athlete else core_texts.NOT_A_COACH
        await notify(update, context, text, alert=True)
        return None
    return Coach(user=caller.user, seat=caller.seat)


async def load_member(
    update: Update, context: SpotterContext, refusal: str
) -> tuple[Caller, Member | None]:
    caller = await load_caller(update, context)
    profiles = await list_athlete_profiles(context.session, user_id=caller.user.id)
    if not profiles:
        await notify(update, context, refusal, alert=True)
        return caller, None
    return caller, Member(user=caller.user, seat=caller.seat, profiles=tuple(profiles))


def callback_data(update: Update, context: SpotterContext) -> str | None:
    """The pressed button's data (or the data of a press being replayed, see bot.core.forms)."""
    replayed: str | None = getattr(context, REPLAY_ATTR, None)
    if replayed is not None:
        return replayed
    return update.callback_query.data if update.callback_query else None


def unpack(kind: type[D], update: Update, context: SpotterContext) -> D:
    return kind.unpack(callback_data(update, context))


CoachHandler = Callable[[Update, SpotterContext, Coach], Coroutine[Any, Any, R]]
CoachButtonHandler = Callable[[Update, SpotterContext, Coach, D], Coroutine[Any, Any, R]]
MemberHandler = Callable[[Update, SpotterContext, Member], Coroutine[Any, Any, R]]
MemberButtonHandler = Callable[[Update, SpotterContext, Member, D], Coroutine[Any, Any, R]]
ButtonHandler = Callable[[Update, SpotterContext, D], Coroutine[Any, Any, R]]


def _named(wrapper: Callable[..., Any], callback: Callable[..., Any]) -> None:
    functools.update_wrapper(wrapper, callback)


@overload
def coach_action(
    kind: None = None,
) -> Callable[[CoachHandler[R]], Handler[R | None]]: ...
@overload
def coach_action(
    kind: type[D],
) -> Callable[[CoachButtonHandler[D, R]], Handler[R | None]]: ...
def coach_action(kind: type[Any] | None = None) -> Callable[[Any], Handler[Any]]:
    """Transaction + caller + coach check (+ typed callback data of `kind`)."""

    def decorate(callback: Callable[..., Coroutine[Any, Any, Any]]) -> Handler[Any]:
        async def run(update: Update, context: SpotterContext) -> Any:
            data = unpack(kind, update, context) if kind is not None else None
            coach = await load_coach(update, context)
            if coach is None:
                return None
            if kind is None:
                return await callback(update, context, coach)
            return await callback(update, context, coach, data)

        _named(run, callback)
        return transactional(run)

    return decorate


def coach_step(
    refused: R,
) -> Callable[
    [Callable[Concatenate[Update, SpotterContext, Coach, P], Coroutine[Any, Any, R]]],
    Callable[Concatenate[Update, SpotterContext, P], Coroutine[Any, Any, R]],
]:
    """The coach check for a step a handler hands its input to (a typed answer routed by the
    feature's text handler): it runs inside that handler's transaction, so it opens none;
    a caller who no longer coaches is told so and the step returns `refused`."""

    def decorate(
        callback: Callable[Concatenate[Update, SpotterContext, Coach, P], Coroutine[Any, Any, R]],
    ) -> Callable[Concatenate[Update, SpotterContext, P], Coroutine[Any, Any, R]]:
        async def run(
            update: Update, context: SpotterContext, *args: P.args, **kwargs: P.kwargs
        ) -> R:
            coach = await load_coach(update, context)
            if coach is None:
                return refused
            return await callback(update, context, coach, *args, **kwargs)

        _named(run, callback)
        return run

    return decorate


@overload
def athlete_action(
    kind: None = None, *, refusal: str = ...
) -> Callable[[MemberHandler[R]], Handler[R | None]]: ...
@overload
def athlete_action(
    kind: type[D], *, refusal: str = ...
) -> Callable[[MemberButtonHandler[D, R]], Handler[R | None]]: ...
def athlete_action(
    kind: type[Any] | None = None, *, refusal: str = core_texts.NOT_AN_ATHLETE
) -> Callable[[Any], Handler[Any]]:
    """Transaction + caller + "has an athlete profile" check (+ typed callback data)."""

    def decorate(callback: Callable[..., Coroutine[Any, Any, Any]]) -> Handler[Any]:
        async def run(update: Update, context: SpotterContext) -> Any:
            data = unpack(kind, update, context) if kind is not None else None
            _, member = await load_member(update, context, refusal)
            if member is None:
                return None
            if kind is None:
                return await callback(update, context, member)
            return await callback(update, context, member, data)

        _named(run, callback)
        return transactional(run)

    return decorate


def button_action(kind: type[D]) -> Callable[[ButtonHandler[D, R]], Handler[R]]:
    """Transaction + typed callback data, for buttons anyone may press."""

    def decorate(callback: ButtonHandler[D, R]) -> Handler[R]:
        async def run(update: Update, context: SpotterContext) -> R:
            return await callback(update, context, unpack(kind, update, context))

        _named(run, callback)
        return transactional(run)

    return decorate


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
