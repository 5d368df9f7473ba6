"""Browsing the exercise library: menus, lists, search, cards and Back, and who sees what."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from fake_telegram import LocalTelegram, LocalUser, StoredMessage
from storage.models import Equipment, Exercise, MovementPattern, User
from storage.queries import exercises as q
from storage.queries.athletes import create_athlete, link_athlete
from storage.queries.organizations import get_coach_seat
from storage.queries.users import upsert_user
from storage.schemas import AthleteCreate, ExerciseCreate, build_input
from tests.bot.conftest import Harness
from tests.bot.helpers import onboard_coach

# --- helpers shared by the exercise test modules ------------------------------------------------


@asynccontextmanager
async def db(harness: Harness) -> AsyncIterator[AsyncSession]:
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        yield session


async def press(user: LocalUser, text: str) -> None:
    """Press a button and check the press was answered (Telegram shows a spinner until then)."""
    await user.press(text)
    assert user.last_callback is not None and user.last_callback.answered, text


async def press_data(user: LocalUser, data: str, *, message: StoredMessage | None = None) -> None:
    await user.press_data(data, message=message)
    assert user.last_callback is not None and user.last_callback.answered, data


async def team_of(harness: Harness, user: LocalUser) -> str:
    async with db(harness) as session:
        row = (await session.exec(select(User).where(col(User.telegram_user_id) == user.id))).one()
        seat = await get_coach_seat(session, user_id=row.id)
        assert seat is not None
        return seat.organization_id


async def exercise_id(harness: Harness, name: str) -> str:
    """The id of the exercise called `name` (curated or custom; names differ across tests)."""
    async with db(harness) as session:
        rows = await session.exec(
            select(Exercise).where(func.lower(col(Exercise.name)) == name.lower())
        )
        found = rows.all()
        assert len(found) == 1, (name, found)
        return found[0].id


async def load_exercise(harness: Harness, exercise: str) -> Exercise:
    async with db(harness) as session:
        row = await session.get(Exercise, exercise)
        assert row is not None
        return row


async def add_custom(
    harness: Harness,
    coach: LocalUser,
    name: str,
    *,
    pattern: MovementPattern = MovementPattern.SQUAT,
    primary: tuple[str, ...] = ("quads",),
    instructions: str | None = None,
) -> str:
    """A custom exercise of the coach's team, straight in the database (not what's tested)."""
    organization_id = await team_of(harness, coach)
    async with db(harness) as session:
        exercise = await q.create_custom_exercise(
            session,
            organization_id=organization_id,
            data=build_input(
                ExerciseCreate,
                name=name,
                movement_pattern=pattern,
                equipment=Equipment.KETTLEBELL,
                primary_muscles=list(primary),
                instructions=instructions,
            ),
        )
        await session.commit()
        return exercise.id


async def make_athlete(harness: Harness, coach: LocalUser, user: LocalUser) -> None:
    """`user` becomes a linked athlete of the coach's team (the invite flow is tested elsewhere)."""
    organization_id = await team_of(harness, coach)
    async with db(harness) as session:
        account = await upsert_user(session, telegram_user_id=user.id, display_name="Ana Ortiz")
        athlete = await create_athlete(
            session,
            organization_id=organization_id,
            data=build_input(AthleteCreate, name="Ana Ortiz"),
        )
        await link_athlete(
            session, organization_id=organization_id, athlete_id=athlete.id, user_id=account.id
        )
        await session.commit()


async def count_exercises(harness: Harness) -> int:
    async with db(harness) as session:
        return (await session.exec(select(func.count()).select_from(Exercise))).one()


def first_button(user: LocalUser, prefix: str) -> str:
    return next(text for text in user.buttons() if text.startswith(prefix))


# --- browsing -----------------------------------------------------------------------------------


