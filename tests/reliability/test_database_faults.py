"""A write failing in the middle of an update leaves nothing half-written, and the user is told."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from storage.models import Membership, Organization
from tests.bot.conftest import Harness
from tests.bot.helpers import add_athlete, athletes_in_db, onboard_coach


class InjectedFault(Exception):
    pass


@contextmanager
def failing_statement(harness: Harness, starts_with: str) -> Iterator[list[str]]:
    """Make the database driver refuse statements beginning with `starts_with` (a real fault
    at the connection, below every function of ours)."""
    engine = harness.app.bot_data["spotter.db"].engine.sync_engine
    seen: list[str] = []

    def refuse(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith(starts_with.upper()):
            seen.append(statement)
            raise OperationalError(statement, {}, InjectedFault("disk I/O error (injected)"))

    event.listen(engine, "before_cursor_execute", refuse)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", refuse)


async def test_failed_insert_on_save_keeps_the_form_and_saves_nothing(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/addathlete")
    await coach.send("Maya")
    for _ in range(5):
        await coach.send("/skip")
    with failing_statement(harness, "INSERT INTO athletes") as seen:
        await coach.press("✅ Save")
    assert seen
    assert "Your saved data is safe" in (coach.last_answer or "")  # an alert on the press
    assert await athletes_in_db(harness) == []
    harness.tg.errors.clear()
    # The form is still at its summary: Save works once the database is back.
    await coach.press("✅ Save")
    assert [a.name for a in await athletes_in_db(harness)] == ["Maya"]


async def test_team_creation_is_all_or_nothing(harness: Harness) -> None:
    coach = harness.tg.user("coach")
    await coach.send("/start")
    with failing_statement(harness, "INSERT INTO memberships"):
        await coach.send("Northside Barbell")
    assert "Your saved data is safe" in coach.last_text()
    harness.tg.errors.clear()
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        assert (await session.execute(select(func.count()).select_from(Organization))).scalar() == 0
        assert (await session.execute(select(func.count()).select_from(Membership))).scalar() == 0
    await coach.send("Northside Barbell")  # still being asked for the team name
    assert "is ready" in coach.last_text()


async def test_failed_state_write_keeps_the_step_in_memory_and_in_the_database(
    harness: Harness,
) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/addathlete")
    await coach.send("Maya")
    # The draft upsert after the email answer fails: the user is told, and the bot's idea of
    # the form goes back to what the database holds (still at the email step).
    with failing_statement(harness, "INSERT INTO bot_user_data") as seen:
        await coach.send("maya@example.com")
    assert seen
    assert "Your saved data is safe" in coach.last_text()
    harness.tg.errors.clear()
    # In memory as in the database: still the email step (a phone is not taken as the answer
    # to a question whose step was never saved).
    await coach.send("+14155550123")
    assert "birth" not in coach.last_text().lower()
    assert "email" in coach.last_text().lower()
    await harness.restart()
    await coach.send("maya@example.com")
    await coach.send("+14155550123")
    for _ in range(3):
        await coach.send("/skip")
    summary = coach.last_text()
    assert "Check the new athlete" in summary
    assert "maya@example.com" in summary and "555" in summary


@contextmanager
def failing_commit(harness: Harness) -> Iterator[list[str]]:
    """The next COMMIT fails at the connection (below every function of ours)."""
    engine = harness.app.bot_data["spotter.db"].engine.sync_engine
    seen: list[str] = []

    def refuse(conn: Any) -> None:
        if not seen:
            seen.append("COMMIT")
            raise OperationalError("COMMIT", {}, InjectedFault("disk I/O error (injected)"))

    event.listen(engine, "commit", refuse)
    try:
        yield seen
    finally:
        event.remove(engine, "commit", refuse)


async def test_failed_commit_of_team_creation_saves_nothing_and_asks_again(
    harness: Harness,
) -> None:
    coach = harness.tg.user("coach")
    await coach.send("/start")
    with failing_commit(harness) as seen:
        await coach.send("Northside Barbell")
    assert seen
    assert "Your saved data is safe" in coach.last_text()
    harness.tg.errors.clear()
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        assert (await session.execute(select(func.count()).select_from(Organization))).scalar() == 0
    await coach.send("Northside Barbell")
    assert "is ready" in coach.last_text()


async def test_a_dropped_connection_fails_one_update_and_the_next_one_works(
    harness: Harness,
) -> None:
    coach = await onboard_coach(harness.tg)
    database = harness.app.bot_data["spotter.db"]
    # Every pooled connection is lost (a database restart, a network cut): the first statement
    # of the next update meets a dead connection.
    async with database.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        if database.engine.dialect.name == "postgresql":
            await connection.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        raw.invalidate()
    await coach.send("/athletes")
    harness.tg.errors.clear()  # at most this update may fail, and it says so
    await add_athlete(coach, "Maya")
    assert [a.name for a in await athletes_in_db(harness)] == ["Maya"]


async def test_a_failed_read_of_the_state_after_a_restart_loses_nothing(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/addathlete")
    await coach.send("Maya")
    await harness.restart()  # the form's step is read when the coach next writes
    with failing_statement(harness, "SELECT bot_conversations") as seen:
        await coach.send("maya@example.com")
    assert seen
    # One answer: the apology, not also "not sure what to do with that" from a later group.
    assert "Your saved data is safe" in coach.last_text()
    assert "Step 2 of 6" in coach.bot_messages()[-2].display_text
    harness.tg.errors.clear()
    # Nothing was overwritten: the next answer finds the form at its email step.
    await coach.send("maya@example.com")
    assert "phone" in coach.last_text()
