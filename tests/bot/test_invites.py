from __future__ import annotations

import asyncio
import logging
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, col, select

from bot.commands import Audience, commands_for
from bot.context import CLOCK_KEY
from bot.logs import RedactTokens
from fake_telegram import LocalTelegram, LocalUser
from storage.models import AthleteInvitation, Membership, MembershipRole, User
from storage.queries.athletes import link_athlete
from storage.queries.invitations import extract_token, hash_token
from storage.queries.users import upsert_user
from tests.bot.conftest import Harness
from tests.bot.helpers import add_athlete, athletes_in_db, onboard_coach

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
HOSTILE = '<b>Lee & "Jo"</b>'
LINK = re.compile(r"https://t\.me/\S+")


class Clock:
    """The bot's clock, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(harness: Harness) -> Clock:
    clock = Clock(NOW)
    harness.app.bot_data[CLOCK_KEY] = clock
    return clock


async def invite_from_card(coach: LocalUser) -> str:
    """Press Invite on the card shown last; return the link from the photo's caption."""
    await coach.press("📨 Invite")
    return link_in(coach)


def link_in(coach: LocalUser) -> str:
    message = coach.last_message()
    assert message.photo is not None, "the invite is a photo (the QR code)"
    match = LINK.search(message.display_text)
    assert match is not None, message.display_text
    return match.group(0)


async def coach_with_athlete(harness: Harness, athlete: str = "Maya Lopez") -> LocalUser:
    coach = await onboard_coach(harness.tg)
    await add_athlete(coach, athlete)
    return coach


async def invitations(harness: Harness) -> list[AthleteInvitation]:
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        rows = await session.exec(
            select(AthleteInvitation).order_by(col(AthleteInvitation.created_at))
        )
        return list(rows.all())


async def user_row(harness: Harness, who: LocalUser) -> User:
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        rows = await session.exec(select(User).where(col(User.telegram_user_id) == who.id))
        return rows.one()


def athlete_named(tg: LocalTelegram, name: str = "maya", first_name: str = "Maya") -> LocalUser:
    return tg.user(name, first_name=first_name, username=f"{name}_tg")


# --- the round trip ---------------------------------------------------------------------------


async def test_coach_invites_athlete_taps_both_see_the_result(
    harness: Harness, clock: Clock
) -> None:
    tg = harness.tg
    coach = await coach_with_athlete(harness)
    assert "📨 Invite" in coach.buttons()
    card = coach.last_message()
    link = await invite_from_card(coach)

    # The card (edited in place) lists the pending invitation and when it expires.
    assert "Invitation: pending, expires 08 Mar 2025, 09:00 UTC" in card.display_text
    invite = coach.last_message()
    assert invite.photo is not None and invite.photo.startswith(b"\x89PNG")
    caption = invite.display_text
    assert "Invite link for Maya Lopez" in caption
    assert "expires 08 Mar 2025, 09:00 UTC" in caption
    assert link.startswith("https://t.me/SpotterTestBot?start=inv_")
    payload = parse_qs(urlsplit(link).query)["start"][0]
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", payload)
    assert coach.buttons() == ["🚫 Revoke", "📤 Share"]
    share = invite.inline_keyboard[0][1]["url"]
    assert share.startswith("https://t.me/share/url?")
    assert parse_qs(urlsplit(share).query)["url"] == [link]

    maya = athlete_named(tg)
    await maya.open_link(link)
    welcome = maya.last_text()
    for expected in [
        "Welcome, Maya Lopez!",
        "Northside Barbell",
        "coached by Coach (@coach_tg)",
        "/me",
        "/exercises",
        "@SpotterTestBot squat",
    ]:
        assert expected in welcome
    menu = harness.api.commands_for({"type": "chat", "chat_id": maya.chat_id}, "")
    assert [c["command"] for c in menu] == [c.name for c in commands_for(Audience.ATHLETE)]

    assert coach.last_text() == "🔗 Maya Lopez joined Northside Barbell as @maya_tg on Telegram."
    await coach.press("👤 Open card")
    assert "linked to @maya_tg" in coach.last_text()
    assert "Invitation" not in coach.last_text()
    assert "🔓 Unlink Telegram" in coach.buttons() and "📨 Invite" not in coach.buttons()

    [athlete] = await athletes_in_db(harness)
    maya_row = await user_row(harness, maya)
    assert athlete.linked_user_id == maya_row.id
    [row] = await invitations(harness)
    assert (row.accepted_at, row.accepted_by, row.revoked_at) == (NOW, maya_row.id, None)


