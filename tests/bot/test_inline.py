from __future__ import annotations

import html

from fake_telegram import LocalTelegram
from fake_telegram.html import parse_html
from storage.catalog.loader import Catalog, load_catalog, read_catalog
from storage.db import transaction
from storage.models import Equipment, MovementPattern
from storage.queries.exercises import (
    create_custom_exercise,
    find_exercise_by_name,
    update_custom_exercise,
)
from storage.queries.organizations import get_user_and_seat
from storage.schemas import ExerciseCreate, ExerciseUpdate
from tests.bot.conftest import Harness
from tests.bot.helpers import onboard_coach


async def add_custom(harness: Harness, telegram_user_id: int, *names: str) -> None:
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        _, seat = await get_user_and_seat(session, telegram_user_id=telegram_user_id)
        assert seat is not None
        for name in names:
            await create_custom_exercise(
                session,
                organization_id=seat.organization_id,
                data=ExerciseCreate(
                    name=name,
                    movement_pattern=MovementPattern.PUSH,
                    equipment=Equipment.BAND,
                    primary_muscles=["chest"],
                    instructions="<b>Slow</b> & controlled",
                ),
            )
        await session.commit()


async def test_lookup_finds_curated_and_the_teams_own(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await add_custom(harness, coach.id, "Band Press <Tempo>")
    answer = await coach.inline("rdl")
    assert answer.is_personal and answer.cache_time <= 30
    assert answer.results[0]["title"] == "Romanian Deadlift"
    assert "Hinge" in answer.results[0]["description"]
    card = answer.results[0]["input_message_content"]["message_text"]
    assert "Romanian Deadlift" in parse_html(card)
    ours = await coach.inline("band press tempo")
    assert ours.results[0]["title"] == "🏷 Band Press <Tempo>"
    text = parse_html(ours.results[0]["input_message_content"]["message_text"])
    assert "Band Press <Tempo>" in text and "<b>Slow</b> & controlled" in text
    button = ours.results[0]["reply_markup"]["inline_keyboard"][0][0]
    assert button["url"].startswith("https://t.me/SpotterTestBot?start=ex_")


async def test_another_teams_exercises_never_appear(harness: Harness) -> None:
    ours = await onboard_coach(harness.tg, "ours", "Ours")
    theirs = await onboard_coach(harness.tg, "theirs", "Theirs")
    await add_custom(harness, theirs.id, "Secret Sled Sprint")
    for query in ["secret sled sprint", "secret", "sled sprint"]:
        answer = await ours.inline(query)
        assert all("Secret" not in r["title"] for r in answer.results)
    stranger = harness.tg.user("stranger")
    answer = await stranger.inline("secret sled sprint")
    assert all("Secret" not in r["title"] for r in answer.results)


async def test_paging_across_many_matches(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await add_custom(harness, coach.id, *(f"Press Variant {n:03d}" for n in range(130)))
    seen: list[str] = []
    offset = ""
    pages = 0
    while True:
        answer = await coach.inline("press variant", offset=offset)
        assert len(answer.results) <= 50
        ids = [r["id"] for r in answer.results]
        assert all(len(i.encode()) <= 64 for i in ids)
        seen += ids
        pages += 1
        if not answer.next_offset:
            break
        offset = answer.next_offset
    assert pages >= 3
    assert len(seen) == len(set(seen)) >= 130


async def test_empty_query_shows_the_common_lifts(tg: LocalTelegram) -> None:
    coach = await onboard_coach(tg)
    answer = await coach.inline("")
    titles = [r["title"] for r in answer.results]
    assert len(titles) == 50
    assert {"Back Squat", "Deadlift", "Bench Press"} <= set(titles[:15])


async def test_no_match_offers_the_bot(tg: LocalTelegram) -> None:
    coach = await onboard_coach(tg)
    answer = await coach.inline("zzqx flarp")
    assert answer.results == []
    assert answer.button is not None and answer.button["start_parameter"] == "library"
    await coach.open_link("https://t.me/SpotterTestBot?start=library")
    assert "📚" in coach.last_text() or "library" in coach.last_text().lower()


async def test_people_who_never_started_the_bot_get_results_and_a_way_in(
    harness: Harness,
) -> None:
    stranger = harness.tg.user("stranger")
    answer = await stranger.inline("goblet squat")
    assert answer.results[0]["title"] == "Goblet Squat"
    assert answer.button is not None and answer.button["start_parameter"] == "library"
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        user, _ = await get_user_and_seat(session, telegram_user_id=stranger.id)
    assert user is None  # looking something up creates nothing


async def test_hostile_queries_are_just_text(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    for query in [
        "%",
        "_",
        "'; DROP TABLE exercises; --",
        "🏋️‍♀️💪",
        "تمرين القرفصاء",
        "סקוואט",
        '"quoted" <b>bold</b> &amp;',
        "x" * 256,
        "   ",
        "squat " * 42,
    ]:
        answer = await coach.inline(query)
        assert len(answer.results) <= 50
        for result in answer.results:
            parse_html(result["input_message_content"]["message_text"])  # Telegram accepts it
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        assert await find_exercise_by_name(session, organization_id=None, name="Back Squat")


async def test_forged_offsets_start_from_the_top(tg: LocalTelegram) -> None:
    coach = await onboard_coach(tg)
    first = await coach.inline("squat")
    for offset in ["-5", "abc", "99999999999", "1e9"]:
        again = await coach.inline("squat", offset=offset)
        assert [r["id"] for r in again.results] == [r["id"] for r in first.results]


async def test_archived_exercises_disappear_at_once(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await add_custom(harness, coach.id, "Landmine Tempo Press")
    first = await coach.inline("landmine tempo press")
    assert first.results[0]["title"].endswith("Landmine Tempo Press")
    await coach.send("/exercises landmine tempo press")
    await coach.press(next(b for b in coach.buttons() if "Landmine Tempo Press" in b))
    archive = next(b for b in coach.buttons() if "Archive" in b)
    await coach.press(archive)
    titles = [r["title"] for r in (await coach.inline("landmine tempo press")).results]
    assert not any("Landmine Tempo Press" in html.unescape(t) for t in titles)


async def test_a_card_posted_inline_into_the_bots_chat_is_not_an_answer(
    harness: Harness,
) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/addathlete")
    before = len(coach.bot_messages())
    api = harness.api
    message = api.record_user_message(coach.id, "Back Squat card")
    payload = {**api.message_to_api(message), "via_bot": api.bot.to_api()}
    await harness.tg.deliver({"update_id": api.next_update_id(), "message": payload})
    assert len(coach.bot_messages()) == before  # no reply, and not taken as the name
    await coach.send("Maya")
    assert "email" in coach.last_text()


async def test_uncertain_answers_say_so_above_the_first_result(tg: LocalTelegram) -> None:
    coach = await onboard_coach(tg)
    relaxed = await coach.inline("heavy deadlift")
    assert relaxed.results[0]["title"] == "Deadlift"
    first = relaxed.results[0]["description"]
    assert first.startswith("No exact match for “heavy”; showing results for “deadlift”.")
    assert "No exact match" not in relaxed.results[1]["description"]
    near = await coach.inline("hip thurst")
    assert near.results[0]["description"].startswith("No exact match. Did you mean Hip Thrust?")
    easier = await coach.inline("easier dip")
    assert easier.results[0]["description"].startswith("Easier than Dip first.")
    sure = await coach.inline("deadlift")
    assert "match" not in sure.results[0]["description"]
    # The next page carries no such line.
    many = await coach.inline("heavy squat")
    assert many.results[0]["description"].startswith("No exact match for “heavy”")
    assert many.next_offset
    page_two = await coach.inline("heavy squat", offset=many.next_offset)
    assert page_two.results
    assert all("No exact match" not in r["description"] for r in page_two.results)


async def test_a_curated_card_follows_a_catalog_load_and_an_edit_of_the_teams_own(
    harness: Harness,
) -> None:
    """Curated cards (and their texts) are held while the library is current: a load by another
    process is seen by the next answer; the team's own are read each time."""
    coach = await onboard_coach(harness.tg)
    await add_custom(harness, coach.id, "Band Press Zeta")

    async def card_of(query: str, title: str) -> str:
        answer = await coach.inline(query)
        found = next(r for r in answer.results if r["title"] == title)
        return parse_html(found["input_message_content"]["message_text"])

    assert "New cues." not in await card_of("back squat", "Back Squat")
    catalog = read_catalog()
    changed = [
        e.model_copy(update={"instructions": "New cues."}) if e.slug == "back-squat" else e
        for e in catalog.exercises
    ]
    async with transaction(harness.app.bot_data["spotter.db"].sessions) as session:
        await load_catalog(
            session, Catalog(muscles=catalog.muscles, exercises=changed, chains=catalog.chains)
        )
    assert "New cues." in await card_of("back squat", "Back Squat")
    async with transaction(harness.app.bot_data["spotter.db"].sessions) as session:
        _, seat = await get_user_and_seat(session, telegram_user_id=coach.id)
        assert seat is not None
        zeta = await find_exercise_by_name(
            session, organization_id=seat.organization_id, name="Band Press Zeta"
        )
        assert zeta is not None
        await update_custom_exercise(
            session,
            organization_id=seat.organization_id,
            exercise_id=zeta.id,
            changes=ExerciseUpdate(instructions="Zeta cues."),
        )
    assert "Zeta cues." in await card_of("band press zeta", "🏷 Band Press Zeta")
