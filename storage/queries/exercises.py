"""The exercise library: curated rows (organization_id NULL) plus each team's custom ones.

`organization_id` is the caller's team, or None for someone in no team (curated only).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import col, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.errors import Conflict, ErrorCode, InvalidInput, NotFound
from storage.models import (
    BodyRegion,
    Exercise,
    ExerciseMuscle,
    ExerciseProgression,
    MovementPattern,
    MuscleGroup,
    ProgressionDirection,
)
from storage.models.base import utcnow
from storage.queries.paging import Page, clamp_offset
from storage.schemas import ExerciseCreate, ExerciseUpdate


@dataclass(frozen=True, slots=True)
class MuscleInfo:
    """A muscle group as read (plain values: lists and cards are read far more than written)."""

    id: str
    name: str
    body_region: BodyRegion
    sort_order: int


@dataclass(frozen=True, slots=True)
class ExerciseInfo:
    """An exercise as lists and cards show it: plain values, read without the ORM."""

    id: str
    organization_id: str | None
    name: str
    movement_pattern: MovementPattern
    equipment: str
    aliases: tuple[str, ...]
    instructions: str | None
    archived_at: datetime | None


ExercisePage = Page[ExerciseInfo]


@dataclass(frozen=True)
class ExerciseCard:
    exercise: ExerciseInfo
    primary: Sequence[MuscleInfo]
    secondary: Sequence[MuscleInfo]
    easier: Sequence[ExerciseInfo] = field(default_factory=list)
    harder: Sequence[ExerciseInfo] = field(default_factory=list)
    # Ids of the related exercises whose link the caller's team made (and so may remove).
    removable: frozenset[str] = frozenset()

    @property
    def is_curated(self) -> bool:
        return self.exercise.organization_id is None


def visible_to(organization_id: str | None) -> sa.ColumnElement[bool]:
    curated = col(Exercise.organization_id).is_(None)
    if organization_id is None:
        return curated
    return or_(curated, col(Exercise.organization_id) == organization_id)


def _edge_visible_to(organization_id: str | None) -> sa.ColumnElement[bool]:
    curated = col(ExerciseProgression.organization_id).is_(None)
    if organization_id is None:
        return curated
    return or_(curated, col(ExerciseProgression.organization_id) == organization_id)


async def list_muscle_groups(
    session: AsyncSession, *, region: BodyRegion | None = None
) -> list[MuscleGroup]:
    query = select(MuscleGroup).order_by(col(MuscleGroup.sort_order), col(MuscleGroup.name))
    if region is not None:
        query = query.where(col(MuscleGroup.body_region) == region)
    return list((await session.exec(query)).all())


async def get_muscle_group(session: AsyncSession, *, muscle_group_id: str) -> MuscleInfo:
    rows = await _rows(session, _MUSCLE, muscle_group_id=muscle_group_id)
    if not rows:
        raise NotFound(ErrorCode.MUSCLE_GROUP_NOT_FOUND)
    return _muscle_info(rows[0])


async def count_exercises_by_muscle(
    session: AsyncSession, *, organization_id: str | None, region: BodyRegion
) -> list[tuple[MuscleInfo, int]]:
    """Muscle groups of a region with how many visible exercises work them."""
    rows = await _rows(session, _MUSCLE_COUNTS, organization_id=organization_id, region=region)
    return [(_muscle_info(row), int(row.n)) for row in rows]


async def list_exercises_by_muscle(
    session: AsyncSession,
    *,
    organization_id: str | None,
    muscle_group_id: str,
    offset: int = 0,
    limit: int = 10,
) -> ExercisePage:
    """Primary movers first, then exercises where the muscle is secondary; by name within each."""
    _, page = await muscle_page(
        session,
        organization_id=organization_id,
        muscle_group_id=muscle_group_id,
        offset=offset,
        limit=limit,
    )
    return page


async def muscle_page(
    session: AsyncSession,
    *,
    organization_id: str | None,
    muscle_group_id: str,
    offset: int = 0,
    limit: int = 10,
) -> tuple[MuscleInfo, ExercisePage]:
    """The muscle group and a page of its exercises (as list_exercises_by_muscle), in one
    statement. Raises NotFound for a muscle group that doesn't exist."""
    params = {"organization_id": organization_id, "muscle_group_id": muscle_group_id}
    rows, page = await _windowed(session, _MUSCLE_PAGE, params, offset=offset, limit=limit)
    if not rows:
        raise NotFound(ErrorCode.MUSCLE_GROUP_NOT_FOUND)
    return _muscle_info(rows[0]), page