async def test_invite_command_finds_the_athlete_by_name(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/invite")
    assert "Who should I invite?" in coach.last_text()
    await coach.send("/invite Nobody")
    assert "No athlete in your team matches “Nobody”" in coach.last_text()

    for name in ["Sam Reed", "Sam Ortiz", "Samantha Cole"]:
        await add_athlete(coach, name)
    await coach.send("/invite sam")
    assert "3 athletes match “sam”. Who should I invite?" in coach.last_text()
    assert [b.split(" ", 1)[1] for b in coach.buttons()] == [
        "Sam Ortiz",
        "Sam Reed",
        "Samantha Cole",
    ]
    await coach.press("🟢 Sam Reed")
    assert coach.last_answer == "Invite link created."
    assert "Invite link for Sam Reed" in coach.last_text()
    # The list became Sam Reed's card, with the invitation on it.
    card = coach.bot_messages()[-2]
    assert "Sam Reed" in card.display_text and "Invitation: pending" in card.display_text

    # A whole name matching exactly one athlete needs no list.
    await coach.send("/invite samantha cole")
    assert "Invite link for Samantha Cole" in coach.last_text()
    await coach.send("/invite ortiz")
    assert "Invite link for Sam Ortiz" in coach.last_text()
    assert len(await invitations(harness)) == 3


async def test_only_coaches_can_invite(harness: Harness) -> None:
    stranger = harness.tg.user("stranger")
    await stranger.send("/invite Maya")
    assert "That's for coaches" in stranger.last_text()


async def test_a_linked_athlete_cant_be_invited_until_unlinked(harness: Harness) -> None:
    tg = harness.tg
    coach = await coach_with_athlete(harness)
    link = await invite_from_card(coach)
    await athlete_named(tg).open_link(link)
    await coach.send("/invite Maya")
    assert "Maya Lopez is already connected to Telegram" in coach.last_text()
    assert coach.buttons() == ["👤 Open card"]
    # A stale card with the Invite button still on it.
    [athlete] = await athletes_in_db(harness)
    await coach.press_data(f"iv:{athlete.id}")
    assert coach.last_answer is not None and "already connected" in coach.last_answer
    assert len(await invitations(harness)) == 1
    # The pressed message now shows the current card: Unlink, no Invite.
    assert "📨 Invite" not in coach.buttons()
    await coach.press("🔓 Unlink Telegram")
    await coach.press("Yes, unlink")
    assert "📨 Invite" in coach.buttons()
    await coach.press("📨 Invite")
    assert "Invite link for Maya Lopez" in coach.last_text()


# --- revoking and replacing -------------------------------------------------------------------


async def test_revoke_kills_the_link_at_once(harness: Harness) -> None:
    tg = harness.tg
    coach = await coach_with_athlete(harness)
    link = await invite_from_card(coach)
    invite = coach.last_message()
    await coach.press("🚫 Revoke")
    assert coach.last_answer == "Link revoked: it no longer works."
    assert "revoked" in invite.display_text and link not in invite.display_text
    assert not invite.has_inline_keyboard

    maya = athlete_named(tg)
    await maya.open_link(link)
    assert "cancelled by your coach" in maya.last_text()
    [athlete] = await athletes_in_db(harness)
    assert athlete.linked_user_id is None
    [row] = await invitations(harness)
    assert row.revoked_at is not None and row.accepted_at is None

    # The Revoke button pressed again (a second device, or a double tap).
    await coach.press_data(f"ivr:{row.id}", message=invite)
    assert coach.last_answer == "That link was already revoked or replaced by a newer one."
    await coach.send("/athletes")
    await coach.press("🟢 Maya Lopez")
    assert "Invitation" not in coach.last_text()


async def test_reinvite_revokes_the_old_link(harness: Harness, clock: Clock) -> None:
    tg = harness.tg
    coach = await coach_with_athlete(harness)
    old_link = await invite_from_card(coach)
    old_invite = coach.last_message()
    clock.advance(hours=1)
    await coach.send("/invite Maya Lopez")
    new_link = link_in(coach)
    assert new_link != old_link

    maya = athlete_named(tg)
    await maya.open_link(old_link)
    assert "cancelled by your coach" in maya.last_text()
    await coach.press("🚫 Revoke", message=old_invite)
    assert coach.last_answer == "That link was already revoked or replaced by a newer one."

    await coach.send("/athletes")
    await coach.press("🟢 Maya Lopez")
    assert "expires 08 Mar 2025, 10:00 UTC" in coach.last_text()
    await maya.open_link(new_link)
    assert "Welcome, Maya Lopez!" in maya.last_text()
    old, new = await invitations(harness)
    assert old.revoked_at == NOW + timedelta(hours=1) and old.accepted_at is None
    assert new.accepted_at is not None


async def test_revoking_a_used_link_says_so_and_changes_nothing(harness: Harness) -> None:
    coach = await coach_with_athlete(harness)
    link = await invite_from_card(coach)
    invite = coach.last_message()
    await athlete_named(harness.tg).open_link(link)
    await coach.press("🚫 Revoke", message=invite)
    assert coach.last_answer is not None and "already joined with this link" in coach.last_answer
    assert "joined with this link" in invite.display_text
    [row] = await invitations(harness)
    assert row.revoked_at is None and row.accepted_at is not None
    [athlete] = await athletes_in_db(harness)
    assert athlete.linked_user_id is not None


async def test_expired_link_asks_for_a_new_one(harness: Harness, clock: Clock) -> None:
    coach = await coach_with_athlete(harness)
    link = await invite_from_card(coach)
    clock.advance(hours=167, minutes=59)
    await coach.send("/athletes")
    await coach.press("🟢 Maya Lopez")
    assert "Invitation: pending" in coach.last_text()
    clock.advance(minutes=1)
    await coach.send("/athletes")
    await coach.press("🟢 Maya Lopez")
    assert "Invitation" not in coach.last_text()

    maya = athlete_named(harness.tg)
    await maya.open_link(link)
    assert maya.last_text() == "⌛ That invite link has expired. Ask your coach for a new one."
    [athlete] = await athletes_in_db(harness)
    assert athlete.linked_user_id is None
    [row] = await invitations(harness)
    assert row.accepted_at is None and row.revoked_at is None


# --- every failure has its own answer and changes nothing -------------------------------------


async def assert_nothing_changed(harness: Harness, *, linked: dict[str, str | None]) -> None:
    by_name = {a.name: a.linked_user_id for a in await athletes_in_db(harness)}
    assert by_name == linked
    assert all(row.accepted_at is None for row in await invitations(harness))


@pytest.mark.parametrize(
    "payload",
    [
        "inv_" + "A" * 32,  # well formed, but no such token
        "inv_short",
        "hello",
        "inv_" + "A" * 32 + "B",
    ],
)
async def test_unknown_or_malformed_payload(harness: Harness, payload: str) -> None:
    coach = await coach_with_athlete(harness)
    await invite_from_card(coach)
    someone = harness.tg.user("someone")
    await someone.open_link(f"https://t.me/SpotterTestBot?start={payload}")
    assert "That invite link isn't valid" in someone.last_text()
    await assert_nothing_changed(harness, linked={"Maya Lopez": None})


async def test_link_used_by_someone_else_and_the_same_person_again(harness: Harness) -> None:
    tg = harness.tg
    coach = await coach_with_athlete(harness)
    link = await invite_from_card(coach)
    maya = athlete_named(tg)
    await maya.open_link(link)
    joined = len(coach.bot_messages())

    await maya.open_link(link)
    assert maya.last_text() == (
        "✅ You're already connected to Northside Barbell as Maya Lopez. "
        "Send /me to see your profile."
    )
    impostor = tg.user("impostor")
    await impostor.open_link(link)
    assert "already been used by someone else" in impostor.last_text()
    assert len(coach.bot_messages()) == joined  # no second "joined"
    maya_row = await user_row(harness, maya)
    [athlete] = await athletes_in_db(harness)
    assert athlete.linked_user_id == maya_row.id


async def test_profile_already_linked_to_a_different_account(harness: Harness) -> None:
    coach = await coach_with_athlete(harness)
    link = await invite_from_card(coach)
    # Meanwhile the profile got bound to another account some other way.
    [athlete] = await athletes_in_db(harness)
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        other = await upsert_user(session, telegram_user_id=999, display_name="Other")
        await link_athlete(
            session,
            organization_id=athlete.organization_id,
            athlete_id=athlete.id,
            user_id=other.id,
        )
        await session.commit()
    maya = athlete_named(harness.tg)
    await maya.open_link(link)
    assert "already connected to a different Telegram account" in maya.last_text()
    await assert_nothing_changed(harness, linked={"Maya Lopez": other.id})


async def test_coach_tapping_their_own_teams_link_is_not_bound(harness: Harness) -> None:
    coach = await coach_with_athlete(harness)
    link = await invite_from_card(coach)
    await coach.open_link(link)
    text = coach.last_text()
    assert "This is the invite link for Maya Lopez in your team Northside Barbell" in text
    assert "the link still works for them" in text
    await assert_nothing_changed(harness, linked={"Maya Lopez": None})
    maya = athlete_named(harness.tg)
    await maya.open_link(link)
    assert "Welcome, Maya Lopez!" in maya.last_text()


async def test_one_account_cant_be_two_athletes_of_a_team(harness: Harness) -> None:
    coach = await coach_with_athlete(harness)
    maya_link = await invite_from_card(coach)
    await add_athlete(coach, "Theo Park")
    theo_link = await invite_from_card(coach)
    maya = athlete_named(harness.tg)
    await maya.open_link(maya_link)
    await maya.open_link(theo_link)
    assert "already connected to another athlete of Northside Barbell" in maya.last_text()
    by_name = {a.name: a.linked_user_id for a in await athletes_in_db(harness)}
    assert by_name["Theo Park"] is None
    _, theo_row = await invitations(harness)
    assert theo_row.accepted_at is None


async def test_the_payload_carries_the_token_whose_hash_is_stored(harness: Harness) -> None:
    coach = await coach_with_athlete(harness)
    link = await invite_from_card(coach)
    payload = parse_qs(urlsplit(link).query)["start"][0]
    assert extract_token(payload) is not None
    [row] = await invitations(harness)
    assert row.token_hash == hash_token(payload.removeprefix("inv_"))


async def test_exercise_links_are_routed_to_the_library(harness: Harness) -> None:
    someone = harness.tg.user("someone")
    await someone.open_link("https://t.me/SpotterTestBot?start=ex_nosuchexercise")
    # Answered by the library (which knows no such exercise), not as a failed invite.
    assert "exercise" in someone.last_text() and "invite" not in someone.last_text()
    await someone.open_link("https://t.me/SpotterTestBot?start=ex_")
    assert someone.last_text().startswith("That exercise link isn't valid")
    # Not an invite attempt: the limiter doesn't count it.
    for _ in range(6):
        await someone.open_link("https://t.me/SpotterTestBot?start=ex_")
    assert "Too many" not in someone.last_text()


# --- the attempt limiter ----------------------------------------------------------------------


async def test_five_failures_then_refused_until_fifteen_minutes_pass(
    harness: Harness, clock: Clock
) -> None:
    coach = await coach_with_athlete(harness)
    link = await invite_from_card(coach)
    guesser = harness.tg.user("guesser")
    for i in range(5):
        await guesser.open_link(f"https://t.me/SpotterTestBot?start=inv_{'x' * 31}{i}")
        assert "That invite link isn't valid" in guesser.last_text()
        clock.advance(minutes=1)
    # Even the right link is refused now, without being looked up (so not used up).
    await guesser.open_link(link)
    assert guesser.last_text() == (
        "⏳ Too many links that didn't work in a short time. Please try again after "
        "01 Mar 2025, 09:15 UTC (in about 10 minutes)."
    )
    await assert_nothing_changed(harness, linked={"Maya Lopez": None})
    clock.advance(minutes=9, seconds=59)
    await guesser.open_link(link)
    assert "Too many" in guesser.last_text()
    clock.advance(seconds=1)
    await guesser.open_link(link)
    assert "Welcome, Maya Lopez!" in guesser.last_text()


async def test_harmless_taps_dont_count_towards_the_limit(harness: Harness) -> None:
    coach = await coach_with_athlete(harness)
    link = await invite_from_card(coach)
    maya = athlete_named(harness.tg)
    for _ in range(7):
        await maya.open_link(link)
        await coach.open_link(link)
    assert "already connected" in maya.last_text()
    assert "This is the invite link" in coach.last_text()


# --- the race ---------------------------------------------------------------------------------


async def test_two_people_tapping_the_same_link_at_once(harness: Harness) -> None:
    tg = harness.tg
    coach = await coach_with_athlete(harness)
    link = await invite_from_card(coach)
    before = len(coach.bot_messages())
    first, second = athlete_named(tg, "first", "First"), athlete_named(tg, "second", "Second")
    await asyncio.gather(first.open_link(link), second.open_link(link))
    answers = [first.last_text(), second.last_text()]
    assert sum("Welcome, Maya Lopez!" in a for a in answers) == 1
    assert sum("already been used by someone else" in a for a in answers) == 1
    assert len(coach.bot_messages()) == before + 1
    winner = first if "Welcome" in first.last_text() else second
    [athlete] = await athletes_in_db(harness)
    assert athlete.linked_user_id == (await user_row(harness, winner)).id


# --- secrecy ----------------------------------------------------------------------------------


async def text_values(harness: Harness) -> list[str]:
    """Every value of every text column of every table."""
    values = []
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        for table in SQLModel.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, sa.String | sa.Text)]
            if not columns:
                continue
            rows = await session.execute(sa.select(*columns))
            values += [str(v) for row in rows for v in row if v is not None]
    return values


