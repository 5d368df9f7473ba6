"""Defects found by trying Spotter as a new coach for a day (issue 13), each through the real
Application: the gender step, /help wording, coach commands from an athlete, dates, phones,
emails, namesakes, the roster's default view and paging, Copy to ours twice, archived invites."""

from __future__ import annotations

from fake_telegram import LocalUser
from storage.models import AthleteStatus
from tests.bot.conftest import Harness
from tests.bot.helpers import add_athlete, athletes_in_db, onboard_coach
from tests.bot.test_invites import athlete_named, invite_from_card


async def at_gender_step(coach: LocalUser) -> None:
    await coach.send("/addathlete")
    await coach.send("Maya Lopez")
    for _ in range(3):
        await coach.send("/skip")
    assert "gender" in coach.last_text()


async def test_typing_at_the_gender_step_points_to_the_buttons(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await at_gender_step(coach)
    await coach.send("female")
    reply = coach.last_text()
    assert "use the buttons above" in reply and "/skip" in reply and "/cancel" in reply
    assert "not sure what to do" not in reply
    # Still at the gender step.
    await coach.press("Female")
    assert "notes" in coach.last_text()


async def test_typing_when_editing_gender_points_to_the_buttons(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await add_athlete(coach, "Maya")
    await coach.press("✏️ Edit")
    await coach.press("Gender")
    await coach.send("female")
    assert "use the buttons above" in coach.last_text()
    assert "answer with a text message" not in coach.last_text()


async def linked_athlete(harness: Harness) -> LocalUser:
    coach = await onboard_coach(harness.tg)
    await add_athlete(coach, "Maya Lopez")
    maya = athlete_named(harness.tg)
    await maya.open_link(await invite_from_card(coach))
    assert "Welcome" in maya.last_text()
    return maya


async def test_athlete_help_says_an_athlete(harness: Harness) -> None:
    maya = await linked_athlete(harness)
    await maya.send("/help")
    assert "signed in as an athlete" in maya.last_text()
    assert "a athlete" not in maya.last_text()


async def test_a_linked_athlete_is_told_coach_commands_are_for_coaches(harness: Harness) -> None:
    maya = await linked_athlete(harness)
    for command in ["/athletes", "/addathlete", "/invite Ben"]:
        await maya.send(command)
        reply = maya.last_text()
        assert "for coaches" in reply, command
        assert "/start to set up your team" not in reply, command
    # Someone with no team at all still gets the way to set one up.
    stranger = harness.tg.user("stranger")
    await stranger.send("/athletes")
    assert "/start to set up your team" in stranger.last_text()


async def test_an_ambiguous_date_is_asked_and_dates_are_read_back_in_words(
    harness: Harness,
) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/addathlete")
    await coach.send("Maya Lopez")
    await coach.send("/skip")
    await coach.send("/skip")
    await coach.send("03/04/2001")
    asked = coach.last_text()
    assert "3 April 2001" in asked and "4 March 2001" in asked
    assert "gender" not in asked  # still at the birthdate step
    await coach.send("2001-03-04")
    said = [m.display_text for m in coach.bot_messages()[-2:]]
    assert "Born 4 March 2001" in said[0]
    assert "gender" in said[1]
    await coach.press("Female")
    await coach.send("/skip")
    assert "4 March 2001" in coach.last_text()
    await coach.press("✅ Save")
    [athlete] = await athletes_in_db(harness)
    assert athlete.birthdate is not None and athlete.birthdate.isoformat() == "2001-03-04"
    assert "4 March 2001" in coach.last_text()  # the card


async def test_editing_a_birthdate_asks_when_ambiguous_too(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await add_athlete(coach, "Maya")
    await coach.press("✏️ Edit")
    await coach.press("Birthdate")
    await coach.send("05/06/2002")
    assert "5 June 2002" in coach.last_text() and "6 May 2002" in coach.last_text()
    [athlete] = await athletes_in_db(harness)
    assert athlete.birthdate is None
    await coach.send("2002-06-05")
    assert "5 June 2002" in coach.last_text()


async def test_the_birthdate_rule_follows_the_bots_clock(harness: Harness) -> None:
    # The harness's clock says 2026; a 2030 birthdate is in its future whatever the machine says.
    coach = await onboard_coach(harness.tg)
    await coach.send("/addathlete")
    await coach.send("Maya Lopez")
    await coach.send("/skip")
    await coach.send("/skip")
    harness.app.bot_data["spotter.clock"] = lambda: __import__("datetime").datetime(
        2001, 1, 1, tzinfo=__import__("datetime").UTC
    )
    await coach.send("2001-06-01")
    assert "future" in coach.last_text()


async def test_phones_are_shown_formatted(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/addathlete")
    await coach.send("Maya Lopez")
    await coach.send("/skip")
    await coach.send("(415) 555-0123")
    for _ in range(3):
        await coach.send("/skip")
    assert "+1 415-555-0123" in coach.last_text()
    await coach.press("✅ Save")
    assert "+1 415-555-0123" in coach.last_text()
    [athlete] = await athletes_in_db(harness)
    assert athlete.phone == "+14155550123"  # stored as E.164


async def test_email_errors_read_cleanly(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/addathlete")
    await coach.send("Maya Lopez")
    await coach.send("maya")
    reply = coach.last_text()
    assert "email" in reply and "(" not in reply and ".)" not in reply and ".." not in reply


async def test_editing_an_email_to_one_another_athlete_has_is_refused(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await add_athlete(coach, "Maya", "maya@example.com")
    await add_athlete(coach, "Ben", "ben@example.com")
    await coach.press("✏️ Edit")
    await coach.press("Email")
    await coach.send("MAYA@example.com")
    assert "Maya" in coach.last_text() and "already has this email" in coach.last_text()
    emails = {a.name: a.email for a in await athletes_in_db(harness)}
    assert emails == {"Maya": "maya@example.com", "Ben": "ben@example.com"}
    # Still asking: another address goes through.
    await coach.send("ben2@example.com")
    assert "Email updated" in coach.bot_messages()[-2].display_text


async def test_same_name_athletes_are_told_apart(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await add_athlete(coach, "Sam Lee", "sam.a@example.com")
    await coach.send("/addathlete")
    await coach.send("sam lee")
    warning = coach.bot_messages()[-2]
    assert "already has" in warning.display_text and "sam.a@example.com" in warning.display_text
    assert "email" in coach.last_text()  # the form goes on
    await coach.send("sam.b@example.com")
    for _ in range(4):
        await coach.send("/skip")
    await coach.press("✅ Save")
    await add_athlete(coach, "Ada")
    await coach.send("/athletes")
    buttons = coach.buttons()
    assert "🟢 Sam Lee · sam.a@example.com" in buttons
    assert "🟢 sam lee · sam.b@example.com" in buttons
    assert "🟢 Ada" in buttons  # no detail where the name is unique
    await coach.send("/invite Sam Lee")
    picker = coach.buttons()
    assert "🟢 Sam Lee · sam.a@example.com" in picker
    assert "🟢 sam lee · sam.b@example.com" in picker


async def test_open_the_existing_namesake_from_the_warning(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await add_athlete(coach, "Sam Lee")
    await coach.send("/addathlete")
    await coach.send("Sam Lee")
    await coach.press("Open Sam Lee", message=coach.bot_messages()[-2])
    assert coach.last_text().startswith("👤 Sam Lee")
    await coach.send("hello")  # the form is closed: not a second athlete's email
    assert len(await athletes_in_db(harness)) == 1


async def test_the_roster_shows_active_and_inactive_by_default(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    for name in ["Ann", "Ben", "Cai"]:
        await add_athlete(coach, name)
    await coach.send("/athletes")
    await coach.press("⚪ Ben" if "⚪ Ben" in coach.buttons() else "🟢 Ben")
    await coach.press("🏷 Set status")
    await coach.press("⚪ Inactive")
    await coach.send("/athletes")
    await coach.press("🟢 Cai")
    await coach.press("🏷 Set status")
    await coach.press("🗄 Archived")
    await coach.send("/athletes")
    names = [b for b in coach.buttons() if b[:1] in "🟢⚪🗄"]
    assert names == ["🟢 Ann", "⚪ Ben"]
    assert "• Current" in coach.buttons()
    await coach.press("Archived")
    assert [b for b in coach.buttons() if b.startswith("🗄 ")] == ["🗄 Cai"]
    await coach.press("All")
    assert [b for b in coach.buttons() if b[:1] in "🟢⚪🗄"] == ["🟢 Ann", "⚪ Ben", "🗄 Cai"]


async def test_copy_to_ours_twice_opens_the_existing_copy(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/exercises")
    await coach.send("/start ex_" + await _curated_id(harness, "Front Squat"))
    curated = coach.last_message()
    await coach.press("📋 Copy to ours", message=curated)
    assert "Copied" in (coach.last_answer or "")
    await coach.send("/start ex_" + await _curated_id(harness, "Front Squat"))
    await coach.press("📋 Copy to ours")
    assert "already has a copy" in (coach.last_answer or "")
    assert "🏷 Our exercise" in coach.last_text()
    assert await _custom_names(harness) == ["Front Squat"]


async def _curated_id(harness: Harness, name: str) -> str:
    from sqlmodel import col, select

    from storage.models import Exercise

    async with harness.app.bot_data["spotter.db"].sessions() as session:
        rows = await session.exec(
            select(col(Exercise.id)).where(
                col(Exercise.name) == name, col(Exercise.organization_id).is_(None)
            )
        )
        return str(rows.one())


async def _custom_names(harness: Harness) -> list[str]:
    from sqlmodel import col, select

    from storage.models import Exercise

    async with harness.app.bot_data["spotter.db"].sessions() as session:
        rows = await session.exec(
            select(col(Exercise.name)).where(col(Exercise.organization_id).is_not(None))
        )
        return sorted(rows.all())


async def test_inviting_an_archived_athlete_asks_first(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await add_athlete(coach, "Maya Lopez")
    await coach.press("🏷 Set status")
    await coach.press("🗄 Archived")
    photos = len(coach.documents()) + sum(1 for m in coach.bot_messages() if m.photo)
    await coach.send("/invite Maya")
    assert "archived" in coach.last_text() and "Invite them anyway" in coach.last_text()
    assert sum(1 for m in coach.bot_messages() if m.photo) + len(coach.documents()) == photos
    await coach.press("No, open the card")
    assert coach.last_text().startswith("👤 Maya Lopez")
    # From the card, too: asked, then a link once confirmed.
    await coach.press("📨 Invite")
    assert "Invite them anyway" in coach.last_text()
    await coach.press("📨 Yes, invite")
    assert coach.last_message().photo is not None
    [athlete] = await athletes_in_db(harness)
    assert athlete.status is AthleteStatus.ARCHIVED
