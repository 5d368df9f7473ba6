"""Formula injection: what a spreadsheet would run if a cell starts with it, and its undoing.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return can be taken for a formula
by Excel, LibreOffice or Google Sheets (OWASP "CSV injection"). On export such a text is
prefixed with an apostrophe, which spreadsheets show as plain text; on import that one
apostrophe is taken off again, so an export read back gives the very same values.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def is_formula_like(text: str) -> bool:
    # Leading spaces are skipped by some spreadsheets before they look for a formula.
    return text.lstrip(" ").startswith(FORMULA_STARTS)


def neutralize_text(text: str) -> str:
    return QUOTE + text if is_formula_like(text) else text


def restore_text(text: str) -> str:
    """Undo neutralize_text: a leading apostrophe before a formula character is ours."""
    if text.startswith(QUOTE) and is_formula_like(text[1:]):
        return text[1:]
    return text
