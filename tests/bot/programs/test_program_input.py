"""Bad input, unsure names, edits and forged buttons in the program builder: every input is
answered, the step stays where it was, and nothing is written before Save."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from bot.programs.sessions import MESSAGE_LIMIT, split_title
from fake_telegram import LocalUser
from storage.models import Exercise, Organization, Program, ProgramEntry, ProgramSession
from storage.prescriptions import ParsedSession, parse_session
from storage.validation import utf16_len
from tests.bot.conftest import Harness
from tests.bot.helpers import onboard_coach


async def count(harness: Harness, model: type) -> int:
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        return (await session.exec(select(func.count()).select_from(model))).one()


async def to_session_step(coach: LocalUser, days: tuple[str, ...] = ("Mon",)) -> None:
    await coach.send("/newprogram")
    await coach.send("Block")
    await coach.press("4")
    for day in days:
        await coach.press(day)
    await coach.press("Done ➡️")
    assert "Type or paste it" in coach.last_text()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("🏋️🔥", "Line 1"),
        ("Squat 3x5,5", "reps are whole numbers, and “5,5” isn't one"),
        ("Squat 5x5 @ 225lb", "isn't in your team's unit. Write it like @ 102.1kg"),
        ("Squat five by five", "can't find the sets and reps"),
        ("Squat 5x5 @ 80", "needs a unit"),
        ("\n".join(["Squat 5x5"] * 200), "at most 40 exercises; that text has 200 lines"),
        ("Back squat 5x5\n\nBench 5x5 @ RPE 12\nRow", "Line 3"),
        ("Lower A:", "That session is empty"),
        ("<b>Squat</b> 5x5", "Line 1"),
    ],
)
async def test_bad_session_text_is_answered_and_the_step_stays(
    harness: Harness, text: str, expected: str
) -> None:
    coach = await onboard_coach(harness.tg)
    await to_session_step(coach)
    await coach.send(text)
    answer = coach.last_text()
    assert "nothing was saved" in answer or "empty" in answer, answer
    assert expected in answer, answer
    # Still at the same step: a good session goes on to the preview.
    await coach.send("Back squat 5x5 @ 80%")
    assert "Preview: Block" in "\n".join(m.display_text for m in coach.bot_messages()[-3:])
    assert await count(harness, Program) == 0


async def test_bad_name_weeks_and_no_days(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/newprogram")
    await coach.send("1234")
    assert "at least one letter" in coach.last_text()
    await coach.send("Block")
    for bad in ("0", "53", "four", "2.5"):
        await coach.send(bad)
        assert "whole number from 1 to 52" in coach.last_text()
    await coach.send("2")
    await coach.press("Done ➡️")
    assert coach.last_answer == "Pick at least one weekday, then tap Done."
    await coach.send("Mon")
    assert "buttons above" in coach.last_text()  # text at a button step: use the buttons
    await coach.send("/cancel")
    assert await count(harness, Program) == 0


async def test_unsure_names_settled_with_buttons_and_a_new_team_exercise(
    harness: Harness,
) -> None:
    coach = await onboard_coach(harness.tg)
    await to_session_step(coach)
    before = await count(harness, Exercise)
    await coach.send("A. Row 3x10 @ 60kg\nB. Quokka press 3x8\nC. Qwzx 3x5\nD. Row 3x12")
    assert "Line 1: “Row” could be several exercises" in coach.last_text()
    await coach.press("Barbell Row")
    assert "Line 2: “Quokka press”" in coach.last_text()
    await coach.press("➕ Create as our exercise")
    assert "movement pattern" in coach.last_text()
    await coach.press("Push")
    assert "Line 3: I don't know an exercise called “Qwzx”" in coach.last_text()
    await coach.press("✏️ Type again")
    assert "Send the exercise name for line 3" in coach.last_text()
    await coach.send("🔥")
    assert "at least one letter" in coach.last_text()
    await coach.send("Front squat")
    preview = "\n".join(m.display_text for m in coach.bot_messages()[-3:])
    # Line 4 named the same "Row": settled once for both.
    assert preview.count("Barbell Row") >= 2 and "exercises on save: Quokka press" in preview
    assert "Front Squat" in preview
    assert await count(harness, Exercise) == before  # nothing written yet
    await coach.press("✅ Save")
    assert await count(harness, Exercise) == before + 1
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        created = (
            await session.exec(select(Exercise).where(col(Exercise.name) == "Quokka press"))
        ).one()
        assert created.organization_id is not None
        assert (await session.exec(select(func.count()).select_from(ProgramEntry))).one() == 4


async def test_edit_a_session_from_its_shorthand(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await to_session_step(coach)
    await coach.send("Lower A:\nA1. Back squat 5x5 @ 100kg\nA2. Plank 3x45s")
    await coach.press("✅ Save")
    await coach.press("Mon · Lower A")
    shown = coach.last_text()
    assert "Lower A:\nA1. Back Squat 5x5 @ 100kg\nA2. Plank 3x45s" in shown, shown
    await coach.press("✏️ Edit")
    asked = coach.last_message()  # the question and the session to copy, in one message
    assert "copy the text below" in asked.display_text
    pre = next(e for e in asked.entities if e["type"] == "pre")
    copy = asked.display_text.encode("utf-16-le")[
        2 * pre["offset"] : 2 * (pre["offset"] + pre["length"])
    ].decode("utf-16-le")
    assert copy == "Lower A:\nA1. Back Squat 5x5 @ 100kg\nA2. Plank 3x45s"
    await coach.send(copy.replace("100kg", "102,5kg") + "\nB. RDL 3x8 -- easy")
    assert "Save it?" in coach.last_text()
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        entries = (await session.exec(select(ProgramEntry))).all()
        assert len(entries) == 2  # the preview wrote nothing
    await coach.press("✅ Save")
    shown = coach.last_text()
    assert "A1. Back Squat 5x5 @ 102.5kg" in shown and "B. Romanian Deadlift 3x8 -- easy" in shown


async def test_add_and_remove_a_session_and_cancel_an_edit(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await to_session_step(coach)
    await coach.send("Back squat 5x5")
    await coach.press("✅ Save")
    await coach.press("➕ Add session")
    await coach.press("Thu")
    assert "Thursday of week 1" in coach.last_text()
    await coach.send("Bench press 3x5 @ 80%")
    await coach.press("✅ Save")
    assert await count(harness, ProgramSession) == 2
    await coach.press("🗑 Remove")
    assert "can't be undone" in coach.last_text()
    await coach.press("🗑 Remove")
    assert await count(harness, ProgramSession) == 1
    await coach.press("Mon")
    await coach.press("✏️ Edit")
    await coach.send("/cancel")
    assert await count(harness, ProgramEntry) == 1


async def test_a_long_session_is_split_never_cut(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await to_session_step(coach)
    note = "keep the bar path over mid-foot and brace before every single rep " * 2
    lines = [
        f"Back squat {n % 9 + 1}x5 @ {60 + n}kg, tempo 31X1, rest 2min -- {note}" for n in range(40)
    ]
    first = len(coach.bot_messages())
    await coach.send("\n".join(lines))
    preview = coach.bot_messages()[first:]
    assert len(preview) >= 3
    assert all(utf16_len(m.text or "") <= MESSAGE_LIMIT + 100 for m in preview)
    joined = "\n".join(m.display_text for m in preview)
    for n in range(40):
        assert f"@ {60 + n}kg" in joined
    await coach.press("✅ Save")
    assert await count(harness, ProgramEntry) == 40


async def test_a_pound_team_types_pounds(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        team = (await session.exec(select(Organization))).one()
        team.weight_unit = "lb"
        session.add(team)
        await session.commit()
    await to_session_step(coach)
    await coach.send("Back squat 5x5 @ 100kg")
    assert "Write it like @ 220.5lb" in coach.last_text()
    await coach.send("Back squat 5x5 @ 225lb")
    await coach.press("✅ Save")
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        entry = (await session.exec(select(ProgramEntry))).one()
        assert entry.read_prescription().sets[0].kg == pytest.approx(102.058, abs=0.001)
    await coach.press("Mon")
    assert "Back Squat 5x5 @ 225lb" in coach.last_text()


async def test_forged_and_other_teams_buttons_are_not_found(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await to_session_step(coach)
    await coach.send("Back squat 5x5")
    await coach.press("✅ Save")
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        program = (await session.exec(select(Program))).one()
        slot = (await session.exec(select(ProgramSession))).one()
    rival = await onboard_coach(harness.tg, "rival", "Rivals")
    for data in (
        f"pgc:{program.id}:1",
        f"pgs:{slot.id}",
        f"pge:{slot.id}",
        f"pgry:{slot.id}",
        f"pgx:{program.id}:1",
        f"pgp:{program.id}",
        f"pgas:{program.id}",
        f"pgk:{program.id}:1",
    ):
        await rival.press_data(data, message=rival.last_message())
        assert rival.last_answer is not None and "Not found" in rival.last_answer, data
    await rival.press_data("pgc:nonexistent:99", message=rival.last_message())
    assert await count(harness, ProgramSession) == 1
    assert await count(harness, Program) == 1


def test_the_readme_example_reads() -> None:
    readme = (Path(__file__).parents[3] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Programming shorthand", 1)[1]
    example = re.search(r"```\n(.*?)```", section, re.S)
    assert example is not None
    title, body = split_title(example.group(1))
    assert title == "Lower A"
    parsed = parse_session(body)
    assert isinstance(parsed, ParsedSession), parsed
    assert len(parsed.entries) == 8


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Lower A:\nSquat 5x5", "Lower A"),
        ("\n  Day 1 :\nSquat 5x5", "Day 1"),
        ("Squat 5x5:\nBench 5x5", None),
        ("Squat 5x5", None),
        ("Week 2 - heavy:", "Week 2 - heavy"),
    ],
)
def test_a_first_line_ending_in_a_colon_is_the_title(text: str, title: str | None) -> None:
    found, rest = split_title(text)
    assert found == title
    assert len(rest.split("\n")) == len(text.split("\n"))  # line numbers stay true


async def test_an_edited_message_is_not_read_as_the_next_answer(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await to_session_step(coach, days=("Mon", "Wed"))
    await coach.send("Back squat 5x5")
    assert "Wednesday" in coach.last_text()
    data = harness.tg.message_update_data(coach, "Back squat 5x5 @ 100kg")
    message = data.pop("message")
    data["edited_message"] = {**message, "edit_date": message["date"] + 5}
    await harness.tg.deliver(data)
    assert "not edits of sent ones" in coach.last_text()
    await coach.send("Bench press 3x5")
    assert "Preview: Block" in "\n".join(m.display_text for m in coach.bot_messages()[-5:])


async def test_an_exercise_removed_before_save_saves_nothing(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        team = (await session.exec(select(Organization))).one()
        session.add(
            Exercise(
                id="tmp-exercise",
                organization_id=team.id,
                name="Zercher hold",
                movement_pattern="carry",
                equipment="barbell",
            )
        )
        await session.commit()
    await to_session_step(coach)
    await coach.send("Zercher hold 3x20s\nBack squat 5x5")
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        gone = await session.get(Exercise, "tmp-exercise")
        await session.delete(gone)
        await session.commit()
    await coach.press("✅ Save")
    assert coach.last_answer is not None and "Nothing was saved" in coach.last_answer
    assert await count(harness, Program) == 0
    assert await count(harness, ProgramSession) == 0


@pytest.mark.parametrize("abrupt", [False, True])
async def test_a_restart_mid_program_keeps_the_draft(harness: Harness, abrupt: bool) -> None:
    coach = await onboard_coach(harness.tg)
    await to_session_step(coach, days=("Mon", "Thu"))
    await coach.send("Lower:\nBack squat 5x5 @ 100kg")
    await harness.restart(abrupt=abrupt)
    await coach.send("Upper:\nBench press 5x5 @ 80kg")
    preview = "\n".join(m.display_text for m in coach.bot_messages()[-6:])
    assert "Back Squat" in preview and "Bench Press" in preview
    await coach.press("✅ Save")
    assert await count(harness, ProgramSession) == 2
