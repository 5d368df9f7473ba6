"""The durable inbox: no update is confirmed to Telegram before it is in the database.

Telegram forgets an update once the bot confirms it (the next getUpdates offset, or the 200 a
webhook answers). Polling: the getUpdates transport below writes each batch to `update_inbox`
(one transaction) before PTB even reads it, and so before the next offset. Webhook: PTB awaits
`Application.update_queue.put` before it answers 200, and the queue below writes the update in
that call. An update Telegram sends again is already in the table and is skipped.

While an update is handled, its row is marked in the bot's own transactions, so no handler has
to know: the first commit that carries the handler's writes also sets `applied_at`; the state
write that ends the update (bot.persistence) sets `handled_at`; if nothing was written, the
update processor queues its id, and one statement marks the queued ids within MARK_DELAY (so
an update that wrote nothing costs no transaction of its own). A kill leaves the row unfinished
and it is replayed,
in order, at the next start. If its writes had already committed, the replay runs the handler
again to reach the same conversation state and answer, but its commits are rolled back, so
nothing is applied twice; the user may see that answer twice, never a second copy of the data.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session
from telegram import Bot, Update
from telegram.request import BaseRequest, RequestData

from bot.core.serialize import serialize_object
from bot.transport import WrappingRequest
from storage.db import single_statement
from storage.models.base import utcnow
from storage.models.inbox import InboxUpdate

if TYPE_CHECKING:
    from bot.database import Database

log = logging.getLogger("bot.inbox")

INBOX_KEY = "spotter.inbox"  # in bot_data
TABLE: sa.Table = InboxUpdate.__table__  # type: ignore[attr-defined]
# Telegram keeps an unconfirmed update for 24 hours; a finished id is kept twice that long.
KEEP_HANDLED = timedelta(hours=48)
# Updates that wrote nothing are marked handled together, this long after the first of them
# finished. A kill in that window replays them: the user may see such an answer twice.
MARK_DELAY = 1.0
# Updates written by one statement; more that arrived together wait for the next.
ARRIVALS_PER_WRITE = 500
# session.info keys
WROTE = "spotter.wrote"
MARKING = "spotter.marking"


@dataclass
class InboxMark:
    """The inbox row of the update being handled in this task."""

    update_id: int
    applied_before: bool = False  # a replay whose writes the killed run had committed
    applied: bool = False
    handled: bool = False


CURRENT_UPDATE: contextvars.ContextVar[InboxMark | None] = contextvars.ContextVar(
    "spotter_inbox_update", default=None
)


def mark_handled_statement(update_ids: list[int]) -> sa.Update:
    return (
        sa.update(TABLE)
        .where(TABLE.c.update_id.in_(update_ids), TABLE.c.handled_at.is_(None))
        .values(handled_at=utcnow(), payload=None)
    )


_MARK_APPLIED = (
    sa.update(TABLE)
    .where(TABLE.c.update_id == sa.bindparam("mark_id"), TABLE.c.applied_at.is_(None))
    .values(applied_at=sa.bindparam("mark_at"))
)
# The payload goes: it holds what the user typed, and a finished update is never replayed.
_MARK_HANDLED = (
    sa.update(TABLE)
    .where(TABLE.c.update_id == sa.bindparam("mark_id"), TABLE.c.handled_at.is_(None))
    .values(handled_at=sa.bindparam("mark_at"), payload=None)
)


def mark_statement(update_id: int, *, handled: bool) -> tuple[sa.Update, dict[str, Any]]:
    """The statement (built once) and its parameters."""
    return (_MARK_HANDLED if handled else _MARK_APPLIED), {
        "mark_id": update_id,
        "mark_at": utcnow(),
    }


class InboxSession(Session):
    """The session under every AsyncSession of the bot (see bot.database)."""

    def commit(self) -> None:
        mark = CURRENT_UPDATE.get()
        if mark is not None and mark.applied_before and self.info.get(WROTE):
            # The killed run committed these writes already. Detach what was loaded first:
            # a rollback expires it, and the handler still reads it for its answer.
            log.info("update %s: writes already applied before the stop; not again", mark.update_id)
            self.expunge_all()
            self.rollback()
            self.info.pop(WROTE, None)
            return
        super().commit()


@event.listens_for(InboxSession, "do_orm_execute")
def _note_write(state: ORMExecuteState) -> None:
    if not state.is_select:
        state.session.info[WROTE] = True


@event.listens_for(InboxSession, "before_flush")
def _note_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        session.info[WROTE] = True


@event.listens_for(InboxSession, "before_commit")
def _mark_in_this_commit(session: Session) -> None:
    mark = CURRENT_UPDATE.get()
    if mark is not None and session.info.get(WROTE) and not mark.applied:
        session.execute(*mark_statement(mark.update_id, handled=False))
        session.info[MARKING] = mark


@event.listens_for(InboxSession, "after_commit")
def _marked(session: Session) -> None:
    session.info.pop(WROTE, None)
    mark = session.info.pop(MARKING, None)
    if mark is not None:
        mark.applied = True


@event.listens_for(InboxSession, "after_soft_rollback")
def _not_marked(session: Session, _transaction: Any) -> None:
    session.info.pop(MARKING, None)
    session.info.pop(WROTE, None)


@contextlib.asynccontextmanager
async def ending_write(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A Core transaction for the state write that ends an update (bot.persistence): it also
    sets the update's `handled_at` (and `applied_at`). Core, not a session: the ORM's unit of
    work cost a third of this write's CPU, and a state write has nothing for it to track."""
    mark = CURRENT_UPDATE.get()
    async with engine.begin() as connection:
        yield connection
        if mark is not None and not mark.handled:
            await connection.execute(*mark_statement(mark.update_id, handled=True))
    if mark is not None:
        mark.applied = mark.handled = True