async def list_exercises_by_pattern(
    session: AsyncSession,
    *,
    organization_id: str | None,
    pattern: MovementPattern,
    offset: int = 0,
    limit: int = 10,
) -> ExercisePage:
    params = {"organization_id": organization_id, "pattern": pattern}
    _, page = await _windowed(session, _PATTERN_PAGE, params, offset=offset, limit=limit)
    return page


async def list_custom_exercises(
    session: AsyncSession,
    *,
    organization_id: str,
    include_archived: bool = False,
    archived_only: bool = False,
    offset: int = 0,
    limit: int = 10,
) -> ExercisePage:
    """The team's own exercises by name: live ones (the default), archived ones only, or both
    (live first)."""
    statement: sa.Executable
    if archived_only:
        statement = _TEAM_ARCHIVED_PAGE
    elif include_archived:
        statement = _TEAM_ALL_PAGE
    else:
        page, _ = await team_exercises(
            session, organization_id=organization_id, offset=offset, limit=limit
        )
        return page
    params = {"organization_id": organization_id}
    _, page = await _windowed(session, statement, params, offset=offset, limit=limit)
    return page


async def team_exercises(
    session: AsyncSession, *, organization_id: str, offset: int = 0, limit: int = 10
) -> tuple[ExercisePage, int]:
    """A page of the team's live exercises by name, and how many it has archived, in one
    statement: the team's rows live first, archived after, counted by windows."""
    params: dict[str, Any] = {"organization_id": organization_id, "limit": limit}
    rows = await _rows(session, _TEAM_ALL_PAGE, **params, offset=offset)
    if not rows and offset > 0:  # past the end (a stale page): the counts first
        rows = await _rows(session, _TEAM_ALL_PAGE, **params, offset=0)
    if not rows:
        return ExercisePage(items=[], total=0, offset=0, limit=limit), 0
    live, total = int(rows[0].live), int(rows[0].total)
    if offset and offset >= live:  # then the last page
        offset = clamp_offset(offset, total=live, limit=limit)
        rows = await _rows(session, _TEAM_ALL_PAGE, **params, offset=offset)
    items = [_exercise_info(row) for row in rows if row.archived_at is None]
    return ExercisePage(items=items, total=live, offset=offset, limit=limit), total - live


async def get_exercise(
    session: AsyncSession, *, organization_id: str | None, exercise_id: str
) -> Exercise:
    """A visible exercise, archived or not (cards and progression links still show those)."""
    exercise = await session.get(Exercise, exercise_id, populate_existing=True)
    if exercise is None or exercise.organization_id not in (None, organization_id):
        raise NotFound(ErrorCode.EXERCISE_NOT_FOUND)
    return exercise


async def get_custom_exercise(
    session: AsyncSession, *, organization_id: str, exercise_id: str
) -> Exercise:
    exercise = await get_exercise(session, organization_id=organization_id, exercise_id=exercise_id)
    if exercise.organization_id is None:
        raise Conflict(ErrorCode.CURATED_READ_ONLY)
    return exercise


