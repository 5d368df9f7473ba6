"""/athletes: the roster list, the athlete card, status and unlinking."""

from __future__ import annotations

from typing import Any, cast, get_args

from telegram import Update

from bot import callbacks as cb
from bot.athletes import card as cards
from bot.athletes import keyboards, texts
from bot.athletes.card import card_text, load_athlete, render_card
from bot.context import SpotterContext
from bot.core import texts as core_texts
from bot.core.actions import Coach, coach_action
from bot.core.views import views_of
from bot.replies import answer, show
from storage import validation
from storage.models import AthleteStatus
from storage.queries import athletes as q

PAGE_SIZE = 10
VIEW_KEY = "roster_view"  # where Back from a card returns to
QUERY_KEY = "roster_query"  # the /athletes <name> filter (too long for callback data)
QUERY_MAX = 100


# Which statuses each roster view shows (None: everyone); "cur" is the default.
VIEWS: dict[str, tuple[AthleteStatus, ...] | None] = {
    keyboards.CURRENT_STATUSES: (AthleteStatus.ACTIVE, AthleteStatus.INACTIVE),
    keyboards.ALL_STATUSES: None,
    **{status.value: (status,) for status in AthleteStatus},
}


def parse_view(value: str) -> cb.RosterView:
    """The view remembered (bot.core.views); anything unknown is the default view."""
    for view in get_args(cb.RosterView):
        if view == value:
            return cast(cb.RosterView, view)
    return keyboards.CURRENT_STATUSES


def clean_query(text: str) -> str:
    """What a name filter keeps of typed text: no control characters, at most QUERY_MAX."""
    return validation.clip_utf16(validation.collapse_spaces(text), QUERY_MAX)


async def render_roster(
    update: Update,
    context: SpotterContext,
    coach: Coach,
    *,
    view: cb.RosterView,
    offset: int,
    use_query: bool,
) -> None:
    views = views_of(context)
    query = views.get(QUERY_KEY) if use_query else None
    roster = await q.read_roster(
        context.session,
        organization_id=coach.team_id,
        statuses=VIEWS[view],
        name_filter=query,
        offset=offset,
        limit=PAGE_SIZE,
    )
    page = roster.page
    views[VIEW_KEY] = {"status": view, "offset": page.offset, "query": bool(query)}
    text = texts.roster(
        total=page.total,
        offset=page.offset,
        shown=len(page.items),
        limit=page.limit,
        view=view,
        counts=roster.counts,
        query=query,
    )
    markup = keyboards.roster(page, view=view, query=bool(query))
    await answer(update, context)
    await show(update, context, text, markup)


@coach_action()
async def roster_command(update: Update, context: SpotterContext, coach: Coach) -> None:
    query = clean_query(" ".join(context.args or []))
    if query:
        views_of(context)[QUERY_KEY] = query
    else:
        views_of(context).pop(QUERY_KEY, None)
    # A name search looks through everyone; the plain roster leaves the archived out.
    view = keyboards.ALL_STATUSES if query else keyboards.CURRENT_STATUSES
    await render_roster(update, context, coach, view=view, offset=0, use_query=bool(query))


@coach_action(cb.RosterPage)
async def roster_page(
    update: Update, context: SpotterContext, coach: Coach, data: cb.RosterPage
) -> None:
    await render_roster(
        update, context, coach, view=data.view, offset=data.offset, use_query=data.query
    )


async def back_to_roster(update: Update, context: SpotterContext, coach: Coach) -> None:
    view: dict[str, Any] = views_of(context).get(VIEW_KEY) or {}
    shown = parse_view(str(view.get("status", keyboards.CURRENT_STATUSES)))
    offset = int(view.get("offset", 0))
    await render_roster(
        update, context, coach, view=shown, offset=offset, use_query=bool(view.get("query"))
    )


@coach_action(cb.AthleteCard)
async def open_card(
    update: Update, context: SpotterContext, coach: Coach, data: cb.AthleteCard
) -> None:
    await cards.open_card(update, context, coach, data.athlete)


@coach_action(cb.AthleteEditMenu)
async def edit_menu(
    update: Update, context: SpotterContext, coach: Coach, data: cb.AthleteEditMenu
) -> None:
    card = await cards.load_card(update, context, coach, data.athlete)
    if card is None:
        return
    text = await cards.describe(context, card, coach.team) + "\n\n" + core_texts.PICK_FIELD_TO_EDIT
    await answer(update, context)
    await show(update, context, text, keyboards.athlete_edit_menu(card))


@coach_action(cb.AthleteStatusMenu)
async def status_menu(
    update: Update, context: SpotterContext, coach: Coach, data: cb.AthleteStatusMenu
) -> None:
    athlete = await load_athlete(update, context, coach, data.athlete)
    if athlete is None:
        return
    await answer(update, context)
    await show(
        update,
        context,
        texts.pick_status(athlete.name),
        keyboards.athlete_status_menu(athlete),
    )


@coach_action(cb.AthleteSetStatus)
async def set_status(
    update: Update, context: SpotterContext, coach: Coach, data: cb.AthleteSetStatus
) -> None:
    athlete = await load_athlete(update, context, coach, data.athlete)
    if athlete is None:
        return
    if athlete.status is not data.status:
        athlete = await q.set_athlete_status(
            context.session,
            organization_id=coach.team_id,
            athlete_id=athlete.id,
            status=data.status,
        )
    await answer(update, context, texts.status_set(athlete.name, data.status))
    await show(update, context, await card_text(context, athlete), keyboards.athlete_card(athlete))


@coach_action(cb.AthleteUnlink)
async def ask_unlink(
    update: Update, context: SpotterContext, coach: Coach, data: cb.AthleteUnlink
) -> None:
    athlete = await load_athlete(update, context, coach, data.athlete)
    if athlete is None:
        return
    if athlete.linked_user_id is None:
        await answer(update, context, texts.NOT_LINKED, alert=True)
        await render_card(update, context, athlete)
        return
    await answer(update, context)
    await show(
        update,
        context,
        texts.confirm_unlink(athlete.name),
        keyboards.confirm_unlink(athlete),
    )


@coach_action(cb.AthleteUnlinkConfirm)
async def confirm_unlink(
    update: Update, context: SpotterContext, coach: Coach, data: cb.AthleteUnlinkConfirm
) -> None:
    athlete = await load_athlete(update, context, coach, data.athlete)
    if athlete is None:
        return
    if athlete.linked_user_id is not None:
        athlete = await q.unlink_athlete(
            context.session, organization_id=coach.team_id, athlete_id=athlete.id
        )
    await answer(update, context, texts.UNLINKED)
    await show(update, context, await card_text(context, athlete), keyboards.athlete_card(athlete))


@coach_action(cb.Menu)
async def menu_roster(update: Update, context: SpotterContext, coach: Coach, data: cb.Menu) -> None:
    if data.item == "athletes_back":
        await back_to_roster(update, context, coach)
    else:
        await render_roster(
            update, context, coach, view=keyboards.CURRENT_STATUSES, offset=0, use_query=False
        )
