"""The import preview's buttons. The token ties a press to the preview it was shown on."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.callbacks import CallbackData
from bot.core.keyboards import Keyboard


class ImportConfirm(CallbackData, prefix="imy"):
    token: str


class ImportCancel(CallbackData, prefix="imn"):
    token: str


def import_preview(token: str, new: int, kind: str = "roster") -> InlineKeyboardMarkup:
    plural = "" if new == 1 else "s"
    labels = {
        "roster": f"✅ Import {new} athlete{plural}",
        "maxes": f"✅ Record {new} max{'' if new == 1 else 'es'}",
        "programs": f"✅ Create {new} program{plural}",
    }
    label = labels[kind]
    return Keyboard(
        [
            [
                InlineKeyboardButton(
                    label,
                    callback_data=ImportConfirm(token=token).pack(),
                ),
                InlineKeyboardButton("✖️ Cancel", callback_data=ImportCancel(token=token).pack()),
            ]
        ]
    )
