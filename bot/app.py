"""build_application: the PTB Application with Spotter's one ordered routing table."""

from __future__ import annotations

import logging
import warnings
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

from bot import callbacks as cb
from bot.command_menus import publish_default_commands
from bot.context import DB_KEY, MODE_KEY, SETTINGS_KEY, SpotterContext
from bot.database import Database
from bot.handlers import (
    athlete_form,
    athlete_home,
    deep_links,
    errors,
    exercise_form,
    exercises,
    inline,
    invites,
    onboarding,
    roster,
)
from bot.insight.delivery import schedule_delivery
from bot.persistence import DatabasePersistence
from bot.settings import Settings
from bot.training import routes as training_routes
from bot.transfer import handlers as transfer
from bot.transfer import keyboards as transfer_keyboards
from bot.update_processor import PerChatUpdateProcessor
from storage.db import describe_database

log = logging.getLogger("bot")

SpotterApp = Application[Any, SpotterContext, Any, Any, Any, Any]
# Cards posted with inline mode (via_bot) into our own chat are not answers to anything.
TEXT = filters.TEXT & ~filters.COMMAND & ~filters.VIA_BOT
NOT_TEXT = ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL & ~filters.VIA_BOT


def on_button(kind: cb.CallbackKind, callback: Any) -> CallbackQueryHandler[Any, Any]:
    return CallbackQueryHandler(callback, pattern=kind.pattern)


def onboarding_conversation() -> ConversationHandler[Any]:
    return ConversationHandler(
        entry_points=[CommandHandler("start", onboarding.start, filters.Regex(r"^/start(@\w+)?$"))],
        states={
            onboarding.TEAM_NAME: [MessageHandler(TEXT, onboarding.receive_team_name)],
        },
        fallbacks=[
            CommandHandler("cancel", onboarding.cancel_onboarding),
            CommandHandler("help", onboarding.ending(onboarding.help_command)),
            CommandHandler("exercises", onboarding.ending(exercises.exercises_command)),
            CommandHandler("me", onboarding.ending(athlete_home.me_command)),
            MessageHandler(filters.COMMAND, onboarding.stray_command),
            MessageHandler(NOT_TEXT, onboarding.text_please),
        ],
        name=onboarding.CONVERSATION,
        persistent=True,
        allow_reentry=True,
    )


def add_athlete_conversation() -> ConversationHandler[Any]:
    text_steps = [
        athlete_form.NAME,
        athlete_form.EMAIL,
        athlete_form.PHONE,
        athlete_form.BIRTHDATE,
        athlete_form.NOTES,
    ]
    states: dict[object, list[BaseHandler[Any, Any, Any]]] = {
        step: [
            MessageHandler(TEXT, athlete_form.make_step(step)),
            CommandHandler("skip", athlete_form.make_skip(step)),
        ]
        for step in text_steps
    }
    states[athlete_form.EMAIL].append(on_button(cb.ADD_OPEN_EXISTING, athlete_form.open_existing))
    states[athlete_form.GENDER] = [
        on_button(cb.ADD_GENDER, athlete_form.choose_gender),
        CommandHandler("skip", athlete_form.make_skip(athlete_form.GENDER)),
    ]
    states[athlete_form.SUMMARY] = [
        on_button(cb.ADD_SAVE, athlete_form.save),
        on_button(cb.ADD_EDIT, athlete_form.pick_field),
        on_button(cb.ADD_CANCEL, athlete_form.cancel_add),
    ]
    states[athlete_form.PICK_FIELD] = [
        on_button(cb.ADD_EDIT_FIELD, athlete_form.edit_field),
        on_button(cb.ADD_CANCEL, athlete_form.cancel_add),
    ]
    add_buttons = r"^(adg|ads|ade|adf|adc|ado)(:|$)"
    return ConversationHandler(
        entry_points=[
            CommandHandler("addathlete", athlete_form.start_add),
            CallbackQueryHandler(athlete_form.start_add, pattern=r"^menu:addathlete$"),
        ],
        states=states,
        fallbacks=[
            CommandHandler("cancel", athlete_form.cancel_add),
            MessageHandler(filters.COMMAND, athlete_form.stray_command),
            MessageHandler(NOT_TEXT, onboarding.text_please),
            CallbackQueryHandler(athlete_form.stale_button, pattern=add_buttons),
        ],
        name=athlete_form.ADD_CONVERSATION,
        persistent=True,
        allow_reentry=True,
    )


