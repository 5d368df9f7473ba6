"""Spreadsheet files for the transfer tests and bench/transfer.py, built as real tools would write
them (kept outside tests/ so the bench imports no test module)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook

ROSTER_HEADERS = ("Full name", "E-mail", "Phone number", "DOB", "Sex", "Notes")


def csv_bytes(
    rows: Sequence[Sequence[Any]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
    line_end: str = "\r\n",
) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=delimiter, lineterminator=line_end)
    writer.writerows(rows)
    return text.getvalue().encode(encoding)


def xlsx_bytes(sheets: dict[str, Sequence[Sequence[Any]]]) -> bytes:
    workbook = Workbook()
    first = True
    for title, rows in sheets.items():
        sheet = workbook.active if first else workbook.create_sheet()
        assert sheet is not None
        sheet.title = title
        first = False
        for row in rows:
            sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def roster_rows(count: int, *, bad_every: int = 0, domain: str = "example.com") -> list[list[Any]]:
    """`count` athletes; with bad_every=25, every 25th row has a bad email (20 in 500)."""
    rows: list[list[Any]] = [list(ROSTER_HEADERS)]
    for index in range(1, count + 1):
        email = f"athlete{index}@{domain}"
        if bad_every and index % bad_every == 0:
            email = f"athlete{index}-at-{domain}"
        rows.append(
            [
                f"Athlete {index:04d} Müller",
                email,
                f"+1 415 555 {index % 10000:04d}" if index % 3 else "",
                date(1990 + index % 20, 1 + index % 12, 1 + index % 28).isoformat(),
                ("F", "M", "non-binary", "")[index % 4],
                "",
            ]
        )
    return rows


def zip_bomb(uncompressed_mb: int) -> bytes:
    """A workbook-shaped zip whose sheet inflates to `uncompressed_mb` MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            chunk = b"0" * (1024 * 1024)
            for _ in range(uncompressed_mb):
                sheet.write(chunk)
    return out.getvalue()
