"""/import, /export and files sent to the bot, through the real Application."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import col, select
from telegram.error import BadRequest, NetworkError

from bench.transfer_files import csv_bytes, roster_rows, xlsx_bytes, zip_bomb
from fake_telegram import LocalUser
from fake_telegram.server import MAX_DOWNLOAD_BYTES, StoredMessage
from storage.models import Athlete, Exercise, Organization, Program, ProgramEntry
from storage.models.training import Max, MaxSource
from storage.queries import training as training_queries
from storage.transfer.templates import roster_template
from tests.bot.conftest import Harness
from tests.bot.helpers import add_athlete, athletes_in_db, onboard_coach

ROOT = Path(__file__).resolve().parents[2]


def facts(athletes: list[Athlete]) -> list[tuple[object, ...]]:
    return sorted(
        (a.name, a.email, a.phone, a.birthdate, a.gender, a.notes, a.status) for a in athletes
    )


def csv_rows(message: StoredMessage) -> list[list[str]]:
    assert message.document_bytes is not None
    raw = message.document_bytes
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


async def test_a_500_row_roster_with_20_bad_rows_previews_then_imports_480(
    harness: Harness,
) -> None:
    coach = await onboard_coach(harness.tg)
    data = csv_bytes(roster_rows(500, bad_every=25), delimiter=";", encoding="cp1252")
    await coach.send_document(data, "roster.csv", mime_type="text/csv")
    preview = coach.last_message()
    text = preview.display_text
    assert "roster.csv" in text and "500 athlete rows" in text
    assert "480 new athletes" in text and "20 rows with problems" in text
    assert "Row 26, E-mail: That doesn't look like an email address" in text
    assert "… and 5 more problems" in text
    assert [b["text"] for row in preview.inline_keyboard for b in row] == [
        "✅ Import 480 athletes",
        "✖️ Cancel",
    ]
    problems = csv_rows(coach.bot_messages()[-2])
    assert problems[0] == ["Row", "Column", "Problem"]
    assert [int(row[0]) for row in problems[1:]] == list(range(26, 502, 25))
    assert await athletes_in_db(harness) == []  # nothing before Import

    await coach.press("✅ Import 480 athletes", message=preview)
    assert "Imported 480 athletes" in coach.last_text()
    assert "20 rows with problems: skipped" in coach.last_text()
    athletes = await athletes_in_db(harness)
    assert len(athletes) == 480
    assert any(a.name == "Athlete 0001 Müller" for a in athletes)  # Windows-1252 read right

    # The same file again adds nothing.
    await coach.send_document(data, "roster.csv")
    again = coach.last_text()
    assert "0 new athletes" in again and "480 athletes already in your team" in again
    assert not coach.last_message().has_inline_keyboard
    assert len(await athletes_in_db(harness)) == 480


async def test_import_pressed_twice_imports_once(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send_document(csv_bytes(roster_rows(3)), "r.csv")
    preview = coach.last_message()
    confirm = preview.inline_keyboard[0][0]["callback_data"]
    await coach.press("✅ Import 3 athletes", message=preview)
    # A second tap that raced the first edit (the button was still on screen).
    await coach.press_data(confirm, message=preview)
    assert "no longer open" in (coach.last_answer or "")
    assert len(await athletes_in_db(harness)) == 3


async def test_cancel_writes_nothing_and_closes_the_preview(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send_document(csv_bytes(roster_rows(3)), "r.csv")
    preview = coach.last_message()
    confirm = preview.inline_keyboard[0][0]["callback_data"]
    await coach.press("✖️ Cancel")
    assert "Nothing was added" in coach.last_text()
    await coach.press_data(confirm, message=preview)
    assert "no longer open" in (coach.last_answer or "")
    assert await athletes_in_db(harness) == []


async def test_a_newer_file_replaces_the_open_preview(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send_document(csv_bytes(roster_rows(3)), "first.csv")
    first = coach.last_message()
    await coach.send_document(csv_bytes(roster_rows(5)), "second.csv")
    await coach.press_data(first.inline_keyboard[0][0]["callback_data"], message=first)
    assert "no longer open" in (coach.last_answer or "")
    await coach.press("✅ Import 5 athletes")
    assert len(await athletes_in_db(harness)) == 5


async def test_xlsx_roster_and_the_import_template(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/import")
    help_text = coach.bot_messages()[-2].display_text
    assert "Import athletes (or maxes, or a program)" in help_text and "Email" in help_text
    template = coach.last_message()
    assert template.document is not None and template.document["file_name"] == "roster.csv"
    assert template.document_bytes == roster_template()
    assert (ROOT / "docs" / "examples" / "roster.csv").read_bytes() == roster_template()
    # The template, filled in as it is, imports.
    await coach.send_document(roster_template(), "roster.csv")
    await coach.press("✅ Import 3 athletes")
    names = [a.name for a in await athletes_in_db(harness)]
    assert names == ["Aiko Tanaka", "José Müller", "Maya Lopez"]
    data = xlsx_bytes({"Team": [["Full name", "DOB"], ["Ben Okafor", "2001-02-03"]]})
    await coach.send_document(data, "team.xlsx")
    assert "sheet Team" in coach.last_text()
    await coach.press("✅ Import 1 athlete")
    assert len(await athletes_in_db(harness)) == 4


async def test_export_then_reimport_into_a_new_team_reproduces_the_athletes(
    harness: Harness,
) -> None:
    coach = await onboard_coach(harness.tg)
    await add_athlete(coach, '=HYPERLINK("http://evil.example","x")', "evil@example.com")
    await coach.send_document(roster_template(), "roster.csv")
    await coach.press("✅ Import 3 athletes")
    await coach.send("/export")
    documents = coach.documents()[-5:]
    names = [d.document["file_name"] for d in documents if d.document]
    assert [name.split("-20")[0] for name in names] == ["northside-barbell"] * 5
    assert [table_of(d) for d in documents[:4]] == [
        "athletes.csv",
        "maxes.csv",
        "programs.csv",
        "training-logs.csv",
    ]
    assert names[4].endswith(".xlsx")
    documents = [documents[0], documents[4]]
    assert "Export of Northside Barbell" in coach.last_text()
    rows = csv_rows(documents[0])
    assert rows[0][0] == "Name"
    assert '\'=HYPERLINK("http://evil.example","x")' in [row[0] for row in rows]
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert documents[1].document_bytes is not None
    workbook = load_workbook(io.BytesIO(documents[1].document_bytes))
    evil = workbook["Athletes"]["A2"]
    assert evil.value == '=HYPERLINK("http://evil.example","x")' and evil.data_type == "s"
    with zipfile.ZipFile(io.BytesIO(documents[1].document_bytes)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()

    before = await athletes_in_db(harness)
    other = await onboard_coach(harness.tg, "other", "Second Team")
    assert documents[0].document_bytes is not None
    await other.send_document(documents[0].document_bytes, "export.csv")
    await other.press("✅ Import 4 athletes")
    after = await athletes_in_db(harness)
    copies = [a for a in after if a.organization_id != before[0].organization_id]
    assert facts(copies) == facts(before)
    # And the workbook too, into a third team.
    third = await onboard_coach(harness.tg, "third", "Third Team")
    await third.send_document(documents[1].document_bytes, "export.xlsx")
    await third.press("✅ Import 4 athletes")
    assert len(await athletes_in_db(harness)) == 12


BAD_FILES = [
    (b"", "empty.csv", "That file is empty"),
    (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "photo.csv", "isn't a spreadsheet"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "roster.pdf", "isn't a spreadsheet"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "roster.xls", "old Excel file"),
    (b"PK\x03\x04broken", "roster.xlsx", "seems damaged"),
    (b"Team,Coach\r\nA,B\r\n", "teams.csv", "couldn't find the column names"),
    (b"Name,Email\r\n", "header.csv", "no athletes under them"),
    (csv_bytes([["Name"] + ["x"] * 9_999, ["Maya"]]), "wide.csv", "Row 1 has 10,000 columns"),
    (csv_bytes([["Name", "Notes"], ["Maya", "x" * 1024 * 1024]]), "long.csv", "Row 2 is"),
]


@pytest.mark.parametrize(("data", "name", "expected"), BAD_FILES, ids=[n for _, n, _ in BAD_FILES])
async def test_bad_files_get_a_clear_answer_and_write_nothing(
    harness: Harness, data: bytes, name: str, expected: str
) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send_document(data, name)
    answer = coach.last_text()
    assert expected in answer and "Nothing was added" in answer
    assert not coach.last_message().has_inline_keyboard
    assert await athletes_in_db(harness) == []


async def test_a_zip_bomb_is_refused_without_opening_it(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send_document(zip_bomb(120), "roster.xlsx")
    assert "unpacks to far more data" in coach.last_text()
    assert await athletes_in_db(harness) == []


async def test_a_file_over_20_mb_is_refused_without_downloading(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send_document(b"Name\r\n" + b"A" * MAX_DOWNLOAD_BYTES, "huge.csv")
    assert "too big (20.0 MB)" in coach.last_text() and "up to 20.0 MB" in coach.last_text()
    assert harness.api.calls_of("getFile") == []


async def test_the_fake_refuses_what_telegram_refuses(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    message = harness.api.record_user_document(
        coach.id, b"x" * (MAX_DOWNLOAD_BYTES + 1), file_name="big.csv"
    )
    assert message.document is not None
    with pytest.raises(BadRequest, match="too big"):
        await harness.app.bot.get_file(message.document["file_id"])
    with pytest.raises(NetworkError, match=r"(?i)too large"):
        await harness.app.bot.send_document(coach.chat_id, b"x" * (50 * 1024 * 1024 + 1))
    with pytest.raises(BadRequest, match="empty"):
        await harness.app.bot.send_document(coach.chat_id, b"")


async def athlete_of(harness: Harness, coach: LocalUser) -> LocalUser:
    await add_athlete(coach, "Maya Lopez")
    await coach.send("/invite Maya Lopez")
    link = next(word for word in coach.bot_messages()[-1].display_text.split() if "start=" in word)
    athlete = harness.tg.user("maya")
    await athlete.open_link(link)
    assert "Welcome" in athlete.last_text()
    return athlete


async def test_files_from_athletes_and_strangers_are_refused(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    athlete = await athlete_of(harness, coach)
    stranger = harness.tg.user("stranger")
    for person in (athlete, stranger):
        await person.send_document(roster_template(), "roster.csv")
        assert "Only coaches can import files" in person.last_text()
        await person.send("/export")
        assert "That's for coaches" in person.last_text()
    assert [a.name for a in await athletes_in_db(harness)] == ["Maya Lopez"]
    assert harness.api.calls_of("getFile") == []


async def test_a_file_in_the_middle_of_a_form_is_answered_by_the_form(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send("/addathlete")
    await coach.send_document(roster_template(), "roster.csv")
    assert "text message" in coach.last_text()
    await coach.send("Maya Lopez")
    assert "email" in coach.last_text()
    assert await athletes_in_db(harness) == []


@pytest.mark.parametrize("privacy", [True, False], ids=["privacy mode", "sees all"])
async def test_files_and_exports_in_a_group_reveal_nothing(harness: Harness, privacy: bool) -> None:
    coach = await onboard_coach(harness.tg)
    await add_athlete(coach, "Maya Lopez", "maya@example.com")
    group = harness.tg.group("Northside lifters", [coach], privacy=privacy)
    private_before = len(coach.bot_messages())
    delivered = await coach.send_document(roster_template(), "roster.csv", group=group)
    assert (delivered is None) is privacy  # privacy mode: Telegram doesn't hand it over
    assert group.bot_messages() == []  # group chatter, even a file, is not for the bot
    for command in ("/export", "/import"):
        await coach.say(group, command)
        assert "private chats only" in group.last_text()
    assert [m for m in group.bot_messages() if m.document is not None] == []
    assert "maya" not in " ".join(m.display_text.lower() for m in group.bot_messages())
    assert len(coach.bot_messages()) == private_before
    assert harness.api.calls_of("getFile") == [] and harness.api.calls_of("sendDocument") == []
    assert [a.name for a in await athletes_in_db(harness)] == ["Maya Lopez"]


async def record_maxes(harness: Harness, rows: list[tuple[str, str, float, date, str]]) -> None:
    """Maxes on record for the first team's athletes, through the storage functions."""
    database = harness.app.bot_data["spotter.db"]
    async with database.sessions() as session, session.begin():
        for athlete_name, exercise_name, kg, day, source in rows:
            athlete = (
                await session.exec(select(Athlete).where(col(Athlete.name) == athlete_name))
            ).first()
            exercise = (
                await session.exec(
                    select(Exercise).where(
                        col(Exercise.name) == exercise_name, col(Exercise.organization_id).is_(None)
                    )
                )
            ).one()
            assert athlete is not None
            await training_queries.record_max(
                session,
                organization_id=athlete.organization_id,
                athlete_id=athlete.id,
                exercise_id=exercise.id,
                kg=kg,
                measured_on=day,
                source=MaxSource(source),
            )


