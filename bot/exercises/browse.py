"""/exercises: the library menu, lists by body region, movement pattern and team, search, cards.

Browsing edits one message. Where Back goes is a small stack of views (bot.core.views), tied to the
message it belongs to (64 bytes of callback data can't carry a path): a coach can walk
harder -> harder -> back -> back and land on the list page they started from. A press on an
older library message starts a fresh stack there; Back with nothing under it goes up a level.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardMarkup, MaybeInaccessibleMessage, Update

from bot import callbacks as cb
from bot.context import SpotterContext, transactional
from bot.core import texts as core_texts
from bot.core.actions import Caller, button_action, library_organization_id, load_caller, unpack
from bot.core.keyboards import button
from bot.core.views import views_of
from bot.exercises import keyboards, texts
from bot.replies import answer, send, show
from storage.errors import NotFound
from storage.models import BodyRegion, MovementPattern
from storage.queries import exercises as q
from storage.queries.organizations import get_organization
from storage.queries.search import count_exercises_by_muscle, search_exercises

NAV_KEY = "exercise_nav"
STACK_MAX = 25
PAGE_SIZE = 10
QUERY_MAX = 256  # what search reads; longer text is cut

View = dict[str, Any]  # {"v": kind, ...}: see build_screen for the kinds
# The keys that say which place a view is; "o" (the page offset) is not one of them, so turning
# pages replaces the top of the stack instead of growing it.
PLACE_KEYS = ("v", "r", "m", "p", "a", "q", "x")


@dataclass(frozen=True)
class Viewer:
    caller: Caller
    organization_id: str | None  # whose custom exercises are visible

    @property
    def is_coach(self) -> bool:
        return self.caller.seat is not None


@dataclass(frozen=True)
class Screen:
    text: str
    markup: InlineKeyboardMarkup
    view: View


async def load_viewer(update: Update, context: SpotterContext) -> Viewer:
    caller = await load_caller(update, context)
    return Viewer(caller=caller, organization_id=await library_organization_id(context, caller))


def coach_viewer(caller: Caller) -> Viewer:
    return Viewer(caller=caller, organization_id=caller.organization_id)


def card_view(exercise_id: str) -> View:
    return {"v": "card", "x": exercise_id}


MENU_VIEW: View = {"v": "menu"}


# --- the navigation stack -------------------------------------------------------------------


def _nav(context: SpotterContext) -> dict[str, Any]:
    nav = views_of(context).get(NAV_KEY)
    return nav if isinstance(nav, dict) else {}


def stack_for(context: SpotterContext, message: str | None) -> list[View]:
    """The stack of `message` (see message_key); empty for any other (its stack was replaced)."""
    nav = _nav(context)
    if message is None or nav.get("message") != message:
        return []
    return [dict(view) for view in nav.get("stack", []) if isinstance(view, dict)]


def latest_stack(context: SpotterContext) -> list[View]:
    """The stack of the last library message, for a screen that continues it in a new message."""
    nav = _nav(context)
    return [dict(view) for view in nav.get("stack", []) if isinstance(view, dict)]


def save_stack(context: SpotterContext, message: str, stack: list[View]) -> None:
    views_of(context)[NAV_KEY] = {"message": message, "stack": stack[-STACK_MAX:]}


def same_place(a: View, b: View) -> bool:
    return all(a.get(key) == b.get(key) for key in PLACE_KEYS)


def push(stack: list[View], view: View) -> None:
    if stack and same_place(stack[-1], view):
        stack[-1] = view
    else:
        stack.append(view)


def message_key(message: MaybeInaccessibleMessage) -> str:
    # Message ids count per chat: a user browsing in two chats has two message 57s.
    return f"{message.chat.id}:{message.message_id}"


def pressed_message(update: Update) -> str | None:
    query = update.callback_query
    return message_key(query.message) if query is not None and query.message is not None else None


async def present(
    update: Update,
    context: SpotterContext,
    screen: Screen,
    *,
    toast: str | None = None,
    new_message: bool = False,
) -> None:
    """Show `screen` on the pressed message (or a new one) and put it on top of the stack."""
    message = pressed_message(update)
    if message is not None and not new_message:
        stack = stack_for(context, message)
        push(stack, screen.view)
        save_stack(context, message, stack)
        await answer(update, context, toast)
        await show(update, context, screen.text, screen.markup)
        return
    # A new message continues the last stack (after a typed answer) or, from a command, starts one.
    stack = latest_stack(context) if new_message else []
    push(stack, screen.view)
    await answer(update, context, toast)
    sent = await send(update, context, screen.text, screen.markup)
    save_stack(context, message_key(sent), stack)


# --- screens --------------------------------------------------------------------------------


def _offset(view: View) -> int:
    raw = view.get("o", 0)
    return raw if isinstance(raw, int) and raw >= 0 else 0


async def build_screen(context: SpotterContext, viewer: Viewer, view: View) -> Screen:
    """The text and keyboard of a view. Raises NotFound for what the viewer can't see."""
    kind = view.get("v")
    session = context.session
    org = viewer.organization_id
    if kind == "region":
        region = BodyRegion(str(view.get("r")))
        counts = await count_exercises_by_muscle(session, organization_id=org, region=region)
        return Screen(texts.region_muscles(region), keyboards.region_muscles(counts), view)
    if kind == "patterns":
        return Screen(texts.PICK_PATTERN_TO_BROWSE, keyboards.browse_patterns(), view)
    if kind == "muscle":
        muscle, page = await q.muscle_page(
            session,
            organization_id=org,
            muscle_group_id=str(view.get("m")),
            offset=_offset(view),
            limit=PAGE_SIZE,
        )
        paging = keyboards.page_row(
            lambda offset: cb.ExMuscle(muscle=muscle.id, offset=offset).pack(),
            offset=page.offset,
            limit=page.limit,
            total=page.total,
        )
        return Screen(
            texts.muscle_list(muscle, page),
            keyboards.exercise_list(page.items, paging),
            {**view, "o": page.offset},
        )
    if kind == "pattern":
        pattern = MovementPattern(str(view.get("p")))
        page = await q.list_exercises_by_pattern(
            session, organization_id=org, pattern=pattern, offset=_offset(view), limit=PAGE_SIZE
        )
        paging = keyboards.page_row(
            lambda offset: cb.ExPattern(movement=pattern, offset=offset).pack(),
            offset=page.offset,
            limit=page.limit,
            total=page.total,
        )
        return Screen(
            texts.pattern_list(pattern, page),
            keyboards.exercise_list(page.items, paging),
            {**view, "o": page.offset},
        )
    if kind == "ours":
        return await build_ours(context, viewer, view)
    if kind == "search":
        return await build_search(context, viewer, view)
    if kind == "card":
        card = await q.get_exercise_card(
            session, organization_id=org, exercise_id=str(view.get("x"))
        )
        return Screen(
            texts.exercise_card(card),
            keyboards.exercise_card(card, can_edit=viewer.is_coach),
            card_view(card.exercise.id),
        )
    team = viewer.organization_id is not None
    team_name = await _team_name(context, viewer) if team else None
    return Screen(
        texts.library_menu(team=team_name),
        keyboards.library_menu(has_team=team, is_coach=viewer.is_coach),
        MENU_VIEW,
    )


