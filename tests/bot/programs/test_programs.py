"""Programs through the real Application: build by typing, copy a week, assign, cards."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from bot.insight.delivery import drain_outbox
from fake_telegram import LocalUser
from storage.models import Assignment, Organization, Program, ProgramEntry, ProgramSession
from storage.queries.programs import create_program
from tests.bot.conftest import Harness
from tests.bot.helpers import add_athlete, onboard_coach
from tests.bot.test_invites import athlete_named, invite_from_card
from tests.bot.training.helpers import set_clock

WEDNESDAY = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
LOWER = """Lower A:
A1. Back squat 5x5 @ 100kg, rest 2min
A2. Pull-up 3 x 8-10 @ RPE 8
B. RDL 3x8 @ 80kg, tempo 31X1 -- slow eccentric
C. Plank 3x45s"""
UPPER = """Upper A:
A. Bench press 5/3/1+ @ 75/85/95%
B. Barbell row 3x10 @ 60kg"""
FULL = """Full body:
Front squat 3x5 @ 70kg
Overhead press 3x5 @ 40kg
Farmer's carry 4x30m @ 32kg"""


async def build_block(coach: LocalUser) -> None:
    await coach.send("/newprogram")
    assert "name" in coach.last_text()
    await coach.send("Spring block")
    assert "weeks" in coach.last_text()
    await coach.send("3")
    for day in ("Mon", "Wed", "Fri"):
        await coach.press(day)
    await coach.press("Done ➡️")
    assert "Monday" in coach.last_text()
    await coach.send(LOWER)
    assert "Wednesday" in coach.last_text(), coach.last_text()
    await coach.send(UPPER)
    assert "Friday" in coach.last_text(), coach.last_text()
    await coach.send(FULL)
    text = "\n".join(m.display_text for m in coach.bot_messages()[-8:])
    assert "Preview: Spring block" in text
    assert "Back Squat" in text and "Romanian Deadlift" in text
    await coach.press("✅ Save")


async def test_build_copy_assign_and_cards(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await add_athlete(coach, "Maya Lopez", "maya@example.com")
    maya = athlete_named(harness.tg)
    await maya.open_link(await invite_from_card(coach))
    await add_athlete(coach, "Leo Park")
    set_clock(harness, WEDNESDAY)
    await build_block(coach)
    card = coach.last_text()
    assert "Spring block" in card and "Week 1" in card, card
    await coach.press("📑 Copy week")
    await coach.press("Weeks 2-3")
    await coach.press("+2.5kg")
    assert "Week 1 copied to weeks 2, 3" in "\n".join(
        m.display_text for m in coach.bot_messages()[-2:]
    )
    await coach.press("👥 Assign")
    await coach.press("▫️ Leo Park")
    await coach.press("▫️ Maya Lopez")
    await coach.press("Next ➡️ (2)")
    await coach.press("Next Monday (Mon 9 Mar 2026)")
    done = coach.last_text()
    assert "Maya Lopez: first session Mon 9 Mar 2026" in done, done
    assert "Leo Park: first session Mon 9 Mar 2026" in done, done

    async with harness.app.bot_data["spotter.db"].sessions() as session:
        program = (await session.exec(select(Program))).one()
        slots = (await session.exec(select(ProgramSession))).all()
        assert sorted((s.week, s.weekday) for s in slots) == [
            (w, d) for w in (1, 2, 3) for d in (1, 3, 5)
        ]
        week3_monday = next(s for s in slots if (s.week, s.weekday) == (3, 1))
        squat = (
            await session.exec(
                select(ProgramEntry).where(
                    col(ProgramEntry.session_id) == week3_monday.id, col(ProgramEntry.position) == 1
                )
            )
        ).one()
        assert squat.read_prescription().sets[0].kg == 105.0
        active = (await session.exec(select(Assignment))).all()
        assert {a.program_id for a in active} == {program.id} and len(active) == 2

    engine = harness.app.bot_data["spotter.db"].engine.sync_engine
    statements: list[str] = []

    def record(*arguments: Any) -> None:
        statements.append(" ".join(str(arguments[2]).split()))

    for name, button in (("Maya Lopez", "🟢 Maya Lopez 🔗"), ("Leo Park", "🟢 Leo Park")):
        await coach.send(f"/athletes {name.split()[0]}")
        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            await coach.press(button)
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)
        # The team's time zone (for "next session") comes with the coach, not read again.
        assert not [s for s in statements if "FROM organizations WHERE organizations.id" in s]
        athlete_card = coach.last_text()
        assert "Program: Spring block" in athlete_card, athlete_card
        assert "Next session: Mon 9 Mar 2026, week 1 (Mon · Lower A)" in athlete_card

    await drain_outbox(harness.app)
    told = maya.last_text()
    assert "Spring block" in told and "Mon 9 Mar 2026" in told, told


async def test_programs_list_pages_and_filters_by_folded_name(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        team = (await session.exec(select(Organization))).one()
        for n in range(12):
            await create_program(session, organization_id=team.id, name=f"Block {n:02d}", weeks=4)
        await create_program(session, organization_id=team.id, name="Zoë's peaking", weeks=3)
        await session.commit()
    await coach.send("/programs")
    assert "(1-10 of 13)" in coach.last_text()
    await coach.press("➡️")
    assert "(11-13 of 13)" in coach.last_text()
    assert "Zoë's peaking · 3 wk" in coach.buttons()
    await coach.send("/programs ZOE")
    assert "matching “ZOE” (1-1 of 1)" in coach.last_text()
    await coach.press("Zoë's peaking · 3 wk")
    assert "Zoë's peaking" in coach.last_text()
    await coach.send("/programs nothing like it")
    assert "None. Send /programs to see them all." in coach.last_text()


async def test_a_stale_card_of_an_archived_program_changes_nothing(harness: Harness) -> None:
    """Assign and Rename from a card shown before the program was archived (on another phone,
    say) are refused and open no form; a forged program id is "not found"."""
    from bot.core import forms
    from bot.programs import keyboards as kb

    coach = await onboard_coach(harness.tg)
    await add_athlete(coach, "Leo Park")
    await build_block(coach)
    card = coach.last_message()
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        program = (await session.exec(select(Program))).one()
        program.archived_at = WEDNESDAY
        session.add(program)
        await session.commit()
    for label in ("👥 Assign", "✏️ Rename"):
        await coach.press(label, message=card)
        assert coach.last_answer == "That program is archived. Restore it first.", label
        assert forms.OPEN_KEY not in harness.app.user_data[coach.id], label
    await coach.press_data(kb.AssignStart(program="x" * 11).pack(), message=card)
    assert "not found" in (coach.last_answer or "").lower()
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        assert (await session.exec(select(Assignment))).all() == []
        assert (await session.exec(select(Program))).one().name == "Spring block"
