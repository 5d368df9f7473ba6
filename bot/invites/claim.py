"""`/start inv_<token>`: an invite link binds the athlete's Telegram account to their record.

Invite payloads are the bot's security boundary: a Telegram user whose payloads failed too often
lately is refused before anything is looked up, and the raw token is never logged. Payloads no
other deep link claims come here too (and are refused as invalid invites).
"""

from __future__ import annotations

import logging
import math

from telegram import Update

from bot.athletes import keyboards as athlete_keyboards
from bot.command_menus import publish_chat_commands
from bot.commands import Audience
from bot.context import SpotterContext
from bot.core.actions import Caller, load_caller
from bot.core.notices import label_account, label_coaches, notify_coaches
from bot.invites import texts
from bot.replies import send
from storage.queries.invitations import (
    ClaimOutcome,
    ClaimResult,
    claim_invitation,
    deep_link_retry_at,
    extract_token,
    record_deep_link_failure,
)

log = logging.getLogger(__name__)

REFUSALS = {
    ClaimOutcome.UNKNOWN: texts.INVITE_INVALID,
    ClaimOutcome.EXPIRED: texts.INVITE_EXPIRED,
    ClaimOutcome.REVOKED: texts.INVITE_WAS_REVOKED,
    ClaimOutcome.USED: texts.INVITE_USED,
    ClaimOutcome.ATHLETE_TAKEN: texts.INVITE_ATHLETE_TAKEN,
}


async def claim_link(update: Update, context: SpotterContext, payload: str) -> None:
    """The route of bot.core.deep_links.INVITE (private chat, one transaction)."""
    tg_user = update.effective_user
    assert tg_user is not None
    now = context.now()
    retry_at = await deep_link_retry_at(context.session, telegram_user_id=tg_user.id, now=now)
    if retry_at is not None:
        log.info("deep link refused: too many failed attempts")
        minutes = max(1, math.ceil((retry_at - now).total_seconds() / 60))
        await send(update, context, texts.too_many_attempts(retry_at, minutes))
        return
    token = extract_token(payload)
    if token is None:
        log.info("deep link refused: malformed payload")
        await record_deep_link_failure(context.session, telegram_user_id=tg_user.id, now=now)
        await send(update, context, texts.INVITE_INVALID)
        return
    caller = await load_caller(update, context)
    result = await claim_invitation(context.session, token=token, user_id=caller.user.id, now=now)
    log.info(
        "invitation %s: %s (user %s)",
        result.invitation.id if result.invitation else "-",
        result.outcome.value,
        caller.user.id,
    )
    if result.outcome.is_failure:
        # In the update's transaction: committed together with the answer.
        await record_deep_link_failure(context.session, telegram_user_id=tg_user.id, now=now)
    if result.outcome is ClaimOutcome.CLAIMED:
        await welcome_athlete(update, context, caller, result)
    else:
        await send(update, context, describe_refusal(result))


def describe_refusal(result: ClaimResult) -> str:
    if result.outcome in REFUSALS:
        return REFUSALS[result.outcome]
    assert result.athlete is not None and result.organization is not None
    team = result.organization.name
    if result.outcome is ClaimOutcome.ALREADY_CONNECTED:
        return texts.already_connected(result.athlete.name, team)
    if result.outcome is ClaimOutcome.ALREADY_IN_TEAM:
        return texts.already_in_team(team)
    if result.outcome is ClaimOutcome.OWN_TEAM:
        return texts.own_team_link(result.athlete.name, team)
    raise ValueError(f"no text for {result.outcome}")


async def welcome_athlete(
    update: Update, context: SpotterContext, caller: Caller, result: ClaimResult
) -> None:
    """Greet the athlete, give them the athlete command menu, and tell their coaches.

    Everything said comes from the claim's one read (its coaches too), so the update has one
    transaction and no reads after the claim.
    """
    athlete, organization, coaches = result.athlete, result.organization, list(result.coaches)
    assert athlete is not None and organization is not None and update.effective_chat is not None
    await send(
        update,
        context,
        texts.invite_welcome(
            athlete.name, organization.name, label_coaches(coaches), context.bot.username
        ),
    )
    # What audiences_of would read: the caller now has an athlete profile, and coaches if seated.
    audiences = [Audience.COACH] if caller.seat is not None else []
    await publish_chat_commands(
        context.bot, update.effective_chat.id, [*audiences, Audience.ATHLETE]
    )
    await notify_coaches(
        context,
        coaches,
        texts.athlete_joined(athlete.name, organization.name, label_account(caller.user)),
        athlete_keyboards.open_card(athlete.id),
    )