async def get_exercise_card(
    session: AsyncSession, *, organization_id: str | None, exercise_id: str
) -> ExerciseCard:
    """A visible exercise (archived or not) with its muscles and the progressions the team sees,
    in one statement."""
    rows = await _rows(session, _CARD, organization_id=organization_id, exercise_id=exercise_id)
    if not rows or rows[0].kind != _KIND_EXERCISE:
        raise NotFound(ErrorCode.EXERCISE_NOT_FOUND)
    primary: list[MuscleInfo] = []
    secondary: list[MuscleInfo] = []
    easier: list[ExerciseInfo] = []
    harder: list[ExerciseInfo] = []
    removable: set[str] = set()
    for row in rows[1:]:
        if row.kind == _KIND_MUSCLE:
            muscle = MuscleInfo(row.id, row.name, row.body_region, row.sort_order)
            (primary if row.is_primary else secondary).append(muscle)
            continue
        related = _exercise_info(row)
        (harder if row.direction is ProgressionDirection.HARDER else easier).append(related)
        if organization_id is not None and row.edge_organization_id == organization_id:
            removable.add(related.id)
    return ExerciseCard(
        exercise=_exercise_info(rows[0]),
        primary=primary,
        secondary=secondary,
        easier=easier,
        harder=harder,
        removable=frozenset(removable),
    )


async def find_exercise_by_name(
    session: AsyncSession, *, organization_id: str | None, name: str
) -> Exercise | None:
    """Exact, case-insensitive: the team's own first, then curated."""
    result = await session.exec(
        select(Exercise)
        .where(func.lower(col(Exercise.name)) == name.lower(), visible_to(organization_id))
        .order_by(col(Exercise.organization_id).is_(None))
    )
    return result.first()


async def _check_muscles(session: AsyncSession, muscle_ids: list[str]) -> None:
    known = set((await session.exec(select(col(MuscleGroup.id)))).all())
    unknown = [muscle for muscle in muscle_ids if muscle not in known]
    if unknown:
        raise InvalidInput("muscles", ErrorCode.UNKNOWN_MUSCLES, names=tuple(unknown))


async def _name_taken(
    session: AsyncSession, *, organization_id: str, name: str, except_id: str | None = None
) -> bool:
    query = select(col(Exercise.id)).where(
        col(Exercise.organization_id) == organization_id,
        func.lower(col(Exercise.name)) == name.lower(),
    )
    if except_id is not None:
        query = query.where(col(Exercise.id) != except_id)
    return (await session.exec(query)).first() is not None


def _duplicate_name(name: str) -> Conflict:
    return Conflict(ErrorCode.EXERCISE_NAME_TAKEN, name=name)


async def _set_muscles(
    session: AsyncSession, exercise_id: str, primary: list[str], secondary: list[str]
) -> None:
    await session.execute(
        sa.delete(ExerciseMuscle).where(col(ExerciseMuscle.exercise_id) == exercise_id)
    )
    for muscle in dict.fromkeys(primary):
        session.add(
            ExerciseMuscle(exercise_id=exercise_id, muscle_group_id=muscle, is_primary=True)
        )
    for muscle in dict.fromkeys(secondary):
        if muscle not in primary:
            session.add(
                ExerciseMuscle(exercise_id=exercise_id, muscle_group_id=muscle, is_primary=False)
            )
    await session.flush()


async def create_custom_exercise(
    session: AsyncSession,
    *,
    organization_id: str,
    data: ExerciseCreate,
    created_by: str | None = None,
    exercise_id: str | None = None,
) -> Exercise:
    """A caller-chosen id makes a repeated Save return the first result instead of a duplicate."""
    if exercise_id is not None:
        existing = await session.get(Exercise, exercise_id)
        if existing is not None and existing.organization_id == organization_id:
            return existing
    await _check_muscles(session, [*data.primary_muscles, *data.secondary_muscles])
    if await _name_taken(session, organization_id=organization_id, name=data.name):
        raise _duplicate_name(data.name)
    exercise = Exercise(
        organization_id=organization_id,
        name=data.name,
        aliases=data.aliases,
        movement_pattern=data.movement_pattern,
        equipment=data.equipment.value,
        instructions=data.instructions,
        created_by=created_by,
    )
    if exercise_id is not None:
        exercise.id = exercise_id
    session.add(exercise)
    await session.flush()
    await _set_muscles(session, exercise.id, data.primary_muscles, data.secondary_muscles)
    return exercise


