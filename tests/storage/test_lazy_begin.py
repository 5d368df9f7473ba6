"""PostgreSQL: BEGIN is sent at a transaction's first write (storage.pg_lazy_begin), so an
update that only reads costs its reads and nothing else, with the same answers and locks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage import db
from storage.pg_lazy_begin import reads_alone
from storage.sqlite_inline import public_url
from tests.databases import DatabaseMaker


@pytest.fixture
def postgres_only(db_kind: str) -> None:
    if db_kind != "postgresql":
        pytest.skip("PostgreSQL's round trips; SQLite runs in the process")


class SentStatements:
    """The statements the server received as text on one pooled connection (asyncpg's query
    logger): BEGIN and ROLLBACK among them; prepared statements and COMMIT are not logged."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def __call__(self, record: Any) -> None:
        self.sent.append(record.query.split()[0].rstrip(";").upper())

    async def attach(self, connection: AsyncConnection) -> None:
        raw = (await connection.get_raw_connection()).driver_connection
        raw.add_query_logger(self)


@pytest.fixture
async def scratch(engine: AsyncEngine, postgres_only: None) -> AsyncIterator[str]:
    async with engine.begin() as connection:
        await connection.execute(sa.text("CREATE TABLE scratch (id int PRIMARY KEY, note text)"))
        await connection.execute(sa.text("INSERT INTO scratch VALUES (1, 'one')"))
    yield "scratch"
    async with engine.begin() as connection:
        await connection.execute(sa.text("DROP TABLE scratch"))


async def test_a_transaction_that_only_reads_sends_only_its_reads(
    engine: AsyncEngine, scratch: str
) -> None:
    sent = SentStatements()
    async with engine.connect() as connection:
        await sent.attach(connection)
        async with connection.begin():
            select = sa.text("SELECT note FROM scratch WHERE id = 1")
            note = (await connection.execute(select)).scalar()
            count = (await connection.execute(sa.text("SELECT count(*) FROM scratch"))).scalar()
        assert (note, count) == ("one", 1)
        assert sent.sent == []  # no BEGIN, no COMMIT
        async with connection.begin():  # the logger sees them when they are sent
            await connection.execute(sa.text("UPDATE scratch SET note = 'uno' WHERE id = 1"))
        assert sent.sent[:1] == ["BEGIN"]


async def test_the_first_write_begins_and_reads_after_it_are_inside(
    engine: AsyncEngine, scratch: str
) -> None:
    sent = SentStatements()
    async with engine.connect() as connection:
        await sent.attach(connection)
        await connection.execute(sa.text("SELECT note FROM scratch"))
        assert sent.sent == []
        await connection.execute(sa.text("INSERT INTO scratch VALUES (2, 'two')"))
        assert sent.sent == ["BEGIN"]
        # Its own uncommitted row: the read runs in the write's transaction.
        assert (await connection.execute(sa.text("SELECT count(*) FROM scratch"))).scalar() == 2
        await connection.rollback()
    assert sent.sent == ["BEGIN", "ROLLBACK"]
    async with engine.connect() as connection:
        assert (await connection.execute(sa.text("SELECT count(*) FROM scratch"))).scalar() == 1


async def test_a_locking_read_holds_its_lock_until_the_end(
    engine: AsyncEngine, scratch: str
) -> None:
    other = await asyncpg.connect(
        make_url(db.configured_url(engine)).set(drivername="postgresql").render_as_string(False)
    )
    try:
        async with engine.connect() as connection:
            await connection.execute(sa.text("SELECT note FROM scratch WHERE id = 1 FOR UPDATE"))
            # Run on its own it would have let go of the row when it returned.
            with pytest.raises(asyncpg.LockNotAvailableError):
                await other.execute("SELECT note FROM scratch WHERE id = 1 FOR UPDATE NOWAIT")
            await connection.rollback()
        await other.execute("SELECT note FROM scratch WHERE id = 1 FOR UPDATE NOWAIT")
    finally:
        await other.close()


async def test_repeatable_read_keeps_the_snapshot_of_its_first_read(
    engine: AsyncEngine, scratch: str
) -> None:
    async with engine.connect() as connection:
        connection = await connection.execution_options(isolation_level="REPEATABLE READ")
        before = (await connection.execute(sa.text("SELECT count(*) FROM scratch"))).scalar()
        async with engine.begin() as writer:
            await writer.execute(sa.text("INSERT INTO scratch VALUES (3, 'three')"))
        after = (await connection.execute(sa.text("SELECT count(*) FROM scratch"))).scalar()
        await connection.rollback()
    assert before == after == 1


async def test_a_server_whose_default_is_stricter_keeps_begin_first(
    databases: DatabaseMaker, postgres_only: None
) -> None:
    url = await databases.new_url(migrated=False)
    name = make_url(url).database
    await databases._admin(
        f"ALTER DATABASE \"{name}\" SET default_transaction_isolation = 'repeatable read'"
    )
    engine = db.make_engine(url)
    try:
        sent = SentStatements()
        async with engine.begin() as connection:
            await sent.attach(connection)
            await connection.execute(sa.text("SELECT 1"))
        assert sent.sent[:1] == ["BEGIN"]
    finally:
        await engine.dispose()


async def test_a_failed_read_before_any_write_leaves_the_connection_usable(
    engine: AsyncEngine, scratch: str
) -> None:
    async with engine.connect() as connection:
        with pytest.raises(sa.exc.DBAPIError):
            await connection.execute(sa.text("SELECT no_such_column FROM scratch"))
        await connection.rollback()
        assert (await connection.execute(sa.text("SELECT count(*) FROM scratch"))).scalar() == 1


async def test_the_configured_url_is_the_one_given(
    engine: AsyncEngine, postgres_only: None
) -> None:
    assert engine.url.drivername == "postgresql+spotter_asyncpg"
    assert public_url(engine.url).drivername == "postgresql+asyncpg"
    assert db.configured_url(engine).startswith("postgresql+asyncpg://")


@pytest.mark.parametrize(
    ("statement", "alone"),
    [
        ("SELECT athletes.id FROM athletes WHERE athletes.organization_id = $1", True),
        ("  select 1", True),
        ("SELECT id FROM outbox ORDER BY id LIMIT 10 FOR UPDATE SKIP LOCKED", False),
        ("SELECT id FROM athletes WHERE id = $1 FOR NO KEY UPDATE", False),
        ("SELECT id FROM athletes FOR SHARE", False),
        ("SELECT pg_advisory_xact_lock(1)", False),
        ("SELECT nextval('seq')", False),
        ("WITH moved AS (DELETE FROM outbox RETURNING id) SELECT id FROM moved", False),
        ("INSERT INTO update_inbox (update_id) VALUES ($1)", False),
        ("SAVEPOINT sa_savepoint_1", False),
        ("SHOW transaction isolation level", False),
    ],
)
def test_which_statements_run_before_begin(statement: str, alone: bool) -> None:
    assert reads_alone(statement) is alone
