"""The roster's screens and the athlete card, word for word and button for button.

roster_views.golden.json was recorded from the bot before the roster page and the card were read
in one statement each (commit cfc19de, the many-query reads); the screens must not change. To
record it again after an intended change of wording: SPOTTER_RECORD_GOLDEN=1 pytest this file
(on SQLite), then read the diff.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bot import callbacks as cb
from fake_telegram import LocalUser
from storage.models import Athlete, AthleteGender, AthleteInvitation, AthleteStatus, Membership
from storage.queries import athletes as q
from storage.queries import programs
from storage.queries.users import upsert_user
from storage.schemas import AthleteCreate
from tests.bot.conftest import Harness
from tests.bot.helpers import onboard_coach

GOLDEN = Path(__file__).with_name("roster_views.golden.json")
ADDED = datetime(2024, 3, 9, 12, 0, tzinfo=UTC)  # every athlete's created_at: "added 09 Mar 2024"


async def seed(harness: Harness) -> dict[str, str]:
    """A team with namesakes (told apart by email, birth year, phone, date added) across pages
    and statuses, linked accounts, a live invite and a program. Athlete ids by name."""
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        seat_org = (await session.exec(sa.select(Membership.organization_id))).one()[0]
        people: list[tuple[str, AthleteStatus, dict[str, Any]]] = [
            ("Zoë Li", AthleteStatus.ACTIVE, {"email": "zoe@x.io"}),
            ("zoe li", AthleteStatus.ARCHIVED, {"birthdate": date(2001, 5, 1)}),
            ("ZOE LI", AthleteStatus.INACTIVE, {"phone": "+14155550123"}),
            ("Zoe  Li", AthleteStatus.ACTIVE, {}),
            ("Maya Lopez", AthleteStatus.ACTIVE, {"email": "maya@x.io", "notes": "left knee"}),
            ("Ben Ode", AthleteStatus.ACTIVE, {"gender": AthleteGender.MALE}),
            ("Cleo <Ray>", AthleteStatus.INACTIVE, {"birthdate": date(1999, 12, 31)}),
            *((f"Athlete {n:02d}", AthleteStatus.ACTIVE, {}) for n in range(9)),
            ("Athlete 03", AthleteStatus.ARCHIVED, {"email": "a3@x.io"}),
        ]
        ids: dict[str, str] = {}
        for n, (name, status, fields) in enumerate(people):
            athlete = await q.create_athlete(  # fixed ids: namesakes are sorted by id
                session,
                organization_id=seat_org,
                data=AthleteCreate(name=name, **fields),
                athlete_id=f"golden-{n:02d}",
            )
            athlete.status = status
            session.add(athlete)
            ids.setdefault(name, athlete.id)
        await session.flush()
        await session.execute(sa.update(Athlete).values(created_at=ADDED))
        named = await upsert_user(
            session, telegram_user_id=9001, username="maya_l", display_name="Maya L"
        )
        unnamed = await upsert_user(session, telegram_user_id=9002, display_name="Ben <O>")
        for name, user in (("Maya Lopez", named), ("Ben Ode", unnamed)):
            await q.link_athlete(
                session, organization_id=seat_org, athlete_id=ids[name], user_id=user.id
            )
        session.add(
            AthleteInvitation(
                athlete_id=ids["Zoë Li"],
                organization_id=seat_org,
                token_hash="golden",
                created_at=ADDED,
                expires_at=datetime(2099, 1, 2, 15, 30, tzinfo=UTC),
            )
        )
        program = await programs.create_program(
            session, organization_id=seat_org, name="Base <block>", weeks=4
        )
        await programs.add_session(
            session, organization_id=seat_org, program_id=program.id, week=1, weekday=3, title="A"
        )
        await programs.assign_program(
            session,
            organization_id=seat_org,
            program_id=program.id,
            athlete_ids=[ids["Maya Lopez"]],
            start_date=date(2099, 1, 5),  # the next session stays the first one
        )
        await session.commit()
    return ids


def screen(coach: LocalUser, names: dict[str, str]) -> dict[str, Any]:
    message = coach.last_message()
    markup = json.dumps(message.reply_markup, ensure_ascii=False, sort_keys=True)
    for name, athlete_id in names.items():
        markup = markup.replace(athlete_id, f"<id of {name}>")
    html = re.sub(r"\(\d+ years\)", "(N years)", coach.last_html())  # ages grow
    return {"html": html, "markup": json.loads(markup)}


async def test_roster_and_card_screens_are_unchanged(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    ids = await seed(harness)
    seen: dict[str, Any] = {}

    async def look(label: str) -> None:
        seen[label] = screen(coach, ids)

    await coach.send("/athletes")
    await look("/athletes")
    await coach.press("Next ▶️")
    await look("next page")
    await coach.press("Next ▶️")
    await look("wrapped to the first page")
    for view in ("All", "Archived", "Inactive", "Active"):
        await coach.press(next(b for b in coach.buttons() if b.endswith(view)))
        await look(f"view {view}")
    await coach.press_data(
        cb.RosterPage(view="cur", offset=90, query=False).pack()
    )  # a stale offset past the end
    await look("stale offset")
    for name in ("Maya Lopez", "Ben Ode", "Zoë Li", "Cleo <Ray>", "Athlete 00"):
        await coach.press_data(cb.AthleteCard(athlete=ids[name]).pack())
        await look(f"card of {name}")
    await coach.press_data(cb.AthleteCard(athlete=ids["Maya Lopez"]).pack())
    await coach.press("✏️ Edit")
    await look("edit menu of Maya Lopez")
    await coach.press("⬅️ Back")
    await look("back to the card of Maya Lopez")
    await coach.press("⬅️ Back to roster")
    await look("back to roster")
    await coach.send("/athletes zoe")
    await look("/athletes zoe")
    await coach.press("Archived")
    await look("/athletes zoe, archived")
    await coach.send("/athletes nobody")
    await look("/athletes nobody")
    await coach.press_data(cb.AthleteCard(athlete="no-such-athlete").pack())
    seen["forged card"] = coach.last_answer
    if os.environ.get("SPOTTER_RECORD_GOLDEN"):
        GOLDEN.write_text(json.dumps(seen, ensure_ascii=False, indent=1) + "\n")
    golden = json.loads(GOLDEN.read_text())
    assert list(seen) == list(golden)
    for label, expected in golden.items():
        assert seen[label] == expected, label


async def test_an_empty_roster(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/athletes")
    assert coach.last_html() == (
        "👥 <b>Your athletes</b> (active and inactive)\nActive 0 · Inactive 0 · Archived 0\n\n"
        "No athletes here yet. Add one with /addathlete."
    )
    assert coach.keyboard() == [
        ["• Current", "All"],
        ["Active", "Inactive", "Archived"],
        ["➕ Add athlete"],
    ]
