"""Reading the routing table: one walker for everything that needs every handler (meta-tests,
the console, benchmarks), and the one way a button kind becomes a route."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from telegram.ext import BaseHandler, CallbackQueryHandler, ConversationHandler

from bot.core.callbacks import CallbackData, CallbackKind

AnyHandler = BaseHandler[Any, Any, Any]


def on_button(
    kind: type[CallbackData] | CallbackKind, callback: Any
) -> CallbackQueryHandler[Any, Any]:
    """The route of a button kind: its data's pattern, owned by the kind."""
    return CallbackQueryHandler(callback, pattern=kind.pattern)


def iter_handlers(handlers: Iterable[AnyHandler]) -> Iterator[AnyHandler]:
    """Every handler, and inside a conversation its entry points, states and fallbacks."""
    for handler in handlers:
        yield handler
        if isinstance(handler, ConversationHandler):
            yield from iter_handlers(handler.entry_points)
            for state_handlers in handler.states.values():
                yield from iter_handlers(state_handlers)
            yield from iter_handlers(handler.fallbacks)


def iter_table(table: dict[int, list[AnyHandler]]) -> Iterator[AnyHandler]:
    """Every handler of a routing table (or of `application.handlers`), groups in order."""
    for group in sorted(table):
        yield from iter_handlers(table[group])
