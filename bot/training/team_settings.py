"""/settings for coaches: the team's time zone (IANA, validated), unit (kg or lb) and rounding."""

from __future__ import annotations

from telegram import Update

from bot.context import SpotterContext
from bot.core.actions import Coach, coach_action, coach_step
from bot.replies import answer, send, show
from bot.training import keyboards, texts
from bot.training.common import Team, team_of
from bot.training.maxes import TYPING, set_pending
from storage.queries.organizations import get_organization
from storage.queries.training import update_team_settings
from storage.training.loads import DEFAULT_INCREMENT
from storage.training.schedule import zone_or_none


async def coach_team(context: SpotterContext, coach: Coach) -> Team | None:
    organization = await get_organization(context.session, organization_id=coach.team_id)
    return None if organization is None else team_of(organization)


def view(team: Team) -> tuple[str, keyboards.InlineKeyboardMarkup]:
    return (
        texts.settings_view(team.name, team.timezone, team.unit, team.increment),
        keyboards.settings(team.unit),
    )


@coach_action()
async def settings_command(update: Update, context: SpotterContext, coach: Coach) -> None:
    team = await coach_team(context, coach)
    if team is not None:
        await send(update, context, *view(team))


@coach_action(keyboards.SettingsBack)
async def back_to_settings(
    update: Update, context: SpotterContext, coach: Coach, data: keyboards.SettingsBack
) -> None:
    team = await coach_team(context, coach)
    if team is not None:
        await answer(update, context)
        await show(update, context, *view(team))


@coach_action(keyboards.SettingsTimezone)
async def ask_timezone(
    update: Update, context: SpotterContext, coach: Coach, data: keyboards.SettingsTimezone
) -> str | None:
    team = await coach_team(context, coach)
    if team is None:
        return None
    await answer(update, context)
    set_pending(context, kind="timezone", team=team.id, prompt=texts.SETTINGS_ASK_TIMEZONE)
    await send(update, context, texts.SETTINGS_ASK_TIMEZONE)
    return TYPING


@coach_step(refused=True)
async def receive_timezone(
    update: Update, context: SpotterContext, coach: Coach, typed: str
) -> bool:
    """True when the step is over."""
    team = await coach_team(context, coach)
    if team is None:
        return True
    zone = zone_or_none(typed)
    if zone is None:
        await send(update, context, texts.bad_timezone(typed))
        return False
    organization = await update_team_settings(
        context.session, organization_id=team.id, timezone=zone.key
    )
    assert organization is not None
    await send(update, context, texts.timezone_saved(zone.key))
    await send(update, context, *view(team_of(organization)))
    return True


@coach_action(keyboards.SettingsUnit)
async def set_unit(
    update: Update, context: SpotterContext, coach: Coach, data: keyboards.SettingsUnit
) -> None:
    unit = data.unit
    team = await coach_team(context, coach)
    if team is None:
        return
    increment = team.increment
    # The other unit's default becomes this unit's default (2.5 kg <-> 5 lb); a chosen one stays.
    if unit is not team.unit and increment == DEFAULT_INCREMENT[team.unit.value]:
        increment = DEFAULT_INCREMENT[unit.value]
    organization = await update_team_settings(
        context.session,
        organization_id=team.id,
        weight_unit=unit.value,
        rounding_increment=increment,
    )
    assert organization is not None
    await answer(update, context, texts.unit_saved(unit))
    await show(update, context, *view(team_of(organization)))


@coach_action(keyboards.SettingsIncrements)
async def pick_increment(
    update: Update, context: SpotterContext, coach: Coach, data: keyboards.SettingsIncrements
) -> None:
    team = await coach_team(context, coach)
    if team is None:
        return
    await answer(update, context)
    await show(
        update, context, texts.PICK_INCREMENT, keyboards.increments(team.unit, team.increment)
    )


@coach_action(keyboards.SettingsIncrement)
async def set_increment(
    update: Update, context: SpotterContext, coach: Coach, data: keyboards.SettingsIncrement
) -> None:
    value = float(data.value)
    team = await coach_team(context, coach)
    if team is None:
        return
    if value not in keyboards.INCREMENTS[team.unit]:
        # A button for the other unit, from before the unit changed.
        await answer(update, context, texts.INCREMENT_STALE, alert=True)
        return
    organization = await update_team_settings(
        context.session, organization_id=team.id, rounding_increment=value
    )
    assert organization is not None
    await answer(update, context, texts.increment_saved(value, team.unit))
    await show(update, context, *view(team_of(organization)))
