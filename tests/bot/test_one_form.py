"""One open form per user, across every conversation (issue 13's rule)."""

from __future__ import annotations

from typing import Any

from telegram.ext import CommandHandler, ConversationHandler

from bot.app import form_routes, routing_table
from bot.core import forms
from fake_telegram import LocalTelegram
from tests.bot.conftest import Harness
from tests.bot.helpers import add_athlete, athletes_in_db, onboard_coach

STILL = "You're still in the middle of"


def command_entries() -> list[tuple[str, str]]:
    """(form name, command) for every form that a command starts."""
    return [
        (route.form.name, command)
        for route in form_routes()
        for handler in route.entries
        if isinstance(handler, CommandHandler)
        for command in sorted(handler.commands)
    ]


def test_every_conversation_is_the_forms_conversation_or_onboarding() -> None:
    conversations = [
        h
        for handlers in routing_table().values()
        for h in handlers
        if isinstance(h, ConversationHandler)
    ]
    assert sorted(c.name or "" for c in conversations) == [forms.CONVERSATION, "onboarding"]
    [conversation] = [c for c in conversations if c.name == forms.CONVERSATION]
    # Nothing re-enters a form past the "finish or drop?" question...
    assert not conversation.allow_reentry
    # ...and every entry of every form is intercepted by it while a form is open.
    entries = [h for route in form_routes() for h in route.entries]
    intercepted = [
        h
        for h in conversation.fallbacks
        if "finish_or_drop" in _name(h.callback) and "start" not in _name(h.callback)
    ]
    assert len(intercepted) == len(entries)
    for entry, interrupt in zip(entries, intercepted, strict=True):
        assert type(entry) is type(interrupt)
        assert vars_of(entry) == vars_of(interrupt)


def _name(callback: Any) -> str:
    return str(getattr(callback, "__name__", ""))


def vars_of(handler: Any) -> dict[str, Any]:
    slots = [s for cls in type(handler).__mro__ for s in getattr(cls, "__slots__", ())]
    return {s: getattr(handler, s) for s in slots if s != "callback" and hasattr(handler, s)}


async def test_every_form_started_mid_form_asks_to_finish_or_drop(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    entries = command_entries()
    opening = []
    for first_form, first in entries:
        await coach.send(f"/{first}")
        if forms.OPEN_KEY in harness.app.user_data[coach.id]:  # some open nothing for a coach
            opening.append((first_form, first))
            await coach.send("/cancel")
    assert len(opening) >= 2
    for first_form, first in opening:
        for second_form, second in entries:
            await coach.send(f"/{first}")
            opened = coach.last_text()
            await coach.send(f"/{second}")
            assert "Finish it first, or drop it?" in coach.last_text(), (first, second)
            await coach.press("↩️ Finish it first")
            assert STILL in coach.last_text()
            assert opened.split("\n")[0] in coach.last_text(), (first_form, second_form)
            await coach.send("/cancel")
            assert "Cancelled" in coach.last_text()
            await coach.send("hello")  # no form is open any more
            assert "not sure what to do" in coach.last_text()


async def test_new_exercise_then_add_athlete_then_cancel(harness: Harness) -> None:
    """The issue's first scenario: two forms were open and /cancel closed only one."""
    coach = await onboard_coach(harness.tg)
    await coach.send("/newexercise")
    await coach.send("/addathlete")
    await coach.press("🗑 Drop it")
    assert "Stopped creating an exercise" in coach.bot_messages()[-2].display_text
    assert "name" in coach.last_text().lower()  # the athlete form's first question
    await coach.send("/cancel")
    await coach.send("Tempo Squat")
    assert "not sure what to do" in coach.last_text()
    assert await athletes_in_db(harness) == []


async def test_start_mid_form_asks_and_drop_shows_the_menu(harness: Harness) -> None:
    """The issue's second scenario: /start left the form open and "hello" became a name."""
    coach = await onboard_coach(harness.tg)
    await coach.send("/addathlete")
    await coach.send("/start")
    assert "middle of adding an athlete" in coach.last_text()
    await coach.press("🗑 Drop it")
    assert "Northside Barbell" in coach.last_text()  # the coach menu
    await coach.send("hello")
    assert "not sure what to do" in coach.last_text()
    assert await athletes_in_db(harness) == []


async def test_read_only_commands_work_mid_form_then_repeat_the_step(tg: LocalTelegram) -> None:
    coach = await onboard_coach(tg)
    await add_athlete(coach, "Maya Lopez")
    await coach.send("/addathlete")
    await coach.send("Jon Snow")
    for command, shown in [
        ("/help", "/addathlete"),
        ("/athletes", "Your athletes"),
        ("/exercises", "Exercise library"),
        ("/me", "not connected to a team"),
        ("/programs", "Programs"),
        ("/team", "Team"),
    ]:
        await coach.send(command)
        assert shown in coach.bot_messages()[-2].display_text, command
        assert STILL in coach.last_text() and "email" in coach.last_text().lower(), command
    await coach.send("jon@example.com")
    assert "phone" in coach.last_text().lower()


async def test_cancel_ends_whichever_form_is_open(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await add_athlete(coach, "Maya Lopez")
    await coach.press("✏️ Edit")
    await coach.press("Email")
    await coach.send("/cancel")
    assert "Cancelled" in coach.last_text()
    await coach.send("maya@example.com")
    assert "not sure what to do" in coach.last_text()
    [athlete] = await athletes_in_db(harness)
    assert athlete.email is None


async def test_finish_or_drop_buttons_after_the_form_ended(tg: LocalTelegram) -> None:
    coach = await onboard_coach(tg)
    await coach.send("/addathlete")
    await coach.send("/newexercise")
    question = coach.last_message()
    await coach.send("/cancel")
    for label in ("↩️ Finish it first", "🗑 Drop it"):
        await coach.press(label, message=question)
        assert coach.last_answer == "That question is closed: nothing is open now."


async def test_the_open_form_survives_a_restart(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/addathlete")
    await coach.send("Jon Snow")
    await harness.restart(abrupt=True)
    await coach.send("/newexercise")
    assert "middle of adding an athlete" in coach.last_text()
    await coach.press("↩️ Finish it first")
    await coach.send("jon@example.com")
    assert "phone" in coach.last_text().lower()
