"""What a file a coach sent holds: an athlete list, maxes or a program (the first sheet that is
one of them)."""

from __future__ import annotations

from datetime import date

from storage.transfer.maxes import ParsedMaxes, match_max_header, parse_max_sheet
from storage.transfer.programs import ParsedPrograms, match_program_header, parse_program_sheet
from storage.transfer.reading import FileProblem, FileProblemKind, open_spreadsheet, peek_rows
from storage.transfer.roster import ParsedRoster, match_roster_header, parse_roster_sheet

Parsed = ParsedRoster | ParsedMaxes | ParsedPrograms


def read_import(
    data: bytes, *, filename: str, phone_region: str | None, unit: str, today: date
) -> Parsed | FileProblem:
    """Open the file, find its kind by the headers, and check every row (no database)."""
    spreadsheet = open_spreadsheet(data, filename=filename)
    if isinstance(spreadsheet, FileProblem):
        return spreadsheet
    for source in spreadsheet.sheets:
        peeked = peek_rows(source)
        if isinstance(peeked, FileProblem):
            return peeked
        for row in peeked:
            program_header = match_program_header(row)
            if program_header is not None:
                return parse_program_sheet(source, program_header, unit=unit, default_name=filename)
            # Maxes name the athlete too: they are recognised by their exercise and value.
            max_header = match_max_header(row)
            if max_header is not None:
                return parse_max_sheet(source, max_header, unit=unit, today=today)
            roster_header = match_roster_header(row)
            if roster_header is not None:
                return parse_roster_sheet(
                    source, roster_header, phone_region=phone_region, today=today
                )
    return FileProblem(FileProblemKind.NO_HEADER)


def importable_sheets(data: bytes, *, filename: str) -> list[str]:
    """The names of every sheet of a workbook that could be imported (a file is read one sheet
    at a time: the first; the preview names the others)."""
    spreadsheet = open_spreadsheet(data, filename=filename)
    if isinstance(spreadsheet, FileProblem) or spreadsheet.format != "xlsx":
        return []
    names: list[str] = []
    for source in spreadsheet.sheets:
        peeked = peek_rows(source)
        if isinstance(peeked, FileProblem):
            continue
        if any(
            match_program_header(row) or match_max_header(row) or match_roster_header(row)
            for row in peeked
        ):
            names.append(source.name)
    return names