async def update_custom_exercise(
    session: AsyncSession, *, organization_id: str, exercise_id: str, changes: ExerciseUpdate
) -> Exercise:
    exercise = await get_custom_exercise(
        session, organization_id=organization_id, exercise_id=exercise_id
    )
    values = changes.model_dump(exclude_unset=True)
    if "name" in values and await _name_taken(
        session, organization_id=organization_id, name=values["name"], except_id=exercise_id
    ):
        raise _duplicate_name(values["name"])
    primary = values.pop("primary_muscles", None)
    secondary = values.pop("secondary_muscles", None)
    for key, value in values.items():
        setattr(exercise, key, value.value if key == "equipment" else value)
    exercise.updated_at = utcnow()
    session.add(exercise)
    await session.flush()
    if primary is not None or secondary is not None:
        card = await get_exercise_card(
            session, organization_id=organization_id, exercise_id=exercise_id
        )
        new_primary = primary if primary is not None else [m.id for m in card.primary]
        new_secondary = secondary if secondary is not None else [m.id for m in card.secondary]
        await _check_muscles(session, [*new_primary, *new_secondary])
        await _set_muscles(
            session, exercise_id, new_primary, [m for m in new_secondary if m not in new_primary]
        )
    return exercise


async def set_exercise_archived(
    session: AsyncSession, *, organization_id: str, exercise_id: str, archived: bool
) -> Exercise:
    exercise = await get_custom_exercise(
        session, organization_id=organization_id, exercise_id=exercise_id
    )
    exercise.archived_at = utcnow() if archived else None
    exercise.updated_at = utcnow()
    session.add(exercise)
    await session.flush()
    return exercise


async def find_team_copy(
    session: AsyncSession, *, organization_id: str, exercise_id: str
) -> Exercise | None:
    """The team's existing copy of this exercise (archived ones too), if it made one."""
    result = await session.exec(
        select(Exercise)
        .where(
            col(Exercise.organization_id) == organization_id,
            col(Exercise.copied_from_id) == exercise_id,
        )
        .order_by(col(Exercise.archived_at).is_not(None), col(Exercise.created_at))
    )
    return result.first()


async def copy_exercise_to_team(
    session: AsyncSession, *, organization_id: str, exercise_id: str, created_by: str | None = None
) -> Exercise:
    """A custom copy of a visible exercise, named like it ("(copy)" when the name is taken).

    The copy remembers its source; callers check find_team_copy first to open an existing one.
    """
    card = await get_exercise_card(
        session, organization_id=organization_id, exercise_id=exercise_id
    )
    source = card.exercise
    name = source.name
    suffix = 1
    while await _name_taken(session, organization_id=organization_id, name=name):
        suffix += 1
        tail = " (copy)" if suffix == 2 else f" (copy {suffix - 1})"
        name = source.name[: 100 - len(tail)] + tail
    copy = Exercise(
        organization_id=organization_id,
        name=name,
        aliases=list(source.aliases),
        movement_pattern=source.movement_pattern,
        equipment=source.equipment,
        instructions=source.instructions,
        created_by=created_by,
        copied_from_id=source.id,
    )
    session.add(copy)
    await session.flush()
    await _set_muscles(
        session, copy.id, [m.id for m in card.primary], [m.id for m in card.secondary]
    )
    return copy


async def _harder_path_exists(
    session: AsyncSession, *, organization_id: str, start: str, goal: str
) -> bool:
    """Whether `goal` is reachable from `start` by following "harder" links the team sees."""
    seen = {start}
    queue = deque([start])
    while queue:
        frontier = [queue.popleft() for _ in range(len(queue))]
        result = await session.exec(
            select(col(ExerciseProgression.related_exercise_id)).where(
                col(ExerciseProgression.exercise_id).in_(frontier),
                col(ExerciseProgression.direction) == ProgressionDirection.HARDER,
                _edge_visible_to(organization_id),
            )
        )
        for nxt in result.all():
            if nxt == goal:
                return True
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return False