def edit_athlete_conversation() -> ConversationHandler[Any]:
    return ConversationHandler(
        entry_points=[on_button(cb.ATHLETE_EDIT_FIELD, athlete_form.start_edit)],
        states={
            athlete_form.EDIT_VALUE: [
                MessageHandler(TEXT, athlete_form.receive_edit),
                CommandHandler("skip", athlete_form.skip_edit),
                on_button(cb.ATHLETE_EDIT_GENDER, athlete_form.choose_edit_gender),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", athlete_form.cancel_edit),
            MessageHandler(filters.COMMAND, athlete_form.stray_command_in_edit),
            MessageHandler(NOT_TEXT, onboarding.text_please),
        ],
        name=athlete_form.EDIT_CONVERSATION,
        persistent=True,
        allow_reentry=True,
    )


def new_exercise_conversation() -> ConversationHandler[Any]:
    form = exercise_form
    return ConversationHandler(
        entry_points=[
            CommandHandler("newexercise", form.start_new),
            CallbackQueryHandler(form.start_new, pattern=r"^menu:newexercise$"),
        ],
        states={
            form.NAME: [
                MessageHandler(TEXT, form.receive_name),
                CommandHandler("skip", form.skip_name),
            ],
            form.PATTERN: [on_button(cb.NEW_PATTERN, form.choose_pattern)],
            form.PRIMARY: [
                on_button(cb.NEW_TOGGLE_MUSCLE, form.make_toggle(form.PRIMARY)),
                on_button(cb.NEW_MUSCLES_DONE, form.make_muscles_done(form.PRIMARY)),
            ],
            form.SECONDARY: [
                on_button(cb.NEW_TOGGLE_MUSCLE, form.make_toggle(form.SECONDARY)),
                on_button(cb.NEW_MUSCLES_DONE, form.make_muscles_done(form.SECONDARY)),
                CommandHandler("skip", form.skip_secondary),
            ],
            form.EQUIPMENT: [on_button(cb.NEW_EQUIPMENT, form.choose_equipment)],
            form.INSTRUCTIONS: [
                MessageHandler(TEXT, form.receive_instructions),
                CommandHandler("skip", form.skip_instructions),
            ],
            form.SUMMARY: [
                on_button(cb.NEW_SAVE, form.save),
                on_button(cb.NEW_EDIT, form.pick_field),
                on_button(cb.NEW_CANCEL, form.cancel_new),
            ],
            form.PICK_FIELD: [
                on_button(cb.NEW_EDIT_FIELD, form.edit_field),
                on_button(cb.NEW_CANCEL, form.cancel_new),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", form.cancel_new),
            MessageHandler(filters.COMMAND, form.stray_command_in_new),
            MessageHandler(TEXT, form.use_the_buttons),  # text while a step wants a button
            MessageHandler(NOT_TEXT, onboarding.text_please),
            CallbackQueryHandler(form.stale_form_button, pattern=form.FORM_BUTTONS),
        ],
        name=form.NEW_CONVERSATION,
        persistent=True,
        allow_reentry=True,
    )


def change_exercise_conversation() -> ConversationHandler[Any]:
    """A typed change from an exercise card: a new name or instructions, a link by name."""
    form = exercise_form
    back_to_card = on_button(cb.EX_CARD, form.leave_to_card)
    return ConversationHandler(
        entry_points=[
            on_button(cb.EX_EDIT_TEXT, form.start_edit_text),
            on_button(cb.EX_LINK_START, form.start_link),
        ],
        states={
            form.EDIT_TEXT: [
                MessageHandler(TEXT, form.receive_text),
                CommandHandler("skip", form.skip_text),
                back_to_card,
            ],
            form.LINK_QUERY: [
                MessageHandler(TEXT, form.receive_link_query),
                on_button(cb.EX_LINK_PICK, form.pick_link),
                back_to_card,
            ],
        },
        fallbacks=[
            CommandHandler("cancel", form.cancel_change),
            MessageHandler(filters.COMMAND, form.stray_command_in_change),
            MessageHandler(NOT_TEXT, onboarding.text_please),
        ],
        name=form.CHANGE_CONVERSATION,
        persistent=True,
        allow_reentry=True,
    )


def routing_table() -> dict[int, list[BaseHandler[Any, Any, Any]]]:
    """Every handler, in the order PTB tries them: the first match in a group wins."""
    return {
        0: [
            # Conversations first: while one is running, its states see the text before
            # the general commands below do.
            # Deep links (/start <payload>) before onboarding, whose entry is bare /start: an
            # invite tapped mid-conversation is still claimed.
            CommandHandler(
                "start", deep_links.start_with_payload, filters.Regex(r"^/start(@\w+)? \S")
            ),
            onboarding_conversation(),
            add_athlete_conversation(),
            edit_athlete_conversation(),
            # A short typed change from a card goes before the longer /newexercise form, so
            # text answers it first when both are open.
            change_exercise_conversation(),
            new_exercise_conversation(),
            *training_routes.handlers(),  # /today, /week, /log, /maxes, /settings and buttons
            # Commands
            CommandHandler("help", onboarding.help_command),
            CommandHandler("athletes", roster.roster_command),
            CommandHandler("cancel", onboarding.cancel_outside),
            CommandHandler("exercises", exercises.exercises_command),
            CommandHandler("invite", invites.invite_command),
            CommandHandler("me", athlete_home.me_command),
            CommandHandler("leave", athlete_home.leave_command),
            CommandHandler("import", transfer.import_command),
            CommandHandler("export", transfer.export_command),
            # Spreadsheets a coach sends (new messages only: an edited caption is no new file)
            MessageHandler(
                filters.Document.ALL & filters.UpdateType.MESSAGE, transfer.receive_document
            ),
            # Buttons
            CallbackQueryHandler(roster.menu_roster, pattern=r"^menu:(athletes|athletes_back)$"),
            on_button(cb.ROSTER, roster.roster_page),
            on_button(cb.ATHLETE_CARD, roster.open_card),
            on_button(cb.ATHLETE_EDIT_MENU, roster.edit_menu),
            on_button(cb.ATHLETE_STATUS_MENU, roster.status_menu),
            on_button(cb.ATHLETE_SET_STATUS, roster.set_status),
            on_button(cb.ATHLETE_UNLINK, roster.ask_unlink),
            on_button(cb.ATHLETE_UNLINK_CONFIRM, roster.confirm_unlink),
            on_button(cb.INVITE, invites.invite_button),
            on_button(cb.INVITE_REVOKE, invites.revoke_button),
            on_button(cb.LEAVE_PICK, athlete_home.pick_team_to_leave),
            on_button(cb.LEAVE_CONFIRM, athlete_home.confirm_leave),
            on_button(cb.LEAVE_CANCEL, athlete_home.cancel_leave),
            on_button(transfer_keyboards.IMPORT_CONFIRM, transfer.confirm_import),
            on_button(transfer_keyboards.IMPORT_CANCEL, transfer.cancel_import),
            CallbackQueryHandler(
                athlete_form.closed_form_button, pattern=r"^(adg|ads|ade|adf|adc|ado|aeg)(:|$)"
            ),
            # Exercise library: browsing, then a coach's changes from a card
            CallbackQueryHandler(exercises.menu_exercises, pattern=r"^menu:exercises$"),
            on_button(cb.EX_REGION, exercises.open_region),
            on_button(cb.EX_PATTERNS, exercises.open_patterns),
            on_button(cb.EX_MUSCLE, exercises.open_muscle),
            on_button(cb.EX_PATTERN, exercises.open_pattern),
            on_button(cb.EX_OURS, exercises.open_ours),
            on_button(cb.EX_SEARCH, exercises.search_page),
            on_button(cb.EX_CARD, exercises.open_card),
            on_button(cb.EX_BACK, exercises.go_back),
            on_button(cb.EX_EDIT_MENU, exercise_form.edit_menu),
            on_button(cb.EX_EDIT_CHOICE, exercise_form.edit_choice),
            on_button(cb.EX_SET_PATTERN, exercise_form.set_pattern),
            on_button(cb.EX_SET_EQUIPMENT, exercise_form.set_equipment),
            on_button(cb.EX_TOGGLE_MUSCLE, exercise_form.toggle_saved_muscle),
            on_button(cb.EX_MUSCLES_DONE, exercise_form.save_muscles),
            on_button(cb.EX_ARCHIVE, exercise_form.set_archived),
            on_button(cb.EX_COPY, exercise_form.copy_to_ours),
            on_button(cb.EX_LINK_PICK, exercise_form.pick_link),  # from an older results message
            on_button(cb.EX_UNLINK_MENU, exercise_form.unlink_menu),
            on_button(cb.EX_UNLINK, exercise_form.unlink),
            CallbackQueryHandler(
                exercise_form.closed_form_button, pattern=exercise_form.FORM_BUTTONS
            ),
            # Inline lookup in any chat
            InlineQueryHandler(inline.answer_inline_query),
            # Anything else: never leave a press unanswered or a message without a reply.
            CallbackQueryHandler(onboarding.expired_button),
            MessageHandler(filters.COMMAND, onboarding.unknown_command),
            MessageHandler(filters.ChatType.PRIVATE & TEXT, onboarding.unknown_text),
        ],
        # After everything else: write conversation state now, so that even an abrupt stop
        # loses at most the update being handled.
        99: [TypeHandler(Update, flush_state)],
    }


async def flush_state(update: Update, context: SpotterContext) -> None:
    # PTB marks the update's user for saving only after the last group; mark it now.
    if update.effective_user is not None:
        context.application.mark_data_for_update_persistence(user_ids=update.effective_user.id)
    await context.application.update_persistence()
    if context.application.persistence is not None:
        await context.application.persistence.flush()


async def on_post_init(application: SpotterApp) -> None:
    database: Database = application.bot_data[DB_KEY]
    settings: Settings = application.bot_data[SETTINGS_KEY]
    database.open()
    try:
        await publish_default_commands(application.bot)
    except TelegramError as error:
        log.warning("could not publish the command menu: %s", type(error).__name__)
    log.info(
        "Spotter started in %s mode: database %s, bot @%s",
        application.bot_data.get(MODE_KEY, "local"),
        describe_database(settings.database_url),
        application.bot.username,
    )


async def on_post_shutdown(application: SpotterApp) -> None:
    database: Database = application.bot_data[DB_KEY]
    await database.close()


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    rate_limit: bool = True,
    persistence_interval: float = 60,
) -> SpotterApp:
    database = Database(settings.database_url)
    builder = (
        ApplicationBuilder()
        .token(settings.require_token())
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .context_types(ContextTypes(context=SpotterContext))
        .persistence(DatabasePersistence(database, update_interval=persistence_interval))
        .concurrent_updates(PerChatUpdateProcessor(settings.concurrent_updates))
        .post_init(on_post_init)
        .post_shutdown(on_post_shutdown)
    )
    if rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))  # type: ignore[arg-type]
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    with warnings.catch_warnings():
        # Our conversations track buttons per user, not per message, on purpose.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        application = builder.build()
        application.bot_data[DB_KEY] = database
        application.bot_data[SETTINGS_KEY] = settings
        application.add_handlers(routing_table())  # type: ignore[arg-type]
    application.add_error_handler(errors.handle_error)
    schedule_delivery(application)  # the outbox sender, ticked by the JobQueue
    return application
