"""Who a Telegram account is (its user row and the team it coaches), kept between updates.

Nearly every update starts by reading these rows, and they rarely change: a rename, a block, a
new team, a team's settings. Reading them cost one of the four or five statements of a typical
update (bench/), so they are kept here, per database, and dropped whenever a session writes
one of their tables:

* ORM flushes (a new team and its membership, changed team settings): `after_flush` drops the
  entries of the users and teams flushed.
* Statements (the user upsert, marking a user blocked): `do_orm_execute` drops the entry named by
  the statement's `CALLER_KEY` execution option, or every entry when a statement on these tables
  does not say whose row it writes (text, bulk), so an unforeseen writer costs reads, never
  correctness.
* The same entries are dropped again when the writing transaction ends: on PostgreSQL another
  transaction can read the old rows until the write commits, and must not keep them.

A read that overlaps any drop is not kept (the epoch check in `get_user_and_seat`). A write of
the caller's own rows (`refresh_caller`: a new user, a rename; `create_first_team`) keeps what
it wrote when its transaction commits, so the update after it reads nothing either; not if a
drop that touches those rows happened since they were loaded (`keep_when_committed`: recent
drops are logged by epoch, so other users' writes, frequent under load, don't stop it).
Entries also expire after `TTL_SECONDS`, for rows changed outside this process (an operator's
SQL).
Writes through a bare engine connection are not seen: none of these tables is written that way.
Cached rows are detached from their session, and nothing may change them in place: a writer
loads its own copy (storage.queries.training.update_team_settings).
"""

from __future__ import annotations

import time
import weakref
from collections import OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from storage.models import Membership, Organization, User

if TYPE_CHECKING:
    from storage.queries.organizations import CoachSeat

# Execution option of a statement that writes one user's row: their Telegram id.
CALLER_KEY = "spotter_caller_key"
TTL_SECONDS = 60.0
CAPACITY = 10_000
WATCHED = frozenset({"users", "memberships", "organizations"})
_DROPS = "spotter.caller_drops"  # session.info: what to drop again when the transaction ends
_KEEP = "spotter.caller_keep"  # session.info: an entry the transaction wrote, kept at its commit
_LOADED = "spotter.caller_loaded"  # session.info: {telegram id: the epoch its rows were loaded at}
_OWN = "spotter.caller_own"  # session.info: the epochs of this transaction's own drops
LOG_SIZE = 4096  # recent drops, by epoch: which of them touch an entry about to be kept
_ALL = "*"


@dataclass(frozen=True)
class Entry:
    user: User
    seat: CoachSeat | None
    expires: float


class CallerCache:
    """One database's entries, by Telegram user id, least recently used first."""

    def __init__(self) -> None:
        self.entries: OrderedDict[int, Entry] = OrderedDict()

    def get(self, telegram_user_id: int) -> Entry | None:
        entry = self.entries.get(telegram_user_id)
        if entry is None:
            return None
        if entry.expires < time.monotonic():
            del self.entries[telegram_user_id]
            return None
        self.entries.move_to_end(telegram_user_id)
        return entry

    def put(self, telegram_user_id: int, user: User, seat: CoachSeat | None) -> None:
        self.entries[telegram_user_id] = Entry(user, seat, time.monotonic() + TTL_SECONDS)
        self.entries.move_to_end(telegram_user_id)
        if len(self.entries) > CAPACITY:
            self.entries.popitem(last=False)

    def drop(self, drop: Drop) -> None:
        kind, key = drop
        if kind == _ALL:
            self.entries.clear()
        elif kind == "telegram":
            if isinstance(key, int):
                self.entries.pop(key, None)
        else:
            # By user or team id: rare writes (a new team, changed settings), so a scan is fine.
            stale = [
                telegram_user_id
                for telegram_user_id, entry in self.entries.items()
                if _holds(entry, kind, key)
            ]
            for telegram_user_id in stale:
                del self.entries[telegram_user_id]


Drop = tuple[str, object]
_caches: weakref.WeakKeyDictionary[sa.Engine, CallerCache] = weakref.WeakKeyDictionary()
_epoch = 0
_log: deque[tuple[int, Drop]] = deque()
_log_floor = 0  # the newest epoch whose drops may have left the log


def epoch() -> int:
    """Changes with every drop: a read that saw it change may hold old rows."""
    return _epoch


def cache_for(engine: sa.Engine) -> CallerCache:
    cache = _caches.get(engine)
    if cache is None:
        cache = _caches[engine] = CallerCache()
    return cache


def clear_all() -> None:
    _apply([(_ALL, None)])


