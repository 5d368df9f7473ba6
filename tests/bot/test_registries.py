"""Meta-tests over the registries: nothing declared is unreachable, nothing routed is unlisted."""

from __future__ import annotations

import dataclasses
import enum
import re
import typing
import warnings
from typing import Annotated, Any, Literal

from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler
from telegram.warnings import PTBUserWarning

from bot.app import routing_table
from bot.command_menus import bot_commands
from bot.commands import COMMANDS, Audience, commands_for
from bot.core import deep_links
from bot.core.callbacks import REGISTRY, CallbackData, CallbackKind, Range
from bot.core.routing import iter_table
from bot.onboarding import texts as onboarding_texts
from storage.queries.invitations import make_payload

# Handlers that answer any press of a family ("expired", "closed form"): they don't count as
# the route of a kind.
NOT_A_ROUTE = {"expired_button", "closed_form_button", "stale_or_closed"}


def table() -> dict[int, list[Any]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBUserWarning)
        return routing_table()


def sample_value(annotation: Any) -> Any:
    metadata: tuple[Any, ...] = ()
    if typing.get_origin(annotation) is Annotated:
        annotation, *extra = typing.get_args(annotation)
        metadata = tuple(extra)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, __import__("types").UnionType):
        return None
    if origin is Literal:
        return typing.get_args(annotation)[0]
    if annotation is bool:
        return False
    if annotation is int:
        bounds = next((m for m in metadata if isinstance(m, Range)), Range(0, 1))
        return bounds.low
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return next(iter(annotation))
    return "x1"


def sample_data(kind: Any) -> str:
    if isinstance(kind, CallbackKind):
        return kind.pack(*["0" for _ in kind.fields])
    hints = typing.get_type_hints(kind, include_extras=True)
    values = {f.name: sample_value(hints[f.name]) for f in dataclasses.fields(kind)}
    data: str = kind(**values).pack()
    return data


def ours(kind: Any) -> bool:
    return isinstance(kind, CallbackKind) or (
        isinstance(kind, type)
        and issubclass(kind, CallbackData)
        and kind.__module__.startswith("bot.")
    )


def routes_of(data: str, handlers: list[Any]) -> list[Any]:
    found = []
    for handler in handlers:
        if not isinstance(handler, CallbackQueryHandler) or handler.pattern is None:
            continue
        if getattr(handler.callback, "__name__", "") in NOT_A_ROUTE:
            continue
        pattern = handler.pattern
        if callable(pattern) and not isinstance(pattern, re.Pattern):
            matched = bool(pattern(data))
        else:
            matched = re.match(pattern, data) is not None
        if matched:
            found.append(handler)
    return found


def test_every_callback_kind_reaches_a_handler() -> None:
    handlers = list(iter_table(table()))
    kinds = [kind for kind in REGISTRY.values() if ours(kind)]
    assert len(kinds) > 40
    unrouted = [
        getattr(kind, "__name__", kind.prefix)
        for kind in kinds
        if not routes_of(sample_data(kind), handlers)
    ]
    assert unrouted == []


def test_no_hand_written_callback_pattern_in_the_routing_table() -> None:
    """Every button route's pattern comes from a kind (so format and route can't drift)."""
    patterns = {kind.pattern.pattern for kind in REGISTRY.values() if ours(kind)}
    for handler in iter_table(table()):
        if isinstance(handler, CallbackQueryHandler) and isinstance(handler.pattern, re.Pattern):
            name = getattr(handler.callback, "__name__", "")
            from_kind = handler.pattern.pattern in patterns
            from_matching = handler.pattern.pattern.startswith("^menu:")  # Menu.matching
            from_family = name in NOT_A_ROUTE or name.startswith(("finish_or_drop", "ask_"))
            assert from_kind or from_matching or from_family or "(?:" in handler.pattern.pattern, (
                name,
                handler.pattern.pattern,
            )


def test_every_command_has_a_handler_a_help_line_and_a_menu_entry() -> None:
    routed: set[str] = set()
    for handler in iter_table(table()):
        if isinstance(handler, CommandHandler):
            routed.update(handler.commands)
    for command in COMMANDS:
        assert command.name in routed, command.name
    for audience in Audience:
        listed = commands_for(audience)
        help_text = onboarding_texts.help_text([audience], listed)
        for command in listed:
            assert f"/{command.name}" in help_text, (audience, command.name)
        assert [c.command for c in bot_commands(audience)] == [c.name for c in listed]


def test_every_deep_link_has_a_route() -> None:
    handlers = list(iter_table(table()))
    assert {"inv_", "ex_", "library"} <= set(deep_links.REGISTRY)
    # The invite payload is made in storage (with the token); both sides agree on its prefix.
    assert deep_links.INVITE.payload("t" * 32) == make_payload("t" * 32)
    for prefix, link in deep_links.REGISTRY.items():
        route = deep_links.ROUTES.get(prefix)
        assert route is not None and any(route is h for h in handlers), prefix
        assert link.payload("abc").startswith(prefix)


def test_every_conversation_in_the_table_is_the_form_conversation_or_onboarding() -> None:
    names = sorted(h.name or "" for h in iter_table(table()) if isinstance(h, ConversationHandler))
    assert names == ["forms", "onboarding"]
