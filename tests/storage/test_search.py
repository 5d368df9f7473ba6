"""Exercise search: ranking rules (pure), the labelled set, visibility, freshness, hostile text and
paging, on SQLite and (with TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bench.search_queries import (
    CATEGORIES,
    LABELLED,
    accepts,
    accepts_top3,
    describe,
    expected_slugs,
)
from storage.catalog.loader import Catalog, load_catalog, read_catalog
from storage.db import SessionFactory, transaction
from storage.models import Equipment, Exercise, MovementPattern
from storage.models.base import utcnow
from storage.queries import exercises as q
from storage.queries.search import list_popular_exercises, search_exercises
from storage.schemas import ExerciseCreate, ExerciseUpdate, build_input
from storage.search import (
    MAX_PAGE_SIZE,
    POPULAR_SLUGS,
    Chain,
    Intent,
    Library,
    MatchKind,
    SearchDocument,
    SearchPage,
    expand_abbreviations,
    normalise_text,
    rank_exercises,
    split_words,
)
from tests.storage.helpers import make_team

TOP1_MIN = 0.97
TOP3_MIN = 0.98


def custom(name: str, **overrides: object) -> ExerciseCreate:
    values: dict[str, object] = {
        "name": name,
        "movement_pattern": MovementPattern.PUSH,
        "equipment": Equipment.BARBELL,
        "primary_muscles": ["chest"],
        "secondary_muscles": ["triceps"],
    }
    values.update(overrides)
    return build_input(ExerciseCreate, **values)


async def search(
    session: AsyncSession, organization_id: str | None, text: str, **paging: int
) -> SearchPage:
    return await search_exercises(session, organization_id=organization_id, query=text, **paging)


async def all_hit_ids(session: AsyncSession, organization_id: str | None, text: str) -> list[str]:
    """Every hit of a query, page by page."""
    ids: list[str] = []
    offset: int | None = 0
    while offset is not None:
        page = await search(session, organization_id, text, offset=offset)
        ids.extend(hit.exercise_id for hit in page.items)
        offset = page.next_offset
    return ids


# --- pure: text and ranking rules -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Chin-Up", "chin up"),
        ("chin   up", "chin up"),
        ("Bénch Préss", "bench press"),
        ("Farmer’s Carry", "farmer carry"),
        ("SQUATS", "squat"),
        ("Lunges", "lunge"),
        ("nordics", "nordic"),
        ("presses", "press"),
        ("Calves", "calf"),
        ("Hip thrusts", "hip thrust"),
        ("C&J", "c and j"),
        ("Band 90/90", "band 90 90"),
        ("%_'\";--", ""),
        ("💪🏋️", ""),
    ],
)
def test_text_is_normalised_the_same_way_for_names_and_queries(text: str, expected: str) -> None:
    assert normalise_text(text) == expected


def test_abbreviations_expand_but_never_twice() -> None:
    assert expand_abbreviations(split_words("DB bench")) == ("dumbbell", "bench")
    assert expand_abbreviations(split_words("ez curl")) == ("ez", "bar", "curl")
    assert expand_abbreviations(split_words("EZ-bar curl")) == ("ez", "bar", "curl")
    assert expand_abbreviations(split_words("rdl")) == ("romanian", "deadlift")


def _doc(
    doc_id: str, name: str, *aliases: str, pattern: str = "push", muscles: tuple[str, ...] = ()
) -> SearchDocument:
    return SearchDocument(
        id=doc_id,
        name=name,
        movement_pattern=MovementPattern(pattern),
        equipment="barbell",
        aliases=aliases,
        primary_muscles=muscles or ("chest",),
        slug=doc_id,
    )


TINY = Library(
    [
        _doc("bench-press", "Bench Press", "BB bench"),
        _doc("bench-press-tempo", "Bench Press Tempo"),
        _doc("close-grip-press-bench", "Close-Grip Press on Bench"),
        _doc("dumbbell-bench-press", "Dumbbell Bench Press", "DB bench"),
        _doc("nordic", "Nordic Curl", pattern="hinge", muscles=("hamstrings",)),
        _doc("good-morning", "Good Morning", pattern="hinge", muscles=("erectors", "hamstrings")),
        _doc("hamstring-slide", "Hamstring Slide", pattern="hinge", muscles=("glutes",)),
        _doc("gamma", "Gamma Lift"),
        _doc("alpha", "Alpha Lift"),
        _doc("knee-dip", "Knee Dip", pattern="push", muscles=("triceps",)),
        _doc("dip", "Dip", "parallel bar dip", pattern="push", muscles=("triceps",)),
        _doc("weighted-dip", "Weighted Dip", pattern="push", muscles=("triceps",)),
        SearchDocument(
            id="squat",
            name="Back Squat",
            movement_pattern=MovementPattern.SQUAT,
            equipment="barbell",
            primary_muscles=("quads",),
            slug="squat",
            foreign=("Kniebeuge", "приседания со штангой"),
        ),
    ],
    [
        ("chest", "Chest"),
        ("erectors", "Spinal Erectors"),
        ("hamstrings", "Hamstrings"),
        ("triceps", "Triceps"),
        ("quads", "Quadriceps"),
    ],
    chains=[Chain("dip", ("knee-dip", "dip", "weighted-dip"))],
)


def test_tiers_rank_exact_then_names_that_end_like_the_query_then_other_words() -> None:
    hits = rank_exercises(TINY, "bench press")
    # A name's last word says what it is: a dumbbell bench press is a bench press, a "bench
    # press tempo" less so, and a press on a bench shares only the words.
    assert [(h.slug, h.match) for h in hits[:4]] == [
        ("bench-press", MatchKind.EXACT),
        ("dumbbell-bench-press", MatchKind.WORDS),
        ("bench-press-tempo", MatchKind.WORDS),
        ("close-grip-press-bench", MatchKind.WORDS),
    ]
    assert rank_exercises(TINY, "bench pr")[0].match is MatchKind.PREFIX
    assert rank_exercises(TINY, "db bench")[0].slug == "dumbbell-bench-press"
    assert rank_exercises(TINY, "dumbbell bench")[0].slug == "dumbbell-bench-press"


def test_a_near_spelling_is_a_suggestion_and_a_close_one_an_answer() -> None:
    near = TINY.page(TINY.rank("bnch prss"), offset=0, limit=5)
    assert not near.confident and near.suggestion is not None
    assert near.suggestion.slug == "bench-press" and near.items[0].slug == "bench-press"
    close = TINY.page(TINY.rank("dumbell bench press"), offset=0, limit=5)
    assert close.confident and close.suggestion is None
    assert close.items[0].slug == "dumbbell-bench-press"


def test_words_apart_in_the_name_are_a_suggestion_and_words_together_an_answer() -> None:
    # "dumbbell press": both words are in Dumbbell Bench Press, with "bench" between them, so
    # it may be a lift the library lacks (as "hang snatch" is not Hang Power Snatch).
    apart = TINY.page(TINY.rank("dumbbell press"), offset=0, limit=5)
    assert not apart.confident and apart.suggestion is not None
    assert apart.suggestion.slug == "dumbbell-bench-press"
    assert apart.items[0].slug == "dumbbell-bench-press"
    for together in ("press bench", "bench dumbbell", "dumbbel bench"):
        page = TINY.page(TINY.rank(together), offset=0, limit=5)
        assert page.confident and page.suggestion is None, together


def test_muscle_words_rank_the_muscles_movers_above_names_that_share_letters() -> None:
    hits = rank_exercises(TINY, "hamstrings")
    # The first mover first, then other primary movers, then a name that merely shares letters.
    assert [(h.slug, h.match) for h in hits] == [
        ("nordic", MatchKind.MUSCLE),
        ("good-morning", MatchKind.MUSCLE),
        ("hamstring-slide", MatchKind.WORDS),
    ]
    assert hits[1].primary_muscles == ("Spinal Erectors", "Hamstrings")
    hinge = rank_exercises(TINY, "hinge")
    assert {h.slug for h in hinge} == {"nordic", "good-morning", "hamstring-slide"}
    assert {h.match for h in hinge} == {MatchKind.PATTERN}


def test_ties_are_broken_by_name() -> None:
    hits = rank_exercises(TINY, "lift")
    assert [h.name for h in hits] == ["Alpha Lift", "Gamma Lift"]
    assert hits[0].score == hits[1].score


def test_unknown_words_are_set_aside_and_said_so() -> None:
    page = TINY.page(TINY.rank("heavy  Nordic curl 3x5"), offset=0, limit=5)
    assert page.items[0].slug == "nordic"
    assert not page.confident and page.set_aside == ("heavy", "3x5")
    plain = TINY.page(TINY.rank("nordic curl"), offset=0, limit=5)
    assert plain.confident and plain.set_aside == ()
    assert not TINY.rank("zzzz qqqq").found


def test_progression_words_walk_the_chain_from_the_exercise_named() -> None:
    easier = TINY.page(TINY.rank("easier dips"), offset=0, limit=5)
    assert easier.intent is Intent.EASIER and easier.anchor is not None
    assert easier.anchor.slug == "dip" and easier.items[0].slug == "knee-dip"
    assert rank_exercises(TINY, "harder dip")[0].slug == "weighted-dip"
    assert [h.slug for h in rank_exercises(TINY, "dip progression")[:3]] == [
        "knee-dip",
        "dip",
        "weighted-dip",
    ]
    # An exercise in no chain: the words are searched as they are.
    assert rank_exercises(TINY, "easier good morning")[0].slug == "good-morning"


def test_names_in_other_languages_fold_case_and_accents_in_every_script() -> None:
    for text in ("kniebeuge", "KNIEBEUGE", "Приседания со штангой", "приседания", "ПРИСЕДАНИЯ"):
        hits = rank_exercises(TINY, text)
        assert hits and hits[0].slug == "squat", text
    assert normalise_text("Жим лёжа") == normalise_text("жим лежа")
    assert normalise_text("Soulevé de terre") == "souleve de terre"


# --- the labelled set -------------------------------------------------------------------------

# Kinds of query the ranker has not been taught yet (none now), left out of the goal.
NOT_YET_TAUGHT: frozenset[str] = frozenset()
CATEGORY_MIN = 0.90  # each kind on its own
# Kinds still weak, with the floor they reach: exercises we don't have that need knowledge the
# library lacks (a "log press" is an overhead press; a "donkey calf raise" a standing one).
STILL_WEAK = {"near_miss": 0.83}


async def score_labelled_set(
    session: AsyncSession,
) -> tuple[dict[str, tuple[int, int, int]], list[str]]:
    """Per category: (queries, top-1 right, top-3 right), and the misses."""
    team = (await make_team(session)).organization_id
    # Custom look-alikes (with their real movers) that must not push the curated answer down.
    for name, pattern, muscles in (
        ("Tempo Back Squat", MovementPattern.SQUAT, ["quads", "glutes"]),
        ("Banded Pull-Up", MovementPattern.PULL, ["lats"]),
        ("Paused RDL", MovementPattern.HINGE, ["hamstrings", "glutes"]),
        ("Chained Bench Press", MovementPattern.PUSH, ["chest", "triceps"]),
    ):
        data = custom(name, movement_pattern=pattern, primary_muscles=muscles, secondary_muscles=[])
        await q.create_custom_exercise(session, organization_id=team, data=data)
    scores: dict[str, tuple[int, int, int]] = {}
    misses: list[str] = []
    for category, pairs in CATEGORIES.items():
        top1 = top3 = 0
        for text, expected in pairs:
            page = await search(session, team, text, limit=3)
            top1 += accepts(expected, page)
            top3 += accepts_top3(expected, page)
            if not accepts(expected, page):
                got = [h.slug for h in page.items]
                hint = f" suggestion={page.suggestion.slug}" if page.suggestion else ""
                misses.append(f"{category}: {text!r}: want {describe(expected)}, got {got}{hint}")
        scores[category] = (len(pairs), top1, top3)
    print(f"\nlabelled search set: {len(LABELLED)} queries")
    for category, (n, top1, top3) in scores.items():
        print(f"  {category:<16}{n:>4}  top-1 {top1 / n:6.1%}  top-3 {top3 / n:6.1%}")
    return scores, misses


def _rates(scores: dict[str, tuple[int, int, int]], kinds: set[str]) -> tuple[float, float]:
    n = sum(scores[kind][0] for kind in kinds)
    return sum(scores[k][1] for k in kinds) / n, sum(scores[k][2] for k in kinds) / n


async def test_labelled_queries_find_the_expected_exercise(session: AsyncSession) -> None:
    scores, misses = await score_labelled_set(session)
    taught = set(CATEGORIES) - NOT_YET_TAUGHT
    top1_rate, top3_rate = _rates(scores, taught)
    print(f"taught kinds: top-1 {top1_rate:.1%}, top-3 {top3_rate:.1%}")
    assert len(LABELLED) >= 250
    assert top1_rate >= TOP1_MIN, misses
    assert top3_rate >= TOP3_MIN, misses
    for kind in taught:
        n, top1, _ = scores[kind]
        assert top1 / n >= STILL_WEAK.get(kind, CATEGORY_MIN), (kind, misses)


def test_labelled_slugs_exist_in_the_library() -> None:
    slugs = {exercise.slug for exercise in read_catalog().exercises}
    wanted = {slug for _, expected in LABELLED for slug in expected_slugs(expected)}
    assert wanted <= slugs, wanted - slugs


# --- visibility and freshness -----------------------------------------------------------------


async def test_only_curated_and_the_callers_own_live_exercises_appear(
    session: AsyncSession,
) -> None:
    ours, theirs = await make_team(session, "Ours"), await make_team(session, "Theirs")
    mine = await q.create_custom_exercise(
        session, organization_id=ours.organization_id, data=custom("Zebra Squat")
    )
    secret = await q.create_custom_exercise(
        session, organization_id=theirs.organization_id, data=custom("Zebra Squat Secret")
    )
    gone = await q.create_custom_exercise(
        session, organization_id=ours.organization_id, data=custom("Zebra Squat Retired")
    )
    await q.set_exercise_archived(
        session, organization_id=ours.organization_id, exercise_id=gone.id, archived=True
    )
    for text in ("zebra squat", "zebra", "squat", "zebra squat secret", "zebra squat retired"):
        ids = await all_hit_ids(session, ours.organization_id, text)
        assert secret.id not in ids and gone.id not in ids, text
        assert len(ids) == len(set(ids)), text
    assert mine.id in await all_hit_ids(session, ours.organization_id, "zebra")
    assert mine.id not in await all_hit_ids(session, None, "zebra")
    popular = await all_popular_ids(session, ours.organization_id)
    assert mine.id in popular and secret.id not in popular and gone.id not in popular


async def all_popular_ids(session: AsyncSession, organization_id: str | None) -> list[str]:
    ids: list[str] = []
    offset: int | None = 0
    while offset is not None:
        page = await list_popular_exercises(session, organization_id=organization_id, offset=offset)
        ids.extend(hit.exercise_id for hit in page.items)
        offset = page.next_offset
    return ids


async def test_new_renamed_and_archived_custom_exercises_show_at_once(
    session: AsyncSession,
) -> None:
    team = (await make_team(session)).organization_id
    before = await search(session, team, "quokka press")
    # Nothing is called that yet: "quokka" is set aside and presses are shown, not confidently.
    assert before.set_aside == ("quokka",) and not before.confident
    assert all("Quokka" not in hit.name for hit in before.items)
    made = await q.create_custom_exercise(
        session, organization_id=team, data=custom("Quokka Press")
    )
    first = (await search(session, team, "quokka press")).items[0]
    assert (first.exercise_id, first.match, first.organization_id) == (
        made.id,
        MatchKind.EXACT,
        team,
    )
    assert first.primary_muscles == ("Chest (Pectorals)",)

    await q.update_custom_exercise(
        session,
        organization_id=team,
        exercise_id=made.id,
        changes=ExerciseUpdate(name="Wombat Press", primary_muscles=["triceps", "chest"]),
    )
    assert made.id not in await all_hit_ids(session, team, "quokka")
    renamed = (await search(session, team, "wombat press")).items[0]
    assert (renamed.exercise_id, renamed.name) == (made.id, "Wombat Press")
    assert renamed.primary_muscles == ("Chest (Pectorals)", "Triceps")  # catalog order

    await q.set_exercise_archived(session, organization_id=team, exercise_id=made.id, archived=True)
    assert made.id not in await all_hit_ids(session, team, "wombat press")
    await q.set_exercise_archived(
        session, organization_id=team, exercise_id=made.id, archived=False
    )
    assert (await search(session, team, "wombat press")).items[0].exercise_id == made.id


def _changed_catalog(catalog: Catalog) -> tuple[Catalog, str]:
    """The shipped catalog with one exercise renamed, one dropped, one muscle group renamed."""
    in_chains = {step for chain in catalog.chains for step in chain.steps}
    dropped = next(e.slug for e in catalog.exercises if e.slug not in in_chains)
    exercises = [
        e.model_copy(update={"name": "Zercher Zebra Walk"}) if e.slug == "zercher-carry" else e
        for e in catalog.exercises
        if e.slug != dropped
    ]
    muscles = [
        m.model_copy(update={"name": "Calf Muscles"}) if m.slug == "calves" else m
        for m in catalog.muscles
    ]
    return Catalog(muscles=muscles, exercises=exercises, chains=catalog.chains), dropped


async def test_the_curated_index_follows_a_catalog_load(session_factory: SessionFactory) -> None:
    catalog = read_catalog()
    changed, dropped = _changed_catalog(catalog)
    dropped_name = next(e.name for e in catalog.exercises if e.slug == dropped)
    async with session_factory() as session:  # builds and caches the curated index
        assert (await search(session, None, dropped_name)).items[0].slug == dropped
    # As another process running `migrate` would: its own committed transaction.
    async with transaction(session_factory) as session:
        report = await load_catalog(session, changed)
        assert report.updated >= 1 and report.archived == 1
    async with session_factory() as session:
        zebra = (await search(session, None, "zebra walk")).items[0]
        assert (zebra.slug, zebra.name) == ("zercher-carry", "Zercher Zebra Walk")
        assert dropped not in {h.slug for h in (await search(session, None, dropped_name)).items}
        calf = (await search(session, None, "seated calf raise")).items[0]
        assert calf.primary_muscles == ("Calf Muscles",)
    # And back, in the same session that searched before the load.
    async with session_factory() as session:
        assert (await search(session, None, "zebra walk")).total >= 1
        await load_catalog(session, catalog)
        after = await search(session, None, "zebra walk")
        assert after.set_aside == ("zebra",)
        assert "Zercher Zebra Walk" not in {h.name for h in after.items}
        assert (await search(session, None, dropped_name)).items[0].slug == dropped


# --- hostile text -----------------------------------------------------------------------------


HOSTILE = [
    "%",
    "_",
    "%%__%",
    "\\",
    "'; DROP TABLE exercises; --",
    '" OR 1=1 --',
    "💪🏋️‍♀️",
    "تمرين القرفصاء",
    "סקוואט",
    "x" * 256,
    "deadlift " * 40,
    "\t\n\r",
]


async def test_hostile_queries_neither_raise_nor_match_everything(session: AsyncSession) -> None:
    team = (await make_team(session)).organization_id
    before = (await session.exec(select(func.count()).select_from(Exercise))).one()
    for text in HOSTILE:
        page = await search(session, team, text)
        assert page.total < before / 2 or not text.strip(), text
        assert len(page.items) == min(page.total, MAX_PAGE_SIZE), text
    assert (await session.exec(select(func.count()).select_from(Exercise))).one() == before


async def test_text_without_words_finds_nothing_and_blank_text_lists_popular(
    session: AsyncSession,
) -> None:
    for text in ("%", "_", "--", "💪"):
        assert (await search(session, None, text)).total == 0, text
    for text in ("", "   ", "\t"):
        page = await search(session, None, text)
        assert page.items[0].slug == POPULAR_SLUGS[0]
        assert page.items[0].match is MatchKind.POPULAR
    # Past Telegram's 256 characters the text is cut, not refused.
    assert (await search(session, None, "deadlift" + " " * 300 + "zzzz")).items[
        0
    ].slug == "deadlift"


# --- paging -----------------------------------------------------------------------------------


async def test_pages_are_consistent_and_cover_every_match_once(session: AsyncSession) -> None:
    team = (await make_team(session)).organization_id
    for n in range(130):
        await q.create_custom_exercise(
            session, organization_id=team, data=custom(f"Press Variant {n}")
        )
    first = await search(session, team, "press")
    assert first.total >= 170 and first.offset == 0 and first.next_offset == MAX_PAGE_SIZE
    seen: list[str] = []
    offset: int | None = 0
    while offset is not None:
        page = await search(session, team, "press", offset=offset)
        assert page.total == first.total and page.offset == offset
        assert len(page.items) == min(MAX_PAGE_SIZE, first.total - offset)
        scores = [hit.score for hit in page.items]
        assert scores == sorted(scores, reverse=True)
        seen.extend(hit.exercise_id for hit in page.items)
        offset = page.next_offset
    assert len(seen) == len(set(seen)) == first.total
    variants = await search(session, team, "press variant", limit=200)
    assert len(variants.items) == MAX_PAGE_SIZE and variants.total == 130
    past = await search(session, team, "press", offset=first.total)
    assert past.items == [] and past.next_offset is None
    assert (await search(session, team, "press", offset=-5)).offset == 0
    assert (await search(session, team, "press", limit=0)).items == first.items[:1]


async def test_popular_first_then_the_teams_newest_then_the_rest_by_name(
    session: AsyncSession,
) -> None:
    team = (await make_team(session)).organization_id
    made = []
    for n in range(3):
        exercise = await q.create_custom_exercise(
            session, organization_id=team, data=custom(f"Aardvark Press {n}")
        )
        exercise.created_at = exercise.created_at + timedelta(seconds=n)  # distinct, in order
        session.add(exercise)
        made.append(exercise.id)
    hits = []
    offset: int | None = 0
    while offset is not None:
        page = await list_popular_exercises(session, organization_id=team, offset=offset)
        hits.extend(page.items)
        offset = page.next_offset
    slugs = [hit.slug for hit in hits]
    popular = [slug for slug in POPULAR_SLUGS if slug in slugs]
    assert len(popular) >= 25 and slugs[: len(popular)] == popular
    assert [hit.exercise_id for hit in hits[len(popular) : len(popular) + 3]] == made[::-1]
    rest = [hit.name.casefold() for hit in hits[len(popular) + 3 :]]
    assert rest == sorted(rest)
    curated = (
        await session.exec(
            select(func.count())
            .select_from(Exercise)
            .where(col(Exercise.organization_id).is_(None), col(Exercise.archived_at).is_(None))
        )
    ).one()
    assert len(hits) == len({hit.exercise_id for hit in hits}) == curated + 3


async def test_a_teams_cached_index_follows_commits_and_forgets_rollbacks(
    session_factory: SessionFactory,
) -> None:
    async with transaction(session_factory) as session:
        team = (await make_team(session)).organization_id
        kept = await q.create_custom_exercise(session, organization_id=team, data=custom("Yak Row"))
    async with session_factory() as session:  # builds and caches the team's index
        assert (await search(session, team, "yak row")).items[0].exercise_id == kept.id
    # A search inside a transaction that is then rolled back sees its own new row...
    async with session_factory() as session:
        await q.create_custom_exercise(session, organization_id=team, data=custom("Yak Press"))
        assert (await search(session, team, "yak press")).items[0].name == "Yak Press"
        await session.rollback()
    # ...and nobody sees it afterwards.
    async with session_factory() as session:
        assert "Yak Press" not in {h.name for h in (await search(session, team, "yak press")).items}
    # A rename committed elsewhere is seen by the next search.
    async with transaction(session_factory) as session:
        await q.update_custom_exercise(
            session,
            organization_id=team,
            exercise_id=kept.id,
            changes=ExerciseUpdate(name="Gnu Row"),
        )
    async with session_factory() as session:
        assert (await search(session, team, "gnu row")).items[0].exercise_id == kept.id
        assert kept.id not in {h.exercise_id for h in (await search(session, team, "yak")).items}


async def test_a_cached_index_takes_each_change_at_once_and_keeps_the_newest_first(
    session_factory: SessionFactory,
) -> None:
    """Added, edited, archived and restored in separate transactions, each seen by the very
    next search of a team whose index is cached (brought up to date, not built again)."""
    async with transaction(session_factory) as session:
        team = (await make_team(session)).organization_id
        rows = [
            await q.create_custom_exercise(session, organization_id=team, data=custom(name))
            for name in ("Ibex Row", "Okapi Row", "Tapir Row")
        ]
    async with session_factory() as session:
        assert (await search(session, team, "okapi row")).items[0].exercise_id == rows[1].id
    steps: list[tuple[str, str | None, str]] = []
    async with transaction(session_factory) as session:
        added = await q.create_custom_exercise(
            session, organization_id=team, data=custom("Eland Row")
        )
    steps.append(("eland row", added.id, "added"))
    async with transaction(session_factory) as session:
        await q.update_custom_exercise(
            session,
            organization_id=team,
            exercise_id=rows[0].id,
            changes=ExerciseUpdate(name="Bongo Row", primary_muscles=["lats"]),
        )
    steps.append(("bongo row", rows[0].id, "renamed"))
    steps.append(("ibex", None, "old name gone"))
    async with transaction(session_factory) as session:
        await q.set_exercise_archived(
            session, organization_id=team, exercise_id=rows[2].id, archived=True
        )
    steps.append(("tapir", None, "archived"))
    for text, expected, why in steps:
        async with session_factory() as session:
            page = await search(session, team, text)
            found = {hit.exercise_id for hit in page.items if hit.organization_id == team}
            if expected is None:
                assert not found, why
            else:
                assert page.items[0].exercise_id == expected, why
    async with session_factory() as session:
        renamed = (await search(session, team, "bongo row")).items[0]
        assert renamed.primary_muscles == ("Latissimus Dorsi",)
        # The empty query lists the team's own newest first, after the common lifts.
        listed = [
            hit.exercise_id
            for hit in (await list_popular_exercises(session, organization_id=team)).items
            if hit.organization_id == team
        ]
        assert listed == [added.id, rows[1].id, rows[0].id]
    async with transaction(session_factory) as session:
        await q.set_exercise_archived(
            session, organization_id=team, exercise_id=rows[2].id, archived=False
        )
    async with session_factory() as session:
        assert (await search(session, team, "tapir row")).items[0].exercise_id == rows[2].id


async def test_a_change_seen_inside_a_rolled_back_transaction_is_forgotten(
    session_factory: SessionFactory,
) -> None:
    """A search in a transaction that renames and archives, then rolls back, caches what it
    saw; the next search in another transaction sees the rows as they are."""
    async with transaction(session_factory) as session:
        team = (await make_team(session)).organization_id
        kept = await q.create_custom_exercise(
            session, organization_id=team, data=custom("Kudu Row")
        )
        other = await q.create_custom_exercise(
            session, organization_id=team, data=custom("Oryx Row")
        )
    async with session_factory() as session:
        await q.update_custom_exercise(
            session,
            organization_id=team,
            exercise_id=kept.id,
            changes=ExerciseUpdate(name="Gaur Row"),
        )
        await q.set_exercise_archived(
            session, organization_id=team, exercise_id=other.id, archived=True
        )
        assert (await search(session, team, "gaur row")).items[0].exercise_id == kept.id
        assert other.id not in await all_hit_ids(session, team, "oryx")
        await session.rollback()
    async with session_factory() as session:
        assert (await search(session, team, "kudu row")).items[0].exercise_id == kept.id
        assert kept.id not in await all_hit_ids(session, team, "gaur")
        assert (await search(session, team, "oryx row")).items[0].exercise_id == other.id


async def test_a_change_committed_after_a_later_one_is_still_seen(
    session_factory: SessionFactory,
) -> None:
    """Two transactions: the one stamped first commits last (a slow one). A search between
    the two commits caches the later stamp; the next search still finds the slow change."""
    async with transaction(session_factory) as session:
        team = (await make_team(session)).organization_id
        await q.create_custom_exercise(session, organization_id=team, data=custom("Saiga Row"))
    async with session_factory() as session:
        await search(session, team, "saiga row")  # cached
    slow_stamp = utcnow()
    async with transaction(session_factory) as session:
        await q.create_custom_exercise(session, organization_id=team, data=custom("Nilgai Row"))
    async with session_factory() as session:
        assert (await search(session, team, "nilgai row")).items[0].name == "Nilgai Row"
    async with transaction(session_factory) as session:
        slow = await q.create_custom_exercise(
            session, organization_id=team, data=custom("Takin Row")
        )
        slow.created_at = slow.updated_at = slow_stamp - timedelta(seconds=30)
        session.add(slow)
    async with session_factory() as session:
        assert (await search(session, team, "takin row")).items[0].exercise_id == slow.id


async def test_a_big_team_archiving_most_of_its_exercises_at_once_sees_only_the_rest(
    session_factory: SessionFactory,
) -> None:
    """Hundreds of changes in one go (more than a cached index takes in place): the index is
    built afresh from the rows it holds and the changed ones."""
    async with transaction(session_factory) as session:
        team = (await make_team(session)).organization_id
        now = utcnow()
        await session.execute(
            sa.insert(Exercise),
            [
                {
                    "id": f"bulk{n:012d}",
                    "organization_id": team,
                    "name": f"Bulk Zebu Row {n}",
                    "aliases": [],
                    "movement_pattern": MovementPattern.PULL,
                    "equipment": Equipment.CABLE.value,
                    "created_at": now - timedelta(hours=1, seconds=n),
                    "updated_at": now - timedelta(hours=1),
                }
                for n in range(400)
            ],
        )
    async with session_factory() as session:
        assert len(await all_hit_ids(session, team, "zebu row")) == 400  # cached
    async with transaction(session_factory) as session:
        await session.execute(
            sa.update(Exercise)
            .where(col(Exercise.organization_id) == team, col(Exercise.id) >= "bulk000000000100")
            .values(archived_at=utcnow(), updated_at=utcnow())
        )
        await q.create_custom_exercise(session, organization_id=team, data=custom("Zebu Press"))
    async with session_factory() as session:
        hits = await all_hit_ids(session, team, "zebu row")
        assert sorted(hits) == [f"bulk{n:012d}" for n in range(100)]
        assert (await search(session, team, "zebu press")).items[0].name == "Zebu Press"
        listed = [
            hit.name
            for hit in (await list_popular_exercises(session, organization_id=team)).items
            if hit.organization_id == team
        ]
        assert listed[:3] == ["Zebu Press", "Bulk Zebu Row 0", "Bulk Zebu Row 1"]
