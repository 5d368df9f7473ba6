"""Upgrade a database to the newest schema (Alembic) and load the curated library."""

from __future__ import annotations

import warnings
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.catalog.loader import LoadReport, load_catalog, read_catalog
from storage.db import make_session_factory, transaction

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def make_alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(MIGRATIONS_DIR / "versions"))
    if url:
        config.set_main_option("sqlalchemy.url", url)
    return config


def _upgrade(connection: Connection) -> None:
    config = make_alembic_config()
    config.attributes["connection"] = connection
    with warnings.catch_warnings():
        # Batch migrations on SQLite reflect tables, and SQLite can't reflect expression
        # indexes (lower(name)); the migration recreates them itself, so the warning is noise.
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection")
        command.upgrade(config, "head")


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(make_alembic_config()).get_current_head()


async def upgrade_schema(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.run_sync(_upgrade)
        await connection.commit()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(_current_revision)


async def migrate_database(engine: AsyncEngine) -> LoadReport:
    """Schema to head, then the curated library, in its own transaction."""
    await upgrade_schema(engine)
    catalog = read_catalog()
    async with transaction(make_session_factory(engine)) as session:
        return await load_catalog(session, catalog)
