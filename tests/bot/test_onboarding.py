from __future__ import annotations

from bot.commands import COMMANDS, Audience, commands_for
from fake_telegram import LocalTelegram
from tests.bot.conftest import Harness


async def onboard(tg: LocalTelegram, name: str = "coach", team: str = "Northside Barbell") -> None:
    coach = tg.user(name, first_name="Cora", last_name="Lane", username=f"{name}_cora")
    await coach.send("/start")
    await coach.send(team)


async def test_new_coach_creates_a_team_and_gets_the_menu(tg: LocalTelegram) -> None:
    coach = tg.user("coach", first_name="Cora")
    await coach.send("/start")
    assert "What's your team called?" in coach.last_text()
    await coach.send("  Northside   Barbell ")
    assert "Team Northside Barbell is ready" in coach.last_text()
    assert "/addathlete" in coach.last_text()
    await coach.send("/start")
    assert "Northside Barbell" in coach.last_text()
    assert coach.buttons() == ["👥 Athletes", "➕ Add athlete", "📚 Exercises"]


async def test_team_name_is_validated_and_asked_again(tg: LocalTelegram) -> None:
    coach = tg.user("coach")
    await coach.send("/start")
    for bad, expected in [("12345", "at least one letter"), ("x" * 101, "100 or fewer")]:
        await coach.send(bad)
        assert expected in coach.last_text()
    await coach.send("/athletes")
    assert "setting up your team" in coach.last_text()
    await coach.send("<b>Lee & Co</b>")
    assert "Team <b>Lee & Co</b> is ready" in coach.last_text()


async def test_cancel_onboarding_saves_nothing(tg: LocalTelegram) -> None:
    coach = tg.user("coach")
    await coach.send("/start")
    await coach.send("/cancel")
    assert "Nothing was saved" in coach.last_text()
    await coach.send("/athletes")
    assert "That's for coaches" in coach.last_text()
    await coach.send("/cancel")
    assert "nothing to cancel" in coach.last_text()


async def test_help_is_role_aware_and_matches_command_menus(harness: Harness) -> None:
    tg = harness.tg
    stranger = tg.user("stranger")
    await stranger.send("/help")
    text = stranger.last_text()
    assert "ask your coach for your invite link" in text
    assert "/addathlete" not in text
    default_menu = harness.api.commands_for({"type": "default"}, "")
    assert [c["command"] for c in default_menu] == [c.name for c in commands_for(Audience.EVERYONE)]
    await onboard(tg)
    coach = tg.user("coach")
    await coach.send("/help")
    for command in commands_for(Audience.COACH):
        assert f"/{command.name}" in coach.last_text()
    chat_menu = harness.api.commands_for({"type": "chat", "chat_id": coach.chat_id}, "")
    assert [c["command"] for c in chat_menu] == [c.name for c in commands_for(Audience.COACH)]


async def test_unknown_commands_and_text_get_a_hint(tg: LocalTelegram) -> None:
    someone = tg.user("someone")
    await someone.send("/frobnicate")
    assert "don't know that command" in someone.last_text()
    await someone.send("hello?")
    assert "/help" in someone.last_text()


def test_every_registered_command_is_listed(harness: Harness) -> None:
    from telegram.ext import CommandHandler

    from bot.core.routing import iter_table

    registered: set[str] = set()
    for handler in iter_table(harness.app.handlers):
        if isinstance(handler, CommandHandler):
            registered.update(handler.commands)
    # /skip only exists inside forms; everything else a user can type is in /help.
    assert registered - {"skip"} == {c.name for c in COMMANDS}


async def test_help_or_the_library_while_asked_for_a_team_name(tg: LocalTelegram) -> None:
    someone = tg.user("someone")
    await someone.send("/start")
    assert "invite link your coach sent you" in someone.last_text()
    await someone.send("/exercises")
    assert "Exercise library" in someone.last_text()
    await someone.send("Upper body")  # no longer read as a team name
    assert "Team Upper body is ready" not in someone.last_text()
    await someone.send("/start")
    await someone.send("/help")
    assert "Commands:" in someone.last_text()
    await someone.send("/athletes")  # out of the form now: refused politely, not a hint
    assert "for coaches" in someone.last_text()


async def test_welcomes_point_to_the_training_commands_that_exist(harness: Harness) -> None:
    """A new coach is shown programming, a new athlete the training day; every /command a
    welcome names is a real command for that person."""
    import re

    from tests.bot.training.helpers import coach_and_athlete

    coach, maya = await coach_and_athlete(harness)
    coach_welcome = coach.bot_messages()[1].display_text
    athlete_welcome = next(
        m.display_text for m in maya.bot_messages() if "Welcome" in m.display_text
    )
    assert "/newprogram" in coach_welcome and "/team" in coach_welcome
    assert "/today" in athlete_welcome and "/log" in athlete_welcome
    for text, audience in [(coach_welcome, Audience.COACH), (athlete_welcome, Audience.ATHLETE)]:
        named = set(re.findall(r"/([a-z]+)", text))
        known = {command.name for command in commands_for(audience)}
        assert named <= known, (named - known, audience)


async def test_an_invite_claimed_meanwhile_wins_over_a_bad_team_name(harness: Harness) -> None:
    from tests.bot.test_invites import athlete_named, coach_with_athlete, invite_from_card

    coach = await coach_with_athlete(harness)
    link = await invite_from_card(coach)
    maya = athlete_named(harness.tg)
    await maya.send("/start")
    assert "What's your team called?" in maya.last_text()
    await maya.open_link(link)
    await maya.send("12345")  # not a valid team name: but she is an athlete now
    assert "You're an athlete of Northside Barbell" in maya.last_text()
