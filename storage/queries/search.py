"""Exercise search for inline mode (`@bot rdl`) and `/exercises <text>`.

One small query per search reads two fingerprints: the curated library's and the team's custom
exercises' (their latest updated_at, which every create, edit, archive and restore stamps). Each
index is built once and kept while its fingerprint holds: the curated one per database (it
changes only when the catalog is loaded, maybe by another process), a team's in a bounded LRU
cache. So a search costs about the same with ten custom exercises or ten thousand, and a change
is seen by the very next search, in any process. Ranking is `storage.search`, in Python; the
query text never reaches SQL.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, TypeVarTuple

import sqlalchemy as sa
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.catalog.loader import read_catalog
from storage.models import Exercise, ExerciseMuscle, MovementPattern, MuscleGroup
from storage.search import (
    Chain,
    Intent,
    Library,
    MatchKind,
    SearchDocument,
    SearchHit,
    SearchIndex,
    SearchPage,
)

__all__ = [
    "Intent",
    "MatchKind",
    "SearchHit",
    "SearchPage",
    "list_popular_exercises",
    "search_exercises",
]

Ts = TypeVarTuple("Ts")
Fingerprint = tuple[Any, ...]

_LIBRARY_CACHE_SIZE = 8  # databases per process (tests and benchmarks open many)
_libraries: OrderedDict[str, tuple[Fingerprint, Library]] = OrderedDict()
# Teams' custom indexes, least recently searched first; bounded by the exercises they hold.
_TEAM_CACHE_DOCUMENTS = 400_000
_teams: OrderedDict[tuple[str, str], tuple[Fingerprint, SearchIndex]] = OrderedDict()
_team_documents = 0


async def search_exercises(
    session: AsyncSession,
    *,
    organization_id: str | None,
    query: str,
    offset: int = 0,
    limit: int = 50,
) -> SearchPage:
    """Curated plus the team's live custom exercises matching `query`, best first.

    A blank query lists popular exercises (as `list_popular_exercises`); text without a letter
    or digit ("%", emoji) finds nothing. `limit` is capped at 50, Telegram's page size.
    """
    if not query.strip():
        return await list_popular_exercises(
            session, organization_id=organization_id, offset=offset, limit=limit
        )
    library, custom = await _load_visible(session, organization_id)
    return library.page(library.rank(query, custom), offset=offset, limit=limit)


async def list_popular_exercises(
    session: AsyncSession,
    *,
    organization_id: str | None,
    offset: int = 0,
    limit: int = 50,
) -> SearchPage:
    """The first page for an empty query: the common lifts in a fixed order, then the team's
    custom exercises newest first, then the rest of the library by name."""
    library, custom = await _load_visible(session, organization_id)
    return library.page(library.list_popular(custom.documents), offset=offset, limit=limit)


# Built once: statements are immutable, and building them costs more than running them here.
_CURATED = col(Exercise.organization_id).is_(None)
_LIVE = col(Exercise.archived_at).is_(None)

# What any catalog load changes. The loader stamps updated_at on every changed or unarchived
# curated row (muscles included) and archived_at on every dropped one; a muscle group can be
# renamed without touching an exercise, so the muscle names are part of it too. Times are read
# as text: they are only compared, never used.
_FINGERPRINT = (
    sa.select(
        func.count().label("curated"),
        func.count(col(Exercise.archived_at)).label("archived"),
        sa.cast(func.max(col(Exercise.updated_at)), sa.Text).label("last_updated"),
        sa.cast(func.max(col(Exercise.archived_at)), sa.Text).label("last_archived"),
        sa.select(
            func.aggregate_strings(
                col(MuscleGroup.id)
                + ":"
                + col(MuscleGroup.name)
                + ":"
                + sa.cast(col(MuscleGroup.sort_order), sa.String),
                "|",
            )
        )
        .scalar_subquery()
        .label("muscles"),
    )
    .where(_CURATED)
    .subquery("fingerprint")
)
_FINGERPRINT_WIDTH = len(_FINGERPRINT.c)


def _muscles_of(*, primary: bool) -> sa.ScalarSelect[Any]:
    return (
        sa.select(func.aggregate_strings(col(ExerciseMuscle.muscle_group_id), ","))
        .where(
            col(ExerciseMuscle.exercise_id) == col(Exercise.id),
            col(ExerciseMuscle.is_primary).is_(primary),
        )
        .scalar_subquery()
    )


_IN_TEAM = col(Exercise.organization_id) == sa.bindparam("organization_id")

# Both fingerprints in one round trip. A team's is its latest updated_at, one seek on
# ix_exercises_org_updated: creating, editing, archiving and restoring a custom exercise all
# stamp it with the current time (a count would cost a pass over a big team's rows).
_STATE = sa.select(
    *_FINGERPRINT.c,
    sa.select(sa.cast(func.max(col(Exercise.updated_at)), sa.Text))
    .where(_IN_TEAM)
    .scalar_subquery(),
).select_from(_FINGERPRINT)

# A team's live custom exercises, newest first (the order the empty-query listing shows them).
_CUSTOM_ROWS = (
    sa.select(
        col(Exercise.id),
        col(Exercise.name),
        sa.cast(col(Exercise.aliases), sa.Text),  # decoded by the memoised _make_custom_document
        col(Exercise.movement_pattern),
        col(Exercise.equipment),
        _muscles_of(primary=True),
        _muscles_of(primary=False),
    )
    .where(_IN_TEAM, _LIVE)
    .order_by(col(Exercise.created_at).desc(), col(Exercise.id))
)

_NO_CUSTOM = SearchIndex(())


async def _load_visible(
    session: AsyncSession, organization_id: str | None
) -> tuple[Library, SearchIndex]:
    """The curated library and the team's custom index, each rebuilt only when it changed."""
    # NULL matches no row: someone in no team sees the curated library only.
    state = (await _fetch_rows(session, _STATE, organization_id=organization_id))[0]
    curated = tuple(state[:_FINGERPRINT_WIDTH])
    library = await _get_library(session, curated)
    if organization_id is None or not state[_FINGERPRINT_WIDTH]:
        return library, _NO_CUSTOM
    fingerprint = (curated, *state[_FINGERPRINT_WIDTH:])
    key = (_database_of(session), organization_id)
    cached = _teams.get(key)
    if cached is not None and cached[0] == fingerprint:
        _teams.move_to_end(key)
        return library, cached[1]
    rows = await _fetch_rows(session, _CUSTOM_ROWS, organization_id=organization_id)
    index = library.make_index(_make_custom_document(organization_id, *row) for row in rows)
    _remember_team(key, fingerprint, index)
    return library, index


