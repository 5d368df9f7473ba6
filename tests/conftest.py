from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import SessionFactory, make_session_factory
from tests.databases import DB_KINDS, DatabaseMaker

_makers: dict[str, DatabaseMaker] = {}


@pytest.fixture(scope="session")
def database_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("databases")


@pytest.fixture(params=DB_KINDS)
def db_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def databases(db_kind: str, database_workdir: Path) -> DatabaseMaker:
    # One maker (and so one template) per kind for the whole run.
    if db_kind not in _makers:
        _makers[db_kind] = DatabaseMaker(db_kind, database_workdir)
    return _makers[db_kind]


@pytest.fixture
async def engine(databases: DatabaseMaker) -> AsyncIterator[AsyncEngine]:
    """A fresh database at the newest schema with the curated library loaded."""
    async with databases.engine() as engine:
        yield engine


@pytest.fixture
async def empty_engine(databases: DatabaseMaker) -> AsyncIterator[AsyncEngine]:
    async with databases.engine(migrated=False) as engine:
        yield engine


@pytest.fixture
def session_factory(engine: AsyncEngine) -> SessionFactory:
    return make_session_factory(engine)


@pytest.fixture
async def session(session_factory: SessionFactory) -> AsyncIterator[AsyncSession]:
    async with session_factory() as session:
        yield session


@pytest.fixture(scope="session", autouse=True)
def drop_test_databases() -> Iterator[None]:
    yield
    import asyncio

    async def close_all() -> None:
        for maker in _makers.values():
            await maker.close()

    asyncio.run(close_all())
