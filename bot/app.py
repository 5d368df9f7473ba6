"""build_application: the PTB Application with Spotter's one ordered routing table."""

from __future__ import annotations

import asyncio
import gc
import logging
import warnings
from datetime import timedelta
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
from telegram.request import BaseRequest, HTTPXRequest
from telegram.warnings import PTBUserWarning

from bot import callbacks as cb
from bot.athletes import form as athlete_form
from bot.athletes import home as athlete_home
from bot.athletes import roster
from bot.command_menus import publish_default_commands
from bot.context import DB_KEY, MODE_KEY, SETTINGS_KEY, SpotterContext, transactional
from bot.core import deep_links as links
from bot.core import errors, fallbacks, update_shapes
from bot.core.deep_links import on_deep_link
from bot.core.forms import (
    BARE_START,
    NOT_TEXT,
    PICK_FIELD,
    SUMMARY,
    TEXT,
    FormRoutes,
    FormsConversation,
)
from bot.core.private import keep_private
from bot.core.routing import on_button
from bot.database import Database
from bot.exercises import browse as exercises
from bot.exercises import card_changes, card_edits, new_form
from bot.inbox import INBOX_KEY, Inbox, InboxQueue, InboxRequest, replay_pending
from bot.inline import handlers as inline
from bot.insight import routes as insight_routes
from bot.insight import team as insight_team
from bot.insight.delivery import schedule_delivery
from bot.insight.scheduler import schedule_notices
from bot.invites import claim as invite_claim
from bot.invites import coach as invite_coach
from bot.onboarding import handlers as onboarding
from bot.persistence import DatabasePersistence, flush_state, load_update_state
from bot.programs import handlers as programs_handlers
from bot.programs import routes as programs_routes
from bot.settings import Settings
from bot.training import day as training_day
from bot.training import routes as training_routes
from bot.transfer import handlers as transfer
from bot.transfer import keyboards as transfer_keyboards
from bot.transport import RepliesRequest
from bot.update_processor import PerChatUpdateProcessor
from storage.db import describe_database

GC_THRESHOLDS = (50_000, 5, 1_000)

log = logging.getLogger("bot")

SpotterApp = Application[Any, SpotterContext, Any, Any, Any, Any]


def onboarding_conversation() -> ConversationHandler[Any]:
    return ConversationHandler(
        entry_points=[CommandHandler("start", onboarding.start, BARE_START)],
        states={
            onboarding.TEAM_NAME: [MessageHandler(TEXT, onboarding.receive_team_name)],
        },
        fallbacks=[
            CommandHandler("cancel", onboarding.cancel_onboarding),
            CommandHandler("help", onboarding.ending(onboarding.help_command)),
            CommandHandler("exercises", onboarding.ending(exercises.exercises_command)),
            CommandHandler("me", onboarding.ending(athlete_home.me_command)),
            MessageHandler(filters.COMMAND, onboarding.stray_command),
            MessageHandler(NOT_TEXT, fallbacks.text_please),
        ],
        name=onboarding.CONVERSATION,
        persistent=True,
        allow_reentry=True,
    )


def add_athlete_form() -> FormRoutes:
    form = athlete_form
    text_steps = [form.NAME, form.EMAIL, form.PHONE, form.BIRTHDATE, form.NOTES]
    states: dict[str, list[BaseHandler[Any, Any, Any]]] = {
        step: [
            MessageHandler(TEXT, form.make_step(step)),
            CommandHandler("skip", form.make_skip(step)),
        ]
        for step in text_steps
    }
    states[form.GENDER] = [
        on_button(cb.AddGender, form.choose_gender),
        CommandHandler("skip", form.make_skip(form.GENDER)),
        MessageHandler(TEXT, form.make_step(form.GENDER)),  # "use the buttons, /skip, /cancel"
    ]
    states[SUMMARY] = [
        on_button(cb.AddSave, form.save),
        on_button(cb.AddEdit, form.pick_field),
        on_button(cb.AddCancel, form.cancel_add),
    ]
    states[PICK_FIELD] = [
        on_button(cb.AddEditField, form.edit_field),
        on_button(cb.AddCancel, form.cancel_add),
    ]
    for handlers in states.values():
        # "Open <name>" (same email, same name) works from whichever step is open.
        handlers.append(on_button(cb.AddOpenExisting, form.open_existing))
    return FormRoutes(
        form.ADD,
        entries=[
            CommandHandler("addathlete", form.start_add),
            CallbackQueryHandler(form.start_add, pattern=cb.Menu.matching(item="addathlete")),
        ],
        states=states,
    )