async def maxes_facts(harness: Harness) -> dict[str, list[tuple[object, ...]]]:
    """Each team's maxes as (athlete, exercise, kg, date, source), by team name."""
    database = harness.app.bot_data["spotter.db"]
    async with database.sessions() as session:
        rows = await session.exec(
            select(Organization.name, Athlete.name, Exercise.name, Max)
            .join(Athlete, col(Athlete.id) == col(Max.athlete_id))
            .join(Exercise, col(Exercise.id) == col(Max.exercise_id))
            .join(Organization, col(Organization.id) == col(Max.organization_id))
        )
        facts: dict[str, list[tuple[object, ...]]] = {}
        for team, athlete, exercise, entry in rows.all():
            facts.setdefault(team, []).append(
                (athlete, exercise, entry.kg, entry.measured_on, entry.source)
            )
        return {team: sorted(items) for team, items in facts.items()}


async def test_an_export_reimported_reproduces_athletes_and_maxes(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await coach.send_document(roster_template(), "roster.csv")
    await coach.press("✅ Import 3 athletes")
    await record_maxes(
        harness,
        [
            ("Maya Lopez", "Back Squat", 142.5, date(2026, 10, 1), "tested"),
            ("Maya Lopez", "Back Squat", 147.5, date(2026, 11, 1), "coach"),
            ("José Müller", "Deadlift", 200.0, date(2026, 9, 9), "estimated"),
            ("Aiko Tanaka", "Bench Press", 61.25, date(2026, 8, 1), "coach"),
        ],
    )
    await coach.send("/export")
    files = {table_of(d): d for d in coach.documents()[-5:]}
    athletes_csv, maxes_csv = files["athletes.csv"], files["maxes.csv"]
    assert "Maxes: 4 rows" in maxes_csv.display_text

    other = await onboard_coach(harness.tg, "other", "Second Team")
    assert athletes_csv.document_bytes is not None and maxes_csv.document_bytes is not None
    await other.send_document(athletes_csv.document_bytes, "athletes.csv")
    await other.press("✅ Import 3 athletes")
    await other.send_document(maxes_csv.document_bytes, "maxes.csv")
    preview = other.last_text()
    assert "4 maxes to record" in preview and "Weights read in kg" in preview
    await other.press("✅ Record 4 maxes")
    assert "Recorded 4 maxes" in other.last_text()
    maxes = await maxes_facts(harness)
    assert len(maxes["Northside Barbell"]) == 4
    assert maxes["Second Team"] == maxes["Northside Barbell"]
    athletes = await athletes_in_db(harness)
    first_team = [a for a in athletes if a.organization_id == athletes[0].organization_id]
    second_team = [a for a in athletes if a.organization_id != athletes[0].organization_id]
    assert len(first_team) == 3 and facts(first_team) == facts(second_team)
    # Sending the maxes again records nothing.
    await other.send_document(maxes_csv.document_bytes, "maxes.csv")
    assert "4 maxes already on record" in other.last_text()
    assert not other.last_message().has_inline_keyboard


def table_of(message: StoredMessage) -> str:
    """ "athletes.csv" of "northside-barbell-2026-11-30-athletes.csv"."""
    assert message.document is not None
    return re.sub(r"^.*-\d{4}-\d{2}-\d{2}-", "", message.document["file_name"])


async def test_maxes_that_cannot_be_resolved_are_listed(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    await add_athlete(coach, "Maya Lopez", "maya@example.com")
    data = csv_bytes(
        [
            ["Email", "Lift", "1RM (lb)", "Date"],
            ["maya@example.com", "RDL", "315", "2026-11-02"],
            ["nobody@example.com", "Back Squat", "300", "2026-11-02"],
            ["maya@example.com", "Zzxqv Wibble", "100", "2026-11-02"],
            ["maya@example.com", "Back Squat", "heavy", "2026-11-02"],
        ]
    )
    await coach.send_document(data, "maxes.csv")
    text = coach.last_text()
    assert "1 max to record" in text and "3 rows with problems" in text
    assert "Row 3, Email: no athlete “nobody@example.com” in your team" in text
    assert "Row 4, Lift: “Zzxqv Wibble” isn't in the exercise library" in text
    assert "Row 5, 1RM (lb): “heavy” isn't a weight" in text
    assert "Weights read in lb (from the column name)" in text
    assert await maxes_facts(harness) == {}
    await coach.press("✅ Record 1 max")
    facts = await maxes_facts(harness)
    [(athlete, exercise, kg, day, source)] = facts["Northside Barbell"]
    assert (athlete, exercise, day) == ("Maya Lopez", "Romanian Deadlift", date(2026, 11, 2))
    assert source is MaxSource.COACH
    assert round(kg, 2) == round(315 * 0.45359237, 2)


async def test_a_program_sheet_becomes_a_program(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    sheet = [
        ["Week", "Day", "Session", "Group", "Exercise", "Prescription"],
        ["1", "Mon", "Lower", "A1", "Back Squat", "5x5 @ 80%, rest 3min"],
        ["1", "Mon", "Lower", "A2", "RDL", "3x8 @ RPE 7"],
        ["1", "Thu", "Upper", "", "Bench Press", "4x6 @ 75%"],
        ["2", "Someday", "", "", "Bench Press", "4x6"],
        ["2", "Mon", "", "", "Bench Press", "lots"],
    ]
    await coach.send_document(csv_bytes(sheet), "Hypertrophy block.csv")
    text = coach.last_text()
    assert "1 program to create" in text
    assert "• Hypertrophy block: 1 week, 2 sessions, 3 exercises" in text
    assert "Row 5, Day: “Someday” isn't a day" in text
    assert "Row 6, Prescription: I couldn't read" in text
    await coach.press("✅ Create 1 program")
    assert "Created 1 program with 3 exercises" in coach.last_text()
    async with harness.app.bot_data["spotter.db"].sessions() as session:
        programs = (await session.exec(select(Program))).all()
        entries = (await session.exec(select(ProgramEntry))).all()
    assert [(p.name, p.weeks) for p in programs] == [("Hypertrophy block", 1)]
    assert len(entries) == 3
    # The same file again creates nothing.
    await coach.send_document(csv_bytes(sheet), "Hypertrophy block.csv")
    assert "already has a program “Hypertrophy block”" in coach.last_text()
    assert not coach.last_message().has_inline_keyboard


async def test_a_header_of_long_unknown_columns_still_gets_a_preview(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    header = ["Name", *(f"{n} " + "very long column title " * 8 for n in range(80))]
    data = csv_bytes([header, ["Maya Lopez", *(["x"] * 80)]])
    await coach.send_document(data, "wide.csv")
    text = coach.last_text()
    assert "1 new athlete" in text and "and 70 more" in text
    assert len(text) < 4096


async def test_a_workbook_names_its_other_sheets(harness: Harness) -> None:
    coach = await onboard_coach(harness.tg)
    data = xlsx_bytes(
        {
            "Athletes": [["Name", "Email"], ["Maya Lopez", "maya@example.com"]],
            "Maxes": [["Athlete", "Exercise", "kg"], ["Maya Lopez", "Back Squat", 140]],
            "Notes": [["Anything"], ["else"]],
        }
    )
    await coach.send_document(data, "team.xlsx")
    text = coach.last_text()
    assert "1 new athlete" in text and "This workbook also has Maxes." in text
