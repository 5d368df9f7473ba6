"""The exercise library: curated rows (organization_id NULL) plus each team's custom ones.

`organization_id` is the caller's team, or None for someone in no team (curated only).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
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

ExercisePage = Page[Exercise]


@dataclass(frozen=True)
class ExerciseCard:
    exercise: Exercise
    primary: list[MuscleGroup]
    secondary: list[MuscleGroup]
    easier: list[Exercise] = field(default_factory=list)
    harder: list[Exercise] = field(default_factory=list)
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


def _live() -> sa.ColumnElement[bool]:
    return col(Exercise.archived_at).is_(None)


async def list_muscle_groups(
    session: AsyncSession, *, region: BodyRegion | None = None
) -> list[MuscleGroup]:
    query = select(MuscleGroup).order_by(col(MuscleGroup.sort_order), col(MuscleGroup.name))
    if region is not None:
        query = query.where(col(MuscleGroup.body_region) == region)
    return list((await session.exec(query)).all())


async def get_muscle_group(session: AsyncSession, *, muscle_group_id: str) -> MuscleGroup:
    muscle = await session.get(MuscleGroup, muscle_group_id)
    if muscle is None:
        raise NotFound(ErrorCode.MUSCLE_GROUP_NOT_FOUND)
    return muscle


async def count_exercises_by_muscle(
    session: AsyncSession, *, organization_id: str | None, region: BodyRegion
) -> list[tuple[MuscleGroup, int]]:
    """Muscle groups of a region with how many visible exercises work them."""
    counts = (
        select(col(ExerciseMuscle.muscle_group_id), func.count().label("n"))
        .join(Exercise, col(Exercise.id) == col(ExerciseMuscle.exercise_id))
        .where(visible_to(organization_id), _live())
        .group_by(col(ExerciseMuscle.muscle_group_id))
        .subquery()
    )
    result = await session.exec(
        select(MuscleGroup, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.muscle_group_id == col(MuscleGroup.id))
        .where(col(MuscleGroup.body_region) == region)
        .order_by(col(MuscleGroup.sort_order), col(MuscleGroup.name))
    )
    return [(muscle, int(count)) for muscle, count in result.all()]


async def _page(
    session: AsyncSession,
    query: Any,
    count_query: Any,
    offset: int,
    limit: int,
) -> ExercisePage:
    total = int((await session.exec(count_query)).one())
    offset = clamp_offset(offset, total=total, limit=limit)
    items = (await session.exec(query.offset(offset).limit(limit))).all()
    return ExercisePage(items=list(items), total=total, offset=offset, limit=limit)


async def list_exercises_by_muscle(
    session: AsyncSession,
    *,
    organization_id: str | None,
    muscle_group_id: str,
    offset: int = 0,
    limit: int = 10,
) -> ExercisePage:
    """Primary movers first, then exercises where the muscle is secondary; by name within each."""
    conditions = (
        col(ExerciseMuscle.muscle_group_id) == muscle_group_id,
        visible_to(organization_id),
        _live(),
    )
    query = (
        select(Exercise)
        .join(ExerciseMuscle, col(ExerciseMuscle.exercise_id) == col(Exercise.id))
        .where(*conditions)
        .order_by(
            col(ExerciseMuscle.is_primary).desc(), func.lower(col(Exercise.name)), col(Exercise.id)
        )
    )
    count_query = (
        select(func.count())
        .select_from(Exercise)
        .join(ExerciseMuscle, col(ExerciseMuscle.exercise_id) == col(Exercise.id))
        .where(*conditions)
    )
    return await _page(session, query, count_query, offset, limit)


async def list_exercises_by_pattern(
    session: AsyncSession,
    *,
    organization_id: str | None,
    pattern: MovementPattern,
    offset: int = 0,
    limit: int = 10,
) -> ExercisePage:
    conditions = (
        col(Exercise.movement_pattern) == pattern,
        visible_to(organization_id),
        _live(),
    )
    query = (
        select(Exercise)
        .where(*conditions)
        .order_by(func.lower(col(Exercise.name)), col(Exercise.id))
    )
    count_query = select(func.count()).select_from(Exercise).where(*conditions)
    return await _page(session, query, count_query, offset, limit)


async def list_custom_exercises(
    session: AsyncSession,
    *,
    organization_id: str,
    include_archived: bool = False,
    archived_only: bool = False,
    offset: int = 0,
    limit: int = 10,
) -> ExercisePage:
    conditions: list[sa.ColumnElement[bool]] = [col(Exercise.organization_id) == organization_id]
    if archived_only:
        conditions.append(col(Exercise.archived_at).is_not(None))
    elif not include_archived:
        conditions.append(_live())
    query = (
        select(Exercise)
        .where(*conditions)
        .order_by(col(Exercise.archived_at).is_not(None), func.lower(col(Exercise.name)))
    )
    count_query = select(func.count()).select_from(Exercise).where(*conditions)
    return await _page(session, query, count_query, offset, limit)


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
    exercise = await get_exercise(session, organization_id=organization_id, exercise_id=exercise_id)
    muscles = await session.exec(
        select(MuscleGroup, col(ExerciseMuscle.is_primary))
        .join(ExerciseMuscle, col(ExerciseMuscle.muscle_group_id) == col(MuscleGroup.id))
        .where(col(ExerciseMuscle.exercise_id) == exercise_id)
        .order_by(col(MuscleGroup.sort_order))
    )
    primary: list[MuscleGroup] = []
    secondary: list[MuscleGroup] = []
    for muscle, is_primary in muscles.all():
        (primary if is_primary else secondary).append(muscle)
    edges = await session.exec(
        select(ExerciseProgression, Exercise)
        .join(Exercise, col(Exercise.id) == col(ExerciseProgression.related_exercise_id))
        .where(
            col(ExerciseProgression.exercise_id) == exercise_id,
            _edge_visible_to(organization_id),
            visible_to(organization_id),
        )
        .order_by(func.lower(col(Exercise.name)))
    )
    easier: list[Exercise] = []
    harder: list[Exercise] = []
    removable: set[str] = set()
    for edge, related in edges.all():
        (harder if edge.direction is ProgressionDirection.HARDER else easier).append(related)
        if organization_id is not None and edge.organization_id == organization_id:
            removable.add(related.id)
    return ExerciseCard(
        exercise=exercise,
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
    session: AsyncSession, *, organization_id: str | None, exercise_ids: list[str]
) -> dict[str, ExerciseCard]:
    """Cards (without progressions) for many visible exercises in two queries: inline answers
    carry up to 50."""
    if not exercise_ids:
        return {}
    rows = await session.exec(
        select(Exercise).where(col(Exercise.id).in_(exercise_ids), visible_to(organization_id))
    )
    exercises = {exercise.id: exercise for exercise in rows.all()}
    muscles = await session.exec(
        select(col(ExerciseMuscle.exercise_id), col(ExerciseMuscle.is_primary), MuscleGroup)
        .join(MuscleGroup, col(MuscleGroup.id) == col(ExerciseMuscle.muscle_group_id))
        .where(col(ExerciseMuscle.exercise_id).in_(list(exercises)))
        .order_by(col(MuscleGroup.sort_order))
    )
    primary: dict[str, list[MuscleGroup]] = {exercise_id: [] for exercise_id in exercises}
    secondary: dict[str, list[MuscleGroup]] = {exercise_id: [] for exercise_id in exercises}
    for exercise_id, is_primary, muscle in muscles.all():
        (primary if is_primary else secondary)[exercise_id].append(muscle)
    return {
        exercise_id: ExerciseCard(
            exercise=exercise, primary=primary[exercise_id], secondary=secondary[exercise_id]
        )
        for exercise_id, exercise in exercises.items()
    }
