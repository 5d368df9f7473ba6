"""/athletes: the roster list, the athlete card, status and unlinking."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot import callbacks as cb
from bot import keyboards, texts
from bot.context import SpotterContext, transactional
from bot.handlers.common import Caller, load_coach, today
from bot.replies import answer, notify, show
from storage.errors import NotFound
from storage.models import Athlete, AthleteStatus
from storage.queries import athletes as q
from storage.queries.invitations import get_pending_invitation
from storage.queries.users import get_user

PAGE_SIZE = 10
VIEW_KEY = "roster_view"  # where Back from a card returns to
QUERY_KEY = "roster_query"  # the /athletes <name> filter (too long for callback data)
QUERY_MAX = 100


def parse_status(value: str) -> AthleteStatus | None:
    if value == keyboards.ALL_STATUSES:
        return None
    try:
        return AthleteStatus(value)
    except ValueError:
        raise cb.BadCallback(value) from None


async def render_roster(
    update: Update,
    context: SpotterContext,
    caller: Caller,
    *,
    status: AthleteStatus | None,
    offset: int,
    use_query: bool,
) -> None:
    assert caller.seat is not None and context.user_data is not None
    query = context.user_data.get(QUERY_KEY) if use_query else None
    counts = await q.count_athletes_by_status(
        context.session, organization_id=caller.seat.organization_id
    )
    page = await q.list_athletes(
        context.session,
        organization_id=caller.seat.organization_id,
        status=status,
        name_filter=query,
        offset=offset,
        limit=PAGE_SIZE,
        # The counts above already say how many there are, unless a name filters them.
        total=None if query else (counts[status] if status else sum(counts.values())),
    )
    context.user_data[VIEW_KEY] = {
        "status": status.value if status else keyboards.ALL_STATUSES,
        "offset": page.offset,
        "query": bool(query),
    }
    text = texts.roster(
        total=page.total,
        offset=page.offset,
        shown=len(page.items),
        status=status,
        counts=counts,
        query=query,
    )
    await answer(update, context)
    await show(update, context, text, keyboards.roster(page, status=status, query=bool(query)))


@transactional
async def roster_command(update: Update, context: SpotterContext) -> None:
    caller = await load_coach(update, context)
    if caller is None:
        return
    assert context.user_data is not None
    query = " ".join(context.args or []).strip()[:QUERY_MAX]
    if query:
        context.user_data[QUERY_KEY] = query
    else:
        context.user_data.pop(QUERY_KEY, None)
    await render_roster(update, context, caller, status=None, offset=0, use_query=bool(query))


@transactional
async def roster_page(update: Update, context: SpotterContext) -> None:
    caller = await load_coach(update, context)
    if caller is None:
        return
    data = update.callback_query.data if update.callback_query else None
    fields = cb.ROSTER.unpack(data)
    status = parse_status(fields["status"])
    offset = cb.ROSTER.int_field(data, "offset")
    await render_roster(
        update, context, caller, status=status, offset=offset, use_query=fields["query"] == "1"
    )


async def back_to_roster(update: Update, context: SpotterContext, caller: Caller) -> None:
    assert context.user_data is not None
    view: dict[str, Any] = context.user_data.get(VIEW_KEY) or {}
    status = parse_status(str(view.get("status", keyboards.ALL_STATUSES)))
    offset = int(view.get("offset", 0))
    await render_roster(
        update, context, caller, status=status, offset=offset, use_query=bool(view.get("query"))
    )


async def load_athlete(
    update: Update, context: SpotterContext, caller: Caller, athlete_id: str
) -> Athlete | None:
    """The athlete if it is in the caller's team; otherwise a "not found" answer."""
    assert caller.seat is not None
    try:
        return await q.get_athlete(
            context.session, organization_id=caller.seat.organization_id, athlete_id=athlete_id
        )
    except NotFound:
        await notify(update, context, texts.NOT_FOUND_ALERT, alert=True)
        return None


