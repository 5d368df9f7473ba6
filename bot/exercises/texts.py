"""The exercise library: browsing, cards, /newexercise and a coach's changes from a card."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.core.texts import page_of
from storage import validation
from storage.models import (
    BodyRegion,
    Equipment,
    Exercise,
    MovementPattern,
    MuscleGroup,
    ProgressionDirection,
)
from storage.queries.exercises import ExerciseCard, ExerciseInfo, ExercisePage, MuscleInfo
from storage.queries.search import Intent, SearchPage

ALERT_MAX = 200  # Telegram's limit for a button answer


def alert(text: str) -> str:
    """A button answer cut to Telegram's limit (storage messages quote exercise names)."""
    return text if len(text) <= ALERT_MAX else text[: ALERT_MAX - 1] + "…"


REGION_LABELS = {
    BodyRegion.UPPER: "Upper body",
    BodyRegion.LOWER: "Lower body",
    BodyRegion.CORE: "Core",
}

REGION_ICONS = {BodyRegion.UPPER: "💪", BodyRegion.LOWER: "🦵", BodyRegion.CORE: "🧱"}

PATTERN_LABELS = {
    MovementPattern.PUSH: "Push",
    MovementPattern.PULL: "Pull",
    MovementPattern.HINGE: "Hinge",
    MovementPattern.SQUAT: "Squat",
    MovementPattern.CARRY: "Carry",
    MovementPattern.CORE: "Core",
}

EQUIPMENT_LABELS = {
    Equipment.BARBELL: "Barbell",
    Equipment.DUMBBELL: "Dumbbell",
    Equipment.KETTLEBELL: "Kettlebell",
    Equipment.BODYWEIGHT: "Bodyweight",
    Equipment.MACHINE: "Machine",
    Equipment.CABLE: "Cable",
    Equipment.BAND: "Band",
    Equipment.SLED: "Sled",
    Equipment.TRAP_BAR: "Trap bar",
    Equipment.EZ_BAR: "EZ bar",
    Equipment.MEDICINE_BALL: "Medicine ball",
    Equipment.LANDMINE: "Landmine",
    Equipment.SUSPENSION: "Suspension trainer",
    Equipment.OTHER: "Other",
}

DIRECTION_LABELS = {ProgressionDirection.EASIER: "Easier", ProgressionDirection.HARDER: "Harder"}

DIRECTION_ICONS = {ProgressionDirection.EASIER: "⬇️", ProgressionDirection.HARDER: "⬆️"}

EXERCISE_FIELD_LABELS = {
    "name": "Name",
    "pattern": "Movement pattern",
    "primary": "Primary muscles",
    "secondary": "Secondary muscles",
    "equipment": "Equipment",
    "instructions": "Instructions",
}


def equipment_label(value: str) -> str:
    try:
        return EQUIPMENT_LABELS[Equipment(value)]
    except ValueError:  # a catalog value newer than the enum
        return value.replace("_", " ").capitalize()


def _muscle_names(muscles: Sequence[MuscleGroup | MuscleInfo]) -> str:
    return ", ".join(escape(m.name) for m in muscles) if muscles else "<i>none</i>"


def library_menu(*, team: str | None) -> str:
    lines = [
        "📚 <b>Exercise library</b>",
        "",
        "Browse by body region or by movement pattern"
        + (f", open the exercises of <b>{escape(team)}</b>" if team else "")
        + ", or search by name: <code>/exercises goblet squat</code>",
    ]
    return "\n".join(lines)


def region_muscles(region: BodyRegion) -> str:
    return (
        f"{REGION_ICONS[region]} <b>{REGION_LABELS[region]}</b>\n\n"
        "Pick a muscle group. The number is how many exercises work it."
    )


PICK_PATTERN_TO_BROWSE = "🔀 <b>Movement patterns</b>\n\nPick one to see its exercises."


def _showing(page: ExercisePage) -> str:
    shown = f"Showing {page.offset + 1}-{page.offset + len(page.items)} of {page.total}."
    return shown + page_of(page.offset, page.limit, page.total)


