"""Reading spreadsheets people send: formats, encodings, headers, limits (pure, no database)."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.transfer_files import csv_bytes, xlsx_bytes, zip_bomb
from storage.models.enums import AthleteGender, AthleteStatus
from storage.transfer import reading
from storage.transfer.cells import neutralize_text, restore_text
from storage.transfer.reading import FileProblem, FileProblemKind, open_spreadsheet
from storage.transfer.roster import (
    ParsedRoster,
    RosterField,
    RowProblemCode,
    parse_roster,
)

TODAY = date(2026, 11, 30)


def roster_of(data: bytes, filename: str = "roster.csv") -> ParsedRoster | FileProblem:
    spreadsheet = open_spreadsheet(data, filename=filename)
    if isinstance(spreadsheet, FileProblem):
        return spreadsheet
    return parse_roster(spreadsheet, phone_region="US", today=TODAY)


def parsed(data: bytes, filename: str = "roster.csv") -> ParsedRoster:
    roster = roster_of(data, filename)
    assert isinstance(roster, ParsedRoster), roster
    return roster


def refused(data: bytes, filename: str = "roster.csv") -> FileProblem:
    roster = roster_of(data, filename)
    assert isinstance(roster, FileProblem), roster
    return roster


ACCENTED = [
    ["Name", "Email", "Phone", "DOB", "Sex"],
    ["José Müller", "jose@example.com", "+34 612 345 678", "21.07.2004", "M"],
    ["Zoë Ångström", "zoe@example.com", "", "2001-02-03", "female"],
]


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8-sig", ","), ("utf-8", ";"), ("cp1252", ";"), ("cp1252", ","), ("utf-16", "\t")],
)
def test_encodings_and_delimiters_read_the_same(encoding: str, delimiter: str) -> None:
    roster = parsed(csv_bytes(ACCENTED, delimiter=delimiter, encoding=encoding))
    assert not roster.problems
    first, second = (row.athlete for row in roster.rows)
    assert first.name == "José Müller" and second.name == "Zoë Ångström"
    assert first.phone == "+34612345678" and first.birthdate == date(2004, 7, 21)
    assert first.gender is AthleteGender.MALE and second.gender is AthleteGender.FEMALE
    assert [row.row for row in roster.rows] == [2, 3]


def test_non_latin_names_in_utf8() -> None:
    rows = [["Name", "Email"], ["Алексей Смирнов", "a@example.com"], ["佐藤 花子", "h@example.com"]]
    roster = parsed(csv_bytes(rows, encoding="utf-8"))
    assert [row.athlete.name for row in roster.rows] == ["Алексей Смирнов", "佐藤 花子"]


def test_headers_in_any_order_and_case_with_unknown_columns_ignored() -> None:
    rows = [
        ["  SEX ", "Team", "DATE OF BIRTH", "e-mail", "Phone Number", "FULL NAME"],
        ["f", "Varsity", "03/02/2001", "MAYA@Example.com", "(415) 555-0123", " Maya   Lopez "],
    ]
    roster = parsed(csv_bytes(rows))
    assert roster.header.ignored == ["Team"]
    (row,) = roster.rows
    athlete = row.athlete
    assert athlete.name == "Maya Lopez"
    assert athlete.email == "MAYA@example.com"
    assert athlete.phone == "+14155550123"  # the team's region reads numbers without +1
    assert athlete.birthdate == date(2001, 2, 3)
    assert athlete.gender is AthleteGender.FEMALE


def test_first_and_last_name_columns_make_the_name() -> None:
    rows = [["First name", "Last name", "Email"], ["Maya", "Lopez", "maya@example.com"]]
    assert parsed(csv_bytes(rows)).rows[0].athlete.name == "Maya Lopez"


def test_title_rows_above_the_header_are_skipped_and_row_numbers_stay_true() -> None:
    rows = [["Northside roster 2026"], [], ["Name", "Email"], ["Maya", "bad"], ["Ben", "b@x.io"]]
    roster = parsed(csv_bytes(rows))
    assert roster.header.row == 3
    assert [(p.row, p.field) for p in roster.problems] == [(4, RosterField.EMAIL)]
    assert [row.row for row in roster.rows] == [5]


def test_every_problem_has_row_column_and_reason() -> None:
    rows = [
        ["Name", "E-mail", "Phone", "DOB", "Sex", "Status"],
        ["", "x@example.com", "", "", "", ""],
        ["Bad Mail", "not-an-email", "", "", "", ""],
        ["Bad Phone", "", "12", "", "", ""],
        ["Future", "", "", "2099-01-01", "", ""],
        ["Unreadable", "", "", "someday", "", ""],
        ["Odd Sex", "", "", "", "robot", ""],
        ["Odd Status", "", "", "", "", "sleeping"],
        ["Two Things", "nope", "12", "", "", ""],
        ["1234", "", "", "", "", ""],
        ["Good", "good@example.com", "", "", "", "archived"],
    ]
    roster = parsed(csv_bytes(rows))
    found = [(p.row, p.column, p.code) for p in roster.problems]
    assert found == [
        (2, "Name", RowProblemCode.INVALID),
        (3, "E-mail", RowProblemCode.INVALID),
        (4, "Phone", RowProblemCode.INVALID),
        (5, "DOB", RowProblemCode.INVALID),
        (6, "DOB", RowProblemCode.INVALID),
        (7, "Sex", RowProblemCode.UNKNOWN_GENDER),
        (8, "Status", RowProblemCode.UNKNOWN_STATUS),
        (9, "E-mail", RowProblemCode.INVALID),
        (9, "Phone", RowProblemCode.INVALID),
        (10, "Name", RowProblemCode.INVALID),
    ]
    messages = {p.row: p.cause.code if p.cause else "" for p in roster.problems}
    assert "email" in messages[3] and "future" in messages[5]
    assert roster.problem_rows == 9
    (good,) = roster.rows
    assert good.status is AthleteStatus.ARCHIVED


def test_same_rules_as_the_form_notes_limit_and_name_length() -> None:
    rows = [["Name", "Notes"], ["A" * 101, ""], ["Maya", "x" * 2001], ["Ben", "x" * 2000]]
    roster = parsed(csv_bytes(rows))
    assert [(p.row, p.field) for p in roster.problems] == [
        (2, RosterField.NAME),
        (3, RosterField.NOTES),
    ]
    limits = [p.cause.params["limit"] if p.cause else None for p in roster.problems]
    assert limits == [100, 2000]


def test_duplicates_within_the_file_are_problems_pointing_at_the_first() -> None:
    rows = [
        ["Name", "Email"],
        ["Maya", "maya@example.com"],
        ["Maya L.", "MAYA@example.com"],
        ["Ben", ""],
        ["ben", ""],
    ]
    roster = parsed(csv_bytes(rows))
    assert [(p.row, p.code, p.other_row) for p in roster.problems] == [
        (3, RowProblemCode.DUPLICATE_EMAIL, 2),
        (5, RowProblemCode.DUPLICATE_NAME, 4),
    ]


def test_xlsx_with_typed_cells() -> None:
    data = xlsx_bytes(
        {
            "Roster": [
                ["Name", "Phone", "Birthdate", "Email"],
                ["Maya", 4155550123, datetime(2001, 2, 3), "maya@example.com"],
                ["Ben", None, date(1999, 12, 31), None],
            ]
        }
    )
    roster = parsed(data, "roster.xlsx")
    maya, ben = (row.athlete for row in roster.rows)
    assert maya.phone == "+14155550123" and maya.birthdate == date(2001, 2, 3)
    assert ben.birthdate == date(1999, 12, 31)


def test_xlsx_roster_on_a_later_sheet_is_found() -> None:
    data = xlsx_bytes({"Cover": [["Team handbook"]], "Athletes": [["Name"], ["Maya"]]})
    roster = parsed(data, "book.xlsx")
    assert roster.sheet == "Athletes" and len(roster.rows) == 1


def test_xlsx_renamed_csv_is_read_by_its_content() -> None:
    data = xlsx_bytes({"Sheet": [["Name", "Email"], ["Maya", "maya@example.com"]]})
    assert len(parsed(data, "roster.csv").rows) == 1


def test_a_maxes_sheet_is_not_taken_for_a_roster() -> None:
    rows = [["Athlete", "Email", "Exercise", "kg"], ["Maya", "m@x.io", "Back squat", "100"]]
    assert refused(csv_bytes(rows)).kind is FileProblemKind.NO_HEADER


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"", FileProblemKind.EMPTY),
        (b" \r\n\r\n", FileProblemKind.EMPTY),
        (b"Name;Email\r\n", FileProblemKind.NO_ROWS),
        (b"Foo,Bar\r\n1,2\r\n", FileProblemKind.NO_HEADER),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, FileProblemKind.NOT_A_SPREADSHEET),
        (b"%PDF-1.7\n1 0 obj", FileProblemKind.NOT_A_SPREADSHEET),
        (bytes(range(256)) * 40, FileProblemKind.NOT_A_SPREADSHEET),
        (
            b"Name\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11\x12",
            FileProblemKind.NOT_A_SPREADSHEET,
        ),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, FileProblemKind.OLD_EXCEL),
        (b"PK\x03\x04garbage", FileProblemKind.BROKEN_XLSX),
    ],
    ids=[
        "empty",
        "blank",
        "header only",
        "no header",
        "png renamed",
        "pdf renamed",
        "binary renamed",
        "control characters",
        "old xls",
        "broken zip",
    ],
)
def test_bad_files_are_refused_with_a_reason(data: bytes, kind: FileProblemKind) -> None:
    assert refused(data).kind is kind


def test_a_zip_that_is_not_a_workbook() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    assert refused(out.getvalue(), "roster.docx").kind is FileProblemKind.NOT_A_SPREADSHEET


def test_a_workbook_with_a_broken_sheet() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook><sheets><sheet")
    assert refused(out.getvalue(), "roster.xlsx").kind is FileProblemKind.BROKEN_XLSX


def test_zip_bomb_by_total_size_is_refused_before_opening() -> None:
    problem = refused(zip_bomb(reading.MAX_UNCOMPRESSED_BYTES // (1024 * 1024) + 1), "r.xlsx")
    assert problem.kind is FileProblemKind.ZIP_BOMB
    assert problem.limit == reading.MAX_UNCOMPRESSED_BYTES


def test_zip_bomb_by_ratio_is_refused() -> None:
    assert refused(zip_bomb(5), "r.xlsx").kind is FileProblemKind.ZIP_BOMB


def test_too_large_file() -> None:
    problem = refused(b"Name\r\n" + b"x" * reading.MAX_FILE_BYTES)
    assert problem.kind is FileProblemKind.TOO_LARGE and problem.limit == reading.MAX_FILE_BYTES


def test_ten_thousand_columns_csv() -> None:
    rows = [["Name", *(f"c{i}" for i in range(9_999))], ["Maya", *("1" * 9_999)]]
    problem = refused(csv_bytes(rows))
    assert problem.kind is FileProblemKind.TOO_MANY_COLUMNS
    assert (problem.row, problem.found, problem.limit) == (1, 10_000, reading.MAX_COLUMNS)


def test_ten_thousand_columns_xlsx() -> None:
    data = xlsx_bytes({"S": [["Name", "Email"], ["Maya", "m@x.io", *(["x"] * 9_998)]]})
    problem = refused(data, "wide.xlsx")
    assert problem.kind is FileProblemKind.TOO_MANY_COLUMNS and problem.row == 2


def test_a_one_megabyte_cell() -> None:
    data = csv_bytes([["Name", "Notes"], ["Maya", "x" * 1024 * 1024]])
    problem = refused(data)
    assert problem.kind is FileProblemKind.ROW_TOO_LONG and problem.row == 2


def test_a_one_megabyte_row_of_many_cells() -> None:
    data = csv_bytes([["Name", "Notes"], ["Maya", *(["x" * 20_000] * 50)]])
    problem = refused(data)
    assert problem.kind is FileProblemKind.ROW_TOO_LONG
    assert problem.row == 2 and problem.found == 4 + 20_000 * 50


def test_too_many_rows() -> None:
    rows = [["Name"], *([f"A{i}"] for i in range(reading.MAX_ROWS + 1))]
    problem = refused(csv_bytes(rows))
    assert problem.kind is FileProblemKind.TOO_MANY_ROWS and problem.limit == reading.MAX_ROWS


def test_exactly_the_row_limit_is_fine() -> None:
    rows = [["Name"], *([f"A{i}"] for i in range(reading.MAX_ROWS))]
    assert len(parsed(csv_bytes(rows)).rows) == reading.MAX_ROWS


@pytest.mark.parametrize("text", ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "  =cmd"])
def test_formula_like_text_is_neutralised(text: str) -> None:
    assert neutralize_text(text).startswith("'")
    assert restore_text(neutralize_text(text)) == text


@given(st.text(max_size=30))
def test_neutralise_then_restore_gives_the_text_back(text: str) -> None:
    assert restore_text(neutralize_text(text)) == text


def test_an_apostrophe_of_the_coach_is_kept() -> None:
    assert restore_text("'Tis Maya") == "'Tis Maya"
    assert neutralize_text("O'Neil") == "O'Neil"
