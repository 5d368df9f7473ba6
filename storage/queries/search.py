"""Exercise search for inline mode (`@bot rdl`) and `/exercises <text>`.

One statement per search reads the curated library's fingerprint and the team's custom rows
changed since its index was cached (every row the first time; none, one index seek on
ix_exercises_org_updated, when nothing changed). Creating, editing, archiving and restoring a
custom exercise all stamp updated_at, so the changed rows bring the cached index up to date: the
rows already held are kept, only the index over them is made again. Rows stamped within
_RECHECK of the latest stamp are read on every search, so a change committed late (stamped
before a change that committed first) is still seen, and a change a search saw in a
transaction that was rolled back is noticed (a row of that window missing or older) and the
team read afresh. The curated index is kept per database (it changes only when the catalog is
loaded, maybe by another process); teams' indexes in an LRU bounded by the custom exercises they
hold. So a search costs about the same with ten custom exercises or ten thousand, and a change
is seen by the very next search, in any process. Ranking is `storage.search`, in Python; the
query text never reaches SQL.

What is held for the curated library serves more than the search, after the same one statement
has checked it is current: the cards of curated exercises in inline answers
(search_exercise_cards) and, with the teams' indexes, a body region's counts of exercises per
muscle group (count_exercises_by_muscle).
"""

from __future__ import annotations

import json
import operator
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, TypeVarTuple

import sqlalchemy as sa
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.catalog.loader import read_catalog
from storage.models import BodyRegion, Exercise, ExerciseMuscle, MovementPattern, MuscleGroup
from storage.models.base import UTCDateTime
from storage.queries.exercises import (
    ExerciseCard,
    ExerciseInfo,
    MuscleInfo,
    get_exercise_cards,
    muscles_text,
)
from storage.search import (
    Chain,
    Intent,
    Library,
    MatchKind,
    Ranked,
    Ranking,
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
    "count_exercises_by_muscle",
    "list_popular_exercises",
    "search_exercise_cards",
    "search_exercises",
]

Ts = TypeVarTuple("Ts")
Fingerprint = tuple[Any, ...]

_LIBRARY_CACHE_SIZE = 8  # databases per process (tests and benchmarks open many)
_libraries: OrderedDict[str, tuple[Fingerprint, _Curated]] = OrderedDict()
# Teams' custom indexes, least recently searched first, bounded by the custom exercises they hold:
# about 1.0 KB each measured (1.3 KB in one team of 10,000, whose index has lookup tables), so
# at most about 40-55 MB, plus the memoised name keys (bounded, about 9 MB).
_TEAM_CACHE_DOCUMENTS = 40_000
_teams: OrderedDict[tuple[str, str], _Team] = OrderedDict()
_team_weights: dict[tuple[str, str], int] = {}
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
    page, _ = await _search(session, organization_id, query, offset, limit)
    return page


async def search_exercise_cards(
    session: AsyncSession,
    *,
    organization_id: str | None,
    query: str,
    offset: int = 0,
    limit: int = 50,
) -> tuple[SearchPage, dict[str, ExerciseCard]]:
    """`search_exercises` and the cards of the page's exercises (without progressions), in
    the page's order, as `get_exercise_cards` reads them: the curated ones from the library held
    in memory, which the search's own statement has just checked is current; the team's own
    (if the page has any) in one more statement."""
    page, curated = await _search(session, organization_id, query, offset, limit)
    cards: dict[str, ExerciseCard] = {}
    custom: list[str] = []
    for hit in page.items:
        card = curated.cards.get(hit.exercise_id) if hit.organization_id is None else None
        if card is not None:
            cards[hit.exercise_id] = card
        else:
            custom.append(hit.exercise_id)
    if custom:
        read = await get_exercise_cards(
            session, organization_id=organization_id, exercise_ids=custom, muscles=curated.muscles
        )
        cards = {
            hit.exercise_id: card
            for hit in page.items
            if (card := cards.get(hit.exercise_id) or read.get(hit.exercise_id)) is not None
        }
    return page, cards


