"""What the exercise forms and card edits share: step names, field rules, muscle lists, and
loading one of the team's exercises."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Final

from telegram import Update

from bot.context import SpotterContext
from bot.core import texts as core_texts
from bot.core.actions import Coach
from bot.exercises import texts
from bot.replies import answer
from storage import validation
from storage.errors import DomainError, Subject
from storage.models import Exercise, MuscleGroup
from storage.queries import exercises as q

NEW_CONVERSATION = "new_exercise"

CHANGE_CONVERSATION = "change_exercise"

DRAFT_KEY = "exercise_draft"

EDIT_KEY = "exercise_edit"  # {"exercise", "field"}: a typed change to a saved exercise

LINK_KEY = "exercise_link"  # {"exercise", "direction"}: picking a progression by name

MUSCLES_KEY = "exercise_muscles"  # {"exercise", "role", "selected"}: toggles on a saved one

NAME, PATTERN, EQUIPMENT, INSTRUCTIONS = "name", "pattern", "equipment", "instructions"
PRIMARY: Final = "primary"
SECONDARY: Final = "secondary"

SUMMARY, PICK_FIELD = "summary", "pick_field"

EDIT_TEXT, LINK_QUERY = "edit_text", "link_query"

ORDER = [NAME, PATTERN, PRIMARY, SECONDARY, EQUIPMENT, INSTRUCTIONS]

TEXT_FIELDS = (NAME, INSTRUCTIONS)

CHOICE_FIELDS = (PATTERN, EQUIPMENT, PRIMARY, SECONDARY)

ROLES = (PRIMARY, SECONDARY)

LINK_RESULTS = 8

Callback = Callable[[Update, SpotterContext], Coroutine[Any, Any, Any]]


def user_data_of(context: SpotterContext) -> dict[Any, Any]:
    assert context.user_data is not None
    return context.user_data


def clean_name(text: str) -> str:
    return validation.clean_title(text, subject=Subject.EXERCISE_NAME, limit=validation.NAME_MAX)


def clean_instructions(text: str) -> str:
    return validation.clean_long_text(
        text, subject=Subject.INSTRUCTIONS, limit=validation.INSTRUCTIONS_MAX
    )


async def muscle_groups(context: SpotterContext) -> dict[str, MuscleGroup]:
    return {m.id: m for m in await q.list_muscle_groups(context.session)}


def pick(muscles: dict[str, MuscleGroup], ids: list[str]) -> list[MuscleGroup]:
    return [muscles[m] for m in ids if m in muscles]


def offered(muscles: dict[str, MuscleGroup], role: str, primary: list[str]) -> list[MuscleGroup]:
    """Secondary toggles leave out the primary muscles: one muscle can't be both."""
    return [m for m in muscles.values() if role == PRIMARY or m.id not in primary]


async def load_custom(
    update: Update, context: SpotterContext, coach: Coach, exercise_id: str
) -> Exercise | None:
    """The coach's team's own exercise; otherwise a refusal and None."""
    try:
        return await q.get_custom_exercise(
            context.session, organization_id=coach.team_id, exercise_id=exercise_id
        )
    except DomainError as error:
        await answer(update, context, texts.alert(core_texts.error_text(error)), alert=True)
        return None
