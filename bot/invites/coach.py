"""Coach side of invitations: /invite <name>, the card's Invite button, and Revoke.

The invite message carries the only copy of the raw token (link, QR code, share button);
logs name the invitation by id.
"""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from urllib.parse import urlencode

import segno
from telegram import Message, Update
from telegram.error import BadRequest
from telegram.helpers import create_deep_linked_url

from bot import callbacks as cb
from bot.athletes import keyboards as athlete_keyboards
from bot.athletes.card import card_text
from bot.context import SpotterContext
from bot.core import texts as core_texts
from bot.core.actions import Coach, coach_action
from bot.invites import keyboards, texts
from bot.replies import answer, notify, send, show
from storage.errors import Conflict, NotFound
from storage.models import Athlete, AthleteStatus
from storage.queries.athletes import count_namesakes, list_athletes
from storage.queries.invitations import (
    IssuedInvitation,
    RevokeOutcome,
    create_invitation,
    lock_athlete,
    revoke_invitation,
)
from storage.validation import fold_key

log = logging.getLogger(__name__)

QUERY_MAX = 100
MATCHES_SHOWN = 10
MATCHES_SCANNED = 50  # an exact name match further down still wins over a list


def build_invite_link(bot_username: str, payload: str) -> str:
    return create_deep_linked_url(bot_username, payload)


def build_share_url(link: str, text: str) -> str:
    return "https://t.me/share/url?" + urlencode({"url": link, "text": text})