async def add_progression(
    session: AsyncSession,
    *,
    organization_id: str,
    exercise_id: str,
    related_exercise_id: str,
    direction: ProgressionDirection,
) -> None:
    """Record that `related` is `direction` (easier/harder) than `exercise`, as a pair of edges."""
    exercise = await get_exercise(session, organization_id=organization_id, exercise_id=exercise_id)
    related = await get_exercise(
        session, organization_id=organization_id, exercise_id=related_exercise_id
    )
    if exercise.id == related.id:
        raise Conflict(ErrorCode.LINK_TO_ITSELF)
    existing = await session.exec(
        select(ExerciseProgression).where(
            col(ExerciseProgression.exercise_id) == exercise.id,
            col(ExerciseProgression.related_exercise_id) == related.id,
            _edge_visible_to(organization_id),
        )
    )
    edge = existing.first()
    if edge is not None:
        if edge.direction is direction:
            raise Conflict(ErrorCode.LINK_EXISTS, name=related.name, direction=direction)
        raise Conflict(ErrorCode.LINK_EXISTS_OTHER_WAY, name=related.name, direction=edge.direction)
    easier, harder = (
        (exercise, related) if direction is ProgressionDirection.HARDER else (related, exercise)
    )
    if await _harder_path_exists(
        session, organization_id=organization_id, start=harder.id, goal=easier.id
    ):
        raise Conflict(ErrorCode.LINK_LOOP, easier=easier.name, harder=harder.name)
    session.add_all(
        [
            ExerciseProgression(
                exercise_id=easier.id,
                related_exercise_id=harder.id,
                direction=ProgressionDirection.HARDER,
                organization_id=organization_id,
            ),
            ExerciseProgression(
                exercise_id=harder.id,
                related_exercise_id=easier.id,
                direction=ProgressionDirection.EASIER,
                organization_id=organization_id,
            ),
        ]
    )
    await session.flush()


async def remove_progression(
    session: AsyncSession, *, organization_id: str, exercise_id: str, related_exercise_id: str
) -> None:
    edges = (
        await session.exec(
            select(ExerciseProgression).where(
                or_(
                    sa.and_(
                        col(ExerciseProgression.exercise_id) == exercise_id,
                        col(ExerciseProgression.related_exercise_id) == related_exercise_id,
                    ),
                    sa.and_(
                        col(ExerciseProgression.exercise_id) == related_exercise_id,
                        col(ExerciseProgression.related_exercise_id) == exercise_id,
                    ),
                ),
                _edge_visible_to(organization_id),
            )
        )
    ).all()
    if not edges:
        raise NotFound(ErrorCode.LINK_NOT_FOUND)
    if any(edge.organization_id is None for edge in edges):
        raise Conflict(ErrorCode.LINK_CURATED)
    for edge in edges:
        await session.delete(edge)
    await session.flush()


async def get_exercise_cards(
    session: AsyncSession,
    *,
    organization_id: str | None,
    exercise_ids: list[str],
    muscles: Mapping[str, MuscleInfo] | None = None,
) -> dict[str, ExerciseCard]:
    """Cards (without progressions) for many visible exercises: inline answers carry up to 50.
    One statement given `muscles` (every muscle group by id, as read in this transaction), two
    without."""
    if not exercise_ids:
        return {}
    if muscles is None:
        muscles = {m.id: m for m in map(_muscle_info, await _rows(session, _ALL_MUSCLES))}
    rows = await _rows(
        session, _CARDS, organization_id=organization_id, exercise_ids=list(exercise_ids)
    )
    cards: dict[str, ExerciseCard] = {}
    for row in rows:
        primary, secondary = split_muscles(row.muscles, muscles)
        cards[row.id] = ExerciseCard(
            exercise=_exercise_info(row), primary=primary, secondary=secondary
        )
    return cards