async def count_exercises_by_muscle(
    session: AsyncSession, *, organization_id: str | None, region: BodyRegion
) -> list[tuple[MuscleInfo, int]]:
    """The region's muscle groups in their order, each with how many visible live exercises
    work it (as storage.queries.exercises.count_exercises_by_muscle counts them), from what the
    search holds in memory: one statement, the search's own, however big the team."""
    curated, team = await _load_visible(session, organization_id)
    custom = team.muscle_counts() if team is not None else {}
    return [
        (muscle, curated.counts.get(muscle.id, 0) + custom.get(muscle.id, 0))
        for muscle in curated.by_region.get(region, ())
    ]


async def _search(
    session: AsyncSession, organization_id: str | None, query: str, offset: int, limit: int
) -> tuple[SearchPage, _Curated]:
    curated, team = await _load_visible(session, organization_id)
    library = curated.library
    # No await from here on: a team's cached index changes only between searches.
    ranked: Ranking | list[Ranked]
    if not query.strip():
        ranked = library.list_popular([] if team is None else team.listing())
    else:
        ranked = library.rank(query, _NO_CUSTOM if team is None else team.index)
    return library.page(ranked, offset=offset, limit=limit), curated


async def list_popular_exercises(
    session: AsyncSession,
    *,
    organization_id: str | None,
    offset: int = 0,
    limit: int = 50,
) -> SearchPage:
    """The first page for an empty query: the common lifts in a fixed order, then the team's
    custom exercises newest first, then the rest of the library by name."""
    page, _ = await _search(session, organization_id, "", offset, limit)
    return page


# Built once: statements are immutable, and building them costs more than running them here.
_CURATED = col(Exercise.organization_id).is_(None)
_LIVE = col(Exercise.archived_at).is_(None)

# What any catalog load changes. The loader stamps updated_at on every changed or unarchived
# curated row (muscles and instructions included) and archived_at on every dropped one; a
# muscle group can be renamed, reordered or moved to another region without touching an
# exercise, so the muscle groups are part of it too. Times are read as text: they are only
# compared, never used. The curated cards held beside the index (search_exercise_cards) are
# as current as this says.
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
                + sa.cast(col(MuscleGroup.sort_order), sa.String)
                + ":"
                + sa.cast(col(MuscleGroup.body_region), sa.String),
                "|",
            )
        )
        .scalar_subquery()
        .label("muscles"),
    )
    .where(_CURATED)
    .subquery("fingerprint")
)


_IN_TEAM = col(Exercise.organization_id) == sa.bindparam("organization_id")

# A team's rows changed since a time (every row on a first read): archived ones too, so that an
# archive is seen, with their stamps. One seek on ix_exercises_org_updated when nothing changed.
_CHANGED = (
    sa.select(
        col(Exercise.id),
        col(Exercise.name),
        sa.cast(col(Exercise.aliases), sa.Text).label("aliases"),  # decoded, memoised, below
        col(Exercise.movement_pattern),
        col(Exercise.equipment),
        muscles_text().label("muscles"),
        col(Exercise.created_at),
        col(Exercise.updated_at),
        col(Exercise.archived_at).is_not(None).label("archived"),
    )
    .where(_IN_TEAM, col(Exercise.updated_at) > sa.bindparam("since", type_=UTCDateTime()))
    .subquery("changed")
)

# Everything a search reads, in ONE round trip: the curated fingerprint on every row, then the
# team's rows changed since its cached index was read (none when nothing changed: one row of
# NULLs). Rows newest first, as the empty-query listing shows them.
_STATE = (
    sa.select(*_FINGERPRINT.c, *_CHANGED.c)
    .select_from(_FINGERPRINT.outerjoin(_CHANGED, sa.true()))
    .order_by(_CHANGED.c.created_at.desc(), _CHANGED.c.id)
)


