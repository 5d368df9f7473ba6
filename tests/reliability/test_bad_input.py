"""Arbitrary text, button data and deep-link payloads at every step of every conversation.

Whatever arrives, no handler fails unexpectedly, every reply is one Telegram accepts, every
press is answered, and the data stays valid.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable

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

texts = st.text(min_size=1, max_size=400).filter(lambda t: t.strip() != "")
button_data = st.text(min_size=1, max_size=64).filter(lambda d: len(d.encode()) <= 64)
payloads = st.from_regex(r"\A[A-Za-z0-9_-]{1,64}\Z")
inputs = st.one_of(
    texts.map(lambda t: ("text", t)),
    st.sampled_from(["/skip", "/cancel", "/start", "/help", "/athletes", "/addathlete"]).map(
        lambda t: ("text", t)
    ),
    button_data.map(lambda d: ("button", d)),
    payloads.map(lambda p: ("text", f"/start {p}")),
)


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


@pytest.mark.parametrize("setup", STATES, ids=lambda s: s.__name__)
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sequence=st.lists(inputs, min_size=1, max_size=3))
async def test_anything_at_any_step(
    harness: Harness, setup: Setup, sequence: list[tuple[str, str]]
) -> None:
    user = await setup(harness)
    for kind, value in sequence:
        before = len(user.bot_messages())
        if kind == "text":
            await user.send(value)
            assert len(user.bot_messages()) > before or user.bot_messages()[-1].edited
        else:
            keyboard = [m for m in user.bot_messages() if m.has_inline_keyboard]
            if not keyboard:
                continue
            await user.press_data(value, message=keyboard[-1])
            assert user.last_callback is not None and user.last_callback.answered
    unexpected = [e for e in harness.tg.errors if not isinstance(e, BadCallback)]
    assert not unexpected, unexpected
    await check_invariants(harness)
