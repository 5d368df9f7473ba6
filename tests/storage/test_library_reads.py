"""The exercise library's hot reads: inline cards served from the curated rows held in memory
(and kept current), the one-statement card and list pages, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.exercises.texts import exercise_card
from storage.catalog.loader import Catalog, load_catalog, read_catalog
from storage.db import SessionFactory, transaction
from storage.errors import NotFound
from storage.models import BodyRegion, Equipment, MovementPattern, MuscleGroup
from storage.queries import exercises as q
from storage.queries import search as qs
from storage.queries.search import search_exercise_cards, search_exercises
from storage.schemas import ExerciseCreate, ExerciseUpdate, build_input
from tests.storage.helpers import make_team


def custom(name: str, **overrides: object) -> ExerciseCreate:
    values: dict[str, object] = {
        "name": name,
        "movement_pattern": MovementPattern.SQUAT,
        "equipment": Equipment.KETTLEBELL,
        "primary_muscles": ["glutes", "quads"],
        "secondary_muscles": ["calves", "abs"],
        "instructions": "Slow down, then stand up.",
    }
    values.update(overrides)
    return build_input(ExerciseCreate, **values)


def plain(card: q.ExerciseCard) -> tuple[object, ...]:
    """A card's content, whatever sequences hold it."""
    return (
        card.exercise,
        [m.id for m in card.primary],
        [m.id for m in card.secondary],
        [e.id for e in card.easier],
        [e.id for e in card.harder],
        card.removable,
    )


