"""What the training handlers share: the team's units and clock, the caller's athlete profile,
and exercise names resolved with our search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.context import SpotterContext
from storage.models import Athlete, Organization
from storage.queries.athletes import list_athlete_profiles
from storage.queries.search import search_exercises
from storage.search import MatchKind
from storage.training.loads import DEFAULT_INCREMENT, WeightUnit
from storage.training.schedule import local_today, zone_or_none

PENDING_KEY = "training_pending"  # what a typed step is about: {"kind", ...ids}


@dataclass(frozen=True)
class Team:
    """The team's display and clock settings (columns of organizations)."""

    id: str
    name: str
    timezone: str
    unit: WeightUnit
    increment: float


def team_of(organization: Organization) -> Team:
    unit = WeightUnit(organization.weight_unit or "kg")
    increment = organization.rounding_increment or DEFAULT_INCREMENT[unit.value]
    timezone = organization.timezone or "UTC"
    if zone_or_none(timezone) is None:
        timezone = "UTC"  # a zone removed from tzdata since it was saved
    return Team(organization.id, organization.name, timezone, unit, float(increment))


def team_today(context: SpotterContext, team: Team) -> date:
    return local_today(context.now(), team.timezone)


@dataclass(frozen=True)
class Profile:
    athlete: Athlete
    team: Team


@dataclass(frozen=True)
class Resolved:
    exercise_id: str | None
    name: str
    suggestions: tuple[str, ...] = ()


# A typed name is taken when search is sure; otherwise the athlete gets suggestions.
_SURE = {MatchKind.EXACT, MatchKind.PREFIX, MatchKind.WORDS}


async def resolve_exercise(context: SpotterContext, *, organization_id: str, name: str) -> Resolved:
    page = await search_exercises(
        context.session, organization_id=organization_id, query=name, limit=5
    )
    if page.items and page.confident and page.items[0].match in _SURE:
        top = page.items[0]
        return Resolved(top.exercise_id, top.name)
    suggestions = [hit.name for hit in page.items[:3]]
    if page.suggestion is not None and page.suggestion.name not in suggestions:
        suggestions.insert(0, page.suggestion.name)
    return Resolved(None, name, tuple(suggestions[:3]))


async def load_profiles(context: SpotterContext, user_id: str) -> list[Profile]:
    """The caller's athlete records, each with its team (oldest team name first)."""
    return [
        Profile(athlete, team_of(organization))
        for athlete, organization in await list_athlete_profiles(context.session, user_id=user_id)
    ]


def own_profile(profiles: list[Profile], athlete_id: str) -> Profile | None:
    """The caller's own record named by a button; anything else reads as "not found"."""
    return next((p for p in profiles if p.athlete.id == athlete_id), None)


def command_text(text: str | None) -> str:
    """What follows the command: `/log@SpotterBot Squat 3x5` -> `Squat 3x5`."""
    if not text:
        return ""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 and parts[0].startswith("/") else ""
