"""A typed session, from text to saved entries: parse, resolve names (asking when unsure),
preview, save. Shared by /newprogram and a card's Edit / Add session.

A session draft lives in the open form's draft (user_data, JSON):
    {"title": str | None, "entries": [{"line", "label", "name", "rx", "note", "exercise_id",
     "exercise_name", "create", "options": [[id, name], ...]}]}
An entry is settled when it has an exercise_id, or a movement pattern under "create" (a team
exercise made at Save, so nothing is written before the coach confirms).
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup, Update

from bot.context import SpotterContext
from bot.programs import keyboards as kb
from bot.programs import texts
from bot.replies import send, show
from storage.models import Equipment, MovementPattern, Organization
from storage.prescriptions import (
    ParsedEntry,
    ParsedSession,
    ParseErrors,
    Prescription,
    Unit,
    parse_line,
    parse_session,
    render_entry,
)
from storage.queries.exercises import create_custom_exercise, find_exercise_by_name
from storage.queries.programs import EntryInput, Resolution, resolve_exercise_names
from storage.schemas import ExerciseCreate
from storage.validation import strip_controls, utf16_len

MESSAGE_LIMIT = 4000  # Telegram's 4096, less a margin for what Telegram counts differently
TITLE_LINE = re.compile(r"^\s*(?P<title>[^\n:@]{1,60}?)\s*:\s*$")
# A new team exercise's first primary muscle, by pattern (editable on its card later).
DEFAULT_MUSCLE = {
    MovementPattern.PUSH: "chest",
    MovementPattern.PULL: "lats",
    MovementPattern.HINGE: "hamstrings",
    MovementPattern.SQUAT: "quads",
    MovementPattern.CARRY: "forearms",
    MovementPattern.CORE: "abs",
}


def team_unit(organization: Organization) -> Unit:
    return "lb" if organization.weight_unit == "lb" else "kg"


def split_title(text: str) -> tuple[str | None, str]:
    """`Lower A:` on the first line is the session's title; the rest is the entries."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        match = TITLE_LINE.match(line)
        # "Day 1:" is a title; "Squat 5x5:" is an entry with a stray colon.
        if match is None or isinstance(parse_line(match.group("title")), ParsedEntry):
            return None, text
        rest = "\n".join([*lines[:index], "", *lines[index + 1 :]])  # keep line numbers
        return match.group("title").strip(), rest
    return None, text


async def read_session(
    context: SpotterContext, *, organization_id: str, text: str, unit: Unit
) -> dict[str, Any] | str:
    """A session draft, or the HTML of what was wrong (nothing written either way)."""
    cleaned = strip_controls(text, keep_newlines=True)
    title, body = split_title(cleaned)
    parsed = parse_session(body, unit=unit)
    if isinstance(parsed, ParseErrors):
        return texts.shorthand_errors(parsed.errors)
    assert isinstance(parsed, ParsedSession)
    resolved = await resolve_exercise_names(
        context.session,
        organization_id=organization_id,
        names=[entry.exercise_name for entry in parsed.entries],
    )
    entries = []
    for entry in parsed.entries:
        resolution = resolved[entry.exercise_name]
        found = resolution.exercise
        entries.append(
            {
                "line": entry.line_no,
                "label": entry.group_label,
                "name": entry.exercise_name,
                "rx": entry.prescription.to_json(),
                "note": entry.prescription.note,
                "exercise_id": found.exercise_id if found else None,
                "exercise_name": found.name if found else None,
                "create": None,
                "options": [
                    [o.exercise_id, o.name]
                    for o in resolution.options
                    if resolution.kind is Resolution.AMBIGUOUS
                ],
            }
        )
    return {"title": title, "entries": entries}


def first_unsettled(draft: dict[str, Any]) -> int | None:
    for index, entry in enumerate(draft["entries"]):
        if not entry["exercise_id"] and not entry["create"]:
            return index
    return None


async def ask_resolution(
    update: Update,
    context: SpotterContext,
    draft: dict[str, Any],
    index: int,
    *,
    note: str | None = None,
) -> None:
    entry = draft["entries"][index]
    options = [(str(o[0]), str(o[1])) for o in entry["options"]]
    if len(options) == 1:
        question = texts.unsure_name(entry["line"], entry["name"], options[0][1])
        markup = kb.resolve_choices(options)
    elif options:
        question = texts.ambiguous_name(entry["line"], entry["name"])
        markup = kb.resolve_choices(options)
    else:
        question = texts.unknown_name(entry["line"], entry["name"])
        markup = kb.unknown_choices()
    await send(update, context, f"{note}\n\n{question}" if note else question, markup)


def pick_option(draft: dict[str, Any], index: int, option: int) -> bool:
    entry = draft["entries"][index]
    if not 0 <= option < len(entry["options"]):
        return False
    exercise_id, name = entry["options"][option]
    for other in draft["entries"]:
        # The same typed name elsewhere in the session means the same exercise.
        if other["name"] == entry["name"] and not other["exercise_id"]:
            other.update(exercise_id=exercise_id, exercise_name=name, options=[], create=None)
    return True


def choose_create(draft: dict[str, Any], index: int, pattern: MovementPattern) -> None:
    name = draft["entries"][index]["name"]
    for other in draft["entries"]:
        if other["name"] == name and not other["exercise_id"]:
            other.update(create=pattern.value, exercise_name=name, options=[])


