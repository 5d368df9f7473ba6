"""The training day in the console: a coach builds and assigns a block, the athlete trains from
/today (one tap, one typed line, a PR, finish), the coach gets the PR and sees the card."""

from __future__ import annotations

import re
from pathlib import Path

from tests.bot.conftest import Harness
from tests.bot.programs.test_programs import UPPER
from tests.bot.test_console import ADD_MAYA, Session, assert_in_order

LOWER = """Lower A:
A1. Back squat 5x5 @ 80%, rest 2min
A2. Pull-up 3 x 8-10 @ RPE 8
B. RDL 3x8 @ 80kg, tempo 31X1 -- slow eccentric
C. Plank 3x45s"""


async def press(session: Session, label: str) -> str:
    """Press the button called `label` on the last keyboard that showed it."""
    shown = re.findall(rf"\[(\d+)\] {re.escape(label)}(?=\s|$)", session.out.getvalue())
    assert shown, f"no button {label!r} in:\n{session.out.getvalue()[-2000:]}"
    return await session.type(shown[-1])


async def test_the_training_day_in_the_console(harness: Harness, tmp_path: Path) -> None:
    session = Session(harness, tmp_path / "console")
    for line in ["/start", "Northside Barbell", *ADD_MAYA]:
        await session.type(line)
    invite = await session.type("/invite Maya Lopez")
    link = re.search(rf"https://t\.me/{harness.api.bot.username}\?start=[\w-]+", invite)
    assert link is not None, invite
    await session.type(":as Maya Lopez")
    await session.type(f":open {link.group(0)}")
    await session.type(":time 2026-03-04 09:00")
    logged = await session.type("/log Romanian deadlift 80x8")
    assert "Off-plan session logged: ✅ 80×8 **Romanian Deadlift**" in logged

    # The coach builds a block and assigns it (a session is one multi-line message: what the
    # console's :paste sends).
    await session.type(":as coach")
    await session.type("/newprogram")
    await session.type("Spring block")
    await session.type("3")
    for day in ("Mon", "Thu"):
        await press(session, day)
    await press(session, "Done ➡️")
    await session.console.current.send(LOWER)
    await session.console.current.send(UPPER)
    await press(session, "✅ Save")
    await press(session, "👥 Assign")
    await press(session, "▫️ Maya Lopez")
    await press(session, "Next ➡️ (1)")
    assigned = await press(session, "Next Monday (Mon 9 Mar 2026)")
    assert "Maya Lopez: first session Mon 9 Mar 2026" in assigned, assigned

    # Monday: the athlete trains.
    await session.type(":as Maya Lopez")
    await session.type(":time 2026-03-09 07:30")
    await session.type("/maxes Back squat 140")
    today = await session.type("/today")
    assert_in_order(
        today,
        "Mon 9 Mar · Lower A",
        "Back Squat**: 5 × 5 @ 112.5 kg (80%)",
        "Pull-Up**: 3 × 8-10 @ RPE 8",
        "Romanian Deadlift**: 3 × 8 @ 80 kg",
    )
    await press(session, "A1 Back Squat")
    tapped = await press(session, "✅ Done as prescribed")
    assert "(toast) ✅ Logged A1 Back Squat" in tapped, tapped
    await press(session, "B Romanian Deadlift")
    await press(session, "✏️ Log")
    typed = await session.type("80x8, 82.5x8, 85x8")
    assert_in_order(
        typed,
        "✅ 80×8, 82.5×8, 85×8 **B Romanian Deadlift**",
        "New PR!",
        "Romanian Deadlift** 85 kg × 8: new best e1RM",
    )
    await press(session, "🏁 Finish session")
    await press(session, "8")
    finished = await press(session, "60 min")
    assert "Lower A** done: session RPE 8, 60 min. 2 of 4 entries logged." in finished
    assert "[to coach] Spotter: 🏆 **Maya Lopez** set PRs" in finished, finished

    # The coach sees it on the card.
    await session.type(":as coach")
    await session.type("/athletes")
    await press(session, "🟢 Maya Lopez 🔗")
    history = await press(session, "📒 Log history")
    assert_in_order(
        history,
        "Mon 9 Mar · Lower A** · RPE 8, 60 min",
        "Back Squat: ✅ 112.5×5, 112.5×5, 112.5×5, 112.5×5, 112.5×5",
        "Romanian Deadlift: ✅ 80×8, 82.5×8, 85×8",
    )
