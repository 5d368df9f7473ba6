from __future__ import annotations

import pytest

from fake_telegram import LocalTelegram
from storage.models import AthleteGender, AthleteStatus
from tests.bot.conftest import Harness
from tests.bot.helpers import add_athlete, athletes_in_db, onboard_coach

HOSTILE = '<b>Lee & "Jo"</b>'


async def test_full_form_with_every_field(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/addathlete")
    assert "full name" in coach.last_text()
    await coach.send("Maya Lopez")
    assert "email" in coach.last_text()
    await coach.send("Maya@Example.com")
    assert "phone" in coach.last_text()
    await coach.send("(415) 555-0123")
    assert "birthdate" in coach.last_text()
    await coach.send("21.07.2004")
    assert "gender" in coach.last_text()
    await coach.press("Female")
    assert "notes" in coach.last_text()
    await coach.send("Left knee: no deep flexion for now.")
    summary = coach.last_text()
    for expected in ["Maya Lopez", "Maya@example.com", "+1 415-555-0123", "21 July 2004", "Female"]:
        assert expected in summary
    assert coach.buttons() == ["✅ Save", "✏️ Edit a field", "✖️ Cancel"]
    await coach.press("✅ Save")
    assert "Maya Lopez" in coach.last_text() and "not linked" in coach.last_text()
    [athlete] = await athletes_in_db(harness)
    assert (athlete.email, athlete.phone, athlete.gender) == (
        "Maya@example.com",
        "+14155550123",
        AthleteGender.FEMALE,
    )
    assert athlete.birthdate is not None and athlete.birthdate.isoformat() == "2004-07-21"
    assert athlete.notes == "Left knee: no deep flexion for now."


@pytest.mark.parametrize(
    ("step", "bad", "message"),
    [
        (0, "12345", "at least one letter"),
        (0, "x" * 101, "100 or fewer"),
        (1, "maya@", "doesn't look like an email"),
        (2, "call me maybe", "doesn't look like a phone"),
        (2, "+1 555", "phone"),
        (3, "2004/07/21", "YYYY-MM-DD"),
        (3, "2999-01-01", "future"),
        (3, "1901-01-01", "100 years"),
        (5, "x" * 2001, "2000 or fewer"),
    ],
)
async def test_each_validation_failure_asks_the_same_step_again(
    harness: Harness, step: int, bad: str, message: str
) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/addathlete")
    answers = ["Maya Lopez", "/skip", "/skip", "/skip", "/skip"]
    for answer in answers[:step]:
        await coach.send(answer)
    prompt = coach.last_text()
    await coach.send(bad)
    assert message in coach.last_text()
    assert "⚠️" in coach.last_text()
    # Still on the same step: a valid answer moves on.
    good = ["Maya Lopez", "maya@example.com", "+14155550123", "2004-07-21", None, "Notes"][step]
    if good is not None:
        await coach.send(good)
        assert coach.last_text() != prompt
    assert await athletes_in_db(harness) == []


async def test_name_cannot_be_skipped_and_gender_buttons_can_be(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/addathlete")
    await coach.send("/skip")
    assert "can't be skipped" in coach.last_text()
    await coach.send("Maya")
    for _ in range(3):
        await coach.send("/skip")
    assert "gender" in coach.last_text()
    await coach.send("/skip")
    assert "notes" in coach.last_text()
    await coach.send("/skip")
    assert "Check the new athlete" in coach.last_text()


@pytest.mark.parametrize("step", range(7))
async def test_cancel_at_every_step_saves_nothing(harness: Harness, step: int) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/addathlete")
    for answer in ["Maya", "/skip", "/skip", "/skip", "/skip", "/skip"][:step]:
        await coach.send(answer)
    await coach.send("/cancel")
    assert "Nothing was saved" in coach.last_text()
    assert await athletes_in_db(harness) == []
    await coach.send("Maya")  # no longer in the form
    assert "/help" in coach.last_text()


async def test_cancel_button_on_summary(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/addathlete")
    await coach.send("Maya")
    for _ in range(5):
        await coach.send("/skip")
    await coach.press("✖️ Cancel")
    assert "Nothing was saved" in coach.last_text()
    assert await athletes_in_db(harness) == []


async def test_stray_commands_and_non_text_get_a_hint_and_keep_the_step(tg: LocalTelegram) -> None:
    coach = await onboard_coach(tg)
    await coach.send("/addathlete")
    await coach.send("Maya")
    await coach.send("/athletes")
    assert "middle of adding an athlete" in coach.last_text()
    await coach.send("maya@example.com")
    assert "phone" in coach.last_text()


async def test_edit_from_summary_returns_to_summary(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/addathlete")
    await coach.send("Maya")
    for _ in range(5):
        await coach.send("/skip")
    await coach.press("✏️ Edit a field")
    assert coach.buttons() == ["Name", "Email", "Phone", "Birthdate", "Gender", "Notes"]
    await coach.press("Email")
    await coach.send("bad email")
    assert "email" in coach.last_text()
    await coach.send("maya@example.com")
    assert "Check the new athlete" in coach.last_text()
    assert "maya@example.com" in coach.last_text()
    await coach.press("✏️ Edit a field")
    await coach.press("Gender")
    await coach.press("Non-binary")
    assert "Non-binary" in coach.last_text()
    await coach.press("✅ Save")
    [athlete] = await athletes_in_db(harness)
    assert athlete.email == "maya@example.com" and athlete.gender is AthleteGender.NON_BINARY


async def test_pressing_save_twice_creates_one_athlete(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/addathlete")
    await coach.send("Maya")
    for _ in range(5):
        await coach.send("/skip")
    summary = coach.last_message()
    await coach.press("✅ Save", message=summary)
    await coach.press_data("ads", message=summary)
    assert "form is closed" in (coach.last_answer or "")
    assert len(await athletes_in_db(harness)) == 1


async def test_same_email_offers_the_existing_athlete(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await add_athlete(coach, "Maya Lopez", "maya@example.com")
    await coach.send("/addathlete")
    await coach.send("Maya L.")
    await coach.send("MAYA@example.com")
    assert "already has this email" in coach.last_text()
    await coach.press("Open Maya Lopez")
    assert "Maya Lopez" in coach.last_text() and "Email:" in coach.last_text()
    assert len(await athletes_in_db(harness)) == 1


async def test_html_in_every_field_is_shown_as_typed(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/addathlete")
    await coach.send(HOSTILE)
    for _ in range(4):
        await coach.send("/skip")
    await coach.send("<i>notes</i> & <script>")
    assert HOSTILE in coach.last_text()
    await coach.press("✅ Save")
    assert HOSTILE in coach.last_text()
    assert "<i>notes</i> & <script>" in coach.last_text()
    await coach.send("/athletes")
    assert any(HOSTILE in b for b in coach.buttons())


async def test_roster_pages_filters_and_name_search(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    for index in range(26):
        await add_athlete(coach, f"Athlete {index:02d}")
    await coach.send("/athletes")
    roster = coach.last_message()
    assert "Showing 1-10 of 26" in coach.last_text()
    assert "Active 26" in coach.last_text()
    assert coach.buttons()[0].endswith("Athlete 00")
    await coach.press("Next ▶️")
    assert coach.last_message().message_id == roster.message_id  # edited in place
    assert "Showing 11-20 of 26" in coach.last_text()
    nav_row = coach.keyboard()[-4]
    await coach.press("Next ▶️")
    assert "Showing 21-26 of 26" in coach.last_text()
    assert "Page 3 of 3" in coach.last_text()
    # Prev and Next keep their place on every page (Next wraps around to the first page).
    assert coach.keyboard()[-4] == nav_row == ["◀️ Prev", "Next ▶️"]
    assert not any(b.startswith("Page") for b in coach.buttons())
    await coach.press("◀️ Prev")
    assert "Showing 11-20" in coach.last_text()
    assert coach.last_answer is None  # answered, without a toast
    # Set one athlete inactive from its card, then filter.
    await coach.press(next(b for b in coach.buttons() if b.endswith("Athlete 12")))
    await coach.press("🏷 Set status")
    await coach.press("⚪ Inactive")
    assert "Inactive" in coach.last_text()
    await coach.press("⬅️ Back to roster")
    assert "Showing 11-20" in coach.last_text()
    await coach.press("Inactive")
    assert "Showing 1-1 of 1" in coach.last_text()
    await coach.send("/athletes 2")
    assert "matching “2”" in coach.last_text()
    assert "of 8" in coach.last_text()  # 02, 12, 20-25
    await coach.send("/athletes nobody")
    assert "No athletes match" in coach.last_text()


async def test_paging_wraps_around_and_a_stale_press_is_harmless(tg: LocalTelegram) -> None:
    coach = await onboard_coach(tg)
    for index in range(11):
        await add_athlete(coach, f"A{index:02d}")
    await coach.send("/athletes")
    assert "Page 1 of 2" in coach.last_text()
    await coach.press("◀️ Prev")
    assert "Showing 11-11 of 11" in coach.last_text()
    await coach.press("Next ▶️")
    assert "Showing 1-10" in coach.last_text()
    first = coach.last_message()
    await coach.press("Next ▶️")
    await coach.press("◀️ Prev", message=first)
    assert "Showing 1-10" in coach.last_text()


async def test_edit_a_field_from_the_card(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await add_athlete(coach, "Maya")
    await coach.press("✏️ Edit")
    await coach.press("Phone")
    await coach.send("not a phone")
    assert "phone" in coach.last_text()
    await coach.send("+44 20 7946 0958")
    assert "+44 20 7946 0958" in coach.last_text()
    await coach.press("✏️ Edit")
    await coach.press("Phone")
    await coach.send("/skip")
    assert "Phone: not given" in coach.last_text()
    await coach.press("✏️ Edit")
    await coach.press("Name")
    await coach.send("/skip")
    assert "can't be skipped" in coach.last_text()
    await coach.send("/cancel")
    [athlete] = await athletes_in_db(harness)
    assert athlete.name == "Maya" and athlete.phone is None


async def test_unlink_needs_confirmation(harness: Harness) -> None:
    from storage.queries.athletes import link_athlete
    from storage.queries.users import upsert_user

    coach = await onboard_coach(harness.tg)
    await add_athlete(coach, "Maya")
    [athlete] = await athletes_in_db(harness)
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        user = await upsert_user(
            session, telegram_user_id=999, display_name="Maya", username="maya"
        )
        await link_athlete(
            session, organization_id=athlete.organization_id, athlete_id=athlete.id, user_id=user.id
        )
        await session.commit()
    await coach.send("/athletes")
    await coach.press(coach.buttons()[0])
    assert "linked to @maya" in coach.last_text()
    await coach.press("🔓 Unlink Telegram")
    assert "Unlink the Telegram account" in coach.last_text()
    await coach.press("No, keep it")
    assert "linked to @maya" in coach.last_text()
    await coach.press("🔓 Unlink Telegram")
    await coach.press("Yes, unlink")
    assert "not linked" in coach.last_text()
    [athlete] = await athletes_in_db(harness)
    assert athlete.linked_user_id is None


async def test_forged_and_foreign_callbacks_change_nothing(harness: Harness) -> None:
    tg = harness.tg
    ours = await onboard_coach(tg, "ours", "Ours")
    theirs = await onboard_coach(tg, "theirs", "Theirs")
    await add_athlete(theirs, "Secret Athlete")
    [secret] = await athletes_in_db(harness)
    await add_athlete(ours, "Mine")
    for data in [
        f"ac:{secret.id}",
        f"ae:{secret.id}",
        f"aef:{secret.id}:name",
        f"as:{secret.id}",
        f"ass:{secret.id}:archived",
        f"au:{secret.id}",
        f"auy:{secret.id}",
    ]:
        await ours.press_data(data)
        assert ours.last_answer is not None and "Not found" in ours.last_answer, data
    for garbage in ["ac", "rs:all:-1:0", "rs:bogus:0:0", "ass:x:retired", "zz:1", "💥", "ads"]:
        await ours.press_data(garbage)
        assert ours.last_answer, garbage
    athletes = {a.name: a for a in await athletes_in_db(harness)}
    assert athletes["Secret Athlete"].status is AthleteStatus.ACTIVE
    assert "Secret" not in ours.last_text()


async def test_non_coaches_are_told_politely(tg: LocalTelegram) -> None:
    stranger = tg.user("stranger")
    for command in ["/athletes", "/addathlete"]:
        await stranger.send(command)
        assert "That's for coaches" in stranger.last_text()


async def test_restart_mid_conversation_resumes_with_answers(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/addathlete")
    await coach.send("Maya Lopez")
    await coach.send("maya@example.com")
    await harness.restart()
    await coach.send("+14155550123")
    assert "birthdate" in coach.last_text()
    await harness.restart(abrupt=True)
    await coach.send("2004-07-21")
    assert "gender" in coach.last_text()
    await coach.press("Male")
    await coach.send("/skip")
    assert "maya@example.com" in coach.last_text()
    await coach.press("✅ Save")
    [athlete] = await athletes_in_db(harness)
    assert (athlete.name, athlete.email, athlete.phone) == (
        "Maya Lopez",
        "maya@example.com",
        "+14155550123",
    )