async def retype_name(
    context: SpotterContext,
    *,
    organization_id: str,
    draft: dict[str, Any],
    index: int,
    text: str,
) -> str | None:
    """A new name for an unsettled line; None when it is usable, else what was wrong."""
    name = " ".join(strip_controls(text).split())
    if not name or len(name) > 100 or not any(ch.isalpha() for ch in name):
        return "Send an exercise name with at least one letter (up to 100 characters)."
    resolved = (
        await resolve_exercise_names(context.session, organization_id=organization_id, names=[name])
    )[name]
    entry = draft["entries"][index]
    found = resolved.exercise
    entry.update(
        name=name,
        exercise_id=found.exercise_id if found else None,
        exercise_name=found.name if found else None,
        create=None,
        options=[
            [o.exercise_id, o.name]
            for o in resolved.options
            if resolved.kind is Resolution.AMBIGUOUS
        ],
    )
    return None


def entry_prescription(entry: dict[str, Any]) -> Prescription:
    return Prescription.from_json(entry["rx"], note=entry.get("note"))


def shorthand_text(draft: dict[str, Any], unit: Unit) -> str:
    lines = [f"{draft['title']}:"] if draft.get("title") else []
    for entry in draft["entries"]:
        lines.append(
            render_entry(
                group_label=entry["label"],
                exercise_name=entry["exercise_name"] or entry["name"],
                prescription=entry_prescription(entry),
                unit=unit,
            )
        )
    return "\n".join(lines)


def chunk(lines: list[str], *, wrap: tuple[str, str] = ("", ""), reserve: int = 0) -> list[str]:
    """Lines joined into messages within Telegram's limit, split only between lines
    (``reserve``: room kept in each message for a heading)."""
    opening, closing = wrap
    room = MESSAGE_LIMIT - utf16_len(opening + closing) - reserve
    messages: list[str] = []
    current: list[str] = []
    size = 0
    for line in lines:
        length = utf16_len(line) + 1
        if current and size + length > room:
            messages.append(opening + "\n".join(current) + closing)
            current, size = [], 0
        current.append(line)
        size += length
    if current:
        messages.append(opening + "\n".join(current) + closing)
    return messages


def session_messages(heading: str, draft: dict[str, Any], unit: Unit) -> list[str]:
    """A session as one message: its heading over its shorthand in a block the coach can copy,
    change and send back (the block names each exercise as resolved). A session longer than a
    message goes on over the next ones, split between lines, never cut."""
    if not draft["entries"]:
        return [f"{heading}\n{texts.EMPTY_SESSION}"]
    shorthand = [escape(line) for line in shorthand_text(draft, unit).split("\n")]
    blocks = chunk(shorthand, wrap=("<pre>", "</pre>"), reserve=utf16_len(heading) + 1)
    blocks[0] = f"{heading}\n{blocks[0]}"
    return blocks


def pack(parts: list[str], *, tail: str = "") -> list[str]:
    """Messages joined into as few as fit in Telegram's limit, in order: a week that fits is one
    message; ``tail`` (the question by the buttons) ends the last one."""
    messages: list[str] = []
    for part in [*parts, tail] if tail else parts:
        if messages and utf16_len(f"{messages[-1]}\n\n{part}") <= MESSAGE_LIMIT:
            messages[-1] = f"{messages[-1]}\n\n{part}"
        else:
            messages.append(part)
    return messages


async def send_messages(
    update: Update,
    context: SpotterContext,
    messages: list[str],
    markup: InlineKeyboardMarkup | None,
    *,
    edit: bool = False,
) -> None:
    """One message: edit the pressed one (or send); several: send them all, buttons on the
    last, so a long session is paged over messages and never cut. The caller answers the
    press (a form's question may come after the kit already answered it)."""
    if edit and len(messages) == 1:
        await show(update, context, messages[0], markup)
        return
    for index, text in enumerate(messages):
        await send(update, context, text, markup if index == len(messages) - 1 else None)


async def entry_inputs(
    context: SpotterContext, *, organization_id: str, user_id: str, draft: dict[str, Any]
) -> list[EntryInput]:
    """The entries to write, creating the team exercises chosen with "create" first."""
    created: dict[str, str] = {}
    inputs = []
    for entry in draft["entries"]:
        exercise_id = entry["exercise_id"]
        if not exercise_id and entry["create"]:
            key = entry["name"].lower()
            if key not in created:
                created[key] = await _team_exercise(
                    context,
                    organization_id=organization_id,
                    user_id=user_id,
                    name=entry["name"],
                    pattern=MovementPattern(entry["create"]),
                )
            exercise_id = created[key]
        inputs.append(
            EntryInput(
                exercise_id=exercise_id,
                prescription=entry_prescription(entry),
                group_label=entry["label"],
            )
        )
    return inputs


async def _team_exercise(
    context: SpotterContext,
    *,
    organization_id: str,
    user_id: str,
    name: str,
    pattern: MovementPattern,
) -> str:
    existing = await find_exercise_by_name(
        context.session, organization_id=organization_id, name=name
    )
    if existing is not None:  # made meanwhile (another coach, another form)
        return existing.id
    exercise = await create_custom_exercise(
        context.session,
        organization_id=organization_id,
        data=ExerciseCreate(
            name=name,
            movement_pattern=pattern,
            equipment=Equipment.OTHER,
            primary_muscles=[DEFAULT_MUSCLE[pattern]],
        ),
        created_by=user_id,
    )
    return exercise.id


def draft_from_saved(
    title: str | None, entries: list[tuple[Any, str]], unit: Unit
) -> dict[str, Any]:
    """A saved session as a draft (for the card's view), entries as (ProgramEntry, name)."""
    return {
        "title": title,
        "entries": [
            {
                "line": entry.position,
                "label": entry.group_label,
                "name": name,
                "rx": entry.prescription,
                "note": entry.note,
                "exercise_id": entry.exercise_id,
                "exercise_name": name,
                "create": None,
                "options": [],
            }
            for entry, name in entries
        ],
    }