def muscle_list(muscle: MuscleInfo, page: ExercisePage) -> str:
    head = f"🎯 <b>{escape(muscle.name)}</b>"
    if page.total == 0:
        return f"{head}\n\nNo exercises work this muscle group yet."
    return (
        f"{head}\n\nPrimary movers first, then exercises where it's a secondary muscle. "
        f"{_showing(page)} Tap one to open its card."
    )


def pattern_list(pattern: MovementPattern, page: ExercisePage) -> str:
    head = f"🔀 <b>{PATTERN_LABELS[pattern]}</b>"
    if page.total == 0:
        return f"{head}\n\nNo exercises with this movement pattern yet."
    return f"{head}\n\n{_showing(page)} Tap one to open its card."


def ours_list(team: str, page: ExercisePage, *, archived: bool, is_coach: bool) -> str:
    head = f"🏷 <b>{escape(team)}</b>: {'archived exercises' if archived else 'our exercises'}"
    if page.total == 0:
        if archived:
            return f"{head}\n\nNothing is archived."
        hint = " Create one with /newexercise." if is_coach else ""
        return f"{head}\n\nYour team has no exercises of its own yet.{hint}"
    note = " Archived exercises are hidden from lists and search." if archived else ""
    return f"{head}\n\n{_showing(page)}{note} Tap one to open its card."


def search_results(
    query: str,
    *,
    total: int,
    offset: int,
    shown: int,
    is_coach: bool,
    outcome: SearchPage | None = None,
) -> str:
    head = f"🔎 <b>Exercises matching “{escape(query)}”</b>"
    if total == 0:
        create = " or create it with /newexercise" if is_coach else ""
        return f"{head}\n\nNothing matches. Try another name, browse with /exercises{create}."
    said = search_outcome(query, outcome) if outcome is not None else None
    note = f"\n\n{escape(said)}" if said else ""
    return f"{head}{note}\n\nShowing {offset + 1}-{offset + shown} of {total}, best first."


_INTENT_LINES = {
    Intent.EASIER: "Easier than {name} first.",
    Intent.HARDER: "Harder than {name} first.",
    Intent.CHAIN: "The {name} progression, easiest first.",
    Intent.BEGINNER: "Where to start on the way to {name}: the easiest steps first.",
}


def search_outcome(query: str, page: SearchPage) -> str | None:
    """How sure a search's answer is, in one plain sentence (escape it for HTML), or None when
    it simply found what was typed."""
    if page.intent is not None and page.anchor is not None:
        return _INTENT_LINES[page.intent].format(name=page.anchor.name)
    if page.suggestion is not None:
        return f"No exact match. Did you mean {page.suggestion.name}?"
    if page.set_aside:
        aside = set(page.set_aside)
        rest = " ".join(token for token in query.split() if token not in aside)
        quoted = ", ".join(f"“{token}”" for token in page.set_aside)
        return f"No exact match for {quoted}; showing results for “{rest}”."
    return None


SEARCH_EXPIRED = "That search has expired. Send /exercises and what you're looking for again."

NO_TEAM_LIBRARY = "Your team's own exercises are for its coaches and athletes."

EXERCISE_LINK_NOT_FOUND = (
    "That exercise wasn't found. It may have been removed, or it belongs to a team you're not "
    "in. Browse the library with /exercises."
)


def exercise_button(exercise: Exercise | ExerciseInfo) -> str:
    """Button text (plain, never parsed as HTML)."""
    mark = "🏷 " if exercise.organization_id else ""
    archived = " (archived)" if exercise.archived_at else ""
    return f"{mark}{exercise.name}{archived}"


def related_button(direction: ProgressionDirection, exercise: ExerciseInfo) -> str:
    archived = " 🗄 (archived)" if exercise.archived_at else ""
    return f"{DIRECTION_ICONS[direction]} {DIRECTION_LABELS[direction]}: {exercise.name}{archived}"


# What a card shows of a coach's text, in UTF-16 units (as Telegram counts): with the stored
# limits every card fits in one message by construction, rows saved under older rules too.
NAME_SHOWN = 2 * validation.NAME_MAX
ALIASES_SHOWN = 400
_clip = validation.clip_utf16