def edit_athlete_form() -> FormRoutes:
    form = athlete_form
    return FormRoutes(
        form.EDIT,
        entries=[on_button(cb.AthleteEditField, form.start_edit)],
        states={
            form.EDIT_VALUE: [
                MessageHandler(TEXT, form.receive_edit),
                CommandHandler("skip", form.skip_edit),
                on_button(cb.AthleteEditGender, form.choose_edit_gender),
            ],
        },
    )


def new_exercise_form() -> FormRoutes:
    form = new_form
    return FormRoutes(
        form.NEW,
        entries=[
            CommandHandler("newexercise", form.start_new),
            CallbackQueryHandler(form.start_new, pattern=cb.Menu.matching(item="newexercise")),
        ],
        states={
            form.NAME: [
                MessageHandler(TEXT, form.receive_name),
                CommandHandler("skip", form.skip_name),
            ],
            form.PATTERN: [on_button(cb.NewPattern, form.choose_pattern)],
            form.PRIMARY: [
                on_button(cb.NewToggleMuscle, form.make_toggle(form.PRIMARY)),
                on_button(cb.NewMusclesDone, form.make_muscles_done(form.PRIMARY)),
            ],
            form.SECONDARY: [
                on_button(cb.NewToggleMuscle, form.make_toggle(form.SECONDARY)),
                on_button(cb.NewMusclesDone, form.make_muscles_done(form.SECONDARY)),
                CommandHandler("skip", form.skip_secondary),
            ],
            form.EQUIPMENT: [on_button(cb.NewEquipment, form.choose_equipment)],
            form.INSTRUCTIONS: [
                MessageHandler(TEXT, form.receive_instructions),
                CommandHandler("skip", form.skip_instructions),
            ],
            SUMMARY: [
                on_button(cb.NewSave, form.save),
                on_button(cb.NewEdit, form.pick_field),
                on_button(cb.NewCancel, form.cancel_new),
            ],
            PICK_FIELD: [
                on_button(cb.NewEditField, form.edit_field),
                on_button(cb.NewCancel, form.cancel_new),
            ],
        },
    )


def change_exercise_forms() -> list[FormRoutes]:
    """Typed changes from an exercise card: a new name or instructions; a link by name."""
    form = card_changes
    back_to_card = on_button(cb.ExCard, form.leave_to_card)
    return [
        FormRoutes(
            form.EDIT_TEXT_FORM,
            entries=[on_button(cb.ExEditText, form.start_edit_text)],
            states={
                form.EDIT_TEXT: [
                    MessageHandler(TEXT, form.receive_text),
                    CommandHandler("skip", form.skip_text),
                    back_to_card,
                ],
            },
        ),
        FormRoutes(
            form.LINK_FORM,
            entries=[on_button(cb.ExLinkStart, form.start_link)],
            states={
                form.LINK_QUERY: [
                    MessageHandler(TEXT, form.receive_link_query),
                    on_button(cb.ExLinkPick, form.pick_link),
                    back_to_card,
                ],
            },
        ),
    ]


# Commands that only show something: they also work in the middle of a form, which then asks
# its open question again.
READ_ONLY_COMMANDS: dict[str, Any] = {
    "help": onboarding.help_command,
    "athletes": roster.roster_command,
    "exercises": exercises.exercises_command,
    "me": athlete_home.me_command,
    "programs": programs_handlers.programs_command,
    "team": insight_team.team_command,
    "today": transactional(training_day.today_command),
    "week": transactional(training_day.week_command),
}


def form_routes() -> list[FormRoutes]:
    """Every guided form; they all run in one conversation (one open form per user)."""
    return [
        add_athlete_form(),
        edit_athlete_form(),
        new_exercise_form(),
        *change_exercise_forms(),
        training_routes.typing_form(),
        *programs_routes.form_routes(),
    ]


