"""/programs: the list, a program's card (a week at a time), a session's view, archive and
restore, copy, removing a session, the athletes on a program; the athlete card's program line."""

from __future__ import annotations

import hashlib
from base64 import urlsafe_b64encode
from datetime import date

from telegram import Update

from bot.context import SpotterContext
from bot.core.actions import Coach, coach_action
from bot.core.views import views_of
from bot.programs import keyboards as kb
from bot.programs import sessions, texts
from bot.replies import answer, notify, send, show
from storage.errors import Conflict, NotFound
from storage.models import Organization
from storage.models.programs import Program
from storage.queries import programs as q
from storage.queries.athletes import get_athlete
from storage.training.schedule import local_today

PAGE_SIZE = 10
QUERY_KEY = "programs_query"
QUERY_MAX = 100


def team_today(context: SpotterContext, organization: Organization) -> date:
    return local_today(context.now(), organization.timezone or "UTC")


async def render_list(
    update: Update,
    context: SpotterContext,
    coach: Coach,
    *,
    archived: bool,
    offset: int,
    use_query: bool = False,
) -> None:
    query = views_of(context).get(QUERY_KEY) if use_query else None
    page = await q.list_programs(
        context.session,
        organization_id=coach.team_id,
        archived=archived,
        name_filter=query,
        offset=offset,
        limit=PAGE_SIZE,
    )
    text = texts.program_list(page.total, page.offset, len(page.items), archived, query)
    await answer(update, context)
    await show(update, context, text, kb.program_list(page, archived=archived, query=bool(query)))


async def find_program(
    update: Update,
    context: SpotterContext,
    coach: Coach,
    program_id: str,
    *,
    editable: bool = False,
) -> Program | None:
    """The team's program, or None after telling the coach it's gone (or archived, when the
    action changes it)."""
    try:
        program = await q.get_program(
            context.session, organization_id=coach.team_id, program_id=program_id
        )
    except NotFound:
        await notify(update, context, texts.NOT_FOUND, alert=True)
        return None
    if editable and program.archived_at is not None:
        await notify(update, context, texts.PROGRAM_ARCHIVED, alert=True)
        return None
    return program


@coach_action()
async def programs_command(update: Update, context: SpotterContext, coach: Coach) -> None:
    """/programs, or /programs <name> for the programs whose name holds it."""
    query = " ".join(context.args or []).strip()[:QUERY_MAX]
    if query:
        views_of(context)[QUERY_KEY] = query
    else:
        views_of(context).pop(QUERY_KEY, None)
    await render_list(update, context, coach, archived=False, offset=0, use_query=bool(query))


@coach_action(kb.ProgramsPage)
async def programs_page(
    update: Update, context: SpotterContext, coach: Coach, data: kb.ProgramsPage
) -> None:
    await render_list(
        update, context, coach, archived=data.archived, offset=data.offset, use_query=data.query
    )


async def render_card(
    update: Update,
    context: SpotterContext,
    coach: Coach,
    program_id: str,
    week: int,
    *,
    toast: str | None = None,
    new_message: bool = False,
    answered: bool = False,
) -> bool:
    """The program's card at ``week``; answers the press unless the caller already has."""
    try:
        view = await q.get_program_view(
            context.session, organization_id=coach.team_id, program_id=program_id
        )
    except NotFound:
        if answered:
            await send(update, context, texts.NOT_FOUND)
        else:
            await notify(update, context, texts.NOT_FOUND, alert=True)
        return False
    week = max(1, min(week, view.program.weeks))
    if not answered:
        await answer(update, context, toast)
    text, markup = texts.program_card(view, week), kb.program_card(view, week)
    if new_message:
        await send(update, context, text, markup)
    else:
        await show(update, context, text, markup)
    return True


@coach_action(kb.ProgramOpen)
async def open_program(
    update: Update, context: SpotterContext, coach: Coach, data: kb.ProgramOpen
) -> None:
    await render_card(update, context, coach, data.program, data.week)


@coach_action(kb.SessionOpen)
async def open_session(
    update: Update, context: SpotterContext, coach: Coach, data: kb.SessionOpen
) -> None:
    await show_session(update, context, coach, data.session, edit=True)


async def show_session(
    update: Update,
    context: SpotterContext,
    coach: Coach,
    session_id: str,
    *,
    edit: bool,
    toast: str | None = None,
) -> None:
    try:
        view = await q.get_session_view(
            context.session, organization_id=coach.team_id, session_id=session_id
        )
        program = await q.get_program(
            context.session, organization_id=coach.team_id, program_id=view.session.program_id
        )
    except NotFound:
        await notify(update, context, texts.NOT_FOUND, alert=True)
        return
    slot = view.session
    unit = sessions.team_unit(coach.team)
    draft = sessions.draft_from_saved(
        slot.title, [(e.entry, e.exercise_name) for e in view.entries], unit
    )
    # A session with entries has its title as its block's first line: not twice.
    title = None if draft["entries"] else slot.title
    heading = texts.session_heading(program.name, slot.week, slot.weekday, title)
    await answer(update, context, toast)
    await sessions.send_messages(
        update,
        context,
        sessions.session_messages(heading, draft, unit),
        kb.session_view(program.id, slot.id, slot.week, archived=program.archived_at is not None),
        edit=edit,
    )