async def card_text(context: SpotterContext, athlete: Athlete) -> str:
    telegram = None
    if athlete.linked_user_id:
        user = await get_user(context.session, user_id=athlete.linked_user_id)
        if user is not None:
            telegram = f"@{user.username}" if user.username else user.display_name
    invitation = await get_pending_invitation(
        context.session,
        organization_id=athlete.organization_id,
        athlete_id=athlete.id,
        now=context.now(),
    )
    return texts.athlete_card(
        athlete,
        today=today(context),
        telegram=telegram,
        invitation_expires=invitation.expires_at if invitation else None,
    )


async def render_card(update: Update, context: SpotterContext, athlete: Athlete) -> None:
    await answer(update, context)
    await show(update, context, await card_text(context, athlete), keyboards.athlete_card(athlete))


async def _athlete_from_button(
    update: Update, context: SpotterContext, kind: cb.CallbackKind
) -> tuple[Caller, Athlete] | None:
    caller = await load_coach(update, context)
    if caller is None:
        return None
    data = update.callback_query.data if update.callback_query else None
    athlete = await load_athlete(update, context, caller, kind.unpack(data)["athlete"])
    return None if athlete is None else (caller, athlete)


@transactional
async def open_card(update: Update, context: SpotterContext) -> None:
    found = await _athlete_from_button(update, context, cb.ATHLETE_CARD)
    if found is not None:
        await render_card(update, context, found[1])


@transactional
async def edit_menu(update: Update, context: SpotterContext) -> None:
    found = await _athlete_from_button(update, context, cb.ATHLETE_EDIT_MENU)
    if found is None:
        return
    _, athlete = found
    await answer(update, context)
    text = await card_text(context, athlete) + "\n\n" + texts.PICK_FIELD_TO_EDIT
    await show(update, context, text, keyboards.athlete_edit_menu(athlete))


@transactional
async def status_menu(update: Update, context: SpotterContext) -> None:
    found = await _athlete_from_button(update, context, cb.ATHLETE_STATUS_MENU)
    if found is None:
        return
    _, athlete = found
    await answer(update, context)
    await show(
        update, context, texts.pick_status(athlete.name), keyboards.athlete_status_menu(athlete)
    )


@transactional
async def set_status(update: Update, context: SpotterContext) -> None:
    found = await _athlete_from_button(update, context, cb.ATHLETE_SET_STATUS)
    if found is None:
        return
    caller, athlete = found
    data = update.callback_query.data if update.callback_query else None
    try:
        status = AthleteStatus(cb.ATHLETE_SET_STATUS.unpack(data)["status"])
    except ValueError:
        raise cb.BadCallback(data) from None
    assert caller.seat is not None
    if athlete.status is not status:
        athlete = await q.set_athlete_status(
            context.session,
            organization_id=caller.seat.organization_id,
            athlete_id=athlete.id,
            status=status,
        )
    await answer(update, context, texts.status_set(athlete.name, status))
    await show(update, context, await card_text(context, athlete), keyboards.athlete_card(athlete))


@transactional
async def ask_unlink(update: Update, context: SpotterContext) -> None:
    found = await _athlete_from_button(update, context, cb.ATHLETE_UNLINK)
    if found is None:
        return
    _, athlete = found
    if athlete.linked_user_id is None:
        await answer(update, context, texts.NOT_LINKED, alert=True)
        await render_card(update, context, athlete)
        return
    await answer(update, context)
    await show(
        update, context, texts.confirm_unlink(athlete.name), keyboards.confirm_unlink(athlete)
    )


@transactional
async def confirm_unlink(update: Update, context: SpotterContext) -> None:
    found = await _athlete_from_button(update, context, cb.ATHLETE_UNLINK_CONFIRM)
    if found is None:
        return
    caller, athlete = found
    assert caller.seat is not None
    if athlete.linked_user_id is not None:
        athlete = await q.unlink_athlete(
            context.session, organization_id=caller.seat.organization_id, athlete_id=athlete.id
        )
    await answer(update, context, texts.UNLINKED)
    await show(update, context, await card_text(context, athlete), keyboards.athlete_card(athlete))


@transactional
async def menu_roster(update: Update, context: SpotterContext) -> None:
    caller = await load_coach(update, context)
    if caller is None:
        return
    data = update.callback_query.data if update.callback_query else None
    if cb.MENU.unpack(data)["item"] == "athletes_back":
        await back_to_roster(update, context, caller)
    else:
        await render_roster(update, context, caller, status=None, offset=0, use_query=False)
