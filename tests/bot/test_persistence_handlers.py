"""The persistence finds the conversations whose state it writes, also ones added later."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler

from tests.bot.conftest import Harness


async def noop(update: Update, context: Any) -> int:
    return ConversationHandler.END


def persistent_names(harness: Harness) -> set[str]:
    persistence: Any = harness.app.persistence
    return {str(h.name) for h in persistence._conversation_handlers(harness.app)}


# PTB discourages adding a persistent conversation after start (it loads its state late): here
# that is the point.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")
async def test_a_conversation_added_after_start_is_persisted_too(harness: Harness) -> None:
    before = persistent_names(harness)
    assert "onboarding" in before
    late = ConversationHandler(
        entry_points=[CommandHandler("late", noop)],
        states={},
        fallbacks=[],
        name="late_feature",
        persistent=True,
    )
    harness.app.add_handler(late, group=5)
    assert persistent_names(harness) == before | {"late_feature"}
    harness.app.remove_handler(late, group=5)
    assert persistent_names(harness) == before
