from __future__ import annotations

from bot.commands import Audience, commands_for
from fake_telegram import LocalUser
from tests.bot.conftest import Harness
from tests.bot.helpers import add_athlete, athletes_in_db, onboard_coach
from tests.bot.test_invites import HOSTILE, athlete_named, invite_from_card

NOT_FOUND = "Not found. It may have been removed, or it isn't in your team."


async def athlete_of_teams(harness: Harness, *teams: tuple[str, str, str]) -> LocalUser:
    """Maya, bound to one athlete record per (coach name, team, athlete name)."""
    maya = athlete_named(harness.tg)
    for coach_name, team, athlete_name in teams:
        coach = await onboard_coach(harness.tg, coach_name, team)
        await add_athlete(coach, athlete_name, f"{coach_name}@example.com")
        await maya.open_link(await invite_from_card(coach))
        assert "Welcome" in maya.last_text()
    return maya


def menu_of(harness: Harness, user: LocalUser) -> list[str]:
    menu = harness.api.commands_for({"type": "chat", "chat_id": user.chat_id}, "")
    return [c["command"] for c in menu]


async def linked_names(harness: Harness) -> dict[str, bool]:
    return {a.name: a.linked_user_id is not None for a in await athletes_in_db(harness)}


async def test_someone_without_a_team(harness: Harness) -> None:
    someone = harness.tg.user("someone")
    await someone.send("/me")
    assert "You're not connected to a team yet" in someone.last_text()
    await someone.send("/leave")
    assert "nothing to leave" in someone.last_text()


async def test_me_shows_the_profile_coach_and_team_for_each_team(harness: Harness) -> None:
    maya = await athlete_of_teams(
        harness,
        ("coach", "Northside Barbell", "Maya Lopez"),
        ("rival", "Riverside Lifting", "Maya L."),
    )
    await maya.send("/me")
    text = maya.last_text()
    assert "Your profile in each team" in text
    north, river = text.index("Northside Barbell"), text.index("Riverside Lifting")
    assert north < river
    northside, riverside = text[north:river], text[river:]
    for part, coach, name, email in [
        (northside, "Coach (@coach_tg)", "Maya Lopez", "coach@example.com"),
        (riverside, "Rival (@rival_tg)", "Maya L.", "rival@example.com"),
    ]:
        assert f"coach: {coach}" in part
        assert f"Name: {name}" in part
        assert f"Email: {email}" in part
        assert "Status: 🟢 Active" in part
    assert menu_of(harness, maya) == [c.name for c in commands_for(Audience.ATHLETE)]


async def test_me_escapes_html(harness: Harness) -> None:
    maya = await athlete_of_teams(harness, ("coach", HOSTILE, HOSTILE))
    await maya.send("/me")
    assert f"{HOSTILE} · coach: Coach (@coach_tg)" in maya.last_text()
    assert f"Name: {HOSTILE}" in maya.last_text()
    assert "&lt;b&gt;Lee &amp; &quot;Jo&quot;&lt;/b&gt;" in maya.last_html()


async def test_leave_with_confirmation_unlinks_and_tells_the_coach(harness: Harness) -> None:
    maya = await athlete_of_teams(harness, ("coach", "Northside Barbell", "Maya Lopez"))
    coach = harness.tg.user("coach")
    await maya.send("/leave")
    assert maya.last_text().startswith("Leave Northside Barbell?")
    assert "Coach (@coach_tg) will be told" in maya.last_text()
    assert maya.buttons() == ["Yes, leave", "No, stay"]
    question = maya.last_message()
    await maya.press("Yes, leave")
    assert question.display_text == "👋 You've left Northside Barbell. Your coach has been told."
    assert await linked_names(harness) == {"Maya Lopez": False}
    assert coach.last_text().startswith("👋 Maya Lopez left Northside Barbell")
    assert menu_of(harness, maya) == [c.name for c in commands_for(Audience.EVERYONE)]
    await maya.send("/me")
    assert "not connected to a team" in maya.last_text()

    await coach.press("👤 Open card")
    assert "not linked" in coach.last_text()
    assert "📨 Invite" in coach.buttons()

    await maya.send("/leave")
    assert "nothing to leave" in maya.last_text()


async def test_leave_cancelled_changes_nothing(harness: Harness) -> None:
    maya = await athlete_of_teams(harness, ("coach", "Northside Barbell", "Maya Lopez"))
    coach = harness.tg.user("coach")
    told = len(coach.bot_messages())
    await maya.send("/leave")
    await maya.press("No, stay")
    assert maya.last_text() == "OK, nothing changed: you're still on your team."
    assert not maya.last_message().has_inline_keyboard
    assert await linked_names(harness) == {"Maya Lopez": True}
    assert len(coach.bot_messages()) == told


async def test_leave_one_of_two_teams(harness: Harness) -> None:
    maya = await athlete_of_teams(
        harness,
        ("coach", "Northside Barbell", "Maya Lopez"),
        ("rival", "Riverside Lifting", "Maya L."),
    )
    coach, rival = harness.tg.user("coach"), harness.tg.user("rival")
    coach_told = len(coach.bot_messages())
    await maya.send("/leave")
    assert maya.last_text() == "Which team do you want to leave?"
    assert maya.buttons() == ["Northside Barbell", "Riverside Lifting", "✖️ Cancel"]
    await maya.press("✖️ Cancel")
    assert "nothing changed" in maya.last_text()
    await maya.send("/leave")
    await maya.press("Riverside Lifting")
    assert maya.last_text().startswith("Leave Riverside Lifting?")
    assert "Rival (@rival_tg)" in maya.last_text()
    await maya.press("Yes, leave")
    assert "You've left Riverside Lifting" in maya.last_text()
    assert await linked_names(harness) == {"Maya L.": False, "Maya Lopez": True}
    assert rival.last_text().startswith("👋 Maya L. left Riverside Lifting")
    assert len(coach.bot_messages()) == coach_told
    assert menu_of(harness, maya) == [c.name for c in commands_for(Audience.ATHLETE)]
    await maya.send("/me")
    assert "Northside Barbell" in maya.last_text()
    assert "Riverside Lifting" not in maya.last_text()

    # One team left: straight to the confirmation; and the pick list can be cancelled too.
    await maya.send("/leave")
    assert maya.last_text().startswith("Leave Northside Barbell?")
    await maya.press("No, stay")
    assert "nothing changed" in maya.last_text()
    assert await linked_names(harness) == {"Maya L.": False, "Maya Lopez": True}


async def test_forged_and_stale_leave_buttons(harness: Harness) -> None:
    maya = await athlete_of_teams(harness, ("coach", "Northside Barbell", "Maya Lopez"))
    [athlete] = await athletes_in_db(harness)
    mallory = harness.tg.user("mallory")
    await mallory.send("/me")
    for forged in [f"lvy:{athlete.id}", f"lv:{athlete.id}"]:
        await mallory.press_data(forged)
        assert mallory.last_answer == NOT_FOUND
    for malformed in ["lvy", "lv:a:b", "lvn:x"]:
        await mallory.press_data(malformed)
        assert mallory.last_answer == "That button has expired. Send /start for a fresh menu."
    assert await linked_names(harness) == {"Maya Lopez": True}

    await maya.send("/leave")
    question = maya.last_message()
    await maya.press("Yes, leave")
    await maya.press_data(f"lvy:{athlete.id}", message=question)
    assert maya.last_answer == NOT_FOUND
    assert await linked_names(harness) == {"Maya Lopez": False}
