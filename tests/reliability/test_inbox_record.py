"""The inbox's write of each arriving update (webhook path): written before `put` returns,
together with the updates that arrived meanwhile."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update

from bot import inbox as inbox_module
from bot.database import Database
from bot.inbox import Inbox, InboxQueue
from storage.db import configured_url


def update(update_id: int) -> Update:
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": 1,
                "date": 1_700_000_000,
                "chat": {"id": 42, "type": "private"},
                "from": {"id": 42, "is_bot": False, "first_name": "Cora"},
                "text": f"/start {update_id}",
            },
        },
        None,
    )


async def stored(engine: AsyncEngine) -> list[int]:
    async with engine.connect() as connection:
        rows = await connection.execute(sa.text("SELECT update_id FROM update_inbox ORDER BY 1"))
        return [row[0] for row in rows]


@pytest.fixture
async def database(engine: AsyncEngine) -> Any:
    database = Database(configured_url(engine))
    database.open()
    yield database
    await database.close()


def count_inserts(database: Database) -> list[str]:
    """Statements writing the inbox (each is its own transaction, or its only statement)."""
    inserts: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO UPDATE_INBOX"):
            inserts.append(statement)

    sa.event.listen(database.engine.sync_engine, "before_cursor_execute", note)
    return inserts


async def test_concurrent_arrivals_share_one_statement_and_each_waits_for_its_own(
    database: Database,
) -> None:
    inbox = Inbox(database)
    queue = InboxQueue(inbox)
    inserts = count_inserts(database)
    await queue.put(update(1))
    assert (await stored(database.engine), len(inserts)) == ([1], 1)
    # Ten arrive together, one of them a repeat of update 1 (Telegram sent it again).
    await asyncio.gather(*(queue.put(update(i)) for i in [2, 3, 1, 4, 5, 6, 7, 8, 9, 10]))
    assert await stored(database.engine) == list(range(1, 11))
    assert len(inserts) == 2  # one for the first, one for the ten that came together
    queued = [queue.get_nowait().update_id for _ in range(queue.qsize())]  # type: ignore[attr-defined]
    assert queued == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]  # the repeat is not queued twice
    assert inbox.waiting == set(range(1, 11))


async def test_a_failed_write_fails_every_put_of_it_and_queues_nothing(
    database: Database,
) -> None:
    inbox = Inbox(database)
    queue = InboxQueue(inbox)

    def refuse(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO UPDATE_INBOX"):
            raise OperationalError(statement, {}, Exception("disk I/O error (injected)"))

    sa.event.listen(database.engine.sync_engine, "before_cursor_execute", refuse)
    results = await asyncio.gather(
        *(queue.put(update(i)) for i in [1, 2, 3]), return_exceptions=True
    )
    sa.event.remove(database.engine.sync_engine, "before_cursor_execute", refuse)
    assert [type(result) for result in results] == [OperationalError] * 3
    assert queue.qsize() == 0 and inbox.waiting == set()
    # Telegram sends them again (no 200): now they are written and queued.
    await asyncio.gather(*(queue.put(update(i)) for i in [1, 2, 3]))
    assert await stored(database.engine) == [1, 2, 3] and queue.qsize() == 3


async def test_a_burst_beyond_one_statement_is_written_in_turns(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On PostgreSQL the write commits as it runs: one statement each, never a batch split
    # by SQLAlchemy into statements that would commit apart.
    monkeypatch.setattr(inbox_module, "ARRIVALS_PER_WRITE", 3)
    inbox = Inbox(database)
    queue = InboxQueue(inbox)
    await queue.put(update(1))
    inserts = count_inserts(database)
    await asyncio.gather(*(queue.put(update(i)) for i in range(2, 10)))
    assert await stored(database.engine) == list(range(1, 10))
    assert len(inserts) == 3  # eight waiting: three, three, two
    queued = [queue.get_nowait().update_id for _ in range(queue.qsize())]  # type: ignore[attr-defined]
    assert queued == list(range(1, 10))