class Inbox:
    def __init__(self, database: Database) -> None:
        self.database = database
        # Ids recorded (or replayed) by this process and not handled yet.
        self.waiting: set[int] = set()
        # Replayed ids whose writes the last run had committed.
        self.applied: set[int] = set()
        # Written by the getUpdates transport, not yet queued.
        self.fresh: set[int] = set()
        # Handled without a write that marked them; marked together (mark_handled).
        self.unmarked: list[int] = []
        self._marker: asyncio.Task[None] | None = None
        # Updates handed to `record` and not yet written, each with its waiting put.
        self._arrivals: list[tuple[dict[str, Any], asyncio.Future[bool]]] = []
        self._recorder: asyncio.Task[None] | None = None

    def _insert(self) -> Any:
        dialect = self.database.engine.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        return insert(TABLE).on_conflict_do_nothing(index_elements=["update_id"])

    @functools.cached_property
    def _insert_returning(self) -> Any:
        # Built once: one statement for any number of rows (SQLAlchemy's insertmanyvalues).
        return self._insert().returning(TABLE.c.update_id)

    async def record(self, update: Update) -> bool:
        """Write the update; False if it is already there (Telegram sent it again).

        Updates that arrive while a write is under way (a webhook under load) are written
        together by the next one: one transaction for all of them, each put still returning
        only once its own update is in the database.
        """
        payload = json.dumps(serialize_object(update), separators=(",", ":"))
        arrival: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._arrivals.append(
            ({"update_id": update.update_id, "payload": payload, "received_at": utcnow()}, arrival)
        )
        if self._recorder is None or self._recorder.done():
            self._recorder = asyncio.create_task(self._record_arrivals(), name="spotter-inbox")
        if not await arrival:
            log.info("update %s arrived again; already in the inbox, skipped", update.update_id)
            return False
        self.waiting.add(update.update_id)
        return True

    async def _record_arrivals(self) -> None:
        while self._arrivals:
            # One statement at most (single_statement): a burst beyond it takes another turn.
            arrivals = self._arrivals[:ARRIVALS_PER_WRITE]
            del self._arrivals[:ARRIVALS_PER_WRITE]
            try:
                async with single_statement(self.database.engine) as connection:
                    result = await connection.execute(
                        self._insert_returning, [row for row, _ in arrivals]
                    )
                    new = {row[0] for row in result}
            except Exception as error:  # each put raises: polling refetches, a webhook says 500
                for _, arrival in arrivals:
                    if not arrival.done():
                        arrival.set_exception(error)
                continue
            for row, arrival in arrivals:
                if not arrival.done():
                    arrival.set_result(row["update_id"] in new)

    async def record_batch(self, updates: list[dict[str, Any]]) -> None:
        """A getUpdates batch, in one transaction; remembers which ids are new."""
        rows = [
            {
                "update_id": int(data["update_id"]),
                "payload": json.dumps(data, separators=(",", ":")),
                "received_at": utcnow(),
            }
            for data in updates
            if isinstance(data, dict) and "update_id" in data
        ]
        if not rows:
            return
        statement = self._insert().values(rows).returning(TABLE.c.update_id)
        async with single_statement(self.database.engine) as connection:
            new = {row[0] for row in await connection.execute(statement)}
        self.fresh |= new
        self.waiting |= new
        if len(new) < len(rows):
            log.info("%d updates arrived again; already in the inbox", len(rows) - len(new))

    def claim(self, update: object) -> InboxMark | None:
        """The mark for an update about to be handled, if it came through the inbox."""
        if isinstance(update, Update) and update.update_id in self.waiting:
            return InboxMark(update.update_id, applied_before=update.update_id in self.applied)
        return None

    async def finish(self, mark: InboxMark) -> None:
        """Queue the update to be marked handled if the state write did not mark it."""
        self.waiting.discard(mark.update_id)
        self.applied.discard(mark.update_id)
        if mark.handled:
            return
        self.unmarked.append(mark.update_id)
        if self._marker is None or self._marker.done():
            self._marker = asyncio.create_task(self._mark_later(), name="spotter-inbox-marks")

    async def _mark_later(self) -> None:
        await asyncio.sleep(MARK_DELAY)
        await self.mark_handled()

    async def mark_handled(self) -> None:
        """Mark every queued update handled, in one statement."""
        update_ids, self.unmarked = self.unmarked, []
        if not update_ids:
            return
        try:
            async with single_statement(self.database.engine) as connection:
                await connection.execute(mark_handled_statement(update_ids))
        except Exception as error:
            # They stay pending: tried again with the next batch, else replayed at the next start.
            self.unmarked = update_ids + self.unmarked
            log.warning(
                "could not mark %d updates handled: %s", len(update_ids), type(error).__name__
            )

    async def close(self) -> None:
        """At shutdown, before the database closes: mark what is queued now."""
        marker, self._marker = self._marker, None
        if marker is not None and not marker.done():
            marker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await marker
        await self.mark_handled()

    async def pending(self, bot: Bot) -> list[Update]:
        """Updates received but never handled, oldest first."""
        query = (
            sa.select(TABLE.c.update_id, TABLE.c.payload, TABLE.c.applied_at)
            .where(TABLE.c.handled_at.is_(None))
            .order_by(TABLE.c.update_id)
        )
        async with self.database.engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        updates = []
        for update_id, payload, applied_at in rows:
            update = Update.de_json(json.loads(payload), bot) if payload else None
            if update is None:
                continue
            updates.append(update)
            self.waiting.add(update_id)
            if applied_at is not None:
                self.applied.add(update_id)
        return updates

    async def prune(self) -> int:
        cutoff = utcnow() - KEEP_HANDLED
        statement = sa.delete(TABLE).where(
            TABLE.c.handled_at.is_not(None), TABLE.c.handled_at < cutoff
        )
        async with self.database.engine.begin() as connection:
            result = await connection.execute(statement)
        return int(result.rowcount or 0)