def routing_table() -> dict[int, list[BaseHandler[Any, Any, Any]]]:
    """Every handler, in the order PTB tries them: the first match in a group wins."""
    forms = FormsConversation(form_routes(), start=onboarding.start, read_only=READ_ONLY_COMMANDS)
    return {
        # First of all: a form left untouched for FORM_TIMEOUT_HOURS is closed (the user is
        # told); the update then goes on as if no form were open.
        # First: the update's conversation states, read from the database the first time
        # (bot.persistence: nothing is loaded at start).
        -10: [TypeHandler(Update, load_update_state)],
        -3: [TypeHandler(Update, forms.expire_abandoned)],
        # Private chats only: in a group, everything but inline queries and deep links is
        # answered with a pointer to the private chat and goes no further.
        -1: [TypeHandler(Update, keep_private)],
        # Before even that: update shapes no handler takes (edits, channel posts, presses on
        # messages sent through inline mode) are answered or dropped here, revealing nothing.
        -2: [
            MessageHandler(filters.UpdateType.EDITED_MESSAGE, update_shapes.edited_message),
            MessageHandler(
                filters.UpdateType.CHANNEL_POSTS | filters.UpdateType.BUSINESS_MESSAGES,
                update_shapes.not_for_us,
            ),
            CallbackQueryHandler(update_shapes.inline_message_button),
        ],
        0: [
            # Deep links (/start <payload>) first: an invite tapped mid-form is still claimed.
            on_deep_link(links.LIBRARY, exercises.open_library_link),
            on_deep_link(links.EXERCISE, exercises.open_exercise_link),
            on_deep_link(links.INVITE, invite_claim.claim_link),  # and any other payload
            # Every form, in one conversation (one open form per user); while one is open its
            # steps see text and commands before anything below does.
            forms.conversation(),
            onboarding_conversation(),
            # /today, /week, /log, /settings and buttons (its typed answers are a form, above)
            *programs_routes.handlers_list(),  # /programs, program cards and their buttons
            *training_routes.handlers(),
            *insight_routes.handlers(),  # /readiness, /progress, /notifications and buttons
            # Commands
            *(CommandHandler(name, callback) for name, callback in READ_ONLY_COMMANDS.items()),
            CommandHandler("cancel", fallbacks.cancel_outside),
            CommandHandler("invite", invite_coach.invite_command),
            CommandHandler("leave", athlete_home.leave_command),
            CommandHandler("import", transfer.import_command),
            CommandHandler("export", transfer.export_command),
            # Spreadsheets a coach sends (new messages only: an edited caption is no new file)
            MessageHandler(
                filters.Document.ALL & filters.UpdateType.MESSAGE, transfer.receive_document
            ),
            # Buttons
            CallbackQueryHandler(
                roster.menu_roster, pattern=cb.Menu.matching(item=("athletes", "athletes_back"))
            ),
            on_button(cb.RosterPage, roster.roster_page),
            on_button(cb.AthleteCard, roster.open_card),
            on_button(cb.AthleteEditMenu, roster.edit_menu),
            on_button(cb.AthleteStatusMenu, roster.status_menu),
            on_button(cb.AthleteSetStatus, roster.set_status),
            on_button(cb.AthleteUnlink, roster.ask_unlink),
            on_button(cb.AthleteUnlinkConfirm, roster.confirm_unlink),
            on_button(cb.Invite, invite_coach.invite_button),
            on_button(cb.InviteArchived, invite_coach.invite_archived_button),
            on_button(cb.InviteRevoke, invite_coach.revoke_button),
            on_button(cb.LeavePick, athlete_home.pick_team_to_leave),
            on_button(cb.LeaveConfirm, athlete_home.confirm_leave),
            on_button(cb.LeaveCancel, athlete_home.cancel_leave),
            on_button(transfer_keyboards.ImportConfirm, transfer.confirm_import),
            on_button(transfer_keyboards.ImportCancel, transfer.cancel_import),
            # Exercise library: browsing, then a coach's changes from a card
            CallbackQueryHandler(
                exercises.menu_exercises, pattern=cb.Menu.matching(item="exercises")
            ),
            on_button(cb.ExRegion, exercises.open_region),
            on_button(cb.ExPatterns, exercises.open_patterns),
            on_button(cb.ExMuscle, exercises.open_muscle),
            on_button(cb.ExPattern, exercises.open_pattern),
            on_button(cb.ExOurs, exercises.open_ours),
            on_button(cb.ExSearch, exercises.search_page),
            on_button(cb.ExCard, exercises.open_card),
            on_button(cb.ExBack, exercises.go_back),
            on_button(cb.ExEditMenu, card_edits.edit_menu),
            on_button(cb.ExEditChoice, card_edits.edit_choice),
            on_button(cb.ExSetPattern, card_edits.set_pattern),
            on_button(cb.ExSetEquipment, card_edits.set_equipment),
            on_button(cb.ExToggleMuscle, card_edits.toggle_saved_muscle),
            on_button(cb.ExMusclesDone, card_edits.save_muscles),
            on_button(cb.ExArchive, card_edits.set_archived),
            on_button(cb.ExCopy, card_edits.copy_to_ours),
            on_button(cb.ExLinkPick, card_changes.pick_link),  # from an older results message
            on_button(cb.ExUnlinkMenu, card_edits.unlink_menu),
            on_button(cb.ExUnlink, card_edits.unlink),
            # A form's buttons after it ended ("closed"), and "finish or drop" with none open
            *forms.outside(),
            # Inline lookup in any chat
            InlineQueryHandler(inline.answer_inline_query),
            # Anything else: never leave a press unanswered or a message without a reply.
            CallbackQueryHandler(fallbacks.expired_button),
            MessageHandler(filters.COMMAND, fallbacks.unknown_command),
            MessageHandler(filters.ChatType.PRIVATE & TEXT, fallbacks.unknown_text),
        ],
        # After everything else: write conversation state now, so that even an abrupt stop
        # loses at most the update being handled.
        99: [TypeHandler(Update, flush_state)],
    }