async def test_walk_region_muscle_list_card_harder_harder_back_back(tg: LocalTelegram) -> None:
    coach = await onboard_coach(tg)
    await coach.send("/exercises")
    assert "Exercise library" in coach.last_text()
    library = coach.last_message()
    messages = len(coach.bot_messages())

    await press(coach, "🦵 Lower body")
    assert "Lower body" in coach.last_text()
    assert "Quadriceps · " in first_button(coach, "Quadriceps")
    await press(coach, first_button(coach, "Quadriceps"))
    assert "Quadriceps" in coach.last_text()
    assert "Showing 1-10 of" in coach.last_text()
    await press(coach, "Next ▶️")
    assert "Showing 11-20 of" in coach.last_text()
    list_page = coach.last_html()

    await press(coach, "Double Kettlebell Front Squat")
    assert "Double Kettlebell Front Squat" in coach.last_text()
    assert "⬆️ Harder: Front Squat" in coach.buttons()
    await press(coach, "⬆️ Harder: Front Squat")
    assert coach.last_text().startswith("🏋️ Front Squat")
    await press(coach, "⬆️ Harder: Overhead Squat")
    assert coach.last_text().startswith("🏋️ Overhead Squat")
    assert "⬇️ Easier: Front Squat" in coach.buttons()

    await press(coach, "⬅️ Back")
    assert coach.last_text().startswith("🏋️ Front Squat")
    await press(coach, "⬅️ Back")
    assert coach.last_text().startswith("🏋️ Double Kettlebell Front Squat")
    await press(coach, "⬅️ Back")
    assert coach.last_html() == list_page  # the page the coach left, not page 1
    await press(coach, "⬅️ Back")
    assert "Lower body" in coach.last_text()
    await press(coach, "⬅️ Back")
    assert "Exercise library" in coach.last_text()

    # The whole walk edited the one message.
    assert len(coach.bot_messages()) == messages
    assert coach.last_message().message_id == library.message_id


async def test_progressions_are_consistent_both_ways(tg: LocalTelegram) -> None:
    coach = await onboard_coach(tg)
    await coach.send("/exercises goblet squat")
    await press(coach, "Goblet Squat")
    harder = [b for b in coach.buttons() if b.startswith("⬆️ Harder: ")]
    assert harder
    for label in harder:
        await press(coach, label)
        assert "⬇️ Easier: Goblet Squat" in coach.buttons()
        await press(coach, "⬅️ Back")
        assert coach.last_text().startswith("🏋️ Goblet Squat")


async def test_card_shows_every_field(tg: LocalTelegram) -> None:
    coach = await onboard_coach(tg)
    await coach.send("/exercises goblet squat")
    await press(coach, "Goblet Squat")
    text = coach.last_text()
    for expected in [
        "📚 Curated",
        "Pattern: Squat",
        "Equipment: Dumbbell",
        "Primary: Quadriceps, Glutes",
        "Secondary: ",
        "Also called: DB goblet squat",
        "Hold one dumbbell",
    ]:
        assert expected in text, expected


