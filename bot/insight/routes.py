"""The insight feature's handlers, in the order app.py's routing table should try them."""

from __future__ import annotations

from typing import Any

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.insight import handlers as h
from bot.insight import keyboards as kb
from bot.insight import team

PRIVATE = filters.ChatType.PRIVATE


def on(kind: Any, callback: Any) -> CallbackQueryHandler[Any, Any]:
    return CallbackQueryHandler(callback, pattern=kind.pattern)


def handlers() -> list[BaseHandler[Any, Any, Any]]:
    """Registered in app.py's group 0 (commands and buttons; no conversations)."""
    return [
        CommandHandler("readiness", h.readiness_command, PRIVATE),
        CommandHandler("progress", h.progress_command, PRIVATE),
        CommandHandler("notifications", h.notifications_command, PRIVATE),
        CommandHandler("team", team.team_command, PRIVATE),
        on(kb.TEAM_PAGE, team.team_page),
        on(kb.OPEN_CARD, team.open_card_below),
        on(kb.READINESS, h.readiness_button),
        on(kb.PROGRESS, h.progress_button),
        on(kb.PROGRESS_E1RM, h.e1rm_chart_button),
        on(kb.PROGRESS_VOLUME, h.volume_chart_button),
        on(kb.NOTICE_MENU, h.notification_menu),
        on(kb.NOTICE_SET, h.notification_set),
        on(kb.NOTICE_BACK, h.notifications_back),
    ]
