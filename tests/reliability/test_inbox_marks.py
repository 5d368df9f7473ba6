"""An update's inbox row is finished by the transaction that writes its conversation state:
no second transaction, and no row left for the delayed batch mark (bot.inbox)."""

from __future__ import annotations

import sqlalchemy as sa

from bot.app import build_application
from bot.inbox import INBOX_KEY, Inbox
from fake_telegram import LocalTelegram
from tests.bot.conftest import Harness


async def test_a_form_step_is_marked_handled_by_its_state_write(harness: Harness) -> None:
    app = build_application(harness.settings, request=harness.api, rate_limit=False)
    await app.initialize()
    await app.start()
    tg = LocalTelegram(app, harness.api, delivery="queue", idle_timeout=30, capture_errors=True)
    engine = app.bot_data["spotter.db"].engine
    inbox: Inbox = app.bot_data[INBOX_KEY]
    # The statements of each transaction, in order.
    transactions: list[list[str]] = []
    sa.event.listen(engine.sync_engine, "begin", lambda _connection: transactions.append([]))
    sa.event.listen(
        engine.sync_engine,
        "before_cursor_execute",
        lambda *arguments: transactions[-1].append(" ".join(str(arguments[2]).split()[:3])),
    )
    try:
        coach = tg.user("coach")
        for text in ["/start", "Team One", "/addathlete"]:
            await app.update_queue.put(tg.make_message_update(coach, text))  # via the inbox
            await tg.wait_idle()
        step = tg.make_message_update(coach, "Dana Smith")
        await app.update_queue.put(step)  # the inbox's write of the arriving update
        transactions.clear()
        await tg.wait_idle()
        async with engine.connect() as connection:
            row = (
                await connection.execute(
                    sa.text("SELECT handled_at, payload FROM update_inbox WHERE update_id = :id"),
                    {"id": step.update_id},
                )
            ).one()
    finally:
        await app.stop()
        await app.shutdown()
    tg.assert_no_errors()
    assert "email" in coach.last_text().lower()  # the form moved on to its next question
    # Finished at once (not within MARK_DELAY by the batch), its text dropped ...
    assert row.handled_at is not None and row.payload is None
    assert step.update_id not in inbox.unmarked
    # ... by the one transaction that wrote the state (the form's reads come before it).
    writes = [t for t in transactions if any(not s.startswith("SELECT") for s in t)]
    assert writes == [
        [
            "INSERT INTO bot_conversations",
            "INSERT INTO bot_user_data",
            "UPDATE update_inbox SET",
        ]
    ], transactions