async def test_pattern_filter_lists_only_that_pattern(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/exercises")
    await press(coach, "🔀 By movement pattern")
    assert coach.buttons()[:6] == ["Push", "Pull", "Hinge", "Squat", "Carry", "Core"]
    await press(coach, "Hinge")
    assert "Hinge" in coach.last_text()
    names = [b for b in coach.buttons() if not b.startswith(("◀️", "Page", "Next", "⬅️"))]
    assert len(names) == 10
    for name in names:
        exercise = await load_exercise(harness, await exercise_id(harness, name))
        assert exercise.movement_pattern is MovementPattern.HINGE
    await press(coach, names[0])
    await press(coach, "⬅️ Back")
    assert "Hinge" in coach.last_text()
    await press(coach, "⬅️ Back")
    assert "Movement patterns" in coach.last_text()
    await press(coach, "⬅️ Back")
    assert "Exercise library" in coach.last_text()


async def test_paging_forward_back_and_stale_pages(tg: LocalTelegram) -> None:
    coach = await onboard_coach(tg)
    await coach.send("/exercises")
    await press(coach, "🦵 Lower body")
    await press(coach, first_button(coach, "Quadriceps"))
    first_page = coach.buttons()
    assert "Page 1 of 11" in coach.last_text()
    assert not any(b.startswith("Page") for b in first_page)
    await press(coach, "Next ▶️")
    second_page = coach.buttons()
    assert second_page[0] not in first_page
    await press(coach, "◀️ Prev")
    assert coach.buttons() == first_page
    # Prev on the first page wraps around to the last.
    await press(coach, "◀️ Prev")
    assert "Page 11 of 11" in coach.last_text()
    await press(coach, "Next ▶️")
    assert coach.buttons() == first_page
    # A stale offset past the end (the list shrank) shows the last page.
    await press_data(coach, "xu:quads:5000")
    assert "Page 11 of 11" in coach.last_text()
    # Data no button of ours makes: "expired", nothing shown changes.
    shown = coach.last_html()
    for forged in ["xu:quads:-1", "xu:quads:abc", "xu:nosuchmuscle:0", "xp:sideways:0", "xr:legs"]:
        await press_data(coach, forged)
        assert coach.last_callback is not None and coach.last_callback.text
        assert coach.last_html() == shown


async def test_search_results_open_cards_and_page(tg: LocalTelegram) -> None:
    coach = await onboard_coach(tg)
    await coach.send("/exercises squat")
    assert "matching “squat”" in coach.last_text()
    assert "Showing 1-10 of" in coach.last_text()
    first = coach.buttons()
    await press(coach, "Next ▶️")
    assert "Showing 11-20 of" in coach.last_text()
    assert coach.buttons()[0] not in first
    await press(coach, coach.buttons()[0])
    assert coach.last_text().startswith("🏋️ ")
    await press(coach, "⬅️ Back")
    assert "Showing 11-20 of" in coach.last_text()
    await press(coach, "⬅️ Back")
    assert "Exercise library" in coach.last_text()


async def test_search_with_no_match_and_odd_text(tg: LocalTelegram) -> None:
    coach = await onboard_coach(tg)
    await coach.send("/exercises zzqqxx")
    assert "Nothing matches" in coach.last_text()
    assert "/newexercise" in coach.last_text()
    for odd in ["<b>bench</b> & co", "%_'; DROP TABLE exercises;--", "🏋️", "x" * 400]:
        await coach.send(f"/exercises {odd}")
        assert "Exercises matching" in coach.last_text()


async def test_search_page_from_an_old_message_has_expired(tg: LocalTelegram) -> None:
    coach = await onboard_coach(tg)
    await coach.send("/exercises squat")
    old = coach.last_message()
    await coach.send("/exercises")
    await coach.press("Next ▶️", message=old)
    assert coach.last_answer is not None and "search has expired" in coach.last_answer


async def test_back_on_an_older_library_message_goes_up_a_level(tg: LocalTelegram) -> None:
    coach = await onboard_coach(tg)
    await coach.send("/exercises")
    await press(coach, "🦵 Lower body")
    await press(coach, first_button(coach, "Glutes"))
    old = coach.last_message()
    await coach.send("/exercises")  # a new library message takes over the history
    await coach.press("⬅️ Back", message=old)
    assert coach.last_callback is not None and coach.last_callback.answered
    refreshed = next(m for m in coach.messages() if m.message_id == old.message_id)
    assert "Exercise library" in refreshed.display_text


async def test_a_person_in_no_team_browses_curated_only(tg: LocalTelegram) -> None:
    stranger = tg.user("stranger")
    await stranger.send("/exercises")
    assert "🏷 Our exercises" not in stranger.buttons()
    assert "➕ New exercise" not in stranger.buttons()
    await press_data(stranger, "xo:0:0")
    assert stranger.last_answer is not None and "coaches and athletes" in stranger.last_answer
    await stranger.send("/exercises goblet squat")
    await press(stranger, "Goblet Squat")
    assert "📋 Copy to ours" not in stranger.buttons()
    assert "✏️ Edit" not in stranger.buttons()
    await stranger.send("/newexercise")
    assert "That's for coaches" in stranger.last_text()


async def test_our_exercises_lists_the_teams_own(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await add_custom(harness, coach, "Tempo Goblet Squat")
    await add_custom(harness, coach, "Sled Push Intervals", pattern=MovementPattern.PUSH)
    await coach.send("/exercises")
    await press(coach, "🏷 Our exercises")
    assert "Northside Barbell" in coach.last_text()
    assert coach.buttons()[:2] == ["🏷 Sled Push Intervals", "🏷 Tempo Goblet Squat"]
    await press(coach, "🏷 Tempo Goblet Squat")
    assert "🏷 Our exercise" in coach.last_text()
    await press(coach, "⬅️ Back")
    assert "our exercises" in coach.last_text()
    # Custom ones are in the muscle lists and search too, marked as the team's.
    await coach.send("/exercises tempo goblet")
    assert "🏷 Tempo Goblet Squat" in coach.buttons()


async def test_exercises_button_on_the_coach_menu(tg: LocalTelegram) -> None:
    coach = await onboard_coach(tg)
    await coach.send("/start")
    menu = coach.last_message()
    await press(coach, "📚 Exercises")
    assert "Exercise library" in coach.last_text()
    assert coach.last_message().message_id == menu.message_id


async def test_deep_link_opens_a_card_or_says_not_found(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    other = await onboard_coach(harness.tg, "other", "Southside Strength")
    secret = await add_custom(harness, other, "Secret Squat")
    goblet = await exercise_id(harness, "Goblet Squat")
    await coach.send(f"/start ex_{goblet}")
    assert coach.last_text().startswith("🏋️ Goblet Squat")
    await press(coach, "⬆️ Harder: Box Squat")
    await press(coach, "⬅️ Back")
    assert coach.last_text().startswith("🏋️ Goblet Squat")
    await press(coach, "⬅️ Back")
    assert "Exercise library" in coach.last_text()
    await coach.send(f"/start ex_{secret}")
    assert "wasn't found" in coach.last_text()
    stranger = harness.tg.user("stranger")
    await stranger.send(f"/start ex_{goblet}")
    assert stranger.last_text().startswith("🏋️ Goblet Squat")


# --- visibility ---------------------------------------------------------------------------------


async def test_a_second_team_sees_nothing_of_the_first(harness: Harness) -> None:
    tg = harness.tg
    first = await onboard_coach(tg, "first", "Northside Barbell")
    second = await onboard_coach(tg, "second", "Southside Strength")
    secret = await add_custom(harness, first, "Secret Zercher Squat", primary=("quads",))
    goblet = await exercise_id(harness, "Goblet Squat")
    await first.send("/exercises goblet squat")
    await press(first, "Goblet Squat")
    await press(first, "➕ Add harder")
    await first.send("secret zercher")
    await press(first, "🏷 Secret Zercher Squat")
    assert "⬆️ Harder: Secret Zercher Squat" in first.buttons()

    # Lists, counts, search and the card of the curated exercise they share.
    await second.send("/exercises secret zercher")
    assert "Secret Zercher Squat" not in " ".join(second.buttons())
    await second.send("/exercises")
    assert "Southside Strength" in second.last_text()
    await press(second, "🏷 Our exercises")
    assert "no exercises of its own" in second.last_text()
    await second.send(f"/start ex_{goblet}")
    assert "Secret" not in " ".join(second.buttons())
    await second.send("/exercises")
    await press(second, "🦵 Lower body")
    second_counts = second.buttons()
    await first.send("/exercises")
    await press(first, "🦵 Lower body")
    first_quads = first_button(first, "Quadriceps")
    assert first_quads not in second_counts  # one more for the first team

    # Forged buttons with the first team's exercise: "not found", nothing revealed or changed.
    for forged in [
        f"xc:{secret}",
        f"xe:{secret}",
        f"xa:{secret}:1",
        f"xcp:{secret}",
        f"xd:{secret}",
        f"xdx:{goblet}:{secret}",
        f"xlp:{goblet}:{secret}:harder",
        f"xec:{secret}:pattern",
        f"xsp:{secret}:push",
        f"xsq:{secret}:band",
        f"xtm:{secret}:primary:glutes",
        f"xtd:{secret}:primary",
        f"xet:{secret}:name",
        f"xl:{secret}:easier",
    ]:
        await press_data(second, forged)
        answer = second.last_answer or ""
        assert "wasn't found" in answer or "aren't linked" in answer, (forged, answer)
        assert "Secret" not in answer
    row = await load_exercise(harness, secret)
    assert row.archived_at is None and row.name == "Secret Zercher Squat"
    assert row.movement_pattern is MovementPattern.SQUAT
    await first.send(f"/start ex_{goblet}")
    assert "⬆️ Harder: Secret Zercher Squat" in first.buttons()


async def test_athletes_see_their_teams_exercises_but_cannot_change_them(
    harness: Harness,
) -> None:
    tg = harness.tg
    coach = await onboard_coach(tg)
    athlete = tg.user("athlete", first_name="Ana")
    await make_athlete(harness, coach, athlete)
    mine = await add_custom(harness, coach, "Tempo Goblet Squat")
    goblet = await exercise_id(harness, "Goblet Squat")
    await athlete.send("/exercises")
    assert "🏷 Our exercises" in athlete.buttons()
    assert "➕ New exercise" not in athlete.buttons()
    await press(athlete, "🏷 Our exercises")
    assert "🗄 Archived" not in " ".join(athlete.buttons())
    await press(athlete, "🏷 Tempo Goblet Squat")
    assert athlete.buttons() == ["⬅️ Back"]
    await athlete.send("/exercises goblet squat")
    assert "🏷 Tempo Goblet Squat" in athlete.buttons()
    await press(athlete, "Goblet Squat")
    assert not any(
        label in athlete.buttons()
        for label in ["📋 Copy to ours", "➕ Add easier", "➕ Add harder", "✏️ Edit"]
    )
    exercises_before = await count_exercises(harness)
    for forged in [
        f"xe:{mine}",
        f"xa:{mine}:1",
        f"xcp:{goblet}",
        f"xet:{mine}:name",
        f"xec:{mine}:pattern",
        f"xsp:{mine}:push",
        f"xtd:{mine}:primary",
        f"xl:{goblet}:harder",
        f"xlp:{goblet}:{mine}:harder",
        f"xd:{goblet}",
        f"xdx:{goblet}:{mine}",
    ]:
        await press_data(athlete, forged)
        assert athlete.last_answer is not None and "for coaches" in athlete.last_answer, forged
    await athlete.send("/newexercise")
    assert "That's for coaches" in athlete.last_text()
    assert await count_exercises(harness) == exercises_before
    row = await load_exercise(harness, mine)
    assert row.archived_at is None and row.movement_pattern is MovementPattern.SQUAT
    # Typed text after a refused edit button goes nowhere near the exercise.
    await athlete.send("Renamed")
    assert (await load_exercise(harness, mine)).name == "Tempo Goblet Squat"


async def test_html_in_custom_names_and_instructions_is_shown_as_typed(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await add_custom(
        harness,
        coach,
        "<b>Bold</b> & <i>Squat</i>",
        instructions="Keep <ribs> down & knees out </b>",
    )
    await coach.send("/exercises")
    await press(coach, "🏷 Our exercises")
    assert coach.buttons()[0] == "🏷 <b>Bold</b> & <i>Squat</i>"
    await press(coach, "🏷 <b>Bold</b> & <i>Squat</i>")
    assert "<b>Bold</b> & <i>Squat</i>" in coach.last_text()
    assert "Keep <ribs> down & knees out </b>" in coach.last_text()
    assert "&lt;ribs&gt;" in coach.last_html()


async def test_search_says_when_it_set_words_aside_or_guessed(tg: LocalTelegram) -> None:
    coach = await onboard_coach(tg)
    # Words set aside are the user's text: escaped, or Telegram would refuse the message.
    await coach.send("/exercises heavy deadlift <3")
    assert "No exact match for “heavy”, “<3”; showing results for “deadlift”." in coach.last_text()
    await coach.send("/exercises heavy deadlift")
    assert "No exact match for “heavy”; showing results for “deadlift”." in coach.last_text()
    assert coach.buttons()[0].endswith("Deadlift")
    await coach.send("/exercises dip progression")
    assert "The Dip progression, easiest first." in coach.last_text()
    await coach.send("/exercises bnch prss")
    assert "Did you mean Bench Press?" in coach.last_text()
    await coach.send("/exercises deadlift")
    assert "No exact match" not in coach.last_text()