async def _team_name(context: SpotterContext, viewer: Viewer) -> str:
    if viewer.caller.seat is not None:
        return viewer.caller.seat.organization.name
    assert viewer.organization_id is not None
    organization = await get_organization(context.session, organization_id=viewer.organization_id)
    return organization.name if organization else ""


async def build_ours(context: SpotterContext, viewer: Viewer, view: View) -> Screen:
    if viewer.organization_id is None:
        raise NotFound(texts.NO_TEAM_LIBRARY)
    # Archived exercises are the coaches' business (to restore them); athletes see live ones.
    archived = bool(view.get("a")) and viewer.is_coach
    if archived:
        page = await q.list_custom_exercises(
            context.session,
            organization_id=viewer.organization_id,
            archived_only=True,
            offset=_offset(view),
            limit=PAGE_SIZE,
        )
        archived_total = 0
    else:
        page, archived_total = await q.team_exercises(
            context.session,
            organization_id=viewer.organization_id,
            offset=_offset(view),
            limit=PAGE_SIZE,
        )
    flag = int(archived)
    paging = keyboards.page_row(
        lambda offset: cb.ExOurs(archived=archived, offset=offset).pack(),
        offset=page.offset,
        limit=page.limit,
        total=page.total,
    )
    extra = []
    if viewer.is_coach and not archived:
        if archived_total:
            extra.append(
                button(f"🗄 Archived ({archived_total})", cb.ExOurs(archived=True, offset=0).pack())
            )
        extra.append(button("➕ New exercise", cb.Menu(item="newexercise").pack()))
    text = texts.ours_list(
        await _team_name(context, viewer), page, archived=archived, is_coach=viewer.is_coach
    )
    return Screen(
        text,
        keyboards.exercise_list(page.items, paging, extra),
        {"v": "ours", "a": flag, "o": page.offset},
    )