def note_loaded(session: Session, telegram_user_id: int) -> None:
    """Call before reading the caller's rows (or taking them from the cache): any drop after
    this point may make them old (see `keep_when_committed`)."""
    session.info.setdefault(_LOADED, {}).setdefault(telegram_user_id, _epoch)


def keep_when_committed(
    session: Session, cache: CallerCache, telegram_user_id: int, user: User, seat: CoachSeat | None
) -> None:
    """Call right after this transaction wrote the caller's rows (`user` as written, `seat` as
    loaded or written): once it commits, keep them, so the next update need not read them back.

    Not kept if the transaction (or a savepoint) rolls back, or if a drop that touches them
    happened since they were loaded: another session's, or this one's after this call.
    """
    loaded = session.info.get(_LOADED, {}).get(telegram_user_id)
    if loaded is not None:  # else how old the seat is isn't known: keep nothing
        session.info[_KEEP] = (loaded, _epoch, cache, telegram_user_id, user, seat)


def _may_keep(session: Session, keep: tuple[Any, ...]) -> bool:
    loaded, registered, _, telegram_user_id, user, seat = keep
    if _log_floor > loaded:
        return False  # drops since the load have left the log
    own: set[int] = session.info.get(_OWN, set())
    for epoch, drop in reversed(_log):
        if epoch <= loaded:
            break
        if epoch in own and epoch <= registered:
            continue  # the writes whose result is being kept
        if _touches(drop, telegram_user_id, user, seat):
            return False
    return True


def _touches(drop: Drop, telegram_user_id: int, user: User, seat: CoachSeat | None) -> bool:
    kind, key = drop
    if kind == _ALL:
        return True
    if kind == "telegram":
        return key == telegram_user_id
    if kind == "user":
        return key == user.id
    return seat is not None and seat.organization_id == key


def _holds(entry: Entry, kind: str, key: object) -> bool:
    if kind == "user":
        return entry.user.id == key
    return entry.seat is not None and entry.seat.organization_id == key


def _apply(drops: Iterable[Drop]) -> None:
    global _epoch, _log_floor
    _epoch += 1
    for drop in drops:
        _log.append((_epoch, drop))
        if len(_log) > LOG_SIZE:
            _log_floor = _log.popleft()[0]
        for cache in list(_caches.values()):
            cache.drop(drop)


def _remember(session: Session, drops: list[Drop]) -> None:
    if drops:
        _apply(drops)
        session.info.setdefault(_DROPS, []).extend(drops)
        session.info.setdefault(_OWN, set()).add(_epoch)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _flush_context: UOWTransaction) -> None:
    drops: list[Drop] = []
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, User):
            drops += [("user", row.id), ("telegram", row.telegram_user_id)]
        elif isinstance(row, Membership):
            drops.append(("user", row.user_id))
        elif isinstance(row, Organization):
            drops.append(("team", row.id))
    _remember(session, drops)


@event.listens_for(Session, "do_orm_execute")
def _executing(state: ORMExecuteState) -> None:
    statement: Any = state.statement
    if state.is_select:
        return
    if isinstance(statement, sa.TextClause):
        text = statement.text.lower()
        if not text.lstrip().startswith("select") and any(name in text for name in WATCHED):
            _remember(state.session, [(_ALL, None)])
        return
    table = getattr(statement, "table", None)
    if not (state.is_insert or state.is_update or state.is_delete) or table is None:
        return
    if getattr(table, "name", None) not in WATCHED:
        return
    key = state.execution_options.get(CALLER_KEY)
    _remember(state.session, [("telegram", key)] if key is not None else [(_ALL, None)])


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    keep = session.info.pop(_KEEP, None)
    # Decided before this commit's own drops go into the log (no other update runs in between).
    kept = keep is not None and _may_keep(session, keep)
    session.info.pop(_LOADED, None)
    session.info.pop(_OWN, None)
    drops = session.info.pop(_DROPS, None)
    if drops:
        _apply(drops)
    if not kept:
        return
    _, _, cache, telegram_user_id, user, seat = keep
    rows = (user, seat.organization, seat.membership) if seat is not None else (user,)
    for row in rows:
        if row in session:
            session.expunge(row)  # as in get_user_and_seat: a later rollback can't expire them
    cache.put(telegram_user_id, user, seat)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, _previous: Any) -> None:
    # Even a savepoint's: the rows to keep may have been written inside it.
    session.info.pop(_KEEP, None)
    if not session.in_transaction():
        session.info.pop(_LOADED, None)
        session.info.pop(_OWN, None)
    # A savepoint's rollback leaves the outer transaction's writes to commit: keep their drops.
    drops = session.info.get(_DROPS) if session.in_transaction() else session.info.pop(_DROPS, None)
    if drops:
        _apply(drops)