def split_muscles(
    text: str | None, muscles: Mapping[str, MuscleInfo]
) -> tuple[list[MuscleInfo], list[MuscleInfo]]:
    """ "+chest,-triceps" (+ primary, - secondary: see muscles_text) as muscle groups in their
    order, as cards list them."""
    primary: list[MuscleInfo] = []
    secondary: list[MuscleInfo] = []
    for part in (text or "").split(","):
        muscle = muscles.get(part[1:]) if part else None
        if muscle is not None:
            (primary if part[0] == "+" else secondary).append(muscle)
    primary.sort(key=_muscle_order)
    secondary.sort(key=_muscle_order)
    return primary, secondary


def _muscle_order(muscle: MuscleInfo) -> int:
    return muscle.sort_order


# --- statements, built once (building one costs more than running it): plain rows, no ORM ----

_Row = sa.Row[Any]


async def _rows(session: AsyncSession, statement: sa.Executable, **params: Any) -> Sequence[_Row]:
    """Plain rows on the session's connection and transaction, after a flush (what session.exec
    does by autoflush: pending rows count)."""
    await session.flush()
    connection = await session.connection()
    return (await connection.execute(statement, params)).all()


async def _windowed(
    session: AsyncSession,
    statement: sa.Executable,
    params: dict[str, Any],
    *,
    offset: int,
    limit: int,
) -> tuple[Sequence[_Row], ExercisePage]:
    """A page of a statement whose rows carry their total (a window count) and the exercise's
    columns (NULL in a row without one: a muscle group that no exercise works). A stale offset
    past the end shows the last page (clamp_offset)."""
    rows = await _rows(session, statement, **params, offset=offset, limit=limit)
    if offset > 0 and (not rows or rows[0].id is None):  # past the end: count, then clamp
        rows = await _rows(session, statement, **params, offset=0, limit=limit)
        offset = clamp_offset(offset, total=_total(rows), limit=limit)
        if offset:
            rows = await _rows(session, statement, **params, offset=offset, limit=limit)
    total = _total(rows)
    items = [_exercise_info(row) for row in rows if row.id is not None]
    return rows, ExercisePage(items=items, total=total, offset=offset, limit=limit)


def _total(rows: Sequence[_Row]) -> int:
    return int(rows[0].total or 0) if rows else 0


def _exercise_info(row: _Row) -> ExerciseInfo:
    aliases = row.aliases
    return ExerciseInfo(
        id=row.id,
        organization_id=row.organization_id,
        name=row.name,
        movement_pattern=row.movement_pattern,
        equipment=row.equipment,
        aliases=tuple(aliases) if aliases else (),
        instructions=row.instructions,
        archived_at=row.archived_at,
    )


def _muscle_info(row: _Row) -> MuscleInfo:
    return MuscleInfo(row.muscle_id, row.muscle_name, row.body_region, row.sort_order)


_ORG = sa.bindparam("organization_id", type_=sa.String())
# organization_id NULL (someone in no team) matches no team's row: curated only.
_VISIBLE = or_(col(Exercise.organization_id).is_(None), col(Exercise.organization_id) == _ORG)
_LIVE = col(Exercise.archived_at).is_(None)
_LIMIT = sa.bindparam("limit", type_=sa.Integer())
_OFFSET = sa.bindparam("offset", type_=sa.Integer())

_EXERCISE_COLUMNS: tuple[Any, ...] = (
    col(Exercise.id),
    col(Exercise.organization_id),
    col(Exercise.name),
    col(Exercise.movement_pattern),
    col(Exercise.equipment),
    col(Exercise.aliases),
    col(Exercise.instructions),
    col(Exercise.archived_at),
)
_MUSCLE_COLUMNS: tuple[Any, ...] = (
    col(MuscleGroup.id).label("muscle_id"),
    col(MuscleGroup.name).label("muscle_name"),
    col(MuscleGroup.body_region),
    col(MuscleGroup.sort_order),
)
_MUSCLE_ID = sa.bindparam("muscle_group_id", type_=sa.String())