@contextmanager
def counted(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements run meanwhile."""
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    sa.event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine.sync_engine, "before_cursor_execute", record)


# --- inline cards ------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["squat", "", "rdl", "calf raise", "tempo"])
async def test_inline_cards_are_the_cards_the_database_holds(
    session: AsyncSession, query: str
) -> None:
    team = (await make_team(session)).organization_id
    await q.create_custom_exercise(session, organization_id=team, data=custom("Tempo Squat"))
    await q.create_custom_exercise(
        session, organization_id=team, data=custom("Tempo Box Squat", aliases=["TBS"])
    )
    for organization_id in (team, None):
        page, cards = await search_exercise_cards(
            session, organization_id=organization_id, query=query
        )
        ids = [hit.exercise_id for hit in page.items]
        assert ids and list(cards) == ids
        read = await q.get_exercise_cards(
            session, organization_id=organization_id, exercise_ids=ids
        )
        assert {i: plain(c) for i, c in cards.items()} == {i: plain(c) for i, c in read.items()}
        assert [exercise_card(cards[i]) for i in ids] == [exercise_card(read[i]) for i in ids]
    _, cards = await search_exercise_cards(session, organization_id=team, query="tempo squat")
    mine = next(card for card in cards.values() if card.exercise.name == "Tempo Squat")
    assert [m.id for m in mine.primary] == ["quads", "glutes"]  # catalog order, not as given
    assert mine.exercise.instructions == "Slow down, then stand up."


async def test_inline_curated_cards_cost_no_statement_beyond_the_search(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    await search_exercise_cards(session, organization_id=None, query="squat")  # cached
    with counted(engine) as statements:
        page, cards = await search_exercise_cards(session, organization_id=None, query="squat")
    assert len(cards) == len(page.items) > 1
    assert len(statements) == 1, statements


def _with_cues(catalog: Catalog, slug: str, cues: str) -> Catalog:
    exercises = [
        e.model_copy(update={"instructions": cues}) if e.slug == slug else e
        for e in catalog.exercises
    ]
    return Catalog(muscles=catalog.muscles, exercises=exercises, chains=catalog.chains)


def _with_muscle(catalog: Catalog, slug: str, **changes: object) -> Catalog:
    muscles = [m.model_copy(update=changes) if m.slug == slug else m for m in catalog.muscles]
    return Catalog(muscles=muscles, exercises=catalog.exercises, chains=catalog.chains)


async def _names_found(session: AsyncSession, query: str) -> set[str]:
    names: set[str] = set()
    offset: int | None = 0
    while offset is not None:
        page = await search_exercises(session, organization_id=None, query=query, offset=offset)
        names |= {hit.name for hit in page.items}
        offset = page.next_offset
    return names


async def _card_of(session: AsyncSession, query: str, name: str) -> q.ExerciseCard:
    _, cards = await search_exercise_cards(session, organization_id=None, query=query)
    return next(card for card in cards.values() if card.exercise.name == name)


async def test_inline_cards_follow_each_kind_of_catalog_load_by_another_process(
    session_factory: SessionFactory,
) -> None:
    """Each load changes one thing only (each is a part of the fingerprint on its own)."""
    catalog = read_catalog()

    async def load(changed: Catalog) -> None:
        async with transaction(session_factory) as session:
            await load_catalog(session, changed)

    async with session_factory() as session:  # caches the curated rows
        squat = await _card_of(session, "back squat", "Back Squat")
        assert squat.exercise.instructions != "New cues."
        calf = await _card_of(session, "standing calf raise", "Standing Calf Raise")
        assert "Calves" in [m.name for m in calf.primary]
        assert "Standing Calf Raise" not in await _names_found(session, "upper body")

    await load(catalog := _with_cues(catalog, "back-squat", "New cues."))
    async with session_factory() as session:
        squat = await _card_of(session, "back squat", "Back Squat")
        assert squat.exercise.instructions == "New cues."

    await load(catalog := _with_muscle(catalog, "calves", name="Calf Muscles"))
    async with session_factory() as session:
        calf = await _card_of(session, "standing calf raise", "Standing Calf Raise")
        names = [m.name for m in [*calf.primary, *calf.secondary]]
        assert "Calf Muscles" in names and "Calves" not in names

    await load(_with_muscle(catalog, "calves", body_region=BodyRegion.UPPER))
    async with session_factory() as session:
        # The search's regions ("upper body" finds what works an upper-body muscle).
        assert "Standing Calf Raise" in await _names_found(session, "upper body")


async def test_inline_cards_of_the_teams_own_follow_its_edits_and_no_one_elses(
    session: AsyncSession,
) -> None:
    ours, theirs = (
        (await make_team(session, "Ours")).organization_id,
        (await make_team(session, "Theirs")).organization_id,
    )
    made = await q.create_custom_exercise(
        session, organization_id=ours, data=custom("Quokka Squat")
    )
    await q.create_custom_exercise(
        session, organization_id=theirs, data=custom("Quokka Squat", instructions="Theirs.")
    )

    async def quokka(team: str) -> q.ExerciseCard | None:
        _, cards = await search_exercise_cards(session, organization_id=team, query="quokka")
        return next((c for c in cards.values() if c.exercise.name == "Quokka Squat"), None)

    first = await quokka(ours)
    assert first is not None and first.exercise.instructions == "Slow down, then stand up."
    await q.update_custom_exercise(
        session,
        organization_id=ours,
        exercise_id=made.id,
        changes=ExerciseUpdate(instructions="Pause at the bottom.", primary_muscles=["abs"]),
    )
    edited = await quokka(ours)
    assert edited is not None and edited.exercise.instructions == "Pause at the bottom."
    assert [m.id for m in edited.primary] == ["abs"]
    theirs_card = await quokka(theirs)
    assert theirs_card is not None and theirs_card.exercise.instructions == "Theirs."
    await q.set_exercise_archived(session, organization_id=ours, exercise_id=made.id, archived=True)
    assert await quokka(ours) is None
    await q.set_exercise_archived(
        session, organization_id=ours, exercise_id=made.id, archived=False
    )
    restored = await quokka(ours)
    assert restored is not None and restored.exercise.id == made.id


async def _counts_agree(session: AsyncSession, organization_id: str | None) -> None:
    for region in BodyRegion:
        held = await qs.count_exercises_by_muscle(
            session, organization_id=organization_id, region=region
        )
        read = await q.count_exercises_by_muscle(
            session, organization_id=organization_id, region=region
        )
        assert held == read, region


async def test_region_counts_held_in_memory_follow_the_teams_changes(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    ours, theirs = (
        (await make_team(session, "Ours")).organization_id,
        (await make_team(session, "Theirs")).organization_id,
    )
    await _counts_agree(session, ours)  # the team's counts are now held
    made = await q.create_custom_exercise(session, organization_id=ours, data=custom("Q Squat"))
    await q.create_custom_exercise(session, organization_id=theirs, data=custom("T Squat"))
    await _counts_agree(session, ours)
    await _counts_agree(session, theirs)
    await _counts_agree(session, None)
    await q.update_custom_exercise(
        session,
        organization_id=ours,
        exercise_id=made.id,
        changes=ExerciseUpdate(primary_muscles=["lats"], secondary_muscles=["biceps"]),
    )
    await _counts_agree(session, ours)
    await q.set_exercise_archived(session, organization_id=ours, exercise_id=made.id, archived=True)
    await _counts_agree(session, ours)
    with counted(engine) as statements:
        lower = await qs.count_exercises_by_muscle(
            session, organization_id=ours, region=BodyRegion.LOWER
        )
    assert len(statements) == 1 and lower and all(n > 0 for _, n in lower)


# --- cards and pages in one statement ----------------------------------------------------------


async def test_a_card_is_one_statement_with_the_teams_links_and_not_anothers(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    ours, theirs = (
        (await make_team(session, "Ours")).organization_id,
        (await make_team(session, "Theirs")).organization_id,
    )
    squat = await q.find_exercise_by_name(session, organization_id=None, name="Back Squat")
    assert squat is not None
    mine = await q.create_custom_exercise(session, organization_id=ours, data=custom("Aa Squat"))
    other = await q.create_custom_exercise(session, organization_id=theirs, data=custom("B Sq"))
    await q.add_progression(
        session,
        organization_id=ours,
        exercise_id=squat.id,
        related_exercise_id=mine.id,
        direction=q.ProgressionDirection.HARDER,
    )
    await q.add_progression(
        session,
        organization_id=theirs,
        exercise_id=squat.id,
        related_exercise_id=other.id,
        direction=q.ProgressionDirection.EASIER,
    )
    await session.flush()
    with counted(engine) as statements:
        card = await q.get_exercise_card(session, organization_id=ours, exercise_id=squat.id)
    assert len(statements) == 1
    assert [m.id for m in card.primary] == ["quads", "glutes"]
    assert mine.id in [e.id for e in card.harder] and card.removable == {mine.id}
    assert other.id not in [e.id for e in [*card.easier, *card.harder]]
    names = [e.name.lower() for e in card.harder]
    assert names == sorted(names) and names[0] == "aa squat"
    nobody = await q.get_exercise_card(session, organization_id=None, exercise_id=squat.id)
    assert mine.id not in [e.id for e in nobody.harder] and not nobody.removable
    with pytest.raises(NotFound):
        await q.get_exercise_card(session, organization_id=theirs, exercise_id=mine.id)


async def test_a_muscle_page_shows_its_muscle_with_no_exercises_and_clamps_stale_pages(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    session.add(MuscleGroup(id="spleen", name="Spleen", body_region=BodyRegion.CORE))
    await session.flush()
    muscle, page = await q.muscle_page(session, organization_id=None, muscle_group_id="spleen")
    assert (muscle.name, page.items, page.total) == ("Spleen", [], 0)
    muscle, page = await q.muscle_page(
        session, organization_id=None, muscle_group_id="spleen", offset=30
    )
    assert (muscle.name, page.items, page.total, page.offset) == ("Spleen", [], 0, 0)
    with pytest.raises(NotFound):
        await q.muscle_page(session, organization_id=None, muscle_group_id="nope")
    with pytest.raises(NotFound):
        await q.muscle_page(session, organization_id=None, muscle_group_id="nope", offset=10)
    with counted(engine) as statements:
        muscle, first = await q.muscle_page(session, organization_id=None, muscle_group_id="quads")
    assert len(statements) == 1 and muscle.name and first.total > 10 and len(first.items) == 10
    _, last = await q.muscle_page(
        session, organization_id=None, muscle_group_id="quads", offset=10_000
    )
    assert last.offset == (first.total - 1) // 10 * 10 and last.items
    assert last.offset + len(last.items) == first.total
    pattern = await q.list_exercises_by_pattern(
        session, organization_id=None, pattern=MovementPattern.CARRY, offset=10_000
    )
    assert pattern.items and pattern.offset + len(pattern.items) == pattern.total


async def test_the_teams_list_counts_its_archived_and_clamps_a_stale_page_before_them(
    engine: AsyncEngine, session: AsyncSession
) -> None:
    team = (await make_team(session)).organization_id
    page, archived = await q.team_exercises(session, organization_id=team)
    assert (page.items, page.total, archived) == ([], 0, 0)
    made = [
        await q.create_custom_exercise(session, organization_id=team, data=custom(f"Ex {n:02}"))
        for n in range(13)
    ]
    for exercise in made[:4]:  # Ex 00-03 archived: 9 live, 4 archived
        await q.set_exercise_archived(
            session, organization_id=team, exercise_id=exercise.id, archived=True
        )
    with counted(engine) as statements:
        page, archived = await q.team_exercises(session, organization_id=team, limit=5)
    assert len(statements) == 1
    assert ([e.name for e in page.items], page.total, archived) == (
        ["Ex 04", "Ex 05", "Ex 06", "Ex 07", "Ex 08"],
        9,
        4,
    )
    page, archived = await q.team_exercises(session, organization_id=team, offset=5, limit=5)
    assert [e.name for e in page.items] == ["Ex 09", "Ex 10", "Ex 11", "Ex 12"] and archived == 4
    # Offset 10 is past the 9 live ones but not past the archived: still the last live page.
    for stale in (10, 12, 500):
        page, _ = await q.team_exercises(session, organization_id=team, offset=stale, limit=5)
        assert (page.offset, page.items[0].name) == (5, "Ex 09")
    stored = await q.list_custom_exercises(session, organization_id=team, archived_only=True)
    assert [e.name for e in stored.items] == ["Ex 00", "Ex 01", "Ex 02", "Ex 03"]
    both = await q.list_custom_exercises(session, organization_id=team, include_archived=True)
    assert both.total == 13 and both.items[0].name == "Ex 04"
