"""The roster template the bot hands out with /import (docs/examples/roster.csv is this file)."""

from __future__ import annotations

import csv
import io

from storage.transfer.cells import neutralize_text

TEMPLATE_FILE_NAME = "roster.csv"
TEMPLATE_ROWS = (
    ("Name", "Email", "Phone", "Birthdate", "Gender", "Notes"),
    (
        "Maya Lopez",
        "maya@example.com",
        "+1 415 555 0123",
        "2004-07-21",
        "female",
        "Left knee: no deep lunges",
    ),
    ("José Müller", "jose@example.com", "+34 612 345 678", "21.07.2001", "male", ""),
    ("Aiko Tanaka", "", "", "", "", "Joined in March"),
)


def roster_template() -> bytes:
    """UTF-8 with a byte order mark and CRLF line ends: what Excel writes and reads best."""
    out = io.StringIO(newline="")
    # Phone numbers start with "+": neutralised like every export, or Excel reads a formula.
    rows = ([neutralize_text(cell) for cell in row] for row in TEMPLATE_ROWS)
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig")