_MUSCLE = sa.select(*_MUSCLE_COLUMNS).where(col(MuscleGroup.id) == _MUSCLE_ID)
_ALL_MUSCLES = sa.select(*_MUSCLE_COLUMNS)

_COUNTS = (
    sa.select(col(ExerciseMuscle.muscle_group_id), func.count().label("n"))
    .join(Exercise, col(Exercise.id) == col(ExerciseMuscle.exercise_id))
    .where(_VISIBLE, _LIVE)
    .group_by(col(ExerciseMuscle.muscle_group_id))
    .subquery("counts")
)
_MUSCLE_COUNTS = (
    sa.select(*_MUSCLE_COLUMNS, func.coalesce(_COUNTS.c.n, 0).label("n"))
    .outerjoin(_COUNTS, _COUNTS.c.muscle_group_id == col(MuscleGroup.id))
    .where(col(MuscleGroup.body_region) == sa.bindparam("region"))
    .order_by(col(MuscleGroup.sort_order), col(MuscleGroup.name))
)

# A page of the visible live exercises that work a muscle group (found by the muscle index),
# each with their number, beside the muscle group: one row of NULLs when none do.
_MUSCLE_EXERCISES = (
    sa.select(
        *_EXERCISE_COLUMNS,
        col(ExerciseMuscle.is_primary),
        func.lower(col(Exercise.name)).label("sort_name"),
        func.count().over().label("total"),
    )
    .join(Exercise, col(Exercise.id) == col(ExerciseMuscle.exercise_id))
    .where(col(ExerciseMuscle.muscle_group_id) == _MUSCLE_ID, _VISIBLE, _LIVE)
    .order_by(
        col(ExerciseMuscle.is_primary).desc(), func.lower(col(Exercise.name)), col(Exercise.id)
    )
    .limit(_LIMIT)
    .offset(_OFFSET)
    .subquery("page")
)
_MUSCLE_PAGE = (
    sa.select(*_MUSCLE_COLUMNS, *_MUSCLE_EXERCISES.c)
    .select_from(MuscleGroup)
    .outerjoin(_MUSCLE_EXERCISES, sa.true())
    .where(col(MuscleGroup.id) == _MUSCLE_ID)
    .order_by(
        _MUSCLE_EXERCISES.c.is_primary.desc(),
        _MUSCLE_EXERCISES.c.sort_name,
        _MUSCLE_EXERCISES.c.id,
    )
)

_PATTERN_PAGE = (
    sa.select(*_EXERCISE_COLUMNS, func.count().over().label("total"))
    .where(col(Exercise.movement_pattern) == sa.bindparam("pattern"), _VISIBLE, _LIVE)
    .order_by(func.lower(col(Exercise.name)), col(Exercise.id))
    .limit(_LIMIT)
    .offset(_OFFSET)
)

_IN_TEAM = col(Exercise.organization_id) == _ORG
_TEAM_ORDER = (col(Exercise.archived_at).is_not(None), func.lower(col(Exercise.name)))
# Every row of the team, live first: `live` counts the live ones, `total` all of them.
_TEAM_ALL_PAGE = (
    sa.select(
        *_EXERCISE_COLUMNS,
        func.count().over().label("total"),
        func.count(sa.case((_LIVE, 1))).over().label("live"),
    )
    .where(_IN_TEAM)
    .order_by(*_TEAM_ORDER)
    .limit(_LIMIT)
    .offset(_OFFSET)
)
_TEAM_ARCHIVED_PAGE = (
    sa.select(*_EXERCISE_COLUMNS, func.count().over().label("total"))
    .where(_IN_TEAM, col(Exercise.archived_at).is_not(None))
    .order_by(*_TEAM_ORDER)
    .limit(_LIMIT)
    .offset(_OFFSET)
)