def make_qr_png(link: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


async def send_invite(
    update: Update, context: SpotterContext, caller: Coach, issued: IssuedInvitation
) -> None:
    """The QR code photo with the link, its expiry, Revoke and Share."""
    assert caller.seat is not None and update.effective_chat is not None
    link = build_invite_link(context.bot.username, issued.payload)
    caption = texts.invite_caption(issued.athlete.name, link, issued.invitation.expires_at)
    share = build_share_url(link, texts.invite_share_text(caller.seat.organization.name))
    markup = keyboards.invite_actions(issued.invitation.id, share)
    await context.commit()
    await context.bot.send_photo(
        update.effective_chat.id, photo=make_qr_png(link), caption=caption, reply_markup=markup
    )


async def issue_invitation(
    update: Update, context: SpotterContext, caller: Coach, athlete: Athlete, *, locked: bool
) -> IssuedInvitation | None:
    """A new link for the athlete, or None (and the coach told why) if they are linked.

    `locked`: the athlete comes from lock_athlete in this transaction (not read again).
    """
    assert caller.seat is not None
    try:
        issued = await create_invitation(
            context.session,
            organization_id=caller.seat.organization_id,
            athlete_id=athlete.id,
            created_by=caller.user.id,
            now=context.now(),
            ttl=timedelta(hours=context.settings.invite_ttl_hours),
            locked=athlete if locked else None,
        )
    except Conflict:
        if update.callback_query is not None:
            # Read before answering: one transaction.
            text = await card_text(context, athlete, caller.team)
            await answer(update, context, texts.cant_invite_linked_alert(athlete.name), alert=True)
            await show(update, context, text, athlete_keyboards.athlete_card(athlete))
        else:
            await send(
                update,
                context,
                texts.cant_invite_linked(athlete.name),
                athlete_keyboards.open_card(athlete.id),
            )
        return None
    log.info(
        "invitation %s created for athlete %s (%d earlier revoked)",
        issued.invitation.id,
        athlete.id,
        issued.revoked_earlier,
    )
    return issued


@coach_action()
async def invite_command(update: Update, context: SpotterContext, caller: Coach) -> None:
    query = " ".join(context.args or []).strip()[:QUERY_MAX]
    if not query:
        await send(update, context, texts.INVITE_USAGE)
        return
    page = await list_athletes(
        context.session,
        organization_id=caller.seat.organization_id,
        name_filter=query,
        limit=MATCHES_SCANNED,
    )
    exact = [a for a in page.items if a.name_key == fold_key(query)]
    if page.total == 0:
        await send(update, context, texts.no_athlete_matches(query))
        return
    if page.total > 1 and len(exact) != 1:
        shown = page.items[:MATCHES_SHOWN]
        shared = await count_namesakes(
            context.session, organization_id=caller.team_id, athletes=shown
        )
        namesakes = {key for key, count in shared.items() if count > 1}
        text = texts.pick_athlete_to_invite(query, total=page.total, shown=len(shown))
        await send(update, context, text, keyboards.invite_matches(shown, namesakes))
        return
    athlete = exact[0] if exact else page.items[0]
    if athlete.status is AthleteStatus.ARCHIVED:
        # An archived athlete has usually left: ask before a link goes out.
        await send(
            update,
            context,
            texts.confirm_invite_archived(athlete.name),
            keyboards.confirm_invite_archived(athlete.id),
        )
        return
    issued = await issue_invitation(update, context, caller, athlete, locked=False)
    if issued is not None:
        await send_invite(update, context, caller, issued)


@coach_action(cb.Invite)
async def invite_button(
    update: Update, context: SpotterContext, caller: Coach, data: cb.Invite
) -> None:
    """Invite from the athlete card or /invite's list of matches."""
    await invite_from_button(update, context, caller, data.athlete, confirmed=False)


@coach_action(cb.InviteArchived)
async def invite_archived_button(
    update: Update, context: SpotterContext, caller: Coach, data: cb.InviteArchived
) -> None:
    """ "Yes, invite" for an archived athlete."""
    await invite_from_button(update, context, caller, data.athlete, confirmed=True)


async def invite_from_button(
    update: Update, context: SpotterContext, caller: Coach, athlete_id: str, *, confirmed: bool
) -> None:
    try:
        # The one read of the athlete: locked, as creating the link needs it to be.
        athlete = await lock_athlete(
            context.session, organization_id=caller.team_id, athlete_id=athlete_id
        )
    except NotFound:
        await notify(update, context, core_texts.NOT_FOUND_ALERT, alert=True)
        return
    if athlete.status is AthleteStatus.ARCHIVED and not confirmed:
        # An archived athlete has usually left: ask before a link goes out.
        await answer(update, context)
        await show(
            update,
            context,
            texts.confirm_invite_archived(athlete.name),
            keyboards.confirm_invite_archived(athlete.id),
        )
        return
    issued = await issue_invitation(update, context, caller, athlete, locked=True)
    if issued is None:
        return
    # The pressed message becomes the card, now showing the pending invitation. Read before
    # answering, so that the read is in the transaction that wrote the link.
    card = await card_text(context, athlete, caller.team)
    await answer(update, context, texts.INVITE_CREATED)
    await show(update, context, card, athlete_keyboards.athlete_card(athlete))
    await send_invite(update, context, caller, issued)


@coach_action(cb.InviteRevoke)
async def revoke_button(
    update: Update, context: SpotterContext, caller: Coach, data: cb.InviteRevoke
) -> None:
    invitation_id = data.invitation
    try:
        result = await revoke_invitation(
            context.session,
            organization_id=caller.seat.organization_id,
            invitation_id=invitation_id,
            now=context.now(),
        )
    except NotFound:
        await answer(update, context, core_texts.NOT_FOUND_ALERT, alert=True)
        return
    name = result.athlete.name
    if result.outcome is RevokeOutcome.ALREADY_ACCEPTED:
        await answer(update, context, texts.invite_already_used(name), alert=True)
        await edit_caption(update, context, texts.invite_used_caption(name))
        return
    if result.outcome is RevokeOutcome.REVOKED:
        log.info("invitation %s revoked", invitation_id)
        await answer(update, context, texts.INVITE_REVOKED)
    else:
        await answer(update, context, texts.INVITE_ALREADY_REVOKED)
    await edit_caption(update, context, texts.invite_revoked_caption(name))


async def edit_caption(update: Update, context: SpotterContext, caption: str) -> None:
    """Replace the invite photo's caption and drop its buttons (the link is dead or used)."""
    query = update.callback_query
    if query is None or not isinstance(query.message, Message) or not query.message.photo:
        return  # pressed on something that isn't an invite photo: the answer said it all
    await context.commit()
    try:
        await query.edit_message_caption(caption=caption, reply_markup=None)
    except BadRequest as error:
        if "message is not modified" not in error.message.lower():
            raise