async def test_the_raw_token_is_nowhere_but_the_coachs_message(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # PTB's loggers are held at INFO in production (bot.logs); opened here so the redaction
    # of its DEBUG lines is checked too.
    caplog.set_level(logging.DEBUG, logger="telegram")
    tg = harness.tg
    coach = await coach_with_athlete(harness)
    first = await invite_from_card(coach)
    await coach.press("🚫 Revoke")
    await coach.send("/invite Maya")
    second = link_in(coach)
    await coach.send("/invite Maya")
    third = link_in(coach)
    maya = athlete_named(tg)
    await maya.open_link(first)
    await maya.open_link(third)
    await tg.user("impostor").open_link(third)
    tokens = [
        parse_qs(urlsplit(link).query)["start"][0].removeprefix("inv_")
        for link in (first, second, third)
    ]
    assert all(len(t) == 32 for t in tokens)

    invitation_columns = [
        str(v)
        for row in await invitations(harness)
        for v in (row.id, row.athlete_id, row.organization_id, row.token_hash, row.created_by)
    ]
    everything = await text_values(harness)
    assert invitation_columns and everything
    for token in tokens:
        assert not any(token in value for value in everything)
        assert hash_token(token) in everything  # only the hash is kept

    # Our own log lines never carry the token, at any level...
    ours = [r for r in caplog.records if r.name.startswith(("bot", "storage"))]
    assert any("invitation" in r.getMessage() for r in ours)
    for record in ours:
        assert not any(token in record.getMessage() for token in tokens)
    # ...and PTB's DEBUG lines (API parameters, updates) are redacted by the log filter
    # that configure_logging installs, so the output an operator sees has none either.
    redact = RedactTokens()
    copies = [logging.makeLogRecord(r.__dict__) for r in caplog.records]
    output = "\n".join(c.getMessage() for c in copies if redact.filter(c))
    assert "Calling Bot API endpoint" in output  # the DEBUG records really were captured
    for token in tokens:
        assert token not in output


# --- HTML in names ----------------------------------------------------------------------------


async def test_html_in_names_is_shown_literally(harness: Harness) -> None:
    tg = harness.tg
    coach = tg.user("coach", first_name="<i>Cora</i>", username="coach_tg")
    await coach.send("/start")
    await coach.send("Team <b>&</b>")
    await add_athlete(coach, HOSTILE)
    link = await invite_from_card(coach)
    assert f"Invite link for {HOSTILE}" in coach.last_text()
    assert "&lt;b&gt;Lee &amp; &quot;Jo&quot;&lt;/b&gt;" in coach.last_html()
    await coach.send(f"/invite {HOSTILE}")
    assert f"Invite link for {HOSTILE}" in coach.last_text()
    link = link_in(coach)

    athlete = tg.user("lee", first_name="<u>Lee</u>")
    await athlete.open_link(link)
    assert f"Welcome, {HOSTILE}!" in athlete.last_text()
    assert "Team <b>&</b>" in athlete.last_text()
    assert "coached by <i>Cora</i> (@coach_tg)" in athlete.last_text()
    assert coach.last_text() == f"🔗 {HOSTILE} joined Team <b>&</b> as <u>Lee</u> on Telegram."
    await coach.open_link(link)
    assert f"invite link for {HOSTILE}" in coach.last_text()


# --- forged buttons ---------------------------------------------------------------------------


async def test_forged_buttons_from_another_team_find_nothing(harness: Harness) -> None:
    tg = harness.tg
    ours = await coach_with_athlete(harness)
    link = await invite_from_card(ours)
    [invitation] = await invitations(harness)
    [athlete] = await athletes_in_db(harness)

    theirs = await onboard_coach(tg, "rival", "Rival Club")
    await theirs.press_data(f"ivr:{invitation.id}")
    assert theirs.last_answer is not None and theirs.last_answer.startswith("Not found")
    await theirs.press_data(f"iv:{athlete.id}")
    assert theirs.last_answer is not None and theirs.last_answer.startswith("Not found")
    await theirs.send(f"/invite {athlete.name}")
    assert "No athlete in your team matches" in theirs.last_text()
    for forged in ["ivr", "ivr:a:b", "iv"]:
        await theirs.press_data(forged)
        assert theirs.last_answer == "That button has expired. Send /start for a fresh menu."

    [still] = await invitations(harness)
    assert (still.revoked_at, still.accepted_at) == (None, None)
    assert len(await invitations(harness)) == 1
    maya = athlete_named(tg)
    await maya.open_link(link)
    assert "Welcome, Maya Lopez!" in maya.last_text()


# --- coaches who blocked the bot --------------------------------------------------------------


async def test_blocked_coach_is_marked_and_the_others_still_hear(harness: Harness) -> None:
    tg = harness.tg
    owner = await coach_with_athlete(harness)
    assistant = tg.user("assistant", first_name="Ash", username="ash_tg")
    await assistant.send("/help")
    [athlete] = await athletes_in_db(harness)
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        row = (
            await session.exec(select(User).where(col(User.telegram_user_id) == assistant.id))
        ).one()
        session.add(
            Membership(
                organization_id=athlete.organization_id, user_id=row.id, role=MembershipRole.COACH
            )
        )
        await session.commit()
    maya_link = await invite_from_card(owner)
    await add_athlete(owner, "Theo Park")
    theo_link = await invite_from_card(owner)
    owner.block_bot()

    maya = athlete_named(tg)
    await maya.open_link(maya_link)
    assert "Welcome, Maya Lopez!" in maya.last_text()
    assert "coached by Coach (@coach_tg) and Ash (@ash_tg)" in maya.last_text()
    assert assistant.last_text().startswith("🔗 Maya Lopez joined")
    assert (await user_row(harness, owner)).blocked_at is not None

    sends = len(harness.api.calls_of("sendMessage"))
    theo = athlete_named(tg, "theo", "Theo")
    await theo.open_link(theo_link)
    assert "Welcome, Theo Park!" in theo.last_text()
    assert assistant.last_text().startswith("🔗 Theo Park joined")
    # The blocked owner wasn't tried again: one message to Theo, one to the assistant.
    assert len(harness.api.calls_of("sendMessage")) == sends + 2
    linked = {a.name: a.linked_user_id for a in await athletes_in_db(harness)}
    assert all(linked.values())


async def test_invite_tapped_while_asked_for_a_team_name(harness: Harness) -> None:
    # An athlete who sent /start first is asked to name a team; the link makes them an
    # athlete, and their next message must not create a team.
    coach = await coach_with_athlete(harness)
    link = await invite_from_card(coach)
    maya = athlete_named(harness.tg)
    await maya.send("/start")
    assert "What's your team called?" in maya.last_text()
    await maya.open_link(link)
    assert "Welcome, Maya Lopez!" in maya.last_text()
    await maya.send("hello there")
    assert "You're an athlete of Northside Barbell" in maya.last_text()
    await maya.send("/athletes")
    assert "That's for coaches" in maya.last_text()