class InboxQueue(asyncio.Queue[object]):
    """Application.update_queue: `put` returns once the update is in the database.

    PTB's polling loop and webhook handler both await `put` before confirming the update to
    Telegram (the next offset, the 200), which is exactly the order durability needs. A failed
    write raises: polling fetches the batch again, a webhook answers 500 and Telegram retries.
    """

    def __init__(self, inbox: Inbox) -> None:
        super().__init__()
        self.inbox = inbox

    async def put(self, item: object) -> None:
        if isinstance(item, Update):
            if item.update_id in self.inbox.fresh:  # written by InboxRequest
                self.inbox.fresh.discard(item.update_id)
            elif not await self.inbox.record(item):
                return
        await super().put(item)


class InboxRequest(WrappingRequest):
    """The getUpdates transport: a batch is in the inbox before PTB parses it.

    A failed write raises, so PTB's polling loop retries the same offset (nothing confirmed).
    """

    def __init__(self, inner: BaseRequest, inbox: Inbox) -> None:
        super().__init__(inner)
        self.inbox = inbox

    async def forward(
        self, url: str, method: str, request_data: RequestData | None, timeouts: dict[str, Any]
    ) -> tuple[int, bytes]:
        status, body = await super().forward(url, method, request_data, timeouts)
        if status == 200 and url.rstrip("/").lower().endswith("/getupdates"):
            result = json.loads(body).get("result")
            if isinstance(result, list):
                await self.inbox.record_batch(result)
        return status, body


async def replay_pending(bot: Bot, inbox: Inbox, queue: asyncio.Queue[object]) -> int:
    """Queue what the last run received but did not finish, before anything new arrives."""
    pruned = await inbox.prune()
    updates = await inbox.pending(bot)
    for update in updates:
        queue.put_nowait(update)
    if updates:
        log.info("replaying %d updates received before the last stop", len(updates))
    if pruned:
        log.debug("pruned %d handled inbox rows", pruned)
    return len(updates)
