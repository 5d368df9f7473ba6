"""Arbitrary text, button data, deep-link payloads, edits and channel posts at every step of
every conversation.

Whatever arrives, no handler fails unexpectedly, every reply is one Telegram accepts, every
input gets a visible reaction (a new message or an edit after it; an answer to a press), and
the data stays valid. Channel posts (the bot as a channel admin) get no answer, and no error.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from bot.callbacks import BadCallback
from fake_telegram import LocalUser
from storage import validation
from storage.models import Athlete, Membership, Organization
from tests.bot.conftest import Harness
from tests.bot.helpers import add_athlete

_names = itertools.count()

Setup = Callable[[Harness], Awaitable[LocalUser]]


async def new_user(harness: Harness) -> LocalUser:
    return harness.tg.user(f"user{next(_names)}")


async def new_coach(harness: Harness) -> LocalUser:
    user = await new_user(harness)
    await user.send("/start")
    await user.send("Team")
    return user


async def onboarding_team_name(harness: Harness) -> LocalUser:
    user = await new_user(harness)
    await user.send("/start")
    return user


def add_form_at(step: int) -> Setup:
    async def setup(harness: Harness) -> LocalUser:
        coach = await new_coach(harness)
        await coach.send("/addathlete")
        for answer in ["Maya", "/skip", "/skip", "/skip", "/skip", "/skip"][:step]:
            await coach.send(answer)
        return coach

    setup.__name__ = f"add_form_step_{step}"
    return setup


async def add_form_pick_field(harness: Harness) -> LocalUser:
    coach = await add_form_at(6)(harness)
    await coach.press("✏️ Edit a field")
    return coach


async def edit_field(harness: Harness) -> LocalUser:
    coach = await new_coach(harness)
    await add_athlete(coach, "Maya")
    await coach.press("✏️ Edit")
    await coach.press("Email")
    return coach


async def roster_open(harness: Harness) -> LocalUser:
    coach = await new_coach(harness)
    await add_athlete(coach, "Maya")
    await coach.send("/athletes")
    return coach


NEW_EXERCISE_STEPS: list[tuple[str, str]] = [
    ("text", "Tempo Goblet Squat"),
    ("press", "Squat"),
    ("press", "Quadriceps"),
    ("press", "✔️ Done"),
    ("press", "✔️ Done"),
    ("press", "Kettlebell"),
    ("text", "/skip"),
]


def new_exercise_at(step: int) -> Setup:
    async def setup(harness: Harness) -> LocalUser:
        coach = await new_coach(harness)
        await coach.send("/newexercise")
        for kind, value in NEW_EXERCISE_STEPS[:step]:
            await (coach.send(value) if kind == "text" else coach.press(value))
        return coach

    setup.__name__ = f"new_exercise_step_{step}"
    return setup


async def exercise_card_edit(harness: Harness) -> LocalUser:
    coach = await new_exercise_at(len(NEW_EXERCISE_STEPS))(harness)
    await coach.press("✅ Save")
    await coach.press("✏️ Edit")
    await coach.press("Name")
    return coach


async def library_open(harness: Harness) -> LocalUser:
    user = await new_user(harness)
    await user.send("/exercises")
    return user


STATES: list[Setup] = [
    *(new_exercise_at(step) for step in range(len(NEW_EXERCISE_STEPS) + 1)),
    exercise_card_edit,
    library_open,
    new_user,
    new_coach,
    onboarding_team_name,
    *(add_form_at(step) for step in range(7)),
    add_form_pick_field,
    edit_field,
    roster_open,
]

# Telegram's own limit; astral characters (emoji count twice in UTF-16) mixed in on purpose.
astral = st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF)
texts = st.one_of(
    st.text(min_size=1, max_size=4096),
    st.text(alphabet=st.one_of(astral, st.characters()), min_size=1, max_size=2100),
).filter(lambda t: t.strip() != "")
button_data = st.text(min_size=1, max_size=64).filter(lambda d: len(d.encode()) <= 64)
payloads = st.from_regex(r"\A[A-Za-z0-9_-]{1,64}\Z")
inputs = st.one_of(
    texts.map(lambda t: ("text", t)),
    st.sampled_from(["/skip", "/cancel", "/start", "/help", "/athletes", "/addathlete"]).map(
        lambda t: ("text", t)
    ),
    button_data.map(lambda d: ("button", d)),
    payloads.map(lambda p: ("text", f"/start {p}")),
    st.one_of(texts, payloads.map(lambda p: f"/start {p}")).map(lambda t: ("channel", t)),
)
edits = texts.map(lambda t: ("edit", t))

CHANNEL_ID = -1001234567890


def channel_post(harness: Harness, text: str) -> dict[str, Any]:
    return {
        "update_id": harness.api.next_update_id(),
        "channel_post": {
            "message_id": next(_names) + 1,
            "date": int(harness.api.clock()),
            "chat": {"id": CHANNEL_ID, "type": "channel", "title": "Team news"},
            "sender_chat": {"id": CHANNEL_ID, "type": "channel", "title": "Team news"},
            "text": text,
        },
    }


def edited_message(harness: Harness, user: LocalUser, text: str) -> dict[str, Any] | None:
    """The user edits their last message to `text` (None if they have sent none)."""
    mine = [m for m in user.messages() if not m.from_bot]
    if not mine:
        return None
    message = harness.api.message_to_api(mine[-1], with_reply=False)
    message.update(text=text, edit_date=int(harness.api.clock()))
    message.pop("entities", None)
    return {"update_id": harness.api.next_update_id(), "edited_message": message}


def reactions(user: LocalUser) -> tuple[int, int]:
    """What the user can see the bot do: messages sent, and edits made to them."""
    messages = user.bot_messages()
    return len(messages), sum(m.edit_count for m in messages)


async def check_invariants(harness: Harness) -> None:
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        for athlete in (await session.exec(select(Athlete))).all():
            assert validation.clean_person_name(athlete.name) == athlete.name
        orphans = await session.exec(
            select(func.count())
            .select_from(Organization)
            .where(~Organization.id.in_(select(Membership.organization_id)))  # type: ignore[attr-defined]
        )
        assert orphans.one() == 0


PROPERTY_SETTINGS = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


async def feed(harness: Harness, setup: Setup, sequence: list[tuple[str, str]]) -> None:
    user = await setup(harness)
    for kind, value in sequence:
        before = reactions(user)
        if kind == "channel":
            await harness.tg.deliver(channel_post(harness, value))
            assert CHANNEL_ID not in harness.api.chats  # nothing was posted to the channel
            continue
        if kind in ("text", "edit"):
            edit = edited_message(harness, user, value) if kind == "edit" else None
            if edit is not None:
                await harness.tg.deliver(edit)
            else:
                await user.send(value)
            after = reactions(user)
            # A new message, or an edit made for this input: silence is a failure.
            assert after[0] > before[0] or after[1] > before[1], (kind, value)
        else:
            keyboard = [m for m in user.bot_messages() if m.has_inline_keyboard]
            if not keyboard:
                continue
            await user.press_data(value, message=keyboard[-1])
            assert user.last_callback is not None and user.last_callback.answered
    unexpected = [e for e in harness.tg.errors if not isinstance(e, BadCallback)]
    assert not unexpected, unexpected
    await check_invariants(harness)


@pytest.mark.slow
@pytest.mark.parametrize("setup", STATES, ids=lambda s: s.__name__)
@PROPERTY_SETTINGS
@given(sequence=st.lists(inputs, min_size=1, max_size=3))
async def test_anything_at_any_step(
    harness: Harness, setup: Setup, sequence: list[tuple[str, str]]
) -> None:
    await feed(harness, setup, sequence)


@pytest.mark.slow
@pytest.mark.parametrize("setup", STATES, ids=lambda s: s.__name__)
@PROPERTY_SETTINGS
@given(sequence=st.lists(st.one_of(inputs, edits), min_size=1, max_size=3))
async def test_edits_at_any_step(
    harness: Harness, setup: Setup, sequence: list[tuple[str, str]]
) -> None:
    await feed(harness, setup, sequence)