def exercise_card(card: ExerciseCard) -> str:
    exercise = card.exercise
    kind = "📚 Curated" if card.is_curated else "🏷 Our exercise"
    if exercise.archived_at:
        kind += " · 🗄 <b>archived</b> (hidden from lists and search)"
    lines = [
        f"🏋️ <b>{escape(_clip(exercise.name, NAME_SHOWN))}</b>",
        kind,
        "",
        f"<b>Pattern:</b> {PATTERN_LABELS[exercise.movement_pattern]}",
        f"<b>Equipment:</b> {escape(equipment_label(exercise.equipment))}",
        f"<b>Primary:</b> {_muscle_names(card.primary)}",
        f"<b>Secondary:</b> {_muscle_names(card.secondary)}",
    ]
    if exercise.aliases:
        aliases = _clip(", ".join(exercise.aliases), ALIASES_SHOWN)
        lines.append(f"<b>Also called:</b> {escape(aliases)}")
    if exercise.instructions:
        lines += ["", escape(_clip(exercise.instructions, validation.INSTRUCTIONS_MAX))]
    if card.easier or card.harder:
        lines += ["", "<i>Progressions are below: tap one to open it.</i>"]
    return "\n".join(lines)


NEW_EXERCISE_WHAT = "creating an exercise"

EDIT_EXERCISE_WHAT = "changing an exercise"

ASK_EXERCISE_NAME = (
    "➕ <b>New exercise</b> (step 1 of 6)\n\nWhat's it <b>called</b>?\n"
    "<i>For example: Tempo Goblet Squat. Send /cancel at any step to stop without saving.</i>"
)

ASK_EXERCISE_PATTERN = "Step 2 of 6: its <b>movement pattern</b>?\n<i>Tap one.</i>"

ASK_EXERCISE_EQUIPMENT = "Step 5 of 6: the main <b>equipment</b>?\n<i>Tap one.</i>"

ASK_EXERCISE_INSTRUCTIONS = (
    "Step 6 of 6: <b>instructions</b> or coaching cues?\n<i>Up to 2000 characters. Or /skip.</i>"
)

EXERCISE_NAME_REQUIRED = "The name is required, so it can't be skipped. Send the exercise's name."

NO_PRIMARY_PICKED = "Pick at least one primary muscle group first, then press Done."

EXERCISE_FORM_CLOSED = "That form is closed. Start a new one with /newexercise."

EXERCISE_SAVED = "Saved ✅"


def ask_muscles(role: str, selected: list[MuscleGroup], *, exercise: str | None = None) -> str:
    """The toggle question; `exercise` is set when changing a saved exercise."""
    if role == "primary":
        question = "the <b>primary</b> muscle groups (the prime movers)"
        rule = "Pick at least one."
        step = "Step 3 of 6"
    else:
        question = "the <b>secondary</b> muscle groups (optional)"
        rule = "Primary ones aren't offered. Done with none selected means none."
        step = "Step 4 of 6"
    head = f"✏️ <b>{escape(exercise)}</b>: {question}" if exercise else f"{step}: {question}"
    return (
        f"{head}.\n<i>Tap to select, tap again to deselect, then ✔️ Done. {rule}</i>\n\n"
        f"<b>Selected:</b> {_muscle_names(selected)}"
    )


def muscles_chosen(role: str, selected: list[MuscleGroup]) -> str:
    return f"✅ {role.capitalize()} muscles: {_muscle_names(selected)}"


def pattern_chosen(pattern: MovementPattern) -> str:
    return f"✅ Movement pattern: {PATTERN_LABELS[pattern]}"


def equipment_chosen(equipment: Equipment) -> str:
    return f"✅ Equipment: {EQUIPMENT_LABELS[equipment]}"


def muscle_is_primary(muscle: MuscleGroup) -> str:
    return alert(f"{muscle.name} is a primary muscle here, so it can't be secondary too.")


def exercise_name_taken(name: str, *, archived: bool) -> str:
    where = (
        " It's archived: restore it from /exercises → Our exercises → Archived, or pick another "
        "name."
        if archived
        else " Pick another name."
    )
    return f"⚠️ Your team already has an exercise called <b>{escape(name)}</b>.{where}"


def same_name_as_curated(name: str) -> str:
    return (
        f"ℹ️ The curated library also has <b>{escape(name)}</b>. That's fine: yours will be a "
        "separate exercise of your team. (To adapt the curated one instead, open its card and "
        "tap Copy to ours.)"
    )


