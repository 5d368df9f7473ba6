"""Progression links from a card: add easier/harder by name, every refusal, removing links."""

from __future__ import annotations

from sqlmodel import func, select

from fake_telegram import LocalUser
from storage.models import ExerciseProgression
from tests.bot.conftest import Harness
from tests.bot.helpers import onboard_coach
from tests.bot.test_exercises import add_custom, db, exercise_id, make_athlete, press, press_data


async def count_links(harness: Harness) -> int:
    async with db(harness) as session:
        return (await session.exec(select(func.count()).select_from(ExerciseProgression))).one()


async def open_card(coach: LocalUser, name: str) -> None:
    await coach.send(f"/exercises {name}")
    await press(coach, name if name in coach.buttons() else f"🏷 {name}")
    assert coach.last_text().startswith(f"🏋️ {name}")


async def test_add_harder_by_name_and_see_it_both_ways(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    before = await count_links(harness)
    await open_card(coach, "Goblet Squat")
    card = coach.last_message()
    await press(coach, "➕ Add harder")
    assert "Which exercise is harder than Goblet Squat?" in coach.last_text()
    assert coach.last_message().message_id == card.message_id  # the card asks
    await coach.send("zercher")
    assert "tap the one that is harder than Goblet Squat" in coach.last_text()
    await press(coach, "Zercher Squat")
    assert coach.last_answer == "Linked ✅ “Zercher Squat” is now harder than “Goblet Squat”."
    assert coach.last_text().startswith("🏋️ Goblet Squat")
    assert "⬆️ Harder: Zercher Squat" in coach.buttons()
    assert await count_links(harness) == before + 2  # stored both ways
    await press(coach, "⬆️ Harder: Zercher Squat")
    assert "⬇️ Easier: Goblet Squat" in coach.buttons()
    # Back walks the path the coach took, search results included.
    await press(coach, "⬅️ Back")
    assert coach.last_text().startswith("🏋️ Goblet Squat")
    await press(coach, "⬅️ Back")
    assert "matching “Goblet Squat”" in coach.last_text()


async def test_add_easier_between_custom_and_curated(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await add_custom(harness, coach, "Tempo Box Squat")
    await open_card(coach, "Tempo Box Squat")
    await press(coach, "➕ Add easier")
    await coach.send("bodyweight box")
    await press(coach, "Bodyweight Box Squat")
    assert "⬇️ Easier: Bodyweight Box Squat" in coach.buttons()
    await press(coach, "⬇️ Easier: Bodyweight Box Squat")
    assert "⬆️ Harder: Tempo Box Squat" in coach.buttons()


async def test_every_refusal_is_clear_and_changes_nothing(harness: Harness) -> None:
    tg = harness.tg
    coach = await onboard_coach(tg)
    other = await onboard_coach(tg, "other", "Southside Strength")
    theirs = await add_custom(harness, other, "Their Squat")
    goblet = await exercise_id(harness, "Goblet Squat")
    before = await count_links(harness)
    await open_card(coach, "Goblet Squat")
    await press(coach, "➕ Add harder")
    refusals = [
        ("goblet squat", "Goblet Squat", "can't be easier or harder than itself"),
        ("box squat", "Box Squat", "already linked as harder than this"),
    ]
    for query, pick, expected in refusals:
        await coach.send(query)
        await press(coach, pick)
        assert coach.last_callback is not None and coach.last_callback.show_alert
        assert expected in (coach.last_answer or ""), pick
    # Still asking: the coach can send another name.
    await coach.send("zzqqxx")
    assert "Nothing matches “zzqqxx”" in coach.last_text()
    # Another team's exercise: never offered, and forged it is "not found".
    await coach.send("their squat")
    assert "Their Squat" not in " ".join(coach.buttons())
    await press_data(coach, f"xlp:{goblet}:{theirs}:harder")
    assert "wasn't found" in (coach.last_answer or "")
    await coach.send("/cancel")

    await open_card(coach, "Goblet Squat")
    await press(coach, "➕ Add easier")
    await coach.send("box squat")
    await press(coach, "Box Squat")
    assert "already linked as harder than this; remove that link first" in (coach.last_answer or "")
    # Goblet Squat < Box Squat < Back Squat in the curated chain: Back Squat can't be easier.
    await coach.send("back squat")
    await press(coach, "Back Squat")
    assert "That would make a loop" in (coach.last_answer or "")
    for forged in [f"xlp:{goblet}:{goblet}:sideways", f"xl:{goblet}:sideways"]:
        await press_data(coach, forged)
        assert "expired" in (coach.last_answer or "")
    assert await count_links(harness) == before


async def test_a_loop_through_the_teams_own_links_is_refused(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    for name in ["Step A", "Step B", "Step C"]:
        await add_custom(harness, coach, name)
    await open_card(coach, "Step A")
    await press(coach, "➕ Add harder")
    await coach.send("step b")
    await press(coach, "🏷 Step B")
    await open_card(coach, "Step B")
    await press(coach, "➕ Add harder")
    await coach.send("step c")
    await press(coach, "🏷 Step C")
    links = await count_links(harness)
    await open_card(coach, "Step C")
    await press(coach, "➕ Add harder")
    await coach.send("step a")
    await press(coach, "🏷 Step A")
    assert "That would make a loop" in (coach.last_answer or "")
    assert await count_links(harness) == links


async def test_cancel_or_back_while_picking_links_nothing(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    before = await count_links(harness)
    await open_card(coach, "Goblet Squat")
    await press(coach, "➕ Add harder")
    await coach.send("zercher")
    await coach.send("/cancel")
    assert "Nothing was saved" in coach.bot_messages()[-2].display_text
    assert coach.last_text().startswith("🏋️ Goblet Squat")
    await press(coach, "➕ Add easier")
    await press(coach, "⬅️ Back to card")
    assert coach.last_text().startswith("🏋️ Goblet Squat")
    await coach.send("zercher")  # the question is closed
    assert "not sure what to do" in coach.last_text()
    assert await count_links(harness) == before
    await press(coach, "➕ Add harder")
    await coach.send("/athletes")
    assert "middle of linking a progression" in coach.last_text()


async def test_a_result_from_an_earlier_search_still_links(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await open_card(coach, "Goblet Squat")
    await press(coach, "➕ Add harder")
    await coach.send("zercher")
    first_results = coach.last_message()
    await coach.send("safety bar")
    await press(coach, "Safety Bar Squat")
    assert "⬆️ Harder: Safety Bar Squat" in coach.buttons()
    # The question is answered, but the older results are still an explicit choice.
    await coach.press("Zercher Squat", message=first_results)
    assert "now harder than “Goblet Squat”" in (coach.last_answer or "")
    refreshed = next(m for m in coach.messages() if m.message_id == first_results.message_id)
    assert refreshed.display_text.startswith("🏋️ Goblet Squat")
    assert "⬆️ Harder: Zercher Squat" in coach.buttons(refreshed)
    assert "⬆️ Harder: Safety Bar Squat" in coach.buttons(refreshed)


async def test_remove_only_the_teams_links(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    goblet = await exercise_id(harness, "Goblet Squat")
    box = await exercise_id(harness, "Box Squat")
    await open_card(coach, "Goblet Squat")
    assert "✂️ Remove a link" not in coach.buttons()
    await press_data(coach, f"xd:{goblet}")
    assert "no links your team made" in (coach.last_answer or "")
    await press(coach, "➕ Add harder")
    await coach.send("zercher")
    await press(coach, "Zercher Squat")
    before = await count_links(harness)
    await press(coach, "✂️ Remove a link")
    assert "Which link do you want to remove?" in coach.last_text()
    # Only the team's link is offered; the curated ones stay.
    assert coach.buttons() == ["✂️ Harder: Zercher Squat", "⬅️ Back to card"]
    await press_data(coach, f"xdx:{goblet}:{box}")
    assert "part of the curated library" in (coach.last_answer or "")
    await press(coach, "✂️ Harder: Zercher Squat")
    assert coach.last_answer == "Link removed."
    assert "⬆️ Harder: Zercher Squat" not in coach.buttons()
    assert "⬆️ Harder: Box Squat" in coach.buttons()
    assert await count_links(harness) == before - 2
    await press_data(coach, f"xdx:{goblet}:{box}x")
    assert "aren't linked" in (coach.last_answer or "")


async def test_links_are_the_teams_own(harness: Harness) -> None:
    tg = harness.tg
    first = await onboard_coach(tg, "first", "Northside Barbell")
    second = await onboard_coach(tg, "second", "Southside Strength")
    athlete = tg.user("athlete")
    await make_athlete(harness, first, athlete)
    goblet = await exercise_id(harness, "Goblet Squat")
    zercher = await exercise_id(harness, "Zercher Squat")
    await open_card(first, "Goblet Squat")
    await press(first, "➕ Add harder")
    await first.send("zercher")
    await press(first, "Zercher Squat")
    # The team's athlete sees the link (read-only); the other team doesn't.
    await open_card(athlete, "Goblet Squat")
    assert "⬆️ Harder: Zercher Squat" in athlete.buttons()
    assert "✂️ Remove a link" not in athlete.buttons()
    await open_card(second, "Goblet Squat")
    assert "⬆️ Harder: Zercher Squat" not in second.buttons()
    assert "✂️ Remove a link" not in second.buttons()
    await press_data(second, f"xdx:{goblet}:{zercher}")
    assert "aren't linked" in (second.last_answer or "")
    # The second team may link the same pair its own way, without touching the first's.
    await press(second, "➕ Add easier")
    await second.send("zercher")
    await press(second, "Zercher Squat")
    assert "⬇️ Easier: Zercher Squat" in second.buttons()
    await open_card(first, "Goblet Squat")
    assert "⬆️ Harder: Zercher Squat" in first.buttons()
    assert "⬇️ Easier: Zercher Squat" not in first.buttons()