def _remember_team(key: tuple[str, str], fingerprint: Fingerprint, index: SearchIndex) -> None:
    global _team_documents
    previous = _teams.pop(key, None)
    if previous is not None:
        _team_documents -= len(previous[1])
    _teams[key] = (fingerprint, index)
    _team_documents += len(index)
    while _team_documents > _TEAM_CACHE_DOCUMENTS and len(_teams) > 1:
        _, (_, evicted) = _teams.popitem(last=False)
        _team_documents -= len(evicted)


def _database_of(session: AsyncSession) -> str:
    return str(session.sync_session.get_bind().engine.url)


async def _get_library(session: AsyncSession, fingerprint: Fingerprint) -> Library:
    """This database's curated index, rebuilt when the curated rows changed."""
    database = _database_of(session)
    cached = _libraries.get(database)
    if cached is not None and cached[0] == fingerprint:
        _libraries.move_to_end(database)
        return cached[1]
    library = await _build_library(session)
    _libraries[database] = (fingerprint, library)
    _libraries.move_to_end(database)
    while len(_libraries) > _LIBRARY_CACHE_SIZE:
        _libraries.popitem(last=False)
    return library


async def _fetch_rows(
    session: AsyncSession, statement: sa.Select[*Ts], **params: Any
) -> Sequence[sa.Row[*Ts]]:
    """Plain rows on the session's connection and transaction (no ORM objects: cheaper)."""
    await session.flush()  # what session.exec would do by autoflush: pending rows count
    connection = await session.connection()
    return (await connection.execute(statement, params)).all()