async def on_post_init(application: SpotterApp) -> None:
    database: Database = application.bot_data[DB_KEY]
    settings: Settings = application.bot_data[SETTINGS_KEY]
    database.open()
    # What the last run received but never finished goes first, in order.
    await replay_pending(application.bot, application.bot_data[INBOX_KEY], application.update_queue)
    try:
        await publish_default_commands(application.bot)
    except TelegramError as error:
        log.warning("could not publish the command menu: %s", type(error).__name__)
    # What start-up built (handlers, the curated library, caches) lives as long as the process:
    # out of the collector's sight, full collections stay short (they showed at p99). Start-up's
    # garbage goes first, or it would be kept for good.
    gc.collect()
    gc.freeze()
    # Collect young objects 50,000 allocations at a time, and the old generation almost never
    # (reference counting frees nearly everything; only cycles wait). With Python's defaults
    # (700, 10, 10) full collections over the caches paused the loop for 0.3-0.9 s each, 38
    # times in one throughput benchmark: they were the whole p99 at half load (bench/).
    gc.set_threshold(*GC_THRESHOLDS)
    log.info(
        "Spotter started in %s mode: database %s, bot @%s, event loop %s",
        application.bot_data.get(MODE_KEY, "local"),
        describe_database(settings.database_url),
        application.bot.username,
        type(asyncio.get_running_loop()).__module__.partition(".")[0],
    )


async def on_post_shutdown(application: SpotterApp) -> None:
    database: Database = application.bot_data[DB_KEY]
    await application.bot_data[INBOX_KEY].close()
    await database.close()


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    rate_limit: bool = True,
    persistence_interval: float = 60,
) -> SpotterApp:
    database = Database(settings.database_url, connections=settings.concurrent_updates)
    inbox = Inbox(database)  # updates are written here before Telegram is told (bot.inbox)
    builder = (
        ApplicationBuilder()
        .token(settings.require_token())
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .context_types(ContextTypes(context=SpotterContext))
        .persistence(
            DatabasePersistence(
                database,
                update_interval=persistence_interval,
                form_timeout=timedelta(hours=settings.form_timeout_hours),
            )
        )
        .update_queue(InboxQueue(inbox))
        .concurrent_updates(PerChatUpdateProcessor(settings.concurrent_updates, inbox))
        .post_init(on_post_init)
        .post_shutdown(on_post_shutdown)
    )
    if rate_limit:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))  # type: ignore[arg-type]
    # getUpdates batches are written to the inbox before PTB reads them (bot.inbox).
    polling = request if request is not None else HTTPXRequest(connection_pool_size=1)
    builder = builder.get_updates_request(InboxRequest(polling, inbox))
    # Replies: a transient 5xx is retried instead of losing the reply (bot.transport).
    builder = builder.request(
        RepliesRequest(request if request is not None else HTTPXRequest(connection_pool_size=256))
    )
    with warnings.catch_warnings():
        # Our conversations track buttons per user, not per message, on purpose.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        application = builder.build()
        application.bot_data[DB_KEY] = database
        application.bot_data[SETTINGS_KEY] = settings
        application.bot_data[INBOX_KEY] = inbox
        application.add_handlers(routing_table())  # type: ignore[arg-type]
    application.add_error_handler(errors.handle_error)
    schedule_delivery(application)  # the outbox sender, ticked by the JobQueue
    schedule_notices(application)  # digests and reminders due now, into the outbox
    return application