async def build_search(context: SpotterContext, viewer: Viewer, view: View) -> Screen:
    query = str(view.get("q", ""))[:QUERY_MAX]
    page = await search_exercises(
        context.session,
        organization_id=viewer.organization_id,
        query=query,
        offset=_offset(view),
        limit=PAGE_SIZE,
    )
    if not page.items and page.total:  # a stale page past the end: show the last one
        last = (page.total - 1) // PAGE_SIZE * PAGE_SIZE
        page = await search_exercises(
            context.session,
            organization_id=viewer.organization_id,
            query=query,
            offset=last,
            limit=PAGE_SIZE,
        )
    paging = keyboards.page_row(
        lambda offset: cb.ExSearch(offset=offset).pack(),
        offset=page.offset,
        limit=PAGE_SIZE,
        total=page.total,
    )
    text = texts.search_results(
        query,
        total=page.total,
        offset=page.offset,
        shown=len(page.items),
        is_coach=viewer.is_coach,
        outcome=page,
    )
    return Screen(
        text,
        keyboards.search_results(page.items, paging),
        {"v": "search", "q": query, "o": page.offset},
    )


async def parent_of(context: SpotterContext, view: View | None) -> View:
    """Where Back goes when the stack has nothing under `view`: one level up."""
    view = view or {}
    kind = view.get("v")
    if kind == "muscle":
        try:
            muscle = await q.get_muscle_group(context.session, muscle_group_id=str(view.get("m")))
        except NotFound:
            return MENU_VIEW
        return {"v": "region", "r": muscle.body_region.value}
    if kind == "pattern":
        return {"v": "patterns"}
    if kind == "ours" and view.get("a"):
        return {"v": "ours", "a": 0, "o": 0}
    return MENU_VIEW


# --- handlers -------------------------------------------------------------------------------


async def navigate(update: Update, context: SpotterContext, view: View) -> None:
    """Forward navigation: show `view` and remember it, or say it can't be found."""
    viewer = await load_viewer(update, context)
    try:
        screen = await build_screen(context, viewer, view)
    except NotFound as error:
        await answer(update, context, texts.alert(core_texts.error_text(error)), alert=True)
        return
    await present(update, context, screen)


async def show_card(
    update: Update,
    context: SpotterContext,
    viewer: Viewer,
    exercise_id: str,
    *,
    toast: str | None = None,
    new_message: bool = False,
) -> None:
    """The card after a change (by the coach's own hand, so it is visible)."""
    screen = await build_screen(context, viewer, card_view(exercise_id))
    await present(update, context, screen, toast=toast, new_message=new_message)


@transactional
async def exercises_command(update: Update, context: SpotterContext) -> None:
    query = " ".join(context.args or []).strip()[:QUERY_MAX]
    viewer = await load_viewer(update, context)
    view: View = {"v": "search", "q": query, "o": 0} if query else MENU_VIEW
    await present(update, context, await build_screen(context, viewer, view))