@dataclass(slots=True)
class _Team:
    """A team's cached custom index and what keeps it true: every row read (live or archived)
    stamped within the recheck window of the latest stamp, which the next search must read
    again. A row stamped before a search but committed after it (a slow transaction), or a
    search that saw a change later rolled back, is so set right by the next search."""

    library: Library  # the curated index this one was built beside (its muscle order)
    live: dict[str, tuple[datetime, int]]  # id -> (created_at, document number in the index)
    recent: dict[str, datetime]  # id -> updated_at, for stamps after `since`
    latest: datetime
    index: SearchIndex
    _listing: list[SearchDocument] | None = None  # newest first, made when first asked for
    _counts: dict[str, int] | None = None  # live exercises per muscle, made when first asked for

    @property
    def since(self) -> datetime:
        return self.latest - _RECHECK

    @property
    def weight(self) -> int:  # what it counts for in the cache's budget
        return max(1, len(self.live))

    @classmethod
    def read(cls, library: Library, organization_id: str, rows: Sequence[Any]) -> _Team:
        """From every row of the team, newest first (as read)."""
        documents: list[SearchDocument] = []
        live: dict[str, tuple[datetime, int]] = {}
        team = cls(library, live, {}, _EPOCH, _NO_CUSTOM)
        for exercise_id, name, aliases, pattern, equipment, muscles, created, stamp, gone in rows:
            if not gone:
                live[exercise_id] = (created, len(documents))
                documents.append(
                    _make_document(
                        organization_id, exercise_id, name, aliases, pattern, equipment, muscles
                    )
                )
            team._stamped(exercise_id, stamp)
        team._forget_old_stamps()
        if documents:
            team.index = library.make_index(documents)
        return team

    def refresh(self, organization_id: str, rows: Sequence[Any]) -> bool:
        """Apply the rows changed since `since`; False when the cached rows can't be trusted
        (a row stamped in the window is gone or went back in time: a rolled-back change)."""
        seen = {row[0]: row[7] for row in rows}
        for exercise_id, stamp in self.recent.items():
            found = seen.get(exercise_id)
            if found is None or found < stamp:
                return False
        if len(seen) == len(self.recent) and all(
            self.recent[exercise_id] == stamp for exercise_id, stamp in seen.items()
        ):
            return True  # nothing changed
        documents = self.index.documents
        removed: list[int] = []
        added: list[tuple[str, datetime, SearchDocument]] = []
        for exercise_id, name, aliases, pattern, equipment, muscles, created, stamp, gone in rows:
            if self.recent.get(exercise_id) != stamp:  # changed since it was read
                held = self.live.pop(exercise_id, None)
                if held is not None:
                    removed.append(held[1])
                if not gone:
                    document = _make_document(
                        organization_id, exercise_id, name, aliases, pattern, equipment, muscles
                    )
                    added.append((exercise_id, created, document))
            self._stamped(exercise_id, stamp)
        self._forget_old_stamps()
        self._listing = None
        self._counts = None
        dead = len(self.index.dead) + len(removed)
        if self.index is _NO_CUSTOM or dead > max(_DEAD_KEPT, len(documents) // 4):
            # Empty (the shared empty index is never changed) or too many dead: build afresh.
            kept = [(created, documents[doc_no]) for created, doc_no in self.live.values()]
            kept.extend((created, document) for _, created, document in added)
            kept.sort(key=lambda item: item[1].id)
            kept.sort(key=lambda item: item[0], reverse=True)
            self.live = {doc.id: (created, n) for n, (created, doc) in enumerate(kept)}
            self.index = self.library.make_index([doc for _, doc in kept]) if kept else _NO_CUSTOM
            return True
        numbers = self.index.update(removed, [document for _, _, document in added])
        for (exercise_id, created, _), doc_no in zip(added, numbers, strict=True):
            self.live[exercise_id] = (created, doc_no)
        return True

    def listing(self) -> list[SearchDocument]:
        """The live documents newest first, ties by id (the empty-query listing's order)."""
        if self._listing is None:
            documents = self.index.documents
            ordered = sorted(self.live.items())  # by id
            ordered.sort(key=lambda item: item[1][0], reverse=True)
            self._listing = [documents[doc_no] for _, (_, doc_no) in ordered]
        return self._listing

    def muscle_counts(self) -> dict[str, int]:
        """How many of the live exercises work each muscle group (primary or secondary)."""
        if self._counts is None:
            documents = self.index.documents
            self._counts = _count_muscles(documents[doc_no] for _, doc_no in self.live.values())
        return self._counts

    def _stamped(self, exercise_id: str, stamp: datetime) -> None:
        self.latest = max(self.latest, stamp)
        self.recent[exercise_id] = stamp

    def _forget_old_stamps(self) -> None:
        since = self.since
        self.recent = {key: stamp for key, stamp in self.recent.items() if stamp > since}


_NO_CUSTOM = SearchIndex(())
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A change is seen however late after its stamp it commits, up to this.
_RECHECK = timedelta(minutes=2)
_DEAD_KEPT = 256  # removed documents a team's index may hold before it is built afresh
_WIDTH = len(_FINGERPRINT.c)
# A changed row's own columns (slicing a Row is dear on a big team's first read).
_CHANGED_COLUMNS = operator.itemgetter(*range(_WIDTH, _WIDTH + len(_CHANGED.c)))


async def _load_visible(
    session: AsyncSession, organization_id: str | None
) -> tuple[_Curated, _Team | None]:
    """The curated library and the team's custom index: one statement reads the curated
    fingerprint and the team's rows changed since its index was cached (all of them the first
    time); the cached index is brought up to date with them, rebuilt only when it can't be."""
    key = (_database_of(session), organization_id or "")
    team = _teams.get(key) if organization_id is not None else None
    since = team.since if team is not None else _EPOCH
    # NULL matches no row: someone in no team sees the curated library only.
    state = await _fetch_rows(session, _STATE, organization_id=organization_id, since=since)
    curated = await _get_library(session, tuple(state[0][:_WIDTH]))
    library = curated.library
    if organization_id is None:
        return curated, None
    rows = [_CHANGED_COLUMNS(row) for row in state if row[_WIDTH] is not None]
    if team is not None and team.library is library and team.refresh(organization_id, rows):
        _remember_team(key, team)
        return curated, team
    if since != _EPOCH:  # read every row again
        state = await _fetch_rows(session, _STATE, organization_id=organization_id, since=_EPOCH)
        rows = [_CHANGED_COLUMNS(row) for row in state if row[_WIDTH] is not None]
    team = _Team.read(library, organization_id, rows)
    _remember_team(key, team)
    return curated, team


def cached_team_indexes() -> tuple[int, int]:
    """(teams, custom exercises) whose indexes are held now (for benchmarks)."""
    return len(_teams), _team_documents


def forget_team_indexes() -> None:
    """Drop every team's cached index: the next search of each builds it (for benchmarks)."""
    global _team_documents
    _teams.clear()
    _team_weights.clear()
    _team_documents = 0


def _remember_team(key: tuple[str, str], team: _Team) -> None:
    """Keep (or re-count) a team's index, evicting the least recently searched beyond the
    budget: at most _TEAM_CACHE_DOCUMENTS custom exercises held in all."""
    global _team_documents
    previous = _team_weights.pop(key, 0)
    _teams[key] = team
    _teams.move_to_end(key)
    _team_weights[key] = team.weight
    _team_documents += team.weight - previous
    while _team_documents > _TEAM_CACHE_DOCUMENTS and len(_teams) > 1:
        evicted, _ = _teams.popitem(last=False)
        _team_documents -= _team_weights.pop(evicted)


def _database_of(session: AsyncSession) -> str:
    return str(session.sync_session.get_bind().engine.url)


async def _get_library(session: AsyncSession, fingerprint: Fingerprint) -> _Curated:
    """This database's curated index, rebuilt when the curated rows changed."""
    database = _database_of(session)
    cached = _libraries.get(database)
    if cached is not None and cached[0] == fingerprint:
        _libraries.move_to_end(database)
        return cached[1]
    curated = await _build_library(session)
    _libraries[database] = (fingerprint, curated)
    _libraries.move_to_end(database)
    while len(_libraries) > _LIBRARY_CACHE_SIZE:
        _libraries.popitem(last=False)
    return curated


async def _fetch_rows(
    session: AsyncSession, statement: sa.Select[*Ts], **params: Any
) -> Sequence[sa.Row[*Ts]]:
    """Plain rows on the session's connection and transaction (no ORM objects: cheaper)."""
    await session.flush()  # what session.exec would do by autoflush: pending rows count
    connection = await session.connection()
    return (await connection.execute(statement, params)).all()


@dataclass(frozen=True, slots=True)
class _Curated:
    """What a database's curated rows hold, read together and held while its fingerprint
    stays the same: the search index, the muscle groups, and the live exercises' cards."""

    library: Library
    muscles: dict[str, MuscleInfo]
    cards: dict[str, ExerciseCard]
    counts: dict[str, int]  # live curated exercises per muscle group
    by_region: dict[BodyRegion, list[MuscleInfo]]  # in their order (then by name)


async def _build_library(session: AsyncSession) -> _Curated:
    muscles = (
        await session.exec(
            select(
                col(MuscleGroup.id),
                col(MuscleGroup.name),
                col(MuscleGroup.body_region),
                col(MuscleGroup.sort_order),
            ).order_by(col(MuscleGroup.sort_order), col(MuscleGroup.id))
        )
    ).all()
    infos = {row[0]: MuscleInfo(*row) for row in muscles}
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
            col(Exercise.instructions),
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
        for exercise_id, slug, name, aliases, pattern, equipment, _ in rows
    ]
    library = Library(
        documents,
        [(muscle_id, name) for muscle_id, name, _, _ in muscles],
        regions={muscle_id: str(region) for muscle_id, _, region, _ in muscles},
        chains=chains,
    )
    cards: dict[str, ExerciseCard] = {}
    for exercise_id, _, name, aliases, pattern, equipment, instructions in rows:
        exercise = ExerciseInfo(
            exercise_id, None, name, pattern, equipment, tuple(aliases or ()), instructions, None
        )
        primary = [infos[m] for m in primary_by_exercise.get(exercise_id, ()) if m in infos]
        secondary = [infos[m] for m in secondary_by_exercise.get(exercise_id, ()) if m in infos]
        primary.sort(key=_sort_order)
        secondary.sort(key=_sort_order)
        cards[exercise_id] = ExerciseCard(exercise, tuple(primary), tuple(secondary), (), ())
    by_region: dict[BodyRegion, list[MuscleInfo]] = {}
    for muscle in sorted(infos.values(), key=lambda muscle: (muscle.sort_order, muscle.name)):
        by_region.setdefault(muscle.body_region, []).append(muscle)
    counts = _count_muscles(documents)
    return _Curated(library, infos, cards, counts, by_region)


def _count_muscles(documents: Iterable[SearchDocument]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for document in documents:
        counts.update(document.primary_muscles)
        counts.update(document.secondary_muscles)
    return dict(counts)


def _sort_order(muscle: MuscleInfo) -> int:
    return muscle.sort_order


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


def _make_document(
    organization_id: str,
    exercise_id: str,
    name: str,
    aliases: str | None,
    pattern: MovementPattern,
    equipment: str,
    muscles: str | None,
) -> SearchDocument:
    primary, secondary = _split_muscles(muscles or "")
    return SearchDocument(
        id=exercise_id,
        name=name,
        movement_pattern=pattern,
        equipment=equipment,
        aliases=_decode_aliases(aliases) if aliases and aliases != "[]" else (),
        primary_muscles=primary,
        organization_id=organization_id,
        secondary_muscles=secondary,
    )


@lru_cache(maxsize=4096)
def _split_muscles(muscles: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    # "+chest,-triceps" (primary +, secondary -, any order); the same few recur endlessly.
    parts = [part for part in muscles.split(",") if part]
    return (
        tuple(sorted(part[1:] for part in parts if part[0] == "+")),
        tuple(sorted(part[1:] for part in parts if part[0] != "+")),
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