@coach_action(kb.SessionRemove)
async def ask_remove_session(
    update: Update, context: SpotterContext, coach: Coach, data: kb.SessionRemove
) -> None:
    try:
        slot = await q.get_program_session(
            context.session, organization_id=coach.team_id, session_id=data.session
        )
    except NotFound:
        await notify(update, context, texts.NOT_FOUND, alert=True)
        return
    label = f"week {slot.week}, {texts.session_label(slot.weekday, slot.title)}"
    await answer(update, context)
    await show(
        update,
        context,
        texts.confirm_remove_session(label),
        kb.confirm_remove(slot.id, slot.program_id, slot.week),
    )


@coach_action(kb.SessionRemoveYes)
async def remove_session(
    update: Update, context: SpotterContext, coach: Coach, data: kb.SessionRemoveYes
) -> None:
    try:
        slot = await q.get_program_session(
            context.session, organization_id=coach.team_id, session_id=data.session
        )
        program_id, week = slot.program_id, slot.week
        await q.remove_session(context.session, organization_id=coach.team_id, session_id=slot.id)
    except NotFound:
        await notify(update, context, texts.NOT_FOUND, alert=True)
        return
    await render_card(update, context, coach, program_id, week, toast=texts.SESSION_REMOVED)


@coach_action(kb.SessionAddDay)
async def pick_day_for_session(
    update: Update, context: SpotterContext, coach: Coach, data: kb.SessionAddDay
) -> None:
    program = await find_program(update, context, coach, data.program)
    if program is None:
        return
    await answer(update, context)
    await show(
        update, context, texts.pick_weekday(data.week), kb.pick_weekday(program.id, data.week)
    )


@coach_action(kb.ProgramArchive)
async def set_archived(
    update: Update, context: SpotterContext, coach: Coach, data: kb.ProgramArchive
) -> None:
    try:
        await q.set_program_archived(
            context.session,
            organization_id=coach.team_id,
            program_id=data.program,
            archived=data.archived,
        )
    except NotFound:
        await notify(update, context, texts.NOT_FOUND, alert=True)
        return
    except Conflict:
        await notify(update, context, texts.ASSIGNED_CANT_ARCHIVE, alert=True)
        return
    toast = texts.ARCHIVED if data.archived else texts.RESTORED
    await render_card(update, context, coach, data.program, 1, toast=toast)


def copy_id(program_id: str, update: Update) -> str:
    """The same press (a double tap, a replayed update) makes the same copy, not two."""
    message = update.effective_message
    seed = f"{program_id}:{update.effective_chat.id if update.effective_chat else 0}:"
    seed += str(message.message_id if message else update.update_id)
    digest = hashlib.sha256(seed.encode()).digest()
    return urlsafe_b64encode(digest).decode()[:11]


@coach_action(kb.ProgramCopy)
async def copy_program(
    update: Update, context: SpotterContext, coach: Coach, data: kb.ProgramCopy
) -> None:
    try:
        source = await q.get_program(
            context.session, organization_id=coach.team_id, program_id=data.program
        )
        name = f"{source.name[:92]} (copy)"
        copy = await q.copy_program(
            context.session,
            organization_id=coach.team_id,
            program_id=source.id,
            name=name,
            new_program_id=copy_id(source.id, update),
        )
    except NotFound:
        await notify(update, context, texts.NOT_FOUND, alert=True)
        return
    await render_card(update, context, coach, copy.id, 1, toast=texts.COPIED_PROGRAM)


@coach_action(kb.ProgramAthletes)
async def program_athletes(
    update: Update, context: SpotterContext, coach: Coach, data: kb.ProgramAthletes
) -> None:
    await render_athletes(update, context, coach, data.program)


async def render_athletes(
    update: Update,
    context: SpotterContext,
    coach: Coach,
    program_id: str,
    *,
    toast: str | None = None,
) -> None:
    program = await find_program(update, context, coach, program_id)
    if program is None:
        return
    on_it = await q.list_program_athletes(
        context.session, organization_id=coach.team_id, program_id=program.id
    )
    athletes = [athlete for athlete, _ in on_it]
    await answer(update, context, toast)
    await show(
        update,
        context,
        texts.program_athletes(program.name, [a.name for a in athletes]),
        kb.program_athletes(program.id, athletes),
    )


@coach_action(kb.Unassign)
async def unassign(
    update: Update, context: SpotterContext, coach: Coach, data: kb.Unassign
) -> None:
    try:
        athlete = await get_athlete(
            context.session, organization_id=coach.team_id, athlete_id=data.athlete
        )
        current = await q.get_current_program(
            context.session,
            organization_id=coach.team_id,
            athlete_id=athlete.id,
            today=team_today(context, coach.team),
        )
    except NotFound:
        await notify(update, context, texts.NOT_FOUND, alert=True)
        return
    if current is None or current.program.id != data.program:
        await answer(update, context, texts.NOT_ON_PROGRAM, alert=True)
        return
    await q.unassign_athlete(
        context.session, organization_id=coach.team_id, athlete_id=athlete.id, now=context.now()
    )
    await render_athletes(
        update, context, coach, data.program, toast=texts.unassigned(athlete.name)
    )


async def athlete_program_text(
    context: SpotterContext,
    *,
    organization_id: str,
    athlete_id: str,
    team: Organization | None = None,
) -> str:
    """The athlete card's lines: the current program and the next session.

    `team`: the caller's team when the caller has it (a coach), which saves reading it again.
    """
    organization = team if team is not None and team.id == organization_id else None
    if organization is None:
        organization = await context.session.get(Organization, organization_id)
    if organization is None:
        return ""
    current = await q.get_current_program(
        context.session,
        organization_id=organization.id,
        athlete_id=athlete_id,
        today=team_today(context, organization),
    )
    return texts.athlete_program_line(current)