@button_action(cb.Menu)
async def menu_exercises(update: Update, context: SpotterContext, data: cb.Menu) -> None:
    """The coach menu's Exercises button and the library's own menu button."""
    message = pressed_message(update)
    if message is not None:
        save_stack(context, message, [])
    await navigate(update, context, MENU_VIEW)


@button_action(cb.ExRegion)
async def open_region(update: Update, context: SpotterContext, data: cb.ExRegion) -> None:
    await navigate(update, context, {"v": "region", "r": data.region.value})


@button_action(cb.ExPatterns)
async def open_patterns(update: Update, context: SpotterContext, data: cb.ExPatterns) -> None:
    await navigate(update, context, {"v": "patterns"})


@button_action(cb.ExMuscle)
async def open_muscle(update: Update, context: SpotterContext, data: cb.ExMuscle) -> None:
    await navigate(update, context, {"v": "muscle", "m": data.muscle, "o": data.offset})


@button_action(cb.ExPattern)
async def open_pattern(update: Update, context: SpotterContext, data: cb.ExPattern) -> None:
    await navigate(update, context, {"v": "pattern", "p": data.movement.value, "o": data.offset})


@button_action(cb.ExOurs)
async def open_ours(update: Update, context: SpotterContext, data: cb.ExOurs) -> None:
    await navigate(update, context, {"v": "ours", "a": int(data.archived), "o": data.offset})


@button_action(cb.ExSearch)
async def search_page(update: Update, context: SpotterContext, data: cb.ExSearch) -> None:
    stack = stack_for(context, pressed_message(update))
    if not stack or stack[-1].get("v") != "search":
        await answer(update, context, texts.SEARCH_EXPIRED, alert=True)
        return
    await navigate(update, context, {**stack[-1], "o": data.offset})


async def open_card_from_button(update: Update, context: SpotterContext) -> None:
    """Runs inside the caller's transaction (the card's own button, or Back to card)."""
    data = unpack(cb.ExCard, update, context)
    await navigate(update, context, card_view(data.exercise))


open_card = transactional(open_card_from_button)


@button_action(cb.ExBack)
async def go_back(update: Update, context: SpotterContext, data: cb.ExBack) -> None:
    viewer = await load_viewer(update, context)
    message = pressed_message(update)
    stack = stack_for(context, message)
    current = stack.pop() if stack else None
    while True:
        target = stack[-1] if stack else await parent_of(context, current)
        try:
            screen = await build_screen(context, viewer, target)
        except (NotFound, ValueError):
            # Gone since (or no longer visible): skip it and go one further.
            if stack:
                current = stack.pop()
                continue
            screen = await build_screen(context, viewer, MENU_VIEW)
        break
    if stack:
        stack[-1] = screen.view
    else:
        stack = [screen.view]
    if message is not None:
        save_stack(context, message, stack)
    await answer(update, context)
    await show(update, context, screen.text, screen.markup)


async def open_library_link(update: Update, context: SpotterContext, _: str) -> None:
    """`/start library` (the inline "open Spotter" button): the library menu, as a new message.
    The route of bot.core.deep_links.LIBRARY (private chat, one transaction)."""
    viewer = await load_viewer(update, context)
    await present(update, context, await build_screen(context, viewer, MENU_VIEW))


async def open_exercise_link(update: Update, context: SpotterContext, exercise_id: str) -> None:
    """`/start ex_<id>`: the card of a visible exercise as a new message, or "not found".
    The route of bot.core.deep_links.EXERCISE (private chat, one transaction)."""
    if not exercise_id:
        await send(update, context, texts.EXERCISE_LINK_INVALID)
        return
    viewer = await load_viewer(update, context)
    try:
        screen = await build_screen(context, viewer, card_view(exercise_id))
    except NotFound:
        await send(update, context, texts.EXERCISE_LINK_NOT_FOUND)
        return
    await present(update, context, screen)