async def _build_library(session: AsyncSession) -> Library:
    muscles = (
        await session.exec(
            select(
                col(MuscleGroup.id), col(MuscleGroup.name), col(MuscleGroup.body_region)
            ).order_by(col(MuscleGroup.sort_order), col(MuscleGroup.id))
        )
    ).all()
    links = (
        await session.exec(
            select(
                col(ExerciseMuscle.exercise_id),
                col(ExerciseMuscle.muscle_group_id),
                col(ExerciseMuscle.is_primary),
            )
            .join(Exercise, col(Exercise.id) == col(ExerciseMuscle.exercise_id))
            .where(_CURATED)
        )
    ).all()
    primary_by_exercise: dict[str, list[str]] = {}
    secondary_by_exercise: dict[str, list[str]] = {}
    for exercise_id, muscle_id, is_primary in links:
        chosen = primary_by_exercise if is_primary else secondary_by_exercise
        chosen.setdefault(exercise_id, []).append(muscle_id)
    chains, foreign = _catalog_extras()
    rows = await _fetch_rows(
        session,
        sa.select(
            col(Exercise.id),
            col(Exercise.slug),
            col(Exercise.name),
            col(Exercise.aliases),
            col(Exercise.movement_pattern),
            col(Exercise.equipment),
        ).where(_CURATED, _LIVE),
    )
    documents = [
        SearchDocument(
            id=exercise_id,
            name=name,
            movement_pattern=pattern,
            equipment=equipment,
            aliases=tuple(aliases or ()),
            primary_muscles=tuple(primary_by_exercise.get(exercise_id, ())),
            slug=slug,
            secondary_muscles=tuple(secondary_by_exercise.get(exercise_id, ())),
            foreign=foreign.get(slug or "", ()),
        )
        for exercise_id, slug, name, aliases, pattern, equipment in rows
    ]
    return Library(
        documents,
        [(muscle_id, name) for muscle_id, name, _ in muscles],
        regions={muscle_id: str(region) for muscle_id, _, region in muscles},
        chains=chains,
    )


@lru_cache(maxsize=1)
def _catalog_extras() -> tuple[list[Chain], dict[str, tuple[str, ...]]]:
    """Progression chains in order and names in other languages, by slug, from the catalog file
    (the database keeps the chains as pairs, without their order or names). Steps and slugs
    the database doesn't have are skipped by the library."""
    catalog = read_catalog()
    chains = [Chain(chain.chain, tuple(chain.steps)) for chain in catalog.chains]
    foreign = {
        exercise.slug: tuple(name for names in exercise.names.values() for name in names)
        for exercise in catalog.exercises
        if exercise.names
    }
    return chains, foreign


@lru_cache(maxsize=32768)
def _make_custom_document(
    organization_id: str,
    exercise_id: str,
    name: str,
    aliases: str | None,
    pattern: MovementPattern,
    equipment: str,
    muscles: str | None,
    secondary: str | None,
) -> SearchDocument:
    # Keyed by the row's whole content, so an edited row makes a new document.
    return SearchDocument(
        id=exercise_id,
        name=name,
        movement_pattern=pattern,
        equipment=equipment,
        aliases=_decode_aliases(aliases) if aliases and aliases != "[]" else (),
        primary_muscles=tuple(muscles.split(",")) if muscles else (),
        organization_id=organization_id,
        secondary_muscles=tuple(secondary.split(",")) if secondary else (),
    )


@lru_cache(maxsize=4096)
def _decode_aliases(text: str) -> tuple[str, ...]:
    # Alias lists repeat across rows and teams ("Tempo RDL"); JSON decoding is the dear part.
    decoded = json.loads(text)
    return (
        tuple(alias for alias in decoded if isinstance(alias, str))
        if isinstance(decoded, list)
        else ()
    )