def muscles_text() -> sa.ScalarSelect[Any]:
    """The exercise's muscles in one string: "+chest,-triceps" (+ primary, - secondary)."""
    return (
        sa.select(
            func.aggregate_strings(
                sa.case((col(ExerciseMuscle.is_primary), "+"), else_="-")
                + col(ExerciseMuscle.muscle_group_id),
                ",",
            )
        )
        .where(col(ExerciseMuscle.exercise_id) == col(Exercise.id))
        .scalar_subquery()
    )


_CARDS = sa.select(*_EXERCISE_COLUMNS, muscles_text().label("muscles")).where(
    col(Exercise.id).in_(sa.bindparam("exercise_ids", expanding=True)), _VISIBLE
)

# A card in one statement: the exercise (kind 0), its muscles in their order (kind 1), then the
# progressions the team sees by the related exercise's name (kind 2). A column a kind doesn't
# use is NULL, typed in the first part so that every row comes back decoded.
_KIND_EXERCISE, _KIND_MUSCLE, _KIND_LINK = 0, 1, 2
_EXERCISE_ID = sa.bindparam("exercise_id", type_=sa.String())
_Related = aliased(Exercise, name="related")
_EDGE_ORG = col(ExerciseProgression.organization_id)


def _kind(kind: int) -> sa.ColumnElement[int]:
    return sa.literal_column(str(kind), sa.Integer())


def _null(column: Any) -> Any:
    # A CAST: PostgreSQL types a UNION's columns part by part (NULL, NULL, enum fails).
    return sa.cast(sa.null(), column.type)


_CARD_EXERCISE = sa.select(
    _kind(_KIND_EXERCISE).label("kind"),
    *_EXERCISE_COLUMNS,
    _null(col(MuscleGroup.body_region)).label("body_region"),
    _null(col(MuscleGroup.sort_order)).label("sort_order"),
    _null(col(ExerciseMuscle.is_primary)).label("is_primary"),
    _null(col(ExerciseProgression.direction)).label("direction"),
    _null(_EDGE_ORG).label("edge_organization_id"),
    sa.cast(sa.null(), sa.String()).label("sort_name"),
).where(col(Exercise.id) == _EXERCISE_ID, _VISIBLE)
_CARD_MUSCLES = (
    sa.select(
        _kind(_KIND_MUSCLE),
        col(MuscleGroup.id),
        sa.null(),
        col(MuscleGroup.name),
        sa.null(),
        sa.null(),
        sa.null(),
        sa.null(),
        sa.null(),
        col(MuscleGroup.body_region),
        col(MuscleGroup.sort_order),
        col(ExerciseMuscle.is_primary),
        sa.null(),
        sa.null(),
        sa.null(),
    )
    .join(ExerciseMuscle, col(ExerciseMuscle.muscle_group_id) == col(MuscleGroup.id))
    .where(col(ExerciseMuscle.exercise_id) == _EXERCISE_ID)
)
_RELATED_COLUMNS: tuple[Any, ...] = (
    _kind(_KIND_LINK),
    *(getattr(_Related, column.key) for column in _EXERCISE_COLUMNS),
    sa.null(),
    sa.null(),
    sa.null(),
    col(ExerciseProgression.direction),
    _EDGE_ORG,
    func.lower(col(_Related.name)),
)
_CARD_LINKS = (
    sa.select(*_RELATED_COLUMNS)
    .join(_Related, col(_Related.id) == col(ExerciseProgression.related_exercise_id))
    .where(
        col(ExerciseProgression.exercise_id) == _EXERCISE_ID,
        or_(_EDGE_ORG.is_(None), _EDGE_ORG == _ORG),
        or_(col(_Related.organization_id).is_(None), col(_Related.organization_id) == _ORG),
    )
)
_CARD: sa.Executable = sa.union_all(_CARD_EXERCISE, _CARD_MUSCLES, _CARD_LINKS).order_by(
    sa.literal_column("kind"), sa.literal_column("sort_order"), sa.literal_column("sort_name")
)