def exercise_draft_summary(draft: dict[str, object], muscles: dict[str, MuscleGroup]) -> str:
    def names(key: str) -> str:
        ids = draft.get(key) or []
        assert isinstance(ids, list)
        return _muscle_names([muscles[m] for m in ids if m in muscles])

    pattern = draft.get("pattern")
    equipment = draft.get("equipment")
    instructions = draft.get("instructions")
    return (
        "📋 <b>Check the new exercise</b>\n\n"
        f"<b>Name:</b> {escape(str(draft.get('name') or ''))}\n"
        f"<b>Pattern:</b> {PATTERN_LABELS[MovementPattern(str(pattern))]}\n"
        f"<b>Primary:</b> {names('primary')}\n"
        f"<b>Secondary:</b> {names('secondary')}\n"
        f"<b>Equipment:</b> {EQUIPMENT_LABELS[Equipment(str(equipment))]}\n"
        f"<b>Instructions:</b> {escape(str(instructions)) if instructions else '<i>none</i>'}\n\n"
        "Save this exercise?"
    )


def exercise_saved(name: str) -> str:
    return f"✅ <b>{escape(name)}</b> is in your team's library."


def ask_exercise_text(field: str, name: str) -> str:
    if field == "name":
        question, options = "New <b>name</b>", "Send /cancel to keep it as it is."
    else:
        question = "New <b>instructions</b> (up to 2000 characters)"
        options = "Send /skip to clear them, or /cancel to keep them as they are."
    return f"✏️ {question} for <b>{escape(name)}</b>?\n<i>{options}</i>"


def ask_exercise_choice(field: str, name: str) -> str:
    what = "movement pattern" if field == "pattern" else "equipment"
    return f"✏️ Pick the new <b>{what}</b> for <b>{escape(name)}</b>:"


def pick_exercise_field(card_text: str) -> str:
    return f"{card_text}\n\n✏️ <b>Which field do you want to change?</b>"


def exercise_field_updated(field: str) -> str:
    return f"✅ {EXERCISE_FIELD_LABELS[field]} updated."


def exercise_archived(archived: bool) -> str:
    if archived:
        return "Archived. It's hidden from lists and search; progression links still show it."
    return "Restored. It's back in lists and search."


def exercise_copied(name: str) -> str:
    return alert(f"Copied to your exercises as “{name}”. Edit it to adjust cues or equipment.")


def already_copied(name: str) -> str:
    return alert(f"Your team already has a copy: “{name}”. Here it is.")


LINK_WHAT = "linking a progression"


def ask_link_query(name: str, direction: ProgressionDirection) -> str:
    return (
        f"➕ Which exercise is <b>{direction.value}</b> than <b>{escape(name)}</b>?\n"
        "Send part of its name, e.g. <i>split squat</i>. <i>/cancel to stop.</i>"
    )


def pick_link(name: str, direction: ProgressionDirection, query: str) -> str:
    return (
        f"Exercises matching “{escape(query)}”: tap the one that is <b>{direction.value}</b> "
        f"than <b>{escape(name)}</b>, or send another name. <i>/cancel to stop.</i>"
    )


def no_link_match(query: str) -> str:
    return (
        f"Nothing matches “{escape(query)}”. Send another name, or /cancel to stop. "
        "<i>Only curated exercises and your team's own (not archived) can be linked.</i>"
    )


def linked(related: str, direction: ProgressionDirection, name: str) -> str:
    return alert(f"Linked ✅ “{related}” is now {direction.value} than “{name}”.")


LINK_REMOVED = "Link removed."

NO_REMOVABLE_LINKS = "This card has no links your team made. Curated links can't be removed."


def pick_link_to_remove(card_text: str) -> str:
    return (
        f"{card_text}\n\n✂️ <b>Which link do you want to remove?</b>\n"
        "<i>Only links your team made are listed; curated ones stay.</i>"
    )


def unlink_button(direction: ProgressionDirection, exercise: ExerciseInfo) -> str:
    return f"✂️ {DIRECTION_LABELS[direction]}: {exercise.name}"


EXERCISE_LINK_INVALID = "That exercise link isn't valid. Send /exercises to browse the library."
