"""How many SQL statements and transactions an invite costs (issue #20).

On PostgreSQL every statement is a network round trip, and an athlete's join and a coach's
Invite tap are among the heaviest updates: these bounds keep them from growing back. They count
the handler's work; the update is delivered directly, so the inbox's mark is not in them, and
PTB's persistence loads (their own transactions, not ours) are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event

from bot.context import DB_KEY
from tests.bot.conftest import Harness
from tests.bot.helpers import add_athlete, onboard_coach

PERSISTENCE = re.compile(r"\bbot_(user_data|chat_data|bot_data|conversations|callback_data)\b")


@dataclass
class Counted:
    """The statements run, one list per transaction."""

    transactions: list[list[str]] = field(default_factory=list)

    @property
    def handler(self) -> list[list[str]]:
        return [t for t in self.transactions if not all(PERSISTENCE.search(s) for s in t)]

    @property
    def statements(self) -> int:
        return sum(len(t) for t in self.handler)

    def report(self) -> str:
        lines = []
        for number, statements in enumerate(self.handler, 1):
            lines.append(f"transaction {number}:")
            lines += ["  " + " ".join(s.split())[:110] for s in statements]
        return "\n".join(lines)


@contextmanager
def counting(harness: Harness) -> Iterator[Counted]:
    """The statements and transactions the bot runs while the block runs."""
    counted = Counted()
    engine = harness.app.bot_data[DB_KEY].engine.sync_engine

    def begin(*_: Any) -> None:
        counted.transactions.append([])

    def record(*arguments: Any) -> None:
        counted.transactions[-1].append(str(arguments[2]))

    event.listen(engine, "begin", begin)
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", record)
        event.remove(engine, "begin", begin)


async def test_an_invite_tap_and_an_athletes_join_stay_cheap(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await add_athlete(coach, "Maya Lopez")
    await coach.press("📨 Invite")  # the first link: the tap below also revokes it
    with counting(harness) as tap:
        await coach.press("📨 Invite", message=coach.bot_messages()[-2])
    assert "Invite link for Maya Lopez" in coach.last_text()
    # The athlete (locked), the old link revoked, the new one written, the card redrawn: in
    # the one transaction (it was two statements and two transactions more).
    assert tap.statements <= 4 and len(tap.handler) == 1, tap.report()

    match = re.search(r"https://t\.me/\S+", coach.last_message().display_text)
    assert match is not None
    maya = harness.tg.user("maya", first_name="Maya", username="maya_tg")
    with counting(harness) as join:
        await maya.open_link(match.group(0))
    assert "Welcome, Maya Lopez!" in maya.last_text()
    assert coach.last_text().startswith("🔗 Maya Lopez joined")
    # The attempt limiter; a new caller (four: read, upsert, read back, coach seat); the link
    # with its athlete, team and coaches; the claim (a savepoint around two writes). It was 23
    # statements in two transactions.
    assert join.statements <= 10 and len(join.handler) == 1, join.report()
