"""The import preview's buttons. The token ties a press to the preview it was shown on."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import CallbackKind

IMPORT_CONFIRM = CallbackKind("imy", ("token",))
IMPORT_CANCEL = CallbackKind("imn", ("token",))


def import_preview(token: str, new: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"✅ Import {new} athlete{'' if new == 1 else 's'}",
                    callback_data=IMPORT_CONFIRM.pack(token),
                ),
                InlineKeyboardButton("✖️ Cancel", callback_data=IMPORT_CANCEL.pack(token)),
            ]
        ]
    )
