"""The issue's scenario as a new coach would try it in the local console."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import configured_url
from tests.bot.test_console import ADD_MAYA, assert_in_order, chat


@pytest.fixture
def database_url(engine: AsyncEngine) -> str:
    return configured_url(engine)


async def test_build_a_block_in_the_console(database_url: str, tmp_path: Path) -> None:
    add_leo = ["/addathlete", "Leo Park", "/skip", "/skip", "/skip", "/skip", "/skip", "1"]
    transcript = await chat(
        database_url,
        tmp_path / "console",
        "/start",
        "Northside Barbell",
        *ADD_MAYA,
        *add_leo,
        "/newprogram",
        "Spring block",
        "3",
        "1",  # Mon
        "3",  # Wed
        "5",  # Fri
        "8",  # Done
        ":paste",
        "Lower A:",
        "A1. Back squat 5x5 @ 100kg",
        "A2. Pull-up 3x8-10 @ RPE 8",
        ".",
        ":paste",
        "Upper A:",
        "Bench press 5/3/1+ @ 75/85/95%",
        ".",
        ":paste",
        "Full body:",
        "Front squat 3x5 @ 70kg -- smooth",
        ".",
        "1",  # Save
        "6",  # Copy week
        "1",  # Weeks 2-3
        "1",  # +2.5kg
        "8",  # Assign (on the card of week 2, shown after the copy)
        "1",  # Leo
        "2",  # Maya
        "6",  # Next
        "2",  # Next Monday
        "/athletes",
        "2",  # Maya's card
    )
    assert_in_order(
        transcript,
        "coach> /newprogram",
        "coach> :paste",
        "... A1. Back squat 5x5 @ 100kg",
        "Preview: Spring block",
        "A1. Back Squat 5x5 @ 100kg",
        "Spring block** saved with 3 sessions",
        "Week 1 copied to weeks 2, 3, +2.5kg per week (6 sessions)",
        "**Week 2**",
        "Assign **Spring block**",
        "Next ➡️ (2)",
        "Leo Park: first session Mon",
        "Maya Lopez: first session Mon",
        "👤 **Maya Lopez**",
        "**Program:** Spring block, from Mon",
        "**Next session:** Mon",
    )
