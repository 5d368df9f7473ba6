"""Deleting a max: the athlete's own from /maxes, any from the coach's card; asked first, once,
team- and athlete-scoped, forged buttons refused."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, func, select

from storage.models import Athlete, Max, MaxSource
from tests.bot.conftest import Harness
from tests.bot.helpers import add_athlete, onboard_coach
from tests.bot.test_invites import athlete_named, invite_from_card
from tests.bot.training.helpers import (
    MONDAY_MORNING,
    assign_program,
    coach_and_athlete,
    set_clock,
)

NOT_FOUND = "Not found. It may have been removed, or it isn't yours."
GONE = "That max is not there any more."
EXPIRED = "That button has expired. Send /start for a fresh menu."


async def maxes_in_db(harness: Harness) -> list[tuple[str, float, MaxSource]]:
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        rows = (await session.exec(select(Max).order_by(col(Max.kg)))).all()
        return [(row.id, row.kg, row.source) for row in rows]


async def athlete_id(harness: Harness, name: str) -> str:
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        return (await session.exec(select(Athlete).where(col(Athlete.name) == name))).one().id


async def count_maxes(harness: Harness) -> int:
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        return int((await session.exec(select(func.count()).select_from(Max))).one())


async def test_athlete_deletes_a_max_of_their_own_after_confirming(harness: Harness) -> None:
    coach, maya = await coach_and_athlete(harness)
    clock = set_clock(harness, MONDAY_MORNING - timedelta(days=7))
    await maya.send("/maxes Back squat 130")
    clock.now = MONDAY_MORNING
    await maya.send("/maxes Back squat 140")
    await coach.send("/athletes")
    await coach.press("🟢 Maya Lopez 🔗")
    await coach.press("🏋️ Maxes")
    await coach.press("➕ Add or change a max")
    await coach.send("Bench 110")

    await maya.send("/maxes")
    listing = maya.last_message()
    assert "Back Squat: 140 kg (tested, 2026-03-02)" in listing.display_text
    assert "Bench Press: 110 kg (set by coach, 2026-03-02)" in listing.display_text
    assert maya.buttons(listing) == ["🗑 Delete a max"]

    # Only her own entries are offered (the coach's Bench max is the coach's to delete).
    await maya.press("🗑 Delete a max", message=listing)
    assert listing.display_text.startswith("🗑 Which max should go?")
    assert maya.buttons(listing) == ["🗑 Back Squat 140 kg (tested, 2026-03-02)", "« Maxes"]
    await maya.press("🗑 Back Squat 140 kg (tested, 2026-03-02)", message=listing)
    assert "Delete Back Squat 140 kg (tested, 2026-03-02)?" in listing.display_text
    assert maya.buttons(listing) == ["🗑 Yes, delete it", "« Keep it"]

    # Keep it: nothing changes.
    await maya.press("« Keep it", message=listing)
    assert "Back Squat: 140 kg (tested, 2026-03-02)" in listing.display_text
    assert await count_maxes(harness) == 3

    await maya.press("🗑 Delete a max", message=listing)
    await maya.press("🗑 Back Squat 140 kg (tested, 2026-03-02)", message=listing)
    assert listing.reply_markup is not None
    yes = listing.reply_markup["inline_keyboard"][0][0]["callback_data"]
    await maya.press("🗑 Yes, delete it", message=listing)
    assert maya.last_answer == "Deleted: Back Squat 140 kg"
    # The entry before it counts again.
    assert "Back Squat: 130 kg (tested, 2026-02-23)" in listing.display_text
    assert "140 kg" not in listing.display_text
    assert await count_maxes(harness) == 2

    # A second tap on the same button deletes nothing more.
    await maya.press_data(yes, message=listing)
    assert maya.last_answer == GONE
    assert await count_maxes(harness) == 2

    # Loads now come from 130 kg: 80% is 104, rounded to 105.
    await assign_program(harness)
    await maya.send("/cancel")  # (/maxes left its "send a max" step open)
    await maya.send("/today")
    assert "A1. Back Squat: 5 × 5 @ 105 kg (80%)" in maya.last_text()

    # With nothing of her own left, the list offers no delete.
    await maya.send("/maxes")
    listing = maya.last_message()
    await maya.press("🗑 Delete a max", message=listing)
    await maya.press("🗑 Back Squat 130 kg (tested, 2026-02-23)", message=listing)
    await maya.press("🗑 Yes, delete it", message=listing)
    assert "Back Squat" not in listing.display_text
    assert "Bench Press: 110 kg (set by coach, 2026-03-02)" in listing.display_text
    assert maya.buttons(listing) == []
    assert [(kg, source) for _, kg, source in await maxes_in_db(harness)] == [
        (110, MaxSource.COACH)
    ]


async def test_coach_deletes_any_max_of_their_athlete(harness: Harness) -> None:
    coach, maya = await coach_and_athlete(harness)
    set_clock(harness, MONDAY_MORNING)
    await maya.send("/maxes Back squat 140")
    await coach.send("/athletes")
    await coach.press("🟢 Maya Lopez 🔗")
    card = coach.last_message()
    await coach.press("🏋️ Maxes", message=card)
    await coach.press("➕ Add or change a max", message=card)
    await coach.send("Bench 110")
    maxes_view = coach.last_message()
    assert "🗑 Delete a max" in coach.buttons(maxes_view)
    await coach.press("🗑 Delete a max", message=maxes_view)
    assert coach.buttons(maxes_view) == [
        "🗑 Back Squat 140 kg (tested, 2026-03-02)",
        "🗑 Bench Press 110 kg (set by coach, 2026-03-02)",
        "« Maxes",
    ]
    await coach.press("🗑 Bench Press 110 kg (set by coach, 2026-03-02)", message=maxes_view)
    await coach.press("🗑 Yes, delete it", message=maxes_view)
    assert coach.last_answer == "Deleted: Bench Press 110 kg"
    assert "Bench Press" not in maxes_view.display_text
    assert "Back Squat: 140 kg (tested, 2026-03-02)" in maxes_view.display_text
    await coach.press("🗑 Delete a max", message=maxes_view)
    await coach.press("🗑 Back Squat 140 kg (tested, 2026-03-02)", message=maxes_view)
    await coach.press("🗑 Yes, delete it", message=maxes_view)
    assert "No maxes yet." in maxes_view.display_text
    assert "🗑 Delete a max" not in coach.buttons(maxes_view)
    assert await count_maxes(harness) == 0


async def test_forged_delete_buttons_delete_nothing(harness: Harness) -> None:
    coach, maya = await coach_and_athlete(harness)
    set_clock(harness, MONDAY_MORNING)
    await maya.send("/maxes Back squat 140")
    await coach.send("/athletes")
    await coach.press("🟢 Maya Lopez 🔗")
    await coach.press("🏋️ Maxes")
    await coach.press("➕ Add or change a max")
    await coach.send("Bench 110")
    maya_id = await athlete_id(harness, "Maya Lopez")
    tested, by_coach = [
        max_id for max_id, _, _ in sorted(await maxes_in_db(harness), key=lambda row: -row[1])
    ]

    # A teammate: Maya's athlete id is not theirs; with their own id, Maya's max is not theirs.
    await coach.send("/athletes")
    await add_athlete(coach, "Leo Park", "leo@example.com")
    leo = athlete_named(harness.tg, "leo", "Leo")
    await leo.open_link(await invite_from_card(coach))
    leo_id = await athlete_id(harness, "Leo Park")
    for data in [f"tmd:{maya_id}", f"tmq:{maya_id}:{tested}", f"tmx:{maya_id}:{tested}"]:
        await leo.press_data(data)
        assert leo.last_answer == NOT_FOUND, data
    for data in [f"tmq:{leo_id}:{tested}", f"tmx:{leo_id}:{tested}"]:
        await leo.press_data(data)
        assert leo.last_answer == GONE, data

    # Maya can't delete the coach's max by forging its id into her own button.
    await maya.press_data(f"tmx:{maya_id}:{by_coach}")
    assert maya.last_answer == GONE
    for data in ["tmx:", f"tmx:{maya_id}", f"tmx:{maya_id}:{tested}:x", "tcx:"]:
        await maya.press_data(data)
        assert maya.last_answer == EXPIRED, data
    # The athlete's buttons for the coach's steps: she is not a coach.
    await maya.press_data(f"tcx:{maya_id}:{tested}")
    assert await count_maxes(harness) == 2

    # Another team's coach: not found.
    rival = await onboard_coach(harness.tg, "rival", "Southside Strength")
    for data in [f"tcd:{maya_id}", f"tcq:{maya_id}:{tested}", f"tcx:{maya_id}:{tested}"]:
        await rival.press_data(data)
        assert rival.last_answer == NOT_FOUND, data
    assert await count_maxes(harness) == 2
