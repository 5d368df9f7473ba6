from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel, func, select

from storage.catalog.loader import load_catalog, read_catalog
from storage.db import make_session_factory, transaction
from storage.migrate import current_revision, head_revision, migrate_database, upgrade_schema
from storage.models import Exercise, ExerciseProgression, MuscleGroup


def _diff(connection: object) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})  # type: ignore[arg-type]
    with warnings.catch_warnings():
        # Expression indexes (lower(name)) can't be reflected on SQLite; they are checked below.
        warnings.simplefilter("ignore")
        return list(compare_metadata(context, SQLModel.metadata))


async def test_upgrade_empty_database_to_head_without_drift(empty_engine: AsyncEngine) -> None:
    await upgrade_schema(empty_engine)
    assert await current_revision(empty_engine) == head_revision()
    async with empty_engine.connect() as connection:
        assert await connection.run_sync(_diff) == []


async def test_migrate_loads_library_and_second_run_changes_nothing(
    empty_engine: AsyncEngine,
) -> None:
    first = await migrate_database(empty_engine)
    assert first.changed
    second = await migrate_database(empty_engine)
    assert not second.changed
    async with transaction(make_session_factory(empty_engine)) as session:
        exercises = (await session.exec(select(func.count()).select_from(Exercise))).one()
        muscles = (await session.exec(select(func.count()).select_from(MuscleGroup))).one()
        edges = (await session.exec(select(func.count()).select_from(ExerciseProgression))).one()
    catalog = read_catalog()
    assert exercises == len(catalog.exercises) >= 250
    assert muscles == len(catalog.muscles) >= 20
    assert edges == 2 * len(catalog.edges)  # each link is stored in both directions
    assert len(catalog.edges) >= 60
    assert len(catalog.chains) >= 15


async def test_reloading_the_same_catalog_in_one_session_is_a_no_op(engine: AsyncEngine) -> None:
    async with transaction(make_session_factory(engine)) as session:
        report = await load_catalog(session, read_catalog())
    assert not report.changed
